"""Cases on the to-do lists: leads to file, steps due, legal reviews, justifications, approval steps.

Read from the cases' live state (statuses, pending reviews and approval
steps, the deadlines of :mod:`enforcement.case_deadlines`) through
``Case.objects.visible_to``: a constant number of queries per provider.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enforcement.cases.choices import StepDecision
from enforcement.cases.deadlines import STEP_LABELS, pending_steps, yellow_share
from enforcement.cases.models import (
    PENDING_DECISION_STATES,
    ApprovalStep,
    ApproverKind,
    Case,
    CaseOfficer,
    CaseStatus,
    LegalReview,
    ReviewResult,
    granted_case_ids,
)
from enforcement.cases.permissions import HANDLING_ROLES
from enforcement.models.agencies import AgencyKind, Membership, Role
from enforcement.todo import LIMIT, TodoItem, level_for, provider

LEADER_ROLES = (Role.TOWNSHIP_LEADER, Role.SQUADRON_LEADER)
APPROVER_ROLES = {*HANDLING_ROLES, Role.LEGAL_REVIEWER}
CASE_RELATED = ("agency",)


def _item(kind, category, case, *, due=None, level=None, start=None) -> TodoItem:
    return TodoItem(
        kind=kind, category=category, title=case.title or case.party_name, url=reverse("cases:detail", args=[case.pk]),
        due=due, level=level or level_for(due, start=start), reference=case.number, detail=case.agency.name,
    )


def _own_cases(user, scope):
    """Open cases of the user's agencies that are the user's: as a case officer, or all of them for a leader."""
    cases = Case.objects.visible_to(user).filter(agency_id__in=scope.agency_ids)
    if not scope.has_role(*LEADER_ROLES):
        mine = CaseOfficer.objects.filter(case=OuterRef("pk"), officer_id=user.pk)
        cases = cases.filter(Exists(mine) | Q(status=CaseStatus.LEAD))
    return cases.select_related(*CASE_RELATED)


@provider("cases.handling", roles=HANDLING_ROLES)
def cases_in_hand(user, scope):
    """Leads to file or decline, and the next step due of each open case (decide, serve, payment, publication)."""
    for case in _own_cases(user, scope).filter(status=CaseStatus.LEAD).order_by("created_at", "id")[:LIMIT]:
        yield _item("cases.file", _("线索待立案"), case, due=case.warning_due_at, level=case.warning_level)
    now, share = timezone.now(), yellow_share()
    open_cases = (_own_cases(user, scope).exclude(status__in=[CaseStatus.LEAD, CaseStatus.ARCHIVED,
                                                              CaseStatus.DECLINED])
                  .select_related("publication").order_by("warning_due_at", "id")[:LIMIT])
    for case in open_cases:
        publication = getattr(case, "publication", None) if _has(case, "publication") else None
        steps = pending_steps(case, published=publication is not None,
                              withdrawn=bool(publication and publication.withdrawn_at))
        if not steps:
            continue
        step = min(steps, key=lambda s: s.due)
        yield _item(f"cases.{step.key}", STEP_LABELS[step.key], case, due=step.due, level=step.level(now, share))


def _has(case, relation: str) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return getattr(case, relation) is not None
    except ObjectDoesNotExist:
        return False


def _in_review_centre(user) -> bool:
    return Membership.objects.active().filter(user_id=user.pk, agency__kind=AgencyKind.LEGAL_REVIEW_CENTRE).exists()


def _reviewable(user, scope):
    """Cases the user reviews as a legal reviewer (enforcement.services.cases_rules.is_legal_reviewer_for)."""
    cases = Case.objects.visible_to(user)
    if _in_review_centre(user):
        return cases
    granted = granted_case_ids(user, ("review_case",))
    return cases.filter(Q(agency_id__in=scope.agency_ids) | Q(pk__in=granted))


@provider("cases.legal_review", roles={Role.LEGAL_REVIEWER})
def legal_reviews(user, scope):
    """Cases waiting for a legal review, and deviations from the discretion standard to approve (art. 34)."""
    reviewable = _reviewable(user, scope).select_related(*CASE_RELATED)
    waiting = LegalReview.objects.filter(case=OuterRef("pk"), result=ReviewResult.PENDING)
    for case in (reviewable.filter(Exists(waiting), status=CaseStatus.LEGAL_REVIEW)
                 .order_by("decide_due_at", "id")[:LIMIT]):
        yield _item("cases.legal_review", _("待法制审核"), case, due=case.decide_due_at)
    justifications = (reviewable.filter(status__in=PENDING_DECISION_STATES, justification_approved_by__isnull=True)
                      .exclude(justification="").order_by("decide_due_at", "id")[:LIMIT])
    for case in justifications:
        yield _item("cases.justification", _("偏离裁量基准理由待审核"), case, due=case.decide_due_at)


def _approver_kinds(user, scope) -> Q:
    """Which approval levels the user acts on (cases_rules.can_approve_level), as one filter on steps."""
    ours = Q(case__agency_id__in=scope.agency_ids)
    officer = Exists(CaseOfficer.objects.filter(case=OuterRef("case_id"), officer_id=user.pk))
    where = Q(approver=ApproverKind.HANDLER) & officer
    if scope.has_role(Role.LEGAL_REVIEWER):
        where |= Q(approver=ApproverKind.LEGAL_OFFICER) & ours & ~officer
    if scope.has_role(*LEADER_ROLES):
        where |= Q(approver__in=[ApproverKind.HEAD, ApproverKind.COLLECTIVE]) & ours
    if _in_review_centre(user):
        where |= Q(approver__in=[ApproverKind.LEGAL_SECTION, ApproverKind.REVIEW_CENTRE])
    else:
        granted = granted_case_ids(user, ("review_case",))
        where |= Q(approver__in=[ApproverKind.LEGAL_SECTION, ApproverKind.REVIEW_CENTRE], case_id__in=granted)
        if scope.county_wide and scope.has_role(Role.LEGAL_REVIEWER):
            where |= Q(approver=ApproverKind.LEGAL_SECTION)
    return where


@provider("cases.approval", roles=APPROVER_ROLES)
def approval_steps(user, scope):
    """Approval steps whose turn it is and that the user may decide: the first pending level of the last round."""
    earlier = ApprovalStep.objects.filter(case=OuterRef("case_id"), round=OuterRef("round"),
                                          order__lt=OuterRef("order"), decision=StepDecision.PENDING)
    later_round = ApprovalStep.objects.filter(case=OuterRef("case_id"), round__gt=OuterRef("round"))
    closed_round = ApprovalStep.objects.filter(case=OuterRef("case_id"), round=OuterRef("round"),
                                               decision__in=[StepDecision.RETURNED, StepDecision.REJECTED])
    visible = Case.objects.visible_to(user).values("pk")
    steps = (ApprovalStep.objects.filter(decision=StepDecision.PENDING, case_id__in=visible,
                                         case__status__in=PENDING_DECISION_STATES)
             .filter(~Exists(earlier), ~Exists(later_round), ~Exists(closed_round))
             .filter(_approver_kinds(user, scope))
             .select_related("case", "case__agency").order_by("case__decide_due_at", "case_id")[:LIMIT])
    for step in steps:
        yield _item("cases.approval", _("待审批：%(level)s") % {"level": step.label}, step.case,
                    due=step.case.decide_due_at)
