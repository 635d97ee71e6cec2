"""The review workflow's pages and API in use: the queue with its filters, overdue items and a fixed
query count per page; the review page with evidence inline (the evidence may be framed by this site
only); bulk approval's summary; the claimant's trail; the dashboard panel and the navigation; the
integrity archive's export; the chain settings."""

from __future__ import annotations

import datetime
import io
import itertools
import re
from typing import Any

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts import identity
from accounts.models import AuditEvent
from hours import review, services
from hours.models import Claim, ClaimReviewStage, ClaimStatus, ReviewRecord, ReviewStageTemplate
from tests.fixtures import World, client_for

from .helpers import PNG_BYTES
from .test_review import decide, open_stage, submit

_numbers = itertools.count(1)


def waiting(world: World, year: int, count: int) -> list[Claim]:
    return [
        submit(world.professional, year, {"grade": "C", "certificate_number": f"Q-{next(_numbers)}"})
        for _ in range(count)
    ]


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


# --- The queue --------------------------------------------------------------------------------------------


def test_queue_page_takes_the_same_queries_for_1_and_30_claims(world: World, open_year: int) -> None:
    http = client_for(world.unit_admin)
    waiting(world, open_year, 1)
    http.get("/hours/review/")
    with CaptureQueriesContext(connection) as one:
        assert http.get("/hours/review/").status_code == 200
    waiting(world, open_year, 29)
    http.get("/hours/review/")  # the counts were dropped by the new claims: read them again, as above
    with CaptureQueriesContext(connection) as thirty:
        body = http.get("/hours/review/", {"per_page": 50}).content.decode()
    assert body.count("data-claim=") == 30
    assert len(thirty.captured_queries) == len(one.captured_queries)
    # The API's page too.
    api = APIClient()
    api.force_authenticate(world.unit_admin)
    api.get("/api/hours/review/queue/")
    with CaptureQueriesContext(connection) as listed:
        data = api.get("/api/hours/review/queue/").json()
    assert data["count"] == 30 and len(data["results"]) == 30
    assert len(listed.captured_queries) <= len(one.captured_queries)


def test_queue_pages_by_20_or_as_chosen_and_keeps_the_filters(world: World, open_year: int) -> None:
    """20 a page by default (a fast first page); 50 or 100 on request, kept across pages; anything else
    falls back to 20."""
    waiting(world, open_year, 51)
    http = client_for(world.unit_admin)
    first = http.get("/hours/review/", {"year": open_year, "rule": "PUB-2"}).content.decode()
    assert first.count("data-claim=") == 20
    assert f"year={open_year}&amp;rule=PUB-2&amp;page=2" in first
    assert '<option value="20" selected>20</option>' in first
    third = http.get("/hours/review/", {"year": open_year, "rule": "PUB-2", "page": 3}).content.decode()
    assert third.count("data-claim=") == 11
    fifty = {"year": open_year, "rule": "PUB-2", "per_page": 50}
    first = http.get("/hours/review/", fifty).content.decode()
    assert first.count("data-claim=") == 50
    assert f"year={open_year}&amp;rule=PUB-2&amp;per_page=50&amp;page=2" in first
    assert '<option value="50" selected>50</option>' in first
    second = http.get("/hours/review/", {**fifty, "page": 2}).content.decode()
    assert second.count("data-claim=") == 1
    hundred = http.get("/hours/review/", {"per_page": 100}).content.decode()
    assert hundred.count("data-claim=") == 51
    for odd in ("7", "abc", "1000"):
        assert http.get("/hours/review/", {"per_page": odd}).content.decode().count("data-claim=") == 20


def test_queue_filters_overdue_and_malformed_parameters(world: World, open_year: int) -> None:
    fresh, late = waiting(world, open_year, 2)
    past = timezone.now() - datetime.timedelta(days=2)
    Claim.objects.filter(pk=late.pk).update(review_due_at=past)
    ClaimReviewStage.objects.filter(claim=late, state="open").update(due_at=past)
    http = client_for(world.unit_admin)
    body = http.get("/hours/review/").content.decode()
    assert f'data-claim="{late.pk}" class="table-danger" data-overdue="1"' in body
    assert f'data-claim="{fresh.pk}">' in body
    overdue = http.get("/hours/review/", {"status": "overdue"}).content.decode()
    assert f'data-claim="{late.pk}"' in overdue and f'data-claim="{fresh.pk}"' not in overdue
    searched = http.get("/hours/review/", {"q": f"#{fresh.pk}"}).content.decode()
    assert f'data-claim="{fresh.pk}"' in searched and f'data-claim="{late.pk}"' not in searched
    for params in (
        {"year": "abc", "stage": "9", "unit": "x", "from": "2024-13-40", "status": "bogus", "rule": "NOPE"},
        {"page": "999"},
        {"q": "x" * 500},
    ):
        assert http.get("/hours/review/", params).status_code == 200
    assert http.get("/hours/review/", {"rule": "PRO-4"}).content.decode().count("data-claim=") == 0
    # The dashboard panel counts the same.
    dashboard = http.get("/dashboard/").content.decode()
    assert 'data-panel="review"' in dashboard
    assert 'data-testid="review-pending">2<' in dashboard
    assert 'data-testid="review-overdue">1<' in dashboard


def test_handled_lists(world: World, open_year: int) -> None:
    approved, returned, rejected = waiting(world, open_year, 3)
    decide(world.unit_admin, approved)
    decide(world.unit_admin, returned, "return", comment="请补充")
    decide(world.unit_admin, rejected, "reject", comment="不符合")
    http = client_for(world.unit_admin)
    for status, claim in (("approved", approved), ("returned", returned), ("rejected", rejected)):
        body = http.get("/hours/review/", {"status": status}).content.decode()
        assert body.count("data-claim=") == 1 and f'data-claim="{claim.pk}"' in body
    api = APIClient()
    api.force_authenticate(world.unit_admin)
    counts = api.get("/api/hours/review/counts/").json()
    assert counts == {"pending": 0, "overdue": 0, "approved": 1, "returned": 1, "rejected": 1, "by_stage": []}


def test_navigation_entries(world: World) -> None:
    for role, entries in (
        ("professional", set()),
        ("unit_admin", {"审核工作台"}),
        ("department_reviewer", {"审核工作台"}),
        ("county_staff", {"审核工作台", "诚信档案"}),
        ("city_staff", {"审核工作台", "诚信档案"}),
        ("platform_admin", set()),
        ("provider_staff", set()),
    ):
        body = client_for(getattr(world, role)).get("/dashboard/").content.decode()
        assert {entry for entry in ("审核工作台", "诚信档案") if f">{entry}</a>" in body} == entries, role


# --- Deciding ---------------------------------------------------------------------------------------------


def test_review_page_shows_evidence_inline_and_decides(world: World, open_year: int) -> None:
    claim = services.claim_save(
        actor=world.professional,
        rule_code="PUB-2",
        year=open_year,
        fields={"grade": "A", "certificate_number": "WY-PNG"},
        uploads=[SimpleUploadedFile("成绩单.png", PNG_BYTES, content_type="image/png")],
    )
    from .helpers import evidence_file

    services.claim_evidence_add(actor=world.professional, claim_id=claim.pk, upload=evidence_file())
    claim = services.claim_submit(actor=world.professional, claim_id=claim.pk)
    http = client_for(world.unit_admin)
    body = http.get(
        f"/hours/review/claims/{claim.pk}/", {"next": "/hours/review/?year=2026"}
    ).content.decode()
    evidence = list(claim.evidence.order_by("id"))
    assert (
        f'<img class="img-fluid border rounded" src="/hours/claims/{claim.pk}/evidence/{evidence[0].pk}/"'
        in body
    )
    assert (
        '<iframe class="w-100 border rounded evidence-frame" '
        f'src="/hours/claims/{claim.pk}/evidence/{evidence[1].pk}/"' in body
    )
    assert 'data-testid="credit-now">30' in body
    assert f'name="stage" value="{open_stage(claim).pk}"' in body
    assert 'href="/hours/review/?year=2026"' in body
    # A next that leaves the site is dropped.
    assert (
        'href="https://evil.example'
        not in http.get(
            f"/hours/review/claims/{claim.pk}/", {"next": "https://evil.example/"}
        ).content.decode()
    )
    # The evidence may be framed by this site only.
    for item in evidence:
        response = http.get(f"/hours/claims/{claim.pk}/evidence/{item.pk}/")
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
    # Other pages still refuse to be framed.
    assert http.get("/hours/review/")["X-Frame-Options"] == "DENY"
    response = http.post(
        f"/hours/review/claims/{claim.pk}/decide/",
        {
            "decision": "approve",
            "comment": "",
            "stage": open_stage(claim).pk,
            "next": "/hours/review/?year=2026",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/hours/review/?year=2026"
    assert messages_of(response) == ["已审核通过，申报已转至主管部门审核。"]


def test_a_stale_page_says_the_claim_moved(world: World, open_year: int) -> None:
    (claim,) = waiting(world, open_year, 1)
    seen = open_stage(claim).pk
    decide(world.unit_admin, claim)
    response = client_for(world.unit_admin).post(
        f"/hours/review/claims/{claim.pk}/decide/", {"decision": "approve", "stage": seen}, follow=True
    )
    assert messages_of(response) == [str(review.REVIEW_ALREADY_HANDLED)]
    assert Claim.objects.get(pk=claim.pk).current_stage == 2


def test_return_needs_a_comment_on_the_page(world: World, open_year: int) -> None:
    (claim,) = waiting(world, open_year, 1)
    response = client_for(world.unit_admin).post(
        f"/hours/review/claims/{claim.pk}/decide/",
        {"decision": "return", "comment": "", "stage": open_stage(claim).pk},
        follow=True,
    )
    assert messages_of(response) == [str(review.REVIEW_COMMENT_REQUIRED)]
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.SUBMITTED


def test_final_approval_on_the_page(world: World, open_year: int) -> None:
    (claim,) = waiting(world, open_year, 1)
    decide(world.unit_admin, claim)
    decide(world.department_reviewer, claim)
    http = client_for(world.county_staff)
    assert "本环节为终审" in http.get(f"/hours/review/claims/{claim.pk}/").content.decode()
    response = http.post(
        f"/hours/review/claims/{claim.pk}/decide/",
        {"decision": "approve", "stage": open_stage(claim).pk},
        follow=True,
    )
    assert messages_of(response) == ["已审批通过，认定10学时，已记入申报人的学时记录。"]
    assert response.redirect_chain[-1][0] == "/hours/review/"


def test_bulk_approval_summary(world: World, open_year: int) -> None:
    first, moved, third = waiting(world, open_year, 3)
    items = [f"{c.pk}:{open_stage(c).pk}" for c in (first, moved, third)] + ["junk", "x:1"]
    decide(world.unit_admin, moved)
    response = client_for(world.unit_admin).post(
        "/hours/review/bulk/", {"items": items, "comment": "材料齐全", "next": "/hours/review/"}, follow=True
    )
    assert messages_of(response) == [
        f"已通过2项申报：#{first.pk}、#{third.pk}。",
        f"申报#{moved.pk}未处理：{review.REVIEW_ALREADY_HANDLED}",
    ]
    nothing = client_for(world.unit_admin).post("/hours/review/bulk/", {"comment": "x"}, follow=True)
    assert messages_of(nothing) == [str(review.REVIEW_NOTHING_SELECTED)]


def test_revocation_on_the_page(world: World, open_year: int) -> None:
    (claim,) = waiting(world, open_year, 1)
    for reviewer in (world.unit_admin, world.department_reviewer, world.county_staff):
        decide(reviewer, claim)
    http = client_for(world.city_staff)
    assert 'data-testid="revoke-form"' in http.get(f"/hours/review/claims/{claim.pk}/").content.decode()
    empty = http.post(f"/hours/review/claims/{claim.pk}/revoke/", {"reason": ""}, follow=True)
    assert messages_of(empty) == [str(review.REVOKE_REASON_REQUIRED)]
    done = http.post(f"/hours/review/claims/{claim.pk}/revoke/", {"reason": "证书系伪造"}, follow=True)
    assert messages_of(done) == ["申报已撤销，学时已冲销，并已记入诚信档案。"]
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.REVOKED
    assert 'data-testid="revoke-form"' not in http.get(f"/hours/review/claims/{claim.pk}/").content.decode()


# --- The claimant's view of the trail ---------------------------------------------------------------------


def test_claimant_sees_the_stages_the_trail_and_the_return_comment(world: World, open_year: int) -> None:
    (claim,) = waiting(world, open_year, 1)
    decide(world.unit_admin, claim)
    decide(world.department_reviewer, claim, "return", comment="请上传清晰的成绩通知书")
    body = client_for(world.professional).get(f"/hours/claims/{claim.pk}/").content.decode()
    assert 'data-testid="review-comment"' in body and "请上传清晰的成绩通知书" in body
    assert "任城区教育和体育局退回修改" in body
    assert 'data-testid="review-stages"' in body and 'data-testid="review-trail"' in body
    for text in ("提交审核", "审核通过", "退回修改", "实验中学孙主任", "教体局赵老师"):
        assert text in body
    assert "IP地址" not in body  # reviewers' addresses are for reviewers
    reviewer_view = client_for(world.county_staff).get(f"/hours/claims/{claim.pk}/").content.decode()
    assert "IP地址" in reviewer_view  # (these decisions were taken without a request: no address)
    api = APIClient()
    api.force_authenticate(world.professional)
    trail = api.get(f"/api/hours/claims/{claim.pk}/trail/").json()
    assert [(r["decision"], r["actor_name"], r["ip_address"]) for r in trail["records"]] == [
        ("submit", "张敏", None),
        ("approve", "实验中学孙主任", None),
        ("return", "教体局赵老师", None),
    ]
    assert [s["state"] for s in trail["stages"]] == ["approved", "returned", "cancelled"]


def test_records_carry_the_client_address(world: World, open_year: int) -> None:
    (claim,) = waiting(world, open_year, 1)
    client_for(world.unit_admin).post(
        f"/hours/review/claims/{claim.pk}/decide/",
        {"decision": "approve", "stage": open_stage(claim).pk},
        HTTP_X_FORWARDED_FOR="10.8.0.7, 10.0.0.1",
    )
    record = claim.review_records.order_by("-id").first()
    assert record is not None and (record.decision, record.ip_address) == ("approve", "10.8.0.7")


def test_the_claimants_address_is_shown_to_nobody_and_reviewers_addresses_only_to_reviewers(
    world: World, open_year: int
) -> None:
    from accounts.request_context import current_ip

    submitted_from = current_ip.set("203.0.113.77")  # as the request middleware sets it
    try:
        (claim,) = waiting(world, open_year, 1)
    finally:
        current_ip.reset(submitted_from)
    assert ReviewRecord.objects.get(claim=claim, decision="submit").ip_address == "203.0.113.77"
    client_for(world.unit_admin).post(
        f"/hours/review/claims/{claim.pk}/decide/",
        {"decision": "approve", "stage": open_stage(claim).pk},
        REMOTE_ADDR="10.8.0.7",
    )
    expected = {
        "reviewer": [("submit", None), ("approve", "10.8.0.7")],
        "claimant": [("submit", None), ("approve", None)],
    }
    for viewer, seen in (
        (world.county_staff, "reviewer"),
        (world.department_reviewer, "reviewer"),
        (world.professional, "claimant"),
    ):
        api = APIClient()
        api.force_authenticate(viewer)
        trail = api.get(f"/api/hours/claims/{claim.pk}/trail/").json()
        assert [(r["decision"], r["ip_address"]) for r in trail["records"]] == expected[seen], viewer
    page = client_for(world.department_reviewer).get(f"/hours/review/claims/{claim.pk}/").content.decode()
    assert "10.8.0.7" in page and "203.0.113.77" not in page
    own = client_for(world.professional).get(f"/hours/claims/{claim.pk}/").content.decode()
    assert "10.8.0.7" not in own and "203.0.113.77" not in own


# --- The integrity archive --------------------------------------------------------------------------------


def test_integrity_export_masks_id_numbers_and_is_audited(world: World, open_year: int) -> None:
    (claim,) = waiting(world, open_year, 1)
    for reviewer in (world.unit_admin, world.department_reviewer, world.county_staff):
        decide(reviewer, claim)
    review.claim_revoke(actor=world.county_staff, claim_id=claim.pk, reason='=HYPERLINK("x")伪造')
    http = client_for(world.city_staff)
    page = http.get("/hours/integrity/", {"year": open_year, "q": "张"}).content.decode()
    assert "张敏" in page and world.professional.id_number_masked in page
    assert "张敏" not in http.get("/hours/integrity/", {"q": "李"}).content.decode()
    response = http.get("/hours/integrity/", {"year": open_year, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "姓名",
        "身份证号码",
        "单位",
        "年度",
        "申报编号",
        "申报事项",
        "冲销学时",
        "撤销原因",
        "撤销人",
        "撤销机构",
        "记录时间",
    ]
    assert rows[1][:10] == [
        "张敏",
        world.professional.id_number_masked,
        "任城区实验中学",
        open_year,
        claim.pk,
        "PUB-2 全国职称外语考试",
        "10",
        '\'=HYPERLINK("x")伪造',
        "任城区李干事",
        "任城区人力资源和社会保障局",
    ]
    assert "*" in rows[1][1]
    assert AuditEvent.objects.filter(action="hours.integrity.export", actor=world.city_staff).count() == 1


# --- The chain settings -----------------------------------------------------------------------------------


def test_chain_settings_page(world: World) -> None:
    http = client_for(world.county_staff)
    body = http.get("/hours/review/chain/").content.decode()
    assert "任城区人力资源和社会保障局" in body and "沿用全市默认流程" in body
    assert "单位审核（7天） → 主管部门审核（7天） → 人社部门审批（10天）" in body
    wrong = http.post("/hours/review/chain/", {"action": "save", "use_1": "on", "days_1": 7} | _days())
    assert wrong.status_code == 200 and str(review.CHAIN_LAST_STAGE) in wrong.content.decode()
    saved = http.post(
        "/hours/review/chain/", {"action": "save", "use_1": "on", "use_3": "on"} | _days(), follow=True
    )
    assert "单位审核（7天） → 人社部门审批（10天）" in saved.content.decode()
    assert ReviewStageTemplate.objects.filter(bureau=world.rencheng).count() == 2
    reset = http.post("/hours/review/chain/", {"action": "reset", "bureau": world.rencheng.pk}, follow=True)
    assert reset.status_code == 200
    assert not ReviewStageTemplate.objects.exists()
    # A county cannot open another bureau's settings; the city edits the default.
    assert http.get("/hours/review/chain/", {"bureau": world.yanzhou.pk}).status_code == 404
    city = client_for(world.city_staff)
    assert "全市默认流程" in city.get("/hours/review/chain/").content.decode()
    city.post(
        "/hours/review/chain/",
        {"action": "save", "use_1": "on", "use_2": "on", "use_3": "on", "use_4": "on"} | _days(),
    )
    assert list(ReviewStageTemplate.objects.filter(bureau=None).values_list("kind", flat=True)) == [
        1,
        2,
        3,
        4,
    ]


def _days() -> dict[str, int]:
    return {"days_1": 7, "days_2": 7, "days_3": 10, "days_4": 10}


@pytest.mark.parametrize("role", ["unit_admin", "department_reviewer", "county_staff"])
def test_reviewers_dashboard_panel(world: World, role: str) -> None:
    body = client_for(getattr(world, role)).get("/dashboard/").content.decode()
    assert 'data-panel="review"' in body and "进入审核工作台" in body


def test_no_panel_for_people_who_review_nothing(world: World) -> None:
    for role in ("professional", "platform_admin", "provider_staff"):
        assert (
            'data-panel="review"' not in client_for(getattr(world, role)).get("/dashboard/").content.decode()
        )


# --- Searching by ID number: never in a URL ------------------------------------------------------------


def test_an_id_number_search_keeps_the_number_out_of_every_url(world: World, open_year: int) -> None:
    """The filter form is posted; a full ID number in it comes back as a signed token in the URL, the
    page shows it masked, and no link, form or redirect on the way carries the number."""
    (claim,) = waiting(world, open_year, 1)
    number = identity.decrypt_id_number(world.professional.id_number_encrypted)
    masked = world.professional.id_number_masked
    http = client_for(world.unit_admin)

    posted = http.post("/hours/review/", {"status": "pending", "q": number.lower(), "year": str(open_year)})
    assert posted.status_code == 302
    location = posted["Location"]
    assert location.startswith("/hours/review/?") and number not in location and number[-8:] not in location
    query = QueryDict(location.split("?", 1)[1])
    assert sorted(query) == ["qid", "status", "year"] and query["year"] == str(open_year)
    page = http.get(location).content.decode()
    assert f'data-claim="{claim.pk}"' in page and page.count("data-claim=") == 1
    assert number not in page and number[6:14] not in page  # not even the date of birth
    assert f'name="q" value="{masked}"' in page
    assert f'name="qid" value="{query["qid"]}"' in page
    # Posting the form again as shown keeps the search; emptying the box drops it.
    again = http.post("/hours/review/", {"status": "pending", "q": masked, "qid": query["qid"]})
    assert QueryDict(again["Location"].split("?", 1)[1])["qid"] == query["qid"]
    cleared = http.post("/hours/review/", {"status": "pending", "q": "", "qid": query["qid"]})
    assert cleared["Location"] == "/hours/review/?status=pending"
    # A number typed into the address bar is taken out of the URL at once.
    typed = http.get("/hours/review/", {"q": number})
    assert typed.status_code == 302 and number not in typed["Location"] and "qid=" in typed["Location"]
    # Someone else's number, a name and a claim number still search as before.
    other = http.post("/hours/review/", {"q": "370811199001010011"})
    assert http.get(other["Location"]).content.decode().count("data-claim=") == 0
    assert (
        f'data-claim="{claim.pk}"'
        in http.get(http.post("/hours/review/", {"q": "张"})["Location"]).content.decode()
    )


def test_a_forged_or_foreign_search_token_searches_nothing(world: World, open_year: int) -> None:
    (claim,) = waiting(world, open_year, 1)
    http = client_for(world.unit_admin)
    forged = signing.dumps({"d": world.professional.id_number_digest[:-1] + "0", "m": "x"}, salt="other")
    page = http.get("/hours/review/", {"qid": forged}).content.decode()
    assert page.count("data-claim=") == 1 and f'data-claim="{claim.pk}"' in page  # ignored: no filter
    assert 'name="qid"' not in page


def test_the_queue_api_takes_an_id_number_only_in_a_body(world: World, open_year: int) -> None:
    (claim,) = waiting(world, open_year, 1)
    number = identity.decrypt_id_number(world.professional.id_number_encrypted)
    http = client_for(world.unit_admin)
    refused = http.get("/api/hours/review/queue/", {"q": number})
    assert refused.status_code == 400
    assert refused.json() == {
        "q": [
            "为保护个人信息，身份证号码不能放在网址中：请先提交到 /api/hours/review/queue/id-search/ "
            "换取 qid，再用 qid 查询。"
        ]
    }
    exchanged = http.post(
        "/api/hours/review/queue/id-search/", {"q": number}, content_type="application/json"
    )
    assert exchanged.status_code == 200
    assert exchanged.json()["display"] == world.professional.id_number_masked
    found = http.get("/api/hours/review/queue/", {"qid": exchanged.json()["qid"]}).json()
    assert [item["id"] for item in found["results"]] == [claim.pk]
    nothing = http.get("/api/hours/review/queue/", {"qid": exchanged.json()["qid"] + "x"}).json()
    assert [item["id"] for item in nothing["results"]] == [claim.pk]  # a bad token filters nothing
    not_a_number = http.post(
        "/api/hours/review/queue/id-search/", {"q": "张敏"}, content_type="application/json"
    )
    assert not_a_number.status_code == 400 and not_a_number.json() == {"q": ["请输入完整的18位身份证号码。"]}
    assert (
        client_for(world.professional)
        .post("/api/hours/review/queue/id-search/", {"q": number}, content_type="application/json")
        .status_code
        == 404
    )


def test_claims_wear_the_platforms_shared_status_badges(world: World, open_year: int) -> None:
    """One colour per status across the platform: a claim's status uses the shared badge classes (as
    filings, imports, courses do), not colours of its own."""
    claim = submit(world.professional, open_year, {"grade": "C", "certificate_number": "UI-1"})
    mine = client_for(world.professional)
    listed = mine.get("/hours/claims/").content.decode()
    assert (
        f'<span class="badge badge-status badge-status-submitted">{claim.get_status_display()}</span>'
        in listed
    )
    page = mine.get(f"/hours/claims/{claim.pk}/").content.decode()
    assert 'class="badge fs-6 badge-status badge-status-submitted" data-testid="claim-status"' in page
    assert "text-bg-" not in re.sub(r"<header.*?</header>", "", listed, flags=re.S)
