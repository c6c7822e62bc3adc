"""Who sees which tickets (Ticket.objects.visible_to), reporter masking, and concurrent action."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from dispatch import services
from dispatch.models import Ticket, TicketStatus
from dispatch.privacy import mask_name, mask_phone, reporter_for
from enforcement.errors import Conflict
from enforcement.models import Role
from tests.factories import member

pytestmark = pytest.mark.django_db


def visible(user):
    return set(Ticket.objects.visible_to(user).values_list("pk", flat=True))


def test_township_sees_its_territory_and_what_it_filed(make_ticket, county, officer_a, officer_b):
    in_a = make_ticket(township=county.town_a)
    in_b = make_ticket(township=county.town_b)
    filed_by_a = services.ticket_file_township_call(by=officer_a, description="请求协助拆除违建")
    nowhere = make_ticket(township=None)

    assert visible(officer_a) == {in_a.pk, filed_by_a.pk}
    assert visible(officer_b) == {in_b.pk}
    assert nowhere.pk not in visible(officer_a) | visible(officer_b)


def test_agency_sees_what_is_assigned_to_it(assigned, make_ticket, county, department_staff, dispatcher, matter):
    ticket = services.ticket_triage(make_ticket(township=county.town_b), by=dispatcher, matter=matter)
    ticket = services.ticket_assign(ticket, by=dispatcher, agency=county.department)
    other = assigned()

    assert visible(department_staff) == {ticket.pk}
    assert other.pk not in visible(department_staff)


def test_stationed_squadron_sees_its_township_and_its_assignments(assigned, make_ticket, county, squadron_officer):
    ticket = assigned()
    elsewhere = make_ticket(township=county.town_b)
    assert ticket.pk in visible(squadron_officer)
    assert elsewhere.pk not in visible(squadron_officer)


def test_county_wide_users_see_everything(make_ticket, county, dispatcher, judicial_reviewer):
    tickets = {make_ticket(township=t).pk for t in (county.town_a, county.town_b, None)}
    assert visible(dispatcher) == tickets
    assert visible(judicial_reviewer) == tickets


def test_user_without_membership_and_anonymous_see_nothing(make_ticket, db):
    from django.contrib.auth.models import AnonymousUser

    from tests.factories import UserFactory

    make_ticket()
    assert visible(UserFactory(username="nobody")) == set()
    assert visible(AnonymousUser()) == set()


def test_township_b_cannot_act_on_township_a_ticket(resolved, officer_b):
    from enforcement.errors import PermissionRefused

    ticket = resolved()
    with pytest.raises(PermissionRefused):
        services.ticket_verdict(ticket, by=officer_b, accepted=True, score=5)
    with pytest.raises(PermissionRefused):
        services.ticket_urge(ticket, by=officer_b, note="x")


def test_township_call_only_for_own_township(officer_a, county):
    from enforcement.errors import PermissionRefused

    with pytest.raises(PermissionRefused):
        services.ticket_file_township_call(by=officer_a, township=county.town_b, description="x")
    ticket = services.ticket_file_township_call(by=officer_a, description="请求联合整治夜市油烟")
    assert (ticket.channel, ticket.township, ticket.submitted_by_agency) == (
        "township_call", county.town_a, county.town_a
    )


def test_township_call_refused_to_non_township_staff(squadron_officer):
    from enforcement.errors import PermissionRefused

    with pytest.raises(PermissionRefused):
        services.ticket_file_township_call(by=squadron_officer, description="x")


def test_patrol_report_by_field_officer_and_grid_member(squadron_officer, county, grids, category, db):
    from enforcement.errors import PermissionRefused
    from tests.factories import UserFactory

    report = services.ticket_file_patrol_report(by=squadron_officer, description="巡查发现占道", category=category)
    assert (report.channel, report.township, report.submitted_by_agency) == (
        "patrol", county.town_a, county.squadron_a
    )
    grid_member = UserFactory(username="gridman")
    grids.b1.member = grid_member
    grids.b1.save()
    by_grid = services.ticket_file_patrol_report(by=grid_member, grid=grids.b1, description="网格内乱堆乱放")
    assert (by_grid.channel, by_grid.township) == ("grid", county.town_b)
    with pytest.raises(PermissionRefused):
        services.ticket_file_patrol_report(by=UserFactory(username="passerby"), description="x")


def test_staff_intake_only_by_the_command_centre(officer_a, dispatcher, category):
    from enforcement.errors import PermissionRefused

    with pytest.raises(PermissionRefused):
        services.ticket_create_by_staff(by=officer_a, description="x")
    ticket = services.ticket_create_by_staff(by=dispatcher, channel="hotline_12345", description="来电反映噪声")
    assert ticket.channel == "hotline_12345" and ticket.created_by == dispatcher


# --- masking --------------------------------------------------------------------------------


def test_mask_helpers():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0571-88886666") == "057****6666"
    assert mask_phone("110") == "*10"
    assert mask_phone("") == ""
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"


def test_reporter_in_full_only_for_command_centre_and_assignee(
    assigned, dispatcher, squadron_officer, officer_a, judicial_reviewer
):
    ticket = assigned()
    for user in (dispatcher, squadron_officer):
        assert reporter_for(user, ticket) == {"name": "张三", "phone": "13812345678", "masked": False}
    for user in (officer_a, judicial_reviewer):
        assert reporter_for(user, ticket) == {"name": "张*", "phone": "138****5678", "masked": True}


# --- concurrency (PostgreSQL) ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_officers_accepting_at_once_one_wins_the_other_gets_conflict(postgres, county, dispatcher, matter,
                                                                        category):
    officers = [member(Role.SQUADRON_OFFICER, county.squadron_a, f"racer{i}", certified=True) for i in range(2)]
    ticket = services.ticket_intake(channel="staff", description="并发签收", category=category,
                                    township=county.town_a).ticket
    ticket = services.ticket_triage(ticket, by=dispatcher, matter=matter)
    ticket = services.ticket_assign(ticket, by=dispatcher)
    copies = [Ticket.objects.get(pk=ticket.pk) for _ in officers]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(copy, user):
        try:
            barrier.wait()
            services.ticket_accept(copy, by=user)
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(c, u)) for c, u in zip(copies, officers, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["conflict", "won"]
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ACCEPTED
    from dispatch.selectors import history

    assert [e.action for e in history(ticket)].count("accept") == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_get_distinct_numbers(postgres, category):
    numbers: list[str] = []
    barrier = threading.Barrier(4)

    def intake(i):
        try:
            barrier.wait()
            numbers.append(services.ticket_intake(channel="public_web", description=f"并发{i}",
                                                  category=category).ticket.number)
        finally:
            connection.close()

    threads = [threading.Thread(target=intake, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(numbers) == 4 and len(set(numbers)) == 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_hotline_pushes_of_one_reference_create_one_ticket(postgres, category):
    results = []
    barrier = threading.Barrier(3)

    def push():
        try:
            barrier.wait()
            results.append(services.ticket_intake(channel="hotline_12345", external_ref="H-1", description="并发推送",
                                                  category=category))
        finally:
            connection.close()

    threads = [threading.Thread(target=push) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r.ticket.pk for r in results}) == 1
    assert sum(r.created for r in results) == 1
