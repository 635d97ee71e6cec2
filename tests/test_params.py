"""Numbers in request parameters: only ASCII digits count (``jinan_ce.params.parse_int``). "²" passes
``str.isdigit()`` but ``int()`` refuses it, which used to be a 500 on every endpoint below; a malformed
number is now ignored, exactly as a non-numeric one always was."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from filings.models import TrainingFiling
from jinan_ce.params import parse_int
from learning.models import QuizAttempt
from learning.services import study
from tests.filings import conftest as filings_conftest
from tests.filings.test_pages import paper_form
from tests.fixtures import World, client_for
from tests.hours import conftest as hours_conftest
from tests.hours.test_review import submit
from tests.learning.helpers import OPEN_DAY, YEAR, quick_course, study_to_end

SUPERSCRIPT_TWO = "²"  # isdigit() is True, int() raises ValueError

# The hours tests' fixtures: an open claim year, and evidence files kept in a temporary directory.
open_year = hours_conftest.open_year
private_storage = hours_conftest.private_storage
year_rules = filings_conftest.year_rules


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024", 2024),
        (" 17 ", 17),
        ("0", 0),
        ("²", None),
        ("①", None),
        ("١٢", None),  # Arabic-Indic digits: int() would take them
        ("１２", None),  # full-width digits, likewise
        ("1_2", None),
        ("-3", None),
        ("+3", None),
        ("", None),
        ("   ", None),
        (None, None),
        ("9" * 18, 999_999_999_999_999_999),
        ("9" * 19, None),
    ],
)
def test_parse_int_takes_ascii_digits_only(value: str | None, expected: int | None) -> None:
    assert parse_int(value) == expected


def test_parse_int_max_digits() -> None:
    assert parse_int("2024", max_digits=4) == 2024
    assert parse_int("20245", max_digits=4) is None


def api_for(person: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(person)
    return client


# Each endpoint, with a role that reaches the parameter, answers the same as without the parameter.
IGNORED_PARAMETERS = [
    ("professional", "/api/learning/courses/", "year"),
    ("professional", "/api/hours/ledger/", "year"),
    ("professional", "/api/hours/rules/", "year"),
    ("professional", "/api/hours/certificates/", "year"),
    ("professional", "/api/learning/enrolments/", "year"),
    ("professional", "/api/learning/provider-choice/", "year"),
    ("city_staff", "/api/hours/integrity/", "year"),
    ("city_staff", "/api/organisations/", "parent"),
    ("unit_admin", "/api/hours/review/queue/", "stage"),
    ("unit_admin", "/api/hours/review/queue/", "unit"),
    ("unit_admin", "/api/hours/review/queue/", "year"),
]


@pytest.mark.parametrize(("role", "url", "parameter"), IGNORED_PARAMETERS)
def test_unicode_digits_in_api_parameters_are_ignored(
    world: World, open_year: int, role: str, url: str, parameter: str
) -> None:
    submit(world.professional, open_year)  # something in the review queue
    study.provider_choose(actor=world.professional, year=open_year, provider=world.provider)
    client = api_for(getattr(world, role))
    plain = client.get(url)
    assert plain.status_code == 200
    response = client.get(url, {parameter: SUPERSCRIPT_TWO})
    assert response.status_code == 200
    assert response.json() == plain.json()


@pytest.mark.parametrize("parameter", ["stage", "unit", "year", "per_page"])
def test_unicode_digits_on_the_review_queue_page_are_ignored(
    world: World, open_year: int, parameter: str
) -> None:
    claim = submit(world.professional, open_year)
    response = client_for(world.unit_admin).get("/hours/review/", {parameter: SUPERSCRIPT_TWO})
    assert response.status_code == 200
    assert [item.pk for item in response.context["page"]] == [claim.pk]


def test_a_search_in_unicode_digits_is_a_name_search(world: World, open_year: int) -> None:
    """Not a claim number: no claimant's name contains "²", so nothing is found (and nothing fails)."""
    submit(world.professional, open_year)
    page = client_for(world.unit_admin).get("/hours/review/", {"q": SUPERSCRIPT_TWO})
    assert page.status_code == 200
    assert list(page.context["page"]) == []
    response = api_for(world.unit_admin).get("/api/hours/review/queue/", {"q": SUPERSCRIPT_TWO})
    assert response.status_code == 200
    assert (response.json()["count"], response.json()["results"]) == (0, [])


def test_claim_number_search_still_takes_full_width_digits(world: World, open_year: int) -> None:
    claim = submit(world.professional, open_year)
    submit(world.professional, open_year, {"grade": "C", "certificate_number": "WY-2"})
    full_width = str(claim.pk).translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    response = client_for(world.unit_admin).get("/hours/review/", {"q": f"＃{full_width}"})
    assert [item.pk for item in response.context["page"]] == [claim.pk]


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("professional", "/hours/"),
        ("professional", "/learning/"),
        ("professional", "/hours/certificates/"),
        ("city_staff", "/hours/integrity/"),
    ],
)
def test_unicode_digits_in_page_years_are_ignored(world: World, open_year: int, role: str, url: str) -> None:
    client = client_for(getattr(world, role))
    plain = client.get(url)
    response = client.get(url, {"year": SUPERSCRIPT_TWO})
    assert (plain.status_code, response.status_code) == (200, 200)
    assert _context_year(response) == _context_year(plain)


def _context_year(response: Any) -> Any:
    return response.context.get("year") if response.context else None


def test_certificate_page_for_a_person_spelt_in_unicode_digits_is_not_found(world: World) -> None:
    response = client_for(world.city_staff).get("/hours/certificates/", {"person": SUPERSCRIPT_TWO})
    assert response.status_code == 404


def test_claim_preview_with_a_unicode_digit_year_asks_for_the_year(world: World, open_year: int) -> None:
    response = client_for(world.professional).post(
        "/hours/claims/new/PUB-2/preview/", {"year": SUPERSCRIPT_TWO, "grade": "B"}
    )
    assert response.status_code == 200
    assert response.context["preview"] == {"errors": ["请选择申报年度"]}


@pytest.fixture
def quiz_ready(world: World) -> Any:
    """A course whose lessons the professional has watched, quiz not yet taken."""
    study.provider_choose(actor=world.professional, year=YEAR, provider=world.provider)
    course = quick_course(world.provider)
    study_to_end(world.professional, course, OPEN_DAY, quiz=False)
    return course


def test_quiz_api_ignores_answers_keyed_by_unicode_digits(world: World, quiz_ready: Any) -> None:
    response = api_for(world.professional).post(
        f"/api/learning/courses/{quiz_ready.pk}/quiz/", {"answers": {SUPERSCRIPT_TWO: [1]}}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": [str(study.QUIZ_UNANSWERED)]}


def test_quiz_page_ignores_choices_spelt_in_unicode_digits(world: World, quiz_ready: Any) -> None:
    question = quiz_ready.questions.get()
    response = client_for(world.professional).post(
        f"/learning/courses/{quiz_ready.pk}/quiz/", {f"question-{question.pk}": SUPERSCRIPT_TWO}, follow=True
    )
    assert response.redirect_chain == [(f"/learning/courses/{quiz_ready.pk}/quiz/", 302)]
    assert [str(message) for message in response.context["messages"]] == [str(study.QUIZ_UNANSWERED)]
    assert not QuizAttempt.objects.filter(enrolment__course=quiz_ready).exists()


def test_a_paper_filing_for_a_unit_spelt_in_unicode_digits_is_refused_on_the_form(
    world: World, year_rules: int
) -> None:
    response = client_for(world.county_staff).post("/filings/new/", paper_form(f"paper:{SUPERSCRIPT_TWO}"))
    assert response.status_code == 200
    assert response.context["form"].selected_paper_unit is None
    assert not TrainingFiling.objects.filter(title="纸质备案的培训").exists()
