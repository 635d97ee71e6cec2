"""People, the organisation tree, roles and the audit trail.

The tree is one table with a materialised path (`/12/40/311/`), so "everything under this bureau"
is a single indexed prefix match: jurisdiction checks stay cheap at 500,000 people.
"""

from __future__ import annotations

import re

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinan_ce.fields import IdentifierField


class OrganisationKind(models.TextChoices):
    CITY_BUREAU = "city_bureau", _("市人力资源和社会保障局")
    COUNTY_BUREAU = "county_bureau", _("县（市、区）人力资源和社会保障局")
    ZONE_BUREAU = "zone_bureau", _("功能区人力资源部门")
    DEPARTMENT = "department", _("行业主管部门")
    UNIT = "unit", _("用人单位")
    PROVIDER = "provider", _("继续教育基地")


BUREAU_KINDS = (OrganisationKind.CITY_BUREAU, OrganisationKind.COUNTY_BUREAU, OrganisationKind.ZONE_BUREAU)


class UnitType(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    INSTITUTION = "institution", _("事业单位")
    UNIVERSITY = "university", _("高等院校")
    HOSPITAL = "hospital", _("医疗卫生机构")
    SCHOOL = "school", _("中小学校")
    OTHER = "other", _("其他")


# A placed organisation's path: the ids from the root down, each followed by a slash ("/12/40/311/").
# Anything else (an empty path above all) would be a prefix of paths it does not lead to.
PATH_PATTERN = re.compile(r"/(?:[0-9]+/)+")


class Organisation(models.Model):
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=20, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # The HR bureau whose jurisdiction this organisation falls in (itself, for a bureau).
    bureau = models.ForeignKey(
        "self",
        verbose_name=_("所属人社部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    unit_type = models.CharField(_("单位性质"), max_length=20, choices=UnitType.choices, blank=True)
    is_public_subject_provider = models.BooleanField(_("公需科目施教机构"), default=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="organisation_credit_code_unique"
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="organisation_name_unique_under_parent"),
        ]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_bureau(self) -> bool:
        return self.kind in BUREAU_KINDS

    @property
    def is_placed(self) -> bool:
        """Whether the organisation has its path in the tree (organisation_create gives it one)."""
        return PATH_PATTERN.fullmatch(self.path) is not None

    @property
    def supervising_department(self) -> Organisation | None:
        """A unit's supervising department is its parent when that parent is a department."""
        if (
            self.kind == OrganisationKind.UNIT
            and self.parent
            and self.parent.kind == OrganisationKind.DEPARTMENT
        ):
            return self.parent
        return None

    @property
    def level_label(self) -> str:
        if self.bureau_id and self.bureau and self.bureau.kind == OrganisationKind.CITY_BUREAU:
            return str(_("市级"))
        return str(_("县级"))


class UserManager(BaseUserManager["User"]):
    def create_user(self, mobile: str, password: str | None = None, **extra: object) -> User:
        user = self.model(mobile=mobile, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, mobile: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("real_name", "平台管理员")
        return self.create_user(mobile, password, **extra)


class Education(models.TextChoices):
    DOCTORATE = "doctorate", _("博士研究生")
    MASTER = "master", _("硕士研究生")
    BACHELOR = "bachelor", _("大学本科")
    COLLEGE = "college", _("大学专科")
    SECONDARY = "secondary", _("中专及以下")


class TitleLevel(models.TextChoices):
    SENIOR = "senior", _("正高级")
    ASSOCIATE_SENIOR = "associate_senior", _("副高级")
    INTERMEDIATE = "intermediate", _("中级")
    ASSISTANT = "assistant", _("助理级")
    JUNIOR = "junior", _("员级")
    NONE = "none", _("暂无职称")


class User(AbstractBaseUser, PermissionsMixin):
    """A real-name account. The mobile number is the login name; an ID number logs in too."""

    mobile = models.CharField(_("手机号码"), max_length=11, unique=True)
    real_name = models.CharField(_("姓名"), max_length=50)
    # The national ID number itself is only ever stored encrypted; equality goes through the digest.
    id_number_encrypted = models.TextField(_("身份证号码（加密）"), blank=True, editable=False)
    id_number_digest = IdentifierField(max_length=64, blank=True, editable=False)
    id_number_masked = models.CharField(_("身份证号码"), max_length=18, blank=True, editable=False)
    email = models.EmailField(_("电子邮箱"), blank=True)
    unit = models.ForeignKey(
        Organisation,
        verbose_name=_("工作单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
        limit_choices_to={"kind": OrganisationKind.UNIT},
    )
    title_series = models.CharField(_("职称系列"), max_length=60, blank=True)
    title_level = models.CharField(_("职称等级"), max_length=20, choices=TitleLevel.choices, blank=True)
    specialty = models.CharField(_("专业"), max_length=60, blank=True)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    is_staff = models.BooleanField(_("可登录管理后台"), default=False)
    date_joined = models.DateTimeField(_("注册时间"), default=timezone.now)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True, editable=False)

    USERNAME_FIELD = "mobile"
    REQUIRED_FIELDS = ["real_name"]
    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_digest"], condition=~Q(id_number_digest=""), name="user_id_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.real_name}（{self.id_number_masked or self.mobile}）"

    def set_password(self, raw_password: str | None) -> None:
        # Staff passwords expire after 90 days; the clock starts whenever a password is set.
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def get_full_name(self) -> str:
        return self.real_name

    def get_short_name(self) -> str:
        return self.real_name


def user_display(user: User) -> str:
    return user.real_name


class Role(models.TextChoices):
    PROFESSIONAL = "professional", _("专业技术人员")
    UNIT_ADMIN = "unit_admin", _("单位管理员")
    DEPARTMENT_REVIEWER = "department_reviewer", _("主管部门审核员")
    COUNTY_BUREAU_STAFF = "county_bureau_staff", _("县级人社部门工作人员")
    CITY_BUREAU_STAFF = "city_bureau_staff", _("市人社局工作人员")
    PROVIDER_STAFF = "provider_staff", _("继续教育基地工作人员")
    PLATFORM_ADMIN = "platform_admin", _("平台管理员")


# Which kind of organisation each role is held at (None: held without one).
ROLE_ORGANISATION_KINDS: dict[str, tuple[str, ...] | None] = {
    Role.PROFESSIONAL: None,
    Role.UNIT_ADMIN: (OrganisationKind.UNIT,),
    Role.DEPARTMENT_REVIEWER: (OrganisationKind.DEPARTMENT,),
    Role.COUNTY_BUREAU_STAFF: (OrganisationKind.COUNTY_BUREAU, OrganisationKind.ZONE_BUREAU),
    Role.CITY_BUREAU_STAFF: (OrganisationKind.CITY_BUREAU,),
    Role.PROVIDER_STAFF: (OrganisationKind.PROVIDER,),
    Role.PLATFORM_ADMIN: None,
}


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所在机构"), null=True, blank=True, on_delete=models.PROTECT
    )
    is_active = models.BooleanField(_("有效"), default=True)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(is_active=True),
                name="role_assignment_active_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        where = f" @ {self.organisation}" if self.organisation_id else ""
        return f"{self.get_role_display()}{where}"


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("待单位确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("单位未通过")
    CANCELLED = "cancelled", _("本人已撤回")
    ENDED = "ended", _("已调离")


class Membership(models.Model):
    """One person's tie to one unit over time. The history is kept: rows end, they are never deleted."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(_("状态"), max_length=20, choices=MembershipStatus.choices)
    is_employer_change = models.BooleanField(_("变更单位申请"), default=False)
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision_reason = models.CharField(_("处理意见"), max_length=200, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("单位关系")
        verbose_name_plural = _("单位关系")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="membership_one_pending_per_user"
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="confirmed"), name="membership_one_confirmed_per_user"
            ),
        ]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.unit}（{self.get_status_display()}）"


class AuditEvent(models.Model):
    """Append-only record of who did what. On PostgreSQL a trigger refuses UPDATE and DELETE."""

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=30, blank=True)
    actor_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    # Path of the organisation the object belongs to, so bureau staff can export their jurisdiction.
    organisation_path = models.CharField(max_length=255, blank=True, db_index=True)
    result = models.CharField(max_length=20, default="success")
    reason = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action}"


class PlatformContact(models.Model):
    """A line of the contacts directory (Annex 2) that is not an organisation of the tree."""

    name = models.CharField(_("名称"), max_length=120)
    phone = models.CharField(_("电话"), max_length=40)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("联系电话")
        verbose_name_plural = _("联系电话")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.phone}"


class Notification(models.Model):
    """An in-site message. E-mail, where an address is known, is sent alongside by the notifying service."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class QueuedTask(models.Model):
    """A Celery task a use case asked for, written in the use case's transaction (an outbox): deleted
    once the broker took it; should the broker be down, Celery beat publishes it later
    (``jinan_ce.queue.republish_queued``). So no committed job waits for a message that was never sent."""

    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("待发送的后台任务")
        verbose_name_plural = _("待发送的后台任务")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.task_name
