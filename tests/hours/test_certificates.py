"""The hours certificate (学时证明): the PDF's text and fonts, reuse and re-issue when the ledger moves,
public verification (valid, superseded, revoked, unknown, rate-limited), the ZIP for a unit, the API,
and who may see what (everything else is a 404 and changes nothing)."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from decimal import Decimal
from typing import Any, cast

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from accounts.models import AuditEvent, User
from hours import certificates, reports, services
from hours.models import Certificate, ExportJob, ExportStatus, LedgerCategory, SourceType
from tests.fixtures import World, client_for

from .helpers import file_and_approve, research

BASE_URL = "http://testserver/"


def credit(person: User, year: int, category: str, hours: str, source_id: str, memo: str = "") -> None:
    services.ledger_post_credit(
        person=person,
        year=year,
        category=category,
        hours=Decimal(hours),
        source_type=SourceType.COURSE if category.startswith("public") else SourceType.IMPORT,
        source_id=source_id,
        memo=memo or f"课程 {source_id}",
        actor=None,
    )


def complete_year(person: User, year: int) -> None:
    credit(
        person, year, LedgerCategory.PUBLIC_COMPULSORY, "20", "c-1", "习近平新时代中国特色社会主义思想专题"
    )
    credit(person, year, LedgerCategory.PUBLIC_ELECTIVE, "10", "e-1", "网络安全")
    credit(person, year, LedgerCategory.PROFESSIONAL, "60", "i-1", "2024年全市中小学教师业务培训")


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "".join(page.extract_text() or "" for page in reader.pages)


def pdf_fonts(content: bytes) -> list[tuple[str, bool]]:
    """(base font name, has an embedded font file) of every font the pages use."""
    reader = PdfReader(io.BytesIO(content))
    fonts = []
    for page in reader.pages:
        resources = cast(DictionaryObject, page["/Resources"].get_object())
        for font in cast(DictionaryObject, resources.get("/Font", DictionaryObject())).values():
            font = font.get_object()
            descriptors = [font]
            for descendant in font.get("/DescendantFonts", []):
                descriptors.append(descendant.get_object())
            embedded = False
            for item in descriptors:
                descriptor = item.get("/FontDescriptor")
                if descriptor is not None:
                    descriptor = descriptor.get_object()
                    embedded = embedded or any(
                        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
                    )
            fonts.append((str(font["/BaseFont"]), embedded))
    return fonts


@pytest.fixture
def person(world: World, open_year: int) -> User:
    return world.professional


def obtain(person: User, year: int, actor: User | None = None) -> Certificate:
    return certificates.certificate_obtain(actor=actor or person, person=person, year=year, base_url=BASE_URL)


# --- The PDF --------------------------------------------------------------------------------------


def test_pdf_shows_the_record_in_an_embedded_cjk_font(world: World, person: User, open_year: int) -> None:
    complete_year(person, open_year)
    certificate = obtain(person, open_year)
    content = certificates.certificate_pdf(certificate)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    compact = re.sub(r"\s+", "", text)
    for expected in (
        "继续教育学时证明",
        person.real_name,
        person.id_number_masked,
        "任城区实验中学",
        "任城区教育和体育局",
        f"{open_year}年度",
        "任城区人力资源和社会保障局",
        certificate.number,
        certificate.grouped_code,
        "习近平新时代中国特色社会主义思想专题",
        "网络安全",
        "2024年全市中小学教师业务培训",
        "已完成",
    ):
        assert expected in compact, expected
    # required / earned by category: public 30 / 30, professional 60 / 60, total 90 / 90
    assert "公需科目3030" in compact
    assert "专业科目6060" in compact
    assert "合计9090" in compact
    fonts = pdf_fonts(content)
    assert fonts, "no fonts in the PDF"
    assert all("NotoSerifSC" in name and embedded for name, embedded in fonts), fonts


def outline_titles(outline: list[Any]) -> list[Any]:
    return [outline_titles(item) if isinstance(item, list) else item.title for item in outline]


def test_the_expat_parsed_document_draws_exactly_what_weasyprints_html5_path_draws(
    person: User, open_year: int
) -> None:
    """certificates._document parses the markup with expat and styles it with the certificate's cut-down
    user-agent stylesheet; WeasyPrint's own parser and full stylesheet must draw the same pages, with
    the same bookmarks."""
    from weasyprint import HTML

    complete_year(person, open_year)
    html = certificates.certificate_html(obtain(person, open_year))
    font_config, css, ua_css = certificates._stylesheet()
    fast = certificates._document(html, ua_css)
    assert type(fast).__name__ == "TreeDocument"
    ours = PdfReader(io.BytesIO(fast.write_pdf(stylesheets=[css], font_config=font_config)))
    reference = PdfReader(
        io.BytesIO(HTML(string=html, base_url=BASE_URL).write_pdf(stylesheets=[css], font_config=font_config))
    )
    assert len(ours.pages) == len(reference.pages) == 1
    for page, expected in zip(ours.pages, reference.pages, strict=True):
        assert page.get_contents().get_data() == expected.get_contents().get_data()
        assert page.mediabox == expected.mediabox
    assert outline_titles(ours.outline) == outline_titles(reference.outline)
    assert outline_titles(ours.outline) == ["继续教育学时证明", ["学时明细"]]


def test_markup_that_is_not_well_formed_xml_still_renders_through_the_html5_parser() -> None:
    _font_config, _css, ua_css = certificates._stylesheet()
    document = certificates._document("<!DOCTYPE html><html><body><p>王<br>二</p></body></html>", ua_css)
    assert type(document).__name__ == "HTML"
    assert "王二" in re.sub(r"\s+", "", pdf_text(document.write_pdf()))
    # An entity declaration, which defusedxml refuses: the HTML5 parser takes the markup instead.
    declared = '<!DOCTYPE html [<!ENTITY name "王二">]><html><body><p>&name;</p></body></html>'
    assert type(certificates._document(declared, ua_css)).__name__ == "HTML"


def test_the_renderer_fetches_data_uris_only_and_the_stylesheet_only_files() -> None:
    """Whatever markup a value might smuggle in, rendering reaches no network address and no file."""
    _font_config, _css, ua_css = certificates._stylesheet()
    for markup in (
        "<html><body><p>王二</p></body></html>",  # expat
        "<!DOCTYPE html><html><body><p>王二<br></p></body></html>",  # the HTML5 parser
    ):
        fetcher = certificates._document(markup, ua_css).url_fetcher
        assert fetcher is certificates._document_url_fetcher()
        for url in (
            "http://127.0.0.1:9/qr.png",
            "https://example.cn/x.png",
            "file:///etc/hostname",
            "ftp://x/y",
        ):
            with pytest.raises(ValueError, match="disallowed protocol"):
                fetcher.fetch(url)
        response = fetcher.fetch("data:text/plain;base64,546L5LqM")
        assert response.read() == "王二".encode()
        response.close()
    with pytest.raises(ValueError, match="disallowed protocol"):
        certificates._url_fetcher("file").fetch("http://127.0.0.1:9/font.woff2")


def test_rendering_logs_neither_progress_lines_nor_warnings(
    person: User, open_year: int, caplog: Any
) -> None:
    """WeasyPrint announces each step of every document at INFO; a ZIP of a whole unit would flood the
    log with them, so the settings keep its progress logger at WARNING. Its warnings (a declaration it
    ignores, a glyph or resource it cannot find) stay on, and a certificate causes none."""
    complete_year(person, open_year)
    certificate = obtain(person, open_year)
    with caplog.at_level(logging.INFO):
        certificates.certificate_pdf_bytes(certificate)
    assert [
        record.name for record in caplog.records if record.name.startswith(("weasyprint", "fontTools"))
    ] == []


def test_rare_characters_in_names_print_in_the_bundled_font(world: World, open_year: int) -> None:
    """喆 and 堃 are outside GB2312, 䶮 is in CJK extension A: none may be missing or fall back."""
    person = world.professional
    person.real_name = "王喆堃䶮"
    person.save(update_fields=["real_name"])
    certificate = obtain(person, open_year)
    content = certificates.certificate_pdf(certificate)
    assert "王喆堃䶮" in re.sub(r"\s+", "", pdf_text(content))
    fonts = pdf_fonts(content)
    assert all("NotoSerifSC" in name and embedded for name, embedded in fonts), fonts


def test_a_name_outside_gb2312_prints_from_the_full_face_and_common_text_needs_only_the_small_ones(
    world: World, open_year: int
) -> None:
    """The GB 2312 faces carry almost every certificate alone (cheap to embed); a character they lack
    falls back to the full face, which is then embedded too."""
    person = world.professional
    plain = pdf_fonts(certificates.certificate_pdf(obtain(person, open_year)))
    assert not any(name.endswith("+NotoSerifSC-Bundled") for name, _embedded in plain), plain
    person.real_name = "王喆䶮"  # 喆: CJK Unified Ideographs outside GB 2312; 䶮: Extension A
    person.save(update_fields=["real_name"])
    content = certificates.certificate_pdf(obtain(person, open_year))
    fonts = pdf_fonts(content)
    assert any(name.endswith("+NotoSerifSC-Bundled") and embedded for name, embedded in fonts), fonts
    assert "王喆䶮" in re.sub(r"\s+", "", pdf_text(content))


def test_bundled_faces_cover_every_cjk_ideograph() -> None:
    """No name can miss a glyph: the full face maps every code point of CJK Unified Ideographs
    (U+4E00-9FFF) and Extension A (U+3400-4DBF), and the GB 2312 faces all of GB 2312's hanzi."""
    from django.contrib.staticfiles import finders
    from fontTools.ttLib import TTFont

    def cmap_of(relative: str) -> dict[int, str]:
        found = finders.find(relative)
        assert isinstance(found, str), relative
        return TTFont(found, lazy=True).getBestCmap()

    full = cmap_of(certificates.FONT_FALLBACK)
    assert [hex(code) for code in range(0x4E00, 0xA000) if code not in full] == []
    assert [hex(code) for code in range(0x3400, 0x4DC0) if code not in full] == []
    gb2312 = [
        character
        for row in range(0xB0, 0xF8)
        for cell in range(0xA1, 0xFF)
        for character in [bytes([row, cell]).decode("gb2312", errors="ignore")]
        if character
    ]
    assert len(gb2312) == 6763
    for face in (certificates.FONT_REGULAR, certificates.FONT_BOLD):
        cmap = cmap_of(face)
        assert [character for character in gb2312 if ord(character) not in cmap] == [], face


def test_incomplete_year_says_what_is_missing(person: User, open_year: int) -> None:
    credit(person, open_year, LedgerCategory.PUBLIC_COMPULSORY, "12.5", "c-2")
    certificate = obtain(person, open_year)
    assert certificate.is_compliant is False
    assert certificate.record["missing"] == {"public": "17.5", "professional": "60"}
    compact = re.sub(r"\s+", "", pdf_text(certificates.certificate_pdf(certificate)))
    assert "尚差17.5学时" in compact
    assert "尚未完成" in compact


def test_certificate_render_is_queued_on_commit_and_idempotent(
    person: User, open_year: int, django_capture_on_commit_callbacks: Any
) -> None:
    # The callback queues the task (eagerly or to the worker); here the service it calls runs directly,
    # since a worker cannot see this test's uncommitted rows (see the celery_worker test below).
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        certificate = obtain(person, open_year)
    assert len(callbacks) == 1
    rendered = certificates.certificate_render(certificate_id=certificate.pk)
    assert rendered.is_rendered and (rendered.pdf.name or "").endswith(f"{certificate.number}.pdf")
    again = certificates.certificate_render(certificate_id=certificate.pk)
    assert (again.pdf.name, again.rendered_at) == (rendered.pdf.name, rendered.rendered_at)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert obtain(person, open_year).pk == certificate.pk
    assert callbacks == []  # rendered already: nothing queued


@pytest.mark.celery_worker
def test_the_worker_renders_the_certificate(transactional_db: None, settings: Any, tmp_path: Any) -> None:
    """On the real stack (scripts/test): the task reaches the Celery worker, which renders the PDF
    into the shared private storage."""
    import time

    from tests.fixtures import build_world

    build_world()
    services.year_rules_load_defaults()
    person = User.objects.get(mobile="13800000005")
    complete_year(person, 2024)
    certificate = obtain(person, 2024)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        certificate.refresh_from_db()
        if certificate.rendered_at is not None:
            break
        time.sleep(0.5)
    assert certificate.rendered_at is not None, "the worker did not render the certificate within 60 s"


def test_the_worker_sends_what_the_broker_missed(transactional_db: None) -> None:
    """On the real stack: a render task left in the outbox (as when Redis was down at the request) is
    sent by the beat task, itself run by the worker, and the certificate gets rendered."""
    import datetime
    import time

    from accounts.models import QueuedTask
    from accounts.tasks import republish_queued_task
    from hours.tasks import certificate_render_task
    from tests.fixtures import build_world

    build_world()
    services.year_rules_load_defaults()
    person = User.objects.get(mobile="13800000005")
    complete_year(person, 2024)
    certificate = certificates.certificate_obtain(
        actor=person, person=person, year=2024, base_url=BASE_URL, render=False
    )
    assert not QueuedTask.objects.exists()
    QueuedTask.objects.create(
        task_name=certificate_render_task.name,
        kwargs={"certificate_id": certificate.pk},
        created_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    republish_queued_task.delay()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        certificate.refresh_from_db()
        if certificate.rendered_at is not None:
            break
        time.sleep(0.5)
    assert certificate.rendered_at is not None, "the missed render was not sent and run within 60 s"
    assert not QueuedTask.objects.exists()


# --- Issue, reuse, supersede, revoke ----------------------------------------------------------------


def test_same_ledger_reuses_the_certificate_and_a_change_issues_a_new_one(
    person: User, open_year: int
) -> None:
    complete_year(person, open_year)
    first = obtain(person, open_year)
    assert obtain(person, open_year).pk == first.pk
    assert AuditEvent.objects.filter(action="hours.certificate.issue").count() == 1
    assert certificates.certificate_standing(first).status == "valid"
    credit(person, open_year, LedgerCategory.PROFESSIONAL, "8", "i-2")
    # Without a new certificate, the old one is superseded by the ledger change already.
    assert certificates.certificate_standing(first).status == "superseded"
    second = obtain(person, open_year)
    assert second.pk != first.pk
    assert second.number != first.number and second.verification_code != first.verification_code
    assert second.record["earned"]["professional"] == "68"
    assert certificates.certificate_standing(second).status == "valid"
    assert certificates.certificate_standing(first).status == "superseded"
    assert AuditEvent.objects.filter(action="hours.certificate.issue").count() == 2


def test_revoking_a_claim_on_the_certificate_revokes_it(world: World, person: User, open_year: int) -> None:
    complete_year(person, open_year)
    file_and_approve(person, world.county_staff, open_year, "PRO-4", research(open_year))
    certificate = obtain(person, open_year)
    assert len(certificate.claim_ids) == 1
    from hours.models import Claim

    approved = Claim.objects.get(pk=certificate.claim_ids[0])
    services.claim_reverse_posting(
        claim=approved, actor=world.county_staff, reason="职称申报抽查发现虚假申报"
    )
    standing = certificates.certificate_standing(certificate)
    assert standing.status == "revoked"
    assert standing.since is not None


def test_verification_codes_are_long_random_and_forgiving_to_type() -> None:
    codes = {certificates.new_verification_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 16 and set(code) <= set(certificates.CODE_ALPHABET) for code in codes)
    code = "0123456789ABCDEF"
    assert certificates.normalise_code("o123-4567 89ab-cdef") == code
    assert certificates.normalise_code("0123-4567-89AB-CDE") == ""
    assert certificates.normalise_code("'; drop table") == ""


# --- Public verification page ----------------------------------------------------------------------


def test_verification_page_valid(person: User, open_year: int) -> None:
    complete_year(person, open_year)
    certificate = obtain(person, open_year)
    response = client_for(None).get(reverse("certificate_verify", args=[certificate.grouped_code]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-standing="valid"' in body
    for expected in (person.real_name, person.id_number_masked, certificate.number, "网络安全", "90"):
        assert expected in body


def test_verification_page_superseded(person: User, open_year: int) -> None:
    complete_year(person, open_year)
    certificate = obtain(person, open_year)
    credit(person, open_year, LedgerCategory.PROFESSIONAL, "8", "i-9")
    response = client_for(None).get(reverse("certificate_verify", args=[certificate.verification_code]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-standing="superseded"' in body
    assert "已被取代" in body
    assert 'data-testid="record-total">90<' in body  # the record as issued, not today's 98


def test_verification_page_revoked(world: World, person: User, open_year: int) -> None:
    from hours.models import Claim

    file_and_approve(person, world.county_staff, open_year, "PRO-4", research(open_year))
    certificate = obtain(person, open_year)
    services.claim_reverse_posting(
        claim=Claim.objects.get(pk=certificate.claim_ids[0]), actor=world.county_staff, reason="虚假申报"
    )
    body = (
        client_for(None)
        .get(reverse("certificate_verify", args=[certificate.verification_code]))
        .content.decode()
    )
    assert 'data-standing="revoked"' in body
    assert "已撤销" in body


def test_verification_unknown_code_is_a_plain_not_found(person: User, open_year: int) -> None:
    client = client_for(None)
    for code in ("ABCD-EFGH-JKMN-PQRS", "short", "x" * 40):
        response = client.get(reverse("certificate_verify", args=[code]))
        assert response.status_code == 404
        assert "未找到该验证码对应的学时证明" in response.content.decode()
    response = client.get(reverse("certificate_verify_form"), {"code": "ABCD-EFGH-JKMN-PQRS"})
    assert response.status_code == 404


def test_verification_lookups_are_rate_limited_per_address(person: User, open_year: int) -> None:
    certificate = obtain(person, open_year)
    client = client_for(None)
    url = reverse("certificate_verify", args=[certificate.verification_code])
    for _ in range(certificates.VERIFY_LIMIT):
        assert client.get(url, REMOTE_ADDR="203.0.113.7").status_code == 200
    limited = client.get(url, REMOTE_ADDR="203.0.113.7")
    assert limited.status_code == 429
    assert "查询过于频繁" in limited.content.decode()
    api = client.get(
        reverse("api_hours_certificate_verify", args=[certificate.verification_code]),
        REMOTE_ADDR="203.0.113.7",
    )
    assert api.status_code == 429
    assert "查询过于频繁" in api.json()["detail"]
    # another address is not limited
    assert client.get(url, REMOTE_ADDR="203.0.113.8").status_code == 200
    cache.clear()


def test_verification_api(person: User, open_year: int) -> None:
    complete_year(person, open_year)
    certificate = obtain(person, open_year)
    data = (
        client_for(None).get(reverse("api_hours_certificate_verify", args=[certificate.grouped_code])).json()
    )
    assert data["standing"] == "valid"
    assert data["number"] == certificate.number
    assert data["record"]["name"] == person.real_name
    assert data["record"]["earned"]["total"] == "90"
    assert client_for(None).get(reverse("api_hours_certificate_verify", args=["NOPE"])).status_code == 404


# --- Pages and API for the person ----------------------------------------------------------------------


def test_professional_obtains_and_downloads_through_the_pages(person: User, open_year: int) -> None:
    complete_year(person, open_year)
    client = client_for(person)
    assert client.get(reverse("certificate_home")).status_code == 200
    response = client.post(reverse("certificate_obtain"), {"year": open_year})
    certificate = Certificate.objects.get(person=person)
    assert response.status_code == 302 and response["Location"] == reverse(
        "certificate_detail", args=[certificate.pk]
    )
    detail = client.get(response["Location"])
    assert certificate.grouped_code in detail.content.decode()
    pdf = client.get(reverse("certificate_download", args=[certificate.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_certificate_api(person: User, open_year: int) -> None:
    complete_year(person, open_year)
    client = client_for(person)
    created = client.post(
        reverse("api_hours_certificates"), {"year": open_year}, content_type="application/json"
    )
    assert created.status_code == 201
    data = created.json()
    assert data["standing"] == "valid" and data["record"]["earned"]["total"] == "90"
    listed = client.get(reverse("api_hours_certificates")).json()
    assert [row["id"] for row in listed["results"]] == [data["id"]]
    pdf = client.get(data["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


# --- ZIP for a unit ------------------------------------------------------------------------------------


def test_unit_admin_downloads_the_units_certificates_as_a_zip(
    world: World, person: User, open_year: int, django_capture_on_commit_callbacks: Any
) -> None:
    complete_year(person, open_year)
    client = client_for(world.unit_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("certificate_batch"), {"year": open_year, "organisation": world.school.pk}
        )
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("export_detail", args=[job.pk])
    assert len(callbacks) == 1 and job.status == ExportStatus.PENDING
    assert 'hx-trigger="every 1s"' in client.get(reverse("export_progress", args=[job.pk])).content.decode()
    reports.export_run(job_id=job.pk)  # what the queued task does
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.done == job.total == 1
    assert 'value="100"' in client.get(reverse("export_progress", args=[job.pk])).content.decode()
    download = client.get(reverse("export_download", args=[job.pk]))
    assert download.status_code == 200 and download.streaming
    assert download["Content-Type"] == "application/zip" and download["Cache-Control"] == "private, no-store"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = archive.namelist()
    assert len(names) == 1 and names[0].startswith("任城区实验中学/学时证明-")
    assert archive.read(names[0]).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="hours.certificate.batch", actor=world.unit_admin).exists()
    # The certificate the job issued is on record as issued at the unit admin's request, in that role.
    issued = AuditEvent.objects.get(action="hours.certificate.issue")
    assert (issued.actor_id, issued.actor_role, issued.actor_organisation_id, issued.organisation_path) == (
        world.unit_admin.pk,
        "unit_admin",
        world.school.pk,
        world.school.path,
    )


def test_batch_outside_jurisdiction_is_refused_and_changes_nothing(
    world: World, person: User, open_year: int
) -> None:
    for actor, organisation in (
        (world.other_unit_admin, world.school),
        (world.professional, world.school),
        (world.other_county_staff, world.rencheng),
        (world.department_reviewer, world.education_department),
    ):
        response = client_for(actor).post(
            reverse("certificate_batch"), {"year": open_year, "organisation": organisation.pk}
        )
        assert response.status_code == 404
    assert not ExportJob.objects.exists()
    assert not Certificate.objects.exists()


# --- Authorization matrix over every certificate URL --------------------------------------------------

MATRIX = {
    # role: may see the professional's certificate
    "professional": True,
    "unit_admin": True,
    "other_unit_admin": False,
    "department_reviewer": True,
    "county_staff": True,
    "other_county_staff": False,
    "city_staff": True,
    "provider_staff": False,
}


@pytest.mark.parametrize(("role", "allowed"), MATRIX.items())
def test_authorization_matrix(world: World, person: User, open_year: int, role: str, allowed: bool) -> None:
    complete_year(person, open_year)
    certificate = obtain(person, open_year)
    certificates.certificate_render(certificate_id=certificate.pk)
    actor = getattr(world, role)
    client = client_for(actor)
    expected = 200 if allowed else 404
    for name in ("certificate_detail", "certificate_status", "certificate_download"):
        assert client.get(reverse(name, args=[certificate.pk])).status_code == expected, name
    for name in ("api_hours_certificate", "api_hours_certificate_pdf"):
        assert client.get(reverse(name, args=[certificate.pk])).status_code == expected, name
    home = client.get(reverse("certificate_home"), {"person": person.pk})
    assert home.status_code == (200 if allowed else 404)
    before = Certificate.objects.count()
    credit(person, open_year, LedgerCategory.PROFESSIONAL, "2", f"i-{role}")
    obtained = client.post(reverse("certificate_obtain"), {"year": open_year, "person": person.pk})
    api = client.post(
        reverse("api_hours_certificates"),
        {"year": open_year, "person_id": person.pk},
        content_type="application/json",
    )
    if allowed:
        assert obtained.status_code == 302 and api.status_code == 201
        assert Certificate.objects.count() == before + 1
    else:
        assert obtained.status_code == 404 and api.status_code == 404
        assert Certificate.objects.count() == before
    # The list shows only what the actor may see.
    listed = client.get(reverse("api_hours_certificates")).json()["results"]
    assert bool(listed) == allowed


BATCH_MATRIX = {
    # role: the organisation it may ask a ZIP for (where it holds a unit-admin or bureau role), or None
    "professional": None,
    "unit_admin": "school",
    "other_unit_admin": "company",
    "department_reviewer": None,
    "county_staff": "rencheng",
    "other_county_staff": "yanzhou",
    "city_staff": "city",
    "provider_staff": None,
}


@pytest.mark.parametrize(("role", "own"), BATCH_MATRIX.items())
def test_export_urls_matrix(world: World, person: User, open_year: int, role: str, own: str | None) -> None:
    """Every export URL (page, progress, download and their API) answers only the person who asked for
    the job; the batch API starts a job only where the actor holds a unit-admin or bureau role, and
    nothing anywhere else."""
    from .test_reports import make_professional

    complete_year(person, open_year)
    make_professional("周兖州", world.yanzhou_hospital)  # so 兖州区 has someone to certify
    owner_job = certificates.certificate_batch_start(
        actor=world.unit_admin, organisation=world.school, year=open_year, base_url=BASE_URL
    )
    reports.export_run(job_id=owner_job.pk)
    actor = getattr(world, role)
    client = client_for(actor)
    is_owner = actor.pk == world.unit_admin.pk
    for name in ("export_detail", "export_progress", "export_download", "api_hours_export"):
        response = client.get(reverse(name, args=[owner_job.pk]))
        assert response.status_code == (200 if is_owner else 404), name
    download = client.get(reverse("api_hours_export_download", args=[owner_job.pk]))
    assert download.status_code == (200 if is_owner else 404)
    listed = [job["id"] for job in client.get(reverse("api_hours_exports")).json()["results"]]
    assert (owner_job.pk in listed) == is_owner
    for where in ("school", "other_school", "rencheng", "yanzhou", "city"):
        organisation = getattr(world, where)
        jobs_before = ExportJob.objects.count()
        started = client.post(
            reverse("api_hours_certificate_batch"),
            {"year": open_year, "organisation_id": organisation.pk},
            content_type="application/json",
        )
        if where == own:
            assert started.status_code == 202, where
            job = ExportJob.objects.get(pk=started.json()["id"])
            assert (job.requested_by_id, job.organisation_id) == (actor.pk, organisation.pk)
            assert ExportJob.objects.count() == jobs_before + 1
        else:
            assert started.status_code == 404, where
            assert ExportJob.objects.count() == jobs_before


def test_anonymous_sees_only_the_public_verification(person: User, open_year: int) -> None:
    certificate = obtain(person, open_year)
    client = client_for(None)
    for name in ("certificate_detail", "certificate_status", "certificate_download"):
        response = client.get(reverse(name, args=[certificate.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(reverse("certificate_home")).status_code == 302
    assert client.post(reverse("certificate_obtain"), {"year": open_year}).status_code == 302
    for name in ("api_hours_certificate", "api_hours_certificate_pdf"):
        assert client.get(reverse(name, args=[certificate.pk])).status_code in (401, 403)
    assert client.get(reverse("certificate_verify_form")).status_code == 200
    assert Certificate.objects.count() == 1


def test_a_revocation_in_the_integrity_archive_revokes_the_certificate(
    world: World, person: User, open_year: int
) -> None:
    """The review workflow's 一票否决 (``hours.review.claim_revoke``) records the integrity archive entry
    and reverses the claim's credit: the certificate that relied on it reads 已撤销 from then on."""
    from hours import review
    from hours.models import IntegrityRecord

    complete_year(person, open_year)
    file_and_approve(person, world.county_staff, open_year, "PRO-4", research(open_year))
    certificate = obtain(person, open_year)
    review.claim_revoke(
        actor=world.county_staff, claim_id=certificate.claim_ids[0], reason="职称申报抽查：论文不实"
    )
    assert IntegrityRecord.objects.filter(person=person, year=open_year).exists()
    body = (
        client_for(None)
        .get(reverse("certificate_verify", args=[certificate.verification_code]))
        .content.decode()
    )
    assert 'data-standing="revoked"' in body
    # a new certificate shows the year without the revoked hours and is valid
    fresh = obtain(person, open_year)
    assert fresh.pk != certificate.pk and fresh.claim_ids == []
    assert certificates.certificate_standing(fresh).status == "valid"
