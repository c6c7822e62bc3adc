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
summary decision), in set-based updates by chunk (one per level and step), and notifies
the handlers once per change (reason ``case.warning.<level>.<step>``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import F
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
    Procedure,
    WarningLevel,
)
from enforcement.catalogue.models import PenaltyKind
from enforcement.links import detail_url
from enforcement.models.agencies import Membership, Role
from enforcement.workdays import SHANGHAI, Deadline, Unit, add_years, deadline_for, warn_time

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
             gettext_lazy("《行政处罚法》第六十四条第（一）项：当事人在告知后五日内提出听证要求；第八十五条：五日指工作日")),
        # Art. 85: "二日""三日""五日""七日" in this law are working days, statutory holidays excluded.
        Rule("hearing_notice", gettext_lazy("听证通知提前"), 7, Unit.WORKING_DAYS,
             gettext_lazy("《行政处罚法》第六十四条第（二）项：在举行听证的七日前通知当事人；"
                          "第八十五条：七日指工作日，不含法定节假日")),
        Rule("service", gettext_lazy("送达处罚决定书"), 7, Unit.WORKING_DAYS,
             gettext_lazy("《行政处罚法》第六十一条：当事人不在场的，七日内送达；第八十五条：七日指工作日，不含法定节假日")),
        Rule("payment", gettext_lazy("缴纳罚款"), 15, Unit.CALENDAR_DAYS,
             gettext_lazy("《行政处罚法》第六十七条第三款：自收到决定书之日起十五日内缴纳罚款")),
        Rule("publication", gettext_lazy("公开处罚决定"), 7, Unit.WORKING_DAYS,
             gettext_lazy("《行政处罚法》第四十八条；国办发〔2018〕118号：作出决定之日起七个工作日内公开")),
        Rule("withdrawal", gettext_lazy("撤回已公开的决定"), 3, Unit.WORKING_DAYS,
             gettext_lazy("《行政处罚法》第四十八条第二款：决定被依法变更、撤销、确认违法或者确认无效的，"
                          "应当在三日内撤回公开信息并公开说明理由；第八十五条：三日指工作日")),
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
        # Key and unit are choices checked by the admin form and the database (issue 13 point 15).
        if row.key in out and (row.unit in Unit.values or row.unit == YEARS):
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
    """Art. 64(2) with art. 85: the party is told at least seven *working* days before the hearing.

    The hearing may be held on the seventh working day after the notice at
    the earliest (the notice day itself does not count).
    """
    return due("hearing_notice", notified_on).date


# --- provisional deadlines (issue 13 point 13) --------------------------------------------------

# Stored due field -> the rule it is computed from.
DUE_FIELDS = {
    "decide_due_at": "decide",
    "hearing_request_due_at": "hearing_request",
    "service_due_at": "service",
    "payment_due_at": "payment",
    "publication_due_at": "publication",
    "withdrawal_due_at": "withdrawal",
    "summary_record_due_at": "summary_record",
}


def set_due(case: Case, values: dict, field: str, deadline: Deadline | None) -> None:
    """Put ``deadline`` into ``values[field]`` and keep ``provisional_deadlines`` in step with it."""
    values[field] = deadline.at if deadline is not None else None
    keys = set(values.get("provisional_deadlines", case.provisional_deadlines or []))
    if deadline is not None and deadline.provisional:
        keys.add(field)
    else:
        keys.discard(field)
    values["provisional_deadlines"] = sorted(keys)


def _start_of_due(case: Case, field: str) -> dt.date | None:
    from enforcement.cases.models import CHANGING_OUTCOMES

    if field == "hearing_request_due_at":
        return case.notice_served_on
    if field in ("service_due_at", "publication_due_at", "summary_record_due_at"):
        return case.decided_on
    if field == "payment_due_at":
        return case.served_on
    if field == "withdrawal_due_at":
        return (case.appeals.filter(outcome__in=CHANGING_OUTCOMES, concluded_on__isnull=False)
                .order_by("-concluded_on").values_list("concluded_on", flat=True).first())
    return None


def recomputed_due(case: Case, field: str) -> Deadline | None:
    """The deadline of ``field`` computed again from its start (None when its start is unknown)."""
    if field == "decide_due_at":
        if case.filed_on is None:
            return None
        return due("decide", case.filed_on, extra_days=case.extension_days + case.suspended_days)
    start = _start_of_due(case, field)
    return due(DUE_FIELDS[field], start) if start is not None else None


# --- warnings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingStep:
    key: str
    start: dt.datetime
    due: dt.datetime
    unit: str = Unit.CALENDAR_DAYS

    def warn_at(self, share: float) -> dt.datetime:
        """Yellow after ``share`` of the allowed time, counted in working time for working-day limits."""
        return warn_time(self.start, self.due, share, self.unit)

    def level(self, now: dt.datetime, share: float) -> str:
        if now > self.due:
            return WarningLevel.RED
        if now >= self.warn_at(share):
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


def _step(key: str, start: dt.datetime, due_at: dt.datetime, units: dict[str, str]) -> PendingStep:
    unit = units.get(key, Unit.CALENDAR_DAYS)
    unit = unit if unit in Unit.values else Unit.CALENDAR_DAYS
    if unit == Unit.WORKING_DAYS and start.astimezone(SHANGHAI).time() == dt.time.min:
        # The day the period starts from does not count: working time starts the next day.
        start += dt.timedelta(days=1)
    return PendingStep(key, start, due_at, unit)


def pending_steps(case: Case, *, published: bool | None = None, withdrawn: bool | None = None,
                  units: dict[str, str] | None = None) -> list[PendingStep]:
    """The steps of ``case`` that still have to happen by a deadline ("decided but not served", ...)."""
    if units is None:
        units = {k: r.unit for k, r in rules().items()}
    steps: list[PendingStep] = []
    created = case.created_at or timezone.now()
    status = case.status
    if status in PENDING_DECISION_STATES and case.decide_due_at and case.suspended_since is None:
        steps.append(_step("decide", _start_of(case.filed_on, created), case.decide_due_at, units))
    if status == CaseStatus.DECIDED and case.service_due_at:
        steps.append(_step("service", _start_of(case.decided_on, created), case.service_due_at, units))
    if (status == CaseStatus.SERVED and case.payment_due_at and case.outcome == Outcome.PENALTY
            and PenaltyKind.FINE in (case.penalty_kinds or [])):
        steps.append(_step("payment", _start_of(case.served_on, created), case.payment_due_at, units))
    if case.needs_publication and case.publication_due_at and published is False and status != CaseStatus.ARCHIVED:
        steps.append(_step("publication", _start_of(case.decided_on, created), case.publication_due_at, units))
    if case.withdrawal_due_at and published and withdrawn is False:
        steps.append(_step("withdrawal", case.withdrawal_due_at - dt.timedelta(days=3), case.withdrawal_due_at, units))
    if case.is_summary and case.summary_record_due_at and case.summary_recorded_on is None and status in OPEN_STATES:
        steps.append(_step("summary_record", _start_of(case.decided_on, created), case.summary_record_due_at, units))
    return steps


def yellow_share() -> float:
    share = float(getattr(settings, "WARNING_YELLOW_SHARE", 0.8))
    return min(max(share, 0.0), 1.0)


_RANK = {WarningLevel.NONE: 0, WarningLevel.YELLOW: 1, WarningLevel.RED: 2}


def warning_for(case: Case, now: dt.datetime, **flags) -> tuple[str, str, dt.datetime | None]:
    """(level, step key, due) of the most urgent pending step of ``case`` at ``now``."""
    share = yellow_share()
    if "units" not in flags:  # not setdefault: its argument would read the rules for every case of a sweep
        flags["units"] = {k: r.unit for k, r in rules().items()}
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


# The columns the sweep reads of each candidate: what pending_steps and the current light need.
_SWEEP_COLUMNS = (
    "pk", "status", "procedure", "created_at", "filed_on", "decided_on", "served_on", "decide_due_at",
    "service_due_at", "payment_due_at", "publication_due_at", "withdrawal_due_at", "summary_record_due_at",
    "summary_recorded_on", "suspended_since", "needs_publication", "outcome", "penalty_kinds", "warning_level",
    "warning_key", "warning_due_at", "publication__id", "publication__withdrawn_at",
)
# A step's due time is the case's own column: the sweep writes it from there (F()), so one UPDATE
# serves every case that moves to the same level for the same step, whatever its due time.
STEP_DUE_COLUMNS = {key: column for column, key in DUE_FIELDS.items()}
# Cases per transaction of the sweep (their update and their notifications).
SWEEP_CHUNK = 500


class _CaseRow(NamedTuple):
    """A case as the sweep reads it: a row, not a model instance (a sweep reads every open case)."""

    pk: int
    status: str
    procedure: str
    created_at: dt.datetime
    filed_on: dt.date | None
    decided_on: dt.date | None
    served_on: dt.date | None
    decide_due_at: dt.datetime | None
    service_due_at: dt.datetime | None
    payment_due_at: dt.datetime | None
    publication_due_at: dt.datetime | None
    withdrawal_due_at: dt.datetime | None
    summary_record_due_at: dt.datetime | None
    summary_recorded_on: dt.date | None
    suspended_since: dt.date | None
    needs_publication: bool
    outcome: str
    penalty_kinds: list
    warning_level: str
    warning_key: str
    warning_due_at: dt.datetime | None
    publication_id: int | None
    publication_withdrawn_at: dt.datetime | None

    @property
    def is_summary(self) -> bool:
        return self.procedure == Procedure.SUMMARY


assert len(_CaseRow._fields) == len(_SWEEP_COLUMNS)


class _Change(NamedTuple):
    pk: int
    level: str
    key: str
    due_at: dt.datetime | None


def _candidates():
    """Every case whose light may be on or may have to come on (one query, read as rows)."""
    from django.db.models import Q

    return Case.objects.filter(
        Q(status__in=OPEN_STATES) | Q(needs_publication=True) | Q(withdrawal_due_at__isnull=False)
        | ~Q(warning_level=WarningLevel.NONE)
    ).values_list(*_SWEEP_COLUMNS)


def sweep_case_warnings(now: dt.datetime | None = None, *, chunk: int = SWEEP_CHUNK) -> SweepResult:
    """Recompute every open case's warning; update the changed ones in chunks; notify once per change.

    Each chunk is one transaction: an UPDATE per (level, step) it holds and one bulk send of its
    notifications. A crash loses at most the chunk in hand, which the next sweep finds again.
    """
    now = now or timezone.now()
    result = SweepResult()
    current = rules()
    units = {k: r.unit for k, r in current.items()}
    articles = {k: r.article for k, r in current.items()}
    changes: list[_Change] = []
    for row in _candidates().iterator(chunk_size=2000):
        case = _CaseRow(*row)
        published = case.publication_id is not None
        level, key, due_at = warning_for(case, now, units=units, published=published,
                                         withdrawn=bool(published and case.publication_withdrawn_at))
        if level == WarningLevel.NONE:
            key, due_at = "", None
        if (level, key, due_at) != (case.warning_level, case.warning_key, case.warning_due_at):
            changes.append(_Change(case.pk, level, key, due_at))
    for begin in range(0, len(changes), chunk):
        part = changes[begin:begin + chunk]
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        for change in part:
            groups[(change.level, change.key)].append(change.pk)
        with transaction.atomic():
            set_lights(Case, groups, STEP_DUE_COLUMNS, now, result.changed)
            lit = [change for change in part if change.level != WarningLevel.NONE]
            if lit:
                result.notified += _notify(lit, articles)
    return result


def set_lights(model, groups: dict[tuple[str, str], list[int]], due_columns: dict[str, str], now: dt.datetime,
               changed: dict[str, list[int]]) -> None:
    """One UPDATE per (level, step) of ``groups``: each object's due time is its own column for that step (F()).

    Shared by the sweeps whose objects store the light with its step and due time (cases, coercive
    measures, enforcements). ``changed``: level -> ids, extended with what was written.
    """
    for (level, key), ids in groups.items():
        model.objects.filter(pk__in=ids).update(
            warning_level=level, warning_key=key,
            warning_due_at=F(due_columns[key]) if key else None, warning_changed_at=now,
        )
        changed[level].extend(ids)


def sweep_levels(model, candidates, row: type[NamedTuple], level_of: Callable, now: dt.datetime,
                 notify: Callable[[list[tuple[int, str]]], int], *, chunk: int = SWEEP_CHUNK) -> SweepResult:
    """Recompute the level of each of ``candidates``; write the changed ones in chunks; notify of the lit ones.

    For the objects that keep their light as a level alone (``warning_level``,
    ``warning_changed_at``): warnings and rectification notices. The candidates are read as rows
    of ``row`` (a tuple of columns, ``pk`` and ``warning_level`` among them: a sweep reads every
    open object, so no model instances), ``level_of(row)`` gives the level now. Each chunk is one
    transaction: an UPDATE per level it holds and ``notify([(id, level), ...])`` of the lit ones
    (one bulk send). A crash loses at most the chunk in hand, which the next sweep finds again.
    """
    changes = []
    for values in candidates.values_list(*row._fields).iterator(chunk_size=2000):
        obj = row(*values)
        level = level_of(obj)
        if level != obj.warning_level:
            changes.append((obj.pk, level))
    result = SweepResult()
    for begin in range(0, len(changes), chunk):
        part = changes[begin:begin + chunk]
        groups: dict[str, list[int]] = defaultdict(list)
        for pk, level in part:
            groups[level].append(pk)
        with transaction.atomic():
            for level, ids in groups.items():
                model.objects.filter(pk__in=ids).update(warning_level=level, warning_changed_at=now)
                result.changed[level].extend(ids)
            lit = [(pk, level) for pk, level in part if level != WarningLevel.NONE]
            if lit:
                result.notified += notify(lit)
    return result


def officers_and_leaders(objects: list[tuple[int, int]], officers: Iterable[tuple[int, int]] = ()) -> dict[int, list]:
    """object id -> its active officers and the leaders of its agency (two queries beside ``officers``).

    ``objects``: ``(object id, agency id)``; ``officers``: ``(object id, user id)`` pairs (a query of
    the object's officer table, or nothing for objects without officers). Read as ids, each user
    loaded once: a catch-up names the same few officers on thousands of objects. Shared by the case
    and coercion sweeps.
    """
    from django.contrib.auth import get_user_model

    by_object: dict[int, dict[int, None]] = defaultdict(dict)  # ordered sets of user ids
    for object_id, officer_id in officers:
        by_object[object_id][officer_id] = None
    leaders: dict[int, list[int]] = defaultdict(list)
    for agency_id, user_id in (
        Membership.objects.active()
        .filter(agency_id__in={agency_id for _pk, agency_id in objects},
                role__in=[Role.TOWNSHIP_LEADER, Role.SQUADRON_LEADER])
        .values_list("agency_id", "user_id")
    ):
        leaders[agency_id].append(user_id)
    for pk, agency_id in objects:
        for user_id in leaders.get(agency_id, []):
            by_object[pk][user_id] = None
    wanted = {user_id for ids in by_object.values() for user_id in ids}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=wanted, is_active=True)}
    return {pk: [users[u] for u in ids if u in users] for pk, ids in by_object.items()}


def _recipients(cases: list[tuple[int, int]]) -> dict[int, list]:
    """case id -> its active officers and the leaders of its agency, from ``(case id, agency id)`` (three queries)."""
    from enforcement.cases.models import CaseOfficer

    officers = CaseOfficer.objects.filter(case_id__in=[pk for pk, _agency in cases]).values_list(
        "case_id", "officer_id")
    return officers_and_leaders(cases, officers)


def case_url(pk: int) -> str:
    """The case page (empty while the pages are not installed)."""
    return detail_url("cases:detail", pk)


def _notify(changes: list[_Change], articles: dict[str, str]) -> int:
    """Notify the handlers of these cases of their new light: four reads and one bulk send."""
    from enforcement.notifications import Message, SubjectRef, notify_each

    # pk -> (display number, agency): the decision's number once there is one, else the filing's, else the registry's.
    cases = {
        pk: (decision_number or filing_number or number, agency_id)
        for pk, number, filing_number, decision_number, agency_id in Case.objects.filter(
            pk__in=[change.pk for change in changes]).values_list(
            "pk", "number", "filing_number", "decision_number", "agency_id")
    }
    recipients = _recipients([(pk, agency_id) for pk, (_number, agency_id) in cases.items()])
    # Translated once per chunk, not once per case; the time zone read once too.
    titles = {WarningLevel.YELLOW: _("案件 %(number)s 即将到期（黄灯）：%(step)s"),
              WarningLevel.RED: _("案件 %(number)s 已超期（红灯）：%(step)s")}
    body = _("%(step)s期限：%(due)s（%(article)s）。")
    steps = {key: str(label) for key, label in STEP_LABELS.items()}
    tz = timezone.get_current_timezone()
    messages = []
    for change in changes:
        if change.pk not in cases:  # deleted meanwhile
            continue
        number = cases[change.pk][0]
        step = steps.get(change.key, change.key)
        due_text = timezone.localtime(change.due_at, tz).strftime("%Y-%m-%d") if change.due_at else ""
        messages.append(
            Message(
                recipients=recipients.get(change.pk, []),
                subject=SubjectRef(Case, change.pk),
                reason=f"case.warning.{change.level}.{change.key}",
                title=titles[change.level] % {"number": number, "step": step},
                body=body % {"step": step, "due": due_text, "article": articles[change.key]},
                url=case_url(change.pk),
            )
        )
    # One bulk send for the whole chunk, not one round of queries per case.
    return len(notify_each(messages))


# --- recomputing provisional deadlines once a year's calendar is known (issue 13 point 13) ---------


@dataclass
class RecomputeResult:
    checked: int = 0
    moved: dict[int, list[str]] = field(default_factory=dict)
    notified: int = 0

    def as_dict(self) -> dict:
        return {"checked": self.checked, "moved": len(self.moved), "notified": self.notified}


def recompute_provisional_deadlines() -> RecomputeResult:
    """Compute every stored provisional case deadline again; save and notify the ones that moved.

    Run after an administrator enters a year's holiday schedule (the task
    ``enforcement.tasks.recompute_provisional_deadlines``, scheduled on commit
    by ``enforcement.signals``). Idempotent: a second run finds the same
    values, changes nothing and sends nothing more (a notification's reason
    names the new due time, sent at most once per recipient and case).
    """
    from enforcement.notifications import Message, notify_each

    result = RecomputeResult()
    changed: list[tuple[Case, dict, list[str]]] = []
    for case in Case.objects.exclude(provisional_deadlines=[]).order_by("pk"):
        result.checked += 1
        values: dict = {}
        moved: list[str] = []
        for name in list(case.provisional_deadlines or []):
            if name not in DUE_FIELDS:
                continue
            again = recomputed_due(case, name)
            if again is None:
                continue
            if again.at != getattr(case, name):
                moved.append(name)
            set_due(case, values, name, again)
        if values and (moved or values["provisional_deadlines"] != list(case.provisional_deadlines or [])):
            changed.append((case, values, moved))
    with transaction.atomic():
        for case, values, moved in changed:
            Case.objects.filter(pk=case.pk).update(**values)
            for name, value in values.items():
                setattr(case, name, value)
            if moved:
                result.moved[case.pk] = moved
        recipients = _recipients([(c.pk, c.agency_id) for c, _v, m in changed if m])
        messages = []
        for case, values, moved in changed:
            for name in moved:
                key = DUE_FIELDS[name]
                due_at = values[name]
                messages.append(Message(
                    recipients=recipients.get(case.pk, []), subject=case,
                    reason=f"case.deadline_moved.{key}.{int(due_at.timestamp())}",
                    title=_("案件 %(number)s 的期限已按节假日安排重新计算：%(step)s")
                    % {"number": case.display_number, "step": rule(key).label},
                    body=_("%(step)s期限改为 %(due)s（%(article)s）。")
                    % {"step": rule(key).label, "due": timezone.localtime(due_at).strftime("%Y-%m-%d"),
                       "article": rule(key).article},
                    url=case_url(case.pk),
                ))
        if messages:
            result.notified = len(notify_each(messages))
    return result
