"""The written analysis generated from a year's figures (and the previous year's, for the changes).

Plain sentences an editor then amends: year-on-year changes, the leading
domains and townships, on-time rates, the most common review deductions and
the problems to address. Thresholds that call something a problem are the
constants below (a county may set its own).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

# Below these rates (or above, for corrections) the analysis lists a problem to address.
IN_TIME_MIN = 95.0
TICKETS_ON_TIME_MIN = 90.0
SATISFACTION_MIN = 90.0
CORRECTION_MAX = 5.0


def change(current, previous) -> str:
    """ "同比增长12.5%" / "同比下降3.0%" / "与上年持平"; empty when last year has nothing to compare."""
    if previous in (None, "") or current in (None, ""):
        return ""
    cur, prev = Decimal(str(current)), Decimal(str(previous))
    if prev == 0:
        return ""
    pct = (cur - prev) * 100 / prev
    if pct == 0:
        return _("与上年持平")
    if pct > 0:
        return _("同比增长%(pct)s%%") % {"pct": f"{pct:.1f}"}
    return _("同比下降%(pct)s%%") % {"pct": f"{-pct:.1f}"}


def _with_change(text: str, current, previous) -> str:
    delta = change(current, previous)
    return f"{text}（{delta}）" if delta else text


def _leading(rows: list, n: int = 3) -> str:
    named = [(name, count) for name, count, *_rest in rows if name][:n]
    return "、".join(_("%(name)s（%(n)s件）") % {"name": name, "n": count} for name, count in named)


def _rate(value) -> str:
    return _("无数据") if value is None else f"{value}%"


def generate(year: int, figures: dict, previous: dict | None, review_line: str) -> str:
    """The analysis of ``figures`` (year ``year``), compared with ``previous`` (year - 1) when known."""
    c = figures.get("county", {})
    p = (previous or {}).get("county", {})
    b = figures.get("breakdowns", {})
    paras = []
    paras.append(
        _("一、总体情况。")
        + _with_change(
            _("%(year)s年全县立案%(filed)s件，作出行政处罚决定%(penalties)s件")
            % {"year": year, "filed": c.get("cases_filed", 0), "penalties": c.get("penalty_decisions", 0)},
            c.get("penalty_decisions"),
            p.get("penalty_decisions"),
        )
        + "，"
        + _with_change(
            _("罚款%(fines)s元，没收%(conf)s元")
            % {"fines": c.get("fines_total", "0.00"), "conf": c.get("confiscations_total", "0.00")},
            c.get("fines_total"),
            p.get("fines_total"),
        )
        + _("；不予行政处罚%(none)s件，其中首违不罚%(first)s件；移送%(moved)s件。")
        % {
            "none": c.get("no_penalty_decisions", 0),
            "first": c.get("first_offense_exemptions", 0),
            "moved": c.get("cases_transferred", 0),
        }
    )
    domains, towns = _leading(b.get("cases_by_domain", [])), _leading(b.get("cases_by_township", []))
    ticket_towns = _leading(b.get("tickets_by_township", []))
    parts = []
    if domains:
        parts.append(_("作出决定的案件主要集中在%(list)s领域") % {"list": domains})
    if towns:
        parts.append(_("案件较多的乡镇（街道）为%(list)s") % {"list": towns})
    if ticket_towns:
        parts.append(_("工单较多的乡镇（街道）为%(list)s") % {"list": ticket_towns})
    if parts:
        paras.append(_("二、重点领域和乡镇。") + "；".join(parts) + "。")
    paras.append(
        _("三、办理时效。")
        + _(
            "作出决定%(decided)s件，法定期限内决定%(in_time)s件，按期决定率%(rate)s；"
            "受理工单%(tickets)s件，按时办结率%(ticket_rate)s，满意率%(sat)s。"
        )
        % {
            "decided": c.get("cases_decided", 0),
            "in_time": c.get("cases_decided_in_time", 0),
            "rate": _rate(c.get("decided_in_time_rate")),
            "tickets": _with_change(
                str(c.get("tickets_received", 0)), c.get("tickets_received"), p.get("tickets_received")
            ),
            "ticket_rate": _rate(c.get("on_time_rate")),
            "sat": _rate(c.get("satisfaction")),
        }
    )
    paras.append(
        _("四、复议诉讼。")
        + _("行政复议%(recon)s件，行政诉讼%(lit)s件（胜诉%(won)s件、败诉%(lost)s件），纠错率%(rate)s。")
        % {
            "recon": c.get("reconsiderations", 0),
            "lit": c.get("litigations", 0),
            "won": c.get("litigations_won", 0),
            "lost": c.get("litigations_lost", 0),
            "rate": _rate(c.get("correction_rate")),
        }
    )
    top = b.get("top_deductions", [])
    review = _("五、案卷评查。") + review_line
    if top:
        review += _("最常见的扣分情形：%(list)s。") % {
            "list": "；".join(_("%(text)s（%(n)s次）") % {"text": text, "n": n} for _code, text, n, *_r in top[:3])
        }
    paras.append(review)
    problems = []
    if c.get("decided_in_time_rate") is not None and c["decided_in_time_rate"] < IN_TIME_MIN:
        problems.append(_("部分案件未在法定期限内作出决定，应加强办案期限预警和督办"))
    if c.get("on_time_rate") is not None and c["on_time_rate"] < TICKETS_ON_TIME_MIN:
        problems.append(_("工单按时办结率偏低，应压实责任单位签收和办结时限"))
    if c.get("satisfaction") is not None and c["satisfaction"] < SATISFACTION_MIN:
        problems.append(_("群众满意率有待提高，应加强回访和办理质量"))
    if c.get("correction_rate") is not None and c["correction_rate"] > CORRECTION_MAX:
        problems.append(_("复议诉讼纠错率偏高，应加强法制审核"))
    if top:
        problems.append(_("案卷评查中“%(text)s”问题较为集中，应组织专项整改") % {"text": top[0][1]})
    if figures.get("missing"):
        problems.append(_("行政检查、预警执法、行政强制等数据尚未全部纳入系统统计"))
    paras.append(_("六、存在的问题和改进措施。") + ("；".join(problems) + "。" if problems else _("未发现突出问题。")))
    return "\n\n".join(paras)
