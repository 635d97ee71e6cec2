"""Helpers shared by the learning pages."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from hours import selectors as hours_selectors
from jinan_ce.params import parse_int


def flash_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


def selected_year(request: HttpRequest) -> int:
    """?year= when it has a rule set, else the hours pages' default year (else this year)."""
    years = hours_selectors.years_with_rules()
    year = parse_int(request.GET.get("year") or request.POST.get("year"))
    if year is not None and year in years:
        return year
    return hours_selectors.default_year() or timezone.localdate().year


def acting_user(request: HttpRequest) -> User:
    """The signed-in user (every view using this is behind login_required or an authenticated API)."""
    return cast(User, request.user)
