"""Issue 13: the Administrative Penalty Law (2021) to the letter, one test group per point, values from the statute.

Calendar facts relied on (State Council, 国办发明电〔2025〕7号, the 2026 holiday schedule, as carried by
chinesecalendar 1.11): Spring Festival 15-23 February 2026 off, Saturdays 14 and 28 February worked;
Mid-Autumn Friday 25 September off; National Day 1-7 October off, Sunday 20 September and Saturday
10 October worked. 2027 has no published schedule here: only the days fixed by 《全国年节及纪念日放假办法》
(2024 amendment, art. 2) are certain: 1 January; Spring Festival eve to the 3rd day of the first lunar
month (5-8 February 2027: lunar new year is Saturday 6 February); Qingming (5 April 2027); 1-2 May;
Dragon Boat (5th of the 5th lunar month: 9 June 2027); Mid-Autumn (15th of the 8th lunar month:
15 September 2027); 1-3 October. Art. 85 of the Law: "二日""三日""五日""七日" are working days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from enforcement.cases import deadlines, rules
from enforcement.cases.legal_rules import legal_rules
from enforcement.cases.services import lifecycle as svc
from enforcement.cases.services.publication import appeal_set_outcome, case_publish, case_record_appeal
from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.models import (
    AppealKind,
    AppealOutcome,
    CalendarYear,
    Case,
    CaseDeadlineRule,
    CaseDocument,
    CasePolicy,
    CaseStatus,
    DocumentKind,
    Event,
    ExecutionMethod,
    HolidayOverride,
    LegalQualification,
    Notification,
    Outcome,
    PartyKind,
    PenaltyKind,
    Procedure,
    Role,
    ServiceMethod,
)
from enforcement.models.calendar import DayKind
from enforcement.workdays import SHANGHAI, Unit, deadline_for, statutory_holidays, warn_time
from tests.enforcement.cases_support import (
    decided,
    expired_officer,
    filed,
    lead,
    noticed,
    reviewed,
    world,
)
from tests.factories import member

__all__ = ["world"]

pytestmark = pytest.mark.django_db


def day_of(value: dt.datetime) -> dt.date:
    return value.astimezone(SHANGHAI).date()


def at(y, m, d, h=12, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SHANGHAI)


# --- point 1: periods of "七日" are working days (art. 61, 64(2), 85) ---------------------------------


@pytest.mark.parametrize(("start", "last_day"), [
    # Decided Friday 13 February 2026: Saturday 14 (worked) is day 1; 15-23 February are the Spring Festival
    # holiday; 24, 25, 26, 27 (days 2-5), Saturday 28 (worked, day 6), Monday 2 March (day 7).
    (dt.date(2026, 2, 13), dt.date(2026, 3, 2)),
    # Decided Monday 28 September 2026: 29, 30 September (1, 2); 1-7 October off; 8, 9, Saturday 10 (3-5);
    # 12, 13 October (6, 7).
    (dt.date(2026, 9, 28), dt.date(2026, 10, 13)),
    # Decided Thursday 24 December 2026: 25, 28, 29, 30, 31 December (1-5); 1 January 2027 is New Year's Day
    # (fixed by the 放假办法); Monday 4 and Tuesday 5 January (6, 7).
    (dt.date(2026, 12, 24), dt.date(2027, 1, 5)),
    # Decided Wednesday 3 February 2027: Thursday 4 (1); 5-8 February are Spring Festival eve to the third day;
    # 9, 10, 11, 12 (2-5); 15, 16 (6, 7).
    (dt.date(2027, 2, 3), dt.date(2027, 2, 16)),
])
def test_service_of_the_decision_runs_seven_working_days(start, last_day):
    deadline = deadlines.due("service", start)
    assert deadline.date == last_day
    assert deadlines.due("hearing_notice", start).date == last_day  # the same "七日" of art. 64(2)
    # The last allowed day ends at midnight; the next day is late.
    assert deadline.at < dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)
    assert deadline.provisional == (last_day.year == 2027)


def test_hearing_notice_is_seven_working_days_and_no_hearing_on_a_holiday(world):
    # Hearing rights: a fine of 8,000 yuan with an order to suspend business (art. 63).
    case = noticed(world, kinds=[PenaltyKind.FINE, PenaltyKind.ORDER_SUSPENSION], fine="8000", tier_order=3,
                   on=dt.date(2026, 9, 21))
    # Art. 64(1): five working days from Monday 21 September: 22, 23, 24 (1-3), 25 is Mid-Autumn, 28, 29 (4, 5).
    assert day_of(case.hearing_request_due_at) == dt.date(2026, 9, 29)
    case = svc.case_request_hearing(case, by=world.officer_a, on=dt.date(2026, 9, 22))
    # Notified Wednesday 23 September: 24, 28, 29, 30 (1-4), 8, 9, 10 October (5-7): the earliest hearing is
    # Saturday 10 October (a worked day); Friday 9 October is one day too early; 5 October is a holiday.
    for too_early in (dt.datetime(2026, 10, 5, 9, tzinfo=SHANGHAI), dt.datetime(2026, 10, 9, 9, tzinfo=SHANGHAI)):
        with pytest.raises(ValidationFailed) as exc:
            svc.case_schedule_hearing(case, by=world.officer_a, notified_on=dt.date(2026, 9, 23), place="会议室",
                                      hearing_at=too_early)
        assert exc.value.code == "hearing_notice" and "第六十四条" in str(exc.value)
    # Sunday 11 October is a rest day even though it is after the earliest day.
    with pytest.raises(ValidationFailed):
        svc.case_schedule_hearing(case, by=world.officer_a, notified_on=dt.date(2026, 9, 23), place="会议室",
                                  hearing_at=dt.datetime(2026, 10, 11, 9, tzinfo=SHANGHAI))
    case = svc.case_schedule_hearing(case, by=world.officer_a, notified_on=dt.date(2026, 9, 23), place="会议室",
                                     hearing_at=dt.datetime(2026, 10, 10, 9, tzinfo=SHANGHAI))
    assert case.status == CaseStatus.HEARING


# --- point 2: no heavier penalty than announced (art. 44, 45(2)) ----------------------------------------


def test_a_decision_heavier_than_the_notice_is_refused_until_a_new_notice(world):
    case = noticed(world, fine="150")  # notice of 10 March 2026: a fine of 150 yuan
    with pytest.raises(ValidationFailed) as exc:
        svc.case_decide(case, by=world.officer_a, outcome=Outcome.PENALTY, kinds=[PenaltyKind.FINE], fine="180",
                        tier=case.tier, on=dt.date(2026, 3, 20))
    assert exc.value.code == "notice_heavier" and "第四十五条" in str(exc.value) and "180" in str(exc.value)
    with pytest.raises(ValidationFailed) as exc:  # another kind than announced
        svc.case_decide(case, by=world.officer_a, outcome=Outcome.PENALTY, kinds=[PenaltyKind.FINE,
                        PenaltyKind.WARNING], fine="150", tier=case.tier, on=dt.date(2026, 3, 20))
    assert exc.value.code == "notice_heavier"
    # A new notice of 180 yuan; no hearing right, so the decision may follow.
    case = svc.case_send_notice(case, by=world.officer_a, kinds=[PenaltyKind.FINE], fine="180", tier=case.tier,
                                on=dt.date(2026, 3, 12))
    assert case.status == CaseStatus.NOTIFIED and case.proposed_fine == Decimal("180")
    case = svc.case_decide(case, by=world.officer_a, outcome=Outcome.PENALTY, kinds=[PenaltyKind.FINE],
                           fine="180", tier=case.tier, on=dt.date(2026, 3, 20))
    assert case.status == CaseStatus.DECIDED


def test_a_lighter_decision_is_allowed_and_recorded(world):
    case = noticed(world, fine="150")
    case = svc.case_decide(case, by=world.officer_a, outcome=Outcome.PENALTY, kinds=[PenaltyKind.FINE], fine="100",
                           tier=case.tier, on=dt.date(2026, 3, 20))
    event = Event.objects.filter(object_id=case.pk, action="decide").latest("pk")
    assert any("150" in line and "100" in line for line in event.data["lighter_than_notice"])


def test_a_new_notice_with_hearing_rights_opens_a_new_hearing_period(world):
    case = noticed(world, fine="150", on=dt.date(2026, 9, 21))
    case = svc.case_send_notice(case, by=world.officer_a, kinds=[PenaltyKind.FINE, PenaltyKind.ORDER_SUSPENSION],
                                fine="8000", tier=world.dev.tiers.get(order=3), on=dt.date(2026, 9, 28))
    # Five working days from Monday 28 September: 29, 30 September, 8, 9, 10 October.
    assert case.hearing_rights and day_of(case.hearing_request_due_at) == dt.date(2026, 10, 10)
    with pytest.raises(InvalidTransition) as exc:  # the last day of the period: still open
        svc.case_decide(case, by=world.officer_a, outcome=Outcome.PENALTY, kinds=list(case.proposed_kinds),
                        fine="8000", tier=case.tier, on=dt.date(2026, 10, 10))
    assert exc.value.code == "hearing_request"


# --- point 3: legal review cannot be bypassed (art. 58) --------------------------------------------------


def test_the_handler_cannot_change_the_major_flag_after_filing(world):
    case = noticed(world)
    with pytest.raises(PermissionRefused) as exc:
        svc.case_mark_major(case, by=world.officer_a, is_major=True, is_complex=False, reason="重大")
    assert exc.value.code == "major_change" and "第五十八条" in str(exc.value)
    with pytest.raises(ValidationFailed):
        svc.case_mark_major(case, by=world.legal_a, is_major=True, is_complex=False, reason="")
    case = svc.case_mark_major(case, by=world.centre_reviewer, is_major=False, is_complex=True, reason="证据复杂")
    event = Event.objects.filter(object_id=case.pk, action="mark_major").latest("pk")
    assert event.actor_id == world.centre_reviewer.pk and event.data["reason"] == "证据复杂"
    assert event.data["was_complex"] is False and event.data["is_complex"] is True


def test_a_case_that_went_through_a_hearing_needs_legal_review_whatever_its_flag(world):
    case = noticed(world, kinds=[PenaltyKind.FINE, PenaltyKind.ORDER_SUSPENSION], fine="8000", tier_order=3,
                   on=dt.date(2026, 9, 21))
    case = svc.case_request_hearing(case, by=world.officer_a, on=dt.date(2026, 9, 22))
    case = svc.case_schedule_hearing(case, by=world.officer_a, notified_on=dt.date(2026, 9, 23), place="会议室",
                                     hearing_at=dt.datetime(2026, 10, 10, 9, tzinfo=SHANGHAI))
    case = svc.case_record_hearing(case, by=world.officer_a, record="当事人陈述申辩。",
                                   held_at=dt.datetime(2026, 10, 10, 9, tzinfo=SHANGHAI))
    assert case.went_to_hearing
    with pytest.raises(ValidationFailed) as exc:
        svc.case_mark_major(case, by=world.legal_a, is_major=False, is_complex=False, reason="不重大")
    assert exc.value.code == "major_change" and "第五十八条第一款第三项" in str(exc.value)
    # Even with the flag cleared behind the services' back, the decision needs the review.
    Case.objects.filter(pk=case.pk).update(is_major=False)
    case.refresh_from_db()
    with pytest.raises(InvalidTransition) as exc:
        svc.case_decide(case, by=world.officer_a, outcome=Outcome.PENALTY, kinds=list(case.proposed_kinds),
                        fine="8000", tier=case.tier, on=dt.date(2026, 10, 12))
    assert exc.value.code == "legal_review" and "听证" in str(exc.value)


# --- point 4: hearing rights for confiscation (art. 63(1)(2)) ----------------------------------------------


@pytest.mark.parametrize(("kind", "amount", "expected"), [
    (PartyKind.INDIVIDUAL, "9999.99", False),
    (PartyKind.INDIVIDUAL, "10000", True),  # "较大数额": the threshold itself included (默认一万元)
    (PartyKind.ORGANISATION, "99999.99", False),
    (PartyKind.ORGANISATION, "100000", True),
])
def test_confiscating_a_large_value_gives_the_right_to_a_hearing(db, kind, amount, expected):
    for kinds in ([PenaltyKind.CONFISCATE_GAINS], [PenaltyKind.CONFISCATE_PROPERTY]):
        assert bool(rules.hearing_reasons(kind, kinds, None, Decimal(amount))) is expected
    # Illegal gains count when they are confiscated and no other amount is stated.
    value = rules.confiscated_value([PenaltyKind.CONFISCATE_GAINS], None, Decimal(amount))
    assert bool(rules.hearing_reasons(kind, [PenaltyKind.CONFISCATE_GAINS], None, value)) is expected


def test_the_confiscation_threshold_is_configurable(db):
    CasePolicy.objects.create(pk=1, hearing_confiscation_individual=Decimal("5000"))
    assert rules.hearing_reasons(PartyKind.INDIVIDUAL, [PenaltyKind.CONFISCATE_GAINS], None, Decimal("5000"))
    assert not rules.hearing_reasons(PartyKind.INDIVIDUAL, [PenaltyKind.CONFISCATE_GAINS], None, Decimal("4999"))


# --- point 6: late-payment surcharge (art. 72) ----------------------------------------------------------------


@pytest.mark.parametrize(("paid_on", "expected"), [
    (dt.date(2026, 4, 7), "0"),       # served 23 March: the 15th day (art. 67) is 7 April, the last day to pay
    (dt.date(2026, 4, 8), "4.50"),    # one day late: 3 % of 150
    (dt.date(2026, 5, 10), "148.50"),  # 33 days: 99 %
    (dt.date(2026, 5, 11), "150.00"),  # 34 days: 102 %, capped at the fine
    (dt.date(2026, 6, 6), "150.00"),  # 60 days late: still the fine at most
])
def test_the_surcharge_is_three_percent_a_day_capped_at_the_fine(world, paid_on, expected):
    case = svc.case_serve(decided(world), by=world.officer_a, method=ServiceMethod.DIRECT, served_to="张三",
                          on=dt.date(2026, 3, 23))
    assert rules.surcharge(case, paid_on) == Decimal(expected)


def test_a_late_payment_must_include_the_surcharge(world, client_for):
    case = svc.case_serve(decided(world), by=world.officer_a, method=ServiceMethod.DIRECT, served_to="张三",
                          on=dt.date(2026, 3, 23))
    with pytest.raises(ValidationFailed) as exc:  # 60 days late, the fine alone
        svc.case_execute(case, by=world.officer_a, method=ExecutionMethod.PAID, paid_amount="150",
                         receipt_number="R1", on=dt.date(2026, 6, 6))
    assert exc.value.code == "surcharge" and "第七十二条" in str(exc.value) and "300" in str(exc.value)
    page = client_for(world.officer_a).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="surcharge"' in page  # accrued so far, shown on the case
    case = svc.case_execute(case, by=world.officer_a, method=ExecutionMethod.PAID, paid_amount="300",
                            receipt_number="R1", on=dt.date(2026, 6, 6))
    assert case.surcharge_amount == Decimal("150")
    page = client_for(world.officer_a).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "含加处罚款 150" in page


def test_the_decision_prints_the_surcharge_rule_and_its_cap(world, client_for):
    case = decided(world)
    document = CaseDocument.objects.get(case=case, kind=DocumentKind.DECISION)
    page = client_for(world.officer_a).get(reverse("cases:document", args=[case.pk, document.pk])).content.decode()
    assert "百分之三" in page and "不得超出罚款的数额" in page and "第七十二条" in page
    assert "最多 150" in page  # the cap for this fine


# --- point 7: first-time legal reviewers hold the legal professional qualification (art. 58(2)) -------------


def test_an_unqualified_first_time_reviewer_is_refused(world):
    newcomer = member(Role.LEGAL_REVIEWER, world.county.town_a, "legal_new", certified=True)
    case = svc.case_submit_review(noticed(world), by=world.officer_a)
    with pytest.raises(PermissionRefused) as exc:
        svc.case_pass_review(case, by=newcomer, opinion="同意")
    assert exc.value.code == "legal_reviewer" and "第五十八条第二款" in str(exc.value)
    with pytest.raises(PermissionRefused):
        svc.case_return_review(case, by=newcomer, reason="补充证据")
    LegalQualification.objects.create(officer=newcomer, certificate_number="A20223301000123",
                                      passed_on=dt.date(2022, 3, 1))
    case = svc.case_pass_review(Case.objects.get(pk=case.pk), by=newcomer, opinion="同意")
    assert case.status == CaseStatus.REVIEWED


def test_a_reviewer_with_earlier_reviews_is_not_a_first_time_reviewer(world):
    reviewed(world)  # legal_a reviewed once (qualified)
    LegalQualification.objects.filter(officer=world.legal_a).delete()
    case = svc.case_submit_review(noticed(world), by=world.officer_a)
    assert svc.case_pass_review(case, by=world.legal_a, opinion="同意").status == CaseStatus.REVIEWED


# --- point 8: two certified officers on every investigation record (art. 42, 55) ----------------------------


def inquiry(world, case, recorder):
    return svc.case_add_inquiry_record(
        case, by=world.officer_a, recorder=recorder, person_name="张三", person_role="当事人", qa="问：……\n答：……",
        started_at=dt.datetime(2026, 3, 5, 9, tzinfo=SHANGHAI), ended_at=dt.datetime(2026, 3, 5, 10, tzinfo=SHANGHAI),
        place="甲镇综合执法队询问室")


def test_an_inquiry_record_needs_two_certified_officers(world, client_for):
    case = svc.case_investigate(filed(world), by=world.officer_a)
    for recorder in (None, world.officer_a):
        with pytest.raises(ValidationFailed) as exc:
            inquiry(world, case, recorder)
        assert exc.value.code == "record_officers" and "第五十五条" in str(exc.value)
    with pytest.raises(PermissionRefused) as exc:  # the second officer's certificate expired in 2025
        inquiry(world, case, expired_officer(world))
    assert exc.value.code == "certificate_required"
    document = inquiry(world, case, world.officer_a2)
    numbers = [c.number for c in (world.officer_a.certificates.get(), world.officer_a2.certificates.get())]
    assert [document.content["inquirer_certificate"], document.content["recorder_certificate"]] == numbers
    page = client_for(world.officer_a).get(reverse("cases:document", args=[case.pk, document.pk])).content.decode()
    assert all(n in page for n in numbers)


# --- point 9: the prior-offense search without an ID number (art. 33) ------------------------------------


def first_offense(world, case, **kw):
    case = svc.case_investigate(case, by=world.officer_a) if case.status == CaseStatus.FILED else case
    return svc.case_decide(case, by=world.officer_a, outcome=Outcome.FIRST_OFFENSE, on=dt.date(2026, 3, 5),
                           decision_text="首违不罚", **kw)


def test_a_party_without_id_number_is_matched_on_name_and_address(world):
    first_offense(world, filed(world, matter=world.foe, party_id_number=""))
    again = filed(world, matter=world.foe, party_id_number="")
    with pytest.raises(ValidationFailed) as exc:
        first_offense(world, again)
    assert exc.value.code == "first_offense" and "第三十三条" in str(exc.value)
    other = filed(world, matter=world.foe, party_id_number="", party_address="甲镇人民路 9 号")
    assert first_offense(world, other).outcome == Outcome.FIRST_OFFENSE


def test_an_organisation_is_matched_on_its_credit_code(world):
    org = {"party_kind": PartyKind.ORGANISATION, "party_name": "甲镇某某商贸有限公司",
           "party_id_number": "91330100MA2XXXXX1K", "party_legal_rep": "李四"}
    first_offense(world, filed(world, matter=world.foe, **org))
    with pytest.raises(ValidationFailed):
        first_offense(world, filed(world, matter=world.foe, **{**org, "party_name": "甲镇某某商贸公司（更名）"}))


def test_without_a_reliable_identifier_the_handler_confirms_a_manual_search(world):
    case = svc.case_investigate(filed(world, matter=world.foe, party_id_number="", party_address=""),
                                by=world.officer_a)
    with pytest.raises(ValidationFailed) as exc:
        first_offense(world, case)
    assert exc.value.code == "first_offense" and exc.value.fields.get("first_offense_confirmed")
    case = first_offense(world, Case.objects.get(pk=case.pk), first_offense_confirmed=True)
    event = Event.objects.filter(object_id=case.pk, action="decide").latest("pk")
    assert event.data["first_offense_search"] == "manual"


# --- point 10: the summary decision states the remedies' time limits (art. 52) --------------------------------


def test_the_summary_decision_states_sixty_days_and_six_months(world, client_for):
    case = svc.case_decide_on_spot(lead(world, procedure=Procedure.SUMMARY), by=world.officer_a,
                                   officers=[world.officer_a, world.officer_a2], kinds=[PenaltyKind.FINE], fine="100",
                                   tier=world.dev.tiers.get(order=2), on=dt.date(2026, 3, 2), decision_text="当场罚款")
    document = CaseDocument.objects.get(case=case, kind=DocumentKind.SUMMARY_DECISION)
    page = client_for(world.officer_a).get(reverse("cases:document", args=[case.pk, document.pk])).content.decode()
    assert "六十日内" in page or "60日内" in page
    assert "六个月内" in page or "6个月内" in page
    assert "行政诉讼法》第四十六条" in page


# --- point 11: names masked in every published field ------------------------------------------------------------


def test_the_party_name_is_masked_in_the_title_and_facts(world, client):
    case = decided(world, title="张三占用人民路摆摊经营案",
                   facts="张三（住甲镇人民路 1 号）在人行道摆摊，经劝阻拒不改正。")
    publication = case_publish(case, by=world.officer_a)
    assert "张三" not in str(publication.content)
    assert publication.content["title"] == "张*占用人民路摆摊经营案"
    assert "甲镇人民路 1 号" not in publication.content["facts"]
    page = client.get(reverse("public-decision-detail", args=[publication.pk])).content.decode()
    assert "张三" not in page and "张*" in page


# --- point 12: withdrawal of a publication (art. 48(2)) ----------------------------------------------------------


def test_a_decision_declared_invalid_is_withdrawn_within_three_working_days(world):
    case = decided(world)
    case_publish(case, by=world.officer_a)
    appeal = case_record_appeal(case, by=world.officer_a, kind=AppealKind.LITIGATION, filed_on=dt.date(2026, 4, 1),
                                body="县人民法院")
    appeal_set_outcome(appeal, by=world.officer_a, outcome=AppealOutcome.DECLARED_INVALID,
                       concluded_on=dt.date(2026, 9, 30))
    case.refresh_from_db()
    # Art. 48(2) with art. 85: three working days from Wednesday 30 September 2026: 8, 9, 10 October.
    assert day_of(case.withdrawal_due_at) == dt.date(2026, 10, 10)
    assert "第四十八条第二款" in str(deadlines.rule("withdrawal").article)
    assert "确认无效" in str(deadlines.rule("withdrawal").article)


# --- point 13: provisional deadlines stored, shown, recomputed --------------------------------------------------


@pytest.fixture
def late_2026(world):
    with time_machine.travel(dt.datetime(2027, 1, 10, 10, tzinfo=SHANGHAI), tick=False):
        yield world


def test_a_provisional_deadline_is_stored_shown_and_recomputed(late_2026, client_for, api_for,
                                                               django_capture_on_commit_callbacks):
    world = late_2026
    case = decided(world, on=dt.date(2026, 12, 24))
    # Seven working days into 2027 (see the first test): 5 January 2027, provisional.
    assert day_of(case.service_due_at) == dt.date(2027, 1, 5)
    assert case.provisional_deadlines == ["service_due_at"] or "service_due_at" in case.provisional_deadlines
    page = client_for(world.officer_a).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="provisional"' in page and "暂定" in page
    body = api_for(world.officer_a).get(f"/api/cases/{case.pk}/").json()
    assert "service_due_at" in body["provisional_deadlines"]

    # The administrator enters 2027: say 4 January is made a holiday (an extra day of the New Year break).
    with django_capture_on_commit_callbacks(execute=True):
        HolidayOverride.objects.create(date=dt.date(2027, 1, 4), kind=DayKind.HOLIDAY, note="元旦")
        CalendarYear.objects.create(year=2027, complete=True, source="国办发明电〔2026〕×号")
    case.refresh_from_db()
    # Now 25, 28, 29, 30, 31 December (1-5), 5 and 6 January (6, 7): one day later, final.
    assert day_of(case.service_due_at) == dt.date(2027, 1, 6)
    assert "service_due_at" not in case.provisional_deadlines
    notes = Notification.objects.filter(recipient=world.officer_a, reason__startswith="case.deadline_moved.service")
    assert notes.count() == 1 and "2027-01-06" in notes.get().body
    # The publication period (7 working days, art. 48 / 118号) moved the same way.
    assert day_of(case.publication_due_at) == dt.date(2027, 1, 6)
    sent = Notification.objects.filter(reason__startswith="case.deadline_moved").count()
    # Idempotent: running again changes and sends nothing.
    assert deadlines.recompute_provisional_deadlines().as_dict() == {"checked": 0, "moved": 0, "notified": 0}
    assert Notification.objects.filter(reason__startswith="case.deadline_moved").count() == sent


def test_statutory_holidays_of_an_uncovered_year():
    # 2027 from the 放假办法 (see the module docstring).
    assert sorted(statutory_holidays(2027)) == [
        dt.date(2027, 1, 1), dt.date(2027, 2, 5), dt.date(2027, 2, 6), dt.date(2027, 2, 7), dt.date(2027, 2, 8),
        dt.date(2027, 4, 5), dt.date(2027, 5, 1), dt.date(2027, 5, 2), dt.date(2027, 6, 9), dt.date(2027, 9, 15),
        dt.date(2027, 10, 1), dt.date(2027, 10, 2), dt.date(2027, 10, 3),
    ]


@pytest.mark.parametrize(("year", "qingming"), [(2024, dt.date(2024, 4, 4)), (2025, dt.date(2025, 4, 4)),
                                                (2026, dt.date(2026, 4, 5))])
def test_qingming_comes_from_the_solar_term(year, qingming):
    assert qingming in statutory_holidays(year)


@pytest.mark.parametrize("year", [2025, 2026])  # the amended 放假办法 (Spring Festival eve) applies from 2025
def test_the_certain_holidays_agree_with_the_official_schedules(year):
    import chinese_calendar

    days = statutory_holidays(year)
    # Every day the 放假办法 fixes is a day off in the State Council's schedule of that year.
    assert all(chinese_calendar.is_holiday(d) for d in days), [d for d in days if not chinese_calendar.is_holiday(d)]


# --- point 14: warnings in working time -----------------------------------------------------------------------------


def test_a_working_day_deadline_turns_yellow_after_eighty_percent_of_working_time(db):
    start = at(2026, 9, 29, 9)
    due = deadline_for(start, 3, Unit.WORKING_DAYS).at  # 30 September, 8 and 9 October
    assert day_of(due) == dt.date(2026, 10, 9)
    # Working time: 15 h on 29 September (from 09:00) + 24 h on each of 30 Sept, 8 and 9 October = 87 h;
    # 80 % = 69.6 h: 15 + 24 + 24 = 63 h by the end of 8 October, 6.6 h into 9 October: 06:36.
    # (The due time is 23:59:59.999999, so the result is a microsecond short of 06:36.)
    assert abs(warn_time(start, due, 0.8, Unit.WORKING_DAYS) - at(2026, 10, 9, 6, 36)) < dt.timedelta(seconds=1)
    # In clock time 80 % falls on 7 October, in the middle of the holiday.
    assert (start + (due - start) * 0.8).date() == dt.date(2026, 10, 7)


def test_a_working_hour_deadline_turns_yellow_in_office_hours(db):
    from dispatch.sla import warn_time as ticket_warn_time

    start = at(2026, 9, 30, 16, 30)
    due = deadline_for(start, 2, Unit.WORKING_HOURS).at  # 1 h on 30 September, 1 h from 08:30 on 8 October
    assert due == at(2026, 10, 8, 9, 30)
    # 80 % of 2 office hours = 96 minutes: 60 on 30 September, 36 on 8 October.
    assert ticket_warn_time(start, due, 0.8, unit=Unit.WORKING_HOURS) == at(2026, 10, 8, 9, 6)


# --- point 15: deadline overrides use choices and are validated --------------------------------------------------


@pytest.mark.parametrize(("key", "unit", "field"), [
    ("servce", Unit.WORKING_DAYS, "key"),
    ("service", "weeks", "unit"),
    ("service", "years", "unit"),
    ("limitation", Unit.CALENDAR_DAYS, "unit"),
])
def test_an_override_with_an_unknown_key_or_unit_is_refused(db, key, unit, field):
    row = CaseDeadlineRule(key=key, label="x", amount=7, unit=unit, article="某省规定", reason="测试")
    with pytest.raises(ValidationError) as exc:
        row.full_clean()
    assert field in exc.value.message_dict
    if field != "unit" or unit == "weeks":
        with pytest.raises(IntegrityError), transaction.atomic():
            row.save()


def test_an_override_is_kept_in_the_history_with_who_and_why(db, administrator, client_for):
    client = client_for(administrator)
    response = client.post(reverse("admin:enforcement_casedeadlinerule_add"), {
        "key": "payment", "label": "缴纳罚款", "amount": 30, "unit": Unit.CALENDAR_DAYS, "article": "某省规定：三十日",
        "is_active": "on", "reason": "",
    })
    assert response.status_code == 200 and "调整理由" in response.content.decode()  # the reason is required
    response = client.post(reverse("admin:enforcement_casedeadlinerule_add"), {
        "key": "payment", "label": "缴纳罚款", "amount": 30, "unit": Unit.CALENDAR_DAYS, "article": "某省规定：三十日",
        "is_active": "on", "reason": "某省人民政府令第1号",
    })
    assert response.status_code == 302
    row = CaseDeadlineRule.objects.get(key="payment")
    history = row.history.latest()
    assert history.history_user_id == administrator.pk and history.history_change_reason == "某省人民政府令第1号"
    assert deadlines.due("payment", dt.date(2026, 9, 25)).date == dt.date(2026, 10, 25)


# --- the one table of legal rules: page and API ---------------------------------------------------------------------


def test_the_rules_table_lists_every_rule_with_its_article(db):
    table = {r.key: r for r in legal_rules()}
    assert set(deadlines.DEFAULT_RULES) <= set(table)
    for key in ("hearing_confiscation_individual", "surcharge", "record_officers", "legal_reviewer",
                "notice_heavier", "major_change", "remedies"):
        assert key in table
    assert all("第" in str(r.article) for r in table.values())
    assert table["service"].unit == Unit.WORKING_DAYS and "第八十五条" in str(table["service"].article)


def test_the_rules_api_and_page(world, api_for, client_for, client):
    CaseDeadlineRule.objects.create(key="payment", label="缴纳罚款", amount=30, unit=Unit.CALENDAR_DAYS,
                                    article="某省规定：三十日", reason="某省规定")
    rows = {r["key"]: r for r in api_for(world.officer_a).get("/api/legal-rules/").json()}
    assert rows["payment"]["current"] == "30" and rows["payment"]["default"] == "15" and rows["payment"]["changed"]
    assert rows["surcharge"]["changed_by"] == "fixed"
    assert client.get("/api/legal-rules/").status_code in (401, 403)
    schema = api_for(world.officer_a).get("/api/schema/")
    assert schema.status_code == 200 and "/api/legal-rules/" in schema.content.decode()
    for user in (world.officer_a, world.legal_a, world.leader_a, world.centre_reviewer):
        page = client_for(user).get(reverse("cases:legal-rules"))
        assert page.status_code == 200 and "法定时限与规则" in page.content.decode()
        assert "第八十五条" in page.content.decode()


def test_a_refusal_through_the_api_names_the_rule_and_its_article(world, api_for):
    case = noticed(world, fine="150")
    response = api_for(world.officer_a).post(f"/api/cases/{case.pk}/actions/decide/", {
        "outcome": "penalty", "kinds": ["fine"], "fine": "180", "tier": case.tier_id, "on": "2026-03-20",
    }, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "notice_heavier" and "第四十五条" in body["message"]


# --- the pages touched, for every role, with an event that has no actor ----------------------------------------


def test_the_case_pages_open_for_every_role(world, client_for, dispatcher, judicial_reviewer):
    from enforcement.access import grant
    from enforcement.workflow import record_event

    case = svc.case_serve(decided(world), by=world.officer_a, method=ServiceMethod.DIRECT, served_to="张三",
                          on=dt.date(2026, 3, 23))
    record_event(case, "note", by=None, note="系统自动记录")  # an event with no actor
    Case.objects.filter(pk=case.pk).update(provisional_deadlines=["payment_due_at"])
    grant("view_case_file", judicial_reviewer, case)
    documents = list(case.documents.all())
    for user in (world.officer_a, world.legal_a, world.leader_a, dispatcher, judicial_reviewer):
        client = client_for(user)
        page = client.get(reverse("cases:detail", args=[case.pk]))
        assert page.status_code == 200, user
        assert "第七十二条" in page.content.decode()  # the surcharge accrued since 7 April (late today)
        for document in documents:
            assert client.get(reverse("cases:document", args=[case.pk, document.pk])).status_code == 200
        rules_page = client.get(reverse("cases:legal-rules"))
        assert rules_page.status_code == 200 and "surcharge" in rules_page.content.decode()


def test_every_refusal_code_of_the_case_services_is_a_rule_of_the_table_or_a_plain_input_error(db):
    """A refusal applying the law names its rule (the table's key); no code may drift away from the table."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "enforcement" / "cases"
    sources = [root / "rules.py", *sorted((root / "services").glob("*.py"))]
    codes = {c for path in sources for c in re.findall(r'code="([a-z_]+)"', path.read_text())}
    # Not rules of the Penalty Law: input and file errors, the county's approval chain, the catalogue's grants.
    plain = {"date_in_future", "file_too_large", "file_type_forbidden", "file_type_mismatch", "not_executed",
             "approval_chain_incomplete", "matter_not_held", "matter_not_in_force", "officer_not_member",
             "certificate_required", "paid_amount"}
    keys = {r.key for r in legal_rules()}
    assert codes - plain <= keys, codes - plain - keys
