"""The small county of the disclosure tests: hand-made cases, appeals, inspections, warnings, coercion of 2025.

Expected figures are worked out by hand from the rows written below, not from the report code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from enforcement.cases.models import AppealRecord
from enforcement.models import Role
from tests.factories import make_closed_case, make_matter, member

YEAR = 2025


@pytest.fixture
def world(county, judicial_reviewer, officer_a):
    matter = make_matter("CSGL-0001", "占道经营", department=county.department)
    day = dt.date(YEAR, 6, 10)
    a, b = county.town_a, county.town_b
    make_closed_case(
        number="A1",
        agency=a,
        matter=matter,
        decided_on=day,
        penalty_kinds=["fine"],
        fine_amount=Decimal("500"),
        township=a,
    )
    # A combined penalty: fine + confiscation counts once, under confiscation (the more severe).
    make_closed_case(
        number="A2",
        agency=a,
        matter=matter,
        decided_on=day,
        penalty_kinds=["fine", "confiscate_property"],
        fine_amount=Decimal("1000"),
        confiscated_amount=Decimal("200"),
        township=a,
    )
    make_closed_case(number="A3", agency=a, matter=matter, decided_on=day, outcome="first_offense", township=a)
    appealed = make_closed_case(
        number="B1", agency=b, matter=matter, decided_on=day, penalty_kinds=["warning"], township=b
    )
    # Decided in 2024 and filed in 2024: not in 2025.
    make_closed_case(number="B0", agency=b, matter=matter, decided_on=dt.date(2024, 12, 31), penalty_kinds=["warning"])
    # Transferred to the police in 2025: counted as transferred, not decided.
    make_closed_case(
        number="B2",
        agency=b,
        matter=matter,
        decided_on=day,
        transferred_on=day,
        outcome="transfer",
        filed_on=dt.date(2024, 11, 2),
    )
    AppealRecord.objects.create(
        case=appealed,
        kind="reconsideration",
        filed_on=dt.date(YEAR, 7, 1),
        body="县政府",
        outcome="revoked",
        concluded_on=dt.date(YEAR, 9, 1),
        recorded_by=judicial_reviewer,
    )
    AppealRecord.objects.create(
        case=appealed,
        kind="litigation",
        filed_on=dt.date(YEAR, 10, 1),
        body="县法院",
        outcome="upheld",
        won=True,
        concluded_on=dt.date(YEAR, 12, 1),
        recorded_by=judicial_reviewer,
    )
    _other_sources(county, matter)
    editor = member(Role.LEGAL_REVIEWER, county.bureau, "legal_section")
    return county, editor


def _other_sources(county, matter):
    """Inspections, warnings and coercion rows of 2025 (and one of 2024 each, which must not count)."""
    from enforcement.coercion.models import CoerciveMeasure, Execution
    from enforcement.inspections.models import InspectionObject, InspectionRecord
    from enforcement.warnings.models import WarningNotice

    a, b = county.town_a, county.town_b
    shop = InspectionObject.objects.create(kind="organisation", name="某商店", township=a)
    for n, (agency, day) in enumerate([(a, dt.date(YEAR, 3, 1)), (a, dt.date(YEAR, 4, 1)), (b, dt.date(2024, 5, 1))]):
        InspectionRecord.objects.create(
            number=f"JC{n}",
            object=shop,
            agency=agency,
            township=a,
            place="某地",
            started_at=dt.datetime(day.year, day.month, day.day, 9, tzinfo=dt.UTC),
            checked_on=day,
            signature_status="signed",
            outcome="no_problem",
        )
    notices = [
        (a, dt.date(YEAR, 5, 1), "corrected"),
        (b, dt.date(YEAR, 6, 1), "issued"),
        (b, dt.date(2024, 6, 1), "corrected"),
    ]
    for n, (agency, day, status) in enumerate(notices):
        WarningNotice.objects.create(
            number=f"YJ{n}",
            agency=agency,
            matter=matter,
            party_kind="individual",
            party_name="张三",
            facts="占道",
            issued_on=day,
            correction_workdays=3,
            correction_due_at=dt.datetime(day.year, day.month, 10, tzinfo=dt.UTC),
            status=status,
        )
    common = dict(
        party_kind="individual",
        party_name="李四",
        reasons="证据可能灭失",
        legal_basis="行政强制法第九条",
        place="某地",
        period_days=30,
    )
    CoerciveMeasure.objects.create(
        number="QZ1", kind="sealing", agency=a, decided_on=dt.date(YEAR, 7, 1), status="in_force", **common
    )
    CoerciveMeasure.objects.create(
        number="QZ2",
        kind="seizure",
        agency=a,
        decided_on=dt.date(YEAR, 7, 2),
        released_on=dt.date(YEAR, 7, 20),
        status="released",
        **common,
    )
    CoerciveMeasure.objects.create(
        number="QZ3", kind="seizure", agency=b, decided_on=dt.date(2024, 7, 2), status="released", **common
    )
    Execution.objects.create(
        number="ZX1",
        agency=b,
        decision_number="罚字1号",
        decision_served_on=dt.date(YEAR, 2, 1),
        obligation="缴纳罚款",
        party_kind="individual",
        party_name="王五",
        status="concluded",
        conclusion="performed",
        concluded_on=dt.date(YEAR, 8, 1),
    )
