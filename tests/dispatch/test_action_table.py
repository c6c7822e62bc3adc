"""The ticket page and the ticket API run one table of actions (dispatch.actions.TICKET_ACTIONS).

Every API action route names one key of the table and every key has a
route and a page action; both surfaces call the table's run for that key and
answer a refusal with the same message and status.
"""

from __future__ import annotations

import dataclasses

import pytest
from django import forms
from django.urls import reverse

from dispatch import services
from dispatch.actions import TICKET_ACTIONS
from dispatch.api import ACTION_ROUTES, TicketViewSet
from dispatch.models import Ticket, TicketCoHandler, TicketStatus
from enforcement.errors import PermissionRefused
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

def page_url(ticket, key):
    return reverse("dispatch:ticket-action", args=[ticket.pk, key])


def api_url(ticket, route):
    return f"/api/tickets/{ticket.pk}/{route}/"


def post_routes() -> set[str]:
    """The url paths of the viewset's POST actions, read from DRF's own routing."""
    return {a.url_path for a in TicketViewSet.get_extra_actions() if "post" in a.mapping}


def test_every_api_action_route_runs_one_key_of_the_table_and_every_key_has_a_route():
    assert set(ACTION_ROUTES) == post_routes()
    assert sorted(ACTION_ROUTES.values()) == sorted(TICKET_ACTIONS.keys())  # one route per key, none left out


def test_the_table_offers_what_the_permissions_offer_and_knows_every_offered_key(assigned, dispatcher,
                                                                                  squadron_officer, officer_a):
    ticket = Ticket.objects.get(pk=assigned().pk)
    for user in (dispatcher, squadron_officer, officer_a):
        offered = TICKET_ACTIONS.available(ticket, user)
        assert offered, user
        assert all(key in TICKET_ACTIONS for key in offered)
    assert "accept" in TICKET_ACTIONS.available(ticket, squadron_officer)
    assert "accept" not in TICKET_ACTIONS.available(ticket, officer_a)


class _AnyInput(forms.Form):
    """Accepts any body, so that the run of the entry under test is reached."""


@pytest.fixture
def refusing_table(monkeypatch):
    """Every entry of the table refuses with a message naming its key; records which keys were run."""
    ran: list[str] = []

    def refuser(key):
        def run(ticket, *, by, data):
            ran.append(key)
            raise PermissionRefused(f"refused by the table entry {key}")

        return run

    replaced = {a.key: dataclasses.replace(a, form=_AnyInput, form_kwargs=None, run=refuser(a.key))
                for a in TICKET_ACTIONS}
    monkeypatch.setattr(TICKET_ACTIONS, "_actions", replaced)
    return ran


def test_every_key_is_reachable_from_the_page_and_the_api_and_both_run_the_table(
        refusing_table, assigned, client_for, api_for, dispatcher):
    ticket = assigned()
    page, api = client_for(dispatcher), api_for(dispatcher)
    for route, key in ACTION_ROUTES.items():
        message = f"refused by the table entry {key}"

        r = page.post(page_url(ticket, key), {})
        assert r.status_code == 403, key
        assert message in r.content.decode(), key  # on the action's form, or above the page when not offered

        r = api.post(api_url(ticket, route), {}, format="json")
        assert r.status_code == 403, route
        assert r.json() == {"code": "permission_denied", "message": message, "fields": {}}
    assert refusing_table == [key for _route, key in ACTION_ROUTES.items() for _surface in ("page", "api")]


def test_a_key_outside_the_table_is_not_found_on_the_page(assigned, client_for, dispatcher):
    assert client_for(dispatcher).post(page_url(assigned(), "close"), {}).status_code == 404


# --- the same refusal on both surfaces (the real table) --------------------------------------------


def test_wrong_agency_gets_the_same_refusal_on_the_page_and_in_the_api(assigned, client_for, api_for, officer_a):
    ticket = assigned()
    r = api_for(officer_a).post(api_url(ticket, "accept"), {}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    message = r.json()["message"]
    assert "签收" in message

    page = client_for(officer_a).post(page_url(ticket, "accept"), {})
    assert page.status_code == 403 and message in page.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.ASSIGNED


def test_wrong_state_gets_the_same_refusal_on_the_page_and_in_the_api(assigned, client_for, api_for,
                                                                     squadron_officer):
    ticket = assigned()  # not signed for yet: nothing to resolve
    r = api_for(squadron_officer).post(api_url(ticket, "resolve"), {"resolution": "已处理"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    message = r.json()["message"]

    page = client_for(squadron_officer).post(page_url(ticket, "resolve"), {"resolve-resolution": "已处理"})
    assert page.status_code == 409 and message in page.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.ASSIGNED


def test_bad_input_is_refused_by_the_same_form_on_both_surfaces(assigned, client_for, api_for, squadron_officer):
    ticket = assigned()
    r = api_for(squadron_officer).post(api_url(ticket, "return"), {"reason": "   "}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "validation_failed"
    [message] = r.json()["fields"]["reason"]
    assert r.json()["message"] == f"reason: {message}"

    page = client_for(squadron_officer).post(page_url(ticket, "return"), {"return-reason": "   "})
    assert page.status_code == 400 and message in page.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.ASSIGNED


def test_merge_target_out_of_view_is_the_same_field_error_on_both_surfaces(make_ticket, client_for, api_for,
                                                                          dispatcher, officer_b, county):
    hidden = make_ticket(township=county.town_b)
    twin = make_ticket(township=county.town_b)
    out_of_view = make_ticket()  # township A: officer B does not see it
    expected = "未找到该工单，或不在您的查看范围内。"

    r = api_for(officer_b).post(api_url(hidden, "merge"), {"into": out_of_view.number}, format="json")
    assert r.status_code == 400 and r.json()["fields"] == {"into": [expected]}
    r = api_for(officer_b).post(api_url(hidden, "merge"), {"into": str(out_of_view.pk)}, format="json")
    assert r.status_code == 400 and r.json()["fields"] == {"into": [expected]}
    page = client_for(officer_b).post(page_url(hidden, "merge"), {"merge-into": out_of_view.number})
    assert page.status_code == 400 and expected in page.content.decode()

    # The desk merges by number on the page and by id in the API.
    r = client_for(dispatcher).post(page_url(twin, "merge"), {"merge-into": hidden.number.lower()})
    assert r.status_code == 302 and Ticket.objects.get(pk=twin.pk).merged_into_id == hidden.pk
    third = make_ticket()
    r = api_for(dispatcher).post(api_url(third, "merge"), {"into": str(out_of_view.pk)}, format="json")
    assert r.status_code == 200 and r.json()["merged_into"] == out_of_view.number


# --- what the forms read from an API body ------------------------------------------------------------


def test_verdict_reads_json_booleans_and_words(resolved, api_for, officer_a):
    r = api_for(officer_a).post(api_url(resolved(), "verdict"), {"accepted": "false", "reason": "摊贩仍在"},
                                format="json")
    assert r.status_code == 200 and r.json()["status"] == TicketStatus.IN_PROGRESS
    r = api_for(officer_a).post(api_url(resolved(), "verdict"), {"accepted": True, "score": 4}, format="json")
    assert r.status_code == 200 and r.json()["status"] == TicketStatus.CLOSED and r.json()["verdict_score"] == 4
    r = api_for(officer_a).post(api_url(resolved(), "verdict"), {"accepted": "perhaps"}, format="json")
    assert r.status_code == 400 and "accepted" in r.json()["fields"]


def test_a_json_body_without_co_handlers_clears_nothing(assigned, api_for, dispatcher):
    ticket = assigned()
    services.set_co_handlers(ticket, [AgencyFactory(code="DEPT-SCJG", name="县市场监督管理局")], by=dispatcher)
    before = list(TicketCoHandler.objects.filter(ticket=ticket).values_list("agency_id", "role"))

    r = api_for(dispatcher).post(api_url(ticket, "co_handlers"), {}, format="json")
    assert r.status_code == 400 and "agencies" in r.json()["fields"]
    assert list(TicketCoHandler.objects.filter(ticket=ticket).values_list("agency_id", "role")) == before

    # An empty list clears them, as does a page form with nothing selected.
    r = api_for(dispatcher).post(api_url(ticket, "co_handlers"), {"agencies": []}, format="json")
    assert r.status_code == 200
    assert not TicketCoHandler.objects.filter(ticket=ticket, role="co").exists()


def test_an_attachment_upload_without_files_is_refused_on_both_surfaces(assigned, api_for, client_for, dispatcher):
    ticket = assigned()
    r = api_for(dispatcher).post(api_url(ticket, "attachments"), {}, format="multipart")
    assert r.status_code == 400 and "files" in r.json()["fields"]
    page = client_for(dispatcher).post(page_url(ticket, "attach"), {})
    assert page.status_code == 400
    assert not ticket.attachments.exists()


def test_a_body_that_is_not_an_object_is_refused(assigned, api_for, squadron_officer):
    r = api_for(squadron_officer).post(api_url(assigned(), "accept"), [1, 2], format="json")
    assert r.status_code == 400 and r.json()["code"] == "validation_failed"
    assert "non_field_errors" in r.json()["fields"]
