"""Reads of warnings: scoped fetches, lists in constant queries, statistics and the annual figures."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.http import Http404

from enforcement.access import scope_for
from enforcement.catalogue.models import Matter
from enforcement.models.agencies import Agency
from enforcement.models.events import Event
from enforcement.warnings.choices import WarningKind, WarningStatus
from enforcement.warnings.models import WarningMatter, WarningNotice

LIST_RELATED = ("agency", "township", "matter", "case")


def warning_get_for_user(user, pk: int) -> WarningNotice:
    """The warning if ``user`` may see it; 404 otherwise, whether it exists or not."""
    warning = (
        WarningNotice.objects.visible_to(user)
        .select_related(*LIST_RELATED, "record", "object", "created_by")
        .filter(pk=pk)
        .first()
    )
    if warning is None:
        raise Http404
    return warning


def warning_list(
    user,
    *,
    q: str = "",
    status: str = "",
    level: str = "",
    agency=None,
    matter=None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[WarningNotice]:
    qs = (
        WarningNotice.objects.visible_to(user)
        .select_related(*LIST_RELATED)
        .prefetch_related(Prefetch("officers", to_attr="officer_list"))
    )
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(party_name__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(warning_level=level)
    if agency:
        qs = qs.filter(agency=agency)
    if matter:
        qs = qs.filter(matter=matter)
    if date_from:
        qs = qs.filter(issued_on__gte=date_from)
    if date_to:
        qs = qs.filter(issued_on__lte=date_to)
    return qs.order_by("-issued_on", "-pk")


def rechecks_due(user, *, on: dt.date) -> QuerySet[WarningNotice]:
    """Open warnings of the user's agencies whose deadline falls on or before ``on`` (re-check due)."""
    scope = scope_for(user)
    qs = WarningNotice.objects.visible_to(user).open().select_related("agency")
    if not scope.county_wide:
        qs = qs.filter(agency_id__in=scope.agency_ids)
    return qs.filter(correction_due_at__date__lte=on).order_by("correction_due_at", "pk")


def warning_events(warning: WarningNotice) -> list[Event]:
    from django.contrib.contenttypes.models import ContentType

    return list(
        Event.objects.filter(content_type=ContentType.objects.get_for_model(WarningNotice), object_id=warning.pk)
        .select_related("actor")
        .order_by("at", "pk")
    )


def warning_list_entries() -> QuerySet[WarningMatter]:
    return WarningMatter.objects.filter(is_active=True).select_related("matter").order_by("matter__code")


def warning_matters() -> QuerySet[Matter]:
    return Matter.objects.filter(warning_entry__is_active=True).order_by("code")


# --- statistics ----------------------------------------------------------------------------------


@dataclass
class Rate:
    """Warnings of a group and how they ended: the self-correction rate counts closed warnings only."""

    key: object
    label: str
    warnings: int = 0
    self_corrected: int = 0
    commitments: int = 0
    turned_into_cases: int = 0
    open: int = 0
    months: list[int] = field(default_factory=lambda: [0] * 12)

    @property
    def closed(self) -> int:
        return self.self_corrected + self.turned_into_cases

    @property
    def rate(self) -> float | None:
        return round(100 * self.self_corrected / self.closed, 1) if self.closed else None

    def add(self, status: str, kind: str, n: int) -> None:
        self.warnings += n
        if status == WarningStatus.CORRECTED:
            self.self_corrected += n
        elif status == WarningStatus.TURNED_TO_CASE:
            self.turned_into_cases += n
        else:
            self.open += n
        if kind == WarningKind.COMMITMENT:
            self.commitments += n

    def as_dict(self) -> dict:
        return {
            "warnings": self.warnings,
            "self_corrected": self.self_corrected,
            "commitments": self.commitments,
            "turned_into_cases": self.turned_into_cases,
            "open": self.open,
            "rate": self.rate,
        }


def statistics(user, year: int) -> dict:
    """Self-correction rate per agency, matter and month of ``year``, in the user's scope (four queries)."""
    qs = WarningNotice.objects.visible_to(user).filter(issued_on__year=year)
    rows = list(
        qs.annotate(month=ExtractMonth("issued_on"))
        .values_list("agency_id", "matter_id", "month", "status", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    agencies = dict(Agency.objects.filter(pk__in={r[0] for r in rows}).values_list("pk", "name"))
    matters = {
        pk: f"{code} {name}"
        for pk, code, name in Matter.objects.filter(pk__in={r[1] for r in rows}).values_list("pk", "code", "name")
    }
    by_agency: dict[int, Rate] = {}
    by_matter: dict[int, Rate] = {}
    by_month = [Rate(m, str(m)) for m in range(1, 13)]
    total = Rate("total", "")
    for agency_id, matter_id, month, status, kind, n in rows:
        a = by_agency.setdefault(agency_id, Rate(agency_id, agencies.get(agency_id, str(agency_id))))
        m = by_matter.setdefault(matter_id, Rate(matter_id, matters.get(matter_id, str(matter_id))))
        for r in (a, m, by_month[month - 1], total):
            r.add(status, kind, n)
        a.months[month - 1] += n
    order = lambda r: (-r.warnings, r.label)  # noqa: E731
    return {
        "year": year,
        "total": total,
        "agencies": sorted(by_agency.values(), key=order),
        "matters": sorted(by_matter.values(), key=order),
        "months": by_month,
    }


def annual_figures(year: int) -> list[dict]:
    """Per-agency counts of ``year`` for the annual disclosure report (warnings by their day of issue).

    Each row: ``agency_id``, ``agency``, ``warnings``, ``self_corrected``, ``commitments``
    (written commitments to correct, 告知承诺) and ``turned_into_cases``.
    """
    out: dict[int, dict] = defaultdict(
        lambda: {"warnings": 0, "self_corrected": 0, "commitments": 0, "turned_into_cases": 0}
    )
    rows = (
        WarningNotice.objects.filter(issued_on__year=year)
        .values_list("agency_id", "status", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for agency_id, status, kind, n in rows:
        row = out[agency_id]
        row["warnings"] += n
        if status == WarningStatus.CORRECTED:
            row["self_corrected"] += n
        elif status == WarningStatus.TURNED_TO_CASE:
            row["turned_into_cases"] += n
        if kind == WarningKind.COMMITMENT:
            row["commitments"] += n
    names = dict(Agency.objects.filter(pk__in=list(out)).values_list("pk", "name"))
    return [{"agency_id": pk, "agency": names.get(pk, str(pk)), **out[pk]} for pk in sorted(out)]
