"""Builders for the inspection tests: inspection matters, objects, certified officers, a plan."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from enforcement.inspections import services
from enforcement.inspections.choices import CreditLevel, ObjectKind, RiskLevel
from enforcement.inspections.models import InspectionObject
from enforcement.models import AgencyKind, PowerType, Role
from tests.factories import AgencyFactory, CertificateFactory, make_domain, make_matter, member


def inspection_matter(code: str, department, name: str | None = None):
    return make_matter(code, name or f"检查事项{code}", department=department, power_type=PowerType.INSPECTION)


def make_object(
    township,
    name: str,
    *,
    matters=(),
    kind=ObjectKind.BUSINESS,
    identifier: str = "",
    risk=RiskLevel.LOW,
    credit=CreditLevel.B,
    conflicted=(),
) -> InspectionObject:
    obj = InspectionObject.objects.create(
        kind=kind,
        name=name,
        identifier=identifier,
        address=f"{township.name}{name}路1号",
        township=township,
        risk_level=risk,
        credit_level=credit,
    )
    obj.matters.set(matters)
    obj.conflicted_officers.set(conflicted)
    return obj


def certified(role, agency, username: str, *, valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2029, 12, 31), **extra):
    user = member(role, agency, username, **extra)
    CertificateFactory(officer=user, valid_from=valid_from, valid_to=valid_to)
    return user


@pytest.fixture(name="insp")
def insp_fixture(county):
    """Departments with inspection matters, objects in both townships and certified officers of township A."""
    market = AgencyFactory(code="DEPT-SC", name="县市场监督管理局", kind=AgencyKind.DEPARTMENT)
    fire = AgencyFactory(code="DEPT-XF", name="县消防救援大队", kind=AgencyKind.DEPARTMENT)
    env = AgencyFactory(code="DEPT-HB", name="县生态环境分局", kind=AgencyKind.DEPARTMENT)
    make_domain()
    m_food = inspection_matter("JC-SC-001", market, "食品经营许可情况检查")
    m_fire = inspection_matter("JC-XF-001", fire, "消防安全检查")
    m_env = inspection_matter("JC-HB-001", env, "油烟排放检查")
    m_city = inspection_matter("JC-CG-001", county.bureau, "门前三包检查")
    objects_a = [
        make_object(county.town_a, f"甲镇商户{i:02d}", matters=[m_food, m_city], identifier=f"91330100MA2{i:07d}")
        for i in range(1, 11)
    ]
    objects_b = [
        make_object(county.town_b, f"乙街道商户{i:02d}", matters=[m_food, m_city], identifier=f"91330200MA2{i:07d}")
        for i in range(1, 6)
    ]
    officers = [certified(Role.TOWNSHIP_OFFICER, county.town_a, f"insp_a{i}") for i in range(1, 5)]
    leader_a = certified(Role.TOWNSHIP_LEADER, county.town_a, "leader_a")
    officer_b = certified(Role.TOWNSHIP_OFFICER, county.town_b, "insp_b1")
    officer_b2 = certified(Role.TOWNSHIP_OFFICER, county.town_b, "insp_b2")
    market_staff = certified(Role.DEPARTMENT_STAFF, market, "market_staff")
    fire_staff = certified(Role.DEPARTMENT_STAFF, fire, "fire_staff")
    env_staff = certified(Role.DEPARTMENT_STAFF, env, "env_staff")
    return SimpleNamespace(
        county=county,
        market=market,
        fire=fire,
        env=env,
        m_food=m_food,
        m_fire=m_fire,
        m_env=m_env,
        m_city=m_city,
        objects_a=objects_a,
        objects_b=objects_b,
        officers=officers,
        leader_a=leader_a,
        officer_b=officer_b,
        officer_b2=officer_b2,
        market_staff=market_staff,
        fire_staff=fire_staff,
        env_staff=env_staff,
    )


def make_plan(insp, *, by=None, **over):
    values = dict(
        title="2026年第三季度门前三包双随机抽查",
        lead_agency=insp.county.town_a,
        matters=[insp.m_city],
        townships=[insp.county.town_a],
        period_start=dt.date(2026, 9, 1),
        period_end=dt.date(2026, 9, 30),
        sample_count=4,
        seed=20260901,
    )
    values.update(over)
    return services.plan_create(by=by or insp.leader_a, **values)


def aware(day: dt.date, hour: int = 10) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
