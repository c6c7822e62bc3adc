"""Public pages of the annual disclosure report (no login): the list of years, one year, PDF and .xlsx.

Only published versions are public; a version a correction superseded stays
public, marked as such, with a link to its correction.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from supervision.disclosure import exports, selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    reports = list(selectors.public_reports())
    newest: dict[int, int] = {}
    for r in reports:
        newest.setdefault(r.year, r.version)
        r.is_superseded = newest[r.year] != r.version
    return render(request, "public/disclosure/list.html", {"reports": reports})


@require_GET
def report_page(request: HttpRequest, year: int, version: int | None = None) -> HttpResponse:
    report = selectors.public_report(year, version)
    return render(
        request,
        "public/disclosure/detail.html",
        {
            "report": report,
            "sections": selectors.figure_sections(report),
            "agency_keys_rows": selectors.agency_table(report),
        },
    )


def _filename(report, ext: str) -> str:
    return _("%(year)s年度行政执法数据公开报告-v%(v)s.%(ext)s") % {"year": report.year, "v": report.version, "ext": ext}


@require_GET
def report_pdf(request: HttpRequest, year: int, version: int | None = None) -> HttpResponse:
    report = selectors.public_report(year, version)
    response = HttpResponse(exports.report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=_filename(report, "pdf"))
    return response


@require_GET
def report_xlsx(request: HttpRequest, year: int, version: int | None = None) -> HttpResponse:
    report = selectors.public_report(year, version)
    response = HttpResponse(exports.report_xlsx(report), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=_filename(report, "xlsx"))
    return response
