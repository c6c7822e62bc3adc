"""The actions of a coercive measure and of an enforcement: one table each, for the pages and the API.

Which actions are offered is a coarse guide (state, role); the services check
the law again and refuse with the article.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from enforcement.actions import Action, ActionTable
from enforcement.coercion import forms as f
from enforcement.coercion import services as svc
from enforcement.coercion.choices import ACTIVE_MEASURE_STATES, CourtOutcome, ExecutionStatus, MeasureStatus
from enforcement.coercion.models import CoerciveMeasure, Execution
from enforcement.coercion.permissions import can_handle, is_head


def _kwargs(obj, user) -> dict:
    return {"obj": obj, "user": user}


def _measure_available(measure: CoerciveMeasure, user) -> list[str]:
    out = []
    handler, head = can_handle(measure, user), is_head(measure, user)
    if measure.status == MeasureStatus.DRAFT:
        if head and measure.approved_at is None:
            out.append("approve")
        if handler:
            out.append("enforce")
    if measure.status == MeasureStatus.IN_FORCE and measure.is_emergency and measure.approved_at is None and head:
        out.append("approve")
    if measure.status == MeasureStatus.IN_FORCE and head and not measure.extension_days:
        out.append("extend")
    if measure.status in ACTIVE_MEASURE_STATES and handler:
        out.extend(["release", "convert"])
    return out


MEASURE_ACTIONS = ActionTable(
    [
        Action(
            "approve",
            _("负责人批准"),
            f.ApproveForm,
            lambda m, by, data: svc.measure_approve(m, by=by, at=data.get("at")),
            form_kwargs=_kwargs,
        ),
        Action(
            "enforce",
            _("实施（现场笔录）"),
            f.EnforceForm,
            lambda m, by, data: svc.measure_enforce(m, by=by, **data),
            form_kwargs=_kwargs,
        ),
        Action(
            "extend",
            _("延长期限"),
            f.ExtendForm,
            lambda m, by, data: svc.measure_extend(m, by=by, **data),
            tone="outline-secondary",
            form_kwargs=_kwargs,
        ),
        Action(
            "release",
            _("解除"),
            f.ReleaseForm,
            lambda m, by, data: svc.measure_release(m, by=by, **data),
            tone="success",
            form_kwargs=_kwargs,
        ),
        Action(
            "convert",
            _("作出处理决定"),
            f.ConvertForm,
            lambda m, by, data: svc.measure_convert(m, by=by, **data),
            tone="outline-danger",
            form_kwargs=_kwargs,
        ),
    ],
    _measure_available,
)


def _execution_available(execution: Execution, user) -> list[str]:
    if not can_handle(execution, user):
        return []
    out = []
    if execution.status == ExecutionStatus.DRAFT:
        out.append("remind")
    if execution.status == ExecutionStatus.REMINDED:
        out.append("apply")
    if execution.status == ExecutionStatus.APPLIED and execution.court_outcome == CourtOutcome.PENDING:
        out.append("court_ruling")
    if execution.status != ExecutionStatus.CONCLUDED:
        out.append("conclude")
    return out


EXECUTION_ACTIONS = ActionTable(
    [
        Action(
            "remind",
            _("送达催告书"),
            f.RemindForm,
            lambda e, by, data: svc.execution_remind(e, by=by, **data),
            form_kwargs=_kwargs,
        ),
        Action(
            "apply",
            _("申请法院强制执行"),
            f.ApplyForm,
            lambda e, by, data: svc.execution_apply(e, by=by, **data),
            form_kwargs=_kwargs,
        ),
        Action(
            "court_ruling",
            _("登记法院裁定"),
            f.CourtRulingForm,
            lambda e, by, data: svc.execution_record_court(e, by=by, **data),
            tone="outline-primary",
            form_kwargs=_kwargs,
        ),
        Action(
            "conclude",
            _("终结"),
            f.ConcludeForm,
            lambda e, by, data: svc.execution_conclude(e, by=by, **data),
            tone="outline-secondary",
            form_kwargs=_kwargs,
        ),
    ],
    _execution_available,
)
