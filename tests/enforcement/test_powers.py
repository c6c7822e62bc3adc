"""Power grants: who may act on a matter in a township on a day, over time."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from enforcement.catalogue.powers import (
    GrantOverlap,
    end_grant,
    grant_power,
    holder_of,
    holders_for_township,
    holders_of_matter,
    power_map,
)
from enforcement.catalogue.services import matter_create, matter_repeal
from enforcement.errors import InvalidTransition, ValidationFailed
from enforcement.models import AgencyKind, Event, GrantMode, GrantSource, Matter, PowerGrant, PowerType
from tests.conftest import require
from tests.enforcement import catalogue_fixtures as fixtures
from tests.factories import AgencyFactory, TownshipFactory

matter, refs, chinese = fixtures.matter, fixtures.refs, fixtures.chinese  # shared fixtures

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chinese")]
D = dt.date


@pytest.fixture
def transferred(matter, refs):
    """The matter transferred county-wide to the bureau from 2024-01-01."""
    return grant_power(matter, refs.county.bureau, GrantMode.TRANSFERRED, valid_from=D(2024, 1, 1),
                       source_kind=GrantSource.IMPORT)


def devolve(matter, town, start, end=None, ref="2026-1"):
    return grant_power(matter, town, GrantMode.DEVOLVED, township=town, valid_from=start, valid_to=end,
                       source_kind=GrantSource.BATCH, source_ref=ref, source_batch_id=7)


def test_county_wide_grant_answers_for_every_township(matter, refs, transferred):
    for town in (refs.county.town_a, refs.county.town_b):
        answer = holder_of(matter, town, on=D(2025, 6, 1))
        assert answer.agency == refs.county.bureau and answer.mode == GrantMode.TRANSFERRED
        assert answer.grant == transferred and answer.county_wide
    assert holder_of(matter, refs.county.town_a, on=D(2023, 12, 31)) is None


def test_township_grant_wins_over_county_wide_and_says_how(matter, refs, transferred):
    devolve(matter, refs.county.town_a, D(2026, 3, 1))

    answer = holder_of(matter, refs.county.town_a, on=D(2026, 3, 1))
    assert answer.agency == refs.county.town_a and answer.mode == GrantMode.DEVOLVED
    assert answer.via_text == "赋权甲镇（赋权批次 2026-1）"
    assert not answer.county_wide
    # The other township and earlier days still answer the bureau.
    assert holder_of(matter, refs.county.town_b, on=D(2026, 3, 1)).agency == refs.county.bureau
    assert holder_of(matter, refs.county.town_a, on=D(2026, 2, 28)).agency == refs.county.bureau
    # township=None asks for the county-wide holder only.
    assert holder_of(matter, None, on=D(2026, 3, 1)).agency == refs.county.bureau


def test_via_text_for_each_mode(matter, refs):
    c = refs.county
    grant_power(matter, c.town_a, GrantMode.ENTRUSTED, township=c.town_a, acting_for=refs.housing,
                valid_from=D(2026, 1, 1), source_kind=GrantSource.DOCUMENT, source_ref="县政发〔2026〕3号")
    grant_power(matter, c.town_a, GrantMode.HUB_AND_SPOKE, township=c.town_b, valid_from=D(2026, 1, 1))
    a = holder_of(matter, c.town_a, on=D(2026, 1, 2))
    b = holder_of(matter, c.town_b, on=D(2026, 1, 2))
    assert a.via_text == "委托甲镇以县住房和城乡建设局名义行使（依据 县政发〔2026〕3号）"
    assert a.acting_for == refs.housing
    assert b.agency == c.town_a and b.acting_for == c.town_b
    assert b.via_text == "由甲镇按“1+X”辐射模式代乙街道行使（手工录入）"


def test_overlapping_grant_for_same_matter_and_township_is_refused_clearly(matter, refs):
    devolve(matter, refs.county.town_a, D(2026, 1, 1), D(2026, 12, 31))

    with pytest.raises(GrantOverlap) as exc:
        devolve(matter, refs.county.town_a, D(2026, 6, 1))

    message = str(exc.value)
    assert matter.code in message and "甲镇" in message and "2026-01-01 至 2026-12-31" in message
    assert exc.value.status == 409 and exc.value.code == "grant_overlap"
    assert PowerGrant.objects.count() == 1


def test_overlapping_county_wide_grants_are_refused(matter, refs, transferred):
    with pytest.raises(GrantOverlap, match="全县范围"):
        grant_power(matter, refs.housing, GrantMode.RETAINED, valid_from=D(2030, 1, 1))


def test_grants_that_do_not_overlap_are_accepted(matter, refs, transferred):
    devolve(matter, refs.county.town_a, D(2026, 1, 1), D(2026, 6, 30))
    devolve(matter, refs.county.town_a, D(2026, 7, 1))  # the next day
    devolve(matter, refs.county.town_b, D(2026, 1, 1))  # another township
    assert PowerGrant.objects.count() == 4


def test_ending_a_grant_keeps_past_answers(matter, refs, transferred):
    town = refs.county.town_a
    first = devolve(matter, town, D(2026, 1, 1), ref="2026-1")
    before = holder_of(matter, town, on=D(2026, 4, 30))

    ended = end_grant(first, on=D(2026, 5, 1), by=None, reason="批次调整")
    replacement = grant_power(matter, refs.county.squadron_a, GrantMode.STATIONED, township=town,
                              valid_from=D(2026, 5, 1), source_kind=GrantSource.BATCH, source_ref="2026-2")

    assert ended.valid_to == D(2026, 4, 30) and ended.end_reason == "批次调整"
    again = holder_of(matter, town, on=D(2026, 4, 30))
    assert (again.grant, again.agency, again.via_text) == (before.grant, before.agency, before.via_text)
    now = holder_of(matter, town, on=D(2026, 5, 1))
    assert now.grant == replacement and now.via_text == "由派驻甲镇的甲镇派驻中队行使（赋权批次 2026-2）"
    assert PowerGrant.objects.filter(pk=first.pk).exists()
    assert Event.objects.filter(action="end_grant", object_id=first.pk).exists()


def test_ending_twice_or_without_reason_is_refused(matter, refs):
    grant = devolve(matter, refs.county.town_a, D(2026, 1, 1))
    with pytest.raises(ValidationFailed):
        end_grant(grant, on=D(2026, 2, 1), by=None, reason=" ")
    end_grant(grant, on=D(2026, 2, 1), by=None, reason="撤销")
    with pytest.raises(InvalidTransition, match="已于 2026-01-31 截止"):
        end_grant(grant, on=D(2026, 3, 1), by=None, reason="再撤销")


def test_ending_before_start_leaves_an_empty_grant_that_never_applied(matter, refs):
    grant = devolve(matter, refs.county.town_a, D(2026, 5, 1))
    end_grant(grant, on=D(2026, 4, 1), by=None, reason="批次撤回")
    assert holder_of(matter, refs.county.town_a, on=D(2026, 5, 1)) is None
    # An empty grant does not block a new one over the same days.
    devolve(matter, refs.county.town_a, D(2026, 4, 30))


@pytest.mark.parametrize(
    ("mode", "kwargs", "field"),
    [
        (GrantMode.DEVOLVED, {}, "township"),
        (GrantMode.ENTRUSTED, {"township": "town_a"}, "acting_for"),
        (GrantMode.DEVOLVED, {"township": "bureau"}, "township"),
        (GrantMode.TRANSFERRED, {"valid_to": D(2023, 1, 1)}, "valid_to"),
        ("invented", {}, "mode"),
    ],
)
def test_grant_arguments_are_checked(matter, refs, mode, kwargs, field):
    kwargs = {k: getattr(refs.county, v) if isinstance(v, str) else v for k, v in kwargs.items()}
    with pytest.raises(ValidationFailed) as exc:
        grant_power(matter, refs.county.bureau, mode, valid_from=D(2024, 1, 1), **kwargs)
    assert field in exc.value.fields


def test_repealed_matter_cannot_be_granted_and_its_grants_end(matter, refs, transferred):
    matter_repeal(matter, on=D(2026, 7, 1), by=None, reason="上位法修订")
    assert holder_of(matter, refs.county.town_a, on=D(2026, 6, 30)).agency == refs.county.bureau
    assert holder_of(matter, refs.county.town_a, on=D(2026, 7, 1)) is None
    with pytest.raises(ValidationFailed, match="已废止"):
        devolve(matter, refs.county.town_a, D(2026, 8, 1))


def test_holders_for_township_and_holders_of_matter(matter, refs, transferred):
    other = matter_create(code="M-2", name="其他", power_type=PowerType.PENALTY, domain=refs.urban,
                          origin_department=refs.housing, by=None)
    devolve(other, refs.county.town_a, D(2026, 1, 1))
    answers = holders_for_township(refs.county.town_a, on=D(2026, 2, 1))
    assert answers[matter.pk].agency == refs.county.bureau
    assert answers[other.pk].agency == refs.county.town_a
    assert set(holders_for_township(refs.county.town_b, on=D(2026, 2, 1))) == {matter.pk}
    devolve(matter, refs.county.town_b, D(2026, 1, 1))
    listed = holders_of_matter(matter, on=D(2026, 2, 1))
    assert [a.grant.township for a in listed] == [None, refs.county.town_b]


def test_power_map_answers_like_holder_of_in_constant_queries(refs, django_assert_num_queries):
    c = refs.county
    towns = [c.town_a, c.town_b] + [TownshipFactory(code=f"T{i}", kind=AgencyKind.TOWN) for i in range(6)]
    matters = [
        matter_create(code=f"PM-{i:03d}", name=f"事项{i}", power_type=PowerType.PENALTY, domain=refs.urban,
                      origin_department=refs.housing, by=None)
        for i in range(30)
    ]
    for i, m in enumerate(matters):
        if i % 3:
            grant_power(m, c.bureau, GrantMode.TRANSFERRED, valid_from=D(2024, 1, 1))
        if i % 2:
            devolve(m, towns[i % len(towns)], D(2025, 1, 1))
        if i % 5 == 0:
            devolve(m, towns[(i + 1) % len(towns)], D(2025, 1, 1), D(2025, 3, 31))
    day = D(2025, 6, 1)
    qs = Matter.objects.filter(code__startswith="PM-")

    with django_assert_num_queries(1):
        result = power_map(qs, towns, on=day)

    for m in matters:
        for t in towns:
            expected = holder_of(m, t, on=day)
            got = result.get((m.pk, t.pk))
            assert (got.grant.pk if got else None) == (expected.grant.pk if expected else None)
    # The query count does not grow with the number of matters or townships.
    with django_assert_num_queries(1):
        power_map(qs.filter(code__lte="PM-005"), towns[:2], on=day)


@pytest.mark.django_db(transaction=True)
def test_concurrent_grants_cannot_both_pass_the_overlap_check():
    require(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL)")
    from enforcement.models import Domain

    bureau = AgencyFactory(code="B", name="局", kind=AgencyKind.BUREAU)
    town = TownshipFactory(code="T", name="镇")
    dept = AgencyFactory(code="DP", name="部门")
    domain = Domain.objects.create(code="X", name="领域")
    matter = matter_create(code="C-1", name="并发", power_type=PowerType.PENALTY, domain=domain,
                           origin_department=dept, by=None)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def attempt(day):
        try:
            barrier.wait()
            grant_power(matter, town, GrantMode.DEVOLVED, township=town, valid_from=day)
            outcomes.append("ok")
        except GrantOverlap:
            outcomes.append("overlap")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(D(2026, 1, 1 + i),)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "overlap", "overlap", "overlap"]
    assert PowerGrant.objects.filter(matter=matter).count() == 1
    del bureau
