"""The one table of legal rules of case handling: every time limit, threshold and precondition the system enforces.

Each :class:`LegalRule` has a key (the ``code`` of a refusal that applies it),
the provision it comes from, its default, its unit and where an administrator
may change it:

* time limits: the ``CaseDeadlineRule`` table (admin "案件法定期限"), defaults in
  :data:`enforcement.cases.deadlines.DEFAULT_RULES`;
* thresholds the law leaves to the province (art. 63 "较大数额"): the
  ``CasePolicy`` row (admin "案件办理参数");
* everything else is fixed by the law itself and cannot be changed, including
  the periods of the Administrative Coercion Law (sealing, seizure, reminders,
  applications to the court; :data:`COERCION_RULES`, used by
  :mod:`enforcement.coercion.rules`).

Both override tables keep every change with who made it and why
(django-simple-history). The staff page "法定时限与规则" and
``GET /api/legal-rules/`` show :func:`legal_rules`; the checks in
:mod:`enforcement.cases.rules` and the services read their values from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from enforcement.cases.deadlines import DEFAULT_RULES, YEARS, rules
from enforcement.cases.models import CasePolicy
from enforcement.workdays import Unit

DEADLINE = "deadline"
THRESHOLD = "threshold"
PRECONDITION = "precondition"
KIND_LABELS = {DEADLINE: _("期限"), THRESHOLD: _("数额标准"), PRECONDITION: _("程序要求")}
# Where a rule may be changed.
BY_DEADLINE_TABLE = "deadline_table"
BY_POLICY = "policy"
BY_WARNING_LIST = "warning_list"
FIXED = "fixed"
CHANGED_BY_LABELS = {
    BY_DEADLINE_TABLE: _("系统管理员（案件法定期限表，记录修改人和理由）"),
    BY_POLICY: _("系统管理员（案件办理参数，记录修改人和理由）"),
    BY_WARNING_LIST: _("系统管理员（预警执法事项清单，逐项设置，记录修改人和理由）"),
    FIXED: _("法律规定，不可修改"),
}
YUAN = "yuan"
UNIT_LABELS = {
    **{u.value: u.label for u in Unit},
    YEARS: _("年"),
    YUAN: _("元"),
    "percent_per_day": _("%/日"),
    "persons": _("人"),
    "hours": _("小时"),
    "months": _("个月"),
    "times": _("次"),
    "": "",
}

# Art. 72: 3 % of the fine per day, never more than the fine itself.
SURCHARGE_RATE = Decimal("0.03")
# Art. 51: the summary procedure allows fines up to these amounts.
SUMMARY_FINE_INDIVIDUAL = Decimal("200")
SUMMARY_FINE_ORGANISATION = Decimal("3000")
# Art. 68: fines of up to 100 yuan may be collected on the spot.
ON_SPOT_COLLECTION_LIMIT = Decimal("100")
# Art. 42, 55: at least two officers.
MIN_OFFICERS = 2
# Administrative Reconsideration Law art. 20; Administrative Litigation Law art. 46.
RECONSIDERATION_DAYS = 60
LITIGATION_MONTHS = 6

# Administrative Coercion Law (行政强制法, 2011): fixed by the law.
# Art. 25: sealing or seizure for at most 30 days, extended once by at most 30 days.
COERCION_PERIOD_MAX_DAYS = 30
COERCION_EXTENSION_MAX_DAYS = 30
COERCION_MAX_EXTENSIONS = 1
# Art. 19: an emergency measure taken on the spot is reported within 24 hours.
COERCION_EMERGENCY_HOURS = 24
# Art. 54 with art. 69 ("十日内期限的规定是指工作日"): ten working days after the reminder's service.
COERCION_COURT_WAIT_WORKING_DAYS = 10
# Art. 53: within three months after the reconsideration and litigation periods ran out.
COERCION_COURT_WINDOW_MONTHS = 3


@dataclass(frozen=True)
class LegalRule:
    key: str
    label: str
    article: str
    kind: str
    default: str
    unit: str = ""
    changed_by: str = FIXED
    current: str = ""

    @property
    def unit_label(self) -> str:
        return str(UNIT_LABELS.get(self.unit, self.unit))

    def as_dict(self) -> dict:
        return {
            "key": self.key, "label": str(self.label), "article": str(self.article), "kind": self.kind,
            "kind_label": str(KIND_LABELS[self.kind]), "default": self.default, "unit": self.unit,
            "unit_label": self.unit_label, "current": self.current or self.default,
            "changed": bool(self.current) and self.current != self.default,
            "changed_by": self.changed_by, "changed_by_label": str(CHANGED_BY_LABELS[self.changed_by]),
        }


def _amount(value: Decimal | int) -> str:
    value = Decimal(value)
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


_FIXED_RULES = (
    LegalRule("summary_fine_individual", _("简易程序罚款上限（公民）"),
              _("《行政处罚法》第五十一条：对公民处以二百元以下罚款的，可以当场作出行政处罚决定"),
              THRESHOLD, _amount(SUMMARY_FINE_INDIVIDUAL), YUAN),
    LegalRule("summary_fine_organisation", _("简易程序罚款上限（法人或者其他组织）"),
              _("《行政处罚法》第五十一条：对法人或者其他组织处以三千元以下罚款的，可以当场作出行政处罚决定"),
              THRESHOLD, _amount(SUMMARY_FINE_ORGANISATION), YUAN),
    LegalRule("on_spot_collection", _("当场收缴罚款上限"),
              _("《行政处罚法》第六十八条第一项：依法给予一百元以下罚款的，可以当场收缴"),
              THRESHOLD, _amount(ON_SPOT_COLLECTION_LIMIT), YUAN),
    LegalRule("surcharge", _("加处罚款"),
              _("《行政处罚法》第七十二条第一款第一项：到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，"
                "加处罚款的数额不得超出罚款的数额"),
              THRESHOLD, "3", "percent_per_day"),
    LegalRule("officers", _("执法人员人数"),
              _("《行政处罚法》第四十二条：执法人员不得少于两人，并应当持有执法证件"),
              PRECONDITION, str(MIN_OFFICERS), "persons"),
    LegalRule("record_officers", _("调查、检查的执法人员"),
              _("《行政处罚法》第五十五条：执法人员在调查或者进行检查时，不得少于两人，并应当主动出示执法证件"),
              PRECONDITION, str(MIN_OFFICERS), "persons"),
    # Inspections (issue 15): spot-check results are disclosed within 20 working days; a plan may set fewer.
    LegalRule("inspection_publication", _("抽查检查结果公示期限"),
              _("《企业信息公示暂行条例》第六条、第七条：抽查检查结果等信息应当自产生之日起20个工作日内予以公示"),
              DEADLINE, "20", "working_days"),
    LegalRule("advance_notice", _("事先告知"),
              _("《行政处罚法》第四十四条：作出行政处罚决定之前，应当告知当事人拟作出的行政处罚内容及事实、理由、依据，"
                "并告知当事人依法享有的陈述、申辩、要求听证等权利"),
              PRECONDITION, ""),
    LegalRule("notice_heavier", _("不得因申辩加重处罚"),
              _("《行政处罚法》第四十四条、第四十五条第二款：行政机关不得因当事人陈述、申辩而给予更重的处罚；"
                "拟作出的处罚重于已告知的，须重新告知"),
              PRECONDITION, ""),
    LegalRule("hearing_rights", _("听证权利"),
              _("《行政处罚法》第六十三条：较大数额罚款，没收较大数额违法所得、没收较大价值非法财物，降低资质等级、"
                "吊销许可证件，责令停产停业、责令关闭、限制从业，其他较重的行政处罚"),
              PRECONDITION, ""),
    LegalRule("discretion", _("裁量基准"),
              _("《行政处罚法》第三十四条：行政机关可以依法制定行政处罚裁量基准，规范行使行政处罚裁量权"),
              PRECONDITION, ""),
    LegalRule("legal_review", _("法制审核"),
              _("《行政处罚法》第五十八条第一款：涉及重大公共利益、直接关系当事人重大权益经过听证程序、"
                "案件情况疑难复杂的，作出决定之前应当进行法制审核"),
              PRECONDITION, ""),
    LegalRule("legal_reviewer", _("初次从事法制审核人员的资格"),
              _("《行政处罚法》第五十八条第二款：行政机关中初次从事行政处罚决定法制审核的人员，"
                "应当通过国家统一法律职业资格考试取得法律职业资格"),
              PRECONDITION, ""),
    LegalRule("major_change", _("变更重大、复杂案件认定"),
              _("《行政处罚法》第五十八条；本县规定：立案后变更重大、复杂案件认定须经法制员或县法制审核中心同意并说明理由"),
              PRECONDITION, ""),
    LegalRule("deliberation", _("集体讨论"),
              _("《行政处罚法》第五十七条第二款：对情节复杂或者重大违法行为给予行政处罚，行政机关负责人应当集体讨论决定"),
              PRECONDITION, ""),
    LegalRule("first_offense", _("首违不罚"),
              _("《行政处罚法》第三十三条第一款：初次违法且危害后果轻微并及时改正的，可以不予行政处罚"),
              PRECONDITION, ""),
    LegalRule("remedies", _("救济途径和期限"),
              _("《行政处罚法》第五十二条；《行政复议法》第二十条：知道之日起六十日内申请行政复议；"
                "《行政诉讼法》第四十六条：知道或者应当知道之日起六个月内提起诉讼"),
              PRECONDITION, f"{RECONSIDERATION_DAYS} / {LITIGATION_MONTHS}"),
)

COERCION_RULES = (
    LegalRule("coercion_officers", _("实施行政强制措施的执法人员"),
              _("《行政强制法》第十八条第（二）项：由两名以上行政执法人员实施；第十七条第三款：由具备资格的行政执法人员实施"),
              PRECONDITION, str(MIN_OFFICERS), "persons"),
    LegalRule("coercion_procedure", _("实施程序"),
              _("《行政强制法》第十八条：实施前须向行政机关负责人报告并经批准；出示执法身份证件；通知当事人到场；"
                "当场告知理由、依据以及当事人依法享有的权利、救济途径；制作现场笔录，由当事人和行政执法人员签名或者盖章"),
              PRECONDITION, ""),
    LegalRule("coercion_emergency", _("当场实施后报告并补办批准"),
              _("《行政强制法》第十九条：情况紧急需要当场实施的，应当在二十四小时内向行政机关负责人报告，并补办批准手续；"
                "行政机关负责人认为不应当采取的，应当立即解除"),
              DEADLINE, str(COERCION_EMERGENCY_HOURS), "hours"),
    LegalRule("coercion_decision", _("查封、扣押决定书"),
              _("《行政强制法》第二十四条：载明当事人，查封、扣押的理由、依据和期限，场所、设施或者财物的名称、数量等，"
                "申请行政复议或者提起行政诉讼的途径和期限；查封、扣押清单一式二份"),
              PRECONDITION, ""),
    LegalRule("coercion_period", _("查封、扣押期限"),
              _("《行政强制法》第二十五条第一款：查封、扣押的期限不得超过三十日"),
              DEADLINE, str(COERCION_PERIOD_MAX_DAYS), "calendar_days"),
    LegalRule("coercion_extension", _("延长查封、扣押期限"),
              _("《行政强制法》第二十五条第一款：情况复杂的，经行政机关负责人批准，可以延长，但是延长期限不得超过三十日"),
              DEADLINE, str(COERCION_EXTENSION_MAX_DAYS), "calendar_days"),
    LegalRule("coercion_extension_once", _("延长次数"),
              _("《行政强制法》第二十五条第一款、第二款：延长一次，延长决定应当及时书面告知当事人并说明理由"),
              PRECONDITION, str(COERCION_MAX_EXTENSIONS), "times"),
    LegalRule("coercion_release", _("解除查封、扣押"),
              _("《行政强制法》第二十七条：在期限内作出处理决定；第二十八条：当事人没有违法行为、与违法行为无关、"
                "已作出处理决定不再需要、期限已经届满等情形应当及时解除，并立即退还财物"),
              PRECONDITION, ""),
    LegalRule("coercion_reminder", _("强制执行前的催告"),
              _("《行政强制法》第三十五条、第五十四条：行政机关作出强制执行决定或者申请人民法院强制执行前，应当事先以书面形式催告当事人履行义务"),
              PRECONDITION, ""),
    LegalRule("coercion_court_wait", _("催告后申请法院强制执行"),
              _("《行政强制法》第五十四条：催告书送达十日后当事人仍未履行义务的，可以申请人民法院强制执行；"
                "第六十九条：十日内期限的规定是指工作日，不含法定节假日"),
              DEADLINE, str(COERCION_COURT_WAIT_WORKING_DAYS), "working_days"),
    LegalRule("coercion_court_window", _("申请法院强制执行的期限"),
              _("《行政强制法》第五十三条：当事人在法定期限内不申请行政复议或者提起行政诉讼，又不履行行政决定的，"
                "可以自期限届满之日起三个月内申请人民法院强制执行"),
              DEADLINE, str(COERCION_COURT_WINDOW_MONTHS), "months"),
)

_POLICY_RULES = (
    ("hearing_fine_individual", _("听证：较大数额罚款（公民）"),
     _("《行政处罚法》第六十三条第一款第一项：较大数额罚款（数额由省级规定）")),
    ("hearing_fine_organisation", _("听证：较大数额罚款（法人或者其他组织）"),
     _("《行政处罚法》第六十三条第一款第一项：较大数额罚款（数额由省级规定）")),
    ("hearing_confiscation_individual", _("听证：没收较大数额违法所得、较大价值非法财物（公民）"),
     _("《行政处罚法》第六十三条第一款第二项：没收较大数额违法所得、没收较大价值非法财物")),
    ("hearing_confiscation_organisation", _("听证：没收较大数额违法所得、较大价值非法财物（法人或者其他组织）"),
     _("《行政处罚法》第六十三条第一款第二项：没收较大数额违法所得、没收较大价值非法财物")),
)


# Warning-first enforcement (enforcement.warnings): the law orders correction but sets no period,
# so the county's warning list sets one per matter; these are the defaults of a new entry.
WARNING_CORRECTION_WORKDAYS = 10
WARNING_REPEAT_DAYS = 365
_WARNING_RULES = (
    LegalRule("warning_correction", _("预警执法：责令改正期限"),
              _("《行政处罚法》第二十八条第一款：行政机关实施行政处罚时，应当责令当事人改正或者限期改正违法行为；"
                "法律未规定改正期限的，按本县预警执法事项清单确定的期限（工作日）"),
              DEADLINE, str(WARNING_CORRECTION_WORKDAYS), "working_days", BY_WARNING_LIST),
    LegalRule("warning_first_offense", _("预警执法：适用条件"),
              _("《行政处罚法》第三十三条第一款：初次违法且危害后果轻微并及时改正的，可以不予行政处罚；"
                "适用条件由本县预警执法事项清单逐项列明，执法人员逐项确认"),
              PRECONDITION, ""),
    LegalRule("warning_holder", _("预警执法：事项职权"),
              _("《行政处罚法》第十七条：行政处罚由具有行政处罚权的行政机关在法定职权范围内实施；第二十四条：县级人民政府部门的"
                "行政处罚权可以交由能够有效承接的乡镇人民政府、街道办事处行使。预警执法与立案适用同一职权规则：出具单位须在当事人所在乡镇（街道）"
                "于出具之日持有该事项的行使权"),
              PRECONDITION, ""),
    LegalRule("warning_repeat", _("预警执法：再次违法不再预警"),
              _("《行政处罚法》第三十三条第一款（仅限初次违法）：同一当事人同一事项在本县确定的期间内再次违法的，"
                "不再预警，依法立案查处"),
              DEADLINE, str(WARNING_REPEAT_DAYS), "calendar_days", BY_WARNING_LIST),
)


def case_policy() -> CasePolicy:
    """The county's case-handling settings (the single row; defaults until an administrator saves one)."""
    policy = CasePolicy.objects.filter(pk=1).first()
    return policy if policy is not None else CasePolicy(pk=1)


def legal_rules() -> list[LegalRule]:
    """Every rule with its current value (two small queries)."""
    out: list[LegalRule] = []
    current = rules()
    for key, default in DEFAULT_RULES.items():
        now = current[key]
        out.append(LegalRule(key, now.label, now.article, DEADLINE, str(default.amount), default.unit,
                             BY_DEADLINE_TABLE, current=f"{now.amount} {now.unit_label}"
                             if now.unit != default.unit else str(now.amount)))
    policy, defaults = case_policy(), CasePolicy()
    for key, label, article in _POLICY_RULES:
        out.append(LegalRule(key, label, article, THRESHOLD, _amount(getattr(defaults, key)), YUAN, BY_POLICY,
                             current=_amount(getattr(policy, key))))
    out.extend(_FIXED_RULES)
    out.extend(COERCION_RULES)
    out.extend(_WARNING_RULES)
    return out


def legal_rule(key: str) -> LegalRule:
    """One rule by key, as :func:`legal_rules` gives it (a time limit's article is the administrator's when set)."""
    for rule in legal_rules():
        if rule.key == key:
            return rule
    raise KeyError(key)
