"""API-wide plumbing: services raise Django's ValidationError with Chinese messages; the API answers
400 with those messages, field by field. The few answers DRF and Django give in English, or with a
model's name in them, are replaced here by plain Chinese ones (translated like every other message);
everything DRF already translates (zh-hans) passes through as it is."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework.exceptions import NotFound, ParseError, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

# get_object_or_404 says "No Claim matches the given query.": English, and it names the model.
NOT_FOUND = _("未找到该记录。")
# DRF's parsers say "JSON parse error - Expecting value: line 1 column 1 (char 0)" and the like.
INVALID_JSON = _("请求内容不是有效的 JSON。")
INVALID_BODY = _("请求内容格式无效，无法解析。")
# DRF's session authentication says "CSRF Failed: CSRF cookie not set." and the like.
CSRF_FAILED = _("安全校验失败（CSRF），请刷新页面后重试。")
# The wording of templates/500.html.
SERVER_ERROR = _("系统繁忙，请稍后再试。")

_CSRF_FAILED_PREFIX = "CSRF Failed"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data: Any = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        else:
            data = {"detail": [str(message) for message in exc.messages]}
        return Response(data, status=400)
    if isinstance(exc, Http404) or (
        isinstance(exc, NotFound) and str(exc.detail) == str(NotFound.default_detail)
    ):
        exc = NotFound(NOT_FOUND)
    elif isinstance(exc, ParseError):
        exc = ParseError(INVALID_JSON if _is_json(context) else INVALID_BODY)
    elif isinstance(exc, PermissionDenied) and str(exc.detail).startswith(_CSRF_FAILED_PREFIX):
        exc = PermissionDenied(CSRF_FAILED)
    return drf_exception_handler(exc, context)


def _is_json(context: dict[str, Any]) -> bool:
    request = context.get("request")
    return "json" in (getattr(request, "content_type", "") or "").lower()


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an API caller gets JSON it can read, a person the site's page. Django has logged the
    exception (django.request) and sent got_request_exception before calling this, as for any 500."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(SERVER_ERROR)}, status=500)
    return defaults.server_error(request)
