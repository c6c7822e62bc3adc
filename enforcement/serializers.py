"""Serializers of the core API: shapes only, no rules (those live in services)."""

from __future__ import annotations

import threading

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from enforcement.models.agencies import Agency, Certificate, Membership
from enforcement.models.grids import Grid
from enforcement.models.notifications import Notification

User = get_user_model()


class Serializer(serializers.Serializer):
    """DRF's Serializer with cheaper per-instance fields (see :func:`_fresh_field`).

    Every Serializer of the project derives from this one or from
    :class:`ModelSerializer`.
    """

    def get_fields(self):
        return {name: _fresh_field(field) for name, field in self._declared_fields.items()}


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer with its fields built once per class.

    DRF rebuilds every model field by introspection (validators, labels,
    choices) each time a serializer is instantiated, which was most of the
    time of a one-ticket response. The fields depend only on the class and
    its Meta, so they are built once, and each instance gets fresh copies.
    """

    _field_prototypes: dict[type, dict] = {}

    def get_fields(self):
        cls = type(self)
        prototype = ModelSerializer._field_prototypes.get(cls)
        if prototype is None:
            prototype = ModelSerializer._field_prototypes[cls] = super().get_fields()
        return {name: _fresh_field(field) for name, field in prototype.items()}

    def build_property_field(self, field_name, model_class):
        """A foreign key's column (``township_id``) named in ``fields`` is a read-only integer.

        DRF makes it a ``ReadOnlyField``, which the schema generator maps back to the
        foreign key and, to describe it, evaluates the related table's queryset: the
        schema then needed the database (``check --deploy`` without one failed).
        """
        for model_field in model_class._meta.concrete_fields:
            if model_field.is_relation and model_field.attname == field_name:
                return serializers.IntegerField, {"read_only": True, "allow_null": model_field.null}
        return super().build_property_field(field_name, model_class)

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        """Keep ``allow_blank`` on a read-only choice field whose model field may be blank.

        DRF drops it with the other input-only arguments when a field is named in
        ``read_only_fields``, so the schema's enum left out the "" such a field
        answers (a score not graded yet): responses did not match the schema.
        """
        allow_blank = kwargs.get("allow_blank", False)
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if allow_blank and kwargs.get("read_only") and "choices" in kwargs:
            kwargs["allow_blank"] = True
        return kwargs


def _fresh_field(field: serializers.Field) -> serializers.Field:
    """A new, unbound instance of ``field`` made from its constructor arguments.

    Like DRF's ``Field.__deepcopy__``, except that only nested fields (a
    ListSerializer's child, a ListField's child) are copied: the other
    arguments (labels, choices, querysets, validators) are only read by a
    field, and deep-copying them was most of the cost. (DRF already shares
    validators between copies.)
    """
    args = [_fresh_field(a) if isinstance(a, serializers.Field) else a for a in field._args]
    kwargs = {k: _fresh_field(v) if isinstance(v, serializers.Field) else v for k, v in field._kwargs.items()}
    return field.__class__(*args, **kwargs)


class ChoiceLabelField(serializers.CharField):
    """Read-only: the label of a choice value, as ``get_<field>_display()`` answers it.

    ``ChoiceLabelField(TicketStatus, source="status")`` instead of
    ``CharField(source="get_status_display")``: Django's method builds a dict
    of every choice, translating every label, on each call, and DRF inspects
    the method's signature before calling it (about 0.15 ms a field and row
    together). Here the labels are looked up in a dict made once; the one
    label answered is translated in the language of the request.
    """

    def __init__(self, choices, **kwargs):
        self.choices_class = choices
        self.labels = dict(choices.choices)
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return str(self.labels.get(value, value))


_represent_local = threading.local()


def represent(serializer_class: type[serializers.BaseSerializer], instance, *, context: dict | None = None):
    """``serializer_class(instance, context=context).data``, without building its fields again.

    Serialising one object spends most of its time creating the serializer's
    field objects. A read-only representation needs no per-call state but
    the context, so each thread keeps one bound serializer per class and
    lends it the caller's context for the call. For response bodies of one
    object (API detail and transition answers).
    """
    cache = _represent_local.__dict__.setdefault("serializers", {})
    serializer = cache.get(serializer_class)
    if serializer is None or getattr(serializer, "_lent", False):
        # First use in this thread, or re-entered from inside its own
        # representation: a serializer of its own.
        serializer = serializer_class(context={})
        cache.setdefault(serializer_class, serializer)
    serializer._context, serializer._lent = context or {}, True
    try:
        return serializer.to_representation(instance)
    finally:
        serializer._context, serializer._lent = {}, False


class ErrorSerializer(Serializer):
    """The one error format of every 4xx (``enforcement.api_base.error_body``)."""

    code = serializers.CharField(help_text=_("稳定的错误代码，如 not_found、validation_failed"))
    message = serializers.CharField(help_text=_("可直接展示给用户的说明"))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text=_("字段 -> 错误信息列表")
    )


class AgencyBriefSerializer(ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "name", "kind"]


class UserBriefSerializer(ModelSerializer):
    full_name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name"]


class AgencySerializer(ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    parent = AgencyBriefSerializer(read_only=True, allow_null=True)
    stationed_in = AgencyBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Agency
        fields = [
            "id", "code", "name", "short_name", "kind", "kind_display", "parent", "stationed_in",
            "is_active", "sort_order",
        ]


class GridSerializer(ModelSerializer):
    township = AgencyBriefSerializer(read_only=True)
    member = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Grid
        fields = ["id", "code", "name", "township", "member"]


class NotificationSerializer(ModelSerializer):
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


class ReadAllResultSerializer(Serializer):
    updated = serializers.IntegerField(help_text=_("本次标记为已读的通知数"))


class MembershipSerializer(ModelSerializer):
    agency = AgencyBriefSerializer(read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "agency", "role", "role_display", "title"]


class CertificateSerializer(ModelSerializer):
    is_valid_today = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = ["id", "number", "issuing_body", "valid_from", "valid_to", "revoked_at", "is_valid_today"]

    def get_is_valid_today(self, obj: Certificate) -> bool:
        return obj.is_valid_on(timezone.localdate())


class MeSerializer(Serializer):
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


class TodoItemSerializer(Serializer):
    """One thing waiting for the user (enforcement.todo.TodoItem)."""

    kind = serializers.CharField(help_text="来源与事项类型，如 dispatch.accept（待签收工单）、cases.legal_review")
    category = serializers.CharField(help_text="待办类别（界面语言）")
    title = serializers.CharField()
    reference = serializers.CharField(help_text="工单、案件或批次编号")
    detail = serializers.CharField(help_text="所属单位、乡镇或状态")
    url = serializers.CharField(help_text="办理页面的站内地址")
    due = serializers.DateTimeField(allow_null=True, help_text="期限；无期限为 null")
    overdue = serializers.BooleanField()
    level = serializers.ChoiceField(choices=["none", "yellow", "red"],
                                    help_text="亮灯：none 正常、yellow 黄灯、red 红灯")


class TodoListSerializer(Serializer):
    count = serializers.IntegerField()
    results = TodoItemSerializer(many=True)
