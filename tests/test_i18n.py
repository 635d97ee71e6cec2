"""The English catalogue: pages switch to English on request, Chinese stays the default, and the
committed catalogue (locale/en/LC_MESSAGES/django.po and its compiled django.mo) is complete.

Regenerate the catalogue with ``bash scripts/messages`` after changing user-facing strings."""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests.fixtures import World, client_for

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"

PLATFORM_NAME_EN = "Continuing Education Management Service Platform for Professionals"
PLATFORM_NAME_ZH = "专业技术人员继续教育管理服务平台"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e]")


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    """A request in English leaves English active in this thread (LocaleMiddleware activates, nothing
    deactivates); later tests in the same worker compare Chinese strings, so put the language back."""
    previous = translation.get_language()
    yield
    translation.activate(previous or settings.LANGUAGE_CODE)


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def navigation_of(html: str) -> str:
    """The header's navigation, without the signed-in user's name (data, not UI chrome)."""
    match = re.search(r"<header.*?</header>", html, re.S)
    assert match, "page has no <header>"
    nav = re.sub(r'<span class="navbar-text user-name">.*?</span>', "", match.group(0), flags=re.S)
    return re.sub(r"<[^>]+>", " ", nav)


def assert_english_chrome(html: str) -> None:
    assert '<html lang="en">' in html
    assert PLATFORM_NAME_EN in html
    leftover = CJK.findall(navigation_of(html))
    assert not leftover, f"Chinese left in the English navigation: {''.join(leftover)}"
    assert "Technical support" in html  # footer
    assert "技术咨询电话" not in html


# --- pages -------------------------------------------------------------------------------------------


def test_default_without_a_preference_is_chinese(world: World) -> None:
    html = Client().get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert PLATFORM_NAME_ZH in html
    assert "实名注册" in html and "登录" in html
    assert PLATFORM_NAME_EN not in html and "Sign in" not in html

    html = client_for(world.professional).get("/dashboard/").content.decode()
    assert "我的学时" in html and "工作台" in html
    assert "My hours" not in html


def test_home_page_in_english_by_accept_language(world: World) -> None:
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert_english_chrome(html)
    assert "Real-name registration" in html
    assert "Sign in" in html
    assert "Register" in html
    assert "City continuing education helpline" in html


def test_login_page_in_english_by_language_cookie(world: World) -> None:
    response = english(Client()).get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert_english_chrome(html)
    assert "Forgotten password" in html
    assert "No account? Register with your real name" in html


def test_professional_switches_to_english_through_the_footer_form(world: World) -> None:
    client = client_for(world.professional)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    html = client.get("/dashboard/").content.decode()
    assert_english_chrome(html)
    nav = navigation_of(html)
    for label in ("Dashboard", "My hours", "Hours claims", "Hours certificate", "Online learning"):
        assert label in nav
    assert "My profile" in nav and "Messages" in nav and "Sign out" in nav
    assert f"Hello, {world.professional.real_name}" in html
    assert "My continuing education" in html

    response = client.get("/hours/")
    assert response.status_code == 200
    html = response.content.decode()
    assert_english_chrome(html)
    assert "<title>My hours" in html
    assert "Public subjects" in html and "Professional subjects" in html
    assert "What is still missing" in html and "还差什么" not in html

    # and back: the same form restores Chinese
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/hours/"})
    html = client.get("/hours/").content.decode()
    assert '<html lang="zh-hans">' in html and "我的学时" in html


# --- the catalogue -----------------------------------------------------------------------------------


def parse_po(path: Path) -> list[dict[str, object]]:
    """Entries of a .po file: flags, msgid, msgid_plural and msgstr forms (index None: singular)."""
    entries: list[dict[str, object]] = []
    entry: dict[str, object] | None = None
    field: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal entry
        if entry is not None and "msgid" in entry:
            entries.append(entry)
        entry = None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}, "obsolete": False}
        if line.startswith("#~"):
            entry["obsolete"] = True
            continue
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))  # type: ignore[attr-defined]
            continue
        if line.startswith("#"):
            continue
        keyword = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$", line)
        if keyword:
            name, index, value = keyword.group(1), keyword.group(2), ast.literal_eval(keyword.group(3))
            if name.startswith("msgstr"):
                form = int(index) if index is not None else None
                entry["msgstr"][form] = value  # type: ignore[index]
                field = ("msgstr", form)
            else:
                entry[name] = value
                field = (name, None)
        elif line.startswith('"') and field is not None:
            value = ast.literal_eval(line)
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += value  # type: ignore[index]
            else:
                entry[field[0]] += value  # type: ignore[operator]
        else:
            raise AssertionError(f"unexpected line in {path.name}: {raw!r}")
    finish()
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[dict[str, object]]:
    entries = parse_po(PO_FILE)
    assert entries[0]["msgid"] == "", "the header entry comes first"
    return entries[1:]


def test_every_message_is_translated(po_entries: list[dict[str, object]]) -> None:
    assert len(po_entries) > 1000
    untranslated = []
    for entry in po_entries:
        if entry["obsolete"]:
            continue
        forms: dict[int | None, str] = entry["msgstr"]  # type: ignore[assignment]
        expected = {0, 1} if "msgid_plural" in entry else {None}
        if set(forms) != expected or not all(forms.values()) or "fuzzy" in entry["flags"]:  # type: ignore[operator]
            untranslated.append(entry["msgid"])
    assert not untranslated, f"{len(untranslated)} untranslated or fuzzy, e.g. {untranslated[:5]}"


def test_translations_keep_placeholders_and_leave_chinese_behind(
    po_entries: list[dict[str, object]],
) -> None:
    placeholder = re.compile(r"%\(\w+\)[sdf]|%[sdf]|\{\w*\}|</?\w+")
    wrong = []
    for entry in po_entries:
        forms: dict[int | None, str] = entry["msgstr"]  # type: ignore[assignment]
        source = str(entry["msgid"])
        for text in forms.values():
            if sorted(placeholder.findall(text)) != sorted(placeholder.findall(source)):
                wrong.append((source, text))
            # Chinese may only appear quoted, as a value the user must type (e.g. “合格” (passed)).
            if CJK.search(re.sub(r"“[^”]*”", "", text)):
                wrong.append((source, text))
    assert not wrong, wrong[:5]


def test_compiled_catalogue_matches_the_po_file(po_entries: list[dict[str, object]]) -> None:
    """django.mo is committed (the demo runs without gettext): it must be compiled from this .po."""
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    catalogue = compiled._catalog  # type: ignore[attr-defined]
    for entry in po_entries:
        if entry["obsolete"] or "msgid_plural" in entry:
            continue
        assert catalogue.get(entry["msgid"]) == entry["msgstr"][None], (  # type: ignore[index]
            f"django.mo is stale for {entry['msgid']!r}: run scripts/messages"
        )
