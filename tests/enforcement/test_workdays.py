"""The working-day calendar and deadline computation (enforcement.workdays)."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from enforcement import workdays
from enforcement.models import CalendarYear, DayKind, HolidayOverride, Notification, Role
from enforcement.workdays import (
    Deadline,
    Unit,
    add_calendar_days,
    add_working_days,
    add_working_hours,
    calendar_warning,
    deadline_for,
    is_provisional,
    is_working_day,
    notify_uncovered_years,
    uncovered_years,
    working_days_between,
)
from tests.factories import member

SH = ZoneInfo("Asia/Shanghai")


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=SH)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """The per-process calendar cache outlives a test's rolled-back rows: clear it on both sides."""
    workdays._clear_local()
    yield
    workdays._clear_local()


@pytest.fixture
def frozen_today(monkeypatch):
    """Freeze timezone.localdate() (only when called without a value) at the given day."""
    original = timezone.localdate

    def freeze(day: dt.date) -> None:
        def localdate(value=None, timezone=None):
            return day if value is None else original(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)

    return freeze


# --- the official 2026 schedule --------------------------------------------


def test_package_has_the_official_2026_national_day_schedule():
    # State Council 2026 schedule: National Day 1-7 October, Saturday 10 October worked (调休).
    for day in range(1, 8):
        assert chinese_calendar.get_holiday_detail(dt.date(2026, 10, day)) == (True, "National Day")
    assert chinese_calendar.get_holiday_detail(dt.date(2026, 10, 10)) == (False, "National Day")


@pytest.mark.django_db
def test_five_working_days_skip_national_day_and_count_the_adjusted_saturday():
    deadline = add_working_days(dt.date(2026, 9, 30), 5)

    # 8 Oct Thu (1), 9 Oct Fri (2), 10 Oct Sat worked (3), 12 Oct Mon (4), 13 Oct Tue (5).
    assert deadline == Deadline(at=end_of(dt.date(2026, 10, 13)), provisional=False)
    assert deadline.date == dt.date(2026, 10, 13)
    assert deadline.at.tzinfo is not None
    assert is_working_day(dt.date(2026, 10, 10)) is True
    assert is_working_day(dt.date(2026, 10, 1)) is False
    assert is_working_day(dt.date(2026, 10, 11)) is False


@pytest.mark.django_db
def test_start_time_of_day_does_not_count_and_deadline_is_end_of_local_day():
    # 01:00 in Beijing is the previous evening in UTC: the local date must be used.
    start = at(2026, 9, 30, 1, 0).astimezone(dt.UTC)
    assert add_working_days(start, 5).at == end_of(dt.date(2026, 10, 13))


@pytest.mark.django_db
def test_zero_working_days_ends_today_or_the_next_working_day():
    assert add_working_days(dt.date(2026, 9, 30), 0).date == dt.date(2026, 9, 30)
    assert add_working_days(dt.date(2026, 10, 3), 0).date == dt.date(2026, 10, 8)


@pytest.mark.django_db
def test_negative_amounts_and_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        add_working_days(dt.date(2026, 9, 30), -1)
    with pytest.raises(ValueError):
        add_calendar_days(dt.date(2026, 9, 30), -1)
    with pytest.raises(ValueError):
        add_working_hours(at(2026, 9, 30, 9), -0.5)
    with pytest.raises(ValueError):
        add_working_days(dt.datetime(2026, 9, 30, 9, 0), 1)


# --- years the package does not cover ---------------------------------------


@pytest.mark.django_db
def test_deadline_in_uncovered_year_counts_monday_to_friday_provisionally():
    # 2027 is not in chinesecalendar 1.11.0: Monday to Friday less the statutory holidays the 放假办法 fixes.
    # Thursday 4 Feb 2027 + 1 working day: Friday 5 is Spring Festival eve, 6-7 the weekend (and the 1st-2nd
    # days of the lunar year), Monday 8 the 3rd day: the next working day is Tuesday 9 February.
    deadline = add_working_days(dt.date(2027, 2, 4), 1)

    assert deadline.date == dt.date(2027, 2, 9)
    assert deadline.provisional is True
    assert is_working_day(dt.date(2027, 2, 6)) is False
    assert is_working_day(dt.date(2027, 2, 8)) is False
    assert is_working_day(dt.date(2027, 2, 9)) is True
    # A plain week without a festival counts Monday to Friday.
    assert add_working_days(dt.date(2027, 3, 5), 1).date == dt.date(2027, 3, 8)
    assert is_provisional(dt.date(2027, 2, 8)) is True
    assert is_provisional(dt.date(2026, 2, 8)) is False


@pytest.mark.django_db
def test_deadline_crossing_into_uncovered_year_is_provisional():
    assert add_working_days(dt.date(2026, 12, 30), 1).provisional is False  # 31 Dec 2026
    assert add_working_days(dt.date(2026, 12, 30), 2).provisional is True


@pytest.mark.django_db
def test_year_marked_complete_makes_its_deadlines_final():
    CalendarYear.objects.create(year=2027, complete=True, source="国办发明电〔2026〕X号")

    deadline = add_working_days(dt.date(2027, 2, 5), 1)

    assert deadline.provisional is False
    assert is_provisional(dt.date(2027, 2, 8)) is False


@pytest.mark.django_db
def test_incomplete_calendar_year_stays_provisional():
    CalendarYear.objects.create(year=2027, complete=False)

    assert add_working_days(dt.date(2027, 2, 5), 1).provisional is True


@pytest.mark.django_db
def test_overrides_entered_for_uncovered_year_change_its_deadlines():
    HolidayOverride.objects.bulk_create(
        [HolidayOverride(date=dt.date(2027, 2, d), kind=DayKind.HOLIDAY, note="春节") for d in (8, 9, 10, 11, 12)]
        + [HolidayOverride(date=dt.date(2027, 2, 20), kind=DayKind.WORKDAY, note="春节调休")]
    )
    workdays.invalidate_calendar_cache()  # bulk_create sends no signals

    assert add_working_days(dt.date(2027, 2, 5), 1).date == dt.date(2027, 2, 15)
    assert is_working_day(dt.date(2027, 2, 20)) is True


# --- administrator overrides ------------------------------------------------


@pytest.mark.django_db
def test_holiday_override_changes_the_deadline():
    assert add_working_days(dt.date(2026, 9, 30), 5).date == dt.date(2026, 10, 13)

    override = HolidayOverride.objects.create(date=dt.date(2026, 10, 12), kind=DayKind.HOLIDAY, note="临时调整")
    assert add_working_days(dt.date(2026, 9, 30), 5).date == dt.date(2026, 10, 14)

    override.delete()
    assert add_working_days(dt.date(2026, 9, 30), 5).date == dt.date(2026, 10, 13)


@pytest.mark.django_db
def test_workday_override_turns_a_sunday_into_a_working_day():
    HolidayOverride.objects.create(date=dt.date(2026, 10, 11), kind=DayKind.WORKDAY)

    assert is_working_day(dt.date(2026, 10, 11)) is True
    assert add_working_days(dt.date(2026, 9, 30), 5).date == dt.date(2026, 10, 12)


@pytest.mark.django_db
def test_override_added_through_admin_add_form_changes_the_deadline(administrator, client_for):
    client = client_for(administrator)
    assert add_working_days(dt.date(2026, 9, 30), 5).date == dt.date(2026, 10, 13)

    response = client.post(
        "/admin/enforcement/holidayoverride/add/",
        {"date": "2026-10-13", "kind": DayKind.HOLIDAY, "note": "县政府临时通知"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert HolidayOverride.objects.filter(date=dt.date(2026, 10, 13), kind=DayKind.HOLIDAY).exists()
    assert add_working_days(dt.date(2026, 9, 30), 5).date == dt.date(2026, 10, 14)


@pytest.mark.django_db
def test_officer_cannot_add_overrides_through_admin(officer_a, client_for):
    response = client_for(officer_a).post(
        "/admin/enforcement/holidayoverride/add/", {"date": "2026-10-13", "kind": DayKind.HOLIDAY}
    )

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not HolidayOverride.objects.exists()


@pytest.mark.django_db
def test_version_stamp_from_another_process_clears_the_local_cache(settings):
    settings.WORKDAY_CACHE_CHECK_SECONDS = 0
    assert is_working_day(dt.date(2026, 10, 12)) is True
    # Another process wrote the row (no signal here) and bumped the shared version.
    HolidayOverride.objects.bulk_create([HolidayOverride(date=dt.date(2026, 10, 12), kind=DayKind.HOLIDAY)])
    assert is_working_day(dt.date(2026, 10, 12)) is True  # still the cached answer

    # A fresh value: with Redis the key outlives test runs, so a fixed string may already be there.
    cache.set(workdays.CACHE_VERSION_KEY, f"bumped-elsewhere-{uuid.uuid4()}", timeout=None)

    assert is_working_day(dt.date(2026, 10, 12)) is False


# --- working hours ----------------------------------------------------------


@pytest.mark.django_db
def test_working_hours_skip_the_weekend():
    # Friday 5 June 2026, 16:00 + 4 h: 1.5 h on Friday, 2.5 h from Monday 08:30.
    deadline = add_working_hours(at(2026, 6, 5, 16, 0), 4)

    assert deadline == Deadline(at=at(2026, 6, 8, 11, 0), provisional=False)


@pytest.mark.django_db
def test_working_hours_skip_national_day():
    # 30 Sept 2026 16:30 + 2 h: 1 h that day, then 1 h from 8 Oct 08:30.
    assert add_working_hours(at(2026, 9, 30, 16, 30), 2).at == at(2026, 10, 8, 9, 30)
    # 24 h = 2 days 6 h of 9-hour office days: 8 Oct, 9 Oct, then 6 h on Saturday 10 Oct (调休).
    assert add_working_hours(at(2026, 9, 30, 17, 30), 24).at == at(2026, 10, 10, 14, 30)


@pytest.mark.django_db
def test_working_hours_from_outside_office_hours_start_at_next_opening():
    assert add_working_hours(at(2026, 6, 8, 7, 0), 1).at == at(2026, 6, 8, 9, 30)
    assert add_working_hours(at(2026, 6, 8, 18, 0), 1).at == at(2026, 6, 9, 9, 30)
    assert add_working_hours(at(2026, 6, 6, 10, 0), 1).at == at(2026, 6, 8, 9, 30)  # Saturday
    assert add_working_hours(at(2026, 6, 6, 10, 0), 0).at == at(2026, 6, 8, 8, 30)


@pytest.mark.django_db
def test_working_hours_that_end_at_closing_time_end_then():
    assert add_working_hours(at(2026, 6, 8, 8, 30), 9).at == at(2026, 6, 8, 17, 30)
    assert add_working_hours(at(2026, 6, 8, 8, 30), 9.5).at == at(2026, 6, 9, 9, 0)


@pytest.mark.django_db
def test_working_hours_respect_configured_office_hours_and_lunch(settings):
    settings.WORKDAY_START = "09:00"
    settings.WORKDAY_END = "17:00"
    settings.WORKDAY_LUNCH = ("12:00", "13:30")

    assert add_working_hours(at(2026, 6, 8, 11, 0), 2).at == at(2026, 6, 8, 14, 30)
    assert add_working_hours(at(2026, 6, 8, 12, 30), 1).at == at(2026, 6, 8, 14, 30)  # starts in lunch
    # A day holds 6.5 h: Monday 09:00 + 7 h ends Tuesday 09:30.
    assert add_working_hours(at(2026, 6, 8, 9, 0), 7).at == at(2026, 6, 9, 9, 30)


@pytest.mark.django_db
def test_misconfigured_office_hours_are_reported(settings):
    settings.WORKDAY_LUNCH = ("18:00", "19:00")
    with pytest.raises(ImproperlyConfigured):
        add_working_hours(at(2026, 6, 8, 9, 0), 1)


@pytest.mark.django_db
def test_working_hours_in_uncovered_year_are_provisional():
    assert add_working_hours(at(2027, 3, 1, 9, 0), 2).provisional is True
    assert add_working_hours(at(2026, 3, 2, 9, 0), 2).provisional is False


# --- calendar days ----------------------------------------------------------


@pytest.mark.django_db
def test_calendar_days_end_at_the_end_of_the_nth_day():
    # Administrative Penalty Law art. 60: 90 days from filing on 1 July 2026.
    deadline = add_calendar_days(dt.date(2026, 7, 1), 90)

    assert deadline == Deadline(at=end_of(dt.date(2026, 9, 29)), provisional=False)


@pytest.mark.django_db
def test_calendar_days_ending_on_a_holiday_extend_only_when_asked():
    assert add_calendar_days(dt.date(2026, 9, 23), 8).date == dt.date(2026, 10, 1)
    assert add_calendar_days(dt.date(2026, 9, 23), 8, extend_past_holiday=True).date == dt.date(2026, 10, 8)
    # Ending on the adjusted working Saturday is not a holiday: no extension.
    assert add_calendar_days(dt.date(2026, 9, 30), 10, extend_past_holiday=True).date == dt.date(2026, 10, 10)
    # Ending on an ordinary Sunday moves to Monday.
    assert add_calendar_days(dt.date(2026, 9, 30), 11, extend_past_holiday=True).date == dt.date(2026, 10, 12)


@pytest.mark.django_db
def test_calendar_days_extended_into_uncovered_year_are_provisional():
    # 3 Dec 2026 + 30 days = Saturday 2 Jan 2027.
    plain = add_calendar_days(dt.date(2026, 12, 3), 30)
    extended = add_calendar_days(dt.date(2026, 12, 3), 30, extend_past_holiday=True)

    assert plain == Deadline(at=end_of(dt.date(2027, 1, 2)), provisional=False)
    assert extended == Deadline(at=end_of(dt.date(2027, 1, 4)), provisional=True)


# --- counting and dispatch --------------------------------------------------


@pytest.mark.django_db
def test_working_days_between_counts_after_start_up_to_end():
    assert working_days_between(dt.date(2026, 9, 30), dt.date(2026, 10, 13)) == 5
    assert working_days_between(dt.date(2026, 9, 30), dt.date(2026, 10, 7)) == 0
    assert working_days_between(dt.date(2026, 6, 5), dt.date(2026, 6, 8)) == 1  # Friday to Monday
    assert working_days_between(dt.date(2026, 6, 8), dt.date(2026, 6, 8)) == 0
    assert working_days_between(dt.date(2026, 10, 13), dt.date(2026, 9, 30)) == -5
    assert working_days_between(at(2026, 9, 30, 23, 0), at(2026, 10, 9, 8, 0)) == 2


@pytest.mark.django_db
def test_returned_within_two_working_days_check_matches_add_working_days():
    received = dt.date(2026, 9, 30)
    limit = add_working_days(received, 2).date

    assert working_days_between(received, limit) == 2
    assert working_days_between(received, limit + dt.timedelta(days=1)) == 3  # Saturday 10 Oct is worked


@pytest.mark.django_db
def test_deadline_for_dispatches_by_unit():
    start = at(2026, 9, 30, 16, 30)

    assert deadline_for(start, 5, Unit.WORKING_DAYS) == add_working_days(start, 5)
    assert deadline_for(start, 5, "working_days").date == dt.date(2026, 10, 13)
    assert deadline_for(start, 2, Unit.WORKING_HOURS).at == at(2026, 10, 8, 9, 30)
    assert deadline_for(start, 1.5, "working_hours").at == at(2026, 10, 8, 9, 0)
    assert deadline_for(start, 8, Unit.CALENDAR_DAYS).date == dt.date(2026, 10, 8)
    assert deadline_for(dt.date(2026, 9, 23), 8, Unit.CALENDAR_DAYS, extend_past_holiday=True).date == dt.date(
        2026, 10, 8
    )


@pytest.mark.django_db
def test_deadline_for_refuses_unknown_units_and_fractional_days():
    with pytest.raises(ValueError):
        deadline_for(dt.date(2026, 9, 30), 5, "fortnights")
    with pytest.raises(ValueError):
        deadline_for(dt.date(2026, 9, 30), 1.5, Unit.WORKING_DAYS)


def test_unit_labels_are_chinese():
    assert dict(Unit.choices) == {"working_days": "工作日", "working_hours": "工作小时", "calendar_days": "自然日"}


@pytest.mark.django_db
def test_thousand_deadlines_over_2026_run_a_constant_number_of_queries(django_assert_max_num_queries):
    HolidayOverride.objects.create(date=dt.date(2026, 5, 6), kind=DayKind.HOLIDAY)
    workdays._clear_local()
    starts = [at(2026, 1, 1, 9) + dt.timedelta(hours=8 * i + 3) for i in range(1000)]

    with django_assert_max_num_queries(2):
        results = [deadline_for(s, (5, 16, 90)[i % 3], list(Unit)[i % 3]) for i, s in enumerate(starts)]

    assert len(results) == 1000
    assert all(isinstance(r, Deadline) for r in results)


# --- coverage warnings and notifications ------------------------------------


@pytest.mark.django_db
def test_uncovered_years_default_to_current_and_next_year():
    assert uncovered_years(today=dt.date(2025, 6, 1)) == []
    assert uncovered_years(today=dt.date(2026, 6, 1)) == [2027]
    assert uncovered_years([2026, 2027, 2028]) == [2027, 2028]

    CalendarYear.objects.create(year=2027, complete=True)

    assert uncovered_years(today=dt.date(2026, 6, 1)) == []


@pytest.mark.django_db
def test_calendar_warning_names_the_missing_year(frozen_today):
    frozen_today(dt.date(2026, 6, 1))

    assert calendar_warning() == (
        "2027年的法定节假日安排尚未录入，该年度的期限按周一至周五临时计算，请在“节假日调整”中录入。"
    )
    assert calendar_warning(today=dt.date(2025, 6, 1)) is None


@pytest.mark.django_db
def test_notify_uncovered_years_notifies_administrators_once(county, administrator):
    plain_admin = member(Role.ADMINISTRATOR, county.bureau, "plain_admin")
    retired_admin = member(Role.ADMINISTRATOR, county.bureau, "retired_admin")
    retired_admin.memberships.update(is_active=False)
    officer = member(Role.TOWNSHIP_OFFICER, county.town_a, "some_officer")

    first = notify_uncovered_years(today=dt.date(2026, 6, 1))
    second = notify_uncovered_years(today=dt.date(2026, 6, 1))

    assert first == second == [2027]
    notes = Notification.objects.filter(reason="calendar.uncovered.2027")
    assert sorted(notes.values_list("recipient__username", flat=True)) == ["bureau_admin", "plain_admin"]
    assert notes.get(recipient=plain_admin).title == "2027年法定节假日安排尚未录入"
    assert notes.get(recipient=plain_admin).url == "/admin/enforcement/holidayoverride/"
    assert not Notification.objects.filter(recipient__in=[officer, retired_admin]).exists()


@pytest.mark.django_db
def test_notify_uncovered_years_does_nothing_when_covered(administrator):
    assert notify_uncovered_years(today=dt.date(2025, 6, 1)) == []
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_task_calls_notify_uncovered_years(administrator, frozen_today):
    from enforcement.tasks import check_calendar_coverage

    frozen_today(dt.date(2026, 6, 1))

    assert check_calendar_coverage() == [2027]
    assert Notification.objects.filter(recipient=administrator, reason="calendar.uncovered.2027").count() == 1


# --- admin index ------------------------------------------------------------


@pytest.mark.django_db
def test_admin_index_warns_about_uncovered_year(administrator, client_for, frozen_today):
    frozen_today(dt.date(2026, 6, 1))

    response = client_for(administrator).get("/admin/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="calendar-warning"' in page
    assert "2027年的法定节假日安排尚未录入" in page
    assert "/admin/enforcement/holidayoverride/" in page


@pytest.mark.django_db
def test_admin_index_has_no_warning_once_the_year_is_complete(administrator, client_for, frozen_today):
    frozen_today(dt.date(2026, 6, 1))
    CalendarYear.objects.create(year=2027, complete=True)

    response = client_for(administrator).get("/admin/")

    assert response.status_code == 200
    assert 'id="calendar-warning"' not in response.content.decode()
