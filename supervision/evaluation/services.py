"""Every write of performance evaluation: township forms, ratings (draft, publish, correct), defaults.

Refusals are domain errors with a clerk's message; nothing is changed when one is raised.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.models import Ticket
from dispatch.stats import period_bounds
from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.models.agencies import Agency, AgencyKind, Membership, Role
from enforcement.workflow import perform_transition, record_event
from supervision.evaluation.choices import DEFAULT_TOWNSHIP_WEIGHT, RATED_KINDS, Recommendation, TermKey
from supervision.evaluation.choices import RatingStatus as S
from supervision.evaluation.models import (
    AssessmentTerm,
    EvaluationPeriod,
    RatingItemScore,
    RatingScheme,
    TownshipOfficerEvaluation,
    TownshipUnitEvaluation,
    UnitRating,
)
from supervision.evaluation.permissions import evaluating_townships, is_bureau

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
# A ticket verdict is scored 1-5 (dispatch.models.Ticket.verdict_score): x20 puts it on the 100-point scale.
VERDICT_SCALE = Decimal("20")

# The bureau's items by unit kind (name, weight %), with the townships' weight they complete to 100%.
DEFAULT_ITEMS = {
    AgencyKind.DEPARTMENT: [("工作实绩", Decimal("40")), ("依法行政", Decimal("20")), ("队伍建设", Decimal("10"))],
    AgencyKind.SQUADRON_STATIONED: [("工作实绩", Decimal("25")), ("依法行政", Decimal("15"))],
    AgencyKind.SQUADRON_DIRECT: [("工作实绩", Decimal("40")), ("依法行政", Decimal("20")), ("队伍建设", Decimal("10"))],
}
# The officers' points scheme shipped by default: (term, points per unit, cap of its absolute value).
DEFAULT_TERMS = [
    (TermKey.CASES_HANDLED, Decimal("1"), Decimal("30")),
    (TermKey.CASES_PENALTY, Decimal("0.5"), Decimal("10")),
    (TermKey.CASES_NO_PENALTY, Decimal("0.5"), Decimal("5")),
    (TermKey.CASES_TRANSFERRED, Decimal("1"), Decimal("5")),
    (TermKey.DEADLINES_MET, Decimal("0.5"), Decimal("10")),
    (TermKey.DEADLINES_MISSED, Decimal("-2"), Decimal("10")),
    (TermKey.REVIEW_AVERAGE, Decimal("0.2"), None),
    (TermKey.REVIEW_FAILED, Decimal("-5"), Decimal("20")),
    (TermKey.TICKETS_HANDLED, Decimal("0.2"), Decimal("20")),
    (TermKey.TRAINING_HOURS, Decimal("0.5"), Decimal("20")),
    (TermKey.EXAM_FAILED, Decimal("-20"), None),
    (TermKey.CERTIFICATE_LAPSED, Decimal("-20"), None),
    (TermKey.TOWNSHIP_SCORE, Decimal("0.2"), None),
    (TermKey.INSPECTIONS, Decimal("0.2"), Decimal("10")),
    (TermKey.WARNINGS_ISSUED, Decimal("0.2"), Decimal("5")),
    (TermKey.WARNINGS_CORRECTED, Decimal("0.3"), Decimal("5")),
]


def q2(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def ensure_defaults() -> None:
    """The default rating schemes and points scheme, where admin has none yet (idempotent)."""
    for kind in RATED_KINDS:
        scheme, created = RatingScheme.objects.get_or_create(
            unit_kind=kind, defaults={"township_weight": DEFAULT_TOWNSHIP_WEIGHT[kind]}
        )
        if created:
            for n, (name, weight) in enumerate(DEFAULT_ITEMS[kind]):
                scheme.items.create(order=n, name=name, weight=weight)
    for n, (key, points, cap) in enumerate(DEFAULT_TERMS):
        AssessmentTerm.objects.get_or_create(key=key, defaults={"points": points, "cap": cap, "order": n})


def scheme_total(township_weight: Decimal, item_weights) -> Decimal:
    return Decimal(township_weight) + sum((Decimal(w) for w in item_weights), Decimal("0"))


def check_weights(township_weight: Decimal, item_weights) -> None:
    """Refuse weights that do not total exactly 100%."""
    total = scheme_total(township_weight, item_weights)
    if total != HUNDRED:
        raise ValidationFailed(
            _("权重合计为 %(total)s%%，应为 100%%：乡镇评价权重与各评定项目权重之和必须等于 100%%。")
            % {"total": q2(total)},
            code="weights_not_100",
            field="weights",
        )


def scheme_for(unit: Agency) -> RatingScheme:
    if unit.kind not in RATED_KINDS:
        raise ValidationFailed(
            _("%(unit)s 不是参加年度评定的承办单位（业务主管部门、执法中队）。") % {"unit": unit.name}, code="not_rated"
        )
    ensure_defaults()
    return RatingScheme.objects.prefetch_related("items").get(unit_kind=unit.kind)


# --- townships' forms ----------------------------------------------------------------------------


def unit_serves_township(unit: Agency, township: Agency, period: EvaluationPeriod) -> bool:
    """A unit serves a township's territory when stationed in it or it handled one of its tickets in the period."""
    if unit.kind == AgencyKind.SQUADRON_STATIONED and unit.stationed_in_id == township.pk:
        return True
    begin, finish = period_bounds(period.start, period.end)
    return Ticket.objects.filter(
        responsible_agency=unit, township=township, received_at__gte=begin, received_at__lt=finish
    ).exists()


def _score(value, field: str = "score") -> Decimal:
    try:
        score = Decimal(str(value))
    except Exception:  # noqa: BLE001 - any unreadable number is the same refusal
        score = Decimal("-1")
    if not score.is_finite() or not Decimal("0") <= score <= HUNDRED:
        raise ValidationFailed(_("得分应在 0 至 100 之间。"), field=field)
    return q2(score)


def township_unit_evaluate(
    *, period: EvaluationPeriod, township: Agency, unit: Agency, score, comment: str, by
) -> TownshipUnitEvaluation:
    """A township scores a unit that served its territory in the period (changeable until the rating is published)."""
    if township.pk not in evaluating_townships(by):
        raise PermissionRefused(
            _("只有本乡镇（街道）的执法人员或负责人可以填写本乡镇的评价。"), code="not_township", field="township"
        )
    if unit.kind not in RATED_KINDS:
        raise ValidationFailed(_("%(unit)s 不是参加评价的承办单位。") % {"unit": unit.name}, field="unit")
    if not unit_serves_township(unit, township, period):
        raise PermissionRefused(
            _("%(unit)s 在%(period)s未派驻%(township)s，也未承办%(township)s的工单，不在本乡镇的评价范围内。")
            % {"unit": unit.name, "period": period.name, "township": township.name},
            code="outside_area",
            field="unit",
        )
    value = _score(score)
    with transaction.atomic():
        # Lock the unit's current rating: a publication at this moment waits, then this form sees it frozen.
        current = UnitRating.objects.select_for_update().filter(period=period, unit=unit).exclude(status=S.SUPERSEDED)
        if any(r.is_frozen for r in current):
            raise InvalidTransition(
                _("%(unit)s 的%(period)s评定已公布，不能再修改乡镇评价。") % {"unit": unit.name, "period": period.name},
                code="rating_frozen",
                field="period",
            )
        evaluation, _created = TownshipUnitEvaluation.objects.update_or_create(
            period=period,
            township=township,
            unit=unit,
            defaults={"score": value, "comment": comment.strip(), "by": by, "at": timezone.now()},
        )
        record_event(evaluation, "evaluate", by=by, data={"score": str(value)})
    return evaluation


def _officer_station(officer) -> Agency | None:
    """The township an officer is stationed in (through a stationed squadron), if any."""
    membership = (
        Membership.objects.active()
        .filter(
            user=officer,
            role__in=(Role.SQUADRON_OFFICER, Role.SQUADRON_LEADER),
            agency__kind=AgencyKind.SQUADRON_STATIONED,
            agency__stationed_in__isnull=False,
        )
        .select_related("agency__stationed_in")
        .order_by("pk")
        .first()
    )
    return membership.agency.stationed_in if membership else None


def township_officer_evaluate(
    *, officer, township: Agency, year: int, score, comments: str, recommendation: str = "", by
) -> TownshipOfficerEvaluation:
    """The township's yearly form for an officer stationed in it: once a year, by that township only."""
    if township.pk not in evaluating_townships(by):
        raise PermissionRefused(
            _("只有本乡镇（街道）的执法人员或负责人可以填写本乡镇的评价。"), code="not_township", field="township"
        )
    station = _officer_station(officer)
    if station is None or station.pk != township.pk:
        raise PermissionRefused(
            _("%(name)s 不是派驻%(township)s的执法人员，只有其派驻的乡镇（街道）可以填写评价。")
            % {"name": officer.get_full_name() or officer.get_username(), "township": township.name},
            code="outside_area",
            field="officer",
        )
    if year > timezone.localdate().year:
        raise ValidationFailed(_("不能评价尚未开始的年度。"), field="year")
    if not comments.strip():
        raise ValidationFailed(_("请填写评价意见。"), field="comments")
    if recommendation not in Recommendation.values:
        raise ValidationFailed(_("任免建议无效。"), field="recommendation")
    value = _score(score)
    with transaction.atomic():
        if TownshipOfficerEvaluation.objects.select_for_update().filter(officer=officer, year=year).exists():
            raise InvalidTransition(
                _("%(year)s 年度的评价已经填写，每年只能填写一次。") % {"year": year},
                code="already_evaluated",
                field="year",
            )
        evaluation = TownshipOfficerEvaluation.objects.create(
            officer=officer,
            township=township,
            year=year,
            score=value,
            comments=comments.strip(),
            recommendation=recommendation,
            by=by,
        )
        record_event(evaluation, "evaluate", by=by, data={"score": str(value)})
    return evaluation


# --- ratings -------------------------------------------------------------------------------------


def township_part(period: EvaluationPeriod, unit: Agency) -> tuple[Decimal | None, int, str]:
    """The townships' score of a unit: the mean of their forms; without forms, the mean verdict score x 20.

    Returns (score, number of townships or judged tickets, how it was worked out).
    """
    scores = list(TownshipUnitEvaluation.objects.filter(period=period, unit=unit).values_list("score", flat=True))
    if scores:
        mean = q2(sum(scores, Decimal("0")) / len(scores))
        return mean, len(scores), _("%(n)s 个乡镇评价均分") % {"n": len(scores)}
    begin, finish = period_bounds(period.start, period.end)
    verdicts = list(
        Ticket.objects.filter(
            responsible_agency=unit, received_at__gte=begin, received_at__lt=finish, verdict_score__isnull=False
        ).values_list("verdict_score", flat=True)
    )
    if verdicts:
        mean = Decimal(sum(verdicts)) / len(verdicts)
        return (
            q2(mean * VERDICT_SCALE),
            0,
            _("无乡镇评价表，按 %(n)s 件工单评价均分 %(mean)s × 20") % {"n": len(verdicts), "mean": q2(mean)},
        )
    return None, 0, _("无乡镇评价")


def compute(
    township_weight: Decimal,
    township_score: Decimal | None,
    items: list[tuple[str, Decimal, Decimal]],
    township_label: str,
) -> tuple[Decimal, str]:
    """The rating and its formula: Σ weight% × score, each part written out with its numbers.

    ``items`` are (name, weight %, score); a missing township score counts as 0.
    """
    check_weights(township_weight, [w for _name, w, _score in items])
    parts = [(township_label, Decimal(township_weight), township_score or Decimal("0"))]
    parts += [(name, Decimal(w), Decimal(s)) for name, w, s in items]
    products = [q2(w * s / HUNDRED) for _name, w, s in parts]
    total = q2(sum(products, Decimal("0")))
    terms = " + ".join(f"{q2(w).normalize():f}% × {q2(s)}（{name}）" for name, w, s in parts)
    sums = " + ".join(str(p) for p in products)
    return total, f"{terms} = {sums} = {total}"


def _item_scores(scheme: RatingScheme, scores: dict) -> list[tuple]:
    rows = []
    for item in scheme.items.all():
        if item.pk not in scores:
            raise ValidationFailed(_("请为“%(item)s”评分。") % {"item": item.name}, field=f"item_{item.pk}")
        score, reason = scores[item.pk]
        value = _score(score, field=f"item_{item.pk}")
        if not str(reason or "").strip():
            raise ValidationFailed(_("请填写“%(item)s”的评分理由。") % {"item": item.name}, field=f"reason_{item.pk}")
        rows.append((item, value, str(reason).strip()))
    return rows


def _fill(rating: UnitRating, scheme: RatingScheme, rows: list[tuple], period: EvaluationPeriod, unit: Agency) -> None:
    score, count, how = township_part(period, unit)
    total, formula = compute(
        scheme.township_weight, score, [(i.name, i.weight, s) for i, s, _reason in rows], _("乡镇评价")
    )
    rating.township_weight = scheme.township_weight
    rating.township_score = score
    rating.township_count = count
    rating.total = total
    rating.formula = f"{formula}；{how}"


def _write_items(rating: UnitRating, rows: list[tuple]) -> None:
    rating.item_scores.all().delete()
    RatingItemScore.objects.bulk_create(
        [
            RatingItemScore(
                rating=rating,
                item=item,
                name=item.name,
                order=item.order,
                weight=item.weight,
                score=score,
                reason=reason,
            )
            for item, score, reason in rows
        ]
    )


def rating_save(*, period: EvaluationPeriod, unit: Agency, scores: dict, by) -> UnitRating:
    """Enter or change the draft rating of a unit: the bureau's item scores {item id: (score, reason)}."""
    if not is_bureau(by):
        raise PermissionRefused(_("只有本局可以录入年度评定。"))
    if not period.is_annual:
        raise ValidationFailed(_("%(period)s 不是年度评定周期。") % {"period": period.name}, field="period")
    scheme = scheme_for(unit)
    rows = _item_scores(scheme, scores)
    with transaction.atomic():
        current = (
            UnitRating.objects.select_for_update().filter(period=period, unit=unit).exclude(status=S.SUPERSEDED).first()
        )
        if current is not None and current.is_frozen:
            raise InvalidTransition(
                _("%(unit)s 的%(period)s评定已公布，不能修改；如需更正，请作更正并说明理由。")
                % {"unit": unit.name, "period": period.name},
                code="rating_frozen",
            )
        rating = current or UnitRating(period=period, unit=unit, created_by=by)
        _fill(rating, scheme, rows, period, unit)
        rating.save()
        _write_items(rating, rows)
        record_event(rating, "save" if current else "create", by=by, data={"total": str(rating.total)})
    return rating


def rating_publish(rating: UnitRating, *, by) -> UnitRating:
    """Publish: from now on the rating is frozen."""
    return perform_transition(rating, "publish", by=by, at=timezone.now())


def rating_correct(rating: UnitRating, *, scores: dict, note: str, by) -> UnitRating:
    """Correct a published rating: a new published rating supersedes it, with the note; the old one stays."""
    if not note.strip():
        raise ValidationFailed(_("更正已公布的评定须说明理由。"), field="note")
    if rating.status != S.PUBLISHED:
        raise InvalidTransition(_("只能更正已公布的评定。"), code="not_published")
    if not is_bureau(by):
        raise PermissionRefused(_("只有本局可以更正年度评定。"))
    scheme = scheme_for(rating.unit)
    rows = _item_scores(scheme, scores)
    with transaction.atomic():
        old = perform_transition(rating, "supersede", by=by, note=note.strip())
        new = UnitRating(
            period=old.period,
            unit=old.unit,
            created_by=by,
            supersedes=old,
            correction_note=note.strip(),
            status=S.PUBLISHED,
            published_at=timezone.now(),
        )
        _fill(new, scheme, rows, old.period, old.unit)
        new.save()
        _write_items(new, rows)
        record_event(new, "correct", by=by, note=note.strip(), data={"supersedes": old.pk, "total": str(new.total)})
    return new


def period_for_year(year: int) -> EvaluationPeriod:
    """The annual period of a calendar year (created with its default name when missing)."""
    period, _created = EvaluationPeriod.objects.get_or_create(
        start=dt.date(year, 1, 1),
        end=dt.date(year, 12, 31),
        is_annual=True,
        defaults={"name": _("%(year)s年度") % {"year": year}},
    )
    return period
