"""Intake API of the hotline platforms (12345 / 12319 / 12369): push a work order, pull its status.

A platform is a *client system*: a service-account user with a DRF token
(issued in admin under "认证令牌"), linked to the channels it may push
through by membership of a Django group named ``intake:<channel>``, e.g.
``intake:hotline_12345`` (or, for deployments configured in code, by
``settings.DISPATCH_INTAKE_CLIENTS = {"username": ["hotline_12345"]}``).
No new table: groups are edited in admin.

Pushing is idempotent on ``(channel, external_ref)`` (the platform's work
order number): the first push answers 201 with the new ticket, every later
push of the same order answers 200 with that same ticket, also when two
pushes race (the unique constraint decides; ``ticket_intake`` catches the
loser's IntegrityError). Everything goes through ``ticket_intake``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dispatch.models import (
    HOTLINE_CHANNELS,
    Channel,
    Priority,
    Ticket,
    TicketCategory,
    TicketStatus,
)
from dispatch.refcache import CachedSlugRelatedField, cached
from dispatch.services.intake import ticket_intake
from dispatch.views_public import effective_ticket, public_events, public_status_label, scrub
from enforcement.errors import DomainError, NotFound, PermissionRefused
from enforcement.models import Agency, Grid
from enforcement.serializers import ErrorSerializer, Serializer, represent

CLIENT_GROUP_PREFIX = "intake:"
# Orders per batch push: large enough to catch up quickly, small enough for one transaction.
BATCH_MAX = 100
TAG = "热线工单接入"


def intake_channels_for(user) -> frozenset[str]:
    """The channels a client system may push through (groups ``intake:<channel>`` and settings)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached_here = getattr(user, "_intake_channels", None)  # once per request (per user object), as scope_for
    if cached_here is not None:
        return cached_here

    def load() -> frozenset[str]:
        channels = {
            name[len(CLIENT_GROUP_PREFIX):]
            for name in user.groups.filter(name__startswith=CLIENT_GROUP_PREFIX).values_list("name", flat=True)
        }
        configured = getattr(settings, "DISPATCH_INTAKE_CLIENTS", {}) or {}
        channels.update(configured.get(user.get_username(), ()))
        return frozenset(c for c in channels if c in Channel.values)

    # Group memberships change rarely; the per-process reference cache drops them on every change.
    user._intake_channels = cached("intake_channels", user.pk, load)
    return user._intake_channels


class IsIntakeClient(permissions.BasePermission):
    message = _lazy("该账号不是已登记的接入系统（需加入“intake:渠道”用户组）。")

    def has_permission(self, request, view) -> bool:
        return bool(intake_channels_for(request.user) & set(HOTLINE_CHANNELS))


# --- shapes ------------------------------------------------------------------------------


class HotlineOrderSerializer(Serializer):
    # All channels as choices (one shared enum in the OpenAPI schema); the view accepts
    # only the hotline channels granted to the client.
    channel = serializers.ChoiceField(
        choices=Channel.choices, required=False,
        help_text=_lazy("来源热线；接入账号只登记了一个热线渠道时可省略"),
    )
    external_ref = serializers.CharField(max_length=64, help_text=_lazy("热线平台的工单编号（幂等键）"))
    description = serializers.CharField(max_length=5000)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    category = CachedSlugRelatedField(
        cache_name="active_category", slug_field="code", queryset=TicketCategory.objects.filter(is_active=True),
        required=False, allow_null=True, help_text=_lazy("问题类别编码"),
    )
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    reporter_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    reporter_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    place = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    lat = serializers.FloatField(required=False, allow_null=True, default=None)
    lng = serializers.FloatField(required=False, allow_null=True, default=None)
    township = CachedSlugRelatedField(
        cache_name="township", slug_field="code", queryset=Agency.objects.townships(), required=False, allow_null=True,
        help_text=_lazy("乡镇（街道）机构编码"),
    )
    grid = CachedSlugRelatedField(cache_name="grid", slug_field="code", queryset=Grid.objects.all(), required=False,
                                  allow_null=True, help_text=_lazy("网格编码"))
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                            help_text=_lazy("热线平台受理时间（ISO 8601，含时区）"))


class HotlineIntakeSerializer(HotlineOrderSerializer):
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                  help_text=_lazy("照片或材料（multipart）"))


class HotlineBatchSerializer(Serializer):
    orders = HotlineOrderSerializer(
        many=True, allow_empty=False, max_length=BATCH_MAX,
        help_text=format_lazy(_lazy("工单列表（至多 {max} 条），字段同单条推送，不含附件"), max=BATCH_MAX),
    )


class PublicEventSerializer(Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    label = serializers.CharField()
    note = serializers.CharField()
    agency = serializers.CharField()


class HotlineTicketSerializer(Serializer):
    number = serializers.CharField()
    lookup_code = serializers.CharField(help_text=_lazy("查询码：反映人凭受理编号和查询码在公众页面查询进度"))
    channel = serializers.CharField()
    external_ref = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    public_status = serializers.CharField(help_text=_lazy("对外（反映人）的办理状态"))
    is_final = serializers.BooleanField()
    received_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    resolve_due = serializers.DateTimeField(allow_null=True)
    responsible_agency = serializers.CharField(allow_blank=True)
    resolution = serializers.CharField(allow_blank=True)
    dismiss_reason = serializers.CharField(allow_blank=True)
    merged_into = serializers.CharField(allow_blank=True, help_text=_lazy("合并后的工单编号；进度以该工单为准"))
    events = PublicEventSerializer(many=True)


class HotlineBatchItemSerializer(Serializer):
    index = serializers.IntegerField(help_text=_lazy("该工单在 orders 中的位置（从 0 起）"))
    created = serializers.BooleanField(help_text=_lazy("false：该工单此前已推送，返回原工单"))
    number = serializers.CharField()
    lookup_code = serializers.CharField()
    external_ref = serializers.CharField()
    status = serializers.CharField()
    received_at = serializers.DateTimeField()


class HotlineBatchResultSerializer(Serializer):
    created = serializers.IntegerField(help_text=_lazy("新建的工单数"))
    existing = serializers.IntegerField(help_text=_lazy("此前已推送、返回原工单的数目"))
    results = HotlineBatchItemSerializer(many=True)


def ticket_payload(ticket: Ticket) -> dict:
    """What a hotline platform reads about its own order: status and public progress, no internal fields.

    A merged ticket reports the surviving ticket's progress (the platform's
    caller waits for that result).
    """
    current = effective_ticket(ticket)
    done = current.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
    return {
        "number": ticket.number,
        "lookup_code": ticket.lookup_code,
        "channel": ticket.channel,
        "external_ref": ticket.external_ref,
        "status": current.status,
        "status_display": current.get_status_display(),
        "public_status": public_status_label(current),
        "is_final": current.is_final,
        "received_at": ticket.received_at,
        "accepted_at": current.accepted_at,
        "resolved_at": current.resolved_at,
        "closed_at": current.closed_at,
        "resolve_due": current.resolve_due,
        "responsible_agency": current.responsible_agency.name if current.responsible_agency_id else "",
        "resolution": scrub(current.resolution) if done else "",
        "dismiss_reason": current.dismiss_reason if current.status == TicketStatus.DISMISSED else "",
        "merged_into": current.number if current.pk != ticket.pk else "",
        "events": public_events(ticket),
    }


def _response(ticket: Ticket, code: int) -> Response:
    return Response(represent(HotlineTicketSerializer, ticket_payload(ticket)), status=code)


REFUSED = OpenApiResponse(ErrorSerializer, description=_lazy("被拒绝：{code, message, fields}"))


class ClientMixin:
    authentication_classes = [TokenAuthentication]
    permission_classes = [permissions.IsAuthenticated, IsIntakeClient]


class HotlineIntakeView(ClientMixin, APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        summary=_lazy("热线平台推送工单（按渠道+外部编号幂等）"), tags=[TAG], request=HotlineIntakeSerializer,
        responses={201: HotlineTicketSerializer, 200: OpenApiResponse(HotlineTicketSerializer,
                                                                      description=_lazy("该工单此前已推送，返回原工单")),
                   400: REFUSED, 401: REFUSED, 403: REFUSED},
    )
    def post(self, request: Request) -> Response:
        serializer = HotlineIntakeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        channel = _channel_for(request.user, data.pop("channel", None), field="channel")
        files = data.pop("files", [])
        result = ticket_intake(channel=channel, by=request.user, attachments=files, by_client_system=True, **data)
        return _response(result.ticket, status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


def _channel_for(user, requested: str | None, *, field: str) -> str:
    """The hotline an order comes through: as given, or the client's only one; refused if not the client's."""
    allowed = intake_channels_for(user) & set(HOTLINE_CHANNELS)
    if not requested:
        if len(allowed) != 1:
            raise PermissionRefused(_("该接入账号登记了多个热线渠道，请在 channel 中注明来源热线。"), field=field)
        return next(iter(allowed))
    if requested not in allowed:
        raise PermissionRefused(
            _("该接入账号无权通过“%(channel)s”推送工单。") % {"channel": Channel(requested).label}, field=field
        )
    return requested


class HotlineBatchIntakeView(ClientMixin, APIView):
    """Push many work orders in one request (a platform catching up after an outage, or a nightly resend).

    All or nothing: every order is checked first; if any is refused the
    answer names each one (``orders[3].township``) and nothing is written.
    Otherwise all are filed in one transaction, each idempotent on
    ``(channel, external_ref)`` as in a single push (also when one batch
    repeats a reference: the repeat answers with the first).
    """

    parser_classes = [JSONParser]

    @extend_schema(
        summary=_lazy("热线平台批量推送工单（全部成功或全部不写入）"), tags=[TAG], request=HotlineBatchSerializer,
        responses={200: HotlineBatchResultSerializer, 400: REFUSED, 401: REFUSED, 403: REFUSED},
    )
    def post(self, request: Request) -> Response:
        serializer = HotlineBatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        orders = []
        for index, data in enumerate(serializer.validated_data["orders"]):
            data = dict(data)
            channel = _channel_for(request.user, data.pop("channel", None), field=f"orders[{index}].channel")
            orders.append((channel, data))
        results = []
        with transaction.atomic():
            for index, (channel, data) in enumerate(orders):
                try:
                    result = ticket_intake(channel=channel, by=request.user, by_client_system=True, **data)
                except DomainError as exc:
                    raise _for_order(exc, index) from exc
                ticket = result.ticket
                results.append({
                    "index": index, "created": result.created, "number": ticket.number,
                    "lookup_code": ticket.lookup_code, "external_ref": ticket.external_ref, "status": ticket.status,
                    "received_at": ticket.received_at,
                })
        created = sum(1 for item in results if item["created"])
        body = {"created": created, "existing": len(results) - created, "results": results}
        return Response(HotlineBatchResultSerializer(body).data, status=status.HTTP_200_OK)


def _for_order(exc: DomainError, index: int) -> DomainError:
    """The same refusal, its fields and message naming the order (``orders[3].grid``, "第 4 条")."""
    fields = {f"orders[{index}].{name}": messages for name, messages in exc.fields.items()}
    message = _("第 %(n)d 条工单：%(message)s") % {"n": index + 1, "message": exc.message}
    return type(exc)(message, code=exc.code, fields=fields or {f"orders[{index}]": [exc.message]})


class HotlineStatusView(ClientMixin, APIView):
    @extend_schema(
        summary=_lazy("热线平台按渠道+外部编号查询工单进度"), tags=[TAG],
        responses={200: HotlineTicketSerializer, 401: REFUSED, 403: REFUSED,
                   404: OpenApiResponse(ErrorSerializer, description=_lazy("没有该工单，或不属于本接入账号的渠道"))},
    )
    def get(self, request: Request, channel: str, external_ref: str) -> Response:
        # Another platform's orders answer 404, as if they did not exist.
        if channel not in intake_channels_for(request.user):
            raise NotFound()
        ticket = (
            Ticket.objects.select_related("responsible_agency", "merged_into")
            .filter(channel=channel, external_ref=external_ref).first()
        )
        if ticket is None:
            raise NotFound()
        return _response(ticket, status.HTTP_200_OK)


extra_urls = [
    path("intake/hotline/", HotlineIntakeView.as_view(), name="api-hotline-intake"),
    path("intake/hotline/batch/", HotlineBatchIntakeView.as_view(), name="api-hotline-batch"),
    path("intake/hotline/<str:channel>/<str:external_ref>/", HotlineStatusView.as_view(), name="api-hotline-status"),
]

__all__ = ["HotlineBatchIntakeView", "HotlineIntakeView", "HotlineStatusView", "extra_urls", "intake_channels_for"]
