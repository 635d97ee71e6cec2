"""Login by national ID number or by mobile number, with one password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from . import identity
from .models import User


def find_user_by_login(login: str) -> User | None:
    login = (login or "").strip()
    if not login:
        return None
    normalised = identity.normalise_id_number(login)
    if identity.id_number_error(normalised) is None:
        return User.objects.filter(id_number_digest=identity.id_number_digest(normalised)).first()
    try:
        mobile = identity.clean_mobile(login)
    except Exception:
        return None
    return User.objects.filter(mobile=mobile).first()


class IdNumberOrMobileBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        login = username or kwargs.get("mobile") or kwargs.get("login")
        if not login or password is None:
            return None
        user = find_user_by_login(str(login))
        if user is None:
            # Run the hasher anyway so the response time does not tell which accounts exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
