"""The review workflow's tables: the chain of stages as data, each claim's own chain, the trail of
decisions, and the integrity archive (诚信档案).

Imported at the end of ``hours.models`` so that Django sees these tables as part of the hours app.

- ``ReviewStageTemplate``: which stages a claim passes, in order, with each stage's deadline. Rows with
  no bureau are the city-wide default; a bureau that has rows of its own uses those instead, so a bureau
  shortens or lengthens its chain by rows, not code. With no rows at all, ``DEFAULT_CHAIN`` applies.
- ``ClaimReviewStage``: the chain as it was when the claim was submitted (a snapshot: later template
  changes never re-route a claim in flight). A resubmission after a return starts a new round.
- ``ReviewRecord``: every move of a claim in review, who made it, in which capacity, from where. Never
  changed (on PostgreSQL a trigger refuses UPDATE and DELETE).
- ``IntegrityRecord``: a revoked false claim (一票否决), entered in the person's integrity archive for
  the claim's year. Never changed either.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReviewStageKind(models.IntegerChoices):
    """The kinds of review stage. The numbers are ``Claim.current_stage``'s (1 unit, 2 department,
    3 bureau), which dashboards and the load generator read."""

    UNIT = 1, _("单位审核")
    DEPARTMENT = 2, _("主管部门审核")
    BUREAU = 3, _("人社部门审批")
    CITY_BUREAU = 4, _("市人社局复核")


#: Stage kinds whose approval may be the last one: the final approval posts the hours and belongs to an
#: HR bureau (the notice: 单位审核、主管部门审核、人社部门审批).
FINAL_STAGE_KINDS = (ReviewStageKind.BUREAU, ReviewStageKind.CITY_BUREAU)

#: The chain when no template row exists (kind, deadline in days): unit, then the supervising department
#: (skipped for a unit without one), then the HR bureau of the unit's county (or the city bureau).
DEFAULT_CHAIN: tuple[tuple[int, int], ...] = (
    (ReviewStageKind.UNIT, 7),
    (ReviewStageKind.DEPARTMENT, 7),
    (ReviewStageKind.BUREAU, 10),
)


class ReviewStageState(models.TextChoices):
    WAITING = "waiting", _("未开始")
    OPEN = "open", _("待审核")
    APPROVED = "approved", _("已通过")
    RETURNED = "returned", _("已退回")
    REJECTED = "rejected", _("未通过")
    CANCELLED = "cancelled", _("已终止")


#: Every move a stage can make. ``hours.review`` changes ``ClaimReviewStage.state`` in one place and
#: refuses anything not listed. A stage is cancelled when the claim leaves review another way (the
#: claimant withdraws it, an earlier stage returns or rejects it, a resubmission starts a new round).
STAGE_TRANSITIONS: dict[str, frozenset[str]] = {
    ReviewStageState.WAITING: frozenset({ReviewStageState.OPEN, ReviewStageState.CANCELLED}),
    ReviewStageState.OPEN: frozenset(
        {
            ReviewStageState.APPROVED,
            ReviewStageState.RETURNED,
            ReviewStageState.REJECTED,
            ReviewStageState.CANCELLED,
        }
    ),
    ReviewStageState.APPROVED: frozenset(),
    ReviewStageState.RETURNED: frozenset(),
    ReviewStageState.REJECTED: frozenset(),
    ReviewStageState.CANCELLED: frozenset(),
}


class ReviewDecision(models.TextChoices):
    SUBMIT = "submit", _("提交审核")
    APPROVE = "approve", _("审核通过")
    RETURN = "return", _("退回修改")
    REJECT = "reject", _("不予通过")
    WITHDRAW = "withdraw", _("撤回申报")
    REVOKE = "revoke", _("撤销认定")


#: The decisions a reviewer takes at a stage.
REVIEWER_DECISIONS = (ReviewDecision.APPROVE, ReviewDecision.RETURN, ReviewDecision.REJECT)


class ReviewStageTemplate(models.Model):
    """One stage of a chain. ``bureau`` empty: the city-wide default chain."""

    bureau = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("人社部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    kind = models.PositiveSmallIntegerField(_("审核环节"), choices=ReviewStageKind.choices)
    deadline_days = models.PositiveSmallIntegerField(_("审核时限（天）"))
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("审核流程环节")
        verbose_name_plural = _("审核流程环节")
        ordering = ["bureau_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "kind"], name="hours_review_template_kind_once", nulls_distinct=False
            ),
            models.UniqueConstraint(
                fields=["bureau", "position"],
                name="hours_review_template_position_once",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(deadline_days__gte=1, deadline_days__lte=365),
                name="hours_review_template_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bureau_id or '*'} {self.position} {self.get_kind_display()}"


class ClaimReviewStage(models.Model):
    """One stage of one claim's chain, for one round (a round per submission)."""

    claim = models.ForeignKey(
        "hours.Claim", verbose_name=_("申报"), on_delete=models.PROTECT, related_name="review_stages"
    )
    round = models.PositiveSmallIntegerField(_("提交次数"))
    position = models.PositiveSmallIntegerField(_("顺序"))
    kind = models.PositiveSmallIntegerField(_("审核环节"), choices=ReviewStageKind.choices)
    # The organisation that answers for this stage: the unit, its department, or the HR bureau.
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("审核机构"), on_delete=models.PROTECT, related_name="+"
    )
    deadline_days = models.PositiveSmallIntegerField(_("审核时限（天）"))
    state = models.CharField(
        _("状态"), max_length=20, choices=ReviewStageState.choices, default=ReviewStageState.WAITING
    )
    opened_at = models.DateTimeField(_("到达时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("审核期限"), null=True, blank=True)
    decided_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("申报审核环节")
        verbose_name_plural = _("申报审核环节")
        ordering = ["claim_id", "round", "position"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "round", "position"], name="hours_review_stage_once"),
            # A claim is at one stage at a time.
            models.UniqueConstraint(
                fields=["claim"], condition=Q(state="open"), name="hours_review_one_open_stage"
            ),
        ]
        indexes = [
            # "Handled by my organisation" lists and counts.
            models.Index(fields=["organisation", "state", "decided_at"], name="hours_review_stage_org"),
        ]

    def __str__(self) -> str:
        return f"#{self.claim_id} {self.round}.{self.position} {self.get_kind_display()} {self.state}"

    @property
    def is_overdue(self) -> bool:
        return (
            self.state == ReviewStageState.OPEN and self.due_at is not None and self.due_at < timezone.now()
        )


class ReviewRecord(models.Model):
    """One move of a claim in review (谁审核，谁负责): who, in which role and organisation, at which
    stage, what they decided and why, when, and from which address. Never changed or deleted."""

    claim = models.ForeignKey(
        "hours.Claim", verbose_name=_("申报"), on_delete=models.PROTECT, related_name="review_records"
    )
    stage = models.ForeignKey(
        ClaimReviewStage,
        verbose_name=_("审核环节"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    round = models.PositiveSmallIntegerField(_("提交次数"))
    stage_kind = models.PositiveSmallIntegerField(
        _("审核环节"), choices=ReviewStageKind.choices, null=True, blank=True
    )
    decision = models.CharField(_("操作"), max_length=20, choices=ReviewDecision.choices)
    from_status = models.CharField(_("原状态"), max_length=20)
    to_status = models.CharField(_("新状态"), max_length=20)
    comment = models.TextField(_("意见"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    # Names as they were at the time: the trail reads the same after people and units are renamed.
    actor_name = models.CharField(_("操作人姓名"), max_length=50)
    role = models.CharField(_("角色"), max_length=30)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("所在机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation_name = models.CharField(_("机构名称"), max_length=120, blank=True)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["claim", "created_at"], name="hours_review_record_claim")]

    def __str__(self) -> str:
        return f"#{self.claim_id} {self.decision} {self.actor_name}"


class IntegrityRecord(models.Model):
    """A false claim found and revoked (一票否决): the person's year is marked in the city's title
    integrity archive (职称诚信档案库). Never changed or deleted."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    claim = models.OneToOneField(
        "hours.Claim", verbose_name=_("申报"), on_delete=models.PROTECT, related_name="integrity_record"
    )
    reason = models.TextField(_("撤销原因"))
    # Where the person belonged (the claim's unit): bureau staff list and export their jurisdiction.
    unit = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(max_length=255, db_index=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), on_delete=models.PROTECT, related_name="+"
    )
    revoked_by_name = models.CharField(_("撤销人姓名"), max_length=50)
    role = models.CharField(_("角色"), max_length=30)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("撤销机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reversed_hours = models.DecimalField(_("冲销学时"), max_digits=6, decimal_places=1)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("诚信档案记录")
        verbose_name_plural = _("诚信档案记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "year"], name="hours_integrity_person_year")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.year} #{self.claim_id}"


__all__ = [
    "DEFAULT_CHAIN",
    "FINAL_STAGE_KINDS",
    "REVIEWER_DECISIONS",
    "STAGE_TRANSITIONS",
    "ClaimReviewStage",
    "IntegrityRecord",
    "ReviewDecision",
    "ReviewRecord",
    "ReviewStageKind",
    "ReviewStageState",
    "ReviewStageTemplate",
]
