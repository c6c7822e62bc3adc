"""Serializers of the core API: shapes only, no rules (those live in services)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Agency, Certificate, Grid, Membership, Notification

User = get_user_model()


class ErrorSerializer(serializers.Serializer):
    """The one error format of every 4xx (``enforcement.api_base.error_body``)."""

    code = serializers.CharField(help_text=_("稳定的错误代码，如 not_found、validation_failed"))
    message = serializers.CharField(help_text=_("可直接展示给用户的说明"))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text=_("字段 -> 错误信息列表")
    )


class AgencyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "name", "kind"]


class UserBriefSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name"]


class AgencySerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    parent = AgencyBriefSerializer(read_only=True, allow_null=True)
    stationed_in = AgencyBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Agency
        fields = [
            "id", "code", "name", "short_name", "kind", "kind_display", "parent", "stationed_in",
            "is_active", "sort_order",
        ]


class GridSerializer(serializers.ModelSerializer):
    township = AgencyBriefSerializer(read_only=True)
    member = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Grid
        fields = ["id", "code", "name", "township", "member"]


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()
    subject_type = serializers.SerializerMethodField(help_text=_("关联对象类型，如 dispatch.ticket"))

    class Meta:
        model = Notification
        fields = ["id", "reason", "title", "body", "url", "created_at", "read_at", "is_read", "subject_type",
                  "object_id"]

    def get_is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None

    def get_subject_type(self, obj: Notification) -> str | None:
        ct = obj.content_type
        return f"{ct.app_label}.{ct.model}" if ct else None


class ReadAllResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField(help_text=_("本次标记为已读的通知数"))


class MembershipSerializer(serializers.ModelSerializer):
    agency = AgencyBriefSerializer(read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "agency", "role", "role_display", "title"]


class CertificateSerializer(serializers.ModelSerializer):
    is_valid_today = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = ["id", "number", "issuing_body", "valid_from", "valid_to", "revoked_at", "is_valid_today"]

    def get_is_valid_today(self, obj: Certificate) -> bool:
        return obj.is_valid_on(timezone.localdate())


class MeSerializer(serializers.Serializer):
    """The signed-in user: who they are, where they work, what they may do."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)
    is_staff = serializers.BooleanField()
    memberships = MembershipSerializer(many=True)
    # Plain strings: a second ChoiceField over Role would name the same enum twice in the schema.
    roles = serializers.ListField(
        child=serializers.CharField(), help_text=_("角色代码，取值同 memberships[].role")
    )
    certificates = CertificateSerializer(many=True)
    county_wide = serializers.BooleanField(help_text=_("是否可查看全县数据"))
    township_ids = serializers.ListField(child=serializers.IntegerField(), help_text=_("可查看的乡镇/街道"))
    unread_notifications = serializers.IntegerField()


__all__ = [
    "AgencyBriefSerializer",
    "AgencySerializer",
    "CertificateSerializer",
    "ErrorSerializer",
    "GridSerializer",
    "MeSerializer",
    "MembershipSerializer",
    "NotificationSerializer",
    "ReadAllResultSerializer",
    "UserBriefSerializer",
]
