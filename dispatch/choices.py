"""Ticket states and their groups: plain values that models and permissions share.

Below the models, so that ``permissions.py`` can name a state without importing them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketStatus(models.TextChoices):
    NEW = "new", _("待分流")
    TRIAGED = "triaged", _("待交办")
    ASSIGNED = "assigned", _("待签收")
    ACCEPTED = "accepted", _("已签收")
    IN_PROGRESS = "in_progress", _("处置中")
    RESOLVED = "resolved", _("待评价")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已合并")
    DISMISSED = "dismissed", _("不予受理")


# The assignee's clock runs in these states (deadline warnings apply).
HANDLING_STATES = (TicketStatus.ASSIGNED, TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS)
OPEN_STATES = (TicketStatus.NEW, TicketStatus.TRIAGED, *HANDLING_STATES, TicketStatus.RESOLVED)
FINAL_STATES = (TicketStatus.CLOSED, TicketStatus.MERGED, TicketStatus.DISMISSED)
# Waiting for the command centre (triage, assignment), and all that waits for someone other than
# the assignee (the township's verdict too): the board's queue columns.
UNTRIAGED_STATES = (TicketStatus.NEW, TicketStatus.TRIAGED)
DESK_QUEUE_STATES = (*UNTRIAGED_STATES, TicketStatus.RESOLVED)
