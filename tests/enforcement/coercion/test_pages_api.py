"""Pages and API of coercion: scope (404 for another township), constant queries, actions, documents, export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from enforcement.coercion import selectors
from enforcement.coercion import services as svc
from tests.enforcement.coercion.conftest import ITEMS, at, draft, in_force


@pytest.fixture
def measure(world):
    return in_force(world, at("2026-09-20"))


@pytest.fixture
def execution(world):
    ex = svc.execution_create(
        by=world.officer,
        agency=world.town_a,
        obligation="缴纳罚款五千元",
        decision_number="甲镇综执罚决字〔2026〕第1号",
        decision_served_on=dt.date(2026, 1, 5),
        party_kind="individual",
        party_name="张三",
        party_id_number="330102199001011234",
    )
    return svc.execution_remind(ex, by=world.officer, served_on=dt.date(2026, 6, 10), perform_by=dt.date(2026, 6, 20))


# --- scope ---------------------------------------------------------------------------------------


def test_another_township_gets_404_on_pages_and_api(world, measure, execution, client_for, api_for):
    client = client_for(world.officer_b)
    for url in (
        reverse("coercion:detail", args=[measure.pk]),
        reverse("coercion:action", args=[measure.pk, "release"]),
        reverse("coercion:document", args=[measure.pk, "decision"]),
        reverse("coercion:document-pdf", args=[measure.pk, "decision"]),
        reverse("coercion:execution-detail", args=[execution.pk]),
        reverse("coercion:execution-document", args=[execution.pk, "reminder"]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("coercion:action", args=[measure.pk, "release"]), {"reason": "no_violation", "on": "2026-09-25"}
    )
    assert response.status_code == 404
    api = api_for(world.officer_b)
    assert api.get(f"/api/coercive-measures/{measure.pk}/").status_code == 404
    assert (
        api.post(
            f"/api/coercive-measures/{measure.pk}/actions/release/",
            {"reason": "no_violation", "on": "2026-09-25"},
            format="json",
        ).status_code
        == 404
    )
    assert api.get(f"/api/enforcements/{execution.pk}/").status_code == 404
    assert api.get("/api/coercive-measures/").json()["results"] == []
    measure.refresh_from_db()
    assert measure.status == "in_force"


def test_the_list_masks_the_party_for_readers_without_need(world, measure, client_for, dispatcher):
    own = client_for(world.officer).get(reverse("coercion:list")).content.decode()
    assert "张三" in own
    other = client_for(dispatcher).get(reverse("coercion:detail", args=[measure.pk])).content.decode()
    assert "张*" in other and "330102199001011234" not in other


# --- lists in constant queries ----------------------------------------------------------------------


def _more(world, n):
    for _i in range(n):
        in_force(world, at("2026-09-21"))


def test_the_list_page_and_api_run_constant_queries(world, measure, client_for, api_for, django_assert_max_num_queries):
    client, api = client_for(world.officer), api_for(world.officer)
    client.get(reverse("coercion:list"))  # warm caches (session, calendar)
    with django_assert_max_num_queries(14) as small:
        assert client.get(reverse("coercion:list")).status_code == 200
    with django_assert_max_num_queries(8) as api_small:
        assert api.get("/api/coercive-measures/").status_code == 200
    _more(world, 6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("coercion:list"))
    assert page.content.decode().count('href="/coercion/') >= 7
    with django_assert_max_num_queries(len(api_small.captured_queries)):
        assert len(api.get("/api/coercive-measures/").json()["results"]) == 7
    with django_assert_max_num_queries(len(small.captured_queries) + 2):
        assert client.get(reverse("coercion:export")).status_code == 200


# --- pages: create, act, refuse ---------------------------------------------------------------------


def test_an_officer_registers_and_the_head_approves_through_the_pages(world, client_for):
    client = client_for(world.officer)
    response = client.post(
        reverse("coercion:create"),
        {
            "agency": world.town_a.pk,
            "kind": "seizure",
            "object_kind": "property",
            "party_kind": "individual",
            "party_name": "李四",
            "reasons": "无照经营",
            "legal_basis": "《无证无照经营查处办法》第十三条",
            "place": "甲镇",
            "period_days": "31",
            "items": "电动三轮车|红色|1|辆|县局仓库|王五",
        },
    )
    assert response.status_code == 200 and "第二十五条" in response.content.decode()
    response = client.post(
        reverse("coercion:create"),
        {
            "agency": world.town_a.pk,
            "kind": "seizure",
            "object_kind": "property",
            "party_kind": "individual",
            "party_name": "李四",
            "reasons": "无照经营",
            "legal_basis": "《无证无照经营查处办法》第十三条",
            "place": "甲镇",
            "period_days": "30",
            "items": "电动三轮车|红色|1|辆|县局仓库|王五\n货物|一批|1|批",
        },
    )
    assert response.status_code == 302
    measure = selectors.measure_search(world.leader).get(party_name="李四")
    assert [i.name for i in measure.items.all()] == ["电动三轮车", "货物"]
    page = client_for(world.leader).get(reverse("coercion:detail", args=[measure.pk])).content.decode()
    assert 'data-action="approve"' in page
    assert client_for(world.officer).get(reverse("coercion:action", args=[measure.pk, "approve"])).status_code == 403


def test_an_extension_over_30_days_is_refused_on_the_page(world, measure, client_for):
    client = client_for(world.leader)
    response = client.post(
        reverse("coercion:action", args=[measure.pk, "extend"]), {"days": "31", "reason": "复杂", "on": "2026-10-01"}
    )
    assert response.status_code == 200 and "第二十五条" in response.content.decode()
    measure.refresh_from_db()
    assert measure.extension_days == 0
    response = client.post(
        reverse("coercion:action", args=[measure.pk, "extend"]),
        {"days": "30", "reason": "需检测鉴定", "on": "2026-10-01"},
    )
    assert response.status_code == 302
    page = client.get(reverse("coercion:detail", args=[measure.pk])).content.decode()
    # Taken 20 September, ends 20 October, extended by 30 days: 19 November.
    assert "2026-11-19" in page and 'data-action="extend"' not in page


def test_documents_print_and_pdf(world, measure, client_for):
    client = client_for(world.officer)
    svc.measure_release(measure, by=world.officer, reason="no_violation", on=dt.date(2026, 9, 25))
    expected = (("decision", ["扣押决定书", "燃气灶", "六十日内"]), ("release", ["解除扣押决定书", "第二十八条"]))
    for kind, words in expected:
        page = client.get(reverse("coercion:document", args=[measure.pk, kind]))
        assert page.status_code == 200
        assert all(w in page.content.decode() for w in words), kind
        pdf = client.get(reverse("coercion:document-pdf", args=[measure.pk, kind]))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("coercion:document", args=[measure.pk, "extension"])).status_code == 404


def test_the_export_is_a_spreadsheet(world, measure, client_for):
    import openpyxl

    response = client_for(world.officer).get(reverse("coercion:export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "登记号" and rows[1][0] == measure.number and rows[1][8] == "2026-10-20"


def test_statistics_and_annual_figures(world, measure, execution, client_for):
    draft(world, kind="sealing")  # a draft is not counted
    svc.measure_release(measure, by=world.officer, reason="no_violation", on=dt.date(2026, 9, 25))
    figures = selectors.annual_figures(2026)[world.town_a.pk]
    assert figures == {
        "coercive_measures": 1,
        "sealing": 0,
        "seizure": 1,
        "releases": 1,
        "enforcement_reminders": 1,
        "court_applications": 0,
        "enforcement_actions": 0,
    }
    assert selectors.annual_figures(2025) == {}
    page = client_for(world.officer).get(reverse("coercion:statistics") + "?year=2026")
    assert page.status_code == 200 and world.town_a.name in page.content.decode()


# --- API -------------------------------------------------------------------------------------------------


def test_the_api_registers_acts_and_refuses_with_the_article(world, api_for):
    api = api_for(world.officer)
    body = {
        "agency": world.town_a.code,
        "kind": "sealing",
        "object_kind": "place",
        "party_kind": "organisation",
        "party_name": "某某餐饮有限公司",
        "reasons": "消防安全隐患",
        "legal_basis": "《消防法》第五十四条",
        "place": "甲镇人民路8号",
        "period_days": 31,
        "items": ITEMS,
    }
    refused = api.post("/api/coercive-measures/", body, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "coercion_period"
    assert "第二十五条" in refused.json()["message"]
    created = api.post("/api/coercive-measures/", {**body, "period_days": 15}, format="json")
    assert created.status_code == 201 and len(created.json()["items"]) == 2
    pk = created.json()["id"]
    assert created.json()["actions"] == ["enforce", "release", "convert"][:1]
    approve = api_for(world.leader).post(
        f"/api/coercive-measures/{pk}/actions/approve/", {"at": "2026-09-20T09:00"}, format="json"
    )
    assert approve.status_code == 200
    one_officer = api.post(
        f"/api/coercive-measures/{pk}/actions/enforce/",
        {
            "taken_at": "2026-09-20T10:00",
            "officers": [world.officer.pk],
            "onsite_record": "笔录",
            "signature": "signed",
        },
        format="json",
    )
    assert one_officer.status_code == 400
    enforced = api.post(
        f"/api/coercive-measures/{pk}/actions/enforce/",
        {
            "taken_at": "2026-09-20T10:00",
            "officers": [world.officer.pk, world.second.pk],
            "onsite_record": "笔录",
            "signature": "signed",
        },
        format="json",
    )
    assert enforced.status_code == 200 and enforced.json()["status"] == "in_force"
    # 15 days from 20 September: 5 October.
    assert enforced.json()["ends_at"].startswith("2026-10-05")


def test_the_api_court_application_before_ten_working_days_is_refused(world, execution, api_for):
    api = api_for(world.officer)
    # Served 10 June: the court from 26 June (test_rules).
    early = api.post(
        f"/api/enforcements/{execution.pk}/actions/apply/",
        {"court_name": "县人民法院", "on": "2026-06-25"},
        format="json",
    )
    assert early.status_code == 400 and early.json()["code"] == "coercion_court_wait"
    assert "第五十四条" in early.json()["message"]
    detail = api.get(f"/api/enforcements/{execution.pk}/").json()
    assert detail["status"] == "reminded" and detail["court_earliest_at"].startswith("2026-06-26")
    assert detail["window_ends_at"].startswith("2026-10-08")


def test_the_enforcement_list_runs_constant_queries(
    world, execution, client_for, api_for, django_assert_max_num_queries
):
    client, api = client_for(world.officer), api_for(world.officer)
    client.get(reverse("coercion:executions"))
    with django_assert_max_num_queries(14) as small:
        assert client.get(reverse("coercion:executions")).status_code == 200
    with django_assert_max_num_queries(8) as api_small:
        assert api.get("/api/enforcements/").status_code == 200
    for n in range(5):
        svc.execution_create(
            by=world.officer,
            agency=world.town_a,
            obligation="缴纳罚款",
            decision_number=f"D{n}",
            decision_served_on=dt.date(2026, 1, 5),
            party_kind="individual",
            party_name="李四",
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("coercion:executions")).content.decode().count("D4") >= 1
    with django_assert_max_num_queries(len(api_small.captured_queries)):
        assert len(api.get("/api/enforcements/").json()["results"]) == 6


def test_the_extension_and_reminder_documents(world, measure, execution, client_for):
    client = client_for(world.officer)
    svc.measure_extend(measure, by=world.leader, days=10, reason="需检测鉴定", on=dt.date(2026, 10, 1))
    page = client.get(reverse("coercion:document", args=[measure.pk, "extension"])).content.decode()
    # Taken 20 September (ends 20 October), extended by ten days: 30 October.
    assert "延长扣押期限决定书" in page and "2026年10月30日" in page and "需检测鉴定" in page
    reminder = client.get(reverse("coercion:execution-document", args=[execution.pk, "reminder"])).content.decode()
    assert "催告书" in reminder and execution.reminder_number in reminder and "2026年6月20日" in reminder
    pdf = client.get(reverse("coercion:execution-document-pdf", args=[execution.pk, "reminder"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
