"""schemathesis over the OpenAPI schema, authenticated as each role: no 5xx, and every response
conforms to the schema. Examples per operation are few (CI time); properties, not luck, carry it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error, response_schema_conformance

from accounts.models import User
from filings import services as filing_services
from jinan_ce.wsgi import application
from tests.filings import conftest as filings_conftest
from tests.filings.conftest import filing_data
from tests.fixtures import World

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

year_rules = filings_conftest.year_rules  # the filings tests' fixture: rule sets around this year

ROLES = [
    "anonymous",
    "professional",
    "unit_admin",
    "department_reviewer",
    "county_staff",
    "city_staff",
    "provider_staff",
    "platform_admin",
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Calling the WSGI application directly fires request_started/finished, whose handler closes the
    database connection (and with it the test's transaction). Django's test client detaches that
    handler; do the same here."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=ROLES)
def auth_headers(request: pytest.FixtureRequest, world: World) -> dict[str, str]:
    if request.param == "anonymous":
        return {}
    user = getattr(world, request.param)
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


@schema.parametrize()
@settings(
    # A few examples per operation and role keep CI inside its budget; FUZZ_EXAMPLES=50 digs deeper.
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "2")),
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_never_errors_and_matches_its_schema(
    case: schemathesis.Case, auth_headers: dict[str, str]
) -> None:
    response = case.call(headers=auth_headers)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


# --- Responses the generator rarely reaches, checked against the schema on purpose -----------------


def _token_headers(user: User) -> dict[str, str]:
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


def test_a_filings_first_decision_matches_the_schema(world: World, year_rules: int) -> None:
    """A filing's first decision comes from no status: from_status is "" (as the model allows), which
    the schema's enum used to leave out, so every filing's detail and decision answers broke it."""
    filings = [
        filing_services.filing_submit(actor=world.unit_admin, organisation=world.school, data=filing_data())
        for _ in range(3)
    ]
    assert [filing.decisions.get().from_status for filing in filings] == ["", "", ""]
    reason = {"reason": "请补充培训日程。"}
    calls = [
        ("/api/filings/{id}/", "GET", filings[0], world.unit_admin, None),
        ("/api/filings/{id}/return/", "POST", filings[0], world.county_staff, reason),
        ("/api/filings/{id}/approve/", "POST", filings[1], world.county_staff, {"reason": ""}),
        ("/api/filings/{id}/withdraw/", "POST", filings[2], world.unit_admin, reason),
    ]
    for path, method, filing, user, body in calls:
        operation = schema[path][method]
        if body is None:
            case = operation.Case(path_parameters={"id": filing.pk})
        else:
            case = operation.Case(path_parameters={"id": filing.pk}, body=body, media_type="application/json")
        response = case.call(headers=_token_headers(user))
        assert response.status_code == 200, response.text
        assert response.json()["decisions"][0]["from_status"] == ""
        case.validate_response(response, checks=[response_schema_conformance])
