"""Tickets on each role's to-do list (待办): who sees what, in which order, and that done items leave at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from dispatch import services
from dispatch.models import Ticket
from enforcement import todo
from tests.dispatch.test_grid_members import grid_member, report  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def refs(user, kind_prefix: str = "") -> list[str]:
    return [i.reference for i in todo.todo_for(user) if i.kind.startswith(kind_prefix)]


def categories(user) -> dict[str, str]:
    return {i.reference: str(i.category) for i in todo.todo_for(user)}


def test_dispatcher_triages_assigns_and_the_ticket_leaves_the_desk_list(make_ticket, dispatcher, matter):
    ticket = make_ticket()
    assert categories(dispatcher)[ticket.number] == "待分流"
    ticket = services.ticket_triage(ticket, by=dispatcher, matter=matter, township=ticket.township)
    assert categories(dispatcher)[ticket.number] == "待交办"
    services.ticket_assign(ticket, by=dispatcher)
    assert ticket.number not in refs(dispatcher)


def test_a_returned_ticket_waits_for_reassignment(assigned, dispatcher, squadron_officer):
    ticket = assigned()
    services.ticket_return(ticket, by=squadron_officer, reason="不属于本中队职责。")
    assert categories(dispatcher)[ticket.number] == "退单待重新交办"


def test_squadron_signs_for_and_resolves_and_each_step_moves_the_item(assigned, squadron_officer, dispatcher,
                                                                     officer_b, department_staff):
    ticket = assigned()
    assert categories(squadron_officer)[ticket.number] == "待签收"
    ticket = services.ticket_accept(ticket, by=squadron_officer)
    assert categories(squadron_officer)[ticket.number] == "待办结"
    services.ticket_resolve(ticket, by=squadron_officer, resolution="已处置。")
    assert ticket.number not in refs(squadron_officer)
    # Nobody else's list holds another unit's ticket.
    assert ticket.number not in refs(officer_b) and ticket.number not in refs(department_staff)


def test_township_judges_resolved_tickets_of_its_own_territory_only(resolved, officer_a, officer_b):
    ticket = resolved()
    assert categories(officer_a)[ticket.number] == "待评价"
    assert ticket.number not in refs(officer_b)
    services.ticket_verdict(ticket, by=officer_a, accepted=True, score=5, reason="处置及时")
    assert ticket.number not in refs(officer_a)


def test_grid_member_follows_their_own_open_reports(client_for, grid_member, grids, category):  # noqa: F811
    client = client_for(grid_member)
    assert report(client, grids.a1).status_code == 302
    ticket = Ticket.objects.get(created_by=grid_member)
    [item] = todo.todo_for(grid_member)
    assert item.reference == ticket.number and item.url == reverse("dispatch:my-report", args=[ticket.pk])
    home = client.get(reverse("home")).content.decode()
    assert ticket.number in home


def test_items_come_nearest_deadline_first_overdue_first_undated_last(assigned, make_ticket, dispatcher):
    late, soon = assigned(), assigned()
    now = timezone.now()
    Ticket.objects.filter(pk=late.pk).update(resolve_due=now - dt.timedelta(hours=3), warning_level="red")
    Ticket.objects.filter(pk=soon.pk).update(resolve_due=now + dt.timedelta(hours=3))
    new = make_ticket()
    items = todo.todo_for(dispatcher)
    order = [i.reference for i in items]
    assert order.index(late.number) < order.index(new.number)
    assert items[-1].due is None
    light = {i.reference: i.level for i in items}
    assert light[late.number] == "red"


def test_home_page_lists_the_todo_in_a_constant_number_of_queries(client_for, squadron_officer, assigned,
                                                                  django_assert_max_num_queries):
    client = client_for(squadron_officer)
    assigned()
    # The content-type cache is per process: whether an earlier test filled it depends on the
    # order the suite runs in. Empty it before each count so both requests start alike.
    ContentType.objects.clear_cache()
    with django_assert_max_num_queries(60) as few:
        client.get(reverse("home"))
    baseline = len(few.captured_queries)
    for _ in range(6):
        assigned()
    ContentType.objects.clear_cache()
    with django_assert_max_num_queries(baseline) as many:
        response = client.get(reverse("home"))
    assert response.content.decode().count('data-kind="dispatch.accept"') == 7
    assert len(many.captured_queries) == baseline
