"""What can follow an inspection record (:data:`RECORD_ACTIONS`), for the record page and the API alike.

From an open record, one action closes it:

* ``no_problem`` - nothing to follow (outcome "no problem" or "object not found");
* ``warning`` - a warning / order to correct (预警、责令改正) of the warning-first
  package (:mod:`enforcement.warnings.services`);
* ``case_lead`` - a case lead through ``enforcement.cases`` (the case keeps the
  record's number as ``source_ref`` and copies the facts);
* ``ticket`` - a ticket to another agency: ``enforcement`` imports no other
  app, so ``dispatch`` registers this action at app ready (its service creates
  the ticket and calls :func:`enforcement.inspections.services.record_mark_ticket`).

Other packages add actions with :func:`register_record_action` (like the to-do
registry); the table keeps the order of :data:`ORDER`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from enforcement.actions import Action, ActionTable
from enforcement.inspections import services as svc
from enforcement.inspections.choices import Outcome, RecordStatus
from enforcement.inspections.forms import CaseLeadForm, NoProblemForm
from enforcement.inspections.models import InspectionRecord
from enforcement.inspections.permissions import can_handle_record
from enforcement.warnings.forms import RecordWarningForm
from enforcement.warnings.services import warning_issue_from_record

# The order of the buttons on the record page; keys registered later by other packages slot in here.
ORDER = ["no_problem", "warning", "case_lead", "ticket"]


def _form_kwargs(record: InspectionRecord, user) -> dict:
    return {"record": record, "user": user}


def _run_no_problem(record, *, by, data):
    return svc.record_close_no_problem(record, by=by, note=data.get("note", ""))


def _run_case_lead(record, *, by, data):
    return svc.record_to_case(
        record,
        by=by,
        matter=data["matter"],
        title=data["title"],
        party_kind=data["party_kind"],
        party_legal_rep=data.get("party_legal_rep", ""),
        note=data.get("note", ""),
    )


def _run_warning(record, *, by, data):
    return warning_issue_from_record(
        record,
        by=by,
        matter=data["matter"],
        facts=data["facts"],
        conditions=data.get("conditions") or [],
        kind=data["kind"],
        party_legal_rep=data.get("party_legal_rep", ""),
        commitment_text=data.get("commitment_text", ""),
        commitment_file=data.get("commitment_file"),
        note=data.get("note", ""),
    )


def _warning_available(record: InspectionRecord, user) -> bool:
    return record.outcome == Outcome.ORDERED_TO_CORRECT


def _no_problem_available(record: InspectionRecord, user) -> bool:
    return record.outcome in (Outcome.NO_PROBLEM, Outcome.NOT_FOUND)


def _case_lead_available(record: InspectionRecord, user) -> bool:
    return record.outcome in (Outcome.ORDERED_TO_CORRECT, Outcome.CASE_FILED)


class RecordActionTable(ActionTable):
    """The record actions; other packages register theirs with a predicate saying when it is offered."""

    def __init__(self, actions, predicates: dict[str, Callable]):
        self._predicates = dict(predicates)
        super().__init__(actions, available=self._offered)

    def register(self, action: Action, available: Callable[[InspectionRecord, object], bool]) -> None:
        self._actions[action.key] = action
        self._predicates[action.key] = available
        order = {k: i for i, k in enumerate(ORDER)}
        self._actions = dict(sorted(self._actions.items(), key=lambda kv: order.get(kv[0], len(order))))

    def _offered(self, record: InspectionRecord, user) -> list[str]:
        if record.status != RecordStatus.OPEN or not can_handle_record(record, user):
            return []
        return [key for key in self._actions if self._predicates[key](record, user)]


RECORD_ACTIONS = RecordActionTable(
    [
        Action("no_problem", _("无问题结束"), NoProblemForm, _run_no_problem, tone="success", form_kwargs=_form_kwargs),
        # Warning-first enforcement (enforcement.warnings): a warning notice or a written commitment to correct.
        Action(
            "warning",
            _("出具预警（责令改正）"),
            RecordWarningForm,
            _run_warning,
            tone="warning",
            form_kwargs=_form_kwargs,
        ),
        Action(
            "case_lead",
            _("转为案件线索"),
            CaseLeadForm,
            _run_case_lead,
            tone="outline-danger",
            form_kwargs=_form_kwargs,
        ),
    ],
    predicates={"no_problem": _no_problem_available, "warning": _warning_available, "case_lead": _case_lead_available},
)


def register_record_action(action: Action, available: Callable[[InspectionRecord, object], bool]) -> None:
    """Add an action to records (dispatch's ``ticket``, the warning package's ``warning``) at app ready."""
    RECORD_ACTIONS.register(action, available)
