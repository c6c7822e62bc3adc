"""Publication of decisions (masked, on time), withdrawal after a change, reconsideration and litigation records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from enforcement.cases import deadlines
from enforcement.cases.services.publication import (
    appeal_set_outcome,
    case_publish,
    case_record_appeal,
    case_withdraw_publication,
)
from enforcement.errors import InvalidTransition, ValidationFailed
from enforcement.models import AppealKind, AppealOutcome, Case, PartyKind, WarningLevel
from enforcement.workdays import SHANGHAI
from tests.enforcement.cases_support import decided, filed, world

__all__ = ["world"]

pytestmark = pytest.mark.django_db


def at(y, m, d, h=12):
    return dt.datetime(y, m, d, h, tzinfo=SHANGHAI)


def test_published_decision_appears_on_the_public_page_with_the_party_masked(world, client):
    case = decided(world)
    publication = case_publish(case, by=world.officer_a)
    page = client.get(reverse("public-decisions")).content.decode()
    assert case.decision_number in page and "张*" in page
    assert "张三" not in page and "330102199001011234" not in page and "人民路 1 号" not in page
    detail = client.get(reverse("public-decision-detail", args=[publication.pk])).content.decode()
    assert "罚款人民币150元" in detail and "张三" not in detail and "13812345678" not in detail


def test_an_organisation_is_named_but_its_id_and_address_are_not_shown(world, client):
    case = decided(world, party_kind=PartyKind.ORGANISATION, party_name="某某餐饮有限公司", party_legal_rep="赵六",
                   party_id_number="91330100MA0000000X")
    case_publish(case, by=world.officer_a)
    page = client.get(reverse("public-decisions")).content.decode()
    assert "某某餐饮有限公司" in page and "91330100MA0000000X" not in page


def test_the_public_index_links_to_the_decisions(client, db):
    assert reverse("public-decisions") in client.get(reverse("public-index")).content.decode()


def test_only_decided_cases_can_be_published_and_only_once(world):
    with pytest.raises(InvalidTransition):
        case_publish(filed(world), by=world.officer_a)
    case = decided(world)
    case_publish(case, by=world.officer_a)
    with pytest.raises(InvalidTransition):
        case_publish(case, by=world.officer_a)


def test_a_decision_not_published_in_time_turns_red(world):
    case = decided(world)  # decided 2026-03-20, needs publication: 7 working days -> 2026-03-31
    assert deadlines.due("publication", dt.date(2026, 3, 20)).date == dt.date(2026, 3, 31)
    Case.objects.filter(pk=case.pk).update(service_due_at=None)  # look at publication alone
    deadlines.sweep_case_warnings(now=at(2026, 4, 1))
    case.refresh_from_db()
    assert (case.warning_level, case.warning_key) == (WarningLevel.RED, "publication")
    case_publish(case, by=world.officer_a)
    deadlines.sweep_case_warnings(now=at(2026, 4, 2))
    case.refresh_from_db()
    assert case.warning_level == WarningLevel.NONE


def test_a_revoked_decision_must_be_withdrawn_within_three_working_days(world, client):
    case = decided(world)
    publication = case_publish(case, by=world.officer_a)
    appeal = case_record_appeal(case, by=world.officer_a, kind=AppealKind.RECONSIDERATION,
                                filed_on=dt.date(2026, 4, 1), body="县人民政府", reference="县政复〔2026〕3号")
    assert appeal.outcome == AppealOutcome.PENDING and appeal.won is None
    appeal = appeal_set_outcome(appeal, by=world.officer_a, outcome=AppealOutcome.REVOKED,
                                concluded_on=dt.date(2026, 5, 29))
    case.refresh_from_db()
    assert case.withdrawal_due_at.astimezone(SHANGHAI).date() == dt.date(2026, 6, 3)  # Dragon Boat: 19 June
    Case.objects.filter(pk=case.pk).update(service_due_at=None)  # look at the withdrawal alone
    deadlines.sweep_case_warnings(now=at(2026, 6, 4))
    case.refresh_from_db()
    assert (case.warning_level, case.warning_key) == (WarningLevel.RED, "withdrawal")

    with pytest.raises(ValidationFailed):
        case_withdraw_publication(case, by=world.officer_a, reason="")
    case_withdraw_publication(case, by=world.officer_a, reason="该决定已被行政复议机关撤销")
    assert client.get(reverse("public-decision-detail", args=[publication.pk])).status_code == 404
    assert case.decision_number not in client.get(reverse("public-decisions")).content.decode()
    deadlines.sweep_case_warnings(now=at(2026, 6, 5))
    case.refresh_from_db()
    assert case.warning_level == WarningLevel.NONE


@pytest.mark.parametrize(("outcome", "won"), [
    (AppealOutcome.UPHELD, True), (AppealOutcome.WITHDRAWN, True), (AppealOutcome.VARIED, False),
    (AppealOutcome.REVOKED, False), (AppealOutcome.CONFIRMED_UNLAWFUL, False),
])
def test_litigation_records_whether_the_agency_won(world, outcome, won):
    case = decided(world)
    appeal = case_record_appeal(case, by=world.officer_a, kind=AppealKind.LITIGATION, filed_on=dt.date(2026, 4, 10),
                                body="县人民法院", reference="（2026）浙0101行初12号", outcome=outcome,
                                concluded_on=dt.date(2026, 7, 1))
    assert appeal.won is won


def test_an_appeal_needs_a_decided_case_and_a_conclusion_date_with_an_outcome(world):
    with pytest.raises(InvalidTransition):
        case_record_appeal(filed(world), by=world.officer_a, kind=AppealKind.RECONSIDERATION,
                           filed_on=dt.date(2026, 4, 1), body="县人民政府")
    with pytest.raises(ValidationFailed):
        case_record_appeal(decided(world), by=world.officer_a, kind=AppealKind.RECONSIDERATION,
                           filed_on=dt.date(2026, 4, 1), body="县人民政府", outcome=AppealOutcome.UPHELD)
