"""Serializers of the ticket API: shapes only; rules live in dispatch.services."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dispatch.links import ticket_url
from dispatch.models import (
    Channel,
    Priority,
    Satisfaction,
    Ticket,
    TicketAttachment,
    TicketCategory,
    TicketCoHandler,
    TicketExtension,
    TicketStatus,
)
from dispatch.permissions import available_actions, can_see_lookup_code
from dispatch.privacy import reporter_for
from dispatch.refcache import CachedPrimaryKeyRelatedField
from enforcement.models import Agency, Grid, Matter, PartyKind
from enforcement.serializers import (
    AgencyBriefSerializer,
    ChoiceLabelField,
    ModelSerializer,
    Serializer,
    UserBriefSerializer,
)
from enforcement.workdays import Unit


class CategoryBriefSerializer(ModelSerializer):
    class Meta:
        model = TicketCategory
        fields = ["id", "code", "name"]


class MatterBriefSerializer(ModelSerializer):
    domain = serializers.CharField(source="domain.name", read_only=True)

    class Meta:
        model = Matter
        fields = ["id", "code", "name", "domain"]


class TicketListSerializer(ModelSerializer):
    status_display = ChoiceLabelField(TicketStatus, source="status")
    channel_display = ChoiceLabelField(Channel, source="channel")
    summary = serializers.CharField(read_only=True)
    category = CategoryBriefSerializer(read_only=True, allow_null=True)
    township = AgencyBriefSerializer(read_only=True, allow_null=True)
    responsible_agency = AgencyBriefSerializer(read_only=True, allow_null=True)
    matter = MatterBriefSerializer(read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id", "number", "status", "status_display", "channel", "channel_display", "priority", "summary",
            "category", "township", "responsible_agency", "matter", "warning_level", "overdue", "received_at",
            "assigned_at", "accept_due", "resolve_due", "deadline_provisional", "url",
        ]

    def get_url(self, ticket: Ticket) -> str:
        return ticket_url(ticket)


class CoHandlerSerializer(ModelSerializer):
    agency = AgencyBriefSerializer(read_only=True)
    feedback_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = TicketCoHandler
        fields = ["agency", "role", "feedback", "feedback_at", "feedback_by"]


class AttachmentSerializer(ModelSerializer):
    # The checked download view, never the stored file's path.
    url = serializers.SerializerMethodField()

    class Meta:
        model = TicketAttachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "kind", "uploaded_at", "url"]

    def get_url(self, attachment: TicketAttachment) -> str:
        path = reverse("dispatch:attachment", args=[attachment.ticket_id, attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ExtensionSerializer(ModelSerializer):
    requested_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = TicketExtension
        fields = ["id", "amount", "unit", "reason", "status", "requested_by", "requested_at", "previous_due",
                  "new_due", "decided_at", "decision_note"]


class ReporterSerializer(Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    masked = serializers.BooleanField(help_text=_("是否已脱敏（仅指挥中心与承办单位可见完整信息）"))


class TicketDetailSerializer(TicketListSerializer):
    reporter = serializers.SerializerMethodField()
    grid = serializers.CharField(source="grid.name", read_only=True, allow_null=True, default=None)
    proposed_agency = AgencyBriefSerializer(read_only=True, allow_null=True)
    submitted_by_agency = AgencyBriefSerializer(read_only=True, allow_null=True)
    co_handlers = CoHandlerSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    extensions = ExtensionSerializer(many=True, read_only=True)
    merged_into = serializers.CharField(source="merged_into.number", read_only=True, allow_null=True, default=None)
    # The id of the case lead (Ticket.linked_case), documented as it was when the column was a plain integer.
    linked_case_id = serializers.IntegerField(label=_("关联案件"), allow_null=True, required=False,
                                              min_value=-(2**63), max_value=2**63 - 1)
    actions = serializers.SerializerMethodField(help_text=_("当前用户此刻可执行的操作"))
    lookup_code = serializers.SerializerMethodField(
        help_text=_("公众查询码：仅指挥中心、录入人和发起单位可见，其他读者为 null")
    )

    class Meta(TicketListSerializer.Meta):
        fields = [
            *TicketListSerializer.Meta.fields, "external_ref", "title", "description", "place", "lat", "lng", "grid",
            "reporter", "submitted_by_agency", "proposed_agency", "proposal_basis", "warn_at",
            "warning_changed_at", "return_count", "reopen_count", "escalated_at", "resolution", "verdict",
            "verdict_score", "verdict_reason", "verdict_at", "satisfaction", "follow_up_note", "followed_up_at",
            "merged_into", "dismiss_reason", "linked_case_id", "triaged_at", "accepted_at", "started_at",
            "resolved_at", "closed_at", "co_handlers", "attachments", "extensions", "actions", "lookup_code",
        ]

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_reporter(self, ticket: Ticket) -> dict:
        return reporter_for(self._user(), ticket)

    def get_actions(self, ticket: Ticket) -> list[str]:
        return available_actions(self._user(), ticket)

    def get_lookup_code(self, ticket: Ticket) -> str | None:
        return ticket.lookup_code if can_see_lookup_code(self._user(), ticket) and ticket.lookup_code else None


# --- inputs -----------------------------------------------------------------------------------
# TicketCreateSerializer validates staff intake. The action bodies below only document the
# requests in OpenAPI (extend_schema(request=...)): the API validates them with the action's
# form in dispatch.actions.TICKET_ACTIONS, as the page does.


class TicketCreateSerializer(Serializer):
    """Staff intake (坐席录入); hotline channels may be re-keyed by the command centre."""

    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.STAFF)
    description = serializers.CharField(max_length=5000)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    category = CachedPrimaryKeyRelatedField(cache_name="active_category_pk",
                                            queryset=TicketCategory.objects.filter(is_active=True),
                                            required=False, allow_null=True)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    reporter_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    reporter_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    place = serializers.CharField(max_length=300, required=False, allow_blank=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    lng = serializers.FloatField(required=False, allow_null=True)
    township = CachedPrimaryKeyRelatedField(cache_name="township_pk", queryset=Agency.objects.townships(),
                                            required=False, allow_null=True)
    grid = CachedPrimaryKeyRelatedField(cache_name="grid_pk", queryset=Grid.objects.all(), required=False,
                                        allow_null=True)
    external_ref = serializers.CharField(max_length=64, required=False, allow_blank=True)


class NoteSerializer(Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RequiredNoteSerializer(Serializer):
    note = serializers.CharField(allow_blank=True)


class ReasonSerializer(Serializer):
    reason = serializers.CharField(allow_blank=True)


class TriageSerializer(Serializer):
    matter = serializers.PrimaryKeyRelatedField(queryset=Matter.objects.all())
    township = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.townships(), required=False,
                                                  allow_null=True)
    grid = serializers.PrimaryKeyRelatedField(queryset=Grid.objects.all(), required=False, allow_null=True)
    category = serializers.PrimaryKeyRelatedField(queryset=TicketCategory.objects.all(), required=False,
                                                  allow_null=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AssignSerializer(Serializer):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.active(), required=False, allow_null=True,
                                                help_text=_("默认为系统建议的承办单位"))
    co_handlers = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.active(), many=True, required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CoHandlersSerializer(Serializer):
    agencies = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.active(), many=True)


class ResolveSerializer(Serializer):
    resolution = serializers.CharField(allow_blank=True)
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class VerdictSerializer(Serializer):
    accepted = serializers.BooleanField()
    score = serializers.IntegerField(required=False, allow_null=True, help_text=_("认可时 1-5 分"))
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class MergeSerializer(Serializer):
    into = serializers.CharField(help_text=_("保留工单的编号或 id"))
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ExtensionRequestSerializer(Serializer):
    amount = serializers.DecimalField(max_digits=6, decimal_places=2)
    unit = serializers.ChoiceField(choices=Unit.choices, default=Unit.WORKING_DAYS)
    reason = serializers.CharField(allow_blank=True)


class ExtensionDecideSerializer(Serializer):
    extension = serializers.IntegerField()
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class FeedbackSerializer(Serializer):
    feedback = serializers.CharField(allow_blank=True)


class FollowUpSerializer(Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MatterSuggestionSerializer(Serializer):
    matter_id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    score = serializers.FloatField(help_text=_("相关度（越大越相关）"))
    from_category = serializers.BooleanField(help_text=_("是否为问题类别的常见事项"))
    words = serializers.ListField(child=serializers.CharField(), help_text=_("描述与事项名称共有的词（字对）"))
    reason = serializers.CharField()


class ConvertToCaseSerializer(Serializer):
    """转为案件线索: the lead's title and party; matter, place, facts and dates come from the ticket."""

    title = serializers.CharField(max_length=300, allow_blank=True, help_text=_("案由"))
    party_kind = serializers.ChoiceField(choices=PartyKind.choices, help_text=_("当事人类型"))
    party_name = serializers.CharField(max_length=200, allow_blank=True, help_text=_("当事人"))
    party_legal_rep = serializers.CharField(max_length=100, required=False, allow_blank=True, default="",
                                            help_text=_("当事人为单位的必填"))
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AttachmentUploadSerializer(Serializer):
    files = serializers.ListField(child=serializers.FileField(), allow_empty=False)


class EventSerializer(Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor = serializers.CharField(source="actor.get_username", allow_null=True, default=None)
    actor_agency = serializers.CharField(source="actor_agency.name", allow_null=True, default=None)
    note = serializers.CharField()
    data = serializers.JSONField()
    is_public = serializers.BooleanField()
