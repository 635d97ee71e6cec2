"""API routes of the review workflow (included from ``hours.api_urls``, under /api/hours/)."""

from django.urls import path

from . import review_apis

urlpatterns = [
    path("review/queue/", review_apis.ReviewQueueApi.as_view(), name="api_hours_review_queue"),
    path(
        "review/queue/id-search/",
        review_apis.ReviewQueueIdSearchApi.as_view(),
        name="api_hours_review_queue_id_search",
    ),
    path("review/counts/", review_apis.ReviewCountsApi.as_view(), name="api_hours_review_counts"),
    path("review/bulk-approve/", review_apis.ReviewBulkApproveApi.as_view(), name="api_hours_review_bulk"),
    path(
        "review/claims/<int:pk>/decision/",
        review_apis.ReviewDecisionApi.as_view(),
        name="api_hours_review_decision",
    ),
    path(
        "review/claims/<int:pk>/revoke/", review_apis.ClaimRevokeApi.as_view(), name="api_hours_review_revoke"
    ),
    path("claims/<int:pk>/trail/", review_apis.ClaimTrailApi.as_view(), name="api_hours_claim_trail"),
    path("integrity/", review_apis.IntegrityListApi.as_view(), name="api_hours_integrity"),
]
