"""Personas and builders of the coercion tests: township A's officers and head, township B's officer."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from enforcement.coercion import services as svc
from enforcement.models import Role
from enforcement.workdays import SHANGHAI
from tests.factories import CertificateFactory, member


def at(day: str, clock: str = "10:00") -> dt.datetime:
    """An aware Beijing time."""
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SHANGHAI)


ITEMS = [
    {
        "name": "燃气灶",
        "specification": "双眼",
        "quantity": "2",
        "unit": "台",
        "custody_place": "县执法局暂扣物品仓库",
        "keeper": "仓库管理员王五",
    },
    {"name": "液化气罐", "quantity": "3", "unit": "个", "custody_place": "县执法局暂扣物品仓库", "keeper": "王五"},
]


@pytest.fixture
def world(county, officer_a, officer_b):
    second = member(Role.TOWNSHIP_OFFICER, county.town_a, "officer_a2", certified=True)
    leader = member(Role.TOWNSHIP_LEADER, county.town_a, "leader_a", certified=True)
    expired = member(Role.TOWNSHIP_OFFICER, county.town_a, "officer_expired")
    CertificateFactory(officer=expired, valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2026, 9, 4))
    return SimpleNamespace(
        county=county,
        town_a=county.town_a,
        town_b=county.town_b,
        officer=officer_a,
        second=second,
        leader=leader,
        expired=expired,
        officer_b=officer_b,
    )


def draft(world, *, period_days: int = 30, emergency: bool = False, kind: str = "seizure", **over):
    values = dict(
        by=world.officer,
        agency=world.town_a,
        kind=kind,
        party_kind="individual",
        party_name="张三",
        party_id_number="330102199001011234",
        party_phone="13800001234",
        reasons="无证经营流动餐饮，存在燃气安全隐患",
        legal_basis="《浙江省城市市容和环境卫生管理条例》第×条",
        place="甲镇人民路12号",
        period_days=period_days,
        items=ITEMS,
        is_emergency=emergency,
    )
    values.update(over)
    return svc.measure_create(**values)


def in_force(world, taken: dt.datetime, *, period_days: int = 30, emergency: bool = False, **over):
    measure = draft(world, period_days=period_days, emergency=emergency, **over)
    if not emergency:
        measure = svc.measure_approve(measure, by=world.leader, at=taken - dt.timedelta(hours=1))
    return svc.measure_enforce(
        measure,
        by=world.officer,
        taken_at=taken,
        officers=[world.officer, world.second],
        onsite_record="现场查见当事人占道经营，使用液化气罐……",
        signature="signed",
    )
