"""Item rules: every category rule and mode requirement, refused with the item, township and missing record."""

from __future__ import annotations

import datetime as dt

import pytest

from devolution import services
from devolution.models import (
    AssessmentConclusion,
    BatchItem,
    Category,
    ItemMode,
    StatutoryKind,
)
from devolution.rules import blocking_problems
from enforcement.errors import ValidationFailed
from enforcement.models import AgencyKind
from tests.devolution.helpers import (
    add_agreement,
    add_assessment,
    add_item,
    add_statutory_records,
    make_batch,
    make_matter,
    today,
)
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(dv):
    return make_batch(dv.admin, [dv.town_a, dv.town_b])


def messages(batch) -> list[str]:
    return [p.message for p in blocking_problems(batch)]


def test_matter_outside_guidance_catalogue_is_refused_naming_the_matter(dv, batch):
    outside = make_matter("CSGL-0099", "占道经营", department=dv.department, in_catalogue=False)

    with pytest.raises(ValidationFailed) as exc:
        add_item(batch, dv.admin, outside, [dv.town_a])

    assert "CSGL-0099 占道经营" in exc.value.message and "指导目录" in exc.value.message
    assert "matter" in exc.value.fields
    assert not BatchItem.objects.exists()


def test_township_outside_the_batch_is_refused_by_name(dv, county):
    batch = make_batch(dv.admin, [dv.town_a])

    with pytest.raises(ValidationFailed) as exc:
        add_item(batch, dv.admin, dv.matters[0], [dv.town_a, dv.town_b])

    assert "乙街道" in str(exc.value.fields["townships"])
    assert not BatchItem.objects.exists()


def test_same_matter_twice_in_one_batch_is_refused(dv, batch):
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a])

    with pytest.raises(ValidationFailed) as exc:
        add_item(batch, dv.admin, dv.matters[0], [dv.town_b])

    assert "已在批次" in exc.value.message


def test_priority_is_refused_for_a_safety_critical_matter_proposing_assessed(dv, batch):
    risky = make_matter("YJ-0001", "危险化学品储存", department=dv.department, safety_critical=True)

    with pytest.raises(ValidationFailed) as exc:
        add_item(batch, dv.admin, risky, [dv.town_a], category=Category.PRIORITY, cases=40)

    message = exc.value.message
    assert "YJ-0001 危险化学品储存" in message and "甲镇" in message
    assert "安全关键" in message and "评估下放" in message


def test_priority_is_refused_with_no_cases_in_three_years_proposing_assessed(dv, batch):
    with pytest.raises(ValidationFailed) as exc:
        add_item(batch, dv.admin, dv.matters[0], [dv.town_a, dv.town_b], category=Category.PRIORITY, cases=0)

    assert "近三年案件数为 0" in exc.value.message and "评估下放" in exc.value.message
    assert "甲镇、乙街道" in exc.value.message


def test_priority_without_a_hand_entered_count_uses_the_cases_in_the_system(dv, batch):
    # No case of the matter in the system and nothing entered by hand: the count is 0, from the system.
    with pytest.raises(ValidationFailed) as exc:
        add_item(batch, dv.admin, dv.matters[0], [dv.town_a], category=Category.PRIORITY, cases=None)

    assert "近三年案件数为 0" in exc.value.message and "系统案件统计" in exc.value.message
    assert "category" in exc.value.fields


def test_safety_critical_matter_may_be_assessed_instead(dv, batch):
    risky = make_matter("YJ-0001", "危险化学品储存", department=dv.department, safety_critical=True)

    item = add_item(batch, dv.admin, risky, [dv.town_a], category=Category.ASSESSED, cases=0)

    assert item.category == Category.ASSESSED


def test_assessed_item_blocks_approval_until_its_assessment_is_recorded(dv, batch):
    item = add_item(batch, dv.admin, dv.matters[0], [dv.town_a], category=Category.ASSESSED, cases=0)

    [problem] = blocking_problems(batch)
    assert problem.item_id == item.pk
    assert "ZRZY-0001" in problem.message and "甲镇" in problem.message and "专家评估" in problem.message

    add_assessment(item, dv.admin)
    assert blocking_problems(batch) == []


def test_assessment_needs_date_experts_conclusion_and_opinion_file(dv, batch):
    item = add_item(batch, dv.admin, dv.matters[0], [dv.town_a], category=Category.ASSESSED, cases=0)

    with pytest.raises(ValidationFailed) as exc:
        services.assessment_save(item, by=dv.admin, assessed_on=today(), experts=" ", conclusion="suitable")

    assert set(exc.value.fields) == {"experts", "opinion_file"}


def test_assessment_concluding_unsuitable_blocks_approval(dv, batch):
    item = add_item(batch, dv.admin, dv.matters[0], [dv.town_a], category=Category.ASSESSED, cases=0)
    add_assessment(item, dv.admin, conclusion=AssessmentConclusion.UNSUITABLE)

    assert any("不宜下放" in m for m in messages(batch))


def test_deferred_item_needs_a_reason_and_a_review_date(dv, batch):
    with pytest.raises(ValidationFailed) as exc:
        add_item(batch, dv.admin, dv.matters[0], [dv.town_a], category=Category.DEFERRED)

    assert set(exc.value.fields) == {"deferred_reason", "review_date"}
    assert "ZRZY-0001" in exc.value.message

    item = add_item(batch, dv.admin, dv.matters[0], [dv.town_a], category=Category.DEFERRED,
                    deferred_reason="人员不足", review_date=today() + dt.timedelta(days=180))
    assert not item.enacts


def test_statutory_item_needs_all_four_records_each_named(dv, batch):
    item = add_item(batch, dv.admin, dv.matters[0], [dv.town_a], category=Category.STATUTORY)
    add_statutory_records(item, dv.admin, kinds=[StatutoryKind.COUNTY_APPLICATION])

    found = messages(batch)

    assert len(found) == 3
    for kind in (StatutoryKind.CITY_DEPARTMENT_OPINION, StatutoryKind.ESTABLISHMENT_CONSENT,
                 StatutoryKind.JUDICIAL_CONSENT):
        assert any(str(kind.label) in m and "ZRZY-0001" in m and "甲镇" in m for m in found), kind
    add_statutory_records(item, dv.admin)
    assert messages(batch) == []


def test_statutory_record_needs_document_number_and_date(dv, batch):
    item = add_item(batch, dv.admin, dv.matters[0], [dv.town_a], category=Category.STATUTORY)

    with pytest.raises(ValidationFailed) as exc:
        services.statutory_record_save(item, by=dv.admin, kind=StatutoryKind.JUDICIAL_CONSENT, document_no="",
                                       issued_on=None)

    assert set(exc.value.fields) == {"document_no", "issued_on"}


def test_integrated_item_needs_a_package_of_this_batch(dv, batch):
    with pytest.raises(ValidationFailed) as exc:
        add_item(batch, dv.admin, dv.matters[0], [dv.town_a], category=Category.INTEGRATED)
    assert "package" in exc.value.fields

    other = make_batch(dv.admin, [dv.town_a], number="2026-9")
    foreign = services.package_create(other, by=dv.admin, name="别的包")
    with pytest.raises(ValidationFailed):
        add_item(batch, dv.admin, dv.matters[0], [dv.town_a], category=Category.INTEGRATED, package=foreign)


def test_integrated_package_must_hold_several_items_in_the_same_townships(dv, batch):
    package = services.package_create(batch, by=dv.admin, name="违法建设查处“一件事”")
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a, dv.town_b], category=Category.INTEGRATED, package=package)

    assert any("只有 1 个事项" in m for m in messages(batch))

    add_item(batch, dv.admin, dv.matters[1], [dv.town_a], category=Category.INTEGRATED, package=package)
    found = messages(batch)
    assert any("ZRZY-0002" in m and "缺少乙街道" in m for m in found)


def test_integrated_package_is_blocked_whole_when_one_of_its_items_is(dv, batch):
    package = services.package_create(batch, by=dv.admin, name="违法建设查处“一件事”")
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a], category=Category.INTEGRATED, package=package)
    bad = add_item(batch, dv.admin, dv.matters[1], [dv.town_a], category=Category.INTEGRATED, package=package)
    batch = services.batch_submit(batch, by=dv.admin)
    batch = services.batch_start_review(batch, by=dv.reviewer)
    services.item_review(bad, by=dv.reviewer, decision="reject", text="依据不足")

    found = messages(batch)

    assert any("须整体批准" in m and "ZRZY-0002" in m for m in found)


def test_entrusted_item_needs_an_agreement_covering_each_township(dv, batch):
    item = add_item(batch, dv.admin, dv.matters[0], [dv.town_a, dv.town_b], mode=ItemMode.ENTRUSTED)
    add_agreement(batch, dv.admin, dv.department, [dv.town_a])

    [problem] = blocking_problems(batch)

    assert problem.item_id == item.pk and problem.township_id == dv.town_b.pk
    assert "乙街道" in problem.message and "委托协议" in problem.message and "县自然资源局" in problem.message
    add_agreement(batch, dv.admin, dv.department, [dv.town_b])
    assert blocking_problems(batch) == []


def test_agreement_of_another_department_or_not_covering_the_effective_date_does_not_count(dv, batch):
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a], mode=ItemMode.ENTRUSTED)
    other = AgencyFactory(code="DEPT-ZJ", name="县住建局", kind=AgencyKind.DEPARTMENT)
    add_agreement(batch, dv.admin, other, [dv.town_a])
    add_agreement(batch, dv.admin, dv.department, [dv.town_a], term_from=today() + dt.timedelta(days=10))

    assert len(messages(batch)) == 1


def test_agreement_needs_department_scope_term_and_file(dv, batch):
    with pytest.raises(ValidationFailed) as exc:
        services.agreement_save(batch, by=dv.admin, department=dv.town_a, townships=[dv.town_a], scope="",
                                term_from=today(), term_to=today() - dt.timedelta(days=1), file=None)

    assert set(exc.value.fields) == {"department", "scope", "term_to", "file"}


def test_stationed_item_needs_a_stationed_squadron_in_each_township(dv, batch):
    with pytest.raises(ValidationFailed) as exc:
        add_item(batch, dv.admin, dv.matters[0], [dv.town_a, dv.town_b], mode=ItemMode.STATIONED)

    assert "乙街道没有派驻中队" in exc.value.message

    item = add_item(batch, dv.admin, dv.matters[0], [dv.town_a], mode=ItemMode.STATIONED)
    assert item.mode == ItemMode.STATIONED


def test_hub_and_spoke_needs_a_hub_among_its_townships_and_at_least_one_spoke(dv, batch):
    with pytest.raises(ValidationFailed) as exc:
        add_item(batch, dv.admin, dv.matters[0], [dv.town_a, dv.town_b], mode=ItemMode.HUB_AND_SPOKE)
    assert "hub_township" in exc.value.fields

    with pytest.raises(ValidationFailed) as exc:
        add_item(batch, dv.admin, dv.matters[0], [dv.town_a], mode=ItemMode.HUB_AND_SPOKE, hub_township=dv.town_a)
    assert "辐射乡镇" in exc.value.message

    with pytest.raises(ValidationFailed):
        add_item(batch, dv.admin, dv.matters[0], [dv.town_b], mode=ItemMode.HUB_AND_SPOKE, hub_township=dv.town_a)

    item = add_item(batch, dv.admin, dv.matters[0], [dv.town_a, dv.town_b], mode=ItemMode.HUB_AND_SPOKE,
                    hub_township=dv.town_a)
    assert item.hub_township == dv.town_a


def test_rules_read_a_constant_number_of_queries(dv, batch, django_assert_max_num_queries):
    for matter in dv.matters:
        add_item(batch, dv.admin, matter, [dv.town_a, dv.town_b], category=Category.STATUTORY)
    with django_assert_max_num_queries(14):
        found = blocking_problems(batch)
    assert len(found) == 12
