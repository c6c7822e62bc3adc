"""Every write of the devolution app (STYLE.md practice 2: ``<entity>_<action>(..., by)``).

Batch transitions, and an item's review result and validity, go through
``enforcement.workflow.perform_transition`` (row lock, permission, one event);
other writes lock the batch row and write their event with ``record_event``
on the batch, so the batch history page shows the whole process. Grants are written only through
``enforcement.catalogue.powers`` (grant_power / end_grant / holder_of).

Modules by job: :mod:`.batches` (heading and transitions up to publication),
:mod:`.items` (items and their records), :mod:`.reviews`, :mod:`.enacting`
(enacting and revoking), :mod:`.responsibilities`.
"""

from devolution.services.batches import (
    batch_approve,
    batch_create,
    batch_publish,
    batch_return,
    batch_start_review,
    batch_submit,
    batch_update,
    batch_withdraw,
)
from devolution.services.enacting import batch_enact, batch_revoke, enact_due_batches, item_revoke
from devolution.services.items import (
    agreement_save,
    assessment_save,
    item_add,
    item_remove,
    item_update,
    package_create,
    statutory_record_save,
)
from devolution.services.responsibilities import responsibility_delete, responsibility_save
from devolution.services.reviews import batch_review, item_review

__all__ = [
    "agreement_save", "assessment_save", "batch_approve", "batch_create", "batch_enact", "batch_publish",
    "batch_return", "batch_review", "batch_revoke", "batch_start_review", "batch_submit", "batch_update",
    "batch_withdraw", "enact_due_batches", "item_add", "item_remove", "item_review", "item_revoke", "item_update",
    "package_create", "responsibility_delete", "responsibility_save", "statutory_record_save",
]
