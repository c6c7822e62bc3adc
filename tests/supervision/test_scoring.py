"""Scores: veto and grade logic, the lock after submission, the lead's reopen, two reviewers' gap."""

from __future__ import annotations

from decimal import Decimal

import pytest

from enforcement.errors import Conflict, PermissionRefused, ValidationFailed
from enforcement.models import Event
from supervision.choices import Grade, ScoreStatus
from supervision.models import SampledFile, Score
from supervision.services.plans import plan_draw, plan_start
from supervision.services.rubrics import check_rubric, rubric_new_version
from supervision.services.scoring import file_settle, score_reopen, score_save, score_submit
from tests.supervision.conftest import item, make_plan, score_of, veto

pytestmark = pytest.mark.django_db


def save(score, rubric, deductions=None, vetoes=(), by=None):
    return score_save(score, by=by or score.assignment.reviewer,
                      deductions={item(rubric, c).pk: (Decimal(p), "说明") for c, p in (deductions or {}).items()},
                      vetoes={veto(rubric, c).pk: "理由" for c in vetoes})


def test_default_rubric_totals_100_with_the_groups_of_the_issue(review):
    rubric = review.rubric
    check_rubric(rubric)
    assert [g.name for g in rubric.groups.order_by("order")] == [
        "主体合法", "事实认定", "证据", "法律适用", "程序", "裁量", "文书规范", "归档", "三项制度"]
    assert sum(g.points for g in rubric.groups.all()) == 100
    assert rubric.vetoes.count() == 7


def test_rubric_not_totalling_100_is_refused_and_cannot_be_drawn(review):
    rubric = rubric_new_version(review.rubric)
    group = rubric.groups.get(name="归档")
    group.points = 8
    group.save()
    with pytest.raises(ValidationFailed, match="合计应为100分，现为103分"):
        check_rubric(rubric)
    plan = make_plan(review, rubric=rubric)
    with pytest.raises(ValidationFailed):
        plan_draw(plan, by=review.lead)
    plan.refresh_from_db()
    assert plan.status == "draft" and not plan.files.exists()


@pytest.mark.parametrize(("deductions", "vetoes", "total", "grade"), [
    # 100 - 0 = 100: excellent; 100 - 10 = 90 still excellent (>= 90)
    ({}, (), "100", Grade.EXCELLENT),
    ({"D1": 10}, (), "90", Grade.EXCELLENT),
    # 100 - 10.5 = 89.5: good (80-89)
    ({"D1": 10, "H1": "0.5"}, (), "89.5", Grade.GOOD),
    # 100 - 20 = 80: good; 100 - 21 = 79: pass
    ({"D1": 10, "F1": 10}, (), "80", Grade.GOOD),
    ({"D1": 10, "F1": 10, "H1": 1}, (), "79", Grade.PASS),
    # 100 - 40 = 60: pass; 100 - 41 = 59: fail
    ({"D1": 10, "F1": 10, "B1": 8, "B2": 7, "H1": 5}, (), "60", Grade.PASS),
    ({"D1": 10, "F1": 10, "B1": 8, "B2": 7, "H1": 5, "A1": 1}, (), "59", Grade.FAIL),
    # a veto fails a perfect file outright
    ({}, ("V2",), "100", Grade.FAIL),
])
def test_grade_bands_and_veto(started, review, deductions, vetoes, total, grade):
    score = save(score_of(started, 1), review.rubric, deductions, vetoes)
    assert score.total == Decimal(total) and score.grade == grade and score.vetoed == bool(vetoes)


def test_a_group_never_loses_more_than_its_points(started, review):
    # 程序 has 15 points: E1 (6) + E2 (5) + E3 (4) = 15, the cap; the total is 85.
    score = save(score_of(started, 1), review.rubric, {"E1": 6, "E2": 5, "E3": 4})
    assert score.total == Decimal("85")


def test_deduction_above_the_item_maximum_is_refused_and_nothing_saved(started, review):
    score = score_of(started, 1)
    with pytest.raises(ValidationFailed, match="最多扣10"):
        save(score, review.rubric, {"D1": 11})
    assert not score.deductions.exists() and Score.objects.get(pk=score.pk).saved_at is None


def test_deduction_without_comment_is_refused(started, review):
    score = score_of(started, 1)
    with pytest.raises(ValidationFailed, match="须填写理由"):
        score_save(score, by=score.assignment.reviewer, deductions={item(review.rubric, "D1").pk: (Decimal(2), "")},
                   vetoes={})


def test_only_the_assigned_reviewer_scores(started, review):
    score = score_of(started, 1)
    other = review.reviewer2 if score.assignment.reviewer != review.reviewer2 else review.reviewer3
    with pytest.raises(PermissionRefused):
        save(score, review.rubric, {"D1": 1}, by=other)


def test_submitting_locks_the_score_and_only_the_lead_reopens_it_with_an_event(started, review):
    score = save(score_of(started, 1), review.rubric, {"D1": 4})
    score = score_submit(score, by=score.assignment.reviewer)
    assert score.status == ScoreStatus.SUBMITTED
    sampled = SampledFile.objects.get(pk=score.assignment.sampled_id)
    assert sampled.final_score == Decimal("96") and sampled.grade == Grade.EXCELLENT
    # Scoring after submit: refused, nothing changed.
    with pytest.raises(ValidationFailed, match="已提交并锁定"):
        save(score, review.rubric, {"D1": 8})
    assert Score.objects.get(pk=score.pk).total == Decimal("96")
    # A page loaded before submission sees a conflict, not a silent overwrite.
    stale = Score.objects.get(pk=score.pk)
    stale.__dict__["status"] = ScoreStatus.DRAFT
    with pytest.raises(Conflict):
        save(stale, review.rubric, {"D1": 8})
    reviewer = score.assignment.reviewer
    if reviewer != review.lead:
        with pytest.raises(PermissionRefused):
            score_reopen(score, by=reviewer, reason="想改")
    score = score_reopen(score, by=review.lead, reason="扣分依据需补充")
    assert score.status == ScoreStatus.DRAFT
    reopen = Event.objects.for_object(score).get(action="reopen")
    assert reopen.actor == review.lead and reopen.note == "扣分依据需补充"
    assert SampledFile.objects.get(pk=sampled.pk).grade == ""


def test_two_reviewers_are_averaged_and_a_gap_is_settled_by_the_lead(review):
    plan = plan_start(plan_draw(make_plan(review, second_reviewer=True, score_gap=5), by=review.lead),
                      by=review.lead)
    first = Score.objects.get(assignment__sampled__plan=plan, assignment__sampled__position=1,
                              assignment__ordinal=1)
    second = Score.objects.get(assignment__sampled__plan=plan, assignment__sampled__position=1,
                               assignment__ordinal=2)
    score_submit(save(first, review.rubric, {"D1": 2}), by=first.assignment.reviewer)
    score_submit(save(second, review.rubric, {"D1": 4}), by=second.assignment.reviewer)
    sampled = SampledFile.objects.get(plan=plan, position=1)
    # (98 + 96) / 2 = 97; the gap 2 is within 5.
    assert sampled.final_score == Decimal("97") and not sampled.gap_flag
    third = Score.objects.get(assignment__sampled__plan=plan, assignment__sampled__position=2,
                              assignment__ordinal=1)
    fourth = Score.objects.get(assignment__sampled__plan=plan, assignment__sampled__position=2,
                               assignment__ordinal=2)
    score_submit(save(third, review.rubric, {}), by=third.assignment.reviewer)
    score_submit(save(fourth, review.rubric, {"D1": 10}), by=fourth.assignment.reviewer)
    sampled = SampledFile.objects.get(plan=plan, position=2)
    assert sampled.gap_flag and sampled.final_score == Decimal("95")
    with pytest.raises(PermissionRefused):
        file_settle(sampled, by=review.reviewer2 if review.reviewer2 != review.lead else review.reviewer3,
                    total=Decimal(92), vetoed=False, note="x")
    settled = file_settle(sampled, by=review.lead, total=Decimal(92), vetoed=False, note="以第二评查人意见为主")
    assert not settled.gap_flag and settled.final_score == Decimal(92) and settled.grade == Grade.EXCELLENT


def test_scoring_before_the_review_starts_is_refused(review):
    plan = plan_draw(make_plan(review), by=review.lead)
    score = score_of(plan, 1)
    with pytest.raises(ValidationFailed, match="不能评分"):
        save(score, review.rubric, {"D1": 1})
