"""Staff pages of the annual disclosure report: the list, building with progress, one year's report and its actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from enforcement.errors import DomainError
from enforcement.models.events import Event
from enforcement.workflow import event_label
from supervision.disclosure import exports, jobs, selectors, services
from supervision.disclosure.actions import REPORT_ACTIONS
from supervision.disclosure.forms import BuildForm
from supervision.disclosure.models import DisclosureReport
from supervision.disclosure.permissions import can_edit_report, can_read_report

EVENT_LABELS = {
    "built": _lazy("生成数据"),
    "amended": _lazy("修订分析"),
    "correction_started": _lazy("生成更正版本"),
    "created_as_correction": _lazy("作为更正版本创建"),
}


def _readers_only(user) -> None:
    if not can_read_report(user):
        raise Http404


@require_GET
@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    _readers_only(request.user)
    today = timezone.localdate()
    return render(
        request,
        "supervision/disclosure/list.html",
        {
            "reports": list(selectors.staff_reports(request.user)),
            "form": BuildForm(initial={"year": today.year - 1}),
            "can_build": can_edit_report(None, request.user),
            "due_year": today.year - 1,
            "due": services.report_due(today.year - 1),
            "overdue_year": services.overdue_year(today),
        },
    )


@require_POST
@login_required
def build(request: HttpRequest) -> HttpResponse:
    _readers_only(request.user)
    form = BuildForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写有效的年度。"))
        return redirect("disclosure:list")
    year = form.cleaned_data["year"]
    if not can_edit_report(None, request.user):
        messages.error(request, _("您没有权限生成年度报告。"))
        return redirect("disclosure:list")
    try:
        services.check_rebuildable(services.latest(year))
        jobs.start_build_job(year, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("disclosure:list")
    messages.info(request, _("已开始生成%(year)s年度报告。") % {"year": year})
    return redirect("disclosure:report", year)


def _job_context(year: int) -> dict:
    job = jobs.job_for_year(year)
    if job is None:
        return {"job": None}
    return {"job": job, "percent": jobs.job_percent(job), "finished": job["state"] in jobs.FINISHED}


@require_GET
@login_required
def report_page(request: HttpRequest, year: int, version: int | None = None) -> HttpResponse:
    _readers_only(request.user)
    try:
        report = selectors.staff_report(request.user, year, version)
    except Http404:
        # No report yet: the page still shows a build that is running.
        context = _job_context(year)
        if context["job"] is None:
            raise
        return render(request, "supervision/disclosure/building.html", {"year": year, **context})
    keys = REPORT_ACTIONS.available(report, request.user)
    events = (
        Event.objects.filter(content_type=ContentType.objects.get_for_model(DisclosureReport), object_id=report.pk)
        .select_related("actor")
        .order_by("at", "pk")
    )
    return render(
        request,
        "supervision/disclosure/report.html",
        {
            "report": report,
            "sections": selectors.figure_sections(report),
            "agency_keys_rows": selectors.agency_table(report),
            "actions": [
                (REPORT_ACTIONS[k], REPORT_ACTIONS.form(k, report, request.user, initial=_initial(k, report)))
                for k in keys
            ],
            "events": [{"event": e, "label": event_label(report, e.action, EVENT_LABELS)} for e in events],
            "can_build": can_edit_report(report, request.user) and report.status == "draft",
            "due": services.report_due(report.year),
            **_job_context(year),
        },
    )


def _initial(key: str, report: DisclosureReport) -> dict:
    if key == "amend":
        return {"text": report.analysis}
    return {}


@require_GET
@login_required
def build_progress(request: HttpRequest, year: int) -> HttpResponse:
    _readers_only(request.user)
    context = _job_context(year)
    if context["job"] is None:
        raise Http404
    return render(request, "supervision/disclosure/_progress.html", {"year": year, **context})


@require_POST
@login_required
def report_action(request: HttpRequest, year: int, name: str) -> HttpResponse:
    report = selectors.staff_report(request.user, year)
    action = REPORT_ACTIONS.get(name)
    if action is None or name not in REPORT_ACTIONS.available(report, request.user):
        messages.error(request, _("当前不能执行该操作。"))
        return redirect("disclosure:report", year)
    form = REPORT_ACTIONS.form(name, report, request.user, request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(m) for errs in form.errors.values() for m in errs))
        return redirect("disclosure:report", year)
    try:
        REPORT_ACTIONS.perform(name, report, by=request.user, data=form.cleaned_data)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已完成“%(action)s”。") % {"action": action.label})
    return redirect("disclosure:report", year)


# --- files of any version, for the staff who review it before publication ---------------------------


def _staff_filename(report: DisclosureReport, ext: str) -> str:
    values = {"year": report.year, "v": report.version, "ext": ext}
    if report.is_published:
        return _("%(year)s年度行政执法数据公开报告-v%(v)s.%(ext)s") % values
    return _("%(year)s年度行政执法数据公开报告-v%(v)s-草稿.%(ext)s") % values


@require_GET
@login_required
def report_pdf(request: HttpRequest, year: int, version: int | None = None) -> HttpResponse:
    """The report's PDF, a draft or reviewed one too (marked as a draft): the bureau and the judicial bureau."""
    report = selectors.staff_report(request.user, year, version)
    response = HttpResponse(exports.report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, _staff_filename(report, "pdf"))
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def report_xlsx(request: HttpRequest, year: int, version: int | None = None) -> HttpResponse:
    """The report's .xlsx, a draft or reviewed one too: the bureau and the judicial bureau."""
    report = selectors.staff_report(request.user, year, version)
    response = HttpResponse(exports.report_xlsx(report), content_type=exports.XLSX)
    response["Content-Disposition"] = content_disposition_header(True, _staff_filename(report, "xlsx"))
    response["Cache-Control"] = "private, no-store"
    return response
