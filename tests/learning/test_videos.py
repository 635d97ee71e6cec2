"""Lesson videos: recognised by their content, limited in size, stored privately, streamed only to
whoever may see the course, with HTTP Range requests answered 206 so the player can seek and resume."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import AuditEvent
from learning.models import Course, Lesson
from learning.ranges import RangeNotSatisfiable, parse_range, ranged_file_response
from learning.services import catalogue, study, videos
from tests.fixtures import World, client_for

from .helpers import YEAR

# The first bytes of real files: an MP4's ftyp box (brand isom) and a WebM's EBML header (DocType webm).
MP4_HEAD = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"
WEBM_HEAD = (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"
)


def mp4(size: int = 4096, name: str = "第一讲.mp4") -> SimpleUploadedFile:
    body = bytes(index % 251 for index in range(size - len(MP4_HEAD)))
    return SimpleUploadedFile(name, MP4_HEAD + body, content_type="video/mp4")


@pytest.fixture
def private_storage(settings: Any, tmp_path: Any) -> Any:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def video_course(world: World) -> tuple[Course, Lesson]:
    course = catalogue.course_create(
        actor=world.provider_staff,
        provider=world.provider,
        year=YEAR,
        kind="professional",
        title="视频专业课",
        hours=Decimal(1),
    )
    lesson = catalogue.lesson_add(
        actor=world.provider_staff,
        course=course,
        title="视频第一讲",
        kind="video",
        duration_seconds=60,
        video=mp4(),
    )
    return catalogue.course_publish(actor=world.provider_staff, course=course), lesson


# --- Recognising the content ------------------------------------------------------------------------------


def test_video_types_are_recognised_by_content_not_name() -> None:
    assert videos.detect_video_type(MP4_HEAD) == videos.MP4
    assert videos.detect_video_type(WEBM_HEAD) == videos.WEBM
    assert videos.detect_video_type(b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ") is None  # QuickTime
    assert videos.detect_video_type(b"\x1a\x45\xdf\xa3\x9f\x42\x82\x88matroska") is None  # Matroska, not WebM
    assert videos.detect_video_type(b"%PDF-1.4\n") is None
    assert videos.detect_video_type(b"") is None


def test_upload_refuses_a_non_video_named_mp4_and_a_file_over_the_limit(
    world: World, private_storage: Any, settings: Any
) -> None:
    course, lesson = video_course(world)
    original = lesson.video_file.name
    fake = SimpleUploadedFile("讲座.mp4", b"MZ\x90\x00 this is an executable", content_type="video/mp4")
    with pytest.raises(ValidationError) as error:
        catalogue.lesson_video_upload(actor=world.provider_staff, lesson=lesson, upload=fake)
    assert error.value.message_dict == {
        "video": ["“讲座.mp4”不是MP4或WebM视频文件。课时视频只能上传MP4或WebM格式的文件。"]
    }
    settings.LEARNING_VIDEO_MAX_BYTES = 2 * 1024 * 1024
    with pytest.raises(ValidationError) as error:
        catalogue.lesson_video_upload(
            actor=world.provider_staff, lesson=lesson, upload=mp4(size=2 * 1024 * 1024 + 1, name="大.mp4")
        )
    assert error.value.message_dict == {"video": ["“大.mp4”超过2MB，请压缩后再上传。"]}
    # Through the page: the same messages, nothing stored.
    client = client_for(world.provider_staff)
    response = client.post(
        reverse("learning_manage_lesson_video", args=[course.pk, lesson.pk]),
        {"video": SimpleUploadedFile("讲座.mp4", b"not a video at all")},
        follow=True,
    )
    assert "“讲座.mp4”不是MP4或WebM视频文件。" in response.content.decode()
    api = client.post(
        reverse("api_learning_lesson_video", args=[lesson.pk]),
        {"video": mp4(size=3 * 1024 * 1024, name="大.mp4")},
    )
    assert api.status_code == 400 and api.json() == {"video": ["“大.mp4”超过2MB，请压缩后再上传。"]}
    lesson.refresh_from_db()
    assert lesson.video_file.name == original
    stored = [path.name for path in (private_storage / "learning" / "videos" / str(course.pk)).iterdir()]
    assert stored == [original.rsplit("/", 1)[-1]]
    # A document lesson takes no video.
    document = Lesson.objects.filter(course__provider=world.provider, kind="document").first()
    with pytest.raises(ValidationError) as error:
        catalogue.lesson_video_upload(actor=world.provider_staff, lesson=document, upload=mp4())
    assert error.value.messages == [str(catalogue.LESSON_NOT_VIDEO)]


def test_upload_stores_privately_under_a_random_name_replaces_and_audits(
    world: World, private_storage: Any
) -> None:
    course, lesson = video_course(world)
    assert lesson.video_file.name.startswith(f"learning/videos/{course.pk}/")
    assert lesson.video_file.name.endswith(".mp4") and "第一讲" not in lesson.video_file.name
    assert (lesson.video_content_type, lesson.video_size, lesson.video_original_name) == (
        "video/mp4",
        4096,
        "第一讲.mp4",
    )
    first_name = lesson.video_file.name
    webm = SimpleUploadedFile("新版.webm", WEBM_HEAD + b"\x00" * 100)
    response = client_for(world.provider_staff).post(
        reverse("learning_manage_lesson_video", args=[course.pk, lesson.pk]), {"video": webm}
    )
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.video_file.name.endswith(".webm") and lesson.video_content_type == "video/webm"
    event = AuditEvent.objects.filter(action="learning.lesson.video_upload", object_id=str(course.pk)).get()
    assert (event.actor, event.detail["size"], event.detail["replaced"]) == (
        world.provider_staff,
        len(WEBM_HEAD) + 100,
        True,
    )
    api = client_for(world.provider_staff).post(
        reverse("api_learning_lesson_video", args=[lesson.pk]), {"video": mp4()}
    )
    assert api.status_code == 200 and api.json()["video_file_url"] == reverse(
        "learning_lesson_video", args=[lesson.pk]
    )
    assert first_name != lesson.video_file.name
    # Nothing of it sits under the static or media web roots.
    from django.conf import settings as django_settings

    assert not str(private_storage).startswith(str(django_settings.STATIC_ROOT))


def test_a_video_lesson_without_a_video_cannot_be_published(world: World) -> None:
    course = catalogue.course_create(
        actor=world.provider_staff,
        provider=world.provider,
        year=YEAR,
        kind="professional",
        title="缺视频",
        hours=1,
    )
    with pytest.raises(ValidationError) as error:
        catalogue.lesson_add(
            actor=world.provider_staff, course=course, title="讲", kind="video", duration_seconds=5
        )
    assert error.value.message_dict == {"video_url": [str(catalogue.VIDEO_URL_REQUIRED)]}


# --- Serving: who may see it, and ranges ---------------------------------------------------------------


def test_video_is_served_to_learners_and_staff_and_404_to_outsiders(
    world: World, private_storage: Any
) -> None:
    course, lesson = video_course(world)
    url = reverse("learning_lesson_video", args=[lesson.pk])
    learner = client_for(world.professional)
    response = learner.get(url)
    assert response.status_code == 200
    assert (response["Content-Type"], response["Content-Length"], response["Accept-Ranges"]) == (
        "video/mp4",
        "4096",
        "bytes",
    )
    assert (
        response["Cache-Control"] == "private, no-store" and response["X-Content-Type-Options"] == "nosniff"
    )
    assert b"".join(response.streaming_content)[:12] == MP4_HEAD[:12]
    assert client_for(world.city_staff).get(url).status_code == 200
    assert client_for(world.provider_staff).get(url).status_code == 200
    # Withdrawn: a learner who never enrolled no longer sees it; anonymous visitors are sent to log in.
    catalogue.course_withdraw(actor=world.provider_staff, course=course)
    assert learner.get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    # Another provider's staff never see it.
    from accounts import services as account_services
    from accounts.models import Organisation, Role
    from accounts.policies import forget_roles

    account_services.role_grant(
        actor=None,
        user=world.other_unit_admin,
        role=Role.PROVIDER_STAFF,
        organisation=Organisation.objects.get(name="山东理工职业学院"),
    )
    forget_roles(world.other_unit_admin)
    assert client_for(world.other_unit_admin).get(url).status_code == 404


def test_range_requests_answer_206_with_exactly_the_bytes_asked_for(
    world: World, private_storage: Any
) -> None:
    _course, lesson = video_course(world)
    content = lesson.video_file.open("rb").read()
    lesson.video_file.close()
    client = client_for(world.professional)
    url = reverse("learning_lesson_video", args=[lesson.pk])
    middle = client.get(url, HTTP_RANGE="bytes=100-199")
    assert middle.status_code == 206
    assert (middle["Content-Range"], middle["Content-Length"]) == ("bytes 100-199/4096", "100")
    assert b"".join(middle.streaming_content) == content[100:200]
    resume = client.get(url, HTTP_RANGE="bytes=4000-")
    assert (resume.status_code, resume["Content-Range"]) == (206, "bytes 4000-4095/4096")
    assert b"".join(resume.streaming_content) == content[4000:]
    tail = client.get(url, HTTP_RANGE="bytes=-10")
    assert (tail.status_code, tail["Content-Range"], b"".join(tail.streaming_content)) == (
        206,
        "bytes 4086-4095/4096",
        content[-10:],
    )
    beyond = client.get(url, HTTP_RANGE="bytes=5000-")
    assert (beyond.status_code, beyond["Content-Range"]) == (416, "bytes */4096")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("bytes=0-0", (0, 0)),
        ("bytes=0-", (0, 999)),
        ("bytes=10-20", (10, 20)),
        ("bytes=990-5000", (990, 999)),
        ("bytes=-1", (999, 999)),
        ("bytes=-5000", (0, 999)),
        ("BYTES = 5 - 6", (5, 6)),
        ("bytes=20-10", None),  # invalid: the whole file
        ("bytes=0-1,5-6", None),  # several ranges: the whole file
        ("items=0-1", None),
        ("bytes=-", None),
        ("bytes=1000-", RangeNotSatisfiable),
        ("bytes=-0", RangeNotSatisfiable),
    ],
)
def test_parse_range(header: str | None, expected: Any) -> None:
    if expected is RangeNotSatisfiable:
        with pytest.raises(RangeNotSatisfiable):
            parse_range(header, 1000)
    else:
        assert parse_range(header, 1000) == expected


def test_ranged_response_of_the_whole_file_and_of_an_empty_one() -> None:
    import io

    request = RequestFactory().get("/", HTTP_RANGE="bytes=2-4")
    response = ranged_file_response(request, io.BytesIO(b"0123456789"), size=10, content_type="video/webm")
    assert (response.status_code, b"".join(response.streaming_content)) == (206, b"234")  # type: ignore[union-attr]
    whole = ranged_file_response(
        RequestFactory().get("/"), io.BytesIO(b"0123"), size=4, content_type="video/webm"
    )
    assert (whole.status_code, whole["Content-Length"], b"".join(whole.streaming_content)) == (
        200,
        "4",
        b"0123",
    )  # type: ignore[union-attr]
    empty = ranged_file_response(
        RequestFactory().get("/"), io.BytesIO(b""), size=0, content_type="video/webm"
    )
    assert (empty.status_code, empty["Content-Length"]) == (200, "0")


# --- The player ---------------------------------------------------------------------------------------


def test_the_player_plays_the_uploaded_file(world: World, private_storage: Any) -> None:
    course, lesson = video_course(world)
    study.course_enrol(actor=world.professional, course=course)
    page = client_for(world.professional).get(reverse("learning_lesson", args=[lesson.pk])).content.decode()
    assert (
        f'src="{reverse("learning_lesson_video", args=[lesson.pk])}"' in page and "data-player-video" in page
    )
    assert "data-player-toggle" not in page  # the video's own controls drive it
