"""Shared data fixtures: the demo city (Jining tree, departments, units, one account per role) plus a
few accounts the authorization matrix needs (another county's staff, a unit outside the department)."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from hypothesis import settings

from accounts import services
from accounts.demo import DEMO_PASSWORD, load_demo, make_id_number
from accounts.models import Organisation, Role, User

# Property tests: fewer examples per run in CI (each run still explores new ones), many locally on demand.
settings.register_profile("ci", max_examples=50, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))


@dataclass
class World:
    city: Organisation
    rencheng: Organisation  # 任城区 bureau
    yanzhou: Organisation  # 兖州区 bureau
    education_department: Organisation  # 任城区教育和体育局
    school: Organisation  # 任城区实验中学 (under the department)
    other_school: Organisation  # 任城区第二实验小学 (same department)
    company: Organisation  # 济宁鲁科智能科技有限公司 (no department, under 任城区 bureau)
    yanzhou_hospital: Organisation
    provider: Organisation
    platform_admin: User
    city_staff: User
    county_staff: User  # 任城区
    other_county_staff: User  # 兖州区
    department_reviewer: User
    unit_admin: User  # 实验中学
    other_unit_admin: User  # 鲁科公司
    professional: User  # 张敏, confirmed at 实验中学
    pending_professional: User  # 陈静, pending at 鲁科公司
    provider_staff: User


def org(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


def user(mobile: str) -> User:
    return User.objects.get(mobile=mobile)


def build_world() -> None:
    """Idempotent: the demo city plus another county's bureau staff (added last, so its presence
    means the whole world is there and nothing needs checking)."""
    if User.objects.filter(mobile="13900000009").exists():
        return
    load_demo()
    other_county_staff = User.objects.create_user("13900000009", DEMO_PASSWORD, real_name="兖州区钱干事")
    services._set_id_number(other_county_staff, make_id_number("370812", datetime.date(1986, 8, 8), 93))
    other_county_staff.save()
    services.role_grant(
        actor=None,
        user=other_county_staff,
        role=Role.COUNTY_BUREAU_STAFF,
        organisation=org("兖州区人力资源和社会保障局"),
    )


@pytest.fixture(scope="session")
def _world_loaded(django_db_setup: None, django_db_blocker: Any) -> None:
    """Built once per run and committed; each test then runs inside its own rolled-back transaction.
    Transactional tests (which flush the database afterwards) run last and rebuild it via `world`."""
    with django_db_blocker.unblock():
        build_world()


@pytest.fixture
def world(_world_loaded: None, db: None) -> World:
    build_world()
    return World(
        city=org("济宁市人力资源和社会保障局"),
        rencheng=org("任城区人力资源和社会保障局"),
        yanzhou=org("兖州区人力资源和社会保障局"),
        education_department=org("任城区教育和体育局"),
        school=org("任城区实验中学"),
        other_school=org("任城区第二实验小学"),
        company=org("济宁鲁科智能科技有限公司"),
        yanzhou_hospital=org("兖州区人民医院"),
        provider=org("济宁职业技术学院"),
        platform_admin=user("13800000000"),
        city_staff=user("13800000001"),
        county_staff=user("13800000002"),
        other_county_staff=user("13900000009"),
        department_reviewer=user("13800000003"),
        unit_admin=user("13800000004"),
        other_unit_admin=user("13800000008"),
        professional=user("13800000005"),
        pending_professional=user("13800000007"),
        provider_staff=user("13800000006"),
    )


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate limits and lockouts live in the cache; one test's attempts must not limit the next."""
    from django.core.cache import cache

    cache.clear()


def client_for(person: User | None) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


# The URL coverage check rides along with the fixtures (see tests/url_coverage.py).
from tests.url_coverage import _record_exercised_routes, pytest_sessionfinish  # noqa: E402, F401
