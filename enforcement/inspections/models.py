"""Inspections (行政检查): who may be inspected, spot-check plans and their draws, records and joint visits.

* :class:`InspectionObject` - the directory of inspectable parties (检查对象名录库).
* The officer pool (执法检查人员名录库) is not a table of its own: an officer of
  agency A is in A's pool when an active :class:`~enforcement.models.Membership`
  ties them to A, and is *certified on day D* when a non-revoked
  :class:`~enforcement.models.Certificate` covers D (``Certificate.objects.valid_on``).
* :class:`CheckPlan` - a double-random spot-check plan (双随机、一公开): the draw
  (objects and officers from the stored seed) writes :class:`InspectionTask` rows.
* :class:`InspectionRecord` - one inspection on site (现场检查笔录) with its
  officers, per-matter/per-agency :class:`RecordFinding` rows and hashed
  :class:`RecordAttachment` evidence. A record is handled with one action
  (``enforcement.inspections.actions``): no problem, warning, case lead, ticket.
* :class:`JointScenario` (admin) and :class:`JointVisit` - "inspect once"
  visits (综合查一次) of several agencies producing one record.

Every state change goes through :mod:`enforcement.inspections.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from enforcement.access import scope_for
from enforcement.catalogue.models import Domain, Matter
from enforcement.inspections.choices import (
    CreditLevel,
    Disposition,
    FindingResult,
    ObjectKind,
    Outcome,
    PlanStatus,
    RecordStatus,
    RiskLevel,
    SignatureStatus,
    TaskStatus,
    VisitStatus,
)
from enforcement.inspections.permissions import can_handle_record, can_manage_plan, sees_all_objects
from enforcement.models.agencies import TOWNSHIP_KINDS, Agency, Certificate
from enforcement.models.grids import Grid
from enforcement.workflow import FSMField, WorkflowModel

# --- the object directory ------------------------------------------------------------------------


class InspectionObjectQuerySet(models.QuerySet):
    def visible_to(self, user) -> InspectionObjectQuerySet:
        """Departments and the county see every object, a township (or its stationed squadron) its own."""
        if user is None or not user.is_authenticated:
            return self.none()
        if sees_all_objects(user):
            return self
        return self.filter(township_id__in=scope_for(user).township_ids)

    def active(self) -> InspectionObjectQuerySet:
        return self.filter(is_active=True)


class InspectionObject(models.Model):
    """An inspectable party: a business, a site or an individual holding a licence (检查对象)."""

    kind = models.CharField(_("对象类型"), max_length=16, choices=ObjectKind.choices, db_index=True)
    name = models.CharField(_("名称/姓名"), max_length=200)
    # Unified social credit code (统一社会信用代码, 18 characters) for businesses, ID number for individuals.
    identifier = models.CharField(_("统一社会信用代码/身份证号"), max_length=40, blank=True, db_index=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    township = models.ForeignKey(
        Agency,
        verbose_name=_("乡镇/街道"),
        on_delete=models.PROTECT,
        related_name="inspection_objects",
        limit_choices_to={"kind__in": TOWNSHIP_KINDS},
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("网格"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspection_objects",
    )
    domains = models.ManyToManyField(Domain, verbose_name=_("适用领域"), blank=True, related_name="inspection_objects")
    matters = models.ManyToManyField(
        Matter,
        verbose_name=_("适用检查事项"),
        blank=True,
        related_name="inspection_objects",
        limit_choices_to={"power_type": "inspection"},
    )
    risk_level = models.CharField(
        _("风险等级"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.LOW, db_index=True
    )
    credit_level = models.CharField(
        _("信用等级"), max_length=2, choices=CreditLevel.choices, default=CreditLevel.B, db_index=True
    )
    # Officers who must never be drawn to inspect it: their own or their family's business (回避).
    conflicted_officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("需回避的执法人员"),
        blank=True,
        related_name="conflicted_objects",
    )
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    is_active = models.BooleanField(_("在册"), default=True, db_index=True)
    closed_on = models.DateField(_("注销/关闭日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = InspectionObjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查对象")
        verbose_name_plural = _("检查对象名录库")
        ordering = ["township_id", "name", "id"]
        indexes = [models.Index(fields=["township", "is_active"], name="insp_object_township_active")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "identifier"], condition=~Q(identifier=""), name="insp_object_unique_identifier"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_individual(self) -> bool:
        return self.kind == ObjectKind.INDIVIDUAL

    @property
    def is_priority(self) -> bool:
        """High risk or low credit: drawn at the plan's higher ratio."""
        return self.risk_level == RiskLevel.HIGH or self.credit_level in (CreditLevel.C, CreditLevel.D)


# --- double-random spot checks -------------------------------------------------------------------


class CheckPlanQuerySet(models.QuerySet):
    def visible_to(self, user) -> CheckPlanQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        scope = scope_for(user)
        if scope.county_wide:
            return self
        ids = scope.agency_ids
        return self.filter(Q(lead_agency_id__in=ids) | Q(agencies__in=ids)).distinct()


class CheckPlan(WorkflowModel):
    """A double-random spot-check plan (双随机抽查计划) for one period; joint (联合抽查) with several agencies."""

    number = models.CharField(_("计划编号"), max_length=40, unique=True)
    title = models.CharField(_("计划名称"), max_length=200)
    status = FSMField(_("状态"), choices=PlanStatus.choices, default=PlanStatus.DRAFT, protected=True, db_index=True)
    lead_agency = models.ForeignKey(
        Agency, verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="led_check_plans"
    )
    # Every agency taking part, the lead included; more than one makes the plan joint.
    agencies = models.ManyToManyField(Agency, verbose_name=_("参与单位"), related_name="check_plans")
    matters = models.ManyToManyField(
        Matter, verbose_name=_("抽查事项"), related_name="check_plans", limit_choices_to={"power_type": "inspection"}
    )
    townships = models.ManyToManyField(
        Agency,
        verbose_name=_("抽查范围（乡镇/街道，空为全县）"),
        blank=True,
        related_name="check_plans_in",
        limit_choices_to={"kind__in": TOWNSHIP_KINDS},
    )
    period_start = models.DateField(_("检查期起"))
    period_end = models.DateField(_("检查期止"), help_text=_("抽中对象的检查任务以此为完成期限"))
    # Draw rules: a number of objects, or a share of the population; priority objects at their own share.
    sample_count = models.PositiveIntegerField(_("抽取对象数"), null=True, blank=True)
    sample_share = models.DecimalField(
        _("一般对象抽取比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    priority_share = models.DecimalField(
        _("高风险/低信用对象抽取比例（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("高风险或C、D级信用对象按此比例抽取；空则与一般对象相同"),
    )
    officers_per_object = models.PositiveSmallIntegerField(_("每个对象的检查人员数"), default=2)
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人员库（空为参与单位全部持证人员）"),
        blank=True,
        related_name="check_plans",
    )
    seed = models.BigIntegerField(_("随机种子"))
    digest = models.CharField(_("抽取结果摘要"), max_length=64, blank=True)
    publish_within_workdays = models.PositiveSmallIntegerField(_("结果公示期限（工作日）"), default=20)
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True, db_index=True)
    publish_due = models.DateField(_("公示截止日"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = CheckPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("抽查计划")
        verbose_name_plural = _("抽查计划")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="checkplan_period"),
            models.CheckConstraint(condition=Q(officers_per_object__gte=2), name="checkplan_two_officers"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @transition(
        field=status,
        source=PlanStatus.DRAFT,
        target=PlanStatus.DRAWN,
        permission=can_manage_plan,
        custom={"label": _("抽取")},
    )
    def draw(self, *, by, digest: str, drawn_at):
        self.digest = digest
        self.drawn_at = drawn_at

    @transition(
        field=status,
        source=PlanStatus.DRAWN,
        target=PlanStatus.DRAFT,
        permission=can_manage_plan,
        custom={"label": _("退回草拟")},
    )
    def reopen(self, *, by):
        self.digest = ""
        self.drawn_at = None

    @transition(
        field=status,
        source=PlanStatus.DRAWN,
        target=PlanStatus.IN_PROGRESS,
        permission=can_manage_plan,
        custom={"label": _("下达任务")},
    )
    def start(self, *, by):
        pass

    @transition(
        field=status,
        source=PlanStatus.IN_PROGRESS,
        target=PlanStatus.PUBLISHED,
        permission=can_manage_plan,
        custom={"label": _("公示结果")},
    )
    def publish(self, *, by, published_at):
        self.published_at = published_at


class InspectionTaskQuerySet(models.QuerySet):
    def visible_to(self, user) -> InspectionTaskQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        scope = scope_for(user)
        if scope.county_wide:
            return self
        return self.filter(Q(agency_id__in=scope.agency_ids) | Q(officers=user)).distinct()


class InspectionTask(models.Model):
    """One drawn object of a plan, with the officers drawn to inspect it and the result."""

    plan = models.ForeignKey(CheckPlan, verbose_name=_("抽查计划"), on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveIntegerField(_("抽取序号"))
    object = models.ForeignKey(
        InspectionObject, verbose_name=_("检查对象"), on_delete=models.PROTECT, related_name="tasks"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("检查单位"), on_delete=models.PROTECT, related_name="+")
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TaskOfficer", verbose_name=_("检查人员"), related_name="inspection_tasks"
    )
    due_date = models.DateField(_("完成期限"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.PENDING, db_index=True
    )
    outcome = models.CharField(_("检查结果"), max_length=24, choices=Outcome.choices, blank=True, db_index=True)
    checked_on = models.DateField(_("检查日期"), null=True, blank=True, db_index=True)

    objects = InspectionTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查任务")
        verbose_name_plural = _("检查任务")
        ordering = ["plan_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="insp_task_position"),
            models.UniqueConstraint(fields=["plan", "object"], name="insp_task_object_once"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.number}#{self.position}"


class TaskOfficer(models.Model):
    task = models.ForeignKey(InspectionTask, on_delete=models.CASCADE, related_name="task_officers")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ordinal = models.PositiveSmallIntegerField(_("顺序"))

    class Meta:
        verbose_name = _("任务检查人员")
        verbose_name_plural = _("任务检查人员")
        ordering = ["task_id", "ordinal"]
        constraints = [models.UniqueConstraint(fields=["task", "officer"], name="insp_task_officer_once")]

    def __str__(self) -> str:
        return f"{self.task_id}/{self.officer_id}"


# --- joint scenarios and visits ------------------------------------------------------------------


class JointScenario(models.Model):
    """An "inspect once" scenario (综合查一次场景, e.g. 餐饮店): matters of several departments checked together."""

    code = models.CharField(_("场景编码"), max_length=40, unique=True)
    name = models.CharField(_("场景名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    matters = models.ManyToManyField(Matter, verbose_name=_("检查事项"), related_name="joint_scenarios")
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("联合检查场景")
        verbose_name_plural = _("联合检查场景")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class JointVisitQuerySet(models.QuerySet):
    def visible_to(self, user) -> JointVisitQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        scope = scope_for(user)
        if scope.county_wide:
            return self
        ids = scope.agency_ids
        return self.filter(Q(lead_agency_id__in=ids) | Q(agencies__in=ids)).distinct()


class JointVisit(WorkflowModel):
    """Several agencies planned together at one object: one visit instead of one each (进一次门、查多项事)."""

    number = models.CharField(_("编号"), max_length=40, unique=True)
    scenario = models.ForeignKey(
        JointScenario, verbose_name=_("场景"), null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    object = models.ForeignKey(
        InspectionObject, verbose_name=_("检查对象"), on_delete=models.PROTECT, related_name="joint_visits"
    )
    lead_agency = models.ForeignKey(
        Agency, verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="led_joint_visits"
    )
    agencies = models.ManyToManyField(Agency, verbose_name=_("参与单位"), related_name="joint_visits")
    planned_on = models.DateField(_("计划日期"), db_index=True)
    status = FSMField(
        _("状态"), choices=VisitStatus.choices, default=VisitStatus.PLANNED, protected=True, db_index=True
    )
    # Agencies that took part when done: the visits that would have been made separately.
    agency_count = models.PositiveSmallIntegerField(_("参与单位数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = JointVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("联合检查")
        verbose_name_plural = _("联合检查")
        ordering = ["-planned_on", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def visits_saved(self) -> int:
        """Visits that would have been made separately minus the one made."""
        return max(self.agency_count - 1, 0) if self.status == VisitStatus.DONE else 0

    @transition(field=status, source=VisitStatus.PLANNED, target=VisitStatus.DONE, custom={"label": _("完成联合检查")})
    def complete(self, *, by, agency_count: int):
        self.agency_count = agency_count

    @transition(field=status, source=VisitStatus.PLANNED, target=VisitStatus.CANCELLED, custom={"label": _("取消")})
    def cancel(self, *, by):
        pass


# --- inspection records --------------------------------------------------------------------------


class InspectionRecordQuerySet(models.QuerySet):
    def visible_to(self, user) -> InspectionRecordQuerySet:
        """The county sees all; an agency its own records and those in its township; joint partners theirs."""
        if user is None or not user.is_authenticated:
            return self.none()
        scope = scope_for(user)
        if scope.county_wide:
            return self
        where = Q(agency_id__in=scope.agency_ids) | Q(township_id__in=scope.township_ids)
        joint = RecordFinding.objects.filter(agency_id__in=scope.agency_ids).values("record_id")
        return self.filter(where | Q(pk__in=joint))


class InspectionRecord(WorkflowModel):
    """One inspection on site (检查记录 / 现场检查笔录)."""

    number = models.CharField(_("笔录编号"), max_length=40, unique=True)
    status = FSMField(_("状态"), choices=RecordStatus.choices, default=RecordStatus.OPEN, protected=True, db_index=True)
    object = models.ForeignKey(
        InspectionObject, verbose_name=_("检查对象"), on_delete=models.PROTECT, related_name="records"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("检查单位"), on_delete=models.PROTECT, related_name="+")
    # The object's township at the time, for scope and statistics.
    township = models.ForeignKey(Agency, verbose_name=_("乡镇/街道"), on_delete=models.PROTECT, related_name="+")
    task = models.OneToOneField(
        InspectionTask,
        verbose_name=_("抽查任务"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="record",
    )
    joint_visit = models.OneToOneField(
        JointVisit,
        verbose_name=_("联合检查"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="record",
    )
    place = models.CharField(_("检查地点"), max_length=300)
    started_at = models.DateTimeField(_("检查开始时间"))
    ended_at = models.DateTimeField(_("检查结束时间"), null=True, blank=True)
    checked_on = models.DateField(_("检查日期"), db_index=True)
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="RecordOfficer", verbose_name=_("检查人员"), related_name="inspection_records"
    )
    present_person = models.CharField(_("在场人员"), max_length=100, blank=True)
    facts = models.TextField(_("检查情况"), blank=True)
    signature_status = models.CharField(_("当事人签名"), max_length=12, choices=SignatureStatus.choices)
    signature_note = models.CharField(_("签名情况说明"), max_length=200, blank=True)
    outcome = models.CharField(_("检查结果"), max_length=24, choices=Outcome.choices, db_index=True)
    disposition = models.CharField(
        _("处理方式"), max_length=16, choices=Disposition.choices, blank=True, default="", db_index=True
    )
    disposition_note = models.CharField(_("处理说明"), max_length=300, blank=True)
    # Set by the case-lead action; the case keeps ``source=inspection`` and ``source_ref`` = this record's number.
    case = models.ForeignKey(
        "enforcement.Case",
        verbose_name=_("案件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspection_records",
    )
    # Set by the ticket action (dispatch's service): a plain id because enforcement imports no other app.
    ticket_id = models.BigIntegerField(_("移交工单"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = InspectionRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        ordering = ["-checked_on", "-id"]
        indexes = [
            models.Index(fields=["agency", "checked_on"], name="insp_record_agency_day"),
            models.Index(fields=["township", "checked_on"], name="insp_record_township_day"),
        ]

    def __str__(self) -> str:
        return self.number

    @transition(
        field=status,
        source=RecordStatus.OPEN,
        target=RecordStatus.CLOSED,
        permission=can_handle_record,
        custom={"label": _("处理检查记录")},
    )
    def dispose(self, *, by, disposition: str, note: str = "", case=None, ticket_id=None):
        self.disposition = disposition
        self.disposition_note = note
        if case is not None:
            self.case = case
        if ticket_id is not None:
            self.ticket_id = ticket_id


class RecordOfficer(models.Model):
    """An officer on a record, with the certificate that covered the day of the inspection."""

    record = models.ForeignKey(InspectionRecord, on_delete=models.CASCADE, related_name="record_officers")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("执法人员"), on_delete=models.PROTECT, related_name="+"
    )
    certificate = models.ForeignKey(Certificate, verbose_name=_("执法证"), on_delete=models.PROTECT, related_name="+")
    ordinal = models.PositiveSmallIntegerField(_("顺序"))

    class Meta:
        verbose_name = _("检查人员")
        verbose_name_plural = _("检查人员")
        ordering = ["record_id", "ordinal"]
        constraints = [models.UniqueConstraint(fields=["record", "officer"], name="insp_record_officer_once")]

    def __str__(self) -> str:
        return f"{self.record_id}/{self.officer_id}"


class RecordFinding(models.Model):
    """What one agency found on one matter during an inspection."""

    record = models.ForeignKey(InspectionRecord, on_delete=models.CASCADE, related_name="findings")
    matter = models.ForeignKey(Matter, verbose_name=_("检查事项"), on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, verbose_name=_("检查单位"), on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("检查结论"), max_length=12, choices=FindingResult.choices, default=FindingResult.OK)
    description = models.TextField(_("发现情况"), blank=True)
    ordinal = models.PositiveSmallIntegerField(_("顺序"))

    class Meta:
        verbose_name = _("检查发现")
        verbose_name_plural = _("检查发现")
        ordering = ["record_id", "ordinal"]
        indexes = [models.Index(fields=["agency", "record"], name="insp_finding_agency")]

    def __str__(self) -> str:
        return f"{self.record_id}/{self.matter_id}"


def attachment_path(instance: RecordAttachment, filename: str) -> str:
    return f"inspections/{instance.record_id}/{instance.sha256[:16]}-{filename}"


class RecordAttachment(models.Model):
    """A photo or document taken as evidence; its SHA-256 is kept and never changes."""

    record = models.ForeignKey(InspectionRecord, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("大小"))
    content_type = models.CharField(_("类型"), max_length=100, blank=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("检查附件")
        verbose_name_plural = _("检查附件")
        ordering = ["record_id", "id"]

    def __str__(self) -> str:
        return self.name
