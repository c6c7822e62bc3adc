"""Demo seed step: last year's closed case-file review and this year's review in progress.

* **Last year** (year = today's year - 1): every township and squadron with a
  closed case file decided in the period is covered (one file each, two for
  the first few); the files are scored through the services in every grade
  (excellent, good, pass, fail) and one is vetoed; results are published and
  the plan closed (the reviewers' access ends). Rectification notices were
  answered and accepted, except one, left overdue (red after the sweep).
* **This year**: a plan in review, drawn over the last twelve months; a few
  files scored, the rest waiting for ``judicial_reviewer1`` (the lead) and
  the other two reviewers.

Built relative to today, through the real services (so draws, grants,
events and notices are all real); then the dates of last year's steps are
moved back into last year (demo rows, like the case demo's history).
Idempotent: a plan whose title exists is left alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.cases.models import Case, CaseStatus
from enforcement.demo import seed_step
from enforcement.models import Agency, AgencyKind, Membership
from enforcement.workdays import SHANGHAI, Unit, deadline_for
from supervision.choices import ItemStatus, RectificationStatus
from supervision.models import Rectification, RectificationItem, ReviewPlan, RubricItem, Score, VetoItem
from supervision.permissions import AGENCY_ROLES
from supervision.services import plans as plan_svc
from supervision.services.rectification import (
    item_answer,
    rectification_check,
    rectification_submit,
    sweep_rectification_warnings,
)
from supervision.services.rubrics import create_default_rubric
from supervision.services.scoring import score_save, score_submit

User = get_user_model()
SEED_LAST, SEED_THIS = 20250301, 20260301
REVIEWERS = ("judicial_reviewer1", "judicial_reviewer2", "judicial_reviewer3")

# Scoring profiles in turn: (deductions by item code, vetoes) -> 94 excellent, 85 good, 70 pass, 55 fail.
PROFILES: list[tuple[dict[str, int], tuple[str, ...]]] = [
    ({"G2": 2, "H1": 2, "J1": 2}, ()),
    ({"B1": 5, "G1": 4, "J1": 3, "H1": 3}, ()),
    ({"B1": 8, "C1": 8, "E2": 5, "G1": 6, "F1": 3}, ()),
    ({"B1": 8, "C1": 8, "C2": 7, "E2": 5, "F1": 10, "G1": 6, "D1": 1}, ()),
    ({"G2": 1}, ("V6",)),
]


@seed_step
def seed_supervision(stdout, password: str) -> None:
    today = timezone.localdate()
    reviewers = list(User.objects.filter(username__in=REVIEWERS).order_by("username"))
    judicial = Agency.objects.filter(kind=AgencyKind.JUDICIAL_BUREAU).first()
    # The data migration ships it; a database flushed by a transactional test run lacks it.
    rubric = create_default_rubric()
    if len(reviewers) < 2 or judicial is None:
        stdout.write(_("案卷评查：缺少司法局评查员或评查标准，跳过。"))
        return
    lead = reviewers[0]
    last_title = _("%(year)s年度行政处罚案卷评查") % {"year": today.year - 1}
    this_title = _("%(year)s年度行政处罚案卷评查") % {"year": today.year}
    done = []
    if not ReviewPlan.objects.filter(title=last_title).exists():
        start = today.replace(year=today.year - 2) if not (today.month == 2 and today.day == 29) else \
            dt.date(today.year - 2, 2, 28)
        plan = _last_year(lead, reviewers, judicial, rubric, last_title, start, dt.date(today.year - 1, 12, 31),
                          today)
        if plan is not None:
            done.append(plan)
    if not ReviewPlan.objects.filter(title=this_title).exists():
        plan = _this_year(lead, reviewers, judicial, rubric, this_title, today - dt.timedelta(days=365),
                          today - dt.timedelta(days=1))
        if plan is not None:
            done.append(plan)
    stdout.write(_("案卷评查：%(n)s 个评查方案（%(titles)s）") % {
        "n": len(done), "titles": "、".join(p.title for p in done) or _("已存在")})


def _agencies(start: dt.date, end: dt.date) -> list[Agency]:
    """Townships and squadrons with a closed case file decided in the period (the draw's population)."""
    ids = (Case.objects.filter(decided_on__range=(start, end), status__in=(CaseStatus.CLOSED, CaseStatus.ARCHIVED))
           .filter(Q(agency__kind__in=(AgencyKind.TOWN, AgencyKind.SUBDISTRICT))
                   | Q(agency__kind__in=(AgencyKind.SQUADRON_STATIONED, AgencyKind.SQUADRON_DIRECT)))
           .order_by().values_list("agency_id", flat=True).distinct())
    return list(Agency.objects.filter(pk__in=ids).order_by("pk"))


def _plan(lead, reviewers, judicial, rubric, title, start, end, seed, year, **rule):
    agencies = _agencies(start, end)
    if not agencies:
        return None
    plan = plan_svc.plan_create(
        by=lead, reviewers=reviewers, agencies=agencies, year=year, title=title, organiser=judicial, lead=lead,
        rubric=rubric, period_start=start, period_end=end, seed=seed, **rule,
    )
    plan = plan_svc.plan_draw(plan, by=lead)
    return plan_svc.plan_start(plan, by=lead)


def _score(score: Score, profile: int) -> Score:
    deductions, vetoes = PROFILES[profile % len(PROFILES)]
    rubric = score.assignment.sampled.plan.rubric
    items = {i.code: i.pk for i in RubricItem.objects.filter(group__rubric=rubric)}
    veto_items = {v.code: v.pk for v in VetoItem.objects.filter(rubric=rubric)}
    reason = _("卷内材料显示存在该问题。")
    score = score_save(score, by=score.assignment.reviewer,
                       deductions={items[c]: (Decimal(p), reason) for c, p in deductions.items()},
                       vetoes={veto_items[c]: _("适用的处罚依据与违法事实不符。") for c in vetoes},
                       comment=_("案卷总体规范，个别问题需整改。"))
    return score_submit(score, by=score.assignment.reviewer)


def _scores(plan):
    return list(Score.objects.filter(assignment__sampled__plan=plan).select_related(
        "assignment__reviewer", "assignment__sampled__plan__rubric").order_by("assignment__sampled__position"))


def _last_year(lead, reviewers, judicial, rubric, title, start, end, today):
    plan = _plan(lead, reviewers, judicial, rubric, title, start, end, SEED_LAST, today.year - 1,
                 sample_count=1, sample_min=1, rectify_threshold=Decimal(20), rectify_days=15)
    if plan is None:
        return None
    for n, score in enumerate(_scores(plan)):
        _score(score, n)
    plan = plan_svc.plan_publish(plan, by=lead)
    notices = list(Rectification.objects.filter(plan=plan).order_by("pk"))
    officers = _agency_officers({n.agency_id for n in notices})
    # Last year's dates: published on 20 November, rectified within 15 working days.
    published = dt.datetime(today.year - 1, 11, 20, 10, tzinfo=SHANGHAI)
    due = deadline_for(published, plan.rectify_days, Unit.WORKING_DAYS).at
    Rectification.objects.filter(plan=plan).update(issued_at=published, due_at=due)
    overdue = notices[-1] if notices else None
    for notice in notices:
        if notice == overdue or notice.agency_id not in officers:
            continue
        notice.refresh_from_db()
        officer = officers[notice.agency_id]
        for item in notice.items.all():
            item_answer(item, by=officer, answer=_("已对照问题补正文书并组织全体执法人员学习。"))
        notice = rectification_submit(notice, by=officer)
        rectification_check(notice, by=notice.reviewer,
                            decisions={i.pk: (True, "") for i in notice.items.all()})
    answered_at = published + dt.timedelta(days=10)
    RectificationItem.objects.filter(notice__plan=plan, status=ItemStatus.ACCEPTED).update(answered_at=answered_at)
    Rectification.objects.filter(plan=plan, status=RectificationStatus.ACCEPTED).update(
        answered_at=answered_at, accepted_at=answered_at + dt.timedelta(days=2))
    plan = plan_svc.plan_close(plan, by=lead)
    ReviewPlan.objects.filter(pk=plan.pk).update(
        drawn_at=published - dt.timedelta(days=40), published_at=published,
        closed_at=dt.datetime(today.year - 1, 12, 31, 17, tzinfo=SHANGHAI),
        review_from=(published - dt.timedelta(days=40)).date(), review_to=published.date(),
    )
    sweep_rectification_warnings()
    return plan


def _this_year(lead, reviewers, judicial, rubric, title, start, end):
    plan = _plan(lead, reviewers, judicial, rubric, title, start, end, SEED_THIS, timezone.localdate().year,
                 sample_count=2, sample_min=1, second_reviewer=False)
    if plan is None:
        return None
    # A few files scored already (one of each profile), the rest waiting.
    for n, score in enumerate(_scores(plan)[: len(PROFILES)]):
        if score.assignment.reviewer != lead:
            _score(score, n)
    return plan


def _agency_officers(agency_ids) -> dict:
    out = {}
    for m in (Membership.objects.active().filter(agency_id__in=agency_ids, role__in=AGENCY_ROLES)
              .select_related("user").order_by("role", "pk")):
        out.setdefault(m.agency_id, m.user)
    return out


# isort: split
# Performance evaluation's demo step runs after the review's (it reads the review results).
from supervision.evaluation import demo as evaluation_demo  # noqa: E402, F401

# isort: split
# After the review step above: the disclosure report counts the review results.
from supervision.disclosure import demo as _disclosure_demo  # noqa: E402, F401
