"""The demo catalogue: each public-subject provider's full 2024 package (20 compulsory hours over the
notice's five compulsory topics, and an elective course for each of its twelve elective topics), a
CE base's professional courses, a published premium professional course and a Digital Technology
Engineer cohort open for registration. Lessons are short (10-40 s) so the demo can be clicked
through; the first compulsory course has a single 10-second lesson for the browser test.

Loaded by ``manage.py load_demo_catalogue`` and at the end of ``accounts.demo.load_demo``.
Idempotent: a provider that already has 2024 courses is left alone.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind, Role, RoleAssignment, User

from .models import (
    ApplicantCategory,
    Choice,
    CohortStatus,
    Course,
    CourseKind,
    CourseStatus,
    DigitalCohort,
    Lesson,
    LessonKind,
    LiveSession,
    PremiumCourse,
    Question,
    ReviewStatus,
)

DEMO_YEAR = 2024
COMPULSORY_TOPICS = [
    "习近平新时代中国特色社会主义思想",
    "党史学习教育",
    "黄河流域生态保护和高质量发展",
    "绿色低碳高质量发展",
    "专业技术人员职业道德和能力建设",
]
ELECTIVE_TOPICS = [
    "数字技术",
    "传统文化",
    "法律知识",
    "网络安全",
    "知识产权",
    "人才国际化",
    "人文素养",
    "安全生产",
    "质量强市",
    "乡村振兴",
    "应急管理",
    "医养健康",
]
QUICK_COURSE_TITLE = "习近平新时代中国特色社会主义思想概论（演示快学课）"
QUICK_LESSON_SECONDS = 10
ASSOCIATION = "济宁市继续教育协会"
PREMIUM_TITLE = "智能制造关键技术精品专业课（试点）"

# A compulsory package of exactly 20 hours: (topic index, title, hours); the first is the quick one.
COMPULSORY_COURSES = [
    (0, QUICK_COURSE_TITLE, Decimal("2.0")),
    (0, "新时代中国特色社会主义思想专题学习", Decimal("2.0")),
    (1, "中国共产党历史专题", Decimal("2.0")),
    (1, "党史中的科技自立自强", Decimal("2.0")),
    (2, "黄河流域生态保护政策解读", Decimal("2.0")),
    (2, "黄河流域高质量发展的济宁实践", Decimal("2.0")),
    (3, "碳达峰碳中和基础知识", Decimal("2.0")),
    (3, "绿色低碳技术与产业转型", Decimal("2.0")),
    (4, "专业技术人员职业道德", Decimal("2.0")),
    (4, "专业技术人员创新能力建设", Decimal("2.0")),
]
PROFESSIONAL_COURSES = [
    ("工业互联网平台应用", "数字技术", Decimal("6.0")),
    ("中小学数学教学设计与评价", "教育教学", Decimal("4.0")),
    ("软件工程质量保障实践", "软件工程", Decimal("8.0")),
]


def _lesson_body(course_title: str, number: int) -> str:
    return (
        f"《{course_title}》第{number}讲。\n"
        "本讲为演示内容：请在页面上保持学习，计时由服务器核验，学满课时时长即完成本讲。\n"
        "学习期间可以暂停，再次进入时从上次位置继续。"
    )


def _add_course(
    courses: list[tuple[Course, list[int], bool]],
    *,
    provider: Organisation,
    kind: str,
    topic: str,
    title: str,
    hours: Decimal,
    lesson_seconds: list[int],
    with_quiz: bool,
    order: int,
    status: str = CourseStatus.PUBLISHED,
) -> None:
    course = Course(
        provider=provider,
        year=DEMO_YEAR,
        kind=kind,
        topic=topic,
        title=title,
        hours=hours,
        description=f"{topic}专题课程。" if topic else "",
        instructor="演示讲师",
        pass_mark=60,
        status=status,
        sort_order=order,
        published_at=timezone.now() if status == CourseStatus.PUBLISHED else None,
    )
    courses.append((course, lesson_seconds, with_quiz))


def _save(courses: list[tuple[Course, list[int], bool]]) -> list[Course]:
    saved = Course.objects.bulk_create([course for course, _seconds, _quiz in courses])
    lessons: list[Lesson] = []
    questions: list[Question] = []
    for course, (_unsaved, seconds, with_quiz) in zip(saved, courses, strict=True):
        for number, duration in enumerate(seconds, start=1):
            lessons.append(
                Lesson(
                    course=course,
                    order=number,
                    title=f"第{number}讲",
                    kind=LessonKind.DOCUMENT,
                    duration_seconds=duration,
                    body=_lesson_body(course.title, number),
                )
            )
        if with_quiz:
            questions.append(Question(course=course, order=1, text=f"《{course.title}》属于哪一类课程？"))
    Lesson.objects.bulk_create(lessons)
    questions = Question.objects.bulk_create(questions)
    choices: list[Choice] = []
    for question in questions:
        course = next(c for c in saved if c.pk == question.course_id)
        right = course.get_kind_display()
        wrong = [label for value, label in CourseKind.choices if value != course.kind]
        for number, (text, is_correct) in enumerate(
            [(right, True), *[(str(w), False) for w in wrong]], start=1
        ):
            choices.append(Choice(question=question, order=number, text=str(text), is_correct=is_correct))
    Choice.objects.bulk_create(choices)
    return saved


def _public_package(provider: Organisation) -> list[tuple[Course, list[int], bool]]:
    courses: list[tuple[Course, list[int], bool]] = []
    for order, (topic_index, title, hours) in enumerate(COMPULSORY_COURSES):
        quick = order == 0
        _add_course(
            courses,
            provider=provider,
            kind=CourseKind.PUBLIC_COMPULSORY,
            topic=COMPULSORY_TOPICS[topic_index],
            title=title,
            hours=hours,
            lesson_seconds=[QUICK_LESSON_SECONDS] if quick else [30, 40],
            with_quiz=quick or order % 2 == 1,
            order=order,
        )
    for order, topic in enumerate(ELECTIVE_TOPICS):
        _add_course(
            courses,
            provider=provider,
            kind=CourseKind.PUBLIC_ELECTIVE,
            topic=topic,
            title=f"{topic}专题讲座",
            hours=Decimal("2.0"),
            lesson_seconds=[20, 30],
            with_quiz=order % 3 == 0,
            order=order,
        )
    return courses


def _staff(role: str, organisation: Organisation | None = None) -> User | None:
    assignments = RoleAssignment.objects.filter(role=role, is_active=True).select_related("user")
    if organisation is not None:
        assignments = assignments.filter(organisation=organisation)
    assignment = assignments.order_by("pk").first()
    return assignment.user if assignment else None


def _programmes(association: Organisation, self_study: Course | None) -> None:
    city_staff = _staff(Role.CITY_BUREAU_STAFF)
    declarer = city_staff or User.objects.filter(is_superuser=True).order_by("pk").first()
    if declarer is None:
        return
    if not PremiumCourse.objects.filter(title=PREMIUM_TITLE).exists():
        premium = PremiumCourse.objects.create(
            organiser=association,
            year=DEMO_YEAR,
            title=PREMIUM_TITLE,
            experts="演示专家（行业知名专家）",
            description="个人自学 + 现场授课（直播），现场授课共8学时。"
            "按要求完成学习的，视同完成当年度专业科目培训任务。",
            self_study_course=self_study,
            status=ReviewStatus.PUBLISHED,
            declared_by=declarer,
            submitted_at=timezone.now(),
            reviewed_by=city_staff,
            reviewed_at=timezone.now(),
        )
        start = timezone.make_aware(datetime.datetime(DEMO_YEAR, 9, 7, 9, 0))
        LiveSession.objects.bulk_create(
            [
                LiveSession(
                    premium=premium,
                    title="智能制造发展趋势",
                    starts_at=start,
                    hours=Decimal(4),
                    place="线上直播间",
                ),
                LiveSession(
                    premium=premium,
                    title="数字孪生与工业软件",
                    starts_at=start + datetime.timedelta(days=1),
                    hours=Decimal(4),
                    place="济宁市继续教育协会报告厅",
                ),
            ]
        )
    if city_staff is not None and not DigitalCohort.objects.filter(year=DEMO_YEAR).exists():
        DigitalCohort.objects.create(
            year=DEMO_YEAR,
            title="2024年第一期人工智能工程技术人员培训",
            direction="人工智能",
            organiser=association,
            hours=Decimal("64.0"),
            days=8,
            registration_opens=datetime.date(DEMO_YEAR, 5, 6),
            registration_closes=datetime.date(DEMO_YEAR + 3, 12, 31),
            eligible_categories=list(ApplicantCategory.values),
            status=CohortStatus.PUBLISHED,
            created_by=city_staff,
        )


@transaction.atomic
def load_demo_catalogue() -> int:
    """Returns the number of courses created."""
    from hours.services import year_rules_load_defaults

    year_rules_load_defaults()
    created = 0
    providers = Organisation.objects.filter(
        kind=OrganisationKind.PROVIDER, is_public_subject_provider=True
    ).order_by("sort_order", "pk")
    for provider in providers:
        if Course.objects.filter(provider=provider, year=DEMO_YEAR).exists():
            continue
        created += len(_save(_public_package(provider)))
    association = Organisation.objects.filter(name=ASSOCIATION, kind=OrganisationKind.PROVIDER).first()
    if association is not None and not Course.objects.filter(provider=association, year=DEMO_YEAR).exists():
        courses: list[tuple[Course, list[int], bool]] = []
        for order, (title, topic, hours) in enumerate(PROFESSIONAL_COURSES):
            _add_course(
                courses,
                provider=association,
                kind=CourseKind.PROFESSIONAL,
                topic=topic,
                title=title,
                hours=hours,
                lesson_seconds=[30, 30],
                with_quiz=True,
                order=order,
            )
        _add_course(
            courses,
            provider=association,
            kind=CourseKind.PROFESSIONAL,
            topic="智能制造",
            title=f"{PREMIUM_TITLE}·自学部分",
            hours=Decimal("8.0"),
            lesson_seconds=[30, 30],
            with_quiz=True,
            order=len(PROFESSIONAL_COURSES),
        )
        saved = _save(courses)
        created += len(saved)
        _programmes(association, saved[-1])
    return created
