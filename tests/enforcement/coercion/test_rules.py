"""The periods of the Administrative Coercion Law at their boundaries, across the 2026/2027 holidays.

Holidays used (国务院办公厅 2026 schedule as in chinesecalendar 1.11.0): Dragon Boat 19 June (Fri);
Mid-Autumn 25 September (Fri); National Day 1-7 October, with Sunday 20 September and Saturday 10 October
adjusted working days. 2027 is not published in the package: Monday to Friday less the statutory days of the
放假办法 (1 January; Spring Festival eve to third day, 5-8 February 2027), counted provisionally.
"""

from __future__ import annotations

import datetime as dt

from enforcement.cases.legal_rules import legal_rules
from enforcement.coercion import rules
from enforcement.workdays import SHANGHAI


def test_the_table_of_legal_rules_lists_every_coercion_period_with_its_article(db):
    table = {r.key: r for r in legal_rules()}
    assert "第二十五条" in str(table["coercion_period"].article) and table["coercion_period"].default == "30"
    assert "第二十五条" in str(table["coercion_extension"].article) and table["coercion_extension"].default == "30"
    assert table["coercion_extension_once"].default == "1"
    assert "第十九条" in str(table["coercion_emergency"].article) and table["coercion_emergency"].unit == "hours"
    assert "第六十九条" in str(table["coercion_court_wait"].article)
    assert table["coercion_court_wait"].unit == "working_days" and table["coercion_court_wait"].default == "10"
    assert "第五十三条" in str(table["coercion_court_window"].article)
    assert table["coercion_court_window"].unit == "months"


def test_the_measure_period_counts_calendar_days_through_national_day(db):
    # Art. 25: at most 30 days; art. 69 makes only periods of ten days or less working days, so these are
    # calendar days. Taken Sunday 20 September 2026: the day itself does not count, day 30 is 20 October,
    # the National Day holiday (1-7 October) counting like any other day.
    assert rules.measure_end(dt.date(2026, 9, 20), 30).date == dt.date(2026, 10, 20)


def test_a_period_ending_on_a_holiday_is_not_prolonged(db):
    # Taken Saturday 5 September: day 30 is Monday 5 October, inside the National Day holiday. The law binds
    # the party for the period the decision states, so the end is 5 October, not the next working day (8 October).
    end = rules.measure_end(dt.date(2026, 9, 5), 30)
    assert end.date == dt.date(2026, 10, 5)
    assert end.at == dt.datetime(2026, 10, 5, 23, 59, 59, 999999, tzinfo=SHANGHAI)


def test_the_emergency_report_is_24_clock_hours_holiday_or_not(db):
    # Art. 19: "二十四小时内" - clock hours: taken at 18:00 on 30 September, due 18:00 on 1 October (a holiday).
    taken = dt.datetime(2026, 9, 30, 18, 0, tzinfo=SHANGHAI)
    assert rules.emergency_approval_due(taken) == dt.datetime(2026, 10, 1, 18, 0, tzinfo=SHANGHAI)


def test_ten_working_days_after_the_reminder_across_mid_autumn_and_national_day(db):
    # Art. 54 with art. 69: served Wednesday 23 September 2026. Working days after it: 24 Sep (1); 25 Sep is
    # Mid-Autumn, 26-27 the weekend; 28 (2), 29 (3), 30 (4); 1-7 Oct holiday; 8 (5), 9 (6), Saturday 10 Oct an
    # adjusted working day (7); 12 (8), 13 (9), 14 (10). "送达十日后": the court may be applied to from 15 October.
    assert rules.court_earliest_day(dt.date(2026, 9, 23)) == dt.date(2026, 10, 15)


def test_ten_working_days_after_the_reminder_across_dragon_boat(db):
    # Served Wednesday 10 June 2026: 11 (1), 12 (2), 15-18 (3-6), 19 June Dragon Boat holiday, 22-25 (7-10):
    # the court from Friday 26 June.
    assert rules.court_earliest_day(dt.date(2026, 6, 10)) == dt.date(2026, 6, 26)


def test_ten_working_days_across_the_2027_spring_festival(db):
    # Served Friday 29 January 2027: 1-4 Feb (1-4); 5 Feb the eve, 6-8 Feb the festival (statutory days of the
    # 放假办法; 6-7 also the weekend); 9-12 Feb (5-8), 15-16 Feb (9-10): the court from Wednesday 17 February.
    assert rules.court_earliest_day(dt.date(2027, 1, 29)) == dt.date(2027, 2, 17)


def test_the_art_53_window_after_the_appeal_periods(db):
    # Served Monday 5 January 2026. Reconsideration 60 days (Administrative Reconsideration Law art. 20):
    # 6 March. Litigation six months (Administrative Litigation Law art. 46): 5 July, a Sunday, so the first
    # working day after it, Monday 6 July (art. 83 of that law). The later is 6 July. Art. 53: three months from
    # then, 6 October, a National Day holiday: the window ends on the first working day after it, 8 October.
    assert rules.appeal_periods_end(dt.date(2026, 1, 5)) == dt.date(2026, 7, 6)
    assert rules.court_window_end(dt.date(2026, 7, 6)).date == dt.date(2026, 10, 8)


def test_month_arithmetic_uses_the_corresponding_day_or_the_months_last(db):
    # Served 31 August 2026: six months later there is no 31 February 2027: the last day, 28 February.
    assert rules.add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert rules.add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
