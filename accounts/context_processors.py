"""The role-aware navigation: every page shows the entries the user's roles open, nothing else."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from filings import policies as filing_policies
from hours import policies as hours_policies
from hours import review_policies
from learning import policies as learning_policies

from . import policies, selectors
from .models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    items: list[tuple[str, str]] = []
    unread = 0
    if user.is_authenticated:
        items.append((str(_("工作台")), reverse("dashboard")))
        if hours_policies.can_file_claims(user):
            items.append((str(_("我的学时")), reverse("hours_my")))
            items.append((str(_("学时申报")), reverse("hours_claims")))
            items.append((str(_("学时证明")), reverse("certificate_home")))
        if review_policies.is_reviewer(user):
            items.append((str(_("审核工作台")), reverse("hours_review_queue")))
        if review_policies.can_view_integrity_archive(user):
            items.append((str(_("诚信档案")), reverse("hours_integrity")))
        if hours_policies.can_edit_year_rules(user):
            items.append((str(_("年度学时规则")), reverse("hours_year_rules")))
        if learning_policies.is_learner(user):
            items.append((str(_("在线学习")), reverse("learning_home")))
        if learning_policies.can_open_course_management(user):
            items.append((str(_("课程管理")), reverse("learning_manage_courses")))
        if learning_policies.can_publish_notices(user):
            items.append((str(_("通知公告管理")), reverse("learning_manage_notices")))
        if policies.can_manage_unit_members(user):
            items.append((str(_("单位人员")), reverse("unit_members")))
        if filing_policies.can_file(user):
            items.append((str(_("培训备案")), reverse("filing_list")))
        if filing_policies.can_import_channel(user):
            items.append((str(_("行业学时导入")), reverse("channel_imports")))
        if policies.governed_paths(user):
            items.append((str(_("数据看板")), reverse("hours_dashboard")))
            items.append((str(_("统计报表")), reverse("hours_reports")))
        if policies.can_browse_organisations(user):
            items.append((str(_("机构管理")), reverse("organisation_list")))
        if policies.is_platform_admin(user) or policies.has_role(user, *policies.BUREAU_ROLES):
            items.append((str(_("审计日志")), reverse("audit_log")))
        items.append((str(_("个人信息")), reverse("profile")))
        unread = selectors.unread_count(user)  # type: ignore[arg-type]
    return {
        "platform_name": settings.PLATFORM_NAME,
        "nav_items": items,
        "unread_notifications": unread,
        "role_labels": [str(a) for a in policies.active_roles(user) if a.role != Role.PROFESSIONAL]
        if user.is_authenticated
        else [],
    }
