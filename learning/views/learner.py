"""The learner's pages: the year's catalogue and provider choice, course pages, the player, the quiz."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hours import selectors as hours_selectors
from jinan_ce.params import parse_int

from .. import policies, selectors
from ..models import PUBLIC_COURSE_KINDS, CourseKind
from ..services import study
from .common import acting_user, flash_errors, selected_year


def _require_learner(request: HttpRequest) -> None:
    if not policies.is_learner(request.user):
        raise Http404


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """在线学习: the year's provider choice, my courses, and the catalogue I may enrol in."""
    user = acting_user(request)
    if not policies.is_learner(user):
        if policies.can_open_course_management(user):
            return redirect("learning_manage_courses")
        raise Http404
    year = selected_year(request)
    choice = selectors.provider_choice(user, year)
    enrolments = {e.course_id: e for e in selectors.enrolments_of(user, year)}
    courses = list(selectors.with_lesson_totals(selectors.catalogue_for_learner(user, year)))
    for course in courses:
        course.enrolment = enrolments.get(course.pk)  # type: ignore[attr-defined]
        course.percent = (  # type: ignore[attr-defined]
            selectors.watched_ratio(course.enrolment, course.total_seconds) if course.enrolment else 0  # type: ignore[attr-defined]
        )
    groups = [(label, [c for c in courses if c.kind == kind]) for kind, label in CourseKind.choices]
    figures = hours_selectors.year_figures(year) if year in hours_selectors.years_with_rules() else None
    context: dict[str, Any] = {
        "year": year,
        "years": hours_selectors.years_with_rules(),
        "choice": choice,
        "providers": selectors.public_providers(),
        "groups": groups,
        "figures": figures,
        "study_open": figures is None or timezone.localdate() >= figures.public_study_opens,
        "summary": hours_selectors.year_summary(user, year) if figures else None,
        "premiums": selectors.premium_published(year)[:5],
        "applications": selectors.applications_of(user),
    }
    return render(request, "learning/home.html", context)


@login_required
@require_POST
def provider_choose(request: HttpRequest) -> HttpResponse:
    _require_learner(request)
    year = selected_year(request)
    provider = next(
        (p for p in selectors.public_providers() if str(p.pk) == request.POST.get("provider")), None
    )
    if provider is None:
        messages.error(request, str(study.PROVIDER_NOT_PUBLIC))
    else:
        try:
            study.provider_choose(actor=acting_user(request), year=year, provider=provider)
        except ValidationError as error:
            flash_errors(request, error)
        else:
            messages.success(
                request,
                _("已选择%(provider)s为%(year)s年度公需科目施教机构。")
                % {"provider": provider.name, "year": year},
            )
    return redirect(f"{reverse('learning_home')}?year={year}")


@login_required
@require_GET
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    course = get_object_or_404(selectors.courses_visible_to(user), pk=pk)
    enrolment = selectors.enrolment_of(user, course) if policies.is_learner(user) else None
    progress = selectors.progress_by_lesson(enrolment)
    lessons = list(selectors.lessons_of(course))
    for lesson in lessons:
        lesson.progress = progress.get(lesson.pk)  # type: ignore[attr-defined]
    question_count = course.questions.count()
    lessons_done = bool(lessons) and all(
        progress.get(item.pk) and progress[item.pk].completed_at for item in lessons
    )
    context = {
        "course": course,
        "lessons": lessons,
        "enrolment": enrolment,
        "question_count": question_count,
        "lessons_done": lessons_done,
        "attempts": enrolment.quiz_attempts.all()[:5] if enrolment else [],
        "can_manage": policies.can_manage_course(user, course),
        "is_learner": policies.is_learner(user),
        "is_premium_part": course.premium if hasattr(course, "premium") else None,
        "public_kinds": PUBLIC_COURSE_KINDS,
    }
    return render(request, "learning/course_detail.html", context)


@login_required
@require_POST
def course_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    _require_learner(request)
    course = get_object_or_404(selectors.courses_visible_to(request.user), pk=pk)
    try:
        study.course_enrol(actor=acting_user(request), course=course)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("已选课《%(title)s》，可以开始学习了。") % {"title": course.title})
    return redirect("learning_course", pk=course.pk)


@login_required
@require_GET
def lesson_player(request: HttpRequest, pk: int) -> HttpResponse:
    """The player page; the study session is opened by the player's script through the API, so a page
    opened in two tabs competes for one lease."""
    _require_learner(request)
    lesson = get_object_or_404(selectors.lessons_visible_to(request.user), pk=pk)
    course = lesson.course
    enrolment = selectors.enrolment_of(acting_user(request), course)
    if enrolment is None:
        messages.error(request, str(study.NOT_ENROLLED))
        return redirect("learning_course", pk=course.pk)
    lessons = list(selectors.lessons_of(course))
    index = next(i for i, item in enumerate(lessons) if item.pk == lesson.pk)
    progress = selectors.progress_by_lesson(enrolment).get(lesson.pk)
    not_open = ""
    try:
        study.check_study_open(course)
    except ValidationError as error:
        not_open = error.messages[0]
    context = {
        "lesson": lesson,
        "course": course,
        "progress": progress,
        "previous": lessons[index - 1] if index > 0 else None,
        "next": lessons[index + 1] if index + 1 < len(lessons) else None,
        "has_quiz": course.questions.exists(),
        "not_open": not_open,
        "heartbeat_ms": 5000,
    }
    return render(request, "learning/lesson_player.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def quiz(request: HttpRequest, pk: int) -> HttpResponse:
    _require_learner(request)
    course = get_object_or_404(selectors.courses_visible_to(request.user), pk=pk)
    enrolment = selectors.enrolment_of(acting_user(request), course)
    if enrolment is None:
        messages.error(request, str(study.NOT_ENROLLED))
        return redirect("learning_course", pk=course.pk)
    questions = list(course.questions.prefetch_related("choices"))
    if not questions:
        raise Http404
    if request.method == "POST":
        answers: dict[int, list[int]] = {}
        for question in questions:
            chosen = request.POST.getlist(f"question-{question.pk}")
            answers[question.pk] = [
                choice_id for value in chosen if (choice_id := parse_int(value)) is not None
            ]
        try:
            attempt = study.quiz_submit(actor=acting_user(request), course=course, answers=answers)
        except ValidationError as error:
            flash_errors(request, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            if attempt.is_passed:
                messages.success(
                    request,
                    _("测验通过（%(score)s分）。课程已完成，学时已记入您的学时档案。")
                    % {"score": attempt.score},
                )
                return redirect("learning_course", pk=course.pk)
            messages.error(
                request,
                _("本次测验%(score)s分，未达到合格分%(pass_mark)s分，请复习后再试。")
                % {"score": attempt.score, "pass_mark": course.pass_mark},
            )
        return redirect("learning_quiz", pk=course.pk)
    for question in questions:
        question.multiple = sum(1 for choice in question.choices.all() if choice.is_correct) > 1  # type: ignore[attr-defined]
    return render(
        request,
        "learning/quiz.html",
        {
            "course": course,
            "questions": questions,
            "enrolment": enrolment,
            "lessons_done": study.lessons_completed(enrolment),
        },
    )
