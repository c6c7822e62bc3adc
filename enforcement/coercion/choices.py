"""The choices and state groups of coercive measures and of the enforcement of decisions.

Plain values shared by models, permissions and services (below the models, as
in ``enforcement.cases.choices``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from enforcement.cases.choices import WarningLevel  # noqa: F401  (one set of warning levels)


class MeasureKind(models.TextChoices):
    """Administrative Coercion Law art. 9: the kinds of coercive measures this bureau takes."""

    SEALING = "sealing", _("查封")
    SEIZURE = "seizure", _("扣押")


class MeasureObject(models.TextChoices):
    PLACE = "place", _("场所")
    FACILITY = "facility", _("设施")
    PROPERTY = "property", _("财物")


class MeasureStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_FORCE = "in_force", _("实施中")
    EXTENDED = "extended", _("已延长")
    RELEASED = "released", _("已解除")
    CONVERTED = "converted", _("已转处理")


# A measure in these states still binds the party: its period runs.
ACTIVE_MEASURE_STATES = (MeasureStatus.IN_FORCE, MeasureStatus.EXTENDED)


class SignatureStatus(models.TextChoices):
    """Art. 18(7)-(8): the on-site record is signed by the party, or the refusal is noted."""

    SIGNED = "signed", _("当事人已签名")
    REFUSED = "refused", _("当事人拒绝签名（已注明）")
    ABSENT = "absent", _("当事人不到场（见证人签名）")


class ReleaseReason(models.TextChoices):
    """Art. 28: the grounds for releasing a sealing or seizure."""

    NO_VIOLATION = "no_violation", _("当事人没有违法行为")
    UNRELATED = "unrelated", _("查封、扣押的场所、设施或者财物与违法行为无关")
    DECIDED_OTHERWISE = "decided_otherwise", _("行政机关对违法行为已经作出处理决定，不再需要查封、扣押")
    PERIOD_EXPIRED = "period_expired", _("查封、扣押期限已经届满")
    NOT_NEEDED = "not_needed", _("其他不再需要采取查封、扣押措施的情形")
    NOT_APPROVED = "not_approved", _("当场实施后未获行政机关负责人批准（第十九条）")


class ConversionKind(models.TextChoices):
    """Art. 27: within the period the bureau decides what happens to the items."""

    CONFISCATED = "confiscated", _("依法没收")
    DESTROYED = "destroyed", _("依法销毁")
    TRANSFERRED = "transferred", _("移送有关机关")


class ExecutionStatus(models.TextChoices):
    """Enforcement of a decision (行政强制执行) by application to the court (art. 53-54)."""

    DRAFT = "draft", _("拟催告")
    REMINDED = "reminded", _("已催告")
    APPLIED = "applied", _("已申请法院强制执行")
    CONCLUDED = "concluded", _("已终结")


OPEN_EXECUTION_STATES = (ExecutionStatus.DRAFT, ExecutionStatus.REMINDED, ExecutionStatus.APPLIED)


class CourtOutcome(models.TextChoices):
    PENDING = "pending", _("审查中")
    GRANTED = "granted", _("裁定准予执行")
    REFUSED = "refused", _("裁定不予执行")
    WITHDRAWN = "withdrawn", _("撤回申请")


class ExecutionConclusion(models.TextChoices):
    PERFORMED = "performed", _("当事人自觉履行")
    EXECUTED = "executed", _("法院强制执行完毕")
    REFUSED = "refused", _("法院不予执行")
    WITHDRAWN = "withdrawn", _("撤回申请")
