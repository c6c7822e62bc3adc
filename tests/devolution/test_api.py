"""REST API: batches with transitions as actions, items, checks, history and the power map."""

from __future__ import annotations

import pytest

from devolution.models import BatchStatus, DevolutionBatch
from enforcement.catalogue.powers import holder_of
from enforcement.models import GrantMode
from tests.devolution.helpers import add_item, make_batch, today

pytestmark = pytest.mark.django_db

BATCHES = "/api/devolution/batches/"
ITEMS = "/api/devolution/items/"


def test_batch_lifecycle_through_the_api(dv, api_for):
    admin, reviewer = api_for(dv.admin), api_for(dv.reviewer)

    created = admin.post(BATCHES, {
        "number": "2026-3", "title": "API 批次", "provincial_decision": "省政府决定", "county_document_no": "县政发3号",
        "effective_date": today().isoformat(), "townships": [dv.town_a.pk, dv.town_b.pk],
    }, format="json")
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    item = admin.post(ITEMS, {"batch": pk, "matter_code": "ZRZY-0001", "townships": [dv.town_a.pk],
                              "category": "priority", "mode": "devolved", "entered_case_count_3y": 8}, format="json")
    assert item.status_code == 201, item.data
    assert item.data["case_count_3y"] == 8

    for client, action in ((admin, "submit"), (reviewer, "start_review")):
        assert client.post(f"{BATCHES}{pk}/{action}/").status_code == 200
    review = reviewer.post(f"{ITEMS}{item.data['id']}/review/", {"decision": "approve"}, format="json")
    assert review.status_code == 201 and review.data["decision"] == "approve"
    checks = reviewer.get(f"{BATCHES}{pk}/checks/")
    assert checks.data["can_approve"] is True and len(checks.data["readiness"]) == 2
    approved = reviewer.post(f"{BATCHES}{pk}/approve/", {"text": "同意"}, format="json")
    assert approved.data["status"] == BatchStatus.APPROVED
    assert admin.post(f"{BATCHES}{pk}/publish/").data["status"] == BatchStatus.PUBLISHED
    enacted = admin.post(f"{BATCHES}{pk}/enact/")
    again = admin.post(f"{BATCHES}{pk}/enact/")
    assert enacted.data["status"] == again.data["status"] == BatchStatus.IN_FORCE
    assert holder_of(dv.matters[0], dv.town_a).mode == GrantMode.DEVOLVED

    history = admin.get(f"{BATCHES}{pk}/history/").data
    assert [e["action"] for e in history if e["from_state"] != e["to_state"]] == [
        "submit", "start_review", "approve", "publish", "enact"]
    revoked = admin.post(f"{ITEMS}{item.data['id']}/revoke/", {"on": today().isoformat(), "reason": "调整"},
                         format="json")
    assert revoked.status_code == 200 and revoked.data[0]["state"] == "revoked"
    assert holder_of(dv.matters[0], dv.town_a).agency == dv.bureau


def test_one_batch_is_answered_in_full_and_enacting_it_again_is_refused_to_a_non_administrator(dv, api_for):
    from enforcement.models import Event
    from tests.devolution.helpers import enact

    batch = make_batch(dv.admin, [dv.town_a])
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a])
    batch = enact(batch, dv.admin, dv.reviewer)
    reviewer = api_for(dv.reviewer)
    detail = reviewer.get(f"{BATCHES}{batch.pk}/")
    assert detail.status_code == 200
    # As the schema's BatchDetail says (schemathesis found the items, packages and count missing).
    assert detail.data["item_count"] == 1 and len(detail.data["items"]) == 1
    assert detail.data["packages"] == [] and "opinions" in detail.data
    events = Event.objects.count()
    # Enacting a batch in force changes nothing; the judicial reviewer, who may not enact, is refused
    # all the same (the API answered 200 to them), and the administrator still gets the batch back.
    refused = reviewer.post(f"{BATCHES}{batch.pk}/enact/")
    assert refused.status_code == 403 and refused.data["code"] == "permission_denied", refused.data
    assert "实施生效" in refused.data["message"]
    assert api_for(dv.admin).post(f"{BATCHES}{batch.pk}/enact/").data["status"] == BatchStatus.IN_FORCE
    assert Event.objects.count() == events


def test_refusals_come_back_as_code_message_and_fields(dv, api_for):
    batch = make_batch(dv.admin, [dv.town_a])
    admin = api_for(dv.admin)

    bad_item = admin.post(ITEMS, {"batch": batch.pk, "matter_code": "ZRZY-0001", "townships": [dv.town_a.pk],
                                  "category": "priority", "mode": "devolved", "entered_case_count_3y": 0},
                          format="json")
    assert bad_item.status_code == 400
    assert bad_item.data["code"] == "validation_failed" and "评估下放" in bad_item.data["message"]
    assert "category" in bad_item.data["fields"]

    add_item(batch, dv.admin, dv.matters[0], [dv.town_a], category="assessed", cases=0)
    admin.post(f"{BATCHES}{batch.pk}/submit/")
    api_for(dv.reviewer).post(f"{BATCHES}{batch.pk}/start_review/")
    blocked = api_for(dv.reviewer).post(f"{BATCHES}{batch.pk}/approve/", {}, format="json")
    assert blocked.status_code == 400 and blocked.data["code"] == "batch_blocked"
    assert len(blocked.data["fields"]["problems"]) == 1 and "专家评估" in blocked.data["fields"]["problems"][0]
    wrong_state = admin.post(f"{BATCHES}{batch.pk}/publish/")
    assert wrong_state.status_code == 409 and wrong_state.data["code"] == "invalid_transition"


def test_api_permissions_and_scope(dv, api_for, officer_a, officer_b):
    batch = make_batch(dv.admin, [dv.town_b])
    add_item(batch, dv.admin, dv.matters[0], [dv.town_b])
    api_for(dv.admin).post(f"{BATCHES}{batch.pk}/submit/")

    township_a = api_for(officer_a)
    assert township_a.get(f"{BATCHES}{batch.pk}/").status_code == 404
    assert township_a.get(BATCHES).data["count"] == 0
    township_b = api_for(officer_b)
    assert township_b.get(f"{BATCHES}{batch.pk}/").status_code == 200
    refused = township_b.post(f"{BATCHES}{batch.pk}/start_review/")
    assert refused.status_code == 403 and refused.data["code"] == "permission_denied"
    created = township_b.post(BATCHES, {"number": "X", "title": "x", "provincial_decision": "x",
                                        "county_document_no": "x", "effective_date": "2027-01-01",
                                        "townships": [dv.town_b.pk]}, format="json")
    assert created.status_code == 403


def test_anonymous_api_calls_are_refused(client):
    assert client.get(BATCHES).status_code == 401


def test_item_update_and_delete_through_the_api(dv, api_for):
    batch = make_batch(dv.admin, [dv.town_a, dv.town_b])
    item = add_item(batch, dv.admin, dv.matters[0], [dv.town_a])
    admin = api_for(dv.admin)

    changed = admin.patch(f"{ITEMS}{item.pk}/", {"townships": [dv.town_a.pk, dv.town_b.pk]}, format="json")
    assert changed.status_code == 200 and len(changed.data["townships"]) == 2
    assert admin.patch(f"{ITEMS}{item.pk}/", {"matter_code": "ZRZY-0002"}, format="json").status_code == 400
    assert admin.delete(f"{ITEMS}{item.pk}/").status_code == 204
    assert not DevolutionBatch.objects.get().items.exists()


def test_power_map_api_lists_matters_by_township_in_constant_queries(dv, api_for, django_assert_max_num_queries):
    batch = make_batch(dv.admin, [dv.town_a])
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a], mode="stationed")
    from tests.devolution.helpers import enact

    enact(batch, dv.admin, dv.reviewer)
    client = api_for(dv.reviewer)

    with django_assert_max_num_queries(8):
        data = client.get("/api/devolution/power-map/", {"page_size": 2}).data
    assert data["count"] == 3 and len(data["results"]) == 2 and len(data["townships"]) == 2
    cell = data["results"][0]["cells"][str(dv.town_a.pk)]
    assert (cell["mode"], cell["holder"], cell["source_batch_id"]) == ("stationed", "甲镇派驻中队", batch.pk)
    assert data["results"][0]["cells"][str(dv.town_b.pk)]["mode"] == "transferred"
    bad = client.get("/api/devolution/power-map/", {"on": "yesterday"})
    assert bad.status_code == 400 and bad.data["fields"] == {"on": ["日期格式应为 YYYY-MM-DD。"]}


def test_the_schema_is_valid_with_no_warning_about_the_devolution_endpoints():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    # Other apps answer for their own warnings; none may involve this app's views or serializers.
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert [m for m in messages if "devolution" in m.lower() or "Batch" in m] == []
    assert {"/api/devolution/batches/{id}/approve/", "/api/devolution/items/{id}/revoke/",
            "/api/devolution/power-map/"} <= set(schema["paths"])
