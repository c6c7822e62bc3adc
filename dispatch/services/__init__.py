"""Every state change of a ticket (STYLE.md practice 2: writes live in services).

* :mod:`.intake` - :func:`ticket_intake`, the one entry point of every channel,
  and the staff desk, township call and patrol report built on it;
* :mod:`.numbering` - ticket numbers (a PostgreSQL sequence per year);
* :mod:`.lifecycle` - one service per transition (triage, assign, accept,
  start, resolve, verdict, return, dismiss, merge);
* :mod:`.events` - events without a state change (urge, supervise,
  escalate, extensions, co-handler feedback, follow-up, case lead).
"""

from dispatch.services.events import (
    co_handler_feedback,
    extension_decide,
    extension_request,
    ticket_convert_to_case,
    ticket_escalate,
    ticket_follow_up,
    ticket_supervise,
    ticket_urge,
)
from dispatch.services.intake import (
    IntakeResult,
    allocate_number,
    attachment_add,
    ticket_create_by_staff,
    ticket_file_patrol_report,
    ticket_file_township_call,
    ticket_from_inspection,
    ticket_intake,
)
from dispatch.services.lifecycle import (
    Proposal,
    propose_agency,
    set_co_handlers,
    ticket_accept,
    ticket_assign,
    ticket_dismiss,
    ticket_merge,
    ticket_resolve,
    ticket_return,
    ticket_start,
    ticket_triage,
    ticket_verdict,
)

__all__ = [
    "IntakeResult",
    "Proposal",
    "allocate_number",
    "attachment_add",
    "co_handler_feedback",
    "extension_decide",
    "extension_request",
    "propose_agency",
    "set_co_handlers",
    "ticket_accept",
    "ticket_assign",
    "ticket_convert_to_case",
    "ticket_create_by_staff",
    "ticket_dismiss",
    "ticket_escalate",
    "ticket_file_patrol_report",
    "ticket_file_township_call",
    "ticket_follow_up",
    "ticket_from_inspection",
    "ticket_intake",
    "ticket_merge",
    "ticket_resolve",
    "ticket_return",
    "ticket_start",
    "ticket_supervise",
    "ticket_triage",
    "ticket_urge",
    "ticket_verdict",
]
