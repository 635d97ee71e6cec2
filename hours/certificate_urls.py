"""Pages of issue 6 (certificates, verification, exports, reports, dashboards), under /hours/."""

from django.urls import path

from . import certificate_views as views

urlpatterns = [
    path("certificates/", views.certificate_home, name="certificate_home"),
    path("certificates/obtain/", views.certificate_obtain, name="certificate_obtain"),
    path("certificates/batch/", views.certificate_batch, name="certificate_batch"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("certificates/<int:pk>/status/", views.certificate_status, name="certificate_status"),
    path("certificates/<int:pk>/pdf/", views.certificate_download, name="certificate_download"),
    path("verify/", views.certificate_verify_form, name="certificate_verify_form"),
    path("verify/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/progress/", views.export_progress, name="export_progress"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("reports/", views.hours_reports, name="hours_reports"),
    path("dashboard/", views.hours_dashboard, name="hours_dashboard"),
    path("forecast/", views.hours_forecast, name="hours_forecast"),
    path("behind/", views.hours_behind, name="hours_behind"),
]
