"""Actions that write events without changing state, co-handlers, extensions, attachments, duplicates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dispatch import services
from dispatch.models import ExtensionStatus, Satisfaction, Ticket, TicketStatus, WarningLevel
from dispatch.selectors import duplicate_candidates, history
from enforcement.access import has_grant
from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.models import AgencyKind, Notification, Role
from tests.dispatch.conftest import PDF, at, png
from tests.factories import AgencyFactory, member

pytestmark = pytest.mark.django_db


def reasons(user, ticket):
    return list(Notification.objects.filter(recipient=user, object_id=ticket.pk).values_list("reason", flat=True))


# --- urge, supervise, escalate -------------------------------------------------------------


def test_each_urge_is_an_event_and_notifies_the_assignee(assigned, dispatcher, officer_a, squadron_officer):
    ticket = assigned()
    services.ticket_urge(ticket, by=dispatcher, note="请今天内处理")
    services.ticket_urge(ticket, by=officer_a, note="群众再次来电")

    assert [e.action for e in history(ticket)][-2:] == ["urge", "urge"]
    assert sorted(r for r in reasons(squadron_officer, ticket) if "urge" in r) == ["ticket.urge.1", "ticket.urge.2"]


def test_urge_by_another_township_is_refused(assigned, officer_b):
    with pytest.raises(PermissionRefused):
        services.ticket_urge(assigned(), by=officer_b, note="x")


def test_supervise_is_for_the_command_centre_only(assigned, dispatcher, officer_a, squadron_officer):
    ticket = assigned()
    with pytest.raises(PermissionRefused):
        services.ticket_supervise(ticket, by=officer_a, note="督办")
    services.ticket_supervise(ticket, by=dispatcher, note="列入督办，三日内办结")
    assert "ticket.supervise.1" in reasons(squadron_officer, ticket)


def test_urge_on_a_ticket_not_yet_assigned_is_refused(make_ticket, dispatcher):
    with pytest.raises(InvalidTransition):
        services.ticket_urge(make_ticket(), by=dispatcher, note="x")


def test_escalate_raises_priority_and_alerts_leaders(assigned, dispatcher, county, squadron_officer):
    leader = member(Role.SQUADRON_LEADER, county.squadron_a, "sq_leader")
    ticket = services.ticket_escalate(assigned(), by=squadron_officer, reason="涉及群体性纠纷")
    assert ticket.priority == "urgent" and ticket.escalated_at
    assert "ticket.escalate.1" in reasons(leader, ticket)
    assert "ticket.escalate.1" in reasons(dispatcher, ticket)


# --- extensions ------------------------------------------------------------------------------


def test_approved_extension_moves_the_resolve_deadline(assigned, squadron_officer, dispatcher, clock):
    clock(at(2026, 11, 23, 9))
    ticket = services.ticket_accept(assigned(), by=squadron_officer)
    old_due = ticket.resolve_due
    extension = services.extension_request(ticket, by=squadron_officer, amount=3, reason="需协调产权单位")
    assert f"ticket.extension.{extension.pk}.requested" in reasons(dispatcher, ticket)

    decided = services.extension_decide(extension, by=dispatcher, approve=True, note="同意")
    ticket.refresh_from_db()
    assert decided.status == ExtensionStatus.APPROVED
    assert decided.previous_due == old_due
    assert ticket.resolve_due == decided.new_due
    assert ticket.resolve_due.date() == dt.date(2026, 12, 3)
    assert ticket.warn_at > old_due - dt.timedelta(days=3)


def test_extension_approved_after_yellow_resets_the_light(assigned, squadron_officer, dispatcher, clock):
    from dispatch.sla import sweep_warnings

    clock(at(2026, 11, 23, 9))
    ticket = services.ticket_accept(assigned(), by=squadron_officer)
    clock(at(2026, 11, 30, 10))
    sweep_warnings()
    ticket.refresh_from_db()
    assert ticket.warning_level == WarningLevel.YELLOW
    ext = services.extension_request(ticket, by=squadron_officer, amount=5, reason="材料待补")
    services.extension_decide(ext, by=dispatcher, approve=True)
    ticket.refresh_from_db()
    assert ticket.warning_level == WarningLevel.NONE


def test_extension_refusals(assigned, squadron_officer, dispatcher, officer_a, clock):
    clock(at(2026, 11, 23, 9))
    ticket = assigned()
    with pytest.raises(PermissionRefused):
        services.extension_request(ticket, by=officer_a, amount=2, reason="x")
    with pytest.raises(ValidationFailed):
        services.extension_request(ticket, by=squadron_officer, amount=0, reason="x")
    ext = services.extension_request(ticket, by=squadron_officer, amount=2, reason="需补充调查")
    with pytest.raises(InvalidTransition) as exc:
        services.extension_request(ticket, by=squadron_officer, amount=2, reason="再申请")
    assert exc.value.code == "extension_pending"
    with pytest.raises(PermissionRefused):
        services.extension_decide(ext, by=squadron_officer, approve=True)
    with pytest.raises(ValidationFailed):
        services.extension_decide(ext, by=dispatcher, approve=False, note="")
    refused = services.extension_decide(ext, by=dispatcher, approve=False, note="期限内可完成")
    assert refused.status == ExtensionStatus.REFUSED
    with pytest.raises(InvalidTransition):
        services.extension_decide(ext, by=dispatcher, approve=True)
    clock(at(2026, 12, 5, 9))
    with pytest.raises(InvalidTransition) as exc:
        services.extension_request(ticket, by=squadron_officer, amount=2, reason="太晚了")
    assert exc.value.code == "extension_too_late"


# --- joint inspection ---------------------------------------------------------------------


@pytest.fixture
def market_regulator(county):
    agency = AgencyFactory(code="DEPT-SCJG", name="县市场监督管理局", kind=AgencyKind.DEPARTMENT)
    staff = member(Role.DEPARTMENT_STAFF, agency, "scjg_staff")
    return agency, staff


def test_joint_inspection_needs_co_handler_feedback_before_the_lead_resolves(
    make_ticket, dispatcher, matter, county, squadron_officer, market_regulator
):
    agency, staff = market_regulator
    ticket = services.ticket_triage(make_ticket(), by=dispatcher, matter=matter)
    ticket = services.ticket_assign(ticket, by=dispatcher, co_handlers=[agency])

    roles = {c.agency_id: c.role for c in ticket.co_handlers.all()}
    assert roles == {county.squadron_a.pk: "lead", agency.pk: "co"}
    assert has_grant(staff, "view_ticket", ticket)
    assert Ticket.objects.visible_to(staff).filter(pk=ticket.pk).exists()
    assert f"ticket.co_handler.{agency.pk}" in reasons(staff, ticket)

    ticket = services.ticket_accept(ticket, by=squadron_officer)
    with pytest.raises(InvalidTransition) as exc:
        services.ticket_resolve(ticket, by=squadron_officer, resolution="联合检查完毕")
    assert agency.name in str(exc.value)
    with pytest.raises(PermissionRefused):
        services.ticket_resolve(ticket, by=staff, resolution="x")

    services.co_handler_feedback(ticket, by=staff, feedback="已查验营业执照，责令整改")
    resolved = services.ticket_resolve(ticket, by=squadron_officer, resolution="联合检查完毕")
    assert resolved.status == TicketStatus.RESOLVED


def test_co_handler_feedback_refused_to_non_co_handlers(assigned, officer_b):
    with pytest.raises(PermissionRefused):
        services.co_handler_feedback(assigned(), by=officer_b, feedback="x")


def test_dropping_a_co_handler_revokes_its_grant(assigned, dispatcher, market_regulator):
    agency, staff = market_regulator
    ticket = assigned()
    services.set_co_handlers(ticket, [agency], by=dispatcher)
    assert has_grant(staff, "view_ticket", ticket)
    services.set_co_handlers(ticket, [], by=dispatcher)
    staff = type(staff).objects.get(pk=staff.pk)  # fresh permission cache
    assert not has_grant(staff, "view_ticket", ticket)
    assert not Ticket.objects.visible_to(staff).filter(pk=ticket.pk).exists()
    assert ticket.co_handlers.count() == 0


# --- follow-up, case lead ---------------------------------------------------------------------


def test_follow_up_after_close_once(resolved, officer_a, dispatcher):
    ticket = resolved()
    with pytest.raises(InvalidTransition):
        services.ticket_follow_up(ticket, by=dispatcher, satisfaction=Satisfaction.SATISFIED)
    ticket = services.ticket_verdict(ticket, by=officer_a, accepted=True, score=5)
    with pytest.raises(PermissionRefused):
        services.ticket_follow_up(ticket, by=officer_a, satisfaction=Satisfaction.SATISFIED)
    ticket = services.ticket_follow_up(ticket, by=dispatcher, satisfaction=Satisfaction.VERY_SATISFIED,
                                       note="群众表示满意")
    assert ticket.satisfaction == Satisfaction.VERY_SATISFIED and ticket.followed_up_at
    with pytest.raises(InvalidTransition):
        services.ticket_follow_up(ticket, by=dispatcher, satisfaction=Satisfaction.DISSATISFIED)


LEAD = {"title": "占道经营", "party_kind": "individual", "party_name": "李某"}


def test_convert_to_case_registers_a_linked_lead_once(assigned, squadron_officer, officer_b):
    from enforcement.models import Case, CaseSource

    ticket = services.ticket_accept(assigned(), by=squadron_officer)
    with pytest.raises(PermissionRefused):
        services.ticket_convert_to_case(ticket, by=officer_b, **LEAD)
    ticket = services.ticket_convert_to_case(ticket, by=squadron_officer, note="涉嫌违法经营，转立案调查", **LEAD)

    case = Case.objects.get()
    assert ticket.linked_case_id == case.pk and Ticket.objects.get(pk=ticket.pk).linked_case_id == case.pk
    assert case.source == CaseSource.TICKET and case.source_ticket_id == ticket.pk
    assert case.source_ref == ticket.number and case.agency_id == ticket.responsible_agency_id
    assert case.matter_id == ticket.matter_id and case.created_by_id == squadron_officer.pk
    assert case.facts == ticket.description and case.party_name == "李某"
    event = [e for e in history(ticket) if e.action == "converted_to_case"][0]
    assert event.data["case"] == case.pk and event.data["case_number"] == case.number
    assert event.note == "涉嫌违法经营，转立案调查"

    with pytest.raises(InvalidTransition) as refused:
        services.ticket_convert_to_case(Ticket.objects.get(pk=ticket.pk), by=squadron_officer, **LEAD)
    assert refused.value.code == "already_converted"
    assert Case.objects.count() == 1


def test_convert_to_case_refused_leaves_no_case_no_link_no_event(assigned, squadron_officer, make_ticket, dispatcher,
                                                                 matter):
    from enforcement.models import Case

    ticket = services.ticket_accept(assigned(), by=squadron_officer)
    with pytest.raises(ValidationFailed) as refused:
        services.ticket_convert_to_case(ticket, by=squadron_officer, title="占道经营", party_kind="individual",
                                        party_name="  ")
    assert refused.value.fields and "party_name" in refused.value.fields
    with pytest.raises(ValidationFailed):
        services.ticket_convert_to_case(ticket, by=squadron_officer, title="", party_kind="individual",
                                        party_name="李某")
    ticket.refresh_from_db()
    assert ticket.linked_case_id is None and Case.objects.count() == 0
    assert "converted_to_case" not in [e.action for e in history(ticket)]

    # Before assignment there is nobody to handle the case: wrong state.
    triaged = make_ticket()
    triaged = services.ticket_triage(triaged, by=dispatcher, matter=matter, township=triaged.township)
    with pytest.raises(InvalidTransition):
        services.ticket_convert_to_case(triaged, by=dispatcher, **LEAD)
    assert Case.objects.count() == 0


def test_linked_case_is_the_case_lead_and_a_deleted_case_unlinks_the_ticket(assigned, squadron_officer):
    from enforcement.models import Case

    ticket = services.ticket_convert_to_case(services.ticket_accept(assigned(), by=squadron_officer),
                                             by=squadron_officer, **LEAD)
    case = Case.objects.get(source_ticket_id=ticket.pk)
    assert Ticket.objects.select_related("linked_case").get(pk=ticket.pk).linked_case == case

    Case.objects.filter(pk=case.pk).delete()  # Ticket.linked_case: on_delete=SET_NULL
    assert Ticket.objects.get(pk=ticket.pk).linked_case_id is None


def test_the_desk_hands_a_ticket_over_as_a_lead_without_registrant(assigned, dispatcher):
    """A dispatcher is no officer of the squadron: the lead enters its register, the event names the dispatcher."""
    from enforcement.models import Case

    ticket = services.ticket_convert_to_case(assigned(), by=dispatcher, **LEAD)
    case = Case.objects.get(pk=ticket.linked_case_id)
    assert case.created_by_id is None and case.agency_id == ticket.responsible_agency_id
    event = [e for e in history(ticket) if e.action == "converted_to_case"][0]
    assert event.actor_id == dispatcher.pk


# --- attachments -------------------------------------------------------------------------------


def test_intake_stores_photos_with_their_hash(make_ticket):
    import hashlib

    ticket = make_ticket(attachments=[png(), SimpleUploadedFile("记录.pdf", PDF)])
    photo, pdf = ticket.attachments.order_by("id")
    assert photo.sha256 == hashlib.sha256(png().read()).hexdigest()
    assert (photo.content_type, pdf.content_type) == ("image/png", "application/pdf")
    assert pdf.original_name == "记录.pdf"


def test_attachment_too_large_is_refused_with_the_limit(make_ticket, settings):
    settings.MAX_UPLOAD_SIZE = 1024
    with pytest.raises(ValidationFailed) as exc:
        make_ticket(attachments=[png(size=4096)])
    assert exc.value.code == "file_too_large"
    assert "1.0 KB" in str(exc.value) or "1.0 KB" in str(exc.value).replace("\xa0", " ")
    assert Ticket.objects.count() == 0


def test_forbidden_file_type_is_refused(make_ticket):
    with pytest.raises(ValidationFailed) as exc:
        make_ticket(attachments=[SimpleUploadedFile("tool.exe", b"MZ\x90\x00")])
    assert exc.value.code == "file_type_not_allowed"
    assert "JPG" in str(exc.value) and "PDF" in str(exc.value)


def test_renamed_file_is_refused_by_its_content(make_ticket):
    with pytest.raises(ValidationFailed) as exc:
        make_ticket(attachments=[SimpleUploadedFile("photo.jpg", b"MZ\x90\x00not a jpeg")])
    assert exc.value.code == "file_content_mismatch"


def test_attachment_add_refused_to_outsiders(make_ticket, officer_b, officer_a):
    ticket = make_ticket()
    with pytest.raises(PermissionRefused):
        services.attachment_add(ticket, png(), by=officer_b)
    attachment = services.attachment_add(ticket, png(), by=officer_a)
    assert attachment.uploaded_by == officer_a


# --- duplicates ----------------------------------------------------------------------------------


def test_duplicate_candidates_same_category_nearby_or_same_grid(make_ticket, grids, other_category, clock):
    clock(at(2026, 11, 20, 9))
    base = make_ticket(lat=30.0, lng=120.0)
    near = make_ticket(lat=30.001, lng=120.001)  # about 145 m
    far = make_ticket(lat=30.01, lng=120.0)  # about 1.1 km
    other_kind = make_ticket(lat=30.0, lng=120.0, category=other_category)
    clock(at(2026, 11, 10, 9))
    old = make_ticket(lat=30.0, lng=120.0)
    clock(at(2026, 11, 20, 10))
    same_grid = make_ticket(lat=None, lng=None, grid=grids.a1)
    base_in_grid = make_ticket(lat=30.0, lng=120.0, grid=grids.a1)

    found = duplicate_candidates(base)
    assert [t.pk for t in found] == [near.pk, base_in_grid.pk] or {t.pk for t in found} == {near.pk, base_in_grid.pk}
    assert far.pk not in {t.pk for t in found}
    assert other_kind.pk not in {t.pk for t in found} and old.pk not in {t.pk for t in found}
    assert round(next(t for t in found if t.pk == near.pk).distance_m) in range(130, 160)
    grid_matches = {t.pk for t in duplicate_candidates(base_in_grid)}
    assert same_grid.pk in grid_matches and base.pk in grid_matches


def test_duplicate_radius_comes_from_the_policy(make_ticket):
    from dispatch.models import DispatchPolicy

    base = make_ticket(lat=30.0, lng=120.0)
    near = make_ticket(lat=30.001, lng=120.001)
    policy = DispatchPolicy.load()
    policy.duplicate_radius_m = 100
    policy.save()
    assert near.pk not in {t.pk for t in duplicate_candidates(base)}


def test_closed_tickets_are_not_duplicate_candidates(make_ticket, dispatcher):
    base = make_ticket()
    done = make_ticket()
    services.ticket_dismiss(done, by=dispatcher, reason="无效")
    assert duplicate_candidates(base) == []


def test_decimal_amount_for_working_hours_extension(assigned, squadron_officer):
    ext = services.extension_request(assigned(), by=squadron_officer, amount=Decimal("1.5"), unit="working_hours",
                                     reason="等待现场复核")
    assert ext.amount == Decimal("1.5")
    with pytest.raises(ValidationFailed):
        services.extension_request(assigned(), by=squadron_officer, amount=Decimal("1.5"), reason="半天")


def test_ticket_page_shows_the_case_registered_from_it(client_for, assigned, squadron_officer, officer_b):
    from django.urls import reverse

    ticket = services.ticket_convert_to_case(services.ticket_accept(assigned(), by=squadron_officer),
                                             by=squadron_officer, note="转立案", **LEAD)
    page = client_for(squadron_officer).get(reverse("dispatch:ticket-detail", args=[ticket.pk]))
    assert [c.pk for c in page.context["cases"]] == [ticket.linked_case_id]
    assert reverse("cases:detail", args=[ticket.linked_case_id]) in page.content.decode()
