"""Providers' course management (their own courses only; bureau staff see every course, read only)
and the study flags raised on their courses."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Organisation

from .. import policies, selectors
from ..forms import CourseEditForm, CourseForm, LessonEditForm, LessonForm, QuestionForm, VideoUploadForm
from ..models import Course, CourseKind, CourseStatus
from ..services import catalogue
from .common import acting_user, add_errors, flash_errors, selected_year


def _require_course_pages(request: HttpRequest) -> None:
    if not policies.can_open_course_management(request.user):
        raise Http404


def _managed_providers(request: HttpRequest) -> list[Organisation]:
    ids = policies.course_organisation_ids(request.user)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


@login_required
@require_http_methods(["GET", "POST"])
def course_list(request: HttpRequest) -> HttpResponse:
    _require_course_pages(request)
    user = acting_user(request)
    providers = _managed_providers(request)
    year = selected_year(request)
    form = CourseForm(providers=providers, initial={"year": year, "pass_mark": 60}) if providers else None  # nosec B105
    if request.method == "POST":
        if not providers:
            raise Http404
        form = CourseForm(request.POST, providers=providers)
        if form.is_valid():
            data = dict(form.cleaned_data)
            provider = data.pop("provider")
            try:
                course = catalogue.course_create(actor=user, provider=provider, **data)
            except ValidationError as error:
                add_errors(form, error)
            except PermissionDenied as error:
                raise Http404 from error
            else:
                messages.success(request, _("课程已创建，请添加课时和测验题后发布。"))
                return redirect("learning_manage_course", pk=course.pk)
    courses = selectors.courses_managed_by(user).filter(year=year)
    kind = request.GET.get("kind", "")
    if kind in CourseKind.values:
        courses = courses.filter(kind=kind)
    query = request.GET.get("q", "").strip()
    if query:
        courses = courses.filter(title__icontains=query)
    page = Paginator(courses.order_by("provider__name", "kind", "sort_order", "pk"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "learning/manage/course_list.html",
        {
            "page": page,
            "form": form,
            "year": year,
            "kind": kind,
            "kinds": CourseKind.choices,
            "query": query,
            "read_only": not providers,
            "flag_count": selectors.flags_visible_to(user).count(),
            "quality_opens": policies.can_open_quality_list(user),
        },
    )


@login_required
@require_GET
def course_manage(request: HttpRequest, pk: int) -> HttpResponse:
    _require_course_pages(request)
    course = get_object_or_404(selectors.courses_managed_by(request.user), pk=pk)
    can_manage = policies.can_manage_course(request.user, course)
    editable = can_manage and course.status != CourseStatus.PUBLISHED
    lessons_studied = catalogue.lessons_studied(course)
    lessons_editable = can_manage and not lessons_studied
    return render(
        request,
        "learning/manage/course_detail.html",
        {
            "course": course,
            "lessons": selectors.lessons_of(course),
            "questions": course.questions.prefetch_related("choices"),
            "can_manage": can_manage,
            "editable": editable,
            "lessons_editable": lessons_editable,
            "lessons_studied": lessons_studied,
            "video_form": VideoUploadForm() if can_manage else None,
            "lesson_form": LessonForm() if lessons_editable else None,
            "question_form": QuestionForm() if editable else None,
            "stats": selectors.course_learner_stats(course),
            "flags": selectors.flags_visible_to(request.user).filter(course=course)[:20],
        },
    )


def _managed_course(request: HttpRequest, pk: int) -> Course:
    course = get_object_or_404(selectors.courses_managed_by(request.user), pk=pk)
    if not policies.can_manage_course(request.user, course):
        raise Http404
    return course


def _form_errors_to_messages(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, str(message))


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A course's details, for its provider's staff (404 for anyone else, bureau staff included: they
    read the course on its management page)."""
    course = _managed_course(request, pk)
    rules_fixed = catalogue.course_rules_fixed(course)
    initial = {field: getattr(course, field) for field in catalogue.COURSE_EDITABLE_FIELDS}
    form = CourseEditForm(initial=initial, rules_fixed=rules_fixed)
    if request.method == "POST":
        form = CourseEditForm(request.POST, initial=initial, rules_fixed=rules_fixed)
        if form.is_valid():
            try:
                catalogue.course_update(actor=acting_user(request), course=course, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            except PermissionDenied as error:
                raise Http404 from error
            else:
                messages.success(request, _("课程信息已保存。"))
                return redirect("learning_manage_course", pk=course.pk)
    return render(
        request,
        "learning/manage/course_edit.html",
        {"course": course, "form": form, "rules_fixed": rules_fixed},
    )


@login_required
@require_POST
def lesson_add(request: HttpRequest, pk: int) -> HttpResponse:
    course = _managed_course(request, pk)
    form = LessonForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            catalogue.lesson_add(actor=acting_user(request), course=course, **form.cleaned_data)
        except ValidationError as error:
            flash_errors(request, error)
        else:
            messages.success(request, _("课时已添加。"))
    else:
        _form_errors_to_messages(request, form)
    return redirect("learning_manage_course", pk=course.pk)


@login_required
@require_http_methods(["GET", "POST"])
def lesson_edit(request: HttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    course = _managed_course(request, pk)
    lesson = get_object_or_404(selectors.lessons_of(course), pk=lesson_pk)
    initial = {field: getattr(lesson, field) for field in catalogue.LESSON_EDITABLE_FIELDS}
    form = LessonEditForm(initial=initial)
    if request.method == "POST":
        form = LessonEditForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                catalogue.lesson_update(actor=acting_user(request), lesson=lesson, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("课时已保存。"))
                return redirect("learning_manage_course", pk=course.pk)
    return render(
        request,
        "learning/manage/lesson_edit.html",
        {
            "course": course,
            "lesson": lesson,
            "form": form,
            "lessons_studied": catalogue.lessons_studied(course),
        },
    )


@login_required
@require_POST
def lesson_move(request: HttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    course = _managed_course(request, pk)
    lesson = get_object_or_404(selectors.lessons_of(course), pk=lesson_pk)
    try:
        catalogue.lesson_move(
            actor=acting_user(request), lesson=lesson, step=-1 if request.POST.get("direction") == "up" else 1
        )
    except ValidationError as error:
        flash_errors(request, error)
    return redirect("learning_manage_course", pk=course.pk)


@login_required
@require_POST
def lesson_video_upload(request: HttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    course = _managed_course(request, pk)
    lesson = get_object_or_404(selectors.lessons_of(course), pk=lesson_pk)
    form = VideoUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect("learning_manage_course", pk=course.pk)
    try:
        catalogue.lesson_video_upload(
            actor=acting_user(request), lesson=lesson, upload=form.cleaned_data["video"]
        )
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("视频已上传。"))
    return redirect("learning_manage_course", pk=course.pk)


@login_required
@require_POST
def lesson_remove(request: HttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    course = _managed_course(request, pk)
    lesson = get_object_or_404(selectors.lessons_of(course), pk=lesson_pk)
    try:
        catalogue.lesson_remove(actor=acting_user(request), lesson=lesson)
    except ValidationError as error:
        flash_errors(request, error)
    return redirect("learning_manage_course", pk=course.pk)


@login_required
@require_POST
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    course = _managed_course(request, pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            catalogue.question_add(
                actor=acting_user(request),
                course=course,
                text=form.cleaned_data["text"],
                choices=form.choices(),
            )
        except ValidationError as error:
            flash_errors(request, error)
        else:
            messages.success(request, _("测验题已添加。"))
    else:
        _form_errors_to_messages(request, form)
    return redirect("learning_manage_course", pk=course.pk)


@login_required
@require_POST
def question_remove(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    course = _managed_course(request, pk)
    question = get_object_or_404(course.questions.all(), pk=question_pk)
    try:
        catalogue.question_remove(actor=acting_user(request), question=question)
    except ValidationError as error:
        flash_errors(request, error)
    return redirect("learning_manage_course", pk=course.pk)


@login_required
@require_POST
def course_publish(request: HttpRequest, pk: int) -> HttpResponse:
    course = _managed_course(request, pk)
    try:
        if request.POST.get("action") == "withdraw":
            catalogue.course_withdraw(actor=acting_user(request), course=course)
            messages.success(request, _("课程已下架。"))
        else:
            catalogue.course_publish(actor=acting_user(request), course=course)
            messages.success(request, _("课程已发布。"))
    except ValidationError as error:
        flash_errors(request, error)
    return redirect("learning_manage_course", pk=course.pk)


@login_required
@require_GET
def flag_list(request: HttpRequest) -> HttpResponse:
    _require_course_pages(request)
    flags = selectors.flags_visible_to(request.user)
    page = Paginator(flags, 50).get_page(request.GET.get("page"))
    return render(request, "learning/manage/flag_list.html", {"page": page})
