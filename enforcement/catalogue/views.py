"""Staff pages of the matter catalogue (执法事项目录): list, matter page, export, import.

Views stay thin: the search is ``selectors_catalogue.matter_search``, holders
come from ``services.powers``, the spreadsheet work from
``importers.catalogue``, the background import from ``catalogue_jobs``.
Every signed-in user reads the whole catalogue (it is public anyway); only
catalogue administrators import (:func:`enforcement.catalogue.permissions.can_manage_catalogue`).
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enforcement.catalogue import jobs as catalogue_jobs
from enforcement.catalogue.forms import CatalogueImportForm, MatterSearchForm
from enforcement.catalogue.importer import export_matters, import_catalogue
from enforcement.catalogue.models import PowerGrant
from enforcement.catalogue.permissions import can_manage_catalogue
from enforcement.catalogue.powers import answer_for, holder_of, power_map
from enforcement.catalogue.selectors import matter_detail, matter_history, matter_search
from enforcement.models.agencies import Agency

PAGE_SIZE = 50
SESSION_KEY = "catalogue_import_pending"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def catalogue_admin_required(view):
    """Catalogue administrators only; anyone else signed in gets the 403 page.

    A 403 (not a 404) because this refuses a role, not an object: the import
    page's existence is no secret.
    """

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not can_manage_catalogue(request.user):
            return render(request, "enforcement/catalogue/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def searched_matters(request: HttpRequest):
    """The search form and the matters it selects (shared by the list and the export)."""
    form = MatterSearchForm.for_request(request.GET or None)
    q, filters = form.search_args()
    return form, matter_search(q=q, filters=filters)


def townships():
    return list(Agency.objects.townships().active().only("pk", "code", "name", "sort_order", "kind"))


def holders_today(matter, day):
    """County-wide holder and one row per township on ``day`` (three queries)."""
    towns = townships()
    answers = power_map([matter], towns, on=day)
    rows = [{"township": t, "answer": answers.get((matter.pk, t.pk))} for t in towns]
    return holder_of(matter, None, on=day), rows


# --- list, export, detail ---------------------------------------------------------


@require_GET
@login_required
def matter_list(request: HttpRequest) -> HttpResponse:
    form, matters = searched_matters(request)
    page = Paginator(matters, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "enforcement/catalogue/list.html",
        {
            "form": form,
            "page_obj": page,
            "matters": page.object_list,
            "filtered": form.is_filtered(),
            "export_query": query.urlencode(),
            "can_import": can_manage_catalogue(request.user),
        },
    )


@require_GET
@login_required
def matter_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as .xlsx, in the import format (it re-imports unchanged)."""
    _form, matters = searched_matters(request)
    content = export_matters(matters)
    name = _("执法事项目录-%(day)s.xlsx") % {"day": timezone.localdate().strftime("%Y%m%d")}
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response


@require_GET
@login_required
def matter_page(request: HttpRequest, code: str) -> HttpResponse:
    today = timezone.localdate()
    matter = matter_detail(code, user=request.user, on=today)
    county_holder, township_rows = holders_today(matter, today)
    grants = [
        answer_for(g)
        for g in PowerGrant.objects.filter(matter=matter)
        .select_related("holder", "acting_for", "township", "created_by", "ended_by")
        .order_by("-valid_from", "-pk")
    ]
    return render(
        request,
        "enforcement/catalogue/detail.html",
        {
            "matter": matter,
            "tiers": list(matter.tiers.all()),
            "today": today,
            "county_holder": county_holder,
            "township_rows": township_rows,
            "grants": grants,
            "history": matter_history(matter),
            "can_import": can_manage_catalogue(request.user),
        },
    )


# --- import ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@catalogue_admin_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a spreadsheet and see a dry run of it (nothing is written yet)."""
    form = CatalogueImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        sheet = form.cleaned_data["sheet"].strip() or None
        create_missing = form.cleaned_data["create_missing"]
        token, ext = catalogue_jobs.store_upload(upload)
        report = import_catalogue(
            catalogue_jobs.upload_path(token, ext),
            sheet=sheet,
            dry_run=True,
            create_missing=create_missing,
            by=request.user,
            source_name=upload.name,
        )
        # One pending preview per user: a newer upload replaces (and removes) the older one.
        previous = request.session.pop(SESSION_KEY, None)
        if previous:
            catalogue_jobs.remove_upload(previous["token"], previous["ext"])
        if report.ok:
            request.session[SESSION_KEY] = {
                "token": token,
                "ext": ext,
                "name": upload.name,
                "sheet": sheet,
                "create_missing": create_missing,
            }
        else:
            # Nothing to confirm: the file is not kept.
            catalogue_jobs.remove_upload(token, ext)
        return render(
            request,
            "enforcement/catalogue/import_preview.html",
            {
                "report": report,
                "token": token if report.ok else "",
                "file_name": upload.name,
                "create_missing": create_missing,
                "has_changes": bool(report.created or report.updated or report.created_departments
                                    or report.created_domains or report.grants_created),
            },
        )
    return render(request, "enforcement/catalogue/import.html", {"form": form})


@require_POST
@catalogue_admin_required
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Run the previewed import as a background job and show its progress page."""
    pending = request.session.get(SESSION_KEY)
    token = request.POST.get("token", "")
    if not pending or pending.get("token") != token:
        messages.error(request, _("预览已失效（可能已经导入过，或已重新上传），请重新上传文件。"))
        return redirect("catalogue-import")
    try:
        exists = catalogue_jobs.upload_path(pending["token"], pending["ext"]).exists()
    except ValueError:
        exists = False
    if not exists:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, _("上传的文件已不存在，请重新上传。"))
        return redirect("catalogue-import")
    del request.session[SESSION_KEY]
    job_id = catalogue_jobs.start_import_job(
        token=pending["token"],
        ext=pending["ext"],
        file_name=pending["name"],
        sheet=pending["sheet"],
        create_missing=pending["create_missing"],
        by=request.user,
    )
    return redirect("catalogue-import-job", job_id=job_id)


def _own_job(request: HttpRequest, job_id: str) -> dict:
    job = catalogue_jobs.get_job(job_id)
    # Someone else's job answers like a missing one.
    if job is None or job["user_id"] != request.user.pk:
        raise Http404(_("未找到该导入任务"))
    return job


def _job_context(job: dict) -> dict:
    return {
        "job": job,
        "percent": catalogue_jobs.job_percent(job),
        "finished": job["state"] in catalogue_jobs.FINISHED,
        "report": job.get("report"),
    }


@require_GET
@catalogue_admin_required
def import_job(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _own_job(request, job_id)
    return render(request, "enforcement/catalogue/import_job.html", _job_context(job))


@require_GET
@catalogue_admin_required
def import_job_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    """Polled every second by the job page (htmx: an HTML fragment; otherwise JSON)."""
    job = _own_job(request, job_id)
    if request.headers.get("HX-Request"):
        return render(request, "enforcement/catalogue/_import_progress.html", _job_context(job))
    return JsonResponse(
        {
            "state": job["state"],
            "done": job["done"],
            "total": job["total"],
            "percent": catalogue_jobs.job_percent(job),
            "error": job["error"],
            "report": job["report"],
            "url": reverse("catalogue-import-job", args=[job_id]),
        },
        json_dumps_params={"ensure_ascii": False},
    )
