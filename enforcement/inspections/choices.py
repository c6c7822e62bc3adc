"""Choices of the inspection models (kept apart so that forms and selectors need not import the models)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ObjectKind(models.TextChoices):
    BUSINESS = "business", _("市场主体")
    SITE = "site", _("场所/工地")
    INDIVIDUAL = "individual", _("持证个人")


class RiskLevel(models.TextChoices):
    LOW = "low", _("低风险")
    MEDIUM = "medium", _("中风险")
    HIGH = "high", _("高风险")


class CreditLevel(models.TextChoices):
    # The county's four-grade public credit rating (A best, D worst).
    A = "A", _("A级（守信）")
    B = "B", _("B级（基本守信）")
    C = "C", _("C级（失信）")
    D = "D", _("D级（严重失信）")


LOW_CREDIT_LEVELS = (CreditLevel.C, CreditLevel.D)


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草拟")
    DRAWN = "drawn", _("已抽取")
    IN_PROGRESS = "in_progress", _("检查中")
    PUBLISHED = "published", _("结果已公示")


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("待检查")
    DONE = "done", _("已检查")


class Outcome(models.TextChoices):
    """The result of one inspection, as published for spot checks (双随机抽查结果)."""

    NO_PROBLEM = "no_problem", _("未发现问题")
    ORDERED_TO_CORRECT = "ordered_to_correct", _("责令整改")
    CASE_FILED = "case_filed", _("立案查处")
    NOT_FOUND = "not_found", _("未发现检查对象/已关闭")


class SignatureStatus(models.TextChoices):
    SIGNED = "signed", _("当事人已签名")
    REFUSED = "refused", _("当事人拒绝签名（已注明并见证）")
    ABSENT = "absent", _("当事人不在场")


class RecordStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    CLOSED = "closed", _("已处理")


class Disposition(models.TextChoices):
    """What was done with a record (its action table); the warning helper adds the warning action."""

    NONE = "", _("未处理")
    NO_PROBLEM = "no_problem", _("无问题结束")
    WARNING = "warning", _("预警/责令改正")
    CASE_LEAD = "case_lead", _("转为案件线索")
    TICKET = "ticket", _("移交其他单位（工单）")


class FindingResult(models.TextChoices):
    OK = "ok", _("未发现问题")
    PROBLEM = "problem", _("发现问题")
    NOT_CHECKED = "not_checked", _("未检查")


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("已计划")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")
