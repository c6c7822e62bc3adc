"""The discretion check: a proposed penalty within the matter's tier, or exactly why not."""

from __future__ import annotations

from decimal import Decimal

import pytest

from enforcement.catalogue.services import ProposedPenalty, TierSpec, check_penalty, matter_create
from enforcement.models import PowerType
from tests.enforcement import catalogue_fixtures as fixtures

matter, refs, chinese = fixtures.matter, fixtures.refs, fixtures.chinese  # shared fixtures

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chinese")]


def tier(matter, level):
    return matter.tiers.get(level=level)


def test_penalty_within_the_tier_is_accepted(matter):
    check = check_penalty(matter, tier(matter, "一般"), ProposedPenalty(["fine"], Decimal("120")))
    assert check.ok and check.reasons == [] and bool(check)
    assert check_penalty(matter, tier(matter, "轻微"), ProposedPenalty(["warning"])).ok


def test_bounds_are_inclusive(matter):
    general = tier(matter, "一般")
    assert check_penalty(matter, general, ProposedPenalty(["fine"], Decimal("50"))).ok
    assert check_penalty(matter, general, ProposedPenalty(["fine"], Decimal("200.00"))).ok


def test_kind_not_allowed_in_the_tier_is_named(matter):
    check = check_penalty(matter, tier(matter, "轻微"), ProposedPenalty(["warning", "revoke_licence"]))
    assert not check.ok
    assert check.reasons == ["处罚种类“吊销许可证件”不在“轻微”等级允许的种类（警告）内。"]


def test_fine_below_minimum_and_above_maximum(matter):
    general = tier(matter, "一般")
    low = check_penalty(matter, general, ProposedPenalty(["fine"], Decimal("20")))
    high = check_penalty(matter, general, ProposedPenalty(["fine"], Decimal("250.50")))
    assert low.reasons == ["罚款 20 元低于“一般”等级下限 50 元。"]
    assert high.reasons == ["罚款 250.5 元高于“一般”等级上限 200 元。"]


def test_multiple_based_tier_needs_the_illegal_gains(matter):
    check = check_penalty(matter, tier(matter, "严重"), ProposedPenalty(["fine"], Decimal("3000")))
    assert not check.ok and "须填写违法所得金额" in check.reasons[0] and "1～3 倍" in check.reasons[0]


def test_multiple_based_tier_bounds_scale_with_gains(matter):
    severe = tier(matter, "严重")
    ok = check_penalty(matter, severe, ProposedPenalty(["confiscate_gains", "fine"], Decimal("2500"), Decimal("1000")))
    low = check_penalty(matter, severe, ProposedPenalty(["fine"], Decimal("900"), Decimal("1000")))
    high = check_penalty(matter, severe, ProposedPenalty(["fine"], Decimal("3001"), Decimal("1000")))
    assert ok.ok
    assert low.reasons == ["罚款 900 元低于下限：违法所得 1000 元的 1 倍，即 1000 元。"]
    assert high.reasons == ["罚款 3001 元高于上限：违法所得 1000 元的 3 倍，即 3000 元。"]


def test_fine_and_fine_kind_must_go_together(matter):
    general = tier(matter, "一般")
    missing_amount = check_penalty(matter, general, ProposedPenalty(["fine"]))
    amount_without_kind = check_penalty(matter, tier(matter, "轻微"), ProposedPenalty(["warning"], Decimal("100")))
    assert missing_amount.reasons == ["处罚种类包含“罚款”，但未填写罚款金额。"]
    assert amount_without_kind.reasons == ["填写了罚款金额，但处罚种类中没有“罚款”。"]


def test_every_reason_is_listed(matter):
    check = check_penalty(matter, tier(matter, "一般"), ProposedPenalty(["fine", "order_closure", "nonsense"],
                                                                        Decimal("-5")))
    assert len(check.reasons) == 3
    assert any("责令关闭" in r for r in check.reasons)
    assert any("未知处罚种类“nonsense”" in r for r in check.reasons)
    assert any("负数" in r for r in check.reasons)


def test_tier_of_another_matter_is_refused(matter, refs):
    other = matter_create(code="O-1", name="他项", power_type=PowerType.PENALTY, domain=refs.urban,
                          origin_department=refs.housing, by=None, tiers=[TierSpec("一般", "", ("fine",))])
    check = check_penalty(matter, other.tiers.get(), ProposedPenalty(["fine"], Decimal("10")))
    assert not check.ok and "不属于事项" in check.reasons[0]


def test_tier_without_fine_bounds_accepts_any_non_negative_fine(refs):
    m = matter_create(code="O-2", name="无幅度", power_type=PowerType.PENALTY, domain=refs.urban,
                      origin_department=refs.housing, by=None, tiers=[TierSpec("一般", "", ("fine",))])
    assert check_penalty(m, m.tiers.get(), ProposedPenalty(["fine"], Decimal("99999"))).ok
