"""Legal deadlines of cases, with the article each comes from, and the warning sweep (亮灯).

Each deadline is a :class:`Rule`: an amount in a unit of
``enforcement.workdays.Unit`` (or years, for the limitation period) and the
provision it comes from. The defaults below are the law's; an administrator
may override any of them in the ``CaseDeadlineRule`` table (admin site), e.g.
when a province sets a different period. Every time limit is computed by
``enforcement.workdays.deadline_for`` (ARCHITECTURE.md "Time and deadlines").

:func:`sweep_case_warnings` moves open cases to yellow (``WARNING_YELLOW_SHARE``
of the allowed time used) and red (past due) for the most urgent pending step
(deciding, serving, paying, publishing, withdrawing a publication, recording a
summary decision), in grouped set-based updates, and notifies the handlers once
per change (reason ``case.warning.<level>.<step>``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enforcement.cases.models import (
    OPEN_STATES,
    PENDING_DECISION_STATES,
    Case,
    CaseDeadlineRule,
    CaseStatus,
    Outcome,
    WarningLevel,
)
from enforcement.catalogue.models import PenaltyKind
from enforcement.models.agencies import Membership, Role
from enforcement.workdays import SHANGHAI, Deadline, Unit, add_years, deadline_for

YEARS = "years"


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    amount: int
    unit: str
    article: str
    extend_past_holiday: bool = False

    @property
    def unit_label(self) -> str:
        if self.unit == YEARS:
            return str(_("年"))
        return str(Unit(self.unit).label)

    def describe(self) -> str:
        return f"{self.amount} {self.unit_label}"


DEFAULT_RULES: dict[str, Rule] = {
    r.key: r
    for r in (
        Rule("decide", gettext_lazy("作出处罚决定"), 90, Unit.CALENDAR_DAYS,
             gettext_lazy("《行政处罚法》第六十条：自立案之日起九十日内作出行政处罚决定")),
        Rule("hearing_request", gettext_lazy("当事人申请听证"), 5, Unit.WORKING_DAYS,
             gettext_lazy("《行政处罚法》第六十四条第（一）项：当事人在告知后五日内提出听证要求")),
        Rule("hearing_notice", gettext_lazy("听证通知提前"), 7, Unit.CALENDAR_DAYS,
             gettext_lazy("《行政处罚法》第六十四条第（二）项：在举行听证的七日前通知当事人")),
        Rule("service", gettext_lazy("送达处罚决定书"), 7, Unit.CALENDAR_DAYS,
             gettext_lazy("《行政处罚法》第六十一条：当事人不在场的，七日内送达")),
        Rule("payment", gettext_lazy("缴纳罚款"), 15, Unit.CALENDAR_DAYS,
             gettext_lazy("《行政处罚法》第六十七条第三款：自收到决定书之日起十五日内缴纳罚款")),
        Rule("publication", gettext_lazy("公开处罚决定"), 7, Unit.WORKING_DAYS,
             gettext_lazy("《行政处罚法》第四十八条；国办发〔2018〕118号：作出决定之日起七个工作日内公开")),
        Rule("withdrawal", gettext_lazy("撤回已公开的决定"), 3, Unit.WORKING_DAYS,
             gettext_lazy("国办发〔2018〕118号：决定被变更、撤销或确认违法的，三日内撤回公开信息")),
        Rule("summary_record", gettext_lazy("当场处罚备案"), 5, Unit.WORKING_DAYS,
             gettext_lazy("《行政处罚法》第五十二条：当场作出的行政处罚决定报所属行政机关备案（期限为本县规定）")),
        Rule("limitation", gettext_lazy("追责时效"), 2, YEARS,
             gettext_lazy("《行政处罚法》第三十六条：违法行为在二年内未被发现的，不再给予行政处罚")),
        Rule("limitation_safety", gettext_lazy("追责时效（涉及生命健康、金融安全）"), 5, YEARS,
             gettext_lazy("《行政处罚法》第三十六条：涉及公民生命健康安全、金融安全且有危害后果的，延长至五年")),
    )
}


def rules() -> dict[str, Rule]:
    """Every rule: the defaults with the administrator's active overrides (one small query)."""
    out = dict(DEFAULT_RULES)
    for row in CaseDeadlineRule.objects.filter(is_active=True):
        if row.key in out:
            out[row.key] = Rule(row.key, row.label or out[row.key].label, row.amount, row.unit,
                                row.article or out[row.key].article, row.extend_past_holiday)
    return out


def rule(key: str) -> Rule:
    return rules()[key]


def due(key: str, start: dt.date | dt.datetime, *, extra_days: int = 0) -> Deadline:
    """The deadline of rule ``key`` counted from ``start`` (the start day itself does not count)."""
    r = rule(key)
    if r.unit == YEARS:
        day = add_years(start if not isinstance(start, dt.datetime) else start.astimezone(SHANGHAI).date(), r.amount)
        return Deadline(at=dt.datetime.combine(day, dt.time.max, tzinfo=SHANGHAI))
    if extra_days and r.unit == Unit.CALENDAR_DAYS:
        return deadline_for(start, r.amount + extra_days, r.unit, extend_past_holiday=r.extend_past_holiday)
    return deadline_for(start, r.amount, r.unit, extend_past_holiday=r.extend_past_holiday)


def decide_due(case: Case) -> dt.datetime | None:
    """Art. 60: 90 days from filing, plus approved extensions, plus the days the case was suspended."""
    if case.filed_on is None:
        return None
    return due("decide", case.filed_on, extra_days=case.extension_days + case.suspended_days).at


def earliest_hearing_day(notified_on: dt.date) -> dt.date:
    """Art. 64(2): the party is told at least seven days before the hearing."""
    return due("hearing_notice", notified_on).date


# --- warnings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingStep:
    key: str
    start: dt.datetime
    due: dt.datetime

    def level(self, now: dt.datetime, share: float) -> str:
        if now > self.due:
            return WarningLevel.RED
        if now >= self.start + (self.due - self.start) * share:
            return WarningLevel.YELLOW
        return WarningLevel.NONE


STEP_LABELS = {
    "decide": gettext_lazy("作出决定"),
    "service": gettext_lazy("送达决定书"),
    "payment": gettext_lazy("缴纳罚款"),
    "publication": gettext_lazy("公开决定"),
    "withdrawal": gettext_lazy("撤回公开"),
    "summary_record": gettext_lazy("当场处罚备案"),
}


def _start_of(day: dt.date | None, fallback: dt.datetime) -> dt.datetime:
    if day is None:
        return fallback
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def pending_steps(case: Case, *, published: bool | None = None, withdrawn: bool | None = None) -> list[PendingStep]:
    """The steps of ``case`` that still have to happen by a deadline ("decided but not served", ...)."""
    steps: list[PendingStep] = []
    created = case.created_at or timezone.now()
    status = case.status
    if status in PENDING_DECISION_STATES and case.decide_due_at and case.suspended_since is None:
        steps.append(PendingStep("decide", _start_of(case.filed_on, created), case.decide_due_at))
    if status == CaseStatus.DECIDED and case.service_due_at:
        steps.append(PendingStep("service", _start_of(case.decided_on, created), case.service_due_at))
    if (status == CaseStatus.SERVED and case.payment_due_at and case.outcome == Outcome.PENALTY
            and PenaltyKind.FINE in (case.penalty_kinds or [])):
        steps.append(PendingStep("payment", _start_of(case.served_on, created), case.payment_due_at))
    if case.needs_publication and case.publication_due_at and published is False and status != CaseStatus.ARCHIVED:
        steps.append(PendingStep("publication", _start_of(case.decided_on, created), case.publication_due_at))
    if case.withdrawal_due_at and published and withdrawn is False:
        steps.append(PendingStep("withdrawal", case.withdrawal_due_at - dt.timedelta(days=3), case.withdrawal_due_at))
    if case.is_summary and case.summary_record_due_at and case.summary_recorded_on is None and status in OPEN_STATES:
        steps.append(PendingStep("summary_record", _start_of(case.decided_on, created), case.summary_record_due_at))
    return steps


def yellow_share() -> float:
    share = float(getattr(settings, "WARNING_YELLOW_SHARE", 0.8))
    return min(max(share, 0.0), 1.0)


_RANK = {WarningLevel.NONE: 0, WarningLevel.YELLOW: 1, WarningLevel.RED: 2}


def warning_for(case: Case, now: dt.datetime, **flags) -> tuple[str, str, dt.datetime | None]:
    """(level, step key, due) of the most urgent pending step of ``case`` at ``now``."""
    share = yellow_share()
    best: tuple[str, str, dt.datetime | None] = (WarningLevel.NONE, "", None)
    for step in sorted(pending_steps(case, **flags), key=lambda s: s.due):
        level = step.level(now, share)
        if _RANK[level] > _RANK[best[0]]:
            best = (level, step.key, step.due)
        elif best[0] == WarningLevel.NONE and not best[1]:
            best = (WarningLevel.NONE, step.key, step.due)
    return best


@dataclass
class SweepResult:
    changed: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    notified: int = 0

    def as_dict(self) -> dict:
        return {"changed": {k: len(v) for k, v in self.changed.items()}, "notified": self.notified}


def _candidates():
    from django.db.models import Q

    return (
        Case.objects.filter(
            Q(status__in=OPEN_STATES) | Q(needs_publication=True) | Q(withdrawal_due_at__isnull=False)
            | ~Q(warning_level=WarningLevel.NONE)
        )
        .select_related("publication")
        .only(
            "pk", "number", "filing_number", "decision_number", "status", "procedure", "agency_id", "created_at",
            "filed_on", "decided_on", "served_on", "decide_due_at", "service_due_at", "payment_due_at",
            "publication_due_at", "withdrawal_due_at", "summary_record_due_at", "summary_recorded_on",
            "suspended_since", "needs_publication", "outcome", "penalty_kinds", "warning_level", "warning_key",
            "warning_due_at", "publication__withdrawn_at", "publication__id",
        )
    )


def _flags(case: Case) -> dict:
    publication = getattr(case, "publication", None) if _has_publication(case) else None
    return {"published": publication is not None, "withdrawn": bool(publication and publication.withdrawn_at)}


def _has_publication(case: Case) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return case.publication is not None
    except ObjectDoesNotExist:
        return False


def sweep_case_warnings(now: dt.datetime | None = None) -> SweepResult:
    """Recompute every open case's warning; update the changed ones by groups; notify once per change."""
    now = now or timezone.now()
    result = SweepResult()
    groups: dict[tuple[str, str, dt.datetime | None], list[int]] = defaultdict(list)
    for case in _candidates().iterator(chunk_size=500):
        level, key, due_at = warning_for(case, now, **_flags(case))
        if level == WarningLevel.NONE:
            key, due_at = "", None
        if (level, key, due_at) != (case.warning_level, case.warning_key, case.warning_due_at):
            groups[(level, key, due_at)].append(case.pk)
    with transaction.atomic():
        for (level, key, due_at), ids in groups.items():
            Case.objects.filter(pk__in=ids).update(
                warning_level=level, warning_key=key, warning_due_at=due_at, warning_changed_at=now
            )
            result.changed[level].extend(ids)
            if level != WarningLevel.NONE:
                result.notified += _notify(ids, level, key, due_at)
    return result


def _recipients(cases: list[Case]) -> dict[int, list]:
    """case id -> its officers and the leaders of its agency (two queries)."""
    from enforcement.cases.models import CaseOfficer

    out: dict[int, dict[int, object]] = defaultdict(dict)
    for co in CaseOfficer.objects.filter(case_id__in=[c.pk for c in cases]).select_related("officer"):
        if co.officer.is_active:
            out[co.case_id][co.officer_id] = co.officer
    leaders = defaultdict(list)
    for m in (
        Membership.objects.active()
        .filter(agency_id__in={c.agency_id for c in cases}, role__in=[Role.TOWNSHIP_LEADER, Role.SQUADRON_LEADER])
        .select_related("user")
    ):
        leaders[m.agency_id].append(m.user)
    for c in cases:
        for user in leaders.get(c.agency_id, []):
            out[c.pk][user.pk] = user
    return {k: list(v.values()) for k, v in out.items()}


def case_url(pk: int) -> str:
    """The case page (empty while the pages are not installed)."""
    from django.urls import NoReverseMatch

    try:
        return reverse("cases:detail", args=[pk])
    except NoReverseMatch:
        return ""


def _notify(ids: list[int], level: str, key: str, due_at: dt.datetime | None) -> int:
    from enforcement.notifications import Message, notify_each

    cases = list(Case.objects.filter(pk__in=ids).only("pk", "number", "filing_number", "decision_number",
                                                      "agency_id"))
    recipients = _recipients(cases)
    step = STEP_LABELS.get(key, key)
    article = rule(key).article
    due_text = timezone.localtime(due_at).strftime("%Y-%m-%d") if due_at else ""
    messages = []
    for case in cases:
        if level == WarningLevel.YELLOW:
            title = _("案件 %(number)s 即将到期（黄灯）：%(step)s") % {"number": case.display_number, "step": step}
        else:
            title = _("案件 %(number)s 已超期（红灯）：%(step)s") % {"number": case.display_number, "step": step}
        messages.append(
            Message(
                recipients=recipients.get(case.pk, []),
                subject=case,
                reason=f"case.warning.{level}.{key}",
                title=title,
                body=_("%(step)s期限：%(due)s（%(article)s）。")
                % {"step": step, "due": due_text, "article": article},
                url=case_url(case.pk),
            )
        )
    # One bulk send for the whole group, not one round of queries per case.
    return len(notify_each(messages))
