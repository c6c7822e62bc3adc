"""The actions of a warning (:data:`WARNING_ACTIONS`), for its page and the API alike: the re-check."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from enforcement.actions import Action, ActionTable
from enforcement.warnings import services as svc
from enforcement.warnings.choices import WarningStatus
from enforcement.warnings.forms import CorrectedForm, ToCaseForm
from enforcement.warnings.permissions import can_handle_warning


def _form_kwargs(warning, user) -> dict:
    return {"warning": warning, "user": user}


def _available(warning, user) -> list[str]:
    if warning.status != WarningStatus.ISSUED or not can_handle_warning(warning, user):
        return []
    return ["correct", "to_case"]


def _run_correct(warning, *, by, data):
    return svc.warning_mark_corrected(warning, by=by, on=data.get("on"), note=data.get("note", ""))


def _run_to_case(warning, *, by, data):
    return svc.warning_to_case(
        warning,
        by=by,
        on=data.get("on"),
        note=data.get("note", ""),
        title=data.get("title", ""),
        party_legal_rep=data.get("party_legal_rep", ""),
    )


WARNING_ACTIONS = ActionTable(
    [
        Action(
            "correct",
            _("复查：已改正（自行整改结案）"),
            CorrectedForm,
            _run_correct,
            tone="success",
            form_kwargs=_form_kwargs,
        ),
        Action(
            "to_case",
            _("复查：逾期未改正，转案件线索"),
            ToCaseForm,
            _run_to_case,
            tone="outline-danger",
            form_kwargs=_form_kwargs,
        ),
    ],
    available=_available,
)
