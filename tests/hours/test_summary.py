"""The year summary: required against earned per category, what is missing, and compliance (with the
premium professional course and R1)."""

from __future__ import annotations

import pytest

from hours import selectors, services
from hours.models import PREMIUM_COURSE_RULE_CODE
from tests.fixtures import World

from .helpers import D, approve, dispatch, file_and_approve, file_claim, reduction


def post(person, year, category, hours, source_id, source_type="course", rule_code=""):  # type: ignore[no-untyped-def]
    return services.ledger_post_credit(
        person=person,
        year=year,
        category=category,
        hours=D(hours),
        source_type=source_type,
        source_id=source_id,
        memo="测试",
        actor=None,
        rule_code=rule_code,
    )


def test_exact_figures_and_compliance(world: World, open_year: int) -> None:
    person, approver = world.professional, world.county_staff
    empty = selectors.year_summary(person, open_year)
    assert (empty.public, empty.professional, empty.missing_public, empty.missing_professional) == (
        D(0),
        D(0),
        D(30),
        D(60),
    )
    assert not empty.is_compliant

    post(person, open_year, "public_compulsory", "12", "c1")
    post(person, open_year, "public_compulsory", "10", "c2")  # 8 count: the compulsory cap is 20
    post(person, open_year, "public_elective", "3.5", "e1")
    file_and_approve(person, approver, open_year, "PUB-1", dispatch(8, 8))  # 2.5
    file_and_approve(
        person,
        approver,
        open_year,
        "PRO-6",
        {"qualification_name": "一级建造师", "certificate_number": "JZ1"},
    )
    post(person, open_year, "professional", "30", "roster-1", source_type="import")

    summary = selectors.year_summary(person, open_year)
    assert (summary.compulsory, summary.elective, summary.conversion) == (D(20), D("3.5"), D("2.5"))
    assert (summary.public, summary.professional, summary.total) == (D(26), D(46), D(72))
    assert (summary.public_required, summary.professional_required) == (D(30), D(60))
    assert (summary.missing_public, summary.missing_professional) == (D(4), D(14))
    assert (summary.compulsory_room, summary.elective_room) == (D(0), D("6.5"))
    assert not summary.is_compliant

    post(person, open_year, "public_elective", "4", "e2")
    post(person, open_year, "professional", "14", "roster-2", source_type="import")
    summary = selectors.year_summary(person, open_year)
    assert (summary.public, summary.professional) == (D(30), D(60))
    assert (summary.missing_public, summary.missing_professional) == (D(0), D(0))
    assert summary.is_compliant


def test_premium_course_completes_the_professional_part_only(world: World, open_year: int) -> None:
    person = world.professional
    premium = post(
        person,
        open_year,
        "professional",
        "16",
        "enrolment-5",
        source_type="programme",
        rule_code=PREMIUM_COURSE_RULE_CODE,
    )
    summary = selectors.year_summary(person, open_year)
    assert summary.premium_course_completed
    assert (summary.professional, summary.missing_professional, summary.is_professional_complete) == (
        D(16),
        D(0),
        True,
    )
    assert summary.professional_progress == D(60)
    assert not summary.is_compliant  # the public part is still missing
    post(person, open_year, "public_compulsory", "20", "c1")
    post(person, open_year, "public_elective", "10", "e1")
    assert selectors.year_summary(person, open_year).is_compliant
    # Another year is not touched, and a reversed premium course no longer counts.
    assert not selectors.year_summary(person, 2024).premium_course_completed
    services.ledger_reverse(entry=premium, actor=world.county_staff, reason="未参加现场授课")
    summary = selectors.year_summary(person, open_year)
    assert not summary.premium_course_completed
    assert (summary.professional, summary.missing_professional, summary.is_compliant) == (D(0), D(60), False)


def test_r1_compliance_with_fewer_hours(world: World, open_year: int) -> None:
    person = world.professional
    approve(file_claim(person, open_year, "R1", reduction("abroad", 4)), world.county_staff)
    post(person, open_year, "public_compulsory", "10", "c1")
    post(person, open_year, "professional", "19.5", "p1", source_type="import")
    summary = selectors.year_summary(person, open_year)
    assert (summary.public_required, summary.professional_required) == (D(10), D(20))
    assert (summary.missing_public, summary.missing_professional) == (D(0), D("0.5"))
    assert not summary.is_compliant
    post(person, open_year, "professional", "0.5", "p2", source_type="import")
    assert selectors.year_summary(person, open_year).is_compliant


@pytest.mark.parametrize("entries", [1, 30])
def test_summary_query_count_is_fixed(
    world: World, open_year: int, entries: int, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    person = world.professional
    for number in range(entries):
        post(person, open_year, "professional", "1", f"p{number}", source_type="import")
    selectors.year_figures(open_year)  # cached, as on every page after the first
    with django_assert_num_queries(2):  # the aggregate over the ledger, and R1
        summary = selectors.year_summary(person, open_year)
    assert summary.professional == D(entries)
