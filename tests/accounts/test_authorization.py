"""The authorization matrix for every page and API endpoint of the foundation: each role, inside and
outside its jurisdiction. Outside is a 404 (the record does not exist for that user) and a refused
action changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import AuditEvent, Membership, MembershipStatus, Organisation
from tests.fixtures import World, client_for

ROLES = [
    "anonymous",
    "professional",
    "unit_admin",
    "other_unit_admin",
    "department_reviewer",
    "county_staff",
    "other_county_staff",
    "city_staff",
    "provider_staff",
    "platform_admin",
]
LOGIN = "login"  # a redirect to the login page


def actor(world: World, role: str):  # type: ignore[no-untyped-def]
    return None if role == "anonymous" else getattr(world, role)


def check(response, expected: int | str) -> None:  # type: ignore[no-untyped-def]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected, (response.status_code, expected)


# Pages that every signed-in user may open, and the public ones.
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("url", "public"),
    [
        ("/", True),
        ("/accounts/login/", True),
        ("/accounts/signup/", True),
        ("/units/search/?unit=实验中学", True),
        ("/api/units/search/?q=实验中学", True),
        ("/api/schema/", True),
        ("/api/docs/", True),
        ("/dashboard/", False),
        ("/profile/", False),
        ("/notifications/", False),
    ],
)
def test_general_pages(world: World, role: str, url: str, public: bool) -> None:
    response = client_for(actor(world, role)).get(url)
    if public or role != "anonymous":
        if url.startswith("/accounts/") and role != "anonymous":
            assert response.status_code == 302  # already signed in: allauth sends you on
        else:
            assert response.status_code == 200
    else:
        check(response, LOGIN)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "url", ["/api/me/", "/api/me/memberships/", "/api/memberships/pending/", "/api/organisations/"]
)
def test_api_requires_authentication(world: World, role: str, url: str) -> None:
    response = client_for(actor(world, role)).get(url)
    assert response.status_code == (403 if role == "anonymous" else 200)


ORGANISATION_PAGE = {
    # role: (school in a department of 任城区, 兖州区人民医院 in another county)
    "anonymous": (LOGIN, LOGIN),
    "professional": (404, 404),
    "unit_admin": (404, 404),
    "other_unit_admin": (404, 404),
    "department_reviewer": (200, 404),
    "county_staff": (200, 404),
    "other_county_staff": (404, 200),
    "city_staff": (200, 200),
    "provider_staff": (404, 404),
    "platform_admin": (200, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_organisation_browser_is_scoped(world: World, role: str) -> None:
    client = client_for(actor(world, role))
    inside, outside = ORGANISATION_PAGE[role]
    check(client.get(f"/organisations/{world.school.pk}/"), inside)
    check(client.get(f"/organisations/{world.yanzhou_hospital.pk}/"), outside)
    listing = client.get("/organisations/", {"q": "医院"})
    if role == "anonymous":
        check(listing, LOGIN)
    elif inside == 404 and outside == 404:
        check(listing, 404)
    else:
        names = {o.name for o in listing.context["page"]}
        assert ("兖州区人民医院" in names) == (outside == 200)
        assert (
            "济宁市第一人民医院" in names
            if role in ("city_staff", "platform_admin")
            else "济宁市第一人民医院" not in names
        )


ORGANISATION_API = {
    "anonymous": (403, 403),
    "professional": (200, 404),  # their own unit only
    "unit_admin": (200, 404),
    "other_unit_admin": (404, 404),
    "department_reviewer": (200, 404),
    "county_staff": (200, 404),
    "other_county_staff": (404, 200),
    "city_staff": (200, 200),
    "provider_staff": (404, 404),
    "platform_admin": (200, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_organisation_api_is_scoped(world: World, role: str) -> None:
    client = client_for(actor(world, role))
    inside, outside = ORGANISATION_API[role]
    assert client.get(f"/api/organisations/{world.school.pk}/").status_code == inside
    assert client.get(f"/api/organisations/{world.yanzhou_hospital.pk}/").status_code == outside
    if role != "anonymous":
        ids = {row["id"] for row in client.get("/api/organisations/", {"kind": "unit"}).json()["results"]}
        assert (world.school.pk in ids) == (inside == 200)
        assert (world.yanzhou_hospital.pk in ids) == (outside == 200)


def test_department_sees_exactly_its_units(world: World) -> None:
    names = [
        row["name"]
        for row in client_for(world.department_reviewer).get("/api/organisations/").json()["results"]
    ]
    assert names == ["任城区教育和体育局", "任城区实验中学", "任城区第二实验小学"]


# Who may decide 陈静's pending request to join 鲁科公司 (a unit with no department, under 任城区).
MEMBERSHIP_DECISION = {
    "anonymous": LOGIN,
    "professional": 404,
    "unit_admin": 404,
    "other_unit_admin": 302,
    "department_reviewer": 404,
    "county_staff": 404,
    "other_county_staff": 404,
    "city_staff": 404,
    "provider_staff": 404,
    "platform_admin": 302,
}


def _membership_state(world: World) -> tuple[list[tuple[int, str]], int]:
    rows = list(Membership.objects.order_by("pk").values_list("pk", "status"))
    return rows, AuditEvent.objects.filter(action__startswith="membership.").count()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("decision", ["confirm", "reject"])
@pytest.mark.parametrize("channel", ["page", "api"])
def test_membership_decisions_only_by_the_units_admin(
    world: World, role: str, decision: str, channel: str
) -> None:
    membership = Membership.objects.get(user=world.pending_professional, status=MembershipStatus.PENDING)
    client = client_for(actor(world, role))
    before = _membership_state(world)
    if channel == "page":
        response = client.post(f"/unit/members/{membership.pk}/{decision}/", {"reason": "不是本单位职工"})
        expected = MEMBERSHIP_DECISION[role]
        check(response, expected)
    else:
        response = client.post(f"/api/memberships/{membership.pk}/{decision}/", {"reason": "不是本单位职工"})
        expected_api = {LOGIN: 403, 302: 200, 404: 404}[MEMBERSHIP_DECISION[role]]
        expected = 302 if expected_api == 200 else expected_api
        assert response.status_code == expected_api
    membership.refresh_from_db()
    if expected == 302:
        assert membership.status == (
            MembershipStatus.CONFIRMED if decision == "confirm" else MembershipStatus.REJECTED
        )
    else:
        assert _membership_state(world) == before


UNIT_MEMBERS_PAGE = {
    "anonymous": LOGIN,
    "professional": 404,
    "unit_admin": 200,
    "other_unit_admin": 200,
    "department_reviewer": 404,
    "county_staff": 404,
    "other_county_staff": 404,
    "city_staff": 404,
    "provider_staff": 404,
    "platform_admin": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_unit_members_page(world: World, role: str) -> None:
    response = client_for(actor(world, role)).get("/unit/members/")
    check(response, UNIT_MEMBERS_PAGE[role])
    if role == "unit_admin":
        assert [p.real_name for p in response.context["page"]] == ["张敏"]
        assert list(response.context["pending"]) == []
    if role == "other_unit_admin":
        assert [p.real_name for p in response.context["page"]] == ["陈静"]
        assert [m.user.real_name for m in response.context["pending"]] == ["陈静"]


@pytest.mark.parametrize("role", ROLES)
def test_pending_memberships_api_lists_only_own_units(world: World, role: str) -> None:
    response = client_for(actor(world, role)).get("/api/memberships/pending/")
    if role == "anonymous":
        assert response.status_code == 403
        return
    names = [row["person_name"] for row in response.json()["results"]]
    assert names == (["陈静"] if role in ("other_unit_admin", "platform_admin") else [])
    for row in response.json()["results"]:
        assert row["person_id_number"] == world.pending_professional.id_number_masked


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_employer_change_is_for_professionals_and_only_for_themselves(world: World, role: str) -> None:
    """A professional's own move; staff accounts (placed by role grants) are refused and nothing is made."""
    person = actor(world, role)
    client = client_for(person)
    memberships = Membership.objects.count()
    audited = AuditEvent.objects.filter(action="membership.request").count()
    response = client.post(
        "/api/me/employer-change/", {"unit_id": world.other_school.pk}, content_type="application/json"
    )
    page = client.post("/profile/employer/", {"unit": world.other_school.name})
    if role == "professional":
        assert response.status_code == 201
        created = Membership.objects.get(pk=response.json()["id"])
        assert created.user == person  # whoever asks, only their own membership is created
        return
    assert response.status_code == 403
    assert response.json() == {"detail": "只有专业技术人员可以申请加入或变更工作单位。"}
    assert page.status_code == 404
    assert Membership.objects.count() == memberships
    assert AuditEvent.objects.filter(action="membership.request").count() == audited
    profile = client.get("/profile/").content.decode()
    assert 'action="/profile/employer/"' not in profile


@pytest.mark.parametrize(
    ("make_request", "expected"),
    [
        (lambda c, w: c.post("/profile/employer/", {"unit": w.company.name}), LOGIN),
        (lambda c, w: c.post("/profile/employer/cancel/"), LOGIN),
        (lambda c, w: c.post("/api/me/employer-change/", {"unit_id": w.company.pk}), 403),
        (lambda c, w: c.patch("/api/me/", {"email": "x@y.cn"}, content_type="application/json"), 403),
    ],
)
def test_anonymous_writes_are_refused(world: World, make_request: Callable, expected: int | str) -> None:  # type: ignore[type-arg]
    before = _membership_state(world)
    check(make_request(client_for(None), world), expected)
    assert _membership_state(world) == before


def test_organisation_counts(world: World) -> None:
    assert Organisation.objects.filter(kind="unit").count() == 6


def test_platform_admin_sees_every_person_and_organisation(world: World) -> None:
    """The admin's "everything" filter must survive being OR-ed with "and yourself" (it once did not:
    Q(pk=admin) | Q() kept only the admin)."""
    from accounts import selectors
    from accounts.models import User

    admin = world.platform_admin
    expected = set(User.objects.filter(unit__isnull=False).values_list("pk", flat=True)) | {admin.pk}
    assert set(selectors.people_visible_to(admin).values_list("pk", flat=True)) == expected
    assert selectors.organisations_visible_to(admin).count() == Organisation.objects.count()
    page = client_for(admin).get("/dashboard/").content.decode()
    people = User.objects.filter(unit__isnull=False).exclude(pk=admin.pk).count()
    assert f'<div class="stat">{people}</div><div class="stat-label">管辖范围内专业技术人员' in page
