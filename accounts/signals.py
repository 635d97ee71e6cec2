"""Authentication events into the audit trail. The receivers only record; they decide nothing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from . import identity
from .audit import audit_record
from .models import User


def _masked_login(credentials: dict[str, Any]) -> str:
    login = str(credentials.get("username") or credentials.get("login") or "")
    normalised = identity.normalise_id_number(login)
    if identity.looks_like_id_number(normalised):
        return identity.mask_id_number(normalised)
    return login[:3] + "****" + login[-4:] if len(login) >= 7 else "****"


@receiver(user_logged_in)
def record_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    audit_record(actor=user, action="auth.login", target=user, organisation=user.unit)


@receiver(user_logged_out)
def record_logout(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action="auth.logout", target=user, organisation=user.unit)


@receiver(user_login_failed)
def record_login_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    audit_record(
        actor=None, action="auth.login_failed", result="failure", detail={"login": _masked_login(credentials)}
    )
