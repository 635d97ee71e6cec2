"""The API's own error answers are Chinese (English on request) and say nothing of the code behind
them: a miss names no model, a body that is not JSON says so plainly, a missing CSRF cookie is explained,
and an unexpected failure is JSON, logged as Django logs any 500 (jinan_ce/api.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from unittest import mock

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import User
from tests.fixtures import World, client_for
from tests.hours import conftest as hours_conftest
from tests.hours.test_review import submit

open_year = hours_conftest.open_year
private_storage = hours_conftest.private_storage

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    """A request in English leaves English active in this thread; later tests compare Chinese."""
    with translation.override(translation.get_language()):
        yield


def api_for(person: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(person)
    return client


def test_a_miss_says_not_found_without_the_model(world: World) -> None:
    client = api_for(world.professional)
    for url in ("/api/hours/claims/999999/", "/api/organisations/999999/", "/api/learning/courses/999999/"):
        response = client.get(url, **ZH)
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到该记录。"}
    response = client.get("/api/hours/claims/999999/", **EN)
    assert response.json() == {"detail": "Record not found."}


def test_a_bare_not_found_says_the_same(world: World) -> None:
    response = api_for(world.professional).get("/api/filings/paper-units/", **ZH)  # staff only
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到该记录。"}


def test_a_not_found_with_its_own_message_keeps_it(world: World) -> None:
    response = api_for(world.professional).get("/api/hours/claims/", {"page": "99"}, **ZH)
    assert response.status_code == 404
    assert response.json() == {"detail": "无效页面。"}  # DRF's own translation


def test_a_body_that_is_not_json(world: World, open_year: int) -> None:
    client = api_for(world.professional)
    response = client.post("/api/hours/claims/", "{", content_type="application/json", **ZH)
    assert response.status_code == 400
    assert response.json() == {"detail": "请求内容不是有效的 JSON。"}
    response = client.post("/api/hours/claims/", "{", content_type="application/json", **EN)
    assert response.json() == {"detail": "The request body is not valid JSON."}


def test_a_body_that_cannot_be_parsed(world: World, open_year: int) -> None:
    claim = submit(world.professional, open_year)
    client = api_for(world.professional)
    for response in (
        client.post("/api/hours/claims/", b"--XYZ\r\nbroken", content_type="multipart/form-data", **ZH),
        client.patch(
            f"/api/hours/claims/{claim.pk}/", b"--XYZ\r\nbroken", content_type="multipart/form-data", **ZH
        ),
    ):  # no boundary
        assert response.status_code == 400
        assert response.json() == {"detail": "请求内容格式无效，无法解析。"}


def test_a_missing_csrf_cookie_is_explained(world: World, open_year: int) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.professional)  # a browser session: the API asks it for the CSRF token
    response = client.post(
        "/api/hours/claims/",
        {"year": open_year, "rule_code": "PUB-3", "fields": {"modules": 3, "certificate_number": "JSJ-1"}},
        format="json",
        **ZH,
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "安全校验失败（CSRF），请刷新页面后重试。"}


def test_permission_messages_drf_translates_pass_through(world: World) -> None:
    response = APIClient().get("/api/hours/claims/", **ZH)
    assert response.status_code == 403
    assert response.json() == {"detail": "身份认证信息未提供。"}


def test_an_unexpected_failure_is_json_and_logged(world: World, caplog: pytest.LogCaptureFixture) -> None:
    client = api_for(world.professional)
    client.raise_request_exception = False
    with (
        mock.patch("hours.apis.selectors.default_year", side_effect=RuntimeError("boom")),
        caplog.at_level(logging.ERROR, logger="django.request"),
    ):
        response = client.get("/api/hours/rules/", **ZH)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "系统繁忙，请稍后再试。"}
    [record] = [record for record in caplog.records if record.name == "django.request"]
    assert record.getMessage() == "Internal Server Error: /api/hours/rules/"
    assert record.exc_info is not None and str(record.exc_info[1]) == "boom"


def test_an_unexpected_failure_on_a_page_is_still_the_page(world: World) -> None:
    client: Client = client_for(world.professional)
    client.raise_request_exception = False
    with mock.patch("hours.views.selectors.default_year", side_effect=RuntimeError("boom")):
        response = client.get("/hours/", **ZH)
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "系统繁忙" in response.content.decode()
