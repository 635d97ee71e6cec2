"""The audit log page: filters by action and date, and a malformed date never breaks it."""

from __future__ import annotations

import datetime

from accounts.models import AuditEvent
from tests.fixtures import World, client_for

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def make_events() -> dict[str, AuditEvent]:
    """Three events around local midnight: the date filter works on the platform's day, not UTC's."""
    times = {
        "late on the 1st": datetime.datetime(2023, 3, 1, 23, 30, tzinfo=SHANGHAI),
        "early on the 2nd": datetime.datetime(2023, 3, 2, 0, 30, tzinfo=SHANGHAI),
        "on the 3rd": datetime.datetime(2023, 3, 3, 12, 0, tzinfo=SHANGHAI),
    }
    return {
        name: AuditEvent.objects.create(occurred_at=moment, action="test.range", object_id=name)
        for name, moment in times.items()
    }


def listed(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [event.object_id for event in response.context["page"]]


def test_a_valid_range_filters_exactly(world: World) -> None:
    make_events()
    client = client_for(world.platform_admin)
    response = client.get("/audit/", {"action": "test.range", "from": "2023-03-02", "to": "2023-03-02"})
    assert response.status_code == 200
    assert listed(response) == ["early on the 2nd"]
    assert listed(client.get("/audit/", {"action": "test.range", "from": "2023-03-02"})) == [
        "on the 3rd",
        "early on the 2nd",
    ]
    assert listed(client.get("/audit/", {"action": "test.range", "to": "2023-03-01"})) == ["late on the 1st"]


def test_a_malformed_date_is_ignored_with_a_message(world: World) -> None:
    make_events()
    client = client_for(world.platform_admin)
    response = client.get("/audit/", {"action": "test.range", "from": "abc"})
    assert response.status_code == 200
    assert [str(message) for message in response.context["messages"]] == [
        "“abc”不是有效日期，请按 2024-05-10 的格式填写；查询未使用该日期。"
    ]
    assert listed(response) == ["on the 3rd", "early on the 2nd", "late on the 1st"]

    # The other bound still applies; an impossible date is as malformed as a word.
    response = client.get("/audit/", {"action": "test.range", "from": "2023-03-02", "to": "2023-02-30"})
    assert response.status_code == 200
    assert [str(message) for message in response.context["messages"]] == [
        "“2023-02-30”不是有效日期，请按 2024-05-10 的格式填写；查询未使用该日期。"
    ]
    assert listed(response) == ["on the 3rd", "early on the 2nd"]


def test_no_export_with_a_malformed_date(world: World) -> None:
    """An export is a record of what was asked for: with a bound that could not be read, the page
    says so instead of exporting more than was meant."""
    exports_before = AuditEvent.objects.filter(action="audit.export").count()
    response = client_for(world.county_staff).get("/audit/", {"to": "2024-5-1x", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "“2024-5-1x”不是有效日期" in response.content.decode()
    assert AuditEvent.objects.filter(action="audit.export").count() == exports_before
