"""Scores: save a draft, submit (locks it), reopen by the plan's lead, settle two reviewers' gap.

A file's result: the average of its reviewers' submitted totals; vetoed when a
reviewer vetoed it; the grade from the rubric's bands (any veto fails). Two
totals further apart than the plan's gap, or a veto only one reviewer found,
flag the file for the plan's lead to settle.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.errors import PermissionRefused, ValidationFailed
from enforcement.workflow import lock_as_seen, perform_transition, record_event
from supervision.choices import PlanStatus, ScoreStatus
from supervision.models import RubricItem, SampledFile, Score, ScoreDeduction, ScoreVeto, VetoItem
from supervision.permissions import can_score, is_plan_lead
from supervision.services.rubrics import TOTAL_POINTS

ONE_PLACE = Decimal("0.1")


def score_total(rubric_groups, deductions: dict[int, Decimal]) -> tuple[Decimal, Decimal]:
    """(total, deducted): 100 minus the deductions, a group never losing more than its points."""
    deducted = Decimal(0)
    for group in rubric_groups:
        taken = sum((deductions.get(item.pk, Decimal(0)) for item in group.items.all()), Decimal(0))
        deducted += min(taken, group.points)
    return TOTAL_POINTS - deducted, deducted


def score_save(score: Score, *, by, deductions: dict[int, tuple[Decimal, str]], vetoes: dict[int, str],
               comment: str = "") -> Score:
    """Save the reviewer's draft: ``deductions`` item id -> (points, comment), ``vetoes`` veto id -> comment."""
    with transaction.atomic():
        score = lock_as_seen(score)
        score = Score.objects.select_related("assignment__sampled__plan__rubric").get(pk=score.pk)
        plan = score.assignment.sampled.plan
        if not can_score(score, by):
            raise PermissionRefused(_("只有分配到该案卷的评查人员可以评分。"))
        if score.status == ScoreStatus.SUBMITTED:
            raise ValidationFailed(_("评分已提交并锁定，不能再修改；如需修改，请评查组长退回。"))
        if plan.status != PlanStatus.IN_REVIEW:
            raise ValidationFailed(_("评查方案当前状态为“%(state)s”，不能评分。")
                                   % {"state": plan.get_status_display()})
        rubric = plan.rubric
        items = {i.pk: i for i in RubricItem.objects.filter(group__rubric=rubric)}
        veto_items = {v.pk: v for v in VetoItem.objects.filter(rubric=rubric)}
        clean: dict[int, tuple[Decimal, str]] = {}
        for item_id, (points, text) in deductions.items():
            item = items.get(int(item_id))
            if item is None:
                raise ValidationFailed(_("扣分项不属于本方案的评查标准。"))
            points = Decimal(points or 0)
            if points < 0 or points > item.max_deduction:
                raise ValidationFailed(_("扣分项“%(code)s”最多扣%(max)s分。") % {"code": item.code,
                                                                            "max": item.max_deduction},
                                       field=f"item_{item.pk}")
            if points > 0:
                if not (text or "").strip():
                    raise ValidationFailed(_("扣分项“%(code)s”扣分须填写理由。") % {"code": item.code},
                                           field=f"item_{item.pk}")
                clean[item.pk] = (points, text.strip())
        unknown = [v for v in vetoes if int(v) not in veto_items]
        if unknown:
            raise ValidationFailed(_("否决项不属于本方案的评查标准。"))
        groups = list(rubric.groups.prefetch_related("items"))
        total, _deducted = score_total(groups, {k: v[0] for k, v in clean.items()})
        score.deductions.all().delete()
        score.vetoes.all().delete()
        ScoreDeduction.objects.bulk_create([ScoreDeduction(score=score, item_id=k, points=p, comment=c)
                                            for k, (p, c) in clean.items()])
        ScoreVeto.objects.bulk_create([ScoreVeto(score=score, veto_id=int(k), comment=(c or "").strip())
                                       for k, c in vetoes.items()])
        score.total = total
        score.vetoed = bool(vetoes)
        score.grade = rubric.grade_for(total, vetoed=bool(vetoes))
        score.comment = comment
        score.saved_at = timezone.now()
        score.save(update_fields=["total", "vetoed", "grade", "comment", "saved_at"])
        record_event(score, "save", by=by, data={"total": str(total), "vetoes": len(vetoes)})
    return score


def score_submit(score: Score, *, by) -> Score:
    """Submit (draft -> submitted): the score is locked and the file's result recomputed."""
    plan = score.assignment.sampled.plan
    if plan.status != PlanStatus.IN_REVIEW:
        raise ValidationFailed(_("评查方案当前状态为“%(state)s”，不能提交评分。")
                               % {"state": plan.get_status_display()})
    if score.saved_at is None and score.status == ScoreStatus.DRAFT:
        raise ValidationFailed(_("请先保存评分再提交。"))
    with transaction.atomic():
        score = perform_transition(score, "submit", by=by, data={"total": str(score.total),
                                                                  "vetoed": score.vetoed})
        file_recompute(score.assignment.sampled_id)
    return score


def score_reopen(score: Score, *, by, reason: str) -> Score:
    """The plan's lead reopens a submitted score for change (an event with the reason)."""
    if not (reason or "").strip():
        raise ValidationFailed(_("请说明退回修改的理由。"), field="reason")
    plan = score.assignment.sampled.plan
    if plan.status != PlanStatus.IN_REVIEW:
        raise ValidationFailed(_("评查结果已公布，评分不能再修改。"))
    with transaction.atomic():
        score = perform_transition(score, "reopen", by=by, note=reason)
        file_recompute(score.assignment.sampled_id)
    return score


def file_recompute(sampled_id: int) -> SampledFile:
    """The file's result from its reviewers' submitted scores (empty until all have submitted)."""
    sampled = SampledFile.objects.select_for_update().select_related("plan__rubric").get(pk=sampled_id)
    scores = list(Score.objects.filter(assignment__sampled_id=sampled_id))
    submitted = [s for s in scores if s.status == ScoreStatus.SUBMITTED]
    fields = ["final_score", "deductions", "vetoed", "grade", "gap_flag", "settled_by", "settled_note"]
    sampled.settled_by, sampled.settled_note = None, ""
    if not scores or len(submitted) < len(scores):
        sampled.final_score = sampled.deductions = None
        sampled.vetoed, sampled.grade, sampled.gap_flag = False, "", False
    else:
        average = (sum((s.total for s in submitted), Decimal(0)) / len(submitted)).quantize(ONE_PLACE, ROUND_HALF_UP)
        vetoed = any(s.vetoed for s in submitted)
        totals = [s.total for s in submitted]
        sampled.gap_flag = len(submitted) > 1 and (
            max(totals) - min(totals) > sampled.plan.score_gap or len({s.vetoed for s in submitted}) > 1
        )
        sampled.final_score, sampled.deductions = average, TOTAL_POINTS - average
        sampled.vetoed = vetoed
        sampled.grade = sampled.plan.rubric.grade_for(average, vetoed=vetoed)
    sampled.save(update_fields=fields)
    return sampled


def file_settle(sampled: SampledFile, *, by, total: Decimal, vetoed: bool, note: str) -> SampledFile:
    """The plan's lead settles two reviewers' scores that differ by more than the plan's gap."""
    plan = sampled.plan
    if not is_plan_lead(plan, by):
        raise PermissionRefused(_("只有评查组长可以裁定评分差异。"))
    if not sampled.gap_flag:
        raise ValidationFailed(_("该案卷没有待裁定的评分差异。"))
    if not (note or "").strip():
        raise ValidationFailed(_("请填写裁定意见。"), field="note")
    total = Decimal(total)
    if total < 0 or total > TOTAL_POINTS:
        raise ValidationFailed(_("得分应在0至100分之间。"), field="total")
    with transaction.atomic():
        locked = SampledFile.objects.select_for_update().get(pk=sampled.pk)
        locked.final_score, locked.deductions, locked.vetoed = total, TOTAL_POINTS - total, vetoed
        locked.grade = plan.rubric.grade_for(total, vetoed=vetoed)
        locked.gap_flag, locked.settled_by, locked.settled_note = False, by, note.strip()
        locked.save(update_fields=["final_score", "deductions", "vetoed", "grade", "gap_flag", "settled_by",
                                   "settled_note"])
        record_event(plan, "settle", by=by, note=note, data={"file": locked.pk, "case": locked.case_id,
                                                             "total": str(total), "vetoed": vetoed})
    return locked
