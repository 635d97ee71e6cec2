"""Learning: the course catalogue, public-subject provider choice, enrolment, server-verified study
progress, quizzes, the programmes the 2024 notice names, and notices (通知公告).

Study time is measured by the server only. A ``StudySession`` is a lease opened when playback starts;
the player's heartbeats carry its token and a claimed position, and the server credits at most the
real time elapsed since the last accepted heartbeat. ``StudyLease`` holds each learner's newest
session: a heartbeat from any other session (another tab, another device) credits nothing.
Times are kept in milliseconds so that tests and the ledger see exact values.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# --- Notices -----------------------------------------------------------------------------------------


class Notice(models.Model):
    """通知公告: published by bureau staff for their region (or the whole city).

    ``body`` is plain text (lists and previews show it); ``body_html`` is the sanitised rich text the
    detail page shows (``learning.richtext.sanitise``), empty for plain-text notices.
    """

    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    body_html = models.TextField(_("正文（富文本）"), blank=True)
    region = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("发布范围"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("留空表示全市"),
    )
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now, db_index=True)
    is_published = models.BooleanField(_("已发布"), default=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    # The bureau on whose behalf it was published (scopes who may edit it).
    publisher = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("发布单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


def notice_attachment_path(instance: NoticeAttachment, filename: str) -> str:
    return f"learning/notices/{instance.notice_id}/{filename}"


class NoticeAttachment(models.Model):
    """A file of a notice, on the private storage, served through ``learning.views.notice_attachment``."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=notice_attachment_path, max_length=255)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("通知附件")
        verbose_name_plural = _("通知附件")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


# --- Catalogue -----------------------------------------------------------------------------------------


class CourseKind(models.TextChoices):
    PUBLIC_COMPULSORY = "public_compulsory", _("公需科目·必修课")
    PUBLIC_ELECTIVE = "public_elective", _("公需科目·自选课")
    PROFESSIONAL = "professional", _("专业科目")


PUBLIC_COURSE_KINDS = (CourseKind.PUBLIC_COMPULSORY, CourseKind.PUBLIC_ELECTIVE)


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已下架")


#: Course, premium course and cohort descriptions. The columns are TEXT without a limit; the forms, the
#: API and the services (``catalogue.check_description_length``) hold them to this.
DESCRIPTION_MAX_LENGTH = 5000


class Course(models.Model):
    """A course of one year's catalogue, offered by one provider (a CE base; for a premium course's
    self-study part, the organising department or association)."""

    provider = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("施教机构"), on_delete=models.PROTECT, related_name="courses"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("科目类别"), max_length=20, choices=CourseKind.choices)
    topic = models.CharField(_("专题"), max_length=60, blank=True)
    title = models.CharField(_("课程名称"), max_length=120)
    description = models.TextField(_("课程简介"), blank=True)
    instructor = models.CharField(_("主讲人"), max_length=60, blank=True)
    hours = models.DecimalField(
        _("学时"), max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("测验合格分"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("百分制；课程没有测验题时不需测验。"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=CourseStatus.choices, default=CourseStatus.DRAFT
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")
        ordering = ["year", "kind", "sort_order", "id"]
        indexes = [
            models.Index(fields=["year", "status", "kind", "provider"], name="learning_course_catalogue")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.kind in PUBLIC_COURSE_KINDS


class LessonKind(models.TextChoices):
    VIDEO = "video", _("视频")
    DOCUMENT = "document", _("图文")


def lesson_video_path(instance: Lesson, filename: str) -> str:
    """Never the uploader's file name: ``filename`` is a random name with the detected type's extension."""
    return f"learning/videos/{instance.course_id}/{filename}"


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    title = models.CharField(_("课时名称"), max_length=120)
    kind = models.CharField(_("形式"), max_length=20, choices=LessonKind.choices, default=LessonKind.DOCUMENT)
    duration_seconds = models.PositiveIntegerField(
        _("时长（秒）"), validators=[MinValueValidator(1), MaxValueValidator(6 * 60 * 60)]
    )
    body = models.TextField(_("图文内容"), blank=True)
    # Same-origin path of the video file (the CSP allows nothing else).
    video_url = models.CharField(_("视频地址"), max_length=255, blank=True)
    # An uploaded video (MP4 or WebM, recognised by its content) on the private storage, served only
    # through ``learning.views.media.lesson_video`` to whoever may see the course. Used before video_url.
    video_file = models.FileField(_("视频文件"), upload_to=lesson_video_path, max_length=255, blank=True)
    video_content_type = models.CharField(_("视频类型"), max_length=40, blank=True)
    video_size = models.PositiveBigIntegerField(_("视频大小（字节）"), null=True, blank=True)
    video_original_name = models.CharField(_("视频原文件名"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("课时")
        verbose_name_plural = _("课时")
        ordering = ["course", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "order"], name="learning_lesson_order_unique")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def duration_ms(self) -> int:
        return self.duration_seconds * 1000

    @property
    def has_video(self) -> bool:
        return self.kind == LessonKind.VIDEO and bool(self.video_file or self.video_url)


class Question(models.Model):
    """A question of a course's end-of-course quiz; one correct choice makes it single-answer."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    text = models.CharField(_("题目"), max_length=300)

    class Meta:
        verbose_name = _("测验题")
        verbose_name_plural = _("测验题")
        ordering = ["course", "order", "id"]

    def __str__(self) -> str:
        return self.text


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    text = models.CharField(_("选项"), max_length=200)
    is_correct = models.BooleanField(_("正确答案"), default=False)

    class Meta:
        verbose_name = _("选项")
        verbose_name_plural = _("选项")
        ordering = ["question", "order", "id"]

    def __str__(self) -> str:
        return self.text


# --- Provider choice and enrolment --------------------------------------------------------------------


class ProviderChoice(models.Model):
    """The public-subject provider a professional studies with in a year. Changeable until study of a
    public course starts (``locked_at``)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider_choices"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    provider = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("施教机构"), on_delete=models.PROTECT, related_name="+"
    )
    chosen_at = models.DateTimeField(_("选择时间"), default=timezone.now)
    locked_at = models.DateTimeField(_("开始学习时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公需科目施教机构选择")
        verbose_name_plural = _("公需科目施教机构选择")
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="learning_one_provider_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.year} {self.provider_id}"


class Enrolment(models.Model):
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    enrolled_at = models.DateTimeField(_("选课时间"), default=timezone.now)
    quiz_passed_at = models.DateTimeField(_("测验通过时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # What the ledger credited on completion (a cap can cut it; zero when the cap was already reached).
    credited_hours = models.DecimalField(_("计入学时"), max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = _("选课")
        verbose_name_plural = _("选课")
        ordering = ["-enrolled_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["person", "course"], name="learning_enrol_once")]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.course_id}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


class LessonProgress(models.Model):
    """How much of one lesson one enrolment has watched, as credited by the server.

    ``watched_ms`` is the furthest point reached by watching (it never advances faster than real
    time); ``resume_ms`` is where the learner last was, for resuming.
    """

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="+")
    watched_ms = models.PositiveIntegerField(_("已学时长（毫秒）"), default=0)
    resume_ms = models.PositiveIntegerField(_("上次位置（毫秒）"), default=0)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    last_studied_at = models.DateTimeField(_("最近学习时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("学习进度")
        verbose_name_plural = _("学习进度")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson"], name="learning_progress_once_per_lesson")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}/{self.lesson_id} {self.watched_ms}"


class StudySession(models.Model):
    """One playback lease: opened when the player starts or resumes a lesson, identified by a server
    random token. Only the learner's newest session (``StudyLease``) earns credit."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    progress = models.ForeignKey(LessonProgress, on_delete=models.CASCADE, related_name="sessions")
    token = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_heartbeat_at = models.DateTimeField()
    position_ms = models.PositiveIntegerField(default=0)
    credited_ms = models.PositiveIntegerField(default=0)
    accepted_heartbeats = models.PositiveIntegerField(default=0)
    refused_heartbeats = models.PositiveIntegerField(default=0)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("学习会话")
        verbose_name_plural = _("学习会话")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.started_at:%Y-%m-%d %H:%M}"


class StudyLease(models.Model):
    """The learner's newest study session. Locked by every heartbeat, so one learner's heartbeats (and
    the completions they trigger) run one at a time."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("当前学习会话")
        verbose_name_plural = _("当前学习会话")

    def __str__(self) -> str:
        return f"{self.person_id} → {self.session_id}"


class StudyFlagKind(models.TextChoices):
    CONCURRENT_SESSION = "concurrent_session", _("多个页面或设备同时学习")
    POSITION_JUMP = "position_jump", _("播放进度跳跃")


class StudyFlag(models.Model):
    """A suspicious pattern, shown to the course's provider. It never fails the learner: the time it
    concerns was simply not credited."""

    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="flags")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="flags")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=30, choices=StudyFlagKind.choices)
    occurrences = models.PositiveIntegerField(_("次数"), default=1)
    first_at = models.DateTimeField(_("首次"), default=timezone.now)
    last_at = models.DateTimeField(_("最近"), default=timezone.now)

    class Meta:
        verbose_name = _("学习异常提示")
        verbose_name_plural = _("学习异常提示")
        ordering = ["-last_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "kind"], name="learning_flag_once_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.kind} ×{self.occurrences}"


class QuizAttempt(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="quiz_attempts")
    submitted_at = models.DateTimeField(default=timezone.now)
    answers = models.JSONField(default=dict)
    correct_count = models.PositiveSmallIntegerField(default=0)
    question_count = models.PositiveSmallIntegerField(default=0)
    score = models.PositiveSmallIntegerField(_("得分"), default=0)
    is_passed = models.BooleanField(_("通过"), default=False)

    class Meta:
        verbose_name = _("测验记录")
        verbose_name_plural = _("测验记录")
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.score}"


# --- Premium professional courses (精品专业课) ----------------------------------------------------------


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    PUBLISHED = "published", _("已发布")


class PremiumCourse(models.Model):
    """A pilot premium professional course: self-study on the platform plus live sessions (at least
    8 hours). Completing it satisfies the year's professional part (notice, 五(二))."""

    organiser = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("举办单位"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("课程名称"), max_length=120)
    description = models.TextField(_("课程简介"), blank=True)
    experts = models.CharField(_("授课专家"), max_length=200)
    self_study_course = models.OneToOneField(
        Course,
        verbose_name=_("自学部分"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="premium",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    review_comment = models.CharField(_("审核意见"), max_length=300, blank=True)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(_("申报时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("精品专业课")
        verbose_name_plural = _("精品专业课")
        ordering = ["-year", "-declared_at", "-id"]

    def __str__(self) -> str:
        return self.title


class LiveSession(models.Model):
    premium = models.ForeignKey(PremiumCourse, on_delete=models.CASCADE, related_name="live_sessions")
    title = models.CharField(_("授课主题"), max_length=120)
    starts_at = models.DateTimeField(_("开始时间"))
    hours = models.DecimalField(
        _("学时"), max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    place = models.CharField(_("地点或直播间"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("现场授课（直播）")
        verbose_name_plural = _("现场授课（直播）")
        ordering = ["premium", "starts_at", "id"]

    def __str__(self) -> str:
        return self.title


class PremiumEnrolment(models.Model):
    premium = models.ForeignKey(PremiumCourse, on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    enrolled_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    credited_hours = models.DecimalField(_("计入学时"), max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = _("精品专业课报名")
        verbose_name_plural = _("精品专业课报名")
        ordering = ["-enrolled_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["premium", "person"], name="learning_premium_enrol_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.premium_id}"


class AttendanceSource(models.TextChoices):
    MANUAL = "manual", _("手工登记")
    IMPORT = "import", _("表格导入")


class LiveAttendance(models.Model):
    enrolment = models.ForeignKey(PremiumEnrolment, on_delete=models.CASCADE, related_name="attendance")
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="attendance")
    is_present = models.BooleanField(_("出勤"), default=True)
    source = models.CharField(_("来源"), max_length=10, choices=AttendanceSource.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("现场授课出勤")
        verbose_name_plural = _("现场授课出勤")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "session"], name="learning_attendance_once_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}/{self.session_id} {self.is_present}"


# --- Quality online public courses (优质在线公需课) --------------------------------------------------------


class SelectionStatus(models.TextChoices):
    DECLARED = "declared", _("已申报")
    SELECTED = "selected", _("已入选")
    NOT_SELECTED = "not_selected", _("未入选")


class QualityCourseDeclaration(models.Model):
    """A base's declaration of a public course for the provincial selection; when selected, its
    instructor is credited the course hours times the year's multiplier (2), as professional hours."""

    provider = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("继续教育基地"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("评选年度"))
    course = models.ForeignKey(Course, verbose_name=_("课程"), on_delete=models.PROTECT, related_name="+")
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("授课教师"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("评选结果"), max_length=20, choices=SelectionStatus.choices, default=SelectionStatus.DECLARED
    )
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(_("申报时间"), default=timezone.now)
    result_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result_recorded_at = models.DateTimeField(_("结果登记时间"), null=True, blank=True)
    credited_hours = models.DecimalField(_("计入学时"), max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = _("优质在线公需课申报")
        verbose_name_plural = _("优质在线公需课申报")
        ordering = ["-year", "-declared_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "instructor", "year"], name="learning_quality_declare_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course_id} {self.year}"


# --- Digital Technology Engineer training (数字技术工程师) --------------------------------------------------


class ApplicantCategory(models.TextChoices):
    ADVANCED_MANUFACTURING = "advanced_manufacturing", _("先进制造业企业")
    DIGITAL_TRANSFORMATION = "digital_transformation", _("数字化转型企业")
    SPECIALISED = "specialised", _("“专精特新”企业")
    GRADUATE = "graduate", _("高校毕业生")


ENTERPRISE_CATEGORIES = (
    ApplicantCategory.ADVANCED_MANUFACTURING,
    ApplicantCategory.DIGITAL_TRANSFORMATION,
    ApplicantCategory.SPECIALISED,
)


class CohortStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("报名中")
    CLOSED = "closed", _("已结束报名")


class DigitalCohort(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("培训班名称"), max_length=120)
    direction = models.CharField(_("专业方向"), max_length=60)
    organiser = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("承训机构"), on_delete=models.PROTECT, related_name="+"
    )
    hours = models.DecimalField(_("培训学时"), max_digits=5, decimal_places=1)
    days = models.PositiveSmallIntegerField(_("培训天数"), validators=[MinValueValidator(1)])
    registration_opens = models.DateField(_("报名开始"))
    registration_closes = models.DateField(_("报名截止"))
    eligible_categories = models.JSONField(_("报名对象"), default=list)
    description = models.TextField(_("培训说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=CohortStatus.choices, default=CohortStatus.DRAFT
    )
    notice = models.OneToOneField(
        Notice,
        verbose_name=_("报名通知"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cohort",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("数字技术工程师培训班")
        verbose_name_plural = _("数字技术工程师培训班")
        ordering = ["-year", "-registration_opens", "-id"]

    def __str__(self) -> str:
        return self.title

    def eligible_category_labels(self) -> list[str]:
        labels = dict(ApplicantCategory.choices)
        return [str(labels[code]) for code in self.eligible_categories if code in labels]


class AssessmentResult(models.TextChoices):
    PENDING = "pending", _("待考核")
    PASSED = "passed", _("结业考核合格")
    FAILED = "failed", _("结业考核不合格")


class TechnicalLevel(models.TextChoices):
    NONE = "", _("未取得")
    JUNIOR = "junior", _("初级")
    INTERMEDIATE = "intermediate", _("中级")


class DigitalApplication(models.Model):
    cohort = models.ForeignKey(DigitalCohort, on_delete=models.PROTECT, related_name="applications")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("报名类别"), max_length=30, choices=ApplicantCategory.choices)
    applied_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    result = models.CharField(
        _("结业考核"), max_length=20, choices=AssessmentResult.choices, default=AssessmentResult.PENDING
    )
    assessed_at = models.DateTimeField(_("考核登记时间"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    certificate_number = models.CharField(_("培训合格证书编号"), max_length=40, blank=True)
    certificate_issued_at = models.DateTimeField(_("发证时间"), null=True, blank=True)
    credited_hours = models.DecimalField(_("计入学时"), max_digits=5, decimal_places=1, null=True, blank=True)
    technical_level = models.CharField(
        _("专业技术等级"),
        max_length=20,
        choices=TechnicalLevel.choices,
        blank=True,
        default=TechnicalLevel.NONE,
    )
    technical_level_at = models.DateTimeField(_("等级登记时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("数字技术工程师报名")
        verbose_name_plural = _("数字技术工程师报名")
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "person"], name="learning_digital_apply_once"),
            models.UniqueConstraint(
                fields=["certificate_number"],
                condition=~Q(certificate_number=""),
                name="learning_digital_certificate_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.cohort_id}"
