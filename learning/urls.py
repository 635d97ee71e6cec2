from django.urls import path

from .views import learner, manage, media, notices, programmes

urlpatterns = [
    path("", learner.home, name="learning_home"),
    path("provider/", learner.provider_choose, name="learning_provider_choose"),
    path("courses/<int:pk>/", learner.course_detail, name="learning_course"),
    path("courses/<int:pk>/enrol/", learner.course_enrol, name="learning_enrol"),
    path("courses/<int:pk>/quiz/", learner.quiz, name="learning_quiz"),
    path("lessons/<int:pk>/", learner.lesson_player, name="learning_lesson"),
    path("lessons/<int:pk>/video/", media.lesson_video, name="learning_lesson_video"),
    # Premium professional courses, quality online public courses, digital engineer training.
    path("premium/", programmes.premium_list, name="learning_premium_list"),
    path("premium/<int:pk>/", programmes.premium_detail, name="learning_premium"),
    path("premium/<int:pk>/<str:action>/", programmes.premium_action, name="learning_premium_action"),
    path(
        "premium/<int:pk>/sessions/<int:session_pk>/remove/",
        programmes.premium_session_remove,
        name="learning_premium_session_remove",
    ),
    path(
        "premium/<int:pk>/sessions/<int:session_pk>/attendance/",
        programmes.premium_attendance,
        name="learning_premium_attendance",
    ),
    path("quality/", programmes.quality_list, name="learning_quality"),
    path("quality/<int:pk>/result/", programmes.quality_result, name="learning_quality_result"),
    path("digital/", programmes.digital_list, name="learning_digital"),
    path("digital/<int:pk>/", programmes.digital_cohort, name="learning_digital_cohort"),
    path(
        "digital/<int:pk>/results/<int:application_pk>/",
        programmes.digital_result,
        name="learning_digital_result",
    ),
    path("digital/<int:pk>/<str:action>/", programmes.digital_action, name="learning_digital_action"),
    # Notices.
    path("notices/", notices.notice_list, name="learning_notices"),
    path("notices/<int:pk>/", notices.notice_detail, name="learning_notice"),
    path(
        "notices/<int:pk>/attachments/<int:attachment_pk>/",
        notices.notice_attachment,
        name="learning_notice_attachment",
    ),
    # Management.
    path("manage/courses/", manage.course_list, name="learning_manage_courses"),
    path("manage/courses/<int:pk>/", manage.course_manage, name="learning_manage_course"),
    path("manage/courses/<int:pk>/edit/", manage.course_edit, name="learning_manage_course_edit"),
    path("manage/courses/<int:pk>/lessons/", manage.lesson_add, name="learning_manage_lesson_add"),
    path(
        "manage/courses/<int:pk>/lessons/<int:lesson_pk>/edit/",
        manage.lesson_edit,
        name="learning_manage_lesson_edit",
    ),
    path(
        "manage/courses/<int:pk>/lessons/<int:lesson_pk>/move/",
        manage.lesson_move,
        name="learning_manage_lesson_move",
    ),
    path(
        "manage/courses/<int:pk>/lessons/<int:lesson_pk>/video/",
        manage.lesson_video_upload,
        name="learning_manage_lesson_video",
    ),
    path(
        "manage/courses/<int:pk>/lessons/<int:lesson_pk>/remove/",
        manage.lesson_remove,
        name="learning_manage_lesson_remove",
    ),
    path("manage/courses/<int:pk>/questions/", manage.question_add, name="learning_manage_question_add"),
    path(
        "manage/courses/<int:pk>/questions/<int:question_pk>/remove/",
        manage.question_remove,
        name="learning_manage_question_remove",
    ),
    path("manage/courses/<int:pk>/publish/", manage.course_publish, name="learning_manage_course_publish"),
    path("manage/flags/", manage.flag_list, name="learning_manage_flags"),
    path("manage/notices/", notices.notice_manage_list, name="learning_manage_notices"),
    path("manage/notices/new/", notices.notice_edit, name="learning_notice_new"),
    path("manage/notices/<int:pk>/", notices.notice_edit, name="learning_notice_edit"),
    path(
        "manage/notices/<int:pk>/attachments/",
        notices.notice_attachment_add,
        name="learning_notice_attachment_add",
    ),
    path(
        "manage/notices/<int:pk>/attachments/<int:attachment_pk>/remove/",
        notices.notice_attachment_remove,
        name="learning_notice_attachment_remove",
    ),
]
