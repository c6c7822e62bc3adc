"""Coercive measures (行政强制措施: sealing 查封, seizure 扣押) and the enforcement of decisions (行政强制执行).

Administrative Coercion Law (2011). States change only through
:mod:`enforcement.coercion.services` (``enforcement.workflow.perform_transition``);
the periods come from the one table of legal rules
(:mod:`enforcement.cases.legal_rules`, section "Administrative Coercion Law").
Dates, kinds and states are plain indexed fields: the annual disclosure report
counts them (:func:`enforcement.coercion.selectors.annual_figures`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from enforcement.cases.choices import PartyKind
from enforcement.cases.models import Case
from enforcement.catalogue.models import Matter
from enforcement.coercion.choices import (
    ACTIVE_MEASURE_STATES,
    ConversionKind,
    CourtOutcome,
    ExecutionConclusion,
    ExecutionStatus,
    MeasureKind,
    MeasureObject,
    MeasureStatus,
    ReleaseReason,
    SignatureStatus,
    WarningLevel,
)
from enforcement.coercion.permissions import can_handle, is_head
from enforcement.models.agencies import Agency, Certificate
from enforcement.workflow import FSMField, WorkflowModel


class CoercionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """County-wide users see every row; others the rows of their agencies (404 otherwise)."""
        from enforcement.access import scope_for

        if user is None or not user.is_authenticated:
            return self.none()
        scope = scope_for(user)
        if scope.all_cases:
            return self
        return self.filter(agency_id__in=scope.agency_ids)


class CoerciveMeasure(WorkflowModel):
    """One sealing or seizure (查封、扣押) with its decision, on-site record, items and period."""

    number = models.CharField(_("登记号"), max_length=40, unique=True)
    decision_number = models.CharField(_("决定书文号"), max_length=80, blank=True)
    kind = models.CharField(_("措施种类"), max_length=16, choices=MeasureKind.choices, db_index=True)
    object_kind = models.CharField(
        _("对象"), max_length=16, choices=MeasureObject.choices, default=MeasureObject.PROPERTY
    )
    status = FSMField(
        _("状态"), choices=MeasureStatus.choices, default=MeasureStatus.DRAFT, protected=True, db_index=True
    )

    agency = models.ForeignKey(
        Agency, verbose_name=_("实施机关"), on_delete=models.PROTECT, related_name="coercive_measures"
    )
    township = models.ForeignKey(
        Agency,
        verbose_name=_("所在乡镇/街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coercive_measures_in_township",
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("关联案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coercive_measures",
    )
    matter = models.ForeignKey(
        Matter,
        verbose_name=_("执法事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coercive_measures",
    )

    # Art. 24(1): the party.
    party_kind = models.CharField(_("当事人类型"), max_length=16, choices=PartyKind.choices)
    party_name = models.CharField(_("当事人"), max_length=200)
    party_id_number = models.CharField(_("身份证件号码/统一社会信用代码"), max_length=40, blank=True)
    party_address = models.CharField(_("住所/地址"), max_length=300, blank=True)
    party_phone = models.CharField(_("联系电话"), max_length=40, blank=True)

    # Art. 24(2)-(4): reasons and basis, place.
    reasons = models.TextField(_("查封、扣押的理由"))
    legal_basis = models.TextField(_("查封、扣押的依据"))
    place = models.CharField(_("查封、扣押地点"), max_length=300)

    # Art. 18(6)-(8): the on-site record (现场笔录) and its signature.
    taken_at = models.DateTimeField(_("实施时间"), null=True, blank=True, db_index=True)
    onsite_record = models.TextField(_("现场笔录"), blank=True)
    signature = models.CharField(_("签名情况"), max_length=16, choices=SignatureStatus.choices, blank=True)
    witness = models.CharField(_("见证人"), max_length=100, blank=True)
    party_notified = models.BooleanField(_("已通知当事人到场"), default=False)

    # Art. 19: an emergency measure taken on the spot is reported to the head within 24 hours.
    is_emergency = models.BooleanField(_("情况紧急当场实施"), default=False)
    approval_due_at = models.DateTimeField(_("补办批准期限"), null=True, blank=True)
    approved_at = models.DateTimeField(_("负责人批准时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # Art. 24(5), 25: the period (at most 30 days), extended once by at most 30 days.
    decided_on = models.DateField(_("决定日期"), null=True, blank=True, db_index=True)
    period_days = models.PositiveSmallIntegerField(_("期限（日）"))
    ends_at = models.DateTimeField(_("期限届满"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("延长天数"), default=0)
    extended_on = models.DateField(_("延长决定日期"), null=True, blank=True, db_index=True)
    extension_reason = models.TextField(_("延长理由"), blank=True)
    extension_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("延长批准负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # Art. 28: release with reasons and the return of the items; art. 27: a decision on the items.
    released_on = models.DateField(_("解除日期"), null=True, blank=True, db_index=True)
    release_reason = models.CharField(_("解除理由"), max_length=20, choices=ReleaseReason.choices, blank=True)
    release_note = models.TextField(_("解除说明"), blank=True)
    converted_on = models.DateField(_("处理决定日期"), null=True, blank=True, db_index=True)
    conversion = models.CharField(_("处理方式"), max_length=16, choices=ConversionKind.choices, blank=True)
    conversion_note = models.TextField(_("处理决定"), blank=True)

    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="MeasureOfficer", verbose_name=_("执法人员"), related_name="coercive_measures"
    )

    # Deadline warnings (亮灯), kept by the sweep (enforcement.coercion.services.sweep_coercion_warnings).
    warning_level = models.CharField(
        _("预警"), max_length=8, choices=WarningLevel.choices, default=WarningLevel.NONE, db_index=True
    )
    warning_key = models.CharField(_("预警事项"), max_length=30, blank=True)
    warning_due_at = models.DateTimeField(_("预警期限"), null=True, blank=True)
    warning_changed_at = models.DateTimeField(_("预警变更时间"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CoercionQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政强制措施")
        verbose_name_plural = _("行政强制措施")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "status"], name="coercion_agency_status"),
            models.Index(fields=["status", "warning_level"], name="coercion_status_warning"),
        ]
        constraints = [
            # Art. 25: at most 30 days, extended by at most 30 days (the services refuse with the article first).
            models.CheckConstraint(condition=Q(period_days__gte=1, period_days__lte=30), name="coercion_period_30"),
            models.CheckConstraint(condition=Q(extension_days__lte=30), name="coercion_extension_30"),
        ]

    def __str__(self) -> str:
        return self.decision_number or self.number

    @property
    def display_number(self) -> str:
        return self.decision_number or self.number

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_MEASURE_STATES

    @property
    def ends_on(self) -> dt.date | None:
        return timezone.localtime(self.ends_at).date() if self.ends_at else None

    # --- transitions (run only through enforcement.workflow.perform_transition) ----------

    @transition(
        field=status,
        source=MeasureStatus.DRAFT,
        target=MeasureStatus.IN_FORCE,
        permission=can_handle,
        custom={"label": _("实施")},
    )
    def enforce(self, *, by, values: dict) -> None:
        for name, value in values.items():
            setattr(self, name, value)

    @transition(
        field=status,
        source=MeasureStatus.IN_FORCE,
        target=MeasureStatus.IN_FORCE,
        permission=is_head,
        custom={"label": _("负责人补办批准")},
    )
    def approve(self, *, by, at: dt.datetime) -> None:
        self.approved_at = at
        self.approved_by = by

    @transition(
        field=status,
        source=MeasureStatus.IN_FORCE,
        target=MeasureStatus.EXTENDED,
        permission=is_head,
        custom={"label": _("延长期限")},
    )
    def extend(self, *, by, values: dict) -> None:
        for name, value in values.items():
            setattr(self, name, value)

    @transition(
        field=status,
        source=ACTIVE_MEASURE_STATES,
        target=MeasureStatus.RELEASED,
        permission=can_handle,
        custom={"label": _("解除")},
    )
    def release(self, *, by, values: dict) -> None:
        for name, value in values.items():
            setattr(self, name, value)

    @transition(
        field=status,
        source=ACTIVE_MEASURE_STATES,
        target=MeasureStatus.CONVERTED,
        permission=can_handle,
        custom={"label": _("作出处理决定")},
    )
    def convert(self, *, by, values: dict) -> None:
        for name, value in values.items():
            setattr(self, name, value)


class MeasureOfficer(models.Model):
    """Art. 18(2): at least two officers with certificates valid on the day."""

    measure = models.ForeignKey(CoerciveMeasure, on_delete=models.CASCADE, related_name="measure_officers")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("执法人员"), on_delete=models.PROTECT, related_name="+"
    )
    certificate = models.ForeignKey(Certificate, verbose_name=_("执法证"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("实施人员")
        verbose_name_plural = _("实施人员")
        constraints = [models.UniqueConstraint(fields=["measure", "officer"], name="coercion_officer_once")]

    def __str__(self) -> str:
        return str(self.officer)


class SeizedItem(models.Model):
    """Art. 24(3): one line of the list of items (清单), with custody (art. 26) and return (art. 28)."""

    measure = models.ForeignKey(CoerciveMeasure, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("名称"), max_length=200)
    specification = models.CharField(_("规格型号"), max_length=200, blank=True)
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2, default=1)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    custody_place = models.CharField(_("保管地点"), max_length=200, blank=True)
    keeper = models.CharField(_("保管人"), max_length=100, blank=True)
    returned_on = models.DateField(_("退还日期"), null=True, blank=True)
    returned_to = models.CharField(_("退还对象"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("查封、扣押物品")
        verbose_name_plural = _("查封、扣押物品")
        ordering = ["measure_id", "id"]

    def __str__(self) -> str:
        return self.name


class Execution(WorkflowModel):
    """Enforcement of a decision by application to the court (申请人民法院强制执行, art. 53-54).

    The decision enforced is usually a penalty decision (``case``); the
    reminder (催告, art. 35) is served first, the application to the court
    may follow ten working days after its service (art. 54, art. 69), within
    three months after the periods for reconsideration and litigation have
    run out (art. 53).
    """

    number = models.CharField(_("登记号"), max_length=40, unique=True)
    status = FSMField(
        _("状态"), choices=ExecutionStatus.choices, default=ExecutionStatus.DRAFT, protected=True, db_index=True
    )
    agency = models.ForeignKey(Agency, verbose_name=_("申请机关"), on_delete=models.PROTECT, related_name="executions")
    case = models.ForeignKey(
        Case,
        verbose_name=_("据以执行的案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="executions",
    )
    decision_number = models.CharField(_("行政决定文号"), max_length=80)
    decision_served_on = models.DateField(_("行政决定送达日期"))
    obligation = models.TextField(_("当事人应当履行的义务"))
    party_kind = models.CharField(_("当事人类型"), max_length=16, choices=PartyKind.choices)
    party_name = models.CharField(_("当事人"), max_length=200)
    party_id_number = models.CharField(_("身份证件号码/统一社会信用代码"), max_length=40, blank=True)
    party_address = models.CharField(_("住所/地址"), max_length=300, blank=True)

    # Art. 35: the written reminder, with the time given to perform.
    reminder_number = models.CharField(_("催告书文号"), max_length=80, blank=True)
    reminder_issued_on = models.DateField(_("催告日期"), null=True, blank=True, db_index=True)
    reminder_served_on = models.DateField(_("催告书送达日期"), null=True, blank=True, db_index=True)
    perform_by = models.DateField(_("履行期限"), null=True, blank=True)
    # Art. 54 with art. 69: ten working days after service. Art. 53: three months after the appeal periods.
    court_earliest_at = models.DateTimeField(_("可申请法院执行起始"), null=True, blank=True)
    window_opens_on = models.DateField(_("复议、诉讼期限届满日"), null=True, blank=True)
    window_ends_at = models.DateTimeField(_("申请法院执行截止"), null=True, blank=True)

    court_applied_on = models.DateField(_("申请法院执行日期"), null=True, blank=True, db_index=True)
    court_name = models.CharField(_("人民法院"), max_length=200, blank=True)
    court_reference = models.CharField(_("法院案号"), max_length=100, blank=True)
    court_outcome = models.CharField(_("法院裁定"), max_length=16, choices=CourtOutcome.choices, blank=True)
    court_decided_on = models.DateField(_("裁定日期"), null=True, blank=True)
    concluded_on = models.DateField(_("终结日期"), null=True, blank=True, db_index=True)
    conclusion = models.CharField(
        _("终结方式"), max_length=16, choices=ExecutionConclusion.choices, blank=True, db_index=True
    )
    note = models.TextField(_("说明"), blank=True)

    warning_level = models.CharField(
        _("预警"), max_length=8, choices=WarningLevel.choices, default=WarningLevel.NONE, db_index=True
    )
    warning_key = models.CharField(_("预警事项"), max_length=30, blank=True)
    warning_due_at = models.DateTimeField(_("预警期限"), null=True, blank=True)
    warning_changed_at = models.DateTimeField(_("预警变更时间"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)

    objects = CoercionQuerySet.as_manager()

    class Meta:
        verbose_name = _("申请法院强制执行")
        verbose_name_plural = _("申请法院强制执行")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "status"], name="execution_agency_status")]

    def __str__(self) -> str:
        return self.number

    @transition(
        field=status,
        source=ExecutionStatus.DRAFT,
        target=ExecutionStatus.REMINDED,
        permission=can_handle,
        custom={"label": _("送达催告书")},
    )
    def remind(self, *, by, values: dict) -> None:
        for name, value in values.items():
            setattr(self, name, value)

    @transition(
        field=status,
        source=ExecutionStatus.REMINDED,
        target=ExecutionStatus.APPLIED,
        permission=can_handle,
        custom={"label": _("申请法院强制执行")},
    )
    def apply_to_court(self, *, by, values: dict) -> None:
        for name, value in values.items():
            setattr(self, name, value)

    @transition(
        field=status,
        source=(ExecutionStatus.DRAFT, ExecutionStatus.REMINDED, ExecutionStatus.APPLIED),
        target=ExecutionStatus.CONCLUDED,
        permission=can_handle,
        custom={"label": _("终结")},
    )
    def conclude(self, *, by, values: dict) -> None:
        for name, value in values.items():
            setattr(self, name, value)
