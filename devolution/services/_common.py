"""Helpers shared by the devolution services: locks, permission and input checks, opinions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from devolution.models import (
    EDITABLE_STATES,
    BatchItem,
    BatchStatus,
    DevolutionBatch,
    ReviewDecision,
    ReviewOpinion,
)
from enforcement.access import primary_agency
from enforcement.errors import InvalidTransition, NotFound, PermissionRefused, ValidationFailed
from enforcement.models import TOWNSHIP_KINDS, Agency
from enforcement.workflow import record_event

User = get_user_model()

BATCH_FIELDS = ("number", "title", "provincial_decision", "county_document_no", "effective_date")
ITEM_FIELDS = (
    "category", "mode", "rationale", "package", "deferred_reason", "review_date", "hub_township",
    "entered_case_count_3y",
)


# --- helpers ------------------------------------------------------------------------


def _require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionRefused(message) if message else PermissionRefused()


def _lock(batch: DevolutionBatch) -> DevolutionBatch:
    try:
        return DevolutionBatch.objects.select_for_update().get(pk=batch.pk)
    except DevolutionBatch.DoesNotExist:
        raise NotFound() from None


def _lock_editable(batch: DevolutionBatch) -> DevolutionBatch:
    locked = _lock(batch)
    if locked.status not in EDITABLE_STATES:
        raise InvalidTransition(
            _("批次“%(batch)s”当前状态为“%(state)s”，已不能修改。")
            % {"batch": locked.number, "state": locked.get_status_display()}
        )
    return locked


def _today() -> dt.date:
    return timezone.localdate()


def _detail_url(batch: DevolutionBatch) -> str:
    return reverse("devolution:batch-detail", args=[batch.pk])


def _townships_only(townships: Iterable[Agency], field: str = "townships") -> list[Agency]:
    townships = list(townships)
    wrong = [t for t in townships if t.kind not in TOWNSHIP_KINDS]
    if wrong:
        raise ValidationFailed(
            _("“%(names)s”不是乡镇或街道。") % {"names": "、".join(t.name for t in wrong)}, field=field
        )
    return townships


def _event_data(**values: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif hasattr(value, "pk"):
            value = str(value)
        elif isinstance(value, (list, tuple, set)):
            value = [str(v) for v in value]
        out[key] = value
    return out



def _write_opinion(batch: DevolutionBatch, item: BatchItem | None, *, by, decision: str, text: str,
                   event: bool = True) -> ReviewOpinion:
    opinion = ReviewOpinion.objects.create(
        batch=batch, item=item, reviewer=by, agency=primary_agency(by), decision=decision, text=text or "",
    )
    if event:
        record_event(batch, "review", by=by, note=text or "", data=_event_data(
            item=item.label if item else None, decision=opinion.get_decision_display(),
        ))
    return opinion


def _check_review(batch: DevolutionBatch, decision: str, text: str) -> None:
    if batch.status != BatchStatus.UNDER_REVIEW:
        raise InvalidTransition(
            _("批次“%(batch)s”当前状态为“%(state)s”，不在审查阶段。")
            % {"batch": batch.number, "state": batch.get_status_display()}
        )
    if decision not in ReviewDecision.values:
        raise ValidationFailed(_("请选择审查意见。"), field="decision")
    if decision != ReviewDecision.APPROVE and not (text or "").strip():
        raise ValidationFailed(_("不同意或提出意见时须写明理由。"), field="text")


