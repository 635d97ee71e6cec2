"""Every action code a service records has a name for the audit log, in both languages."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

from django.conf import settings
from django.utils import translation
from openpyxl import load_workbook

from accounts import audit_labels, services
from filings.models import ImportStatus
from filings.services import Action as FilingAction
from hours.review_models import ReviewDecision
from tests.fixtures import World, client_for

CODE = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
APPS = ("accounts", "hours", "learning", "filings", "jinan_ce")


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def recorded_action_codes() -> set[str]:
    """The literal codes passed to ``audit_record`` (as ``action=``) or to the apps' own ``_audit*``
    helpers, and the codes the f-strings build from their enumerations."""
    codes: set[str] = set()
    for app in APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = _called_name(node)
                if name == "audit_record":
                    values = [keyword.value for keyword in node.keywords if keyword.arg == "action"]
                elif name.startswith("_audit"):
                    values = list(node.args) + [kw.value for kw in node.keywords if kw.arg == "action"]
                else:
                    continue
                codes |= {  # literals anywhere in the argument: "a.b" if x else "a.c" gives both
                    part.value
                    for value in values
                    for part in ast.walk(value)
                    if isinstance(part, ast.Constant)
                    and isinstance(part.value, str)
                    and CODE.match(part.value)
                }
    codes |= {f"hours.review.{decision}" for decision in ReviewDecision.values}
    codes |= {
        f"filings.filing.{getattr(FilingAction, name)}" for name in vars(FilingAction) if name.isupper()
    }
    codes |= {
        f"filings.roster_import.{status}"
        for status in (ImportStatus.FINISHED, ImportStatus.FAILED, ImportStatus.CANCELLED)
    }
    return codes


def test_the_scan_finds_the_codes_it_should() -> None:
    codes = recorded_action_codes()
    assert {
        "auth.login",
        "hours.claim.submit",
        "learning.premium.publish",
        "user.enable",
        "user.disable",
    } <= codes
    assert len(codes) >= 90


def test_every_recorded_action_has_a_name_and_an_area() -> None:
    codes = recorded_action_codes()
    assert sorted(codes - set(audit_labels.ACTION_LABELS)) == []
    assert sorted(code for code in codes if not audit_labels.action_area(code)) == []


def test_labels_read_as_area_and_action_in_chinese_and_english() -> None:
    with translation.override("zh-hans"):
        assert audit_labels.action_label("hours.review.approve") == "学时审核 · 审核通过"
        assert audit_labels.action_label("auth.login") == "登录与退出 · 登录"
        assert audit_labels.action_label("something.new") == "something.new"
        assert audit_labels.role_label("county_bureau_staff") == "县级人社部门工作人员"
        assert audit_labels.role_label("") == ""
        assert audit_labels.result_label("failure") == "失败"
        assert audit_labels.object_label("hours.claim") == "学时申报"
        assert audit_labels.object_label("no.such") == "no.such"
    with translation.override("en"):
        assert audit_labels.action_label("hours.review.approve") == "Hours review · Approve"


def test_the_log_page_names_actions_roles_objects_and_results_and_filters_by_area(world: World) -> None:
    services.membership_confirm(
        actor=world.other_unit_admin,
        membership_id=world.pending_professional.memberships.get(status="pending").pk,
    )
    http = client_for(world.county_staff)
    page = http.get("/audit/", {"action": "membership"}).content.decode()
    assert "单位关系 · 确认单位关系" in page and ">membership.confirm<" in page
    assert "单位管理员" in page and world.company.name in page  # the role, and where it is held
    assert "单位关系 #" in page and ">成功<" in page
    assert '<option value="membership" selected>单位关系</option>' in page
    assert "登录与退出 · " not in page  # filtered to the area
    # A code typed into the URL still filters, and stays selected.
    exact = http.get("/audit/", {"action": "membership.confirm"}).content.decode()
    assert '<option value="membership.confirm" selected>membership.confirm</option>' in exact


def test_the_export_names_them_too(world: World) -> None:
    services.membership_confirm(
        actor=world.other_unit_admin,
        membership_id=world.pending_professional.memberships.get(status="pending").pk,
    )
    response = client_for(world.county_staff).get("/audit/", {"action": "membership", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][2:9] == ("角色", "所在机构", "操作", "操作说明", "对象类型", "对象编号", "结果")
    (row,) = [row for row in rows[1:] if row[4] == "membership.confirm"]
    assert row[2:9] == (
        "单位管理员",
        world.company.name,
        "membership.confirm",
        "单位关系 · 确认单位关系",
        "单位关系",
        str(world.pending_professional.memberships.get(status="confirmed").pk),
        "成功",
    )
