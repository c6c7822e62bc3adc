"""REST API of tickets: list/detail with filters, staff intake, every transition as an action.

The queryset is ``Ticket.objects.visible_to(user)`` (out of scope: 404, as in
the UI); every write calls a service, whose refusals come back in the one
error format ``{code, message, fields}`` with a 4xx status.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from dispatch import selectors, services
from dispatch.filters import TicketFilter
from dispatch.models import Ticket, TicketExtension
from dispatch.serializers import (
    AssignSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CoHandlersSerializer,
    ConvertToCaseSerializer,
    EventSerializer,
    ExtensionDecideSerializer,
    ExtensionRequestSerializer,
    ExtensionSerializer,
    FeedbackSerializer,
    FollowUpSerializer,
    MatterSuggestionSerializer,
    MergeSerializer,
    NoteSerializer,
    ReasonSerializer,
    RequiredNoteSerializer,
    ResolveSerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketListSerializer,
    TriageSerializer,
    VerdictSerializer,
)
from dispatch.suggest import suggest_matters
from enforcement.api_base import ScopedQuerysetMixin
from enforcement.errors import NotFound, ValidationFailed
from enforcement.serializers import ErrorSerializer, represent
from enforcement.workflow import ensure_seen

TAG = "工单"
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="不存在，或不在您的查看范围内")
REFUSED = OpenApiResponse(ErrorSerializer, description="被拒绝：{code, message, fields}")


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


SEEN_STATUS_NOTE = (
    "请求体可附 seen_status（客户端读取工单时的状态）：工单状态已被他人改变时返回 409 conflict，不作任何更改。"
)


def _action_schema(summary: str, request=None, response=TicketDetailSerializer):
    return extend_schema(
        summary=summary, tags=[TAG], request=request, description=SEEN_STATUS_NOTE,
        responses={200: response, 400: REFUSED, 403: REFUSED, 404: NOT_FOUND, 409: REFUSED},
    )


@extend_schema_view(
    list=extend_schema(summary="工单列表", tags=[TAG]),
    retrieve=extend_schema(summary="工单详情", tags=[TAG], responses={200: TicketDetailSerializer, 404: NOT_FOUND}),
    create=extend_schema(summary="坐席登记工单", tags=[TAG], request=TicketCreateSerializer,
                         responses={201: TicketDetailSerializer, 400: REFUSED, 403: REFUSED}),
)
class TicketViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Ticket.objects.select_related(*selectors.LIST_RELATED)
    serializer_class = TicketListSerializer
    filterset_class = TicketFilter
    search_fields = ["=number", "=external_ref"]
    ordering_fields = ["received_at", "resolve_due", "number"]
    ordering = ["-received_at", "-id"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if self.action == "list":
            return super().get_queryset()
        return selectors.ticket_detail_queryset().visible_to(self.request.user)

    def get_serializer_class(self):
        return TicketListSerializer if self.action == "list" else TicketDetailSerializer

    def get_object(self):
        ticket = super().get_object()
        if self.request.method == "POST" and hasattr(self.request.data, "get"):
            # Optimistic check for a client that read the ticket earlier (see SEEN_STATUS_NOTE).
            ensure_seen(ticket, self.request.data.get("seen_status"))
        return ticket

    def _detail(self, ticket: Ticket, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.ticket_detail_queryset().get(pk=ticket.pk)
        return Response(represent(TicketDetailSerializer, fresh, context=self.get_serializer_context()), status=code)

    def create(self, request: Request) -> Response:
        data = _valid(TicketCreateSerializer, request.data)
        ticket = services.ticket_create_by_staff(by=request.user, **data)
        # The service hands back the new ticket with its relations in memory
        # (selectors.prime_fresh_ticket): no need to read it back.
        body = represent(TicketDetailSerializer, ticket, context=self.get_serializer_context())
        location = reverse("ticket-detail", args=[ticket.pk])
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})

    # --- transitions -----------------------------------------------------------------

    @_action_schema("分流（选定执法事项，系统建议承办单位）", TriageSerializer)
    @action(detail=True, methods=["post"])
    def triage(self, request: Request, pk=None) -> Response:
        data = _valid(TriageSerializer, request.data)
        return self._detail(services.ticket_triage(self.get_object(), by=request.user, **data))

    @_action_schema("交办（计算签收与办结期限）", AssignSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk=None) -> Response:
        data = _valid(AssignSerializer, request.data)
        return self._detail(services.ticket_assign(self.get_object(), by=request.user, **data))

    @_action_schema("签收", NoteSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk=None) -> Response:
        data = _valid(NoteSerializer, request.data)
        return self._detail(services.ticket_accept(self.get_object(), by=request.user, note=data["note"]))

    @_action_schema("开始处置", NoteSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk=None) -> Response:
        data = _valid(NoteSerializer, request.data)
        return self._detail(services.ticket_start(self.get_object(), by=request.user, note=data["note"]))

    @_action_schema("办结反馈（可附照片，multipart）", ResolveSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk=None) -> Response:
        data = _valid(ResolveSerializer, request.data)
        ticket = services.ticket_resolve(self.get_object(), by=request.user, resolution=data["resolution"],
                                         files=data["files"])
        return self._detail(ticket)

    @_action_schema("评价（认可并评分，或不认可退回重办）", VerdictSerializer)
    @action(detail=True, methods=["post"])
    def verdict(self, request: Request, pk=None) -> Response:
        data = _valid(VerdictSerializer, request.data)
        return self._detail(services.ticket_verdict(self.get_object(), by=request.user, **data))

    @_action_schema("退单（交办后 2 个工作日内）", ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_ticket(self, request: Request, pk=None) -> Response:
        data = _valid(ReasonSerializer, request.data)
        return self._detail(services.ticket_return(self.get_object(), by=request.user, reason=data["reason"]))

    @_action_schema("不予受理", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk=None) -> Response:
        data = _valid(ReasonSerializer, request.data)
        return self._detail(services.ticket_dismiss(self.get_object(), by=request.user, reason=data["reason"]))

    @_action_schema("合并重复工单（本单并入 into）", MergeSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk=None) -> Response:
        data = _valid(MergeSerializer, request.data)
        duplicate = self.get_object()
        into = _visible_ticket(request.user, data["into"])
        return self._detail(services.ticket_merge(duplicate, into=into, by=request.user, note=data["note"]))

    # --- events -----------------------------------------------------------------------

    @_action_schema("催办", RequiredNoteSerializer)
    @action(detail=True, methods=["post"])
    def urge(self, request: Request, pk=None) -> Response:
        data = _valid(RequiredNoteSerializer, request.data)
        return self._detail(services.ticket_urge(self.get_object(), by=request.user, note=data["note"]))

    @_action_schema("督办", RequiredNoteSerializer)
    @action(detail=True, methods=["post"])
    def supervise(self, request: Request, pk=None) -> Response:
        data = _valid(RequiredNoteSerializer, request.data)
        return self._detail(services.ticket_supervise(self.get_object(), by=request.user, note=data["note"]))

    @_action_schema("升级（提高紧急程度并报告）", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk=None) -> Response:
        data = _valid(ReasonSerializer, request.data)
        return self._detail(services.ticket_escalate(self.get_object(), by=request.user, reason=data["reason"]))

    @_action_schema("申请延期", ExtensionRequestSerializer, ExtensionSerializer)
    @action(detail=True, methods=["post"], url_path="extension")
    def extension(self, request: Request, pk=None) -> Response:
        data = _valid(ExtensionRequestSerializer, request.data)
        ext = services.extension_request(self.get_object(), by=request.user, **data)
        return Response(ExtensionSerializer(ext).data, status=status.HTTP_201_CREATED)

    @_action_schema("审批延期申请", ExtensionDecideSerializer, ExtensionSerializer)
    @action(detail=True, methods=["post"], url_path="extension/decide", url_name="extension-decide")
    def extension_decide(self, request: Request, pk=None) -> Response:
        data = _valid(ExtensionDecideSerializer, request.data)
        ticket = self.get_object()
        ext = TicketExtension.objects.filter(ticket=ticket, pk=data["extension"]).first()
        if ext is None:
            raise NotFound(field="extension")
        ext = services.extension_decide(ext, by=request.user, approve=data["approve"], note=data["note"])
        return Response(ExtensionSerializer(ext).data)

    @_action_schema("设置联合执法协办单位", CoHandlersSerializer)
    @action(detail=True, methods=["post"], url_path="co_handlers")
    def co_handlers(self, request: Request, pk=None) -> Response:
        data = _valid(CoHandlersSerializer, request.data)
        ticket = self.get_object()
        services.set_co_handlers(ticket, data["agencies"], by=request.user)
        return self._detail(ticket)

    @_action_schema("协办单位反馈", FeedbackSerializer)
    @action(detail=True, methods=["post"], url_path="co_feedback")
    def co_feedback(self, request: Request, pk=None) -> Response:
        data = _valid(FeedbackSerializer, request.data)
        ticket = self.get_object()
        services.co_handler_feedback(ticket, by=request.user, feedback=data["feedback"])
        return self._detail(ticket)

    @_action_schema("回访（满意度）", FollowUpSerializer)
    @action(detail=True, methods=["post"], url_path="follow_up")
    def follow_up(self, request: Request, pk=None) -> Response:
        data = _valid(FollowUpSerializer, request.data)
        return self._detail(services.ticket_follow_up(self.get_object(), by=request.user, **data))

    @_action_schema("转为案件线索（登记案件线索并关联，返回含 linked_case_id 的工单）", ConvertToCaseSerializer)
    @action(detail=True, methods=["post"], url_path="convert_to_case")
    def convert_to_case(self, request: Request, pk=None) -> Response:
        data = _valid(ConvertToCaseSerializer, request.data)
        return self._detail(services.ticket_convert_to_case(self.get_object(), by=request.user, **data))

    @_action_schema("上传附件（multipart: files）", AttachmentUploadSerializer, AttachmentSerializer(many=True))
    @action(detail=True, methods=["post"])
    def attachments(self, request: Request, pk=None) -> Response:
        data = _valid(AttachmentUploadSerializer, request.data)
        ticket = self.get_object()
        saved = [services.attachment_add(ticket, f, by=request.user) for f in data["files"]]
        return Response(AttachmentSerializer(saved, many=True).data, status=status.HTTP_201_CREATED)

    # --- reads ------------------------------------------------------------------------

    @extend_schema(summary="办理过程（全过程记录）", tags=[TAG],
                   responses={200: EventSerializer(many=True), 404: NOT_FOUND})
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk=None) -> Response:
        return Response(EventSerializer(selectors.history(self.get_object()), many=True).data)

    @extend_schema(summary="疑似重复工单", tags=[TAG],
                   responses={200: TicketListSerializer(many=True), 404: NOT_FOUND})
    @action(detail=True, methods=["get"])
    def duplicates(self, request: Request, pk=None) -> Response:
        candidates = selectors.duplicate_candidates(self.get_object())
        visible = set(Ticket.objects.visible_to(request.user).filter(pk__in=[t.pk for t in candidates])
                      .values_list("pk", flat=True))
        found = [t for t in candidates if t.pk in visible]
        data = TicketListSerializer(found, many=True, context=self.get_serializer_context()).data
        for row, t in zip(data, found, strict=True):
            row["distance_m"] = round(t.distance_m) if t.distance_m is not None else None
        return Response(data)

    @extend_schema(summary="分流建议的执法事项（按问题类别和描述匹配）", tags=[TAG],
                   responses={200: MatterSuggestionSerializer(many=True), 404: NOT_FOUND})
    @action(detail=True, methods=["get"], url_path="matter_suggestions")
    def matter_suggestions(self, request: Request, pk=None) -> Response:
        return Response(MatterSuggestionSerializer(suggest_matters(self.get_object()), many=True).data)


def _visible_ticket(user, ref: str) -> Ticket:
    ref = (ref or "").strip()
    where = Q(number=ref.upper())
    if ref.isdigit():
        where |= Q(pk=int(ref))
    ticket = Ticket.objects.visible_to(user).filter(where).first()
    if ticket is None:
        raise ValidationFailed(_("未找到该工单，或不在您的查看范围内。"), field="into", code="not_found")
    return ticket


def register(router) -> None:
    router.register("tickets", TicketViewSet, basename="ticket")


extra_urls: list = []

__all__ = ["TicketViewSet", "extra_urls", "register"]
