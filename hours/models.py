"""Hours: the year's rule set, the append-only ledger, claims with their evidence, R1 reductions.

The arithmetic lives in ``hours.rules`` (pure, no Django); these tables hold its inputs and outputs.
Balances are never stored: a person's hours for a year are ``Sum`` over ``LedgerEntry`` rows, and a
correction is a reversal entry, never an update (on PostgreSQL a trigger refuses UPDATE and DELETE).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinan_ce.fields import IdentifierField

from .rules import RULES, RuleFigures, RuleSpec, get_spec

#: ``rule_code`` of the ledger entry a completed premium professional course (精品专业课) posts, with
#: ``source_type=programme`` and ``category=professional`` (the course's hours, positive). The learning
#: issue posts it through ``ledger_post_credit``; ``year_summary`` recognises it and treats the year's
#: professional part as done whatever the hours (notice, 五(二): "视同完成当年度专业科目培训任务").
PREMIUM_COURSE_RULE_CODE = "PREMIUM"


class YearRuleSet(models.Model):
    """One calendar year's rule set: requirements, course route, claim window and every Annex 1 figure.

    ``figures`` is ``RuleFigures.to_dict()``; it is read through ``selectors.year_figures`` (cached) and
    written only by ``services.year_rules_create/update/copy``, which invalidate the cache.
    """

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    figures = models.JSONField(_("学时规则"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("年度学时规则")
        verbose_name_plural = _("年度学时规则")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}"

    def clean(self) -> None:
        try:
            figures = RuleFigures.from_dict(self.figures if isinstance(self.figures, dict) else {})
        except ValueError as error:
            raise ValidationError({"figures": str(error)}) from error
        if figures.year != self.year:
            raise ValidationError({"figures": _("学时规则中的年度与所选年度不一致。")})

    def rule_figures(self) -> RuleFigures:
        return RuleFigures.from_dict(self.figures)


class LedgerCategory(models.TextChoices):
    PUBLIC_COMPULSORY = "public_compulsory", _("公需科目·必修课")
    PUBLIC_ELECTIVE = "public_elective", _("公需科目·自选课")
    PUBLIC_CONVERSION = "public_conversion", _("公需科目·学时折算")
    PROFESSIONAL = "professional", _("专业科目")


PUBLIC_CATEGORIES = (
    LedgerCategory.PUBLIC_COMPULSORY,
    LedgerCategory.PUBLIC_ELECTIVE,
    LedgerCategory.PUBLIC_CONVERSION,
)


class SourceType(models.TextChoices):
    CLAIM = "claim", _("学时申报")
    COURSE = "course", _("课程学习")
    IMPORT = "import", _("培训导入")
    PROGRAMME = "programme", _("专项培训")
    ADJUSTMENT = "adjustment", _("人工调整")


class LedgerEntry(models.Model):
    """One credit (or the reversal of one) of hours to one person for one year. Never changed.

    ``source_type``/``source_id`` name what caused the credit (a claim, a course completion, a roster
    row, a programme enrolment, an adjustment); one source posts at most one credit per category for a
    person, enforced by the database, so a retried task or a double click cannot post twice.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        # No index of its own: (person, year) and the (person, source, category) constraint both lead with
        # the person and serve every lookup by person; one more index only slowed each posting (a 100,000-row
        # roster import spent ~7 % of its ledger COPY maintaining it).
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    category = IdentifierField(_("类别"), max_length=20, choices=LedgerCategory.choices)
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1)
    rule_code = models.CharField(_("折算规则"), max_length=12, blank=True)
    source_type = IdentifierField(_("来源"), max_length=20, choices=SourceType.choices)
    source_id = IdentifierField(_("来源编号"), max_length=64)
    evidence_key = models.CharField(_("证明材料标识"), max_length=300, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲销的记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
    )
    memo = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("记账时间"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记账人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        # Who posted: always the acting user the services were given (a loaded User), and the same
        # actor is in the audit trail. No database constraint and no index: the per-row foreign-key
        # check and index entry were about a quarter of the database's work in a 100,000-row roster
        # import's ledger COPY, for an account that is never deleted (accounts are deactivated;
        # Django's PROTECT still refuses a deletion through the ORM) and never looked up by this column.
        db_constraint=False,
        db_index=False,
    )

    class Meta:
        verbose_name = _("学时记录")
        verbose_name_plural = _("学时记录")
        ordering = ["created_at", "id"]
        # Every look-up of the ledger names the person (a source is looked up as person + source, which
        # the unique constraint below serves), so no index on (source_type, source_id) alone: it was
        # never used. Dropping it with created_by's constraint and index took a 100,000-row roster
        # import's ledger COPY from 5.0 s to 3.2-3.7 s of statement time.
        indexes = [
            models.Index(fields=["person", "year"], name="hours_ledger_person_year"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "source_type", "source_id", "category"],
                condition=Q(reverses__isnull=True),
                name="hours_ledger_one_credit_per_source",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True, hours__gt=0) | Q(reverses__isnull=False, hours__lt=0),
                name="hours_ledger_sign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.year} {self.category} {self.hours}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    @property
    def is_public(self) -> bool:
        return self.category in PUBLIC_CATEGORIES


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("审核中")
    RETURNED = "returned", _("已退回")
    REJECTED = "rejected", _("未通过")
    APPROVED = "approved", _("已通过")
    WITHDRAWN = "withdrawn", _("已撤回")
    REVOKED = "revoked", _("已撤销")


#: A claim in one of these holds its evidence: no second one with the same evidence may be open.
OPEN_CLAIM_STATUSES = (ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, ClaimStatus.RETURNED, ClaimStatus.APPROVED)
#: The claimant may change fields and evidence only here.
EDITABLE_CLAIM_STATUSES = (ClaimStatus.DRAFT, ClaimStatus.RETURNED)

#: Every move a claim can make, as data. ``services.claims.claim_move`` is the only place that changes
#: ``Claim.status`` and refuses anything not listed. The review workflow adds its decisions on top
#: (submitted → returned/rejected/approved) through the same function.
CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    ClaimStatus.DRAFT: frozenset({ClaimStatus.SUBMITTED, ClaimStatus.WITHDRAWN}),
    ClaimStatus.SUBMITTED: frozenset(
        {ClaimStatus.WITHDRAWN, ClaimStatus.RETURNED, ClaimStatus.REJECTED, ClaimStatus.APPROVED}
    ),
    ClaimStatus.RETURNED: frozenset({ClaimStatus.SUBMITTED, ClaimStatus.WITHDRAWN}),
    ClaimStatus.APPROVED: frozenset({ClaimStatus.REVOKED}),
    ClaimStatus.REJECTED: frozenset(),
    ClaimStatus.WITHDRAWN: frozenset(),
    ClaimStatus.REVOKED: frozenset(),
}


class Claim(models.Model):
    """A person's claim (学时申报) under one Annex 1 rule for one year. Credits nothing until the final
    approval posts it (``services.claim_post_approved``)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申报人"),
        on_delete=models.PROTECT,
        related_name="hour_claims",
    )
    year = models.PositiveSmallIntegerField(_("申报年度"))
    rule_code = models.CharField(_("折算规则"), max_length=12)
    # Typed values from hours.rules.validate_fields, stored JSON-safe (decimals and dates as strings).
    fields = models.JSONField(_("申报内容"), default=dict, blank=True)
    evidence_key = models.CharField(_("证明材料标识"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT
    )
    preview_hours = models.DecimalField(_("预计学时"), max_digits=6, decimal_places=1, null=True, blank=True)
    preview_reasons = models.JSONField(_("预计说明"), default=list, blank=True)
    credited_hours = models.DecimalField(_("认定学时"), max_digits=6, decimal_places=1, null=True, blank=True)
    credit_reasons = models.JSONField(_("认定说明"), default=list, blank=True)
    # The claimant's unit when last submitted: the review chain is derived from it.
    unit = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("申报单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # For the review workflow: which stage holds the claim (``ReviewStageKind``: 1 unit, 2 department,
    # 3 bureau, 4 city bureau), and whether any review decision exists yet (withdrawal is allowed only
    # before one does).
    current_stage = models.PositiveSmallIntegerField(_("当前审核环节"), null=True, blank=True)
    review_started = models.BooleanField(_("已开始审核"), default=False)
    # The organisation that must act at the current stage and by when (copied from the open
    # ``ClaimReviewStage``), so a reviewer's queue is one indexed range of this table.
    review_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("当前审核机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_due_at = models.DateTimeField(_("本环节审核期限"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("学时申报")
        verbose_name_plural = _("学时申报")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["person", "year"], name="hours_claim_person_year"),
            models.Index(fields=["unit", "status"], name="hours_claim_unit_status"),
            # Reviewer queues, oldest first: the page, its count and the counts per stage and overdue
            # are read from this index alone (index-only scans), however many claims wait.
            models.Index(
                fields=[
                    "review_organisation",
                    "status",
                    "submitted_at",
                    "current_stage",
                    "review_due_at",
                    "person",
                ],
                name="hours_claim_review_queue",
            ),
        ]
        constraints = [
            # Per person: a competition (keyed by its name and date) has many participants.
            models.UniqueConstraint(
                fields=["person", "evidence_key"],
                condition=Q(status__in=OPEN_CLAIM_STATUSES) & ~Q(evidence_key=""),
                name="hours_claim_one_open_per_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.rule_code} {self.year}"

    @property
    def spec(self) -> RuleSpec:
        return get_spec(self.rule_code)

    @property
    def rule_title(self) -> str:
        spec = RULES.get(self.rule_code)
        return spec.title if spec else self.rule_code

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_CLAIM_STATUSES

    @property
    def is_withdrawable(self) -> bool:
        """Before any review decision: a draft, a returned claim, or a submitted one nobody decided on."""
        if self.status == ClaimStatus.SUBMITTED:
            return not self.review_started
        return self.status in (ClaimStatus.DRAFT, ClaimStatus.RETURNED)


def evidence_upload_path(instance: ClaimEvidence, filename: str) -> str:
    """Never the uploader's file name: a random name with the extension of the detected type."""
    return f"hours/evidence/{instance.claim.year}/{instance.claim_id}/{filename}"


class ClaimEvidence(models.Model):
    """An evidence file of a claim, on the private default storage, served only through a view that
    checks who may see the claim."""

    claim = models.ForeignKey(
        Claim, verbose_name=_("申报"), on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("文件"), upload_to=evidence_upload_path, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "sha256"], name="hours_evidence_file_once_per_claim")
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def size_display(self) -> str:
        if self.size >= 1024 * 1024:
            return f"{Decimal(self.size) / (1024 * 1024):.1f} MB"
        return f"{max(1, round(self.size / 1024))} KB"


class RequirementReduction(models.Model):
    """An approved R1 claim: the person's requirement for the year, cut to the months on post."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    reason = models.CharField(_("折算原因"), max_length=20)
    months_on_post = models.PositiveSmallIntegerField(_("当年实际在岗月数"))
    public_required = models.DecimalField(_("公需科目应修学时"), max_digits=6, decimal_places=1)
    professional_required = models.DecimalField(_("专业科目应修学时"), max_digits=6, decimal_places=1)
    claim = models.OneToOneField(
        Claim, verbose_name=_("申报"), on_delete=models.PROTECT, related_name="requirement_reduction"
    )
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("认定时间"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("按在岗时间折算")
        verbose_name_plural = _("按在岗时间折算")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year"], condition=Q(is_active=True), name="hours_one_reduction_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.year} {self.months_on_post}"


from .certificate_models import *  # noqa: E402, F403  (certificate tables, part of this app)
from .review_models import *  # noqa: E402, F403
