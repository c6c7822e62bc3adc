"""The working-day calendar (工作日) and the one place every deadline is computed.

Which days are working days comes from, in order:

1. ``HolidayOverride`` rows that administrators enter in the admin site;
2. the ``chinesecalendar`` package, which carries the State Council's yearly
   holiday schedule including adjusted working weekends (调休);
3. for a year neither covers, Monday to Friday less the statutory holidays that
   are certain without the State Council's yearly schedule
   (:func:`statutory_holidays`: 《全国年节及纪念日放假办法》 as amended in 2024).
   Only the adjusted working days (调休) of such a year are unknown, so its
   deadlines stay *provisional* until an administrator enters the year's
   schedule and marks the ``CalendarYear`` complete (or the package is upgraded).

Every app computes deadlines through :func:`deadline_for`; the functions it
dispatches to document their counting conventions.

Lookups are cached per process and per year so that a sweep over thousands of
tickets runs a constant number of queries. Saving or deleting a
``HolidayOverride`` or ``CalendarYear`` (receivers in ``enforcement.signals``)
clears the cache in this process at once and, after the transaction commits,
bumps a version stamp in Django's cache that other processes check every
``WORKDAY_CACHE_CHECK_SECONDS`` (default 10). Bulk writes that send no signals
(``bulk_create``, ``QuerySet.update``) must call :func:`invalidate_calendar_cache`.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import chinese_calendar
from chinese_calendar.solar_terms import SolarTerms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from lunardate import LunarDate

from enforcement.localcache import SharedVersionCache
from enforcement.models.calendar import CalendarYear, DayKind, HolidayOverride

logger = logging.getLogger(__name__)

# Sent by the task ``enforcement.tasks.recompute_provisional_deadlines`` after an administrator changed the
# calendar: apps recompute their stored provisional deadlines (dispatch: tickets) and may answer a dict of counts.
calendar_changed = Signal()

# Days are counted in Beijing time whatever the server clock says
# (ARCHITECTURE.md "Time and deadlines").
SHANGHAI = ZoneInfo("Asia/Shanghai")
CACHE_VERSION_KEY = "enforcement:workdays:version"
# No real calendar has ten years without a working day; a longer search means
# the overrides are broken, and failing beats looping for ever.
_MAX_SEARCH_DAYS = 3660


class Unit(models.TextChoices):
    """Units in which a time limit is expressed, for configuration tables of every app."""

    WORKING_DAYS = "working_days", _("工作日")
    WORKING_HOURS = "working_hours", _("工作小时")
    CALENDAR_DAYS = "calendar_days", _("自然日")


@dataclass(frozen=True)
class Deadline:
    """A computed deadline.

    ``at`` is an aware datetime in Asia/Shanghai. ``provisional`` is true when
    the result depends on a year whose official holiday schedule is not known
    yet (counted Monday to Friday); it may move once the schedule is entered.
    """

    at: dt.datetime
    provisional: bool = False

    @property
    def date(self) -> dt.date:
        """The local (Asia/Shanghai) date of the deadline."""
        return self.at.astimezone(SHANGHAI).date()


# --- per-process cache ------------------------------------------------------


@dataclass(frozen=True)
class _YearInfo:
    overrides: dict[dt.date, bool]  # date -> is a working day
    complete: bool  # an administrator marked the year's schedule complete


# Years loaded so far (year -> _YearInfo), dropped in every process when an override changes.
_calendar = SharedVersionCache(CACHE_VERSION_KEY, check_setting="WORKDAY_CACHE_CHECK_SECONDS")


def invalidate_calendar_cache() -> None:
    """Forget cached calendar data here now, and everywhere once the transaction commits."""
    _calendar.invalidate()


def _clear_local() -> None:
    _calendar.clear_local()


def _check_shared_version() -> None:
    _calendar.check()


@functools.cache
def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _year_info(year: int) -> _YearInfo:
    years = _calendar.data
    info = years.get(year)
    if info is not None:
        return info
    # Load a window in one query each: a deadline near the year's end needs the
    # next year, and statistics often look at the previous one.
    wanted = [y for y in range(year - 1, year + 2) if y not in years]
    overrides: dict[int, dict[dt.date, bool]] = {y: {} for y in wanted}
    rows = HolidayOverride.objects.filter(
        date__gte=dt.date(wanted[0], 1, 1), date__lte=dt.date(wanted[-1], 12, 31)
    ).values_list("date", "kind")
    for day, kind in rows:
        if day.year in overrides:
            overrides[day.year][day] = kind == DayKind.WORKDAY
    complete = set(CalendarYear.objects.filter(year__in=wanted, complete=True).values_list("year", flat=True))
    for y in wanted:
        years[y] = _YearInfo(overrides=overrides[y], complete=y in complete)
    return years[year]


# --- days -------------------------------------------------------------------


def _local_date(value: dt.date | dt.datetime) -> dt.date:
    # datetime is a subclass of date: test it first.
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            raise ValueError("Deadlines need an aware datetime, got a naive one.")
        return value.astimezone(SHANGHAI).date()
    return value


def _local_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            raise ValueError("Deadlines need an aware datetime, got a naive one.")
        return value.astimezone(SHANGHAI)
    return dt.datetime.combine(value, dt.time.min, tzinfo=SHANGHAI)


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=SHANGHAI)


@functools.cache
def statutory_holidays(year: int) -> frozenset[dt.date]:
    """The statutory holiday days of ``year`` that are certain without the State Council's yearly schedule.

    《全国年节及纪念日放假办法》 (as amended by State Council Order No. 795, 2024),
    art. 2: New Year's Day 1 day (1 January); Spring Festival 4 days (the eve
    to the third day of the first lunar month); Qingming 1 day (the day of the
    Qingming solar term); Labour Day 2 days (1-2 May); Dragon Boat Festival
    1 day (5th day of the 5th lunar month); Mid-Autumn 1 day (15th day of the
    8th lunar month); National Day 3 days (1-3 October). The lunar dates come
    from ``lunardate``, the solar term from ``chinesecalendar``'s formula. The
    extra days off and make-up working days (调休) the State Council adds each
    year are not knowable from the statute, so such a year stays provisional.
    """
    days = {dt.date(year, 1, 1), dt.date(year, 5, 1), dt.date(year, 5, 2)}
    days.update(dt.date(year, 10, d) for d in (1, 2, 3))
    new_year = LunarDate(year, 1, 1).to_solar_date()
    days.update(new_year + dt.timedelta(days=k) for k in (-1, 0, 1, 2))
    days.add(LunarDate(year, 5, 5).to_solar_date())
    days.add(LunarDate(year, 8, 15).to_solar_date())
    days.update(
        d for d, name in chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 30))
        if name == SolarTerms.pure_brightness.value[1]
    )
    return frozenset(days)


def _is_working_day(day: dt.date) -> bool:
    override = _year_info(day.year).overrides.get(day)
    if override is not None:
        return override
    if _package_covers(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5 and day not in statutory_holidays(day.year)


def _is_provisional_year(year: int) -> bool:
    return not _package_covers(year) and not _year_info(year).complete


def _any_provisional(first: dt.date, last: dt.date) -> bool:
    return any(_is_provisional_year(y) for y in range(min(first, last).year, max(first, last).year + 1))


def _next_working_day(day: dt.date) -> dt.date:
    """The first working day strictly after ``day``."""
    for _step in range(_MAX_SEARCH_DAYS):
        day += dt.timedelta(days=1)
        if _is_working_day(day):
            return day
    raise ImproperlyConfigured(f"No working day within {_MAX_SEARCH_DAYS} days after {day}: check holiday overrides.")


def is_working_day(day: dt.date) -> bool:
    """Tell whether ``day`` is a working day (工作日).

    Order: an administrator's ``HolidayOverride``; else the ``chinesecalendar``
    package (statutory holidays and adjusted working weekends, 调休); else, for a
    year the package does not cover, Monday to Friday. Never raises for an
    unknown year.
    """
    _check_shared_version()
    return _is_working_day(_local_date(day))


def is_provisional(day: dt.date) -> bool:
    """Tell whether working days in ``day``'s year are only counted Monday to Friday for now.

    True when neither the package covers the year nor an administrator has
    marked ``CalendarYear`` complete for it.
    """
    _check_shared_version()
    return _is_provisional_year(_local_date(day).year)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Count the working days after ``start`` up to and including ``end``.

    ``working_days_between(d, d) == 0``; a ticket received on a Friday and
    returned the next Monday took one working day. When ``end`` is before
    ``start`` the count is negative, so that counts add up over consecutive
    periods (useful for "days overdue" statistics).
    """
    _check_shared_version()
    start, end = _local_date(start), _local_date(end)
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if _is_working_day(day):
            count += 1
    return count


# --- deadlines --------------------------------------------------------------


def add_working_days(start: dt.datetime | dt.date, n: int) -> Deadline:
    """The deadline ``n`` working days after ``start``.

    Convention, as Chinese administrative law counts "N个工作日内": the day of
    ``start`` does not count (Civil Procedure Law art. 85: 期间开始的时和日，不计算在期间内),
    and the deadline is the end of the n-th working day after the start date,
    23:59:59.999999 Beijing time. The time of day of ``start`` does not matter.
    ``n == 0`` means the end of the start day if it is a working day, else the
    end of the next working day.
    """
    if n < 0:
        raise ValueError("The number of working days must not be negative.")
    _check_shared_version()
    first = _local_date(start)
    if n == 0:
        day = first if _is_working_day(first) else _next_working_day(first)
        return Deadline(at=_end_of_day(day), provisional=_any_provisional(first, day))
    day = first
    for _i in range(n):
        day = _next_working_day(day)
    return Deadline(at=_end_of_day(day), provisional=_any_provisional(first + dt.timedelta(days=1), day))


def _parse_clock(value: str, name: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name} must be a time like '08:30', got {value!r}.")


def office_hours() -> list[tuple[dt.time, dt.time]]:
    """Today's office periods from settings, e.g. ``[(08:30, 12:00), (13:30, 17:30)]``.

    ``WORKDAY_START`` (default "08:30") and ``WORKDAY_END`` (default "17:30")
    bound the office day; ``WORKDAY_LUNCH`` (default ``None``, no break), a pair
    like ``("12:00", "13:30")``, is taken out of it.
    """
    opening = _parse_clock(getattr(settings, "WORKDAY_START", "08:30"), "WORKDAY_START")
    closing = _parse_clock(getattr(settings, "WORKDAY_END", "17:30"), "WORKDAY_END")
    lunch = getattr(settings, "WORKDAY_LUNCH", None)
    if not opening < closing:
        raise ImproperlyConfigured("WORKDAY_START must be before WORKDAY_END.")
    if not lunch:
        return [(opening, closing)]
    try:
        lunch_start_raw, lunch_end_raw = lunch
    except (TypeError, ValueError):
        raise ImproperlyConfigured("WORKDAY_LUNCH must be a pair like ('12:00', '13:30') or None.")
    lunch_start = _parse_clock(lunch_start_raw, "WORKDAY_LUNCH")
    lunch_end = _parse_clock(lunch_end_raw, "WORKDAY_LUNCH")
    if not opening < lunch_start < lunch_end < closing:
        raise ImproperlyConfigured("WORKDAY_LUNCH must lie inside office hours, start before it ends.")
    return [(opening, lunch_start), (lunch_end, closing)]


def add_working_hours(start: dt.datetime | dt.date, hours: float | Decimal) -> Deadline:
    """The moment when ``hours`` office hours on working days have passed since ``start``.

    Only office hours (:func:`office_hours`) on working days count. A start
    outside them begins counting at the next office opening; a period that
    ends exactly at closing time ends then, not at the next opening. A date
    ``start`` means its midnight, i.e. counting from that day's opening.
    """
    remaining = dt.timedelta(hours=float(hours))
    if remaining < dt.timedelta(0):
        raise ValueError("The number of working hours must not be negative.")
    _check_shared_version()
    periods = office_hours()
    cursor = _local_datetime(start)
    first = day = cursor.date()
    for _step in range(_MAX_SEARCH_DAYS):
        if _is_working_day(day):
            for opening, closing in periods:
                period_start = max(cursor, dt.datetime.combine(day, opening, tzinfo=SHANGHAI))
                period_end = dt.datetime.combine(day, closing, tzinfo=SHANGHAI)
                if period_start >= period_end:
                    continue
                available = period_end - period_start
                if remaining <= available:
                    return Deadline(at=period_start + remaining, provisional=_any_provisional(first, day))
                remaining -= available
        day += dt.timedelta(days=1)
    raise ImproperlyConfigured(f"No working day within {_MAX_SEARCH_DAYS} days after {first}: check holiday overrides.")


def add_calendar_days(start: dt.datetime | dt.date, n: int, *, extend_past_holiday: bool = False) -> Deadline:
    """The end of the n-th calendar day (自然日) after ``start``.

    The start day does not count; the deadline is 23:59:59.999999 Beijing time
    of ``start + n`` days (e.g. Administrative Penalty Law art. 60: a case is
    decided within 90 days of filing). Such a deadline never depends on the
    holiday calendar, so it is not provisional.

    With ``extend_past_holiday`` a period whose last day is a rest day or
    statutory holiday ends on the next working day instead (Civil Procedure
    Law art. 85 and Administrative Procedure Law art. 83: 期间届满的最后一日是节假日的，
    以节假日后的第一日为期间届满的日期). An adjusted working weekend day (调休) is not
    a holiday. That result is provisional when it depends on an uncovered year.
    """
    if n < 0:
        raise ValueError("The number of calendar days must not be negative.")
    _check_shared_version()
    last = _local_date(start) + dt.timedelta(days=n)
    if not extend_past_holiday:
        return Deadline(at=_end_of_day(last), provisional=False)
    day = last if _is_working_day(last) else _next_working_day(last)
    return Deadline(at=_end_of_day(day), provisional=_any_provisional(last, day))


def _whole(amount: int | float | Decimal, unit: str) -> int:
    if amount != int(amount):
        raise ValueError(f"{unit} needs a whole number, got {amount!r}.")
    return int(amount)


def deadline_for(
    start: dt.datetime | dt.date,
    amount: int | float | Decimal,
    unit: Unit | str,
    *,
    extend_past_holiday: bool = False,
) -> Deadline:
    """Compute any deadline: the one function every app calls.

    ``unit`` is a :class:`Unit` (or its value): working days go to
    :func:`add_working_days`, working hours to :func:`add_working_hours`,
    calendar days to :func:`add_calendar_days` (which alone honours
    ``extend_past_holiday``).
    """
    if unit == Unit.WORKING_DAYS:
        return add_working_days(start, _whole(amount, unit))
    if unit == Unit.WORKING_HOURS:
        return add_working_hours(start, amount)
    if unit == Unit.CALENDAR_DAYS:
        return add_calendar_days(start, _whole(amount, unit), extend_past_holiday=extend_past_holiday)
    raise ValueError(f"Unknown deadline unit {unit!r}; expected one of {', '.join(Unit.values)}.")


# --- warnings in working time ------------------------------------------------


def _counting_intervals(start: dt.datetime, end: dt.datetime, unit: str):
    """The stretches of time between ``start`` and ``end`` that count in ``unit``, in order.

    Calendar days: all of it. Working days: the whole of each working day.
    Working hours: the office periods (:func:`office_hours`) of working days.
    """
    if unit == Unit.CALENDAR_DAYS:
        yield start, end
        return
    periods = office_hours() if unit == Unit.WORKING_HOURS else [(dt.time.min, None)]
    day = start.date()
    for _step in range(_MAX_SEARCH_DAYS):
        if day > end.date():
            return
        if _is_working_day(day):
            for opening, closing in periods:
                a = dt.datetime.combine(day, opening, tzinfo=SHANGHAI)
                b = (dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)
                     if closing is None else dt.datetime.combine(day, closing, tzinfo=SHANGHAI))
                a, b = max(a, start), min(b, end)
                if a < b:
                    yield a, b
        day += dt.timedelta(days=1)


def warn_time(start: dt.datetime | dt.date, due: dt.datetime, share: float, unit: Unit | str) -> dt.datetime:
    """The moment when ``share`` of the time allowed from ``start`` to ``due`` has been used, counted in ``unit``.

    A deadline counted in working days or hours turns yellow after that share
    of its *working* time, so a warning never falls in the middle of a holiday
    (issue 13 point 14): for 5 working days from a Friday before a long
    holiday, 80 % is four working days later, not 80 % of the clock time. For
    calendar days it is that share of the clock time. Empty periods warn at
    ``due``.
    """
    if unit not in Unit.values:
        raise ValueError(f"Unknown deadline unit {unit!r}; expected one of {', '.join(Unit.values)}.")
    _check_shared_version()
    start, due = _local_datetime(start), _local_datetime(due)
    if due <= start:
        return due
    intervals = list(_counting_intervals(start, due, unit))
    total = sum((b - a for a, b in intervals), dt.timedelta(0))
    if not total:
        return due
    remaining = total * min(max(share, 0.0), 1.0)
    for a, b in intervals:
        if remaining <= b - a:
            return a + remaining
        remaining -= b - a
    return due


# --- coverage warnings ------------------------------------------------------


def uncovered_years(years: Iterable[int] | None = None, *, today: dt.date | None = None) -> list[int]:
    """Of ``years`` (default: the current and the next year), those whose deadlines are provisional."""
    _check_shared_version()
    if years is None:
        current = (today or timezone.localdate()).year
        years = (current, current + 1)
    return sorted(y for y in set(years) if _is_provisional_year(y))


def _years_label(years: Iterable[int]) -> str:
    return gettext("、").join(gettext("%(year)s年") % {"year": y} for y in years)


def calendar_warning(years: Iterable[int] | None = None, *, today: dt.date | None = None) -> str | None:
    """A message for administrators when a year's holiday schedule is missing, else ``None``."""
    missing = uncovered_years(years, today=today)
    if not missing:
        return None
    message = gettext("%(years)s的法定节假日安排尚未录入，该年度的期限按周一至周五临时计算，请在“节假日调整”中录入。")
    return message % {"years": _years_label(missing)}


def notify_uncovered_years(*, today: dt.date | None = None) -> list[int]:
    """Tell administrators, once per uncovered year, that its holiday schedule is missing.

    Recipients: every active superuser and every active user with an active
    "administrator" membership. Idempotent: the notification reason
    ``calendar.uncovered.<year>`` is sent at most once per recipient. Returns the
    uncovered years (the same on a second run).
    """
    from django.contrib.auth import get_user_model
    from django.db.models import Q
    from django.urls import reverse

    from enforcement.models.agencies import Membership, Role
    from enforcement.notifications import notify_many

    missing = uncovered_years(today=today)
    if not missing:
        return []
    admin_ids = Membership.objects.active().filter(role=Role.ADMINISTRATOR).values("user_id")
    recipients = list(get_user_model().objects.filter(Q(is_superuser=True) | Q(pk__in=admin_ids), is_active=True))
    url = reverse("admin:enforcement_holidayoverride_changelist")
    for year in missing:
        notify_many(
            recipients,
            reason=f"calendar.uncovered.{year}",
            title=gettext("%(year)s年法定节假日安排尚未录入") % {"year": year},
            body=calendar_warning([year]),
            url=url,
        )
    return missing


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
