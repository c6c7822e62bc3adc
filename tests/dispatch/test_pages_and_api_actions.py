"""Joint inspection, merge, dismiss, return and extension approval through the pages and the API.

The services are tested in test_actions / test_lifecycle; these check that each
works end to end over HTTP as a user meets it, refusals included, and that a
refusal changes nothing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from dispatch import services
from dispatch.models import ExtensionStatus, Ticket, TicketCoHandler, TicketStatus
from dispatch.selectors import history
from enforcement.models import AgencyKind, Role
from tests.factories import AgencyFactory, member

pytestmark = pytest.mark.django_db


def action_url(ticket, action):
    return reverse("dispatch:ticket-action", args=[ticket.pk, action])


def detail_url(ticket):
    return reverse("dispatch:ticket-detail", args=[ticket.pk])


def api(ticket, action=""):
    return f"/api/tickets/{ticket.pk}/" + (f"{action}/" if action else "")


def actions_of(ticket):
    return [e.action for e in history(Ticket.objects.get(pk=ticket.pk))]


@pytest.fixture
def regulator(county):
    agency = AgencyFactory(code="DEPT-SCJG", name="县市场监督管理局", kind=AgencyKind.DEPARTMENT)
    return agency, member(Role.DEPARTMENT_STAFF, agency, "scjg_staff")


# --- joint inspection (联合执法) -----------------------------------------------------------------


def test_joint_inspection_through_the_api(api_for, assigned, dispatcher, squadron_officer, officer_a, officer_b,
                                          regulator, county):
    agency, staff = regulator
    ticket = assigned()

    r = api_for(officer_a).post(api(ticket, "co_handlers"), {"agencies": [agency.pk]}, format="json")
    assert r.status_code == 403 and not TicketCoHandler.objects.exists()

    r = api_for(dispatcher).post(api(ticket, "co_handlers"), {"agencies": [agency.pk]}, format="json")
    assert r.status_code == 200, r.json()
    roles = {c["agency"]["code"]: c["role"] for c in r.json()["co_handlers"]}
    assert roles == {county.squadron_a.code: "lead", agency.code: "co"}

    # The co-handler now sees the ticket (a per-object grant) and gives its feedback.
    assert api_for(staff).get(api(ticket)).status_code == 200
    lead = api_for(squadron_officer)
    assert lead.post(api(ticket, "accept"), {}, format="json").status_code == 200
    r = lead.post(api(ticket, "resolve"), {"resolution": "联合检查完毕"}, format="multipart")
    assert r.status_code == 409 and r.json()["code"] == "co_handler_feedback_missing"
    assert agency.name in r.json()["message"]
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.ACCEPTED

    assert api_for(officer_b).post(api(ticket, "co_feedback"), {"feedback": "x"}, format="json").status_code == 404
    r = api_for(staff).post(api(ticket, "co_feedback"), {"feedback": ""}, format="json")
    assert r.status_code == 400 and "feedback" in r.json()["fields"]
    r = api_for(staff).post(api(ticket, "co_feedback"), {"feedback": "已查验营业执照，责令整改"}, format="json")
    assert r.status_code == 200
    [co] = [c for c in r.json()["co_handlers"] if c["role"] == "co"]
    assert co["feedback"] == "已查验营业执照，责令整改"

    r = lead.post(api(ticket, "resolve"), {"resolution": "联合检查完毕"}, format="multipart")
    assert r.status_code == 200 and r.json()["status"] == TicketStatus.RESOLVED
    assert {"co_handlers", "co_feedback", "resolve"} <= set(actions_of(ticket))


def test_joint_inspection_through_the_pages(client_for, assigned, dispatcher, squadron_officer, regulator):
    agency, staff = regulator
    ticket = assigned()
    desk = client_for(dispatcher)
    assert desk.post(action_url(ticket, "co_handlers"), {"co_handlers-agencies": [agency.pk]}).status_code == 302
    assert TicketCoHandler.objects.filter(ticket=ticket, agency=agency, role="co").exists()

    lead = client_for(squadron_officer)
    assert lead.post(action_url(ticket, "accept"), {}).status_code == 302
    refused = lead.post(action_url(ticket, "resolve"), {"resolve-resolution": "联合检查完毕"})
    assert refused.status_code == 409 and agency.name in refused.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.ACCEPTED

    co = client_for(staff)  # client_for signs the one test client in as this user
    page = co.get(detail_url(ticket)).content.decode()
    assert 'data-testid="do-co_feedback"' in page
    assert co.post(action_url(ticket, "co_feedback"), {"co_feedback-feedback": "已查验，责令整改"}).status_code == 302

    lead = client_for(squadron_officer)
    assert "已查验，责令整改" in lead.get(detail_url(ticket)).content.decode()
    assert lead.post(action_url(ticket, "resolve"), {"resolve-resolution": "联合检查完毕"}).status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.RESOLVED


# --- merge and dismiss ---------------------------------------------------------------------------


def test_merge_through_the_page_and_the_api(client_for, api_for, make_ticket, dispatcher, officer_a):
    survivor, twin, third = make_ticket(), make_ticket(), make_ticket()
    r = client_for(dispatcher).post(action_url(twin, "merge"),
                                    {"merge-into": survivor.number, "merge-note": "同一摊点"})
    assert r.status_code == 302
    twin.refresh_from_db()
    assert twin.status == TicketStatus.MERGED and twin.merged_into_id == survivor.pk

    r = client_for(dispatcher).post(action_url(third, "merge"), {"merge-into": third.number})
    assert r.status_code == 400 and Ticket.objects.get(pk=third.pk).status == TicketStatus.NEW

    r = api_for(officer_a).post(api(third, "merge"), {"into": survivor.number}, format="json")
    assert r.status_code == 403 and Ticket.objects.get(pk=third.pk).status == TicketStatus.NEW
    r = api_for(dispatcher).post(api(third, "merge"), {"into": survivor.number}, format="json")
    assert r.status_code == 200 and r.json()["merged_into"] == survivor.number


def test_dismiss_needs_a_reason_on_the_page(client_for, make_ticket, dispatcher):
    ticket = make_ticket()
    r = client_for(dispatcher).post(action_url(ticket, "dismiss"), {"dismiss-reason": ""})
    assert r.status_code == 400 and Ticket.objects.get(pk=ticket.pk).status == TicketStatus.NEW
    r = client_for(dispatcher).post(action_url(ticket, "dismiss"),
                                    {"dismiss-reason": "属于民事纠纷，已告知当事人通过诉讼解决"})
    assert r.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DISMISSED and "民事纠纷" in ticket.dismiss_reason


# --- return (退单) and extensions ------------------------------------------------------------------


def test_return_through_the_page(client_for, assigned, squadron_officer, officer_a):
    ticket = assigned()
    r = client_for(officer_a).post(action_url(ticket, "return"), {"return-reason": "不归我们管"})
    assert r.status_code == 403 and Ticket.objects.get(pk=ticket.pk).status == TicketStatus.ASSIGNED
    r = client_for(squadron_officer).post(action_url(ticket, "return"), {"return-reason": "该地点属乙街道辖区"})
    assert r.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.TRIAGED and ticket.return_count == 1 and ticket.responsible_agency is None


def test_extension_request_and_approval_through_the_pages(client_for, assigned, squadron_officer, dispatcher):
    ticket = services.ticket_accept(assigned(), by=squadron_officer)
    old_due = ticket.resolve_due
    r = client_for(squadron_officer).post(action_url(ticket, "extension_request"), {
        "extension_request-amount": "3", "extension_request-unit": "working_days",
        "extension_request-reason": "需协调产权单位"})
    assert r.status_code == 302
    [ext] = ticket.extensions.all()
    assert ext.status == ExtensionStatus.PENDING

    # The squadron cannot approve its own request; the command centre can.
    r = client_for(squadron_officer).post(action_url(ticket, "extension_decide"), {
        "extension_decide-extension": ext.pk, "extension_decide-approve": "1"})
    assert r.status_code in (403, 404) and ticket.extensions.get().status == ExtensionStatus.PENDING
    page = client_for(dispatcher).get(detail_url(ticket)).content.decode()
    assert 'data-testid="do-extension_decide"' in page
    r = client_for(dispatcher).post(action_url(ticket, "extension_decide"), {
        "extension_decide-extension": ext.pk, "extension_decide-approve": "1", "extension_decide-note": "同意"})
    assert r.status_code == 302
    ticket.refresh_from_db()
    assert ticket.extensions.get().status == ExtensionStatus.APPROVED and ticket.resolve_due > old_due
