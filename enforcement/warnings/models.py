"""Warning-first enforcement (预警执法): the county's warning list and the warnings issued under it.

* :class:`WarningMatter` - the county's warning list (预警执法事项清单): per catalogue matter,
  whether warning-first applies, the conditions the officer confirms (for example first
  occurrence, no harm), the correction period in working days and the repeat period within
  which a second warning to the same party for the same matter is refused (it goes to a case).
  Kept by administrators; every change is recorded with who made it and why (``history``).
* :class:`WarningNotice` - a warning notice (责令改正通知书) or the party's written commitment to
  correct (告知承诺), with the correction deadline and its re-check: corrected -> closed as
  self-corrected; not corrected -> a case lead with the history attached.

Every state change goes through :mod:`enforcement.warnings.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from enforcement.access import scope_for
from enforcement.cases.choices import WarningLevel
from enforcement.catalogue.models import Matter
from enforcement.inspections.models import InspectionObject, InspectionRecord
from enforcement.models.agencies import TOWNSHIP_KINDS, Agency
from enforcement.warnings.choices import WarningKind, WarningStatus
from enforcement.warnings.permissions import can_handle_warning
from enforcement.workflow import FSMField, WorkflowModel

# Defaults of a new warning-list entry (the county changes them per matter).
DEFAULT_CORRECTION_WORKDAYS = 10
DEFAULT_REPEAT_DAYS = 365


class WarningMatter(models.Model):
    """One matter on the county's warning list (预警执法事项清单)."""

    matter = models.OneToOneField(
        Matter, verbose_name=_("执法事项"), on_delete=models.PROTECT, related_name="warning_entry"
    )
    is_active = models.BooleanField(_("适用预警执法"), default=True)
    # One condition per line; the officer confirms each before issuing a warning.
    conditions = models.TextField(
        _("适用条件"),
        default="初次违法\n危害后果轻微\n能够及时改正",
        help_text=_("每行一个条件，执法人员出具预警前须逐项确认。"),
    )
    correction_workdays = models.PositiveSmallIntegerField(
        _("改正期限（工作日）"),
        default=DEFAULT_CORRECTION_WORKDAYS,
        help_text=_("《行政处罚法》第二十八条未规定改正期限，按本县确定的期限。"),
    )
    repeat_days = models.PositiveSmallIntegerField(
        _("再次违法期间（日）"),
        default=DEFAULT_REPEAT_DAYS,
        help_text=_("同一当事人同一事项在此期间内再次违法的，不再预警，转为案件办理。"),
    )
    reason = models.CharField(
        _("调整理由"), max_length=300, blank=True, help_text=_("例如：本县预警执法清单的文件名称、文号。")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("预警执法事项")
        verbose_name_plural = _("预警执法事项清单")
        ordering = ["matter__code"]
        constraints = [
            models.CheckConstraint(condition=Q(correction_workdays__gte=1), name="warning_matter_period_positive"),
        ]

    def __str__(self) -> str:
        return str(self.matter)

    @property
    def condition_list(self) -> list[str]:
        return [line.strip() for line in self.conditions.splitlines() if line.strip()]


class WarningQuerySet(models.QuerySet):
    def visible_to(self, user) -> WarningQuerySet:
        """The county sees all; an agency its own warnings and those in its township."""
        if user is None or not user.is_authenticated:
            return self.none()
        scope = scope_for(user)
        if scope.county_wide:
            return self
        return self.filter(Q(agency_id__in=scope.agency_ids) | Q(township_id__in=scope.township_ids))

    def open(self) -> WarningQuerySet:
        return self.filter(status=WarningStatus.ISSUED)


def commitment_path(instance: WarningNotice, filename: str) -> str:
    return f"warnings/{instance.number}/{instance.commitment_sha256[:16]}-{filename}"


class WarningNotice(WorkflowModel):
    """A warning notice (责令改正通知书) or a written commitment to correct (告知承诺)."""

    number = models.CharField(_("文书编号"), max_length=40, unique=True)
    kind = models.CharField(_("方式"), max_length=16, choices=WarningKind.choices, default=WarningKind.NOTICE)
    status = FSMField(
        _("状态"), choices=WarningStatus.choices, default=WarningStatus.ISSUED, protected=True, db_index=True
    )
    agency = models.ForeignKey(Agency, verbose_name=_("执法单位"), on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey(
        Agency,
        verbose_name=_("乡镇/街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind__in": TOWNSHIP_KINDS},
    )
    matter = models.ForeignKey(Matter, verbose_name=_("执法事项"), on_delete=models.PROTECT, related_name="+")
    # The party: an object of the directory when there is one, its details copied as on the day.
    object = models.ForeignKey(
        InspectionObject,
        verbose_name=_("检查对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="warnings",
    )
    party_kind = models.CharField(_("当事人类型"), max_length=16)
    party_name = models.CharField(_("当事人"), max_length=200)
    party_id_number = models.CharField(_("统一社会信用代码/身份证号"), max_length=40, blank=True, db_index=True)
    party_address = models.CharField(_("地址"), max_length=300, blank=True)
    party_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    party_legal_rep = models.CharField(_("法定代表人或负责人"), max_length=100, blank=True)
    record = models.ForeignKey(
        InspectionRecord,
        verbose_name=_("检查记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="warnings",
    )
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("执法人员"), related_name="+")
    facts = models.TextField(_("违法事实"))
    conditions_confirmed = models.JSONField(_("已确认的适用条件"), default=list, blank=True)
    issued_on = models.DateField(_("出具日期"), db_index=True)
    correction_workdays = models.PositiveSmallIntegerField(_("改正期限（工作日）"))
    correction_due_at = models.DateTimeField(_("改正期限"), db_index=True)
    due_provisional = models.BooleanField(_("期限待节假日安排确认"), default=False)
    # 告知承诺: the party's written commitment and its scan, hashed like evidence.
    commitment_text = models.TextField(_("承诺内容"), blank=True)
    commitment_file = models.FileField(_("承诺书"), upload_to=commitment_path, max_length=300, blank=True)
    commitment_name = models.CharField(_("承诺书文件名"), max_length=200, blank=True)
    commitment_sha256 = models.CharField(_("承诺书SHA-256"), max_length=64, blank=True)
    rechecked_on = models.DateField(_("复查日期"), null=True, blank=True)
    recheck_note = models.TextField(_("复查情况"), blank=True)
    rechecked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复查人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case = models.ForeignKey(
        "enforcement.Case",
        verbose_name=_("案件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="warnings",
    )
    warning_level = models.CharField(
        _("亮灯"), max_length=8, choices=WarningLevel.choices, default=WarningLevel.NONE, db_index=True
    )
    warning_changed_at = models.DateTimeField(_("亮灯时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("出具人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = WarningQuerySet.as_manager()

    class Meta:
        verbose_name = _("预警（责令改正）")
        verbose_name_plural = _("预警（责令改正）")
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(fields=["agency", "issued_on"], name="warning_agency_day"),
            models.Index(fields=["matter", "party_id_number"], name="warning_matter_party"),
        ]

    def __str__(self) -> str:
        return self.number

    @transition(
        field=status,
        source=WarningStatus.ISSUED,
        target=WarningStatus.CORRECTED,
        permission=can_handle_warning,
        custom={"label": _("复查：已改正")},
    )
    def correct(self, *, by, on, note: str = ""):
        self.rechecked_on = on
        self.rechecked_by = by
        self.recheck_note = note
        self.warning_level = WarningLevel.NONE

    @transition(
        field=status,
        source=WarningStatus.ISSUED,
        target=WarningStatus.TURNED_TO_CASE,
        permission=can_handle_warning,
        custom={"label": _("复查：逾期未改正，转案件线索")},
    )
    def escalate(self, *, by, on, case, note: str = ""):
        self.rechecked_on = on
        self.rechecked_by = by
        self.recheck_note = note
        self.case = case
        self.warning_level = WarningLevel.NONE
