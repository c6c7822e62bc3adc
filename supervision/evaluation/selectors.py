"""Reads of performance evaluation, in a constant number of queries whatever the number of units or officers.

Unit figures for a period [start, end] (tickets counted in the period in which they were received,
as in :mod:`dispatch.stats`):

* tickets handled (assigned to the unit), signed for on time, resolved on time;
* township verdicts: accepted, and rejected (each rejection sends the ticket back to be handled again:
  the sum of the tickets' reopenings), average score (1-5) of the accepted ones;
* returns (退单) made by the unit in the period (from the event log);
* public satisfaction: share of followed-up reporters "basically satisfied" or better;
* case-file review: average final score of the unit's files in plans whose period overlaps and whose
  results are published;
* rectifications overdue: notices due in the period answered late or not accepted by now.

Officer assessment for a year: the terms of :class:`~supervision.evaluation.choices.TermKey`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from dispatch.models import Ticket, Verdict
from dispatch.stats import GOOD_SATISFACTION, period_bounds
from enforcement.cases.choices import Outcome
from enforcement.cases.models import CaseOfficer
from enforcement.inspections.models import RecordOfficer
from enforcement.models import Agency, AgencyKind, Certificate, Event, Membership, Role
from enforcement.warnings.choices import WarningStatus
from enforcement.warnings.models import WarningNotice
from supervision.choices import Grade, PlanStatus
from supervision.evaluation.choices import RATED_KINDS, TermKey
from supervision.evaluation.choices import RatingStatus as S
from supervision.evaluation.models import (
    AssessmentTerm,
    QualificationExam,
    TownshipOfficerEvaluation,
    TownshipUnitEvaluation,
    TrainingRecord,
    UnitRating,
)
from supervision.models import Rectification, SampledFile

CENT = Decimal("0.01")

# Figures a ranking may be ordered by (higher is better, except where noted).
RANK_KEYS = ("avg_score", "on_time_rate", "accept_rate", "satisfaction_rate", "review_average", "received")


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class UnitFigures:
    unit: Agency
    received: int = 0
    accepted: int = 0
    accepted_on_time: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    verdicts_accepted: int = 0
    verdicts_rejected: int = 0
    score_sum: int = 0
    scored: int = 0
    returns: int = 0
    followed_up: int = 0
    satisfied: int = 0
    review_files: int = 0
    review_average: Decimal | None = None
    rectifications_overdue: int = 0
    rank: int = 0

    @property
    def accept_rate(self) -> float | None:
        return _rate(self.accepted_on_time, self.accepted)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.resolved_on_time, self.resolved)

    @property
    def avg_score(self) -> float | None:
        return round(self.score_sum / self.scored, 2) if self.scored else None

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied, self.followed_up)

    def as_dict(self) -> dict:
        return {
            "unit": self.unit.name,
            "unit_code": self.unit.code,
            "unit_kind": self.unit.kind,
            "rank": self.rank,
            "received": self.received,
            "accepted_on_time": self.accepted_on_time,
            "accept_rate": self.accept_rate,
            "resolved": self.resolved,
            "resolved_on_time": self.resolved_on_time,
            "on_time_rate": self.on_time_rate,
            "verdicts_accepted": self.verdicts_accepted,
            "verdicts_rejected": self.verdicts_rejected,
            "avg_score": self.avg_score,
            "returns": self.returns,
            "reopenings": self.verdicts_rejected,
            "satisfaction_rate": self.satisfaction_rate,
            "review_files": self.review_files,
            "review_average": self.review_average,
            "rectifications_overdue": self.rectifications_overdue,
        }


TICKET_AGGREGATES = {
    "received": Count("id"),
    "accepted": Count("id", filter=Q(accepted_at__isnull=False, accept_due__isnull=False)),
    "accepted_on_time": Count("id", filter=Q(accepted_at__isnull=False, accepted_at__lte=F("accept_due"))),
    "resolved": Count("id", filter=Q(resolved_at__isnull=False, resolve_due__isnull=False)),
    "resolved_on_time": Count("id", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("resolve_due"))),
    "verdicts_accepted": Count("id", filter=Q(verdict=Verdict.ACCEPTED)),
    "verdicts_rejected": Sum("reopen_count", default=0),
    "score_sum": Sum("verdict_score", default=0),
    "scored": Count("verdict_score"),
    "followed_up": Count("id", filter=~Q(satisfaction="")),
    "satisfied": Count("id", filter=Q(satisfaction__in=GOOD_SATISFACTION)),
}


def unit_figures(
    start: dt.date,
    end: dt.date,
    *,
    order: str = "avg_score",
    now: dt.datetime | None = None,
) -> list[UnitFigures]:
    """Every handling unit's figures for the period, ranked by ``order``: five queries in all."""
    begin, finish = period_bounds(start, end)
    now = now or timezone.now()
    units = list(Agency.objects.filter(kind__in=RATED_KINDS, is_active=True).order_by("sort_order", "code"))
    rows = {u.pk: UnitFigures(unit=u) for u in units}
    ids = list(rows)
    tickets = (
        Ticket.objects.filter(responsible_agency_id__in=ids, received_at__gte=begin, received_at__lt=finish)
        .order_by()
        .values("responsible_agency")
        .annotate(**TICKET_AGGREGATES)
    )
    for group in tickets:
        row = rows[group["responsible_agency"]]
        for name in TICKET_AGGREGATES:
            setattr(row, name, group[name])
    returns = (
        Event.objects.filter(
            content_type=ContentType.objects.get_for_model(Ticket),
            action="return_to_dispatch",
            at__gte=begin,
            at__lt=finish,
            actor_agency_id__in=ids,
        )
        .order_by()
        .values("actor_agency")
        .annotate(n=Count("id"))
    )
    for group in returns:
        rows[group["actor_agency"]].returns = group["n"]
    reviews = (
        SampledFile.objects.filter(
            agency_id__in=ids,
            final_score__isnull=False,
            plan__status__in=(PlanStatus.PUBLISHED, PlanStatus.CLOSED),
            plan__period_start__lte=end,
            plan__period_end__gte=start,
        )
        .order_by()
        .values("agency")
        .annotate(n=Count("id"), avg=Avg("final_score"))
    )
    for group in reviews:
        row = rows[group["agency"]]
        row.review_files = group["n"]
        row.review_average = Decimal(group["avg"]).quantize(Decimal("0.1"))
    overdue = (
        Rectification.objects.filter(agency_id__in=ids, due_at__gte=begin, due_at__lt=finish)
        .filter(Q(accepted_at__isnull=True, due_at__lt=now) | Q(accepted_at__gt=F("due_at")))
        .order_by()
        .values("agency")
        .annotate(n=Count("id"))
    )
    for group in overdue:
        rows[group["agency"]].rectifications_overdue = group["n"]
    return rank(list(rows.values()), order)


def rank(rows: list[UnitFigures], order: str) -> list[UnitFigures]:
    """Best first by ``order`` (units without the figure last, in the units' order); equal values share a rank."""
    key = order if order in RANK_KEYS else "avg_score"
    rows.sort(key=lambda r: (getattr(r, key) is None, -(getattr(r, key) or 0)))
    previous, position = object(), 0
    for n, row in enumerate(rows, start=1):
        value = getattr(row, key)
        if value != previous:
            position = n
            previous = value
        row.rank = position
    return rows


def bars(rows, attr: str, *, scale: float | None = None) -> list[dict]:
    """Chart bars: label, value and width in % of the largest value (or of ``scale``)."""
    values = [getattr(r, attr) for r in rows]
    top = scale or max((float(v) for v in values if v is not None), default=0) or 1
    return [
        {"label": r.unit.short_name or r.unit.name, "value": v, "width": round(float(v or 0) / top * 100, 1)}
        for r, v in zip(rows, values, strict=True)
    ]


def ratings(period) -> list[UnitRating]:
    """A period's ratings, current ones ranked by total, superseded ones beside them (two queries)."""
    rows = list(
        UnitRating.objects.filter(period=period)
        .select_related("unit", "supersedes")
        .prefetch_related("item_scores")
        .order_by("-total", "unit__sort_order", "unit__code", "pk")
    )
    current = [r for r in rows if r.status != S.SUPERSEDED]
    previous, position = None, 0
    for n, r in enumerate(current, start=1):
        if r.total != previous:
            position, previous = n, r.total
        r.rank = position
    for r in rows:
        if r.status == S.SUPERSEDED:
            r.rank = None
    return rows


# --- officers ------------------------------------------------------------------------------------

ASSESSED_ROLES = (Role.TOWNSHIP_OFFICER, Role.TOWNSHIP_LEADER, Role.SQUADRON_OFFICER, Role.SQUADRON_LEADER)


@dataclass
class Term:
    key: str
    label: str
    value: Decimal | None
    points_per_unit: Decimal
    cap: Decimal | None
    points: Decimal


@dataclass
class Assessment:
    officer: object
    year: int
    agency: Agency | None = None
    stationed_in: Agency | None = None
    values: dict[str, Decimal | None] = field(default_factory=dict)
    terms: list[Term] = field(default_factory=list)
    total: Decimal = Decimal("0")
    certificate: Certificate | None = None
    certificate_lapsed: bool = False
    exam: QualificationExam | None = None
    exam_failed: bool = False
    township_evaluation: TownshipOfficerEvaluation | None = None
    rank: int = 0

    @property
    def flagged(self) -> bool:
        return self.certificate_lapsed or self.exam_failed

    @property
    def name(self) -> str:
        return self.officer.get_full_name() or self.officer.get_username()


def term_points(value: Decimal | None, points: Decimal, cap: Decimal | None) -> Decimal:
    raw = (value or Decimal("0")) * points
    if cap is not None and abs(raw) > cap:
        raw = cap if raw > 0 else -cap
    return raw.quantize(CENT)


def officers_assessed(year: int, *, officer_ids=None, today: dt.date | None = None) -> list[Assessment]:
    """Each officer's assessment for ``year`` with every active term (about ten queries, whatever the count)."""
    today = today or timezone.localdate()
    day = min(dt.date(year, 12, 31), today)
    memberships = (
        Membership.objects.active()
        .filter(role__in=ASSESSED_ROLES)
        .select_related("user", "agency__stationed_in")
        .order_by("user_id", "pk")
    )
    if officer_ids is not None:
        memberships = memberships.filter(user_id__in=list(officer_ids))
    out: dict[int, Assessment] = {}
    for m in memberships:
        a = out.setdefault(m.user_id, Assessment(officer=m.user, year=year, agency=m.agency))
        if m.agency.kind == AgencyKind.SQUADRON_STATIONED and m.agency.stationed_in is not None:
            a.agency, a.stationed_in = m.agency, m.agency.stationed_in
    ids = list(out)
    values: dict[int, dict[str, Decimal | None]] = defaultdict(dict)

    decided = Q(case__decided_on__year=year)
    due_day = TruncDate("case__decide_due_at")
    cases = (
        CaseOfficer.objects.filter(officer_id__in=ids)
        .order_by()
        .values("officer_id")
        .annotate(
            handled=Count("case", filter=Q(case__filed_on__year=year)),
            penalty=Count("case", filter=decided & Q(case__outcome=Outcome.PENALTY)),
            no_penalty=Count("case", filter=decided & Q(case__outcome__in=(Outcome.NO_PENALTY, Outcome.FIRST_OFFENSE))),
            transferred=Count(
                "case", filter=Q(case__outcome=Outcome.TRANSFER) & (Q(case__transferred_on__year=year) | decided)
            ),
            met=Count("case", filter=decided & Q(case__decide_due_at__isnull=False, case__decided_on__lte=due_day)),
            missed=Count("case", filter=decided & Q(case__decide_due_at__isnull=False, case__decided_on__gt=due_day)),
        )
    )
    for row in cases:
        v = values[row["officer_id"]]
        v[TermKey.CASES_HANDLED] = row["handled"]
        v[TermKey.CASES_PENALTY] = row["penalty"]
        v[TermKey.CASES_NO_PENALTY] = row["no_penalty"]
        v[TermKey.CASES_TRANSFERRED] = row["transferred"]
        v[TermKey.DEADLINES_MET] = row["met"]
        v[TermKey.DEADLINES_MISSED] = row["missed"]
    reviews = (
        SampledFile.objects.filter(
            case__case_officers__officer_id__in=ids,
            final_score__isnull=False,
            plan__year=year,
            plan__status__in=(PlanStatus.PUBLISHED, PlanStatus.CLOSED),
        )
        .order_by()
        .values("case__case_officers__officer_id")
        .annotate(avg=Avg("final_score"), failed=Count("id", filter=Q(grade=Grade.FAIL)))
    )
    for row in reviews:
        v = values[row["case__case_officers__officer_id"]]
        v[TermKey.REVIEW_AVERAGE] = Decimal(row["avg"]).quantize(Decimal("0.1"))
        v[TermKey.REVIEW_FAILED] = row["failed"]
    begin, finish = period_bounds(dt.date(year, 1, 1), dt.date(year, 12, 31))
    tickets = (
        Event.objects.filter(
            content_type=ContentType.objects.get_for_model(Ticket),
            action="resolve",
            actor_id__in=ids,
            at__gte=begin,
            at__lt=finish,
        )
        .order_by()
        .values("actor_id")
        .annotate(n=Count("object_id", distinct=True))
    )
    for row in tickets:
        values[row["actor_id"]][TermKey.TICKETS_HANDLED] = row["n"]
    # Inspections (行政检查) the officer took part in, by the day of the inspection.
    inspections = (
        RecordOfficer.objects.filter(officer_id__in=ids, record__checked_on__year=year)
        .order_by()
        .values("officer_id")
        .annotate(n=Count("record", distinct=True))
    )
    for row in inspections:
        values[row["officer_id"]][TermKey.INSPECTIONS] = row["n"]
    # Warnings (预警执法) the officer issued in the year, and those the party then corrected.
    warning_officers = WarningNotice.officers.through.objects.filter(
        user_id__in=ids, warningnotice__issued_on__year=year
    )
    for row in (
        warning_officers.order_by()
        .values("user_id")
        .annotate(
            n=Count("warningnotice", distinct=True),
            corrected=Count("warningnotice", distinct=True, filter=Q(warningnotice__status=WarningStatus.CORRECTED)),
        )
    ):
        values[row["user_id"]][TermKey.WARNINGS_ISSUED] = row["n"]
        values[row["user_id"]][TermKey.WARNINGS_CORRECTED] = row["corrected"]
    training = (
        TrainingRecord.objects.filter(officer_id__in=ids, day__year=year)
        .order_by()
        .values("officer_id")
        .annotate(hours=Sum("hours"))
    )
    for row in training:
        values[row["officer_id"]][TermKey.TRAINING_HOURS] = row["hours"]
    for exam in QualificationExam.objects.filter(officer_id__in=ids, year=year):
        out[exam.officer_id].exam = exam
    for evaluation in TownshipOfficerEvaluation.objects.filter(officer_id__in=ids, year=year).select_related(
        "township"
    ):
        out[evaluation.officer_id].township_evaluation = evaluation
    certificates: dict[int, list[Certificate]] = defaultdict(list)
    for cert in Certificate.objects.filter(officer_id__in=ids).order_by("-valid_to", "pk"):
        certificates[cert.officer_id].append(cert)
    terms = list(AssessmentTerm.objects.filter(is_active=True).order_by("order", "key"))
    labels = dict(TermKey.choices)
    for officer_id, a in out.items():
        certs = certificates.get(officer_id, [])
        valid = [c for c in certs if c.is_valid_on(day)]
        a.certificate = (valid or certs or [None])[0]
        # Lapsed: no certificate valid on the year's last day (or today, for the current year).
        a.certificate_lapsed = not valid
        a.exam_failed = a.exam is not None and not a.exam.passed
        v = values[officer_id]
        v[TermKey.EXAM_FAILED] = 1 if a.exam_failed else 0
        v[TermKey.CERTIFICATE_LAPSED] = 1 if a.certificate_lapsed else 0
        v[TermKey.TOWNSHIP_SCORE] = a.township_evaluation.score if a.township_evaluation else None
        a.values = v
        for term in terms:
            value = v.get(term.key)
            if value is None and term.key not in (TermKey.REVIEW_AVERAGE, TermKey.TOWNSHIP_SCORE):
                value = 0
            value = Decimal(value) if value is not None else None
            a.terms.append(
                Term(
                    term.key,
                    str(labels.get(term.key, term.key)),
                    value,
                    term.points,
                    term.cap,
                    term_points(value, term.points, term.cap),
                )
            )
        a.total = sum((t.points for t in a.terms), Decimal("0"))
    rows = sorted(out.values(), key=lambda a: (-a.total, a.officer.username))
    previous, position = None, 0
    for n, a in enumerate(rows, start=1):
        if a.total != previous:
            position, previous = n, a.total
        a.rank = position
    return rows


def stationed_officers(township_ids, year: int) -> list[tuple]:
    """(officer, township, squadron, evaluation or None) of the officers stationed in these townships."""
    memberships = list(
        Membership.objects.active()
        .filter(
            role__in=(Role.SQUADRON_OFFICER, Role.SQUADRON_LEADER),
            agency__kind=AgencyKind.SQUADRON_STATIONED,
            agency__stationed_in_id__in=list(township_ids),
        )
        .select_related("user", "agency__stationed_in")
        .order_by("agency__stationed_in__sort_order", "agency__sort_order", "user__username")
    )
    done = {
        e.officer_id: e
        for e in TownshipOfficerEvaluation.objects.filter(officer_id__in=[m.user_id for m in memberships], year=year)
    }
    seen, out = set(), []
    for m in memberships:
        if m.user_id in seen:
            continue
        seen.add(m.user_id)
        out.append((m.user, m.agency.stationed_in, m.agency, done.get(m.user_id)))
    return out


def units_serving(township_id: int, period) -> list[Agency]:
    """Units that served a township in a period: stationed in it, or handled one of its tickets (one query)."""
    begin, finish = period_bounds(period.start, period.end)
    handled = Ticket.objects.filter(
        township_id=township_id, received_at__gte=begin, received_at__lt=finish, responsible_agency_id__isnull=False
    ).values("responsible_agency_id")
    return list(
        Agency.objects.filter(kind__in=RATED_KINDS, is_active=True)
        .filter(Q(stationed_in_id=township_id, kind=AgencyKind.SQUADRON_STATIONED) | Q(pk__in=handled))
        .order_by("sort_order", "code")
    )


# --- townships' forms (API lists) ------------------------------------------------------------------


def township_unit_evaluations(user):
    """The townships' evaluations of units this user may read, each with ``frozen`` (the rating is published)."""
    published = UnitRating.objects.filter(period=OuterRef("period"), unit=OuterRef("unit")).exclude(status=S.DRAFT)
    return (
        TownshipUnitEvaluation.objects.visible_to(user)
        .select_related("period", "township", "unit", "by")
        .annotate(frozen=Exists(published))
        .order_by("-at", "-id")  # one column and the id: keyset cursors work
    )


def township_officer_evaluations(user):
    """The townships' yearly forms of stationed officers this user may read."""
    return (
        TownshipOfficerEvaluation.objects.visible_to(user)
        .select_related("officer", "township", "by")
        .order_by("-year", "-id")
    )
