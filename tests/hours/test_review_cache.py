"""The review queue's unit filter list is cached per set of reviewing organisations (docs/scaling.md,
proposal 5: the city's 20,000 units sorted by name on every queue page)."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import identity
from accounts import services as account_services
from accounts.models import Organisation, OrganisationKind
from hours import selectors_review
from tests.fixtures import World


def units_under(organisation: Organisation) -> list[tuple[int, str]]:
    return list(
        Organisation.objects.filter(path__startswith=organisation.path, kind=OrganisationKind.UNIT)
        .order_by("name")
        .values_list("pk", "name")[:500]
    )


def test_queue_units_are_cached_per_reviewing_organisations(world: World) -> None:
    expected = units_under(world.rencheng)
    assert len(expected) >= 3
    assert selectors_review.queue_units(world.county_staff) == expected
    with CaptureQueriesContext(connection) as again:
        assert selectors_review.queue_units(world.county_staff) == expected
    assert [q["sql"] for q in again.captured_queries if "accounts_organisation" in q["sql"]] == []
    assert selectors_review.queue_units(world.other_county_staff) == units_under(world.yanzhou)
    # A unit added shows once the entry expires (ten minutes at most).
    code = "91370811MA3C5QKX2"
    added = account_services.organisation_create(
        actor=world.platform_admin,
        name="任城区新设单位",
        kind=OrganisationKind.UNIT,
        parent=world.rencheng,
        credit_code=code + identity.credit_code_check_character(code),
    )
    assert selectors_review.queue_units(world.county_staff) == expected
    cache.clear()
    assert (added.pk, "任城区新设单位") in selectors_review.queue_units(world.county_staff)
