"""The year's rule set: loaded from the notice for 2024, copied into later years, edited by city bureau
staff only, cached and invalidated on every change."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import escape

from accounts.models import AuditEvent
from hours import selectors, services
from hours.models import YearRuleSet
from hours.rules import FIGURES_2024, messages
from tests.fixtures import World

from .helpers import D


def test_2024_is_loaded_from_the_notice(db: None) -> None:
    services.year_rules_load_defaults()  # a no-op where the data migration ran
    rule_set = YearRuleSet.objects.get(year=2024)
    assert rule_set.figures == FIGURES_2024.to_dict()
    figures = selectors.year_figures(2024)
    assert figures == FIGURES_2024
    assert (figures.public_required, figures.professional_required) == (D(30), D(60))
    assert (figures.compulsory_course_cap, figures.elective_course_cap) == (D(20), D(10))
    assert figures.public_study_opens.isoformat() == "2024-05-10"


def test_copy_moves_dates_and_keeps_figures(world: World, open_year: int) -> None:
    rule_set = services.year_rules_copy(actor=world.city_staff, from_year=2024, to_year=2031)
    figures = rule_set.rule_figures()
    assert figures.year == 2031
    assert figures.public_study_opens.isoformat() == "2031-05-10"
    assert (figures.claim_window_opens.isoformat(), figures.claim_window_closes.isoformat()) == (
        "2031-01-01",
        "2032-03-31",
    )
    assert figures.foreign_language_exam_hours == FIGURES_2024.foreign_language_exam_hours
    assert rule_set.updated_by == world.city_staff
    assert 2031 in selectors.years_with_rules()
    event = AuditEvent.objects.filter(action="hours.year_rules.copy").latest("id")
    assert (event.actor, event.actor_role, event.detail) == (
        world.city_staff,
        "city_bureau_staff",
        {"from_year": 2024, "to_year": 2031},
    )


def test_copy_refusals(world: World, open_year: int) -> None:
    with pytest.raises(ValidationError) as error:
        services.year_rules_copy(actor=world.city_staff, from_year=2024, to_year=open_year)
    assert error.value.message_dict == {"year": [f"{open_year}年度学时规则已存在，请直接修改。"]}
    with pytest.raises(ValidationError) as error:
        services.year_rules_copy(actor=world.city_staff, from_year=2024, to_year=2023)
    assert error.value.message_dict == {"to_year": [str(services.YEAR_RULES_COPY_BACKWARDS)]}
    with pytest.raises(ValidationError):
        services.year_rules_copy(actor=world.city_staff, from_year=1990, to_year=2035)


@pytest.mark.parametrize(
    "role",
    [
        "professional",
        "unit_admin",
        "department_reviewer",
        "county_staff",
        "other_county_staff",
        "provider_staff",
    ],
)
def test_only_city_staff_edit(world: World, open_year: int, role: str) -> None:
    actor = getattr(world, role)
    figures = FIGURES_2024.to_dict() | {"public_required": "40"}
    with pytest.raises(PermissionDenied):
        services.year_rules_update(actor=actor, year=2024, figures=figures)
    with pytest.raises(PermissionDenied):
        services.year_rules_copy(actor=actor, from_year=2024, to_year=2040)
    assert YearRuleSet.objects.get(year=2024).figures == FIGURES_2024.to_dict()
    assert not YearRuleSet.objects.filter(year=2040).exists()


def test_update_takes_effect_at_once(world: World, open_year: int) -> None:
    before = selectors.year_figures(open_year)  # now cached
    preview = services.claim_preview(
        person=world.professional,
        year=open_year,
        rule_code="PUB-2",
        fields={"grade": "B", "certificate_number": "1"},
    )
    assert preview.hours == D(20)
    figures = before.to_dict()
    figures["foreign_language_exam_hours"] = {"A": "30", "B": "25", "C": "10"}
    figures["professional_required"] = "72"
    services.year_rules_update(actor=world.platform_admin, year=open_year, figures=figures)
    assert selectors.year_figures(open_year).professional_required == D(72)
    preview = services.claim_preview(
        person=world.professional,
        year=open_year,
        rule_code="PUB-2",
        fields={"grade": "B", "certificate_number": "1"},
    )
    assert preview.hours == D(25)
    event = AuditEvent.objects.get(action="hours.year_rules.update")
    assert event.detail["changed"] == ["foreign_language_exam_hours", "professional_required"]
    assert event.detail["before"]["professional_required"] == "60"


def test_invalid_figures_are_refused_with_messages(world: World, open_year: int) -> None:
    figures = FIGURES_2024.to_dict()
    del figures["research_yearly_cap"]
    with pytest.raises(ValidationError) as error:
        services.year_rules_update(actor=world.city_staff, year=2024, figures=figures)
    assert error.value.message_dict == {
        "figures": [messages.FIGURES_MISSING_KEYS.format(keys="research_yearly_cap")]
    }
    with pytest.raises(ValidationError) as error:
        services.year_rules_update(
            actor=world.city_staff, year=2024, figures=FIGURES_2024.to_dict() | {"year": 2030}
        )
    assert error.value.message_dict == {"figures": ["学时规则中的年度（2030）与所选年度（2024）不一致。"]}
    with pytest.raises(ValidationError) as error:
        services.year_rules_update(
            actor=world.city_staff, year=2024, figures=FIGURES_2024.to_dict() | {"elective_course_cap": "-1"}
        )
    assert error.value.message_dict == {
        "figures": [messages.FIGURES_NEGATIVE.format(key="elective_course_cap")]
    }
    assert YearRuleSet.objects.get(year=2024).figures == FIGURES_2024.to_dict()


def test_default_year(world: World, open_year: int) -> None:
    assert selectors.default_year() == open_year
    services.year_rules_copy(actor=world.city_staff, from_year=open_year, to_year=open_year + 1)
    assert selectors.default_year() == open_year
    assert selectors.years_with_rules()[:2] == [open_year + 1, open_year]
    assert open_year in selectors.years_open_for_claims()
    assert 2024 not in selectors.years_open_for_claims()


def test_admin_edits_through_the_service(world: World, open_year: int) -> None:
    import json

    from tests.fixtures import client_for

    http = client_for(world.platform_admin)
    rule_set = YearRuleSet.objects.get(year=open_year)
    assert http.get(f"/admin/hours/yearruleset/{rule_set.pk}/change/").status_code == 200
    figures = rule_set.figures | {"research_yearly_cap": "40"}
    response = http.post(f"/admin/hours/yearruleset/{rule_set.pk}/change/", {"figures": json.dumps(figures)})
    assert response.status_code == 302
    assert selectors.year_figures(open_year).research_yearly_cap == D(40)  # the cache was invalidated
    assert AuditEvent.objects.filter(action="hours.year_rules.update", actor=world.platform_admin).exists()
    # Invalid figures are refused with the rules' message.
    response = http.post(
        f"/admin/hours/yearruleset/{rule_set.pk}/change/",
        {"figures": json.dumps(figures | {"research_yearly_cap": "x"})},
    )
    assert response.status_code == 200
    assert (
        escape(messages.FIGURES_BAD_VALUE.format(key="research_yearly_cap", value="'x'"))
        in response.content.decode()
    )
    assert selectors.year_figures(open_year).research_yearly_cap == D(40)


def test_ledger_is_read_only_in_admin(world: World, open_year: int) -> None:
    from tests.fixtures import client_for

    entry = services.ledger_post_credit(
        person=world.professional,
        year=open_year,
        category="professional",
        hours=D(8),
        source_type="import",
        source_id="r1",
        memo="导入",
        actor=None,
    )
    http = client_for(world.platform_admin)
    assert http.get("/admin/hours/ledgerentry/").status_code == 200
    http.post(f"/admin/hours/ledgerentry/{entry.pk}/change/", {"hours": "80"})
    http.post(f"/admin/hours/ledgerentry/{entry.pk}/delete/", {"post": "yes"})
    entry.refresh_from_db()
    assert entry.hours == D(8)
