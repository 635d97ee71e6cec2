"""The audit log's codes in words: ``{{ event.action|audit_action }}`` and the like (see audit_labels)."""

from __future__ import annotations

from django import template

from accounts import audit_labels

register = template.Library()

register.filter("audit_action", audit_labels.action_label)
register.filter("audit_role", audit_labels.role_label)
register.filter("audit_result", audit_labels.result_label)
register.filter("audit_object", audit_labels.object_label)


@register.simple_tag
def audit_areas() -> list[tuple[str, str]]:
    """The filter's choices: each area's code prefix and name."""
    return [(code, str(label)) for code, label in audit_labels.ACTION_AREAS.items()]


@register.simple_tag
def audit_area_codes() -> list[str]:
    return list(audit_labels.ACTION_AREAS)
