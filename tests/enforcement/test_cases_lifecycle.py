"""Case lifecycle: ordinary and summary procedure, first-offense exemption, transfer, and every refusal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from enforcement.cases.services import lifecycle as svc
from enforcement.errors import Conflict, DomainError, InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.models import (
    Case,
    CaseDocument,
    CaseStatus,
    DocumentKind,
    Event,
    ExecutionMethod,
    GrantMode,
    Outcome,
    PartyKind,
    PenaltyKind,
    Procedure,
    ServiceMethod,
    TransferTarget,
)
from enforcement.workdays import SHANGHAI
from tests.enforcement.cases_support import FILED_ON, decided, expired_officer, filed, lead, noticed, world

__all__ = ["world"]

pytestmark = pytest.mark.django_db


def local_day(value: dt.datetime) -> dt.date:
    return value.astimezone(SHANGHAI).date()


def actions(case: Case) -> list[str]:
    return [e.action for e in Event.objects.for_object(case)]


def test_full_ordinary_procedure_runs_from_lead_to_archive(world):
    case = lead(world)
    assert case.status == CaseStatus.LEAD and case.number.startswith("TA-2026-")

    case = svc.case_file(case, by=world.officer_a, officers=[world.officer_a, world.officer_a2], on=FILED_ON)
    assert case.status == CaseStatus.FILED
    assert case.filing_number == "甲镇综执立字〔2026〕第1号"
    assert case.subject_agency == world.county.town_a and case.holder_mode == GrantMode.DEVOLVED
    # Art. 60: 90 calendar days from filing.
    assert local_day(case.decide_due_at) == FILED_ON + dt.timedelta(days=90)
    assert sorted(case.case_officers.values_list("officer__username", flat=True)) == ["officer_a", "officer_a2"]

    case = svc.case_investigate(case, by=world.officer_a)
    tier = case.matter.tiers.get(order=2)
    case = svc.case_send_notice(case, by=world.officer_a, kinds=[PenaltyKind.FINE], fine="150", tier=tier,
                                on=dt.date(2026, 3, 10))
    assert case.status == CaseStatus.NOTIFIED and not case.hearing_rights and not case.is_major
    case = svc.case_submit_review(case, by=world.officer_a)
    case = svc.case_pass_review(case, by=world.legal_a, opinion="同意")
    assert case.status == CaseStatus.REVIEWED
    case = svc.case_decide(case, by=world.officer_a, outcome=Outcome.PENALTY, kinds=[PenaltyKind.FINE], fine="150",
                           tier=tier, on=dt.date(2026, 3, 20), decision_text="罚款")
    assert case.status == CaseStatus.DECIDED
    assert case.decision_number == "甲镇综执罚决字〔2026〕第1号"
    assert case.penalty_check_ok is True
    # Art. 61 with art. 85: served within 7 *working* days. Decided Friday 20 March 2026; the decision
    # day does not count; 23-27 March (Mon-Fri) are days 1-5, the weekend 28-29 does not count,
    # Monday 30 and Tuesday 31 March are days 6 and 7: the last day of service is 31 March.
    assert local_day(case.service_due_at) == dt.date(2026, 3, 31)

    case = svc.case_serve(case, by=world.officer_a, method=ServiceMethod.DIRECT, served_to="张三",
                          on=dt.date(2026, 3, 23))
    # Art. 67: paid within 15 days of receiving the decision.
    assert local_day(case.payment_due_at) == dt.date(2026, 4, 7)
    case = svc.case_execute(case, by=world.officer_a, method=ExecutionMethod.PAID, paid_amount="150",
                            receipt_number="FS-001", on=dt.date(2026, 3, 30))
    case = svc.case_close(case, by=world.officer_a, summary="罚款已缴纳，结案。", on=dt.date(2026, 4, 1))
    case = svc.case_archive(case, by=world.officer_a, on=dt.date(2026, 4, 2))

    assert case.status == CaseStatus.ARCHIVED
    assert case.archive_number == "甲镇综执档字〔2026〕第1号"
    assert actions(case) == [
        "create", "file", "investigate", "notify", "submit_review", "pass_review", "decide", "serve", "execute",
        "close", "archive",
    ]
    kinds = list(CaseDocument.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == [
        DocumentKind.FILING_APPROVAL, DocumentKind.ADVANCE_NOTICE, DocumentKind.LEGAL_REVIEW_OPINION,
        DocumentKind.DECISION, DocumentKind.SERVICE_RECEIPT, DocumentKind.CLOSING_APPROVAL,
    ]


def test_numbers_count_per_agency_and_year(world):
    first = filed(world)
    second = filed(world, party_name="李四")
    assert (first.filing_number, second.filing_number) == ("甲镇综执立字〔2026〕第1号", "甲镇综执立字〔2026〕第2号")


def test_summary_procedure_decides_on_the_spot_and_needs_the_filing_record(world):
    case = lead(world, procedure=Procedure.SUMMARY)
    case = svc.case_decide_on_spot(case, by=world.officer_a, officers=[world.officer_a, world.officer_a2],
                                   kinds=[PenaltyKind.FINE], fine="100", tier=world.dev.tiers.get(order=2),
                                   on=dt.date(2026, 3, 2), decision_text="当场罚款")
    assert case.status == CaseStatus.SERVED
    assert case.service_method == ServiceMethod.ON_SPOT and case.served_on == dt.date(2026, 3, 2)
    assert case.decision_number == "甲镇综执简罚决字〔2026〕第1号"
    case = svc.case_execute(case, by=world.officer_a, method=ExecutionMethod.PAID_ON_SPOT, paid_amount="100",
                            receipt_number="DC-9", on=dt.date(2026, 3, 2))

    with pytest.raises(InvalidTransition) as exc:
        svc.case_close(case, by=world.officer_a, summary="结案", on=dt.date(2026, 3, 3))
    assert "备案" in str(exc.value) and "第五十二条" in str(exc.value)

    case = svc.case_record_summary_filing(case, by=world.officer_a, on=dt.date(2026, 3, 3))
    case = svc.case_close(case, by=world.officer_a, summary="结案", on=dt.date(2026, 3, 3))
    assert case.status == CaseStatus.CLOSED
    assert CaseDocument.objects.filter(case=case, kind=DocumentKind.SUMMARY_DECISION).exists()


@pytest.mark.parametrize(("party_kind", "fine", "ok"), [
    (PartyKind.INDIVIDUAL, "200", True),
    (PartyKind.INDIVIDUAL, "201", False),
    (PartyKind.ORGANISATION, "3000", True),
    (PartyKind.ORGANISATION, "3001", False),
])
def test_summary_procedure_is_limited_to_small_fines(world, party_kind, fine, ok):
    case = lead(world, procedure=Procedure.SUMMARY, party_kind=party_kind, party_legal_rep="王五")
    call = lambda: svc.case_decide_on_spot(  # noqa: E731
        case, by=world.officer_a, officers=[world.officer_a, world.officer_a2], kinds=[PenaltyKind.FINE],
        fine=fine, tier=world.dev.tiers.get(order=3), on=dt.date(2026, 3, 2),
    )
    if ok:
        # Within art. 51 but outside the tier: the discretion rule still applies (art. 34).
        with pytest.raises(ValidationFailed) as exc:
            call()
        assert "第三十四条" in str(exc.value)
    else:
        with pytest.raises(ValidationFailed) as exc:
            call()
        assert "第五十一条" in str(exc.value)


def test_first_offense_exemption_applies_to_matters_on_the_list(world):
    case = filed(world, matter=world.foe)
    case = svc.case_investigate(case, by=world.officer_a)
    case = svc.case_decide(case, by=world.officer_a, outcome=Outcome.FIRST_OFFENSE, on=dt.date(2026, 3, 5),
                           decision_text="初次违法且危害后果轻微并及时改正，依法不予行政处罚。")
    assert case.status == CaseStatus.DECIDED and case.outcome == Outcome.FIRST_OFFENSE
    assert case.decision_number == "甲镇综执不罚决字〔2026〕第1号"
    assert CaseDocument.objects.filter(case=case, kind=DocumentKind.NO_PENALTY_DECISION).exists()
    # No fine to execute: served, then closed directly.
    case = svc.case_serve(case, by=world.officer_a, method=ServiceMethod.DIRECT, served_to="张三",
                          on=dt.date(2026, 3, 6))
    with pytest.raises(InvalidTransition):
        svc.case_execute(case, by=world.officer_a, method=ExecutionMethod.PAID, on=dt.date(2026, 3, 7))
    case = svc.case_close(case, by=world.officer_a, summary="不予处罚，结案。", on=dt.date(2026, 3, 7))
    assert case.status == CaseStatus.CLOSED


def test_first_offense_exemption_is_refused_for_matters_not_on_the_list(world):
    case = svc.case_investigate(filed(world), by=world.officer_a)
    with pytest.raises(ValidationFailed) as exc:
        svc.case_decide(case, by=world.officer_a, outcome=Outcome.FIRST_OFFENSE, on=dt.date(2026, 3, 5),
                        decision_text="首违")
    assert "首违不罚清单" in str(exc.value) and "第三十三条" in str(exc.value)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.INVESTIGATING


def test_first_offense_exemption_is_refused_for_a_repeat_offender(world):
    first = svc.case_investigate(filed(world, matter=world.foe), by=world.officer_a)
    svc.case_decide(first, by=world.officer_a, outcome=Outcome.FIRST_OFFENSE, on=dt.date(2026, 3, 5),
                    decision_text="首违不罚")
    again = svc.case_investigate(filed(world, matter=world.foe), by=world.officer_a)
    with pytest.raises(ValidationFailed) as exc:
        svc.case_decide(again, by=world.officer_a, outcome=Outcome.FIRST_OFFENSE, on=dt.date(2026, 3, 5),
                        decision_text="首违不罚")
    assert "不属于初次违法" in str(exc.value)


def test_transfer_to_the_police_closes_the_case_without_a_decision(world):
    case = svc.case_investigate(filed(world), by=world.officer_a)
    case = svc.case_transfer(case, by=world.officer_a, target=TransferTarget.POLICE, body="县公安局",
                             reason="涉嫌暴力抗法，涉嫌犯罪", on=dt.date(2026, 3, 6))
    assert case.status == CaseStatus.TRANSFERRED and case.outcome == Outcome.TRANSFER
    letter = CaseDocument.objects.get(case=case, kind=DocumentKind.TRANSFER_LETTER)
    assert letter.number == "甲镇综执移字〔2026〕第1号" and letter.content["transfer_body"] == "县公安局"
    case = svc.case_close(case, by=world.officer_a, summary="已移送公安机关。", on=dt.date(2026, 3, 7))
    assert case.status == CaseStatus.CLOSED


def test_declining_to_file_needs_a_reason(world):
    case = lead(world)
    with pytest.raises(ValidationFailed):
        svc.case_decline(case, by=world.officer_a, reason="  ")
    case = svc.case_decline(case, by=world.officer_a, reason="不属于违法行为")
    assert case.status == CaseStatus.DECLINED and case.declined_reason == "不属于违法行为"


def test_entrusted_case_is_decided_in_the_entrusting_departments_name(world):
    case = filed(world, matter=world.ent)
    assert case.subject_agency == world.county.department
    assert case.holder_mode == GrantMode.ENTRUSTED
    assert case.filing_number.startswith(world.county.department.name)


def test_squadron_files_under_a_matter_the_bureau_holds(world):
    case = lead(world, by=world.squad1, agency=world.county.squadron_a, matter=world.bur)
    case = svc.case_file(case, by=world.squad1, officers=[world.squad1, world.squad2], on=FILED_ON)
    assert case.subject_agency == world.county.bureau
    assert case.filing_number == "县综执立字〔2026〕第1号"


# --- refusals -----------------------------------------------------------------------------------


def test_township_cannot_file_under_a_matter_it_does_not_hold_and_is_told_who_does(world):
    case = lead(world, matter=world.bur)
    with pytest.raises(PermissionRefused) as exc:
        svc.case_file(case, by=world.officer_a, officers=[world.officer_a, world.officer_a2], on=FILED_ON)
    message = str(exc.value)
    assert "测试县综合行政执法局" in message and "划转" in message and "赋权或委托" in message
    assert exc.value.code == "matter_not_held"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.LEAD


def test_filing_before_the_devolution_took_effect_is_refused(world):
    from enforcement.catalogue.powers import grant_power
    from tests.enforcement.cases_support import _matter

    later = _matter("CSGL-0009", "新下放事项", world.domain, world.county.department)
    grant_power(later, world.county.town_a, GrantMode.DEVOLVED, township=world.county.town_a,
                valid_from=dt.date(2026, 6, 1))
    case = lead(world, matter=later)
    with pytest.raises(PermissionRefused) as exc:
        svc.case_file(case, by=world.officer_a, officers=[world.officer_a, world.officer_a2], on=FILED_ON)
    assert "没有任何机关持有" in str(exc.value) and "2026-03-02" in str(exc.value)
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.LEAD


def test_filing_with_a_single_officer_is_refused_citing_article_42(world):
    case = lead(world)
    with pytest.raises(ValidationFailed) as exc:
        svc.case_file(case, by=world.officer_a, officers=[world.officer_a, world.officer_a], on=FILED_ON)
    assert "不得少于两人" in str(exc.value) and "第四十二条" in str(exc.value)


def test_filing_with_an_officer_whose_certificate_expired_is_refused(world):
    stale = expired_officer(world)
    case = lead(world)
    with pytest.raises(PermissionRefused) as exc:
        svc.case_file(case, by=world.officer_a, officers=[world.officer_a, stale], on=FILED_ON)
    assert "没有有效的行政执法证件" in str(exc.value) and "第四十二条" in str(exc.value)
    assert stale.first_name in str(exc.value)


def test_officer_of_another_township_cannot_be_assigned(world):
    case = lead(world)
    with pytest.raises(ValidationFailed) as exc:
        svc.case_file(case, by=world.officer_a, officers=[world.officer_a, world.officer_b], on=FILED_ON)
    assert "不是甲镇的执法人员" in str(exc.value)


def test_officer_of_another_township_cannot_act_on_the_case(world):
    case = lead(world)
    with pytest.raises(PermissionRefused):
        svc.case_file(case, by=world.officer_b, officers=[world.officer_a, world.officer_a2], on=FILED_ON)


def test_filing_outside_the_limitation_period_is_refused_citing_article_36(world):
    case = lead(world, occurred_on=dt.date(2024, 1, 10), discovered_on=dt.date(2026, 2, 1))
    with pytest.raises(ValidationFailed) as exc:
        svc.case_file(case, by=world.officer_a, officers=[world.officer_a, world.officer_a2], on=FILED_ON)
    assert "第三十六条" in str(exc.value) and "2 年" in str(exc.value)


def test_safety_cases_have_five_years(world):
    case = lead(world, occurred_on=dt.date(2022, 1, 10), discovered_on=dt.date(2026, 2, 1), involves_safety=True)
    case = svc.case_file(case, by=world.officer_a, officers=[world.officer_a, world.officer_a2], on=FILED_ON)
    assert case.status == CaseStatus.FILED


def test_decision_outside_the_limitation_period_is_refused(world):
    case = noticed(world)
    # The violation turns out to have ended long before it was discovered.
    Case.objects.filter(pk=case.pk).update(occurred_on=dt.date(2023, 1, 1))
    case.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        svc.case_decide(case, by=world.officer_a, outcome=Outcome.PENALTY, kinds=[PenaltyKind.FINE], fine="150",
                        tier=case.tier, on=dt.date(2026, 3, 20))
    assert "不再给予行政处罚" in str(exc.value) and "第三十六条" in str(exc.value)


def justified_notice(world, fine="300", *, approve=True):
    """A notice proposing ``fine`` (above the "一般" tier's 200 yuan) with an approved justification."""
    case = svc.case_investigate(filed(world), by=world.officer_a)
    case = svc.case_set_justification(case, by=world.officer_a, text="当事人多次违法，情节恶劣，依法从重。",
                                      kinds=[PenaltyKind.FINE], fine=fine)
    if approve:
        case = svc.case_approve_justification(case, by=world.legal_a)
    return svc.case_send_notice(case, by=world.officer_a, kinds=[PenaltyKind.FINE], fine=fine,
                                tier=world.dev.tiers.get(order=2), on=dt.date(2026, 3, 10))


def test_a_notice_outside_the_tier_is_refused_without_an_approved_justification(world):
    # Point 5: the discretion standard (art. 34) is checked when the notice is issued, not only at the decision.
    case = svc.case_investigate(filed(world), by=world.officer_a)
    with pytest.raises(ValidationFailed) as exc:
        svc.case_send_notice(case, by=world.officer_a, kinds=[PenaltyKind.FINE], fine="300",
                             tier=world.dev.tiers.get(order=2), on=dt.date(2026, 3, 10))
    assert "高于" in str(exc.value) and "第三十四条" in str(exc.value) and exc.value.code == "discretion"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.INVESTIGATING
    case = svc.case_set_justification(case, by=world.officer_a, text="从重", kinds=[PenaltyKind.FINE], fine="300")
    with pytest.raises(ValidationFailed):  # written but not approved yet
        svc.case_send_notice(case, by=world.officer_a, kinds=[PenaltyKind.FINE], fine="300",
                             tier=world.dev.tiers.get(order=2), on=dt.date(2026, 3, 10))
    case = svc.case_approve_justification(case, by=world.legal_a)
    case = svc.case_send_notice(case, by=world.officer_a, kinds=[PenaltyKind.FINE], fine="300",
                                tier=world.dev.tiers.get(order=2), on=dt.date(2026, 3, 10))
    assert case.status == CaseStatus.NOTIFIED and case.penalty_check_ok is False


def test_fine_outside_the_tier_needs_an_approved_justification(world):
    case = svc.case_investigate(filed(world), by=world.officer_a)
    case = svc.case_set_justification(case, by=world.officer_a, text="当事人多次违法，情节恶劣，依法从重。",
                                      kinds=[PenaltyKind.FINE], fine="300")
    with pytest.raises(PermissionRefused):
        svc.case_approve_justification(case, by=world.officer_a2)  # a handler cannot approve it
    case = svc.case_approve_justification(case, by=world.legal_a)
    case = svc.case_send_notice(case, by=world.officer_a, kinds=[PenaltyKind.FINE], fine="300",
                                tier=world.dev.tiers.get(order=2), on=dt.date(2026, 3, 10))
    case = svc.case_decide(case, by=world.officer_a, outcome=Outcome.PENALTY, kinds=[PenaltyKind.FINE], fine="300",
                           tier=case.tier, on=dt.date(2026, 3, 20))
    assert case.status == CaseStatus.DECIDED and case.penalty_check_ok is False
    assert case.penalty_check_reasons


def test_an_approved_justification_does_not_cover_a_different_amount(world):
    case = justified_notice(world, fine="300")
    # Approved for 300 yuan; 250 yuan is also above the tier's 200 yuan and needs its own justification.
    with pytest.raises(ValidationFailed) as exc:
        svc.case_decide(case, by=world.officer_a, outcome=Outcome.PENALTY, kinds=[PenaltyKind.FINE], fine="250",
                        tier=case.tier, on=dt.date(2026, 3, 20))
    assert exc.value.code == "discretion"


def test_penalty_without_advance_notice_is_refused(world):
    case = svc.case_investigate(filed(world), by=world.officer_a)
    with pytest.raises(InvalidTransition) as exc:
        svc.case_decide(case, by=world.officer_a, outcome=Outcome.PENALTY, kinds=[PenaltyKind.FINE], fine="150",
                        tier=world.dev.tiers.get(order=2), on=dt.date(2026, 3, 20))
    assert "第四十四条" in str(exc.value)


def test_hearing_rights_make_the_case_major_and_block_the_decision_until_settled(world):
    case = noticed(world, kinds=[PenaltyKind.FINE, PenaltyKind.ORDER_SUSPENSION], fine="8000", tier_order=3,
                   on=dt.date(2026, 9, 29))
    assert case.hearing_rights and case.is_major
    # Art. 64: five working days, across National Day 2026.
    assert local_day(case.hearing_request_due_at) == dt.date(2026, 10, 12)
    with pytest.raises(ValidationFailed) as exc:
        svc.case_request_hearing(case, by=world.officer_a, on=dt.date(2026, 10, 13))
    assert "第六十四条" in str(exc.value)
    case = svc.case_request_hearing(case, by=world.officer_a, on=dt.date(2026, 10, 12))
    # Art. 64(2) with art. 85: notified Tuesday 13 October, seven working days before the hearing:
    # 14, 15, 16 (Wed-Fri), 19, 20, 21, 22 (Mon-Thu) October; the hearing may be on Thursday 22 at the earliest.
    with pytest.raises(ValidationFailed) as exc:
        svc.case_schedule_hearing(case, by=world.officer_a, notified_on=dt.date(2026, 10, 13), place="甲镇会议室",
                                  hearing_at=dt.datetime(2026, 10, 21, 9, 0, tzinfo=SHANGHAI))
    assert "第六十四条" in str(exc.value) and "2026-10-22" in str(exc.value) and exc.value.code == "hearing_notice"
    case = svc.case_schedule_hearing(case, by=world.officer_a, notified_on=dt.date(2026, 10, 13), place="甲镇会议室",
                                     hearing_at=dt.datetime(2026, 10, 22, 9, 0, tzinfo=SHANGHAI))
    assert case.status == CaseStatus.HEARING
    assert CaseDocument.objects.filter(case=case, kind=DocumentKind.HEARING_NOTICE).exists()
    case = svc.case_record_hearing(case, by=world.officer_a, record="当事人到场陈述申辩。",
                                   held_at=dt.datetime(2026, 10, 22, 9, 0, tzinfo=SHANGHAI))
    assert case.hearing_held_at is not None


def test_penalty_cannot_be_decided_while_the_hearing_window_is_open(world):
    case = noticed(world, kinds=[PenaltyKind.ORDER_SUSPENSION, PenaltyKind.FINE], fine="8000", tier_order=3,
                   on=dt.date(2026, 9, 29))
    case = svc.case_mark_major(case, by=world.legal_a, is_major=False, is_complex=False, reason="经审核不属于重大案件")
    with pytest.raises(InvalidTransition) as exc:
        svc.case_decide(case, by=world.officer_a, outcome=Outcome.PENALTY, kinds=list(case.proposed_kinds),
                        fine="8000", tier=case.tier, on=dt.date(2026, 10, 9))
    assert exc.value.code == "hearing_request" and "第六十四条" in str(exc.value)


def test_dates_in_the_future_are_refused(world):
    case = lead(world)
    with pytest.raises(ValidationFailed):
        svc.case_file(case, by=world.officer_a, officers=[world.officer_a, world.officer_a2],
                      on=timezone.localdate() + dt.timedelta(days=3))


def test_a_stale_case_gets_a_conflict_not_a_silent_overwrite(world):
    case = filed(world)
    stale = Case.objects.get(pk=case.pk)
    svc.case_investigate(case, by=world.officer_a)
    with pytest.raises(Conflict):
        svc.case_investigate(stale, by=world.officer_a)


def test_service_on_the_spot_must_be_on_the_decision_day(world):
    case = decided(world)
    with pytest.raises(ValidationFailed):
        svc.case_serve(case, by=world.officer_a, method=ServiceMethod.ON_SPOT, served_to="张三",
                       on=dt.date(2026, 3, 21))


def test_closing_before_the_fine_is_paid_is_refused(world):
    case = decided(world)
    case = svc.case_serve(case, by=world.officer_a, method=ServiceMethod.DIRECT, served_to="张三",
                          on=dt.date(2026, 3, 21))
    with pytest.raises(InvalidTransition) as exc:
        svc.case_close(case, by=world.officer_a, summary="结案", on=dt.date(2026, 3, 22))
    assert exc.value.code == "not_executed"
    with pytest.raises(ValidationFailed):
        svc.case_execute(case, by=world.officer_a, method=ExecutionMethod.PAID, paid_amount="100",
                         receipt_number="x", on=dt.date(2026, 3, 22))


def test_every_refusal_is_a_domain_error_with_a_message(world):
    case = lead(world)
    with pytest.raises(DomainError) as exc:
        svc.case_serve(case, by=world.officer_a, method=ServiceMethod.DIRECT, served_to="张三",
                       on=dt.date(2026, 3, 2))
    assert str(exc.value)


def test_decided_case_carries_amounts_as_decimals(world):
    case = decided(world)
    assert case.fine_amount == Decimal("150.00") and case.penalty_kinds == [PenaltyKind.FINE]
