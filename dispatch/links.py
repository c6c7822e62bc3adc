"""Links to ticket pages, for notifications and exports (safe before the URLs are mounted)."""

from __future__ import annotations

from enforcement.links import detail_url


def ticket_url(ticket_or_pk) -> str:
    return detail_url("dispatch:ticket-detail", getattr(ticket_or_pk, "pk", ticket_or_pk))
