"""REST API of cases: the same scope, masking and steps as the pages.

* ``GET /api/cases/`` and ``/api/cases/{id}/``: cases the user may see
  (``Case.objects.visible_to``; out of scope answers 404), the party masked
  for readers without a need, and ``actions``: the steps open to the user now.
* ``POST /api/cases/``: register a lead.
* ``POST /api/cases/{id}/actions/{step}/``: run one step (``file``, ``notice``,
  ``review``, ``decide``, ``serve``, ...). The body has the fields of the
  step's form (``enforcement.cases.actions.CASE_ACTIONS``; officers and tiers by
  id, evidence as multipart); refusals come back as ``{code, message, fields}``
  with the rule and its article in ``message``.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from enforcement.api_base import ScopedQuerysetMixin, SearchFilter
from enforcement.cases.actions import CASE_ACTIONS
from enforcement.cases.filters import CaseSearchFilter
from enforcement.cases.legal_rules import CHANGED_BY_LABELS
from enforcement.cases.links import CaseLinks, case_links
from enforcement.cases.models import (
    SEARCH_FIELDS,
    ApprovalStep,
    Case,
    CaseDocument,
    CaseSource,
    CaseStatus,
    DocumentKind,
    Evidence,
    EvidenceKind,
    PartyKind,
    Procedure,
    StepDecision,
    WarningLevel,
)
from enforcement.cases.privacy import viewer_for
from enforcement.cases.selectors import LIST_RELATED
from enforcement.cases.services.lifecycle import case_create_lead
from enforcement.catalogue.models import Matter
from enforcement.coercion.models import CoerciveMeasure, Execution
from enforcement.errors import NotFound
from enforcement.inspections.models import InspectionRecord
from enforcement.models.agencies import Agency
from enforcement.serializers import ModelSerializer, Serializer
from enforcement.warnings.models import WarningNotice


class CaseAgencyRefSerializer(ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "name"]


class CaseMatterRefSerializer(ModelSerializer):
    class Meta:
        model = Matter
        fields = ["code", "name"]


class CasePartySerializer(Serializer):
    kind = serializers.CharField()
    name = serializers.CharField()
    id_number = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()
    legal_rep = serializers.CharField()
    masked = serializers.BooleanField()


def _codes(choices) -> str:
    return "; ".join(f"{value} = {label}" for value, label in choices)


class CaseListSerializer(ModelSerializer):
    # Plain strings (values listed in the description): the same field names carry other
    # choice sets elsewhere in the API, and one enum per name keeps the schema unambiguous.
    status = serializers.CharField(read_only=True, help_text=_codes(CaseStatus.choices))
    agency = CaseAgencyRefSerializer(read_only=True)
    matter = CaseMatterRefSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    display_number = serializers.CharField(read_only=True)
    party = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id", "number", "filing_number", "decision_number", "display_number", "procedure", "status",
            "status_label", "agency", "matter", "title", "party", "is_major", "is_complex", "warning_level",
            "warning_key", "warning_due_at", "discovered_on", "filed_on", "decide_due_at", "decided_on", "outcome",
        ]

    @extend_schema_field(CasePartySerializer)
    def get_party(self, case: Case) -> dict:
        viewer = self.context.get("viewer") or viewer_for(self.context["request"].user)
        return viewer.party(case)


class CaseDocumentRefSerializer(ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=_codes(DocumentKind.choices))

    class Meta:
        model = CaseDocument
        fields = ["id", "kind", "stage", "title", "number", "created_at"]


class CaseEvidenceRefSerializer(ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=_codes(EvidenceKind.choices))

    class Meta:
        model = Evidence
        fields = ["id", "kind", "title", "original_name", "content_type", "size", "sha256", "uploaded_at",
                  "collected_on", "superseded_at", "superseded_reason"]


class CaseStepRefSerializer(ModelSerializer):
    decision = serializers.CharField(read_only=True, help_text=_codes(StepDecision.choices))

    class Meta:
        model = ApprovalStep
        fields = ["round", "order", "approver", "label", "decision", "reason", "decided_at"]


class _LinkRefSerializer(ModelSerializer):
    # Plain strings, as on the case itself: "status" carries another choice set on every model.
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)


class CaseRecordRefSerializer(_LinkRefSerializer):
    outcome = serializers.CharField(read_only=True)
    disposition = serializers.CharField(read_only=True)

    class Meta:
        model = InspectionRecord
        fields = ["id", "number", "status", "status_label", "checked_on", "agency_id", "outcome", "disposition"]


class CaseWarningRefSerializer(_LinkRefSerializer):
    kind = serializers.CharField(read_only=True)

    class Meta:
        model = WarningNotice
        fields = ["id", "number", "status", "status_label", "kind", "issued_on", "agency_id", "record_id"]


class CaseMeasureRefSerializer(_LinkRefSerializer):
    kind = serializers.CharField(read_only=True)
    display_number = serializers.CharField(read_only=True)

    class Meta:
        model = CoerciveMeasure
        fields = ["id", "number", "display_number", "status", "status_label", "kind", "decided_on", "ends_at",
                  "extension_days"]


class CaseExecutionRefSerializer(_LinkRefSerializer):
    class Meta:
        model = Execution
        fields = ["id", "number", "status", "status_label", "decision_number", "court_applied_on", "concluded_on"]


class CaseDetailSerializer(CaseListSerializer):
    township = CaseAgencyRefSerializer(read_only=True, allow_null=True)
    subject_agency = CaseAgencyRefSerializer(read_only=True, allow_null=True)
    documents = CaseDocumentRefSerializer(many=True, read_only=True)
    evidence = CaseEvidenceRefSerializer(many=True, read_only=True)
    approval_steps = CaseStepRefSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField()
    # Where the case came from and what was done beside it: only rows the reader may open (their own scope).
    inspection_records = serializers.SerializerMethodField(help_text=_lazy("案件来源的检查记录"))
    warnings = serializers.SerializerMethodField(help_text=_lazy("转为本案件的预警（责令改正）"))
    coercive_measures = serializers.SerializerMethodField(help_text=_lazy("本案件的查封、扣押"))
    executions = serializers.SerializerMethodField(help_text=_lazy("执行本案件决定的申请法院强制执行"))

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields, "township", "subject_agency", "holder_mode", "holder_via", "source",
            "source_ref", "source_ticket_id", "facts", "place", "occurred_on", "violation_ended_on",
            "involves_safety", "notice_served_on", "hearing_rights", "hearing_request_due_at", "hearing_requested_on",
            "hearing_at", "proposed_kinds", "proposed_fine", "penalty_kinds", "fine_amount", "confiscated_amount",
            "decision_text", "penalty_check_ok", "penalty_check_reasons", "transfer_target", "transfer_body",
            "service_due_at", "served_on", "service_method", "payment_due_at", "executed_on", "execution_method",
            "paid_amount", "surcharge_amount", "closed_on", "archived_on", "archive_number", "needs_publication",
            "publication_due_at", "provisional_deadlines", "proposed_confiscated", "went_to_hearing",
            "documents", "evidence", "approval_steps", "actions", "inspection_records", "warnings",
            "coercive_measures", "executions",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=CASE_ACTIONS.keys())))
    def get_actions(self, case: Case) -> list[str]:
        return CASE_ACTIONS.available(case, self.context["request"].user)

    def _links(self, case: Case) -> CaseLinks:
        # The four lists are read once per case (four queries), not once per field.
        cache = self.__dict__.setdefault("_case_links", {})
        if case.pk not in cache:
            cache[case.pk] = case_links(case, self.context["request"].user)
        return cache[case.pk]

    @extend_schema_field(CaseRecordRefSerializer(many=True))
    def get_inspection_records(self, case: Case) -> list[dict]:
        return CaseRecordRefSerializer(self._links(case).records, many=True).data

    @extend_schema_field(CaseWarningRefSerializer(many=True))
    def get_warnings(self, case: Case) -> list[dict]:
        return CaseWarningRefSerializer(self._links(case).warnings, many=True).data

    @extend_schema_field(CaseMeasureRefSerializer(many=True))
    def get_coercive_measures(self, case: Case) -> list[dict]:
        return CaseMeasureRefSerializer(self._links(case).measures, many=True).data

    @extend_schema_field(CaseExecutionRefSerializer(many=True))
    def get_executions(self, case: Case) -> list[dict]:
        return CaseExecutionRefSerializer(self._links(case).executions, many=True).data


class CaseLeadSerializer(Serializer):
    agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all(), help_text="办案机构代码")
    matter = serializers.SlugRelatedField(slug_field="code", queryset=Matter.objects.all(), help_text="事项编码")
    township = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.townships(), required=False,
                                            allow_null=True, default=None)
    procedure = serializers.ChoiceField(choices=Procedure.choices, default=Procedure.ORDINARY)
    title = serializers.CharField(max_length=300)
    source = serializers.ChoiceField(choices=CaseSource.choices, default=CaseSource.INSPECTION)
    source_ref = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    source_ticket_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    occurred_on = serializers.DateField()
    violation_ended_on = serializers.DateField(required=False, allow_null=True, default=None)
    discovered_on = serializers.DateField(required=False, allow_null=True, default=None)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    facts = serializers.CharField(required=False, allow_blank=True, default="")
    involves_safety = serializers.BooleanField(required=False, default=False)
    party_kind = serializers.ChoiceField(choices=PartyKind.choices)
    party_name = serializers.CharField(max_length=200)
    party_id_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    party_address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    party_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    party_legal_rep = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


_LIST_PARAMETERS = [
    OpenApiParameter("status", str, enum=CaseStatus.values),
    OpenApiParameter("warning_level", str, enum=WarningLevel.values),
    OpenApiParameter("procedure", str, enum=Procedure.values),
    OpenApiParameter("agency", str, description=_lazy("办案机构代码")),
]


class CaseViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Enforcement cases (行政处罚案件) in the user's scope."""

    queryset = Case.objects.select_related(*LIST_RELATED).order_by("-created_at", "-id")
    serializer_class = CaseListSerializer
    # The project's filters, with the case search in place of the generic one.
    filter_backends = [CaseSearchFilter if f is SearchFilter else f for f in api_settings.DEFAULT_FILTER_BACKENDS]
    search_fields = list(SEARCH_FIELDS)  # read by CaseSearchFilter's schema; the search is case_text_q
    ordering_fields = ["created_at", "discovered_on", "decided_on", "decide_due_at"]
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]

    def get_queryset(self):
        qs = super().get_queryset()
        params = self.request.query_params
        for name in ("status", "warning_level", "procedure"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        if params.get("agency") and self._filter_agency_id() is None:
            qs = qs.none()  # no agency has that code
        if self.action != "list":
            qs = qs.select_related("township", "subject_agency").prefetch_related(
                "documents", "evidence", "approval_steps"
            )
        return qs

    def visibility_arguments(self) -> dict:
        if self.action != "list":
            return {}
        # ?agency=<code> as the agency's id, so that visible_to can leave out a scope it implies.
        arguments = {"listing": True}
        if self.request.query_params.get("agency"):
            arguments["agency_id"] = self._filter_agency_id()
        return arguments

    def _filter_agency_id(self) -> int | None:
        if not hasattr(self, "_agency_id"):
            code = self.request.query_params.get("agency")
            self._agency_id = Agency.objects.filter(code=code).values_list("pk", flat=True).first()
        return self._agency_id

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["viewer"] = viewer_for(self.request.user)
        return context

    def get_serializer_class(self):
        return CaseListSerializer if self.action == "list" else CaseDetailSerializer

    @extend_schema(parameters=_LIST_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=CaseLeadSerializer, responses={201: CaseDetailSerializer})
    def create(self, request):
        data = CaseLeadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = case_create_lead(by=request.user, **data.validated_data)
        return Response(self._detail(case), status=status.HTTP_201_CREATED)

    def _detail(self, case: Case) -> dict:
        fresh = self.get_queryset().get(pk=case.pk) if self.get_queryset().filter(pk=case.pk).exists() else case
        return CaseDetailSerializer(fresh, context=self.get_serializer_context()).data

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={200: CaseDetailSerializer},
        parameters=[OpenApiParameter("step", str, OpenApiParameter.PATH, enum=sorted(CASE_ACTIONS.keys()))],
        description="Run one step of the case. The body has the fields of the step's form.",
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<step>[a-z_]+)")
    def act(self, request, pk=None, step: str = ""):
        if step not in CASE_ACTIONS:
            raise NotFound(_("未知的办理步骤“%(step)s”。") % {"step": step})
        case = self.get_object()
        data = CASE_ACTIONS.validate(step, case, request.user, request.data, request.FILES)
        CASE_ACTIONS.perform(step, case, by=request.user, data=data)
        return Response(self._detail(case))


class LegalRuleSerializer(Serializer):
    key = serializers.CharField(help_text="规则代码（拒绝办理时错误 code 即为此值）")
    label = serializers.CharField()
    article = serializers.CharField(help_text="法律依据及条文")
    kind = serializers.ChoiceField(choices=["deadline", "threshold", "precondition"])
    kind_label = serializers.CharField()
    default = serializers.CharField(help_text="法定默认值")
    unit = serializers.CharField(allow_blank=True)
    unit_label = serializers.CharField(allow_blank=True)
    current = serializers.CharField(help_text="当前值")
    changed = serializers.BooleanField(help_text="当前值是否不同于默认值")
    changed_by = serializers.ChoiceField(choices=list(CHANGED_BY_LABELS))
    changed_by_label = serializers.CharField()


class LegalRulesView(APIView):
    """The one table of legal rules of case handling (the same table the checks read)."""

    @extend_schema(summary=_lazy("法定时限与规则"), tags=["案件"], responses={200: LegalRuleSerializer(many=True)})
    def get(self, request: Request) -> Response:
        from enforcement.access import scope_for
        from enforcement.cases.legal_rules import legal_rules
        from enforcement.errors import PermissionRefused

        if not (request.user.is_superuser or scope_for(request.user).roles):
            raise PermissionRefused(_("只有本系统的工作人员可以查看。"))
        return Response(LegalRuleSerializer([r.as_dict() for r in legal_rules()], many=True).data)


def register(router) -> None:
    router.register("cases", CaseViewSet, basename="case")


extra_urls: list = [
    path("legal-rules/", LegalRulesView.as_view(), name="api-legal-rules"),
]
