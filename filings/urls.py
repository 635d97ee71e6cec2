from django.urls import path

from . import views

urlpatterns = [
    path("", views.filing_list, name="filing_list"),
    path("new/", views.filing_create, name="filing_create"),
    path("new/paper-units/", views.paper_unit_search, name="filing_paper_units"),
    path("mine/", views.my_credits, name="my_credits"),
    path("channels/", views.channel_imports, name="channel_imports"),
    path("channels/template.xlsx", views.channel_template, name="channel_template"),
    path("<int:pk>/", views.filing_detail, name="filing_detail"),
    path("<int:pk>/edit/", views.filing_edit, name="filing_edit"),
    path("<int:pk>/decide/<str:decision>/", views.filing_decide, name="filing_decide"),
    path("<int:pk>/attachments/", views.attachment_add, name="filing_attachment_add"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="filing_attachment"),
    path("<int:pk>/credits/", views.filing_credits, name="filing_credits"),
    path("<int:pk>/template.xlsx", views.roster_template, name="roster_template"),
    path("<int:pk>/imports/", views.roster_upload, name="roster_upload"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("imports/<int:pk>/retry/", views.import_retry, name="import_retry"),
    path("imports/<int:pk>/report.xlsx", views.import_report, name="import_report"),
]
