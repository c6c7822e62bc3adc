"""Inspection pages: scope (404 outside it), constant queries, exports, the public results page, the PDF."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from pypdf import PdfReader

from enforcement.inspections import services
from enforcement.inspections.choices import ObjectKind, Outcome, SignatureStatus
from tests.enforcement.inspections_support import aware, insp_fixture, make_object, make_plan  # noqa: F401

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 9, 24)


def _record(insp, obj=None, **over):
    obj = obj or insp.objects_a[0]
    values = dict(
        by=insp.officers[0],
        object=obj,
        agency=insp.county.town_a,
        officers=insp.officers[:2],
        findings=[services.FindingInput(matter=insp.m_city, agency=insp.county.town_a)],
        place=obj.address,
        started_at=aware(DAY),
        signature_status=SignatureStatus.SIGNED,
        outcome=Outcome.NO_PROBLEM,
        facts="检查门前三包",
    )
    values.update(over)
    return services.record_create(**values)


def test_township_sees_its_own_records_and_objects_and_gets_404_for_others(insp, client_for):
    record = _record(insp)
    obj_b = insp.objects_b[0]
    client = client_for(insp.officer_b)
    assert client.get(f"/inspections/records/{record.pk}/").status_code == 404
    assert client.get(f"/inspections/records/{record.pk}/pdf/").status_code == 404
    assert client.get(f"/inspections/objects/{insp.objects_a[0].pk}/").status_code == 404
    assert client.get(f"/inspections/objects/{obj_b.pk}/").status_code == 200
    page = client.get("/inspections/objects/").content.decode()
    assert obj_b.name in page and insp.objects_a[0].name not in page
    client = client_for(insp.officers[0])
    assert client.get(f"/inspections/records/{record.pk}/").status_code == 200


def test_plan_of_another_township_is_404(insp, client_for):
    plan = make_plan(insp)
    assert client_for(insp.officer_b).get(f"/inspections/plans/{plan.pk}/").status_code == 404
    assert client_for(insp.officers[0]).get(f"/inspections/plans/{plan.pk}/").status_code == 200


def test_record_list_runs_in_constant_queries(insp, client_for, django_assert_max_num_queries):
    client = client_for(insp.officers[0])
    _record(insp)
    client.get("/inspections/")
    with django_assert_max_num_queries(20) as small:
        assert client.get("/inspections/").status_code == 200
    for obj in insp.objects_a[1:9]:
        _record(insp, obj=obj)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/inspections/").status_code == 200


def test_object_and_plan_lists_run_in_constant_queries(insp, client_for, django_assert_max_num_queries):
    client = client_for(insp.leader_a)
    make_plan(insp)
    client.get("/inspections/objects/")
    with django_assert_max_num_queries(20) as small_objects:
        client.get("/inspections/objects/")
    with django_assert_max_num_queries(20) as small_plans:
        client.get("/inspections/plans/")
    for i in range(8):
        make_object(insp.county.town_a, f"新增{i}", matters=[insp.m_city, insp.m_food])
        make_plan(insp, seed=100 + i)
    with django_assert_max_num_queries(len(small_objects.captured_queries)):
        client.get("/inspections/objects/")
    with django_assert_max_num_queries(len(small_plans.captured_queries)):
        client.get("/inspections/plans/")


def test_plan_draw_start_and_publish_through_the_page(insp, client_for):
    client = client_for(insp.leader_a)
    plan = make_plan(insp, sample_count=2)
    assert client.post(f"/inspections/plans/{plan.pk}/act/draw/").status_code == 302
    assert client.post(f"/inspections/plans/{plan.pk}/act/start/").status_code == 302
    # Publishing before the checks are recorded is refused with the reason.
    page = client.post(f"/inspections/plans/{plan.pk}/act/publish/", follow=True).content.decode()
    assert "未记录检查结果" in page
    plan.refresh_from_db()
    assert plan.status == "in_progress"
    # An officer records a task on the field page.
    task = plan.tasks.order_by("position").first()
    officers = list(task.officers.all())
    field = client_for(officers[0])
    assert "field-tasks" in field.get("/inspections/field/").content.decode()
    response = field.post(
        f"/inspections/field/record/?task={task.pk}",
        {
            "agency": insp.county.town_a.pk,
            "place": "现场",
            "started_at": "2026-09-24T10:00",
            "officers": [o.pk for o in officers],
            "matters": [insp.m_city.pk],
            "problem_matters": [],
            f"finding-{insp.m_city.pk}": "落实到位",
            "signature_status": SignatureStatus.SIGNED,
            "outcome": Outcome.NO_PROBLEM,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    task.refresh_from_db()
    assert task.status == "done" and task.outcome == Outcome.NO_PROBLEM


def test_public_results_mask_individuals(insp, client):
    make_object(
        insp.county.town_a, "王小明", kind=ObjectKind.INDIVIDUAL, identifier="330100199001011234", matters=[insp.m_city]
    )
    plan = make_plan(insp, sample_count=11)
    plan = services.plan_start(services.plan_draw(plan, by=insp.leader_a), by=insp.leader_a)
    for task in plan.tasks.all():
        _record(insp, obj=task.object, officers=list(task.officers.all()), task=task)
    assert client.get(f"/public/inspections/{plan.pk}/").status_code == 404  # not yet published
    services.plan_publish(plan, by=insp.leader_a)
    page = client.get(f"/public/inspections/{plan.pk}/").content.decode()
    assert "王小明" not in page and "王**" in page
    assert "330100199001011234" not in page and "3301**********1234" in page
    assert insp.objects_a[0].name in page  # businesses are named
    assert plan.title in client.get("/public/inspections/").content.decode()


def test_record_pdf_has_extractable_chinese_and_the_print_page_renders(insp, client_for):
    record = _record(insp)
    client = client_for(insp.officers[0])
    response = client.get(f"/inspections/records/{record.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "现场检查笔录" in text and insp.objects_a[0].name in text and record.number in text
    assert "现场检查笔录" in client.get(f"/inspections/records/{record.pk}/print/").content.decode()


def test_exports_are_xlsx(insp, client_for):
    _record(insp)
    client = client_for(insp.leader_a)
    for url in (
        "/inspections/?format=xlsx",
        "/inspections/objects/?format=xlsx",
        "/inspections/statistics/?year=2026&format=xlsx",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        wb = openpyxl.load_workbook(io.BytesIO(response.content))
        assert wb.active.max_row >= 2, url


def test_statistics_page_shows_visits_saved(insp, client_for):
    _record(insp)
    page = client_for(insp.leader_a).get("/inspections/statistics/?year=2026").content.decode()
    assert "visits-saved" in page and insp.county.town_a.name in page


def test_case_lead_from_the_record_page(insp, client_for):
    from enforcement.models import GrantMode
    from tests.factories import grant, make_matter

    record = _record(insp, outcome=Outcome.ORDERED_TO_CORRECT)
    penalty = make_matter("CF-CG-002", "违反门前三包", department=insp.county.bureau)
    client = client_for(insp.officers[0])
    # Not the township's matter: refused on the form, naming the holder; nothing changes.
    grant(penalty, insp.county.bureau)
    refused = client.post(
        f"/inspections/records/{record.pk}/act/case_lead/",
        {"matter": penalty.pk, "title": "门前堆物", "party_kind": "organisation", "party_legal_rep": "赵五"},
    )
    assert refused.status_code == 200 and "不能立案" in refused.content.decode(), refused.content.decode()[-6000:]
    record.refresh_from_db()
    assert record.case is None
    grant(penalty, insp.county.town_a, GrantMode.DEVOLVED, township=insp.county.town_a)
    page = client.get(f"/inspections/records/{record.pk}/").content.decode()
    assert "action-case_lead" in page and "action-no_problem" not in page
    response = client.post(
        f"/inspections/records/{record.pk}/act/case_lead/",
        {"matter": penalty.pk, "title": "门前堆物", "party_kind": "organisation", "party_legal_rep": "赵五"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.case is not None and record.case.source_ref == record.number
    # Another township cannot even load the action.
    assert client_for(insp.officer_b).get(f"/inspections/records/{record.pk}/act/case_lead/").status_code == 404


def test_plan_created_on_the_page(insp, client_for):
    client = client_for(insp.leader_a)
    assert client.get("/inspections/plans/new/").status_code == 200
    response = client.post(
        "/inspections/plans/new/",
        {
            "title": "页面新建的抽查计划",
            "lead_agency": insp.county.town_a.pk,
            "matters": [insp.m_city.pk],
            "townships": [insp.county.town_a.pk],
            "period_start": "2026-09-01",
            "period_end": "2026-09-30",
            "sample_count": 3,
            "officers_per_object": 2,
            "publish_within_workdays": 20,
            "seed": 99,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from enforcement.inspections.models import CheckPlan

    plan = CheckPlan.objects.get(title="页面新建的抽查计划")
    assert plan.seed == 99 and plan.lead_agency == insp.county.town_a
    # A township officer (not a planner) may not create plans.
    assert client_for(insp.officers[0]).get("/inspections/plans/new/").status_code == 403


def test_import_page_shows_row_errors_and_writes_nothing(insp, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from enforcement.inspections.models import InspectionObject

    before = InspectionObject.objects.count()
    data = (
        "对象类型,名称,统一社会信用代码/身份证号,乡镇/街道\n市场主体,好店,91330100MA2H000011,甲镇\n外星人,坏店,,甲镇\n"
    )
    upload = SimpleUploadedFile("objects.csv", data.encode("gbk"), "text/csv")
    response = client_for(insp.leader_a).post("/inspections/objects/import/", {"file": upload})
    assert response.status_code == 400
    assert "第 3 行【对象类型】" in response.content.decode()
    assert InspectionObject.objects.count() == before


def test_joint_visit_planned_on_the_page_and_listed_on_the_field_page(insp, client_for):
    client = client_for(insp.leader_a)
    response = client.post(
        "/inspections/visits/new/",
        {
            "object": insp.objects_a[0].pk,
            "lead_agency": insp.county.town_a.pk,
            "agencies": [insp.market.pk, insp.fire.pk],
            "planned_on": "2026-12-08",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client_for(insp.officers[0]).get("/inspections/field/").content.decode()
    assert insp.objects_a[0].name in page


def test_todo_lists_drawn_tasks_and_results_to_publish(insp):
    from enforcement.todo import todo_for

    plan = services.plan_start(services.plan_draw(make_plan(insp, sample_count=1), by=insp.leader_a), by=insp.leader_a)
    task = plan.tasks.get()
    officer = task.officers.first()
    assert any(i.kind == "inspections.task" and i.title == task.object.name for i in todo_for(officer))
    _record(insp, obj=task.object, officers=list(task.officers.all()), task=task)
    assert not any(i.kind == "inspections.task" for i in todo_for(officer))
    assert any(i.kind == "inspections.publish" and i.reference == plan.number for i in todo_for(insp.leader_a))
