"""Shared fixtures and helpers of the case tests: a helper module imported by the test_cases_*.py modules.

The world: township A holds matter DEV (devolved) and ENT (entrusted by the
natural-resources department); the bureau holds BUR county-wide (transferred);
FOE is on the first-offense exemption list and devolved to township A too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from enforcement.cases.services import lifecycle as svc
from enforcement.catalogue.powers import grant_power
from enforcement.models import (
    AgencyKind,
    CaseSource,
    DiscretionTier,
    Domain,
    FineUnit,
    GrantMode,
    LegalQualification,
    Matter,
    PartyKind,
    PenaltyKind,
    PowerType,
    Procedure,
    Role,
)
from tests.factories import AgencyFactory, CertificateFactory, member

GRANTS_FROM = dt.date(2024, 1, 1)
FILED_ON = dt.date(2026, 3, 2)


def _matter(code: str, name: str, domain, department, *, first_offense=False, safety=False) -> Matter:
    matter = Matter.objects.create(
        code=code, name=name, power_type=PowerType.PENALTY, domain=domain, origin_department=department,
        violated_provision="《城市市容和环境卫生管理条例》第十四条",
        penalty_provision="《城市市容和环境卫生管理条例》第三十四条第（一）项",
        first_offense_exempt=first_offense, safety_critical=safety, in_guidance_catalogue=True,
    )
    DiscretionTier.objects.create(matter=matter, order=1, level="轻微", circumstances="首次违法，及时改正",
                                  penalty_kinds=[PenaltyKind.WARNING])
    DiscretionTier.objects.create(matter=matter, order=2, level="一般", circumstances="经劝阻拒不改正",
                                  penalty_kinds=[PenaltyKind.FINE], fine_min=Decimal("50"), fine_max=Decimal("200"),
                                  fine_unit=FineUnit.YUAN)
    DiscretionTier.objects.create(matter=matter, order=3, level="严重", circumstances="影响恶劣",
                                  penalty_kinds=[PenaltyKind.FINE, PenaltyKind.ORDER_SUSPENSION],
                                  fine_min=Decimal("5000"), fine_max=Decimal("200000"), fine_unit=FineUnit.YUAN)
    return matter


@pytest.fixture
def world(county, officer_a, officer_b):
    domain = Domain.objects.create(code="CSGL", name="城市管理")
    centre = AgencyFactory(code="LRC", name="县法制审核中心", kind=AgencyKind.LEGAL_REVIEW_CENTRE, parent=county.bureau)
    county.town_a.short_name = "甲镇"
    county.town_a.save(update_fields=["short_name"])
    dev = _matter("CSGL-0001", "占道经营", domain, county.department)
    ent = _matter("ZRZY-0001", "未经批准临时用地", domain, county.department)
    bur = _matter("CSGL-0002", "擅自设置户外广告", domain, county.department)
    foe = _matter("CSGL-0003", "乱扔废弃物", domain, county.department, first_offense=True)
    for m in (dev, ent, bur, foe):
        grant_power(m, county.bureau, GrantMode.TRANSFERRED, valid_from=GRANTS_FROM)
    grant_power(dev, county.town_a, GrantMode.DEVOLVED, township=county.town_a, valid_from=GRANTS_FROM)
    grant_power(foe, county.town_a, GrantMode.DEVOLVED, township=county.town_a, valid_from=GRANTS_FROM)
    grant_power(ent, county.town_a, GrantMode.ENTRUSTED, township=county.town_a, valid_from=GRANTS_FROM,
                acting_for=county.department)
    legal_a = member(Role.LEGAL_REVIEWER, county.town_a, "legal_a", certified=True)
    centre_reviewer = member(Role.LEGAL_REVIEWER, centre, "centre_reviewer", certified=True)
    # Art. 58(2): first-time legal reviewers hold the legal professional qualification.
    for n, reviewer in enumerate((legal_a, centre_reviewer), start=1):
        LegalQualification.objects.create(officer=reviewer, certificate_number=f"A2021330100000{n}",
                                          passed_on=dt.date(2021, 3, 1))
    return SimpleNamespace(
        county=county, domain=domain, centre=centre, dev=dev, ent=ent, bur=bur, foe=foe,
        officer_a=officer_a, officer_b=officer_b,
        officer_a2=member(Role.TOWNSHIP_OFFICER, county.town_a, "officer_a2", certified=True),
        leader_a=member(Role.TOWNSHIP_LEADER, county.town_a, "leader_a", certified=True),
        legal_a=legal_a,
        centre_reviewer=centre_reviewer,
        squad1=member(Role.SQUADRON_OFFICER, county.squadron_a, "squad1", certified=True),
        squad2=member(Role.SQUADRON_OFFICER, county.squadron_a, "squad2", certified=True),
    )


def expired_officer(world, username="officer_expired"):
    user = member(Role.TOWNSHIP_OFFICER, world.county.town_a, username)
    CertificateFactory(officer=user, valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2025, 12, 31))
    return user


def lead(world, *, by=None, matter=None, agency=None, procedure=Procedure.ORDINARY, **over):
    values = dict(
        by=by or world.officer_a, agency=agency or world.county.town_a, matter=matter or world.dev,
        title="占用城市道路摆摊经营", occurred_on=dt.date(2026, 2, 20), discovered_on=dt.date(2026, 2, 25),
        party_kind=PartyKind.INDIVIDUAL, party_name="张三", party_id_number="330102199001011234",
        party_address="甲镇人民路 1 号", party_phone="13812345678", source=CaseSource.INSPECTION,
        facts="当事人在人民路人行道上摆摊经营水果，经劝阻拒不改正。", place="甲镇人民路", procedure=procedure,
    )
    values.update(over)
    return svc.case_create_lead(**values)


def filed(world, *, on=FILED_ON, **over):
    case = lead(world, **over)
    return svc.case_file(case, by=world.officer_a, officers=[world.officer_a, world.officer_a2], on=on)


def noticed(world, *, kinds=(PenaltyKind.FINE,), fine="150", tier_order=2, on=dt.date(2026, 3, 10), **over):
    case = filed(world, **over)
    case = svc.case_investigate(case, by=world.officer_a)
    tier = case.matter.tiers.get(order=tier_order)
    return svc.case_send_notice(case, by=world.officer_a, kinds=list(kinds), fine=fine, tier=tier, on=on)


def reviewed(world, **over):
    case = noticed(world, **over)
    case = svc.case_submit_review(case, by=world.officer_a)
    return svc.case_pass_review(case, by=world.legal_a, opinion="事实清楚，证据确凿，适用依据正确，程序合法，同意。")


def decided(world, *, on=dt.date(2026, 3, 20), **over):
    case = reviewed(world, **over)
    return svc.case_decide(case, by=world.officer_a, outcome="penalty", kinds=[PenaltyKind.FINE], fine="150",
                           tier=case.tier, on=on, decision_text="责令改正，罚款", needs_publication=True)
