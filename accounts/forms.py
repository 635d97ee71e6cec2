"""Forms parse and validate input only; the services do the work."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from . import identity, services
from .models import Education, Organisation, TitleLevel

REAL_NAME_INVALID = _("请输入与身份证一致的真实姓名（2至30个字）。")
LOGIN_INVALID = _("身份证号/手机号或密码不正确。")


class UnitField(forms.CharField):
    """Typed by name or credit code; a datalist (filled through HTMX) offers matching units."""

    widget = forms.TextInput(
        attrs={
            "list": "unit-options",
            "autocomplete": "off",
            "hx-get": "/units/search/",
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#unit-options",
            "hx-swap": "innerHTML",
            "placeholder": _("输入单位名称或统一社会信用代码"),
        }
    )

    def clean(self, value: Any) -> Organisation:  # type: ignore[override]
        text = super().clean(value)
        return services.unit_resolve(text)


def clean_real_name(value: str) -> str:
    value = identity.to_half_width(value or "").strip()
    if not (2 <= len(value) <= 30):
        raise ValidationError(REAL_NAME_INVALID)
    return value


class RegistrationForm(SignupForm):
    """allauth's signup form with the platform's real-name fields. The "username" is the mobile number."""

    real_name = forms.CharField(label=_("真实姓名"), max_length=30)
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    unit = UnitField(label=_("工作单位"), max_length=120, error_messages={"required": services.UNIT_REQUIRED})
    title_series = forms.CharField(label=_("职称系列"), max_length=60, required=False)
    title_level = forms.ChoiceField(
        label=_("职称等级"), choices=[("", "——"), *TitleLevel.choices], required=False
    )
    specialty = forms.CharField(label=_("专业"), max_length=60, required=False)
    education = forms.ChoiceField(label=_("学历"), choices=[("", "——"), *Education.choices], required=False)

    field_order = [
        "real_name",
        "id_number",
        "username",
        "password1",
        "password2",
        "unit",
        "title_series",
        "title_level",
        "specialty",
        "education",
        "email",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("手机号码")
        self.fields["username"].widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "tel", "placeholder": ""}
        )
        self.fields["username"].error_messages["required"] = identity.MOBILE_INVALID
        self.fields["id_number"].error_messages["required"] = identity.ID_NUMBER_REQUIRED
        self.fields["real_name"].error_messages["required"] = REAL_NAME_INVALID
        if "email" in self.fields:
            self.fields["email"].label = _("电子邮箱（选填）")
            self.fields["email"].widget.attrs["placeholder"] = ""
        self.fields["password1"].label = _("密码")
        self.fields["password2"].label = _("确认密码")
        for name in ("password1", "password2"):
            self.fields[name].widget.attrs["placeholder"] = ""

    def clean_real_name(self) -> str:
        return clean_real_name(self.cleaned_data.get("real_name", ""))

    def clean_id_number(self) -> str:
        id_number = identity.clean_id_number(self.cleaned_data.get("id_number"))
        if services.id_number_taken(id_number):
            raise ValidationError(services.ID_NUMBER_TAKEN)
        return id_number


class LoginForm(AllauthLoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        # allauth sizes the field to the mobile number; an ID number (18, or more with spaces) must fit.
        login.max_length = 40  # type: ignore[attr-defined]
        login.validators = [v for v in login.validators if not isinstance(v, MaxLengthValidator)]
        login.widget.attrs["maxlength"] = "40"
        self.fields["login"].label = _("身份证号或手机号")
        self.fields["login"].widget.attrs.update(
            {"placeholder": _("身份证号或手机号"), "autocomplete": "username"}
        )
        self.fields["password"].label = _("密码")
        self.fields["password"].widget.attrs.update({"placeholder": ""})
        # allauth's "忘记密码了？" help text: the login page has its own link beside the registration one.
        self.fields["password"].help_text = ""
        if "remember" in self.fields:
            del self.fields["remember"]


class ProfileForm(forms.Form):
    mobile = forms.CharField(label=_("手机号码"), max_length=20)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    title_series = forms.CharField(label=_("职称系列"), max_length=60, required=False)
    title_level = forms.ChoiceField(
        label=_("职称等级"), choices=[("", "——"), *TitleLevel.choices], required=False
    )
    specialty = forms.CharField(label=_("专业"), max_length=60, required=False)
    education = forms.ChoiceField(label=_("学历"), choices=[("", "——"), *Education.choices], required=False)

    def clean_mobile(self) -> str:
        return identity.clean_mobile(self.cleaned_data.get("mobile"))


class EmployerChangeForm(forms.Form):
    unit = UnitField(
        label=_("新工作单位"), max_length=120, error_messages={"required": services.UNIT_REQUIRED}
    )


class MembershipRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("不通过理由"), max_length=200, error_messages={"required": services.REJECTION_REASON_REQUIRED}
    )
