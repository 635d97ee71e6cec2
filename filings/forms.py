"""Forms parse and validate input only; the services decide (and give the Chinese reasons)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from jinan_ce.params import parse_int

from . import clock, services
from .models import (
    CHANNEL_SOURCES,
    DESCRIPTION_MAX_LENGTH,
    INSTRUCTORS_MAX_LENGTH,
    ImportSource,
    TrainingKind,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FilingForm(forms.Form):
    title = forms.CharField(label=_("培训名称"), max_length=200)
    kind = forms.ChoiceField(label=_("培训类型"), choices=TrainingKind.choices)
    organiser = forms.CharField(label=_("主办单位"), max_length=200)
    start_date = forms.DateField(label=_("开始日期"), widget=DATE_INPUT)
    end_date = forms.DateField(label=_("结束日期"), widget=DATE_INPUT)
    training_days = forms.IntegerField(label=_("培训天数"), min_value=1, max_value=366)
    planned_hours = forms.DecimalField(
        label=_("计划学时"), min_value=0, max_digits=6, decimal_places=1, help_text=_("每天不超过 8 学时。")
    )
    place = forms.CharField(label=_("培训地点"), max_length=200)
    instructors = forms.CharField(
        label=_("授课教师"),
        required=False,
        max_length=INSTRUCTORS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一位，可注明职称和单位。"),
    )
    expected_participants = forms.IntegerField(label=_("预计参训人数"), min_value=1, max_value=1_000_000)
    description = forms.CharField(
        label=_("培训内容"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attachments = MultipleFileField(
        label=_("附件"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": services.ATTACHMENT_ACCEPT}),
        help_text=_("培训通知、日程安排等，PDF、图片、Word 或 Excel，每个不超过 10 MB。"),
    )

    def __init__(
        self,
        *args: Any,
        organisations: list[Organisation] | None = None,
        paper_organisations: QuerySet[Organisation] | None = None,
        **kwargs: Any,
    ) -> None:
        """``organisations``: where the user files in their own name (given for a new filing only);
        ``paper_organisations``: for bureau staff, the units and departments whose paper filings they may
        type in (thousands, perhaps: picked by searching, never listed whole)."""
        super().__init__(*args, **kwargs)
        self.organisations = organisations or []
        self.paper_organisations = paper_organisations
        self.offers_paper = paper_organisations is not None
        self._selected: tuple[Organisation, bool] | None = None
        if organisations is not None:
            self.fields["organisation"] = forms.CharField(
                label=_("备案单位"), error_messages={"required": _("请选择备案单位。")}
            )
            self.order_fields(["organisation"])
            if self.offers_paper:
                self.fields["paper_received_on"] = forms.DateField(
                    label=_("纸质材料收到日期"),
                    required=False,
                    widget=DATE_INPUT,
                    help_text=_("仅代录纸质备案时填写：须早于培训开始日期。"),
                )
                self.order_fields(["organisation", "paper_received_on"])
            if len(self.organisations) == 1 and not self.offers_paper:
                self.fields["organisation"].initial = str(self.organisations[0].pk)

    @property
    def own_choices(self) -> list[tuple[str, str]]:
        """(value, name) of the organisations the user files for in their own name."""
        return [(str(o.pk), o.name) for o in self.organisations]

    @property
    def organisation_value(self) -> str:
        return str(self["organisation"].value() or "") if "organisation" in self.fields else ""

    @cached_property
    def selected_paper_unit(self) -> Organisation | None:
        """The unit picked for a paper filing, shown again (checked) when the form comes back."""
        value = self.organisation_value
        if self.paper_organisations is None or not value.startswith("paper:"):
            return None
        pk = parse_int(value.removeprefix("paper:"))
        if pk is None:
            return None
        return self.paper_organisations.select_related("parent").filter(pk=pk).first()

    @property
    def selected_paper_units(self) -> list[Organisation]:
        return [self.selected_paper_unit] if self.selected_paper_unit is not None else []

    def clean_organisation(self) -> str:
        value = self.cleaned_data["organisation"].strip()
        if value.startswith("paper:"):
            unit = self.selected_paper_unit
            if unit is None:
                raise forms.ValidationError(_("请在“代录纸质备案”中查找并选择单位。"))
            self._selected = (unit, True)
        else:
            own = next((o for o in self.organisations if str(o.pk) == value), None)
            if own is None:
                raise forms.ValidationError(_("请选择备案单位。"))
            self._selected = (own, False)
        return value

    def selected_organisation(self) -> tuple[Organisation, bool]:
        """(organisation, is a paper filing)."""
        assert self._selected is not None
        return self._selected

    def filing_data(self) -> services.FilingData:
        data = self.cleaned_data
        return services.FilingData(
            title=data["title"].strip(),
            kind=data["kind"],
            organiser=data["organiser"].strip(),
            start_date=data["start_date"],
            end_date=data["end_date"],
            training_days=data["training_days"],
            planned_hours=data["planned_hours"],
            place=data["place"].strip(),
            expected_participants=data["expected_participants"],
            instructors=data.get("instructors", "").strip(),
            description=data.get("description", "").strip(),
        )


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ApproveForm(forms.Form):
    comment = forms.CharField(label=_("审核意见"), max_length=500, required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回原因"), max_length=500, required=False)


class AttachmentForm(forms.Form):
    attachments = MultipleFileField(
        label=_("补充附件"), widget=MultipleFileInput(attrs={"accept": services.ATTACHMENT_ACCEPT})
    )


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("学员名单文件（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    is_correction = forms.BooleanField(
        label=_("更正导入：用本文件中的学时替换已记入的学时（学时填 0 表示撤销）"), required=False
    )


class ChannelUploadForm(RosterUploadForm):
    source = forms.ChoiceField(
        label=_("行业"),
        choices=[(value, label) for value, label in ImportSource.choices if value in CHANNEL_SOURCES],
    )
    year = forms.IntegerField(label=_("学时年度"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = clock.today().year
        self.order_fields(["source", "year", "file", "is_correction"])
