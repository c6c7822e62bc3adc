"""REST API of performance evaluation: the same selectors, services and refusals as the pages.

* ``GET /api/evaluation-units/?start=&end=&period=&order=``: every handling unit's figures for the period,
  ranked (the bureau and the judicial bureau).
* ``/api/unit-ratings/?period=`` (read); ``POST /api/unit-ratings/`` saves a draft (``period``, ``unit``,
  ``scores``: ``[{item, score, reason}]``); ``POST .../{id}/publish/``; ``POST .../{id}/correct/``
  (``scores``, ``note``) supersedes a published rating.
* ``GET /api/officer-assessments/?year=``: the bureau, every officer; anyone else, their own record only.
  ``GET /api/officer-assessments/{user id}/?year=``: own record or the bureau; else 404.
* ``/api/township-unit-evaluations/?period=&township=&unit=``: the townships' evaluations of the units serving
  them (a township's officers and leaders: their township's; the bureau and the judicial bureau: all; anyone
  else: none, and 404 for one). ``POST`` saves a township's evaluation (``period``, ``unit``, ``score``,
  ``comment``, ``township`` when the user serves several), a new one or a change of the township's earlier
  one; ``PATCH .../{id}/`` changes ``score`` and ``comment``. Until the unit's rating of the period is
  published (409 ``rating_frozen`` afterwards).
* ``/api/township-officer-evaluations/?year=&township=&officer=``: the townships' yearly forms of the officers
  stationed in them (the bureau: all; a township: its own; an officer: their own). ``POST`` files the form
  (``officer``, ``year``, ``score``, ``comments``, ``recommendation``; ``township`` when the user serves
  several): once a year, never changed afterwards (409 ``already_evaluated``), as on the township's page.

Refusals are the services' (the same as the township's page): 403 ``not_township`` (not an officer or leader
of that township), 403 ``outside_area`` (a unit that did not serve it, an officer not stationed in it), 409,
and 400 naming the field (a score outside 0-100, a year not begun, empty comments).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from enforcement.api_base import ScopedQuerysetMixin, year_param
from enforcement.errors import NotFound, PermissionRefused, ValidationFailed
from enforcement.models import Agency
from enforcement.models.agencies import TOWNSHIP_KINDS
from enforcement.serializers import ModelSerializer, Serializer
from supervision.evaluation import selectors, services
from supervision.evaluation.choices import RATED_KINDS, Recommendation
from supervision.evaluation.forms import PeriodFilterForm
from supervision.evaluation.models import (
    EvaluationPeriod,
    RatingItemScore,
    TownshipOfficerEvaluation,
    TownshipUnitEvaluation,
    UnitRating,
)
from supervision.evaluation.permissions import can_read_units, evaluating_townships, is_bureau

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


# --- the townships' forms ----------------------------------------------------------------------------

User = get_user_model()
SCORE = {"max_digits": 5, "decimal_places": 2, "min_value": Decimal("0"), "max_value": Decimal("100")}


class TownshipUnitEvaluationSerializer(ModelSerializer):
    period_name = serializers.CharField(source="period.name", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    by = serializers.CharField(source="by.username", read_only=True)
    frozen = serializers.BooleanField(
        read_only=True, help_text=_lazy("该单位本周期的年度评定已公布，乡镇评价不能再修改")
    )

    class Meta:
        model = TownshipUnitEvaluation
        fields = [
            "id",
            "period",
            "period_name",
            "township",
            "township_name",
            "unit",
            "unit_name",
            "score",
            "comment",
            "by",
            "at",
            "frozen",
        ]
        read_only_fields = fields


class TownshipUnitEvaluationInSerializer(Serializer):
    period = serializers.PrimaryKeyRelatedField(queryset=EvaluationPeriod.objects.all())
    township = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(kind__in=TOWNSHIP_KINDS),
        required=False,
        help_text=_lazy("评价的乡镇（街道）；只在本人任职于多个乡镇时需要"),
    )
    unit = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    score = serializers.DecimalField(**SCORE)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class TownshipUnitEvaluationAmendSerializer(Serializer):
    score = serializers.DecimalField(required=False, **SCORE)
    comment = serializers.CharField(required=False, allow_blank=True)


class TownshipOfficerEvaluationSerializer(ModelSerializer):
    officer_name = serializers.SerializerMethodField()
    township_name = serializers.CharField(source="township.name", read_only=True)
    recommendation_label = serializers.CharField(source="get_recommendation_display", read_only=True)
    by = serializers.CharField(source="by.username", read_only=True)

    class Meta:
        model = TownshipOfficerEvaluation
        fields = [
            "id",
            "officer",
            "officer_name",
            "township",
            "township_name",
            "year",
            "score",
            "comments",
            "recommendation",
            "recommendation_label",
            "by",
            "at",
        ]
        read_only_fields = fields

    def get_officer_name(self, obj) -> str:
        return obj.officer.get_full_name() or obj.officer.get_username()


class TownshipOfficerEvaluationInSerializer(Serializer):
    officer = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    township = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(kind__in=TOWNSHIP_KINDS),
        required=False,
        help_text=_lazy("评价的乡镇（街道）；只在本人任职于多个乡镇时需要"),
    )
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=9999, help_text=_lazy("评价年度（默认：今年）")
    )
    score = serializers.DecimalField(**SCORE)
    comments = serializers.CharField()
    recommendation = serializers.ChoiceField(
        choices=Recommendation.choices, required=False, allow_blank=True, default=""
    )


def _township_of(user, township: Agency | None) -> Agency:
    """The township the user fills the form for: the one named, else their only one (refusals name the field)."""
    townships = evaluating_townships(user)
    if not townships:
        raise PermissionRefused(
            _("只有乡镇（街道）的执法人员或负责人可以填写乡镇评价。"), code="not_township", field="township"
        )
    if township is not None:
        return township  # the service refuses a township that is not the user's
    if len(townships) > 1:
        raise ValidationFailed(_("您任职于多个乡镇（街道），请指定评价的乡镇。"), field="township")
    return Agency.objects.get(pk=townships[0])


def _int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise serializers.ValidationError({name: [_("应为整数编号。")]})
    return int(raw)


def _filtered(request, qs, names):
    for name in names:
        value = _int_param(request, name)
        if value is not None:
            qs = qs.filter(**{f"{name}_id" if name != "year" else name: value})
    return qs


FILTER = {
    "period": _lazy("考核周期编号"),
    "township": _lazy("乡镇（街道）机构编号"),
    "unit": _lazy("被评价单位机构编号"),
    "officer": _lazy("执法人员用户编号"),
    "year": _lazy("年度"),
}


@extend_schema_view(
    list=extend_schema(
        summary=_lazy("乡镇对承办单位的评价（乡镇：本乡镇；本局、司法局：全部）"),
        tags=[TAG],
        parameters=[OpenApiParameter(n, int, description=FILTER[n]) for n in ("period", "township", "unit")],
    ),
    retrieve=extend_schema(summary=_lazy("乡镇对承办单位的一份评价"), tags=[TAG]),
)
class TownshipUnitEvaluationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TownshipUnitEvaluationSerializer

    def get_queryset(self):
        qs = selectors.township_unit_evaluations(self.request.user)
        if self.action == "list":
            qs = _filtered(self.request, qs, ("period", "township", "unit"))
        return qs

    def _fresh(self, evaluation, code=status.HTTP_200_OK):
        row = selectors.township_unit_evaluations(self.request.user).get(pk=evaluation.pk)
        return Response(TownshipUnitEvaluationSerializer(row).data, status=code)

    @extend_schema(
        summary=_lazy("填写或修改乡镇对承办单位的评价"),
        tags=[TAG],
        request=TownshipUnitEvaluationInSerializer,
        responses={201: TownshipUnitEvaluationSerializer, 200: TownshipUnitEvaluationSerializer},
        description="Saves the township's evaluation of a unit for a period: 201 when new, 200 when it changes "
        "the township's earlier evaluation of that unit and period.",
    )
    def create(self, request):
        data = TownshipUnitEvaluationInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        township = _township_of(request.user, v.get("township"))
        existed = TownshipUnitEvaluation.objects.filter(period=v["period"], township=township, unit=v["unit"]).exists()
        evaluation = services.township_unit_evaluate(
            period=v["period"], township=township, unit=v["unit"], score=v["score"], comment=v["comment"],
            by=request.user,
        )
        return self._fresh(evaluation, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(
        summary=_lazy("修改乡镇对承办单位的评价"),
        tags=[TAG],
        request=TownshipUnitEvaluationAmendSerializer,
        responses={200: TownshipUnitEvaluationSerializer},
    )
    def partial_update(self, request, pk=None):
        evaluation = self.get_object()
        data = TownshipUnitEvaluationAmendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        evaluation = services.township_unit_evaluate(
            period=evaluation.period,
            township=evaluation.township,
            unit=evaluation.unit,
            score=v.get("score", evaluation.score),
            comment=v.get("comment", evaluation.comment),
            by=request.user,
        )
        return self._fresh(evaluation)


@extend_schema_view(
    list=extend_schema(
        summary=_lazy("乡镇对派驻执法人员的年度评价（本局：全部；乡镇：本乡镇；本人：本人）"),
        tags=[TAG],
        parameters=[OpenApiParameter(n, int, description=FILTER[n]) for n in ("year", "township", "officer")],
    ),
    retrieve=extend_schema(summary=_lazy("乡镇对派驻执法人员的一份年度评价"), tags=[TAG]),
)
class TownshipOfficerEvaluationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TownshipOfficerEvaluationSerializer

    def get_queryset(self):
        qs = selectors.township_officer_evaluations(self.request.user)
        if self.action == "list":
            qs = _filtered(self.request, qs, ("year", "township", "officer"))
        return qs

    @extend_schema(
        summary=_lazy("填写乡镇对派驻执法人员的年度评价"),
        tags=[TAG],
        request=TownshipOfficerEvaluationInSerializer,
        responses={201: TownshipOfficerEvaluationSerializer},
    )
    def create(self, request):
        data = TownshipOfficerEvaluationInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        evaluation = services.township_officer_evaluate(
            officer=v["officer"],
            township=_township_of(request.user, v.get("township")),
            year=v.get("year") or timezone.localdate().year,
            score=v["score"],
            comments=v["comments"],
            recommendation=v["recommendation"],
            by=request.user,
        )
        row = self.get_queryset().get(pk=evaluation.pk)
        return Response(TownshipOfficerEvaluationSerializer(row).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("evaluation-units", EvaluationUnitViewSet, basename="evaluation-unit")
    router.register("unit-ratings", UnitRatingViewSet, basename="unit-rating")
    router.register("officer-assessments", OfficerAssessmentViewSet, basename="officer-assessment")
    router.register("township-unit-evaluations", TownshipUnitEvaluationViewSet, basename="township-unit-evaluation")
    router.register(
        "township-officer-evaluations", TownshipOfficerEvaluationViewSet, basename="township-officer-evaluation"
    )
