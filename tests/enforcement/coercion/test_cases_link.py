"""An enforcement opened from a served penalty case takes its decision; the court's execution records the case's."""

from __future__ import annotations

import datetime as dt

import pytest

from enforcement.cases.services import lifecycle as case_svc
from enforcement.coercion import services as svc
from enforcement.errors import ValidationFailed
from tests.enforcement.cases_support import decided, world  # noqa: F401  (fixture)


def test_a_served_case_is_enforced_by_the_court_and_records_its_execution(world):  # noqa: F811
    case = decided(world)  # decided 20 March 2026
    with pytest.raises(ValidationFailed):
        svc.execution_create(by=world.officer_a, agency=case.agency, case=case, obligation="缴纳罚款150元")
    case = case_svc.case_serve(case, by=world.officer_a, method="direct", served_to="张三", on=dt.date(2026, 3, 23))
    execution = svc.execution_create(by=world.officer_a, agency=case.agency, case=case, obligation="缴纳罚款150元")
    assert execution.decision_number == case.decision_number and execution.party_name == case.party_name
    # Served Monday 23 March 2026: reconsideration 60 days to 22 May; litigation six months to 23 September
    # (a Wednesday, a working day): the appeal periods end 23 September; three months later 23 December.
    assert execution.window_opens_on == dt.date(2026, 9, 23)
    execution = svc.execution_remind(
        execution, by=world.officer_a, served_on=dt.date(2026, 9, 24), perform_by=dt.date(2026, 10, 9)
    )
    # Served Thursday 24 September: 25 Sep is Mid-Autumn, 28-30 Sep (1-3), 1-7 Oct holiday, 8, 9 and the adjusted
    # Saturday 10 Oct (4-6), 12-15 Oct (7-10): the court from 16 October.
    with pytest.raises(ValidationFailed):
        svc.execution_apply(execution, by=world.officer_a, court_name="县人民法院", on=dt.date(2026, 10, 15))
    execution = svc.execution_apply(execution, by=world.officer_a, court_name="县人民法院", on=dt.date(2026, 10, 16))
    execution = svc.execution_record_court(
        execution, by=world.officer_a, outcome="granted", decided_on=dt.date(2026, 11, 2)
    )
    svc.execution_conclude(execution, by=world.officer_a, conclusion="executed", on=dt.date(2026, 11, 20))
    case.refresh_from_db()
    assert case.status == "executed" and case.execution_method == "court" and case.executed_on == dt.date(2026, 11, 20)
