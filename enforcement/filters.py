"""django-filter filter sets of the core API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from enforcement.models.agencies import TOWNSHIP_KINDS, Agency, AgencyKind
from enforcement.models.grids import Grid
from enforcement.models.notifications import Notification


class AgencyFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=AgencyKind.choices, label=_("类型"))
    parent = django_filters.ModelChoiceFilter(queryset=Agency.objects.all(), label=_("上级机构"))
    stationed_in = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.filter(kind__in=TOWNSHIP_KINDS), label=_("派驻乡镇")
    )

    class Meta:
        model = Agency
        fields = ["kind", "parent", "stationed_in", "is_active"]


class GridFilter(django_filters.FilterSet):
    township = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.filter(kind__in=TOWNSHIP_KINDS), label=_("乡镇/街道")
    )

    class Meta:
        model = Grid
        fields = ["township", "member"]


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("仅未读"))

    class Meta:
        model = Notification
        fields = ["unread", "reason"]
