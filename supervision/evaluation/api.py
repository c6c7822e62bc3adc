"""REST API of performance evaluation: the same selectors, services and refusals as the pages.

* ``GET /api/evaluation-units/?start=&end=&period=&order=``: every handling unit's figures for the period,
  ranked (the bureau and the judicial bureau).
* ``/api/unit-ratings/?period=`` (read); ``POST /api/unit-ratings/`` saves a draft (``period``, ``unit``,
  ``scores``: ``[{item, score, reason}]``); ``POST .../{id}/publish/``; ``POST .../{id}/correct/``
  (``scores``, ``note``) supersedes a published rating.
* ``GET /api/officer-assessments/?year=``: the bureau, every officer; anyone else, their own record only.
  ``GET /api/officer-assessments/{user id}/?year=``: own record or the bureau; else 404.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from enforcement.api_base import ScopedQuerysetMixin, year_param
from enforcement.errors import NotFound
from enforcement.models import Agency
from enforcement.serializers import ModelSerializer, Serializer
from supervision.evaluation import selectors, services
from supervision.evaluation.choices import RATED_KINDS
from supervision.evaluation.forms import PeriodFilterForm
from supervision.evaluation.models import EvaluationPeriod, RatingItemScore, UnitRating
from supervision.evaluation.permissions import can_read_units, is_bureau

TAG = "evaluation"


class UnitFiguresSerializer(Serializer):
    rank = serializers.IntegerField()
    unit = serializers.CharField()
    unit_code = serializers.CharField()
    unit_kind = serializers.CharField()
    received = serializers.IntegerField()
    accepted_on_time = serializers.IntegerField()
    accept_rate = serializers.FloatField(allow_null=True)
    resolved = serializers.IntegerField()
    resolved_on_time = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    verdicts_accepted = serializers.IntegerField()
    verdicts_rejected = serializers.IntegerField()
    avg_score = serializers.FloatField(allow_null=True)
    returns = serializers.IntegerField()
    reopenings = serializers.IntegerField()
    satisfaction_rate = serializers.FloatField(allow_null=True)
    review_files = serializers.IntegerField()
    review_average = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    rectifications_overdue = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(
        summary=_lazy("各承办单位考核数据与排名"),
        tags=[TAG],
        responses={200: UnitFiguresSerializer(many=True)},
        parameters=[
            OpenApiParameter("start", str),
            OpenApiParameter("end", str),
            OpenApiParameter("period", int),
            OpenApiParameter("order", str, enum=list(selectors.RANK_KEYS)),
        ],
    )
)
class EvaluationUnitViewSet(viewsets.ViewSet):
    def list(self, request):
        if not can_read_units(request.user):
            raise NotFound()
        form = PeriodFilterForm(request.query_params or None)
        if request.query_params and not form.is_valid():
            raise serializers.ValidationError(form.errors)
        start, end, order = form.bounds()
        rows = selectors.unit_figures(start, end, order=order)
        return Response(UnitFiguresSerializer([r.as_dict() for r in rows], many=True).data)


class ItemScoreSerializer(ModelSerializer):
    class Meta:
        model = RatingItemScore
        fields = ["item", "name", "weight", "score", "reason"]
        read_only_fields = fields


class UnitRatingSerializer(ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    item_scores = ItemScoreSerializer(many=True, read_only=True)

    class Meta:
        model = UnitRating
        fields = [
            "id",
            "period",
            "unit",
            "unit_name",
            "status",
            "status_label",
            "township_weight",
            "township_score",
            "township_count",
            "total",
            "formula",
            "item_scores",
            "supersedes",
            "correction_note",
            "created_at",
            "published_at",
        ]
        read_only_fields = fields


class ScoreInSerializer(Serializer):
    item = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2)
    reason = serializers.CharField()


class RatingSaveSerializer(Serializer):
    period = serializers.PrimaryKeyRelatedField(queryset=EvaluationPeriod.objects.all())
    unit = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.filter(kind__in=RATED_KINDS))
    scores = ScoreInSerializer(many=True)


class RatingCorrectSerializer(Serializer):
    scores = ScoreInSerializer(many=True)
    note = serializers.CharField()


def _scores(data) -> dict:
    return {s["item"]: (s["score"], s["reason"]) for s in data}


@extend_schema_view(
    list=extend_schema(summary=_lazy("单位年度评定列表"), tags=[TAG], parameters=[OpenApiParameter("period", int)]),
    retrieve=extend_schema(summary=_lazy("单位年度评定详情"), tags=[TAG]),
)
class UnitRatingViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = (
        UnitRating.objects.select_related("unit").prefetch_related("item_scores").order_by("period", "-total", "pk")
    )
    serializer_class = UnitRatingSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        period = self.request.query_params.get("period")
        if period and self.action == "list":
            qs = qs.filter(period_id=int(period)) if period.isdigit() else qs.none()
        return qs

    def _fresh(self, rating):
        return Response(UnitRatingSerializer(self.get_queryset().get(pk=rating.pk)).data)

    @extend_schema(
        summary=_lazy("录入或修改评定草稿"),
        tags=[TAG],
        request=RatingSaveSerializer,
        responses={200: UnitRatingSerializer},
    )
    def create(self, request):
        if not is_bureau(request.user):
            raise NotFound()
        data = RatingSaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        rating = services.rating_save(period=v["period"], unit=v["unit"], scores=_scores(v["scores"]), by=request.user)
        return self._fresh(rating)

    @extend_schema(summary=_lazy("公布评定"), tags=[TAG], request=None, responses={200: UnitRatingSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._fresh(services.rating_publish(self.get_object(), by=request.user))

    @extend_schema(
        summary=_lazy("更正已公布的评定"),
        tags=[TAG],
        request=RatingCorrectSerializer,
        responses={200: UnitRatingSerializer},
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        data = RatingCorrectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rating = services.rating_correct(
            self.get_object(),
            scores=_scores(data.validated_data["scores"]),
            note=data.validated_data["note"],
            by=request.user,
        )
        return self._fresh(rating)


class TermSerializer(Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    points_per_unit = serializers.DecimalField(max_digits=7, decimal_places=2)
    cap = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    points = serializers.DecimalField(max_digits=9, decimal_places=2)


class AssessmentSerializer(Serializer):
    officer = serializers.IntegerField(source="officer.pk")
    username = serializers.CharField(source="officer.username")
    name = serializers.CharField()
    year = serializers.IntegerField()
    agency = serializers.CharField(source="agency.name", allow_null=True)
    stationed_in = serializers.CharField(source="stationed_in.name", allow_null=True)
    rank = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=9, decimal_places=2)
    certificate_lapsed = serializers.BooleanField()
    exam_failed = serializers.BooleanField()
    terms = TermSerializer(many=True)




YEAR = OpenApiParameter("year", int)


@extend_schema_view(
    list=extend_schema(
        summary=_lazy("执法人员年度考核（本局：全部；其他人：本人）"),
        tags=[TAG],
        parameters=[YEAR],
        responses={200: AssessmentSerializer(many=True)},
    ),
    retrieve=extend_schema(
        summary=_lazy("某执法人员的年度考核"),
        tags=[TAG],
        parameters=[YEAR, OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={200: AssessmentSerializer},
    ),
)
class OfficerAssessmentViewSet(viewsets.ViewSet):
    def list(self, request):
        year = year_param(request)
        ids = None if is_bureau(request.user) else [request.user.pk]
        rows = selectors.officers_assessed(year, officer_ids=ids)
        return Response(AssessmentSerializer(rows, many=True).data)

    def retrieve(self, request, pk=None):
        if not str(pk).isdigit() or (int(pk) != request.user.pk and not is_bureau(request.user)):
            raise NotFound()
        rows = selectors.officers_assessed(year_param(request), officer_ids=[int(pk)])
        if not rows:
            raise NotFound()
        return Response(AssessmentSerializer(rows[0]).data)


def register(router) -> None:
    router.register("evaluation-units", EvaluationUnitViewSet, basename="evaluation-unit")
    router.register("unit-ratings", UnitRatingViewSet, basename="unit-rating")
    router.register("officer-assessments", OfficerAssessmentViewSet, basename="officer-assessment")
