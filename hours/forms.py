"""Forms parse input only: a claim form generated from the rule's FieldSpecs, the year rules form
generated from RuleFigures. The services validate (with the rules' own Chinese messages)."""

from __future__ import annotations

import dataclasses
import datetime
import typing
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .rules import RuleFigures, RuleSpec, format_hours
from .rules import messages as rule_messages
from .rules.specs import (
    COMPETITION_LEVEL_CHOICES,
    FOREIGN_LANGUAGE_GRADE_CHOICES,
    REDUCTION_REASON_CHOICES,
    SKILL_GRADE_CHOICES,
)
from .services.evidence import ACCEPT

StrOrPromise = str | Promise


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; type and size are checked by the evidence service, by content."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [data] if data else []


def _rule_field(field_spec: Any) -> forms.Field:
    label = field_spec.label
    required_message = rule_messages.FIELD_REQUIRED.format(label=label)
    common: dict[str, Any] = {
        "label": label,
        "required": field_spec.required,
        "help_text": field_spec.help,
        "error_messages": {"required": required_message},
    }
    choice_errors = {
        "required": required_message,
        "invalid_choice": rule_messages.FIELD_UNKNOWN_CHOICE.format(label=label),
    }
    if field_spec.kind in ("choice", "month"):
        choices = (
            field_spec.choices
            if field_spec.kind == "choice"
            else tuple((str(month), f"{month}月") for month in range(1, 13))
        )
        return forms.ChoiceField(
            choices=[("", _("请选择")), *choices],
            widget=forms.Select(),
            label=label,
            required=field_spec.required,
            help_text=field_spec.help,
            error_messages=choice_errors,
        )
    attrs: dict[str, str] = {}
    if field_spec.kind in ("int", "decimal"):
        attrs.update(
            {"type": "number", "inputmode": "decimal" if field_spec.kind == "decimal" else "numeric"}
        )
        attrs["step"] = "0.1" if field_spec.kind == "decimal" else "1"
        if field_spec.min_value is not None:
            attrs["min"] = str(field_spec.min_value)
        if field_spec.max_value is not None:
            attrs["max"] = str(field_spec.max_value)
        return forms.CharField(widget=forms.TextInput(attrs=attrs), **common)
    if field_spec.kind == "date":
        attrs["type"] = "date"
        return forms.CharField(widget=forms.TextInput(attrs=attrs), **common)
    if field_spec.max_length:
        attrs["maxlength"] = str(field_spec.max_length)
    return forms.CharField(widget=forms.TextInput(attrs=attrs), strip=False, **common)


class ClaimForm(forms.Form):
    """The year, the rule's own fields (nothing else), and the evidence files."""

    def __init__(self, *args: Any, spec: RuleSpec, years: Sequence[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.fields["year"] = forms.TypedChoiceField(
            label=_("申报年度"),
            choices=[(year, _("%(year)s年度") % {"year": year}) for year in years],
            coerce=int,
            widget=forms.Select(),
            error_messages={"required": _("请选择申报年度"), "invalid_choice": _("该年度目前不能申报")},
        )
        for field_spec in spec.fields:
            self.fields[field_spec.name] = _rule_field(field_spec)
        self.fields["evidence"] = MultipleFileField(
            label=_("证明材料：%(label)s") % {"label": spec.evidence_label},
            required=False,
            help_text=_("PDF、JPG或PNG格式，每个文件不超过10MB，每项申报最多5个文件。"),
        )

    def rule_values(self) -> dict[str, object]:
        """The rule's fields as typed (form strings; the service validates and converts them)."""
        return {field_spec.name: self.cleaned_data.get(field_spec.name) for field_spec in self.spec.fields}

    def raw_rule_values(self) -> dict[str, object]:
        """The rule's fields straight from the request, for a preview of a form that may not be valid."""
        return {field_spec.name: self.data.get(field_spec.name, "") for field_spec in self.spec.fields}

    def rule_field_names(self) -> list[str]:
        return [field_spec.name for field_spec in self.spec.fields]


# --- The year's rule set ---------------------------------------------------------------------------

#: The figures that are tables keyed by a choice code (the same as ``RuleFigures``'s own).
TABLE_CHOICES = {
    "foreign_language_exam_hours": FOREIGN_LANGUAGE_GRADE_CHOICES,
    "competition_public_hours": COMPETITION_LEVEL_CHOICES,
    "competition_professional_hours": COMPETITION_LEVEL_CHOICES,
    "skill_evaluation_hours": SKILL_GRADE_CHOICES,
    "reduction_months_away_over": REDUCTION_REASON_CHOICES,
}

FIGURE_LABELS: dict[str, StrOrPromise] = {
    "public_required": _("公需科目年度要求（学时）"),
    "professional_required": _("专业科目年度要求（学时）"),
    "compulsory_course_cap": _("公需科目必修课（学时）"),
    "elective_course_cap": _("公需科目自选课（学时）"),
    "public_study_opens": _("公需科目学习开始日期"),
    "claim_window_opens": _("学时申报开始日期"),
    "claim_window_closes": _("学时申报截止日期"),
    "dispatch_public_hours_per_year": _("援派：每年认定公需科目学时"),
    "dispatch_professional_hours_per_year": _("援派：每年认定专业科目学时"),
    "foreign_language_exam_hours": _("职称外语考试"),
    "computer_exam_hours_per_module": _("计算机应用能力考试：每模块学时"),
    "computer_exam_yearly_cap": _("计算机应用能力考试：每年上限"),
    "competition_public_hours": _("技能竞赛抵扣公需科目"),
    "competition_professional_hours": _("技能竞赛抵扣专业科目"),
    "training_hours_per_day": _("培训进修：每天上限"),
    "self_study_exam_hours_per_course": _("自学考试：每门课学时"),
    "self_study_exam_yearly_cap": _("自学考试：每年上限"),
    "research_hours_per_item": _("科研成果及论文著作：每项学时"),
    "research_yearly_cap": _("科研成果及论文著作：每年上限"),
    "expert_work_hours_per_day": _("受邀专家活动：每天上限"),
    "qualification_exam_hours": _("职业资格考试：每证书学时"),
    "skill_evaluation_hours": _("企业职业技能评价"),
    "reduction_months_away_over": _("按在岗时间折算：离岗须超过的月数"),
    "quality_online_course_multiplier": _("优质在线公需课：课时倍数"),
    "digital_engineer_hours_per_day": _("数字技术工程师培训：每天上限"),
}


def _figure_field(kind: Any, label: str) -> forms.Field:
    if kind is Decimal:
        return forms.DecimalField(
            label=label,
            min_value=0,
            max_digits=6,
            decimal_places=1,
            widget=forms.NumberInput(attrs={"step": "0.1"}),
        )
    if kind is int:
        return forms.IntegerField(label=label, min_value=0, max_value=12, widget=forms.NumberInput())
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class YearRulesForm(forms.Form):
    """One input per figure (a table becomes one input per choice: "职称外语考试 · A级")."""

    def __init__(self, *args: Any, figures: RuleFigures, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = figures.year
        hints = typing.get_type_hints(RuleFigures)
        self.groups: list[tuple[str, list[str]]] = []
        initial: dict[str, object] = {}
        for item in dataclasses.fields(RuleFigures):
            if item.name == "year":
                continue
            label = str(FIGURE_LABELS[item.name])
            value = getattr(figures, item.name)
            if item.name in TABLE_CHOICES:
                value_type = int if item.name == "reduction_months_away_over" else Decimal
                names = []
                for code, choice_label in TABLE_CHOICES[item.name]:
                    name = f"{item.name}__{code}"
                    self.fields[name] = _figure_field(value_type, f"{choice_label}")
                    initial[name] = value[code]
                    names.append(name)
                self.groups.append((label, names))
            else:
                self.fields[item.name] = _figure_field(hints[item.name], label)
                initial[item.name] = value
                self.groups.append(("", [item.name]))
        self.initial = {**initial, **self.initial}

    def figures(self) -> dict[str, object]:
        """The figures as ``RuleFigures.to_dict`` writes them, for ``year_rules_update``."""
        data: dict[str, object] = {"year": self.year}
        for item in dataclasses.fields(RuleFigures):
            if item.name == "year":
                continue
            if item.name in TABLE_CHOICES:
                data[item.name] = {
                    code: _json(self.cleaned_data[f"{item.name}__{code}"])
                    for code, _label in TABLE_CHOICES[item.name]
                }
            else:
                data[item.name] = _json(self.cleaned_data[item.name])
        return data

    def bound_groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(label, [self[name] for name in names]) for label, names in self.groups]


def _json(value: object) -> object:
    if isinstance(value, Decimal):
        return format_hours(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class YearRulesCopyForm(forms.Form):
    from_year = forms.TypedChoiceField(label=_("复制自"), coerce=int, widget=forms.Select())
    to_year = forms.IntegerField(
        label=_("新年度"), min_value=2000, max_value=2100, widget=forms.NumberInput()
    )

    def __init__(self, *args: Any, years: Sequence[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from_year = self.fields["from_year"]
        assert isinstance(from_year, forms.TypedChoiceField)
        from_year.choices = [(year, str(year)) for year in years]
        if years and "to_year" not in self.initial:
            self.initial.update({"from_year": max(years), "to_year": max(years) + 1})
