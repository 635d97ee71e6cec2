from django.urls import path

from . import apis

urlpatterns = [
    path("auth/token/", apis.TokenApi.as_view(), name="api_token"),
    path("me/", apis.MeApi.as_view(), name="api_me"),
    path("me/memberships/", apis.MyMembershipsApi.as_view(), name="api_my_memberships"),
    path("me/employer-change/", apis.EmployerChangeApi.as_view(), name="api_employer_change"),
    path("organisations/", apis.OrganisationListApi.as_view(), name="api_organisations"),
    path("organisations/<int:pk>/", apis.OrganisationDetailApi.as_view(), name="api_organisation"),
    path("units/search/", apis.UnitSearchApi.as_view(), name="api_unit_search"),
    path("memberships/pending/", apis.PendingMembershipListApi.as_view(), name="api_memberships_pending"),
    path("memberships/<int:pk>/confirm/", apis.MembershipConfirmApi.as_view(), name="api_membership_confirm"),
    path("memberships/<int:pk>/reject/", apis.MembershipRejectApi.as_view(), name="api_membership_reject"),
]
