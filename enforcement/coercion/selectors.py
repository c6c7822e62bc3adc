"""Reads of coercive measures and enforcements: lists, details, histories, statistics, annual figures.

Selectors own the query shape, so list pages, exports and the API run a
constant number of queries whatever the number of rows.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from enforcement.access import get_visible_or_404, scope_for
from enforcement.cases.models import PartyKind
from enforcement.cases.privacy import mask_address, mask_id_number, mask_name, mask_phone
from enforcement.coercion.choices import (
    ACTIVE_MEASURE_STATES,
    ExecutionConclusion,
    MeasureKind,
    WarningLevel,
)
from enforcement.coercion.models import CoerciveMeasure, Execution, MeasureOfficer, SeizedItem
from enforcement.models.agencies import Agency, Role
from enforcement.models.events import Event

MEASURE_RELATED = ("agency", "township", "case", "matter")
EXECUTION_RELATED = ("agency", "case")
NEED_ROLES = (
    Role.TOWNSHIP_OFFICER,
    Role.TOWNSHIP_LEADER,
    Role.SQUADRON_OFFICER,
    Role.SQUADRON_LEADER,
    Role.LEGAL_REVIEWER,
)


# --- personal data ---------------------------------------------------------------------------


def sees_party(user, obj) -> bool:
    """Officers of the acting agency and administrators see the party in full; every other reader masked."""
    if user is None or not user.is_authenticated:
        return False
    scope = scope_for(user)
    if user.is_superuser or scope.has_role(Role.ADMINISTRATOR):
        return True
    return obj.agency_id in scope.agency_ids and scope.has_role(*NEED_ROLES)


def party(user, obj) -> dict:
    full = sees_party(user, obj)
    org = obj.party_kind == PartyKind.ORGANISATION
    phone = getattr(obj, "party_phone", "")
    return {
        "kind": obj.get_party_kind_display(),
        "name": obj.party_name if full or org else mask_name(obj.party_name),
        "id_number": obj.party_id_number if full else mask_id_number(obj.party_id_number),
        "address": obj.party_address if full else mask_address(obj.party_address),
        "phone": phone if full else mask_phone(phone),
        "masked": not full,
    }


# --- measures -----------------------------------------------------------------------------------


def measure_search(user, filters: dict | None = None) -> QuerySet[CoerciveMeasure]:
    filters = filters or {}
    qs = CoerciveMeasure.objects.visible_to(user).select_related(*MEASURE_RELATED)
    for name in ("status", "kind"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    warning = filters.get("warning")
    if warning == "any":
        qs = qs.exclude(warning_level=WarningLevel.NONE)
    elif warning:
        qs = qs.filter(warning_level=warning)
    if filters.get("agency"):
        qs = qs.filter(agency_id=filters["agency"])
    if filters.get("year"):
        qs = qs.filter(decided_on__year=filters["year"])
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(decision_number__icontains=q)
            | Q(party_name__icontains=q)
            | Q(place__icontains=q)
        )
    return qs.annotate(item_count=Count("items")).order_by("-created_at", "-id")


def measure_detail(user, pk: int) -> CoerciveMeasure:
    qs = CoerciveMeasure.objects.select_related(
        *MEASURE_RELATED, "approved_by", "extension_approved_by"
    ).prefetch_related(
        Prefetch("items", queryset=SeizedItem.objects.order_by("id")),
        Prefetch("measure_officers", queryset=MeasureOfficer.objects.select_related("officer", "certificate")),
    )
    return get_visible_or_404(qs, user, pk=pk)


def history(obj) -> QuerySet[Event]:
    return (
        Event.objects.filter(
            content_type__app_label="enforcement", content_type__model=obj._meta.model_name, object_id=obj.pk
        )
        .select_related("actor", "actor_agency")
        .order_by("at", "id")
    )


def event_data(obj, action: str) -> dict:
    """The data of the latest event ``action`` of ``obj`` (the number of an extension or a release)."""
    event = history(obj).filter(action=action).order_by("-id").first()
    return event.data if event else {}


# --- enforcement of decisions ---------------------------------------------------------------------


def execution_search(user, filters: dict | None = None) -> QuerySet[Execution]:
    filters = filters or {}
    qs = Execution.objects.visible_to(user).select_related(*EXECUTION_RELATED)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("warning") == "any":
        qs = qs.exclude(warning_level=WarningLevel.NONE)
    elif filters.get("warning"):
        qs = qs.filter(warning_level=filters["warning"])
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(decision_number__icontains=q) | Q(party_name__icontains=q))
    return qs.order_by("-created_at", "-id")


def execution_detail(user, pk: int) -> Execution:
    return get_visible_or_404(Execution.objects.select_related(*EXECUTION_RELATED), user, pk=pk)


# --- figures --------------------------------------------------------------------------------------


def _per_agency(qs, date_field: str, year: int, **counts) -> dict[int, dict[str, int]]:
    rows = qs.filter(**{f"{date_field}__year": year}).order_by().values("agency_id").annotate(**counts)
    return {r.pop("agency_id"): r for r in rows}


def annual_figures(year: int) -> dict[int, dict[str, int]]:
    """Per agency id, the year's counts for the annual disclosure report (five queries).

    * ``coercive_measures``: measures taken in the year (``decided_on``), with
      ``sealing`` and ``seizure`` by kind;
    * ``releases``: measures released in the year;
    * ``enforcement_reminders``: written reminders (催告) served in the year;
    * ``court_applications``: applications to the court made in the year;
    * ``enforcement_actions``: enforcements of decisions concluded in the year
      by performance or by the court's execution.
    """
    out: dict[int, dict[str, int]] = {}

    def merge(rows: dict[int, dict[str, int]]) -> None:
        for agency_id, values in rows.items():
            out.setdefault(agency_id, {}).update(values)

    measures = CoerciveMeasure.objects.all()
    merge(
        _per_agency(
            measures,
            "decided_on",
            year,
            coercive_measures=Count("id"),
            sealing=Count("id", filter=Q(kind=MeasureKind.SEALING)),
            seizure=Count("id", filter=Q(kind=MeasureKind.SEIZURE)),
        )
    )
    merge(_per_agency(measures, "released_on", year, releases=Count("id")))
    executions = Execution.objects.all()
    merge(_per_agency(executions, "reminder_served_on", year, enforcement_reminders=Count("id")))
    merge(_per_agency(executions, "court_applied_on", year, court_applications=Count("id")))
    merge(
        _per_agency(
            executions.filter(conclusion__in=[ExecutionConclusion.PERFORMED, ExecutionConclusion.EXECUTED]),
            "concluded_on",
            year,
            enforcement_actions=Count("id"),
        )
    )
    keys = (
        "coercive_measures",
        "sealing",
        "seizure",
        "releases",
        "enforcement_reminders",
        "court_applications",
        "enforcement_actions",
    )
    return {agency_id: {k: values.get(k, 0) for k in keys} for agency_id, values in out.items()}


def statistics(user, year: int) -> dict:
    """The statistics page: per agency in the user's scope, the year's figures and what is in force now."""
    figures = annual_figures(year)
    visible = set(
        CoerciveMeasure.objects.visible_to(user).order_by().values_list("agency_id", flat=True).distinct()
    ) | set(Execution.objects.visible_to(user).order_by().values_list("agency_id", flat=True).distinct())
    scope = scope_for(user)
    ids = [a for a in figures if a in visible or scope.all_cases]
    now_rows = (
        CoerciveMeasure.objects.visible_to(user)
        .filter(status__in=ACTIVE_MEASURE_STATES)
        .order_by()
        .values("agency_id")
        .annotate(active=Count("id"), red=Count("id", filter=Q(warning_level=WarningLevel.RED)))
    )
    active = {r["agency_id"]: r for r in now_rows}
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=set(ids) | set(active))}
    rows = []
    for agency_id in sorted(set(ids) | set(active), key=lambda a: agencies[a].code if a in agencies else ""):
        values = figures.get(agency_id, {})
        rows.append(
            {
                "agency": agencies.get(agency_id),
                **{
                    k: values.get(k, 0)
                    for k in (
                        "coercive_measures",
                        "sealing",
                        "seizure",
                        "releases",
                        "enforcement_reminders",
                        "court_applications",
                        "enforcement_actions",
                    )
                },
                "active": active.get(agency_id, {}).get("active", 0),
                "red": active.get(agency_id, {}).get("red", 0),
            }
        )
    totals = {
        k: sum(r[k] for r in rows)
        for k in (
            "coercive_measures",
            "sealing",
            "seizure",
            "releases",
            "enforcement_reminders",
            "court_applications",
            "enforcement_actions",
            "active",
            "red",
        )
    }
    return {"year": year, "rows": rows, "totals": totals}


def years_with_data() -> list[int]:
    years = {d.year for d in CoerciveMeasure.objects.exclude(decided_on=None).dates("decided_on", "year")}
    years |= {d.year for d in Execution.objects.exclude(reminder_served_on=None).dates("reminder_served_on", "year")}
    return sorted(years | {timezone.localdate().year}, reverse=True)
