"""Reads of tickets: scoped querysets with their query shape, history, duplicates (STYLE.md practice 6)."""

from __future__ import annotations

import datetime as dt
import math

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404

from dispatch import summary
from dispatch.models import (
    HANDLING_STATES,
    OPEN_STATES,
    UNTRIAGED_STATES,
    DispatchPolicy,
    ExtensionStatus,
    Ticket,
    TicketAttachment,
    TicketCoHandler,
    TicketExtension,
    TicketStatus,
    WarningLevel,
)
from enforcement.access import get_visible_or_404
from enforcement.cases.models import Case
from enforcement.models import Agency, Event

EARTH_RADIUS_M = 6_371_000.0
# Metres per degree of latitude (and of longitude at the equator).
M_PER_DEGREE = 111_320.0
MAX_MERGE_DEPTH = 5

# What a ticket list shows, joined in the list query. Only what is shown: every relation
# more costs planning time on each request (7 relations: ~10 ms, 4: ~1 ms at 26 indexes).
# The API list (TicketListSerializer) shows the matter and its domain too; the pages'
# ticket table (templates/dispatch/_ticket_table.html) does not.
LIST_RELATED = ("township", "responsible_agency", "category", "matter", "matter__domain")
PAGE_RELATED = ("township", "responsible_agency", "category")


def tickets_for(user) -> QuerySet[Ticket]:
    """The tickets ``user`` may see, shaped for the list pages' ticket table (constant queries)."""
    return Ticket.objects.visible_to(user, listing=True).select_related(*PAGE_RELATED)


# --- the command centre's board ------------------------------------------------------------

BOARD_KEYS = ("open", "new", "unassigned", "handling", "yellow", "red", "awaiting_verdict")


def board_counts() -> tuple[dict[str, int], list[dict]]:
    """Open tickets by township for the board: the totals, and one row per township (exact counts).

    Read from the board's summary (``dispatch.summary``: open tickets by
    township, agency, state and light, kept by every change in its own
    transaction): one aggregate over a few hundred rows, whatever the number
    of tickets, and one query for the townships' names. Before: index-only
    scans of every open ticket's entry in two partial indexes, 130 ms at
    1,000,000 tickets (issue 18).
    """
    rows: dict[int | None, dict] = {}

    def row(township_id: int | None) -> dict:
        return rows.setdefault(township_id, dict.fromkeys(BOARD_KEYS, 0))

    queue_keys = {TicketStatus.NEW: "new", TicketStatus.TRIAGED: "unassigned",
                  TicketStatus.RESOLVED: "awaiting_verdict"}
    for township_id, status, level, n in summary.counts_by_township():
        r = row(township_id)
        if status in HANDLING_STATES:
            r["handling"] += n
            if level == WarningLevel.YELLOW:
                r["yellow"] += n
            elif level == WarningLevel.RED:
                r["red"] += n
        else:
            r[queue_keys[status]] += n
    totals = dict.fromkeys(BOARD_KEYS, 0)
    for r in rows.values():
        r["open"] = r["new"] + r["unassigned"] + r["handling"] + r["awaiting_verdict"]
        for key in BOARD_KEYS:
            totals[key] += r[key]
    townships = Agency.objects.in_bulk([pk for pk in rows if pk is not None])
    by_township = []
    for township_id, r in rows.items():
        # The township column reads "waiting for triage or assignment" (待分流/交办).
        by_township.append({**r, "township": townships.get(township_id), "new": r["new"] + r["unassigned"]})
    by_township.sort(key=lambda r: (r["township"] is None, getattr(r["township"], "sort_order", 0),
                                    getattr(r["township"], "code", "")))
    return totals, by_township


def board_waiting() -> QuerySet[Ticket]:
    """Tickets waiting for triage or assignment, oldest first (``ticket_untriaged_idx``)."""
    return (Ticket.objects.filter(status__in=UNTRIAGED_STATES)
            .select_related(*PAGE_RELATED).order_by("received_at", "id"))


def board_late() -> QuerySet[Ticket]:
    """Red tickets in the assignee's hands, longest overdue first (``ticket_red_due_idx``)."""
    return (Ticket.objects.filter(status__in=HANDLING_STATES, warning_level=WarningLevel.RED)
            .select_related(*PAGE_RELATED).order_by("resolve_due", "id"))


# --- inboxes: what waits for an agency or a township (pages and to-do lists) -----------------


def agency_to_accept(agency_ids) -> QuerySet[Ticket]:
    """Assigned to one of ``agency_ids`` and not signed for yet, nearest deadline first."""
    return (Ticket.objects.filter(responsible_agency_id__in=list(agency_ids), status=TicketStatus.ASSIGNED)
            .select_related(*PAGE_RELATED).order_by("accept_due", "id"))


def agency_in_hand(agency_ids) -> QuerySet[Ticket]:
    """Signed for by one of ``agency_ids`` and not resolved yet, nearest deadline first."""
    return (Ticket.objects.filter(responsible_agency_id__in=list(agency_ids),
                                  status__in=[TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS])
            .select_related(*PAGE_RELATED).order_by("resolve_due", "id"))


def agency_handling(agency_ids) -> QuerySet[Ticket]:
    """Everything in the hands of ``agency_ids`` (signed for or not), nearest resolve deadline first."""
    return (Ticket.objects.filter(responsible_agency_id__in=list(agency_ids), status__in=HANDLING_STATES)
            .select_related(*PAGE_RELATED).order_by("resolve_due", "id"))


def co_feedback_due(agency_ids) -> QuerySet[Ticket]:
    """Joint tickets on which one of ``agency_ids`` co-handles and owes its feedback."""
    co_ids = TicketCoHandler.objects.filter(agency_id__in=list(agency_ids), role="co",
                                            feedback_at__isnull=True).values("ticket_id")
    return (Ticket.objects.filter(pk__in=co_ids, status__in=HANDLING_STATES)
            .select_related(*PAGE_RELATED).order_by("resolve_due", "id"))


def agency_awaiting_verdict(agency_ids) -> QuerySet[Ticket]:
    return (Ticket.objects.filter(responsible_agency_id__in=list(agency_ids), status=TicketStatus.RESOLVED)
            .select_related(*PAGE_RELATED).order_by("-resolved_at", "-id"))


def township_to_judge(township_ids) -> QuerySet[Ticket]:
    """Resolved tickets in the townships' territory that another unit handled: theirs to judge, oldest first."""
    return (Ticket.objects.filter(status=TicketStatus.RESOLVED, township_id__in=list(township_ids))
            .exclude(responsible_agency_id=F("township_id"))
            .select_related(*PAGE_RELATED).order_by("resolved_at", "id"))


def township_calls(township_ids) -> QuerySet[Ticket]:
    """Open township calls (街呼区应) the townships filed, newest first."""
    return (Ticket.objects.filter(submitted_by_agency_id__in=list(township_ids), status__in=OPEN_STATES)
            .select_related(*PAGE_RELATED).order_by("-received_at", "-id"))


def township_territory(township_ids) -> QuerySet[Ticket]:
    return (Ticket.objects.filter(township_id__in=list(township_ids), status__in=HANDLING_STATES)
            .select_related(*PAGE_RELATED).order_by("resolve_due", "id"))


def my_reports(user) -> QuerySet[Ticket]:
    """The tickets ``user`` filed themselves, newest first, ready for a list."""
    return (
        Ticket.objects.filter(created_by=user)
        .select_related("category", "grid")
        .order_by("-received_at", "-id")
    )


def pending_extensions() -> QuerySet[TicketExtension]:
    """Extension requests waiting for the command centre, oldest first."""
    return (TicketExtension.objects.filter(status=ExtensionStatus.PENDING)
            .select_related("ticket", "requested_by").order_by("requested_at", "id"))


def ticket_detail_queryset() -> QuerySet[Ticket]:
    # At most ~8 joins: past PostgreSQL's geqo_threshold (12 relations) the
    # planner switches to its genetic optimiser and planning this one-row
    # query took ~17 ms, most of an intake request. Rarely shown relations are
    # prefetched instead (one indexed query each).
    return Ticket.objects.select_related(
        *LIST_RELATED, "grid", "proposed_agency", "submitted_by_agency",
    ).prefetch_related(
        "created_by", "merged_into", "verdict_by", "grid__township",
        Prefetch("co_handlers", queryset=TicketCoHandler.objects.select_related("agency", "feedback_by")),
        Prefetch("attachments", queryset=TicketAttachment.objects.select_related("uploaded_by")),
        Prefetch("extensions", queryset=TicketExtension.objects.select_related("requested_by", "decided_by")),
    )


def prime_fresh_ticket(ticket: Ticket, *, attachments=(), public_events=None) -> Ticket:
    """Record on a ticket created in this request what :func:`ticket_detail_queryset` would prefetch.

    A new ticket has no co-handlers or extensions and only the attachments
    just stored, so its detail can be serialised without reading it back;
    ``public_events`` (its intake event) is its whole :func:`public_timeline`.
    """
    if public_events is not None:
        ticket._fresh_public_events = list(public_events)
    cache = getattr(ticket, "_prefetched_objects_cache", None)
    if cache is None:
        cache = ticket._prefetched_objects_cache = {}
    for name, rows in (("co_handlers", ()), ("attachments", attachments), ("extensions", ())):
        queryset = getattr(ticket, name).get_queryset()
        queryset._result_cache = list(rows)
        queryset._prefetch_done = True
        cache[name] = queryset
    return ticket


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
    fresh = getattr(ticket, "_fresh_public_events", None)
    if fresh is not None and not ticket.merged_into_id:  # created in this request (prime_fresh_ticket)
        return list(fresh)
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

    A case links to its ticket from its side (enforcement imports no other
    app); this reads that link, so the ticket page shows it whether or not
    ``Ticket.linked_case`` was filled in.
    """
    where = Q(source_ticket_id=ticket.pk)
    if ticket.linked_case_id is not None:
        where |= Q(pk=ticket.linked_case_id)
    return list(Case.objects.visible_to(user).filter(where).order_by("pk")[:10])


def extension_of(ticket: Ticket, pk) -> TicketExtension | None:
    """The extension request ``pk`` of ``ticket`` (None when it is another ticket's, or none)."""
    return TicketExtension.objects.filter(ticket=ticket, pk=pk).first()


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
