"""REST API of devolution batches: batches (transitions as actions), items, and the township power map.

Querysets go through ``visible_to(user)`` (out of scope: 404); every write
calls a service, whose refusals come back as ``{code, message, fields}``.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from devolution import selectors, services
from devolution.actions import BATCH_ACTIONS, ITEM_ACTIONS
from devolution.filters import BatchFilter, ItemFilter
from devolution.models import BatchItem, DevolutionBatch, ReviewOpinion
from devolution.rules import blocking_problems, load_context
from devolution.serializers import (
    BatchChecksSerializer,
    BatchDetailSerializer,
    BatchItemSerializer,
    BatchItemWriteSerializer,
    BatchNoteSerializer,
    BatchReasonSerializer,
    BatchReviewSerializer,
    BatchRevokeSerializer,
    BatchSerializer,
    BatchWriteSerializer,
    ReviewOpinionSerializer,
)
from enforcement.api_base import Pagination, ScopedQuerysetMixin
from enforcement.errors import ValidationFailed
from enforcement.serializers import AgencyBriefSerializer, ErrorSerializer

TAG = "赋权批次"
NOT_FOUND = OpenApiResponse(ErrorSerializer, description=_lazy("不存在，或不在您的查看范围内"))
REFUSED = OpenApiResponse(ErrorSerializer, description=_lazy("被拒绝：{code, message, fields}"))


def _transition_schema(summary: str, request=None):
    return extend_schema(
        summary=summary, tags=[TAG], request=request,
        responses={200: BatchDetailSerializer, 400: REFUSED, 403: REFUSED, 404: NOT_FOUND, 409: REFUSED},
    )


@extend_schema_view(
    list=extend_schema(summary=_lazy("赋权批次列表"), tags=[TAG]),
    retrieve=extend_schema(summary=_lazy("赋权批次详情"),
                           tags=[TAG], responses={200: BatchDetailSerializer, 404: NOT_FOUND}),
    create=extend_schema(summary=_lazy("起草赋权批次"), tags=[TAG], request=BatchWriteSerializer,
                         responses={201: BatchDetailSerializer, 400: REFUSED, 403: REFUSED}),
    partial_update=extend_schema(summary=_lazy("修改赋权批次"), tags=[TAG], request=BatchWriteSerializer,
                                 responses={200: BatchDetailSerializer, 400: REFUSED, 403: REFUSED, 409: REFUSED}),
)
class BatchViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = DevolutionBatch.objects.select_related("created_by").prefetch_related("townships")
    serializer_class = BatchSerializer
    filterset_class = BatchFilter
    search_fields = ["number", "title", "county_document_no"]
    ordering_fields = ["effective_date", "number"]
    ordering = ["-effective_date", "-number"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "list":
            qs = qs.annotate(item_count=Count("items", distinct=True))
        elif self.action == "retrieve":
            qs = qs.annotate(item_count=Count("items", distinct=True)).prefetch_related(
                "packages",
                Prefetch("opinions", queryset=ReviewOpinion.objects.select_related("reviewer", "agency")),
            )
        return qs

    def get_serializer_class(self):
        # One batch is answered in full (items, packages, opinions), as the schema says and the actions do.
        return BatchDetailSerializer if self.action == "retrieve" else super().get_serializer_class()

    def _detail(self, batch: DevolutionBatch, code: int = status.HTTP_200_OK) -> Response:
        fresh = DevolutionBatch.objects.prefetch_related(
            "townships", "packages",
            Prefetch("opinions", queryset=ReviewOpinion.objects.select_related("reviewer", "agency")),
        ).select_related("created_by").annotate(item_count=Count("items", distinct=True)).get(pk=batch.pk)
        return Response(BatchDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request: Request) -> Response:
        data = _valid(BatchWriteSerializer, request.data)
        missing = [f for f in ("number", "title", "provincial_decision", "county_document_no", "effective_date",
                               "townships") if f not in data]
        if missing:
            raise ValidationFailed(_("缺少字段：%(fields)s") % {"fields": ", ".join(missing)},
                                   fields={f: [_("必填")] for f in missing})
        batch = services.batch_create(by=request.user, **data)
        return self._detail(batch, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk=None) -> Response:
        batch = self.get_object()
        data = _valid(BatchWriteSerializer, request.data)
        townships = data.pop("townships", None)
        batch = services.batch_update(batch, by=request.user, townships=townships, **data)
        return self._detail(batch)

    def _act(self, key: str, request: Request):
        """Run action ``key`` of BATCH_ACTIONS, as the batch page does: the table's form, then its service."""
        batch = self.get_object()
        data = BATCH_ACTIONS.validate(key, batch, request.user, request.data)
        return BATCH_ACTIONS.perform(key, batch, by=request.user, data=data)

    @_transition_schema(_lazy("提交审查"))
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk=None) -> Response:
        return self._detail(self._act("submit", request))

    @_transition_schema(_lazy("开始审查"))
    @action(detail=True, methods=["post"], url_path="start_review")
    def start_review(self, request: Request, pk=None) -> Response:
        return self._detail(self._act("start_review", request))

    @_transition_schema(_lazy("退回修改"), BatchNoteSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_for_changes(self, request: Request, pk=None) -> Response:
        return self._detail(self._act("return_for_changes", request))

    @_transition_schema(_lazy("批准（全部检查通过后）"), BatchNoteSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk=None) -> Response:
        return self._detail(self._act("approve", request))

    @_transition_schema(_lazy("公布"))
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk=None) -> Response:
        return self._detail(self._act("publish", request))

    @_transition_schema(_lazy("实施生效（幂等）"))
    @action(detail=True, methods=["post"])
    def enact(self, request: Request, pk=None) -> Response:
        return self._detail(self._act("enact", request))

    @_transition_schema(_lazy("撤回"), BatchReasonSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk=None) -> Response:
        return self._detail(self._act("withdraw", request))

    @_transition_schema(_lazy("整批撤销"), BatchRevokeSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk=None) -> Response:
        return self._detail(self._act("revoke", request))

    @extend_schema(summary=_lazy("对整个批次提出审查意见（不同意即退回修改）"),
                   tags=[TAG], request=BatchReviewSerializer,
                   responses={200: BatchDetailSerializer, 400: REFUSED, 403: REFUSED, 409: REFUSED})
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk=None) -> Response:
        batch = self.get_object()
        self._act("review", request)
        return self._detail(batch)

    @extend_schema(summary=_lazy("批准前检查：阻止批准的问题与乡镇承接能力"), tags=[TAG],
                   responses={200: BatchChecksSerializer, 404: NOT_FOUND})
    @action(detail=True, methods=["get"])
    def checks(self, request: Request, pk=None) -> Response:
        batch = self.get_object()
        ctx = load_context(batch)
        problems = blocking_problems(batch, ctx=ctx)
        data = {
            "can_approve": not problems,
            "problems": problems,
            "readiness": [ctx.readiness[t.pk] for t in ctx.batch_townships if t.pk in ctx.readiness],
        }
        return Response(BatchChecksSerializer(data).data)

    @extend_schema(summary=_lazy("办理过程（全过程记录）"), tags=[TAG],
                   responses={200: OpenApiResponse(description=_lazy("事件列表"))})
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk=None) -> Response:
        batch = self.get_object()
        return Response([
            {"at": e.at, "action": e.action, "from_state": e.from_state, "to_state": e.to_state,
             "actor": e.actor.get_username() if e.actor_id else None, "note": e.note, "data": e.data}
            for e in selectors.batch_history(batch)
        ])


@extend_schema_view(
    list=extend_schema(summary=_lazy("批次事项列表"), tags=[TAG]),
    retrieve=extend_schema(summary=_lazy("批次事项详情"),
                           tags=[TAG], responses={200: BatchItemSerializer, 404: NOT_FOUND}),
    create=extend_schema(summary=_lazy("添加批次事项"), tags=[TAG], request=BatchItemWriteSerializer,
                         responses={201: BatchItemSerializer, 400: REFUSED, 403: REFUSED, 409: REFUSED}),
    partial_update=extend_schema(summary=_lazy("修改批次事项（审查结论重置为待审查）"), tags=[TAG],
                                 request=BatchItemWriteSerializer,
                                 responses={200: BatchItemSerializer, 400: REFUSED, 403: REFUSED, 409: REFUSED}),
    destroy=extend_schema(summary=_lazy("移除批次事项"), tags=[TAG], responses={204: None, 403: REFUSED, 409: REFUSED}),
)
class ItemViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = BatchItem.objects.select_related("matter", "package", "hub_township", "batch").prefetch_related(
        "townships"
    )
    serializer_class = BatchItemSerializer
    filterset_class = ItemFilter
    search_fields = ["matter__code", "matter__name"]
    ordering_fields = ["id"]
    ordering = ["batch_id", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def _item(self, item: BatchItem, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.queryset.get(pk=item.pk)
        return Response(BatchItemSerializer(fresh).data, status=code)

    def list(self, request: Request) -> Response:
        # Every listed item's three-year case count in one query (selectors.case_counts_3y), not one per item.
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        items = list(queryset if page is None else page)
        context = {**self.get_serializer_context(), "case_counts": selectors.case_counts_3y(items)}
        data = BatchItemSerializer(items, many=True, context=context).data
        return Response(data) if page is None else self.get_paginated_response(data)

    def create(self, request: Request) -> Response:
        data = _valid(BatchItemWriteSerializer, request.data)
        for name in ("batch", "matter_code", "townships", "category", "mode"):
            if name not in data:
                raise ValidationFailed(_("缺少字段：%(field)s") % {"field": name}, field=name)
        batch = DevolutionBatch.objects.visible_to(request.user).filter(pk=data.pop("batch").pk).first()
        if batch is None:
            raise ValidationFailed(_("批次不存在，或不在您的查看范围内。"), field="batch")
        item = services.item_add(batch, by=request.user, matter=data.pop("matter_code"), **data)
        return self._item(item, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk=None) -> Response:
        item = self.get_object()
        data = _valid(BatchItemWriteSerializer, request.data)
        data.pop("batch", None)
        if "matter_code" in data:
            raise ValidationFailed(_("不能更换事项；请移除后重新添加。"), field="matter_code")
        townships = data.pop("townships", None)
        return self._item(services.item_update(item, by=request.user, townships=townships, **data))

    def destroy(self, request: Request, pk=None) -> Response:
        services.item_remove(self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _act(self, key: str, request: Request):
        """Run action ``key`` of ITEM_ACTIONS, as the batch page does: the table's form, then its service."""
        item = self.get_object()
        data = ITEM_ACTIONS.validate(key, item, request.user, request.data)
        return ITEM_ACTIONS.perform(key, item, by=request.user, data=data)

    @extend_schema(summary=_lazy("对事项提出审查意见"), tags=[TAG], request=BatchReviewSerializer,
                   responses={201: ReviewOpinionSerializer, 400: REFUSED, 403: REFUSED, 409: REFUSED})
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk=None) -> Response:
        opinion = self._act("review", request)
        return Response(ReviewOpinionSerializer(opinion).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary=_lazy("撤销已生效事项（恢复原执法主体）"), tags=[TAG], request=BatchRevokeSerializer,
                   responses={200: BatchItemSerializer(many=True), 400: REFUSED, 403: REFUSED, 409: REFUSED})
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk=None) -> Response:
        items = self._act("revoke", request)
        fresh = list(self.queryset.filter(pk__in=[i.pk for i in items]).order_by("id"))
        return Response(BatchItemSerializer(fresh, many=True,
                                            context={"case_counts": selectors.case_counts_3y(fresh)}).data)


class PowerMapView(APIView):
    """Matters x townships: who holds each matter in each township on a day (constant queries)."""

    @extend_schema(
        summary=_lazy("乡镇执法权力地图"), tags=[TAG],
        parameters=[
            OpenApiParameter("on", str, description=_lazy("日期 YYYY-MM-DD，默认今天")),
            OpenApiParameter("domain", int, description=_lazy("执法领域 id")),
            OpenApiParameter("q", str, description=_lazy("事项编码或名称")),
            OpenApiParameter("devolved_only", bool, description=_lazy("只列已有乡镇专门授权的事项")),
            OpenApiParameter("page", int), OpenApiParameter("page_size", int),
        ],
        responses={200: OpenApiResponse(description="{on, townships, count, next, previous, results}"),
                   400: REFUSED},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        day = _date_param(params.get("on")) or timezone.localdate()
        domain = params.get("domain")
        if domain and not domain.isdigit():
            raise ValidationFailed(_("执法领域须为编号。"), field="domain")
        matters = selectors.power_map_matters(
            domain_id=int(domain) if domain else None, on=day, q=(params.get("q") or "").strip(),
            devolved_only=params.get("devolved_only", "").lower() in ("1", "true", "yes"),
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(matters, request, view=self)
        townships = list(selectors.all_townships())
        rows = selectors.power_map_rows(page, townships, on=day)
        results = [
            {
                "matter": {"id": r.matter.pk, "code": r.matter.code, "name": r.matter.name,
                           "domain": r.matter.domain.name},
                "cells": {
                    str(t.pk): (
                        {"mode": a.mode, "mode_display": a.mode_label, "holder": a.agency.name,
                         "holder_id": a.agency.pk, "acting_for": a.acting_for.name if a.acting_for else None,
                         "county_wide": a.county_wide, "source_batch_id": a.grant.source_batch_id,
                         "source_ref": a.grant.source_ref, "text": a.via_text}
                        if a else None
                    )
                    for t, a in zip(townships, r.cells, strict=True)
                },
            }
            for r in rows
        ]
        response = paginator.get_paginated_response(results)
        response.data["on"] = day.isoformat()
        response.data["townships"] = AgencyBriefSerializer(townships, many=True).data
        return response


def _date_param(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None:
        raise ValidationFailed(_("日期格式应为 YYYY-MM-DD。"), field="on")
    return day


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def register(router) -> None:
    router.register("devolution/batches", BatchViewSet, basename="devolution-batch")
    router.register("devolution/items", ItemViewSet, basename="devolution-item")


extra_urls: list = [
    path("devolution/power-map/", PowerMapView.as_view(), name="devolution-power-map"),
]
