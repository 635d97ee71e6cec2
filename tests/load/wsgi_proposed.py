"""The WSGI application with the query fix docs/scaling.md proposes for ``learning.selectors.
courses_visible_to`` applied, to measure it in the surge before its owner adopts it:

    SURGE_WSGI=tests.load.wsgi_proposed:application bash tests/load/surge.sh

As written today, ``courses_visible_to`` joins every enrolment of every course (``Q(enrolments__person=
user)`` plus ``distinct()``): 4.6 million rows hashed on each lesson page and each study-session open,
4.5-6.5 s apiece on the load data set. The fix asks for the user's enrolled course ids in a subquery.
"""

from __future__ import annotations

import os
from typing import Any

from jinan_ce.wsgi import application  # noqa: F401  (sets Django up)
from learning import policies, selectors
from learning.models import PUBLIC_COURSE_KINDS, Course, CourseKind, CourseStatus, Enrolment, ProviderChoice


def courses_visible_to(user: Any) -> Any:
    from django.db.models import Q

    condition = Q(pk__in=[])
    if policies.can_see_all_courses(user):
        condition = Q()
    else:
        ids = policies.course_organisation_ids(user)
        if ids:
            condition |= Q(provider_id__in=ids)
        if policies.is_learner(user):
            choices = ProviderChoice.objects.filter(person_id=user.pk).values_list("year", "provider_id")
            public = Q(pk__in=[])
            for year, provider_id in choices:
                public |= Q(year=year, provider_id=provider_id, kind__in=PUBLIC_COURSE_KINDS)
            published = Q(status=CourseStatus.PUBLISHED) & (public | Q(kind=CourseKind.PROFESSIONAL))
            enrolled = Enrolment.objects.filter(person_id=user.pk).values("course_id")
            condition |= published | Q(pk__in=enrolled)
    return Course.objects.filter(condition).select_related("provider")


selectors.courses_visible_to = courses_visible_to


def _heartbeat_without_fsync(original: Any) -> Any:
    """Proposal 8 of docs/scaling.md: a heartbeat commits asynchronously (``synchronous_commit`` off for
    its transaction); one that completes a lesson keeps the durable commit for the completion."""
    from django.db import connection, transaction

    def study_heartbeat(**kwargs: Any) -> Any:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            result = original(**kwargs)
            if result.lesson_completed:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO ON")
            return result

    return study_heartbeat


if os.environ.get("SURGE_HEARTBEAT_ASYNC_COMMIT") == "1":
    from learning.services import study

    study.study_heartbeat = _heartbeat_without_fsync(study.study_heartbeat)
