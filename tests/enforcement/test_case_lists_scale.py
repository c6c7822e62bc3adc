"""Case lists at scale (issue 18): scope without a grant subquery, capped page count, keyset cursors.

Rows are bulk-inserted (the services are covered elsewhere): what is tested here is what a
reader of the list sees - which cases, in which order, each exactly once, in a constant
number of queries whatever the page and the table size.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from enforcement.access import grant
from enforcement.api_base import CappedPaginator
from enforcement.models import Case, CaseStatus
from tests.enforcement.cases_support import world

__all__ = ["world"]

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))


def bulk_cases(world, n: int, *, agency=None, start: int = 0, same_time_every: int = 3, **over) -> list[Case]:
    """``n`` cases, newest last; every ``same_time_every`` cases share one created_at (ties broken by id)."""
    agency = agency or world.county.town_a
    rows = [
        Case(
            number=f"S-{agency.code}-{start + i:05d}",
            agency=agency,
            matter=world.dev,
            title="占道经营",
            occurred_on=dt.date(2026, 2, 1),
            discovered_on=dt.date(2026, 2, 2),
            party_kind="individual",
            party_name="当事人",
            status=CaseStatus.LEAD,
            created_at=T0 + dt.timedelta(minutes=(start + i) // same_time_every),
            **over,
        )
        for i in range(n)
    ]
    return Case.objects.bulk_create(rows)


def expected_order(qs) -> list[int]:
    return list(qs.order_by("-created_at", "-id").values_list("pk", flat=True))


def walk(api, url: str, size: int, **params) -> list[list[int]]:
    """Follow ``next_cursor`` from the top; the ids of each page."""
    pages, cursor = [], ""
    while True:
        body = api.get(url, {**params, "cursor": cursor, "page_size": size}).json()
        pages.append([row["id"] for row in body["results"]])
        assert body["count"] is None and body["previous"] is None
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert f"cursor={cursor}" in body["next"]


def test_township_officer_sees_own_entrusted_and_granted_cases_only(world, api_for):
    county = world.county
    own = bulk_cases(world, 3)
    other = bulk_cases(world, 3, agency=county.town_b)
    # Entrusted: decided in the department's name, handled by township A (subject agency).
    entrusted = bulk_cases(world, 1, agency=county.town_b, start=50, subject_agency=county.town_a)
    granted = other[0]
    grant("view_case", world.officer_a, granted)
    api = api_for(world.officer_a)
    ids = {row["id"] for row in api.get("/api/cases/", {"page_size": 100}).json()["results"]}
    assert ids == {c.pk for c in own} | {entrusted[0].pk, granted.pk}
    assert api.get(f"/api/cases/{other[1].pk}/").status_code == 404
    # The same scope on the page.
    client_ids = {row["case"].pk for row in _page_rows(world.officer_a)}
    assert client_ids == ids
    # Township B's officer does not see A's cases.
    ids_b = {row["id"] for row in api_for(world.officer_b).get("/api/cases/", {"page_size": 100}).json()["results"]}
    assert ids_b == {c.pk for c in other} | {entrusted[0].pk}


def _page_rows(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(reverse("cases:list"))
    assert response.status_code == 200
    return response.context["rows"]


def test_cursor_walk_returns_every_visible_case_once_in_list_order(world, api_for, dispatcher):
    bulk_cases(world, 23)
    bulk_cases(world, 4, agency=world.county.town_b, start=100)
    # County-wide reader: every case, newest first, ties (same created_at) by id descending.
    pages = walk(api_for(dispatcher), "/api/cases/", 5)
    assert [len(p) for p in pages] == [5, 5, 5, 5, 5, 2]
    assert sum(pages, []) == expected_order(Case.objects.all())
    # Township reader: only township A's, same order.
    pages = walk(api_for(world.officer_a), "/api/cases/", 4)
    assert sum(pages, []) == expected_order(Case.objects.filter(agency=world.county.town_a))


def test_cursor_walk_under_an_offered_ordering_with_empty_values(world, api_for, dispatcher):
    cases = bulk_cases(world, 9)
    # decide_due_at is NULL on leads: give some a deadline, the rest stay NULL (last going up).
    for n, case in enumerate(cases[:5]):
        Case.objects.filter(pk=case.pk).update(decide_due_at=T0 + dt.timedelta(days=n % 2))
    api = api_for(dispatcher)
    by_pages = [
        row["id"] for row in api.get("/api/cases/", {"ordering": "decide_due_at", "page_size": 100}).json()["results"]
    ]
    assert by_pages == list(Case.objects.order_by("decide_due_at", "id").values_list("pk", flat=True))
    assert sum(walk(api, "/api/cases/", 2, ordering="decide_due_at"), []) == by_pages
    down = list(Case.objects.order_by("-decide_due_at", "-id").values_list("pk", flat=True))
    assert sum(walk(api, "/api/cases/", 2, ordering="-decide_due_at"), []) == down


def test_page_number_answers_still_work_and_offer_a_cursor(world, api_for, dispatcher):
    bulk_cases(world, 7)
    api = api_for(dispatcher)
    first = api.get("/api/cases/", {"page_size": 3}).json()
    assert first["count"] == 7 and first["count_capped"] is False and first["next"].endswith("page=2&page_size=3")
    second = api.get("/api/cases/", {"page": 2, "page_size": 3}).json()
    after_first = api.get("/api/cases/", {"cursor": first["next_cursor"], "page_size": 3}).json()
    assert [r["id"] for r in after_first["results"]] == [r["id"] for r in second["results"]]
    last = api.get("/api/cases/", {"page": 3, "page_size": 3}).json()
    assert last["next_cursor"] is None


def test_a_damaged_cursor_or_one_of_another_ordering_is_refused(world, api_for, dispatcher):
    bulk_cases(world, 3)
    api = api_for(dispatcher)
    token = api.get("/api/cases/", {"page_size": 1}).json()["next_cursor"]
    damaged = api.get("/api/cases/", {"cursor": "not-a-cursor"})
    assert damaged.status_code == 400 and damaged.json()["fields"]["cursor"]
    other = api.get("/api/cases/", {"cursor": token, "ordering": "decided_on"})
    assert other.status_code == 400


def test_cursor_pages_run_constant_queries_deep_or_not(world, api_for, dispatcher, django_assert_max_num_queries):
    bulk_cases(world, 40)
    api = api_for(world.officer_a)
    first = api.get("/api/cases/", {"cursor": "", "page_size": 5}).json()
    with django_assert_max_num_queries(8) as small:
        api.get("/api/cases/", {"cursor": first["next_cursor"], "page_size": 5})
    queries = len(small.captured_queries)  # read now: every request resets Django's query log
    bulk_cases(world, 200, start=40)
    deep = walk(api, "/api/cases/", 50)[-1]
    assert deep
    token = api.get("/api/cases/", {"cursor": "", "page_size": 50}).json()["next_cursor"]
    with django_assert_max_num_queries(queries):
        response = api.get("/api/cases/", {"cursor": token, "page_size": 50})
    assert len(response.json()["results"]) == 50


def test_case_page_counts_up_to_the_cap(world, client, dispatcher, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(CappedPaginator, "count_cap", 5)
    bulk_cases(world, 35)
    client.force_login(dispatcher)
    response = client.get(reverse("cases:list"))
    page = response.context["page_obj"]
    assert page.paginator.count_label == "5+" and len(response.context["rows"]) == 30 and page.has_next()
    assert "共 5+ 条" in response.content.decode()
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("cases:list"))
    queries = len(few.captured_queries)
    bulk_cases(world, 60, start=35)
    with django_assert_max_num_queries(queries):
        response = client.get(reverse("cases:list"), {"page": 3})
    assert len(response.context["rows"]) == 30


def test_agency_filter_offers_the_handling_agencies_of_visible_cases_only(world, client):
    from enforcement.cases.selectors import filter_agencies

    county = world.county
    bulk_cases(world, 2)
    bulk_cases(world, 2, agency=county.squadron_a, start=10)
    bulk_cases(world, 1, agency=county.town_b, start=50, subject_agency=county.town_a)  # entrusted
    assert {a.pk for a in filter_agencies(world.officer_a)} == {county.town_a.pk, county.town_b.pk}
    assert {a.pk for a in filter_agencies(world.officer_b)} == {county.town_b.pk}
    grant("view_case", world.officer_b, Case.objects.filter(agency=county.squadron_a).first())
    assert {a.pk for a in filter_agencies(world.officer_b)} == {county.town_b.pk, county.squadron_a.pk}


def test_lists_find_grants_without_reading_the_case_table(world, api_for, client):
    """Who may read a party in full (a grant of view_case_file / review_case) is one query on the grant tables.

    Guardian's get_objects_for_user filtered ``object_pk IN (SELECT id::varchar FROM enforcement_case)``:
    every list request read the whole case table (15 ms at 200,000 cases; bench_cases).
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    other = bulk_cases(world, 2, agency=world.county.town_b)
    Case.objects.filter(pk__in=[c.pk for c in other]).update(party_name="王五")
    grant("view_case_file", world.officer_a, other[0])
    grant("view_case", world.officer_a, other[0])
    api = api_for(world.officer_a)
    with CaptureQueriesContext(connection) as api_queries:
        rows = {row["id"]: row for row in api.get("/api/cases/", {"page_size": 100}).json()["results"]}
    client.force_login(world.officer_a)
    with CaptureQueriesContext(connection) as page_queries:
        assert client.get(reverse("cases:list")).status_code == 200
    for query in api_queries.captured_queries + page_queries.captured_queries:
        assert '"object_pk" IN (SELECT' not in query["sql"], query["sql"]
    # The grant still counts: the granted file's party is in full, another township's stays masked.
    detail = api.get(f"/api/cases/{other[0].pk}/").json()
    assert detail["party"]["name"] == "王五" and not detail["party"]["masked"]
    assert other[0].pk in rows and other[1].pk not in rows


def test_agency_filter_keeps_the_scope_on_page_and_api(world, api_for, client, dispatcher):
    """Filtering by an agency shows the visible cases that agency handles, and never more.

    ``visible_to(user, agency_id=X)`` leaves the scope condition out when X is one of the user's own
    agencies (every case X handles is visible): that lets PostgreSQL walk X's list-order index. For
    any other agency only the cases seen as subject agency or by grant may come back.
    """
    county = world.county
    own = bulk_cases(world, 3)
    other = bulk_cases(world, 3, agency=county.town_b, start=10)
    entrusted = bulk_cases(world, 1, agency=county.town_b, start=50, subject_agency=county.town_a)
    granted = other[0]
    grant("view_case", world.officer_a, granted)
    a, b = county.town_a, county.town_b

    def api_ids(user, code):
        response = api_for(user).get("/api/cases/", {"agency": code, "page_size": 100})
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    def page_ids(user, agency_pk):
        client.force_login(user)
        response = client.get(reverse("cases:list"), {"agency": agency_pk})
        assert response.status_code == 200
        return {row["case"].pk for row in response.context["rows"]}

    # Own agency: all its cases.
    assert api_ids(world.officer_a, a.code) == {c.pk for c in own}
    assert page_ids(world.officer_a, a.pk) == {c.pk for c in own}
    # Another township: only the entrusted and the granted case, not the rest of B's cases.
    assert api_ids(world.officer_a, b.code) == {entrusted[0].pk, granted.pk}
    assert page_ids(world.officer_a, b.pk) == {entrusted[0].pk, granted.pk}
    # Township B's officer filtering by A: nothing (A's cases are neither B's, in B's name, nor granted).
    assert api_ids(world.officer_b, a.code) == set()
    # A county-wide reader: every case of the agency; an unknown code finds none.
    assert api_ids(dispatcher, b.code) == {c.pk for c in other} | {entrusted[0].pk}
    assert api_ids(dispatcher, "NO-SUCH-AGENCY") == set()


def test_agency_filter_on_an_own_agency_sends_no_scope_condition(world, api_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bulk_cases(world, 2)
    with CaptureQueriesContext(connection) as queries:
        assert api_for(world.officer_a).get("/api/cases/", {"agency": world.county.town_a.code}).status_code == 200
    case_reads = [q["sql"] for q in queries.captured_queries if 'FROM "enforcement_case"' in q["sql"]]
    assert case_reads
    for sql in case_reads:
        assert '"subject_agency_id" IN' not in sql and " OR " not in sql, sql


def test_lists_leave_out_scope_parts_that_hold_no_case_and_still_show_every_visible_case(world, api_for, client):
    """``visible_to(..., listing=True)``: the same cases, the scope written with only the parts that hold some.

    A township whose cases are all its own reads ``agency_id IN (...)`` alone (its count index-only);
    as soon as a case of another agency is decided in its name, or granted, the list shows it too.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    county = world.county
    own = bulk_cases(world, 3)
    other = bulk_cases(world, 2, agency=county.town_b, start=10)
    api = api_for(world.officer_a)

    def listed() -> tuple[set[int], list[str]]:
        with CaptureQueriesContext(connection) as queries:
            body = api.get("/api/cases/", {"page_size": 100}).json()
        # The list's count and page (not the probe, which reads from the agency table). Read now: the
        # next request's end empties the query log the capture slices.
        reads = [
            q["sql"] for q in queries.captured_queries
            if 'FROM "enforcement_case"' in q["sql"] and 'FROM "enforcement_agency"' not in q["sql"]
        ]
        client.force_login(world.officer_a)
        page = {row["case"].pk for row in client.get(reverse("cases:list")).context["rows"]}
        ids = {row["id"] for row in body["results"]}
        assert page == ids and body["count"] == len(ids)
        return ids, reads

    ids, reads = listed()
    assert ids == {c.pk for c in own}
    assert reads and all('"subject_agency_id" IN' not in sql for sql in reads), reads
    # A case of township B decided in A's name: now in A's list (the subject part comes back).
    entrusted = bulk_cases(world, 1, agency=county.town_b, start=50, subject_agency=county.town_a)[0]
    ids, reads = listed()
    assert ids == {c.pk for c in own} | {entrusted.pk}
    assert any('"subject_agency_id" IN' in sql for sql in reads)
    # A grant adds its case; B's other case stays out.
    grant("view_case", world.officer_a, other[1])
    ids, _ = listed()
    assert ids == {c.pk for c in own} | {entrusted.pk, other[1].pk}
    assert other[0].pk not in ids
    # The detail of a case out of scope is still 404.
    assert api.get(f"/api/cases/{other[0].pk}/").status_code == 404
