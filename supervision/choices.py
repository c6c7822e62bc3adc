"""Status and kind values of case-file review, shared by the models and the permissions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Warning levels (亮灯) are the cases' own: one set of values for every deadline in the county.
from enforcement.cases.choices import WarningLevel  # noqa: F401


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草拟")
    DRAWN = "drawn", _("已抽取")
    IN_REVIEW = "in_review", _("评查中")
    PUBLISHED = "published", _("结果已公布")
    CLOSED = "closed", _("已结束")


class ScoreStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


class RectificationStatus(models.TextChoices):
    ISSUED = "issued", _("待整改")
    ANSWERED = "answered", _("已反馈")
    RETURNED = "returned", _("退回重改")
    ACCEPTED = "accepted", _("整改通过")


class ItemStatus(models.TextChoices):
    OPEN = "open", _("待反馈")
    ANSWERED = "answered", _("已反馈")
    ACCEPTED = "accepted", _("已认可")
    RETURNED = "returned", _("已退回")


class MajorFilter(models.TextChoices):
    ALL = "", _("全部案件")
    MAJOR = "major", _("仅重大/复杂案件")
    ORDINARY = "ordinary", _("仅一般案件")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class Check(models.TextChoices):
    """What the system can check in a case file by itself (pre-marked suggestions on the scoring page)."""

    NONE = "", _("（人工判断）")
    DEADLINE_MISSED = "deadline_missed", _("超过法定期限")
    DOCUMENTS_MISSING = "documents_missing", _("文书缺失")
    REVIEW_SKIPPED = "review_skipped", _("应审未审（法制审核）")
    DELIBERATION_SKIPPED = "deliberation_skipped", _("应讨论未讨论（集体讨论）")
    CERTIFICATE_EXPIRED = "certificate_expired", _("执法证当日无效")
    EVIDENCE_ALTERED = "evidence_altered", _("证据文件校验不符")
