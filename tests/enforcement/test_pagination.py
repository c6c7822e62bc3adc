"""Capped counts: lists count their matches exactly up to a cap and say "cap+" past it (enforcement.api_base)."""

from __future__ import annotations

import pytest
from django.core.paginator import EmptyPage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enforcement.api_base import CappedPaginator, Pagination
from enforcement.models import Agency
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies():
    for n in range(7):
        AgencyFactory(code=f"P{n:02d}", name=f"单位{n}")
    return Agency.objects.filter(code__startswith="P").order_by("code")


def test_count_is_exact_below_the_cap(agencies):
    paginator = CappedPaginator(agencies, 3, count_cap=10)
    assert (paginator.count, paginator.count_capped, paginator.count_label, paginator.num_pages) == (7, False, "7", 3)
    last = paginator.page(3)
    assert [a.code for a in last] == ["P06"] and not last.has_next() and last.end_index() == 7
    with pytest.raises(EmptyPage):
        paginator.page(4)


def test_count_stops_at_the_cap_and_later_pages_stay_reachable(agencies):
    paginator = CappedPaginator(agencies, 2, count_cap=3)
    assert (paginator.count, paginator.count_capped, paginator.count_label) == (3, True, "3+")
    assert paginator.num_pages == 2  # the pages counted; more exist
    second = paginator.page(2)
    assert second.has_next() and second.next_page_number() == 3
    fourth = paginator.page(4)
    assert [a.code for a in fourth] == ["P06"]
    assert not fourth.has_next() and fourth.has_previous()
    assert (fourth.start_index(), fourth.end_index()) == (7, 7)
    with pytest.raises(EmptyPage):
        paginator.page(5)
    with pytest.raises(EmptyPage):
        paginator.page(0)


def test_get_page_past_the_end_falls_back_to_a_page_with_rows(agencies):
    page = CappedPaginator(agencies, 2, count_cap=3).get_page(99)
    assert page.number == 2 and len(page) == 2


def test_page_links_centre_on_the_page_served(agencies):
    paginator = CappedPaginator(agencies, 1, count_cap=3)
    paginator.page(5)
    # Templates call get_elided_page_range without an argument: it means the page just served.
    links = list(paginator.get_elided_page_range(on_each_side=1, on_ends=1))
    assert links == [1, paginator.ELLIPSIS, 4, 5, paginator.ELLIPSIS]
    exact = CappedPaginator(agencies, 1, count_cap=100)
    exact.page(7)
    assert list(exact.get_elided_page_range(on_each_side=1, on_ends=1)) == [1, exact.ELLIPSIS, 6, 7]


def test_the_count_reads_at_most_cap_plus_one_rows_and_does_not_sort(agencies):
    with CaptureQueriesContext(connection) as ctx:
        assert CappedPaginator(agencies, 2, count_cap=3).count == 3
    (query,) = ctx.captured_queries
    sql = query["sql"].upper()
    assert "COUNT(" in sql and "LIMIT 4" in sql and "ORDER BY" not in sql


def test_plain_lists_are_capped_too():
    paginator = CappedPaginator(list(range(25)), 10, count_cap=20)
    assert (paginator.count, paginator.count_capped) == (20, True)
    assert list(paginator.page(3)) == [20, 21, 22, 23, 24]


def test_api_lists_report_whether_the_count_is_capped(api_for, dispatcher, agencies, monkeypatch):
    api = api_for(dispatcher)
    body = api.get("/api/agencies/", {"page_size": 2}).json()
    total = body["count"]
    assert body["count_capped"] is False and total >= 7

    monkeypatch.setattr(CappedPaginator, "count_cap", 3)
    body = api.get("/api/agencies/", {"page_size": 2}).json()
    assert (body["count"], body["count_capped"]) == (3, True)
    # Past the counted pages the API still pages on, by its next links, to the last row.
    seen, url = [], "/api/agencies/?page_size=2"
    while url:
        body = api.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == total


def test_openapi_schema_documents_count_capped():
    schema = Pagination().get_paginated_response_schema({"type": "array", "items": {}})
    assert list(schema["properties"])[:2] == ["count", "count_capped"]
    assert schema["properties"]["count_capped"]["type"] == "boolean"
