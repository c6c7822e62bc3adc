"""Coercive measures and the enforcement of decisions through their services: the law's refusals and the sweep."""

from __future__ import annotations

import datetime as dt

import pytest

from enforcement.coercion import services as svc
from enforcement.coercion.models import CoerciveMeasure, Execution
from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.models import Event, Notification
from tests.enforcement.coercion.conftest import at, draft, in_force


def events(obj) -> list[str]:
    return list(
        Event.objects.filter(object_id=obj.pk, content_type__model=obj._meta.model_name)
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- creating and taking a measure ------------------------------------------------------------


def test_a_period_over_30_days_is_refused_citing_art_25(world):
    with pytest.raises(ValidationFailed) as exc:
        draft(world, period_days=31)
    assert exc.value.code == "coercion_period" and "第二十五条" in str(exc.value)
    assert not CoerciveMeasure.objects.exists()
    assert draft(world, period_days=30).period_days == 30  # the boundary itself is allowed


def test_a_measure_needs_its_list_of_items(world):
    with pytest.raises(ValidationFailed) as exc:
        draft(world, items=[])
    assert "第二十四条" in str(exc.value)


def test_taking_a_measure_needs_two_certified_officers(world):
    measure = svc.measure_approve(draft(world), by=world.leader, at=at("2026-09-05", "09:00"))
    record = {"taken_at": at("2026-09-05"), "onsite_record": "现场笔录", "signature": "signed"}
    with pytest.raises(ValidationFailed) as exc:
        svc.measure_enforce(measure, by=world.officer, officers=[world.officer], **record)
    assert exc.value.code == "coercion_officers" and "第十八条" in str(exc.value)
    with pytest.raises(ValidationFailed) as exc:
        svc.measure_enforce(measure, by=world.officer, officers=[world.officer, world.officer], **record)
    assert exc.value.code == "coercion_officers"
    # The certificate of officer_expired ran to 4 September 2026: not valid on the 5th.
    with pytest.raises(ValidationFailed) as exc:
        svc.measure_enforce(measure, by=world.officer, officers=[world.officer, world.expired], **record)
    assert world.expired.get_full_name() in str(exc.value) and "2026-09-05" in str(exc.value)
    measure.refresh_from_db()
    assert measure.status == "draft" and not measure.measure_officers.exists()
    # On 4 September, its last day, the same certificate is valid.
    done = svc.measure_enforce(
        measure, by=world.officer, officers=[world.officer, world.expired], **{**record, "taken_at": at("2026-09-04")}
    )
    assert done.status == "in_force" and done.measure_officers.count() == 2


def test_a_measure_is_taken_only_after_the_heads_approval_unless_emergency(world):
    measure = draft(world)
    with pytest.raises(ValidationFailed) as exc:
        svc.measure_enforce(
            measure,
            by=world.officer,
            taken_at=at("2026-09-05"),
            officers=[world.officer, world.second],
            onsite_record="笔录",
            signature="signed",
        )
    assert "第十八条" in str(exc.value)
    with pytest.raises(PermissionRefused):
        svc.measure_approve(measure, by=world.officer, at=at("2026-09-05", "09:00"))


def test_taking_sets_the_decision_number_the_period_end_and_the_event(world):
    measure = in_force(world, at("2026-09-20"))
    # Taken 20 September, 30 days: 20 October (see test_rules).
    assert measure.ends_on == dt.date(2026, 10, 20) and measure.decision_number.endswith("号")
    assert events(measure) == ["create", "approve", "enforce"]


def test_the_party_absent_needs_a_witness(world):
    measure = svc.measure_approve(draft(world), by=world.leader, at=at("2026-09-05", "09:00"))
    with pytest.raises(ValidationFailed) as exc:
        svc.measure_enforce(
            measure,
            by=world.officer,
            taken_at=at("2026-09-05"),
            officers=[world.officer, world.second],
            onsite_record="笔录",
            signature="absent",
        )
    assert exc.value.code == "coercion_procedure"


# --- extension ------------------------------------------------------------------------------------


def test_the_head_extends_once_by_at_most_30_days(world):
    measure = in_force(world, at("2026-09-05"))  # ends Monday 5 October
    with pytest.raises(PermissionRefused):
        svc.measure_extend(measure, by=world.officer, days=10, reason="案情复杂", on=dt.date(2026, 9, 30))
    with pytest.raises(ValidationFailed) as exc:
        svc.measure_extend(measure, by=world.leader, days=31, reason="案情复杂", on=dt.date(2026, 9, 30))
    assert exc.value.code == "coercion_extension" and "三十日" in str(exc.value)
    extended = svc.measure_extend(measure, by=world.leader, days=30, reason="需检测鉴定", on=dt.date(2026, 9, 30))
    # 5 October + 30 calendar days = 4 November.
    assert extended.status == "extended" and extended.ends_on == dt.date(2026, 11, 4)
    assert extended.extension_approved_by == world.leader
    with pytest.raises(ValidationFailed) as exc:
        svc.measure_extend(extended, by=world.leader, days=5, reason="再延长", on=dt.date(2026, 10, 30))
    assert exc.value.code == "coercion_extension_once" and "第二十五条" in str(exc.value)
    extended.refresh_from_db()
    assert extended.ends_on == dt.date(2026, 11, 4)


def test_an_expired_measure_cannot_be_extended(world):
    measure = in_force(world, at("2026-09-05"))  # ends 5 October
    with pytest.raises(ValidationFailed) as exc:
        svc.measure_extend(measure, by=world.leader, days=10, reason="案情复杂", on=dt.date(2026, 10, 6))
    assert "2026-10-05" in str(exc.value)
    assert svc.measure_extend(
        measure, by=world.leader, days=10, reason="案情复杂", on=dt.date(2026, 10, 5)
    ).ends_on == dt.date(2026, 10, 15)


# --- emergency measures ----------------------------------------------------------------------------


def test_an_emergency_measure_is_approved_within_24_hours_or_refused(world):
    taken = at("2026-09-30", "18:00")
    measure = in_force(world, taken, emergency=True)
    assert measure.approval_due_at == at("2026-10-01", "18:00")
    with pytest.raises(ValidationFailed) as exc:
        svc.measure_approve(measure, by=world.leader, at=at("2026-10-01", "18:01"))
    assert exc.value.code == "coercion_emergency" and "第十九条" in str(exc.value)
    measure.refresh_from_db()
    assert measure.approved_at is None
    approved = svc.measure_approve(measure, by=world.leader, at=at("2026-10-01", "18:00"))
    assert approved.approved_by == world.leader


def test_the_sweep_flags_an_unapproved_emergency_measure_red_once(world):
    measure = in_force(world, at("2026-09-30", "18:00"), emergency=True)
    result = svc.sweep_coercion_warnings(now=at("2026-10-01", "18:01"))
    measure.refresh_from_db()
    assert (measure.warning_level, measure.warning_key) == ("red", "emergency_approval")
    assert result.notified == 3  # the two officers and the head of township A
    assert svc.sweep_coercion_warnings(now=at("2026-10-01", "19:00")).notified == 0
    assert Notification.objects.filter(reason__startswith="coercion.warning.red.emergency_approval").count() == 3
    # Not approved: released at once (art. 19), the items returned, the light off.
    released = svc.measure_release(measure, by=world.officer, reason="not_approved", on=dt.date(2026, 10, 1))
    assert all(item.returned_on == dt.date(2026, 10, 1) for item in released.items.all())
    svc.sweep_coercion_warnings(now=at("2026-10-02"))
    released.refresh_from_db()
    assert released.warning_level == "none"


def test_the_sweep_lights_the_period_yellow_then_red_for_an_overdue_release(world):
    measure = in_force(world, at("2026-09-05"))  # ends 5 October 23:59:59
    svc.sweep_coercion_warnings(now=at("2026-09-20"))
    measure.refresh_from_db()
    assert measure.warning_level == "none"
    # 80 % of the 30.6 days from 5 September 10:00 falls on 29 September in the evening.
    svc.sweep_coercion_warnings(now=at("2026-09-30"))
    measure.refresh_from_db()
    assert (measure.warning_level, measure.warning_key) == ("yellow", "measure_period")
    svc.sweep_coercion_warnings(now=at("2026-10-05", "23:00"))
    measure.refresh_from_db()
    assert measure.warning_level == "yellow"
    svc.sweep_coercion_warnings(now=at("2026-10-06", "00:01"))
    measure.refresh_from_db()
    assert measure.warning_level == "red"


def test_measures_turning_red_together_keep_each_its_own_end_across_chunks(world):
    """One UPDATE per level and step within a chunk: each measure's warning_due_at is its own period's end.

    Taken on 1, 2 and 3 September 2026 for 30 days (art. 25): they end on 1, 2 and 3 October at
    23:59:59 (as the measure above, taken 5 September, ends on 5 October); on 10 October all three
    are overdue releases, red, swept in chunks of two.
    """
    measures = [in_force(world, at(f"2026-09-0{day}")) for day in (1, 2, 3)]
    result = svc.SweepResult()
    svc._sweep(CoerciveMeasure, CoerciveMeasure.objects.all(), svc.measure_warning, at("2026-10-10"), result,
               "coercion:detail", chunk=2)

    assert sorted(result.changed["red"]) == sorted(m.pk for m in measures)
    for day, measure in zip((1, 2, 3), measures, strict=True):
        measure.refresh_from_db()
        assert (measure.warning_level, measure.warning_key) == ("red", "measure_period")
        assert measure.warning_due_at == measure.ends_at
        assert measure.ends_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date() == dt.date(2026, 10, day)
        assert Notification.objects.filter(object_id=measure.pk, reason__startswith="coercion.warning.red.").exists()
    assert svc.sweep_coercion_warnings(now=at("2026-10-10")).as_dict() == {"changed": {}, "notified": 0}


def test_the_sweep_tells_each_measures_officers_and_head_in_a_bounded_number_of_queries(
        world, django_assert_max_num_queries):
    """Four measures taken on 1-4 September 2026 for 30 days end on 1-4 October; on 10 October all are red.

    Each is told to its two officers and the head of township A, with the article of the period
    (art. 25), read once for the sweep, not once per measure.
    """
    measures = [in_force(world, at(f"2026-09-0{day}")) for day in (1, 2, 3, 4)]
    # The measures and the legal rules (two), then per chunk of two eleven: its transaction
    # (savepoint, release), one UPDATE, the officers, the heads, those users, and the send (check,
    # savepoint, the notifications' and the e-mails' INSERT, release); last the enforcements.
    with django_assert_max_num_queries(1 + 2 + 2 * 11 + 1):
        result = svc.sweep_coercion_warnings(now=at("2026-10-10"), chunk=2)

    assert sorted(result.changed["red"]) == sorted(m.pk for m in measures)
    article = svc.rules.article("coercion_period")
    for measure in measures:
        told = Notification.objects.filter(object_id=measure.pk,
                                           reason__startswith="coercion.warning.red.measure_period")
        assert set(told.values_list("recipient_id", flat=True)) == {world.officer.pk, world.second.pk, world.leader.pk}
        assert all(article in note.body and measure.decision_number in note.title for note in told)
    assert result.notified == 12


# --- release and conversion -------------------------------------------------------------------


def test_release_needs_a_reason_and_returns_the_items(world):
    measure = in_force(world, at("2026-09-05"))
    with pytest.raises(ValidationFailed) as exc:
        svc.measure_release(measure, by=world.officer, reason="", on=dt.date(2026, 9, 10))
    assert "第二十八条" in str(exc.value)
    with pytest.raises(PermissionRefused):
        svc.measure_release(measure, by=world.officer_b, reason="no_violation", on=dt.date(2026, 9, 10))
    done = svc.measure_release(
        measure, by=world.officer, reason="no_violation", on=dt.date(2026, 9, 10), returned_to="张三本人"
    )
    assert done.status == "released" and {i.returned_to for i in done.items.all()} == {"张三本人"}
    with pytest.raises(InvalidTransition):
        svc.measure_release(done, by=world.officer, reason="no_violation", on=dt.date(2026, 9, 11))


def test_conversion_within_the_period_only(world):
    measure = in_force(world, at("2026-09-05"))  # ends 5 October
    with pytest.raises(ValidationFailed) as exc:
        svc.measure_convert(
            measure, by=world.officer, conversion="confiscated", note="罚决字第1号", on=dt.date(2026, 10, 6)
        )
    assert "第二十七条" in str(exc.value)
    done = svc.measure_convert(
        measure, by=world.officer, conversion="confiscated", note="罚决字第1号没收", on=dt.date(2026, 10, 5)
    )
    assert done.status == "converted"


# --- enforcement of decisions ---------------------------------------------------------------------


def execution(world, served: dt.date = dt.date(2026, 1, 5)) -> Execution:
    return svc.execution_create(
        by=world.officer,
        agency=world.town_a,
        obligation="缴纳罚款五千元",
        decision_number="甲镇综执罚决字〔2026〕第1号",
        decision_served_on=served,
        party_kind="individual",
        party_name="张三",
    )


def test_the_court_application_waits_ten_working_days_after_the_reminder(world):
    ex = execution(world)  # appeal periods end 6 July 2026, window to 8 October (test_rules)
    with pytest.raises(ValidationFailed) as exc:
        svc.execution_apply(ex, by=world.officer, court_name="县人民法院", on=dt.date(2026, 7, 7))
    assert exc.value.code == "coercion_reminder" and "第三十五条" in str(exc.value)
    ex = svc.execution_remind(ex, by=world.officer, served_on=dt.date(2026, 9, 23), perform_by=dt.date(2026, 9, 30))
    # Served 23 September: the court from 15 October (test_rules).
    with pytest.raises(ValidationFailed) as exc:
        svc.execution_apply(ex, by=world.officer, court_name="县人民法院", on=dt.date(2026, 10, 14))
    assert exc.value.code == "coercion_court_wait" and "第五十四条" in str(exc.value)
    ex.refresh_from_db()
    assert ex.status == "reminded" and ex.court_applied_on is None


def test_the_court_application_within_the_art_53_window(world):
    ex = svc.execution_remind(
        execution(world), by=world.officer, served_on=dt.date(2026, 6, 10), perform_by=dt.date(2026, 6, 20)
    )  # the court from 26 June
    with pytest.raises(ValidationFailed) as exc:
        svc.execution_apply(ex, by=world.officer, court_name="县人民法院", on=dt.date(2026, 7, 6))
    assert exc.value.code == "coercion_court_window" and "第五十三条" in str(exc.value)
    with pytest.raises(ValidationFailed) as exc:
        svc.execution_apply(ex, by=world.officer, court_name="县人民法院", on=dt.date(2026, 10, 9))
    assert exc.value.code == "coercion_court_window" and "2026-10-08" in str(exc.value)
    applied = svc.execution_apply(ex, by=world.officer, court_name="县人民法院", on=dt.date(2026, 10, 8))
    assert applied.status == "applied"
    ruled = svc.execution_record_court(
        applied,
        by=world.officer,
        outcome="granted",
        decided_on=dt.date(2026, 10, 20),
        reference="（2026）浙0000行审1号",
    )
    done = svc.execution_conclude(ruled, by=world.officer, conclusion="executed", on=dt.date(2026, 11, 2))
    assert done.status == "concluded"
    assert events(done) == ["create", "remind", "apply_to_court", "court_ruling", "conclude"]


def test_the_sweep_warns_of_the_court_window(world):
    ex = svc.execution_remind(
        execution(world), by=world.officer, served_on=dt.date(2026, 6, 10), perform_by=dt.date(2026, 6, 20)
    )
    svc.sweep_coercion_warnings(now=at("2026-10-01"))
    ex.refresh_from_db()
    assert (ex.warning_level, ex.warning_key) == ("yellow", "court_window")
    svc.sweep_coercion_warnings(now=at("2026-10-09"))
    ex.refresh_from_db()
    assert ex.warning_level == "red"


def test_an_execution_from_a_case_of_another_township_is_refused(world):
    with pytest.raises(PermissionRefused):
        svc.execution_create(
            by=world.officer_b,
            agency=world.town_a,
            obligation="缴纳罚款",
            decision_number="x",
            decision_served_on=dt.date(2026, 1, 5),
            party_kind="individual",
            party_name="张三",
        )
