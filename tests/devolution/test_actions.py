"""One table of actions per object: the batch page and the API run the same entries and refuse alike."""

from __future__ import annotations

import dataclasses

import pytest
from django.urls import reverse

from devolution import services, views
from devolution.actions import BATCH_ACTIONS, ITEM_ACTIONS
from devolution.api import BatchViewSet, ItemViewSet
from devolution.models import BatchStatus
from tests.devolution.helpers import add_item, approve, make_batch, today

pytestmark = pytest.mark.django_db

BATCHES = "/api/devolution/batches/"
ITEMS = "/api/devolution/items/"


def _posts(viewset) -> set[str]:
    return {a.__name__ for a in viewset.get_extra_actions() if "post" in a.mapping}


def test_every_api_action_is_a_key_of_the_table_and_every_key_has_an_api_action():
    assert _posts(BatchViewSet) == set(BATCH_ACTIONS.keys())
    assert _posts(ItemViewSet) == set(ITEM_ACTIONS.keys())


def test_every_action_the_batch_page_offers_is_a_key_of_the_table():
    offered = {*views.PAGE_BUTTONS, *views.PAGE_LINKS, "review"}
    assert offered <= set(BATCH_ACTIONS.keys())
    # A reviewer returns a batch from the page with a "不同意" review; the API also has the direct action.
    assert set(BATCH_ACTIONS.keys()) - offered == {"return_for_changes"}


def test_the_page_and_the_api_run_the_same_table_entry(dv, client_for, api_for, monkeypatch):
    first = make_batch(dv.admin, [dv.town_a], number="2026-1")
    second = make_batch(dv.admin, [dv.town_a], number="2026-2")
    for batch in (first, second):
        add_item(batch, dv.admin, dv.matters[0], [dv.town_a])
    calls = []
    original = BATCH_ACTIONS["submit"]

    def spy(batch, *, by, data):
        calls.append((batch.number, by.username))
        return original.run(batch, by=by, data=data)

    monkeypatch.setitem(BATCH_ACTIONS._actions, "submit", dataclasses.replace(original, run=spy))

    page = client_for(dv.admin).post(reverse("devolution:batch-action", args=[first.pk, "submit"]))
    api = api_for(dv.admin).post(f"{BATCHES}{second.pk}/submit/")

    assert page.status_code == 302 and api.status_code == 200
    assert calls == [("2026-1", dv.admin.username), ("2026-2", dv.admin.username)]


def test_the_buttons_are_the_tables_available_actions(dv, client_for):
    batch = make_batch(dv.admin, [dv.town_a])
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a])
    assert BATCH_ACTIONS.available(batch, dv.admin) == ["submit", "withdraw"]

    batch = services.batch_start_review(services.batch_submit(batch, by=dv.admin), by=dv.reviewer)
    assert BATCH_ACTIONS.available(batch, dv.reviewer) == ["approve", "review", "return_for_changes"]
    page = client_for(dv.reviewer).get(reverse("devolution:batch-detail", args=[batch.pk])).content.decode()
    # The approve button: the table's label, tone and confirmation.
    assert 'class="btn btn-success" data-action="approve">批准</button>' in page
    assert "批准后批次中的全部事项同时获批，确定批准？" in page


def _page_error(response) -> str:
    return response.content.decode()


def test_a_refusal_reads_the_same_on_the_page_and_in_the_api(dv, client_for, api_for, officer_b):
    batch = make_batch(dv.admin, [dv.town_b])
    add_item(batch, dv.admin, dv.matters[0], [dv.town_b])

    # Wrong state: publishing a draft.
    page = client_for(dv.admin).post(reverse("devolution:batch-action", args=[batch.pk, "publish"]))
    api = api_for(dv.admin).post(f"{BATCHES}{batch.pk}/publish/")
    assert page.status_code == api.status_code == 409
    assert api.data["message"] == "当前状态“草稿”下不能执行“公布”。"
    assert api.data["message"] in _page_error(page)

    # Wrong role: a township officer starting the review of a batch covering the township.
    services.batch_submit(batch, by=dv.admin)
    page = client_for(officer_b).post(reverse("devolution:batch-action", args=[batch.pk, "start_review"]))
    api = api_for(officer_b).post(f"{BATCHES}{batch.pk}/start_review/")
    assert page.status_code == api.status_code == 403
    assert api.data["message"] == "您没有权限执行“开始审查”。"
    assert api.data["message"] in _page_error(page)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SUBMITTED


def test_an_item_refusal_and_a_missing_input_read_the_same_on_the_page_and_in_the_api(dv, client_for, api_for):
    batch = make_batch(dv.admin, [dv.town_a])
    item = add_item(batch, dv.admin, dv.matters[0], [dv.town_a])
    approve(batch, dv.admin, dv.reviewer)
    body = {"on": today().isoformat(), "reason": "调整"}

    # Revoking an item of a batch not yet in force: the service's refusal.
    page = client_for(dv.admin).post(reverse("devolution:item-revoke", args=[item.pk]), body)
    api = api_for(dv.admin).post(f"{ITEMS}{item.pk}/revoke/", body, format="json")
    assert api.status_code == 409 and "只有已生效批次的事项可以撤销" in api.data["message"]
    assert page.status_code == 200 and api.data["message"] in _page_error(page)

    # No reason: both validate with the table's form, so the field error is the same.
    page = client_for(dv.admin).post(reverse("devolution:batch-withdraw", args=[batch.pk]), {"reason": ""})
    api = api_for(dv.admin).post(f"{BATCHES}{batch.pk}/withdraw/", {"reason": ""}, format="json")
    assert api.status_code == 400 and set(api.data["fields"]) == {"reason"}
    assert api.data["fields"]["reason"][0] in _page_error(page)
