"""REST API of the core (agencies, grids, notifications, the signed-in user).

Every queryset goes through ``visible_to(user)`` (``ScopedQuerysetMixin``), so
an object outside the caller's scope answers 404 exactly as in the UI.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enforcement import notifications, todo
from enforcement.access import scope_for
from enforcement.api_base import ScopedQuerysetMixin
from enforcement.filters import AgencyFilter, GridFilter, NotificationFilter
from enforcement.models.agencies import Agency, Certificate, Membership
from enforcement.models.grids import Grid
from enforcement.models.notifications import Notification
from enforcement.serializers import (
    AgencySerializer,
    ErrorSerializer,
    GridSerializer,
    MeSerializer,
    NotificationSerializer,
    ReadAllResultSerializer,
    TodoListSerializer,
)

NOT_FOUND = OpenApiResponse(ErrorSerializer, description=_lazy("不存在，或不在您的查看范围内"))


@extend_schema_view(
    list=extend_schema(summary=_lazy("机构列表"), tags=["机构"]),
    retrieve=extend_schema(summary=_lazy("机构详情"), tags=["机构"], responses={200: AgencySerializer, 404: NOT_FOUND}),
)
class AgencyViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """Agencies (reference data: every signed-in user sees the whole tree)."""

    queryset = Agency.objects.select_related("parent", "stationed_in")
    serializer_class = AgencySerializer
    filterset_class = AgencyFilter
    search_fields = ["name", "short_name", "code"]
    ordering_fields = ["sort_order", "code", "name"]
    ordering = ["sort_order", "code"]


@extend_schema_view(
    list=extend_schema(summary=_lazy("网格列表"), tags=["网格"]),
    retrieve=extend_schema(summary=_lazy("网格详情"), tags=["网格"], responses={200: GridSerializer, 404: NOT_FOUND}),
)
class GridViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """Grids of the townships the caller covers (the bureau sees all)."""

    queryset = Grid.objects.select_related("township", "member")
    serializer_class = GridSerializer
    filterset_class = GridFilter
    search_fields = ["name", "code", "township__name"]
    ordering_fields = ["code", "name"]
    ordering = ["code"]


@extend_schema_view(
    list=extend_schema(summary=_lazy("我的通知"), tags=["通知"]),
    retrieve=extend_schema(
        summary=_lazy("通知详情"), tags=["通知"], responses={200: NotificationSerializer, 404: NOT_FOUND}
    ),
)
class NotificationViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """The caller's own notifications, newest first."""

    queryset = Notification.objects.select_related("content_type")
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    search_fields = ["title", "body"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    @extend_schema(
        summary=_lazy("标记为已读"),
        tags=["通知"], request=None, responses={200: NotificationSerializer, 404: NOT_FOUND}
    )
    @action(detail=True, methods=["post"], url_path="read", url_name="read")
    def mark_read(self, request: Request, pk=None) -> Response:
        note = self.get_object()
        notifications.mark_read(note, by=request.user)
        note.refresh_from_db(fields=["read_at"])
        return Response(self.get_serializer(note).data)

    @extend_schema(summary=_lazy("全部标记为已读"),
                   tags=["通知"], request=None, responses={200: ReadAllResultSerializer})
    @action(detail=False, methods=["post"], url_path="read_all", url_name="read-all")
    def read_all(self, request: Request) -> Response:
        updated = notifications.mark_all_read(by=request.user)
        return Response(ReadAllResultSerializer({"updated": updated}).data)


class MeView(APIView):
    """The signed-in user with memberships, roles and enforcement certificates."""

    @extend_schema(summary=_lazy("当前用户"), tags=["账户"], responses={200: MeSerializer})
    def get(self, request: Request) -> Response:
        user = request.user
        scope = scope_for(user)
        memberships = Membership.objects.active().filter(user=user).select_related("agency").order_by("id")
        data = {
            "id": user.pk,
            "username": user.get_username(),
            "full_name": user.get_full_name() or user.get_username(),
            "email": user.email,
            "is_staff": user.is_staff,
            "memberships": memberships,
            "roles": sorted(scope.roles),
            "certificates": Certificate.objects.filter(officer=user),
            "county_wide": scope.county_wide,
            "township_ids": sorted(scope.township_ids),
            "unread_notifications": notifications.unread_count(user),
        }
        return Response(MeSerializer(data).data)


class TodoView(APIView):
    """The signed-in user's to-do list (待办事项), as on their home page."""

    @extend_schema(
        summary=_lazy("我的待办"),
        description=(
            "等待当前用户办理的事项：工单（分流、交办、签收、办结、评价、联合执法反馈）、案件（立案、法制审核、"
            "审批、送达、缴款、公开）、赋权批次（审查确认、承接准备）等，按期限由近到远排列（已超期在前，"
            "无期限在后），每项带亮灯（none/yellow/red）。按实时状态查询：办理后即从列表中消失。"
        ),
        tags=["账户"],
        responses={200: TodoListSerializer},
    )
    def get(self, request: Request) -> Response:
        items = todo.todo_for(request.user)
        return Response(TodoListSerializer({"count": len(items), "results": items}).data)


def register(router) -> None:
    router.register("agencies", AgencyViewSet, basename="agency")
    router.register("grids", GridViewSet, basename="grid")
    router.register("notifications", NotificationViewSet, basename="notification")


extra_urls: list = [
    path("me/", MeView.as_view(), name="api-me"),
    path("todo/", TodoView.as_view(), name="api-todo"),
]
