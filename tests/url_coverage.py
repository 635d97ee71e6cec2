"""Every URL pattern of the platform must be requested by some test and answer 2xx or 3xx.

The recorder wraps Django's request handler for the whole test session (test client and live
server alike) and notes the route of every successful response. When the whole suite runs with
CHECK_URL_COVERAGE=1 (scripts/test sets it for a full run), a route nobody exercised fails the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

# Routes from these URLconf modules are the platform's own; allauth's and the admin's are their
# projects' responsibility, apart from the entrances our users rely on.
OWN_MODULES = ("accounts.", "hours.", "learning.", "filings.", "jinan_ce.")
THIRD_PARTY_ROUTES_WE_RELY_ON = {
    "accounts/login/",
    "accounts/logout/",
    "accounts/signup/",
    "accounts/password/change/",
    "accounts/sessions/",
    "accounts/2fa/totp/activate/",
    "accounts/2fa/authenticate/",
    "api/schema/",
    "api/docs/",
}

exercised: set[str] = set()


def all_routes() -> set[str]:
    from django.urls import URLPattern, URLResolver, get_resolver

    routes: set[str] = set()

    def walk(patterns: list[Any], prefix: str, module: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                child_module = (
                    getattr(pattern.urlconf_module, "__name__", module)
                    if not isinstance(pattern.urlconf_module, list)
                    else module
                )
                walk(pattern.url_patterns, prefix + str(pattern.pattern), child_module)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                view_module = getattr(pattern.callback, "__module__", "")
                if (
                    module.startswith(OWN_MODULES)
                    and view_module.startswith((*OWN_MODULES, "drf_spectacular"))
                ) or route in THIRD_PARTY_ROUTES_WE_RELY_ON:
                    routes.add(route)

    walk(get_resolver().url_patterns, "", "jinan_ce.urls")
    return routes


@pytest.fixture(autouse=True, scope="session")
def _record_exercised_routes(django_test_environment: None) -> Iterator[None]:
    from django.core.handlers.base import BaseHandler

    original = BaseHandler.get_response

    def recording_get_response(self: BaseHandler, request: Any) -> Any:
        response = original(self, request)
        match = getattr(request, "resolver_match", None)
        if match is not None and 200 <= response.status_code < 400:
            exercised.add(match.route)
        return response

    BaseHandler.get_response = recording_get_response  # type: ignore[method-assign]
    yield
    BaseHandler.get_response = original  # type: ignore[method-assign]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Reports unexercised routes after a full run (REPORT_URL_COVERAGE=1 or CHECK_URL_COVERAGE=1);
    CHECK_URL_COVERAGE=1 also fails the run."""
    enforce = os.environ.get("CHECK_URL_COVERAGE") == "1"
    if not (enforce or os.environ.get("REPORT_URL_COVERAGE") == "1") or exitstatus != 0:
        return
    missing = sorted(all_routes() - exercised)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if missing:
        lines = [
            "",
            "URL patterns that no test requested with a 2xx/3xx answer:",
            *(f"  {route}" for route in missing),
        ]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=enforce, yellow=not enforce)
        if enforce:
            session.exitstatus = 1
    elif reporter is not None:
        reporter.write_line(f"URL coverage: all {len(all_routes())} routes answered 2xx/3xx in some test.")
