"""Reads of the disclosure report: staff and public lists, one year's report, its history, figure tables."""

from __future__ import annotations

from django.http import Http404

from enforcement.errors import PermissionRefused
from supervision.disclosure.choices import ReportStatus
from supervision.disclosure.figures import BREAKDOWN, PROVIDERS
from supervision.disclosure.models import DisclosureReport
from supervision.disclosure.permissions import can_read_report

S = ReportStatus


def staff_reports(user):
    if not can_read_report(user):
        raise PermissionRefused()
    return DisclosureReport.objects.select_related("supersedes").order_by("-year", "-version")


def staff_report(user, year: int, version: int | None = None) -> DisclosureReport:
    """The year's latest version (or ``version``) for the bureau and the judicial bureau; 404 for others."""
    if not can_read_report(user):
        raise Http404
    qs = DisclosureReport.objects.filter(year=year).select_related(
        "supersedes", "reviewed_by", "published_by", "amended_by", "built_by", "submitted_to"
    )
    report = qs.filter(version=version).first() if version else qs.order_by("-version").first()
    if report is None:
        raise Http404
    report.has_newer = DisclosureReport.objects.filter(year=year, version__gt=report.version).exists()
    return report


def public_reports():
    """Every published version, newest year first (a superseded version stays public)."""
    return DisclosureReport.objects.published().select_related("supersedes").order_by("-year", "-version")


def public_report(year: int, version: int | None = None) -> DisclosureReport:
    """The year's latest published version (or that version if published); 404 otherwise."""
    qs = DisclosureReport.objects.published().filter(year=year).select_related("supersedes", "submitted_to")
    report = qs.filter(version=version).first() if version else qs.order_by("-version").first()
    if report is None:
        raise Http404
    report.newer_published = list(qs.filter(version__gt=report.version).order_by("version"))
    report.older_published = list(qs.filter(version__lt=report.version).order_by("-version"))
    return report


def figure_sections(report: DisclosureReport) -> list[dict]:
    """The county's figures grouped by source, with labels and definitions (page, PDF, .xlsx)."""
    county = report.figures.get("county", {})
    missing = set(report.figures.get("missing", []))
    sections = []
    for provider in PROVIDERS:
        rows = []
        for f in provider.figures:
            if not f.shown:
                continue
            row = {
                "key": f.key,
                "label": f.label,
                "definition": f.definition,
                "kind": f.kind,
                "missing": f.key in missing or f.key not in county,
                "value": county.get(f.key),
            }
            if f.kind == BREAKDOWN and f.parts and not row["missing"]:
                labels = dict(f.parts())
                row["parts"] = [(labels.get(k, k), n) for k, n in (county.get(f.key) or {}).items()]
            rows.append(row)
        sections.append(
            {"key": provider.key, "label": provider.label, "rows": rows, "missing": all(r["missing"] for r in rows)}
        )
    return sections


def agency_table(report: DisclosureReport) -> tuple[list[str], list[list]]:
    """Per agency (by code): the main figures, one row each, and the county row last."""
    keys = [
        "penalty_decisions",
        "fines_total",
        "confiscations_total",
        "no_penalty_decisions",
        "first_offense_exemptions",
        "cases_filed",
        "cases_decided",
        "cases_transferred",
        "cases_decided_in_time",
        "reconsiderations",
        "litigations",
        "correction_rate",
        "tickets_received",
        "tickets_on_time",
        "satisfaction",
        "review_files",
        "review_average",
        "inspections",
        "spot_checks",
        "warnings",
        "self_corrections",
        "coercive_measures",
        "enforcement_actions",
    ]
    present = [k for k in keys if k in report.figures.get("county", {})]
    rows = []
    for code, values in report.figures.get("agencies", {}).items():
        rows.append([code, values.get("name", code), *[values.get(k) for k in present]])
    return present, rows
