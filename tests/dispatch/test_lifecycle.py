"""The ticket lifecycle through its services: each transition, each refusal, events and notifications."""

from __future__ import annotations

import datetime as dt

import pytest

from dispatch import services
from dispatch.models import Ticket, TicketStatus, Verdict
from dispatch.selectors import history
from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.models import Event, Notification
from tests.dispatch.conftest import at, png

pytestmark = pytest.mark.django_db


def actions(ticket):
    return [e.action for e in history(ticket)]


def notified(user, ticket=None):
    qs = Notification.objects.filter(recipient=user)
    if ticket is not None:
        qs = qs.filter(object_id=ticket.pk)
    return list(qs.values_list("reason", flat=True))


def test_full_lifecycle_from_call_to_closed_ticket(
    make_ticket, dispatcher, matter, county, squadron_officer, officer_a
):
    ticket = make_ticket()
    assert ticket.status == TicketStatus.NEW

    ticket = services.ticket_triage(ticket, by=dispatcher, matter=matter, township=county.town_a)
    assert ticket.status == TicketStatus.TRIAGED
    assert ticket.proposed_agency == county.squadron_a
    assert "派驻" in ticket.proposal_basis and "县编办〔2024〕1号" in ticket.proposal_basis

    ticket = services.ticket_assign(ticket, by=dispatcher)
    assert ticket.status == TicketStatus.ASSIGNED
    assert ticket.responsible_agency == county.squadron_a
    assert ticket.accept_due and ticket.resolve_due and ticket.warn_at
    assert ticket.accept_due <= ticket.resolve_due
    assert ticket.assigned_at <= ticket.warn_at <= ticket.resolve_due
    assert "ticket.assigned.0" in notified(squadron_officer, ticket)

    ticket = services.ticket_accept(ticket, by=squadron_officer)
    assert ticket.status == TicketStatus.ACCEPTED and ticket.accepted_at
    ticket = services.ticket_start(ticket, by=squadron_officer)
    assert ticket.status == TicketStatus.IN_PROGRESS

    ticket = services.ticket_resolve(ticket, by=squadron_officer, resolution="已劝离摊贩。", files=[png()])
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.resolution == "已劝离摊贩。"
    [photo] = ticket.attachments.all()
    assert photo.kind == "feedback" and photo.is_image and len(photo.sha256) == 64
    assert "ticket.resolved.0" in notified(officer_a, ticket)

    ticket = services.ticket_verdict(ticket, by=officer_a, accepted=True, score=4, reason="处置及时")
    assert ticket.status == TicketStatus.CLOSED
    assert (ticket.verdict, ticket.verdict_score, ticket.verdict_by) == (Verdict.ACCEPTED, 4, officer_a)
    assert ticket.closed_at is not None

    assert actions(ticket) == ["intake", "triage", "assign", "accept", "start", "resolve", "close"]
    public = [e.action for e in Event.objects.for_object(ticket).public()]
    assert public == ["intake", "assign", "accept", "resolve", "close"]


def test_hotline_push_with_the_same_reference_returns_the_first_ticket(category, county):
    data = {"channel": "hotline_12345", "external_ref": "12345-2026-0001", "description": "噪声扰民",
            "category": category, "township": county.town_a}

    first = services.ticket_intake(**data)
    again = services.ticket_intake(**data)
    other_channel = services.ticket_intake(**{**data, "channel": "hotline_12319"})

    assert first.created and not again.created
    assert again.ticket.pk == first.ticket.pk
    assert other_channel.created and other_channel.ticket.pk != first.ticket.pk
    assert Ticket.objects.filter(external_ref="12345-2026-0001").count() == 2


def test_tickets_without_external_reference_are_never_merged_by_it(category):
    a = services.ticket_intake(channel="public_web", description="一", category=category)
    b = services.ticket_intake(channel="public_web", description="二", category=category)
    assert a.created and b.created and a.ticket.pk != b.ticket.pk


def test_intake_refuses_bad_data_naming_the_fields(category, county, grids):
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_intake(channel="fax", description=" ", lat=91, lng=None, township=county.town_b,
                               grid=grids.a1, reporter_phone="call me")
    assert set(exc.value.fields) == {"channel", "description", "lat", "grid", "reporter_phone"}
    assert Ticket.objects.count() == 0


def test_grid_gives_the_township(category, grids, county):
    ticket = services.ticket_intake(channel="grid", description="乱堆乱放", grid=grids.b1)
    assert ticket.ticket.township == county.town_b


def test_triage_refused_to_anyone_but_the_command_centre(make_ticket, officer_a, squadron_officer, matter):
    ticket = make_ticket()
    for user in (officer_a, squadron_officer):
        with pytest.raises(PermissionRefused):
            services.ticket_triage(ticket, by=user, matter=matter)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW


def test_triage_without_a_holder_asks_for_a_manual_choice(make_ticket, dispatcher, county, matter):
    from enforcement.models import Matter

    orphan = Matter.objects.create(code="X-1", name="无人承接事项", power_type="penalty", domain=matter.domain,
                                   origin_department=county.department)
    ticket = services.ticket_triage(make_ticket(), by=dispatcher, matter=orphan)
    assert ticket.proposed_agency is None
    assert "手工指定" in ticket.proposal_basis
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_assign(ticket, by=dispatcher)
    assert exc.value.fields == {"agency": ["请选择承办单位。"]}
    ticket = services.ticket_assign(ticket, by=dispatcher, agency=county.department)
    assert ticket.responsible_agency == county.department


def test_suspended_matter_cannot_be_used_for_triage(make_ticket, dispatcher, matter):
    from enforcement.catalogue.services import matter_suspend

    matter = matter_suspend(matter, on=dt.date(2026, 1, 1), by=None)
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_triage(make_ticket(), by=dispatcher, matter=matter)
    assert "matter" in exc.value.fields


def test_accept_by_another_agency_is_refused(assigned, squadron_b_officer, officer_a, dispatcher):
    ticket = assigned()
    for user in (squadron_b_officer, officer_a, dispatcher):
        with pytest.raises(PermissionRefused):
            services.ticket_accept(ticket, by=user)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ASSIGNED


def test_accept_in_the_wrong_state_is_refused(make_ticket, squadron_officer):
    with pytest.raises(InvalidTransition) as exc:
        services.ticket_accept(make_ticket(), by=squadron_officer)
    assert "待分流" in str(exc.value)


def test_resolve_needs_a_valid_enforcement_certificate(assigned, squadron_a_uncertified):
    ticket = services.ticket_accept(assigned(), by=squadron_a_uncertified)
    with pytest.raises(PermissionRefused) as exc:
        services.ticket_resolve(ticket, by=squadron_a_uncertified, resolution="已处理")
    assert exc.value.code == "certificate_required"
    assert "第四十二条" in str(exc.value)


def test_resolve_needs_a_result(assigned, squadron_officer):
    ticket = services.ticket_accept(assigned(), by=squadron_officer)
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_resolve(ticket, by=squadron_officer, resolution="  ")
    assert "resolution" in exc.value.fields


def test_verdict_by_another_township_is_refused(resolved, officer_b, squadron_officer):
    ticket = resolved()
    for user in (officer_b, squadron_officer):
        with pytest.raises(PermissionRefused):
            services.ticket_verdict(ticket, by=user, accepted=True, score=5)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED


def test_verdict_score_must_be_one_to_five(resolved, officer_a):
    ticket = resolved()
    for score in (None, 0, 6):
        with pytest.raises(ValidationFailed):
            services.ticket_verdict(ticket, by=officer_a, accepted=True, score=score)


def test_rejected_verdict_sends_the_ticket_back_to_the_same_agency(resolved, officer_a, squadron_officer, county):
    ticket = resolved()
    with pytest.raises(ValidationFailed):
        services.ticket_verdict(ticket, by=officer_a, accepted=False, reason="")

    ticket = services.ticket_verdict(ticket, by=officer_a, accepted=False, reason="摊贩仍在，未处理到位")

    assert ticket.status == TicketStatus.IN_PROGRESS
    assert ticket.responsible_agency == county.squadron_a
    assert (ticket.verdict, ticket.reopen_count, ticket.resolved_at) == (Verdict.REJECTED, 1, None)
    assert "ticket.reopened.1" in notified(squadron_officer, ticket)
    again = services.ticket_resolve(ticket, by=squadron_officer, resolution="已再次清理并设置提示牌")
    closed = services.ticket_verdict(again, by=officer_a, accepted=True, score=3)
    assert closed.status == TicketStatus.CLOSED and closed.verdict == Verdict.ACCEPTED


def test_command_centre_judges_when_the_township_handled_the_ticket_itself(
    make_ticket, dispatcher, matter, county, officer_a
):
    ticket = services.ticket_triage(make_ticket(), by=dispatcher, matter=matter)
    ticket = services.ticket_assign(ticket, by=dispatcher, agency=county.town_a)
    ticket = services.ticket_accept(ticket, by=officer_a)
    ticket = services.ticket_resolve(ticket, by=officer_a, resolution="镇执法队已处理")
    with pytest.raises(PermissionRefused):
        services.ticket_verdict(ticket, by=officer_a, accepted=True, score=5)
    closed = services.ticket_verdict(ticket, by=dispatcher, accepted=True, score=5)
    assert closed.status == TicketStatus.CLOSED


# --- return (退单) ------------------------------------------------------------------------


def test_assignee_returns_a_ticket_within_two_working_days(assigned, squadron_officer, dispatcher, clock):
    clock(at(2026, 9, 30, 10))  # Wednesday before National Day
    ticket = assigned()
    clock(at(2026, 10, 9, 16))  # 2 working days later (Oct 1-7 are holidays): still allowed
    returned = services.ticket_return(ticket, by=squadron_officer, reason="不属于本中队辖区")

    assert returned.status == TicketStatus.TRIAGED
    assert returned.responsible_agency is None and returned.resolve_due is None
    assert returned.return_count == 1
    assert "ticket.returned.1" in notified(dispatcher, returned)


def test_return_after_two_working_days_is_refused(assigned, squadron_officer, clock):
    clock(at(2026, 9, 30, 10))
    ticket = assigned()
    clock(at(2026, 10, 10, 9))  # Saturday 10 October is an adjusted working day: the third one
    with pytest.raises(InvalidTransition) as exc:
        services.ticket_return(ticket, by=squadron_officer, reason="不属于本中队")
    assert exc.value.code == "return_window_passed"
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ASSIGNED


def test_return_is_limited_to_two_times(assigned, squadron_officer, dispatcher):
    ticket = assigned()
    for _n in range(2):
        ticket = services.ticket_return(ticket, by=squadron_officer, reason="非本单位职责")
        ticket = services.ticket_assign(ticket, by=dispatcher)
    with pytest.raises(InvalidTransition) as exc:
        services.ticket_return(ticket, by=squadron_officer, reason="非本单位职责")
    assert exc.value.code == "return_limit_reached"
    assert "2 次" in str(exc.value)


def test_return_by_someone_else_or_without_reason_is_refused(assigned, squadron_officer, officer_a):
    ticket = assigned()
    with pytest.raises(PermissionRefused):
        services.ticket_return(ticket, by=officer_a, reason="x")
    with pytest.raises(ValidationFailed):
        services.ticket_return(ticket, by=squadron_officer, reason=" ")


def test_return_limit_comes_from_the_policy(assigned, squadron_officer):
    from dispatch.models import DispatchPolicy

    policy = DispatchPolicy.load()
    policy.max_returns = 0
    policy.save()
    with pytest.raises(InvalidTransition):
        services.ticket_return(assigned(), by=squadron_officer, reason="非本单位职责")


# --- dismiss, merge ----------------------------------------------------------------------


def test_dismiss_needs_the_command_centre_and_a_reason(make_ticket, dispatcher, officer_a):
    ticket = make_ticket()
    with pytest.raises(PermissionRefused):
        services.ticket_dismiss(ticket, by=officer_a, reason="x")
    with pytest.raises(ValidationFailed):
        services.ticket_dismiss(ticket, by=dispatcher, reason="")
    ticket = services.ticket_dismiss(ticket, by=dispatcher, reason="属民事纠纷，已告知当事人通过调解解决")
    assert ticket.status == TicketStatus.DISMISSED and ticket.closed_at


def test_merge_closes_the_duplicate_and_its_reporter_follows_the_survivor(
    make_ticket, assigned, dispatcher, squadron_officer
):
    from dispatch.selectors import public_timeline

    survivor = assigned()
    duplicate = make_ticket(reporter_phone="13900000000")
    merged = services.ticket_merge(duplicate, into=survivor, by=dispatcher)

    assert merged.status == TicketStatus.MERGED and merged.merged_into == survivor
    assert "merged_in" in actions(survivor)
    survivor = services.ticket_accept(survivor, by=squadron_officer)
    services.ticket_resolve(survivor, by=squadron_officer, resolution="已处理")
    timeline = [e.action for e in public_timeline(merged)]
    assert timeline == ["intake", "merge", "accept", "resolve"]


def test_merge_into_a_finished_ticket_or_itself_is_refused(make_ticket, dispatcher):
    a, b = make_ticket(), make_ticket()
    services.ticket_dismiss(a, by=dispatcher, reason="重复")
    with pytest.raises(InvalidTransition):
        services.ticket_merge(b, into=a, by=dispatcher)
    with pytest.raises(ValidationFailed):
        services.ticket_merge(b, into=b, by=dispatcher)
    b.refresh_from_db()
    assert b.status == TicketStatus.NEW


def test_stale_copy_gets_conflict(assigned, squadron_officer):
    from enforcement.errors import Conflict

    ticket = assigned()
    stale = Ticket.objects.get(pk=ticket.pk)
    services.ticket_accept(ticket, by=squadron_officer)
    with pytest.raises(Conflict):
        services.ticket_accept(stale, by=squadron_officer)
