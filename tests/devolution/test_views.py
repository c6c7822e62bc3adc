"""Pages: batches, items, reviews, power map, township page, readiness, responsibility lists, exports, public pages."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from devolution import services
from devolution.models import BatchItem, BatchStatus, DevolutionBatch, ItemMode, ResponsibilityList
from enforcement.catalogue.powers import holder_of
from enforcement.models import Event, GrantMode
from tests.devolution.helpers import (
    add_item,
    approve,
    county_grant,
    enact,
    make_batch,
    make_matter,
    today,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(dv):
    b = make_batch(dv.admin, [dv.town_a, dv.town_b])
    add_item(b, dv.admin, dv.matters[0], [dv.town_a])
    return b


def detail(batch) -> str:
    return reverse("devolution:batch-detail", args=[batch.pk])


def test_bureau_manager_creates_a_batch_through_the_form(dv, client_for):
    client = client_for(dv.admin)
    url = reverse("devolution:batch-create")
    assert client.get(url).status_code == 200

    response = client.post(url, {
        "number": "2027-1", "title": "第二批", "provincial_decision": "省政府决定", "county_document_no": "县政发1号",
        "effective_date": "2027-01-01", "townships": [dv.town_a.pk, dv.town_b.pk],
    })

    batch = DevolutionBatch.objects.get(number="2027-1")
    assert response.status_code == 302 and response.url == detail(batch)
    assert set(batch.townships.all()) == {dv.town_a, dv.town_b}


def test_batch_form_shows_clear_errors(dv, client_for, batch):
    response = client_for(dv.admin).post(reverse("devolution:batch-create"), {
        "number": "2026-1", "title": "重复", "provincial_decision": "x", "county_document_no": "y",
        "effective_date": "2027-01-01", "townships": [dv.town_a.pk],
    })

    assert response.status_code == 200
    assert "批次编号“2026-1”已存在。" in response.content.decode()


def test_item_form_adds_an_item_and_shows_refusals_on_the_fields(dv, client_for, batch):
    client = client_for(dv.admin)
    url = reverse("devolution:item-create", args=[batch.pk])
    risky = make_matter("YJ-0001", "危险化学品储存", department=dv.department, safety_critical=True)

    refused = client.post(url, {"matter_code": risky.code, "townships": [dv.town_a.pk], "category": "priority",
                                "mode": "devolved", "entered_case_count_3y": "9"})
    unknown = client.post(url, {"matter_code": "NOPE", "townships": [dv.town_a.pk], "category": "priority",
                                "mode": "devolved"})
    added = client.post(url, {"matter_code": dv.matters[1].code, "townships": [dv.town_a.pk, dv.town_b.pk],
                              "category": "priority", "mode": "devolved", "entered_case_count_3y": "4"})

    assert refused.status_code == 200 and "安全关键" in refused.content.decode()
    assert "事项编码“NOPE”不存在。" in unknown.content.decode()
    assert added.status_code == 302
    assert BatchItem.objects.filter(batch=batch).count() == 2


def test_editing_an_item_through_the_form_resets_its_review(dv, client_for, batch):
    item = batch.items.get()
    batch = services.batch_start_review(services.batch_submit(batch, by=dv.admin), by=dv.reviewer)
    services.item_review(item, by=dv.reviewer, decision="reject", text="再议")

    response = client_for(dv.admin).post(reverse("devolution:item-edit", args=[item.pk]), {
        "matter_code": "ignored", "townships": [dv.town_a.pk, dv.town_b.pk], "category": "priority",
        "mode": "devolved", "entered_case_count_3y": "20", "rationale": "补充理由",
    })

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.review_status, item.entered_case_count_3y, item.matter) == ("pending", 20, dv.matters[0])


def test_detail_page_lists_items_checks_reviews_and_only_the_actions_the_user_may_use(dv, client_for, batch,
                                                                                       officer_a):
    page = client_for(dv.admin).get(detail(batch)).content.decode()
    assert "ZRZY-0001" in page and 'data-action="submit"' in page and "添加事项" in page
    assert 'data-action="approve"' not in page

    services.batch_submit(batch, by=dv.admin)
    page = client_for(officer_a).get(detail(batch)).content.decode()
    assert "ZRZY-0001" in page and "data-action=" not in page and "添加事项" not in page


def test_approve_button_refusal_lists_every_problem_on_the_page(dv, client_for, county):
    batch = make_batch(dv.admin, [dv.town_a])
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a], category="assessed", cases=0)
    add_item(batch, dv.admin, dv.matters[1], [dv.town_a], mode=ItemMode.ENTRUSTED)
    batch = services.batch_start_review(services.batch_submit(batch, by=dv.admin), by=dv.reviewer)

    response = client_for(dv.reviewer).post(reverse("devolution:batch-action", args=[batch.pk, "approve"]))

    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="action-error"' in page
    assert "ZRZY-0001" in page and "专家评估" in page and "委托协议" in page and "甲镇" in page
    batch.refresh_from_db()
    assert batch.status == BatchStatus.UNDER_REVIEW


def test_buttons_walk_a_batch_to_in_force(dv, client_for, batch):
    admin = client_for(dv.admin)
    for action in ("submit", "start_review", "approve", "publish", "enact"):
        response = admin.post(reverse("devolution:batch-action", args=[batch.pk, action]))
        assert response.status_code == 302, action

    batch.refresh_from_db()
    assert batch.status == BatchStatus.IN_FORCE
    assert holder_of(dv.matters[0], dv.town_a).mode == GrantMode.DEVOLVED


def test_review_forms_record_opinions(dv, client_for, batch):
    batch = services.batch_start_review(services.batch_submit(batch, by=dv.admin), by=dv.reviewer)
    item = batch.items.get()
    client = client_for(dv.reviewer)

    client.post(reverse("devolution:item-review", args=[item.pk]), {"decision": "reject", "text": "理由不充分"})
    client.post(reverse("devolution:batch-review", args=[batch.pk]), {"decision": "comment", "text": "请补充"})

    item.refresh_from_db()
    assert item.review_status == "rejected"
    page = client.get(detail(batch)).content.decode()
    assert "理由不充分" in page and "请补充" in page


def test_history_page_is_rendered_from_the_event_log(dv, client_for, batch):
    services.batch_submit(batch, by=dv.admin)

    page = client_for(dv.admin).get(reverse("devolution:batch-history", args=[batch.pk])).content.decode()

    assert "创建批次" in page and "新增事项" in page and "提交审查" in page and "草稿 → 已提交" in page
    assert "ZRZY-0001 自然资源事项1</dd>" in page and "乡镇（街道）：</dt>" in page and "dict_items" not in page


def test_withdraw_and_revoke_forms(dv, client_for, batch):
    client = client_for(dv.admin)
    other = make_batch(dv.admin, [dv.town_a], number="2026-7")
    response = client.post(reverse("devolution:batch-withdraw", args=[other.pk]), {"reason": "不再需要"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == BatchStatus.WITHDRAWN

    batch = enact(batch, dv.admin, dv.reviewer)
    item = batch.items.get()
    bad = client.post(reverse("devolution:item-revoke", args=[item.pk]), {"on": "2000-01-01", "reason": "x"})
    assert "早于今天" in bad.content.decode()
    ok = client.post(reverse("devolution:item-revoke", args=[item.pk]), {"on": today().isoformat(), "reason": "x"})
    assert ok.status_code == 302
    assert holder_of(dv.matters[0], dv.town_a).agency == dv.bureau


def test_assessment_statutory_package_and_agreement_forms(dv, client_for, batch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(dv.admin)
    assessed = add_item(batch, dv.admin, dv.matters[1], [dv.town_a], category="assessed", cases=0)
    statutory = add_item(batch, dv.admin, dv.matters[2], [dv.town_b], category="statutory")

    r1 = client.post(reverse("devolution:item-assessment", args=[assessed.pk]), {
        "assessed_on": "2026-01-05", "experts": "张明", "conclusion": "suitable", "summary": "同意",
        "opinion_file": SimpleUploadedFile("意见书.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
    })
    r2 = client.post(reverse("devolution:item-statutory", args=[statutory.pk]), {
        "kind": "judicial_consent", "document_no": "司法函〔2026〕3 号", "issued_on": "2026-02-01",
    })
    r3 = client.post(reverse("devolution:package-create", args=[batch.pk]), {"name": "一件事", "description": ""})
    r4 = client.post(reverse("devolution:agreement-create", args=[batch.pk]), {
        "department": dv.department.pk, "townships": [dv.town_a.pk], "scope": "委托处罚",
        "term_from": "2026-01-01", "term_to": "2028-12-31",
        "file": SimpleUploadedFile("协议.pdf", b"%PDF-1.4 y", content_type="application/pdf"),
    })

    assert [r.status_code for r in (r1, r2, r3, r4)] == [302, 302, 302, 302]
    assessed.refresh_from_db()
    assert assessed.assessment.opinion_file.name.endswith(".pdf")
    assert statutory.statutory_records.get().document_no == "司法函〔2026〕3 号"
    assert batch.packages.get().name == "一件事" and batch.agreements.count() == 1


def test_wrong_roles_get_403_and_out_of_scope_objects_404(dv, client_for, batch, officer_a, officer_b, dispatcher):
    lonely = make_batch(dv.admin, [dv.town_b], number="2026-2")
    add_item(lonely, dv.admin, dv.matters[1], [dv.town_b])
    services.batch_submit(lonely, by=dv.admin)
    services.batch_submit(batch, by=dv.admin)

    client = client_for(officer_a)
    assert client.get(detail(lonely)).status_code == 404
    assert client.get(reverse("devolution:item-edit", args=[lonely.items.get().pk])).status_code == 404
    assert client.get(reverse("devolution:batch-export", args=[lonely.pk])).status_code == 404
    assert client.get(reverse("devolution:township-powers", args=[dv.town_b.pk])).status_code == 404
    assert client.get(reverse("devolution:township-powers", args=[dv.town_a.pk])).status_code == 200
    assert client.get(reverse("devolution:readiness")).status_code == 404
    assert client.get(reverse("devolution:item-create", args=[batch.pk])).status_code == 403
    refused = client.post(reverse("devolution:batch-action", args=[batch.pk, "start_review"]))
    assert refused.status_code == 403
    assert client_for(dispatcher).get(reverse("devolution:batch-create")).status_code == 403
    assert [b.number for b in client_for(officer_a).get(reverse("devolution:batch-list")).context["batches"]] == [
        "2026-1"]


def test_batch_list_and_detail_run_constant_queries(dv, client_for, django_assert_max_num_queries):
    client = client_for(dv.admin)
    batch = make_batch(dv.admin, [dv.town_a, dv.town_b])
    client.get(reverse("devolution:batch-list"))
    for n in range(3):
        add_item(batch, dv.admin, make_matter(f"Q-{n}", department=dv.department), [dv.town_a, dv.town_b],
                 category="statutory")
        make_batch(dv.admin, [dv.town_a], number=f"2030-{n}")
    with django_assert_max_num_queries(30) as small:
        client.get(detail(batch))
    for n in range(3, 12):
        add_item(batch, dv.admin, make_matter(f"Q-{n}", department=dv.department), [dv.town_a, dv.town_b],
                 category="statutory")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(detail(batch)).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("devolution:batch-list")).status_code == 200


def test_power_map_shows_modes_per_township_filters_and_paginates_in_constant_queries(
        dv, client_for, officer_a, django_assert_max_num_queries):
    batch = make_batch(dv.admin, [dv.town_a, dv.town_b])
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a])
    enact(batch, dv.admin, dv.reviewer)
    client = client_for(officer_a)
    url = reverse("devolution:power-map")
    client.get(url)

    with django_assert_max_num_queries(14) as few:
        page = client.get(url).content.decode()
    assert 'data-matter="ZRZY-0001"' in page and "赋权" in page and "划转" in page
    for n in range(60):
        county_grant(make_matter(f"CSGL-{n:04d}", department=dv.department), dv.bureau)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 50 and response.context["page_obj"].paginator.count == 63

    only = client.get(url, {"devolved_only": "on"}).context["rows"]
    assert [r["matter"].code for r in only] == ["ZRZY-0001"]
    before = client.get(url, {"devolved_only": "on", "on": "2020-06-01"}).context["rows"]
    assert before == []


def test_township_page_lists_its_powers_with_their_source_batch(dv, client_for, officer_a):
    batch = make_batch(dv.admin, [dv.town_a])
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a])
    enact(batch, dv.admin, dv.reviewer)

    response = client_for(officer_a).get(reverse("devolution:township-powers", args=[dv.town_a.pk]))

    page = response.content.decode()
    assert "ZRZY-0001" in page and "赋权批次 2026-1" in page


def test_readiness_page_shows_each_township_and_the_grassroots_share(dv, client_for):
    response = client_for(dv.admin).get(reverse("devolution:readiness"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "甲镇" in page and "乙街道" in page and "基层执法力量占比" in page and "80%" in page


def test_department_staff_edit_their_own_responsibility_lists(dv, client_for, department_staff):
    batch = make_batch(dv.admin, [dv.town_a])
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a])
    enact(batch, dv.admin, dv.reviewer)
    client = client_for(department_staff)
    assert "ZRZY-0001" in client.get(reverse("devolution:responsibilities")).content.decode()
    url = reverse("devolution:responsibility-edit", args=[dv.matters[0].pk])

    response = client.post(url, {"department": dv.department.pk, "duties": "制定监管规则\n开展业务指导"})

    assert response.status_code == 302
    row = ResponsibilityList.objects.get()
    assert (row.department, row.duty_lines(), row.updated_by) == (dv.department, ["制定监管规则", "开展业务指导"],
                                                                  department_staff)
    assert Event.objects.for_object(row).filter(action="create").exists()


def test_others_cannot_edit_responsibility_lists(dv, client_for, officer_a, department_staff):
    from tests.factories import AgencyFactory

    other = AgencyFactory(code="DEPT-Y", name="县林业局", kind="department")
    url = reverse("devolution:responsibility-edit", args=[dv.matters[0].pk])
    assert client_for(officer_a).get(url).status_code == 403
    response = client_for(department_staff).post(url, {"department": other.pk, "duties": "越权"})
    assert response.status_code == 200 and not ResponsibilityList.objects.exists()


def test_exports_open_with_openpyxl(dv, client_for, batch):
    client = client_for(dv.admin)
    batch = enact(batch, dv.admin, dv.reviewer)

    one = client.get(reverse("devolution:batch-export", args=[batch.pk]))
    whole = client.get(reverse("devolution:power-map-export"))

    assert one["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(one.content))
    assert book.sheetnames == ["批次", "事项", "审查问题", "承接能力", "审查意见"]
    assert book["事项"]["B2"].value == "ZRZY-0001"
    grid = openpyxl.load_workbook(io.BytesIO(whole.content))["权力地图"]
    rows = list(grid.values)
    assert rows[1][:3] == ("事项编码", "事项名称", "执法领域") and "甲镇" in rows[1]
    first = next(r for r in rows if r[0] == "ZRZY-0001")
    assert first[rows[1].index("甲镇")] == "赋权乡镇：甲镇"


def test_public_pages_need_no_login_and_show_devolved_matters_with_responsibility_lists(dv, client, department_staff):
    batch = make_batch(dv.admin, [dv.town_a])
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a])
    draft = make_batch(dv.admin, [dv.town_a], number="2099-1", title="内部草稿")
    enact(batch, dv.admin, dv.reviewer)
    services.responsibility_save(by=department_staff, matter=dv.matters[0], department=dv.department,
                                 duties="制定行业监管标准")

    index = client.get(reverse("public-devolved"))
    town = client.get(reverse("public-devolved-township", args=[dv.town_a.code]))
    shown = client.get(reverse("public-devolution-batch", args=["2026-1"]))

    assert index.status_code == town.status_code == shown.status_code == 200
    assert "甲镇" in index.content.decode() and "2026-1" in index.content.decode()
    assert "内部草稿" not in index.content.decode()
    page = town.content.decode()
    assert "ZRZY-0001" in page and "制定行业监管标准" in page and "县自然资源局" in page
    assert client.get(reverse("public-devolution-batch", args=[draft.number])).status_code == 404
    assert client.get(reverse("public-devolved-township", args=["NOPE"])).status_code == 404


def test_approve_page_flow_for_judicial_reviewer(dv, client_for, batch):
    batch = approve(batch, dv.admin, dv.reviewer)
    assert batch.status == BatchStatus.APPROVED
    page = client_for(dv.admin).get(detail(batch)).content.decode()
    assert 'data-action="publish"' in page
