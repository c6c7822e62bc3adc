"""Pages and API of case-file review: scope (404), refusals with messages, constant queries, exports."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from enforcement.models import Event
from enforcement.workflow import record_event
from supervision.choices import ScoreStatus
from supervision.models import Rectification, SampledFile, Score
from supervision.services.plans import plan_publish
from tests.supervision.conftest import item, make_plan, score_all, score_of, veto

pytestmark = pytest.mark.django_db


def test_plan_list_and_rectification_list_run_in_constant_queries(review, client_for, django_assert_max_num_queries):
    for n in range(6):
        make_plan(review, title=f"方案{n}")
    client = client_for(review.lead)
    client.get(reverse("supervision:plans"))  # warm the per-process caches
    with django_assert_max_num_queries(12):
        response = client.get(reverse("supervision:plans"))
    assert response.status_code == 200 and response.content.decode().count("方案") >= 6
    with django_assert_max_num_queries(12):
        assert client.get(reverse("supervision:rectifications")).status_code == 200


def test_plan_page_shows_the_seed_and_the_algorithm(started, review, client_for, django_assert_max_num_queries):
    client = client_for(review.lead)
    client.get(reverse("supervision:plan", args=[started.pk]))
    with django_assert_max_num_queries(20):
        html = client.get(reverse("supervision:plan", args=[started.pk])).content.decode()
    assert str(started.seed) in html and "random.Random" in html and "review_draw" in html


def test_results_page_in_constant_queries_and_figures_against_an_independent_count(
        started, review, client_for, django_assert_max_num_queries):
    score_all(started, {1: ({"D1": 10, "F1": 10, "B1": 8, "B2": 7, "H1": 5}, set()), 2: ({}, {"V3"}),
                        4: ({"D1": 4}, set()), 7: ({"D1": 2, "H1": 1}, set())})
    plan = plan_publish(started, by=review.lead)
    client = client_for(review.lead)
    url = reverse("supervision:plan-results", args=[plan.pk])
    client.get(url)
    with django_assert_max_num_queries(16):
        response = client.get(url)
    # Independent count from the scores themselves.
    expected = {}
    for f in SampledFile.objects.filter(plan=plan):
        s = Score.objects.get(assignment__sampled=f)
        expected.setdefault(f.agency_id, []).append(s.total)
    for row in response.context["by_agency"]:
        totals = expected[row.agency.pk]
        assert row.files == len(totals)
        assert row.average == (sum(totals) / len(totals)).quantize(Decimal("0.1"))
    d1 = next(r for r in response.context["by_item"] if r["code"] == "D1")
    assert d1["files"] == 3 and d1["points"] == Decimal(16)  # positions 1, 4, 7: 10 + 4 + 2
    v3 = next(r for r in response.context["by_item"] if r["code"] == "V3")
    assert v3["files"] == 1
    grades = response.context["chart"]
    assert sum(bar["n"] for bar in grades) == 9
    assert next(bar["n"] for bar in grades if bar["grade"] == "fail") == 1  # the veto


def test_results_pdf_has_extractable_chinese_and_xlsx_has_the_rows(started, review, client_for):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    score_all(started)
    plan = plan_publish(started, by=review.lead)
    client = client_for(review.lead)
    pdf = client.get(reverse("supervision:results-pdf", args=[plan.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "各单位得分与排名" in text and "甲镇" in text
    xlsx = client.get(reverse("supervision:results-xlsx", args=[plan.pk]))
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames == ["单位得分", "案卷得分", "扣分项统计"]
    assert wb["案卷得分"].max_row == 1 + 9


def test_results_stay_hidden_from_agencies_until_published(started, review, client_for):
    url = reverse("supervision:plan-results", args=[started.pk])
    assert client_for(review.officer_a).get(url).status_code == 404
    score_all(started)
    plan_publish(started, by=review.lead)
    response = client_for(review.officer_a).get(url)
    assert response.status_code == 200
    # The township sees its own files only, and the county ranking.
    assert {f.agency_id for f in response.context["files"]} == {review.county.town_a.pk}
    assert len(response.context["by_agency"]) == 3


def test_reviewer_opening_a_file_not_assigned_to_them_gets_404(started, review, client_for):
    score = score_of(started, 1)
    outsider = next(u for u in (review.reviewer2, review.reviewer3, review.lead)
                    if u.pk not in (score.assignment.reviewer_id, started.lead_id))
    assert client_for(outsider).get(reverse("supervision:score", args=[score.pk])).status_code == 404
    assert client_for(review.officer_a).get(reverse("supervision:score", args=[score.pk])).status_code == 404


def test_lead_reads_another_reviewers_score_but_not_the_case_file_without_an_assignment(started, review, client_for):
    from supervision.models import Assignment

    mine = set(Assignment.objects.filter(sampled__plan=started, reviewer=review.lead).values_list("pk", flat=True))
    score = next(s for s in (score_of(started, n) for n in range(1, 10)) if s.assignment_id not in mine)
    response = client_for(review.lead).get(reverse("supervision:score", args=[score.pk]))
    assert response.status_code == 200 and response.context["file"] is None
    assert 'data-testid="no-case-file"' in response.content.decode()


def test_scoring_page_pre_marks_shows_history_with_system_events_and_locks_after_submit(
        started, review, client_for):
    score = score_of(started, 1)
    case = score.assignment.sampled.case
    # The decision came 10 days late (due 2025-05-20, decided 2025-06-01): the system suggests E1.
    import datetime as dt

    from enforcement.workdays import SHANGHAI

    type(case).objects.filter(pk=case.pk).update(
        decide_due_at=dt.datetime(2025, 5, 20, 23, 59, tzinfo=SHANGHAI))
    record_event(case, "create", by=None)  # an event with no actor: the system's
    client = client_for(score.assignment.reviewer)
    url = reverse("supervision:score", args=[score.pk])
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "系统" in [a.strip() for a in _actors(html)]
    assert response.context["form"].initial[f"d_{item(review.rubric, 'E1').pk}"] == Decimal(6)
    assert "超期" in html
    # Record a deduction and a veto, submit.
    rubric = review.rubric
    data = {f"d_{item(rubric, 'D1').pk}": "3", f"c_{item(rubric, 'D1').pk}": "引用条款不完整",
            f"v_{veto(rubric, 'V6').pk}": "on", f"vc_{veto(rubric, 'V6').pk}": "适用依据错误", "comment": "",
            "submit": "1"}
    response = client.post(url, data)
    assert response.status_code == 302
    score.refresh_from_db()
    assert score.status == ScoreStatus.SUBMITTED and score.vetoed and score.total == Decimal(97)
    # Scoring after submit: refused with a clear message, nothing changed.
    data[f"d_{item(rubric, 'D1').pk}"] = "8"
    data.pop("submit")
    response = client.post(url, data, follow=True)
    assert "已提交并锁定" in response.content.decode()
    score.refresh_from_db()
    assert score.total == Decimal(97)


def _actors(html: str) -> list[str]:
    import re

    return re.findall(r'data-testid="event-actor">([^<·]*)', html)


def test_township_answers_its_notice_on_the_page_and_other_townships_get_404(started, review, client_for):
    score_all(started, {pos: ({}, {"V1"}) for pos in range(1, 10)})
    plan_publish(started, by=review.lead)
    notice = Rectification.objects.filter(agency=review.county.town_a).first()
    url = reverse("supervision:rectification", args=[notice.pk])
    assert client_for(review.officer_b).get(url).status_code == 404
    client = client_for(review.officer_a)
    response = client.post(url, {"do": "submit"}, follow=True)
    assert "尚未反馈整改情况" in response.content.decode()
    first = notice.items.get()
    response = client.post(url, {"do": "answer", "item": first.pk, "answer": "已补充主体资格材料"})
    assert response.status_code == 302
    client.post(url, {"do": "submit"})
    notice.refresh_from_db()
    assert notice.status == "answered"


def test_api_scores_and_refusals(started, review, api_for):
    score = score_of(started, 1)
    api = api_for(score.assignment.reviewer)
    rubric = review.rubric
    body = {"deductions": [{"item": item(rubric, "D1").pk, "points": "2", "comment": "条款不全"}],
            "vetoes": [], "comment": "总体规范"}
    response = api.put(f"/api/review-scores/{score.pk}/", body, format="json")
    assert response.status_code == 200 and response.json()["total"] == "98.0"
    assert api.post(f"/api/review-scores/{score.pk}/submit/").status_code == 200
    refused = api.put(f"/api/review-scores/{score.pk}/", body, format="json")
    assert refused.status_code == 400 and "已提交并锁定" in refused.json()["message"]
    outsider = next(u for u in (review.reviewer2, review.reviewer3) if u.pk != score.assignment.reviewer_id
                    and u.pk != started.lead_id)
    assert api_for(outsider).get(f"/api/review-scores/{score.pk}/").status_code == 404
    unscored = api_for(review.lead).post(f"/api/review-plans/{started.pk}/actions/publish/")
    assert unscored.status_code == 400 and "未完成评分" in unscored.json()["message"]
    assert Event.objects.for_object(started).filter(action="publish").count() == 0


def test_openapi_schema_lists_the_review_endpoints(client, administrator):
    client.force_login(administrator)
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/review-plans/", "/api/review-scores/{id}/submit/", "/api/rectifications/{id}/check/"):
        assert path in schema


def test_admin_refuses_a_rubric_not_totalling_100_and_locks_one_in_use(started, review, client, administrator):
    client.force_login(administrator)
    rubric = review.rubric
    url = reverse("admin:supervision_rubric_change", args=[rubric.pk])
    # In use by a drawn plan: read-only.
    response = client.get(url)
    assert response.status_code == 200 and 'name="name"' not in response.content.decode()
    from supervision.services.rubrics import rubric_new_version

    fresh = rubric_new_version(rubric)
    groups = list(fresh.groups.order_by("order"))
    vetoes = list(fresh.vetoes.order_by("order"))
    data = {"name": fresh.name, "version": fresh.version, "note": "", "excellent_min": "90", "good_min": "80",
            "pass_min": "60",
            "groups-TOTAL_FORMS": len(groups), "groups-INITIAL_FORMS": len(groups), "groups-MIN_NUM_FORMS": 0,
            "groups-MAX_NUM_FORMS": 1000,
            "vetoes-TOTAL_FORMS": len(vetoes), "vetoes-INITIAL_FORMS": len(vetoes), "vetoes-MIN_NUM_FORMS": 0,
            "vetoes-MAX_NUM_FORMS": 1000}
    for n, g in enumerate(groups):
        data.update({f"groups-{n}-id": g.pk, f"groups-{n}-rubric": fresh.pk, f"groups-{n}-order": g.order,
                     f"groups-{n}-name": g.name, f"groups-{n}-points": str(g.points + (5 if n == 0 else 0))})
    for n, v in enumerate(vetoes):
        data.update({f"vetoes-{n}-id": v.pk, f"vetoes-{n}-rubric": fresh.pk, f"vetoes-{n}-order": v.order,
                     f"vetoes-{n}-code": v.code, f"vetoes-{n}-text": v.text, f"vetoes-{n}-auto_check": v.auto_check})
    response = client.post(reverse("admin:supervision_rubric_change", args=[fresh.pk]), data)
    assert response.status_code == 200 and "现为105" in response.content.decode()
    assert fresh.groups.get(order=1).points == groups[0].points
