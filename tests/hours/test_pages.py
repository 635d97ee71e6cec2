"""Every hours page for every role, inside and outside its jurisdiction (outside is a 404 and a refused
action changes nothing), the private evidence view, the claim form with its preview, and the fixed
query count of 我的学时."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from hours import selectors, services
from hours.models import PREMIUM_COURSE_RULE_CODE, Claim, ClaimEvidence, ClaimStatus, LedgerEntry, YearRuleSet
from hours.rules import FIGURES_2024
from tests.fixtures import World, client_for

from .helpers import EXE_BYTES, PDF_BYTES, D, approve, evidence_file, file_claim

ROLES = [
    "anonymous",
    "professional",
    "pending_professional",
    "unit_admin",
    "other_unit_admin",
    "department_reviewer",
    "county_staff",
    "other_county_staff",
    "city_staff",
    "provider_staff",
    "platform_admin",
]
LOGIN = "login"
PROFESSIONALS = {"professional", "pending_professional"}
# Who sees 张敏's submitted claim (unit: 任城区实验中学, under 任城区教育和体育局, under 任城区).
SEES_SUBMITTED_CLAIM = {
    "professional",
    "unit_admin",
    "department_reviewer",
    "county_staff",
    "city_staff",
    "platform_admin",
}


def client(world: World, role: str) -> Client:
    return client_for(None if role == "anonymous" else getattr(world, role))


def check(response, expected: int | str) -> None:  # type: ignore[no-untyped-def]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected, (response.status_code, expected)


def expected_for(role: str, allowed: set[str]) -> int | str:
    if role == "anonymous":
        return LOGIN
    return 200 if role in allowed else 404


@pytest.fixture
def submitted(world: World, open_year: int) -> Claim:
    return file_claim(
        world.professional, open_year, "PUB-2", {"grade": "B", "certificate_number": "WY-2026-1"}
    )


@pytest.fixture
def draft(world: World, open_year: int) -> Claim:
    return services.claim_save(
        actor=world.professional,
        rule_code="PRO-6",
        year=open_year,
        fields={"qualification_name": "一级建造师", "certificate_number": "JZ1"},
        uploads=[evidence_file("资格证书.pdf")],
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "url",
    ["/hours/", "/hours/claims/", "/hours/claims/new/", "/hours/claims/new/PUB-2/", "/hours/claims/new/R1/"],
)
def test_professional_pages(world: World, open_year: int, role: str, url: str) -> None:
    check(client(world, role).get(url), expected_for(role, PROFESSIONALS))


@pytest.mark.parametrize("code", ["PRO-2", "PUB-9", "pub-2"])
def test_unclaimable_rule_pages_are_404(world: World, open_year: int, code: str) -> None:
    check(client_for(world.professional).get(f"/hours/claims/new/{code}/"), 404)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", ["/hours/rules/", "/hours/rules/2024/"])
def test_year_rules_pages(world: World, open_year: int, role: str, url: str) -> None:
    check(client(world, role).get(url), expected_for(role, {"city_staff", "platform_admin"}))


def test_year_rules_page_for_a_missing_year(world: World, open_year: int) -> None:
    check(client_for(world.city_staff).get("/hours/rules/1999/"), 404)


@pytest.mark.parametrize("role", ROLES)
def test_claim_detail_and_evidence(world: World, submitted: Claim, role: str) -> None:
    evidence = submitted.evidence.get()
    expected = expected_for(role, SEES_SUBMITTED_CLAIM)
    http = client(world, role)
    check(http.get(f"/hours/claims/{submitted.pk}/"), expected)
    response = http.get(f"/hours/claims/{submitted.pk}/evidence/{evidence.pk}/")
    check(response, expected)
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("inline")
        assert b"".join(response.streaming_content).startswith(PDF_BYTES)


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_is_its_authors_alone(world: World, draft: Claim, role: str) -> None:
    evidence = draft.evidence.get()
    expected = expected_for(role, {"professional"})
    http = client(world, role)
    check(http.get(f"/hours/claims/{draft.pk}/"), expected)
    check(http.get(f"/hours/claims/{draft.pk}/edit/"), expected)
    check(http.get(f"/hours/claims/{draft.pk}/evidence/{evidence.pk}/"), expected)


def test_evidence_of_another_claim_is_404(world: World, submitted: Claim, draft: Claim) -> None:
    other = draft.evidence.get()
    check(client_for(world.unit_admin).get(f"/hours/claims/{submitted.pk}/evidence/{other.pk}/"), 404)


@pytest.mark.parametrize("role", [role for role in ROLES if role != "professional"])
def test_others_cannot_act_on_a_claim(world: World, draft: Claim, role: str) -> None:
    http = client(world, role)
    evidence = draft.evidence.get()
    expected = LOGIN if role == "anonymous" else 404
    check(http.post(f"/hours/claims/{draft.pk}/submit/"), expected)
    check(http.post(f"/hours/claims/{draft.pk}/withdraw/"), expected)
    check(http.post(f"/hours/claims/{draft.pk}/evidence/{evidence.pk}/remove/"), expected)
    check(
        http.post(
            f"/hours/claims/{draft.pk}/edit/",
            {"year": draft.year, "qualification_name": "改", "certificate_number": "JZ1"},
        ),
        expected,
    )
    draft.refresh_from_db()
    assert (draft.status, draft.fields["qualification_name"], draft.evidence.count()) == (
        ClaimStatus.DRAFT,
        "一级建造师",
        1,
    )


@pytest.mark.parametrize("role", [role for role in ROLES if role not in ("city_staff", "platform_admin")])
def test_others_cannot_change_year_rules(world: World, open_year: int, role: str) -> None:
    http = client(world, role)
    expected = LOGIN if role == "anonymous" else 404
    check(http.post("/hours/rules/", {"from_year": 2024, "to_year": 2040}), expected)
    check(http.post("/hours/rules/2024/", {"public_required": "99"}), expected)
    assert not YearRuleSet.objects.filter(year=2040).exists()
    assert YearRuleSet.objects.get(year=2024).figures == FIGURES_2024.to_dict()


# --- The claim form ----------------------------------------------------------------------------------


def test_claim_form_shows_the_rule_only(world: World, open_year: int) -> None:
    page = client_for(world.professional).get("/hours/claims/new/PUB-2/").content.decode()
    assert "参加全国职称外语考试成绩合格的" in page  # the notice, quoted
    assert 'name="grade"' in page and 'name="certificate_number"' in page
    assert 'name="from_month"' not in page and 'name="modules"' not in page
    assert 'type="file"' in page and "multiple" in page
    assert 'hx-post="/hours/claims/new/PUB-2/preview/"' in page
    assert "<script>" not in page and " style=" not in page  # CSP: 'self' only


def test_chooser_shows_pro_2_greyed(world: World, open_year: int) -> None:
    page = client_for(world.professional).get("/hours/claims/new/").content.decode()
    for title in ("公需科目", "专业科目", "其他", "全国职称外语考试", "按实际在岗时间折算"):
        assert title in page
    assert 'href="/hours/claims/new/PRO-2/"' not in page
    assert "个人无需申报" in page


def test_preview_partial(world: World, open_year: int) -> None:
    http = client_for(world.professional)
    response = http.post(
        "/hours/claims/new/PUB-2/preview/",
        {"year": open_year, "grade": "B", "certificate_number": "WY1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert '<strong class="fs-4 text-success" data-testid="preview-hours">20</strong>' in page
    assert "<html" not in page
    response = http.post("/hours/claims/new/PUB-2/preview/", {"year": open_year, "grade": ""})
    page = response.content.decode()
    assert "请填写合格级别" in page and "请填写成绩通知书编号" in page
    response = http.post(
        "/hours/claims/new/PRO-5/preview/",
        {
            "year": open_year,
            "activity": "exam_marking",
            "days": "1",
            "hours": "10",
            "invitation_number": "Y1",
        },
    )
    assert "每天不超过8学时" in response.content.decode()
    assert Claim.objects.count() == 0


def test_preview_without_javascript(world: World, open_year: int) -> None:
    response = client_for(world.professional).post(
        "/hours/claims/new/PUB-2/",
        {"year": open_year, "grade": "A", "certificate_number": "WY1", "action": "preview"},
    )
    assert response.status_code == 200
    assert 'data-testid="preview-hours">30<' in response.content.decode()
    assert Claim.objects.count() == 0


def test_file_a_claim_through_the_form(world: World, open_year: int) -> None:
    http = client_for(world.professional)
    response = http.post(
        "/hours/claims/new/PUB-2/",
        {
            "year": open_year,
            "grade": "B",
            "certificate_number": "WY1",
            "action": "submit",
            "evidence": [evidence_file(), evidence_file("第二页.pdf")],
        },
    )
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/hours/claims/{claim.pk}/"
    assert (claim.status, claim.preview_hours, claim.evidence.count()) == (ClaimStatus.SUBMITTED, D(20), 2)
    page = http.get(response["Location"]).content.decode()
    assert "审核中" in page and "申报已提交，请等待审核。" in page
    # Once submitted it is not editable any more.
    assert http.get(f"/hours/claims/{claim.pk}/edit/")["Location"] == f"/hours/claims/{claim.pk}/"


def test_save_a_draft_then_edit_and_submit(world: World, open_year: int) -> None:
    http = client_for(world.professional)
    http.post(
        "/hours/claims/new/PRO-3/",
        {"year": open_year, "courses": "2", "certificate_number": "ZK1", "action": "draft"},
    )
    claim = Claim.objects.get()
    assert claim.status == ClaimStatus.DRAFT
    http.post(
        f"/hours/claims/{claim.pk}/edit/",
        {
            "year": open_year,
            "courses": "3",
            "certificate_number": "ZK1",
            "action": "submit",
            "evidence": [evidence_file()],
        },
    )
    claim.refresh_from_db()
    assert (claim.status, claim.fields["courses"], claim.preview_hours) == (ClaimStatus.SUBMITTED, 3, D(30))
    http.post(f"/hours/claims/{claim.pk}/withdraw/")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN


def test_submit_without_evidence_keeps_the_draft(world: World, open_year: int) -> None:
    http = client_for(world.professional)
    response = http.post(
        "/hours/claims/new/PRO-6/",
        {
            "year": open_year,
            "qualification_name": "一级建造师",
            "certificate_number": "JZ1",
            "action": "submit",
        },
    )
    claim = Claim.objects.get()
    assert response["Location"] == f"/hours/claims/{claim.pk}/edit/"
    assert claim.status == ClaimStatus.DRAFT
    page = http.get(response["Location"]).content.decode()
    assert "请先上传证明材料（资格证书），再提交审核。" in page


def test_refused_file_and_bad_fields_show_on_the_form(world: World, open_year: int) -> None:
    http = client_for(world.professional)
    response = http.post(
        "/hours/claims/new/PUB-2/",
        {
            "year": open_year,
            "grade": "A",
            "certificate_number": "WY1",
            "action": "draft",
            "evidence": [evidence_file("成绩.pdf", EXE_BYTES)],
        },
    )
    assert response.status_code == 200
    assert "“成绩.pdf”不是PDF、JPG或PNG文件。" in response.content.decode()
    response = http.post(
        "/hours/claims/new/PUB-1/",
        {"year": open_year, "from_month": "9", "to_month": "3", "document_number": "X", "action": "draft"},
    )
    assert "结束月份不能早于开始月份" in response.content.decode()
    assert Claim.objects.count() == 0
    assert ClaimEvidence.objects.count() == 0


def test_window_closed_message_on_submit(world: World, open_year: int) -> None:
    claim = services.claim_save(
        actor=world.professional,
        rule_code="PUB-2",
        year=2024,
        fields={"grade": "A", "certificate_number": "W"},
        uploads=[evidence_file()],
    )
    http = client_for(world.professional)
    response = http.post(f"/hours/claims/{claim.pk}/submit/", follow=True)
    assert "2024年度学时申报已于2025年3月31日截止，不能再申报" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT


def test_remove_evidence_page(world: World, draft: Claim) -> None:
    evidence = draft.evidence.get()
    client_for(world.professional).post(f"/hours/claims/{draft.pk}/evidence/{evidence.pk}/remove/")
    assert draft.evidence.count() == 0


# --- My hours ----------------------------------------------------------------------------------------


def post_courses(person: User, year: int, count: int, start: int = 0) -> None:
    for number in range(start, start + count):
        services.ledger_post_credit(
            person=person,
            year=year,
            category="professional",
            hours=D(1),
            source_type="import",
            source_id=f"roster-{number}",
            memo=f"导入名单第{number}行",
            actor=None,
        )


def test_my_hours_query_count_is_fixed(world: World, open_year: int) -> None:
    """The same number of queries with 1 ledger entry as with 30 (no query per entry)."""
    http = client_for(world.professional)
    post_courses(world.professional, open_year, 1, start=0)
    http.get("/hours/")  # warms the session and the cached rule set
    with CaptureQueriesContext(connection) as one:
        response = http.get("/hours/")
    assert response.content.decode().count("导入名单第") == 1
    post_courses(world.professional, open_year, 29, start=1)
    with CaptureQueriesContext(connection) as thirty:
        response = http.get("/hours/")
    assert response.content.decode().count("导入名单第") == 30
    assert len(thirty.captured_queries) == len(one.captured_queries), [
        q["sql"] for q in thirty.captured_queries
    ]
    ledger_queries = [q["sql"] for q in thirty.captured_queries if "hours_" in q["sql"]]
    # The entries and R1; the year's totals are summed from the entries the page lists (issue 8: the
    # aggregate query is gone).
    assert len(ledger_queries) == 2


def ledger_fragment_key(person: User, year: int, language: str = "zh-hans") -> str:
    ids = LedgerEntry.objects.filter(person=person, year=year).order_by("created_at", "id").values_list("pk")
    return make_template_fragment_key(
        "hours_ledger", [person.pk, year, ",".join(str(pk) for (pk,) in ids), language]
    )


def test_my_hours_ledger_table_is_cached_until_the_ledger_changes(world: World, open_year: int) -> None:
    """The table is rendered once per state of the ledger (append-only: a new entry, a reversal
    included, is a new id), per language."""
    person = world.professional
    http = client_for(person)
    post_courses(person, open_year, 2)
    page = http.get("/hours/").content.decode()
    assert page.count("导入名单第") == 2
    key = ledger_fragment_key(person, open_year)
    assert "导入名单第1行" in cache.get(key)
    cache.set(key, '<p id="from-the-cache"></p>', 600)  # a marker: the next page must take the cache's
    page = http.get("/hours/").content.decode()
    assert '<p id="from-the-cache"></p>' in page and "导入名单第" not in page
    assert "2 / 60 学时" in page  # the summary is not cached
    post_courses(person, open_year, 1, start=2)  # a new entry: a new key, the table rendered afresh
    page = http.get("/hours/").content.decode()
    assert "from-the-cache" not in page
    assert (
        page.count("导入名单第") == 3 and '学时记录 <span class="text-secondary fw-normal">(3)</span>' in page
    )
    entry = LedgerEntry.objects.get(person=person, year=open_year, source_id="roster-2")
    services.ledger_reverse(entry=entry, actor=world.county_staff, reason="重复导入")
    page = http.get("/hours/").content.decode()
    assert page.count("冲销</span>") == 1 and "(4)</span>" in page
    assert "2 / 60 学时" in page
    assert cache.get(ledger_fragment_key(person, open_year, "en")) is None
    english = http.get("/hours/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.wsgi_request.LANGUAGE_CODE == "en"
    assert cache.get(ledger_fragment_key(person, open_year, "en")) is not None  # one per language


def test_year_totals_from_the_listed_entries_equal_the_aggregate(world: World, open_year: int) -> None:
    """我的学时 sums the year from the entries it lists; the API and the dashboard use the aggregate
    query. Both must agree, reversals and the premium course included."""
    person = world.professional
    postings = [
        ("public_compulsory", D(20), "course", "c1", ""),
        ("public_elective", D("7.5"), "course", "c2", ""),
        ("public_conversion", D(12), "claim", "9001", "PUB-2"),
        ("professional", D(30), "programme", "p1", PREMIUM_COURSE_RULE_CODE),
        ("professional", D(8), "import", "r1", ""),
    ]
    for category, hours, source_type, source_id, rule_code in postings:
        services.ledger_post_credit(
            person=person,
            year=open_year,
            category=category,
            hours=hours,
            source_type=source_type,
            source_id=source_id,
            memo="",
            actor=None,
            rule_code=rule_code,
        )

    def both() -> tuple[selectors.YearSummary, selectors.YearSummary]:
        entries = list(selectors.ledger_entries_of(person, open_year))
        return selectors.year_summary(person, open_year), selectors.year_summary(
            person, open_year, entries=entries
        )

    aggregate, summed = both()
    assert summed == aggregate
    assert (summed.compulsory, summed.elective, summed.conversion, summed.professional) == (
        D(20),
        D("7.5"),
        D(12),
        D(38),
    )
    assert summed.premium_course_completed is True
    premium = LedgerEntry.objects.get(person=person, source_id="p1")
    services.ledger_reverse(entry=premium, actor=world.county_staff, reason="撤销")
    aggregate, summed = both()
    assert summed == aggregate
    assert summed.professional == D(8) and summed.premium_course_completed is False
    with pytest.raises(ValueError):
        selectors.year_summary(
            world.unit_admin, open_year, entries=list(selectors.ledger_entries_of(person, open_year))
        )


def test_my_hours_page(world: World, open_year: int) -> None:
    person = world.professional
    claim = file_claim(person, open_year, "PUB-1", {"from_month": 1, "to_month": 5, "document_number": "援1"})
    approve(claim, world.county_staff)
    services.ledger_post_credit(
        person=person,
        year=open_year,
        category="public_compulsory",
        hours=D(20),
        source_type="course",
        source_id="c1",
        memo="习近平新时代中国特色社会主义思想",
        actor=None,
    )
    page = client_for(person).get("/hours/").content.decode()
    assert f"{open_year}年度继续教育" in page
    assert "32.5 / 30 学时" in page  # 20 compulsory + 12.5 conversion
    assert "0 / 60 学时" in page
    assert "未达标" in page
    assert "专业科目还差 60 学时" in page
    assert "公需科目还差" not in page
    assert f'href="/hours/claims/{claim.pk}/"' in page
    assert "12.5" in page
    # Another year through the selector.
    page = client_for(person).get("/hours/?year=2024").content.decode()
    assert "2024年度继续教育" in page and "本年度暂无学时记录。" in page


def test_dashboard_shows_the_years_progress(world: World, open_year: int) -> None:
    page = client_for(world.professional).get("/dashboard/").content.decode()
    assert 'data-panel="hours"' in page
    assert f"{open_year}年度学时" in page
    assert 'data-placeholder="hours"' not in page
    assert 'data-panel="hours"' not in client_for(world.unit_admin).get("/dashboard/").content.decode()


def test_navigation(world: World, open_year: int) -> None:
    page = client_for(world.professional).get("/dashboard/").content.decode()
    assert 'href="/hours/"' in page and 'href="/hours/claims/"' in page
    page = client_for(world.city_staff).get("/dashboard/").content.decode()
    assert 'href="/hours/rules/"' in page and 'href="/hours/claims/"' not in page


# --- Year rules pages --------------------------------------------------------------------------------


def test_city_staff_copy_and_edit_a_year(world: World, open_year: int) -> None:
    http = client_for(world.city_staff)
    response = http.post("/hours/rules/", {"from_year": open_year, "to_year": open_year + 1})
    assert response["Location"] == f"/hours/rules/{open_year + 1}/"
    page = http.get(response["Location"]).content.decode()
    assert "公需科目年度要求（学时）" in page and "A级" in page
    data = {
        key: value
        for key, value in selectors.year_figures(open_year + 1).to_dict().items()
        if not isinstance(value, dict) and key != "year"
    }
    for table, values in selectors.year_figures(open_year + 1).to_dict().items():
        if isinstance(values, dict):
            for code, value in values.items():
                data[f"{table}__{code}"] = value
    data["professional_required"] = "72"
    data["foreign_language_exam_hours__B"] = "25"
    response = http.post(f"/hours/rules/{open_year + 1}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    figures = selectors.year_figures(open_year + 1)
    assert (figures.professional_required, figures.foreign_language_exam_hours["B"]) == (D(72), D(25))
    assert figures.public_required == D(30)
    # A bad value is refused with the message, nothing saved.
    data["claim_window_closes"] = f"{open_year}-01-01"
    response = http.post(f"/hours/rules/{open_year + 1}/", data)
    assert response.status_code == 200
    assert "申报截止日期不能早于开始日期" in response.content.decode()
    assert LedgerEntry.objects.count() == 0


def test_claim_list_query_count_is_fixed(world: World, open_year: int) -> None:
    person = world.professional
    http = client_for(person)

    def add_claims(numbers: range) -> None:
        for number in numbers:
            services.claim_create_draft(
                actor=person,
                year=open_year,
                rule_code="PRO-6",
                fields={"qualification_name": "资格", "certificate_number": f"Q{number}"},
            )

    add_claims(range(1))
    http.get("/hours/claims/")
    with CaptureQueriesContext(connection) as one:
        http.get("/hours/claims/")
    add_claims(range(1, 20))
    with CaptureQueriesContext(connection) as twenty:
        page = http.get("/hours/claims/").content.decode()
    assert page.count("data-claim=") == 20
    assert len(twenty.captured_queries) == len(one.captured_queries)
