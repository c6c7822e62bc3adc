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


def _listed(api, client, user) -> tuple[set[int], list[str]]:
    """The ticket ids of the API list and of the list page (they must agree), and the API's ticket reads."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    with CaptureQueriesContext(connection) as queries:
        body = api.get("/api/tickets/", {"page_size": 100}).json()
    # The list's count and page, not the scope probe (which reads from the agency table). Read now:
    # the next request empties the query log the capture slices.
    reads = [q["sql"] for q in queries.captured_queries
             if 'FROM "dispatch_ticket"' in q["sql"] and 'FROM "enforcement_agency"' not in q["sql"]]
    listed = {row["id"] for row in body["results"]}
    assert body["count"] == len(listed)
    client.force_login(user)
    page = client.get(reverse("dispatch:ticket-list"))
    assert {t.pk for t in page.context["tickets"]} == listed
    return listed, reads


def test_a_squadron_list_reads_its_township_alone_until_it_handles_a_ticket_elsewhere(
        make_ticket, assigned, api_for, client, county, squadron_officer, dispatcher, matter):
    """``visible_to(listing=True)``: the parts of the scope that reach no ticket beyond the townships are left out.

    Squadron A (stationed in township A) sees township A's tickets and what it handles. While all it
    handles lies in township A, the list reads ``township_id IN (...)`` alone; a ticket of township B
    assigned to it brings the agency part back, and the list shows it.
    """
    from dispatch import services

    in_a, handled_in_a = make_ticket(township=county.town_a), assigned(township=county.town_a)
    in_b = make_ticket(township=county.town_b)
    api = api_for(squadron_officer)
    listed, reads = _listed(api, client, squadron_officer)
    assert listed == {in_a.pk, handled_in_a.pk}
    assert reads and all('"responsible_agency_id" IN' not in sql and " OR " not in sql for sql in reads), reads

    in_b = services.ticket_triage(in_b, by=dispatcher, matter=matter, township=county.town_b)
    in_b = services.ticket_assign(in_b, by=dispatcher, agency=county.squadron_a)
    listed, reads = _listed(api, client, squadron_officer)
    assert listed == {in_a.pk, handled_in_a.pk, in_b.pk}
    assert any('"responsible_agency_id" IN' in sql for sql in reads)
    # The detail and a ticket out of scope answer as before.
    assert api.get(f"/api/tickets/{in_b.pk}/").status_code == 200


def test_a_township_list_shows_what_it_filed_once_the_ticket_moved_to_another_township(
        make_ticket, api_for, client, county, officer_a, dispatcher, matter):
    from dispatch import services

    own = make_ticket(township=county.town_a)
    filed = services.ticket_file_township_call(by=officer_a, description="请求协助拆除违建")
    other = make_ticket(township=county.town_b)
    api = api_for(officer_a)
    listed, reads = _listed(api, client, officer_a)
    assert listed == {own.pk, filed.pk}
    assert all('"submitted_by_agency_id" IN' not in sql for sql in reads), reads
    # The command centre finds the problem lies in township B: A still sees what it filed.
    services.ticket_triage(filed, by=dispatcher, matter=matter, township=county.town_b)
    listed, reads = _listed(api, client, officer_a)
    assert listed == {own.pk, filed.pk}
    assert other.pk not in listed
    assert any('"submitted_by_agency_id" IN' in sql for sql in reads)


@pytest.mark.parametrize("where", ["none", "below", "held", "between", "above"])
def test_the_scope_probe_finds_a_ticket_in_every_gap_between_the_townships(where, make_ticket, county):
    """The probe asks one range per gap: no township, below the first, between two, above the last.

    Five townships t1 < ... < t5 by id; the reader holds t2 and t4. A ticket handled by the reader's
    agency in t1 (below), t3 (between), t5 (above) or in none lies beyond them; in t2 it does not.
    """
    from dispatch.models import TicketQuerySet
    from tests.factories import TownshipFactory

    t1, t2, t3, t4, t5 = (TownshipFactory(code=f"TG{n}", name=f"镇{n}") for n in range(1, 6))
    assert t1.pk < t2.pk < t3.pk < t4.pk < t5.pk
    township = {"none": None, "below": t1, "held": t2, "between": t3, "above": t5}[where]
    ticket = make_ticket(township=t2)
    Ticket.objects.filter(pk=ticket.pk).update(township=township, responsible_agency=county.squadron_a)
    filed, handled = TicketQuerySet._agency_parts_beyond([county.squadron_a.pk], [t2.pk, t4.pk])
    assert (filed, handled) == (False, where != "held")
    # The same for a ticket the agency filed.
    Ticket.objects.filter(pk=ticket.pk).update(responsible_agency=None, submitted_by_agency=county.squadron_a)
    filed, handled = TicketQuerySet._agency_parts_beyond([county.squadron_a.pk], [t2.pk, t4.pk])
    assert (filed, handled) == (where != "held", False)
