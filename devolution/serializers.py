"""Serializers of the devolution API: shapes only; every rule lives in services and rules."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from devolution.models import (
    BatchItem,
    CaseCountSource,
    Category,
    DevolutionBatch,
    ItemMode,
    Package,
    ReviewDecision,
    ReviewOpinion,
)
from devolution.selectors import CaseCount, case_counts_3y, items_of
from enforcement.models import TOWNSHIP_KINDS, Agency, Matter
from enforcement.serializers import AgencyBriefSerializer, ModelSerializer, Serializer, UserBriefSerializer


class BatchPackageSerializer(ModelSerializer):
    class Meta:
        model = Package
        fields = ["id", "name", "description"]


class ReviewOpinionSerializer(ModelSerializer):
    reviewer = UserBriefSerializer(read_only=True)
    agency = AgencyBriefSerializer(read_only=True, allow_null=True)
    decision_display = serializers.CharField(source="get_decision_display", read_only=True)

    class Meta:
        model = ReviewOpinion
        fields = ["id", "item", "reviewer", "agency", "decision", "decision_display", "text", "created_at"]


class BatchMatterSerializer(ModelSerializer):
    class Meta:
        model = Matter
        fields = ["id", "code", "name", "safety_critical", "in_guidance_catalogue"]


class BatchItemSerializer(ModelSerializer):
    matter = BatchMatterSerializer(read_only=True)
    townships = AgencyBriefSerializer(many=True, read_only=True)
    hub_township = AgencyBriefSerializer(read_only=True, allow_null=True)
    package = BatchPackageSerializer(read_only=True, allow_null=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    mode_display = serializers.CharField(source="get_mode_display", read_only=True)
    review_status_display = serializers.CharField(source="get_review_status_display", read_only=True)
    case_count_3y = serializers.SerializerMethodField(
        help_text=_("规则采用的近三年案件数：有手工录入数（系统上线前）时用它，否则为系统统计数"))
    case_count_3y_source = serializers.SerializerMethodField(help_text=_("cases：系统案件统计；entered：手工录入"))
    case_count_3y_source_display = serializers.SerializerMethodField()
    counted_case_count_3y = serializers.SerializerMethodField(help_text=_("系统中统计到的近三年案件数"))

    class Meta:
        model = BatchItem
        fields = [
            "id", "batch", "matter", "townships", "category", "category_display", "mode", "mode_display",
            "rationale", "package", "deferred_reason", "review_date", "hub_township", "entered_case_count_3y",
            "case_count_3y", "case_count_3y_source", "case_count_3y_source_display", "counted_case_count_3y",
            "review_status", "review_status_display", "state", "revoked_on", "revoke_reason",
        ]

    def _count(self, item) -> CaseCount:
        # The view computes every item's count in one query (selectors.case_counts_3y) and passes them in.
        counts = self.context.setdefault("case_counts", {})
        if item.pk not in counts:
            counts.update(case_counts_3y([item]))
        return counts[item.pk]

    def get_case_count_3y(self, item) -> int:
        return self._count(item).value

    @extend_schema_field(serializers.ChoiceField(choices=CaseCountSource.choices))
    def get_case_count_3y_source(self, item) -> str:
        return self._count(item).source

    def get_case_count_3y_source_display(self, item) -> str:
        return self._count(item).source_label

    def get_counted_case_count_3y(self, item) -> int:
        return self._count(item).counted


def _TownshipField(**kwargs) -> serializers.PrimaryKeyRelatedField:  # noqa: N802 - used like a field class
    return serializers.PrimaryKeyRelatedField(queryset=Agency.objects.filter(kind__in=TOWNSHIP_KINDS), **kwargs)


class BatchItemWriteSerializer(Serializer):
    """Input of item create/update (matter by code; townships and hub by id)."""

    batch = serializers.PrimaryKeyRelatedField(queryset=DevolutionBatch.objects.all(), required=False)
    matter_code = serializers.CharField(required=False)
    townships = _TownshipField(many=True, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    mode = serializers.ChoiceField(choices=ItemMode.choices, required=False)
    rationale = serializers.CharField(required=False, allow_blank=True)
    package = serializers.PrimaryKeyRelatedField(queryset=Package.objects.all(), required=False, allow_null=True)
    deferred_reason = serializers.CharField(required=False, allow_blank=True)
    review_date = serializers.DateField(required=False, allow_null=True)
    hub_township = _TownshipField(required=False, allow_null=True)
    entered_case_count_3y = serializers.IntegerField(required=False, allow_null=True, min_value=0)

    def validate_matter_code(self, value: str) -> Matter:
        matter = Matter.objects.filter(code=value.strip()).first()
        if matter is None:
            raise serializers.ValidationError(_("事项编码“%(code)s”不存在。") % {"code": value})
        return matter


class BatchSerializer(ModelSerializer):
    townships = AgencyBriefSerializer(many=True, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    created_by = UserBriefSerializer(read_only=True, allow_null=True)
    item_count = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = DevolutionBatch
        fields = [
            "id", "number", "title", "provincial_decision", "county_document_no", "townships", "effective_date",
            "status", "status_display", "created_by", "created_at", "enacted_on", "revoked_on", "end_reason",
            "item_count",
        ]


class BatchDetailSerializer(BatchSerializer):
    items = serializers.SerializerMethodField()
    packages = BatchPackageSerializer(many=True, read_only=True)
    opinions = ReviewOpinionSerializer(many=True, read_only=True)

    class Meta(BatchSerializer.Meta):
        fields = [*BatchSerializer.Meta.fields, "items", "packages", "opinions"]

    def get_items(self, batch) -> list[dict]:
        items = list(items_of(batch))
        return BatchItemSerializer(items, many=True, context={"case_counts": case_counts_3y(items)}).data


class BatchWriteSerializer(Serializer):
    number = serializers.CharField(max_length=40, required=False)
    title = serializers.CharField(max_length=200, required=False)
    provincial_decision = serializers.CharField(max_length=300, required=False)
    county_document_no = serializers.CharField(max_length=100, required=False)
    effective_date = serializers.DateField(required=False)
    townships = _TownshipField(many=True, required=False)


class BatchReviewSerializer(Serializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    text = serializers.CharField(required=False, allow_blank=True, default="")


class BatchReasonSerializer(Serializer):
    reason = serializers.CharField()


class BatchRevokeSerializer(Serializer):
    on = serializers.DateField()
    reason = serializers.CharField()


class BatchNoteSerializer(Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")


class BatchProblemSerializer(Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    item_id = serializers.IntegerField(allow_null=True)
    township_id = serializers.IntegerField(allow_null=True)


class TownshipReadinessSerializer(Serializer):
    township = AgencyBriefSerializer()
    certified_staff = serializers.IntegerField()
    legal_reviewers = serializers.IntegerField()
    squadron_officers = serializers.IntegerField()
    min_certified_staff = serializers.IntegerField()
    min_legal_reviewers = serializers.IntegerField()
    ready = serializers.BooleanField()
    failures = serializers.SerializerMethodField()

    def get_failures(self, obj) -> list[str]:
        return obj.failure_messages()


class BatchChecksSerializer(Serializer):
    can_approve = serializers.BooleanField()
    problems = BatchProblemSerializer(many=True)
    readiness = TownshipReadinessSerializer(many=True)
