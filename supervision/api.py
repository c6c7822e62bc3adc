"""REST API of case-file review: the same scope, services and refusals as the pages.

* ``/api/review-plans/`` (read) and ``POST /api/review-plans/{id}/actions/{draw|reopen|start|publish|close}/``;
  ``GET /api/review-plans/{id}/results/``: per agency and per rubric item.
* ``/api/review-scores/{id}/`` (the reviewer's own, or the plan lead's): ``PUT`` saves the draft
  (``deductions``: ``[{item, points, comment}]``, ``vetoes``: ``[{veto, comment}]``, ``comment``),
  ``POST .../submit/`` locks it, ``POST .../reopen/`` (the lead, with ``reason``).
* ``/api/rectifications/`` (the judicial bureau: all; an agency: its own), ``POST .../answer/``
  (``item``, ``answer``), ``POST .../submit/``, ``POST .../check/`` (``decisions``: ``[{item, accept, note}]``).

Refusals come back as ``{code, message, fields}``.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from enforcement.api_base import ScopedQuerysetMixin
from enforcement.errors import NotFound
from enforcement.serializers import ModelSerializer, Serializer
from supervision import selectors
from supervision.disclosure import api as disclosure_api
from supervision.evaluation import api as evaluation_api
from supervision.models import Rectification, RectificationItem, ReviewPlan, Score, ScoreDeduction, ScoreVeto
from supervision.services import plans as plan_svc
from supervision.services import rectification as rect_svc
from supervision.services import scoring

PLAN_SERVICES = {
    "draw": plan_svc.plan_draw, "reopen": plan_svc.plan_reopen, "start": plan_svc.plan_start,
    "publish": plan_svc.plan_publish, "close": plan_svc.plan_close,
}


class ReviewPlanSerializer(ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    organiser = serializers.CharField(source="organiser.name", read_only=True)

    class Meta:
        model = ReviewPlan
        fields = ["id", "year", "title", "organiser", "lead", "rubric", "period_start", "period_end",
                  "sample_count", "sample_share", "sample_min", "sample_max", "procedure", "major",
                  "second_reviewer", "score_gap", "rectify_threshold", "rectify_days", "seed", "status",
                  "status_label", "drawn_at", "draw_digest", "published_at", "closed_at"]
        read_only_fields = fields


class AgencyResultSerializer(Serializer):
    agency = serializers.CharField(source="agency.name")
    agency_code = serializers.CharField(source="agency.code")
    files = serializers.IntegerField()
    average = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    grades = serializers.DictField(child=serializers.IntegerField())
    vetoes = serializers.IntegerField()
    rank = serializers.IntegerField()


class ItemResultSerializer(Serializer):
    code = serializers.CharField()
    group = serializers.CharField()
    text = serializers.CharField()
    files = serializers.IntegerField()
    points = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)


class ResultsSerializer(Serializer):
    agencies = AgencyResultSerializer(many=True)
    items = ItemResultSerializer(many=True)


class ReviewPlanViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = ReviewPlan.objects.select_related("organiser").order_by("-year", "-id")
    serializer_class = ReviewPlanSerializer

    @extend_schema(request=None, responses={200: ReviewPlanSerializer},
                   parameters=[OpenApiParameter("step", str, OpenApiParameter.PATH, enum=sorted(PLAN_SERVICES))])
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<step>[a-z]+)")
    def act(self, request, pk=None, step: str = ""):
        if step not in PLAN_SERVICES:
            raise NotFound()
        plan = PLAN_SERVICES[step](self.get_object(), by=request.user)
        return Response(ReviewPlanSerializer(plan).data)

    @extend_schema(responses={200: ResultsSerializer})
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        plan = self.get_object()
        if not selectors.results_visible_to(request.user, plan):
            raise NotFound()
        return Response(ResultsSerializer({"agencies": selectors.results_by_agency(plan),
                                           "items": selectors.results_by_item(plan)}).data)


class DeductionSerializer(ModelSerializer):
    class Meta:
        model = ScoreDeduction
        fields = ["item", "points", "comment"]


class VetoSerializer(ModelSerializer):
    class Meta:
        model = ScoreVeto
        fields = ["veto", "comment"]


class ScoreSerializer(ModelSerializer):
    case = serializers.IntegerField(source="assignment.sampled.case_id", read_only=True)
    plan = serializers.IntegerField(source="assignment.sampled.plan_id", read_only=True)
    deductions = DeductionSerializer(many=True, required=False)
    vetoes = VetoSerializer(many=True, required=False)

    class Meta:
        model = Score
        fields = ["id", "plan", "case", "status", "total", "vetoed", "grade", "comment", "saved_at", "submitted_at",
                  "deductions", "vetoes"]
        read_only_fields = ["id", "plan", "case", "status", "total", "vetoed", "grade", "saved_at", "submitted_at"]


class ScoreReopenSerializer(Serializer):
    reason = serializers.CharField()


class ScoreViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """A reviewer's own scores, and those of the plans they lead."""

    serializer_class = ScoreSerializer
    queryset = Score.objects.none()  # the schema's model; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Score.objects.none()
        return (selectors.scores_visible_to(self.request.user).select_related("assignment__sampled")
                .prefetch_related("deductions", "vetoes").order_by("pk"))

    @extend_schema(request=ScoreSerializer, responses={200: ScoreSerializer})
    def update(self, request, pk=None):
        score = self.get_object()
        data = ScoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        scoring.score_save(
            score, by=request.user, comment=v.get("comment", ""),
            deductions={d["item"].pk: (d["points"], d.get("comment", "")) for d in v.get("deductions", [])},
            vetoes={d["veto"].pk: d.get("comment", "") for d in v.get("vetoes", [])},
        )
        return Response(ScoreSerializer(self.get_queryset().get(pk=score.pk)).data)

    @extend_schema(request=None, responses={200: ScoreSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        score = scoring.score_submit(self.get_object(), by=request.user)
        return Response(ScoreSerializer(self.get_queryset().get(pk=score.pk)).data)

    @extend_schema(request=ScoreReopenSerializer, responses={200: ScoreSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        score = scoring.score_reopen(self.get_object(), by=request.user, reason=str(request.data.get("reason", "")))
        return Response(ScoreSerializer(self.get_queryset().get(pk=score.pk)).data)


class RectificationItemSerializer(ModelSerializer):
    class Meta:
        model = RectificationItem
        fields = ["id", "order", "text", "status", "answer", "answered_at", "check_note"]
        read_only_fields = fields


class RectificationSerializer(ModelSerializer):
    agency = serializers.CharField(source="agency.name", read_only=True)
    items = RectificationItemSerializer(many=True, read_only=True)

    class Meta:
        model = Rectification
        fields = ["id", "number", "plan", "agency", "reason", "status", "issued_at", "due_at", "warning_level",
                  "items"]
        read_only_fields = fields


class AnswerSerializer(Serializer):
    item = serializers.IntegerField()
    answer = serializers.CharField()


class DecisionSerializer(Serializer):
    item = serializers.IntegerField()
    accept = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CheckSerializer(Serializer):
    decisions = DecisionSerializer(many=True)


class RectificationViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Rectification.objects.select_related("agency").prefetch_related("items").order_by("-issued_at", "-id")
    serializer_class = RectificationSerializer

    def _fresh(self, notice):
        return Response(RectificationSerializer(self.get_queryset().get(pk=notice.pk)).data)

    @extend_schema(request=AnswerSerializer, responses={200: RectificationSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        notice = self.get_object()
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = notice.items.filter(pk=data.validated_data["item"]).first()
        if item is None:
            raise NotFound()
        rect_svc.item_answer(item, by=request.user, answer=data.validated_data["answer"])
        return self._fresh(notice)

    @extend_schema(request=None, responses={200: RectificationSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._fresh(rect_svc.rectification_submit(self.get_object(), by=request.user))

    @extend_schema(request=CheckSerializer, responses={200: RectificationSerializer})
    @action(detail=True, methods=["post"], url_path="check")
    def check_answers(self, request, pk=None):
        data = CheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decisions = {d["item"]: (d["accept"], d["note"]) for d in data.validated_data["decisions"]}
        return self._fresh(rect_svc.rectification_check(self.get_object(), by=request.user, decisions=decisions))


def register(router) -> None:
    router.register("review-plans", ReviewPlanViewSet, basename="review-plan")
    router.register("review-scores", ScoreViewSet, basename="review-score")
    router.register("rectifications", RectificationViewSet, basename="rectification")
    evaluation_api.register(router)
    disclosure_api.register(router)


extra_urls: list = []
