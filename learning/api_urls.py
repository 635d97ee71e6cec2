from django.urls import path

from . import apis

urlpatterns = [
    path("courses/", apis.CourseListApi.as_view(), name="api_learning_courses"),
    path("courses/<int:pk>/", apis.CourseDetailApi.as_view(), name="api_learning_course"),
    path("courses/<int:pk>/enrol/", apis.EnrolApi.as_view(), name="api_learning_enrol"),
    path("courses/<int:pk>/lessons/", apis.CourseLessonsApi.as_view(), name="api_learning_course_lessons"),
    path("courses/<int:pk>/lesson-order/", apis.LessonOrderApi.as_view(), name="api_learning_lesson_order"),
    path("lessons/<int:pk>/", apis.LessonDetailApi.as_view(), name="api_learning_lesson"),
    path("lessons/<int:pk>/video/", apis.LessonVideoApi.as_view(), name="api_learning_lesson_video"),
    path("courses/<int:pk>/progress/", apis.ProgressApi.as_view(), name="api_learning_progress"),
    path("courses/<int:pk>/quiz/", apis.QuizApi.as_view(), name="api_learning_quiz"),
    path("provider-choice/", apis.ProviderChoiceApi.as_view(), name="api_learning_provider_choice"),
    path("enrolments/", apis.EnrolmentListApi.as_view(), name="api_learning_enrolments"),
    path("lessons/<int:pk>/sessions/", apis.StudySessionApi.as_view(), name="api_learning_study_session"),
    path("heartbeats/", apis.HeartbeatApi.as_view(), name="api_learning_heartbeat"),
    path("premium-courses/", apis.PremiumListApi.as_view(), name="api_learning_premium"),
    path(
        "premium-courses/<int:pk>/enrol/", apis.PremiumEnrolApi.as_view(), name="api_learning_premium_enrol"
    ),
    path(
        "premium-courses/<int:pk>/sessions/<int:session_pk>/",
        apis.LiveSessionApi.as_view(),
        name="api_learning_premium_session",
    ),
    path("digital-cohorts/", apis.CohortListApi.as_view(), name="api_learning_cohorts"),
    path(
        "digital-cohorts/<int:pk>/apply/", apis.DigitalApplyApi.as_view(), name="api_learning_digital_apply"
    ),
    path("notices/", apis.NoticeListApi.as_view(), name="api_learning_notices"),
]
