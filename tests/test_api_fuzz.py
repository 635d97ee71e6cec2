"""schemathesis over the OpenAPI schema, authenticated as each role: no 5xx, and every response
conforms to the schema. Examples per operation are few (CI time); properties, not luck, carry it."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error, response_schema_conformance

from jinan_ce.wsgi import application
from tests.fixtures import World

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

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


@pytest.fixture(params=ROLES)
def auth_headers(request: pytest.FixtureRequest, world: World) -> dict[str, str]:
    if request.param == "anonymous":
        return {}
    user = getattr(world, request.param)
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


@schema.parametrize()
@settings(
    max_examples=4,
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
