"""The annual disclosure report as JSON: ``GET /api/disclosure-reports/`` and ``/api/disclosure-reports/{year}/``.

Public read, no login (the report is published by law): only published
versions, the latest of the year unless ``?version=`` asks for an earlier
one. Figures per agency code and for the county, with the stable keys of
:mod:`supervision.disclosure.figures`; each key's definition is in
``definitions``.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from enforcement.serializers import Serializer
from supervision.disclosure import selectors
from supervision.disclosure.figures import all_figures


class ReportSummarySerializer(Serializer):
    year = serializers.IntegerField()
    version = serializers.IntegerField()
    title = serializers.CharField(source="__str__")
    published_at = serializers.DateTimeField()
    supersedes_version = serializers.IntegerField(source="supersedes.version", allow_null=True, default=None)
    correction_note = serializers.CharField()


class DefinitionSerializer(Serializer):
    key = serializers.CharField()
    source = serializers.CharField()
    label = serializers.CharField()
    definition = serializers.CharField()
    kind = serializers.CharField()


class ReportSerializer(ReportSummarySerializer):
    submitted_to = serializers.CharField(source="submitted_to.name", allow_null=True, default=None)
    county = serializers.DictField(source="figures.county", help_text=_lazy("全县数据，按指标代码"))
    agencies = serializers.DictField(
        source="figures.agencies", help_text=_lazy("各单位数据，按机构代码（含单位名称和类型）")
    )
    missing = serializers.ListField(
        child=serializers.CharField(), source="figures.missing", help_text=_lazy("数据来源尚未纳入系统的指标代码")
    )
    breakdowns = serializers.DictField(source="figures.breakdowns")
    analysis = serializers.CharField()
    generated_analysis = serializers.CharField()
    definitions = serializers.SerializerMethodField()

    def get_definitions(self, obj) -> list[dict]:
        return [
            {"key": f.key, "source": p.key, "label": str(f.label), "definition": str(f.definition), "kind": f.kind}
            for p, f in all_figures()
            if f.shown
        ]


class DisclosureReportViewSet(viewsets.ViewSet):
    """Annual enforcement data disclosure reports (published versions only)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    lookup_field = "year"
    lookup_value_regex = r"\d{4}"

    @extend_schema(
        summary=_lazy("已公开的年度行政执法数据公开报告"),
        responses={200: ReportSummarySerializer(many=True)},
        tags=["disclosure"],
    )
    def list(self, request):
        return Response(ReportSummarySerializer(selectors.public_reports(), many=True).data)

    @extend_schema(
        summary=_lazy("某年度已公开的数据公开报告"),
        responses={200: ReportSerializer},
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter("version", OpenApiTypes.INT, description=_lazy("已公开的较早版本（默认：最新版本）")),
        ],
        tags=["disclosure"],
    )
    def retrieve(self, request, year=None):
        version = request.query_params.get("version")
        if version is not None and not version.isdigit():
            raise Http404
        report = selectors.public_report(int(year), int(version) if version else None)
        return Response(ReportSerializer(report).data)


def register(router) -> None:
    router.register("disclosure-reports", DisclosureReportViewSet, basename="disclosure-report")
