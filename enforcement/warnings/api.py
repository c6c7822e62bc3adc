"""REST API of warnings: the same scope, services, forms and action table as the pages.

* ``/api/warnings/``: warnings in the user's scope (lists in constant queries); ``POST`` issues one
  (JSON or multipart for a commitment with its signed file).
* ``POST /api/warnings/{id}/actions/{key}/``: one action of :data:`enforcement.warnings.actions.WARNING_ACTIONS`
  (``correct``, ``to_case``), validated by the page's form.
* ``GET /api/warnings/statistics/?year=``: self-correction rate per agency, matter and month.
* A warning from an inspection record: ``POST /api/inspections/records/{id}/actions/warning/``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enforcement.api_base import ScopedQuerysetMixin, year_param
from enforcement.cases.choices import PartyKind
from enforcement.cases.privacy import mask_id_number, mask_phone
from enforcement.catalogue.models import Matter
from enforcement.errors import NotFound, PermissionRefused, ValidationFailed
from enforcement.inspections.models import InspectionObject
from enforcement.models.agencies import Agency
from enforcement.serializers import ModelSerializer, Serializer
from enforcement.warnings import selectors, services
from enforcement.warnings.actions import WARNING_ACTIONS
from enforcement.warnings.choices import WarningKind
from enforcement.warnings.models import WarningNotice

TAG = "预警执法"


class WarningSerializer(ModelSerializer):
    agency = serializers.CharField(source="agency.name")
    matter = serializers.CharField(source="matter.code")
    matter_name = serializers.CharField(source="matter.name")
    case = serializers.CharField(source="case.number", default=None, allow_null=True)
    party_id_number = serializers.SerializerMethodField()
    party_phone = serializers.SerializerMethodField()
    officers = serializers.SerializerMethodField()

    class Meta:
        model = WarningNotice
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "agency_id",
            "agency",
            "township_id",
            "matter_id",
            "matter",
            "matter_name",
            "object_id",
            "record_id",
            "party_kind",
            "party_name",
            "party_id_number",
            "party_phone",
            "facts",
            "issued_on",
            "correction_workdays",
            "correction_due_at",
            "due_provisional",
            "warning_level",
            "rechecked_on",
            "recheck_note",
            "case_id",
            "case",
            "officers",
        ]

    def get_party_id_number(self, w: WarningNotice) -> str:
        return mask_id_number(w.party_id_number) if w.party_kind == PartyKind.INDIVIDUAL else w.party_id_number

    def get_party_phone(self, w: WarningNotice) -> str:
        return mask_phone(w.party_phone)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_officers(self, w: WarningNotice) -> list[int]:
        return [u.pk for u in w.officers.all()]


class WarningDetailSerializer(WarningSerializer):
    actions = serializers.SerializerMethodField()

    class Meta(WarningSerializer.Meta):
        fields = [
            *WarningSerializer.Meta.fields,
            "conditions_confirmed",
            "commitment_text",
            "commitment_sha256",
            "actions",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, w: WarningNotice) -> list[str]:
        return WARNING_ACTIONS.available(w, self.context["request"].user)


class WarningCreateSerializer(Serializer):
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    matter = serializers.PrimaryKeyRelatedField(queryset=Matter.objects.all())
    object = serializers.IntegerField(required=False, allow_null=True)
    party_kind = serializers.ChoiceField(choices=PartyKind.choices, required=False)
    party_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    party_id_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    party_address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    party_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    party_legal_rep = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    officers = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True), many=True)
    facts = serializers.CharField()
    conditions = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    kind = serializers.ChoiceField(choices=WarningKind.choices, default=WarningKind.NOTICE)
    issued_on = serializers.DateField(required=False, allow_null=True)
    commitment_text = serializers.CharField(required=False, allow_blank=True, default="")
    commitment_file = serializers.FileField(required=False, allow_null=True)


class WarningViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Warnings (预警、责令改正) in the user's scope."""

    queryset = (
        WarningNotice.objects.select_related("agency", "matter", "case")
        .prefetch_related(Prefetch("officers"))
        .order_by("-issued_on", "-pk")
    )
    serializer_class = WarningSerializer
    search_fields = ["number", "party_name"]
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]

    def get_serializer_class(self):
        return WarningSerializer if self.action == "list" else WarningDetailSerializer

    def _detail(self, pk: int) -> dict:
        fresh = self.get_queryset().get(pk=pk)
        return WarningDetailSerializer(fresh, context=self.get_serializer_context()).data

    @extend_schema(summary=_lazy("预警列表"), tags=[TAG])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary=_lazy("预警"), tags=[TAG])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary=_lazy("出具预警"), tags=[TAG], request=WarningCreateSerializer, responses={201: WarningDetailSerializer}
    )
    def create(self, request):
        data = WarningCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        if v.get("object"):
            obj = InspectionObject.objects.visible_to(request.user).filter(pk=v["object"]).first()
            if obj is None:
                raise NotFound(_("检查对象不存在，或不在您的查看范围内。"))
            party = services.Party.of(obj, v["party_legal_rep"])
        else:
            if not v.get("party_kind"):
                raise ValidationFailed(_("请选择当事人类型。"), field="party_kind")
            party = services.Party(
                kind=v["party_kind"],
                name=v["party_name"],
                id_number=v["party_id_number"],
                address=v["party_address"],
                phone=v["party_phone"],
                legal_rep=v["party_legal_rep"],
            )
        warning = services.warning_issue(
            by=request.user,
            agency=v["agency"],
            matter=v["matter"],
            party=party,
            officers=v["officers"],
            facts=v["facts"],
            conditions=v["conditions"],
            kind=v["kind"],
            issued_on=v.get("issued_on"),
            commitment_text=v["commitment_text"],
            commitment_file=v.get("commitment_file"),
        )
        return Response(self._detail(warning.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_lazy("复查预警"),
        tags=[TAG],
        request=OpenApiTypes.OBJECT,
        responses={200: WarningDetailSerializer},
        parameters=[OpenApiParameter("key", str, OpenApiParameter.PATH)],
        description="Run one action of the warning: correct (closed as self-corrected) or to_case (not corrected "
        "after the deadline: a case lead with the history). The body has the fields of the action's "
        "form: on (date), note, and for to_case title and party_legal_rep.",
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<key>[a-z_]+)")
    def act(self, request, pk=None, key: str = ""):
        if key not in WARNING_ACTIONS:
            raise NotFound(_("未知的操作“%(key)s”。") % {"key": key})
        warning = self.get_object()
        if key not in WARNING_ACTIONS.available(warning, request.user):
            raise ValidationFailed(
                _("该预警当前不能“%(action)s”。") % {"action": WARNING_ACTIONS[key].label}, code="action_not_available"
            )
        data = WARNING_ACTIONS.validate(key, warning, request.user, request.data)
        WARNING_ACTIONS.perform(key, warning, by=request.user, data=data)
        return Response(self._detail(warning.pk))


class WarningStatisticsView(APIView):
    """Self-correction rate per agency, matter and month of a year, in the user's scope."""

    @extend_schema(
        summary=_lazy("预警执法统计"),
        tags=[TAG],
        responses={200: OpenApiTypes.OBJECT},
        parameters=[OpenApiParameter("year", int, OpenApiParameter.QUERY)],
    )
    def get(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise PermissionRefused(_("请先登录。"))
        year = year_param(request)
        data = selectors.statistics(request.user, year)

        def rows(group):
            return [{"key": r.key, "label": r.label, **r.as_dict()} for r in group]

        return Response(
            {
                "year": year,
                "total": data["total"].as_dict(),
                "agencies": rows(data["agencies"]),
                "matters": rows(data["matters"]),
                "months": rows(data["months"]),
            }
        )


def register(router) -> None:
    router.register("warnings", WarningViewSet, basename="warning")


extra_urls: list = [
    path("warnings/statistics/", WarningStatisticsView.as_view(), name="api-warning-statistics"),
]
