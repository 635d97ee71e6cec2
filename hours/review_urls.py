"""Pages of the review workflow (included from ``hours.urls``)."""

from django.urls import path

from . import review_views

urlpatterns = [
    path("review/", review_views.review_queue, name="hours_review_queue"),
    path("review/bulk/", review_views.review_bulk, name="hours_review_bulk"),
    path("review/chain/", review_views.review_chain, name="hours_review_chain"),
    path("review/claims/<int:pk>/", review_views.review_claim, name="hours_review_claim"),
    path("review/claims/<int:pk>/decide/", review_views.review_decide, name="hours_review_decide"),
    path("review/claims/<int:pk>/revoke/", review_views.review_revoke, name="hours_review_revoke"),
    path("integrity/", review_views.integrity_archive, name="hours_integrity"),
]
