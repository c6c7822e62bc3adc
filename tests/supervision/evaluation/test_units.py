"""Units' figures for a period: every figure against hand counts, ranking, charts, constant queries,
the .xlsx export and the API."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from supervision.evaluation import services
from supervision.evaluation.models import RatingScheme
from supervision.evaluation.selectors import unit_figures
from supervision.models import Rectification
from tests.factories import AgencyFactory, make_closed_case
from tests.supervision.evaluation.conftest import at, matter, published_plan, returned, sampled, ticket

pytestmark = pytest.mark.django_db
START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
NOW = at(dt.date(2026, 1, 15))


@pytest.fixture
def figures(ev):
    c, sq, dept = ev.county, ev.squadron, ev.department
    d = dt.date
    # Squadron: t1 on time, scored 5, satisfied; t2 signed for and resolved late, rejected once then
    # scored 3, reporter dissatisfied; a 2024 ticket is outside the period.
    ticket(township=c.town_a, unit=sq, verdict="accepted", verdict_score=5, satisfaction="satisfied")
    t2 = ticket(
        township=c.town_a,
        unit=sq,
        verdict="accepted",
        verdict_score=3,
        satisfaction="dissatisfied",
        reopen_count=1,
        accepted_at=at(d(2025, 3, 3), 15),
        resolved_at=at(d(2025, 3, 20)),
    )
    ticket(township=c.town_a, unit=sq, received=d(2024, 12, 1), verdict="accepted", verdict_score=1)
    returned(t2, sq)
    returned(t2, sq, d(2024, 12, 30))  # outside the period
    # Department: one ticket on time, scored 2.
    ticket(township=c.town_b, unit=dept, verdict="accepted", verdict_score=2)
    # Case-file review: squadron's files 80 and 90 in a published 2025 plan.
    m = matter(c)
    plan = published_plan(c, ev.bureau)
    f1 = sampled(plan, make_closed_case(number="R1", agency=sq, matter=m, decided_on=d(2025, 5, 1)), D("80"), "good")
    f2 = sampled(plan, make_closed_case(number="R2", agency=sq, matter=m, decided_on=d(2025, 5, 2)), D("90"), "good")
    # Rectifications: one due in May 2025 never accepted (overdue), one accepted before its due time.
    Rectification.objects.create(
        plan=plan,
        sampled=f1,
        agency=sq,
        reviewer=ev.bureau,
        number="ZG-1",
        reason="x",
        issued_at=at(d(2025, 4, 1)),
        due_at=at(d(2025, 5, 1)),
    )
    Rectification.objects.create(
        plan=plan,
        sampled=f2,
        agency=sq,
        reviewer=ev.bureau,
        number="ZG-2",
        reason="x",
        issued_at=at(d(2025, 4, 1)),
        due_at=at(d(2025, 5, 1)),
        accepted_at=at(d(2025, 4, 20)),
    )
    return ev


def test_every_figure_of_a_unit(figures):
    rows = {r.unit.code: r for r in unit_figures(START, END, now=NOW)}
    sq = rows["SQA"]
    assert (sq.received, sq.accepted_on_time, sq.accept_rate) == (2, 1, 0.5)
    assert (sq.resolved, sq.resolved_on_time, sq.on_time_rate) == (2, 1, 0.5)
    assert (sq.verdicts_accepted, sq.verdicts_rejected, sq.avg_score) == (2, 1, 4.0)  # (5 + 3) / 2
    assert sq.returns == 1 and sq.satisfaction_rate == 0.5
    assert (sq.review_files, sq.review_average, sq.rectifications_overdue) == (2, D("85.0"), 1)
    dept = rows["DEPT-NR"]
    assert (dept.received, dept.avg_score, dept.on_time_rate, dept.returns) == (1, 2.0, 1.0, 0)
    assert rows["SQD"].received == 0 and rows["SQD"].avg_score is None


def test_ranking_by_the_chosen_figure(figures):
    assert [r.unit.code for r in unit_figures(START, END, now=NOW)] == ["SQA", "DEPT-NR", "SQD"]
    by_on_time = unit_figures(START, END, order="on_time_rate", now=NOW)
    assert [(r.unit.code, r.rank) for r in by_on_time] == [("DEPT-NR", 1), ("SQA", 2), ("SQD", 3)]


def test_ranking_page_with_charts(figures, client_for):
    page = client_for(figures.bureau).get("/supervision/evaluation/units/?start=2025-01-01&end=2025-12-31")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="score-chart"' in body and "<svg" in body and 'width="80.0%"' in body  # 4.0 of 5
    assert 'data-unit="SQA"' in body
    assert "style=" not in body.split('data-testid="score-chart"')[1].split("</div></div>")[0]
    # The judicial bureau reads it; townships and officers get 404.
    assert client_for(figures.officer_a).get("/supervision/evaluation/units/").status_code == 404


def test_units_page_in_constant_queries(figures, client_for, django_assert_max_num_queries):
    client = client_for(figures.bureau)
    url = "/supervision/evaluation/units/?start=2025-01-01&end=2025-12-31"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        unit = AgencyFactory(code=f"DEPT-{n}", name=f"部门{n}", kind="department")
        ticket(township=figures.county.town_a, unit=unit, verdict="accepted", verdict_score=4)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).content.decode().count("data-unit=") == 9


def test_units_xlsx(figures, client_for):
    response = client_for(figures.bureau).get("/supervision/evaluation/units/xlsx/?start=2025-01-01&end=2025-12-31")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.values)
    assert rows[0][:3] == ("排名", "单位", "承办工单")
    assert rows[1][:3] == (1, "甲镇派驻中队", 2)
    assert rows[1][10] == 4.0 and rows[1][14] == 85.0 and rows[1][15] == 1


def test_ratings_xlsx(figures, client_for):
    scheme = RatingScheme.objects.get(unit_kind="squadron_stationed")
    scores = {i.pk: (D(s), f"理由{s}") for i, s in zip(scheme.items.all(), ("80", "60"), strict=True)}
    services.rating_save(period=figures.period, unit=figures.squadron, scores=scores, by=figures.bureau)
    response = client_for(figures.bureau).get(f"/supervision/evaluation/ratings/xlsx/?period={figures.period.pk}")
    wb = load_workbook(io.BytesIO(response.content))
    ratings, items = list(wb.worksheets[0].values), list(wb.worksheets[1].values)
    # Township score: no forms, verdicts 5 and 3 -> 4.00 x 20 = 80; 60% x 80 = 48 + 25% x 80 = 20 + 15% x 60 = 9.
    assert ratings[1][1] == "甲镇派驻中队" and ratings[1][5] == 77.0
    assert "60% × 80.00（乡镇评价）" in ratings[1][6]
    assert items[1][2:] == ("工作实绩", 25.0, 80.0, "理由80")


def test_api_units_and_ratings(figures, api_for):
    rows = api_for(figures.bureau).get("/api/evaluation-units/?start=2025-01-01&end=2025-12-31").json()
    assert rows[0]["unit_code"] == "SQA" and rows[0]["avg_score"] == 4.0 and rows[0]["review_average"] == "85.0"
    assert api_for(figures.officer_a).get("/api/evaluation-units/").status_code == 404
    bad = api_for(figures.bureau).get("/api/evaluation-units/?start=2025-12-31&end=2025-01-01")
    assert bad.status_code == 400
    scheme = RatingScheme.objects.get(unit_kind="squadron_stationed")
    body = {
        "period": figures.period.pk,
        "unit": figures.squadron.pk,
        "scores": [{"item": i.pk, "score": "80", "reason": "台账"} for i in scheme.items.all()],
    }
    api = api_for(figures.bureau)
    created = api.post("/api/unit-ratings/", body, format="json")
    assert created.status_code == 200, created.content
    rating = created.json()
    # 60% x 80 + 25% x 80 + 15% x 80 = 80.
    assert rating["total"] == "80.00" and rating["status"] == "draft"
    assert api.post(f"/api/unit-ratings/{rating['id']}/publish/").json()["status"] == "published"
    frozen = api.post("/api/unit-ratings/", body, format="json")
    assert frozen.status_code == 409 and frozen.json()["code"] == "rating_frozen"
    corrected = api.post(
        f"/api/unit-ratings/{rating['id']}/correct/", {"scores": body["scores"], "note": "复核"}, format="json"
    ).json()
    assert corrected["supersedes"] == rating["id"] and corrected["correction_note"] == "复核"
    listed = api.get(f"/api/unit-ratings/?period={figures.period.pk}").json()
    statuses = sorted(r["status"] for r in (listed["results"] if isinstance(listed, dict) else listed))
    assert statuses == ["published", "superseded"]
    # Weights not totalling 100%: refused with the reason, nothing written.
    RatingScheme.objects.filter(unit_kind="department").update(township_weight=D("50"))
    dept = RatingScheme.objects.get(unit_kind="department")
    refused = api.post(
        "/api/unit-ratings/",
        {
            "period": figures.period.pk,
            "unit": figures.department.pk,
            "scores": [{"item": i.pk, "score": "80", "reason": "台账"} for i in dept.items.all()],
        },
        format="json",
    )
    assert refused.status_code == 400 and refused.json()["code"] == "weights_not_100"
    assert api_for(figures.officer_a).post("/api/unit-ratings/", body, format="json").status_code == 404
