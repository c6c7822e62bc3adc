"""REST API of the matter catalogue and power grants.

Reads for every signed-in user; writes (through the catalogue services) only
for catalogue administrators. ``register(router)`` adds the viewsets,
``extra_urls`` the holder lookup ``/api/powers/holder/``.
"""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from enforcement.catalogue.models import DiscretionTier, Domain, FineUnit, Matter, MatterStatus, PenaltyKind, PowerType
from enforcement.catalogue.permissions import can_manage_catalogue
from enforcement.catalogue.powers import HolderAnswer, answer_for, holder_of
from enforcement.catalogue.selectors import MatterFilters, current_grants_prefetch, matter_search
from enforcement.catalogue.services import (
    TierSpec,
    matter_create,
    matter_set_status,
    matter_update,
)
from enforcement.errors import NotFound
from enforcement.models.agencies import TOWNSHIP_KINDS, Agency
from enforcement.serializers import ModelSerializer, Serializer

# --- serializers ------------------------------------------------------------------


class AgencyRefSerializer(ModelSerializer):
    class Meta:
        model = Agency
        fields = ["code", "name", "kind"]


class DomainSerializer(ModelSerializer):
    class Meta:
        model = Domain
        fields = ["code", "name", "sort_order", "is_active"]


class TierSerializer(ModelSerializer):
    penalty_kinds = serializers.ListField(child=serializers.ChoiceField(choices=PenaltyKind.choices))
    penalty_kind_labels = serializers.SerializerMethodField()

    class Meta:
        model = DiscretionTier
        fields = ["order", "level", "circumstances", "penalty_kinds", "penalty_kind_labels", "fine_min", "fine_max",
                  "fine_unit"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_penalty_kind_labels(self, tier: DiscretionTier) -> list[str]:
        return tier.penalty_kind_labels()


class TierWriteSerializer(Serializer):
    level = serializers.CharField(max_length=40)
    circumstances = serializers.CharField(required=False, allow_blank=True, default="")
    penalty_kinds = serializers.ListField(child=serializers.ChoiceField(choices=PenaltyKind.choices), default=list)
    fine_min = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, default=None)
    fine_max = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, default=None)
    fine_unit = serializers.ChoiceField(choices=FineUnit.choices, default=FineUnit.YUAN)

    def to_spec(self, data: dict) -> TierSpec:
        return TierSpec(
            level=data["level"],
            circumstances=data.get("circumstances", ""),
            penalty_kinds=tuple(data.get("penalty_kinds", ())),
            fine_min=data.get("fine_min"),
            fine_max=data.get("fine_max"),
            fine_unit=data.get("fine_unit", FineUnit.YUAN),
        )


class HolderSerializer(Serializer):
    """A HolderAnswer: who holds a matter, where, and how."""

    township = serializers.SerializerMethodField()
    holder = serializers.SerializerMethodField()
    mode = serializers.CharField()
    mode_label = serializers.CharField()
    acting_for = serializers.SerializerMethodField()
    via_text = serializers.CharField()
    valid_from = serializers.DateField(source="grant.valid_from")
    valid_to = serializers.DateField(source="grant.valid_to", allow_null=True)
    source_kind = serializers.CharField(source="grant.source_kind")
    source_ref = serializers.CharField(source="grant.source_ref")
    source_batch_id = serializers.IntegerField(source="grant.source_batch_id", allow_null=True)

    @extend_schema_field(AgencyRefSerializer(allow_null=True))
    def get_township(self, answer: HolderAnswer):
        t = answer.grant.township
        return AgencyRefSerializer(t).data if t is not None else None

    @extend_schema_field(AgencyRefSerializer)
    def get_holder(self, answer: HolderAnswer):
        return AgencyRefSerializer(answer.agency).data

    @extend_schema_field(AgencyRefSerializer(allow_null=True))
    def get_acting_for(self, answer: HolderAnswer):
        return AgencyRefSerializer(answer.acting_for).data if answer.acting_for is not None else None


class MatterListSerializer(ModelSerializer):
    domain = DomainSerializer(read_only=True)
    origin_department = AgencyRefSerializer(read_only=True)
    supervising_department = AgencyRefSerializer(read_only=True, allow_null=True)
    power_type_label = serializers.CharField(source="get_power_type_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Matter
        fields = [
            "code", "name", "power_type", "power_type_label", "domain", "origin_department",
            "supervising_department", "first_offense_exempt", "safety_critical", "in_guidance_catalogue",
            "status", "status_label", "status_changed_on", "updated_at",
        ]


class MatterDetailSerializer(MatterListSerializer):
    tiers = TierSerializer(many=True, read_only=True)
    current_holders = serializers.SerializerMethodField()

    class Meta(MatterListSerializer.Meta):
        fields = [
            *MatterListSerializer.Meta.fields,
            "violated_provision", "penalty_provision", "valid_from", "valid_to", "remarks", "created_at",
            "tiers", "current_holders",
        ]

    @extend_schema_field(HolderSerializer(many=True))
    def get_current_holders(self, matter: Matter):
        grants = getattr(matter, "current_grants", None)
        if grants is None:
            return []
        return HolderSerializer([answer_for(g) for g in grants], many=True).data


class MatterWriteSerializer(Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=300)
    power_type = serializers.ChoiceField(choices=PowerType.choices)
    domain = serializers.SlugRelatedField(slug_field="code", queryset=Domain.objects.all())
    origin_department = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())
    supervising_department = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.all(), required=False, allow_null=True
    )
    violated_provision = serializers.CharField(required=False, allow_blank=True)
    penalty_provision = serializers.CharField(required=False, allow_blank=True)
    first_offense_exempt = serializers.BooleanField(required=False)
    safety_critical = serializers.BooleanField(required=False)
    in_guidance_catalogue = serializers.BooleanField(required=False)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_to = serializers.DateField(required=False, allow_null=True)
    remarks = serializers.CharField(required=False, allow_blank=True)
    tiers = TierWriteSerializer(many=True, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, write_only=True, help_text="修改原因（记入历史）")


class StatusWriteSerializer(Serializer):
    status = serializers.ChoiceField(choices=MatterStatus.choices)
    on = serializers.DateField(required=False, help_text="生效日期（默认今天）")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


# --- permissions and views ---------------------------------------------------------


class CatalogueWritePermission(permissions.BasePermission):
    """Everybody signed in reads; catalogue administrators write."""

    message = gettext_lazy("只有事项目录管理员可以修改事项目录。")

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or can_manage_catalogue(request.user)


_LIST_PARAMETERS = [
    OpenApiParameter("q", str, description=_lazy("检索：编码、名称或法律依据中的文字（空格分隔多个词）")),
    OpenApiParameter("domain", str, description=_lazy("领域编码")),
    OpenApiParameter("power_type", str, enum=PowerType.values),
    OpenApiParameter("origin_department", str, description=_lazy("实施主体机构代码")),
    OpenApiParameter("supervising_department", str, description=_lazy("监管部门机构代码")),
    OpenApiParameter("status", str, enum=MatterStatus.values),
    OpenApiParameter("first_offense_exempt", bool),
    OpenApiParameter("safety_critical", bool),
    OpenApiParameter("in_guidance_catalogue", bool),
]


@extend_schema(tags=["catalogue"])
class MatterViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """执法事项目录。按事项编码访问；修改经目录服务并保留历史，事项不可删除（只能废止）。"""

    queryset = Matter.objects.all()
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    permission_classes = [CatalogueWritePermission]
    # Filtering and search are matter_search's job (shared with the pages).
    filter_backends: list = []

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return MatterWriteSerializer
        if self.action == "list":
            return MatterListSerializer
        if self.action == "set_status":
            return StatusWriteSerializer
        return MatterDetailSerializer

    def get_queryset(self):
        qs = super().get_queryset().visible_to(self.request.user)
        if self.action == "list":
            params = self.request.query_params
            return matter_search(qs, params.get("q", ""), MatterFilters.from_params(params))
        return matter_search(qs).prefetch_related("tiers", current_grants_prefetch())

    @extend_schema(parameters=_LIST_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _detail(self, matter: Matter, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=matter.pk)
        return Response(MatterDetailSerializer(fresh, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(responses={201: MatterDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = MatterWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        tiers = [TierWriteSerializer().to_spec(t) for t in data.pop("tiers", [])]
        reason = data.pop("reason", "")
        matter = matter_create(**data, tiers=tiers, by=request.user, reason=reason)
        return self._detail(matter, status.HTTP_201_CREATED)

    @extend_schema(responses={200: MatterDetailSerializer})
    def update(self, request, *args, partial: bool = False, **kwargs):
        matter = self.get_object()
        serializer = MatterWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "code" in data and data.pop("code") != matter.code:
            raise serializers.ValidationError({"code": [_("事项编码不能修改")]})
        tiers = data.pop("tiers", None)
        specs = [TierWriteSerializer().to_spec(t) for t in tiers] if tiers is not None else None
        reason = data.pop("reason", "")
        matter = matter_update(matter, by=request.user, reason=reason, tiers=specs, **data)
        return self._detail(matter)

    @extend_schema(request=StatusWriteSerializer, responses={200: MatterDetailSerializer})
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, code=None):
        """暂停、恢复或废止事项（废止同时终止其权力授予）。"""
        matter = self.get_object()
        serializer = StatusWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        matter = matter_set_status(
            matter, status=data["status"], on=data.get("on") or timezone.localdate(), by=request.user,
            reason=data.get("reason", ""),
        )
        return self._detail(matter)


@extend_schema(tags=["catalogue"])
class DomainViewSet(viewsets.ReadOnlyModelViewSet):
    """执法领域（维护表）。"""

    queryset = Domain.objects.all()
    serializer_class = DomainSerializer
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    pagination_class = None
    filter_backends: list = []


class HolderQuerySerializer(Serializer):
    matter = serializers.CharField(max_length=40, help_text="事项编码")
    township = serializers.CharField(max_length=40, help_text="乡镇/街道机构代码")
    on = serializers.DateField(required=False, help_text="日期 YYYY-MM-DD（默认今天）")


@extend_schema(
    tags=["powers"],
    parameters=[HolderQuerySerializer],
    responses={
        200: inline_serializer(
            "HolderLookup",
            {
                "matter": serializers.CharField(),
                "township": serializers.CharField(),
                "on": serializers.DateField(),
                "holder": HolderSerializer(allow_null=True),
            },
        ),
        400: OpenApiTypes.OBJECT,
        404: OpenApiTypes.OBJECT,
    },
)
class HolderView(APIView):
    """谁可以在某乡镇、某日对某事项行使职权（乡镇专项授权优先于全县授权）。"""

    def get(self, request):
        query = HolderQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        matter = Matter.objects.visible_to(request.user).filter(code=data["matter"]).first()
        if matter is None:
            raise NotFound(_("未找到事项“%(code)s”") % {"code": data["matter"]}, field="matter")
        township = Agency.objects.filter(code=data["township"], kind__in=TOWNSHIP_KINDS).first()
        if township is None:
            raise NotFound(_("未找到乡镇/街道“%(code)s”") % {"code": data["township"]}, field="township")
        day = data.get("on") or timezone.localdate()
        answer = holder_of(matter, township, on=day)
        return Response({
            "matter": matter.code,
            "township": township.code,
            "on": day.isoformat(),
            "holder": HolderSerializer(answer).data if answer is not None else None,
        })


extra_urls = [path("powers/holder/", HolderView.as_view(), name="power-holder")]


def register(router) -> None:
    router.register("matters", MatterViewSet, basename="matter")
    router.register("domains", DomainViewSet, basename="domain")
