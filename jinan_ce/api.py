"""API-wide plumbing: services raise Django's ValidationError with Chinese messages; the API answers
400 with those messages, field by field."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data: Any = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        else:
            data = {"detail": [str(message) for message in exc.messages]}
        return Response(data, status=400)
    return drf_exception_handler(exc, context)
