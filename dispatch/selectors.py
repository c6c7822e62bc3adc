"""Reads of tickets: scoped querysets with their query shape, history, duplicates (STYLE.md practice 6)."""

from __future__ import annotations

import datetime as dt
import math

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from enforcement.access import get_visible_or_404
from enforcement.models import Event

from .models import (
    DispatchPolicy,
    ExtensionStatus,
    Ticket,
    TicketAttachment,
    TicketCoHandler,
    TicketExtension,
)

EARTH_RADIUS_M = 6_371_000.0
# Metres per degree of latitude (and of longitude at the equator).
M_PER_DEGREE = 111_320.0
MAX_MERGE_DEPTH = 5

LIST_RELATED = ("township", "responsible_agency", "category", "matter", "matter__domain", "grid")


def tickets_for(user) -> QuerySet[Ticket]:
    """The tickets ``user`` may see, shaped for list pages (constant queries)."""
    return Ticket.objects.visible_to(user).select_related(*LIST_RELATED)


def ticket_detail_queryset() -> QuerySet[Ticket]:
    # At most ~8 joins: past PostgreSQL's geqo_threshold (12 relations) the
    # planner switches to its genetic optimiser and planning this one-row
    # query took ~17 ms, most of an intake request. Rarely shown relations are
    # prefetched instead (one indexed query each).
    return Ticket.objects.select_related(
        *LIST_RELATED, "proposed_agency", "submitted_by_agency",
    ).prefetch_related(
        "created_by", "merged_into", "verdict_by", "grid__township",
        Prefetch("co_handlers", queryset=TicketCoHandler.objects.select_related("agency", "feedback_by")),
        Prefetch("attachments", queryset=TicketAttachment.objects.select_related("uploaded_by")),
        Prefetch("extensions", queryset=TicketExtension.objects.select_related("requested_by", "decided_by")),
    )


def ticket_get_for_user(user, pk: int) -> Ticket:
    """Fetch and authorise in one call: 404 whether the ticket is missing or out of scope."""
    return get_visible_or_404(ticket_detail_queryset(), user, pk=pk)


def ticket_by_number_for_user(user, number: str) -> Ticket:
    return get_visible_or_404(ticket_detail_queryset(), user, number=number)


def _ticket_ct() -> ContentType:
    return ContentType.objects.get_for_model(Ticket)


def history(ticket: Ticket) -> QuerySet[Event]:
    """The full-process record of a ticket, oldest first."""
    return Event.objects.filter(content_type=_ticket_ct(), object_id=ticket.pk).select_related(
        "actor", "actor_agency"
    ).order_by("at", "id")


def public_timeline(ticket: Ticket) -> list[Event]:
    """What a reporter may read: the ticket's public events, then those of the ticket it was merged into.

    A merged ticket's reporter keeps following the case through the survivor
    (and its survivor, if that was merged too).
    """
    ct = _ticket_ct()
    events = list(Event.objects.filter(content_type=ct, object_id=ticket.pk, is_public=True).order_by("at", "id"))
    current, depth = ticket, 0
    while current.merged_into_id and depth < MAX_MERGE_DEPTH:
        merged_at = current.closed_at
        survivor = Ticket.objects.filter(pk=current.merged_into_id).first()
        if survivor is None:
            break
        later = Event.objects.filter(content_type=ct, object_id=survivor.pk, is_public=True).exclude(
            action="merged_in"
        )
        if merged_at is not None:
            later = later.filter(at__gte=merged_at)
        events.extend(later.order_by("at", "id"))
        current, depth = survivor, depth + 1
    return events


def cases_from(ticket: Ticket, user) -> list:
    """Cases the user may see that were registered from this ticket (``Case.source_ticket_id``).

    The cases work links a case to its ticket from its side (enforcement
    imports no other app); this reads that link, so the ticket page shows it
    whether or not ``linked_case_id`` was filled in.
    """
    try:
        case_model = apps.get_model("enforcement", "Case")
    except LookupError:  # pragma: no cover - before the cases work
        return []
    if not hasattr(case_model, "source_ticket_id"):  # pragma: no cover
        return []
    where = Q(source_ticket_id=ticket.pk)
    if ticket.linked_case_id:
        where |= Q(pk=ticket.linked_case_id)
    return list(case_model.objects.visible_to(user).filter(where).order_by("pk")[:10])


def pending_extension(ticket: Ticket) -> TicketExtension | None:
    for ext in ticket.extensions.all():
        if ext.status == ExtensionStatus.PENDING:
            return ext
    return None


# --- duplicates -------------------------------------------------------------------------


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) around a point: a cheap prefilter before haversine."""
    dlat = radius_m / M_PER_DEGREE
    dlng = radius_m / (M_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def duplicate_candidates(ticket: Ticket, *, policy: DispatchPolicy | None = None, limit: int = 20) -> list[Ticket]:
    """Open tickets that may report the same problem.

    Same category, received within ``duplicate_window_days`` before this one
    (or after it), and either in the same grid or within
    ``duplicate_radius_m`` (haversine, over a bounding-box-prefiltered
    queryset). Each result carries ``distance_m`` (None when unknown),
    nearest first.
    """
    policy = policy or DispatchPolicy.load()
    if ticket.category_id is None:
        return []
    near = Q()
    if ticket.grid_id is not None:
        near |= Q(grid_id=ticket.grid_id)
    radius = float(policy.duplicate_radius_m)
    if ticket.lat is not None and ticket.lng is not None:
        min_lat, max_lat, min_lng, max_lng = bounding_box(ticket.lat, ticket.lng, radius)
        near |= Q(lat__gte=min_lat, lat__lte=max_lat, lng__gte=min_lng, lng__lte=max_lng)
    if not near:
        return []
    since = ticket.received_at - dt.timedelta(days=policy.duplicate_window_days)
    rows = (
        Ticket.objects.open()
        .filter(near, category_id=ticket.category_id, received_at__gte=since)
        .exclude(pk=ticket.pk)
        .select_related(*LIST_RELATED)
        .order_by("-received_at")[:200]
    )
    found = []
    for other in rows:
        distance = None
        if None not in (ticket.lat, ticket.lng, other.lat, other.lng):
            distance = haversine_m(ticket.lat, ticket.lng, other.lat, other.lng)
        same_grid = ticket.grid_id is not None and other.grid_id == ticket.grid_id
        if same_grid or (distance is not None and distance <= radius):
            other.distance_m = distance
            found.append(other)
    found.sort(key=lambda t: (t.distance_m is None, t.distance_m or 0, -t.received_at.timestamp()))
    return found[:limit]


def require_visible(user, ticket: Ticket) -> None:
    """Raise 404 unless ``user`` may see ``ticket`` (e.g. the survivor chosen for a merge)."""
    if not Ticket.objects.visible_to(user).filter(pk=ticket.pk).exists():
        raise Http404(Ticket._meta.verbose_name)
