from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("profile/", views.profile, name="profile"),
    path("profile/employer/", views.employer_change, name="employer_change"),
    path("profile/employer/cancel/", views.employer_change_cancel, name="employer_change_cancel"),
    path("units/search/", views.unit_search, name="unit_search"),
    path("unit/members/", views.unit_members, name="unit_members"),
    path("unit/members/<int:pk>/<str:decision>/", views.membership_decide, name="membership_decide"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("notifications/", views.notifications, name="notifications"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/reveal-id/", views.person_reveal_id, name="person_reveal_id"),
    path("audit/", views.audit_log, name="audit_log"),
]
