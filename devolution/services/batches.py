"""Batch heading and the transitions up to publication (draft, submit, review, return, approve, publish, withdraw)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from devolution import permissions as perms
from devolution.models import BatchItem, DevolutionBatch, ReviewDecision, ReviewStatus
from devolution.rules import Problem, blocking_problems
from devolution.services._common import (
    BATCH_FIELDS,
    User,
    _detail_url,
    _event_data,
    _lock_editable,
    _require,
    _townships_only,
    _write_opinion,
)
from enforcement.errors import ValidationFailed
from enforcement.models import Agency, AgencyKind, Event, Role
from enforcement.notifications import notify_many
from enforcement.workflow import perform_transition, record_event


@transaction.atomic
def batch_create(
    *,
    by,
    number: str,
    title: str,
    provincial_decision: str,
    county_document_no: str,
    townships: Iterable[Agency],
    effective_date: dt.date,
) -> DevolutionBatch:
    _require(perms.can_manage_batches(by), _("只有执法局管理人员可以起草赋权批次。"))
    townships = _townships_only(townships)
    if not townships:
        raise ValidationFailed(_("请选择批次涉及的乡镇（街道）。"), field="townships")
    number = (number or "").strip()
    if DevolutionBatch.objects.filter(number=number).exists():
        raise ValidationFailed(_("批次编号“%(number)s”已存在。") % {"number": number}, field="number")
    try:
        with transaction.atomic():
            batch = DevolutionBatch.objects.create(
                number=number, title=title, provincial_decision=provincial_decision,
                county_document_no=county_document_no, effective_date=effective_date, created_by=by,
            )
    except IntegrityError:
        raise ValidationFailed(_("批次编号“%(number)s”已存在。") % {"number": number}, field="number") from None
    batch.townships.set(townships)
    record_event(batch, "create", by=by, data=_event_data(number=number, townships=[t.name for t in townships]))
    return batch


@transaction.atomic
def batch_update(batch: DevolutionBatch, *, by, townships: Iterable[Agency] | None = None,
                 **fields: Any) -> DevolutionBatch:
    """Change a batch's heading while it is editable; its items must stay within its townships."""
    _require(perms.can_manage_batches(by), _("只有执法局管理人员可以修改赋权批次。"))
    locked = _lock_editable(batch)
    unknown = set(fields) - set(BATCH_FIELDS)
    if unknown:
        raise ValidationFailed(_("不能修改字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))})
    changed = {}
    if "number" in fields:
        fields["number"] = (fields["number"] or "").strip()
        if DevolutionBatch.objects.filter(number=fields["number"]).exclude(pk=locked.pk).exists():
            raise ValidationFailed(_("批次编号“%(number)s”已存在。") % {"number": fields["number"]}, field="number")
    for name, value in fields.items():
        if getattr(locked, name) != value:
            changed[name] = value
            setattr(locked, name, value)
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    if townships is not None:
        townships = _townships_only(townships)
        if not townships:
            raise ValidationFailed(_("请选择批次涉及的乡镇（街道）。"), field="townships")
        keep = {t.pk for t in townships}
        outside = []
        for item in BatchItem.objects.filter(batch=locked).select_related("matter").prefetch_related("townships"):
            outside += [(item, t) for t in item.townships.all() if t.pk not in keep]
        if outside:
            raise ValidationFailed(
                _("以下事项的承接乡镇将不在批次范围内，请先修改事项：%(list)s")
                % {"list": "；".join(_("事项“%(m)s”（%(t)s）") % {"m": i.label, "t": t.name} for i, t in outside)},
                field="townships",
            )
        before = set(locked.townships.values_list("pk", flat=True))
        if before != keep:
            locked.townships.set(townships)
            changed["townships"] = [t.name for t in townships]
    if changed:
        record_event(locked, "update", by=by, data=_event_data(**changed))
    return locked


def _must_have_items(batch: DevolutionBatch) -> None:
    if not batch.items.exists():
        raise ValidationFailed(_("批次“%(batch)s”还没有任何事项，不能提交。") % {"batch": batch.number})


def _reviewers_of(batch: DevolutionBatch) -> list:
    departments = set(batch.items.values_list("matter__origin_department_id", flat=True))
    where = Q(memberships__role=Role.JUDICIAL_REVIEWER, memberships__agency__kind=AgencyKind.JUDICIAL_BUREAU)
    where |= Q(memberships__agency__kind=AgencyKind.ESTABLISHMENT_OFFICE)
    where |= Q(memberships__role=Role.DEPARTMENT_STAFF, memberships__agency_id__in=departments)
    return list(User.objects.filter(where, memberships__is_active=True, is_active=True).distinct())


def batch_submit(batch: DevolutionBatch, *, by, note: str = "") -> DevolutionBatch:
    def notify_reviewers(locked: DevolutionBatch) -> None:
        notify_many(
            _reviewers_of(locked), reason="devolution_review_requested", subject=locked,
            title=_("赋权批次“%(batch)s”已提交审查") % {"batch": locked},
            body=_("请审查批次中的事项并提出意见。"), url=_detail_url(locked),
        )

    return perform_transition(batch, "submit", by=by, note=note, check=_must_have_items, on_commit=notify_reviewers)


def batch_start_review(batch: DevolutionBatch, *, by, note: str = "") -> DevolutionBatch:
    return perform_transition(batch, "start_review", by=by, note=note)


def batch_return(batch: DevolutionBatch, *, by, text: str) -> DevolutionBatch:
    """A reviewer sends the whole batch back to draft for changes (a batch-level "reject")."""
    if not (text or "").strip():
        raise ValidationFailed(_("退回修改须写明理由。"), field="text")

    def tell_author(locked: DevolutionBatch) -> None:
        if locked.created_by_id:
            # Once per return: the n-th return of this batch is its own reason.
            n = Event.objects.for_object(locked).filter(action="return_for_changes").count()
            notify_many(
                [locked.created_by], reason=f"devolution_returned_{n}", subject=locked,
                title=_("赋权批次“%(batch)s”被退回修改") % {"batch": locked}, body=text, url=_detail_url(locked),
            )

    with transaction.atomic():
        locked = perform_transition(batch, "return_for_changes", by=by, note=text, on_commit=tell_author)
        _write_opinion(locked, None, by=by, decision=ReviewDecision.REJECT, text=text)
    return locked


def _approval_error(batch: DevolutionBatch, problems: list[Problem]) -> ValidationFailed:
    lines = [f"{n}. {p.message}" for n, p in enumerate(problems, start=1)]
    message = _("批次“%(batch)s”不能批准，共有 %(count)s 个问题：%(list)s") % {
        "batch": batch.number, "count": len(problems), "list": " ".join(lines),
    }
    return ValidationFailed(message, code="batch_blocked", fields={"problems": [p.message for p in problems]})


def batch_approve(batch: DevolutionBatch, *, by, text: str = "") -> DevolutionBatch:
    """Approve the whole batch, or refuse with one error that lists every blocking problem; all or nothing."""

    def apply(locked: DevolutionBatch) -> None:
        # Runs under the batch row lock: no item can change between the checks and the approval.
        problems = blocking_problems(locked)
        if problems:
            raise _approval_error(locked, problems)
        # Each pending item's sub-state through the helper (its event too), inside this one transaction.
        for item in BatchItem.objects.filter(batch=locked, review_status=ReviewStatus.PENDING).order_by("id"):
            perform_transition(item, "approve_with_batch", by=by)
        _write_opinion(locked, None, by=by, decision=ReviewDecision.APPROVE, text=text or _("批准"), event=False)

    def tell_author(locked: DevolutionBatch) -> None:
        if locked.created_by_id:
            notify_many(
                [locked.created_by], reason="devolution_approved", subject=locked,
                title=_("赋权批次“%(batch)s”已批准") % {"batch": locked}, url=_detail_url(locked),
            )

    return perform_transition(batch, "approve", by=by, note=text, apply=apply, on_commit=tell_author)


def batch_publish(batch: DevolutionBatch, *, by, note: str = "") -> DevolutionBatch:
    return perform_transition(batch, "publish", by=by, note=note, public=True)


def batch_withdraw(batch: DevolutionBatch, *, by, reason: str) -> DevolutionBatch:
    if not (reason or "").strip():
        raise ValidationFailed(_("撤回批次须写明理由。"), field="reason")
    return perform_transition(batch, "withdraw", by=by, note=reason, reason=reason)


