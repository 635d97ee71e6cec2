"""REST API for the user's own profile, the organisation tree and unit membership."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from jinan_ce.params import parse_int

from . import security, selectors, services
from .forms import LOGIN_INVALID
from .models import Membership, Organisation, OrganisationKind
from .request_context import signed_in_user
from .serializers import (
    EmployerChangeSerializer,
    MembershipSerializer,
    OrganisationSerializer,
    ProfileSerializer,
    RejectSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UnitOptionSerializer,
)


class MeApi(generics.RetrieveUpdateAPIView):
    """The signed-in user's own profile. The ID number is always masked here."""

    serializer_class = ProfileSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):  # type: ignore[no-untyped-def]
        return self.request.user

    def perform_update(self, serializer: ProfileSerializer) -> None:  # type: ignore[override]
        user = signed_in_user(self.request)
        data = serializer.validated_data
        changes = {field: data.get(field, getattr(user, field)) for field in services.PROFILE_FIELDS}
        serializer.instance = services.profile_update(
            actor=user, mobile=data.get("mobile", user.mobile), **changes
        )


class EmployerChangeApi(APIView):
    @extend_schema(request=EmployerChangeSerializer, responses={201: MembershipSerializer})
    def post(self, request: Request) -> Response:
        serializer = EmployerChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unit = get_object_or_404(
            Organisation.objects.filter(kind=OrganisationKind.UNIT, is_active=True),
            pk=serializer.validated_data["unit_id"],
        )
        membership = services.employer_change_request(actor=signed_in_user(request), unit=unit)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class MyMembershipsApi(generics.ListAPIView):
    serializer_class = MembershipSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Membership]:
        return selectors.membership_history(signed_in_user(self.request))


class OrganisationListApi(generics.ListAPIView):
    """Organisations in the caller's jurisdiction; filter by kind, parent or name."""

    serializer_class = OrganisationSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=OrganisationKind.values),
            OpenApiParameter("parent", int),
            OpenApiParameter("search", str),
        ]
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Organisation]:
        organisations = selectors.organisations_visible_to(self.request.user)
        params = self.request.query_params
        if params.get("kind") in OrganisationKind.values:
            organisations = organisations.filter(kind=params["kind"])
        if (parent := parse_int(params.get("parent"))) is not None:
            organisations = organisations.filter(parent_id=parent)
        if search := params.get("search", "").strip():
            organisations = organisations.filter(Q(name__icontains=search) | Q(credit_code=search.upper()))
        return organisations.order_by("path")


class OrganisationDetailApi(generics.RetrieveAPIView):
    serializer_class = OrganisationSerializer

    def get_queryset(self) -> QuerySet[Organisation]:
        return selectors.organisations_visible_to(self.request.user)


class UnitSearchApi(generics.ListAPIView):
    """Public: units by part of the name or by credit code, for the registration form."""

    serializer_class = UnitOptionSerializer
    permission_classes = [permissions.AllowAny]
    pagination_class = None
    throttle_classes = [AnonRateThrottle]

    @extend_schema(parameters=[OpenApiParameter("q", str, required=True)])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Organisation]:
        query = self.request.query_params.get("q", "")
        if len(query.strip()) < 2:
            return Organisation.objects.none()
        return selectors.units_matching(query)


class PendingMembershipListApi(generics.ListAPIView):
    """Requests to join the units the caller administers."""

    serializer_class = MembershipSerializer

    def get_queryset(self) -> QuerySet[Membership]:
        return selectors.memberships_to_decide(self.request.user).order_by("requested_at")


class MembershipConfirmApi(APIView):
    @extend_schema(request=None, responses={200: MembershipSerializer})
    def post(self, request: Request, pk: int) -> Response:
        membership = get_object_or_404(selectors.memberships_to_decide(request.user), pk=pk)
        membership = services.membership_confirm(actor=signed_in_user(request), membership_id=membership.pk)
        return Response(MembershipSerializer(membership).data)


class MembershipRejectApi(APIView):
    @extend_schema(request=RejectSerializer, responses={200: MembershipSerializer})
    def post(self, request: Request, pk: int) -> Response:
        membership = get_object_or_404(selectors.memberships_to_decide(request.user), pk=pk)
        serializer = RejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_reject(
            actor=signed_in_user(request),
            membership_id=membership.pk,
            reason=serializer.validated_data["reason"],
        )
        return Response(MembershipSerializer(membership).data)


class TokenApi(APIView):
    """Exchange an ID number or mobile number and password for an API token."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Through django.contrib.auth so django-axes counts failures and locks out here as on the login page.
        user = authenticate(
            request._request,
            username=serializer.validated_data["login"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            raise AuthenticationFailed(LOGIN_INVALID)
        # Staff accounts give their TOTP code too: a token must not be a way around the second factor.
        otp = serializer.validated_data.get("otp", "")
        if security.needs_second_factor(user) and not security.totp_code_valid(user, otp):
            raise AuthenticationFailed(security.OTP_INVALID)
        token = services.api_token_issue(actor=user)
        return Response({"token": token.key})
