"""django-filter filter sets of the devolution API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from devolution.models import (
    BatchItem,
    BatchStatus,
    Category,
    DevolutionBatch,
    ItemMode,
    ItemState,
    ReviewStatus,
)
from enforcement.models import TOWNSHIP_KINDS, Agency


class BatchFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=BatchStatus.choices, label=_("状态"))
    township = django_filters.ModelChoiceFilter(
        field_name="townships", queryset=Agency.objects.filter(kind__in=TOWNSHIP_KINDS), label=_("乡镇/街道"),
        distinct=True,
    )
    effective_from = django_filters.DateFilter(field_name="effective_date", lookup_expr="gte", label=_("生效日期起"))
    effective_to = django_filters.DateFilter(field_name="effective_date", lookup_expr="lte", label=_("生效日期止"))

    class Meta:
        model = DevolutionBatch
        fields = ["status", "township", "effective_from", "effective_to"]


class ItemFilter(django_filters.FilterSet):
    category = django_filters.MultipleChoiceFilter(choices=Category.choices, label=_("下放类别"))
    mode = django_filters.MultipleChoiceFilter(choices=ItemMode.choices, label=_("承接方式"))
    review_status = django_filters.ChoiceFilter(choices=ReviewStatus.choices, label=_("审查结论"))
    state = django_filters.ChoiceFilter(choices=ItemState.choices, label=_("状态"))
    township = django_filters.ModelChoiceFilter(
        field_name="townships", queryset=Agency.objects.filter(kind__in=TOWNSHIP_KINDS), label=_("乡镇/街道"),
        distinct=True,
    )
    matter = django_filters.CharFilter(field_name="matter__code", label=_("事项编码"))

    class Meta:
        model = BatchItem
        fields = ["batch", "category", "mode", "review_status", "state", "township", "matter"]
