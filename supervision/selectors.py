"""Reads of case-file review: plans, assignments, the case file beside the scoring form, what the
system checks by itself, results (per file, agency, rubric item), coverage of the year, the annual line.

Lists run a constant number of queries (select_related / prefetch_related here).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.access import get_visible_or_404, scope_for
from enforcement.cases.deadlines import STEP_LABELS
from enforcement.cases.documents.pdf import case_file_entries
from enforcement.cases.models import (
    Case,
    CaseDocument,
    CaseStatus,
    DocumentKind,
    Outcome,
    Procedure,
    Publication,
    ReviewResult,
)
from enforcement.cases.services.evidence import evidence_verify
from enforcement.models.agencies import SQUADRON_KINDS, TOWNSHIP_KINDS, Agency, Certificate
from enforcement.models.events import Event
from enforcement.workdays import SHANGHAI
from supervision.choices import Check, Grade, PlanStatus, RectificationStatus
from supervision.models import (
    Assignment,
    Rectification,
    RectificationItem,
    ReviewPlan,
    RubricGroup,
    SampledFile,
    Score,
    ScoreDeduction,
    ScoreVeto,
)
from supervision.permissions import is_judicial_reviewer

REVIEWED_STATES = (PlanStatus.IN_REVIEW, PlanStatus.PUBLISHED, PlanStatus.CLOSED)
GRADES = [Grade.EXCELLENT, Grade.GOOD, Grade.PASS, Grade.FAIL]


def plan_list(user) -> QuerySet[ReviewPlan]:
    return (ReviewPlan.objects.visible_to(user).select_related("organiser", "lead", "rubric")
            .annotate(n_files=Count("files", distinct=True)).order_by("-year", "-id"))


def plan_detail(user, pk: int) -> ReviewPlan:
    return get_visible_or_404(ReviewPlan.objects.select_related("organiser", "lead", "rubric"), user, pk=pk)


def plan_files(plan: ReviewPlan) -> QuerySet[SampledFile]:
    return (plan.files.select_related("case", "agency", "settled_by")
            .prefetch_related(Prefetch("assignments", queryset=Assignment.objects.select_related(
                "reviewer", "score").order_by("ordinal")))
            .order_by("position"))


def scored_count(plan: ReviewPlan) -> int:
    return plan.files.exclude(grade="").filter(gap_flag=False).count()


def my_assignments(user) -> QuerySet[Assignment]:
    return (Assignment.objects.filter(reviewer=user, sampled__plan__status__in=(PlanStatus.DRAWN,
                                                                                  PlanStatus.IN_REVIEW))
            .select_related("sampled__case", "sampled__agency", "sampled__plan", "score")
            .order_by("sampled__plan_id", "sampled__position"))


def scores_visible_to(user) -> QuerySet[Score]:
    """The scores a user may read: their own, those of the plans they lead; a superuser all (pages and API)."""
    if user is None or not user.is_authenticated:
        return Score.objects.none()
    if user.is_superuser:
        return Score.objects.all()
    return Score.objects.filter(Q(assignment__reviewer=user) | Q(assignment__sampled__plan__lead=user))


def score_for(user, pk: int) -> Score:
    """A score its reviewer opens (or the plan's lead reads); 404 for anyone else."""
    score = (scores_visible_to(user).select_related(
        "assignment__reviewer", "assignment__sampled__case__agency", "assignment__sampled__plan__rubric",
        "assignment__sampled__plan__lead").filter(pk=pk).first())
    if score is None:
        raise Http404
    return score


def rubric_groups(rubric) -> list[RubricGroup]:
    return list(rubric.groups.prefetch_related("items").order_by("order", "id"))


# --- the case file beside the form -----------------------------------------------------------------


@dataclass
class DeadlineRecord:
    label: str
    due: dt.datetime | None
    done: dt.date | dt.datetime | None
    met: bool | None  # None: not due yet / not applicable


def _day(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(SHANGHAI).date()
    return value


def deadline_record(case: Case, publication: Publication | None = None) -> list[DeadlineRecord]:
    """Each legal time limit of the case and whether it was met (from the due times the case recorded)."""
    rows = []
    today = timezone.localdate()

    def add(key, due, done):
        if due is None:
            return
        due_day = _day(due)
        if done is not None:
            met = _day(done) <= due_day
        else:
            met = False if today > due_day else None
        rows.append(DeadlineRecord(str(STEP_LABELS.get(key, key)), due, done, met))

    add("decide", case.decide_due_at, case.decided_on)
    add("service", case.service_due_at, case.served_on)
    if case.payment_due_at and case.fine_amount:
        add("payment", case.payment_due_at, case.executed_on)
    if case.needs_publication:
        add("publication", case.publication_due_at, publication.published_at if publication else None)
    if case.is_summary:
        add("summary_record", case.summary_record_due_at, case.summary_recorded_on)
    return rows


def expected_documents(case: Case) -> list[str]:
    """The documents a file of this kind must hold (ordinary procedure, Administrative Penalty Law ch. V)."""
    if case.procedure == Procedure.SUMMARY:
        return [DocumentKind.SUMMARY_DECISION]
    kinds = [DocumentKind.FILING_APPROVAL]
    if case.outcome == Outcome.PENALTY:
        kinds += [DocumentKind.ADVANCE_NOTICE, DocumentKind.DECISION, DocumentKind.SERVICE_RECEIPT]
    elif case.outcome in (Outcome.NO_PENALTY, Outcome.FIRST_OFFENSE):
        kinds += [DocumentKind.NO_PENALTY_DECISION]
    elif case.outcome == Outcome.TRANSFER:
        kinds += [DocumentKind.TRANSFER_LETTER]
    if case.is_major and case.outcome == Outcome.PENALTY:
        kinds.append(DocumentKind.LEGAL_REVIEW_OPINION)
    if case.status in (CaseStatus.CLOSED, CaseStatus.ARCHIVED) and case.procedure == Procedure.ORDINARY:
        kinds.append(DocumentKind.CLOSING_APPROVAL)
    return kinds


@dataclass
class CaseFile:
    case: Case
    entries: list
    evidence: list[tuple[object, bool]]
    events: list[Event]
    deadlines: list[DeadlineRecord]
    findings: dict[str, list[str]] = field(default_factory=dict)


def case_file_for_review(case: Case) -> CaseFile:
    """The case file as a reviewer reads it, and what the system finds by itself (``findings``: check -> reasons)."""
    entries = case_file_entries(case)
    evidence = [(e.obj, _verified(e.obj)) for e in entries if e.kind == "evidence"]
    events = list(Event.objects.for_object(case).select_related("actor", "actor_agency"))
    publication = Publication.objects.filter(case=case).first()
    deadlines = deadline_record(case, publication)
    findings: dict[str, list[str]] = defaultdict(list)
    for d in deadlines:
        if d.met is False:
            findings[Check.DEADLINE_MISSED].append(_("%(step)s超期（期限 %(due)s）") % {
                "step": d.label, "due": timezone.localtime(d.due).strftime("%Y-%m-%d")})
    present = set(CaseDocument.objects.filter(case=case).values_list("kind", flat=True))
    for kind in expected_documents(case):
        if kind not in present:
            findings[Check.DOCUMENTS_MISSING].append(_("缺少%(doc)s") % {"doc": DocumentKind(kind).label})
    if case.is_major and not case.legal_reviews.filter(result=ReviewResult.PASSED).exists():
        findings[Check.REVIEW_SKIPPED].append(_("重大案件未经法制审核通过（《行政处罚法》第五十八条）"))
    if case.needs_deliberation and case.procedure == Procedure.ORDINARY and not case.deliberations.exists() \
            and case.outcome == Outcome.PENALTY:
        findings[Check.DELIBERATION_SKIPPED].append(_("重大/复杂案件未经集体讨论（《行政处罚法》第五十七条）"))
    day = case.filed_on or case.decided_on
    if day:
        for co in case.case_officers.select_related("officer"):
            valid = Certificate.objects.valid_on(day).filter(officer_id=co.officer_id).exists()
            if not valid:
                findings[Check.CERTIFICATE_EXPIRED].append(
                    _("%(name)s（证号 %(number)s）%(day)s无有效执法证（《行政处罚法》第四十二条）") % {
                        "name": co.officer.get_full_name() or co.officer.username, "number": co.certificate_number,
                        "day": day.isoformat()})
    for e, ok in evidence:
        if ok is False:
            findings[Check.EVIDENCE_ALTERED].append(_("证据“%(title)s”文件校验不符") % {"title": e.title})
    return CaseFile(case=case, entries=entries, evidence=evidence, events=events, deadlines=deadlines,
                    findings=dict(findings))


def _verified(evidence) -> bool | None:
    try:
        return evidence_verify(evidence)
    except (OSError, ValueError):
        return False


def suggestions(rubric_groups_, vetoes, findings: dict[str, list[str]]) -> tuple[dict, dict]:
    """Pre-marks: item id -> (points, reason) and veto id -> reason for every check the system found."""
    items = {}
    for group in rubric_groups_:
        for item in group.items.all():
            if item.auto_check and item.auto_check in findings:
                items[item.pk] = (item.max_deduction, "；".join(findings[item.auto_check]))
    veto_marks = {v.pk: "；".join(findings[v.auto_check]) for v in vetoes if v.auto_check and v.auto_check in findings}
    return items, veto_marks


# --- results ---------------------------------------------------------------------------------------


@dataclass
class AgencyResult:
    agency: Agency
    files: int
    average: Decimal | None
    grades: dict[str, int]
    vetoes: int
    rank: int = 0


def _q(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP)


def results_by_agency(plan: ReviewPlan) -> list[AgencyResult]:
    """Per agency: files, average, grade distribution, vetoes, rank by average (1 = best; ties share)."""
    rows = (plan.files.values("agency_id").annotate(
        n=Count("pk"), avg=Avg("final_score"), vetoes=Count("pk", filter=Q(vetoed=True)),
        **{g: Count("pk", filter=Q(grade=g)) for g in GRADES},
    ).order_by())
    agencies = Agency.objects.in_bulk([r["agency_id"] for r in rows])
    out = [AgencyResult(agencies[r["agency_id"]], r["n"], _q(r["avg"]), {g: r[g] for g in GRADES}, r["vetoes"])
           for r in rows]
    out.sort(key=lambda a: (a.average is None, -(a.average or 0), a.agency.sort_order, a.agency.code))
    previous, rank = None, 0
    for n, a in enumerate(out, start=1):
        if a.average != previous:
            rank, previous = n, a.average
        a.rank = rank
    return out


def results_by_item(plan: ReviewPlan) -> list[dict]:
    """Per rubric item: how many files lost points on it, the points, and by agency (most common first)."""
    rows = (ScoreDeduction.objects.filter(score__assignment__sampled__plan=plan, score__status="submitted",
                                          points__gt=0)
            .values("item_id", "item__code", "item__text", "item__group__name", "score__assignment__sampled__agency_id")
            .annotate(n=Count("score__assignment__sampled_id", distinct=True), points=Sum("points")).order_by())
    agencies = dict(Agency.objects.filter(pk__in={r["score__assignment__sampled__agency_id"] for r in rows})
                    .values_list("pk", "name"))
    items: dict[int, dict] = {}
    for r in rows:
        entry = items.setdefault(r["item_id"], {"code": r["item__code"], "text": r["item__text"],
                                                "group": r["item__group__name"], "files": 0, "points": Decimal(0),
                                                "by_agency": []})
        entry["files"] += r["n"]
        entry["points"] += r["points"]
        entry["by_agency"].append((agencies[r["score__assignment__sampled__agency_id"]], r["n"]))
    vetoes = (ScoreVeto.objects.filter(score__assignment__sampled__plan=plan, score__status="submitted")
              .values("veto__code", "veto__text").annotate(n=Count("score__assignment__sampled_id", distinct=True))
              .order_by("veto__code"))
    out = sorted(items.values(), key=lambda e: (-e["files"], e["code"]))
    for e in out:
        e["by_agency"].sort(key=lambda p: (-p[1], p[0]))
    for v in vetoes:
        out.append({"code": v["veto__code"], "text": v["veto__text"], "group": _("否决项"), "files": v["n"],
                    "points": None, "by_agency": [], "veto": True})
    return out


def grade_totals(plan: ReviewPlan) -> dict[str, int]:
    counts = Counter(plan.files.values_list("grade", flat=True))
    return {g: counts.get(g, 0) for g in GRADES}


def results_visible_to(user, plan: ReviewPlan) -> bool:
    return is_judicial_reviewer(user) or plan.status in (PlanStatus.PUBLISHED, PlanStatus.CLOSED)


def files_for_viewer(user, plan: ReviewPlan) -> QuerySet[SampledFile]:
    """The judicial bureau sees every file's result; an agency its own files."""
    qs = plan_files(plan)
    if is_judicial_reviewer(user):
        return qs
    return qs.filter(agency_id__in=scope_for(user).agency_ids)


# --- coverage of the year and the annual line ------------------------------------------------------


def reviewable_agencies() -> QuerySet[Agency]:
    """Townships and squadrons that handle cases (at least one decided): each is reviewed at least once a year."""
    return (Agency.objects.active().filter(kind__in=(*TOWNSHIP_KINDS, *SQUADRON_KINDS))
            .filter(pk__in=Case.objects.filter(decided_on__isnull=False).order_by().values("agency_id"))
            .order_by("sort_order", "code"))


def coverage(year: int) -> list[dict]:
    """Each reviewable agency and the plans of ``year`` that reviewed it (three queries)."""
    reviewed: dict[int, list[ReviewPlan]] = defaultdict(list)
    plans = {p.pk: p for p in ReviewPlan.objects.filter(year=year, status__in=REVIEWED_STATES)}
    for agency_id, plan_id in (SampledFile.objects.filter(plan_id__in=plans).values_list("agency_id", "plan_id")
                               .distinct()):
        reviewed[agency_id].append(plans[plan_id])
    return [{"agency": a, "plans": reviewed.get(a.pk, [])} for a in reviewable_agencies()]


def unreviewed_agencies(year: int) -> list[Agency]:
    return [row["agency"] for row in coverage(year) if not row["plans"]]


def rectification_list(user, *, status: str = "") -> QuerySet[Rectification]:
    qs = Rectification.objects.visible_to(user).select_related("agency", "plan", "sampled__case", "reviewer")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-issued_at", "-id")


def rectification_detail(user, pk: int) -> Rectification:
    qs = Rectification.objects.select_related("agency", "plan", "sampled__case", "reviewer").prefetch_related(
        Prefetch("items", queryset=RectificationItem.objects.select_related("answered_by")
                 .prefetch_related("attachments").order_by("order")))
    return get_visible_or_404(qs, user, pk=pk)


def annual_summary(year: int) -> dict:
    """Figures of the year's case-file review for the annual disclosure report."""
    files = SampledFile.objects.filter(plan__year=year, plan__status__in=(PlanStatus.PUBLISHED, PlanStatus.CLOSED))
    agg = files.aggregate(n=Count("pk"), avg=Avg("final_score"), agencies=Count("agency_id", distinct=True),
                          vetoes=Count("pk", filter=Q(vetoed=True)),
                          **{g: Count("pk", filter=Q(grade=g)) for g in GRADES})
    notices = Rectification.objects.filter(plan__year=year)
    return {
        "year": year, "files": agg["n"], "agencies": agg["agencies"], "average": _q(agg["avg"]),
        "grades": {g: agg[g] for g in GRADES}, "vetoes": agg["vetoes"],
        "rectifications": notices.count(),
        "rectified": notices.filter(status=RectificationStatus.ACCEPTED).count(),
    }


def summary_line(year: int) -> str:
    """One sentence for the annual disclosure report."""
    s = annual_summary(year)
    if not s["files"]:
        return _("%(year)s年未公布案卷评查结果。") % {"year": year}
    return _(
        "%(year)s年评查%(agencies)s个单位的行政处罚案卷%(files)s份，平均得分%(average)s分，"
        "其中优秀%(excellent)s份、良好%(good)s份、合格%(pass)s份、不合格%(fail)s份；"
        "下发整改通知%(notices)s份，已整改通过%(rectified)s份。"
    ) % {"year": year, "agencies": s["agencies"], "files": s["files"], "average": s["average"],
         "excellent": s["grades"][Grade.EXCELLENT], "good": s["grades"][Grade.GOOD],
         "pass": s["grades"][Grade.PASS], "fail": s["grades"][Grade.FAIL],
         "notices": s["rectifications"], "rectified": s["rectified"]}
