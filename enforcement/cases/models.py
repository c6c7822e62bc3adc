"""Enforcement cases (案件) under the Administrative Penalty Law (行政处罚法, 2021 revision).

A :class:`Case` runs from a lead to the archive. Its states are
:class:`CaseStatus`; the allowed transitions are the ``@transition`` methods
below (the transition table lives with the model), and nothing calls them
directly: :mod:`enforcement.cases.services.lifecycle` runs each one through
``enforcement.workflow.perform_transition``, which locks the row, checks the
transition's permission and writes the event. The transition methods only
copy values the service has already checked; the legal preconditions (filing
rule, officers, limitation period, legal review, approval chain, hearing
rights) are checked in the services, with messages that cite the article.

Supporting rows (officers, approval steps, legal reviews, deliberations,
extensions, suspensions, evidence, documents, publication, reconsideration and
litigation) are written only by the services of ``enforcement.cases.services``.
Evidence and issued documents are never altered or deleted.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from simple_history.models import HistoricalRecords

from enforcement.cases.choices import (  # noqa: F401  (re-exported: callers import them from the models)
    CHANGING_OUTCOMES,
    DECIDABLE_STATES,
    DECIDED_STATES,
    OPEN_STATES,
    PENDING_DECISION_STATES,
    TRANSFERABLE_STATES,
    AppealKind,
    AppealOutcome,
    ApprovalScope,
    ApproverKind,
    CaseSource,
    CaseStatus,
    DocumentKind,
    DocumentStage,
    EvidenceKind,
    ExecutionMethod,
    OfficerRole,
    Outcome,
    PartyKind,
    Procedure,
    ReviewResult,
    S,
    ServiceMethod,
    StepDecision,
    TransferTarget,
    WarningLevel,
)
from enforcement.cases.permissions import can_handle, can_handle_or_review, can_review  # noqa: F401
from enforcement.catalogue.models import DiscretionTier, Matter
from enforcement.models.agencies import Agency
from enforcement.workflow import FSMField, WorkflowModel

# Per-object grants (django-guardian) that let a user see one case: a reviewer assigned to it.
GRANT_PERMS = ("view_case", "view_case_file", "review_case")


def granted_case_ids(user, perms: tuple[str, ...] = GRANT_PERMS) -> list[int]:
    """Ids of the cases ``user`` holds one of ``perms`` on by a per-object grant, directly or through a group.

    One query on guardian's tables only. Not ``access.objects_granted(user, perm, Case.objects.all())``:
    guardian writes that as ``object_pk IN (SELECT id::varchar FROM enforcement_case)``, which read
    the whole case table on every request that asked (15 ms at 200,000 cases, 2.6 ms at 20,000:
    the growth of every case list in bench_cases).
    """
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission, UserObjectPermission

    content_type = ContentType.objects.get_for_model(Case)
    direct = UserObjectPermission.objects.filter(
        user_id=user.pk, content_type=content_type, permission__codename__in=perms
    ).values_list("object_pk", flat=True)
    by_group = GroupObjectPermission.objects.filter(
        group__user=user.pk, content_type=content_type, permission__codename__in=perms
    ).values_list("object_pk", flat=True)
    return sorted({int(pk) for pk in direct.union(by_group)})


# The columns a case search reads (enforcement.cases.selectors.case_text_q), each with a TrigramIndex.
SEARCH_FIELDS = ("number", "filing_number", "decision_number", "title", "party_name")


class TrigramIndex(GinIndex):
    """A pg_trgm GIN index on ``UPPER(field)``: serves ``field__icontains`` as Django writes it.

    On PostgreSQL ``icontains`` is ``UPPER("field"::text) LIKE UPPER('%term%')``: the pattern
    starts with ``%``, so a b-tree cannot serve it and the search read every row (issue 18:
    0.2-0.5 s at 200,000 cases). A trigram index on the same expression can; the planner
    matches it because the expression is the same (``upper((field)::text)`` once parsed).
    The ``pg_trgm`` extension is created by the migration that adds the first of these.

    Other databases (SQLite, the embedded default) get a plain index on ``UPPER(field)``: it
    does not serve a ``LIKE '%...'`` either, but keeps the schema one shape everywhere, and
    SQLite's table rebuilds (which re-create every ``Meta.indexes`` entry) work.
    """

    opclass = "gin_trgm_ops"

    def __init__(self, *, field: str, name: str):
        self.field = field
        super().__init__(Upper(field), name=name)

    def deconstruct(self):
        return f"{self.__class__.__module__}.{self.__class__.__name__}", (), {"field": self.field, "name": self.name}

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return models.Index(Upper(self.field), name=self.name).create_sql(model, schema_editor, **kwargs)
        statement = super().create_sql(model, schema_editor, using=using, **kwargs)
        # ``USING gin ((UPPER("field")) gin_trgm_ops)``. Not OpClass(): it places the operator class
        # right only with django.contrib.postgres installed, which this project does not need.
        statement.parts["columns"] = f"{statement.parts['columns']} {self.opclass}"
        return statement


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user, *, agency_id: int | None = None, listing: bool = False) -> CaseQuerySet:
        """County-wide agencies see every case; others the cases of their agencies, or assigned by grant.

        A township sees the cases it handles, a squadron (or its brigade) the
        squadron's, a department the cases decided in its name (entrusted), a
        reviewer with a guardian grant ``view_case`` the cases assigned to them.
        A judicial reviewer is county-wide for statistics but sees a case file
        only by such a grant (``Scope.all_cases``): without one it is 404.

        ``agency_id``: only the cases that agency handles (the lists' agency filter). When it is
        one of the user's own agencies every such case is visible and the scope condition is
        left out: ``agency_id = X`` alone walks that agency's list-order index and stops after a
        page, where ``agency_id = X AND (agency_id IN (X) OR ...)`` made PostgreSQL square the
        estimate and sort all of the agency's cases (5,000 at 200,000). Otherwise the scope's
        agency part cannot match and only the subject-agency and grant parts are kept.

        ``listing``: for a list, the parts that hold no case are left out of the condition (the
        grants are read anyway; one query probes whether the user's agencies handle any case and
        whether a case handled elsewhere is decided in their name). A township or squadron whose
        cases are all its own then reads ``agency_id IN (...)`` alone, a department only its
        entrusted cases: the count is an index-only scan and a page in list order walks the
        agency's own index, where the three-part OR read every one of the unit's cases from the
        table on each request (the count 5-7 ms at 200,000 cases, 0.5 ms at 20,000). The cases are
        the same; a case entrusted between the probe and the list's query shows on the next one.
        """
        from enforcement.access import scope_for

        if user is None or not user.is_authenticated:
            return self.none()
        scope = scope_for(user)
        cases = self if agency_id is None else self.filter(agency_id=agency_id)
        if scope.all_cases or (agency_id is not None and agency_id in scope.agency_ids):
            return cases
        # Foreign-key filters and a literal id list only: the cases reached by a grant are read
        # first (one small query). An ``IN (subquery)`` of guardian's generic grant table inside
        # the OR made PostgreSQL filter every case row in turn (issue 18: 0.4-0.56 s at 200,000
        # cases); plain OR-ed index conditions let it combine indexes or walk the list's
        # ordering index and stop after one page.
        agency_ids = sorted(scope.agency_ids)
        where = Q(pk__in=granted_case_ids(user))
        if agency_ids:
            if agency_id is not None:
                handles, in_name = False, True  # another agency's cases: the agency part cannot match
            elif listing:
                handles, in_name = self._scope_parts_held(agency_ids)
            else:
                handles, in_name = True, True
            if handles:
                where |= Q(agency_id__in=agency_ids)
            if in_name:
                where |= Q(subject_agency_id__in=agency_ids)
        return cases.filter(where)

    @staticmethod
    def _scope_parts_held(agency_ids: list[int]) -> tuple[bool, bool]:
        """Whether any case is handled by one of ``agency_ids``, and whether any case handled by another
        agency is decided in the name of one of them: one query of two index-only probes
        (case_agency_status; case_subject_filters, partial on the cases with a subject agency)."""
        from django.db.models import Exists

        probe = (
            Agency.objects.filter(pk=agency_ids[0])
            .values(
                handles=Exists(Case.objects.filter(agency_id__in=agency_ids)),
                in_name=Exists(
                    Case.objects.filter(subject_agency_id__in=agency_ids).exclude(agency_id__in=agency_ids)
                ),
            )
            .first()
        )
        return (probe["handles"], probe["in_name"]) if probe else (True, True)

    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATES)

    def published(self) -> CaseQuerySet:
        """Decisions on the public page: published and not withdrawn."""
        return self.filter(publication__isnull=False, publication__withdrawn_at__isnull=True)


class Case(WorkflowModel):
    """One enforcement procedure (案件) and its case file (案卷)."""

    # Internal registry number, stable from the lead on ("AJ-2026-000123").
    number = models.CharField(_("案件登记号"), max_length=40, unique=True)
    filing_number = models.CharField(_("立案编号"), max_length=80, blank=True)
    decision_number = models.CharField(_("决定书文号"), max_length=80, blank=True)
    procedure = models.CharField(_("程序"), max_length=10, choices=Procedure.choices, default=Procedure.ORDINARY)
    status = FSMField(_("状态"), choices=CaseStatus.choices, default=CaseStatus.LEAD, protected=True, db_index=True)

    # Who handles the case (township, squadron, bureau) and in whose name it is decided.
    # Both indexed by the composite indexes in Meta that lead with them (no index of their own).
    agency = models.ForeignKey(
        Agency, verbose_name=_("办案机构"), on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    subject_agency = models.ForeignKey(
        Agency, verbose_name=_("执法主体"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="cases_in_name", help_text=_("以其名义作出决定的机关（委托执法时为委托部门）"), db_index=False,
    )
    township = models.ForeignKey(
        Agency, verbose_name=_("案发乡镇/街道"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="cases_in_township",
    )
    matter = models.ForeignKey(Matter, verbose_name=_("执法事项"), on_delete=models.PROTECT, related_name="cases")
    holder_mode = models.CharField(_("行使方式"), max_length=20, blank=True)
    holder_via = models.CharField(_("职权来源"), max_length=300, blank=True)

    source = models.CharField(_("案件来源"), max_length=16, choices=CaseSource.choices, default=CaseSource.INSPECTION)
    source_ref = models.CharField(_("来源编号"), max_length=120, blank=True)
    # The dispatch ticket this case came from (enforcement imports no other app: no foreign key).
    source_ticket_id = models.BigIntegerField(_("来源工单"), null=True, blank=True, db_index=True)

    title = models.CharField(_("案由"), max_length=300)
    facts = models.TextField(_("违法事实"), blank=True)
    place = models.CharField(_("违法地点"), max_length=200, blank=True)
    occurred_on = models.DateField(_("违法行为发生日期"))
    # Art. 36 counts the limitation period to the day the violation was discovered.
    discovered_on = models.DateField(_("发现日期"))
    # Art. 36: a continuing violation counts from the day it ends.
    violation_ended_on = models.DateField(_("违法行为终了日期"), null=True, blank=True)
    # Art. 36: five years when citizens' life, health or financial safety is involved with harm.
    involves_safety = models.BooleanField(_("涉及生命健康安全、金融安全且有危害后果"), default=False)

    party_kind = models.CharField(_("当事人类型"), max_length=16, choices=PartyKind.choices)
    party_name = models.CharField(_("当事人"), max_length=200)
    party_id_number = models.CharField(
        _("身份证件号码/统一社会信用代码"), max_length=40, blank=True
    )
    party_address = models.CharField(_("住所/地址"), max_length=300, blank=True)
    party_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    party_legal_rep = models.CharField(_("法定代表人/负责人"), max_length=100, blank=True)

    is_major = models.BooleanField(_("重大案件"), default=False)
    is_complex = models.BooleanField(_("情节复杂"), default=False)
    major_reason = models.CharField(_("重大/复杂理由"), max_length=300, blank=True)

    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CaseOfficer", verbose_name=_("办案人员"), related_name="handled_cases"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Filing (立案) or declining.
    filed_on = models.DateField(_("立案日期"), null=True, blank=True)
    declined_reason = models.TextField(_("不予立案理由"), blank=True)
    # Art. 60: decided within 90 days of filing (+ approved extensions, - suspended periods).
    decide_due_at = models.DateTimeField(_("办案期限"), null=True, blank=True)
    extension_days = models.PositiveIntegerField(_("延长天数"), default=0)
    suspended_days = models.PositiveIntegerField(_("中止天数"), default=0)
    suspended_since = models.DateField(_("中止起始日"), null=True, blank=True)

    # Proposed penalty (advance notice) and hearing rights (art. 44, 63, 64).
    tier = models.ForeignKey(
        DiscretionTier, verbose_name=_("裁量等级"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_kinds = models.JSONField(_("拟处罚种类"), default=list, blank=True)
    proposed_fine = models.DecimalField(_("拟罚款金额"), max_digits=14, decimal_places=2, null=True, blank=True)
    proposed_confiscated = models.DecimalField(
        _("拟没收金额/价值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    notice_served_on = models.DateField(_("事先告知送达日期"), null=True, blank=True)
    hearing_rights = models.BooleanField(_("告知听证权利"), default=False)
    hearing_request_due_at = models.DateTimeField(_("听证申请期限"), null=True, blank=True)
    hearing_requested_on = models.DateField(_("申请听证日期"), null=True, blank=True)
    hearing_waived = models.BooleanField(_("放弃听证"), default=False)
    hearing_notified_on = models.DateField(_("听证通知日期"), null=True, blank=True)
    hearing_at = models.DateTimeField(_("听证时间"), null=True, blank=True)
    hearing_place = models.CharField(_("听证地点"), max_length=200, blank=True)
    hearing_held_at = models.DateTimeField(_("听证举行时间"), null=True, blank=True)
    hearing_record = models.TextField(_("听证笔录摘要"), blank=True)
    # Art. 58(1)(3): a case that went through a hearing needs legal review; never cleared by a new notice.
    went_to_hearing = models.BooleanField(_("经过听证程序"), default=False)
    statement_record = models.TextField(_("陈述申辩情况"), blank=True)

    # Decision.
    outcome = models.CharField(_("处理结果"), max_length=16, choices=Outcome.choices, blank=True)
    penalty_kinds = models.JSONField(_("处罚种类"), default=list, blank=True)
    fine_amount = models.DecimalField(_("罚款金额"), max_digits=14, decimal_places=2, null=True, blank=True)
    illegal_gains = models.DecimalField(_("违法所得"), max_digits=14, decimal_places=2, null=True, blank=True)
    confiscated_amount = models.DecimalField(
        _("没收违法所得金额"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    decision_text = models.TextField(_("处罚内容及理由"), blank=True)
    penalty_check_ok = models.BooleanField(_("符合裁量基准"), null=True, blank=True)
    penalty_check_reasons = models.JSONField(_("裁量偏离情况"), default=list, blank=True)
    # Art. 34: leaving the discretion standard needs a written justification a legal reviewer approves.
    justification = models.TextField(_("偏离裁量基准的理由"), blank=True)
    justification_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("理由审核人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    justification_approved_at = models.DateTimeField(_("理由审核时间"), null=True, blank=True)
    # The penalty the justification was written (and approved) for: it covers that penalty only.
    justification_kinds = models.JSONField(_("理由所涉处罚种类"), default=list, blank=True)
    justification_fine = models.DecimalField(
        _("理由所涉罚款金额"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("决定经办人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    # Transfer (art. 27).
    transfer_target = models.CharField(_("移送对象类型"), max_length=16, choices=TransferTarget.choices, blank=True)
    transfer_body = models.CharField(_("接收机关"), max_length=200, blank=True)
    transfer_reason = models.TextField(_("移送理由"), blank=True)
    transferred_on = models.DateField(_("移送日期"), null=True, blank=True)

    # Service (art. 61) and execution (art. 67).
    service_due_at = models.DateTimeField(_("送达期限"), null=True, blank=True)
    served_on = models.DateField(_("送达日期"), null=True, blank=True)
    service_method = models.CharField(_("送达方式"), max_length=16, choices=ServiceMethod.choices, blank=True)
    served_to = models.CharField(_("受送达人"), max_length=200, blank=True)
    payment_due_at = models.DateTimeField(_("缴款期限"), null=True, blank=True)
    executed_on = models.DateField(_("执行完毕日期"), null=True, blank=True)
    execution_method = models.CharField(_("执行方式"), max_length=16, choices=ExecutionMethod.choices, blank=True)
    paid_amount = models.DecimalField(_("实缴金额"), max_digits=14, decimal_places=2, null=True, blank=True)
    surcharge_amount = models.DecimalField(
        _("加处罚款"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    receipt_number = models.CharField(_("缴款凭证号"), max_length=60, blank=True)
    execution_note = models.TextField(_("执行情况"), blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    closing_summary = models.TextField(_("结案报告"), blank=True)
    archived_on = models.DateField(_("归档日期"), null=True, blank=True)
    archive_number = models.CharField(_("档案号"), max_length=60, blank=True)

    # Summary procedure: the on-the-spot decision is recorded with the agency (art. 52).
    summary_recorded_on = models.DateField(_("当场处罚备案日期"), null=True, blank=True)
    summary_record_due_at = models.DateTimeField(_("备案期限"), null=True, blank=True)

    # Publication (art. 48): decisions with social impact are published.
    needs_publication = models.BooleanField(_("需公开"), default=False)
    publication_due_at = models.DateTimeField(_("公开期限"), null=True, blank=True)
    withdrawal_due_at = models.DateTimeField(_("撤回公开期限"), null=True, blank=True)
    # The due fields above whose value depends on a year whose holiday schedule is not known yet (暂定).
    provisional_deadlines = models.JSONField(_("暂定期限"), default=list, blank=True)

    # Deadline warnings (亮灯), kept by the sweep (enforcement.cases.deadlines.sweep_case_warnings).
    warning_level = models.CharField(
        _("预警"), max_length=8, choices=WarningLevel.choices, default=WarningLevel.NONE, db_index=True
    )
    warning_key = models.CharField(_("预警事项"), max_length=30, blank=True)
    warning_due_at = models.DateTimeField(_("预警期限"), null=True, blank=True)
    warning_changed_at = models.DateTimeField(_("预警变更时间"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_case_file", _("查阅指定案卷（评查、法制审核）")),
            ("review_case", _("对指定案件进行法制审核")),
        ]
        indexes = [
            # The list's default ordering: a page reads its rows from this index and stops (no sort
            # of every visible case); also walked with a scope filter for township readers.
            models.Index(fields=["-created_at", "-id"], name="case_list_order"),
            # The API's other orderings (?ordering=decide_due_at / discovered_on / decided_on), with the id as
            # tie-breaker as enforcement.api_base.OrderingFilter appends it; keyset cursors use them too.
            models.Index(fields=["decide_due_at", "id"], name="case_decide_due_order"),
            models.Index(fields=["discovered_on", "id"], name="case_discovered_order"),
            models.Index(fields=["decided_on", "id"], name="case_decided_order"),
            models.Index(fields=["agency", "status"], name="case_agency_status"),
            # A unit's cases (the scope's agency part, an agency filter): in list order, so a page of one
            # agency's cases stops after its rows; and with the narrow filters, so a filtered list reads
            # only the rows it shows (procedure, warning as index conditions; major by a partial index).
            # Without them a township's ?procedure=summary read all its cases (5,000 at 200,000) or walked
            # the county's list order (issue 18).
            models.Index(fields=["agency", "-created_at", "-id"], name="case_agency_order"),
            models.Index(fields=["agency", "procedure", "warning_level"], name="case_agency_filters"),
            models.Index(fields=["agency"], condition=Q(is_major=True) | Q(is_complex=True), name="case_agency_major"),
            # The scope's subject-agency part (a department's entrusted cases), with the handling agency (the
            # agency filter, and the agencies a department's filter offers, read from the index alone) and the
            # filters as index conditions. Partial, on the cases that have a subject agency: a whole index holding
            # both agency columns let PostgreSQL count a township's cases by reading all of it (index-only, the
            # scope's OR checked on every entry: 19 ms at 200,000 against 6 ms by the scope's two parts). The
            # major index names the subject agency in its condition for the same reason: without it PostgreSQL
            # read the whole partial index for a township's major cases.
            models.Index(
                fields=["subject_agency", "agency", "status", "procedure", "warning_level"],
                condition=Q(subject_agency__isnull=False),
                name="case_subject_filters",
            ),
            models.Index(
                fields=["subject_agency"],
                condition=(Q(is_major=True) | Q(is_complex=True)) & Q(subject_agency__isnull=False),
                name="case_subject_major",
            ),
            models.Index(fields=["status", "warning_level"], name="case_status_warning"),
            models.Index(fields=["decided_on"], name="case_decided_on"),
            # Free-text search (?search= / ?q=): one trigram index per column it reads.
            TrigramIndex(field="number", name="case_number_trgm"),
            TrigramIndex(field="filing_number", name="case_filing_number_trgm"),
            TrigramIndex(field="decision_number", name="case_decision_number_trgm"),
            TrigramIndex(field="title", name="case_title_trgm"),
            TrigramIndex(field="party_name", name="case_party_name_trgm"),
        ]

    def __str__(self) -> str:
        return self.filing_number or self.number

    # --- derived values of this row ---------------------------------------------

    @property
    def display_number(self) -> str:
        return self.decision_number or self.filing_number or self.number

    @property
    def is_summary(self) -> bool:
        return self.procedure == Procedure.SUMMARY

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def needs_deliberation(self) -> bool:
        """Art. 57: complex or major cases are decided by the agency's leaders collectively."""
        return self.is_major or self.is_complex

    @property
    def limitation_start(self) -> dt.date:
        return self.violation_ended_on or self.occurred_on

    def penalty_kind_labels(self, kinds=None) -> list[str]:
        from enforcement.catalogue.models import PenaltyKind

        labels = dict(PenaltyKind.choices)
        return [str(labels.get(k, k)) for k in (self.penalty_kinds if kinds is None else kinds)]

    @property
    def proposed_penalty_text(self) -> str:
        return gettext("、").join(self.penalty_kind_labels(self.proposed_kinds))

    @property
    def penalty_text(self) -> str:
        return gettext("、").join(self.penalty_kind_labels())

    # --- transitions (services call them through perform_transition) ------------------

    @transition(field=status, source=S.LEAD, target=S.FILED, permission=can_handle, custom={"label": _("立案")})
    def file(self, *, by, values: dict):
        _assign(self, values)

    @transition(field=status, source=S.LEAD, target=S.DECLINED, permission=can_handle,
                custom={"label": _("不予立案")})
    def decline(self, *, by, values: dict):
        _assign(self, values)

    @transition(field=status, source=S.FILED, target=S.INVESTIGATING, permission=can_handle,
                custom={"label": _("开始调查")})
    def investigate(self, *, by, values: dict | None = None):
        _assign(self, values or {})

    # A new notice (art. 44/45: a heavier penalty than the one announced) may follow the first one.
    @transition(field=status, source=(S.INVESTIGATING, S.NOTIFIED, S.HEARING, S.REVIEWED, S.DELIBERATED),
                target=S.NOTIFIED, permission=can_handle, custom={"label": _("事先告知")})
    def notify(self, *, by, values: dict):
        _assign(self, values)

    @transition(field=status, source=S.NOTIFIED, target=S.HEARING, permission=can_handle,
                custom={"label": _("通知听证")})
    def schedule_hearing(self, *, by, values: dict):
        _assign(self, values)

    @transition(field=status, source=(S.INVESTIGATING, S.NOTIFIED, S.HEARING), target=S.LEGAL_REVIEW,
                permission=can_handle, custom={"label": _("提交法制审核")})
    def submit_review(self, *, by, values: dict | None = None):
        _assign(self, values or {})

    @transition(field=status, source=S.LEGAL_REVIEW, target=S.REVIEWED, permission=can_review,
                custom={"label": _("法制审核通过")})
    def pass_review(self, *, by, values: dict | None = None):
        _assign(self, values or {})

    @transition(field=status, source=(S.LEGAL_REVIEW, S.REVIEWED), target=S.INVESTIGATING,
                permission=can_handle_or_review, custom={"label": _("退回补充调查")})
    def send_back(self, *, by, values: dict | None = None):
        _assign(self, values or {})

    @transition(field=status, source=S.REVIEWED, target=S.DELIBERATED, permission=can_handle,
                custom={"label": _("集体讨论")})
    def deliberate(self, *, by, values: dict | None = None):
        _assign(self, values or {})

    @transition(field=status, source=DECIDABLE_STATES, target=S.DECIDED, permission=can_handle,
                custom={"label": _("作出决定")})
    def decide(self, *, by, values: dict):
        _assign(self, values)

    @transition(field=status, source=TRANSFERABLE_STATES, target=S.TRANSFERRED, permission=can_handle,
                custom={"label": _("移送")})
    def transfer(self, *, by, values: dict):
        _assign(self, values)

    @transition(field=status, source=S.LEAD, target=S.SERVED, permission=can_handle,
                custom={"label": _("当场处罚")})
    def decide_on_spot(self, *, by, values: dict):
        _assign(self, values)

    @transition(field=status, source=S.DECIDED, target=S.SERVED, permission=can_handle,
                custom={"label": _("送达")})
    def serve(self, *, by, values: dict):
        _assign(self, values)

    @transition(field=status, source=S.SERVED, target=S.EXECUTED, permission=can_handle,
                custom={"label": _("执行完毕")})
    def execute(self, *, by, values: dict):
        _assign(self, values)

    @transition(field=status, source=(S.SERVED, S.EXECUTED, S.TRANSFERRED), target=S.CLOSED,
                permission=can_handle, custom={"label": _("结案")})
    def close(self, *, by, values: dict):
        _assign(self, values)

    @transition(field=status, source=S.CLOSED, target=S.ARCHIVED, permission=can_handle,
                custom={"label": _("归档")})
    def archive(self, *, by, values: dict):
        _assign(self, values)


def _assign(case: Case, values: dict) -> None:
    for name, value in values.items():
        setattr(case, name, value)


class CaseOfficer(models.Model):
    """A handling officer of a case, with the certificate number valid when assigned (art. 42)."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="case_officers")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("执法人员"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("分工"), max_length=8, choices=OfficerRole.choices, default=OfficerRole.ASSIST)
    certificate_number = models.CharField(_("执法证号"), max_length=40)
    added_at = models.DateTimeField(_("加入时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("办案人员")
        verbose_name_plural = _("办案人员")
        ordering = ["case_id", "-role", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "officer"], name="case_officer_once")]

    def __str__(self) -> str:
        return f"{self.officer} ({self.certificate_number})"


class CaseCounter(models.Model):
    """The last number issued per agency, year and kind of number (立字, 罚决字, ...)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("文号计数")
        verbose_name_plural = _("文号计数")
        constraints = [models.UniqueConstraint(fields=["agency", "year", "kind"], name="case_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}/{self.kind}: {self.last}"


class CaseExtension(models.Model):
    """An approved extension of the time to decide (art. 60: unless laws provide otherwise)."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveIntegerField(_("延长天数"))
    reason = models.TextField(_("延长理由"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批准人"), on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("批准时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("办案期限延长")
        verbose_name_plural = _("办案期限延长")
        ordering = ["approved_at"]

    def __str__(self) -> str:
        return f"+{self.days}"


class CaseSuspension(models.Model):
    """A period in which the case was suspended (中止); it does not count towards the 90 days."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="suspensions")
    started_on = models.DateField(_("中止日期"))
    ended_on = models.DateField(_("恢复日期"), null=True, blank=True)
    reason = models.TextField(_("中止理由"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("案件中止")
        verbose_name_plural = _("案件中止")
        ordering = ["started_on"]

    def __str__(self) -> str:
        return f"{self.started_on} – {self.ended_on or ''}"


# --- approval chain, legal review, deliberation -----------------------------------


class ApprovalLevel(models.Model):
    """One level of the approval chain of major cases (admin-editable; defaults in code when empty)."""

    scope = models.CharField(_("适用范围"), max_length=10, choices=ApprovalScope.choices, default=ApprovalScope.ALL)
    order = models.PositiveSmallIntegerField(_("顺序"))
    approver = models.CharField(_("审批人"), max_length=16, choices=ApproverKind.choices)
    label = models.CharField(_("名称"), max_length=60)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("重大案件审批层级")
        verbose_name_plural = _("重大案件审批层级")
        ordering = ["scope", "order"]
        constraints = [models.UniqueConstraint(fields=["scope", "order"], name="approval_level_unique_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.label}"


class ApprovalStep(WorkflowModel):
    """One level of one round of a major case's approval chain."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="approval_steps")
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    order = models.PositiveSmallIntegerField(_("顺序"))
    approver = models.CharField(_("审批人"), max_length=16, choices=ApproverKind.choices)
    label = models.CharField(_("名称"), max_length=60)
    # Changed only through enforcement.workflow.perform_transition (an event per decision), issue 12.
    decision = FSMField(
        _("审批意见"), max_length=10, choices=StepDecision.choices, default=StepDecision.PENDING, protected=True
    )
    reason = models.TextField(_("意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("审批记录")
        verbose_name_plural = _("审批记录")
        ordering = ["case_id", "round", "order"]
        constraints = [models.UniqueConstraint(fields=["case", "round", "order"], name="approval_step_unique")]

    def __str__(self) -> str:
        return f"{self.label}: {self.get_decision_display()}"

    # --- transitions (the case services call them through perform_transition) ---------------

    @transition(field=decision, source=StepDecision.PENDING, target=StepDecision.APPROVED,
                custom={"label": _("同意")})
    def approve(self, *, by, at, reason: str = ""):
        self.decided_by, self.decided_at, self.reason = by, at, reason

    @transition(field=decision, source=StepDecision.PENDING, target=StepDecision.RETURNED,
                custom={"label": _("退回")})
    def send_back(self, *, by, at, reason: str = ""):
        self.decided_by, self.decided_at, self.reason = by, at, reason

    @transition(field=decision, source=StepDecision.PENDING, target=StepDecision.REJECTED,
                custom={"label": _("不同意")})
    def reject(self, *, by, at, reason: str = ""):
        self.decided_by, self.decided_at, self.reason = by, at, reason


class LegalReview(WorkflowModel):
    """A legal review (法制审核) of a decision before it is made (art. 58)."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="legal_reviews")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now, editable=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    # Changed only through enforcement.workflow.perform_transition (an event per result), issue 12.
    result = FSMField(_("审核结论"), max_length=10, choices=ReviewResult.choices, default=ReviewResult.PENDING,
                      protected=True)
    opinion = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("法制审核")
        verbose_name_plural = _("法制审核")
        ordering = ["case_id", "submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_result_display()}"

    @transition(field=result, source=ReviewResult.PENDING, target=ReviewResult.PASSED, custom={"label": _("审核通过")})
    def approve(self, *, by, at, opinion: str):
        self.reviewer, self.reviewed_at, self.opinion = by, at, opinion

    @transition(field=result, source=ReviewResult.PENDING, target=ReviewResult.RETURNED, custom={"label": _("退回")})
    def send_back(self, *, by, at, opinion: str):
        self.reviewer, self.reviewed_at, self.opinion = by, at, opinion


class Deliberation(models.Model):
    """Collective deliberation by the agency's leaders (art. 57)."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="deliberations")
    held_on = models.DateField(_("讨论日期"))
    chair = models.CharField(_("主持人"), max_length=60)
    participants = models.TextField(_("参加人员"))
    conclusion = models.TextField(_("讨论决定"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("集体讨论")
        verbose_name_plural = _("集体讨论")
        ordering = ["case_id", "held_on", "id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.chair}"


# --- configuration ------------------------------------------------------------------


class DeadlineKey(models.TextChoices):
    """The legal deadlines an administrator may override (defaults in enforcement.cases.deadlines)."""

    DECIDE = "decide", _("作出处罚决定")
    HEARING_REQUEST = "hearing_request", _("当事人申请听证")
    HEARING_NOTICE = "hearing_notice", _("听证通知提前")
    SERVICE = "service", _("送达处罚决定书")
    PAYMENT = "payment", _("缴纳罚款")
    PUBLICATION = "publication", _("公开处罚决定")
    WITHDRAWAL = "withdrawal", _("撤回已公开的决定")
    SUMMARY_RECORD = "summary_record", _("当场处罚备案")
    LIMITATION = "limitation", _("追责时效")
    LIMITATION_SAFETY = "limitation_safety", _("追责时效（涉及生命健康、金融安全）")


class DeadlineUnit(models.TextChoices):
    """enforcement.workdays.Unit plus years (the limitation period)."""

    WORKING_DAYS = "working_days", _("工作日")
    WORKING_HOURS = "working_hours", _("工作小时")
    CALENDAR_DAYS = "calendar_days", _("自然日")
    YEARS = "years", _("年")


class CaseDeadlineRule(models.Model):
    """An administrator's override of one legal deadline (defaults in enforcement.cases.deadlines).

    Key and unit are choices, validated (issue 13 point 15); every change is
    kept with who made it and why (``history``).
    """

    key = models.CharField(_("期限"), max_length=30, unique=True, choices=DeadlineKey.choices)
    label = models.CharField(_("名称"), max_length=60)
    amount = models.PositiveIntegerField(_("时长"))
    unit = models.CharField(_("单位"), max_length=16, choices=DeadlineUnit.choices)
    article = models.CharField(_("依据"), max_length=200)
    extend_past_holiday = models.BooleanField(_("末日为节假日时顺延"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    reason = models.CharField(_("调整理由"), max_length=300, blank=True,
                              help_text=_("例如：本省规定的期限及其文件名称、文号。"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("案件法定期限")
        verbose_name_plural = _("案件法定期限")
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(condition=Q(key__in=DeadlineKey.values), name="case_deadline_rule_known_key"),
            models.CheckConstraint(condition=Q(unit__in=DeadlineUnit.values), name="case_deadline_rule_known_unit"),
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.key not in DeadlineKey.values:
            errors["key"] = gettext("未知的期限：%(key)s。") % {"key": self.key}
        if self.unit not in DeadlineUnit.values:
            errors["unit"] = gettext("未知的单位：%(unit)s。") % {"unit": self.unit}
        limitation = self.key in (DeadlineKey.LIMITATION, DeadlineKey.LIMITATION_SAFETY)
        if not errors and limitation != (self.unit == DeadlineUnit.YEARS):
            errors["unit"] = gettext("追责时效以年计算，其他期限以日或小时计算。")
        if self.amount is not None and self.amount < 1:
            errors["amount"] = gettext("时长至少为 1。")
        if errors:
            raise ValidationError(errors)


class CasePolicy(models.Model):
    """County settings of case handling (one row; defaults from settings when absent)."""

    # Art. 63: "较大数额罚款" is set by each province; these are the defaults of many provinces.
    hearing_fine_individual = models.DecimalField(
        _("听证：自然人罚款数额（元，含）"), max_digits=14, decimal_places=2, default=10000
    )
    hearing_fine_organisation = models.DecimalField(
        _("听证：单位罚款数额（元，含）"), max_digits=14, decimal_places=2, default=100000
    )
    # Art. 63(1)(2): confiscating illegal gains or property of "较大数额/较大价值" also gives the right to a hearing.
    hearing_confiscation_individual = models.DecimalField(
        _("听证：自然人没收违法所得/非法财物价值（元，含）"), max_digits=14, decimal_places=2, default=10000
    )
    hearing_confiscation_organisation = models.DecimalField(
        _("听证：单位没收违法所得/非法财物价值（元，含）"), max_digits=14, decimal_places=2, default=100000
    )
    evidence_max_bytes = models.PositiveBigIntegerField(_("证据文件大小上限（字节）"), default=20 * 1024 * 1024)
    reason = models.CharField(_("调整理由"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("案件办理参数")
        verbose_name_plural = _("案件办理参数")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="case_policy_singleton")]

    def __str__(self) -> str:
        return str(_("案件办理参数"))


# --- evidence -----------------------------------------------------------------------


class EvidenceQuerySet(models.QuerySet):
    def delete(self):
        from enforcement.models.events import AppendOnlyError

        raise AppendOnlyError("Evidence is never deleted; supersede it with a reason.")

    def current(self) -> EvidenceQuerySet:
        return self.filter(superseded_at__isnull=True)


# Only these columns may change after upload (when the item is superseded).
EVIDENCE_MUTABLE_FIELDS = frozenset({"superseded_by", "superseded_at", "superseded_reason", "superseded_by_user"})


class Evidence(models.Model):
    """One piece of evidence: its file is fixed at upload by its SHA-256 and never altered or deleted."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("证据种类"), max_length=16, choices=EvidenceKind.choices)
    title = models.CharField(_("证据名称"), max_length=200)
    description = models.TextField(_("证明事项"), blank=True)
    collected_on = models.DateField(_("取证日期"))
    collected_place = models.CharField(_("取证地点"), max_length=200, blank=True)
    file = models.FileField(_("文件"), upload_to="cases/evidence/%Y/%m/", max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now, editable=False)
    superseded_by = models.ForeignKey(
        "self", verbose_name=_("替代为"), null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )
    superseded_at = models.DateTimeField(_("替代时间"), null=True, blank=True)
    superseded_reason = models.TextField(_("替代理由"), blank=True)
    superseded_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("替代操作人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("证据")
        verbose_name_plural = _("证据")
        ordering = ["case_id", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # The full-process record: a stored file and its hash never change (see the PostgreSQL trigger too).
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= EVIDENCE_MUTABLE_FIELDS:
                from enforcement.models.events import AppendOnlyError

                raise AppendOnlyError("Evidence is immutable; only its supersession may be recorded.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        from enforcement.models.events import AppendOnlyError

        raise AppendOnlyError("Evidence is never deleted; supersede it with a reason.")

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @property
    def is_image(self) -> bool:
        return self.content_type in ("image/jpeg", "image/png")


# --- documents ----------------------------------------------------------------------


class CaseDocument(models.Model):
    """An issued document: its number and the values it was issued with never change."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("文书种类"), max_length=24, choices=DocumentKind.choices)
    stage = models.PositiveSmallIntegerField(_("卷内阶段"), choices=DocumentStage.choices)
    number = models.CharField(_("文书编号"), max_length=80, blank=True)
    title = models.CharField(_("标题"), max_length=100)
    # The values rendered into the template, frozen when the document is issued.
    content = models.JSONField(_("内容"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("制作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("制作时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("案件文书")
        verbose_name_plural = _("案件文书")
        ordering = ["case_id", "stage", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.title} {self.number}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            from enforcement.models.events import AppendOnlyError

            raise AppendOnlyError("An issued document never changes; issue a new one.")
        super().save(*args, **kwargs)


# --- publication, reconsideration, litigation ------------------------------------------------


class Publication(models.Model):
    """A decision published on the public page (art. 48), with the party masked."""

    case = models.OneToOneField(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="publication")
    published_at = models.DateTimeField(_("公开时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("公开人"), on_delete=models.PROTECT, related_name="+"
    )
    # What the public page shows, frozen at publication (party already masked).
    content = models.JSONField(_("公开内容"), default=dict)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撤回人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_reason = models.TextField(_("撤回理由"), blank=True)

    class Meta:
        verbose_name = _("处罚决定公开")
        verbose_name_plural = _("处罚决定公开")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.published_at:%Y-%m-%d}"


# Outcomes that change the decision: its publication must be withdrawn.


class AppealRecord(models.Model):
    """A reconsideration (行政复议) or litigation (行政诉讼) against a decision, and its outcome."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="appeals")
    kind = models.CharField(_("类型"), max_length=16, choices=AppealKind.choices)
    filed_on = models.DateField(_("申请/起诉日期"))
    body = models.CharField(_("复议机关/人民法院"), max_length=200)
    reference = models.CharField(_("案号"), max_length=100, blank=True)
    outcome = models.CharField(_("结果"), max_length=20, choices=AppealOutcome.choices, default=AppealOutcome.PENDING)
    concluded_on = models.DateField(_("结案日期"), null=True, blank=True)
    # Litigation: the agency won (upheld, claim dismissed, withdrawn) or lost.
    won = models.BooleanField(_("胜诉"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("复议诉讼")
        verbose_name_plural = _("复议诉讼")
        ordering = ["case_id", "filed_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}".strip()
