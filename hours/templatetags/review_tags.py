"""Template helpers of the review workflow: the reviewer's panel on the dashboard, a record's address."""

from __future__ import annotations

from typing import Any

from django import template

from .. import review_policies, selectors_review
from ..review_models import ReviewStageKind

register = template.Library()


@register.simple_tag
def review_panel(user: Any) -> dict[str, Any] | None:
    """Counts per status at the user's stages, or None for someone who reviews nothing."""
    if not review_policies.is_reviewer(user):
        return None
    counts = selectors_review.review_counts(user)
    return {
        "counts": counts,
        "by_stage": [
            (ReviewStageKind(kind).label, waiting, overdue) for kind, waiting, overdue in counts.by_stage
        ],
    }


@register.simple_tag
def shown_ip_address(record: Any, claim: Any, viewer: Any) -> str | None:
    return review_policies.shown_ip_address(record, claim, viewer)
