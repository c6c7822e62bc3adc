"""REST API of inspections: the same scope, services and record actions as the pages.

* ``/api/inspections/objects/``: the object directory (individuals' ID numbers masked for readers
  who do not keep the directory); ``POST`` registers one, ``POST .../import/`` a spreadsheet.
* ``/api/inspections/plans/``: spot-check plans with their tasks; ``POST .../{id}/actions/{step}/``
  with ``draw``, ``start``, ``reopen`` or ``publish``.
* ``/api/inspections/records/``: inspection records; ``POST`` records one (findings as a list of
  ``{matter, agency, result, description}``); ``POST .../{id}/actions/{key}/`` runs one action of
  :data:`enforcement.inspections.actions.RECORD_ACTIONS`; ``POST .../{id}/attachments/`` uploads.
* ``/api/inspections/visits/``: joint visits.
* ``GET /api/inspections/statistics/?year=``: per-agency figures of the year.
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
from enforcement.cases.privacy import mask_id_number, mask_phone
from enforcement.catalogue.models import Matter
from enforcement.errors import NotFound, ValidationFailed
from enforcement.inspections import permissions as perms
from enforcement.inspections import selectors, services
from enforcement.inspections.actions import RECORD_ACTIONS
from enforcement.inspections.choices import FindingResult, ObjectKind, Outcome, SignatureStatus
from enforcement.inspections.importer import import_objects
from enforcement.inspections.models import (
    CheckPlan,
    InspectionObject,
    InspectionRecord,
    InspectionTask,
    JointScenario,
    JointVisit,
    RecordOfficer,
)
from enforcement.models.agencies import Agency
from enforcement.serializers import ModelSerializer, Serializer

TAG = "行政检查"


def _codes(choices) -> str:
    return "; ".join(f"{value} = {label}" for value, label in choices)


class InspAgencyRefSerializer(ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "name"]


class InspMatterRefSerializer(ModelSerializer):
    class Meta:
        model = Matter
        fields = ["id", "code", "name"]


# --- objects -------------------------------------------------------------------------------------


class InspObjectSerializer(ModelSerializer):
    township = InspAgencyRefSerializer(read_only=True)
    matters = InspMatterRefSerializer(many=True, read_only=True)
    identifier = serializers.SerializerMethodField()
    contact_phone = serializers.SerializerMethodField()

    class Meta:
        model = InspectionObject
        fields = [
            "id",
            "kind",
            "name",
            "identifier",
            "address",
            "township",
            "grid",
            "matters",
            "risk_level",
            "credit_level",
            "contact_name",
            "contact_phone",
            "is_active",
            "closed_on",
        ]

    def _full(self) -> bool:
        return bool(self.context.get("full"))

    def get_identifier(self, obj: InspectionObject) -> str:
        return obj.identifier if self._full() or not obj.is_individual else mask_id_number(obj.identifier)

    def get_contact_phone(self, obj: InspectionObject) -> str:
        return obj.contact_phone if self._full() else mask_phone(obj.contact_phone)


class InspObjectCreateSerializer(Serializer):
    kind = serializers.ChoiceField(choices=ObjectKind.choices)
    name = serializers.CharField(max_length=200)
    identifier = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    township = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.townships())
    risk_level = serializers.CharField(required=False, default="low")
    credit_level = serializers.CharField(required=False, default="B")
    matters = serializers.PrimaryKeyRelatedField(queryset=Matter.objects.all(), many=True, required=False, default=list)


class InspImportSerializer(Serializer):
    file = serializers.FileField()


class ObjectViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The inspection object directory in the user's scope."""

    queryset = InspectionObject.objects.select_related("township").prefetch_related("matters").order_by("pk")
    serializer_class = InspObjectSerializer
    search_fields = ["name", "identifier", "address"]
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["full"] = perms.can_edit_objects(self.request.user)
        return context

    @extend_schema(summary=_lazy("检查对象名录"), tags=[TAG])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary=_lazy("检查对象"), tags=[TAG])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary=_lazy("登记检查对象"),
        tags=[TAG],
        request=InspObjectCreateSerializer,
        responses={201: InspObjectSerializer},
    )
    def create(self, request):
        data = InspObjectCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        obj = services.object_create(by=request.user, matters=values.pop("matters"), **values)
        return Response(
            InspObjectSerializer(obj, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary=_lazy("导入检查对象"),
        tags=[TAG],
        request={"multipart/form-data": InspImportSerializer},
        responses={201: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_file(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(_("请上传文件。"), field="file")
        report = import_objects(upload, by=request.user)
        if not report.ok:
            raise ValidationFailed(
                "；".join(str(e) for e in report.errors[:20]),
                fields={"file": [str(e) for e in report.errors]},
                code="import_rejected",
            )
        return Response({"created": report.created, "updated": report.updated}, status=status.HTTP_201_CREATED)


# --- plans ---------------------------------------------------------------------------------------


class InspTaskSerializer(ModelSerializer):
    object = serializers.CharField(source="object.name")
    officers = serializers.SerializerMethodField()

    class Meta:
        model = InspectionTask
        fields = ["id", "position", "object_id", "object", "officers", "due_date", "status", "outcome", "checked_on"]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_officers(self, task: InspectionTask) -> list[int]:
        return [o.officer_id for o in task.task_officers.all()]


class InspPlanSerializer(ModelSerializer):
    lead_agency = InspAgencyRefSerializer(read_only=True)
    status = serializers.CharField(
        help_text=_codes(
            [("draft", "草拟"), ("drawn", "已抽取"), ("in_progress", "检查中"), ("published", "结果已公示")]
        )
    )

    class Meta:
        model = CheckPlan
        fields = [
            "id",
            "number",
            "title",
            "status",
            "lead_agency",
            "period_start",
            "period_end",
            "sample_count",
            "sample_share",
            "priority_share",
            "officers_per_object",
            "seed",
            "digest",
            "publish_within_workdays",
            "publish_due",
            "published_at",
        ]


class InspPlanDetailSerializer(InspPlanSerializer):
    tasks = serializers.SerializerMethodField()
    agencies = InspAgencyRefSerializer(many=True, read_only=True)
    matters = InspMatterRefSerializer(many=True, read_only=True)

    class Meta(InspPlanSerializer.Meta):
        fields = [*InspPlanSerializer.Meta.fields, "agencies", "matters", "tasks"]

    @extend_schema_field(InspTaskSerializer(many=True))
    def get_tasks(self, plan: CheckPlan) -> list:
        return InspTaskSerializer(selectors.plan_tasks(plan), many=True).data


class InspPlanCreateSerializer(Serializer):
    title = serializers.CharField(max_length=200)
    lead_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    agencies = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), many=True, required=False, default=list
    )
    matters = serializers.PrimaryKeyRelatedField(queryset=Matter.objects.all(), many=True)
    townships = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.townships(), many=True, required=False, default=list
    )
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    sample_count = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    sample_share = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    priority_share = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    officers_per_object = serializers.IntegerField(required=False, default=2)
    seed = serializers.IntegerField(required=False, min_value=1)
    publish_within_workdays = serializers.IntegerField(required=False, default=20, min_value=1)


PLAN_STEPS = {
    "draw": services.plan_draw,
    "start": services.plan_start,
    "reopen": services.plan_reopen,
    "publish": services.plan_publish,
}


class PlanViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Double-random spot-check plans in the user's scope."""

    queryset = CheckPlan.objects.select_related("lead_agency").order_by("-period_start", "-pk")
    serializer_class = InspPlanSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            qs = qs.prefetch_related("agencies", "matters")
        return qs

    def get_serializer_class(self):
        return InspPlanSerializer if self.action == "list" else InspPlanDetailSerializer

    @extend_schema(summary=_lazy("抽查计划列表"), tags=[TAG])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary=_lazy("抽查计划"), tags=[TAG])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary=_lazy("新建抽查计划"),
        tags=[TAG],
        request=InspPlanCreateSerializer,
        responses={201: InspPlanDetailSerializer},
    )
    def create(self, request):
        data = InspPlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if v is not None}
        plan = services.plan_create(
            by=request.user,
            lead_agency=values.pop("lead_agency"),
            matters=values.pop("matters"),
            agencies=values.pop("agencies"),
            townships=values.pop("townships"),
            **values,
        )
        return Response(InspPlanDetailSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_lazy("抽查计划操作"),
        tags=[TAG],
        request=None,
        responses={200: InspPlanDetailSerializer},
        parameters=[OpenApiParameter("step", str, OpenApiParameter.PATH, enum=sorted(PLAN_STEPS))],
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<step>[a-z_]+)")
    def act(self, request, pk=None, step: str = ""):
        if step not in PLAN_STEPS:
            raise NotFound(_("未知的操作“%(step)s”。") % {"step": step})
        plan = PLAN_STEPS[step](self.get_object(), by=request.user)
        return Response(InspPlanDetailSerializer(CheckPlan.objects.get(pk=plan.pk)).data)


# --- records -------------------------------------------------------------------------------------


class InspRecordSerializer(ModelSerializer):
    object = serializers.CharField(source="object.name")
    agency = InspAgencyRefSerializer(read_only=True)
    officers = serializers.SerializerMethodField()
    outcome = serializers.CharField(help_text=_codes(Outcome.choices))

    class Meta:
        model = InspectionRecord
        fields = [
            "id",
            "number",
            "status",
            "object_id",
            "object",
            "agency",
            "township_id",
            "task_id",
            "joint_visit_id",
            "place",
            "started_at",
            "ended_at",
            "checked_on",
            "officers",
            "signature_status",
            "outcome",
            "disposition",
            "case_id",
            "ticket_id",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_officers(self, record: InspectionRecord) -> list[int]:
        return [o.officer_id for o in record.record_officers.all()]


class InspFindingSerializer(Serializer):
    matter = serializers.PrimaryKeyRelatedField(queryset=Matter.objects.all())
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False, allow_null=True)
    result = serializers.ChoiceField(choices=FindingResult.choices, default=FindingResult.OK)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class InspRecordDetailSerializer(InspRecordSerializer):
    findings = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(InspRecordSerializer.Meta):
        fields = [
            *InspRecordSerializer.Meta.fields,
            "facts",
            "present_person",
            "signature_note",
            "findings",
            "attachments",
            "actions",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_findings(self, record: InspectionRecord) -> list[dict]:
        return [
            {"matter": f.matter.code, "agency": f.agency_id, "result": f.result, "description": f.description}
            for f in record.findings.select_related("matter")
        ]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_attachments(self, record: InspectionRecord) -> list[dict]:
        return [{"id": a.pk, "name": a.name, "sha256": a.sha256, "size": a.size} for a in record.attachments.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, record: InspectionRecord) -> list[str]:
        return RECORD_ACTIONS.available(record, self.context["request"].user)


class InspRecordCreateSerializer(Serializer):
    object = serializers.PrimaryKeyRelatedField(queryset=InspectionObject.objects.all())
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    officers = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True), many=True)
    findings = InspFindingSerializer(many=True)
    place = serializers.CharField(max_length=300)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(required=False, allow_null=True)
    signature_status = serializers.ChoiceField(choices=SignatureStatus.choices)
    signature_note = serializers.CharField(required=False, allow_blank=True, default="")
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    facts = serializers.CharField(required=False, allow_blank=True, default="")
    present_person = serializers.CharField(required=False, allow_blank=True, default="")
    task = serializers.IntegerField(required=False, allow_null=True)
    joint_visit = serializers.IntegerField(required=False, allow_null=True)


class InspAttachmentSerializer(Serializer):
    file = serializers.FileField()
    description = serializers.CharField(required=False, allow_blank=True, default="")


class RecordViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Inspection records in the user's scope."""

    queryset = (
        InspectionRecord.objects.select_related("object", "agency")
        .prefetch_related(Prefetch("record_officers", queryset=RecordOfficer.objects.order_by("ordinal")))
        .order_by("-checked_on", "-pk")
    )
    serializer_class = InspRecordSerializer
    search_fields = ["number", "object__name"]
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]

    def get_serializer_class(self):
        return InspRecordSerializer if self.action == "list" else InspRecordDetailSerializer

    def _detail(self, record: InspectionRecord) -> dict:
        fresh = self.get_queryset().filter(pk=record.pk).first() or record
        return InspRecordDetailSerializer(fresh, context=self.get_serializer_context()).data

    @extend_schema(summary=_lazy("检查记录列表"), tags=[TAG])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary=_lazy("检查记录"), tags=[TAG])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary=_lazy("记录检查"),
        tags=[TAG],
        request=InspRecordCreateSerializer,
        responses={201: InspRecordDetailSerializer},
    )
    def create(self, request):
        data = InspRecordCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        user = request.user
        obj = selectors.object_get_for_user(user, v.pop("object").pk)
        task_id, visit_id = v.pop("task", None), v.pop("joint_visit", None)
        task = selectors.task_get_for_user(user, task_id) if task_id else None
        visit = selectors.visit_get_for_user(user, visit_id) if visit_id else None
        agency = v.pop("agency")
        findings = [
            services.FindingInput(
                matter=f["matter"], agency=f.get("agency") or agency, result=f["result"], description=f["description"]
            )
            for f in v.pop("findings")
        ]
        record = services.record_create(
            by=user,
            object=obj,
            agency=agency,
            officers=v.pop("officers"),
            findings=findings,
            task=task,
            joint_visit=visit,
            **v,
        )
        return Response(self._detail(record), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_lazy("处理检查记录"),
        tags=[TAG],
        request=OpenApiTypes.OBJECT,
        responses={200: InspRecordDetailSerializer},
        parameters=[OpenApiParameter("step", str, OpenApiParameter.PATH)],
        description="Run one action of the record (no_problem, case_lead, and those other packages register: "
        "warning, ticket). The body has the fields of the action's form.",
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<step>[a-z_]+)")
    def act(self, request, pk=None, step: str = ""):
        key = step
        if key not in RECORD_ACTIONS:
            raise NotFound(_("未知的处理方式“%(key)s”。") % {"key": key})
        record = self.get_object()
        if key not in RECORD_ACTIONS.available(record, request.user):
            raise ValidationFailed(
                _("该检查记录当前不能“%(action)s”。") % {"action": RECORD_ACTIONS[key].label},
                code="action_not_available",
            )
        data = RECORD_ACTIONS.validate(key, record, request.user, request.data, request.FILES)
        RECORD_ACTIONS.perform(key, record, by=request.user, data=data)
        return Response(self._detail(record))

    @extend_schema(
        summary=_lazy("上传检查附件"),
        tags=[TAG],
        request={"multipart/form-data": InspAttachmentSerializer},
        responses={201: InspRecordDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="attachments")
    def attachments(self, request, pk=None):
        record = self.get_object()
        data = InspAttachmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.attachment_add(
            record, by=request.user, file=data.validated_data["file"], description=data.validated_data["description"]
        )
        return Response(self._detail(record), status=status.HTTP_201_CREATED)


# --- joint visits --------------------------------------------------------------------------------


class InspVisitSerializer(ModelSerializer):
    object = serializers.CharField(source="object.name")
    agencies = InspAgencyRefSerializer(many=True, read_only=True)
    visits_saved = serializers.IntegerField(read_only=True)

    class Meta:
        model = JointVisit
        fields = [
            "id",
            "number",
            "object_id",
            "object",
            "scenario_id",
            "lead_agency_id",
            "agencies",
            "planned_on",
            "status",
            "agency_count",
            "visits_saved",
        ]


class InspVisitCreateSerializer(Serializer):
    object = serializers.PrimaryKeyRelatedField(queryset=InspectionObject.objects.all())
    lead_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    agencies = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), many=True)
    planned_on = serializers.DateField()
    scenario = serializers.IntegerField(required=False, allow_null=True)


class VisitViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Joint "inspect once" visits in the user's scope."""

    queryset = JointVisit.objects.select_related("object").prefetch_related("agencies").order_by("-planned_on", "-pk")
    serializer_class = InspVisitSerializer

    @extend_schema(summary=_lazy("联合检查列表"), tags=[TAG])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary=_lazy("联合检查"), tags=[TAG])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary=_lazy("安排联合检查"),
        tags=[TAG],
        request=InspVisitCreateSerializer,
        responses={201: InspVisitSerializer},
    )
    def create(self, request):
        data = InspVisitCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        obj = selectors.object_get_for_user(request.user, v.pop("object").pk)
        scenario_id = v.pop("scenario", None)
        scenario = JointScenario.objects.filter(pk=scenario_id).first() if scenario_id else None
        visit = services.joint_visit_create(by=request.user, object=obj, scenario=scenario, **v)
        return Response(InspVisitSerializer(visit).data, status=status.HTTP_201_CREATED)


class StatisticsView(APIView):
    """Per-agency inspection figures of a year, in the user's scope."""

    @extend_schema(
        summary=_lazy("行政检查统计"),
        tags=[TAG],
        responses={200: OpenApiTypes.OBJECT},
        parameters=[OpenApiParameter("year", int, OpenApiParameter.QUERY)],
    )
    def get(self, request: Request) -> Response:
        from enforcement.errors import PermissionRefused

        if not request.user.is_authenticated:
            raise PermissionRefused(_("请先登录。"))
        year = year_param(request)
        data = selectors.statistics(request.user, year)
        return Response(
            {
                "year": year,
                "totals": data["totals"],
                "agencies": [{**f.as_dict(), "months": f.months, "outcomes": f.outcomes} for f in data["agencies"]],
            }
        )


def register(router) -> None:
    router.register("inspections/objects", ObjectViewSet, basename="inspection-object")
    router.register("inspections/plans", PlanViewSet, basename="inspection-plan")
    router.register("inspections/records", RecordViewSet, basename="inspection-record")
    router.register("inspections/visits", VisitViewSet, basename="inspection-visit")


extra_urls: list = [
    path("inspections/statistics/", StatisticsView.as_view(), name="api-inspection-statistics"),
]
