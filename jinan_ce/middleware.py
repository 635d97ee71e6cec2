"""Requests carrying a NUL character are answered 400 before any view sees them.

PostgreSQL cannot store U+0000 in text (nor in jsonb), so a NUL in any parameter that reaches a query or a
write was a DataError, a 500: a search box, a filter, a claim's field. Nothing a person types or a client
legitimately sends contains one, so it is refused here, once, for every page and API, including the ones
written later, rather than parameter by parameter.

Looked at: the path, the query string, and the fields of form bodies (url-encoded or multipart; uploaded
files are not looked at, and Django already drops control characters from their names) and of JSON bodies.
Parsing a POSTed form here adds no new exposure: Django's CSRF check already parses every form posted to a
page before its view runs, whoever sends it; and DRF reuses what was parsed. Multipart PUT/PATCH bodies,
which Django does not parse, are left to the DRF serializers, whose text fields refuse NUL themselves; a
claim's free-form rule fields refuse it in the rules' own validation (``hours.rules.compute``) too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

NUL = "\x00"
INVALID_CHARACTER = _("请求中含有无效字符（空字符），请检查填写的内容后重试。")

FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
JSON_CONTENT_TYPE = "application/json"
_JSON_ESCAPED_NUL = b"\\u0000"


class NulCharacterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if carries_nul(request):
            return invalid_character_response(request)
        return self.get_response(request)


def carries_nul(request: HttpRequest) -> bool:
    if NUL in request.path_info or _in_query_dict(request.GET):
        return True
    content_type = (request.content_type or "").lower()
    try:
        if content_type in FORM_CONTENT_TYPES and request.method == "POST":
            return _in_query_dict(request.POST)
        if content_type == "application/x-www-form-urlencoded":
            return _in_query_dict(QueryDict(request.body, encoding=request.encoding))
        if content_type == JSON_CONTENT_TYPE:
            return _in_json_body(request.body)
    except (MultiPartParserError, UnreadablePostError):
        pass  # a body that cannot be read: the view answers it as it always has
    return False


def invalid_character_response(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/") or JSON_CONTENT_TYPE in request.headers.get("Accept", ""):
        return JsonResponse({"detail": str(INVALID_CHARACTER)}, status=400)
    return render(request, "invalid_request.html", {"message": INVALID_CHARACTER}, status=400)


def _in_query_dict(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


def _in_json_body(body: bytes) -> bool:
    """JSON can only carry a NUL escaped (a raw one is invalid JSON, which the parser refuses); the cheap
    byte test decides almost every body, parsing confirms the rest (``\\\\u0000`` is a backslash)."""
    if NUL.encode() in body:
        return True
    if _JSON_ESCAPED_NUL not in body:
        return False
    try:
        return _in_json_value(json.loads(body))
    except ValueError:  # not JSON (nor UTF-8): the parser answers that with its own 400
        return False


def _in_json_value(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(NUL in key or _in_json_value(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_in_json_value(item) for item in value)
    return False
