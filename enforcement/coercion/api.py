"""REST API of coercive measures and enforcements: the same scope, masking and actions as the pages.

* ``GET /api/coercive-measures/`` and ``/{id}/``: measures in the user's scope
  (out of scope: 404), the party masked for readers without a need, and
  ``actions`` open to the user now.
* ``POST /api/coercive-measures/``: register a measure with its list of items.
* ``POST /api/coercive-measures/{id}/actions/{action}/``: ``approve``,
  ``enforce``, ``extend``, ``release``, ``convert`` (body: the action form's
  fields; officers by id). Refusals are ``{code, message, fields}``, the
  code being the key of the legal rule and the message citing its article.
* The same for ``/api/enforcements/`` (``remind``, ``apply``, ``court_ruling``,
  ``conclude``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from enforcement.api_base import ScopedQuerysetMixin
from enforcement.cases.models import Case, PartyKind
from enforcement.coercion import selectors
from enforcement.coercion import services as svc
from enforcement.coercion.actions import EXECUTION_ACTIONS, MEASURE_ACTIONS
from enforcement.coercion.choices import ExecutionStatus, MeasureKind, MeasureObject, MeasureStatus, WarningLevel
from enforcement.coercion.models import CoerciveMeasure, Execution, SeizedItem
from enforcement.errors import NotFound
from enforcement.models.agencies import Agency
from enforcement.serializers import ModelSerializer, Serializer


def _codes(choices) -> str:
    return "; ".join(f"{value} = {label}" for value, label in choices)


class CoercionAgencySerializer(ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "name"]


class CoercionPartySerializer(Serializer):
    kind = serializers.CharField()
    name = serializers.CharField()
    id_number = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()
    masked = serializers.BooleanField()


class SeizedItemSerializer(ModelSerializer):
    class Meta:
        model = SeizedItem
        fields = [
            "id",
            "name",
            "specification",
            "quantity",
            "unit",
            "custody_place",
            "keeper",
            "returned_on",
            "returned_to",
        ]


class _PartyMixin:
    @extend_schema_field(CoercionPartySerializer)
    def get_party(self, obj) -> dict:
        return selectors.party(self.context["request"].user, obj)


class MeasureListSerializer(_PartyMixin, ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=_codes(MeasureStatus.choices))
    kind = serializers.CharField(read_only=True, help_text=_codes(MeasureKind.choices))
    object_kind = serializers.CharField(read_only=True, help_text=_codes(MeasureObject.choices))
    agency = CoercionAgencySerializer(read_only=True)
    party = serializers.SerializerMethodField()

    class Meta:
        model = CoerciveMeasure
        fields = [
            "id",
            "number",
            "decision_number",
            "kind",
            "object_kind",
            "status",
            "agency",
            "party",
            "place",
            "is_emergency",
            "taken_at",
            "decided_on",
            "period_days",
            "ends_at",
            "extension_days",
            "released_on",
            "converted_on",
            "warning_level",
            "warning_key",
            "warning_due_at",
        ]


class MeasureDetailSerializer(MeasureListSerializer):
    items = SeizedItemSerializer(many=True, read_only=True)
    officers = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(MeasureListSerializer.Meta):
        fields = [
            *MeasureListSerializer.Meta.fields,
            "case",
            "reasons",
            "legal_basis",
            "onsite_record",
            "signature",
            "witness",
            "approval_due_at",
            "approved_at",
            "extended_on",
            "extension_reason",
            "release_reason",
            "release_note",
            "conversion",
            "conversion_note",
            "items",
            "officers",
            "actions",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_officers(self, measure) -> list[str]:
        return [mo.officer.get_full_name() or mo.officer.get_username() for mo in measure.measure_officers.all()]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=MEASURE_ACTIONS.keys())))
    def get_actions(self, measure) -> list[str]:
        return MEASURE_ACTIONS.available(measure, self.context["request"].user)


class ItemInputSerializer(Serializer):
    name = serializers.CharField(max_length=200)
    specification = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, default=1)
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    custody_place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    keeper = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class MeasureCreateSerializer(Serializer):
    agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all(), help_text="实施机关代码")
    case = serializers.PrimaryKeyRelatedField(
        queryset=Case.objects.all(), required=False, allow_null=True, default=None
    )
    kind = serializers.ChoiceField(choices=MeasureKind.choices)
    object_kind = serializers.ChoiceField(choices=MeasureObject.choices, default=MeasureObject.PROPERTY)
    is_emergency = serializers.BooleanField(required=False, default=False)
    party_kind = serializers.ChoiceField(choices=PartyKind.choices)
    party_name = serializers.CharField(max_length=200)
    party_id_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    party_address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    party_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    reasons = serializers.CharField()
    legal_basis = serializers.CharField()
    place = serializers.CharField(max_length=300)
    period_days = serializers.IntegerField(min_value=1)
    items = ItemInputSerializer(many=True)


class ExecutionSerializer(_PartyMixin, ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=_codes(ExecutionStatus.choices))
    agency = CoercionAgencySerializer(read_only=True)
    party = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Execution
        fields = [
            "id",
            "number",
            "status",
            "agency",
            "case",
            "decision_number",
            "decision_served_on",
            "obligation",
            "party",
            "reminder_number",
            "reminder_issued_on",
            "reminder_served_on",
            "perform_by",
            "court_earliest_at",
            "window_opens_on",
            "window_ends_at",
            "court_applied_on",
            "court_name",
            "court_reference",
            "court_outcome",
            "court_decided_on",
            "concluded_on",
            "conclusion",
            "warning_level",
            "warning_key",
            "warning_due_at",
            "actions",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=EXECUTION_ACTIONS.keys())))
    def get_actions(self, execution) -> list[str]:
        return EXECUTION_ACTIONS.available(execution, self.context["request"].user)


class ExecutionCreateSerializer(Serializer):
    agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all(), help_text="申请机关代码")
    case = serializers.PrimaryKeyRelatedField(
        queryset=Case.objects.all(), required=False, allow_null=True, default=None
    )
    obligation = serializers.CharField()
    decision_number = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    decision_served_on = serializers.DateField(required=False, allow_null=True, default=None)
    party_kind = serializers.ChoiceField(choices=PartyKind.choices, required=False, allow_blank=True, default="")
    party_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    party_id_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    party_address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


def _visible_case(user, case):
    if case is not None and not Case.objects.visible_to(user).filter(pk=case.pk).exists():
        raise NotFound()
    return case


class _ActionMixin:
    table = None

    def _run(self, request, name: str):
        if name not in self.table:
            raise NotFound(_("未知的操作“%(action)s”。") % {"action": name})
        obj = self.get_object()
        data = self.table.validate(name, obj, request.user, request.data)
        self.table.perform(name, obj, by=request.user, data=data)
        return Response(
            self.get_serializer_class()(self.get_queryset().get(pk=obj.pk), context=self.get_serializer_context()).data
        )


_MEASURE_FILTERS = [
    OpenApiParameter("status", str, enum=MeasureStatus.values),
    OpenApiParameter("kind", str, enum=MeasureKind.values),
    OpenApiParameter("warning_level", str, enum=WarningLevel.values),
]


class CoerciveMeasureViewSet(
    _ActionMixin, ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Coercive measures (sealing, seizure) in the user's scope."""

    queryset = CoerciveMeasure.objects.select_related(*selectors.MEASURE_RELATED).order_by("-created_at", "-id")
    table = MEASURE_ACTIONS

    def get_queryset(self):
        qs = super().get_queryset()
        params = self.request.query_params
        for name in ("status", "kind", "warning_level"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        if self.action != "list":
            qs = qs.prefetch_related("items", "measure_officers__officer")
        return qs

    def get_serializer_class(self):
        return MeasureListSerializer if self.action == "list" else MeasureDetailSerializer

    @extend_schema(summary=_lazy("行政强制措施列表"), parameters=_MEASURE_FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary=_lazy("行政强制措施详情"))
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary=_lazy("登记查封、扣押"), request=MeasureCreateSerializer, responses={201: MeasureDetailSerializer}
    )
    def create(self, request):
        data = MeasureCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["case"] = _visible_case(request.user, values.get("case"))
        values["items"] = [dict(i) for i in values["items"]]
        measure = svc.measure_create(by=request.user, **values)
        return Response(
            MeasureDetailSerializer(self.get_queryset().get(pk=measure.pk), context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary=_lazy("办理行政强制措施"),
        request=OpenApiTypes.OBJECT,
        responses={200: MeasureDetailSerializer},
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=sorted(MEASURE_ACTIONS.keys()))],
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_]+)")
    def act(self, request, pk=None, name: str = ""):
        return self._run(request, name)


class EnforcementViewSet(
    _ActionMixin, ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Enforcements of decisions by application to the court, in the user's scope."""

    queryset = Execution.objects.select_related(*selectors.EXECUTION_RELATED).order_by("-created_at", "-id")
    serializer_class = ExecutionSerializer
    table = EXECUTION_ACTIONS

    @extend_schema(
        summary=_lazy("申请法院强制执行列表"), parameters=[OpenApiParameter("status", str, enum=ExecutionStatus.values)]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = super().get_queryset()
        if self.request.query_params.get("status"):
            qs = qs.filter(status=self.request.query_params["status"])
        return qs

    @extend_schema(summary=_lazy("强制执行详情"))
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary=_lazy("登记强制执行"), request=ExecutionCreateSerializer, responses={201: ExecutionSerializer}
    )
    def create(self, request):
        data = ExecutionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["case"] = _visible_case(request.user, values.get("case"))
        execution = svc.execution_create(by=request.user, **values)
        return Response(
            ExecutionSerializer(execution, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary=_lazy("办理强制执行"),
        request=OpenApiTypes.OBJECT,
        responses={200: ExecutionSerializer},
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=sorted(EXECUTION_ACTIONS.keys()))],
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_]+)")
    def act(self, request, pk=None, name: str = ""):
        return self._run(request, name)


def register(router) -> None:
    router.register("coercive-measures", CoerciveMeasureViewSet, basename="coercive-measure")
    router.register("enforcements", EnforcementViewSet, basename="enforcement")


extra_urls: list = []
