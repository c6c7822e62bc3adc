"""Double-random spot checks: the draw from the stored seed, its refusals, publication within N working days."""

from __future__ import annotations

import datetime as dt

import pytest

from enforcement.errors import InvalidTransition, ValidationFailed
from enforcement.inspections import services
from enforcement.inspections.choices import CreditLevel, Outcome, PlanStatus, RiskLevel, SignatureStatus, TaskStatus
from enforcement.inspections.models import InspectionTask
from enforcement.models import Certificate
from tests.enforcement.inspections_support import aware, insp_fixture, make_plan  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_draw_is_reproducible_from_the_stored_seed(insp):
    plan = make_plan(insp)
    first = services.compute_draw(plan)
    plan = services.plan_draw(plan, by=insp.leader_a)
    assert plan.status == PlanStatus.DRAWN
    assert plan.digest == first.digest
    same, stored, again = services.draw_check(plan)
    assert same and stored.digest == again.digest
    assert len(stored.tasks) == 4
    # Every object drawn once, each with two different officers from township A's pool.
    assert len({t.object_id for t in stored.tasks}) == 4
    pool = {u.pk for u in insp.officers} | {insp.leader_a.pk}
    for t in stored.tasks:
        assert len(set(t.officer_ids)) == 2 and set(t.officer_ids) <= pool
    # Another seed draws differently; the same seed again draws the same.
    other = make_plan(insp, seed=7)
    assert services.compute_draw(other).digest != first.digest
    twin = make_plan(insp, seed=20260901)
    assert services.compute_draw(twin).digest == first.digest


def test_tasks_are_due_at_the_end_of_the_period(insp):
    plan = services.plan_draw(make_plan(insp), by=insp.leader_a)
    assert set(plan.tasks.values_list("due_date", flat=True)) == {dt.date(2026, 9, 30)}
    assert set(plan.tasks.values_list("status", flat=True)) == {TaskStatus.PENDING}


def test_high_risk_and_low_credit_objects_are_drawn_at_their_higher_share(insp):
    risky = insp.objects_a[:2]
    for o in risky:
        o.risk_level = RiskLevel.HIGH
        o.save()
    insp.objects_a[2].credit_level = CreditLevel.D
    insp.objects_a[2].save()
    # 3 priority objects at 100 %, 7 others at 10 % (ceil(0.7) = 1).
    plan = make_plan(insp, sample_count=None, sample_share=10, priority_share=100)
    draw = services.compute_draw(plan)
    ids = [t.object_id for t in draw.tasks]
    assert len(ids) == 4
    assert set(ids[:3]) == {o.pk for o in insp.objects_a[:3]}


def test_plan_drawing_more_objects_than_exist_is_refused(insp):
    plan = make_plan(insp, sample_count=11)  # township A has 10 objects for the matter
    with pytest.raises(ValidationFailed) as exc:
        services.plan_draw(plan, by=insp.leader_a)
    assert "只有10个" in str(exc.value)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and not plan.tasks.exists()


def test_fewer_than_two_officers_per_object_is_refused(insp):
    with pytest.raises(ValidationFailed) as exc:
        make_plan(insp, officers_per_object=1)
    assert "第四十二条" in str(exc.value)
    plan = make_plan(insp, officers=[insp.officers[0]])
    with pytest.raises(ValidationFailed) as exc:
        services.plan_draw(plan, by=insp.leader_a)
    assert "至少需要2名" in str(exc.value)


def test_officer_whose_certificate_expires_during_the_period_is_refused(insp):
    # Officer 1's certificate ends on 15 September 2026, inside the period 1-30 September.
    Certificate.objects.filter(officer=insp.officers[0]).update(valid_to=dt.date(2026, 9, 15))
    plan = make_plan(insp, officers=insp.officers[:3])
    with pytest.raises(ValidationFailed) as exc:
        services.plan_draw(plan, by=insp.leader_a)
    assert "insp_a1" in str(exc.value) or insp.officers[0].first_name in str(exc.value)
    # With the default pool the expired officer is simply left out of the draw.
    plan = make_plan(insp)
    draw = services.compute_draw(plan)
    assert all(insp.officers[0].pk not in t.officer_ids for t in draw.tasks)


def test_conflicted_officer_is_never_drawn_for_the_object(insp):
    a, b, c = insp.officers[:3]
    for obj in insp.objects_a:
        obj.conflicted_officers.set([a])
    plan = make_plan(insp, officers=[a, b, c], sample_count=10)
    draw = services.compute_draw(plan)
    assert all(a.pk not in t.officer_ids for t in draw.tasks)
    # Two conflicted out of three leaves one officer: refused, naming the object.
    insp.objects_a[0].conflicted_officers.set([a, b])
    with pytest.raises(ValidationFailed) as exc:
        services.compute_draw(plan)
    assert insp.objects_a[0].name in str(exc.value)


def _record_all(plan, insp, day):
    for task in plan.tasks.order_by("position"):
        officers = list(task.officers.all())
        services.record_create(
            by=officers[0],
            object=task.object,
            agency=task.agency,
            officers=officers,
            findings=[services.FindingInput(matter=insp.m_city, agency=task.agency)],
            place=task.object.address,
            started_at=aware(day),
            signature_status=SignatureStatus.SIGNED,
            outcome=Outcome.NO_PROBLEM,
            task=task,
        )


def test_results_published_before_every_check_is_recorded_are_refused(insp):
    plan = services.plan_start(services.plan_draw(make_plan(insp), by=insp.leader_a), by=insp.leader_a)
    with pytest.raises(InvalidTransition) as exc:
        services.plan_publish(plan, by=insp.leader_a)
    assert "未记录检查结果" in str(exc.value)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_PROGRESS and plan.published_at is None


def test_publication_deadline_counts_working_days_across_the_national_day_holiday(insp):
    plan = services.plan_start(services.plan_draw(make_plan(insp), by=insp.leader_a), by=insp.leader_a)
    # Every check is recorded on Thursday 24 September 2026.
    _record_all(plan, insp, dt.date(2026, 9, 24))
    plan.refresh_from_db()
    # Interim Regulations on Enterprise Information Disclosure arts. 6-7: within 20 working days.
    # The day of the check does not count. State Council 2026 holiday schedule: Mid-Autumn 25-27 Sep
    # (Fri-Sun) off, National Day 1-7 Oct off, Sat 10 Oct an adjusted working day. Working days after
    # 24 Sep: 28, 29, 30 Sep (3); 8, 9, 10 (Sat, adjusted), 12-16 Oct (11); 19-23 Oct (16);
    # 26, 27, 28, 29 Oct (20). The last day to publish is Thursday 29 October 2026.
    assert plan.publish_due == dt.date(2026, 10, 29)
    plan = services.plan_publish(plan, by=insp.leader_a)
    assert plan.status == PlanStatus.PUBLISHED and plan.published_at is not None
    assert set(InspectionTask.objects.filter(plan=plan).values_list("outcome", flat=True)) == {Outcome.NO_PROBLEM}


def test_only_the_lead_agency_may_run_its_plan(insp):
    plan = make_plan(insp)
    with pytest.raises(Exception) as exc:
        services.plan_draw(plan, by=insp.officer_b)
    assert "不能" in str(exc.value) or "权限" in str(exc.value)


def test_publication_period_longer_than_the_regulation_is_refused(insp):
    # Interim Regulations on Enterprise Information Disclosure arts. 6-7: within 20 working days.
    with pytest.raises(ValidationFailed) as exc:
        make_plan(insp, publish_within_workdays=21)
    assert exc.value.code == "inspection_publication" and "第六条" in str(exc.value)
    assert make_plan(insp, publish_within_workdays=10).publish_within_workdays == 10


def test_the_publication_rule_is_in_the_table_of_legal_rules(db):
    from enforcement.cases.legal_rules import legal_rule

    rule = legal_rule("inspection_publication")
    assert rule.default == "20" and rule.unit == "working_days" and "企业信息公示暂行条例" in str(rule.article)
