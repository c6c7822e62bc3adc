"""The three-year case count of a priority item: counted from cases, or a hand-entered figure for pre-system history."""

from __future__ import annotations

import datetime as dt
from itertools import count

import pytest
from django.urls import reverse

from devolution.models import BatchItem, Category
from devolution.selectors import case_counts_3y
from enforcement.cases.models import Case, CaseStatus, PartyKind, Procedure
from enforcement.errors import ValidationFailed
from tests.devolution.helpers import add_item, make_batch, make_matter

pytestmark = pytest.mark.django_db

_numbers = count(1)

# The batch takes effect on 1 March 2027. The three years before it run from 1 March 2024 (the same day three
# years earlier) to 28 February 2027 (the day before). 29 February 2024 is three years and one day before.
EFFECTIVE = dt.date(2027, 3, 1)


def a_case(matter, township, *, filed_on=None, decided_on=None, procedure=Procedure.ORDINARY,
           status=CaseStatus.FILED) -> Case:
    """A case row as the cases module stores it (the counting reads rows; the case workflow is tested elsewhere)."""
    return Case.objects.create(
        number=f"T-{next(_numbers)}", agency=township, township=township, matter=matter, title="案由",
        occurred_on=dt.date(2024, 1, 1), discovered_on=dt.date(2024, 1, 1), party_kind=PartyKind.INDIVIDUAL,
        party_name="张三", procedure=procedure, filed_on=filed_on, decided_on=decided_on, status=status,
    )


@pytest.fixture
def batch(dv):
    return make_batch(dv.admin, [dv.town_a, dv.town_b], effective=EFFECTIVE)


def test_the_count_takes_filed_cases_of_the_matter_in_the_items_townships_over_the_three_years(dv, batch):
    matter, other = dv.matters[0], dv.matters[1]
    a_case(matter, dv.town_a, filed_on=dt.date(2024, 3, 1))  # exactly three years before: counts
    a_case(matter, dv.town_a, filed_on=dt.date(2027, 2, 28))  # the day before the effective date: counts
    a_case(matter, dv.town_a, decided_on=dt.date(2025, 6, 1), procedure=Procedure.SUMMARY,
           status=CaseStatus.SERVED)  # decided on the spot (never filed): counts
    a_case(matter, dv.town_a, filed_on=dt.date(2024, 2, 29))  # three years and one day before: does not count
    a_case(matter, dv.town_a, filed_on=dt.date(2027, 3, 1))  # the effective date itself is not "before"
    a_case(matter, dv.town_a, status=CaseStatus.LEAD)  # a lead never filed
    a_case(matter, dv.town_a, status=CaseStatus.DECLINED)  # declined to file
    a_case(matter, dv.town_b, filed_on=dt.date(2025, 1, 1))  # another township than the item's
    a_case(other, dv.town_a, filed_on=dt.date(2025, 1, 1))  # another matter

    item = add_item(batch, dv.admin, matter, [dv.town_a], cases=None)

    [result] = case_counts_3y([BatchItem.objects.select_related("batch").get(pk=item.pk)]).values()
    assert (result.value, result.counted, result.source, result.entered) == (3, 3, "cases", None)
    assert (result.window_from, result.window_to) == (dt.date(2024, 3, 1), dt.date(2027, 2, 28))


def test_an_item_of_two_townships_counts_the_cases_of_both(dv, batch):
    a_case(dv.matters[0], dv.town_a, filed_on=dt.date(2025, 1, 1))
    a_case(dv.matters[0], dv.town_b, filed_on=dt.date(2025, 1, 2))

    item = add_item(batch, dv.admin, dv.matters[0], [dv.town_a, dv.town_b], cases=None)

    assert case_counts_3y([item])[item.pk].value == 2


def test_a_priority_item_with_only_an_old_case_is_refused_naming_the_system_count(dv, batch):
    a_case(dv.matters[0], dv.town_a, filed_on=dt.date(2024, 2, 29))

    with pytest.raises(ValidationFailed) as exc:
        add_item(batch, dv.admin, dv.matters[0], [dv.town_a], category=Category.PRIORITY, cases=None)

    assert "近三年案件数为 0" in exc.value.message
    assert "系统案件统计，2024-03-01 至 2027-02-28" in exc.value.message
    assert not BatchItem.objects.exists()


def test_a_hand_entered_count_overrides_the_system_and_the_rule_says_so(dv, batch):
    # No case in the system (the township's cases predate it): the entered 6 is used.
    kept = add_item(batch, dv.admin, dv.matters[0], [dv.town_a], category=Category.PRIORITY, cases=6)
    result = case_counts_3y([kept])[kept.pk]
    assert (result.value, result.counted, result.source) == (6, 0, "entered")
    assert result.source_label == "手工录入（系统上线前）"

    # Cases in the system, but an entered 0 overrides them: refused, naming the hand-entered figure.
    a_case(dv.matters[1], dv.town_a, filed_on=dt.date(2025, 1, 1))
    with pytest.raises(ValidationFailed) as exc:
        add_item(batch, dv.admin, dv.matters[1], [dv.town_a], category=Category.PRIORITY, cases=0)
    assert "近三年案件数为 0（手工录入（系统上线前）" in exc.value.message


def test_the_batch_page_and_the_api_show_which_count_the_rule_used(dv, batch, client_for, api_for):
    a_case(dv.matters[0], dv.town_a, filed_on=dt.date(2025, 1, 1))
    a_case(dv.matters[0], dv.town_a, filed_on=dt.date(2025, 2, 1))
    counted = add_item(batch, dv.admin, dv.matters[0], [dv.town_a], cases=None)
    entered = add_item(batch, dv.admin, dv.matters[1], [dv.town_a], cases=9)

    page = client_for(dv.admin).get(reverse("devolution:batch-detail", args=[batch.pk])).content.decode()
    assert "系统案件统计" in page and "手工录入（系统上线前）" in page and "系统统计 0" in page
    edit = client_for(dv.admin).get(reverse("devolution:item-edit", args=[entered.pk])).content.decode()
    assert "检查规则采用 9（手工录入（系统上线前））" in edit

    api = api_for(dv.admin)
    rows = {r["id"]: r for r in api.get("/api/devolution/items/", {"batch": batch.pk}).data["results"]}
    assert (rows[counted.pk]["case_count_3y"], rows[counted.pk]["case_count_3y_source"]) == (2, "cases")
    assert rows[entered.pk]["case_count_3y"] == 9 and rows[entered.pk]["counted_case_count_3y"] == 0
    assert rows[entered.pk]["case_count_3y_source_display"] == "手工录入（系统上线前）"
    detail = api.post(f"/api/devolution/batches/{batch.pk}/submit/").data  # answers with the batch and its items
    assert {i["id"]: i["case_count_3y_source"] for i in detail["items"]} == {counted.pk: "cases",
                                                                             entered.pk: "entered"}


def test_the_counts_of_a_whole_batch_take_one_query(dv, batch, django_assert_num_queries):
    for n, matter in enumerate(dv.matters):
        a_case(matter, dv.town_a, filed_on=dt.date(2025, 1, 1 + n))
        add_item(batch, dv.admin, matter, [dv.town_a, dv.town_b], cases=None)
    items = list(BatchItem.objects.select_related("batch").prefetch_related("townships"))

    with django_assert_num_queries(1):
        counts = case_counts_3y(items)

    assert sorted(c.value for c in counts.values()) == [1, 1, 1]


def test_the_item_list_api_counts_in_constant_queries(dv, batch, api_for, django_assert_max_num_queries):
    api = api_for(dv.admin)
    a_case(dv.matters[0], dv.town_a, filed_on=dt.date(2025, 1, 1))
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a], cases=None)
    with django_assert_max_num_queries(30) as one:
        api.get("/api/devolution/items/")
    for matter in (make_matter("ZRZY-0101", department=dv.department),
                   make_matter("ZRZY-0102", department=dv.department)):
        a_case(matter, dv.town_b, filed_on=dt.date(2025, 1, 1))
        add_item(batch, dv.admin, matter, [dv.town_a, dv.town_b], cases=None)

    with django_assert_max_num_queries(len(one.captured_queries)):
        data = api.get("/api/devolution/items/").data
    assert [r["case_count_3y"] for r in data["results"]] == [1, 1, 1]
