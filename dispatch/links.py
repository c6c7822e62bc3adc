"""Links to ticket pages, for notifications and exports (safe before the URLs are mounted)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse


def ticket_url(ticket_or_pk) -> str:
    pk = getattr(ticket_or_pk, "pk", ticket_or_pk)
    try:
        return reverse("dispatch:ticket-detail", args=[pk])
    except NoReverseMatch:  # pragma: no cover - only when dispatch.urls is not mounted
        return ""
