"""The authorization sweep: every URL of the platform, for every role, in one table.

Each row of ``TABLE`` names a route (as ``tests.url_coverage.all_routes()`` spells it), how it is asked
(a GET; for an action that only takes POST, a POST with an empty or minimal body; for an API that
only takes DELETE, a DELETE), the objects its URL points at, and the answer each of eight roles gets:
anonymous, a professional (张敏, 任城区实验中学), that school's unit admin, the 任城区 education
department's reviewer, 任城区 bureau staff, city bureau staff, a CE provider's staff (济宁职业技术学院)
and a platform admin. A route that takes an object is asked again
with an object outside the jurisdiction (兖州区's claim, filing, person...; another requester's export;
another provider's course) by every role that got past the checks inside: staff of 任城区 get a 404
there, while the city bureau and the platform admin still see it.

Answers: ``2xx``; ``3xx`` (a redirect elsewhere than the login page; after a POST, something changed);
``kept`` (a POST redirected back with a message, nothing changed); ``login``; or the status code
(400, 403, 404, 405, 409). Whatever is not ``2xx`` or ``3xx`` after a POST or DELETE must change
nothing: the counts of what actions create (the audit log first) and the rows the URL points at are
compared before and after.

The objects are built once for the module through the apps' services, inside a transaction that is
rolled back when the module ends; each test runs in a savepoint of its own on top of it.

Adding a URL: ``test_every_route_has_exactly_one_row`` fails and names it. Add a row in route order::

    R("hours/claims/<int:pk>/", GET, {"pk": "claim"},
      "login 2xx 2xx 2xx 2xx 2xx 404 2xx",   # the answers, in ROLES order
      out={"pk": "claim_out"},               # the same URL arguments outside the jurisdiction
      outside="- 404 404 404 404 2xx - 2xx") # only if they differ from 404 for every role reached

A URL argument names a key of the objects ``build_sweep_data`` returns (add the object there, built
through the services) or is a literal, ``Lit("approve")``; ``data=`` gives a minimal POST body (JSON
for the API; multipart when it carries a file, an ``Upload`` among the objects, sent afresh each
time). A failing case names the answer it got; decide from the policies whether the table or the code
is wrong.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.demo import make_id_number
from accounts.models import Membership, MembershipStatus, Organisation, User
from tests.fixtures import build_world, org, user

# --- The objects the URLs point at -------------------------------------------------------------------


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _pdf(name: str, salt: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES + f"\n%{salt}".encode(), content_type="application/pdf")


# The first bytes of a real MP4 (an ftyp box, brand isom), as in tests/learning/test_videos.py.
MP4_HEAD = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"
MP4_BYTES = MP4_HEAD + bytes(index % 251 for index in range(2048))


@dataclass(frozen=True)
class Upload:
    """A file for a POST body: each request gets a fresh one (a file once read is empty)."""

    name: str
    content: bytes
    content_type: str

    def file(self) -> SimpleUploadedFile:
        return SimpleUploadedFile(self.name, self.content, content_type=self.content_type)


def _register(mobile: str, name: str, unit: Organisation, region: str, sequence: int) -> User:
    return account_services.user_register(
        registration=account_services.Registration(
            mobile=mobile,
            password="Sweep-Study-2026!",
            real_name=name,
            id_number=make_id_number(region, datetime.date(1992, 5, 17), sequence),
            unit=unit,
            title_series="卫生技术",
            title_level="intermediate",
            specialty="内科",
            education="bachelor",
        )
    )


def build_sweep_data() -> dict[str, Any]:
    """Everything the URLs point at, inside the demo jurisdiction (任城区, 实验中学, 张敏, 济宁职业技术学院)
    and outside it (兖州区, 鲁科公司, 济宁市继续教育协会, another requester)."""
    from filings import clock
    from filings import services as filing_services
    from hours import certificates, reports
    from hours import services as hours_services
    from hours.models import LedgerCategory, SourceType, YearRuleSet
    from learning.demo import PREMIUM_TITLE, QUICK_COURSE_TITLE
    from learning.models import Course, CourseKind, DigitalCohort, PremiumCourse
    from learning.services import catalogue, digital, notices, premium, quality, study

    city_staff, county_staff = user("13800000001"), user("13800000002")
    other_county_staff, unit_admin = user("13900000009"), user("13800000004")
    professional, provider_staff = user("13800000005"), user("13800000006")
    platform_admin = user("13800000000")
    school, rencheng = org("任城区实验中学"), org("任城区人力资源和社会保障局")
    yanzhou, yanzhou_hospital = org("兖州区人力资源和社会保障局"), org("兖州区人民医院")
    provider, association = org("济宁职业技术学院"), org("济宁市继续教育协会")
    year = timezone.localdate().year
    hours_services.year_rules_load_defaults()
    for rules_year in (year - 1, year, year + 1):
        if not YearRuleSet.objects.filter(year=rules_year).exists():
            hours_services.year_rules_copy(actor=None, from_year=2024, to_year=rules_year)
    o: dict[str, Any] = {"year": year}

    # People and memberships: a 兖州区 professional (confirmed), a newcomer waiting at 实验中学.
    outsider = _register("13900000101", "兖州吴医生", yanzhou_hospital, "370812", 15)
    outsider_membership = Membership.objects.get(user=outsider, status=MembershipStatus.PENDING)
    account_services.membership_confirm(actor=platform_admin, membership_id=outsider_membership.pk)
    newcomer = _register("13900000102", "实验中学新教师", school, "370811", 25)
    o["person"], o["person_out"] = professional, outsider
    o["membership"] = Membership.objects.get(user=newcomer, status=MembershipStatus.PENDING)
    o["membership_out"] = Membership.objects.get(user=user("13800000007"), status=MembershipStatus.PENDING)
    o["organisation"], o["organisation_out"] = school, yanzhou_hospital
    o["other_school"], o["department"] = org("任城区第二实验小学"), org("任城区教育和体育局")

    # Claims: a submitted one with evidence at the unit stage, a draft of the same person; the same
    # for the 兖州区 professional.
    research = {"item_kind": "academic_paper", "published_on": f"{year}-03-01", "item_number": ""}
    for key, person in (("claim", professional), ("claim_out", outsider)):
        submitted = hours_services.claim_save(
            actor=person,
            rule_code="PRO-4",
            year=year,
            fields={**research, "title": f"{person.real_name}的论文"},
            uploads=[_pdf("证明.pdf", key)],
        )
        o[key] = hours_services.claim_submit(actor=person, claim_id=submitted.pk)
        o[f"{key}_evidence"] = submitted.evidence.get()
        draft = hours_services.claim_save(
            actor=person,
            rule_code="PRO-4",
            year=year,
            fields={**research, "title": f"{person.real_name}的草稿"},
            uploads=[_pdf("草稿证明.pdf", key + "-draft")],
        )
        o[f"draft_{key}"], o[f"draft_{key}_evidence"] = draft, draft.evidence.get()

    # Certificates, rendered once (the download reads the stored PDF).
    for key, person in (("certificate", professional), ("certificate_out", outsider)):
        hours_services.ledger_post_credit(
            person=person,
            year=year,
            category=LedgerCategory.PUBLIC_COMPULSORY,
            hours=Decimal("20"),
            source_type=SourceType.COURSE,
            source_id=f"sweep-{key}",
            memo="习近平新时代中国特色社会主义思想专题",
            actor=None,
        )
        certificate = certificates.certificate_obtain(
            actor=person, person=person, year=year, base_url="http://testserver/"
        )
        o[key] = certificates.certificate_render(certificate_id=certificate.pk)
    o["verification_code"] = o["certificate"].verification_code

    # Exports (a job's file is for whoever asked for it): the county's report, another county's.
    for key, staff, bureau in (
        ("export", county_staff, rencheng),
        ("export_out", other_county_staff, yanzhou),
    ):
        job = reports.compliance_report_start(actor=staff, organisation=bureau, year=year)
        reports.export_run(job_id=job.pk)
        job.refresh_from_db()
        o[key] = job

    # Filings: 实验中学's approved training with an attachment and a finished import; one waiting for
    # the bureau; one returned to the school; and 兖州区人民医院's paper filing with its import.
    from tests.filings.conftest import filing_data
    from tests.filings.helpers import id_number, upload, workbook_bytes

    filing = filing_services.filing_submit(
        actor=unit_admin, organisation=school, data=filing_data(), attachments=[_pdf("通知.pdf", "f")]
    )
    filing_services.filing_approve(actor=county_staff, filing_id=filing.pk)
    paper = filing_services.filing_enter_paper(
        actor=other_county_staff,
        organisation=yanzhou_hospital,
        data=filing_data(
            title="兖州区医护人员急救技能培训", organiser="兖州区人民医院", place="兖州区人民医院"
        ),
        paper_received_on=clock.today(),
        attachments=[_pdf("纸质备案.pdf", "p")],
    )
    o["filing_submitted"] = filing_services.filing_submit(
        actor=unit_admin, organisation=school, data=filing_data(title="实验中学班主任培训")
    )
    returned = filing_services.filing_submit(
        actor=unit_admin, organisation=school, data=filing_data(title="实验中学新教师培训")
    )
    o["filing_returned"] = filing_services.filing_return(
        actor=county_staff, filing_id=returned.pk, reason="请补充师资情况"
    )
    from filings.importer import roster_import_run

    after_end = filing.end_date + datetime.timedelta(days=1)
    with mock.patch.object(clock, "today", lambda: after_end):
        for key, staff, target in (
            ("import", county_staff, filing),
            ("import_out", other_county_staff, paper),
        ):
            roster = workbook_bytes([[id_number(300 + len(key)), "学员", 8]])
            created = filing_services.roster_import_create(
                actor=staff, filing_id=target.pk, upload=upload(roster)
            )
            roster_import_run(import_id=created.pk)
            created.refresh_from_db()
            o[key] = created
    o["filing"], o["filing_out"] = filing, paper
    o["filing_attachment"] = filing.attachments.get()
    o["filing_out_attachment"] = paper.attachments.get()

    # Courses: 职业学院's published quick course (the learner enrolled), a draft with a lesson and a
    # question; the association's professional course outside both.
    quick = Course.objects.get(provider=provider, year=2024, title=QUICK_COURSE_TITLE)
    with mock.patch.object(timezone, "now", lambda: timezone.make_aware(datetime.datetime(2024, 6, 3, 9))):
        study.provider_choose(actor=professional, year=2024, provider=provider)
        study.course_enrol(actor=professional, course=quick)
    study.provider_choose(actor=professional, year=year, provider=provider)
    o["course"], o["lesson"] = quick, quick.lessons.order_by("order").first()
    draft_course = catalogue.course_create(
        actor=provider_staff,
        provider=provider,
        year=2024,
        kind=CourseKind.PROFESSIONAL,
        title="机电一体化新技术（草稿）",
        hours=Decimal("4"),
    )
    o["draft_course"] = draft_course
    o["draft_lesson"] = catalogue.lesson_add(
        actor=provider_staff, course=draft_course, title="第一讲", duration_seconds=60
    )
    second = catalogue.lesson_add(
        actor=provider_staff, course=draft_course, title="第二讲", duration_seconds=60
    )
    o["draft_lesson_order"] = [second.pk, o["draft_lesson"].pk]  # the lessons swapped
    o["draft_question"] = catalogue.question_add(
        actor=provider_staff,
        course=draft_course,
        text="PLC 是什么？",
        choices=[("控制器", True), ("电机", False)],
    )
    outside_course = (
        Course.objects.filter(provider=association, year=2024, kind=CourseKind.PROFESSIONAL)
        .exclude(premium__isnull=False)
        .order_by("pk")
        .first()
    )
    assert outside_course is not None
    o["course_out"] = outside_course
    o["lesson_out"] = outside_course.lessons.order_by("order").first()
    o["question_out"] = outside_course.questions.order_by("pk").first()
    # The 兖州区 professional has started studying it: its lessons are fixed now (add, edit, reorder,
    # remove refused), which is what the platform admin meets outside.
    study.course_enrol(actor=outsider, course=outside_course)
    study.study_open(actor=outsider, lesson=o["lesson_out"])

    # Published video courses with an uploaded file: 职业学院's, and the association's (put there by
    # the platform admin).
    o["mp4"] = Upload("第二讲.mp4", MP4_BYTES, "video/mp4")
    for key, actor, owner in (
        ("video", provider_staff, provider),
        ("video_out", platform_admin, association),
    ):
        video_course = catalogue.course_create(
            actor=actor,
            provider=owner,
            year=2024,
            kind=CourseKind.PROFESSIONAL,
            title=f"{owner.name}视频专业课",
            hours=Decimal("1"),
        )
        o[f"{key}_lesson"] = catalogue.lesson_add(
            actor=actor,
            course=video_course,
            title="视频第一讲",
            kind="video",
            duration_seconds=60,
            video=o["mp4"].file(),
        )
        o[f"{key}_course"] = catalogue.course_publish(actor=actor, course=video_course)

    # Premium courses: 职业学院's, declared, reviewed and published, with a session and the learner
    # enrolled; the association's demo course outside.
    self_study = catalogue.course_create(
        actor=provider_staff,
        provider=provider,
        year=2024,
        kind=CourseKind.PROFESSIONAL,
        title="工业机器人精品课·自学",
        hours=Decimal("4"),
    )
    catalogue.lesson_add(actor=provider_staff, course=self_study, title="第一讲", duration_seconds=20)
    declared = premium.premium_declare(
        actor=provider_staff,
        organiser=provider,
        year=2024,
        title="工业机器人应用精品专业课",
        experts="王教授",
        self_study_course=self_study,
    )
    start = timezone.make_aware(datetime.datetime(2024, 9, 1, 9, 0))
    session = premium.live_session_add(
        actor=provider_staff, premium=declared, title="第一场", starts_at=start, hours=Decimal(4)
    )
    premium.live_session_add(
        actor=provider_staff,
        premium=declared,
        title="第二场",
        starts_at=start + datetime.timedelta(days=1),
        hours=Decimal(4),
    )
    # A third session: removing it (nobody's attendance recorded) still leaves the 8 live hours.
    o["premium_session_removable"] = premium.live_session_add(
        actor=provider_staff,
        premium=declared,
        title="第三场",
        starts_at=start + datetime.timedelta(days=2),
        hours=Decimal(4),
    )
    premium.premium_submit(actor=provider_staff, premium=declared)
    premium.premium_publish(actor=city_staff, premium=declared)
    premium.premium_enrol(actor=professional, premium=declared)
    o["premium"], o["premium_session"] = declared, session
    o["premium_out"] = PremiumCourse.objects.get(title=PREMIUM_TITLE)
    o["premium_out_session"] = o["premium_out"].live_sessions.order_by("starts_at").first()

    # Quality public courses: 职业学院's declaration; the association has none (not a public
    # provider), so another public provider's course is declared by the platform admin.
    o["quality"] = quality.quality_declare(
        actor=provider_staff, course=quick, instructor=professional, year=2024
    )
    other_public = (
        Course.objects.filter(
            year=2024, kind=CourseKind.PUBLIC_ELECTIVE, provider__is_public_subject_provider=True
        )
        .exclude(provider=provider)
        .order_by("pk")
        .first()
    )
    assert other_public is not None
    o["quality_out"] = quality.quality_declare(
        actor=platform_admin, course=other_public, instructor=outsider, year=2024
    )

    # The digital engineer programme: the demo cohort (the association organises it; the learner
    # applied) and a cohort 职业学院 organises with the outsider's application.
    cohort = DigitalCohort.objects.get(year=2024)
    o["cohort"] = cohort
    o["application"] = digital.digital_apply(actor=professional, cohort=cohort, category="graduate")
    own_cohort = digital.cohort_create(
        actor=city_staff,
        year=year,
        title="职业学院第一期人工智能工程技术人员培训",
        direction="人工智能",
        organiser=provider,
        hours=Decimal("64.0"),
        days=8,
        registration_opens=timezone.localdate() - datetime.timedelta(days=1),
        registration_closes=timezone.localdate() + datetime.timedelta(days=30),
        eligible_categories=["graduate"],
    )
    digital.cohort_publish(actor=city_staff, cohort=own_cohort)
    o["cohort_provider"] = own_cohort
    o["application_provider"] = digital.digital_apply(actor=outsider, cohort=own_cohort, category="graduate")

    # Notices with an attachment: 任城区's, 兖州区's.
    for key, staff, region in (
        ("notice", county_staff, rencheng),
        ("notice_out", other_county_staff, yanzhou),
    ):
        notice = notices.notice_publish(
            actor=staff,
            title=f"{region.name}继续教育通知",
            body_html="<p>请按时完成学习。</p>",
            region=region,
            published_at=timezone.now() - datetime.timedelta(hours=1),
        )
        o[key] = notice
        o[f"{key}_attachment"] = notices.notice_attachment_add(
            actor=staff, notice=notice, upload=_pdf("附件.pdf", key)
        )
        # Removing deletes the file, which no rollback brings back: the removal rows use another one.
        o[f"{key}_attachment_removable"] = notices.notice_attachment_add(
            actor=staff, notice=notice, upload=_pdf("旧附件.pdf", key + "-old")
        )
    return o


# --- The table -------------------------------------------------------------------------------------

ROLES = (
    "anonymous",
    "professional",
    "unit_admin",
    "department_reviewer",
    "county_staff",
    "city_staff",
    "provider_staff",
    "platform_admin",
)
ROLE_MOBILES = {
    "anonymous": None,
    "professional": "13800000005",  # 张敏, 任城区实验中学
    "unit_admin": "13800000004",  # 任城区实验中学
    "department_reviewer": "13800000003",  # 任城区教育和体育局
    "county_staff": "13800000002",  # 任城区人力资源和社会保障局
    "city_staff": "13800000001",  # 济宁市人力资源和社会保障局
    "provider_staff": "13800000006",  # 济宁职业技术学院
    "platform_admin": "13800000000",
}

# Answers. For a POST or DELETE, "3xx" and "2xx" may change data; every other answer must change nothing.
OK = "2xx"  # a page, a file, an API answer
GO = "3xx"  # a redirect elsewhere than the login page (after a GET: to where the user belongs)
KEPT = "kept"  # a redirect back with a message: the service refused (or the empty form), nothing changed
LOGIN = "login"  # a redirect to the login page
BAD = "400"  # the API refused the empty body
UNAUTHENTICATED = "401"
FORBIDDEN = "403"
NOT_FOUND = "404"
NOT_ALLOWED = "405"
CONFLICT = "409"
SKIP = "-"  # (outside answers only) not asked: the role does not reach the object inside either
ANSWERS = {OK, GO, KEPT, LOGIN, BAD, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, CONFLICT}
REACHED = {OK, GO, KEPT, BAD, CONFLICT}  # the role got past the authorization checks: worth asking outside

GET, POST, DELETE = "GET", "POST", "DELETE"


@dataclass(frozen=True)
class Lit:
    """A literal URL argument (a rule code, a decision), not an object."""

    value: str | int


@dataclass(frozen=True)
class R:
    route: str
    method: str
    kwargs: dict[str, str | Lit]
    answers: str  # one answer per role, in ROLES order, separated by spaces
    out: dict[str, str | Lit] | None = None  # the URL arguments for the object outside
    outside: str = ""  # the answers outside (default: 404 wherever the role is reached inside)
    data: dict[str, str | Lit] | None = None  # a minimal POST body (JSON for the API), else empty

    def answer(self, role: str) -> str:
        return self.answers.split()[ROLES.index(role)]

    def outside_answer(self, role: str) -> str:
        if self.outside:
            return self.outside.split()[ROLES.index(role)]
        return NOT_FOUND if self.answer(role) in REACHED else SKIP


E: dict[str, str | Lit] = {}  # no URL arguments


# fmt: off
TABLE: list[R] = [
    # R(route, method, URL arguments,
    #   answers: anonymous, professional, unit_admin, department_reviewer, county_staff, city_staff,
    #            provider_staff, platform_admin
    #    anon  pro   unit  dept  cnty  city  prov  admin
    R("", GET, E,
      "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("accounts/2fa/authenticate/", GET, E,
      "login 3xx   3xx   3xx   3xx   3xx   3xx   3xx"),
    R("accounts/2fa/totp/activate/", GET, E,
      "login 3xx   3xx   3xx   3xx   3xx   3xx   3xx"),
    R("accounts/login/", GET, E,
      "2xx   3xx   3xx   3xx   3xx   3xx   3xx   3xx"),
    R("accounts/logout/", GET, E,
      "3xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("accounts/password/change/", GET, E,
      "login 2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("accounts/sessions/", GET, E,
      "login 2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("accounts/signup/", GET, E,
      "2xx   3xx   3xx   3xx   3xx   3xx   3xx   3xx"),
    R("api/auth/token/", POST, E,
      "400   400   400   400   400   400   400   400"),
    R("api/docs/", GET, E,
      "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("api/filings/", GET, E,
      "403   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("api/filings/<int:pk>/", GET, {"pk": "filing"},
      "403   404   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "filing_out"},
      outside="-     -     404   404   404   2xx   -     2xx"),
    R("api/filings/<int:pk>/approve/", POST, {"pk": "filing_submitted"},
      "403   404   403   403   2xx   403   404   2xx",
      out={"pk": "filing_out"},
      outside="-     -     -     -     404   -     -     400",
      data={"reason": Lit("同意备案")}),
    R("api/filings/<int:pk>/attachments/", POST, {"pk": "filing"},
      "403   404   400   400   400   400   404   400",
      out={"pk": "filing_out"},
      outside="-     -     404   404   404   400   -     400"),
    R("api/filings/<int:pk>/imports/", GET, {"pk": "filing"},
      "403   404   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "filing_out"},
      outside="-     -     404   404   404   2xx   -     2xx"),
    R("api/filings/<int:pk>/resubmit/", POST, {"pk": "filing_returned"},
      "403   404   400   400   400   400   404   400",
      out={"pk": "filing_out"},
      outside="-     -     404   404   404   400   -     400"),
    R("api/filings/<int:pk>/return/", POST, {"pk": "filing_submitted"},
      "403   404   403   403   2xx   403   404   2xx",
      out={"pk": "filing_out"},
      outside="-     -     -     -     404   -     -     400",
      data={"reason": Lit("请补充师资情况")}),
    R("api/filings/<int:pk>/withdraw/", POST, {"pk": "filing_returned"},
      "403   404   2xx   403   403   403   404   403",
      out={"pk": "filing_out"}),
    R("api/filings/channel-imports/", GET, E,
      "403   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("api/filings/imports/<int:pk>/", GET, {"pk": "import"},
      "403   404   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "import_out"},
      outside="-     -     404   404   404   2xx   -     2xx"),
    R("api/filings/imports/<int:pk>/cancel/", POST, {"pk": "import"},
      "403   404   403   403   400   403   404   400",
      out={"pk": "import_out"},
      outside="-     -     -     -     404   -     -     400"),
    R("api/filings/imports/<int:pk>/issues/", GET, {"pk": "import"},
      "403   404   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "import_out"},
      outside="-     -     404   404   404   2xx   -     2xx"),
    R("api/filings/imports/<int:pk>/report/", GET, {"pk": "import"},
      "403   404   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "import_out"},
      outside="-     -     404   404   404   2xx   -     2xx"),
    R("api/filings/imports/<int:pk>/retry/", POST, {"pk": "import"},
      "403   404   403   403   400   403   404   400",
      out={"pk": "import_out"},
      outside="-     -     -     -     404   -     -     400"),
    R("api/filings/paper-units/", GET, E,
      "403   404   404   404   2xx   2xx   404   404"),
    R("api/hours/certificates/", GET, E,
      "403   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("api/hours/certificates/<int:pk>/", GET, {"pk": "certificate"},
      "403   2xx   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "certificate_out"},
      outside="-     404   404   404   404   2xx   -     2xx"),
    R("api/hours/certificates/<int:pk>/pdf/", GET, {"pk": "certificate"},
      "403   2xx   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "certificate_out"},
      outside="-     404   404   404   404   2xx   -     2xx"),
    R("api/hours/certificates/batch/", POST, E,
      "403   404   2xx   404   404   404   404   404",
      data={"organisation_id": "organisation", "year": "year"}),
    R("api/hours/claims/", GET, E,
      "403   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("api/hours/claims/<int:pk>/", GET, {"pk": "claim"},
      "403   2xx   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "claim_out"},
      outside="-     404   404   404   404   2xx   -     2xx"),
    R("api/hours/claims/<int:pk>/evidence/", POST, {"pk": "draft_claim"},
      "403   400   404   404   404   404   404   404",
      out={"pk": "draft_claim_out"}),
    R("api/hours/claims/<int:pk>/evidence/<int:evidence_pk>/", GET,
      {"pk": "claim", "evidence_pk": "claim_evidence"},
      "403   2xx   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "claim_out", "evidence_pk": "claim_out_evidence"},
      outside="-     404   404   404   404   2xx   -     2xx"),
    R("api/hours/claims/<int:pk>/submit/", POST, {"pk": "draft_claim"},
      "403   2xx   404   404   404   404   404   404",
      out={"pk": "draft_claim_out"}),
    R("api/hours/claims/<int:pk>/trail/", GET, {"pk": "claim"},
      "403   2xx   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "claim_out"},
      outside="-     404   404   404   404   2xx   -     2xx"),
    R("api/hours/claims/<int:pk>/withdraw/", POST, {"pk": "claim"},
      "403   2xx   404   404   404   404   404   404",
      out={"pk": "claim_out"}),
    R("api/hours/claims/preview/", POST, E,
      "403   400   404   404   404   404   404   404"),
    R("api/hours/exports/", GET, E,
      "403   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("api/hours/exports/<int:pk>/", GET, {"pk": "export"},
      "403   404   404   404   2xx   404   404   404",
      out={"pk": "export_out"}),
    R("api/hours/exports/<int:pk>/download/", GET, {"pk": "export"},
      "403   404   404   404   2xx   404   404   404",
      out={"pk": "export_out"}),
    R("api/hours/integrity/", GET, E,
      "403   404   404   404   2xx   2xx   404   404"),
    R("api/hours/ledger/", GET, E,
      "403   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("api/hours/reports/compliance/", POST, E,
      "403   404   404   2xx   2xx   2xx   404   2xx",
      data={"organisation_id": "department", "year": "year"}),
    R("api/hours/review/bulk-approve/", POST, E,
      "403   404   400   400   400   400   404   404"),
    R("api/hours/review/claims/<int:pk>/decision/", POST, {"pk": "claim"},
      "403   403   2xx   403   403   403   404   403",
      out={"pk": "claim_out"},
      data={"decision": Lit("approve")}),
    R("api/hours/review/claims/<int:pk>/revoke/", POST, {"pk": "claim"},
      "403   403   403   403   400   400   404   403",
      out={"pk": "claim_out"},
      outside="-     -     -     -     404   400   -     -",
      data={"reason": Lit("经查证明材料不实")}),
    R("api/hours/review/counts/", GET, E,
      "403   404   2xx   2xx   2xx   2xx   404   404"),
    R("api/hours/review/queue/", GET, E,
      "403   404   2xx   2xx   2xx   2xx   404   404"),
    R("api/hours/review/queue/id-search/", POST, E,
      "403   404   400   400   400   400   404   404"),
    R("api/hours/rules/", GET, E,
      "403   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("api/hours/summary/", GET, E,
      "403   2xx   404   404   404   404   404   404"),
    R("api/hours/verify/<str:code>/", GET, {"code": "verification_code"},
      "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("api/learning/courses/", GET, E,
      "403   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("api/learning/courses/<int:pk>/", GET, {"pk": "course"},
      "403   2xx   404   404   2xx   2xx   2xx   2xx",
      out={"pk": "course_out"},
      outside="-     2xx   -     -     2xx   2xx   404   2xx"),
    R("api/learning/courses/<int:pk>/enrol/", POST, {"pk": "course"},
      "403   2xx   404   404   404   404   404   404",
      out={"pk": "course_out"},
      outside="-     2xx   -     -     -     -     -     -"),
    R("api/learning/courses/<int:pk>/lesson-order/", POST, {"pk": "draft_course"},
      "403   404   404   404   403   403   2xx   2xx",
      out={"pk": "course_out"},
      outside="-     -     -     -     -     -     404   400",
      data={"lessons": "draft_lesson_order"}),
    R("api/learning/courses/<int:pk>/lessons/", POST, {"pk": "draft_course"},
      "403   404   404   404   403   403   2xx   2xx",
      out={"pk": "course_out"},
      outside="-     -     -     -     -     -     404   400",
      data={"title": Lit("第三讲"), "duration_seconds": Lit(60)}),
    R("api/learning/courses/<int:pk>/progress/", GET, {"pk": "course"},
      "403   2xx   404   404   404   404   404   404",
      out={"pk": "course_out"}),
    R("api/learning/courses/<int:pk>/quiz/", POST, {"pk": "course"},
      "403   400   404   404   404   404   404   404",
      out={"pk": "course_out"},
      outside="-     400   -     -     -     -     -     -"),
    R("api/learning/digital-cohorts/", GET, E,
      "403   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("api/learning/digital-cohorts/<int:pk>/apply/", POST, {"pk": "cohort_provider"},
      "403   2xx   403   403   403   403   403   403",
      data={"category": Lit("graduate")}),
    R("api/learning/enrolments/", GET, E,
      "403   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("api/learning/heartbeats/", POST, E,
      "403   409   409   409   409   409   409   409",
      data={"token": Lit("sweep-unknown-session"), "position": Lit(10)}),
    R("api/learning/lessons/<int:pk>/", GET, {"pk": "lesson"},
      "403   2xx   404   404   2xx   2xx   2xx   2xx",
      out={"pk": "lesson_out"},
      outside="-     2xx   -     -     2xx   2xx   404   2xx"),
    R("api/learning/lessons/<int:pk>/sessions/", POST, {"pk": "lesson"},
      "403   2xx   404   404   404   404   404   404",
      out={"pk": "lesson_out"},
      outside="-     400   -     -     -     -     -     -"),
    R("api/learning/lessons/<int:pk>/video/", POST, {"pk": "video_lesson"},
      "403   404   404   404   403   403   2xx   2xx",
      out={"pk": "video_out_lesson"},
      outside="-     -     -     -     -     -     404   2xx",
      data={"video": "mp4"}),
    R("api/learning/notices/", GET, E,
      "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("api/learning/premium-courses/", GET, E,
      "403   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("api/learning/premium-courses/<int:pk>/enrol/", POST, {"pk": "premium"},
      "403   2xx   403   403   403   403   403   403"),
    R("api/learning/premium-courses/<int:pk>/sessions/<int:session_pk>/", DELETE,
      {"pk": "premium", "session_pk": "premium_session_removable"},
      "403   404   404   404   404   404   2xx   2xx",
      out={"pk": "premium_out", "session_pk": "premium_out_session"},
      outside="-     -     -     -     -     -     404   400"),
    R("api/learning/provider-choice/", GET, E,
      "403   2xx   404   404   404   404   404   404"),
    R("api/me/", GET, E,
      "403   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("api/me/employer-change/", POST, E,
      "403   2xx   403   403   403   403   403   403",
      data={"unit_id": "other_school"}),
    R("api/me/memberships/", GET, E,
      "403   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("api/memberships/<int:pk>/confirm/", POST, {"pk": "membership"},
      "403   404   2xx   404   404   404   404   2xx",
      out={"pk": "membership_out"},
      outside="-     -     404   -     -     -     -     2xx"),
    R("api/memberships/<int:pk>/reject/", POST, {"pk": "membership"},
      "403   404   400   404   404   404   404   400",
      out={"pk": "membership_out"},
      outside="-     -     404   -     -     -     -     400"),
    R("api/memberships/pending/", GET, E,
      "403   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("api/organisations/", GET, E,
      "403   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("api/organisations/<int:pk>/", GET, {"pk": "organisation"},
      "403   2xx   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "organisation_out"},
      outside="-     404   404   404   404   2xx   -     2xx"),
    R("api/schema/", GET, E,
      "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("api/units/search/", GET, E,
      "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("audit/", GET, E,
      "login 404   404   404   2xx   2xx   404   2xx"),
    R("dashboard/", GET, E,
      "login 2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("filings/", GET, E,
      "login 404   2xx   2xx   2xx   2xx   404   2xx"),
    R("filings/<int:pk>/", GET, {"pk": "filing"},
      "login 404   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "filing_out"},
      outside="-     -     404   404   404   2xx   -     2xx"),
    R("filings/<int:pk>/attachments/", POST, {"pk": "filing"},
      "login 404   kept  404   kept  404   404   kept",
      out={"pk": "filing_out"},
      outside="-     -     404   -     404   -     -     kept"),
    R("filings/<int:pk>/attachments/<int:attachment_pk>/", GET,
      {"pk": "filing", "attachment_pk": "filing_attachment"},
      "login 404   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "filing_out", "attachment_pk": "filing_out_attachment"},
      outside="-     -     404   404   404   2xx   -     2xx"),
    R("filings/<int:pk>/credits/", GET, {"pk": "filing"},
      "login 404   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "filing_out"},
      outside="-     -     404   404   404   2xx   -     2xx"),
    R("filings/<int:pk>/decide/<str:decision>/", POST,
      {"pk": "filing_submitted", "decision": Lit("approve")},
      "login 404   404   404   3xx   404   404   3xx",
      out={"pk": "filing_out", "decision": Lit("approve")},
      outside="-     -     -     -     404   -     -     kept"),
    R("filings/<int:pk>/edit/", GET, {"pk": "filing_returned"},
      "login 404   2xx   404   404   404   404   404",
      out={"pk": "filing_out"}),
    R("filings/<int:pk>/imports/", POST, {"pk": "filing"},
      "login 404   404   404   kept  404   404   kept",
      out={"pk": "filing_out"},
      outside="-     -     -     -     404   -     -     kept"),
    R("filings/<int:pk>/template.xlsx", GET, {"pk": "filing"},
      "login 404   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "filing_out"},
      outside="-     -     404   404   404   2xx   -     2xx"),
    R("filings/channels/", GET, E,
      "login 404   404   404   404   2xx   404   2xx"),
    R("filings/channels/template.xlsx", GET, E,
      "login 404   404   404   404   2xx   404   2xx"),
    R("filings/imports/<int:pk>/", GET, {"pk": "import"},
      "login 404   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "import_out"},
      outside="-     -     404   404   404   2xx   -     2xx"),
    R("filings/imports/<int:pk>/cancel/", POST, {"pk": "import"},
      "login 404   404   404   kept  404   404   kept",
      out={"pk": "import_out"},
      outside="-     -     -     -     404   -     -     kept"),
    R("filings/imports/<int:pk>/progress/", GET, {"pk": "import"},
      "login 404   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "import_out"},
      outside="-     -     404   404   404   2xx   -     2xx"),
    R("filings/imports/<int:pk>/report.xlsx", GET, {"pk": "import"},
      "login 404   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "import_out"},
      outside="-     -     404   404   404   2xx   -     2xx"),
    R("filings/imports/<int:pk>/retry/", POST, {"pk": "import"},
      "login 404   404   404   kept  404   404   kept",
      out={"pk": "import_out"},
      outside="-     -     -     -     404   -     -     kept"),
    R("filings/mine/", GET, E,
      "login 2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("filings/new/", GET, E,
      "login 404   2xx   2xx   2xx   2xx   404   404"),
    R("filings/new/paper-units/", GET, E,
      "login 404   404   404   2xx   2xx   404   404"),
    R("hours/", GET, E,
      "login 2xx   404   404   404   404   404   404"),
    R("hours/behind/", GET, E,
      "login 404   2xx   2xx   2xx   2xx   404   2xx"),
    R("hours/certificates/", GET, E,
      "login 2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("hours/certificates/<int:pk>/", GET, {"pk": "certificate"},
      "login 2xx   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "certificate_out"},
      outside="-     404   404   404   404   2xx   -     2xx"),
    R("hours/certificates/<int:pk>/pdf/", GET, {"pk": "certificate"},
      "login 2xx   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "certificate_out"},
      outside="-     404   404   404   404   2xx   -     2xx"),
    R("hours/certificates/<int:pk>/status/", GET, {"pk": "certificate"},
      "login 2xx   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "certificate_out"},
      outside="-     404   404   404   404   2xx   -     2xx"),
    R("hours/certificates/batch/", POST, E,
      "login 404   3xx   404   3xx   3xx   404   3xx"),
    R("hours/certificates/obtain/", POST, E,
      "login kept  3xx   3xx   3xx   3xx   3xx   3xx"),
    R("hours/claims/", GET, E,
      "login 2xx   404   404   404   404   404   404"),
    R("hours/claims/<int:pk>/", GET, {"pk": "claim"},
      "login 2xx   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "claim_out"},
      outside="-     404   404   404   404   2xx   -     2xx"),
    R("hours/claims/<int:pk>/edit/", GET, {"pk": "draft_claim"},
      "login 2xx   404   404   404   404   404   404",
      out={"pk": "draft_claim_out"}),
    R("hours/claims/<int:pk>/evidence/<int:evidence_pk>/", GET,
      {"pk": "claim", "evidence_pk": "claim_evidence"},
      "login 2xx   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "claim_out", "evidence_pk": "claim_out_evidence"},
      outside="-     404   404   404   404   2xx   -     2xx"),
    R("hours/claims/<int:pk>/evidence/<int:evidence_pk>/remove/", POST,
      {"pk": "draft_claim", "evidence_pk": "draft_claim_evidence"},
      "login 3xx   404   404   404   404   404   404",
      out={"pk": "draft_claim_out", "evidence_pk": "draft_claim_out_evidence"}),
    R("hours/claims/<int:pk>/submit/", POST, {"pk": "draft_claim"},
      "login 3xx   404   404   404   404   404   404",
      out={"pk": "draft_claim_out"}),
    R("hours/claims/<int:pk>/withdraw/", POST, {"pk": "claim"},
      "login 3xx   404   404   404   404   404   404",
      out={"pk": "claim_out"}),
    R("hours/claims/new/", GET, E,
      "login 2xx   404   404   404   404   404   404"),
    R("hours/claims/new/<str:code>/", GET, {"code": Lit("PRO-4")},
      "login 2xx   404   404   404   404   404   404"),
    R("hours/claims/new/<str:code>/preview/", POST, {"code": Lit("PRO-4")},
      "login 2xx   404   404   404   404   404   404"),
    R("hours/dashboard/", GET, E,
      "login 404   2xx   2xx   2xx   2xx   404   2xx"),
    R("hours/exports/<int:pk>/", GET, {"pk": "export"},
      "login 404   404   404   2xx   404   404   404",
      out={"pk": "export_out"}),
    R("hours/exports/<int:pk>/download/", GET, {"pk": "export"},
      "login 404   404   404   2xx   404   404   404",
      out={"pk": "export_out"}),
    R("hours/exports/<int:pk>/progress/", GET, {"pk": "export"},
      "login 404   404   404   2xx   404   404   404",
      out={"pk": "export_out"}),
    R("hours/forecast/", GET, E,
      "login 2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("hours/integrity/", GET, E,
      "login 404   404   404   2xx   2xx   404   404"),
    R("hours/reports/", GET, E,
      "login 404   2xx   2xx   2xx   2xx   404   2xx"),
    R("hours/review/", GET, E,
      "login 404   2xx   2xx   2xx   2xx   404   404"),
    R("hours/review/bulk/", POST, E,
      "login 404   kept  kept  kept  kept  404   404"),
    R("hours/review/chain/", GET, E,
      "login 404   404   404   2xx   2xx   404   404"),
    R("hours/review/claims/<int:pk>/", GET, {"pk": "claim"},
      "login 2xx   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "claim_out"},
      outside="-     404   404   404   404   2xx   -     2xx"),
    R("hours/review/claims/<int:pk>/decide/", POST, {"pk": "claim"},
      "login kept  kept  kept  kept  kept  404   kept",
      out={"pk": "claim_out"},
      outside="-     404   404   404   404   kept  -     kept"),
    R("hours/review/claims/<int:pk>/revoke/", POST, {"pk": "claim"},
      "login kept  kept  kept  kept  kept  404   kept",
      out={"pk": "claim_out"},
      outside="-     404   404   404   404   kept  -     kept"),
    R("hours/rules/", GET, E,
      "login 404   404   404   404   2xx   404   2xx"),
    R("hours/rules/<int:year>/", GET, {"year": "year"},
      "login 404   404   404   404   2xx   404   2xx"),
    R("hours/verify/", GET, E,
      "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("hours/verify/<str:code>/", GET, {"code": "verification_code"},
      "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("learning/", GET, E,
      "login 2xx   404   3xx   3xx   3xx   3xx   3xx"),
    R("learning/courses/<int:pk>/", GET, {"pk": "course"},
      "login 2xx   404   404   2xx   2xx   2xx   2xx",
      out={"pk": "course_out"},
      outside="-     2xx   -     -     2xx   2xx   404   2xx"),
    R("learning/courses/<int:pk>/enrol/", POST, {"pk": "course"},
      "login kept  404   404   404   404   404   404",
      out={"pk": "course_out"},
      outside="-     3xx   -     -     -     -     -     -"),
    R("learning/courses/<int:pk>/quiz/", GET, {"pk": "course"},
      "login 2xx   404   404   404   404   404   404",
      out={"pk": "course_out"},
      outside="-     3xx   -     -     -     -     -     -"),
    R("learning/digital/", GET, E,
      "login 2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("learning/digital/<int:pk>/", GET, {"pk": "cohort"},
      "login 2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("learning/digital/<int:pk>/<str:action>/", POST, {"pk": "cohort", "action": Lit("publish")},
      "login 404   404   404   404   kept  404   kept"),
    R("learning/digital/<int:pk>/results/<int:application_pk>/", POST,
      {"pk": "cohort_provider", "application_pk": "application_provider"},
      "login 404   404   404   404   kept  kept  kept",
      out={"pk": "cohort", "application_pk": "application"},
      outside="-     -     -     -     -     kept  404   kept"),
    R("learning/lessons/<int:pk>/", GET, {"pk": "lesson"},
      "login 2xx   404   404   404   404   404   404",
      out={"pk": "lesson_out"},
      outside="-     3xx   -     -     -     -     -     -"),
    R("learning/lessons/<int:pk>/video/", GET, {"pk": "video_lesson"},
      "login 2xx   404   404   2xx   2xx   2xx   2xx",
      out={"pk": "video_out_lesson"},
      outside="-     2xx   -     -     2xx   2xx   404   2xx"),
    R("learning/manage/courses/", GET, E,
      "login 404   404   2xx   2xx   2xx   2xx   2xx"),
    R("learning/manage/courses/<int:pk>/", GET, {"pk": "draft_course"},
      "login 404   404   404   2xx   2xx   2xx   2xx",
      out={"pk": "course_out"},
      outside="-     -     -     -     2xx   2xx   404   2xx"),
    R("learning/manage/courses/<int:pk>/edit/", GET, {"pk": "draft_course"},
      "login 404   404   404   404   404   2xx   2xx",
      out={"pk": "course_out"},
      outside="-     -     -     -     -     -     404   2xx"),
    R("learning/manage/courses/<int:pk>/lessons/", POST, {"pk": "draft_course"},
      "login 404   404   404   404   404   kept  kept",
      out={"pk": "course_out"},
      outside="-     -     -     -     -     -     404   kept"),
    R("learning/manage/courses/<int:pk>/lessons/<int:lesson_pk>/edit/", GET,
      {"pk": "draft_course", "lesson_pk": "draft_lesson"},
      "login 404   404   404   404   404   2xx   2xx",
      out={"pk": "course_out", "lesson_pk": "lesson_out"},
      outside="-     -     -     -     -     -     404   2xx"),
    R("learning/manage/courses/<int:pk>/lessons/<int:lesson_pk>/move/", POST,
      {"pk": "draft_course", "lesson_pk": "draft_lesson"},
      "login 404   404   404   404   404   3xx   3xx",
      out={"pk": "course_out", "lesson_pk": "lesson_out"},
      outside="-     -     -     -     -     -     404   kept"),
    R("learning/manage/courses/<int:pk>/lessons/<int:lesson_pk>/remove/", POST,
      {"pk": "draft_course", "lesson_pk": "draft_lesson"},
      "login 404   404   404   404   404   3xx   3xx",
      out={"pk": "course_out", "lesson_pk": "lesson_out"},
      outside="-     -     -     -     -     -     404   kept"),
    R("learning/manage/courses/<int:pk>/lessons/<int:lesson_pk>/video/", POST,
      {"pk": "video_course", "lesson_pk": "video_lesson"},
      "login 404   404   404   404   404   3xx   3xx",
      out={"pk": "video_out_course", "lesson_pk": "video_out_lesson"},
      outside="-     -     -     -     -     -     404   3xx",
      data={"video": "mp4"}),
    R("learning/manage/courses/<int:pk>/publish/", POST, {"pk": "draft_course"},
      "login 404   404   404   404   404   3xx   3xx",
      out={"pk": "course_out"},
      outside="-     -     -     -     -     -     404   kept"),
    R("learning/manage/courses/<int:pk>/questions/", POST, {"pk": "draft_course"},
      "login 404   404   404   404   404   kept  kept",
      out={"pk": "course_out"},
      outside="-     -     -     -     -     -     404   kept"),
    R("learning/manage/courses/<int:pk>/questions/<int:question_pk>/remove/", POST,
      {"pk": "draft_course", "question_pk": "draft_question"},
      "login 404   404   404   404   404   3xx   3xx",
      out={"pk": "course_out", "question_pk": "question_out"},
      outside="-     -     -     -     -     -     404   kept"),
    R("learning/manage/flags/", GET, E,
      "login 404   404   2xx   2xx   2xx   2xx   2xx"),
    R("learning/manage/notices/", GET, E,
      "login 404   404   404   2xx   2xx   404   2xx"),
    R("learning/manage/notices/<int:pk>/", GET, {"pk": "notice"},
      "login 404   404   404   2xx   404   404   2xx",
      out={"pk": "notice_out"},
      outside="-     -     -     -     404   -     -     2xx"),
    R("learning/manage/notices/<int:pk>/attachments/", POST, {"pk": "notice"},
      "login 404   404   404   kept  404   404   kept",
      out={"pk": "notice_out"},
      outside="-     -     -     -     404   -     -     kept"),
    R("learning/manage/notices/<int:pk>/attachments/<int:attachment_pk>/remove/", POST,
      {"pk": "notice", "attachment_pk": "notice_attachment_removable"},
      "login 404   404   404   3xx   404   404   3xx",
      out={"pk": "notice_out", "attachment_pk": "notice_out_attachment_removable"},
      outside="-     -     -     -     404   -     -     3xx"),
    R("learning/manage/notices/new/", GET, E,
      "login 404   404   404   2xx   2xx   404   2xx"),
    R("learning/notices/", GET, E,
      "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("learning/notices/<int:pk>/", GET, {"pk": "notice"},
      "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("learning/notices/<int:pk>/attachments/<int:attachment_pk>/", GET,
      {"pk": "notice", "attachment_pk": "notice_attachment"},
      "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("learning/premium/", GET, E,
      "login 2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("learning/premium/<int:pk>/", GET, {"pk": "premium"},
      "login 2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("learning/premium/<int:pk>/<str:action>/", POST, {"pk": "premium", "action": Lit("submit")},
      "login 404   404   404   404   404   kept  kept",
      out={"pk": "premium_out", "action": Lit("submit")},
      outside="-     -     -     -     -     -     404   kept"),
    R("learning/premium/<int:pk>/sessions/<int:session_pk>/attendance/", POST,
      {"pk": "premium", "session_pk": "premium_session"},
      "login 404   404   404   404   404   3xx   3xx",
      out={"pk": "premium_out", "session_pk": "premium_out_session"},
      outside="-     -     -     -     -     -     404   kept"),
    R("learning/premium/<int:pk>/sessions/<int:session_pk>/remove/", POST,
      {"pk": "premium", "session_pk": "premium_session_removable"},
      "login 404   404   404   404   404   3xx   3xx",
      out={"pk": "premium_out", "session_pk": "premium_out_session"},
      outside="-     -     -     -     -     -     404   kept"),
    R("learning/provider/", POST, E,
      "login kept  404   404   404   404   404   404"),
    R("learning/quality/", GET, E,
      "login 2xx   404   404   2xx   2xx   2xx   2xx"),
    R("learning/quality/<int:pk>/result/", POST, {"pk": "quality"},
      "login 404   404   404   404   3xx   404   3xx",
      out={"pk": "quality_out"},
      outside="-     -     -     -     -     3xx   -     3xx"),
    R("notifications/", GET, E,
      "login 2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("organisations/", GET, E,
      "login 404   404   2xx   2xx   2xx   404   2xx"),
    R("organisations/<int:pk>/", GET, {"pk": "organisation"},
      "login 404   404   2xx   2xx   2xx   404   2xx",
      out={"pk": "organisation_out"},
      outside="-     -     -     404   404   2xx   -     2xx"),
    R("people/<int:pk>/", GET, {"pk": "person"},
      "login 404   2xx   2xx   2xx   2xx   404   2xx",
      out={"pk": "person_out"},
      outside="-     -     404   404   404   2xx   -     2xx"),
    R("people/<int:pk>/reveal-id/", POST, {"pk": "person"},
      "login 404   404   404   2xx   2xx   404   2xx",
      out={"pk": "person_out"},
      outside="-     -     -     -     404   2xx   -     2xx"),
    R("profile/", GET, E,
      "login 2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
    R("profile/employer/", POST, E,
      "login kept  404   404   404   404   404   404"),
    R("profile/employer/cancel/", POST, E,
      "login kept  kept  kept  kept  kept  kept  kept"),
    R("unit/members/", GET, E,
      "login 404   2xx   404   404   404   404   2xx"),
    R("unit/members/<int:pk>/<str:decision>/", POST, {"pk": "membership", "decision": Lit("confirm")},
      "login 404   3xx   404   404   404   404   3xx",
      out={"pk": "membership_out", "decision": Lit("confirm")},
      outside="-     -     404   -     -     -     -     3xx"),
    R("units/search/", GET, E,
      "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx"),
]
# fmt: on


# --- Running it --------------------------------------------------------------------------------------

# What actions create: a refused POST must leave every count as it was.
COUNTED_MODELS = (
    "accounts.AuditEvent",
    "accounts.Membership",
    "accounts.Notification",
    "accounts.RoleAssignment",
    "authtoken.Token",
    "hours.Claim",
    "hours.ClaimEvidence",
    "hours.LedgerEntry",
    "hours.Certificate",
    "hours.ExportJob",
    "filings.TrainingFiling",
    "filings.FilingAttachment",
    "filings.RosterImport",
    "learning.Notice",
    "learning.NoticeAttachment",
    "learning.Course",
    "learning.Lesson",
    "learning.Question",
    "learning.Enrolment",
    "learning.ProviderChoice",
    "learning.PremiumEnrolment",
    "learning.LiveSession",
    "learning.DigitalApplication",
    "learning.QualityCourseDeclaration",
    "learning.StudySession",
)


def _counts() -> tuple[int, ...]:
    """Every count in one query (a refused POST is checked before and after)."""
    from django.apps import apps

    quote = connection.ops.quote_name
    tables = [quote(apps.get_model(label)._meta.db_table) for label in COUNTED_MODELS]
    query = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {table})" for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query)  # nosec B608  (table names from the models, quoted)
        return tuple(cursor.fetchone())


def _rows(targets: list[models.Model]) -> list[dict[str, Any] | None]:
    return [type(target)._default_manager.filter(pk=target.pk).values().first() for target in targets]


def _value(source: str | Lit, objects: dict[str, Any]) -> Any:
    value = source.value if isinstance(source, Lit) else objects[source]
    return value


def _url(route: str, kwargs: dict[str, str | Lit], objects: dict[str, Any]) -> tuple[str, list[models.Model]]:
    """The path for the route with each argument filled in, and the objects it points at."""
    path, targets = "/" + route, []
    for name, source in kwargs.items():
        value = _value(source, objects)
        if isinstance(value, models.Model):
            targets.append(value)
            value = value.pk
        start = path.index(f":{name}>")
        path = path[: path.rindex("<", 0, start)] + str(value) + path[start + len(name) + 2 :]
    return path, targets


@pytest.fixture(scope="module")
def sweep(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, Any], dict[str, Client]]]:
    """The objects, and a signed-in session per role, built once inside a transaction that the end of
    the module rolls back (each test's own transaction is a savepoint inside it)."""
    storage = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("sweep-private"))},
        },
    }
    with django_db_blocker.unblock(), override_settings(STORAGES=storage):
        build_world()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            objects = build_sweep_data()
            clients = {}
            for role, mobile in ROLE_MOBILES.items():
                # One client per role for the whole module: a client's handler loads the middleware
                # (WhiteNoise indexes every static file) once.
                client = Client()
                if mobile is not None:
                    client.force_login(user(mobile))
                clients[role] = client
            yield objects, clients
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _cases() -> Iterator[Any]:
    for row in TABLE:
        for role in ROLES:
            yield pytest.param(row, role, False, id=f"{row.route}[{role}]")
        if row.out is not None:
            for role in ROLES:
                if row.outside_answer(role) != SKIP:
                    yield pytest.param(row, role, True, id=f"{row.route}[{role}-outside]")


def _answer_of(response: Any) -> str:
    status = response.status_code
    if 300 <= status < 400:
        return LOGIN if response.get("Location", "").startswith(reverse("account_login")) else GO
    return OK if 200 <= status < 300 else str(status)


@pytest.mark.parametrize(("row", "role", "outside"), list(_cases()))
def test_answer(
    row: R, role: str, outside: bool, sweep: tuple[dict[str, Any], dict[str, Client]], db: None
) -> None:
    objects, clients = sweep
    path, targets = _url(row.route, row.out if outside and row.out else row.kwargs, objects)
    client = clients[role]
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    client.cookies.clear()  # nothing a previous test left behind (a message cookie) rides along
    if session is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = session.value
    expected = row.outside_answer(role) if outside else row.answer(role)

    if row.method == GET:
        response = client.get(path)
        observed, changed = _answer_of(response), False
    else:
        before = (_counts(), _rows(targets))
        data = {name: _value(source, objects) for name, source in (row.data or {}).items()}
        data = {name: value.pk if isinstance(value, models.Model) else value for name, value in data.items()}
        data = {name: value.file() if isinstance(value, Upload) else value for name, value in data.items()}
        multipart = any(isinstance(value, SimpleUploadedFile) for value in data.values())
        if row.method == DELETE:
            response = client.delete(path)
        elif row.data is not None and row.route.startswith("api/") and not multipart:
            response = client.post(path, data, content_type="application/json")
        else:
            response = client.post(path, data)
        observed = _answer_of(response)
        changed = (_counts(), _rows(targets)) != before
        if observed == GO and not changed:
            observed = KEPT

    where = f"{row.method} {path} as {role}{' (outside)' if outside else ''}"
    assert observed == expected, (
        f"{where}: the table says {expected}, the answer was {response.status_code} "
        f"{response.get('Location', '')}".rstrip()
    )
    if row.method != GET and expected not in (OK, GO):
        assert not changed, f"{where} was refused ({observed}) but changed data"


def test_every_route_has_exactly_one_row() -> None:
    """A new URL fails here until its row says what every role gets."""
    from tests.url_coverage import all_routes

    in_table = [row.route for row in TABLE]
    duplicates = sorted({route for route in in_table if in_table.count(route) > 1})
    missing = sorted(all_routes() - set(in_table))
    unknown = sorted(set(in_table) - all_routes())
    assert not missing, f"routes without a row in TABLE (tests/test_authorization_sweep.py): {missing}"
    assert not unknown, f"rows in TABLE for routes that no longer exist: {unknown}"
    assert not duplicates, f"routes with more than one row in TABLE: {duplicates}"


def test_every_row_answers_for_every_role() -> None:
    for row in TABLE:
        assert row.method in (GET, POST, DELETE), row.route
        answers = row.answers.split()
        assert len(answers) == len(ROLES) and set(answers) <= ANSWERS, row.route
        if row.outside:
            assert row.out is not None, f"{row.route}: outside answers without the outside object"
            outside = row.outside.split()
            assert len(outside) == len(ROLES) and set(outside) <= ANSWERS | {SKIP}, row.route
            for role, inside_answer, outside_answer in zip(ROLES, answers, outside, strict=True):
                assert (outside_answer == SKIP) == (inside_answer not in REACHED), (row.route, role)
        for name in row.kwargs:
            assert f":{name}>" in row.route, f"{row.route}: no URL argument {name}"
