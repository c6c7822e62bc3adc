"""Pages of performance evaluation: units' figures and ranking, annual ratings, townships' forms,
officers' assessment. Thin: reads from the selectors, writes through the services; whoever may not
see a page gets 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enforcement.access import scope_for
from enforcement.errors import DomainError
from enforcement.forms import apply_domain_error
from enforcement.models import Agency
from supervision.evaluation import exports, selectors, services
from supervision.evaluation.choices import RATED_KINDS
from supervision.evaluation.choices import RatingStatus as S
from supervision.evaluation.forms import (
    RANK_LABELS,
    PeriodFilterForm,
    RatingForm,
    TownshipOfficerForm,
    TownshipUnitForm,
)
from supervision.evaluation.models import EvaluationPeriod, TownshipUnitEvaluation, UnitRating
from supervision.evaluation.permissions import can_read_units, evaluating_townships, is_bureau

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
User = get_user_model()


def _readers_only(user) -> None:
    if not can_read_units(user):
        raise Http404


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return year if 2000 <= year <= timezone.localdate().year else timezone.localdate().year


# --- units ---------------------------------------------------------------------------------------


@require_GET
@login_required
def units(request: HttpRequest) -> HttpResponse:
    _readers_only(request.user)
    form = PeriodFilterForm(request.GET or None)
    start, end, order = form.bounds()
    rows = selectors.unit_figures(start, end, order=order)
    return render(
        request,
        "supervision/evaluation/units.html",
        {
            "form": form,
            "rows": rows,
            "start": start,
            "end": end,
            "order_label": RANK_LABELS[order],
            # The charts leave out units without the figure (the table lists them all).
            "score_chart": [b for b in selectors.bars(rows, "avg_score", scale=5) if b["value"] is not None],
            "on_time_chart": [
                dict(b, value=f"{b['value']:.0%}")
                for b in selectors.bars(rows, "on_time_rate", scale=1)
                if b["value"] is not None
            ],
            "query": request.GET.urlencode(),
        },
    )


@require_GET
@login_required
def units_xlsx(request: HttpRequest) -> HttpResponse:
    _readers_only(request.user)
    form = PeriodFilterForm(request.GET or None)
    start, end, order = form.bounds()
    content = exports.units_xlsx(selectors.unit_figures(start, end, order=order), start, end)
    return _xlsx(content, f"unit-evaluation-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")


# --- ratings -------------------------------------------------------------------------------------


def _period(request: HttpRequest) -> EvaluationPeriod | None:
    periods = EvaluationPeriod.objects.filter(is_annual=True)
    wanted = request.GET.get("period") or request.POST.get("period")
    if wanted:
        try:
            return periods.get(pk=int(wanted))
        except (ValueError, EvaluationPeriod.DoesNotExist):
            raise Http404 from None
    # By default the latest period that has ratings (this year's has none until it ends), else the latest.
    rated = periods.filter(ratings__isnull=False).distinct().order_by("-start").first()
    return rated or periods.order_by("-start").first()


@require_GET
@login_required
def ratings(request: HttpRequest) -> HttpResponse:
    _readers_only(request.user)
    period = _period(request)
    rows = selectors.ratings(period) if period else []
    rated = {r.unit_id for r in rows}
    current = [r for r in rows if r.status != S.SUPERSEDED]
    top = max((float(r.total) for r in current), default=0) or 1
    chart = [
        {"label": r.unit.short_name or r.unit.name, "value": r.total, "width": round(float(r.total) / top * 100, 1)}
        for r in current
    ]
    missing = (
        list(
            Agency.objects.filter(kind__in=RATED_KINDS, is_active=True)
            .exclude(pk__in=rated)
            .order_by("sort_order", "code")
        )
        if period
        else []
    )
    return render(
        request,
        "supervision/evaluation/ratings.html",
        {
            "period": period,
            "periods": EvaluationPeriod.objects.filter(is_annual=True).order_by("-start"),
            "rows": rows,
            "chart": chart,
            "missing": missing,
            "can_edit": is_bureau(request.user),
        },
    )


@require_GET
@login_required
def ratings_xlsx(request: HttpRequest) -> HttpResponse:
    _readers_only(request.user)
    period = _period(request)
    if period is None:
        raise Http404
    return _xlsx(exports.ratings_xlsx(period, selectors.ratings(period)), f"unit-ratings-{period.pk}.xlsx")


def _bureau_only(user) -> None:
    if not is_bureau(user):
        raise Http404


@require_http_methods(["GET", "POST"])
@login_required
def rating_new(request: HttpRequest) -> HttpResponse:
    _bureau_only(request.user)
    period = _period(request)
    try:
        unit = Agency.objects.get(
            pk=int(request.GET.get("unit") or request.POST.get("unit") or 0), kind__in=RATED_KINDS
        )
    except (ValueError, Agency.DoesNotExist):
        raise Http404 from None
    if period is None:
        raise Http404
    existing = UnitRating.objects.filter(period=period, unit=unit).exclude(status=S.SUPERSEDED).first()
    if existing is not None:
        return redirect("supervision:evaluation:rating", existing.pk)
    scheme = services.scheme_for(unit)
    form = RatingForm(request.POST or None, scheme=scheme)
    if request.method == "POST" and form.is_valid():
        try:
            rating = services.rating_save(period=period, unit=unit, scores=form.scores(), by=request.user)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已保存评定草稿。"))
            return redirect("supervision:evaluation:rating", rating.pk)
    township = services.township_part(period, unit)
    return render(
        request,
        "supervision/evaluation/rating.html",
        {
            "form": form,
            "period": period,
            "unit": unit,
            "scheme": scheme,
            "township": township,
            "rating": None,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def rating_page(request: HttpRequest, pk: int) -> HttpResponse:
    _readers_only(request.user)
    rating = get_object_or_404(
        UnitRating.objects.visible_to(request.user)
        .select_related("period", "unit", "supersedes")
        .prefetch_related("item_scores"),
        pk=pk,
    )
    editable = is_bureau(request.user) and rating.status != S.SUPERSEDED
    form = None
    if editable:
        scheme = services.scheme_for(rating.unit)
        initial = {s.item_id: (s.score, s.reason) for s in rating.item_scores.all()}
        form = RatingForm(request.POST or None, scheme=scheme, correcting=rating.is_frozen, initial_scores=initial)
        if request.method == "POST" and form.is_valid():
            try:
                if rating.is_frozen:
                    new = services.rating_correct(
                        rating, scores=form.scores(), note=form.cleaned_data["note"], by=request.user
                    )
                    messages.success(request, _("已更正评定，原评定保留并标注为已被更正。"))
                    return redirect("supervision:evaluation:rating", new.pk)
                services.rating_save(period=rating.period, unit=rating.unit, scores=form.scores(), by=request.user)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已保存评定草稿。"))
                return redirect("supervision:evaluation:rating", rating.pk)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "supervision/evaluation/rating.html",
        {
            "form": form,
            "period": rating.period,
            "unit": rating.unit,
            "rating": rating,
            "township": (rating.township_score, rating.township_count, ""),
            "can_publish": is_bureau(request.user) and rating.status == S.DRAFT,
        },
    )


@require_POST
@login_required
def rating_publish(request: HttpRequest, pk: int) -> HttpResponse:
    _bureau_only(request.user)
    rating = get_object_or_404(UnitRating, pk=pk)
    try:
        services.rating_publish(rating, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("评定已公布，不再修改；如需更正，请作更正并说明理由。"))
    return redirect("supervision:evaluation:rating", rating.pk)


# --- townships' forms ----------------------------------------------------------------------------


@require_GET
@login_required
def township(request: HttpRequest) -> HttpResponse:
    townships = evaluating_townships(request.user)
    if not townships:
        raise Http404
    year = _year(request)
    periods = list(EvaluationPeriod.objects.filter(is_annual=True, start__year__in=(year, year - 1)).order_by("-start"))
    agencies = Agency.objects.in_bulk(townships)
    unit_forms = []
    done = {
        (e.period_id, e.township_id, e.unit_id): e
        for e in TownshipUnitEvaluation.objects.filter(period__in=periods, township_id__in=townships)
    }
    for period in periods:
        for township_id in townships:
            for unit in selectors.units_serving(township_id, period):
                evaluation = done.get((period.pk, township_id, unit.pk))
                initial = {"period": period.pk, "unit": unit.pk, "township": township_id}
                if evaluation:
                    initial.update(score=evaluation.score, comment=evaluation.comment)
                unit_forms.append(
                    (
                        period,
                        agencies[township_id],
                        unit,
                        evaluation,
                        TownshipUnitForm(initial=initial, prefix=f"u{period.pk}-{unit.pk}"),
                    )
                )
    officer_rows = []
    for officer, station, squadron, evaluation in selectors.stationed_officers(townships, year):
        form = (
            None
            if evaluation
            else TownshipOfficerForm(
                initial={"officer": officer.pk, "township": station.pk, "year": year}, prefix=f"o{officer.pk}"
            )
        )
        officer_rows.append((officer, station, squadron, evaluation, form))
    return render(
        request,
        "supervision/evaluation/township.html",
        {
            "year": year,
            "unit_forms": unit_forms,
            "officer_rows": officer_rows,
        },
    )


def _form_error(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@require_POST
@login_required
def township_unit(request: HttpRequest) -> HttpResponse:
    if not evaluating_townships(request.user):
        raise Http404
    prefix = request.POST.get("prefix", "")
    form = TownshipUnitForm(request.POST, prefix=prefix or None)
    if not form.is_valid():
        _form_error(request, form)
        return redirect("supervision:evaluation:township")
    data = form.cleaned_data
    township_agency = Agency.objects.filter(pk=data["township"]).first()
    unit = Agency.objects.filter(pk=data["unit"]).first()
    if township_agency is None or unit is None:
        raise Http404
    try:
        services.township_unit_evaluate(
            period=data["period"],
            township=township_agency,
            unit=unit,
            score=data["score"],
            comment=data["comment"],
            by=request.user,
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已保存对%(unit)s的评价。") % {"unit": unit.name})
    return redirect("supervision:evaluation:township")


@require_POST
@login_required
def township_officer(request: HttpRequest) -> HttpResponse:
    if not evaluating_townships(request.user):
        raise Http404
    prefix = request.POST.get("prefix", "")
    form = TownshipOfficerForm(request.POST, prefix=prefix or None)
    if not form.is_valid():
        _form_error(request, form)
        return redirect("supervision:evaluation:township")
    data = form.cleaned_data
    officer = User.objects.filter(pk=data["officer"]).first()
    township_agency = Agency.objects.filter(pk=data["township"]).first()
    if officer is None or township_agency is None:
        raise Http404
    try:
        services.township_officer_evaluate(
            officer=officer,
            township=township_agency,
            year=data["year"],
            score=data["score"],
            comments=data["comments"],
            recommendation=data["recommendation"],
            by=request.user,
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("已提交对%(name)s的年度评价。") % {"name": officer.get_full_name() or officer.get_username()}
        )
    return redirect("supervision:evaluation:township")


# --- officers ------------------------------------------------------------------------------------


@require_GET
@login_required
def officers(request: HttpRequest) -> HttpResponse:
    _bureau_only(request.user)
    year = _year(request)
    rows = selectors.officers_assessed(year)
    return render(
        request,
        "supervision/evaluation/officers.html",
        {
            "year": year,
            "rows": rows,
            "years": range(timezone.localdate().year, timezone.localdate().year - 4, -1),
        },
    )


@require_GET
@login_required
def officer_page(request: HttpRequest, pk: int) -> HttpResponse:
    # The officer's own record, or the bureau's view of anyone's: everyone else gets 404.
    if request.user.pk != pk and not is_bureau(request.user):
        raise Http404
    year = _year(request)
    rows = selectors.officers_assessed(year, officer_ids=[pk])
    if not rows:
        raise Http404
    return render(
        request,
        "supervision/evaluation/officer.html",
        {
            "a": rows[0],
            "year": year,
            "years": range(timezone.localdate().year, timezone.localdate().year - 4, -1),
        },
    )


@require_GET
@login_required
def my_assessment(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).has_role(*selectors.ASSESSED_ROLES):
        raise Http404
    return redirect("supervision:evaluation:officer", request.user.pk)
