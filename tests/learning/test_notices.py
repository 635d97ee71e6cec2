"""Notices: rich text sanitised on the server, region scoping, attachments stored privately and served
through a view that checks who may see the notice."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from learning import richtext, selectors
from learning.models import Notice, NoticeAttachment
from learning.services import notices
from tests.fixtures import World, client_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_storage(settings: Any, tmp_path: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def test_sanitiser_keeps_the_allowed_markup_only() -> None:
    safe, text = richtext.sanitise(
        '<h3>标题</h3><p style="color:red">正文<b>加粗</b><img src=x onerror=alert(1)></p>'
        '<ul><li>一</li><li><a href="https://example.org" onclick="x">链接</a></li></ul>'
        "<iframe src='//evil'></iframe><style>p{}</style><p>未闭合"
    )
    assert safe == (
        "<h3>标题</h3><p>正文<b>加粗</b></p><ul><li>一</li><li>"
        '<a href="https://example.org" rel="noopener noreferrer">链接</a></li></ul><p>未闭合</p>'
    )
    assert text == "标题\n正文加粗\n一\n链接\n未闭合"


def test_county_bureau_publishes_for_its_region_only(world: World) -> None:
    notice = notices.notice_publish(
        actor=world.county_staff, title="任城区通知", body_html="<p>内容</p>", region=world.rencheng
    )
    assert (notice.publisher, notice.body, notice.author) == (world.rencheng, "内容", world.county_staff)
    with pytest.raises(PermissionDenied):
        notices.notice_publish(
            actor=world.county_staff, title="越权", body_html="<p>x</p>", region=world.yanzhou
        )
    with pytest.raises(PermissionDenied):
        notices.notice_publish(actor=world.county_staff, title="全市", body_html="<p>x</p>", region=None)
    with pytest.raises(PermissionDenied):
        notices.notice_publish(actor=world.provider_staff, title="x", body_html="<p>x</p>", region=None)
    with pytest.raises(ValidationError) as error:
        notices.notice_publish(
            actor=world.city_staff, title="空", body_html="<script>x</script>", region=None
        )
    assert error.value.message_dict == {"body_html": [str(notices.NOTICE_BODY_REQUIRED)]}
    assert not Notice.objects.filter(title__in=["越权", "全市", "空"]).exists()
    assert AuditEvent.objects.filter(action="learning.notice.publish", object_id=str(notice.pk)).count() == 1
    # Region scoping: a 任城区 professional sees it, a 兖州区 one does not; city-wide notices reach both.
    assert notice in selectors.notices_for(world.professional)
    yanzhou_person = world.professional
    yanzhou_person.unit = world.yanzhou_hospital
    assert notice not in selectors.notices_for(yanzhou_person)
    # The other county's staff cannot edit it.
    assert (
        client_for(world.other_county_staff)
        .get(reverse("learning_notice_edit", args=[notice.pk]))
        .status_code
        == 404
    )


def test_future_and_unpublished_notices_are_hidden(world: World) -> None:
    later = notices.notice_publish(
        actor=world.city_staff,
        title="明日通知",
        body_html="x",
        published_at=timezone.now() + datetime.timedelta(days=1),
    )
    draft = notices.notice_publish(actor=world.city_staff, title="草稿", body_html="x", is_published=False)
    anonymous = client_for(None)
    assert anonymous.get(reverse("learning_notice", args=[later.pk])).status_code == 404
    assert anonymous.get(reverse("learning_notice", args=[draft.pk])).status_code == 404
    assert client_for(world.city_staff).get(reverse("learning_notice", args=[draft.pk])).status_code == 200
    assert "明日通知" not in anonymous.get(reverse("home")).content.decode()


def test_attachments_are_typed_stored_privately_and_served_through_the_view(world: World) -> None:
    notice = notices.notice_publish(actor=world.city_staff, title="带附件的通知", body_html="<p>见附件</p>")
    upload = SimpleUploadedFile("报名表.pdf", PDF, content_type="application/pdf")
    attachment = notices.notice_attachment_add(actor=world.city_staff, notice=notice, upload=upload)
    assert attachment.original_name == "报名表.pdf" and attachment.size == len(PDF)
    assert "报名表" not in attachment.file.name  # stored under a random name
    with pytest.raises(ValidationError) as error:
        notices.notice_attachment_add(
            actor=world.city_staff,
            notice=notice,
            upload=SimpleUploadedFile("x.pdf", b"<html>", content_type="application/pdf"),
        )
    assert error.value.messages == [str(notices.ATTACHMENT_TYPE_REFUSED)]
    with pytest.raises(PermissionDenied):
        notices.notice_attachment_add(actor=world.county_staff, notice=notice, upload=upload)
    response = client_for(None).get(reverse("learning_notice_attachment", args=[notice.pk, attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    # Unpublished: the attachment is gone for the public too.
    notices.notice_update(
        actor=world.city_staff,
        notice=notice,
        title=notice.title,
        body_html="<p>见附件</p>",
        region=None,
        published_at=notice.published_at,
        is_published=False,
    )
    assert (
        client_for(None)
        .get(reverse("learning_notice_attachment", args=[notice.pk, attachment.pk]))
        .status_code
        == 404
    )
    notices.notice_attachment_remove(actor=world.city_staff, attachment=attachment)
    assert not NoticeAttachment.objects.filter(notice=notice).exists()
