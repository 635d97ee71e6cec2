"""Certificates (学时证明), export jobs (certificate ZIPs and compliance reports) and reminder runs.

Imported at the end of ``hours.models`` so that Django sees these tables as part of the hours app.

A certificate is a document as issued: its ``record`` holds everything printed on it (name, masked ID
number, unit, hours by category, each credited item, compliance), frozen at issue, so the public
verification page shows exactly what was certified even after the ledger moves on. Whether it still
stands is decided at read time (``hours.certificates.certificate_standing``) from the ledger, never
stored: a later credit or correction of that year marks it superseded, the revocation of a claim on it
marks it revoked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def certificate_upload_path(instance: Certificate, filename: str) -> str:
    return f"hours/certificates/{instance.year}/{instance.person_id}/{filename}"


def export_upload_path(instance: ExportJob, filename: str) -> str:
    return f"hours/exports/{instance.created_at:%Y%m}/{instance.pk}/{filename}"


class Certificate(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.CharField(_("证明编号"), max_length=20, blank=True)
    # Crockford base32, 16 characters (80 random bits); shown grouped as XXXX-XXXX-XXXX-XXXX.
    verification_code = models.CharField(_("验证码"), max_length=16, unique=True, editable=False)
    # Where the person belonged at issue: the scope checks of unit admins and bureaus use it together
    # with the person's current unit.
    unit = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("工作单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issuing_bureau = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("出具单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    record = models.JSONField(_("证明内容"))
    # sha256 over the year's ledger entry ids, the active R1 reduction and the requirement at issue.
    ledger_digest = models.CharField(_("学时状态摘要"), max_length=64)
    # Claims whose credits (or R1 reduction) the certificate relies on: revoking one revokes it.
    claim_ids = models.JSONField(_("所依据的申报"), default=list, blank=True)
    is_compliant = models.BooleanField(_("已完成年度学时"))
    issued_at = models.DateTimeField(_("出具时间"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("出具人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pdf = models.FileField(_("PDF文件"), upload_to=certificate_upload_path, max_length=255, blank=True)
    rendered_at = models.DateTimeField(_("生成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("学时证明")
        verbose_name_plural = _("学时证明")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["person", "year"], name="hours_cert_person_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="hours_cert_number_unique"
            )
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def grouped_code(self) -> str:
        code = self.verification_code
        return "-".join(code[index : index + 4] for index in range(0, len(code), 4))

    @property
    def is_rendered(self) -> bool:
        return bool(self.pdf) and self.rendered_at is not None


class ExportKind(models.TextChoices):
    CERTIFICATE_ZIP = "certificate_zip", _("学时证明批量下载")
    COMPLIANCE_REPORT = "compliance_report", _("继续教育完成情况统计表")


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    EXPIRED = "expired", _("已过期")  # the file was deleted after EXPORT_KEEP_DAYS (hours.reports)


class ExportJob(models.Model):
    """A long export (a ZIP of certificates, a large compliance report): the page polls this row."""

    kind = models.CharField(_("类型"), max_length=30, choices=ExportKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    file = models.FileField(_("文件"), upload_to=export_upload_path, max_length=255, blank=True)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    base_url = models.CharField(max_length=200, blank=True)
    error = models.CharField(_("错误信息"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "created_at"], name="hours_export_requester")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, int(self.done * 100 / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED, ExportStatus.EXPIRED)


class ReminderRun(models.Model):
    """One reminder date of one year, sent once: the scheduled task is safe to run again."""

    year = models.PositiveSmallIntegerField(_("年度"))
    scheduled_for = models.DateField(_("提醒日期"))
    sent_count = models.PositiveIntegerField(_("提醒人数"), default=0)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("学时提醒")
        verbose_name_plural = _("学时提醒")
        constraints = [
            models.UniqueConstraint(fields=["year", "scheduled_for"], name="hours_reminder_once_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.scheduled_for}"


__all__ = [
    "Certificate",
    "ExportJob",
    "ExportKind",
    "ExportStatus",
    "ReminderRun",
    "certificate_upload_path",
    "export_upload_path",
]
