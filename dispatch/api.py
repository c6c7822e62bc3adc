"""REST API of tickets: list/detail with filters, staff intake, every transition as an action.

The queryset is ``Ticket.objects.visible_to(user)`` (out of scope: 404, as in
the UI); every write calls a service, whose refusals come back in the one
error format ``{code, message, fields}`` with a 4xx status.

Every action route (``ACTION_ROUTES``) runs one entry of
:data:`dispatch.actions.TICKET_ACTIONS`, the table the ticket page runs: the
body is validated by that entry's form and the entry's service is called.
The input serializers (``TriageSerializer`` ...) only document the request
bodies in the OpenAPI schema.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from dispatch import selectors, services
from dispatch.actions import TICKET_ACTIONS
from dispatch.filters import TicketFilter
from dispatch.models import Ticket
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
from enforcement.api_base import ScopedQuerysetMixin, fields_message
from enforcement.errors import ValidationFailed
from enforcement.serializers import ErrorSerializer, represent
from enforcement.workflow import ensure_seen

TAG = "工单"
NOT_FOUND = OpenApiResponse(ErrorSerializer, description=_lazy("不存在，或不在您的查看范围内"))
REFUSED = OpenApiResponse(ErrorSerializer, description=_lazy("被拒绝：{code, message, fields}"))


def _valid(serializer_class, data) -> dict:  # staff intake (create); actions validate with their forms
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
    list=extend_schema(summary=_lazy("工单列表"), tags=[TAG]),
    retrieve=extend_schema(summary=_lazy("工单详情"),
                           tags=[TAG], responses={200: TicketDetailSerializer, 404: NOT_FOUND}),
    create=extend_schema(summary=_lazy("坐席登记工单"), tags=[TAG], request=TicketCreateSerializer,
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

    def visibility_arguments(self) -> dict:
        # A list leaves out the scope's parts that add no ticket (TicketQuerySet.visible_to).
        return {"listing": True} if self.action == "list" else {}

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

    # --- actions: every route runs one entry of dispatch.actions.TICKET_ACTIONS --------------

    def _perform(self, request: Request, key: str):
        """Validate the body with the action's form (as the page does) and run the action's one service call."""
        ticket = self.get_object()
        try:
            data = TICKET_ACTIONS.validate(key, ticket, request.user, _body(request), request.FILES)
        except ValidationFailed as exc:
            # Word the message as for every other 400 of the API: "field: message; ...".
            raise ValidationFailed(fields_message(exc.fields) or exc.message, fields=exc.fields) from None
        return ticket, TICKET_ACTIONS.perform(key, ticket, by=request.user, data=data)

    def _act(self, request: Request, key: str) -> Response:
        """An action that answers with the ticket as it now stands."""
        ticket, _result = self._perform(request, key)
        return self._detail(ticket)  # read back: the services change the row under a lock

    @_action_schema(_lazy("分流（选定执法事项，系统建议承办单位）"), TriageSerializer)
    @action(detail=True, methods=["post"])
    def triage(self, request: Request, pk=None) -> Response:
        return self._act(request, "triage")

    @_action_schema(_lazy("交办（计算签收与办结期限）"), AssignSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk=None) -> Response:
        return self._act(request, "assign")

    @_action_schema(_lazy("签收"), NoteSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk=None) -> Response:
        return self._act(request, "accept")

    @_action_schema(_lazy("开始处置"), NoteSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk=None) -> Response:
        return self._act(request, "start")

    @_action_schema(_lazy("办结反馈（可附照片，multipart）"), ResolveSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk=None) -> Response:
        return self._act(request, "resolve")

    @_action_schema(_lazy("评价（认可并评分，或不认可退回重办）"), VerdictSerializer)
    @action(detail=True, methods=["post"])
    def verdict(self, request: Request, pk=None) -> Response:
        return self._act(request, "verdict")

    @_action_schema(_lazy("退单（交办后 2 个工作日内）"), ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_ticket(self, request: Request, pk=None) -> Response:
        return self._act(request, "return")

    @_action_schema(_lazy("不予受理"), ReasonSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk=None) -> Response:
        return self._act(request, "dismiss")

    @_action_schema(_lazy("合并重复工单（本单并入 into）"), MergeSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk=None) -> Response:
        return self._act(request, "merge")

    @_action_schema(_lazy("催办"), RequiredNoteSerializer)
    @action(detail=True, methods=["post"])
    def urge(self, request: Request, pk=None) -> Response:
        return self._act(request, "urge")

    @_action_schema(_lazy("督办"), RequiredNoteSerializer)
    @action(detail=True, methods=["post"])
    def supervise(self, request: Request, pk=None) -> Response:
        return self._act(request, "supervise")

    @_action_schema(_lazy("升级（提高紧急程度并报告）"), ReasonSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk=None) -> Response:
        return self._act(request, "escalate")

    @_action_schema(_lazy("申请延期"), ExtensionRequestSerializer, ExtensionSerializer)
    @action(detail=True, methods=["post"], url_path="extension")
    def extension(self, request: Request, pk=None) -> Response:
        _ticket, ext = self._perform(request, "extension_request")
        return Response(ExtensionSerializer(ext).data, status=status.HTTP_201_CREATED)

    @_action_schema(_lazy("审批延期申请"), ExtensionDecideSerializer, ExtensionSerializer)
    @action(detail=True, methods=["post"], url_path="extension/decide", url_name="extension-decide")
    def extension_decide(self, request: Request, pk=None) -> Response:
        _ticket, ext = self._perform(request, "extension_decide")
        return Response(ExtensionSerializer(ext).data)

    @_action_schema(_lazy("设置联合执法协办单位"), CoHandlersSerializer)
    @action(detail=True, methods=["post"], url_path="co_handlers")
    def co_handlers(self, request: Request, pk=None) -> Response:
        return self._act(request, "co_handlers")

    @_action_schema(_lazy("协办单位反馈"), FeedbackSerializer)
    @action(detail=True, methods=["post"], url_path="co_feedback")
    def co_feedback(self, request: Request, pk=None) -> Response:
        return self._act(request, "co_feedback")

    @_action_schema(_lazy("回访（满意度）"), FollowUpSerializer)
    @action(detail=True, methods=["post"], url_path="follow_up")
    def follow_up(self, request: Request, pk=None) -> Response:
        return self._act(request, "follow_up")

    @_action_schema(_lazy("转为案件线索（登记案件线索并关联，返回含 linked_case_id 的工单）"), ConvertToCaseSerializer)
    @action(detail=True, methods=["post"], url_path="convert_to_case")
    def convert_to_case(self, request: Request, pk=None) -> Response:
        return self._act(request, "convert_to_case")

    @_action_schema(_lazy("上传附件（multipart: files）"), AttachmentUploadSerializer, AttachmentSerializer(many=True))
    @action(detail=True, methods=["post"])
    def attachments(self, request: Request, pk=None) -> Response:
        _ticket, saved = self._perform(request, "attach")
        return Response(AttachmentSerializer(saved, many=True).data, status=status.HTTP_201_CREATED)

    # --- reads ------------------------------------------------------------------------

    @extend_schema(summary=_lazy("办理过程（全过程记录）"), tags=[TAG],
                   responses={200: EventSerializer(many=True), 404: NOT_FOUND})
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk=None) -> Response:
        return Response(EventSerializer(selectors.history(self.get_object()), many=True).data)

    @extend_schema(summary=_lazy("疑似重复工单"), tags=[TAG],
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

    @extend_schema(summary=_lazy("分流建议的执法事项（按问题类别和描述匹配）"), tags=[TAG],
                   responses={200: MatterSuggestionSerializer(many=True), 404: NOT_FOUND})
    @action(detail=True, methods=["get"], url_path="matter_suggestions")
    def matter_suggestions(self, request: Request, pk=None) -> Response:
        return Response(MatterSuggestionSerializer(suggest_matters(self.get_object()), many=True).data)


# The API route (url_path) of each ticket action: every key of TICKET_ACTIONS has one.
ACTION_ROUTES = {
    "triage": "triage", "assign": "assign", "accept": "accept", "start": "start", "resolve": "resolve",
    "verdict": "verdict", "return": "return", "dismiss": "dismiss", "merge": "merge", "urge": "urge",
    "supervise": "supervise", "escalate": "escalate", "extension": "extension_request",
    "extension/decide": "extension_decide", "co_handlers": "co_handlers", "co_feedback": "co_feedback",
    "follow_up": "follow_up", "convert_to_case": "convert_to_case", "attachments": "attach",
}


def _body(request: Request):
    """The request body for the action's form; one that is not an object (a JSON list) is refused as DRF does."""
    if not hasattr(request.data, "get"):
        serializers.Serializer(data=request.data).is_valid(raise_exception=True)
    return request.data


def register(router) -> None:
    router.register("tickets", TicketViewSet, basename="ticket")


extra_urls: list = []

__all__ = ["TicketViewSet", "extra_urls", "register"]
