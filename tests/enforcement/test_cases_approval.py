"""Major cases: the configurable approval chain, legal review (art. 58) and collective deliberation (art. 57)."""

from __future__ import annotations

import datetime as dt

import pytest

from enforcement.access import grant
from enforcement.cases.services import lifecycle as svc
from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.models import (
    ApprovalLevel,
    ApprovalScope,
    ApproverKind,
    Case,
    CaseStatus,
    LegalQualification,
    LegalReview,
    Outcome,
    PenaltyKind,
    ReviewResult,
    Role,
    StepDecision,
)
from tests.enforcement.cases_support import FILED_ON, lead, world
from tests.factories import member

__all__ = ["world"]

pytestmark = pytest.mark.django_db


def major_case(world, **over):
    case = lead(world, **over)
    case = svc.case_file(case, by=world.officer_a, officers=[world.officer_a, world.officer_a2], on=FILED_ON,
                         is_major=True, major_reason="社会影响较大")
    case = svc.case_investigate(case, by=world.officer_a)
    return svc.case_send_notice(case, by=world.officer_a, kinds=[PenaltyKind.FINE], fine="150",
                                tier=case.matter.tiers.get(order=2), on=dt.date(2026, 3, 10))


def steps(case):
    return [(s.round, s.approver, s.decision) for s in case.approval_steps.order_by("round", "order")]


def decide(world, case):
    return svc.case_decide(case, by=world.officer_a, outcome=Outcome.PENALTY, kinds=[PenaltyKind.FINE], fine="150",
                           tier=case.tier, on=dt.date(2026, 3, 25))


def test_major_township_case_passes_every_level_before_it_can_be_decided(world):
    case = svc.case_submit_review(major_case(world), by=world.officer_a)
    assert case.status == CaseStatus.LEGAL_REVIEW
    assert steps(case) == [
        (1, ApproverKind.HANDLER, StepDecision.APPROVED),
        (1, ApproverKind.LEGAL_OFFICER, StepDecision.PENDING),
        (1, ApproverKind.HEAD, StepDecision.PENDING),
        (1, ApproverKind.REVIEW_CENTRE, StepDecision.PENDING),
        (1, ApproverKind.COLLECTIVE, StepDecision.PENDING),
    ]
    # The review centre cannot conclude before the levels below it.
    with pytest.raises(InvalidTransition) as exc:
        svc.case_pass_review(case, by=world.centre_reviewer, opinion="同意")
    assert "法制员" in str(exc.value)
    # Nor can anyone decide.
    with pytest.raises(InvalidTransition):
        decide(world, case)

    with pytest.raises(PermissionRefused):
        svc.case_approve_step(case, by=world.officer_a2, decision=StepDecision.APPROVED)
    case = svc.case_approve_step(case, by=world.legal_a, decision=StepDecision.APPROVED, reason="同意")
    case = svc.case_approve_step(case, by=world.leader_a, decision=StepDecision.APPROVED, reason="同意")
    # Township cases go to the county legal-review centre, not the township's own reviewer.
    with pytest.raises(PermissionRefused):
        svc.case_pass_review(case, by=world.legal_a, opinion="同意")
    case = svc.case_pass_review(case, by=world.centre_reviewer, opinion="事实清楚，程序合法，同意。")
    assert case.status == CaseStatus.REVIEWED

    with pytest.raises(InvalidTransition) as exc:
        decide(world, case)
    assert exc.value.code == "approval_chain_incomplete" and "集体讨论" in str(exc.value)

    case = svc.case_deliberate(case, by=world.leader_a, held_on=dt.date(2026, 3, 24), chair="王镇长",
                               participants="王镇长、李副镇长、赵队长", conclusion="同意罚款150元。")
    assert case.status == CaseStatus.DELIBERATED
    assert all(d == StepDecision.APPROVED for _r, _a, d in steps(case))
    case = decide(world, case)
    assert case.status == CaseStatus.DECIDED


def test_major_case_decision_without_a_passed_legal_review_is_refused_citing_article_58(world):
    case = major_case(world)
    with pytest.raises(InvalidTransition) as exc:
        decide(world, case)
    assert exc.value.code == "legal_review" and "第五十八条" in str(exc.value)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.NOTIFIED


def test_a_level_may_return_the_case_with_a_reason_and_a_new_round_starts(world):
    case = svc.case_submit_review(major_case(world), by=world.officer_a)
    with pytest.raises(ValidationFailed):
        svc.case_approve_step(case, by=world.legal_a, decision=StepDecision.RETURNED, reason="")
    case = svc.case_approve_step(case, by=world.legal_a, decision=StepDecision.RETURNED,
                                 reason="证据不足，请补充现场照片。")
    assert case.status == CaseStatus.INVESTIGATING
    assert (1, ApproverKind.LEGAL_OFFICER, StepDecision.RETURNED) in steps(case)
    assert LegalReview.objects.get(case=case).result == ReviewResult.RETURNED

    case = svc.case_submit_review(case, by=world.officer_a, note="已补充证据")
    assert [s for s in steps(case) if s[0] == 2][1] == (2, ApproverKind.LEGAL_OFFICER, StepDecision.PENDING)


def test_a_level_may_reject(world):
    case = svc.case_submit_review(major_case(world), by=world.officer_a)
    case = svc.case_approve_step(case, by=world.legal_a, decision=StepDecision.APPROVED)
    case = svc.case_approve_step(case, by=world.leader_a, decision=StepDecision.REJECTED, reason="处罚过重")
    assert case.status == CaseStatus.INVESTIGATING
    assert (1, ApproverKind.HEAD, StepDecision.REJECTED) in steps(case)


def test_the_legal_reviewer_returns_the_case_for_further_investigation(world):
    case = lead(world)
    case = svc.case_file(case, by=world.officer_a, officers=[world.officer_a, world.officer_a2], on=FILED_ON)
    case = svc.case_submit_review(svc.case_investigate(case, by=world.officer_a), by=world.officer_a)
    case = svc.case_return_review(case, by=world.legal_a, reason="违法事实认定不清")
    assert case.status == CaseStatus.INVESTIGATING
    review = LegalReview.objects.get(case=case)
    assert (review.result, review.reviewer) == (ReviewResult.RETURNED, world.legal_a)
    assert review.opinion == "违法事实认定不清"


def test_a_handling_officer_may_not_review_their_own_case(world):
    reviewer_and_handler = member(Role.LEGAL_REVIEWER, world.county.town_a, "officer_a2")
    case = lead(world)
    case = svc.case_file(case, by=world.officer_a, officers=[world.officer_a, reviewer_and_handler], on=FILED_ON)
    case = svc.case_submit_review(svc.case_investigate(case, by=world.officer_a), by=world.officer_a)
    with pytest.raises(PermissionRefused) as exc:
        svc.case_pass_review(case, by=reviewer_and_handler, opinion="同意")
    assert "承办" in str(exc.value)


def test_a_reviewer_assigned_by_grant_may_review(world):
    outsider = member(Role.JUDICIAL_REVIEWER, world.county.town_b, "assigned_reviewer")
    case = lead(world)
    case = svc.case_file(case, by=world.officer_a, officers=[world.officer_a, world.officer_a2], on=FILED_ON)
    case = svc.case_submit_review(svc.case_investigate(case, by=world.officer_a), by=world.officer_a)
    with pytest.raises(PermissionRefused):
        svc.case_pass_review(case, by=outsider, opinion="同意")
    grant("review_case", outsider, case)
    # Art. 58(2): a first-time reviewer needs the legal professional qualification.
    LegalQualification.objects.create(officer=outsider, certificate_number="A20193301000099",
                                      passed_on=dt.date(2019, 3, 1))
    case = svc.case_pass_review(Case.objects.get(pk=case.pk), by=outsider, opinion="同意")
    assert case.status == CaseStatus.REVIEWED


def test_bureau_cases_use_the_legal_section_level(world):
    case = lead(world, by=world.squad1, agency=world.county.squadron_a, matter=world.bur)
    case = svc.case_file(case, by=world.squad1, officers=[world.squad1, world.squad2], on=FILED_ON, is_major=True,
                         major_reason="重大")
    case = svc.case_submit_review(svc.case_investigate(case, by=world.squad1), by=world.squad1)
    assert [s[1] for s in steps(case)] == [
        ApproverKind.HANDLER, ApproverKind.LEGAL_OFFICER, ApproverKind.HEAD, ApproverKind.LEGAL_SECTION,
        ApproverKind.COLLECTIVE,
    ]


def test_the_chain_is_configurable(world):
    ApprovalLevel.objects.create(scope=ApprovalScope.TOWNSHIP, order=1, approver=ApproverKind.HANDLER, label="承办人")
    ApprovalLevel.objects.create(scope=ApprovalScope.TOWNSHIP, order=2, approver=ApproverKind.REVIEW_CENTRE,
                                 label="法制审核")
    ApprovalLevel.objects.create(scope=ApprovalScope.TOWNSHIP, order=3, approver=ApproverKind.COLLECTIVE,
                                 label="集体讨论")
    case = svc.case_submit_review(major_case(world), by=world.officer_a)
    assert [s.label for s in case.approval_steps.order_by("order")] == ["承办人", "法制审核", "集体讨论"]
    case = svc.case_pass_review(case, by=world.centre_reviewer, opinion="同意")
    case = svc.case_deliberate(case, by=world.leader_a, held_on=dt.date(2026, 3, 24), chair="王镇长",
                               participants="班子成员", conclusion="同意")
    assert decide(world, case).status == CaseStatus.DECIDED


def test_complex_case_needs_collective_deliberation_citing_article_57(world):
    case = lead(world)
    case = svc.case_file(case, by=world.officer_a, officers=[world.officer_a, world.officer_a2], on=FILED_ON,
                         is_complex=True, major_reason="当事人众多，情节复杂")
    case = svc.case_investigate(case, by=world.officer_a)
    case = svc.case_send_notice(case, by=world.officer_a, kinds=[PenaltyKind.FINE], fine="150",
                                tier=case.matter.tiers.get(order=2), on=dt.date(2026, 3, 10))
    # Art. 58(1)(4): a difficult and complex case needs legal review first ...
    with pytest.raises(InvalidTransition) as exc:
        decide(world, case)
    assert exc.value.code == "legal_review" and "第五十八条" in str(exc.value)
    case = svc.case_submit_review(case, by=world.officer_a)
    case = svc.case_pass_review(case, by=world.legal_a, opinion="同意")
    # ... and art. 57(2): the leaders' collective deliberation.
    with pytest.raises(InvalidTransition) as exc:
        decide(world, case)
    assert exc.value.code == "deliberation" and "第五十七条" in str(exc.value)
    case = svc.case_deliberate(case, by=world.leader_a, held_on=dt.date(2026, 3, 24), chair="王镇长",
                               participants="班子成员", conclusion="同意")
    assert decide(world, case).status == CaseStatus.DECIDED


def test_extension_needs_the_head_and_moves_the_deadline(world):
    case = lead(world)
    case = svc.case_file(case, by=world.officer_a, officers=[world.officer_a, world.officer_a2], on=FILED_ON)
    with pytest.raises(PermissionRefused):
        svc.case_extend(case, by=world.officer_a, days=30, reason="案情复杂")
    case = svc.case_extend(case, by=world.leader_a, days=30, reason="案情复杂")
    assert case.extensions.get().approved_by == world.leader_a
    assert case.decide_due_at.date() == FILED_ON + dt.timedelta(days=120)


def test_suspended_days_do_not_count(world):
    case = lead(world)
    case = svc.case_file(case, by=world.officer_a, officers=[world.officer_a, world.officer_a2], on=FILED_ON)
    case = svc.case_suspend(case, by=world.officer_a, reason="等待鉴定结论", on=dt.date(2026, 3, 10))
    case = svc.case_resume(case, by=world.officer_a, on=dt.date(2026, 3, 30))
    assert case.suspended_days == 20
    assert case.decide_due_at.date() == FILED_ON + dt.timedelta(days=110)
    assert case.suspensions.get().ended_on == dt.date(2026, 3, 30)


def test_step_decisions_and_review_results_change_only_by_transition_with_an_event(world):
    """Issue 12: ApprovalStep.decision and LegalReview.result are protected state fields with events."""
    from django.contrib.contenttypes.models import ContentType

    from enforcement.models import ApprovalStep, Event

    case = svc.case_submit_review(major_case(world), by=world.officer_a)
    case = svc.case_approve_step(case, by=world.legal_a, decision=StepDecision.APPROVED, reason="同意")
    case = svc.case_approve_step(case, by=world.leader_a, decision=StepDecision.RETURNED, reason="证据不足")
    officer_step = case.approval_steps.get(round=1, approver=ApproverKind.LEGAL_OFFICER)
    head_step = case.approval_steps.get(round=1, approver=ApproverKind.HEAD)
    review = LegalReview.objects.get(case=case)
    assert (officer_step.decision, head_step.decision, review.result) == (
        StepDecision.APPROVED, StepDecision.RETURNED, ReviewResult.RETURNED)
    step_type = ContentType.objects.get_for_model(ApprovalStep)
    [approved] = Event.objects.filter(content_type=step_type, object_id=officer_step.pk)
    assert (approved.action, approved.from_state, approved.to_state, approved.actor) == (
        "approve", StepDecision.PENDING, StepDecision.APPROVED, world.legal_a)
    [returned] = Event.objects.filter(content_type=ContentType.objects.get_for_model(LegalReview), object_id=review.pk)
    assert (returned.action, returned.to_state, returned.note) == ("send_back", ReviewResult.RETURNED, "证据不足")
    with pytest.raises(AttributeError):
        review.result = ReviewResult.PASSED
    with pytest.raises(AttributeError):
        head_step.decision = StepDecision.APPROVED
