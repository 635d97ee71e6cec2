"""Training filings (培训备案) and roster imports (学员名单导入).

A unit or department files a training with the HR bureau of its level before it starts; the bureau
approves it (or returns it with a reason). After the training the bureau imports the roster, and every
valid row becomes professional hours (PRO-2) in the hours ledger. Industry authorities' systems (health,
accounting, education) send their hours through the same import, tagged with their channel.

`RosterCredit` is the one current credit per import scope (a filing, or a channel and year) and ID
number: it is what makes re-imports credit nobody twice, what a correction file replaces, and, while
its person has no account yet, the hours held for that ID number.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinan_ce.fields import IdentifierField


class TrainingKind(models.TextChoices):
    """PRO-2's kinds, in the notice's words (附件1 专业科目折算第2项)."""

    FULL_TIME = "full_time", _("脱产培训")
    PART_TIME = "part_time", _("半脱产培训")
    FURTHER_STUDY = "further_study", _("进修")
    RESEARCH_STUDY = "research_study", _("研修")
    SEMINAR = "seminar", _("专题讲座")
    ACADEMIC_EXCHANGE = "academic_exchange", _("学术交流")
    STUDY_ABROAD = "study_abroad", _("出国学习")
    DISTANCE_LEARNING = "distance_learning", _("远程教育")
    OTHER_PRACTICE = "other_practice", _("其他继续教育实践活动")


class FilingStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已备案")
    WITHDRAWN = "withdrawn", _("已撤回")


class FilingChannel(models.TextChoices):
    """Where a filing came from: filed online by the organisation, or a paper filing the bureau typed in."""

    ONLINE = "online", _("网上备案")
    PAPER = "paper", _("纸质备案代录")
    BUREAU = "bureau", _("人社部门自办")


#: The free text of a filing. The columns are TEXT without a limit; the form, the API and the service
#: (``filing_data_errors``) hold it to these.
INSTRUCTORS_MAX_LENGTH = 1000
DESCRIPTION_MAX_LENGTH = 5000


class TrainingFiling(models.Model):
    title = models.CharField(_("培训名称"), max_length=200)
    kind = models.CharField(_("培训类型"), max_length=30, choices=TrainingKind.choices)
    organiser = models.CharField(_("主办单位"), max_length=200)
    # The organisation that files (a unit, a department, or the bureau itself): visibility follows it.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("备案单位"),
        on_delete=models.PROTECT,
        related_name="training_filings",
    )
    # The HR bureau of the same level, which approves the filing and imports its roster.
    bureau = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("备案机关"), on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    training_days = models.PositiveSmallIntegerField(_("培训天数"))
    planned_hours = models.DecimalField(_("计划学时"), max_digits=6, decimal_places=1)
    place = models.CharField(_("培训地点"), max_length=200)
    instructors = models.TextField(_("授课教师"), blank=True)
    expected_participants = models.PositiveIntegerField(_("预计参训人数"))
    description = models.TextField(_("培训内容"), blank=True)
    channel = models.CharField(
        _("备案方式"), max_length=10, choices=FilingChannel.choices, default=FilingChannel.ONLINE
    )
    paper_received_on = models.DateField(_("纸质材料收到日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=FilingStatus.choices, db_index=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_reason = models.CharField(_("退回理由"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("培训备案")
        verbose_name_plural = _("培训备案")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["bureau", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="filing_dates_ordered"
            ),
            models.CheckConstraint(condition=Q(training_days__gte=1), name="filing_days_positive"),
            models.CheckConstraint(condition=Q(planned_hours__gt=0), name="filing_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def year(self) -> int:
        """Hours count for the year the training ends in (当年度: the year the hours were earned)."""
        return self.end_date.year

    @property
    def import_scope(self) -> str:
        return f"filing:{self.pk}"


class FilingAttachment(models.Model):
    filing = models.ForeignKey(TrainingFiling, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to="filings/attachments/%Y/%m/", max_length=255)
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("备案附件")
        verbose_name_plural = _("备案附件")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class FilingDecision(models.Model):
    """One move of a filing through its workflow: who, in which role and organisation, from, to, why."""

    filing = models.ForeignKey(TrainingFiling, on_delete=models.CASCADE, related_name="decisions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=30)
    actor_organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=20, blank=True, choices=FilingStatus.choices)
    to_status = models.CharField(max_length=20, choices=FilingStatus.choices)
    action = models.CharField(max_length=20)
    reason = models.CharField(max_length=500, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("备案审核记录")
        verbose_name_plural = _("备案审核记录")
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.filing_id} {self.from_status or '—'} → {self.to_status}"


class ImportSource(models.TextChoices):
    """What a roster import carries: a filed training's roster, or an industry authority's hours."""

    FILING = "filing", _("培训备案学员名单")
    HEALTH = "health", _("卫生健康行业")
    ACCOUNTING = "accounting", _("会计行业")
    EDUCATION = "education", _("教育行业")


CHANNEL_SOURCES = (ImportSource.HEALTH, ImportSource.ACCOUNTING, ImportSource.EDUCATION)


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    FINISHED = "finished", _("已完成")
    FAILED = "failed", _("导入失败")
    CANCELLED = "cancelled", _("已取消")


ACTIVE_IMPORT_STATUSES = (ImportStatus.QUEUED, ImportStatus.RUNNING)


class ImportPhase(models.TextChoices):
    WAITING = "waiting", _("等待处理")
    PARSING = "parsing", _("读取文件")
    VALIDATING = "validating", _("逐行校验")
    WRITING = "writing", _("记入学时")
    DONE = "done", _("处理完毕")


class RosterImport(models.Model):
    source = models.CharField(
        _("来源"), max_length=20, choices=ImportSource.choices, default=ImportSource.FILING
    )
    filing = models.ForeignKey(
        TrainingFiling, null=True, blank=True, on_delete=models.PROTECT, related_name="imports"
    )
    # "filing:<id>" or "<channel>:<year>": one current credit per scope and ID number.
    scope = models.CharField(max_length=40, db_index=True)
    year = models.PositiveSmallIntegerField(_("学时年度"))
    bureau = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    is_correction = models.BooleanField(_("更正导入"), default=False)
    file = models.FileField(upload_to="rosters/%Y/%m/", max_length=255)
    original_name = models.CharField(_("文件名"), max_length=200)
    file_size = models.PositiveIntegerField(_("文件大小"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    phase = models.CharField(
        _("阶段"), max_length=20, choices=ImportPhase.choices, default=ImportPhase.WAITING
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    # Batches (of ``batch_rows`` data rows in file order, blank rows included) whose outcome is committed,
    # and how many rows they hold: a re-run writes only the batches not yet done.
    batch_rows = models.PositiveIntegerField(default=0)
    done_batches = models.JSONField(default=list, blank=True)
    checkpoint = models.PositiveIntegerField(default=0)
    credited_count = models.PositiveIntegerField(_("新记入"), default=0)
    updated_count = models.PositiveIntegerField(_("已更正"), default=0)
    revoked_count = models.PositiveIntegerField(_("已撤销"), default=0)
    unchanged_count = models.PositiveIntegerField(_("已记入未重复计入"), default=0)
    held_count = models.PositiveIntegerField(_("待注册暂存"), default=0)
    error_count = models.PositiveIntegerField(_("问题行"), default=0)
    cancel_requested = models.BooleanField(default=False)
    failure_message = models.CharField(_("失败原因"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("名单导入")
        verbose_name_plural = _("名单导入")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One import at a time per scope: two running at once would race for the same credits.
            models.UniqueConstraint(
                fields=["scope"],
                condition=Q(status__in=["queued", "running"]),
                name="roster_import_one_active_per_scope",
            ),
            models.CheckConstraint(
                condition=Q(source="filing", filing__isnull=False)
                | (~Q(source="filing") & Q(filing__isnull=True)),
                name="roster_import_filing_matches_source",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_IMPORT_STATUSES

    @property
    def is_done(self) -> bool:
        return not self.is_active

    @property
    def good_count(self) -> int:
        return (
            self.credited_count
            + self.updated_count
            + self.revoked_count
            + self.unchanged_count
            + self.held_count
        )


class CreditStatus(models.TextChoices):
    CREDITED = "credited", _("已记入")
    HELD = "held", _("待注册暂存")
    REVOKED = "revoked", _("已撤销")


class RosterCredit(models.Model):
    """The current credit of one ID number in one scope. Changed only by imports (and, for held hours,
    by the person registering); every change of hours is a reversal plus a new ledger entry, whose
    source id carries the revision."""

    scope = IdentifierField(max_length=40)
    source = models.CharField(max_length=20, choices=ImportSource.choices)
    # The filing and the import are written by the importer from the import row it holds locked, and
    # neither is ever deleted (PROTECT still guards them in Django): their database constraints would
    # only add two deferred checks per row, a second or more on a 100,000-row import.
    filing = models.ForeignKey(
        TrainingFiling,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credits",
        db_constraint=False,
        db_index=False,  # look-ups go by scope, which the unique index below leads with
    )
    year = models.PositiveSmallIntegerField(_("学时年度"))
    id_number_digest = IdentifierField(max_length=64)
    id_number_masked = models.CharField(_("身份证号码"), max_length=18)
    name = models.CharField(_("姓名"), max_length=50)
    # Without an index of its own ((person, year) below serves the person's look-ups) and without a
    # database constraint: the id comes from the account look-up of the same run, people are never
    # deleted, and a credited person is held by the ledger's own foreign key to them. Each would cost
    # a second or so on a 100,000-row import.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roster_credits",
        db_index=False,
        db_constraint=False,
    )
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    status = models.CharField(_("状态"), max_length=20, choices=CreditStatus.choices)
    revision = models.PositiveIntegerField(default=1)
    last_import = models.ForeignKey(
        RosterImport, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    row_number = models.PositiveIntegerField(_("行号"))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("名单学时")
        verbose_name_plural = _("名单学时")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "id_number_digest"], name="roster_credit_one_per_scope_and_id"
            ),
        ]
        indexes = [
            models.Index(
                fields=["id_number_digest"], condition=Q(status="held"), name="roster_credit_held_digest"
            ),
            models.Index(fields=["person", "year"], name="roster_credit_person_year"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.id_number_masked} {self.hours}"

    @property
    def ledger_source_id(self) -> str:
        return ledger_source_id(self.scope, self.person_id, self.revision)


def ledger_source_id(scope: str, person_id: int | None, revision: int) -> str:
    """The ledger's idempotency key: one credit per scope, person and revision of the hours. The person's
    id is zero-padded so that keys sort like ids: a batch posted in id order fills the ledger's indexes
    in order."""
    return f"{scope}:p{person_id or 0:010d}:r{revision}"


class IssueKind(models.TextChoices):
    ERROR = "error", _("问题行")
    HELD = "held", _("待注册暂存")
    UPDATED = "updated", _("已更正")
    REVOKED = "revoked", _("已撤销")


class RosterIssue(models.Model):
    """A row the report lists: every bad row with its reason, and the rows held for unregistered IDs
    or changed by a correction. Rows credited plainly are counted, not listed."""

    roster_import = models.ForeignKey(RosterImport, on_delete=models.CASCADE, related_name="issues")
    row_number = models.PositiveIntegerField(_("行号"))
    kind = models.CharField(_("类型"), max_length=10, choices=IssueKind.choices)
    id_number_masked = models.CharField(_("身份证号码"), max_length=40, blank=True)
    name = models.CharField(_("姓名"), max_length=100, blank=True)
    hours_text = models.CharField(_("学时"), max_length=40, blank=True)
    message = models.CharField(_("说明"), max_length=300)

    class Meta:
        verbose_name = _("导入问题行")
        verbose_name_plural = _("导入问题行")
        ordering = ["row_number", "id"]
        indexes = [models.Index(fields=["roster_import", "kind", "row_number"])]

    def __str__(self) -> str:
        return f"{self.row_number}: {self.message}"
