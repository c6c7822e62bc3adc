"""The actions of a devolution batch (:data:`BATCH_ACTIONS`) and of its items (:data:`ITEM_ACTIONS`).

The batch page's buttons and forms and the API's
``POST /api/devolution/batches/{id}/<action>/`` and
``POST /api/devolution/items/{id}/<action>/`` all go through these tables:
one form validates the input (the page renders it, the API validates the
request body with it) and one service call runs it. Which actions a user is
offered is a guide (``permissions.batch_actions`` / ``permissions.item_actions``);
the services check every permission and precondition again and refuse with
the same domain error on the page and in the API.
"""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from devolution import permissions, services
from devolution.forms import NoInputForm, NoteForm, ReasonForm, ReviewForm, RevokeForm
from devolution.models import BatchItem, DevolutionBatch
from enforcement.actions import Action, ActionTable
from enforcement.workflow import transition_label


def _label_of(model, transition: str):
    """The transition's own label (``custom={"label": ...}`` on the model), translated when shown."""
    return lazy(lambda: transition_label(model, transition), str)()


def _batch(key: str, form, run, *, tone: str = "primary", confirm="", label=None) -> Action:
    return Action(key, label or _label_of(DevolutionBatch, key), form, run, tone=tone, confirm=confirm)


# The batch's actions, in the order the batch page offers them. ``run(batch, by=user, data=cleaned_data)``.
BATCH_ACTIONS = ActionTable(
    [
        _batch("submit", NoInputForm, lambda b, *, by, data: services.batch_submit(b, by=by)),
        _batch("start_review", NoInputForm, lambda b, *, by, data: services.batch_start_review(b, by=by)),
        _batch("approve", NoteForm, lambda b, *, by, data: services.batch_approve(b, by=by, text=data.get("text", "")),
               tone="success", confirm=_("批准后批次中的全部事项同时获批，确定批准？")),
        _batch("publish", NoInputForm, lambda b, *, by, data: services.batch_publish(b, by=by)),
        _batch("enact", NoInputForm, lambda b, *, by, data: services.batch_enact(b, by=by),
               tone="danger", confirm=_("实施后将按生效日期写入执法主体授权，确定实施？")),
        _batch("withdraw", ReasonForm,
               lambda b, *, by, data: services.batch_withdraw(b, by=by, reason=data["reason"]),
               tone="outline-danger"),
        _batch("revoke", RevokeForm,
               lambda b, *, by, data: services.batch_revoke(b, by=by, on=data["on"], reason=data["reason"]),
               tone="outline-danger"),
        _batch("review", ReviewForm,
               lambda b, *, by, data: services.batch_review(b, by=by, decision=data["decision"],
                                                            text=data.get("text", "")),
               tone="outline-primary", label=_("审查意见")),
        _batch("return_for_changes", NoteForm,
               lambda b, *, by, data: services.batch_return(b, by=by, text=data.get("text", "")),
               tone="outline-danger"),
    ],
    available=permissions.batch_actions,
)

# An item's actions. ``run(item, by=user, data=cleaned_data)``.
ITEM_ACTIONS = ActionTable(
    [
        Action("review", _("审查意见"), ReviewForm,
               lambda i, *, by, data: services.item_review(i, by=by, decision=data["decision"],
                                                           text=data.get("text", "")),
               tone="outline-primary"),
        Action("revoke", _label_of(BatchItem, "revoke"), RevokeForm,
               lambda i, *, by, data: services.item_revoke(i, by=by, on=data["on"], reason=data["reason"]),
               tone="outline-danger"),
    ],
    available=permissions.item_actions,
)
