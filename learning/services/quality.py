"""Quality online public courses (优质在线公需课, notice 五(一)): a base declares one of its public
courses and the course's instructor for the provincial selection; city bureau staff record the result;
a selected course credits its instructor the course hours times the year's multiplier (2), as
professional hours in the year of the selection (rules-2024.md, reading)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.models import User
from hours import selectors as hours_selectors
from hours import services as hours_services
from hours.models import LedgerCategory, SourceType
from hours.rules import quality_online_course_hours
from hours.services.ledger import stored_text

from .. import policies
from ..models import PUBLIC_COURSE_KINDS, Course, QualityCourseDeclaration, SelectionStatus

QUALITY_NOT_YOURS = _("只能申报本基地开设的公需科目课程。")
# The same words whether nobody has the number or its owner cannot be declared: they reveal neither.
QUALITY_INSTRUCTOR_NOT_ELIGIBLE = _(
    "该手机号码不能申报为授课教师。授课教师须为在平台实名注册的专业技术人员，请核对手机号码。"
)
QUALITY_DUPLICATE = _("该课程和授课教师本年度已申报。")
QUALITY_RESULT_NOT_ALLOWED = _("只有市人力资源和社会保障局工作人员可以登记评选结果。")
QUALITY_RESULT_RECORDED = _("该申报的评选结果已登记。")
QUALITY_CREDIT_MEMO = _("优质在线公需课《%(title)s》入选，按课程学时的%(multiplier)s倍计入授课教师学时")
QUALITY_SELECTED_TITLE = _("您的课程入选优质在线公需课")


def _audit(actor: User, action: str, declaration: QualityCourseDeclaration, **detail: Any) -> None:
    assignment = policies.acting_assignment(actor, declaration.provider_id, policies.COURSE_ROLES) or (
        policies.city_bureau_assignment(actor)
    )
    audit_record(
        actor=actor,
        action=action,
        target=declaration,
        organisation=declaration.provider,
        assignment=assignment,
        detail=detail,
    )


@transaction.atomic
def quality_declare(*, actor: User, course: Course, instructor: User, year: int) -> QualityCourseDeclaration:
    if not policies.can_manage_course(actor, course) or course.kind not in PUBLIC_COURSE_KINDS:
        raise PermissionDenied(QUALITY_NOT_YOURS)
    if not policies.can_be_instructor(instructor):
        raise ValidationError({"instructor": QUALITY_INSTRUCTOR_NOT_ELIGIBLE})
    hours_selectors.year_figures(year)
    try:
        with transaction.atomic():
            declaration = QualityCourseDeclaration.objects.create(
                provider=course.provider, year=year, course=course, instructor=instructor, declared_by=actor
            )
    except IntegrityError as error:
        raise ValidationError(QUALITY_DUPLICATE) from error
    _audit(actor, "learning.quality.declare", declaration, course=course.pk, instructor=instructor.pk)
    return declaration


@transaction.atomic
def quality_record_result(
    *, actor: User, declaration: QualityCourseDeclaration, is_selected: bool
) -> QualityCourseDeclaration:
    if not policies.can_record_quality_results(actor):
        raise PermissionDenied(QUALITY_RESULT_NOT_ALLOWED)
    declaration = (
        QualityCourseDeclaration.objects.select_for_update()
        .select_related("course", "instructor", "provider")
        .get(pk=declaration.pk)
    )
    if declaration.status != SelectionStatus.DECLARED:
        raise ValidationError(QUALITY_RESULT_RECORDED)
    declaration.status = SelectionStatus.SELECTED if is_selected else SelectionStatus.NOT_SELECTED
    declaration.result_recorded_by = actor
    declaration.result_recorded_at = timezone.now()
    fields = ["status", "result_recorded_by", "result_recorded_at"]
    if is_selected:
        figures = hours_selectors.year_figures(declaration.year)
        hours = quality_online_course_hours(declaration.course.hours, figures)
        entry = hours_services.ledger_post_credit(
            person=declaration.instructor,
            year=declaration.year,
            category=LedgerCategory.PROFESSIONAL,
            hours=hours,
            source_type=SourceType.PROGRAMME,
            source_id=f"quality:{declaration.pk}",
            memo=stored_text(
                QUALITY_CREDIT_MEMO,
                {"title": declaration.course.title, "multiplier": figures.quality_online_course_multiplier},
            ),
            actor=actor,
        )
        declaration.credited_hours = entry.hours if entry is not None else Decimal("0.0")
        fields.append("credited_hours")
    declaration.save(update_fields=fields)
    _audit(actor, "learning.quality.result", declaration, selected=is_selected)
    if is_selected:
        from accounts.services import notify

        with translation.override(settings.LANGUAGE_CODE):  # stored text: the platform's language
            notify(
                recipient=declaration.instructor,
                title=str(QUALITY_SELECTED_TITLE),
                body=declaration.course.title,
            )
    return declaration
