from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from . import identity, services
from .forms import LOGIN_INVALID


class AccountAdapter(DefaultAccountAdapter):
    """Hands allauth's signup over to the registration service, so the rules live in one place."""

    error_messages = {**DefaultAccountAdapter.error_messages, "username_password_mismatch": LOGIN_INVALID}

    def clean_username(self, username: str, shallow: bool = False) -> str:
        mobile = identity.clean_mobile(username)
        if not shallow and services.User.objects.filter(mobile=mobile).exists():
            raise ValidationError(services.MOBILE_TAKEN)
        return mobile

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        data = form.cleaned_data
        return services.user_register(
            registration=services.Registration(
                mobile=data["username"],
                password=data["password1"],
                real_name=data["real_name"],
                id_number=data["id_number"],
                unit=data["unit"],
                email=data.get("email") or "",
                title_series=data.get("title_series") or "",
                title_level=data.get("title_level") or "",
                specialty=data.get("specialty") or "",
                education=data.get("education") or "",
            )
        )

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return "/dashboard/"
