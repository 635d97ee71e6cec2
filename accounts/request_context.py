"""The client address of the request being served, for audit records written deep inside services."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from .models import User

current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


def client_ip(request: HttpRequest) -> str | None:
    # Behind the load balancer the first X-Forwarded-For entry is the client; the proxy must strip any
    # value the client sent (see README, deployment).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)


def axes_client_ip(request: HttpRequest) -> str | None:
    return client_ip(request)


def signed_in_user(request: HttpRequest) -> User:
    """The request's user as a real account. Views behind login_required (and APIs behind
    IsAuthenticated) use it so the type says what authentication already guaranteed."""
    from django.core.exceptions import PermissionDenied

    from .models import User as UserModel

    user = request.user
    if not isinstance(user, UserModel):
        raise PermissionDenied
    return user
