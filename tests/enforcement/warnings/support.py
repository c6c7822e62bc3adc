"""Builders for the warning tests: a penalty matter on the county's warning list, a warning, a record."""

from __future__ import annotations

import datetime as dt

import pytest

from enforcement.inspections import services as insp_services
from enforcement.inspections.choices import FindingResult, Outcome, SignatureStatus
from enforcement.models import GrantMode
from enforcement.warnings import services
from enforcement.warnings.models import WarningMatter
from tests.enforcement.inspections_support import aware, insp_fixture  # noqa: F401  (fixture)
from tests.factories import grant, make_matter

CONDITIONS = ["初次违法", "危害后果轻微", "能够及时改正"]


@pytest.fixture(name="wl")
def warning_list_fixture(insp):
    """Two penalty matters of the bureau on the warning list (10 working days, 365 days' repeat period)."""
    m_litter = make_matter("CG-FK-0101", "擅自在门前堆放杂物", department=insp.county.bureau)
    m_sign = make_matter("CG-FK-0102", "未按规定设置户外招牌", department=insp.county.bureau)
    entry = WarningMatter.objects.create(
        matter=m_litter,
        conditions="\n".join(CONDITIONS),
        correction_workdays=10,
        repeat_days=365,
        reason="县预警执法清单（试行）",
    )
    WarningMatter.objects.create(
        matter=m_sign,
        conditions="\n".join(CONDITIONS),
        correction_workdays=5,
        repeat_days=180,
        reason="县预警执法清单（试行）",
    )
    # The bureau holds both county-wide (transferred); both are devolved to township A, which may
    # therefore warn under them there (the filing rule of cases, which warnings share).
    for matter in (m_litter, m_sign):
        grant(matter, insp.county.bureau, GrantMode.TRANSFERRED)
        grant(matter, insp.county.town_a, GrantMode.DEVOLVED, township=insp.county.town_a)
    insp.m_litter, insp.m_sign, insp.entry = m_litter, m_sign, entry
    return insp


def issue(insp, *, obj=None, matter=None, day=dt.date(2026, 9, 24), by=None, **over):
    obj = obj or insp.objects_a[0]
    values = dict(
        by=by or insp.officers[0],
        agency=insp.county.town_a,
        matter=matter or insp.m_litter,
        party=services.Party.of(obj, "王老板"),
        officers=insp.officers[:2],
        facts="店门前人行道堆放纸箱杂物约3平方米。",
        conditions=CONDITIONS,
        issued_on=day,
    )
    values.update(over)
    return services.warning_issue(**values)


def ordered_record(insp, *, obj=None, day=dt.date(2026, 9, 24)):
    obj = obj or insp.objects_a[0]
    return insp_services.record_create(
        by=insp.officers[0],
        object=obj,
        agency=insp.county.town_a,
        officers=insp.officers[:2],
        findings=[
            insp_services.FindingInput(
                matter=insp.m_city, agency=insp.county.town_a, result=FindingResult.PROBLEM, description="门前堆放杂物"
            )
        ],
        place=obj.address,
        started_at=aware(day),
        signature_status=SignatureStatus.SIGNED,
        outcome=Outcome.ORDERED_TO_CORRECT,
        facts="现场检查门前三包落实情况。",
    )
