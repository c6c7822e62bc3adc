"""Devolution batches (赋权批次): proposing, reviewing and enacting grants of matters to townships.

"Mature one batch, grant one batch": a :class:`DevolutionBatch` lists matters
(:class:`BatchItem`) for townships, each with a category and a mode. The batch
moves draft -> submitted -> under review -> approved -> published -> in force
(or withdrawn before that, or revoked after) through
``enforcement.workflow.perform_transition`` only; the services in
:mod:`devolution.services` call it. An item has two sub-states of its own,
its review result (pending / approved / rejected) and its validity (active /
revoked), changed the same way. Enacting writes ``PowerGrant`` rows through
``enforcement.catalogue.powers`` (ARCHITECTURE.md "Dependency direction"):
this app never decides who may act now, ``holder_of`` does.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from devolution import permissions as perms
from devolution.choices import (  # noqa: F401  (re-exported: callers import them from the models)
    EDITABLE_STATES,
    PRE_IN_FORCE_STATES,
    BatchStatus,
    CaseCountSource,
    Category,
    ItemState,
    ReviewDecision,
    ReviewStatus,
)
from enforcement.models import TOWNSHIP_KINDS, Agency, AgencyKind, GrantMode, Matter, PowerGrant
from enforcement.workflow import FSMField, WorkflowModel


class ItemMode(models.TextChoices):
    """The ways a township may receive a matter (a subset of ``GrantMode``, same codes)."""

    DEVOLVED = GrantMode.DEVOLVED.value, GrantMode.DEVOLVED.label
    ENTRUSTED = GrantMode.ENTRUSTED.value, GrantMode.ENTRUSTED.label
    STATIONED = GrantMode.STATIONED.value, GrantMode.STATIONED.label
    HUB_AND_SPOKE = GrantMode.HUB_AND_SPOKE.value, GrantMode.HUB_AND_SPOKE.label


class DevolutionBatchQuerySet(models.QuerySet):
    def visible_to(self, user) -> DevolutionBatchQuerySet:
        """Bureau and county-wide agencies see every batch; others see submitted batches that concern them.

        A township sees batches covering it; the establishment office every
        submitted batch (it reviews them all); a department the batches with
        one of its matters.
        """
        if user is None or not user.is_authenticated:
            return self.none()
        if perms.sees_whole_county(user):
            return self
        from enforcement.access import scope_for

        scope = scope_for(user)
        submitted = self.exclude(status=BatchStatus.DRAFT)
        if perms.is_establishment_staff(user):
            return submitted
        where = Q(townships__in=scope.township_ids)
        depts = perms.department_ids(user)
        if depts:
            where |= Q(items__matter__origin_department_id__in=depts)
        ids = submitted.filter(where).values("pk")
        return self.filter(pk__in=ids)

    def public(self) -> DevolutionBatchQuerySet:
        """Batches the public may read: published, in force, or revoked after being in force."""
        return self.filter(status__in=[BatchStatus.PUBLISHED, BatchStatus.IN_FORCE, BatchStatus.REVOKED])


class DevolutionBatch(WorkflowModel):
    number = models.CharField(_("批次编号"), max_length=40, unique=True, help_text=_("例如 2026-1"))
    title = models.CharField(_("批次名称"), max_length=200)
    provincial_decision = models.CharField(
        _("省级赋权决定"), max_length=300, help_text=_("省人民政府赋予乡镇（街道）行政执法权的决定名称及文号")
    )
    county_document_no = models.CharField(_("县级文件文号"), max_length=100)
    townships = models.ManyToManyField(
        Agency,
        verbose_name=_("涉及乡镇（街道）"),
        related_name="devolution_batches",
        limit_choices_to={"kind__in": TOWNSHIP_KINDS},
    )
    effective_date = models.DateField(_("生效日期"))
    status = FSMField(_("状态"), choices=BatchStatus.choices, default=BatchStatus.DRAFT, protected=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批准人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    enacted_on = models.DateField(_("实施日期"), null=True, blank=True)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    end_reason = models.TextField(_("撤回/撤销原因"), blank=True)

    objects = DevolutionBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("赋权批次")
        verbose_name_plural = _("赋权批次")
        ordering = ["-effective_date", "-number"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATES

    # --- transitions: called only by perform_transition (devolution.services) ---

    @transition(field=status, source=BatchStatus.DRAFT, target=BatchStatus.SUBMITTED,
                permission=perms.perm_manage, custom={"label": _("提交审查")})
    def submit(self, *, by, check):
        check(self)

    @transition(field=status, source=BatchStatus.SUBMITTED, target=BatchStatus.UNDER_REVIEW,
                permission=perms.perm_start_review, custom={"label": _("开始审查")})
    def start_review(self, *, by):
        pass

    @transition(field=status, source=[BatchStatus.SUBMITTED, BatchStatus.UNDER_REVIEW], target=BatchStatus.DRAFT,
                permission=perms.perm_return, custom={"label": _("退回修改")})
    def return_for_changes(self, *, by):
        pass

    @transition(field=status, source=BatchStatus.UNDER_REVIEW, target=BatchStatus.APPROVED,
                permission=perms.perm_approve, custom={"label": _("批准")})
    def approve(self, *, by, apply):
        # ``apply`` checks every blocking rule under this row's lock and marks the items approved.
        apply(self)
        self.approved_by = by

    @transition(field=status, source=BatchStatus.APPROVED, target=BatchStatus.PUBLISHED,
                permission=perms.perm_administer, custom={"label": _("公布")})
    def publish(self, *, by):
        pass

    @transition(field=status, source=BatchStatus.PUBLISHED, target=BatchStatus.IN_FORCE,
                permission=perms.perm_administer, custom={"label": _("实施生效")})
    def enact(self, *, by, on: dt.date, apply):
        apply(self)
        self.enacted_on = on

    @transition(field=status, source=list(PRE_IN_FORCE_STATES), target=BatchStatus.WITHDRAWN,
                permission=perms.perm_manage, custom={"label": _("撤回")})
    def withdraw(self, *, by, reason: str):
        self.end_reason = reason

    @transition(field=status, source=BatchStatus.IN_FORCE, target=BatchStatus.REVOKED,
                permission=perms.perm_administer, custom={"label": _("整批撤销")})
    def revoke(self, *, by, on: dt.date, reason: str, apply):
        apply(self)
        self.revoked_on = on
        self.end_reason = reason


class Package(models.Model):
    """An integrated package (整体下放, "one thing"): its items are approved and enacted whole or not at all."""

    batch = models.ForeignKey(DevolutionBatch, verbose_name=_("赋权批次"), on_delete=models.CASCADE,
                              related_name="packages")
    name = models.CharField(_("“一件事”名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("整体下放事项包")
        verbose_name_plural = _("整体下放事项包")
        ordering = ["batch_id", "name"]
        constraints = [models.UniqueConstraint(fields=["batch", "name"], name="devolution_package_unique_name")]

    def __str__(self) -> str:
        return self.name


class BatchItemQuerySet(models.QuerySet):
    def visible_to(self, user) -> BatchItemQuerySet:
        return self.filter(batch__in=DevolutionBatch.objects.visible_to(user).values("pk"))


class BatchItem(WorkflowModel):
    batch = models.ForeignKey(DevolutionBatch, verbose_name=_("赋权批次"), on_delete=models.CASCADE,
                              related_name="items")
    matter = models.ForeignKey(Matter, verbose_name=_("执法事项"), on_delete=models.PROTECT,
                               related_name="devolution_items")
    townships = models.ManyToManyField(
        Agency, verbose_name=_("承接乡镇（街道）"), related_name="devolution_items",
        limit_choices_to={"kind__in": TOWNSHIP_KINDS},
    )
    category = models.CharField(_("下放类别"), max_length=16, choices=Category.choices)
    mode = models.CharField(_("承接方式"), max_length=20, choices=ItemMode.choices)
    rationale = models.TextField(_("下放理由"), blank=True)
    package = models.ForeignKey(Package, verbose_name=_("整体下放事项包"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="items")
    deferred_reason = models.TextField(_("暂缓理由"), blank=True)
    review_date = models.DateField(_("暂缓复核日期"), null=True, blank=True)
    # Hub-and-spoke ("1+X"): the hub township's team acts in the other (spoke) townships of the item.
    hub_township = models.ForeignKey(
        Agency, verbose_name=_("中心镇（街道）"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="hub_items", limit_choices_to={"kind__in": TOWNSHIP_KINDS},
    )
    # The three-year case count is counted from cases (selectors.case_counts_3y); a figure entered here
    # overrides it, for a township whose cases before the system went live are not in it.
    entered_case_count_3y = models.PositiveIntegerField(
        _("近三年案件数（手工录入）"), null=True, blank=True,
        help_text=_("仅用于系统上线前的历史案件：填写后以此数为准，不填则按系统中的案件统计"),
    )
    # Two sub-states, each changed only by the transitions below (through perform_transition).
    review_status = FSMField(_("审查结论"), max_length=12, choices=ReviewStatus.choices,
                             default=ReviewStatus.PENDING, protected=True)
    state = FSMField(_("状态"), max_length=12, choices=ItemState.choices, default=ItemState.ACTIVE, protected=True)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    revoke_reason = models.TextField(_("撤销原因"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = BatchItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("批次事项")
        verbose_name_plural = _("批次事项")
        ordering = ["batch_id", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "matter"], name="devolution_item_unique_matter")]

    def __str__(self) -> str:
        return f"{self.matter.code} {self.matter.name}"

    @property
    def label(self) -> str:
        return f"{self.matter.code} {self.matter.name}"

    @property
    def enacts(self) -> bool:
        # Deferred items are recorded for a later batch and never enacted.
        return self.category != Category.DEFERRED

    # --- sub-state transitions: called only by perform_transition (devolution.services) ---

    @transition(field=review_status, source=[ReviewStatus.PENDING, ReviewStatus.REJECTED],
                target=ReviewStatus.APPROVED, permission=perms.perm_review_item, custom={"label": _("审查同意")})
    def review_approve(self, *, by):
        self.updated_at = timezone.now()

    @transition(field=review_status, source=[ReviewStatus.PENDING, ReviewStatus.APPROVED],
                target=ReviewStatus.REJECTED, permission=perms.perm_review_item, custom={"label": _("审查不同意")})
    def review_reject(self, *, by):
        self.updated_at = timezone.now()

    @transition(field=review_status, source=ReviewStatus.PENDING, target=ReviewStatus.APPROVED,
                permission=perms.perm_approve_item, custom={"label": _("随批次批准")})
    def approve_with_batch(self, *, by):
        self.updated_at = timezone.now()

    @transition(field=review_status, source=[ReviewStatus.APPROVED, ReviewStatus.REJECTED],
                target=ReviewStatus.PENDING, permission=perms.perm_edit_item, custom={"label": _("修改后重新审查")})
    def reopen_review(self, *, by):
        self.updated_at = timezone.now()

    @transition(field=state, source=ItemState.ACTIVE, target=ItemState.REVOKED,
                permission=perms.perm_revoke_item, custom={"label": _("撤销事项")})
    def revoke(self, *, by, on: dt.date, reason: str):
        self.revoked_on = on
        self.revoke_reason = reason
        self.updated_at = timezone.now()


class AssessmentConclusion(models.TextChoices):
    SUITABLE = "suitable", _("适宜下放")
    UNSUITABLE = "unsuitable", _("不宜下放")


class Assessment(models.Model):
    """The expert assessment an "assessed" (评估下放) item needs before the batch is approved."""

    item = models.OneToOneField(BatchItem, verbose_name=_("批次事项"), on_delete=models.CASCADE,
                                related_name="assessment")
    assessed_on = models.DateField(_("评估日期"))
    experts = models.TextField(_("评估专家"), help_text=_("专家姓名及单位，每行一位"))
    conclusion = models.CharField(_("评估结论"), max_length=12, choices=AssessmentConclusion.choices)
    summary = models.TextField(_("评估意见摘要"), blank=True)
    opinion_file = models.FileField(_("评估意见书"), upload_to="devolution/assessments/%Y/")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("下放评估")
        verbose_name_plural = _("下放评估")

    def __str__(self) -> str:
        return f"{self.item_id} · {self.assessed_on}"


class StatutoryKind(models.TextChoices):
    """The four records a statutory (依法下放) item needs before approval."""

    COUNTY_APPLICATION = "county_application", _("县人民政府申请")
    CITY_DEPARTMENT_OPINION = "city_department_opinion", _("市级主管部门审查意见")
    ESTABLISHMENT_CONSENT = "establishment_consent", _("机构编制部门同意意见")
    JUDICIAL_CONSENT = "judicial_consent", _("司法行政部门同意意见")


class StatutoryRecord(models.Model):
    item = models.ForeignKey(BatchItem, verbose_name=_("批次事项"), on_delete=models.CASCADE,
                             related_name="statutory_records")
    kind = models.CharField(_("材料类型"), max_length=32, choices=StatutoryKind.choices)
    document_no = models.CharField(_("文号"), max_length=100)
    issued_on = models.DateField(_("日期"))
    file = models.FileField(_("附件"), upload_to="devolution/statutory/%Y/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("依法下放材料")
        verbose_name_plural = _("依法下放材料")
        ordering = ["item_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["item", "kind"], name="devolution_statutory_unique_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.document_no}"


class EntrustmentAgreement(models.Model):
    """A department's entrustment agreement (委托协议) with townships; entrusted items need one per township."""

    batch = models.ForeignKey(DevolutionBatch, verbose_name=_("赋权批次"), on_delete=models.CASCADE,
                              related_name="agreements")
    department = models.ForeignKey(Agency, verbose_name=_("委托部门"), on_delete=models.PROTECT,
                                   related_name="entrustment_agreements",
                                   limit_choices_to={"kind": AgencyKind.DEPARTMENT})
    townships = models.ManyToManyField(Agency, verbose_name=_("受委托乡镇（街道）"), related_name="+",
                                       limit_choices_to={"kind__in": TOWNSHIP_KINDS})
    document_no = models.CharField(_("协议编号"), max_length=100, blank=True)
    scope = models.TextField(_("委托范围"))
    term_from = models.DateField(_("委托期限起"))
    term_to = models.DateField(_("委托期限止"))
    file = models.FileField(_("协议文本"), upload_to="devolution/agreements/%Y/")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("委托协议")
        verbose_name_plural = _("委托协议")
        ordering = ["batch_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(term_to__gte=models.F("term_from")),
                                   name="devolution_agreement_term_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.document_no or self.pk}"

    def covers(self, day: dt.date) -> bool:
        return self.term_from <= day <= self.term_to


class ReviewOpinion(models.Model):
    """One reviewer's opinion on an item, or on the whole batch when ``item`` is null."""

    batch = models.ForeignKey(DevolutionBatch, verbose_name=_("赋权批次"), on_delete=models.CASCADE,
                              related_name="opinions")
    item = models.ForeignKey(BatchItem, verbose_name=_("批次事项"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="opinions")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审查人"), on_delete=models.PROTECT,
                                 related_name="+")
    agency = models.ForeignKey(Agency, verbose_name=_("审查单位"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    decision = models.CharField(_("审查意见"), max_length=10, choices=ReviewDecision.choices)
    text = models.TextField(_("意见内容"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审查意见")
        verbose_name_plural = _("审查意见")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} · {self.reviewer_id}"


class EnactedGrant(models.Model):
    """The grant an item holds in one township, and the township grant it replaced (to restore on revocation).

    ``grant`` always points at the item's current grant in that township; when
    a later revocation restores this item's holder, it is moved to the
    restored grant.
    """

    item = models.ForeignKey(BatchItem, verbose_name=_("批次事项"), on_delete=models.PROTECT,
                             related_name="enacted_grants")
    township = models.ForeignKey(Agency, verbose_name=_("乡镇/街道"), on_delete=models.PROTECT, related_name="+")
    grant = models.ForeignKey(PowerGrant, verbose_name=_("授权"), on_delete=models.PROTECT, related_name="+")
    # The township-specific grant this one ended (null: the county-wide grant, or nobody, applied before).
    replaced_grant = models.ForeignKey(PowerGrant, verbose_name=_("被替代的授权"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    # Its last day before it was ended: how long it would have run.
    replaced_valid_to = models.DateField(_("被替代授权原截止日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("批次授权记录")
        verbose_name_plural = _("批次授权记录")
        constraints = [models.UniqueConstraint(fields=["item", "township"], name="devolution_enacted_unique")]

    def __str__(self) -> str:
        return f"{self.item_id} · {self.township_id} → {self.grant_id}"


class ResponsibilityList(models.Model):
    """监管责任清单: what the devolving department still supervises for a devolved matter."""

    matter = models.ForeignKey(Matter, verbose_name=_("执法事项"), on_delete=models.PROTECT,
                               related_name="responsibility_lists")
    department = models.ForeignKey(Agency, verbose_name=_("监管部门"), on_delete=models.PROTECT,
                                   related_name="responsibility_lists",
                                   limit_choices_to={"kind": AgencyKind.DEPARTMENT})
    duties = models.TextField(_("监管责任"), help_text=_("下放后部门仍须履行的监管职责，每行一条"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("更新人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("监管责任清单")
        verbose_name_plural = _("监管责任清单")
        ordering = ["matter_id", "department_id"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "department"], name="devolution_responsibility_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id} · {self.department_id}"

    def duty_lines(self) -> list[str]:
        return [line.strip() for line in self.duties.splitlines() if line.strip()]


class ReadinessPolicy(models.Model):
    """Readiness thresholds a township must meet before a batch is approved (one row, edited in admin).

    Defaults: at least 7 certified enforcement staff and 1 legal reviewer per
    township, and 80% of enforcement posts at the grassroots, as the issue
    (the county's devolution plan) sets them.
    """

    min_certified_staff = models.PositiveSmallIntegerField(_("最少持证执法人员数"), default=7)
    min_legal_reviewers = models.PositiveSmallIntegerField(_("最少法制审核人员数"), default=1)
    grassroots_share_target = models.DecimalField(
        _("基层执法力量占比目标"), max_digits=3, decimal_places=2, default=Decimal("0.80"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("乡镇（街道）及派驻中队持证人员占全部持证执法人员的比例，如 0.80"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("承接能力标准")
        verbose_name_plural = _("承接能力标准")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="devolution_readiness_policy_singleton")]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls) -> ReadinessPolicy:
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy
