"""Pages of case-file review: plans, the reviewer's files and scoring page, results (HTML, PDF, xlsx),
the year's coverage, rectification notices and their attachments.

Thin: reads from :mod:`supervision.selectors`, writes through :mod:`supervision.services`;
objects outside the user's scope answer 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enforcement.cases.models import Case
from enforcement.charts import chart_response, pick
from enforcement.errors import DomainError
from enforcement.files import serve_file
from enforcement.forms import apply_domain_error
from enforcement.models.events import Event
from enforcement.workflow import event_label
from supervision import charts, exports, selectors
from supervision.choices import Grade, PlanStatus, RectificationStatus, ScoreStatus
from supervision.forms import (
    AnswerForm,
    CheckForm,
    PlanForm,
    ReasonForm,
    ScoreForm,
    SettleForm,
    score_initial,
)
from supervision.models import RectificationAttachment, ReviewPlan, SampledFile
from supervision.permissions import can_answer, can_check_rectification, is_judicial_reviewer, is_plan_lead
from supervision.services import plans as plan_svc
from supervision.services import rectification as rect_svc
from supervision.services import scoring
from supervision.services.coverage import warn_from
from supervision.services.plans import DOC_ALGORITHM

PAGE_SIZE = 30
FILES_PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PLAN_ACTIONS = {
    "draw": (plan_svc.plan_draw, gettext_lazy("抽取案卷"), "primary"),
    "reopen": (plan_svc.plan_reopen, gettext_lazy("退回草拟（作废抽取结果）"), "outline-danger"),
    "start": (plan_svc.plan_start, gettext_lazy("开始评查"), "primary"),
    "publish": (plan_svc.plan_publish, gettext_lazy("公布结果"), "success"),
    "close": (plan_svc.plan_close, gettext_lazy("结束评查"), "outline-secondary"),
}
PLAN_ACTIONS_BY_STATE = {
    PlanStatus.DRAFT: ["draw"], PlanStatus.DRAWN: ["start", "reopen"], PlanStatus.IN_REVIEW: ["publish"],
    PlanStatus.PUBLISHED: ["close"], PlanStatus.CLOSED: [],
}
EVENT_LABELS = {
    "create": gettext_lazy("创建方案"), "update": gettext_lazy("修改方案"), "settle": gettext_lazy("裁定评分差异"),
    "save": gettext_lazy("保存评分"), "issue": gettext_lazy("下发整改通知"),
    "answer_item": gettext_lazy("反馈整改事项"),
}
GRADE_BADGES = {Grade.EXCELLENT: "text-bg-success", Grade.GOOD: "text-bg-primary", Grade.PASS: "text-bg-secondary",
                Grade.FAIL: "text-bg-danger"}


def _with_badges(files) -> list:
    """The rows with their grade badge's colour (worked out once here, not per row in the template)."""
    rows = list(files)
    for f in rows:
        f.badge = GRADE_BADGES.get(f.grade, "")
    return rows


def _judicial_only(user) -> None:
    if not is_judicial_reviewer(user):
        raise Http404


# --- plans ---------------------------------------------------------------------------------------


@require_GET
@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.plan_list(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/plan_list.html", {
        "page_obj": page, "plans": page.object_list, "can_create": is_judicial_reviewer(request.user),
    })


@require_http_methods(["GET", "POST"])
@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    _judicial_only(request.user)
    form = PlanForm(request.POST or None, initial={"year": timezone.localdate().year, "lead": request.user})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reviewers, agencies = data.pop("reviewers"), data.pop("agencies")
        try:
            plan = plan_svc.plan_create(by=request.user, reviewers=reviewers, agencies=agencies, **data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已创建评查方案。"))
            return redirect("supervision:plan", plan.pk)
    return render(request, "supervision/plan_form.html", {"form": form, "title": _("新建评查方案")})


@require_http_methods(["GET", "POST"])
@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _judicial_only(request.user)
    plan = selectors.plan_detail(request.user, pk)
    if plan.status != PlanStatus.DRAFT or not is_plan_lead(plan, request.user):
        raise PermissionDenied
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reviewers, agencies = data.pop("reviewers"), data.pop("agencies")
        try:
            plan_svc.plan_update(plan, by=request.user, reviewers=reviewers, agencies=agencies, **data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已保存评查方案。"))
            return redirect("supervision:plan", plan.pk)
    return render(request, "supervision/plan_form.html", {"form": form, "title": _("修改评查方案"), "plan": plan})


@require_GET
@login_required
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_detail(request.user, pk)
    if not is_judicial_reviewer(request.user):
        return redirect("supervision:plan-results", plan.pk)
    page = Paginator(selectors.plan_files(plan), FILES_PAGE_SIZE).get_page(request.GET.get("page"))
    files = _with_badges(page.object_list)
    lead = is_plan_lead(plan, request.user)
    actions = [{"key": k, "label": PLAN_ACTIONS[k][1], "tone": PLAN_ACTIONS[k][2]}
               for k in PLAN_ACTIONS_BY_STATE[plan.status]] if lead else []
    events = [{"event": e, "label": event_label(plan, e.action, EVENT_LABELS)}
              for e in Event.objects.for_object(plan).select_related("actor", "actor_agency")]
    return render(request, "supervision/plan_detail.html", {
        "plan": plan, "files": files, "page_obj": page, "actions": actions, "is_lead": lead,
        "algorithm": DOC_ALGORITHM,
        "agencies": list(plan.agencies.all()), "reviewers": list(plan.reviewers.all()), "events": events,
        "scored": selectors.scored_count(plan), "grade_badges": GRADE_BADGES,
        "settle_form": SettleForm(), "reopen_form": ReasonForm(),
    })


@require_POST
@login_required
def plan_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    plan = selectors.plan_detail(request.user, pk)
    if name not in PLAN_ACTIONS:
        raise Http404
    service, label, _tone = PLAN_ACTIONS[name]
    try:
        if name == "reopen":
            service(plan, by=request.user, note=request.POST.get("note", ""))
        else:
            service(plan, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已完成“%(action)s”。") % {"action": label})
    return redirect("supervision:plan", plan.pk)


@require_POST
@login_required
def file_settle(request: HttpRequest, pk: int) -> HttpResponse:
    _judicial_only(request.user)
    sampled = SampledFile.objects.select_related("plan__rubric").filter(pk=pk).first()
    if sampled is None:
        raise Http404
    form = SettleForm(request.POST)
    if form.is_valid():
        try:
            scoring.file_settle(sampled, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已裁定评分。"))
    else:
        messages.error(request, _("请填写裁定得分和裁定意见。"))
    return redirect("supervision:plan", sampled.plan_id)


# --- the reviewer's files and the scoring page -------------------------------------------------------


@require_GET
@login_required
def my_files(request: HttpRequest) -> HttpResponse:
    _judicial_only(request.user)
    rows = list(selectors.my_assignments(request.user))
    return render(request, "supervision/my_files.html", {"rows": rows, "grade_badges": GRADE_BADGES})


@require_http_methods(["GET", "POST"])
@login_required
def score_page(request: HttpRequest, pk: int) -> HttpResponse:
    score = selectors.score_for(request.user, pk)
    sampled = score.assignment.sampled
    plan, case = sampled.plan, sampled.case
    groups = selectors.rubric_groups(plan.rubric)
    vetoes = list(plan.rubric.vetoes.all())
    # The lead reads every score of the plan, but the case file itself only by their own assignment.
    case_file = selectors.case_file_for_review(case) if Case.objects.visible_to(request.user).filter(
        pk=case.pk).exists() else None
    marks = selectors.suggestions(groups, vetoes, case_file.findings if case_file else {})
    is_reviewer = request.user.pk == score.assignment.reviewer_id
    editable = is_reviewer and score.status == ScoreStatus.DRAFT and plan.status == PlanStatus.IN_REVIEW
    form = ScoreForm(request.POST or None, groups=groups, vetoes=vetoes,
                     initial=score_initial(score, marks))
    if request.method == "POST":
        if not is_reviewer:
            raise PermissionDenied
        if form.is_valid():
            try:
                score = scoring.score_save(score, by=request.user, deductions=form.deductions(),
                                           vetoes=form.veto_marks(), comment=form.cleaned_data["comment"])
                if request.POST.get("submit"):
                    scoring.score_submit(score, by=request.user)
                    messages.success(request, _("评分已提交并锁定。"))
                else:
                    messages.success(request, _("已保存评分草稿。"))
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                return redirect("supervision:score", score.pk)
    events = [{"event": e, "label": event_label(case, e.action)} for e in case_file.events] if case_file else []
    return render(request, "supervision/score.html", {
        "score": score, "sampled": sampled, "plan": plan, "case": case, "file": case_file, "form": form,
        "events": events, "editable": editable, "suggested_items": marks[0], "suggested_vetoes": marks[1],
        "can_reopen": score.status == ScoreStatus.SUBMITTED and is_plan_lead(plan, request.user)
        and plan.status == PlanStatus.IN_REVIEW, "reopen_form": ReasonForm(),
        "grade_badges": GRADE_BADGES,
    })


@require_POST
@login_required
def score_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    score = selectors.score_for(request.user, pk)
    form = ReasonForm(request.POST)
    try:
        scoring.score_reopen(score, by=request.user, reason=request.POST.get("reason", "") if form.is_valid()
                             else "")
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已退回评查人员修改评分。"))
    return redirect("supervision:score", score.pk)


# --- results ---------------------------------------------------------------------------------------


def _results_plan(request: HttpRequest, pk: int) -> ReviewPlan:
    plan = selectors.plan_detail(request.user, pk)
    if not selectors.results_visible_to(request.user, plan):
        raise Http404
    return plan


@require_GET
@login_required
def plan_results(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _results_plan(request, pk)
    page = Paginator(selectors.files_for_viewer(request.user, plan), FILES_PAGE_SIZE).get_page(
        request.GET.get("page"))
    files = _with_badges(page.object_list)
    by_agency = selectors.results_by_agency(plan)
    grades = selectors.grade_totals(plan)
    most = max(grades.values()) or 1
    chart = [{"grade": g, "label": Grade(g).label, "n": n, "width": round(100 * n / most)} for g, n in
             grades.items()]
    best = max((a.average or 0 for a in by_agency), default=0) or 1
    agency_chart = [{"name": a.agency.name, "average": a.average, "width": round(100 * float(a.average or 0)
                                                                                  / float(best))}
                    for a in by_agency]
    return render(request, "supervision/results.html", {
        "plan": plan, "files": files, "page_obj": page, "by_agency": by_agency,
        "by_item": selectors.results_by_item(plan),
        "chart": chart, "agency_chart": agency_chart, "grade_badges": GRADE_BADGES,
        "grades": [(g, Grade(g).label) for g in selectors.GRADES],
        "judicial": is_judicial_reviewer(request.user),
    })


@require_GET
@login_required
def results_chart(request: HttpRequest, pk: int, chart: str) -> HttpResponse:
    """One chart of the plan's results (JSON or ``?format=xlsx``), for whoever may read the results page."""
    builder = pick(charts.BUILDERS, chart)
    return chart_response(request, builder(_results_plan(request, pk)))


@require_GET
@login_required
def results_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _results_plan(request, pk)
    response = HttpResponse(exports.results_pdf(plan), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_("评查结果-%(title)s.pdf") % {"title": plan.title})
    return response


@require_GET
@login_required
def results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _results_plan(request, pk)
    response = HttpResponse(exports.results_xlsx(plan), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_("评查结果-%(title)s.xlsx") % {"title": plan.title})
    return response


@require_GET
@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    _judicial_only(request.user)
    year = timezone.localdate().year
    rows = selectors.coverage(year)
    return render(request, "supervision/coverage.html", {
        "year": year, "rows": rows, "missing": sum(1 for r in rows if not r["plans"]), "warn_from": warn_from(year),
        "summary": selectors.summary_line(year - 1),
    })


# --- rectification -------------------------------------------------------------------------------------


@require_GET
@login_required
def rectification_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in RectificationStatus.values:
        status = ""
    page = Paginator(selectors.rectification_list(request.user, status=status), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "supervision/rectification_list.html", {
        "page_obj": page, "notices": page.object_list, "status": status,
        "statuses": RectificationStatus.choices,
    })


@require_http_methods(["GET", "POST"])
@login_required
def rectification_page(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.rectification_detail(request.user, pk)
    items = list(notice.items.all())
    answering = can_answer(notice, request.user) and notice.is_open
    checking = can_check_rectification(notice, request.user) and notice.status == RectificationStatus.ANSWERED
    answer_form = AnswerForm(notice=notice)
    check_form = CheckForm(items=items)
    if request.method == "POST":
        what = request.POST.get("do")
        try:
            if what == "answer":
                answer_form = AnswerForm(request.POST, request.FILES, notice=notice)
                if answer_form.is_valid():
                    upload = answer_form.cleaned_data.get("file")
                    rect_svc.item_answer(answer_form.cleaned_data["item"], by=request.user,
                                         answer=answer_form.cleaned_data["answer"], files=[upload] if upload else [])
                    messages.success(request, _("已保存整改情况。"))
                    return redirect("supervision:rectification", notice.pk)
            elif what == "submit":
                rect_svc.rectification_submit(notice, by=request.user)
                messages.success(request, _("已提交整改情况，等待司法局审核。"))
                return redirect("supervision:rectification", notice.pk)
            elif what == "check":
                check_form = CheckForm(request.POST, items=items)
                if check_form.is_valid():
                    notice = rect_svc.rectification_check(notice, by=request.user,
                                                          decisions=check_form.decisions())
                    messages.success(request, _("审核结果：%(state)s。") % {"state": notice.get_status_display()})
                    return redirect("supervision:rectification", notice.pk)
            else:
                raise Http404
        except DomainError as exc:
            messages.error(request, str(exc))
    events = [{"event": e, "label": event_label(notice, e.action, EVENT_LABELS)}
              for e in Event.objects.for_object(notice).select_related("actor", "actor_agency")]
    return render(request, "supervision/rectification.html", {
        "notice": notice, "items": items, "answering": answering, "checking": checking,
        "answer_form": answer_form, "check_form": check_form, "events": events,
    })


@require_GET
@login_required
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """An answer's attachment, only to those who may see its notice (never a static route)."""
    found = RectificationAttachment.objects.select_related("item").filter(pk=pk).first()
    if found is None:
        raise Http404
    selectors.rectification_detail(request.user, found.item.notice_id)
    return serve_file(found.file, as_attachment=True, filename=found.original_name,
                      content_type=found.content_type)
