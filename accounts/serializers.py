from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from . import identity
from .models import Membership, Organisation, RoleAssignment, User


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    parent_id = serializers.IntegerField(allow_null=True, read_only=True)
    bureau_id = serializers.IntegerField(allow_null=True, read_only=True)
    # Blank for organisations that are not units; a plain string keeps the schema honest about that.
    unit_type = serializers.CharField(
        read_only=True, help_text=_("单位性质：enterprise、institution 等，非单位为空")
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "parent_id",
            "bureau_id",
            "depth",
            "phone",
            "credit_code",
            "unit_type",
            "is_public_subject_provider",
            "is_active",
        ]
        read_only_fields = fields


class UnitOptionSerializer(serializers.ModelSerializer[Organisation]):
    class Meta:
        model = Organisation
        fields = ["id", "name", "credit_code"]
        read_only_fields = fields


class RoleAssignmentSerializer(serializers.ModelSerializer[RoleAssignment]):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    organisation = UnitOptionSerializer(read_only=True, allow_null=True)

    class Meta:
        model = RoleAssignment
        fields = ["id", "role", "role_display", "organisation"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    unit = UnitOptionSerializer(read_only=True, allow_null=True)
    person_name = serializers.CharField(source="user.real_name", read_only=True)
    person_id_number = serializers.CharField(source="user.id_number_masked", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "unit",
            "person_name",
            "person_id_number",
            "status",
            "status_display",
            "is_employer_change",
            "requested_at",
            "decided_at",
            "decision_reason",
            "ended_at",
        ]
        read_only_fields = fields


class ProfileSerializer(serializers.ModelSerializer[User]):
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    unit = UnitOptionSerializer(read_only=True, allow_null=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "real_name",
            "id_number",
            "mobile",
            "email",
            "unit",
            "title_series",
            "title_level",
            "specialty",
            "education",
            "roles",
            "date_joined",
        ]
        read_only_fields = ["id", "real_name", "id_number", "unit", "roles", "date_joined"]

    def get_roles(self, user: User) -> list[dict[str, Any]]:
        from .policies import active_roles

        return RoleAssignmentSerializer(active_roles(user), many=True).data  # type: ignore[return-value]

    def validate_mobile(self, value: str) -> str:
        return identity.clean_mobile(value)


class RejectSerializer(serializers.Serializer[dict[str, str]]):
    reason = serializers.CharField(
        max_length=200,
        error_messages={"blank": _("请填写不通过的理由。"), "required": _("请填写不通过的理由。")},
    )


class EmployerChangeSerializer(serializers.Serializer[dict[str, Any]]):
    unit_id = serializers.IntegerField()


class TokenRequestSerializer(serializers.Serializer[dict[str, str]]):
    login = serializers.CharField(help_text=_("身份证号或手机号"))
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        required=False, allow_blank=True, help_text=_("单位管理员及以上角色须填写动态口令")
    )


class TokenSerializer(serializers.Serializer[dict[str, str]]):
    token = serializers.CharField()
