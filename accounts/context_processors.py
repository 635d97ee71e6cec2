"""The role-aware navigation: every page shows the entries the user's roles open, nothing else.

A short menu is shown as it is. A crowded one (staff with many roles' pages) keeps the everyday
entries in the header and puts the rest under "更多", grouped by area, so that the header fits on one
line on a desktop screen: every destination stays one click (or a few key presses) away."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from filings import policies as filing_policies
from hours import policies as hours_policies
from hours import review_policies
from learning import policies as learning_policies

from . import policies, selectors
from .models import Role

# A menu of at most this many entries is shown in full; a longer one keeps at most MAX_PRIMARY
# everyday entries in the header and puts the rest under "更多".
MAX_FLAT = 7
MAX_PRIMARY = 6

# The areas the "更多" menu is grouped by, in the order it lists them.
AREAS: dict[str, Promise] = {
    "hours": _("学时管理"),
    "review": _("审核管理"),
    "learning": _("学习与课程"),
    "units": _("单位与备案"),
    "statistics": _("统计分析"),
    "administration": _("系统管理"),
    "account": _("个人中心"),
}


@dataclass(frozen=True)
class NavEntry:
    label: str
    href: str
    area: str
    primary: bool  # an everyday entry: stays in the header when the menu is crowded


def nav_entries(user: Any) -> list[NavEntry]:
    """The entries the user's roles open, in menu order."""
    entries: list[NavEntry] = []

    def add(label: Promise, url_name: str, area: str, *, primary: bool = False) -> None:
        entries.append(NavEntry(str(label), reverse(url_name), area, primary))

    add(_("工作台"), "dashboard", "account", primary=True)
    if hours_policies.can_file_claims(user):
        add(_("我的学时"), "hours_my", "hours", primary=True)
        add(_("学时申报"), "hours_claims", "hours", primary=True)
        add(_("学时证明"), "certificate_home", "hours", primary=True)
    if review_policies.is_reviewer(user):
        add(_("审核工作台"), "hours_review_queue", "review", primary=True)
    if review_policies.can_view_integrity_archive(user):
        add(_("诚信档案"), "hours_integrity", "review")
    if hours_policies.can_edit_year_rules(user):
        add(_("年度学时规则"), "hours_year_rules", "review")
    if learning_policies.is_learner(user):
        add(_("在线学习"), "learning_home", "learning", primary=True)
    if learning_policies.can_open_course_management(user):
        add(_("课程管理"), "learning_manage_courses", "learning", primary=True)
    if learning_policies.can_publish_notices(user):
        add(_("通知公告管理"), "learning_manage_notices", "learning")
    if policies.can_manage_unit_members(user):
        add(_("单位人员"), "unit_members", "units", primary=True)
    if filing_policies.can_file(user):
        add(_("培训备案"), "filing_list", "units", primary=True)
    if filing_policies.can_import_channel(user):
        add(_("行业学时导入"), "channel_imports", "units")
    if policies.governed_paths(user):
        add(_("数据看板"), "hours_dashboard", "statistics", primary=True)
        add(_("统计报表"), "hours_reports", "statistics")
    if policies.can_browse_organisations(user):
        add(_("机构管理"), "organisation_list", "administration")
    if policies.is_platform_admin(user) or policies.has_role(user, *policies.BUREAU_ROLES):
        add(_("审计日志"), "audit_log", "administration")
    add(_("个人信息"), "profile", "account")
    return entries


def split_menu(entries: list[NavEntry]) -> tuple[list[NavEntry], list[tuple[str, list[NavEntry]]]]:
    """The entries shown in the header, and the rest grouped by area for the "更多" menu."""
    if len(entries) <= MAX_FLAT:
        return entries, []
    shown = [entry for entry in entries if entry.primary][:MAX_PRIMARY]
    rest = [entry for entry in entries if entry not in shown]
    groups = [(str(label), [entry for entry in rest if entry.area == area]) for area, label in AREAS.items()]
    return shown, [(label, group) for label, group in groups if group]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    entries: list[NavEntry] = []
    shown: list[NavEntry] = []
    more: list[tuple[str, list[NavEntry]]] = []
    unread = 0
    if user.is_authenticated:
        entries = nav_entries(user)
        shown, more = split_menu(entries)
        unread = selectors.unread_count(user)  # type: ignore[arg-type]
    return {
        "platform_name": settings.PLATFORM_NAME,
        "nav_items": [(entry.label, entry.href) for entry in entries],
        "nav_shown": shown,
        "nav_more": more,
        "nav_more_active": any(entry.href == request.path for _label, group in more for entry in group),
        "unread_notifications": unread,
        "role_labels": [str(a) for a in policies.active_roles(user) if a.role != Role.PROFESSIONAL]
        if user.is_authenticated
        else [],
    }
