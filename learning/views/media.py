"""Lesson videos, streamed from the private storage to whoever may see the course, with HTTP Range
support so the player can seek and resume."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from .. import selectors
from ..models import LessonKind
from ..ranges import ranged_file_response


@login_required
@require_GET
def lesson_video(request: HttpRequest, pk: int) -> HttpResponse | StreamingHttpResponse:
    """404 for anyone the course is not visible to, and for a lesson without an uploaded file."""
    lesson = get_object_or_404(selectors.lessons_visible_to(request.user), pk=pk)
    if lesson.kind != LessonKind.VIDEO or not lesson.video_file:
        raise Http404
    try:
        handle = lesson.video_file.open("rb")
        size = lesson.video_file.size
    except FileNotFoundError as error:
        raise Http404 from error
    response = ranged_file_response(
        request, handle, size=size, content_type=lesson.video_content_type or "application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response
