"""Browser tests: Playwright's sync API driving Debian's Chromium (never a downloaded browser) against
pytest-django's ``live_server``. Every test in this directory is marked ``e2e``.

Fixtures:
* ``browser``: one headless Chromium for the session.
* ``page``: a fresh context per test, zh-CN, desktop-sized (1280x800), ``base_url`` = live server.
* ``phone_page``: the same at phone size (390x844, touch, mobile viewport).
* ``new_page(**context_options)``: more pages, e.g. a second person in the same test.
When a test fails, a full-page screenshot of every page it opened goes to var/test-results/.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",  # root in CI containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machines have a closed network: nothing may try to phone home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS = Path(__file__).resolve().parents[2] / "var" / "test-results"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
E2E_DIRECTORY = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # This hook sees every collected item, not only this directory's.
    for item in items:
        if E2E_DIRECTORY in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    item.stash.setdefault(_reports_key, {})[report.when] = report
    return report


_reports_key = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`, which "
            "`bash scripts/test` does for you). The tests never download a browser.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(
    request: pytest.FixtureRequest, browser: Any, live_server: Any, transactional_db: None
) -> Iterator[Callable[..., Any]]:
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        settings = {
            "base_url": live_server.url,
            "locale": "zh-CN",
            "timezone_id": "Asia/Shanghai",
            "viewport": DESKTOP,
            **options,
        }
        context = browser.new_context(**settings)
        context.set_default_timeout(10_000)
        context.set_default_navigation_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make

    reports = request.node.stash.get(_reports_key, {})
    failed = any(report.failed for report in reports.values())
    for number, context in enumerate(contexts):
        if failed:
            RESULTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            for page_number, page in enumerate(context.pages):
                path = RESULTS / f"FAILED-{name}-{number}-{page_number}.png"
                try:
                    page.screenshot(path=str(path), full_page=True)
                except Exception as error:  # a crashed page must not hide the test's own failure
                    print(f"could not save {path}: {error}")
                else:
                    print(f"screenshot of the failed page: {path}")
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()


@pytest.fixture
def phone_page(new_page: Callable[..., Any]) -> Any:
    return new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


@pytest.fixture
def results_dir() -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    return RESULTS
