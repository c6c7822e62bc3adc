"""Choices of the warning models (kept apart so that forms and selectors need not import the models)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WarningKind(models.TextChoices):
    NOTICE = "notice", _("责令改正通知书")
    # 告知承诺: the party signs a written commitment to correct by the deadline.
    COMMITMENT = "commitment", _("告知承诺（当事人书面承诺改正）")


class WarningStatus(models.TextChoices):
    ISSUED = "issued", _("待整改")
    CORRECTED = "corrected", _("已自行整改")
    TURNED_TO_CASE = "case", _("逾期未改正，已转案件线索")
