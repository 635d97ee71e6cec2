"""Production settings: refuse to start without secrets, pass `check --deploy`, send the security
headers, and never serve an inline script (the CSP forbids them, so one would be a broken page)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.fixtures import World, client_for

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-for-the-check-0123456789abcdef",
    "ID_NUMBER_KEYS": "x6bWmFQ-ZWyNSu1i-BtA2gTzvwpr3v5PjHB0ZDmxrGc=",
    "ID_NUMBER_HASH_KEY": "a-separate-lookup-hash-key-0123456789",
    "DATABASE_URL": "sqlite:////tmp/jinan-ce-deploy-check.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6399/0",
    "DJANGO_ALLOWED_HOSTS": "ce.example.cn",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "ID_NUMBER"))
    }
    return subprocess.run(  # noqa: S603  (fixed arguments, our own manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_its_secrets() -> None:
    result = run_manage("check", env={"DJANGO_ENV": "production"})
    assert result.returncode != 0
    assert (
        "Production settings need these environment variables: DJANGO_SECRET_KEY, ID_NUMBER_KEYS, "
        "ID_NUMBER_HASH_KEY, DATABASE_URL, REDIS_URL" in result.stderr
    )


def test_check_deploy_is_clean_on_production_settings() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_security_headers(world: World) -> None:
    response = Client().get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EXTERNAL_ORIGIN = re.compile(r"""(?:src|href)=["']https?://""", re.IGNORECASE)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        (None, "/"),
        (None, "/accounts/login/"),
        (None, "/accounts/signup/"),
        (None, "/api/docs/"),
        ("professional", "/dashboard/"),
        ("professional", "/profile/"),
        ("unit_admin", "/unit/members/"),
        ("county_staff", "/organisations/"),
        ("county_staff", "/audit/"),
    ],
)
def test_pages_have_no_inline_script_and_nothing_from_other_origins(
    world: World, who: str | None, url: str
) -> None:
    response = client_for(getattr(world, who) if who else None).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert INLINE_SCRIPT.findall(html) == []
    assert EXTERNAL_ORIGIN.findall(html) == []
