"""Demo seed step: last year's unit ratings and officers' assessment records.

For year Y = today's year - 1 (whatever today is): the annual periods of Y and of this year; every
township's evaluation of the units that served it in Y (stationed squadrons at least); every rated
unit's rating entered and published by ``admin`` (townships' share + the bureau's items with reasons),
the first of them then corrected (superseded, with a note; both stay visible); training records and
exam results of Y for the township and squadron officers (one exam failed); the township's yearly
form for each officer stationed in it. Scores come from fixed sequences, so two runs write the same
rows; an existing rating of Y means the step has run and is left alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.demo import seed_step
from enforcement.models import Agency, AgencyKind, Membership, Role
from supervision.evaluation import selectors, services
from supervision.evaluation.choices import RATED_KINDS
from supervision.evaluation.models import QualificationExam, TrainingRecord, UnitRating

User = get_user_model()
UNIT_SCORES = (92, 86, 78, 95, 81, 88, 74, 90)
ITEM_SCORES = ((90, 85, 80), (82, 88, 76), (95, 90, 92), (70, 78, 85), (88, 80, 90))
OFFICER_SCORES = (93, 85, 88, 79, 91, 84)
REASONS = (
    _("全年承办工单按时办结率较高，台账完整。"),
    _("执法程序规范，案卷评查无否决项。"),
    _("队伍培训和考勤落实到位。"),
)


@seed_step
def seed_evaluation(stdout, password: str) -> None:
    today = timezone.localdate()
    year = today.year - 1
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        stdout.write(_("考核评价：缺少管理员账号，跳过。"))
        return
    services.ensure_defaults()
    period = services.period_for_year(year)
    services.period_for_year(today.year)
    if UnitRating.objects.filter(period=period).exists():
        stdout.write(_("考核评价：%(year)s 年度评定已存在。") % {"year": year})
        return
    townships = list(Agency.objects.townships().active().order_by("sort_order", "code"))
    leaders = _leaders(townships)
    n = 0
    for township in townships:
        leader = leaders.get(township.pk)
        if leader is None:
            continue
        for unit in selectors.units_serving(township.pk, period):
            services.township_unit_evaluate(
                period=period,
                township=township,
                unit=unit,
                score=UNIT_SCORES[n % len(UNIT_SCORES)],
                comment=_("响应及时，处置到位。"),
                by=leader,
            )
            n += 1
    units = list(Agency.objects.filter(kind__in=RATED_KINDS, is_active=True).order_by("sort_order", "code"))
    ratings = []
    for i, unit in enumerate(units):
        scheme = services.scheme_for(unit)
        scores = {
            item.pk: (Decimal(ITEM_SCORES[i % len(ITEM_SCORES)][k % 3]), REASONS[k % 3])
            for k, item in enumerate(scheme.items.all())
        }
        rating = services.rating_save(period=period, unit=unit, scores=scores, by=admin)
        ratings.append((services.rating_publish(rating, by=admin), scores))
    if ratings:
        first, scores = ratings[0]
        corrected = {
            pk: (score + 2 if k == 0 else score, reason) for k, (pk, (score, reason)) in enumerate(scores.items())
        }
        services.rating_correct(
            first, scores=corrected, note=_("复核发现工作实绩漏计一项重点任务，加 2 分。"), by=admin
        )
    officers = _officers(year, leaders)
    stdout.write(
        _("考核评价：%(year)s 年度 %(units)s 个单位评定（1 个已更正）、%(forms)s 份乡镇评价、%(officers)s 名人员考核")
        % {"year": year, "units": len(ratings), "forms": n, "officers": officers}
    )


def _leaders(townships) -> dict:
    out = {}
    for m in (
        Membership.objects.active()
        .filter(agency__in=townships, role=Role.TOWNSHIP_LEADER)
        .select_related("user")
        .order_by("pk")
    ):
        out.setdefault(m.agency_id, m.user)
    return out


def _officers(year: int, leaders: dict) -> int:
    """Training, exams and the townships' yearly forms of year ``year``."""
    rows = selectors.officers_assessed(year)
    for k, a in enumerate(rows):
        officer = a.officer
        TrainingRecord.objects.get_or_create(
            officer=officer,
            day=dt.date(year, 4, 10),
            title=_("《行政处罚法》专题培训"),
            defaults={"hours": Decimal(8 + k % 3 * 4), "organiser": _("县综合行政执法局")},
        )
        TrainingRecord.objects.get_or_create(
            officer=officer,
            day=dt.date(year, 9, 20),
            title=_("执法文书制作规范"),
            defaults={"hours": Decimal(6), "organiser": _("县司法局")},
        )
        failed = k == 1
        QualificationExam.objects.get_or_create(
            officer=officer,
            year=year,
            defaults={
                "taken_on": dt.date(year, 10, 15),
                "score": Decimal(52 if failed else 78 + k % 20),
                "passed": not failed,
            },
        )
        if a.stationed_in is not None and a.township_evaluation is None:
            leader = leaders.get(a.stationed_in.pk)
            if leader is not None and a.agency.kind == AgencyKind.SQUADRON_STATIONED:
                services.township_officer_evaluate(
                    officer=officer,
                    township=a.stationed_in,
                    year=year,
                    score=OFFICER_SCORES[k % len(OFFICER_SCORES)],
                    comments=_("服从乡镇统一调度，处置问题及时。"),
                    recommendation="keep" if k % 4 else "promote",
                    by=leader,
                )
    return len(rows)
