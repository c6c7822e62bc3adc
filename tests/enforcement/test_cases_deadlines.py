"""Legal deadlines of cases (configurable, with articles) and the yellow/red warning sweep."""

from __future__ import annotations

import datetime as dt

import pytest

from enforcement.cases import deadlines
from enforcement.cases.services import lifecycle as svc
from enforcement.models import Case, CaseDeadlineRule, Notification, ServiceMethod, WarningLevel
from enforcement.workdays import SHANGHAI, Unit
from tests.enforcement.cases_support import decided, filed, world

__all__ = ["world"]

pytestmark = pytest.mark.django_db


def at(y, m, d, h=12):
    return dt.datetime(y, m, d, h, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("key", "start", "expected"), [
    # Art. 60: 90 calendar days from filing.
    ("decide", dt.date(2026, 9, 1), dt.date(2026, 11, 30)),
    # Art. 64: 5 working days; National Day 2026 (1-7 October) does not count, Saturday 10 October does.
    ("hearing_request", dt.date(2026, 9, 29), dt.date(2026, 10, 12)),
    # Art. 61 with art. 85: 7 working days. State Council 2026 schedule (国办发明电〔2025〕7号): 1-7 October off,
    # Saturday 10 October worked. From Monday 28 September: 29, 30 Sept (1, 2), 8, 9, 10 Oct (3-5), 12, 13 (6, 7).
    ("service", dt.date(2026, 9, 28), dt.date(2026, 10, 13)),
    # Art. 67: 15 calendar days.
    ("payment", dt.date(2026, 9, 25), dt.date(2026, 10, 10)),
    # Publication: 7 working days after the decision.
    ("publication", dt.date(2026, 9, 30), dt.date(2026, 10, 15)),
    ("withdrawal", dt.date(2026, 9, 30), dt.date(2026, 10, 10)),
    # Art. 36: two years.
    ("limitation", dt.date(2024, 2, 29), dt.date(2026, 2, 28)),
])
def test_each_rule_counts_in_its_own_unit(key, start, expected):
    assert deadlines.due(key, start).date == expected


def test_every_default_rule_cites_its_source():
    for rule in deadlines.DEFAULT_RULES.values():
        assert "第" in str(rule.article) or "国办发" in str(rule.article), rule.key


def test_hearing_notice_must_leave_seven_working_days():
    # Art. 64(2) with art. 85: the same seven working days as above; a hearing on 5 October (National Day) is
    # not possible, the earliest day is Tuesday 13 October.
    assert deadlines.earliest_hearing_day(dt.date(2026, 9, 28)) == dt.date(2026, 10, 13)


def test_an_administrator_override_replaces_the_default_and_its_article(db):
    CaseDeadlineRule.objects.create(key="payment", label="缴纳罚款", amount=30, unit=Unit.CALENDAR_DAYS,
                                    article="某省规定：三十日")
    assert deadlines.due("payment", dt.date(2026, 9, 25)).date == dt.date(2026, 10, 25)
    assert deadlines.rule("payment").article == "某省规定：三十日"
    CaseDeadlineRule.objects.filter(key="payment").update(is_active=False)
    assert deadlines.due("payment", dt.date(2026, 9, 25)).date == dt.date(2026, 10, 10)


def test_extend_past_holiday_moves_a_period_ending_on_a_holiday(db):
    CaseDeadlineRule.objects.create(key="service", label="送达", amount=7, unit=Unit.CALENDAR_DAYS, article="x",
                                    extend_past_holiday=True)
    assert deadlines.due("service", dt.date(2026, 9, 28)).date == dt.date(2026, 10, 8)


# --- sweep ------------------------------------------------------------------------------


def reasons_of(user, case):
    return sorted(Notification.objects.filter(recipient=user, object_id=case.pk).values_list("reason", flat=True))


def test_decided_but_not_served_turns_yellow_then_red_and_notifies_once_per_change(world):
    # Decided Friday 2026-03-20: served within 7 working days (art. 61, 85): 23-27 and 30-31 March, due 31 March.
    # Yellow at 80 % of the *working* time: 5.6 of 7 working days, i.e. Monday 30 March 14:24. In clock time 80 %
    # would fall on Sunday 29 March, a rest day (issue 13 point 14).
    case = decided(world)

    deadlines.sweep_case_warnings(now=at(2026, 3, 22))
    case.refresh_from_db()
    assert case.warning_level == WarningLevel.NONE
    deadlines.sweep_case_warnings(now=at(2026, 3, 29, 15))
    case.refresh_from_db()
    assert case.warning_level == WarningLevel.NONE

    result = deadlines.sweep_case_warnings(now=at(2026, 3, 30, 15))
    case.refresh_from_db()
    assert (case.warning_level, case.warning_key) == (WarningLevel.YELLOW, "service")
    assert result.changed[WarningLevel.YELLOW] == [case.pk]
    assert reasons_of(world.officer_a, case) == ["case.warning.yellow.service"]
    assert reasons_of(world.leader_a, case) == ["case.warning.yellow.service"]

    deadlines.sweep_case_warnings(now=at(2026, 4, 1))
    deadlines.sweep_case_warnings(now=at(2026, 4, 1))
    case.refresh_from_db()
    assert case.warning_level == WarningLevel.RED
    assert reasons_of(world.officer_a, case) == ["case.warning.red.service", "case.warning.yellow.service"]
    note = Notification.objects.get(recipient=world.officer_a, reason="case.warning.red.service")
    assert "第六十一条" in note.body and case.decision_number in note.title


def test_serving_clears_the_warning_on_the_next_sweep(world):
    case = decided(world)
    Case.objects.filter(pk=case.pk).update(needs_publication=False)  # look at the service alone
    deadlines.sweep_case_warnings(now=at(2026, 4, 1))
    case = svc.case_serve(Case.objects.get(pk=case.pk), by=world.officer_a, method=ServiceMethod.DIRECT,
                          served_to="张三", on=dt.date(2026, 4, 1))
    deadlines.sweep_case_warnings(now=at(2026, 4, 2))
    case.refresh_from_db()
    assert case.warning_level == WarningLevel.NONE and case.warning_key == ""


def test_the_ninety_days_to_decide_raise_a_red_warning(world):
    case = filed(world)
    deadlines.sweep_case_warnings(now=at(2026, 6, 5))
    case.refresh_from_db()
    assert (case.warning_level, case.warning_key) == (WarningLevel.RED, "decide")


def test_a_suspended_case_is_not_warned_about_the_decision(world):
    case = svc.case_suspend(filed(world), by=world.officer_a, reason="等待鉴定", on=dt.date(2026, 3, 5))
    deadlines.sweep_case_warnings(now=at(2026, 6, 5))
    case.refresh_from_db()
    assert case.warning_level == WarningLevel.NONE


def test_the_sweep_task_is_scheduled_and_idempotent(world):
    from bureau.schedule import BEAT_SCHEDULE
    from enforcement.tasks import sweep_case_warnings

    assert any(e["task"] == "enforcement.tasks.sweep_case_warnings" for e in BEAT_SCHEDULE.values())
    decided(world)
    first = sweep_case_warnings.delay().get()
    second = sweep_case_warnings.delay().get()
    assert sum(first["changed"].values()) == 1
    assert second == {"changed": {}, "notified": 0}


def test_the_sweep_runs_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    for _ in range(5):
        decided(world)
    with django_assert_max_num_queries(25):
        deadlines.sweep_case_warnings(now=at(2026, 3, 28))


def test_cases_moving_together_keep_each_its_own_due_time_across_chunks(world, django_assert_max_num_queries):
    """One UPDATE per level and step within a chunk: each case's warning_due_at is its own deadline.

    Filed on 1-6 March 2026: art. 60 gives each 90 calendar days from the day after filing, so the
    first falls due on 30 May (30 days left of March, 30 of April, 30 of May) and the others a day
    apart: 31 May, 1-4 June. On 20 June all six are red for the decision, in chunks of four.
    """
    cases = [filed(world, on=dt.date(2026, 3, day)) for day in range(1, 7)]
    expected = [dt.date(2026, 5, 30), dt.date(2026, 5, 31), *(dt.date(2026, 6, d) for d in range(1, 5))]
    # The rules and the candidates, then per chunk twelve: its transaction (savepoint, release), one
    # UPDATE, the cases, their officers, the leaders and those users to notify, and the send (check,
    # savepoint, the notifications' and the e-mails' INSERT, release), whatever the chunk holds.
    with django_assert_max_num_queries(2 + 2 * 12):
        result = deadlines.sweep_case_warnings(now=at(2026, 6, 20), chunk=4)

    assert sorted(result.changed[WarningLevel.RED]) == sorted(c.pk for c in cases)
    for due_on, case in zip(expected, cases, strict=True):
        case.refresh_from_db()
        assert (case.warning_level, case.warning_key) == (WarningLevel.RED, "decide")
        assert case.warning_due_at == case.decide_due_at
        assert case.decide_due_at.astimezone(SHANGHAI).date() == due_on
        assert reasons_of(world.officer_a, case) == ["case.warning.red.decide"]
    assert deadlines.sweep_case_warnings(now=at(2026, 6, 20), chunk=4).as_dict() == {"changed": {}, "notified": 0}


def test_provisional_deadlines_are_also_recomputed_nightly():
    # Saving a year's calendar queues the recompute; if the broker was down then, the nightly run catches up.
    from bureau.celery import app
    from bureau.schedule import BEAT_SCHEDULE

    name = "enforcement.tasks.recompute_provisional_deadlines"
    assert name in app.tasks
    assert any(entry["task"] == name for entry in BEAT_SCHEDULE.values())
