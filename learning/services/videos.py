"""Lesson videos uploaded by providers' staff: MP4 or WebM, recognised by their first bytes (never by
their name), at most ``settings.LEARNING_VIDEO_MAX_BYTES``, stored under a random name on the private
default storage (like claims' evidence) and served only through ``learning.views.media``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from hours.services.evidence import clean_file_name

from ..models import Lesson

DEFAULT_VIDEO_MAX_BYTES = 500 * 1024 * 1024

VIDEO_TYPE_REFUSED = _("“%(name)s”不是MP4或WebM视频文件。课时视频只能上传MP4或WebM格式的文件。")
VIDEO_TOO_LARGE = _("“%(name)s”超过%(limit)sMB，请压缩后再上传。")
VIDEO_EMPTY = _("“%(name)s”是空文件。")
VIDEO_REQUIRED = _("请选择要上传的视频文件。")


@dataclass(frozen=True)
class VideoType:
    content_type: str
    extension: str


MP4 = VideoType("video/mp4", "mp4")
WEBM = VideoType("video/webm", "webm")
ACCEPT = ".mp4,.webm,video/mp4,video/webm"
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
HEAD_BYTES = 64


def max_video_bytes() -> int:
    return int(getattr(settings, "LEARNING_VIDEO_MAX_BYTES", DEFAULT_VIDEO_MAX_BYTES))


def detect_video_type(head: bytes) -> VideoType | None:
    """MP4 (ISO base media): an ``ftyp`` box first, at offset 4, other than QuickTime's ``qt  `` brand.
    WebM: the EBML magic and the ``webm`` document type (a Matroska file says ``matroska``)."""
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] != b"qt  ":
        return MP4
    if head.startswith(EBML_MAGIC) and b"\x42\x82" in head and b"webm" in head[:HEAD_BYTES]:
        return WEBM
    return None


def _head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head


def check_video(upload: UploadedFile | None) -> VideoType:
    """Refuses, with the file's name in a Chinese message, anything that is not an acceptable video."""
    if upload is None:
        raise ValidationError({"video": VIDEO_REQUIRED})
    name = clean_file_name(upload.name)
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"video": VIDEO_EMPTY % {"name": name}})
    limit = max_video_bytes()
    if size > limit:
        raise ValidationError(
            {"video": VIDEO_TOO_LARGE % {"name": name, "limit": max(limit // (1024 * 1024), 1)}}
        )
    video_type = detect_video_type(_head(upload))
    if video_type is None:
        raise ValidationError({"video": VIDEO_TYPE_REFUSED % {"name": name}})
    return video_type


def store_video(lesson: Lesson, upload: UploadedFile, video_type: VideoType) -> str:
    """Saves the file on the lesson (a random name) and returns the name of the file it replaces, which
    the caller deletes once its transaction commits."""
    previous = lesson.video_file.name or ""
    lesson.video_file.save(f"{uuid.uuid4().hex}.{video_type.extension}", upload, save=False)
    lesson.video_content_type = video_type.content_type
    lesson.video_size = upload.size
    lesson.video_original_name = clean_file_name(upload.name)
    return previous


def delete_after_commit(lesson: Lesson, name: str) -> None:
    if name:
        storage = lesson.video_file.storage
        transaction.on_commit(lambda: storage.delete(name))
