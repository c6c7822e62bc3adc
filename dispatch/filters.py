"""django-filter filter set of tickets: one set for the list page, its export and the API."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dispatch.models import (
    FINAL_STATES,
    OPEN_STATES,
    Channel,
    Priority,
    Ticket,
    TicketCategory,
    TicketStatus,
    WarningLevel,
)
from enforcement.models import SQUADRON_KINDS, TOWNSHIP_KINDS, Agency, AgencyKind, Domain


class AllYesNo(forms.NullBooleanSelect):
    """A yes / no filter whose empty choice reads "all" (django's reads "unknown")."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("全部")), ("true", _("是")), ("false", _("否"))]


HANDLER_KINDS = (*TOWNSHIP_KINDS, *SQUADRON_KINDS, AgencyKind.DEPARTMENT, AgencyKind.BRIGADE, AgencyKind.BUREAU)


def _day_start(day: dt.date) -> dt.datetime:
    # Compare the stored instant with local midnight: keeps the received_at index usable.
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class TicketFilter(django_filters.FilterSet):
    # distinct=False: django-filter's multiple-choice filters add DISTINCT by default (meant for
    # to-many lookups). These are columns of the ticket row, so DISTINCT changed nothing but made
    # PostgreSQL de-duplicate every matching row before it could sort and LIMIT (~0.7 s at 1M).
    status = django_filters.MultipleChoiceFilter(choices=TicketStatus.choices, label=_("状态"), distinct=False)
    open = django_filters.BooleanFilter(method="filter_open", label=_("未结束"), widget=AllYesNo)
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices, label=_("来源渠道"), distinct=False)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("紧急程度"), distinct=False)
    township = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.filter(kind__in=TOWNSHIP_KINDS), label=_("乡镇/街道")
    )
    agency = django_filters.ModelChoiceFilter(
        field_name="responsible_agency", queryset=Agency.objects.filter(kind__in=HANDLER_KINDS), label=_("承办单位")
    )
    domain = django_filters.ModelChoiceFilter(
        field_name="matter__domain", queryset=Domain.objects.all(), label=_("执法领域")
    )
    category = django_filters.ModelChoiceFilter(queryset=TicketCategory.objects.all(), label=_("问题类别"))
    warning_level = django_filters.MultipleChoiceFilter(choices=WarningLevel.choices, label=_("亮灯"),
                                                        distinct=False)
    overdue = django_filters.BooleanFilter(label=_("曾超期"), widget=AllYesNo)
    received_from = django_filters.DateFilter(method="filter_received_from", label=_("受理日期起"))
    received_to = django_filters.DateFilter(method="filter_received_to", label=_("受理日期止"))
    number = django_filters.CharFilter(method="filter_number", label=_("工单编号"))

    class Meta:
        model = Ticket
        fields = [
            "status", "open", "channel", "priority", "township", "agency", "domain", "category", "warning_level",
            "overdue", "received_from", "received_to", "number",
        ]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(status__in=OPEN_STATES) if value else queryset.filter(status__in=FINAL_STATES)

    def filter_received_from(self, queryset, name, value):
        return queryset.filter(received_at__gte=_day_start(value))

    def filter_received_to(self, queryset, name, value):
        return queryset.filter(received_at__lt=_day_start(value + dt.timedelta(days=1)))

    def filter_number(self, queryset, name, value):
        value = value.strip().upper()
        if not value:
            return queryset
        return queryset.filter(Q(number=value) | Q(number__startswith=value))
