"""The disclosure report over the demo county: every figure recounted independently, public page, PDF,
.xlsx, JSON, and the January warnings with the date simulated."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from enforcement.cases.models import Case
from enforcement.models import Notification
from supervision.disclosure import services, verify
from supervision.disclosure.models import DisclosureReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def years(demo_county):
    today = timezone.localdate()
    return today.year - 2, today.year - 1


def test_demo_has_last_years_published_report_and_this_years_draft(years):
    published, draft = years
    assert DisclosureReport.objects.get(year=published).status == "published"
    assert DisclosureReport.objects.get(year=draft).status == "draft"


@pytest.mark.parametrize("which", [0, 1])
def test_every_figure_equals_an_independent_recount(years, which):
    year = years[which]
    report = DisclosureReport.objects.get(year=year)
    checked, problems = verify.compare(report.figures, year)
    assert problems == [] and checked > 100
    # And a few by plain counting queries written here.
    county = report.figures["county"]
    decided = Case.objects.filter(decided_on__year=year)
    assert county["penalty_decisions"] == decided.filter(outcome="penalty").count()
    assert county["first_offense_exemptions"] == decided.filter(outcome="first_offense").count()
    assert county["cases_filed"] == Case.objects.filter(filed_on__year=year).count()
    assert sum(county["penalty_by_kind"].values()) == county["penalty_decisions"]
    assert (
        sum(a.get("penalty_decisions", 0) for a in report.figures["agencies"].values()) == county["penalty_decisions"]
    )


def test_rebuilding_the_draft_is_idempotent(years):
    _published, draft = years
    before = DisclosureReport.objects.get(year=draft)
    after = services.report_build(draft)
    assert after.pk == before.pk and after.figures == before.figures
    assert DisclosureReport.objects.filter(year=draft).count() == 1


def test_public_page_pdf_and_xlsx(client, years):
    published, draft = years
    report = DisclosureReport.objects.get(year=published)
    listing = client.get("/public/disclosure/").content.decode()
    assert f"{published}年度行政执法数据公开报告" in listing and f"{draft}年度" not in listing
    assert client.get(f"/public/disclosure/{draft}/").status_code == 404  # a draft is not public
    page = client.get(f"/public/disclosure/{published}/").content.decode()
    assert report.analysis.split("\n")[0][:20] in page
    assert "penalty_decisions" in page and "按决定日期计入年度" in page

    pdf = client.get(f"/public/disclosure/{published}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert f"{published}年度行政执法数据公开报告" in text and "行政处罚决定" in text
    assert str(report.figures["county"]["penalty_decisions"]) in text

    xlsx = client.get(f"/public/disclosure/{published}/xlsx/")
    book = load_workbook(io.BytesIO(xlsx.content))
    rows = {r[0]: r for r in book.worksheets[0].iter_rows(values_only=True) if r[0]}
    assert rows["penalty_decisions"][2] == report.figures["county"]["penalty_decisions"]
    assert float(rows["fines_total"][2]) == float(report.figures["county"]["fines_total"])
    codes = [r[0] for r in book.worksheets[1].iter_rows(min_row=3, values_only=True)]
    assert set(codes) == set(report.figures["agencies"])


def test_json_api_is_public_with_stable_keys(client, years):
    published, draft = years
    report = DisclosureReport.objects.get(year=published)
    data = client.get(f"/api/disclosure-reports/{published}/").json()
    for key in (
        "penalty_decisions",
        "fines_total",
        "no_penalty_decisions",
        "first_offense_exemptions",
        "cases_filed",
        "cases_transferred",
        "tickets_received",
        "tickets_on_time",
        "reconsiderations",
        "litigations",
        "correction_rate",
        "coercive_measures",
    ):
        assert key in data["county"], key
    assert data["county"] == report.figures["county"]
    code, values = next(iter(data["agencies"].items()))
    assert values["penalty_decisions"] == report.figures["agencies"][code]["penalty_decisions"]
    assert {d["key"] for d in data["definitions"]} >= {"penalty_decisions", "tickets_received"}
    assert data["missing"] == [] and "inspections" in data["county"] and "warnings" in data["county"]
    assert client.get(f"/api/disclosure-reports/{draft}/").status_code == 404
    schema = client.get("/api/schema/?format=json")
    if schema.status_code == 200:
        assert "/api/disclosure-reports/{year}/" in schema.json()["paths"]


def _at(day: dt.date, hour: int = 9):
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False
    )


def test_january_warnings_from_the_20th_daily_then_red_on_every_home_page(client, years):
    _published, draft = years
    year_after = draft + 1
    reviewer = get_user_model().objects.get(username="judicial_reviewer1")
    officer = get_user_model().objects.get(username="chengguan_officer1")
    sent = Notification.objects.filter(reason__startswith=f"disclosure_due:{draft}:")
    with _at(dt.date(year_after, 1, 19)):
        assert services.sweep_disclosure_warnings() == 0
        client.force_login(reviewer)
        assert "disclosure-banner" not in client.get("/").content.decode()
    with _at(dt.date(year_after, 1, 20)):
        n = services.sweep_disclosure_warnings()
        assert n > 0 and sent.filter(recipient=reviewer).count() == 1
        assert services.sweep_disclosure_warnings() == 0  # once a day
        client.force_login(reviewer)
        response = client.get("/")
        assert response.status_code == 200, response
        home = response.content.decode()
        assert 'data-level="yellow"' in home
        todo = client.get("/todo/").content.decode()
        assert "年度报告待公开" in todo
        client.force_login(officer)
        assert "disclosure-banner" not in client.get("/").content.decode()  # not theirs before the due date
    with _at(dt.date(year_after, 1, 21)):
        assert services.sweep_disclosure_warnings() == n
        assert sent.filter(recipient=reviewer).count() == 2
        assert not sent.filter(recipient=officer).exists()
    with _at(dt.date(year_after, 2, 1)):
        client.force_login(officer)
        home = client.get("/").content.decode()
        assert 'data-testid="disclosure-banner" data-level="red"' in home
    # Once published, the warnings stop.
    report = DisclosureReport.objects.get(year=draft)
    report = services.report_publish(services.report_review(report, by=reviewer), by=reviewer)
    with _at(dt.date(year_after, 2, 2)):
        assert services.sweep_disclosure_warnings() == 0
        assert "disclosure-banner" not in client.get("/").content.decode()
