"""Review plans: create, draw (reproducibly), start, publish results, close.

The draw (:func:`compute_draw`) is deterministic given the plan and the
database, so anyone can repeat it (``manage.py review_draw PLAN_ID --check``):

1. **Agencies**: the plan's agencies, or by default every township and
   squadron that decided a case in the period; taken in ascending id order.
2. **Population** of each agency: its cases decided in the period
   (``decided_on`` between the period's first and last day) that are closed or
   archived, filtered by procedure and major/ordinary when the plan says so,
   in ascending case id order.
3. **How many**: the plan's number, or ``ceil(share% x population)``; at
   least the minimum, at most the maximum, never more than the population.
4. **Generator**: one ``random.Random(plan.seed)`` (Python's Mersenne
   Twister) for the whole plan; for each agency in turn
   ``rng.sample(population, n)``, the files keep the order drawn.
5. **Reviewers**, continuing with the same generator: for each file in draw
   order, the pool (ascending user id) minus conflicts (the reviewer belongs
   to the file's agency, or took part in the case as officer, approver or
   legal reviewer, or is already on the file); among those with the fewest
   files so far, ``rng.choice``. A second reviewer the same way when the plan
   asks for two.

The digest stored on the plan is the SHA-256 of the lines
``position agency_id case_id reviewer_id[,reviewer_id]``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enforcement.access import grant, revoke, scope_for
from enforcement.cases.models import ApprovalStep, Case, CaseOfficer, CaseStatus, LegalReview
from enforcement.errors import ValidationFailed
from enforcement.models.agencies import SQUADRON_KINDS, TOWNSHIP_KINDS, Agency, Membership
from enforcement.notifications import notify_many
from enforcement.workdays import Unit, deadline_for
from enforcement.workflow import lock_as_seen, perform_transition, record_event
from supervision.choices import Grade, ItemStatus, MajorFilter, PlanStatus
from supervision.models import (
    Assignment,
    Rectification,
    RectificationItem,
    ReviewPlan,
    SampledFile,
    Score,
    ScoreDeduction,
    ScoreVeto,
)
from supervision.permissions import AGENCY_ROLES
from supervision.services.rubrics import check_rubric

GRANT_PERM = "enforcement.view_case_file"

# The algorithm of the module docstring, as the plan page shows it (keep the two in step).
DOC_ALGORITHM = [
    gettext_lazy("被评查单位：方案指定的单位；未指定时为评查期内作出过处罚决定的"
                 "全部乡镇（街道）和中队；按单位编号升序。"),
    gettext_lazy("案卷总体：每个单位在评查期内作出决定、已结案或已归档的案件"
                 "（按方案限定程序和案件类别），按案件编号（id）升序排列。"),
    gettext_lazy("抽取件数：方案规定的件数，或总体数乘以比例后向上取整；"
                 "不少于最少件数、不多于最多件数，且不超过总体数。"),
    gettext_lazy("随机数发生器：Python random.Random(随机种子)（梅森旋转算法），整个方案共用一个；"
                 "逐个单位调用 sample(总体, 件数)，按抽出顺序编号。"),
    gettext_lazy("分配评查人员：沿用同一发生器，按抽取顺序逐卷从评查人员库（按用户编号升序）中"
                 "排除本单位人员和参与过该案（承办、审批、法制审核、决定）的人员，"
                 "在已分配件数最少者中用 choice 选取；需两名评查人的再选一次。"),
    gettext_lazy("复核：python manage.py review_draw 方案编号 --check 按上述规则重新计算，"
                 "结果与保存的不一致时以非零状态退出。"),
]
REVIEWABLE_STATES = (CaseStatus.CLOSED, CaseStatus.ARCHIVED)


@dataclass
class DrawnFile:
    position: int
    agency_id: int
    case_id: int
    reviewer_ids: list[int] = field(default_factory=list)


@dataclass
class Draw:
    files: list[DrawnFile]
    agencies: list[int]

    @property
    def digest(self) -> str:
        lines = "\n".join(
            f"{f.position} {f.agency_id} {f.case_id} {','.join(map(str, f.reviewer_ids))}" for f in self.files
        )
        return hashlib.sha256(lines.encode()).hexdigest()


# --- create --------------------------------------------------------------------------------------


def plan_create(*, by, reviewers, agencies=(), **values) -> ReviewPlan:
    """A new plan in draft. ``seed`` defaults to a fresh random number, stored so the draw can be repeated."""
    values.setdefault("seed", random.SystemRandom().randrange(1, 2**53))
    _check_rule(values)
    with transaction.atomic():
        plan = ReviewPlan.objects.create(**values)
        plan.reviewers.set(reviewers)
        plan.agencies.set(agencies)
        record_event(plan, "create", by=by, data={"seed": plan.seed})
    return plan


def plan_update(plan: ReviewPlan, *, by, reviewers=None, agencies=None, **values) -> ReviewPlan:
    """Edit a plan while in draft."""
    _check_rule({**{k: getattr(plan, k) for k in ("sample_count", "sample_share")}, **values})
    with transaction.atomic():
        locked = lock_as_seen(plan)
        if locked.status != PlanStatus.DRAFT:
            raise ValidationFailed(_("评查方案已抽取案卷，不能修改；如需修改请先退回草拟。"))
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save()
        if reviewers is not None:
            locked.reviewers.set(reviewers)
        if agencies is not None:
            locked.agencies.set(agencies)
        record_event(locked, "update", by=by)
    return locked


def _check_rule(values: dict) -> None:
    if not values.get("sample_count") and values.get("sample_share") in (None, ""):
        raise ValidationFailed(_("请填写每单位抽取件数或抽取比例。"), field="sample_count")


# --- the draw ------------------------------------------------------------------------------------


def default_agencies(plan: ReviewPlan) -> list[int]:
    """Townships and squadrons that decided a case in the plan's period (ascending id)."""
    ids = (
        Case.objects.filter(decided_on__range=(plan.period_start, plan.period_end),
                            agency__kind__in=(*TOWNSHIP_KINDS, *SQUADRON_KINDS))
        .order_by().values_list("agency_id", flat=True).distinct()
    )
    return sorted(ids)


def _population_filter(plan: ReviewPlan) -> Q:
    where = Q(decided_on__range=(plan.period_start, plan.period_end), status__in=REVIEWABLE_STATES)
    if plan.procedure:
        where &= Q(procedure=plan.procedure)
    if plan.major == MajorFilter.MAJOR:
        where &= Q(is_major=True) | Q(is_complex=True)
    elif plan.major == MajorFilter.ORDINARY:
        where &= Q(is_major=False, is_complex=False)
    return where


def sample_size(plan: ReviewPlan, population: int) -> int:
    if plan.sample_count:
        n = plan.sample_count
    else:
        n = math.ceil(Decimal(population) * Decimal(plan.sample_share or 0) / Decimal(100))
    n = max(n, plan.sample_min or 0)
    if plan.sample_max:
        n = min(n, plan.sample_max)
    return min(n, population)


def compute_draw(plan: ReviewPlan) -> Draw:
    """The files and reviewers the plan's seed picks (see the module docstring); refuses with the agency named."""
    agency_ids = sorted(plan.agencies.values_list("pk", flat=True)) or default_agencies(plan)
    if not agency_ids:
        raise ValidationFailed(_("评查期内没有作出过决定的乡镇（街道）或中队，无案卷可抽取。"))
    names = dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "name"))
    population: dict[int, list[int]] = defaultdict(list)
    rows = (Case.objects.filter(_population_filter(plan), agency_id__in=agency_ids)
            .order_by("agency_id", "id").values_list("agency_id", "id"))
    for agency_id, case_id in rows.iterator(chunk_size=20000):
        population[agency_id].append(case_id)
    empty = [names[a] for a in agency_ids if not population.get(a)]
    if empty:
        raise ValidationFailed(
            _("以下单位在评查期内没有符合条件的已结案案卷，无法抽取：%(names)s。") % {"names": "、".join(empty)}
        )
    rng = random.Random(plan.seed)
    files: list[DrawnFile] = []
    for agency_id in agency_ids:
        cases = population[agency_id]
        for case_id in rng.sample(cases, sample_size(plan, len(cases))):
            files.append(DrawnFile(len(files) + 1, agency_id, case_id))
    _assign_reviewers(plan, files, rng, names)
    return Draw(files=files, agencies=agency_ids)


def _assign_reviewers(plan: ReviewPlan, files: list[DrawnFile], rng: random.Random, names: dict) -> None:
    pool = list(plan.reviewers.filter(is_active=True).order_by("pk"))
    if not pool:
        raise ValidationFailed(_("评查方案尚未指定评查人员。"), field="reviewers")
    home = {u.pk: scope_for(u).agency_ids for u in pool}
    took_part = conflicts_of([f.case_id for f in files])
    load = dict.fromkeys(home, 0)
    per_file = 2 if plan.second_reviewer else 1
    for f in files:
        for _n in range(per_file):
            eligible = [u for u in home if f.agency_id not in home[u] and u not in took_part.get(f.case_id, ())
                        and u not in f.reviewer_ids]
            if not eligible:
                raise ValidationFailed(
                    _("评查人员库无法在回避的前提下覆盖“%(agency)s”的案卷，请增加评查人员。")
                    % {"agency": names.get(f.agency_id, f.agency_id)}, field="reviewers",
                )
            least = min(load[u] for u in eligible)
            chosen = rng.choice([u for u in eligible if load[u] == least])
            f.reviewer_ids.append(chosen)
            load[chosen] += 1


def conflicts_of(case_ids: list[int]) -> dict[int, set[int]]:
    """case id -> users who took part in it: officers, approvers, legal reviewers, the decider (four queries)."""
    out: dict[int, set[int]] = defaultdict(set)
    for case_id, user_id in CaseOfficer.objects.filter(case_id__in=case_ids).values_list("case_id", "officer_id"):
        out[case_id].add(user_id)
    for case_id, user_id in (ApprovalStep.objects.filter(case_id__in=case_ids, decided_by__isnull=False)
                             .values_list("case_id", "decided_by_id")):
        out[case_id].add(user_id)
    for case_id, user_id in (LegalReview.objects.filter(case_id__in=case_ids, reviewer__isnull=False)
                             .values_list("case_id", "reviewer_id")):
        out[case_id].add(user_id)
    for case_id, *users in Case.objects.filter(pk__in=case_ids).values_list(
            "pk", "decided_by_id", "justification_approved_by_id", "created_by_id"):
        out[case_id].update(u for u in users if u)
    return out


def stored_draw(plan: ReviewPlan) -> Draw:
    files = []
    reviewers: dict[int, list[int]] = defaultdict(list)
    for sampled_id, reviewer_id in (Assignment.objects.filter(sampled__plan=plan).order_by("sampled_id", "ordinal")
                                    .values_list("sampled_id", "reviewer_id")):
        reviewers[sampled_id].append(reviewer_id)
    for pk, position, agency_id, case_id in (plan.files.order_by("position")
                                             .values_list("pk", "position", "agency_id", "case_id")):
        files.append(DrawnFile(position, agency_id, case_id, reviewers[pk]))
    return Draw(files=files, agencies=sorted({f.agency_id for f in files}))


def plan_draw(plan: ReviewPlan, *, by) -> ReviewPlan:
    """Draw the files and assign reviewers (draft -> drawn); each reviewer may then open their files."""
    check_rubric(plan.rubric)
    draw = compute_draw(plan)
    with transaction.atomic():
        plan = perform_transition(plan, "draw", by=by, digest=draw.digest, data={
            "seed": plan.seed, "files": len(draw.files), "agencies": len(draw.agencies), "digest": draw.digest,
        })
        sampled = SampledFile.objects.bulk_create([
            SampledFile(plan=plan, case_id=f.case_id, agency_id=f.agency_id, position=f.position)
            for f in draw.files
        ])
        assignments = Assignment.objects.bulk_create([
            Assignment(sampled=s, reviewer_id=r, ordinal=n, granted=True)
            for s, f in zip(sampled, draw.files, strict=True) for n, r in enumerate(f.reviewer_ids, start=1)
        ])
        Score.objects.bulk_create([Score(assignment=a) for a in assignments])
        _grant(assignments)
    return plan


def plan_reopen(plan: ReviewPlan, *, by, note: str = "") -> ReviewPlan:
    """Throw the draw away (drawn -> draft): only then can the plan be changed and drawn again."""
    with transaction.atomic():
        plan = perform_transition(plan, "reopen", by=by, note=note)
        assignments = list(Assignment.objects.filter(sampled__plan=plan))
        _revoke(plan, assignments)
        plan.files.all().delete()
    return plan


def plan_start(plan: ReviewPlan, *, by) -> ReviewPlan:
    with transaction.atomic():
        plan = perform_transition(plan, "start", by=by)
        reviewers = list(get_user_model().objects.filter(
            pk__in=Assignment.objects.filter(sampled__plan=plan).values("reviewer_id")))
        notify_many(reviewers, reason="review.plan.started", subject=plan,
                    title=_("案卷评查开始：%(title)s") % {"title": plan.title},
                    body=_("您有待评查的案卷，请在评查期内完成评分。"), url=_url("supervision:my-files"))
    return plan


def plan_publish(plan: ReviewPlan, *, by) -> ReviewPlan:
    """Publish the results (in review -> published): every file scored; rectification notices issued."""
    unscored = list(plan.files.filter(Q(grade="") | Q(gap_flag=True)).select_related("case", "agency")
                    .order_by("position")[:6])
    if unscored:
        total = plan.files.filter(Q(grade="") | Q(gap_flag=True)).count()
        listed = "、".join(f"{f.agency.name} {f.case.display_number}" for f in unscored[:5])
        raise ValidationFailed(_("尚有%(n)s份案卷未完成评分（或评分差异待裁定），不能公布结果：%(list)s。")
                               % {"n": total, "list": listed})
    with transaction.atomic():
        plan = perform_transition(plan, "publish", by=by)
        notices = _issue_rectifications(plan, by=by)
        agencies = set(plan.files.values_list("agency_id", flat=True))
        members = {m.user for m in Membership.objects.active().filter(agency_id__in=agencies,
                                                                        role__in=AGENCY_ROLES).select_related("user")}
        notify_many(sorted(members, key=lambda u: u.pk), reason="review.plan.published", subject=plan,
                    title=_("案卷评查结果已公布：%(title)s") % {"title": plan.title},
                    body=_("本单位被评查案卷的结果已公布，共下发整改通知%(n)s份。") % {"n": len(notices)},
                    url=_url("supervision:plan-results", plan.pk))
    return plan


def plan_close(plan: ReviewPlan, *, by) -> ReviewPlan:
    """Close the plan: the reviewers' access to its case files ends."""
    with transaction.atomic():
        plan = perform_transition(plan, "close", by=by)
        _revoke(plan, list(Assignment.objects.filter(sampled__plan=plan, granted=True)))
    return plan


def _grant(assignments: list[Assignment]) -> None:
    by_reviewer: dict[int, list[int]] = defaultdict(list)
    case_of = dict(SampledFile.objects.filter(pk__in={a.sampled_id for a in assignments}).values_list("pk", "case_id"))
    for a in assignments:
        by_reviewer[a.reviewer_id].append(case_of[a.sampled_id])
    users = get_user_model().objects.in_bulk(list(by_reviewer))
    for reviewer_id, case_ids in by_reviewer.items():
        # One bulk insert per reviewer (guardian assigns on a queryset).
        grant(GRANT_PERM, users[reviewer_id], Case.objects.filter(pk__in=case_ids))


def _revoke(plan: ReviewPlan, assignments: list[Assignment]) -> None:
    """Take back the grants of ``assignments``, except where another open plan still assigns the same file."""
    by_reviewer: dict[int, set[int]] = defaultdict(set)
    case_of = dict(SampledFile.objects.filter(pk__in={a.sampled_id for a in assignments}).values_list("pk", "case_id"))
    for a in assignments:
        by_reviewer[a.reviewer_id].add(case_of[a.sampled_id])
    users = get_user_model().objects.in_bulk(list(by_reviewer))
    for reviewer_id, case_ids in by_reviewer.items():
        still = set(Assignment.objects.filter(
            reviewer_id=reviewer_id, sampled__case_id__in=case_ids, granted=True,
        ).exclude(sampled__plan=plan).exclude(sampled__plan__status=PlanStatus.CLOSED)
            .values_list("sampled__case_id", flat=True))
        drop = case_ids - still
        if drop:
            revoke(GRANT_PERM, users[reviewer_id], Case.objects.filter(pk__in=drop))
    Assignment.objects.filter(pk__in=[a.pk for a in assignments]).update(granted=False)


def _url(name: str, *args) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- rectification notices at publication ----------------------------------------------------------


def _issue_rectifications(plan: ReviewPlan, *, by) -> list[Rectification]:
    """One notice per failed file and per file whose deductions pass the plan's threshold."""
    due = deadline_for(timezone.now(), plan.rectify_days, Unit.WORKING_DAYS).at
    files = list(plan.files.filter(Q(grade=Grade.FAIL) | Q(deductions__gt=plan.rectify_threshold))
                 .select_related("case").order_by("position"))
    if not files:
        return []
    first_reviewer = dict(Assignment.objects.filter(sampled__in=files, ordinal=1)
                          .values_list("sampled_id", "reviewer_id"))
    deductions = defaultdict(list)
    for d in (ScoreDeduction.objects.filter(score__assignment__sampled__in=files, points__gt=0)
              .select_related("item", "score__assignment").order_by("item__group__order", "item__order")):
        deductions[d.score.assignment.sampled_id].append(d)
    vetoes = defaultdict(list)
    for v in (ScoreVeto.objects.filter(score__assignment__sampled__in=files)
              .select_related("veto", "score__assignment").order_by("veto__order")):
        vetoes[v.score.assignment.sampled_id].append(v)
    notices = []
    for f in files:
        reason = _("评查不合格") if f.grade == Grade.FAIL else _("扣分合计%(points)s分，超过%(limit)s分") % {
            "points": f.deductions, "limit": plan.rectify_threshold}
        notice = Rectification.objects.create(
            plan=plan, sampled=f, agency_id=f.agency_id, reviewer_id=first_reviewer[f.pk],
            number=f"ZG-{plan.year}-{plan.pk:03d}-{f.position:04d}", reason=reason, due_at=due,
        )
        texts: list[str] = []
        for v in vetoes[f.pk]:
            line = _("【否决项】%(code)s %(text)s") % {"code": v.veto.code, "text": v.veto.text}
            texts.append(f"{line}：{v.comment}" if v.comment else line)
        for d in deductions[f.pk]:
            line = _("%(code)s %(text)s（扣%(points)s分）") % {"code": d.item.code, "text": d.item.text,
                                                             "points": d.points}
            texts.append(f"{line}：{d.comment}" if d.comment else line)
        texts = list(dict.fromkeys(texts)) or [reason]
        RectificationItem.objects.bulk_create([
            RectificationItem(notice=notice, order=n, text=t, status=ItemStatus.OPEN)
            for n, t in enumerate(texts, start=1)
        ])
        record_event(notice, "issue", by=by, data={"case": f.case_id, "items": len(texts)})
        notices.append(notice)
    return notices


def draw_check(plan: ReviewPlan) -> tuple[bool, Draw, Draw]:
    """Recompute the draw and compare it with the stored one."""
    stored = stored_draw(plan)
    fresh = compute_draw(plan)
    return fresh.digest == stored.digest and fresh.digest == (plan.draw_digest or stored.digest), fresh, stored


def today_local() -> dt.date:
    return timezone.localdate()
