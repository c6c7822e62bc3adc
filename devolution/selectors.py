"""Reads of the devolution app: query shapes live here (STYLE.md practice 6).

List and detail pages run a constant number of queries however many items,
townships or matters they show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from devolution.models import (
    BatchItem,
    CaseCountSource,
    DevolutionBatch,
    EntrustmentAgreement,
    ResponsibilityList,
    ReviewOpinion,
)
from enforcement.access import scope_for
from enforcement.cases.models import Case, Procedure
from enforcement.catalogue.powers import HolderAnswer, power_map
from enforcement.models import TOWNSHIP_KINDS, Agency, Event, GrantSource, Matter, PowerGrant
from enforcement.workdays import add_years

__all__ = [
    "PowerMapRow",
    "batch_history",
    "batches_for",
    "CaseCount",
    "case_count_window",
    "case_counts_3y",
    "items_of",
    "power_map_rows",
    "township_grants",
    "townships_visible_to",
]


# --- three-year case counts --------------------------------------------------


@dataclass(frozen=True)
class CaseCount:
    """An item's three-year case count: the figure the rules use, where it comes from, and the system's count.

    ``counted`` is the number of cases in the system; ``value`` is the figure
    the rules use: the hand-entered one when someone entered it (a
    township's cases from before the system went live are not in it),
    else ``counted``.
    """

    value: int
    source: str  # a CaseCountSource
    counted: int
    entered: int | None
    window_from: dt.date
    window_to: dt.date

    @property
    def source_label(self) -> str:
        return str(CaseCountSource(self.source).label)

    @property
    def is_entered(self) -> bool:
        return self.source == CaseCountSource.ENTERED


def case_count_window(day: dt.date) -> tuple[dt.date, dt.date]:
    """The three years before ``day``: from the same day three years earlier to the day before, both counted."""
    return add_years(day, -3), day - dt.timedelta(days=1)


def _counted_in(window: tuple[dt.date, dt.date]) -> Q:
    # A case counts from its filing day; a summary-procedure case (decided on the spot, art. 51 of the
    # Administrative Penalty Law) is never filed and counts from its decision day. Unfiled leads do not count.
    return Q(filed_on__range=window) | Q(filed_on__isnull=True, procedure=Procedure.SUMMARY, decided_on__range=window)


def case_counts_3y(items: Iterable[BatchItem]) -> dict[int, CaseCount]:
    """item_id -> :class:`CaseCount` for many items at once, in one aggregate query.

    Counts the cases of the item's matter that happened in its townships
    (``Case.township``, whoever handled them) in the three years before its
    batch's effective date. Items need ``batch`` and ``townships`` loaded.
    """
    items = list(items)
    if not items:
        return {}
    windows = {item.pk: case_count_window(item.batch.effective_date) for item in items}
    distinct = sorted(set(windows.values()))
    column = {window: f"w{n}" for n, window in enumerate(distinct)}
    counts: dict[tuple[int, int], dict[str, int]] = {}
    township_ids = {t.pk for item in items for t in item.townships.all()}
    if township_ids:
        rows = (
            Case.objects.filter(matter_id__in={i.matter_id for i in items}, township_id__in=township_ids)
            .filter(_counted_in((distinct[0][0], max(w[1] for w in distinct))))
            .values("matter_id", "township_id")
            .annotate(**{column[w]: Count("pk", filter=_counted_in(w)) for w in distinct})
            .order_by()
        )
        counts = {(r["matter_id"], r["township_id"]): r for r in rows}
    out = {}
    for item in items:
        window = windows[item.pk]
        counted = sum(counts.get((item.matter_id, t.pk), {}).get(column[window], 0) for t in item.townships.all())
        entered = item.entered_case_count_3y
        out[item.pk] = CaseCount(
            value=counted if entered is None else entered,
            source=CaseCountSource.CASES if entered is None else CaseCountSource.ENTERED,
            counted=counted, entered=entered, window_from=window[0], window_to=window[1],
        )
    return out


# --- batches ---------------------------------------------------------------------


def batches_for(user) -> QuerySet[DevolutionBatch]:
    """Batches the user may see, with item counts and townships (two queries for a page)."""
    return (
        DevolutionBatch.objects.visible_to(user)
        .select_related("created_by")
        .prefetch_related(Prefetch("townships", queryset=Agency.objects.order_by("sort_order", "code")))
        .annotate(item_count=Count("items", distinct=True))
        .order_by("-effective_date", "-number")
    )


def items_of(batch: DevolutionBatch) -> QuerySet[BatchItem]:
    """A batch's items with everything the detail page and the checks read."""
    return (
        BatchItem.objects.filter(batch=batch)
        .select_related(
            "batch", "matter", "matter__domain", "matter__origin_department", "package", "hub_township", "assessment"
        )
        .prefetch_related(
            Prefetch("townships", queryset=Agency.objects.order_by("sort_order", "code")),
            "statutory_records",
        )
        .order_by("id")
    )


def agreements_of(batch: DevolutionBatch) -> QuerySet[EntrustmentAgreement]:
    return (
        EntrustmentAgreement.objects.filter(batch=batch)
        .select_related("department")
        .prefetch_related(Prefetch("townships", queryset=Agency.objects.order_by("sort_order", "code")))
        .order_by("id")
    )


def opinions_of(batch: DevolutionBatch) -> QuerySet[ReviewOpinion]:
    return (
        ReviewOpinion.objects.filter(batch=batch)
        .select_related("reviewer", "agency", "item", "item__matter")
        .order_by("created_at", "id")
    )


def batch_history(batch: DevolutionBatch) -> QuerySet[Event]:
    """The batch's full-process record (every transition, edit and review), oldest first."""
    return Event.objects.for_object(batch).select_related("actor_agency").order_by("at", "id")


def batches_by_id(ids: Iterable[int]) -> dict[int, DevolutionBatch]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {b.pk: b for b in DevolutionBatch.objects.filter(pk__in=ids).only("pk", "number", "title", "status")}


# --- townships and powers ------------------------------------------------------


def all_townships() -> QuerySet[Agency]:
    return Agency.objects.active().filter(kind__in=TOWNSHIP_KINDS).order_by("sort_order", "code")


def townships_visible_to(user) -> QuerySet[Agency]:
    """Townships whose power page the user may open: all for the county, else the user's own."""
    scope = scope_for(user)
    qs = Agency.objects.filter(kind__in=TOWNSHIP_KINDS)
    if scope.county_wide or user.is_superuser:
        return qs
    return qs.filter(pk__in=scope.township_ids)


@dataclass(frozen=True)
class PowerMapRow:
    matter: Matter
    cells: list[HolderAnswer | None]


def power_map_matters(*, domain_id: int | None = None, on: dt.date, devolved_only: bool = False,
                      q: str = "") -> QuerySet[Matter]:
    matters = Matter.objects.select_related("domain").order_by("code")
    if domain_id:
        matters = matters.filter(domain_id=domain_id)
    if q:
        matters = matters.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if devolved_only:
        township_grant = PowerGrant.objects.valid_on(on).filter(matter=OuterRef("pk"), township__isnull=False)
        matters = matters.filter(Exists(township_grant))
    return matters


def power_map_rows(matters: Iterable[Matter], townships: list[Agency], *, on: dt.date) -> list[PowerMapRow]:
    """One row per matter, one cell per township (the grants in one query: ``power_map``)."""
    matters = list(matters)
    answers = power_map(matters, townships, on=on)
    return [PowerMapRow(m, [answers.get((m.pk, t.pk)) for t in townships]) for m in matters]


def township_grants(township: Agency, *, on: dt.date | None = None) -> list[PowerGrant]:
    """Township-specific grants valid on day ``on`` (default today), by matter code."""
    day = on or timezone.localdate()
    return list(
        PowerGrant.objects.filter(township=township)
        .valid_on(day)
        .select_related("matter", "matter__domain", "matter__origin_department", "holder", "acting_for")
        .order_by("matter__code")
    )


def township_grant_history(township: Agency, *, limit: int = 200) -> list[PowerGrant]:
    """Every township-specific grant, newest first (ended ones too): how the township's powers changed."""
    return list(
        PowerGrant.objects.filter(township=township)
        .non_empty()
        .select_related("matter", "holder", "acting_for")
        .order_by("-valid_from", "matter__code")[:limit]
    )


def responsibilities_by_matter(matter_ids: Iterable[int]) -> dict[int, list[ResponsibilityList]]:
    out: dict[int, list[ResponsibilityList]] = {}
    rows = ResponsibilityList.objects.filter(matter_id__in=set(matter_ids)).select_related("department")
    for row in rows.order_by("matter_id", "department__sort_order", "department__code"):
        out.setdefault(row.matter_id, []).append(row)
    return out


def devolved_counts(on: dt.date) -> dict[int, int]:
    """township_id -> number of matters granted to it by a batch and valid on ``on`` (one query)."""
    return dict(
        PowerGrant.objects.valid_on(on)
        .filter(township__isnull=False, source_kind=GrantSource.BATCH)
        .values("township_id")
        .annotate(n=Count("matter_id", distinct=True))
        .values_list("township_id", "n")
    )


def devolved_grants(township: Agency, *, on: dt.date) -> list[PowerGrant]:
    """Grants a batch made in ``township`` and valid on ``on``: the township's devolved powers."""
    return [g for g in township_grants(township, on=on) if g.source_kind == GrantSource.BATCH]
