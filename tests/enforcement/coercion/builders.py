"""Builders of coercion objects for tests outside this package (the access matrix)."""

from __future__ import annotations

import datetime as dt

from enforcement.coercion import services as svc
from enforcement.workdays import SHANGHAI

ITEMS = [{"name": "液化气罐", "quantity": "2", "unit": "个", "custody_place": "县执法局仓库", "keeper": "王五"}]


def measure_and_execution(*, agency, officer, second, head):
    """A seizure in force of ``agency`` taken by two officers, and an enforcement with its reminder served."""
    measure = svc.measure_create(
        by=officer,
        agency=agency,
        kind="seizure",
        party_kind="individual",
        party_name="张三",
        party_id_number="330102199001011234",
        reasons="占道经营使用液化气罐",
        legal_basis="某条例第×条",
        place="甲镇人民路",
        period_days=30,
        items=ITEMS,
    )
    taken = dt.datetime(2026, 9, 20, 10, 0, tzinfo=SHANGHAI)
    measure = svc.measure_approve(measure, by=head, at=taken - dt.timedelta(hours=1))
    measure = svc.measure_enforce(
        measure, by=officer, taken_at=taken, officers=[officer, second], onsite_record="现场笔录", signature="signed"
    )
    execution = svc.execution_create(
        by=officer,
        agency=agency,
        obligation="缴纳罚款五千元",
        decision_number="甲镇综执罚决字〔2026〕第1号",
        decision_served_on=dt.date(2026, 1, 5),
        party_kind="individual",
        party_name="张三",
    )
    execution = svc.execution_remind(
        execution, by=officer, served_on=dt.date(2026, 6, 10), perform_by=dt.date(2026, 6, 20)
    )
    return measure, execution
