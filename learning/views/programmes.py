"""Pages for the programmes the notice names: premium professional courses, quality online public
courses, and the Digital Technology Engineer training."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Organisation, OrganisationKind
from jinan_ce.params import parse_int

from .. import policies, selectors
from ..forms import (
    ApplyForm,
    CohortForm,
    LiveSessionForm,
    PremiumForm,
    QualityDeclareForm,
    ResultForm,
    ReturnForm,
    UploadForm,
)
from ..models import CourseKind, ReviewStatus
from ..services import digital, premium, quality
from .common import acting_user, add_errors, flash_errors, selected_year


def _errors_to_messages(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


# --- Premium professional courses ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def premium_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    organisers = policies.premium_organisations(user)
    form = (
        PremiumForm(organisers=organisers, initial={"year": selected_year(request)}) if organisers else None
    )
    if request.method == "POST":
        if not organisers:
            raise Http404
        form = PremiumForm(request.POST, organisers=organisers)
        if form.is_valid():
            try:
                created = premium.premium_declare(actor=user, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            except PermissionDenied as error:
                raise Http404 from error
            else:
                messages.success(request, _("已创建精品专业课申报，请添加现场授课场次后提交审核。"))
                return redirect("learning_premium", pk=created.pk)
    return render(
        request,
        "learning/premium_list.html",
        {
            "published": selectors.premium_published().order_by("-year", "title"),
            "managed": selectors.premium_managed_by(user),
            "to_review": selectors.premium_to_review(user),
            "form": form,
            "enrolled_ids": set(selectors.premium_enrolments_of(user).values_list("premium_id", flat=True))
            if user.is_authenticated
            else set(),
        },
    )


@login_required
@require_GET
def premium_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    course = get_object_or_404(selectors.premium_visible_to(user), pk=pk)
    can_manage = policies.can_manage_premium(user, course)
    sessions = list(course.live_sessions.all())
    context: dict[str, Any] = {
        "premium": course,
        "sessions": sessions,
        "live_hours": premium.live_hours(course),
        "total_hours": premium.premium_hours(course),
        "can_manage": can_manage,
        "editable": can_manage and course.status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED),
        "can_remove_sessions": can_manage and course.status != ReviewStatus.SUBMITTED,
        "can_review": policies.can_review_premium(user) and course.status == ReviewStatus.SUBMITTED,
        "is_learner": policies.is_learner(user),
        "enrolment": selectors.premium_enrolment_of(user, course) if policies.is_learner(user) else None,
        "session_form": LiveSessionForm(),
        "return_form": ReturnForm(),
        "upload_form": UploadForm(),
        "own_courses": selectors.courses_managed_by(user).filter(
            provider_id=course.organiser_id, kind=CourseKind.PROFESSIONAL, year=course.year
        )
        if can_manage
        else [],
    }
    if can_manage and course.status == ReviewStatus.PUBLISHED:
        enrolments = list(selectors.premium_enrolments(course))
        present = {
            (row.enrolment_id, row.session_id)
            for e in enrolments
            for row in e.attendance.all()
            if row.is_present
        }
        context["attendance_rows"] = [
            (session, [(enrolment, (enrolment.pk, session.pk) in present) for enrolment in enrolments])
            for session in sessions
        ]
    return render(request, "learning/premium_detail.html", context)


def _managed_premium(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    course = get_object_or_404(selectors.premium_visible_to(request.user), pk=pk)
    if not policies.can_manage_premium(request.user, course):
        raise Http404
    return course


@login_required
@require_POST
def premium_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Organiser: add a live session, set the self-study part, submit. Reviewer: publish, return.
    Learner: enrol."""
    user = acting_user(request)
    course = get_object_or_404(selectors.premium_visible_to(user), pk=pk)
    try:
        if action == "enrol":
            premium.premium_enrol(actor=user, premium=course)
            messages.success(request, _("报名成功。请完成自学部分并按时参加现场授课（直播）。"))
        elif action == "publish":
            premium.premium_publish(actor=user, premium=course)
            messages.success(request, _("精品专业课已审核通过并发布。"))
        elif action == "return":
            premium.premium_return(actor=user, premium=course, comment=request.POST.get("comment", ""))
            messages.success(request, _("已退回申报单位。"))
        else:
            course = _managed_premium(request, pk)
            if action == "session":
                session_form = LiveSessionForm(request.POST)
                if not session_form.is_valid():
                    _errors_to_messages(request, session_form)
                    return redirect("learning_premium", pk=course.pk)
                premium.live_session_add(actor=user, premium=course, **session_form.cleaned_data)
                messages.success(request, _("已添加现场授课场次。"))
            elif action == "self-study":
                own = selectors.courses_managed_by(user).filter(provider_id=course.organiser_id)
                chosen = own.filter(pk=parse_int(request.POST.get("course")) or 0).first()
                premium.premium_set_self_study(actor=user, premium=course, course=chosen)
                messages.success(request, _("已设置自学部分课程。"))
            elif action == "submit":
                premium.premium_submit(actor=user, premium=course)
                messages.success(request, _("已提交市人力资源和社会保障局审核。"))
            else:
                raise Http404
    except ValidationError as error:
        flash_errors(request, error)
    except PermissionDenied as error:
        raise Http404 from error
    return redirect("learning_premium", pk=course.pk)


@login_required
@require_POST
def premium_session_remove(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    course = _managed_premium(request, pk)
    session = get_object_or_404(course.live_sessions.all(), pk=session_pk)
    try:
        premium.live_session_remove(actor=acting_user(request), session=session)
    except ValidationError as error:
        flash_errors(request, error)
    except PermissionDenied as error:
        raise Http404 from error
    else:
        messages.success(request, _("已删除现场授课场次“%(title)s”。") % {"title": session.title})
    return redirect("learning_premium", pk=course.pk)


@login_required
@require_POST
def premium_attendance(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """Attendance for one session: the ticked learners (attendance_set marks the others absent), or a file."""
    course = _managed_premium(request, pk)
    session = get_object_or_404(course.live_sessions.all(), pk=session_pk)
    try:
        upload = cast(UploadedFile | None, request.FILES.get("file"))
        if upload is not None:
            report = premium.attendance_import(
                actor=acting_user(request), session=session, upload=upload, size=upload.size
            )
            for message in report.errors:
                messages.error(request, message)
            if not report.errors:
                messages.success(request, _("已导入 %(count)s 条出勤记录。") % {"count": report.recorded})
        else:
            present = {
                person_id
                for value in request.POST.getlist("present")
                if (person_id := parse_int(value)) is not None
            }
            premium.attendance_set(actor=acting_user(request), session=session, present_person_ids=present)
            messages.success(request, _("出勤已保存。"))
    except ValidationError as error:
        flash_errors(request, error)
    except PermissionDenied as error:
        raise Http404 from error
    return redirect("learning_premium", pk=course.pk)


# --- Quality online public courses ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def quality_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not policies.can_open_quality_list(user):
        raise Http404
    own_courses = selectors.quality_declarable_courses(user)
    can_declare = own_courses.exists()
    declarations = selectors.quality_declarations_visible_to(user)
    form = (
        QualityDeclareForm(courses=own_courses, initial={"year": selected_year(request)})
        if can_declare
        else None
    )
    if request.method == "POST":
        if not can_declare:
            raise Http404
        form = QualityDeclareForm(request.POST, courses=own_courses)
        if form.is_valid():
            instructor = selectors.instructor_by_mobile(form.cleaned_data["instructor"])
            if instructor is None:
                form.add_error("instructor", quality.QUALITY_INSTRUCTOR_NOT_ELIGIBLE)
            else:
                try:
                    quality.quality_declare(
                        actor=user,
                        course=form.cleaned_data["course"],
                        instructor=instructor,
                        year=form.cleaned_data["year"],
                    )
                except ValidationError as error:
                    add_errors(form, error)
                except PermissionDenied as error:
                    raise Http404 from error
                else:
                    messages.success(request, _("已申报优质在线公需课。"))
                    return redirect("learning_quality")
    return render(
        request,
        "learning/quality_list.html",
        {"declarations": declarations, "form": form, "can_record": policies.can_record_quality_results(user)},
    )


@login_required
@require_POST
def quality_result(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = get_object_or_404(selectors.quality_declarations_visible_to(request.user), pk=pk)
    try:
        quality.quality_record_result(
            actor=acting_user(request),
            declaration=declaration,
            is_selected=request.POST.get("selected") == "1",
        )
    except ValidationError as error:
        flash_errors(request, error)
    except PermissionDenied as error:
        raise Http404 from error
    else:
        messages.success(request, _("评选结果已登记。"))
    return redirect("learning_quality")


# --- Digital Technology Engineer ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def digital_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    can_manage = policies.can_manage_cohorts(user)
    organisers = Organisation.objects.filter(kind=OrganisationKind.PROVIDER, is_active=True).order_by("name")
    form = CohortForm(organisers=organisers, initial={"year": selected_year(request)}) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise Http404
        form = CohortForm(request.POST, organisers=organisers)
        if form.is_valid():
            try:
                cohort = digital.cohort_create(actor=user, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("培训班已创建，确认无误后发布报名通知。"))
                return redirect("learning_digital_cohort", pk=cohort.pk)
    applications = (
        {a.cohort_id: a for a in selectors.applications_of(user)} if policies.is_learner(user) else {}
    )
    cohorts = list(selectors.cohorts_visible_to(user))
    for cohort in cohorts:
        cohort.application = applications.get(cohort.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "learning/digital_list.html",
        {
            "cohorts": cohorts,
            "form": form,
            "is_learner": policies.is_learner(user),
            "apply_form": ApplyForm(),
        },
    )


@login_required
@require_GET
def digital_cohort(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_object_or_404(selectors.cohorts_visible_to(request.user), pk=pk)
    can_record = policies.can_record_digital_results(request.user, cohort)
    return render(
        request,
        "learning/digital_cohort.html",
        {
            "cohort": cohort,
            "can_record": can_record,
            "can_manage": policies.can_manage_cohorts(request.user),
            "applications": selectors.cohort_applications(cohort) if can_record else [],
            "result_form": ResultForm(),
            "upload_form": UploadForm(),
            "application": next(
                iter(selectors.applications_of(acting_user(request)).filter(cohort=cohort)), None
            ),
            "apply_form": ApplyForm(),
            "is_learner": policies.is_learner(request.user),
        },
    )


@login_required
@require_POST
def digital_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = acting_user(request)
    cohort = get_object_or_404(selectors.cohorts_visible_to(user), pk=pk)
    try:
        if action == "apply":
            form = ApplyForm(request.POST)
            if not form.is_valid():
                _errors_to_messages(request, form)
            else:
                digital.digital_apply(actor=user, cohort=cohort, category=form.cleaned_data["category"])
                messages.success(request, _("报名成功。"))
        elif action == "publish":
            digital.cohort_publish(actor=user, cohort=cohort)
            messages.success(request, _("报名通知已发布。"))
        elif action == "import":
            upload = request.FILES.get("file")
            if upload is None:
                raise Http404
            report = digital.digital_import_results(
                actor=user, cohort=cohort, upload=upload, size=upload.size
            )
            for message in report.errors:
                messages.error(request, message)
            if not report.errors:
                messages.success(
                    request,
                    _("已导入 %(count)s 条考核结果，其中合格 %(passed)s 人。")
                    % {"count": report.recorded, "passed": report.passed},
                )
        else:
            raise Http404
    except ValidationError as error:
        flash_errors(request, error)
    except PermissionDenied as error:
        raise Http404 from error
    return redirect("learning_digital_cohort", pk=cohort.pk)


@login_required
@require_POST
def digital_result(request: HttpRequest, pk: int, application_pk: int) -> HttpResponse:
    cohort = get_object_or_404(selectors.cohorts_visible_to(request.user), pk=pk)
    if not policies.can_record_digital_results(request.user, cohort):
        raise Http404
    application = get_object_or_404(selectors.cohort_applications(cohort), pk=application_pk)
    form = ResultForm(request.POST)
    if not form.is_valid():
        _errors_to_messages(request, form)
    else:
        try:
            digital.digital_record_result(
                actor=acting_user(request),
                application=application,
                passed=form.cleaned_data["passed"],
                technical_level=form.cleaned_data.get("technical_level") or "",
            )
        except ValidationError as error:
            flash_errors(request, error)
        else:
            messages.success(request, _("考核结果已登记。"))
    return redirect("learning_digital_cohort", pk=cohort.pk)
