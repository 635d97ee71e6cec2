"""Login protection, password policy, second factor for staff and session limits (MLPS 2.0 level 3:
登录失败处理, 超时自动退出). Kept together so the whole policy can be read in one place."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from . import identity, policies
from .models import Role

LOCKED_OUT = gettext_lazy(
    "登录失败次数过多，为保护账号安全已暂时锁定。请于 %(time)s 后再试（约 %(minutes)s 分钟）。"
)
PASSWORD_TOO_SHORT = gettext_lazy("密码太短，至少需要 %(min)s 个字符。")
PASSWORD_TOO_LONG = gettext_lazy("密码不能超过 %(max)s 个字符。")
PASSWORD_PLATFORM_WORD = gettext_lazy("密码不能包含平台名称、地名或常见词（如 %(word)s）。")
PASSWORD_CONTAINS_IDENTITY = gettext_lazy("密码不能包含您的手机号码或身份证号码。")
MFA_REQUIRED = gettext_lazy("单位管理员及以上角色须启用双因素认证（TOTP 动态口令）后才能继续使用平台。")
PASSWORD_EXPIRED = gettext_lazy("您的密码已超过 %(days)s 天未修改，请先修改密码。")
OTP_INVALID = gettext_lazy("动态口令不正确或未启用双因素认证。")
SESSION_EXPIRED = gettext_lazy("登录已超过 %(hours)s 小时，请重新登录。")
TOKEN_EXPIRED = gettext_lazy("API 令牌已超过 %(hours)s 小时有效期，请重新获取。")
TOKEN_PASSWORD_CHANGED = gettext_lazy("密码已修改，此前获取的 API 令牌已失效，请重新获取。")

# Roles that must use a second factor and change their password periodically ("unit admin and above").
SECOND_FACTOR_ROLES = (*policies.GOVERNING_ROLES, Role.PLATFORM_ADMIN)

PLATFORM_WORDS = (
    "jining",
    "jinan",
    "jnce",
    "rensheshe",
    "renshe",
    "hrss",
    "password",
    "passw0rd",
    "qwerty",
    "admin",
    "123456",
    "济宁",
    "人社",
    "继续教育",
    "密码",
)


# --- django-axes -------------------------------------------------------------------------------


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The key axes counts failures under: a keyed hash of the normalised login, so ID numbers and
    mobile numbers never land in the attempts table in clear."""
    login = ""
    if credentials:
        login = str(credentials.get("username") or credentials.get("login") or "")
    if not login and request is not None and hasattr(request, "POST"):
        login = str(request.POST.get("login", ""))
    normalised = identity.normalise_id_number(login)
    return "login:" + identity.id_number_digest(normalised)[:32]


def lockout_response(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    cooloff: datetime.timedelta = settings.AXES_COOLOFF_TIME
    until = timezone.localtime(timezone.now() + cooloff)
    message = LOCKED_OUT % {"time": until.strftime("%H:%M"), "minutes": int(cooloff.total_seconds() // 60)}
    accepts_json = "application/json" in request.headers.get("Accept", "") or request.path.startswith("/api/")
    if accepts_json:
        return JsonResponse({"detail": message}, status=429)
    return render(request, "account/locked_out.html", {"message": message}, status=429)


# --- Password validators -------------------------------------------------------------------------


class MinimumLengthValidator:
    """Django's own message has no Simplified Chinese translation in 5.2; this one does."""

    def __init__(self, min_length: int = 12) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(PASSWORD_TOO_SHORT % {"min": self.min_length}, code="password_too_short")

    def get_help_text(self) -> str:
        return _("密码至少 %(min)s 个字符。") % {"min": self.min_length}


class MaximumLengthValidator:
    """Long passphrases are welcome; an upper bound only stops denial of service through the hasher."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(PASSWORD_TOO_LONG % {"max": self.max_length}, code="password_too_long")

    def get_help_text(self) -> str:
        return _("密码最长 %(max)s 个字符。") % {"max": self.max_length}


class PlatformWordsValidator:
    """Refuses passwords built on the platform's and the city's names, and on the user's own numbers."""

    def validate(self, password: str, user: Any = None) -> None:
        folded = password.lower()
        for word in PLATFORM_WORDS:
            if word in folded:
                raise ValidationError(PASSWORD_PLATFORM_WORD % {"word": word}, code="password_platform_word")
        mobile = getattr(user, "mobile", "") or ""
        if mobile and mobile in password:
            raise ValidationError(PASSWORD_CONTAINS_IDENTITY, code="password_contains_identity")

    def get_help_text(self) -> str:
        return _("密码不能包含平台名称、地名、手机号码等容易猜到的内容。")


# --- Second factor, password age and absolute session length -----------------------------------

SESSION_STARTED_KEY = "jinan_ce_session_started"
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/schema/", "/favicon")


def needs_second_factor(user: Any) -> bool:
    return bool(settings.STAFF_MFA_REQUIRED) and (
        user.is_superuser or policies.has_role(user, *SECOND_FACTOR_ROLES)
    )


def has_totp(user: Any) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def totp_code_valid(user: Any, code: str) -> bool:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return bool(authenticator and code and TOTP(authenticator).validate_code(code))


def password_expired(user: Any) -> bool:
    if not (user.is_superuser or policies.has_role(user, *SECOND_FACTOR_ROLES)):
        return False
    changed = user.password_changed_at
    return changed is None or timezone.now() - changed > datetime.timedelta(
        days=settings.STAFF_PASSWORD_MAX_AGE_DAYS
    )


class SecurityPolicyMiddleware:
    """After authentication: ends sessions older than the absolute limit, and sends staff without a
    second factor or with an expired password to the page that fixes it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = timezone.now().timestamp()
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - float(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.warning(
                    request, SESSION_EXPIRED % {"hours": settings.SESSION_ABSOLUTE_SECONDS // 3600}
                )
                return HttpResponseRedirect(reverse("account_login"))
            if not request.path.startswith(EXEMPT_PREFIXES):
                if needs_second_factor(user) and not has_totp(user):
                    if request.path.startswith("/api/"):
                        return JsonResponse({"detail": str(MFA_REQUIRED)}, status=403)
                    messages.warning(request, MFA_REQUIRED)
                    return HttpResponseRedirect(reverse("mfa_activate_totp"))
                if password_expired(user):
                    expired = PASSWORD_EXPIRED % {"days": settings.STAFF_PASSWORD_MAX_AGE_DAYS}
                    if request.path.startswith("/api/"):
                        return JsonResponse({"detail": expired}, status=403)
                    messages.warning(request, expired)
                    return HttpResponseRedirect(reverse("account_change_password"))
        return self.get_response(request)


# --- Idle timeout without a session write per request ----------------------------------------------

SESSION_REFRESH_SECONDS = 60
SESSION_REFRESHED_KEY = "jinan_ce_session_refreshed"


class SessionRefreshMiddleware:
    """Keeps the 30-minute idle timeout sliding without writing the session on every request.

    A session's expiry is set when it is saved. Saving it on every request (``SESSION_SAVE_EVERY_REQUEST``)
    cost a database write and a durable commit per page view and per heartbeat; instead, a request marks
    the session modified when its last refresh is a minute old or more, so ``SessionMiddleware`` (whose
    response phase runs after this one) saves it with a new expiry. A session therefore ends between
    29 and 30 minutes after the last request, never later.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.session_key:
            return response  # no session cookie, or the session was just ended (logout)
        refreshed = session.get(SESSION_REFRESHED_KEY)
        if session.is_empty():
            return response  # a cookie for a session that no longer exists: nothing to keep alive
        now = timezone.now().timestamp()
        if refreshed is None or now - float(refreshed) >= SESSION_REFRESH_SECONDS:
            session[SESSION_REFRESHED_KEY] = now
        return response


# --- API tokens ---------------------------------------------------------------------------------------


class PolicyTokenAuthentication(TokenAuthentication):
    """DRF's token authentication with the same rules as a signed-in session, which the middleware
    above cannot apply to tokens (DRF authenticates a token only inside the view): a token lives no
    longer than a session (SESSION_ABSOLUTE_SECONDS), dies when the password changes, and staff without
    a second factor or with an expired password are refused."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        max_age = settings.SESSION_ABSOLUTE_SECONDS
        if timezone.now() - token.created > datetime.timedelta(seconds=max_age):
            token.delete()
            raise AuthenticationFailed(TOKEN_EXPIRED % {"hours": max_age // 3600})
        if user.password_changed_at is not None and token.created < user.password_changed_at:
            token.delete()
            raise AuthenticationFailed(TOKEN_PASSWORD_CHANGED)
        if needs_second_factor(user) and not has_totp(user):
            raise AuthenticationFailed(MFA_REQUIRED)
        if password_expired(user):
            raise AuthenticationFailed(PASSWORD_EXPIRED % {"days": settings.STAFF_PASSWORD_MAX_AGE_DAYS})
        return user, token
