"""Reviewers' opinions on items and on whole batches."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from devolution import permissions as perms
from devolution.models import (
    BatchItem,
    DevolutionBatch,
    ReviewDecision,
    ReviewOpinion,
    ReviewStatus,
)
from devolution.services._common import _check_review, _lock, _require, _write_opinion
from devolution.services.batches import batch_return
from enforcement.workflow import perform_transition


@transaction.atomic
def item_review(item: BatchItem, *, by, decision: str, text: str = "") -> ReviewOpinion:
    """A reviewer's opinion on one item: approve or reject it (rejecting blocks approval), or comment."""
    locked = _lock(item.batch)
    fresh = BatchItem.objects.select_related("matter").get(pk=item.pk)
    _require(perms.can_review_item(by, fresh), _("您不是该事项的审查单位人员。"))
    _check_review(locked, decision, text)
    opinion = _write_opinion(locked, fresh, by=by, decision=decision, text=text)
    # A second reviewer's same conclusion leaves the item where it is (its opinion is still recorded).
    transition = {
        ReviewDecision.APPROVE: ("review_approve", ReviewStatus.APPROVED),
        ReviewDecision.REJECT: ("review_reject", ReviewStatus.REJECTED),
    }.get(decision)
    if transition is not None and fresh.review_status != transition[1]:
        perform_transition(fresh, transition[0], by=by, note=text or "")
    return opinion


def batch_review(batch: DevolutionBatch, *, by, decision: str, text: str = "") -> ReviewOpinion | DevolutionBatch:
    """A reviewer's opinion on the whole batch: concur, comment, or reject (sends it back to draft)."""
    if decision == ReviewDecision.REJECT:
        fresh = DevolutionBatch.objects.get(pk=batch.pk)
        _require(perms.can_review_batch(by, fresh) or perms.can_manage_batches(by), _("您不是该批次的审查单位人员。"))
        _check_review(fresh, decision, text)
        return batch_return(batch, by=by, text=text)
    with transaction.atomic():
        locked = _lock(batch)
        _require(perms.can_review_batch(by, locked), _("您不是该批次的审查单位人员。"))
        _check_review(locked, decision, text)
        return _write_opinion(locked, None, by=by, decision=decision, text=text)


