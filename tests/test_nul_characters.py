"""A NUL character in a request is a 400 with a plain message (jinan_ce.middleware), never the 500 that
PostgreSQL's DataError used to be ("A string literal cannot contain NUL (0x00) characters"). Run on
PostgreSQL by scripts/test; on SQLite the answers are the same."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import User
from hours.models import Claim, ClaimStatus
from hours.rules import ClaimFieldError, get_spec, messages, validate_fields
from jinan_ce.middleware import INVALID_CHARACTER, carries_nul
from tests.fixtures import World, client_for
from tests.hours import conftest as hours_conftest
from tests.hours.test_review import submit

open_year = hours_conftest.open_year
private_storage = hours_conftest.private_storage

FORM = "application/x-www-form-urlencoded"
REFUSED = {"detail": "请求中含有无效字符（空字符），请检查填写的内容后重试。"}


def api_for(person: User | None) -> APIClient:
    client = APIClient()
    if person is not None:
        client.force_authenticate(person)
    return client


@pytest.mark.parametrize(
    ("role", "url", "params"),
    [
        (None, "/api/units/search/", {"q": "任\x00"}),
        ("city_staff", "/api/organisations/", {"search": "a\x00"}),
        ("county_staff", "/api/filings/paper-units/", {"search": "a\x00"}),
        ("unit_admin", "/api/hours/review/queue/", {"q": "a\x00"}),
        ("professional", "/api/learning/courses/", {"kind": "a\x00"}),
        ("professional", "/api/learning/courses/", {"a\x00": "1"}),
    ],
)
def test_nul_in_an_api_query_is_a_400(
    world: World, role: str | None, url: str, params: dict[str, str]
) -> None:
    client = api_for(getattr(world, role) if role else None)
    without_nul = {key.replace("\x00", ""): value.replace("\x00", "") for key, value in params.items()}
    assert client.get(url, without_nul).status_code == 200
    response = client.get(url, params)
    assert response.status_code == 400
    assert response.json() == REFUSED


def test_nul_in_a_json_body_is_a_400_and_creates_nothing(world: World, open_year: int) -> None:
    response = api_for(world.professional).post(
        "/api/hours/claims/",
        {"year": open_year, "rule_code": "PUB-3", "fields": {"modules": 3, "certificate_number": "A\x00B"}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == REFUSED
    assert not Claim.objects.exists()


def test_nul_in_a_multipart_body_is_a_400_and_creates_nothing(world: World, open_year: int) -> None:
    response = api_for(world.professional).post(
        "/api/hours/claims/",
        {
            "year": open_year,
            "rule_code": "PUB-3",
            "fields.modules": "3",
            "fields.certificate_number": "A\x00B",
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json() == REFUSED
    assert not Claim.objects.exists()


def test_a_claim_field_with_nul_is_refused_by_the_rules_themselves() -> None:
    """The second line, whatever the channel: a claim's rule fields are free-form (a DictField in the
    API), and the rules' own validation refuses a NUL in a text field."""
    label = next(field.label for field in get_spec("PUB-3").fields if field.name == "certificate_number")
    with pytest.raises(ClaimFieldError) as error:
        validate_fields("PUB-3", {"modules": "3", "certificate_number": "A\x00B"})
    assert error.value.errors == {"certificate_number": messages.FIELD_NOT_TEXT.format(label=label)}


def test_nul_on_a_page_is_a_400_page(world: World, open_year: int) -> None:
    submit(world.professional, open_year)
    response = client_for(world.unit_admin).get("/hours/review/", {"q": "a\x00"})
    assert response.status_code == 400
    assert response.templates[0].name == "invalid_request.html"
    assert str(INVALID_CHARACTER) in response.content.decode()


def test_nul_in_a_posted_form_is_a_400_and_changes_nothing(world: World, open_year: int) -> None:
    claim = submit(world.professional, open_year)
    client = client_for(world.unit_admin)
    url = f"/hours/review/claims/{claim.pk}/decide/"
    data = {"decision": "return", "comment": "请补充\x00材料"}
    for response in (client.post(url, data), client.post(url, urlencode(data), content_type=FORM)):
        assert response.status_code == 400
        assert str(INVALID_CHARACTER) in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_the_message_follows_the_language(world: World) -> None:
    with translation.override(translation.get_language()):  # the request leaves its language active
        response = Client().get("/api/units/search/", {"q": "任\x00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request contains an invalid character (a NUL character); please check what you "
        "entered and try again."
    }


MULTIPART = "multipart/form-data; boundary=XYZ"


def multipart_body(comment: str) -> bytes:
    return (
        '--XYZ\r\nContent-Disposition: form-data; name="comment"\r\n\r\n'
        f"{comment}\r\n"
        '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\x00\x01\x00\r\n--XYZ--\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("method", "content_type", "body", "expected"),
    [
        ("post", "application/json", b'{"comment": "a\\u0000"}', True),
        ("post", "application/json", b'{"a\\u0000": 1}', True),
        ("post", "application/json", b'{"list": [{"deep": "\\u0000"}]}', True),
        ("post", "application/json", b'{"comment": "a\\\\u0000"}', False),  # a backslash, then "u0000"
        ("post", "application/json", b'{"comment": "a\\u0000', False),  # not JSON: the parser's 400
        ("post", "application/json", b'{"comment": "plain"}', False),
        ("patch", "application/json; charset=utf-8", b'{"comment": "a\\u0000"}', True),
        ("post", "application/x-www-form-urlencoded", b"comment=a%00", True),
        ("put", "application/x-www-form-urlencoded", b"comment=a%00", True),
        ("post", "application/x-www-form-urlencoded", b"comment=a%2500", False),  # the text "%00"
        ("post", MULTIPART, multipart_body("a\x00"), True),
        ("post", MULTIPART, multipart_body("plain"), False),
        ("post", "multipart/form-data", b"--XYZ\r\na\x00", False),  # no boundary: the view answers it
        ("post", "text/plain", b"a\x00", False),  # no parser reads it
    ],
)
def test_which_bodies_carry_a_nul(method: str, content_type: str, body: bytes, expected: Any) -> None:
    request = getattr(RequestFactory(), method)("/api/anything/", data=body, content_type=content_type)
    assert carries_nul(request) is expected


def test_paths_and_queries_carrying_a_nul() -> None:
    factory = RequestFactory()
    assert carries_nul(factory.get("/hours/claims/new/PUB%00/")) is True
    assert carries_nul(factory.get("/api/units/search/?q=%00")) is True
    assert carries_nul(factory.get("/api/units/search/?q=%2500")) is False
    assert carries_nul(factory.get("/api/units/search/?q=任城")) is False
