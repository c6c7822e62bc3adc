"""Ticket lists at scale (issue 18): exact code search, stable orderings, keyset cursors through the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dispatch.models import Ticket

pytestmark = pytest.mark.django_db

DUE = timezone.make_aware(dt.datetime(2026, 3, 10, 17, 0))


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_search_by_ticket_number_is_an_exact_match(make_ticket, api_for, dispatcher):
    first, second = make_ticket(), make_ticket()
    api = api_for(dispatcher)
    assert ids(api.get("/api/tickets/", {"search": first.number})) == [first.pk]
    assert ids(api.get("/api/tickets/", {"search": second.number})) == [second.pk]
    # A part of a number, or a number in other letter case, is not a code: nothing matches.
    assert ids(api.get("/api/tickets/", {"search": first.number[:-1]})) == []
    assert ids(api.get("/api/tickets/", {"search": first.number.lower()})) == []


def test_search_by_number_stays_within_scope(make_ticket, api_for, officer_b, county):
    ticket = make_ticket(township=county.town_a)
    assert ids(api_for(officer_b).get("/api/tickets/", {"search": ticket.number})) == []


def test_resolve_due_ordering_walks_every_ticket_once_both_ways(make_ticket, assigned, api_for, dispatcher):
    done = [assigned() for _ in range(5)]
    waiting = [make_ticket() for _ in range(3)]  # untriaged: no deadline yet (NULL)
    # Ties: three tickets share one deadline; the id decides among them.
    Ticket.objects.filter(pk__in=[t.pk for t in done[:3]]).update(resolve_due=DUE)
    Ticket.objects.filter(pk__in=[t.pk for t in done[3:]]).update(resolve_due=DUE - dt.timedelta(days=1))
    api = api_for(dispatcher)
    for ordering, expected in (
        (
            "resolve_due",
            [*sorted(t.pk for t in done[3:]), *sorted(t.pk for t in done[:3]), *sorted(t.pk for t in waiting)],
        ),
        # Going down, PostgreSQL puts the tickets without a deadline first.
        (
            "-resolve_due",
            [
                *sorted((t.pk for t in waiting), reverse=True),
                *sorted((t.pk for t in done[:3]), reverse=True),
                *sorted((t.pk for t in done[3:]), reverse=True),
            ],
        ),
    ):
        assert ids(api.get("/api/tickets/", {"ordering": ordering, "page_size": 50})) == expected
        walked, cursor = [], ""
        while cursor is not None:
            body = api.get("/api/tickets/", {"ordering": ordering, "page_size": 3, "cursor": cursor}).json()
            walked.extend(row["id"] for row in body["results"])
            cursor = body["next_cursor"]
        assert walked == expected, ordering
        # Page numbers give the same order, a page at a time.
        paged = [
            *ids(api.get("/api/tickets/", {"ordering": ordering, "page_size": 3})),
            *ids(api.get("/api/tickets/", {"ordering": ordering, "page_size": 3, "page": 2})),
            *ids(api.get("/api/tickets/", {"ordering": ordering, "page_size": 3, "page": 3})),
        ]
        assert paged == expected


def test_deep_cursor_page_costs_what_the_first_costs(make_ticket, api_for, officer_a, django_assert_max_num_queries):
    for _ in range(6):
        make_ticket()
    api = api_for(officer_a)
    with django_assert_max_num_queries(20) as first:
        body = api.get("/api/tickets/", {"cursor": "", "page_size": 2}).json()
    queries = len(first.captured_queries)  # read now: every request resets Django's query log
    for _ in range(6):
        make_ticket()
    token = api.get("/api/tickets/", {"cursor": body["next_cursor"], "page_size": 2}).json()["next_cursor"]
    with django_assert_max_num_queries(queries):
        deep = api.get("/api/tickets/", {"cursor": token, "page_size": 2})
    assert len(ids(deep)) == 2
