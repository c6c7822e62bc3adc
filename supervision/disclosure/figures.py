"""The report's figures: one provider per source, each a few aggregate queries over the whole year.

A provider groups its rows by agency in the database (never one query per
agency) and returns the sums per agency id; :func:`compute` rolls them up to
the county and derives the rates from the sums, so that a county rate is the
rate of the county's records, not an average of the agencies' rates. Every
figure has a stable key (the JSON API, the .xlsx and the PDF use the same
keys) and a definition saying which records count and which date decides the
year; the report page prints them.

Sources whose models are not in this code base yet are listed as *missing*
(never as zeros).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dispatch.models import Channel, Satisfaction, Ticket
from enforcement.cases.models import AppealKind, AppealOutcome, AppealRecord, Case, Outcome, Procedure
from enforcement.catalogue.models import PenaltyKind
from enforcement.models.agencies import Agency
from supervision.choices import Grade, PlanStatus, RectificationStatus, ScoreStatus
from supervision.models import Rectification, SampledFile, ScoreDeduction

# --- penalty kinds as the report counts them -------------------------------------------------
# A combined penalty (e.g. fine + confiscation) is counted once, under its most severe kind:
# the report's kinds follow 国办发〔2018〕118号's table, most severe first.
REPORT_KINDS: list[tuple[str, Promise, tuple[str, ...]]] = [
    ("detention_transferred", _("行政拘留（移送公安）"), (PenaltyKind.DETENTION,)),
    (
        "closure",
        _("责令停产停业、责令关闭、限制生产经营"),
        (PenaltyKind.ORDER_CLOSURE, PenaltyKind.ORDER_SUSPENSION, PenaltyKind.RESTRICT_OPERATIONS),
    ),
    (
        "licence",
        _("暂扣或吊销许可证件、降低资质等级、限制从业"),
        (
            PenaltyKind.REVOKE_LICENCE,
            PenaltyKind.SUSPEND_LICENCE,
            PenaltyKind.LOWER_QUALIFICATION,
            PenaltyKind.RESTRICT_EMPLOYMENT,
        ),
    ),
    ("confiscation", _("没收违法所得、没收非法财物"), (PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY)),
    ("fine", _("罚款"), (PenaltyKind.FINE,)),
    ("other", _("其他行政处罚"), (PenaltyKind.OTHER,)),
    ("warning", _("警告、通报批评"), (PenaltyKind.WARNING, PenaltyKind.CIRCULATED_CRITICISM)),
]
REPORT_KIND_KEYS = [k for k, _label, _kinds in REPORT_KINDS]


def most_severe_kind(kinds: Iterable[str]) -> str:
    """The report kind a decision counts under: the most severe of its penalty kinds."""
    present = set(kinds or ())
    for key, _label, members in REPORT_KINDS:
        if present.intersection(members):
            return key
    return "other"


# Outcomes as the report lists them (pending and withdrawn too, so that the parts add up).
APPEAL_OUTCOMES = [o.value for o in AppealOutcome]
CORRECTED = (
    AppealOutcome.VARIED,
    AppealOutcome.REVOKED,
    AppealOutcome.CONFIRMED_UNLAWFUL,
    AppealOutcome.DECLARED_INVALID,
)


# --- figures and providers -------------------------------------------------------------------

COUNT, AMOUNT, RATE, AVERAGE, BREAKDOWN = "count", "amount", "rate", "average", "breakdown"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str | Promise
    definition: str | Promise
    kind: str = COUNT
    # For a breakdown: its parts (key -> label), in order.
    parts: Callable[[], list[tuple[str, str]]] | None = None
    # Shown in tables (internal sums that rates are derived from are not).
    shown: bool = True


@dataclass
class SourceResult:
    """Sums per agency id (``None``: no agency, counted for the county only) and county-only breakdowns."""

    by_agency: dict[int | None, dict] = field(default_factory=dict)
    breakdowns: dict[str, list] = field(default_factory=dict)

    def row(self, agency_id: int | None) -> dict:
        return self.by_agency.setdefault(agency_id, {})


@dataclass(frozen=True)
class Provider:
    key: str
    label: str | Promise
    figures: list[Figure]
    compute: Callable[[int], SourceResult] | None
    # Rates derived from the rolled-up sums: key -> (numerator key, denominator key).
    rates: dict[str, tuple[str, str]] = field(default_factory=dict)
    averages: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        return self.compute is not None


def year_bounds(year: int) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime]:
    """[1 January, next 1 January) as dates and as aware Beijing datetimes."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    tz = timezone.get_default_timezone()
    return start, end, dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def _add(row: dict, key: str, value) -> None:
    if value is None:
        return
    row[key] = row.get(key, 0) + value


def _add_part(row: dict, key: str, part: str, value: int) -> None:
    parts = row.setdefault(key, {})
    parts[part] = parts.get(part, 0) + value


# --- cases ----------------------------------------------------------------------------------

DECISION_OUTCOMES = (Outcome.PENALTY, Outcome.NO_PENALTY, Outcome.FIRST_OFFENSE)
# Art. 60 of the Administrative Penalty Law: decided within 90 days of filing (extensions and
# suspensions included in decide_due_at); a summary-procedure decision made on the spot has no
# such deadline and is in time.
IN_TIME = Q(decide_due_at__isnull=True, procedure=Procedure.SUMMARY) | Q(
    decide_due_at__isnull=False, decided_on__lte=F("decide_due_at__date")
)


def _cases(year: int) -> SourceResult:
    start, end, _b, _e = year_bounds(year)
    out = SourceResult()
    decided = Case.objects.filter(decided_on__gte=start, decided_on__lt=end, outcome__in=DECISION_OUTCOMES)
    groups = (
        decided.order_by()
        .values("agency_id", "outcome", "penalty_kinds")
        .annotate(
            n=Count("pk"),
            fines=Sum("fine_amount"),
            confiscated=Sum("confiscated_amount"),
            in_time=Count("pk", filter=IN_TIME),
        )
    )
    for g in groups:
        row = out.row(g["agency_id"])
        _add(row, "cases_decided", g["n"])
        _add(row, "cases_decided_in_time", g["in_time"])
        if g["outcome"] == Outcome.PENALTY:
            _add(row, "penalty_decisions", g["n"])
            _add_part(row, "penalty_by_kind", most_severe_kind(g["penalty_kinds"]), g["n"])
            _add(row, "fines_total", g["fines"] or Decimal(0))
            _add(row, "confiscations_total", g["confiscated"] or Decimal(0))
        else:
            _add(row, "no_penalty_decisions", g["n"])
            if g["outcome"] == Outcome.FIRST_OFFENSE:
                _add(row, "first_offense_exemptions", g["n"])
    # Filed and transferred: each counted by its own date.
    counts = (
        Case.objects.filter(
            Q(filed_on__gte=start, filed_on__lt=end) | Q(transferred_on__gte=start, transferred_on__lt=end)
        )
        .order_by()
        .values("agency_id")
        .annotate(
            filed=Count("pk", filter=Q(filed_on__gte=start, filed_on__lt=end)),
            transferred=Count("pk", filter=Q(transferred_on__gte=start, transferred_on__lt=end)),
        )
    )
    for g in counts:
        row = out.row(g["agency_id"])
        _add(row, "cases_filed", g["filed"])
        _add(row, "cases_transferred", g["transferred"])
    out.breakdowns["cases_by_domain"] = [
        [g["matter__domain__name"], g["n"]]
        for g in decided.order_by()
        .values("matter__domain__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "matter__domain__name")
    ]
    out.breakdowns["cases_by_township"] = [
        [g["township__name"] or "", g["n"]]
        for g in decided.order_by().values("township__name").annotate(n=Count("pk")).order_by("-n", "township__name")
    ]
    return out


def _appeals(year: int) -> SourceResult:
    start, end, _b, _e = year_bounds(year)
    out = SourceResult()
    groups = (
        AppealRecord.objects.filter(filed_on__gte=start, filed_on__lt=end)
        .order_by()
        .values("case__agency_id", "kind", "outcome", "won")
        .annotate(n=Count("pk"))
    )
    for g in groups:
        row = out.row(g["case__agency_id"])
        n = g["n"]
        if g["kind"] == AppealKind.RECONSIDERATION:
            _add(row, "reconsiderations", n)
            _add_part(row, "reconsideration_outcomes", g["outcome"], n)
        else:
            _add(row, "litigations", n)
            _add_part(row, "litigation_outcomes", g["outcome"], n)
            if g["outcome"] != AppealOutcome.PENDING and g["won"] is not None:
                _add(row, "litigations_won" if g["won"] else "litigations_lost", n)
        if g["outcome"] not in (AppealOutcome.PENDING, AppealOutcome.WITHDRAWN):
            _add(row, "appeals_concluded", n)
            if g["outcome"] in CORRECTED:
                _add(row, "appeals_corrected", n)
    return out


# --- tickets --------------------------------------------------------------------------------


def _tickets(year: int) -> SourceResult:
    _s, _e, begin, finish = year_bounds(year)
    good = (Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
    out = SourceResult()
    received = Ticket.objects.filter(received_at__gte=begin, received_at__lt=finish)
    groups = (
        received.order_by()
        .values("responsible_agency_id", "channel")
        .annotate(
            n=Count("pk"),
            resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
            on_time=Count(
                "pk", filter=Q(resolved_at__isnull=False, resolve_due__isnull=False, resolved_at__lte=F("resolve_due"))
            ),
            followed=Count("pk", filter=~Q(satisfaction="")),
            satisfied=Count("pk", filter=Q(satisfaction__in=good)),
        )
    )
    for g in groups:
        row = out.row(g["responsible_agency_id"])
        _add(row, "tickets_received", g["n"])
        _add_part(row, "tickets_by_channel", g["channel"], g["n"])
        _add(row, "tickets_resolved", g["resolved"])
        _add(row, "tickets_on_time", g["on_time"])
        _add(row, "tickets_followed_up", g["followed"])
        _add(row, "tickets_satisfied", g["satisfied"])
    out.breakdowns["tickets_by_township"] = [
        [g["township__name"] or "", g["n"]]
        for g in received.order_by().values("township__name").annotate(n=Count("pk")).order_by("-n", "township__name")
    ]
    return out


def _channels() -> list[tuple[str, str]]:
    return [(c.value, str(c.label)) for c in Channel]


# --- case-file review -----------------------------------------------------------------------


def _review(year: int) -> SourceResult:
    done = (PlanStatus.PUBLISHED, PlanStatus.CLOSED)
    out = SourceResult()
    files = (
        SampledFile.objects.filter(plan__year=year, plan__status__in=done, final_score__isnull=False)
        .order_by()
        .values("agency_id", "grade")
        .annotate(n=Count("pk"), points=Sum("final_score"), vetoes=Count("pk", filter=Q(vetoed=True)))
    )
    for g in files:
        row = out.row(g["agency_id"])
        _add(row, "review_files", g["n"])
        _add(row, "review_score_sum", g["points"] or Decimal(0))
        _add(row, "review_vetoes", g["vetoes"])
        if g["grade"]:
            _add_part(row, "review_grades", g["grade"], g["n"])
    notices = (
        Rectification.objects.filter(plan__year=year)
        .order_by()
        .values("agency_id")
        .annotate(n=Count("pk"), ok=Count("pk", filter=Q(status=RectificationStatus.ACCEPTED)))
    )
    for g in notices:
        row = out.row(g["agency_id"])
        _add(row, "rectifications", g["n"])
        _add(row, "rectifications_accepted", g["ok"])
    deductions = (
        ScoreDeduction.objects.filter(
            score__assignment__sampled__plan__year=year,
            score__assignment__sampled__plan__status__in=done,
            score__status=ScoreStatus.SUBMITTED,
            points__gt=0,
        )
        .order_by()
        .values("item__code", "item__text")
        .annotate(n=Count("pk"), points=Sum("points"))
        .order_by("-n", "-points", "item__code")
    )
    out.breakdowns["top_deductions"] = [
        [g["item__code"], g["item__text"], g["n"], str(g["points"])] for g in deductions[:5]
    ]
    return out


def _grades() -> list[tuple[str, str]]:
    return [(g.value, str(g.label)) for g in Grade]


def _outcomes() -> list[tuple[str, str]]:
    return [(o.value, str(o.label)) for o in AppealOutcome]


# --- sources being built elsewhere ----------------------------------------------------------


def _external(module: str, rename: dict[str, str] | None = None) -> Callable[[int], SourceResult] | None:
    """``<module>.selectors.annual_figures(year)`` once that package exists, else ``None`` (reported missing).

    The packages answer per agency id, as ``{agency_id: {key: value}}`` or as rows with an ``agency_id``;
    ``rename`` maps their keys to the report's stable keys.
    """
    import importlib

    try:
        selectors = importlib.import_module(f"{module}.selectors")
    except ImportError:
        return None
    func = getattr(selectors, "annual_figures", None)
    if func is None:
        return None
    names = rename or {}

    def compute(year: int) -> SourceResult:
        data = func(year)
        if isinstance(data, dict):
            rows = data.get("by_agency", data)
        else:
            rows = {row["agency_id"]: row for row in data}
        out = SourceResult()
        for agency_id, values in rows.items():
            row = out.row(agency_id)
            for key, value in values.items():
                if key in ("agency_id", "agency"):
                    continue
                key = names.get(key, key)
                if isinstance(value, dict):
                    for part, n in value.items():
                        _add_part(row, key, part, n)
                elif isinstance(value, (int, Decimal)):
                    _add(row, key, value)
        return out

    return compute


def _inspection_outcomes() -> list[tuple[str, str]]:
    from enforcement.inspections.choices import Outcome as InspectionOutcome

    return [(o.value, str(o.label)) for o in InspectionOutcome]


PROVIDERS: list[Provider] = [
    Provider(
        "cases",
        _("行政处罚"),
        [
            Figure(
                "penalty_decisions",
                _("行政处罚决定"),
                _(
                    "作出行政处罚决定的案件（处理结果为给予行政处罚），按决定日期计入年度；"
                    "同时给予多种处罚的，只计一次，计入其中最重的处罚种类。"
                ),
            ),
            Figure(
                "penalty_by_kind",
                _("按处罚种类"),
                _(
                    "同上，按最重的处罚种类分列：行政拘留（移送公安）＞责令停产停业/关闭＞暂扣吊销许可证件＞"
                    "没收违法所得和非法财物＞罚款＞其他＞警告和通报批评。"
                ),
                BREAKDOWN,
                parts=lambda: [(k, str(label)) for k, label, _m in REPORT_KINDS],
            ),
            Figure(
                "fines_total",
                _("罚款金额（元）"),
                _("年度内作出的行政处罚决定的罚款金额合计，按决定日期计入年度。"),
                AMOUNT,
            ),
            Figure(
                "confiscations_total",
                _("没收金额（元）"),
                _("年度内作出的行政处罚决定没收违法所得和非法财物的金额合计，按决定日期计入年度。"),
                AMOUNT,
            ),
            Figure(
                "no_penalty_decisions",
                _("不予行政处罚决定"),
                _("处理结果为不予行政处罚的案件（含首违不罚），按决定日期计入年度。"),
            ),
            Figure(
                "first_offense_exemptions", _("首违不罚"), _("其中依首违不罚清单不予处罚的案件，按决定日期计入年度。")
            ),
            Figure("cases_filed", _("立案"), _("立案的案件，按立案日期计入年度。")),
            Figure(
                "cases_decided",
                _("作出决定"),
                _("作出行政处罚决定或不予行政处罚决定的案件（不含移送），按决定日期计入年度。"),
            ),
            Figure("cases_transferred", _("移送"), _("移送公安、检察、监察或其他机关的案件，按移送日期计入年度。")),
            Figure(
                "cases_decided_in_time",
                _("法定期限内决定"),
                _(
                    "作出决定的案件中，在办案期限（《行政处罚法》第六十条，含依法延长和中止）届满之日或之前决定的；"
                    "当场作出的简易程序决定计入。按决定日期计入年度。"
                ),
            ),
            Figure("decided_in_time_rate", _("按期决定率（%）"), _("法定期限内决定 ÷ 作出决定。"), RATE),
        ],
        _cases,
        rates={"decided_in_time_rate": ("cases_decided_in_time", "cases_decided")},
    ),
    Provider(
        "appeals",
        _("行政复议和行政诉讼"),
        [
            Figure("reconsiderations", _("行政复议"), _("针对本单位行政处罚决定申请的行政复议，按申请日期计入年度。")),
            Figure(
                "reconsideration_outcomes",
                _("复议结果"),
                _("上述复议的结果（维持、变更、撤销、确认违法、确认无效、撤回、审理中），以生成报告时的登记为准。"),
                BREAKDOWN,
                parts=_outcomes,
            ),
            Figure("litigations", _("行政诉讼"), _("针对本单位行政处罚决定提起的行政诉讼，按起诉日期计入年度。")),
            Figure(
                "litigation_outcomes",
                _("诉讼结果"),
                _("上述诉讼的裁判结果，以生成报告时的登记为准。"),
                BREAKDOWN,
                parts=_outcomes,
            ),
            Figure("litigations_won", _("胜诉"), _("上述诉讼中已审结且登记为胜诉的。")),
            Figure("litigations_lost", _("败诉"), _("上述诉讼中已审结且登记为败诉的。")),
            Figure("appeals_concluded", _("复议诉讼审结"), _("上述复议和诉讼中已有结果的（不含审理中和撤回）。")),
            Figure("appeals_corrected", _("被纠错"), _("审结的复议和诉讼中结果为变更、撤销、确认违法或确认无效的。")),
            Figure("correction_rate", _("纠错率（%）"), _("被纠错 ÷ 复议诉讼审结。"), RATE),
        ],
        _appeals,
        rates={"correction_rate": ("appeals_corrected", "appeals_concluded")},
    ),
    Provider(
        "tickets",
        _("工单办理"),
        [
            Figure(
                "tickets_received",
                _("受理工单"),
                _("各渠道受理的工单，按受理时间（北京时间）计入年度，计入当前责任单位。"),
            ),
            Figure("tickets_by_channel", _("按来源渠道"), _("同上，按来源渠道分列。"), BREAKDOWN, parts=_channels),
            Figure("tickets_resolved", _("已办结"), _("上述工单中已反馈办结的。")),
            Figure("tickets_on_time", _("按时办结"), _("上述工单中在办结期限之前反馈办结的。")),
            Figure("on_time_rate", _("按时办结率（%）"), _("按时办结 ÷ 已办结。"), RATE),
            Figure("tickets_followed_up", _("回访"), _("上述工单中已回访并登记满意度的。")),
            Figure("tickets_satisfied", _("满意"), _("回访结果为非常满意、满意或基本满意的。")),
            Figure("satisfaction", _("满意率（%）"), _("满意 ÷ 回访。"), RATE),
        ],
        _tickets,
        rates={
            "on_time_rate": ("tickets_on_time", "tickets_resolved"),
            "satisfaction": ("tickets_satisfied", "tickets_followed_up"),
        },
    ),
    Provider(
        "review",
        _("案卷评查"),
        [
            Figure(
                "review_files",
                _("评查案卷"),
                _("司法局评查方案（年度为Y，结果已公布）中已得出最终得分的案卷，计入被评查单位。"),
            ),
            Figure(
                "review_score_sum", _("得分合计"), _("上述案卷最终得分之和（用于计算平均分）。"), AMOUNT, shown=False
            ),
            Figure("review_average", _("平均得分"), _("得分合计 ÷ 评查案卷。"), AVERAGE),
            Figure("review_grades", _("评查等次"), _("上述案卷按等次分列。"), BREAKDOWN, parts=_grades),
            Figure("review_vetoes", _("否决"), _("上述案卷中触发否决项的。")),
            Figure("rectifications", _("整改通知"), _("年度为Y的评查方案下发的整改通知。")),
            Figure("rectifications_accepted", _("整改通过"), _("上述整改通知中整改已通过的（以生成报告时为准）。")),
        ],
        _review,
        averages={"review_average": ("review_score_sum", "review_files")},
    ),
    Provider(
        "inspections",
        _("行政检查"),
        [
            Figure("inspections", _("行政检查"), _("登记的行政检查记录，按检查日期计入年度，计入检查单位。")),
            Figure("spot_checks", _("双随机抽查"), _("其中“双随机、一公开”抽查任务的检查记录，按检查日期计入年度。")),
            Figure(
                "spot_check_results",
                _("抽查结果"),
                _("上述抽查按检查结果分列。"),
                BREAKDOWN,
                parts=_inspection_outcomes,
            ),
            Figure(
                "joint_visits",
                _("联合检查"),
                _("已完成的“综合查一次”联合检查，计入参加的每个单位，按检查日期计入年度。"),
            ),
        ],
        _external("enforcement.inspections"),
    ),
    Provider(
        "warnings",
        _("预警执法"),
        [
            Figure("warnings", _("预警提示"), _("出具的预警提示（责令改正）通知书，按出具日期计入年度。")),
            Figure(
                "self_corrections",
                _("自行整改"),
                _("其中当事人已自行改正的（以生成报告时的状态为准），按出具日期计入年度。"),
            ),
            Figure("warning_commitments", _("告知承诺"), _("其中以当事人书面承诺改正方式作出的，按出具日期计入年度。")),
            Figure(
                "warnings_turned_into_cases",
                _("转为案件线索"),
                _("其中逾期未改正、转为案件线索的（以生成报告时的状态为准），按出具日期计入年度。"),
            ),
        ],
        _external(
            "enforcement.warnings",
            rename={
                "self_corrected": "self_corrections",
                "commitments": "warning_commitments",
                "turned_into_cases": "warnings_turned_into_cases",
            },
        ),
    ),
    Provider(
        "coercion",
        _("行政强制"),
        [
            Figure(
                "coercive_measures", _("行政强制措施"), _("作出决定的查封、扣押等行政强制措施，按决定日期计入年度。")
            ),
            Figure("sealing", _("查封"), _("其中查封场所、设施或者财物的，按决定日期计入年度。")),
            Figure("seizure", _("扣押"), _("其中扣押财物的，按决定日期计入年度。")),
            Figure("releases", _("解除强制措施"), _("解除的查封、扣押，按解除日期计入年度。")),
            Figure(
                "enforcement_actions",
                _("行政强制执行"),
                _("执行完毕的行政决定（当事人自觉履行或人民法院强制执行完毕），按终结日期计入年度。"),
            ),
        ],
        _external("enforcement.coercion"),
    ),
]


def provider_of(key: str) -> Provider:
    return next(p for p in PROVIDERS if p.key == key)


def all_figures() -> list[tuple[Provider, Figure]]:
    return [(p, f) for p in PROVIDERS for f in p.figures]


# --- rolling up ---------------------------------------------------------------------------------


def _rate(num, den) -> float | None:
    if not den:
        return None
    return round(float(num or 0) * 100 / float(den), 1)


def _finish(row: dict, provider: Provider) -> dict:
    """Fill every figure of the provider (zero where no record) and derive its rates and averages."""
    out = {}
    for f in provider.figures:
        if f.key in provider.rates or f.key in provider.averages:
            continue
        value = row.get(f.key)
        if f.kind == BREAKDOWN:
            parts = dict.fromkeys((k for k, _label in f.parts()), 0) if f.parts else {}
            parts.update(value or {})
            out[f.key] = parts
        elif f.kind == AMOUNT:
            out[f.key] = str(Decimal(value or 0).quantize(Decimal("0.01")))
        else:
            out[f.key] = int(value or 0)
    for key, (num, den) in provider.rates.items():
        out[key] = _rate(row.get(num), row.get(den))
    for key, (num, den) in provider.averages.items():
        den_v = row.get(den)
        out[key] = round(float(row.get(num) or 0) / den_v, 1) if den_v else None
    return out


def _sum_into(total: dict, row: dict) -> None:
    for key, value in row.items():
        if isinstance(value, dict):
            for part, n in value.items():
                _add_part(total, key, part, n)
        else:
            _add(total, key, value)


def compute(year: int, *, progress: Callable[[int, int, str], None] | None = None) -> dict:
    """Every figure of year ``year``: per agency code, for the county, breakdowns, and missing sources."""
    sources = [p for p in PROVIDERS if p.available]
    steps = len(sources) + 1
    raw: dict[str, SourceResult] = {}
    for n, provider in enumerate(sources):
        if progress:
            progress(n, steps, provider.key)
        raw[provider.key] = provider.compute(year)
    if progress:
        progress(len(sources), steps, "rollup")
    agency_ids = {a for r in raw.values() for a in r.by_agency if a is not None}
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=agency_ids).only("code", "name", "kind", "sort_order")}
    county: dict = {}
    per_agency: dict[str, dict] = {}
    for agency in sorted(agencies.values(), key=lambda a: (a.sort_order, a.code)):
        values: dict = {"name": agency.name, "kind": agency.kind}
        for provider in sources:
            values.update(_finish(raw[provider.key].by_agency.get(agency.pk, {}), provider))
        per_agency[agency.code] = values
    for provider in sources:
        total: dict = {}
        for row in raw[provider.key].by_agency.values():
            _sum_into(total, row)
        county.update(_finish(total, provider))
    breakdowns = {k: v for r in raw.values() for k, v in r.breakdowns.items()}
    if progress:
        progress(steps, steps, "done")
    return {
        "year": year,
        "sources": [p.key for p in sources],
        "missing": [f.key for p in PROVIDERS if not p.available for f in p.figures],
        "county": county,
        "agencies": per_agency,
        "breakdowns": breakdowns,
    }
