"""Tickets (工单) of the command platform: intake, triage, assignment, handling, verdict, SLA warnings.

A :class:`Ticket` moves through the states of :class:`TicketStatus` only by
``enforcement.workflow.perform_transition``; the transition table is the set
of ``@transition`` methods below, and :mod:`dispatch.services` has one service
per transition (nothing else assigns ``status``). Actions that change no
state (urge, supervise, escalate, follow-up, co-handler feedback) write an
event with ``record_event`` under a row lock.

Deadlines come from the :class:`SlaRule` table through
``enforcement.workdays.deadline_for``; the warning sweep
(:func:`dispatch.sla.sweep_warnings`) moves open tickets to yellow and red in
set-based updates.

``linked_case`` links a ticket to the case lead it became:
``services.ticket_convert_to_case`` registers the lead through
``enforcement.cases.services.lifecycle.case_create_lead`` (which keeps the link back as
``Case.source_ticket_id``) and stores the case's id here in the same
transaction (a foreign key: dispatch may point into enforcement, never the
other way); the ticket page lists the cases either way
(``selectors.cases_from``).
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

from django.conf import settings
from django.contrib.auth.models import User
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from dispatch import permissions as perms
from dispatch.choices import (  # noqa: F401  (re-exported: callers import them from the models)
    DESK_QUEUE_STATES,
    FINAL_STATES,
    HANDLING_STATES,
    OPEN_STATES,
    UNTRIAGED_STATES,
    TicketStatus,
)
from enforcement.access import scope_for
from enforcement.errors import InvalidTransition, ValidationFailed
from enforcement.models import TOWNSHIP_KINDS, Agency, Domain, Grid, Matter
from enforcement.workdays import Unit, working_days_between
from enforcement.workflow import FSMField, WorkflowModel


class Channel(models.TextChoices):
    STAFF = "staff", _("坐席录入")
    TOWNSHIP_CALL = "township_call", _("街呼区应")
    PATROL = "patrol", _("巡查上报")
    GRID = "grid", _("网格上报")
    PUBLIC_WEB = "public_web", _("公众举报")
    HOTLINE_12345 = "hotline_12345", _("12345热线")
    HOTLINE_12319 = "hotline_12319", _("12319城建热线")
    HOTLINE_12369 = "hotline_12369", _("12369环保热线")
    OPEN311 = "open311", _("Open311接口")


HOTLINE_CHANNELS = (Channel.HOTLINE_12345, Channel.HOTLINE_12319, Channel.HOTLINE_12369)
# What a client system (接入系统: a hotline platform, an Open311 client) may be allowed to push through.
CLIENT_CHANNELS = (*HOTLINE_CHANNELS, Channel.OPEN311)


class Priority(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    EMERGENCY = "emergency", _("特急")


PRIORITY_ORDER = [Priority.NORMAL, Priority.URGENT, Priority.EMERGENCY]


class WarningLevel(models.TextChoices):
    NONE = "none", _("正常")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")


# The warning sweep's candidates (dispatch.sla): the same Q objects build the partial
# indexes below and the sweep's queries, so that PostgreSQL can prove the index applies.
# The light runs against the deadline of the stage a ticket in the assignee's hands is in: the
# accept deadline until it is signed for (签收), then the resolve deadline (dispatch.sla).
# Red for the resolve deadline: not red yet, or red only for a late acceptance (not overdue).
RED_CANDIDATES = Q(status__in=HANDLING_STATES) & (
    Q(warning_level__in=[WarningLevel.NONE, WarningLevel.YELLOW]) | Q(warning_level=WarningLevel.RED, overdue=False)
)
# Red for the accept deadline: assigned, not signed for, not red yet.
ACCEPT_RED_CANDIDATES = Q(status=TicketStatus.ASSIGNED, warning_level__in=[WarningLevel.NONE, WarningLevel.YELLOW])
YELLOW_CANDIDATES = Q(status__in=HANDLING_STATES, warning_level=WarningLevel.NONE)


class Verdict(models.TextChoices):
    ACCEPTED = "accepted", _("认可")
    REJECTED = "rejected", _("不认可")


class Satisfaction(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("非常满意")
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


# --- configuration ---------------------------------------------------------------


class DispatchPolicy(models.Model):
    """County-set rules of the ticket desk (one row, edited in admin).

    Defaults: a unit may return (退单) a ticket within 2 working days of
    assignment and at most twice; duplicates are looked for among open tickets
    of the same category within 200 m or in the same grid over the last 7
    days. These follow common practice of county command platforms; a county
    changes them here, not in code (STYLE.md practice 13).
    """

    return_window_working_days = models.PositiveSmallIntegerField(_("退单时限（工作日）"), default=2)
    max_returns = models.PositiveSmallIntegerField(_("最多退单次数"), default=2)
    duplicate_radius_m = models.PositiveIntegerField(_("重复工单判定距离（米）"), default=200)
    duplicate_window_days = models.PositiveSmallIntegerField(_("重复工单判定天数"), default=7)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("工单办理规则")
        verbose_name_plural = _("工单办理规则")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="dispatch_policy_singleton")]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls) -> DispatchPolicy:
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


class TicketCategory(models.Model):
    """What a report is about (问题类别); also the services offered through Open311."""

    code = models.CharField(_("类别编码"), max_length=40, unique=True)
    name = models.CharField(_("类别名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    domain = models.ForeignKey(
        Domain, verbose_name=_("执法领域"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    suggested_matters = models.ManyToManyField(
        Matter, verbose_name=_("建议执法事项"), blank=True, related_name="ticket_categories"
    )
    is_active = models.BooleanField(_("有效"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class SlaRule(models.Model):
    """Time limits for accepting and resolving a ticket; the most specific matching row wins.

    A blank channel, category or priority matches any. Specificity is the
    number of filled-in criteria; on a tie, priority beats category beats
    channel.
    """

    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices, blank=True)
    category = models.ForeignKey(
        TicketCategory, verbose_name=_("问题类别"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    priority = models.CharField(_("紧急程度"), max_length=12, choices=Priority.choices, blank=True)
    accept_amount = models.DecimalField(
        _("签收时限"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    accept_unit = models.CharField(_("签收时限单位"), max_length=16, choices=Unit.choices)
    resolve_amount = models.DecimalField(
        _("办结时限"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    resolve_unit = models.CharField(_("办结时限单位"), max_length=16, choices=Unit.choices)
    source_note = models.CharField(_("依据"), max_length=300, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("办理时限规则")
        verbose_name_plural = _("办理时限规则")
        ordering = ["channel", "priority", "id"]

    def __str__(self) -> str:
        parts = [
            self.get_channel_display() if self.channel else _("任意渠道"),
            str(self.category) if self.category_id else _("任意类别"),
            self.get_priority_display() if self.priority else _("任意紧急程度"),
        ]
        return " / ".join(str(p) for p in parts)

    @property
    def specificity(self) -> tuple[int, int, int, int]:
        filled = (bool(self.priority), self.category_id is not None, bool(self.channel))
        return (sum(filled), *filled)

    def matches(self, *, channel: str, category_id: int | None, priority: str) -> bool:
        return (
            (not self.channel or self.channel == channel)
            and (self.category_id is None or self.category_id == category_id)
            and (not self.priority or self.priority == priority)
        )


class TicketCounter(models.Model):
    """SQLite only: the last ticket number given out in a year; the row is locked to hand out the next.

    On PostgreSQL each year has a sequence instead (``dispatch.services.numbering``:
    a counter row locked until COMMIT made intakes queue) and this table is
    empty; migration 0011 moved its rows into the sequences.
    """

    year = models.PositiveSmallIntegerField(_("年度"), primary_key=True)
    last = models.PositiveIntegerField(_("已用序号"), default=0)

    class Meta:
        verbose_name = _("工单编号计数器")
        verbose_name_plural = _("工单编号计数器")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


# --- tickets -----------------------------------------------------------------------


class TicketQuerySet(models.QuerySet):
    def visible_to(self, user, *, listing: bool = False) -> TicketQuerySet:
        """The tickets ``user`` may see (ARCHITECTURE.md "Permissions").

        County-wide users see all; a township sees tickets in its territory and
        the ones it filed; an agency sees tickets assigned to it and those it
        co-handles; a person holding a per-object grant sees that ticket.
        Foreign-key filters only, so it stays cheap at millions of rows.

        ``listing``: for a list, the agency parts (filed by, handled by) are left out when every
        ticket they reach lies in the reader's townships anyway - one query of index probes
        (:meth:`_agency_parts_beyond`). A township officer or a stationed squadron then reads
        ``township_id IN (...)`` alone: the list's capped count is an index-only scan and a page
        walks the township's indexes, where the three-part OR built a bitmap of the township's and
        the agency's tickets and read up to 10,001 of them from the table on every request
        (bench_tickets: the scoped lists 1.6-2.2x slower at 1,000,000 tickets than at 100,000). The
        tickets are the same; one assigned elsewhere between the probe and the list's query shows
        on the next request.
        """
        if user is None or not user.is_authenticated:
            return self.none()
        scope = scope_for(user)
        if scope.county_wide:
            return self
        agency_ids = sorted(scope.agency_ids)
        township_ids = sorted(scope.township_ids)
        # Tickets reached through a grant or a co-handler row are read as id lists first (two
        # small queries): an ``IN (subquery)`` inside the OR would stop PostgreSQL from
        # combining the foreign-key indexes and make it scan the whole table.
        extra = set(
            TicketUserObjectPermission.objects.filter(user_id=user.pk).values_list("content_object_id", flat=True)
        )
        if agency_ids:
            extra |= set(TicketCoHandler.objects.filter(agency_id__in=agency_ids).values_list("ticket_id", flat=True))
        filed = handled = bool(agency_ids)
        if agency_ids and listing:
            filed, handled = self._agency_parts_beyond(agency_ids, township_ids)
        where = Q(pk__in=sorted(extra)) if extra else Q()
        if township_ids:
            where |= Q(township_id__in=township_ids)
        if filed:
            where |= Q(submitted_by_agency_id__in=agency_ids)
        if handled:
            where |= Q(responsible_agency_id__in=agency_ids)
        return self.filter(where) if where else self.none()

    @staticmethod
    def _agency_parts_beyond(agency_ids: list[int], township_ids: list[int]) -> tuple[bool, bool]:
        """Whether any ticket filed by, and any handled by, one of ``agency_ids`` lies outside ``township_ids``.

        One query. Outside the townships is "no township" or a township id in one of the gaps between
        them (below the first, between two, above the last): each gap is its own ``EXISTS``, a range
        probe of ``ticket_submitter_set_idx`` / ``ticket_agency_township_idx`` (agency, township)
        that reads one index entry or none. A single ``township NOT IN (...)`` would read every entry
        of the agency's when none is outside (70,000 for a squadron at 1,000,000 tickets).
        """
        if len(township_ids) > MAX_PROBED_TOWNSHIPS:
            return True, True
        outside = [Q()]
        if township_ids:
            bounds = [None, *township_ids, None]
            outside = [Q(township__isnull=True)]
            for low, high in pairwise(bounds):
                gap = Q()
                if low is not None:
                    gap &= Q(township_id__gt=low)
                if high is not None:
                    gap &= Q(township_id__lt=high)
                outside.append(gap)
        probes = {}
        for n, gap in enumerate(outside):
            probes[f"filed_{n}"] = Exists(Ticket.objects.filter(gap, submitted_by_agency_id__in=agency_ids))
            probes[f"handled_{n}"] = Exists(Ticket.objects.filter(gap, responsible_agency_id__in=agency_ids))
        row = Agency.objects.filter(pk=agency_ids[0]).order_by().values(**probes).first()
        if row is None:
            return True, True
        return (any(v for k, v in row.items() if k.startswith("filed_")),
                any(v for k, v in row.items() if k.startswith("handled_")))

    def open(self) -> TicketQuerySet:
        return self.filter(status__in=OPEN_STATES)

    def handling(self) -> TicketQuerySet:
        return self.filter(status__in=HANDLING_STATES)


def _command_centre(ticket: Ticket, user) -> bool:
    return perms.is_command_centre(user)


def _responsible_member(ticket: Ticket, user) -> bool:
    return perms.is_member_of(user, ticket.responsible_agency_id)


def _verdict_giver(ticket: Ticket, user) -> bool:
    return perms.can_give_verdict(user, ticket)


# A list's scope probe (TicketQuerySet._agency_parts_beyond) costs two index probes per township of
# the reader's; past this many it keeps the whole scope instead.
MAX_PROBED_TOWNSHIPS = 30

# Foreign keys of a ticket that most tickets leave empty: a staff registrar, a grid, a verdict's
# author, a merge, a case. Indexed only where set (Ticket.Meta.indexes). Key -> its index's name.
# The submitting township is set on few tickets too; its index, also partial, holds the ticket's
# township as well (for the scope probe) and is written out in Ticket.Meta.
TICKET_SPARSE_KEYS = {
    "created_by": "ticket_created_by_set_idx", "grid": "ticket_grid_set_idx",
    "verdict_by": "ticket_verdict_by_set_idx",
    "merged_into": "ticket_merged_into_set_idx", "linked_case": "ticket_linked_case_set_idx",
}


class Ticket(WorkflowModel):
    """One problem to be handled (工单)."""

    number = models.CharField(_("工单编号"), max_length=20, unique=True)
    # Indexed by Meta's ticket_channel_township_idx (a plain btree: no pattern index, nobody searches
    # a channel by prefix).
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices)
    # The id the source system gave the ticket (hotline work-order number, Open311 token):
    # unique per channel so that a re-sent push does not create a second ticket.
    external_ref = models.CharField(_("外部编号"), max_length=64, blank=True)
    # Given to the reporter with the number: the public lookup asks for both.
    lookup_code = models.CharField(_("查询码"), max_length=12, blank=True)
    status = FSMField(_("状态"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.NEW, protected=True)
    priority = models.CharField(_("紧急程度"), max_length=12, choices=Priority.choices, default=Priority.NORMAL)

    title = models.CharField(_("标题"), max_length=200, blank=True)
    description = models.TextField(_("问题描述"))
    # Foreign keys: every index of this table is written again whenever the sweep or a transition
    # changes a ticket's light or state (the light is in the sweep's partial indexes, so no update
    # is HOT). A key that leads a composite index has no index of its own (db_index=False), except
    # the township: a township's scope ORs it with the submitting and handling agencies, and the
    # bitmap of its own small index kept those lists 1.3-1.4x faster at 1,000,000 tickets
    # (bench_tickets). A key empty on most tickets is indexed only where set (TICKET_SPARSE_KEYS).
    category = models.ForeignKey(
        TicketCategory, verbose_name=_("问题类别"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="tickets", db_index=False,
    )
    reporter_name = models.CharField(_("反映人"), max_length=60, blank=True)
    reporter_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    place = models.CharField(_("地点"), max_length=300, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    township = models.ForeignKey(
        Agency, verbose_name=_("所属乡镇/街道"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="tickets_in_territory", limit_choices_to={"kind__in": TOWNSHIP_KINDS},
    )
    grid = models.ForeignKey(
        Grid, verbose_name=_("网格"), null=True, blank=True, on_delete=models.PROTECT, related_name="tickets",
        db_index=False,
    )
    submitted_by_agency = models.ForeignKey(
        Agency, verbose_name=_("发起单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="tickets_submitted", db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )

    # Triage and assignment
    matter = models.ForeignKey(
        Matter, verbose_name=_("执法事项"), null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    # Never looked up by: only deleting an agency reads it (PROTECT), a rare scan.
    proposed_agency = models.ForeignKey(
        Agency, verbose_name=_("建议承办单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    # Why the system proposed that agency ("赋权青山镇（赋权批次 2025-1）").
    proposal_basis = models.CharField(_("职权依据"), max_length=300, blank=True)
    responsible_agency = models.ForeignKey(
        Agency, verbose_name=_("承办单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="tickets_assigned", db_index=False,
    )
    accept_due = models.DateTimeField(_("签收期限"), null=True, blank=True)
    resolve_due = models.DateTimeField(_("办结期限"), null=True, blank=True)
    # Yellow from here on: assigned_at + WARNING_YELLOW_SHARE of the time allowed,
    # fixed when the deadline is set so that the sweep compares columns only.
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    deadline_provisional = models.BooleanField(_("期限待定"), default=False, help_text=_(
        "期限跨入尚未录入法定节假日安排的年度，暂按周一至周五计算"
    ))
    warning_level = models.CharField(
        _("亮灯"), max_length=8, choices=WarningLevel.choices, default=WarningLevel.NONE
    )
    warning_changed_at = models.DateTimeField(_("亮灯时间"), null=True, blank=True)
    # Kept when the ticket closes, for statistics ("resolved on time").
    overdue = models.BooleanField(_("曾超期"), default=False)
    return_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)

    # Result and verdict
    resolution = models.TextField(_("办理结果"), blank=True)
    verdict = models.CharField(_("评价结论"), max_length=10, choices=Verdict.choices, blank=True)
    verdict_score = models.PositiveSmallIntegerField(
        _("评分"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    verdict_reason = models.TextField(_("评价意见"), blank=True)
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评价人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )
    satisfaction = models.CharField(_("满意度"), max_length=20, choices=Satisfaction.choices, blank=True)
    follow_up_note = models.TextField(_("回访记录"), blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("并入工单"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="merged_tickets", db_index=False,
    )
    dismiss_reason = models.TextField(_("不予受理理由"), blank=True)
    # The case this ticket became a lead for (see the module docstring); a deleted case unlinks the ticket.
    linked_case = models.ForeignKey(
        "enforcement.Case", verbose_name=_("关联案件"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False,
    )

    # One timestamp per step
    received_at = models.DateTimeField(_("受理时间"), default=timezone.now, db_index=True)
    triaged_at = models.DateTimeField(_("分流时间"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始处置时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    verdict_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    followed_up_at = models.DateTimeField(_("回访时间"), null=True, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_ref"], condition=~Q(external_ref=""), name="ticket_unique_external_ref"
            ),
            models.CheckConstraint(
                condition=Q(verdict_score__isnull=True) | Q(verdict_score__gte=1, verdict_score__lte=5),
                name="ticket_verdict_score_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "received_at"], name="ticket_status_received_idx"),
            # ?channel= and ?category=: for a township's reader (scope ``township_id IN``) the list's
            # capped count is an index-only scan and a page walks the index in list order; the
            # county's readers use the leading column. Without a channel index a scoped channel list
            # took 170-180 ms at 1,000,000 tickets; with the channel alone ANDed with the township's
            # bitmap, 40-45 ms, 1.5-1.7x what it took at 100,000 (the count read the table).
            models.Index(fields=["channel", "township", "received_at"], name="ticket_channel_township_idx"),
            models.Index(fields=["category", "township", "received_at"], name="ticket_category_township_idx"),
            # Township lists and agency inboxes: filter by owner and state, newest first.
            models.Index(fields=["township", "status", "received_at"], name="ticket_township_status_idx"),
            # ?ordering=resolve_due (either way): the API orders by (resolve_due, id), read from here.
            models.Index(fields=["resolve_due", "id"], name="ticket_resolve_due_idx"),
            # ?search=<ref>: "=external_ref" is an exact match; the unique (channel, external_ref) starts
            # with the channel and cannot serve a search by reference alone.
            # Only tickets pushed by another system have a reference: the others write nothing here.
            models.Index(fields=["external_ref"], name="ticket_external_ref_idx", condition=~Q(external_ref="")),
            models.Index(fields=["responsible_agency", "status", "received_at"], name="ticket_agency_status_idx"),
            # The lists' scope probe (TicketQuerySet._agency_parts_beyond): is any ticket handled, or
            # filed, by the reader's agency outside the reader's townships? A range of (agency,
            # township) answers with one entry or none.
            models.Index(fields=["responsible_agency", "township"], name="ticket_agency_township_idx",
                         condition=Q(responsible_agency__isnull=False)),
            models.Index(fields=["submitted_by_agency", "township"], name="ticket_submitter_set_idx",
                         condition=Q(submitted_by_agency__isnull=False)),
            # The warning sweep looks only at tickets whose level may still change: these partial
            # indexes hold exactly its candidates, so a sweep costs what changes, not what is open.
            models.Index(fields=["resolve_due"], name="ticket_red_candidate_idx", condition=RED_CANDIDATES),
            models.Index(fields=["warn_at"], name="ticket_yellow_candidate_idx", condition=YELLOW_CANDIDATES),
            models.Index(fields=["accept_due"], name="ticket_accept_red_idx", condition=ACCEPT_RED_CANDIDATES),
            # The board's counts come from its summary (OpenTicketCount, dispatch.summary), not from
            # an index of every open ticket.
            # The board's lists: the oldest tickets waiting for triage or assignment, and the red
            # tickets longest overdue. Ordered partial indexes: a LIMIT 10 reads 10 entries. They hold
            # the id too, the lists' second sort key: without it the planner preferred the whole
            # (resolve_due, id) index for its order and filtered 97,000 entries to find 10 red ones
            # (0.6 s at 1,000,000 tickets, bench_dispatch_plans).
            models.Index(fields=["received_at", "id"], name="ticket_untriaged_idx",
                         condition=Q(status__in=UNTRIAGED_STATES)),
            models.Index(fields=["resolve_due", "id"], name="ticket_red_due_idx",
                         condition=Q(status__in=HANDLING_STATES, warning_level=WarningLevel.RED)),
            # ?warning_level=, ?overdue=true, ?priority=: the lists' capped count read every ticket of a
            # township's scope from the table to test the filter (40,000 pages, 120 ms at 1,000,000
            # tickets). Indexed by township only where the value is not the usual one, a township's
            # count is an index-only scan of its matches and the county's a scan of the index alone; a
            # ticket with no light, never overdue and of normal priority writes nothing here.
            models.Index(fields=["township", "warning_level"], name="ticket_lit_idx",
                         condition=~Q(warning_level=WarningLevel.NONE)),
            models.Index(fields=["township"], name="ticket_overdue_idx", condition=Q(overdue=True)),
            models.Index(fields=["township", "priority"], name="ticket_priority_raised_idx",
                         condition=~Q(priority=Priority.NORMAL)),
            # Keys set on few tickets, indexed where set: a lookup by value (``= X``, ``IN (...)``)
            # implies the key is set, so PostgreSQL reads these; a ticket without one writes nothing here.
            *(models.Index(fields=[key], name=name, condition=Q(**{f"{key}__isnull": False}))
              for key, name in TICKET_SPARSE_KEYS.items()),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def summary(self) -> str:
        if self.title:
            return self.title
        text = " ".join(self.description.split())
        return text if len(text) <= 40 else text[:40] + "…"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATES

    @property
    def accepted_on_time(self) -> bool | None:
        if self.accepted_at is None or self.accept_due is None:
            return None
        return self.accepted_at <= self.accept_due

    @property
    def resolved_on_time(self) -> bool | None:
        if self.resolved_at is None or self.resolve_due is None:
            return None
        return self.resolved_at <= self.resolve_due

    # --- transitions: called only by perform_transition (dispatch.services) --------------

    @transition(field=status, source=[TicketStatus.NEW, TicketStatus.TRIAGED], target=TicketStatus.TRIAGED,
                permission=_command_centre, custom={"label": _("分流")})
    def triage(self, *, by, at, matter, township, grid, category, priority, proposed_agency, basis):
        if matter is None:
            raise ValidationFailed(_("请选择执法事项。"), field="matter")
        self.matter = matter
        self.township = township
        self.grid = grid
        if category is not None:
            self.category = category
        if priority:
            self.priority = priority
        self.proposed_agency = proposed_agency
        self.proposal_basis = basis[:300]
        self.triaged_at = at

    @transition(field=status, source=TicketStatus.TRIAGED, target=TicketStatus.ASSIGNED,
                permission=_command_centre, custom={"label": _("交办")})
    def assign(self, *, by, at, handler, accept_due, resolve_due, warn_at, provisional):
        # ``handler``, not ``agency``: perform_transition takes ``agency`` for the actor's agency.
        if handler is None:
            raise ValidationFailed(_("请选择承办单位。"), field="agency")
        self.responsible_agency = handler
        self.assigned_at = at
        self.accept_due = accept_due
        self.resolve_due = resolve_due
        self.warn_at = warn_at
        self.deadline_provisional = provisional
        self.warning_level = WarningLevel.NONE
        self.warning_changed_at = None
        self.accepted_at = None
        self.started_at = None

    @transition(field=status, source=TicketStatus.ASSIGNED, target=TicketStatus.ACCEPTED,
                permission=_responsible_member, custom={"label": _("签收")})
    def accept(self, *, by, at, restage):
        self.accepted_at = at
        # From now on the light runs against the resolve deadline (dispatch.sla.enter_resolve_stage).
        restage(self, at)

    @transition(field=status, source=TicketStatus.ACCEPTED, target=TicketStatus.IN_PROGRESS,
                permission=_responsible_member, custom={"label": _("开始处置")})
    def start(self, *, by, at):
        self.started_at = at

    @transition(field=status, source=[TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS], target=TicketStatus.RESOLVED,
                permission=_responsible_member, custom={"label": _("办结反馈")})
    def resolve(self, *, by, at, resolution, missing_feedback):
        if not resolution.strip():
            raise ValidationFailed(_("请填写办理结果。"), field="resolution")
        if missing_feedback:
            raise InvalidTransition(
                _("联合执法的协办单位尚未反馈：%(agencies)s。请待协办单位反馈后再办结。")
                % {"agencies": "、".join(missing_feedback)},
                code="co_handler_feedback_missing",
            )
        self.resolution = resolution.strip()
        self.resolved_at = at
        if self.started_at is None:
            self.started_at = at
        if self.resolve_due is not None and at > self.resolve_due:
            self.overdue = True

    @transition(field=status, source=TicketStatus.RESOLVED, target=TicketStatus.CLOSED,
                permission=_verdict_giver, custom={"label": _("评价认可")})
    def close(self, *, by, at, score, reason):
        if score is None or not 1 <= int(score) <= 5:
            raise ValidationFailed(_("请给出 1 至 5 分的评分。"), field="score")
        self.verdict = Verdict.ACCEPTED
        self.verdict_score = int(score)
        self.verdict_reason = reason.strip()
        self.verdict_by = by
        self.verdict_at = at
        self.closed_at = at

    @transition(field=status, source=TicketStatus.RESOLVED, target=TicketStatus.IN_PROGRESS,
                permission=_verdict_giver, custom={"label": _("评价不认可（退回重办）")})
    def reopen(self, *, by, at, reason, resolve_due, warn_at, provisional):
        if not reason.strip():
            raise ValidationFailed(_("不认可时请说明理由。"), field="reason")
        self.verdict = Verdict.REJECTED
        self.verdict_score = None
        self.verdict_reason = reason.strip()
        self.verdict_by = by
        self.verdict_at = at
        self.resolved_at = None
        self.reopen_count += 1
        # Handled again (重办) within a fresh time limit: the light starts over against it.
        self.resolve_due = resolve_due
        self.warn_at = warn_at
        self.deadline_provisional = provisional
        self.warning_level = WarningLevel.NONE
        self.warning_changed_at = None

    @transition(field=status, source=[TicketStatus.ASSIGNED, TicketStatus.ACCEPTED], target=TicketStatus.TRIAGED,
                permission=_responsible_member, custom={"label": _("退单")})
    def return_to_dispatch(self, *, by, at, reason, max_returns, window_days):
        if not reason.strip():
            raise ValidationFailed(_("请填写退单理由。"), field="reason")
        if self.return_count >= max_returns:
            raise InvalidTransition(
                _("该工单已退单 %(count)s 次，达到上限（%(max)s 次），不能再退单，请与指挥中心协调。")
                % {"count": self.return_count, "max": max_returns},
                code="return_limit_reached",
            )
        # Counted on the locked row: working days after the day of assignment (workdays docstring).
        days_since_assigned = working_days_between(self.assigned_at, at) if self.assigned_at else 0
        if days_since_assigned > window_days:
            raise InvalidTransition(
                _("退单须在交办后 %(days)s 个工作日内提出，本单交办已 %(passed)s 个工作日，不能退单。")
                % {"days": window_days, "passed": days_since_assigned},
                code="return_window_passed",
            )
        self.return_count += 1
        self.responsible_agency = None
        self.assigned_at = None
        self.accepted_at = None
        self.accept_due = None
        self.resolve_due = None
        self.warn_at = None
        self.deadline_provisional = False
        self.warning_level = WarningLevel.NONE
        self.warning_changed_at = None

    @transition(field=status, source=[TicketStatus.NEW, TicketStatus.TRIAGED], target=TicketStatus.DISMISSED,
                permission=_command_centre, custom={"label": _("不予受理")})
    def dismiss(self, *, by, at, reason):
        if not reason.strip():
            raise ValidationFailed(_("请填写不予受理的理由。"), field="reason")
        self.dismiss_reason = reason.strip()
        self.closed_at = at

    @transition(field=status, source=[TicketStatus.NEW, TicketStatus.TRIAGED, TicketStatus.ASSIGNED],
                target=TicketStatus.MERGED, permission=_command_centre, custom={"label": _("合并")})
    def merge(self, *, by, at, into):
        if into.pk == self.pk:
            raise ValidationFailed(_("不能把工单合并到它自己。"), field="into")
        if into.merged_into_id == self.pk:
            raise ValidationFailed(_("两张工单不能互相合并。"), field="into")
        self.merged_into = into
        self.closed_at = at


class TicketCoHandler(models.Model):
    """An agency in a joint inspection (联合执法 / 综合查一次): one lead, the others co-handle."""

    class Role(models.TextChoices):
        LEAD = "lead", _("牵头")
        CO = "co", _("协办")

    ticket = models.ForeignKey(Ticket, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="co_handlers")
    agency = models.ForeignKey(Agency, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("角色"), max_length=8, choices=Role.choices, default=Role.CO)
    added_at = models.DateTimeField(_("加入时间"))
    feedback = models.TextField(_("反馈"), blank=True)
    feedback_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("反馈人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("联合执法单位")
        verbose_name_plural = _("联合执法单位")
        ordering = ["role", "id"]
        constraints = [models.UniqueConstraint(fields=["ticket", "agency"], name="ticket_co_handler_unique")]
        indexes = [models.Index(fields=["agency", "ticket"], name="ticket_co_handler_agency_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} · {self.agency_id} · {self.get_role_display()}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("不同意")


class TicketExtension(WorkflowModel):
    """An extension request (延期申请) by the assignee, decided by the command centre.

    Created pending by ``dispatch.services.extension_request``; decided only by
    ``dispatch.services.extension_decide`` through ``perform_transition`` (the
    two transitions below are the whole table: a decision is final).
    """

    ticket = models.ForeignKey(Ticket, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="extensions")
    amount = models.DecimalField(_("延长时限"), max_digits=6, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.5"))])
    unit = models.CharField(_("单位"), max_length=16, choices=Unit.choices, default=Unit.WORKING_DAYS)
    reason = models.TextField(_("申请理由"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    status = FSMField(_("状态"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING,
                      protected=True)
    previous_due = models.DateTimeField(_("原办结期限"), null=True, blank=True)
    new_due = models.DateTimeField(_("新办结期限"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open request per ticket at a time.
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(status="pending"), name="ticket_one_pending_extension"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} · {self.amount} {self.get_unit_display()}"

    # --- transitions: called only by perform_transition (dispatch.services.extension_decide) ---
    #
    # ``apply`` is the service's part, run on this locked row after the state and the
    # permission are checked: it checks the ticket (locked first by the service) is still
    # being handled and, on approval, moves the ticket's resolve deadline and returns it.

    @transition(field=status, source=ExtensionStatus.PENDING, target=ExtensionStatus.APPROVED,
                permission=lambda extension, user: perms.is_command_centre(user),
                custom={"label": _("同意延期")})
    def approve(self, *, by, at, decision_note, apply):
        self.new_due = apply(self)
        self._record_decision(by=by, at=at, note=decision_note)

    @transition(field=status, source=ExtensionStatus.PENDING, target=ExtensionStatus.REFUSED,
                permission=lambda extension, user: perms.is_command_centre(user),
                custom={"label": _("不同意延期")})
    def refuse(self, *, by, at, decision_note, apply):
        if not decision_note.strip():
            raise ValidationFailed(_("不同意延期时请说明理由。"), field="note")
        apply(self)
        self._record_decision(by=by, at=at, note=decision_note)

    def _record_decision(self, *, by, at, note: str) -> None:
        self.decided_by = by
        self.decided_at = at
        self.decision_note = note.strip()


class AttachmentKind(models.TextChoices):
    REPORT = "report", _("反映材料")
    FEEDBACK = "feedback", _("办理反馈")


def attachment_path(instance: TicketAttachment, filename: str) -> str:
    # The stored name is the content hash: no user-chosen names on disk.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"dispatch/{instance.sha256[:2]}/{instance.sha256}.{ext}"


class TicketAttachment(models.Model):
    ticket = models.ForeignKey(Ticket, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("文件类型"), max_length=100)
    kind = models.CharField(_("用途"), max_length=10, choices=AttachmentKind.choices, default=AttachmentKind.REPORT)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("工单附件")
        verbose_name_plural = _("工单附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


# Per-object grants on tickets (co-handlers, invited reviewers) use guardian's
# direct foreign-key tables: the generic table would need a text join at
# millions of tickets (ARCHITECTURE.md "Permissions").
class TicketUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Ticket, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("工单用户授权")
        verbose_name_plural = _("工单用户授权")


class TicketGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Ticket, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("工单用户组授权")
        verbose_name_plural = _("工单用户组授权")


class ClientSystem(User):
    """A system that pushes tickets (a hotline platform, an Open311 client): a service account.

    Only a proxy of the user table, for its own admin page (接入系统): which
    channels it may push through (the groups ``intake:<channel>``) and its
    key (a DRF token; Open311 calls it ``api_key``). See ``dispatch.admin``.
    """

    class Meta:
        proxy = True
        verbose_name = _("接入系统")
        verbose_name_plural = _("接入系统")


# --- the board's summary ----------------------------------------------------------------


class OpenTicketCount(models.Model):
    """Open tickets counted by township, handling agency, state and light: what the board and the screen read.

    Append-only: every change that moves a count (intake, a transition, the
    warning sweep, an extension's new light) inserts its deltas (+1 for the
    ticket's new key, -1 for its old one) in the transaction that makes the
    change (``dispatch.summary``), so concurrent changes never wait on a
    shared row, and the figure of a key is the sum of its rows. The
    compaction folds the rows into one per key (one statement); the
    reconciliation rebuilds them from the tickets and reports any drift.
    """

    # No foreign-key constraints and no indexes: a delta row is written beside every change of a
    # ticket (the ticket's own keys are checked already), and every read sums the whole table.
    township = models.ForeignKey(
        Agency, verbose_name=_("所属乡镇/街道"), null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, db_index=False, related_name="+",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("承办单位"), null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, db_index=False, related_name="+",
    )
    status = models.CharField(_("状态"), max_length=16, choices=TicketStatus.choices)
    warning_level = models.CharField(_("亮灯"), max_length=8, choices=WarningLevel.choices)
    n = models.IntegerField(_("数量"))

    class Meta:
        verbose_name = _("未结工单计数")
        verbose_name_plural = _("未结工单计数")

    def __str__(self) -> str:
        return f"{self.township_id} · {self.agency_id} · {self.status} · {self.warning_level}: {self.n:+d}"
