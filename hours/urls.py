from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.my_hours, name="hours_my"),
    path("claims/", views.claim_list, name="hours_claims"),
    path("claims/new/", views.claim_chooser, name="hours_claim_chooser"),
    path("claims/new/<str:code>/", views.claim_new, name="hours_claim_new"),
    path("claims/new/<str:code>/preview/", views.claim_preview, name="hours_claim_preview"),
    path("claims/<int:pk>/", views.claim_detail, name="hours_claim_detail"),
    path("claims/<int:pk>/edit/", views.claim_edit, name="hours_claim_edit"),
    path("claims/<int:pk>/submit/", views.claim_submit, name="hours_claim_submit"),
    path("claims/<int:pk>/withdraw/", views.claim_withdraw, name="hours_claim_withdraw"),
    path("claims/<int:pk>/evidence/<int:evidence_pk>/", views.evidence_file, name="hours_evidence"),
    path(
        "claims/<int:pk>/evidence/<int:evidence_pk>/remove/",
        views.evidence_remove,
        name="hours_evidence_remove",
    ),
    path("rules/", views.year_rules_list, name="hours_year_rules"),
    path("rules/<int:year>/", views.year_rules_edit, name="hours_year_rules_edit"),
    path("", include("hours.certificate_urls")),
    path("", include("hours.review_urls")),
]
