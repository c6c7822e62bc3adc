"""The periods and checks of the Administrative Coercion Law, refusing with the article they come from.

Every number comes from the one table of legal rules
(:data:`enforcement.cases.legal_rules.COERCION_RULES`); every day count goes
through :func:`enforcement.workdays.deadline_for`. A refusal's ``code`` is the
key of the rule it applies.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence

from django.utils.translation import gettext as _

from enforcement.cases import legal_rules as lr
from enforcement.cases.legal_rules import legal_rule
from enforcement.errors import ValidationFailed
from enforcement.models.agencies import Certificate
from enforcement.workdays import SHANGHAI, Deadline, Unit, deadline_for

# Administrative Reconsideration Law (2023) art. 20: 60 days; Administrative Litigation Law art. 46: six months,
# both from the day the party knew of the decision (its service).
RECONSIDERATION_DAYS = lr.RECONSIDERATION_DAYS
LITIGATION_MONTHS = lr.LITIGATION_MONTHS


def article(key: str) -> str:
    return str(legal_rule(key).article)


def refuse(key: str, message: str, *, field: str | None = None) -> ValidationFailed:
    """A refusal naming the rule ``key`` and its article."""
    return ValidationFailed(f"{message}（{article(key)}）", field=field, code=key)


def local_date(value: dt.datetime) -> dt.date:
    return value.astimezone(SHANGHAI).date()


# --- periods ------------------------------------------------------------------------------


def emergency_approval_due(taken_at: dt.datetime) -> dt.datetime:
    """Art. 19: reported and approved within 24 hours of the measure taken on the spot (clock hours)."""
    return taken_at + dt.timedelta(hours=lr.COERCION_EMERGENCY_HOURS)


def measure_end(start: dt.date, days: int) -> Deadline:
    """Art. 25: the end of a period of ``days`` calendar days from ``start`` (the start day does not count).

    Thirty days is longer than ten, so art. 69 does not make them working days,
    and the law does not move the end of a measure past a holiday: the party
    must not be bound longer than the period the decision states.
    """
    return deadline_for(start, days, Unit.CALENDAR_DAYS)


def court_earliest_day(reminder_served_on: dt.date) -> dt.date:
    """Art. 54 with art. 69: the first day the court may be applied to, after ten working days from service."""
    tenth = deadline_for(reminder_served_on, lr.COERCION_COURT_WAIT_WORKING_DAYS, Unit.WORKING_DAYS)
    return tenth.date + dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The corresponding day ``months`` later; without one (31 -> 30 April), the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _past_holiday(day: dt.date) -> Deadline:
    # A period whose last day is a holiday ends on the first working day after it
    # (Administrative Litigation Law art. 83; the same rule as add_calendar_days documents).
    return deadline_for(day, 0, Unit.CALENDAR_DAYS, extend_past_holiday=True)


def appeal_periods_end(served_on: dt.date) -> dt.date:
    """The day the later of the reconsideration (60 days) and litigation (six months) periods runs out."""
    reconsideration = deadline_for(served_on, RECONSIDERATION_DAYS, Unit.CALENDAR_DAYS, extend_past_holiday=True)
    litigation = _past_holiday(add_months(served_on, LITIGATION_MONTHS))
    return max(reconsideration.date, litigation.date)


def court_window_end(periods_end: dt.date) -> Deadline:
    """Art. 53: three months from the day the appeal periods ran out (last day past a holiday)."""
    return _past_holiday(add_months(periods_end, lr.COERCION_COURT_WINDOW_MONTHS))


# --- checks -------------------------------------------------------------------------------


def check_period(days: int | None) -> None:
    if days is None or days < 1:
        raise ValidationFailed(_("请填写查封、扣押期限（日）。"), field="period_days", code="required")
    if days > lr.COERCION_PERIOD_MAX_DAYS:
        raise refuse(
            "coercion_period",
            _("查封、扣押期限为 %(days)s 日，超过法定上限 %(max)s 日。")
            % {"days": days, "max": lr.COERCION_PERIOD_MAX_DAYS},
            field="period_days",
        )


def check_extension(days: int | None, *, already_extended: bool) -> None:
    if already_extended:
        raise refuse("coercion_extension_once", _("查封、扣押期限已延长过一次，不得再次延长。"), field="days")
    if days is None or days < 1:
        raise ValidationFailed(_("请填写延长天数。"), field="days", code="required")
    if days > lr.COERCION_EXTENSION_MAX_DAYS:
        raise refuse(
            "coercion_extension",
            _("延长期限为 %(days)s 日，超过法定上限 %(max)s 日。")
            % {"days": days, "max": lr.COERCION_EXTENSION_MAX_DAYS},
            field="days",
        )


def certified_officers(officers: Sequence, on: dt.date) -> list[tuple[object, Certificate]]:
    """Art. 17, 18(2): two or more distinct officers, each with a certificate valid on ``on``."""
    distinct = list({o.pk: o for o in officers if o is not None}.values())
    if len(distinct) < lr.MIN_OFFICERS:
        raise refuse("coercion_officers", _("实施查封、扣押的执法人员不得少于两人。"), field="officers")
    valid = {
        c.officer_id: c
        for c in Certificate.objects.valid_on(on).filter(officer__in=distinct).order_by("officer_id", "-valid_to")
    }
    missing = [o for o in distinct if o.pk not in valid]
    if missing:
        names = "、".join(o.get_full_name() or o.get_username() for o in missing)
        raise refuse(
            "coercion_officers",
            _("%(names)s 在 %(day)s 没有有效的执法证。") % {"names": names, "day": on.isoformat()},
            field="officers",
        )
    return [(o, valid[o.pk]) for o in distinct]
