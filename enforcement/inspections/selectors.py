"""Reads of inspections: scoped lists in constant queries, the public results, statistics, annual figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.http import Http404

from enforcement.cases.choices import PartyKind
from enforcement.cases.privacy import mask_id_number, mask_name
from enforcement.inspections.choices import Outcome, PlanStatus, TaskStatus, VisitStatus
from enforcement.inspections.models import (
    CheckPlan,
    InspectionObject,
    InspectionRecord,
    InspectionTask,
    JointVisit,
    RecordFinding,
    RecordOfficer,
    TaskOfficer,
)
from enforcement.models.agencies import Agency

# --- scoped fetch (404 either way) ---------------------------------------------------------------


def _get(qs: QuerySet, pk: int):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def object_get_for_user(user, pk: int) -> InspectionObject:
    return _get(InspectionObject.objects.visible_to(user).select_related("township", "grid"), pk)


def plan_get_for_user(user, pk: int) -> CheckPlan:
    return _get(CheckPlan.objects.visible_to(user).select_related("lead_agency"), pk)


def task_get_for_user(user, pk: int) -> InspectionTask:
    return _get(InspectionTask.objects.visible_to(user).select_related("plan", "object", "agency"), pk)


def record_get_for_user(user, pk: int) -> InspectionRecord:
    return _get(
        InspectionRecord.objects.visible_to(user).select_related(
            "object", "agency", "township", "task__plan", "joint_visit", "case", "created_by"
        ),
        pk,
    )


def visit_get_for_user(user, pk: int) -> JointVisit:
    return _get(JointVisit.objects.visible_to(user).select_related("object", "lead_agency", "scenario"), pk)


# --- lists ---------------------------------------------------------------------------------------


def object_list(
    user, *, q: str = "", kind: str = "", risk_level: str = "", credit_level: str = "", township=None
) -> QuerySet[InspectionObject]:
    qs = (
        InspectionObject.objects.visible_to(user)
        .select_related("township", "grid")
        .prefetch_related("matters", "domains")
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(identifier__icontains=q) | Q(address__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if risk_level:
        qs = qs.filter(risk_level=risk_level)
    if credit_level:
        qs = qs.filter(credit_level=credit_level)
    if township:
        qs = qs.filter(township=township)
    return qs.order_by("township__sort_order", "name", "pk")


def plan_list(user, *, status: str = "", year: int | None = None) -> QuerySet[CheckPlan]:
    qs = (
        CheckPlan.objects.visible_to(user)
        .select_related("lead_agency")
        .annotate(
            task_count=Count("tasks", distinct=True),
            done_count=Count("tasks", filter=Q(tasks__status=TaskStatus.DONE), distinct=True),
            agency_count=Count("agencies", distinct=True),
        )
    )
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(period_start__year=year)
    return qs.order_by("-period_start", "-pk")


def plan_tasks(plan: CheckPlan) -> QuerySet[InspectionTask]:
    return (
        plan.tasks.select_related("object__township", "agency", "record")
        .prefetch_related(Prefetch("task_officers", queryset=TaskOfficer.objects.select_related("officer")))
        .order_by("position")
    )


def my_tasks(user) -> QuerySet[InspectionTask]:
    return (
        InspectionTask.objects.filter(officers=user, status=TaskStatus.PENDING, plan__status=PlanStatus.IN_PROGRESS)
        .select_related("plan", "object__township")
        .order_by("due_date", "pk")
    )


def record_list(user, *, q: str = "", outcome: str = "", date_from=None, date_to=None) -> QuerySet[InspectionRecord]:
    qs = (
        InspectionRecord.objects.visible_to(user)
        .select_related("object", "agency", "township")
        .prefetch_related(Prefetch("record_officers", queryset=RecordOfficer.objects.select_related("officer")))
    )
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(object__name__icontains=q))
    if outcome:
        qs = qs.filter(outcome=outcome)
    if date_from:
        qs = qs.filter(checked_on__gte=date_from)
    if date_to:
        qs = qs.filter(checked_on__lte=date_to)
    return qs.order_by("-checked_on", "-pk")


def record_detail_related(record: InspectionRecord) -> dict:
    return {
        "officers": list(record.record_officers.select_related("officer", "certificate")),
        "findings": list(record.findings.select_related("matter", "agency")),
        "attachments": list(record.attachments.all()),
    }


def visit_list(user) -> QuerySet[JointVisit]:
    return (
        JointVisit.objects.visible_to(user)
        .select_related("object", "lead_agency", "scenario")
        .prefetch_related("agencies")
        .order_by("-planned_on", "-pk")
    )


# --- the public results page ---------------------------------------------------------------------


def public_object_name(obj: InspectionObject) -> str:
    """Individuals are always masked on public pages (ARCHITECTURE.md "Permissions")."""
    return mask_name(obj.name, PartyKind.INDIVIDUAL) if obj.is_individual else obj.name


def public_identifier(obj: InspectionObject) -> str:
    return mask_id_number(obj.identifier) if obj.is_individual else obj.identifier


def published_plans() -> QuerySet[CheckPlan]:
    return (
        CheckPlan.objects.filter(status=PlanStatus.PUBLISHED)
        .select_related("lead_agency")
        .annotate(task_count=Count("tasks"))
        .order_by("-published_at", "-pk")
    )


def public_results(plan: CheckPlan) -> list[dict]:
    rows = []
    for t in plan.tasks.select_related("object__township").order_by("position"):
        rows.append(
            {
                "position": t.position,
                "name": public_object_name(t.object),
                "identifier": public_identifier(t.object),
                "township": t.object.township.name,
                "checked_on": t.checked_on,
                "outcome": t.get_outcome_display(),
            }
        )
    return rows


# --- statistics ----------------------------------------------------------------------------------


@dataclass
class AgencyFigures:
    agency_id: int
    agency: str
    inspections: int = 0
    spot_checks: int = 0
    spot_check_results: dict[str, int] = field(default_factory=dict)
    joint_visits: int = 0
    visits_saved: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    months: list[int] = field(default_factory=lambda: [0] * 12)

    def as_dict(self) -> dict:
        return {
            "agency_id": self.agency_id,
            "agency": self.agency,
            "inspections": self.inspections,
            "spot_checks": self.spot_checks,
            "spot_check_results": dict(self.spot_check_results),
            "joint_visits": self.joint_visits,
            "visits_saved": self.visits_saved,
        }


def _figures(records: QuerySet[InspectionRecord], visits: QuerySet[JointVisit]) -> dict[int, AgencyFigures]:
    out: dict[int, AgencyFigures] = {}
    names = dict(Agency.objects.values_list("pk", "name"))

    def row(agency_id: int) -> AgencyFigures:
        if agency_id not in out:
            out[agency_id] = AgencyFigures(
                agency_id,
                names.get(agency_id, str(agency_id)),
                spot_check_results=dict.fromkeys(Outcome.values, 0),
                outcomes=dict.fromkeys(Outcome.values, 0),
            )
        return out[agency_id]

    for agency_id, month, outcome, spot, n in (
        records.annotate(month=ExtractMonth("checked_on"), spot=Q(task__isnull=False))
        .values_list("agency_id", "month", "outcome", "spot")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        r = row(agency_id)
        r.inspections += n
        r.months[month - 1] += n
        r.outcomes[outcome] += n
        if spot:
            r.spot_checks += n
            r.spot_check_results[outcome] += n
    # A joint visit counts for every agency taking part; the visits saved go to the lead agency.
    done = visits.filter(status=VisitStatus.DONE)
    through = JointVisit.agencies.through
    for agency_id, n in (
        through.objects.filter(jointvisit__in=done.values("pk"))
        .values("agency_id")
        .annotate(n=Count("pk"))
        .values_list("agency_id", "n")
        .order_by()
    ):
        row(agency_id).joint_visits += n
    for lead_id, saved in done.values_list("lead_agency_id", "agency_count").order_by():
        row(lead_id).visits_saved += max(saved - 1, 0)
    return out


def annual_figures(year: int) -> list[dict]:
    """Per-agency counts of the year for the annual disclosure report.

    Each row: ``agency_id``, ``agency``, ``inspections`` (records), ``spot_checks``
    (records of drawn tasks), ``spot_check_results`` (outcome -> count),
    ``joint_visits`` (visits done, for each agency taking part) and
    ``visits_saved`` (visits that would have been made separately minus the one
    made, credited to the lead agency).
    """
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    figures = _figures(
        InspectionRecord.objects.filter(checked_on__range=(first, last)),
        JointVisit.objects.filter(record__checked_on__range=(first, last)),
    )
    return [f.as_dict() for f in sorted(figures.values(), key=lambda f: f.agency_id)]


def statistics(user, year: int) -> dict:
    """The statistics page: per agency and month, outcomes, spot checks and joint visits, in the user's scope."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    records = InspectionRecord.objects.visible_to(user).filter(checked_on__range=(first, last))
    visits = JointVisit.objects.visible_to(user).filter(record__checked_on__range=(first, last))
    figures = sorted(_figures(records, visits).values(), key=lambda f: (-f.inspections, f.agency))
    totals = {
        "inspections": sum(f.inspections for f in figures),
        "spot_checks": sum(f.spot_checks for f in figures),
        "joint_visits": visits.filter(status=VisitStatus.DONE).count(),
        "visits_saved": sum(f.visits_saved for f in figures),
        "outcomes": {o: sum(f.outcomes[o] for f in figures) for o in Outcome.values},
        "months": [sum(f.months[m] for f in figures) for m in range(12)],
    }
    plans = CheckPlan.objects.visible_to(user).filter(period_start__year=year)
    totals["plans"] = plans.count()
    totals["plans_published"] = plans.filter(status=PlanStatus.PUBLISHED).count()
    return {"year": year, "agencies": figures, "totals": totals, "outcome_labels": dict(Outcome.choices)}


def finding_agencies(record: InspectionRecord) -> list[int]:
    return sorted(set(RecordFinding.objects.filter(record=record).values_list("agency_id", flat=True)))


def plans_to_publish(user) -> QuerySet[CheckPlan]:
    """Plans in progress whose every task is recorded: their results are to be published."""
    return (
        CheckPlan.objects.visible_to(user)
        .filter(status=PlanStatus.IN_PROGRESS)
        .exclude(tasks__status=TaskStatus.PENDING)
        .order_by("publish_due", "pk")
    )
