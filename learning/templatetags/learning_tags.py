"""Dashboard panels for learning, computed here because the dashboard view belongs to accounts, and
the checks links to learning pages ask (a link shows only when its page opens for the viewer)."""

from __future__ import annotations

from typing import Any

from django import template

from hours import selectors as hours_selectors

from .. import policies, selectors
from ..models import Course, CourseStatus

register = template.Library()


@register.simple_tag
def learner_panel(user: Any) -> dict[str, Any]:
    year = hours_selectors.default_year()
    if year is None or not policies.is_learner(user):
        return {}
    enrolments = list(selectors.enrolments_of(user, year).order_by("-enrolled_at")[:20])
    studying = [e for e in enrolments if e.completed_at is None]
    return {
        "year": year,
        "choice": selectors.provider_choice(user, year),
        "studying": studying[:3],
        "studying_count": len(studying),
        "completed_count": sum(1 for e in enrolments if e.completed_at is not None),
    }


@register.simple_tag
def provider_panel(user: Any) -> dict[str, Any]:
    courses = selectors.courses_managed_by(user)
    year = hours_selectors.default_year()
    if year is not None:
        courses = courses.filter(year=year)
    return {
        "year": year,
        "course_count": courses.count(),
        "published_count": courses.filter(status=CourseStatus.PUBLISHED).count(),
        "flag_count": selectors.flags_visible_to(user).count(),
        "premium_count": selectors.premium_managed_by(user).count(),
        "quality_opens": policies.can_open_quality_list(user),
    }


@register.filter
def course_opens_for(course: Course, user: Any) -> bool:
    """Whether the course's page (learning_course) opens for the user: the page's own queryset."""
    return selectors.courses_visible_to(user).filter(pk=course.pk).exists()
