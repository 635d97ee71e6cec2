from django.urls import include, path

from . import apis

urlpatterns = [
    path("rules/", apis.RulesApi.as_view(), name="api_hours_rules"),
    path("claims/", apis.ClaimListCreateApi.as_view(), name="api_hours_claims"),
    path("claims/preview/", apis.ClaimPreviewApi.as_view(), name="api_hours_claim_preview"),
    path("claims/<int:pk>/", apis.ClaimDetailApi.as_view(), name="api_hours_claim"),
    path("claims/<int:pk>/submit/", apis.ClaimSubmitApi.as_view(), name="api_hours_claim_submit"),
    path("claims/<int:pk>/withdraw/", apis.ClaimWithdrawApi.as_view(), name="api_hours_claim_withdraw"),
    path("claims/<int:pk>/evidence/", apis.ClaimEvidenceApi.as_view(), name="api_hours_claim_evidence"),
    path(
        "claims/<int:pk>/evidence/<int:evidence_pk>/",
        apis.ClaimEvidenceFileApi.as_view(),
        name="api_hours_evidence_file",
    ),
    path("ledger/", apis.LedgerApi.as_view(), name="api_hours_ledger"),
    path("summary/", apis.YearSummaryApi.as_view(), name="api_hours_summary"),
    path("", include("hours.certificate_apis")),
    path("", include("hours.review_api_urls")),
]
