"""Status and kind values of performance evaluation, shared by the models, permissions and services."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from enforcement.models.agencies import AgencyKind

# Units that handle tickets and are rated: departments and squadrons.
RATED_KINDS = (AgencyKind.DEPARTMENT, AgencyKind.SQUADRON_STATIONED, AgencyKind.SQUADRON_DIRECT)

# The townships' share of a unit's annual rating, by kind, until admin sets another.
# Source: Yantai's "街呼区应" evaluation rules: 30% of a department's rating, 60% of a
# stationed squadron's. Direct squadrons (直属中队) answer township calls like departments: 30%.
DEFAULT_TOWNSHIP_WEIGHT = {
    AgencyKind.DEPARTMENT: Decimal("30"),
    AgencyKind.SQUADRON_STATIONED: Decimal("60"),
    AgencyKind.SQUADRON_DIRECT: Decimal("30"),
}


class RatingStatus(models.TextChoices):
    DRAFT = "draft", _("草拟")
    PUBLISHED = "published", _("已公布")
    SUPERSEDED = "superseded", _("已被更正")


class Recommendation(models.TextChoices):
    NONE = "", _("（无）")
    PROMOTE = "promote", _("建议提拔或重用")
    KEEP = "keep", _("建议留任")
    ADJUST = "adjust", _("建议调整岗位")


class TermKey(models.TextChoices):
    """What an officer's assessment can count; admin gives each term its points per unit."""

    CASES_HANDLED = "cases_handled", _("承办案件数（立案）")
    CASES_PENALTY = "cases_penalty", _("作出行政处罚决定")
    CASES_NO_PENALTY = "cases_no_penalty", _("不予处罚（含首违不罚）")
    CASES_TRANSFERRED = "cases_transferred", _("移送案件")
    DEADLINES_MET = "deadlines_met", _("按期作出决定")
    DEADLINES_MISSED = "deadlines_missed", _("超期作出决定")
    REVIEW_AVERAGE = "review_average", _("案卷评查平均分")
    REVIEW_FAILED = "review_failed", _("评查不合格案卷")
    TICKETS_HANDLED = "tickets_handled", _("办结工单")
    TRAINING_HOURS = "training_hours", _("培训学时")
    EXAM_FAILED = "exam_failed", _("执法资格考试不合格")
    CERTIFICATE_LAPSED = "certificate_lapsed", _("执法证失效")
    TOWNSHIP_SCORE = "township_score", _("乡镇评价得分")
    INSPECTIONS = "inspections", _("行政检查（检查记录）")
    WARNINGS_ISSUED = "warnings_issued", _("出具预警提示")
    WARNINGS_CORRECTED = "warnings_corrected", _("预警后当事人自行整改")
