"""The disclosure report's states and refusals over a small county with hand-made cases of 2025.

Expected figures are worked out by hand from the rows written below, not from the report code.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from supervision.disclosure import services, verify
from supervision.disclosure.models import DisclosureReport

pytestmark = pytest.mark.django_db
YEAR = 2025


def test_figures_per_agency_and_county_as_counted_by_hand(world):
    report = services.report_build(YEAR)
    county, a, b = report.figures["county"], report.figures["agencies"]["TA"], report.figures["agencies"]["TB"]
    # Penalties in 2025: A1 (fine), A2 (fine + confiscation -> confiscation), B1 (warning) = 3.
    assert county["penalty_decisions"] == 3
    assert county["penalty_by_kind"]["fine"] == 1
    assert county["penalty_by_kind"]["confiscation"] == 1
    assert county["penalty_by_kind"]["warning"] == 1
    assert sum(county["penalty_by_kind"].values()) == 3  # counted once each
    assert county["fines_total"] == "1500.00" and county["confiscations_total"] == "200.00"
    assert a["penalty_decisions"] == 2 and a["first_offense_exemptions"] == 1 and a["no_penalty_decisions"] == 1
    # Filed in 2025: every case filed 20 days before its decision in 2025 (A1-A3, B1) = 4; B2 filed in 2024.
    assert county["cases_filed"] == 4
    assert county["cases_decided"] == 4 and county["cases_transferred"] == 1 and b["cases_transferred"] == 1
    # One reconsideration revoked, one litigation won: both concluded, one corrected -> 50.0%.
    assert b["reconsiderations"] == 1 and b["litigations"] == 1 and b["litigations_won"] == 1
    assert county["correction_rate"] == 50.0
    # Inspections: two of town A in 2025 (the one of 2024 not); warnings: two in 2025, one corrected.
    assert a["inspections"] == 2 and county["inspections"] == 2 and county["spot_checks"] == 0
    assert county["warnings"] == 2 and a["self_corrections"] == 1 and county["self_corrections"] == 1
    # Coercion: a sealing and a seizure decided in 2025 (the seizure also released); one enforcement concluded.
    assert a["coercive_measures"] == 2 and a["sealing"] == 1 and a["seizure"] == 1 and a["releases"] == 1
    assert county["coercive_measures"] == 2 and b["enforcement_actions"] == 1
    assert report.figures["missing"] == []
    checked, problems = verify.compare(report.figures, YEAR)
    assert checked > 50 and problems == []


def test_building_twice_keeps_one_report_with_the_same_figures(world):
    first = services.report_build(YEAR)
    second = services.report_build(YEAR)
    assert DisclosureReport.objects.filter(year=YEAR).count() == 1
    assert second.pk == first.pk and second.figures == first.figures
    call_command("build_disclosure_report", str(YEAR), "--verify")
    assert DisclosureReport.objects.filter(year=YEAR).count() == 1


def test_a_year_not_ended_is_refused_and_nothing_is_built(world):
    with pytest.raises(ValidationFailed, match="尚未结束"):
        services.report_build(YEAR, today=dt.date(YEAR, 12, 31))
    with pytest.raises(CommandError, match="尚未结束"):
        call_command("build_disclosure_report", "2999")
    assert not DisclosureReport.objects.exists()


def test_publishing_an_unreviewed_report_is_refused(world, judicial_reviewer):
    report = services.report_build(YEAR)
    with pytest.raises(InvalidTransition, match="尚未经司法局审核"):
        services.report_publish(report, by=judicial_reviewer)
    report.refresh_from_db()
    assert report.status == "draft" and report.published_at is None


def test_only_the_judicial_bureau_reviews_and_publishes(world, officer_a, dispatcher):
    county, editor = world
    report = services.report_build(YEAR, by=editor)
    with pytest.raises(PermissionRefused):
        services.report_review(report, by=editor)
    with pytest.raises(PermissionRefused):
        services.report_amend(report, text="x", by=officer_a)
    with pytest.raises(PermissionRefused):
        services.report_build(YEAR, by=officer_a)
    report.refresh_from_db()
    assert report.status == "draft" and report.amended_analysis == ""


def test_a_published_report_never_changes_and_a_correction_supersedes_it(world, judicial_reviewer):
    county, editor = world
    report = services.report_build(YEAR, by=editor)
    report = services.report_amend(report, text="编辑修订的分析。", by=editor)
    assert report.generated_analysis and report.analysis == "编辑修订的分析。"  # both kept
    report = services.report_review(report, by=judicial_reviewer, note="同意")
    with pytest.raises(InvalidTransition, match="已经司法局审核"):
        services.report_build(YEAR)
    report = services.report_publish(report, by=judicial_reviewer)
    frozen = (report.figures, report.analysis, report.published_at)
    with pytest.raises(InvalidTransition, match="不再改变"):
        services.report_build(YEAR)
    with pytest.raises(InvalidTransition):
        services.report_amend(report, text="改", by=editor)
    with pytest.raises(InvalidTransition, match="不再改变"):
        services.report_publish(report, by=judicial_reviewer)
    with pytest.raises(ValidationFailed):
        services.report_correct(report, note="", by=editor)
    report.refresh_from_db()
    assert (report.figures, report.analysis, report.published_at) == frozen and report.status == "published"

    corrected = services.report_correct(report, note="补录一件复议结果。", by=editor)
    assert corrected.version == 2 and corrected.supersedes == report and corrected.status == "draft"
    with pytest.raises(InvalidTransition, match="已有更正版本"):
        services.report_correct(report, note="再次", by=editor)
    corrected = services.report_build(YEAR)  # the correction's draft rebuilds
    corrected = services.report_publish(services.report_review(corrected, by=judicial_reviewer), by=judicial_reviewer)
    report.refresh_from_db()
    assert report.status == "published" and corrected.status == "published"
    assert list(DisclosureReport.objects.published().filter(year=YEAR).values_list("version", flat=True)) == [2, 1]


def test_send_back_needs_a_reason(world, judicial_reviewer):
    report = services.report_review(services.report_build(YEAR), by=judicial_reviewer)
    with pytest.raises(ValidationFailed):
        services.report_send_back(report, by=judicial_reviewer, note="")
    report = services.report_send_back(report, by=judicial_reviewer, note="请补充分析")
    assert report.status == "draft" and report.review_note == "请补充分析"


def test_staff_pages_answer_404_to_other_roles(world, client, officer_a, judicial_reviewer):
    services.report_build(YEAR)
    client.force_login(officer_a)
    assert client.get("/disclosure/").status_code == 404
    assert client.get(f"/disclosure/{YEAR}/").status_code == 404
    client.force_login(judicial_reviewer)
    page = client.get(f"/disclosure/{YEAR}/")
    assert page.status_code == 200
    text = page.content.decode()
    # Each figure's definition (which records, which date decides the year) is on the page.
    assert "按决定日期计入年度" in text and "按受理时间" in text and "penalty_decisions" in text


def test_the_judicial_bureau_reviews_and_publishes_through_the_page(world, client, judicial_reviewer):
    services.report_build(YEAR)
    client.force_login(judicial_reviewer)
    client.post(f"/disclosure/{YEAR}/act/publish/")
    assert DisclosureReport.objects.get(year=YEAR).status == "draft"  # not offered: nothing changed
    client.post(f"/disclosure/{YEAR}/act/review/", {"note": "同意"})
    client.post(f"/disclosure/{YEAR}/act/publish/")
    assert DisclosureReport.objects.get(year=YEAR).status == "published"
    assert client.get(f"/public/disclosure/{YEAR}/").status_code == 200


@pytest.mark.parametrize("extra", [1, 6])
def test_lists_run_in_constant_queries(world, client, judicial_reviewer, django_assert_max_num_queries, extra):
    for n in range(extra):
        DisclosureReport.objects.create(year=2000 + n, status="published", figures={"county": {}, "agencies": {}})
    client.force_login(judicial_reviewer)
    with django_assert_max_num_queries(12):
        assert client.get("/disclosure/").status_code == 200
    client.logout()
    with django_assert_max_num_queries(4):
        assert client.get("/public/disclosure/").status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get("/api/disclosure-reports/").status_code == 200


def test_building_from_the_page_runs_as_a_task_with_progress(
    world, client, judicial_reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    from bureau import celery
    from supervision.disclosure import jobs

    steps = []

    def run_now(name, job_id):
        assert name == "supervision.disclosure.build_report_job"
        steps.append(jobs.run_build_job(job_id))
        return True

    monkeypatch.setattr(celery, "publish", run_now)
    client.force_login(judicial_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/disclosure/build/", {"year": YEAR})
    assert response.status_code == 302 and response["Location"] == f"/disclosure/{YEAR}/"
    assert steps == ["done"]
    progress = client.get(f"/disclosure/{YEAR}/progress/").content.decode()
    assert 'data-progress="100"' in progress and "build-done" in progress
    page = client.get(f"/disclosure/{YEAR}/").content.decode()
    assert 'data-testid="value-penalty_decisions"' in page
    # A year not ended is refused on the page, and nothing is queued.
    this_year = timezone.localdate().year
    refused = client.post("/disclosure/build/", {"year": this_year}, follow=True).content.decode()
    assert "尚未结束" in refused and steps == ["done"]
