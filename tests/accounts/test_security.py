"""Login lockout, password policy, second factor and password age for staff, session limits, the
audit of logins and of full-ID views. Each test fails without the protection it names."""

from __future__ import annotations

import datetime
import importlib
import io
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts import identity, security, services
from accounts.audit import audit_record
from accounts.demo import DEMO_PASSWORD
from accounts.models import AuditEvent, User
from accounts.security import SESSION_REFRESH_SECONDS
from tests.fixtures import World, client_for

WRONG = "not-the-password-1"


def attempt_login(client: Client, login: str, password: str, ip: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"login": login, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_login_and_address_for_fifteen_minutes(world: World) -> None:
    client = Client()
    for _ in range(4):
        assert attempt_login(client, "13800000005", WRONG).status_code == 200
    fifth = attempt_login(client, "13800000005", WRONG)
    assert fifth.status_code == 429
    locked = attempt_login(client, "13800000005", DEMO_PASSWORD)
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "登录失败次数过多，为保护账号安全已暂时锁定。请于" in body
    assert "约 15 分钟" in body
    assert "_auth_user_id" not in client.session
    # The pair is locked, not the account everywhere: the same login from another address still works.
    assert attempt_login(Client(), "13800000005", DEMO_PASSWORD, ip="10.0.0.2").status_code == 302
    # The ID number and the mobile number never reach the attempts table in clear.
    stored = list(AccessAttempt.objects.values_list("username", flat=True))
    assert stored and all(value.startswith("login:") and "13800000005" not in value for value in stored)


def test_lockout_expires_after_fifteen_minutes(world: World) -> None:
    client = Client()
    for _ in range(5):
        attempt_login(client, "13800000005", WRONG)
    assert attempt_login(client, "13800000005", DEMO_PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - datetime.timedelta(minutes=16),
    )
    from axes.models import AccessAttemptExpiration

    AccessAttemptExpiration.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert attempt_login(client, "13800000005", DEMO_PASSWORD).status_code == 302


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(world: World) -> None:
    client = Client()
    for _ in range(4):
        attempt_login(client, "13800000005", WRONG)
    from axes.models import AccessAttemptExpiration

    AccessAttemptExpiration.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert attempt_login(client, "13800000005", WRONG).status_code == 200
    assert attempt_login(client, "13800000005", DEMO_PASSWORD).status_code == 302


def test_api_token_endpoint_is_locked_too(world: World) -> None:
    client = Client()
    for _ in range(5):
        client.post("/api/auth/token/", {"login": "13800000005", "password": WRONG}, REMOTE_ADDR="10.0.0.9")
    response = client.post(
        "/api/auth/token/", {"login": "13800000005", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429
    assert "登录失败次数过多" in response.json()["detail"]


def text_values(row: object) -> list[str]:
    """Every text column of a row, as stored."""
    values = (field.value_from_object(row) for field in row._meta.concrete_fields)  # type: ignore[attr-defined]
    return [value for value in values if isinstance(value, str)]


@override_settings(AXES_ENABLE_ACCESS_FAILURE_LOG=True)
def test_failed_logins_leave_no_clear_id_number_in_the_attempt_tables_or_their_admin(world: World) -> None:
    """axes keeps the posted form (GET and POST data) of each failed attempt and shows it in the admin:
    the login field there must be masked like the password, not only the counting key."""
    id_number = identity.decrypt_id_number(world.professional.id_number_encrypted)
    birth_digits = id_number[6:14]  # the part the masked form hides
    assert attempt_login(Client(), id_number, WRONG, ip="10.0.0.7").status_code == 200
    api = Client().post(
        "/api/auth/token/", {"login": id_number, "password": WRONG, "otp": "123456"}, REMOTE_ADDR="10.0.0.8"
    )
    assert api.status_code == 403
    assert attempt_login(Client(), id_number, DEMO_PASSWORD, ip="10.0.0.9").status_code == 302

    attempts = {attempt.path_info: attempt for attempt in AccessAttempt.objects.all()}
    assert set(attempts) == {"/accounts/login/", "/api/auth/token/"}
    masked = "********************"
    assert attempts["/accounts/login/"].post_data.splitlines() == [f"login={masked}", f"password={masked}"]
    assert attempts["/api/auth/token/"].post_data.splitlines() == [
        f"login={masked}",
        f"password={masked}",
        f"otp={masked}",
    ]
    assert AccessFailureLog.objects.count() == 2
    assert AccessLog.objects.count() == 1
    rows = [*AccessAttempt.objects.all(), *AccessFailureLog.objects.all(), *AccessLog.objects.all()]
    for value in (text for row in rows for text in text_values(row)):
        assert id_number.lower() not in value.lower() and birth_digits not in value

    admin = client_for(world.platform_admin)
    pages = ["/admin/axes/accessattempt/", "/admin/axes/accessfailurelog/", "/admin/axes/accesslog/"]
    pages += [f"/admin/axes/accessattempt/{attempt.pk}/change/" for attempt in attempts.values()]
    for url in pages:
        response = admin.get(url)
        assert response.status_code == 200, url
        assert id_number not in response.content.decode(), url


@override_settings(ACCOUNT_RATE_LIMITS={"signup": "2/m/ip", "login": "30/m/ip", "login_failed": False})
def test_registration_is_rate_limited_per_address(world: World) -> None:
    client = Client()
    for _ in range(2):
        client.post("/accounts/signup/", {"real_name": "王"}, REMOTE_ADDR="10.0.0.5")
    assert client.post("/accounts/signup/", {"real_name": "王"}, REMOTE_ADDR="10.0.0.5").status_code == 429
    assert Client().get("/accounts/signup/", REMOTE_ADDR="10.0.0.6").status_code == 200


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short-pass1", "密码太短，至少需要 12 个字符。"),
        ("x" * 129, "密码不能超过 128 个字符。"),
        ("Jining-river-2024", "密码不能包含平台名称、地名或常见词（如 jining）。"),
        ("我的济宁继续教育账号口令", "密码不能包含平台名称、地名或常见词（如 济宁）。"),
        ("tel-13800000005-x", "密码不能包含您的手机号码或身份证号码。"),
    ],
)
def test_password_policy(world: World, password: str, message: str) -> None:
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as error:
            validate_password(password, user=world.professional)
        assert message in error.value.messages


def test_long_passphrases_are_welcome(world: World) -> None:
    validate_password("correct horse battery staple on the Grand Canal " + "z" * 30, user=world.professional)


def test_production_hashes_with_argon2() -> None:
    settings_module = importlib.import_module("jinan_ce.settings")
    assert settings_module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def current_totp_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


@override_settings(STAFF_MFA_REQUIRED=True)
def test_staff_without_second_factor_are_sent_to_set_it_up(world: World) -> None:
    client = client_for(world.unit_admin)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/api/me/").status_code == 403
    # A professional has no such requirement.
    assert client_for(world.professional).get("/dashboard/").status_code == 200


@override_settings(STAFF_MFA_REQUIRED=True)
def test_staff_with_totp_log_in_with_their_code(world: World) -> None:
    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(world.unit_admin, secret)
    client = Client()
    response = client.post("/accounts/login/", {"login": "13800000004", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/2fa/authenticate/", {"code": current_totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


@override_settings(STAFF_MFA_REQUIRED=True)
def test_staff_api_token_needs_the_code(world: World) -> None:
    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(world.unit_admin, secret)
    client = Client()
    refused = client.post("/api/auth/token/", {"login": "13800000004", "password": DEMO_PASSWORD})
    assert refused.status_code in (401, 403)
    assert refused.json()["detail"] == "动态口令不正确或未启用双因素认证。"
    granted = client.post(
        "/api/auth/token/",
        {"login": "13800000004", "password": DEMO_PASSWORD, "otp": current_totp_code(secret)},
    )
    assert granted.status_code == 200
    assert len(granted.json()["token"]) == 40


@override_settings(STAFF_MFA_REQUIRED=True)
def test_a_token_is_held_to_the_same_rules_as_a_session(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token is no way around the staff rules: it dies with a password change, after the session's
    12 hours, when the second factor is removed or the password has expired; getting one is audited."""
    from allauth.mfa.models import Authenticator
    from rest_framework.authtoken.models import Token

    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(world.unit_admin, secret)

    def new_token() -> str:
        caches["default"].clear()  # allauth refuses a TOTP code used once already: this is a new sign-in
        response = Client().post(
            "/api/auth/token/",
            {"login": "13800000004", "password": DEMO_PASSWORD, "otp": current_totp_code(secret)},
        )
        assert response.status_code == 200
        return str(response.json()["token"])

    def me(token: str) -> Any:
        return Client().get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}")

    # Refused tokens answer 403 with the reason (the API's first authenticator is the session's, which
    # names no WWW-Authenticate scheme, so DRF answers 403 rather than 401 for every failed sign-in).
    first = new_token()
    assert me(first).status_code == 200
    issued = AuditEvent.objects.filter(action="auth.token_issue", actor=world.unit_admin)
    assert list(issued.values_list("actor_role", "organisation_path")) == [("unit_admin", world.school.path)]
    # A new sign-in replaces the token.
    second = new_token()
    assert me(first).status_code == 403 and me(second).status_code == 200
    # A password change ends it.
    admin = User.objects.get(pk=world.unit_admin.pk)
    admin.set_password("A-New-Long-Passphrase-2026")
    admin.save()
    refused = me(second)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "密码已修改，此前获取的 API 令牌已失效，请重新获取。"
    assert not Token.objects.filter(user=world.unit_admin).exists()
    # After twelve hours it is over.
    token = Token.objects.create(user=world.unit_admin)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(hours=12, minutes=1))
    expired = me(token.key)
    assert expired.status_code == 403
    assert expired.json()["detail"] == "API 令牌已超过 12 小时有效期，请重新获取。"
    # Staff whose password is too old, or who removed their second factor, are refused with the reason.
    token = Token.objects.create(user=world.unit_admin)
    User.objects.filter(pk=world.unit_admin.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=91)
    )
    Token.objects.filter(pk=token.pk).update(created=timezone.now())
    stale = me(token.key)
    assert stale.status_code == 403 and stale.json()["detail"] == "您的密码已超过 90 天未修改，请先修改密码。"
    User.objects.filter(pk=world.unit_admin.pk).update(password_changed_at=timezone.now())
    Token.objects.filter(pk=token.pk).update(created=timezone.now())
    assert me(token.key).status_code == 200
    Authenticator.objects.filter(user=world.unit_admin).delete()
    no_second_factor = me(token.key)
    assert no_second_factor.status_code == 403
    assert no_second_factor.json()["detail"] == str(security.MFA_REQUIRED)


def test_staff_with_an_expired_password_get_json_from_the_api(world: World) -> None:
    User.objects.filter(pk=world.county_staff.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=91)
    )
    response = client_for(User.objects.get(pk=world.county_staff.pk)).get("/api/me/")
    assert response.status_code == 403
    assert response.json() == {"detail": "您的密码已超过 90 天未修改，请先修改密码。"}


def test_staff_password_expires_after_ninety_days(world: World) -> None:
    User.objects.filter(pk=world.county_staff.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=91)
    )
    response = client_for(User.objects.get(pk=world.county_staff.pk)).get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/change/"
    User.objects.filter(pk=world.professional.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=400)
    )
    assert client_for(User.objects.get(pk=world.professional.pk)).get("/dashboard/").status_code == 200


class Clock:
    """``timezone.now()`` as the test sets it: the session store, the session middleware and the
    security middleware all read the time through it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = timezone.now().replace(microsecond=0)
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta: int) -> None:
        self.now += datetime.timedelta(**delta)


def session_cache_key(session_key: str) -> str:
    return SessionStore(session_key=session_key).cache_key


def session_expiry(session_key: str) -> datetime.datetime:
    return Session.objects.get(session_key=session_key).expire_date


def test_session_settings() -> None:
    """30 minutes idle, no write on every request (the expiry slides at most once a minute), sessions
    read through the cache: a deliberate change of issue 8 (design load), docs/scaling.md proposal 2."""
    settings_module = importlib.import_module("jinan_ce.settings")
    assert settings_module.SESSION_COOKIE_AGE == 30 * 60
    assert settings_module.SESSION_SAVE_EVERY_REQUEST is False
    assert settings_module.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    assert settings_module.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60
    middleware = settings_module.MIDDLEWARE
    refresh = middleware.index("accounts.security.SessionRefreshMiddleware")
    assert middleware[refresh - 1] == "django.contrib.sessions.middleware.SessionMiddleware"
    assert SESSION_REFRESH_SECONDS == 60


def test_activity_slides_the_idle_expiry_at_most_once_a_minute(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    session_cache = caches[django_settings.SESSION_CACHE_ALIAS]
    lifetimes: list[int] = []
    cache_set = session_cache.set

    def recording_set(key: str, value: object, timeout: int, version: int | None = None) -> None:
        if key.startswith(SessionStore.cache_key_prefix):
            lifetimes.append(timeout)
        cache_set(key, value, timeout, version)

    monkeypatch.setattr(session_cache, "set", recording_set)
    client = client_for(world.professional)
    key = client.session.session_key
    lifetimes.clear()  # the test client's own writes while signing in
    started = clock.now
    assert client.get("/dashboard/").status_code == 200  # the first request stamps the refresh
    assert session_expiry(key) == started + datetime.timedelta(minutes=30)
    clock.advance(seconds=59)
    with CaptureQueriesContext(connection) as within_the_minute:
        assert client.get("/dashboard/").status_code == 200
    # Read from the cache and not written: not one query on the session table.
    assert [q["sql"] for q in within_the_minute.captured_queries if "django_session" in q["sql"]] == []
    assert session_expiry(key) == started + datetime.timedelta(minutes=30)
    clock.advance(seconds=1)  # a minute since the last refresh: this request slides the expiry
    assert client.get("/dashboard/").status_code == 200
    assert session_expiry(key) == started + datetime.timedelta(minutes=31)
    # Two writes (the first request, the refresh a minute later), each cached exactly as long as the
    # database keeps the session: the cache entry never outlives the idle timeout.
    assert lifetimes == [30 * 60, 30 * 60]


def test_thirty_idle_minutes_end_the_session(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    client = client_for(world.professional)
    key = client.session.session_key
    assert client.get("/dashboard/").status_code == 200  # refreshed now: expires in 30 minutes
    refreshed = clock.now
    clock.advance(seconds=59)
    assert client.get("/dashboard/").status_code == 200  # the last request; within the minute, no write
    # The session's cache entry lives exactly as long as its database row (the test above); the cache's
    # own clock is not the test's, so drop the entry as its lifetime would have by then.
    clock.advance(minutes=29)
    caches[django_settings.SESSION_CACHE_ALIAS].delete(session_cache_key(key))
    assert clock.now == refreshed + datetime.timedelta(minutes=29, seconds=59)
    assert client.get("/dashboard/").status_code == 200  # 29 min idle: still signed in, and refreshed
    clock.advance(minutes=30)
    caches[django_settings.SESSION_CACHE_ALIAS].delete(session_cache_key(key))
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/dashboard/"
    # The slack: after a request that did not refresh, the session ends at most a minute early.
    client = client_for(world.professional)
    key = client.session.session_key
    assert client.get("/dashboard/").status_code == 200
    refreshed = clock.now
    clock.advance(seconds=59)
    assert client.get("/dashboard/").status_code == 200
    clock.advance(minutes=29, seconds=1)
    caches[django_settings.SESSION_CACHE_ALIAS].delete(session_cache_key(key))
    assert clock.now == refreshed + datetime.timedelta(minutes=30)
    assert client.get("/dashboard/").status_code == 302  # 29 min 1 s after the last request


def test_absolute_limit_of_twelve_hours(world: World) -> None:
    client = client_for(world.professional)
    assert client.get("/dashboard/").status_code == 200
    session = client.session
    session["jinan_ce_session_started"] = (
        timezone.now() - datetime.timedelta(hours=12, minutes=1)
    ).timestamp()
    session.save()
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get("/dashboard/").status_code == 302


def test_disabling_an_account_ends_its_sessions(world: World) -> None:
    client = client_for(world.professional)
    assert client.get("/dashboard/").status_code == 200
    # The session is served from the cache; the user behind it is read from the database every time.
    assert caches[django_settings.SESSION_CACHE_ALIAS].get(session_cache_key(client.session.session_key))
    User.objects.filter(pk=world.professional.pk).update(is_active=False)
    assert client.get("/dashboard/").status_code == 302


def test_password_change_ends_other_sessions(world: World) -> None:
    other_device = Client()
    assert attempt_login(other_device, "13800000005", DEMO_PASSWORD).status_code == 302
    other_key = other_device.session.session_key
    assert other_device.get("/dashboard/").status_code == 200
    this_device = Client()
    assert attempt_login(this_device, "13800000005", DEMO_PASSWORD, ip="10.0.0.3").status_code == 302
    response = this_device.post(
        "/accounts/password/change/",
        {
            "oldpassword": DEMO_PASSWORD,
            "password1": "Grand-Canal-Weishan-77",
            "password2": "Grand-Canal-Weishan-77",
        },
    )
    assert response.status_code == 302
    assert other_device.get("/dashboard/").status_code == 302
    # The stale session is gone from the cache as well as from the database.
    assert caches[django_settings.SESSION_CACHE_ALIAS].get(session_cache_key(other_key)) is None
    assert not Session.objects.filter(session_key=other_key).exists()


def test_ending_other_sessions_removes_them_from_the_cache(world: World) -> None:
    phone = Client()
    assert attempt_login(phone, "13800000005", DEMO_PASSWORD).status_code == 302
    phone_key = phone.session.session_key
    assert phone.get("/dashboard/").status_code == 200
    assert caches[django_settings.SESSION_CACHE_ALIAS].get(session_cache_key(phone_key))
    laptop = Client()
    assert attempt_login(laptop, "13800000005", DEMO_PASSWORD, ip="10.0.0.3").status_code == 302
    assert laptop.post("/accounts/sessions/").status_code == 302
    assert caches[django_settings.SESSION_CACHE_ALIAS].get(session_cache_key(phone_key)) is None
    assert not Session.objects.filter(session_key=phone_key).exists()
    assert phone.get("/dashboard/").status_code == 302
    assert laptop.get("/dashboard/").status_code == 200


def test_users_can_list_their_sessions(world: World) -> None:
    client = Client()
    attempt_login(client, "13800000005", DEMO_PASSWORD)
    response = client.get("/accounts/sessions/")
    assert response.status_code == 200


def test_logins_and_failures_are_audited_without_clear_numbers(world: World) -> None:
    id_number = identity.decrypt_id_number(world.professional.id_number_encrypted)
    attempt_login(Client(), id_number, WRONG, ip="10.1.2.3")
    attempt_login(Client(), id_number, DEMO_PASSWORD, ip="10.1.2.4")
    failure = AuditEvent.objects.get(action="auth.login_failed")
    assert failure.result == "failure"
    assert failure.ip_address == "10.1.2.3"
    assert failure.detail == {"login": identity.mask_id_number(id_number)}
    success = AuditEvent.objects.get(action="auth.login")
    assert success.actor == world.professional
    assert success.ip_address == "10.1.2.4"
    assert not AuditEvent.objects.filter(detail__icontains=id_number).exists()


def test_full_id_number_view_is_for_bureau_staff_and_audited(world: World) -> None:
    person = world.professional
    full = identity.decrypt_id_number(person.id_number_encrypted)
    page = client_for(world.county_staff).get(f"/people/{person.pk}/")
    assert page.status_code == 200
    assert full not in page.content.decode()
    assert person.id_number_masked in page.content.decode()
    revealed = client_for(world.county_staff).post(f"/people/{person.pk}/reveal-id/")
    assert revealed.status_code == 200
    assert full in revealed.content.decode()
    assert revealed["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="user.id_number_view")
    assert (event.actor, event.object_id, event.actor_role) == (
        world.county_staff,
        str(person.pk),
        "county_bureau_staff",
    )
    # A unit admin sees the masked number only; other counties do not see the person at all.
    assert client_for(world.unit_admin).post(f"/people/{person.pk}/reveal-id/").status_code == 404
    assert client_for(world.unit_admin).get(f"/people/{person.pk}/").status_code == 200
    assert client_for(world.other_county_staff).get(f"/people/{person.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="user.id_number_view").count() == 1


def test_audit_trail_is_append_only_on_postgresql(world: World) -> None:
    from django.db import DatabaseError, connection, transaction

    event = audit_record(actor=world.professional, action="test.event")
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL, the database CI and production run on")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_audit_export_is_scoped_and_recorded(world: World) -> None:
    services.membership_confirm(
        actor=world.other_unit_admin,
        membership_id=world.pending_professional.memberships.get(status="pending").pk,
    )
    response = client_for(world.county_staff).get("/audit/", {"format": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("时间", "操作人", "角色", "所在机构", "操作")
    assert "membership.confirm" in {row[4] for row in rows[1:]}
    assert AuditEvent.objects.filter(action="audit.export", actor=world.county_staff).count() == 1
    outside = client_for(world.other_county_staff).get("/audit/", {"format": "xlsx"})
    outside_rows = list(load_workbook(io.BytesIO(outside.content)).active.iter_rows(values_only=True))
    assert "membership.confirm" not in {row[4] for row in outside_rows[1:]}
    assert client_for(world.unit_admin).get("/audit/").status_code == 404


@override_settings(STAFF_MFA_REQUIRED=True)
def test_staff_can_set_up_totp_from_the_page_they_are_sent_to(world: World) -> None:
    client = Client()
    login = attempt_login(client, "13800000004", DEMO_PASSWORD)
    assert login.status_code == 302
    assert client.get("/dashboard/")["Location"] == "/accounts/2fa/totp/activate/"
    # Setting up a second factor asks for the password again (allauth's reauthentication).
    assert client.get("/accounts/2fa/totp/activate/").status_code == 302
    reauthenticated = client.post(
        "/accounts/reauthenticate/?next=/accounts/2fa/totp/activate/", {"password": DEMO_PASSWORD}
    )
    assert reauthenticated.status_code == 302
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": current_totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_logout_ends_the_session_and_is_audited(world: World) -> None:
    client = Client()
    attempt_login(client, "13800000005", DEMO_PASSWORD)
    key = client.session.session_key
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 302
    assert caches[django_settings.SESSION_CACHE_ALIAS].get(session_cache_key(key)) is None
    # The old cookie replayed does not bring the session back.
    replay = Client()
    replay.cookies[django_settings.SESSION_COOKIE_NAME] = key
    assert replay.get("/dashboard/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor=world.professional).count() == 1
