"""The choices and state groups of devolution: plain values that models, permissions and rules share.

They sit below the models so that the permission predicates
(``permissions.py``), which the models' transitions name, can test a state
without importing the models.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    UNDER_REVIEW = "under_review", _("审查中")
    APPROVED = "approved", _("已批准")
    PUBLISHED = "published", _("已公布")
    IN_FORCE = "in_force", _("已生效")
    WITHDRAWN = "withdrawn", _("已撤回")
    REVOKED = "revoked", _("已撤销")


# Items may be added, changed and removed until the batch is approved.
EDITABLE_STATES = (BatchStatus.DRAFT, BatchStatus.SUBMITTED, BatchStatus.UNDER_REVIEW)
PRE_IN_FORCE_STATES = (*EDITABLE_STATES, BatchStatus.APPROVED, BatchStatus.PUBLISHED)


class Category(models.TextChoices):
    PRIORITY = "priority", _("优先下放")
    ASSESSED = "assessed", _("评估下放")
    DEFERRED = "deferred", _("暂缓下放")
    STATUTORY = "statutory", _("依法下放")
    INTEGRATED = "integrated", _("整体下放")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("待审查")
    APPROVED = "approved", _("同意")
    REJECTED = "rejected", _("不同意")


class ItemState(models.TextChoices):
    ACTIVE = "active", _("有效")
    REVOKED = "revoked", _("已撤销")


class ReviewDecision(models.TextChoices):
    APPROVE = "approve", _("同意")
    REJECT = "reject", _("不同意")
    COMMENT = "comment", _("意见")


class CaseCountSource(models.TextChoices):
    """Where an item's three-year case count comes from (see ``selectors.case_counts_3y``)."""

    CASES = "cases", _("系统案件统计")
    ENTERED = "entered", _("手工录入（系统上线前）")
