from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    """通知公告: published by bureau staff for their region (or the whole city)."""

    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
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

    class Meta:
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title
