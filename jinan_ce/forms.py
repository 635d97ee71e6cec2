"""The project's form renderer (settings.FORM_RENDERER): every form field's widget gets Bootstrap's class
for its kind, so no form or template has to add it, and a field with errors is marked invalid.

A class a form sets on a widget itself is kept as it is (is-invalid is added to it on errors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.forms.widgets import Input

INVALID = "is-invalid"


def bootstrap_class(widget: forms.Widget) -> str | None:
    """Bootstrap's class for the widget's controls, or None for one that shows no control."""
    if widget.is_hidden:
        return None
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):  # also CheckboxSelectMultiple
        return "form-check-input"
    if isinstance(widget, forms.Select | forms.SelectDateWidget):  # also SelectMultiple, NullBooleanSelect
        return "form-select"
    if isinstance(widget, forms.MultiWidget):
        return bootstrap_class(widget.widgets[0]) if widget.widgets else None
    if isinstance(widget, Input) and widget.input_type == "range":
        return "form-range"
    if isinstance(widget, Input | forms.Textarea):  # also file, date, number, email, password
        return "form-control"
    return None


class BootstrapBoundField(BoundField):
    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        css = str(attrs.get("class") or widget.attrs.get("class") or bootstrap_class(widget) or "")
        if css and self.errors and bootstrap_class(widget) and INVALID not in css.split():
            css = f"{css} {INVALID}"
        if css:
            attrs["class"] = css
        return attrs


class BootstrapFormRenderer(DjangoTemplates):
    """Django's default renderer, with Bootstrap's classes on every field's widget (Django 5.2's
    renderer-wide bound_field_class)."""

    bound_field_class = BootstrapBoundField
