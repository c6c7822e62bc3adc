"""The enforcement-matter catalogue (事项目录) and power grants (who may act where).

A :class:`Matter` is one enforcement power with a stable code. Its discretion
standard (裁量基准) is a list of :class:`DiscretionTier` rows. A
:class:`PowerGrant` says which agency holds a matter, county-wide or in one
township, from one day to another; ``enforcement.catalogue.powers.holder_of``
is the single answer to "who may act on matter M in township T on day D"
(ARCHITECTURE.md "Dependency direction").

Writes go through ``enforcement.catalogue.services`` and
``enforcement.catalogue.powers``; matters keep a full change history
(django-simple-history) and are repealed, never deleted, once in use. A
matter's status changes only by the transitions of :class:`Matter` (suspend,
reinstate, repeal) through ``enforcement.workflow.perform_transition``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import transition
from simple_history.models import HistoricalRecords

from enforcement.catalogue.permissions import can_manage_matter
from enforcement.models.agencies import TOWNSHIP_KINDS, Agency
from enforcement.workflow import FSMField, WorkflowModel


class PowerType(models.TextChoices):
    PENALTY = "penalty", _("行政处罚")
    COERCIVE_MEASURE = "coercive_measure", _("行政强制")
    INSPECTION = "inspection", _("行政检查")
    LEVY = "levy", _("行政征收")
    CONFIRMATION = "confirmation", _("行政确认")
    OTHER = "other", _("其他")


class MatterStatus(models.TextChoices):
    IN_FORCE = "in_force", _("在用")
    SUSPENDED = "suspended", _("暂停")
    REPEALED = "repealed", _("废止")


class PenaltyKind(models.TextChoices):
    """The kinds of administrative penalty (Administrative Penalty Law art. 9)."""

    WARNING = "warning", _("警告")
    CIRCULATED_CRITICISM = "circulated_criticism", _("通报批评")
    FINE = "fine", _("罚款")
    CONFISCATE_GAINS = "confiscate_gains", _("没收违法所得")
    CONFISCATE_PROPERTY = "confiscate_property", _("没收非法财物")
    SUSPEND_LICENCE = "suspend_licence", _("暂扣许可证件")
    LOWER_QUALIFICATION = "lower_qualification", _("降低资质等级")
    REVOKE_LICENCE = "revoke_licence", _("吊销许可证件")
    RESTRICT_OPERATIONS = "restrict_operations", _("限制开展生产经营活动")
    ORDER_SUSPENSION = "order_suspension", _("责令停产停业")
    ORDER_CLOSURE = "order_closure", _("责令关闭")
    RESTRICT_EMPLOYMENT = "restrict_employment", _("限制从业")
    DETENTION = "detention", _("行政拘留")
    # Art. 9(6): other penalties set by laws and administrative regulations.
    OTHER = "other", _("法律、行政法规规定的其他行政处罚")


class FineUnit(models.TextChoices):
    YUAN = "yuan", _("元")
    # A multiple of the illegal gains (or another base named in the circumstances).
    MULTIPLE = "multiple", _("倍")


class GrantMode(models.TextChoices):
    TRANSFERRED = "transferred", _("划转至综合执法局")
    RETAINED = "retained", _("部门保留")
    DEVOLVED = "devolved", _("赋权乡镇")
    ENTRUSTED = "entrusted", _("委托乡镇")
    STATIONED = "stationed", _("派驻中队")
    HUB_AND_SPOKE = "hub_and_spoke", _("“1+X”辐射")


class GrantSource(models.TextChoices):
    IMPORT = "import", _("目录导入")
    BATCH = "batch", _("赋权批次")
    DOCUMENT = "document", _("文件")
    MANUAL = "manual", _("手工录入")


class Domain(models.Model):
    """An enforcement domain (执法领域): a maintained reference table."""

    code = models.CharField(_("领域编码"), max_length=40, unique=True)
    name = models.CharField(_("领域名称"), max_length=60, unique=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("执法领域")
        verbose_name_plural = _("执法领域")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class MatterQuerySet(models.QuerySet):
    def visible_to(self, user) -> MatterQuerySet:
        # The catalogue is reference data: every signed-in user reads all of it.
        if user is None or not user.is_authenticated:
            return self.none()
        return self

    def public(self) -> MatterQuerySet:
        """Matters for the public pages.

        The whole catalogue is public (行政执法公示制度); what the public pages
        must not show are the internal fields (:data:`MATTER_INTERNAL_FIELDS`).
        """
        return self.all()

    def in_force(self) -> MatterQuerySet:
        return self.filter(status=MatterStatus.IN_FORCE)


# Fields a public page must never render (remarks are internal notes).
MATTER_INTERNAL_FIELDS = ("remarks", "created_at", "updated_at")


class Matter(WorkflowModel):
    """One enforcement power (执法事项) with a stable code.

    Status transitions (the whole table; a matter is created in any status):
    in force → suspended (暂停), suspended → in force (恢复), in force or
    suspended → repealed (废止). A repealed matter stays repealed: when a law
    brings a power back it is a new matter with a new code (the old code keeps
    its cases).
    """

    code = models.CharField(_("事项编码"), max_length=40, unique=True)
    name = models.CharField(_("事项名称"), max_length=300)
    power_type = models.CharField(_("职权类型"), max_length=24, choices=PowerType.choices, db_index=True)
    domain = models.ForeignKey(Domain, verbose_name=_("所属领域"), on_delete=models.PROTECT, related_name="matters")
    origin_department = models.ForeignKey(
        Agency, verbose_name=_("实施主体"), on_delete=models.PROTECT, related_name="originated_matters"
    )
    supervising_department = models.ForeignKey(
        Agency,
        verbose_name=_("监管部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_matters",
    )
    violated_provision = models.TextField(_("违法依据"), blank=True)
    penalty_provision = models.TextField(_("处罚依据"), blank=True)
    first_offense_exempt = models.BooleanField(_("首违不罚"), default=False)
    safety_critical = models.BooleanField(_("安全关键"), default=False)
    in_guidance_catalogue = models.BooleanField(_("纳入指导目录"), default=False)
    status = FSMField(
        _("状态"), max_length=16, choices=MatterStatus.choices, default=MatterStatus.IN_FORCE, db_index=True,
        protected=True,
    )
    status_changed_on = models.DateField(_("状态变更日期"), null=True, blank=True)
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_to = models.DateField(_("有效期止"), null=True, blank=True)
    remarks = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Who changed what and when (the request user comes from the history middleware).
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = MatterQuerySet.as_manager()

    class Meta:
        verbose_name = _("执法事项")
        verbose_name_plural = _("执法事项")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="matter_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def effective_supervisor_id(self) -> int:
        """The supervising department; the origin department when none is named."""
        return self.supervising_department_id or self.origin_department_id

    # --- transitions: called only by perform_transition (enforcement.catalogue.services) ---
    #
    # ``on`` is the day the new status applies; ``by`` and ``reason`` go on the history row.

    @transition(field=status, source=MatterStatus.IN_FORCE, target=MatterStatus.SUSPENDED,
                permission=can_manage_matter, custom={"label": pgettext_lazy("matter action", "暂停")})
    def suspend(self, *, by, on: dt.date, reason: str = ""):
        self._status_changed(by=by, on=on, reason=reason, status=MatterStatus.SUSPENDED)

    @transition(field=status, source=MatterStatus.SUSPENDED, target=MatterStatus.IN_FORCE,
                permission=can_manage_matter, custom={"label": pgettext_lazy("matter action", "恢复")})
    def reinstate(self, *, by, on: dt.date, reason: str = ""):
        self._status_changed(by=by, on=on, reason=reason, status=MatterStatus.IN_FORCE)

    @transition(field=status, source=[MatterStatus.IN_FORCE, MatterStatus.SUSPENDED], target=MatterStatus.REPEALED,
                permission=can_manage_matter, custom={"label": pgettext_lazy("matter action", "废止")})
    def repeal(self, *, by, on: dt.date, reason: str = ""):
        # The matter applies up to the day before ``on`` (its grants are ended by the service).
        last_day = on - dt.timedelta(days=1)
        if self.valid_to is None or self.valid_to > last_day:
            self.valid_to = last_day
        self._status_changed(by=by, on=on, reason=reason, status=MatterStatus.REPEALED)

    def _status_changed(self, *, by, on: dt.date, reason: str, status: str) -> None:
        self.status_changed_on = on
        # auto_now is written only when named in update_fields: a changed value is.
        self.updated_at = timezone.now()
        # django-simple-history reads these when the row is saved.
        self._history_user = by
        self._change_reason = reason or _("状态改为“%(status)s”") % {"status": MatterStatus(status).label}


class DiscretionTier(models.Model):
    """One tier of a matter's discretion standard: circumstances -> penalty kinds and fine range."""

    matter = models.ForeignKey(Matter, verbose_name=_("执法事项"), on_delete=models.CASCADE, related_name="tiers")
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    level = models.CharField(_("裁量等级"), max_length=40)
    circumstances = models.TextField(_("违法情节"), blank=True)
    # PenaltyKind codes.
    penalty_kinds = models.JSONField(_("处罚种类"), default=list, blank=True)
    fine_min = models.DecimalField(_("罚款下限"), max_digits=14, decimal_places=2, null=True, blank=True)
    fine_max = models.DecimalField(_("罚款上限"), max_digits=14, decimal_places=2, null=True, blank=True)
    fine_unit = models.CharField(_("罚款单位"), max_length=10, choices=FineUnit.choices, default=FineUnit.YUAN)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("裁量基准")
        verbose_name_plural = _("裁量基准")
        ordering = ["matter_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "order"], name="tier_unique_order"),
            models.CheckConstraint(
                condition=Q(fine_min__isnull=True) | Q(fine_max__isnull=True) | Q(fine_max__gte=F("fine_min")),
                name="tier_fine_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level}"

    def penalty_kind_labels(self) -> list[str]:
        labels = dict(PenaltyKind.choices)
        return [str(labels.get(k, k)) for k in self.penalty_kinds]


class PowerGrantQuerySet(models.QuerySet):
    def valid_on(self, day: dt.date) -> PowerGrantQuerySet:
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)

    def non_empty(self) -> PowerGrantQuerySet:
        # A grant ended on (or before) its first day has an empty interval: it never applied.
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")))

    def county_wide(self) -> PowerGrantQuerySet:
        return self.filter(township__isnull=True)

    def visible_to(self, user) -> PowerGrantQuerySet:
        # Who holds which power is public knowledge (the devolved-powers list is published).
        if user is None or not user.is_authenticated:
            return self.none()
        return self


class PowerGrant(models.Model):
    """Matter x holder x (township or county-wide) x mode x validity: who may act.

    Rows are never deleted: a grant is ended by setting ``valid_to`` (the last
    day it applies) so that past answers of ``holder_of`` never change.
    """

    matter = models.ForeignKey(Matter, verbose_name=_("执法事项"), on_delete=models.PROTECT, related_name="grants")
    holder = models.ForeignKey(Agency, verbose_name=_("行使主体"), on_delete=models.PROTECT, related_name="held_grants")
    # Null: county-wide (transferred to the bureau, or kept by the department everywhere).
    township = models.ForeignKey(
        Agency,
        verbose_name=_("乡镇/街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="township_grants",
        limit_choices_to={"kind__in": TOWNSHIP_KINDS},
    )
    mode = models.CharField(_("行使方式"), max_length=20, choices=GrantMode.choices, db_index=True)
    # Entrusted: the department in whose name the township acts.
    # Hub-and-spoke: the township the hub team acts for.
    acting_for = models.ForeignKey(
        Agency,
        verbose_name=_("以谁名义/代为行使"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grants_acted_for",
    )
    valid_from = models.DateField(_("生效日期"))
    # The last day the grant applies; null = open-ended.
    valid_to = models.DateField(_("截止日期"), null=True, blank=True)
    source_kind = models.CharField(_("来源"), max_length=16, choices=GrantSource.choices, default=GrantSource.MANUAL)
    source_ref = models.CharField(_("来源文号/批次"), max_length=120, blank=True)
    # The devolution app writes its batch id here (enforcement never imports devolution).
    source_batch_id = models.BigIntegerField(_("赋权批次编号"), null=True, blank=True, db_index=True)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("终止操作时间"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("终止人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    end_reason = models.TextField(_("终止原因"), blank=True)

    objects = PowerGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("权力授予")
        verbose_name_plural = _("权力授予")
        ordering = ["matter_id", "township_id", "valid_from"]
        indexes = [models.Index(fields=["matter", "township", "valid_from"], name="grant_matter_town_from")]

    def __str__(self) -> str:
        return f"{self.matter_id} → {self.holder_id} ({self.get_mode_display()})"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def is_empty(self) -> bool:
        return self.valid_to is not None and self.valid_to < self.valid_from
