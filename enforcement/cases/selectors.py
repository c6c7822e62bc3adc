"""Reads of cases: list, detail, history, township summary, published decisions.

Selectors own the query shape (select_related / prefetch_related), so list
pages and the API run a constant number of queries whatever the page size.
"""

from __future__ import annotations

import re

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from enforcement.access import get_visible_or_404, scope_for
from enforcement.cases.models import (
    OPEN_STATES,
    SEARCH_FIELDS,
    ApprovalStep,
    Case,
    CaseOfficer,
    CaseStatus,
    Evidence,
    LegalReview,
    Publication,
    WarningLevel,
    granted_case_ids,
)
from enforcement.models.agencies import TOWNSHIP_KINDS, Agency
from enforcement.models.events import Event

LIST_RELATED = ("agency", "matter", "township", "subject_agency")

# A whole registry number as enforcement.cases.rules.registry_number writes it: the agency's
# code, the year, a serial of at least five digits ("T01-2026-00012", "ZFJ-SQ-T01-2026-00003").
REGISTRY_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*-(19|20)[0-9]{2}-[0-9]{5,}")


def looks_like_case_number(term: str) -> bool:
    return REGISTRY_NUMBER.fullmatch(term) is not None


def case_text_q(term: str) -> Q:
    """Cases whose number, filing number, decision number, title or party name contains ``term``.

    Case-insensitive ``icontains`` on each column, served on PostgreSQL by its trigram index
    (``TrigramIndex`` in the model's Meta). A term that is a whole registry number finds that
    case only, by equality on the number (one probe of the unique index), as ``=number`` finds
    one ticket: a substring search for it also found a longer number containing it and any
    title naming it, and its estimate (one row per searched column) let PostgreSQL walk the
    list's ordering index past every case to find the one (0.16 s at 200,000 cases).
    """
    if looks_like_case_number(term):
        return Q(number__in=sorted({term, term.upper()}))
    where = Q()
    for field in SEARCH_FIELDS:
        where |= Q(**{f"{field}__icontains": term})
    return where


def case_search(user, filters: dict | None = None) -> QuerySet[Case]:
    """Cases ``user`` may see, filtered (status, warning, procedure, agency, major, year, free text)."""
    filters = filters or {}
    qs = Case.objects.visible_to(user, agency_id=filters.get("agency") or None, listing=True)
    qs = qs.select_related(*LIST_RELATED)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    warning = filters.get("warning")
    if warning == "any":
        qs = qs.exclude(warning_level=WarningLevel.NONE)
    elif warning:
        qs = qs.filter(warning_level=warning)
    if filters.get("procedure"):
        qs = qs.filter(procedure=filters["procedure"])
    if filters.get("major"):
        qs = qs.filter(Q(is_major=True) | Q(is_complex=True))
    if filters.get("year"):
        qs = qs.filter(discovered_on__year=filters["year"])
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(case_text_q(q))
    return qs.order_by("-created_at", "-id")


def filter_agencies(user) -> list[Agency]:
    """The handling agencies the list filter offers (those with cases the user may see)."""
    # One index probe per agency (case_agency_status) instead of a DISTINCT over every visible case,
    # which read all 200,000 rows on each page view of a county-wide reader.
    scope = scope_for(user)
    handles = Exists(Case.objects.filter(agency_id=OuterRef("pk")))
    if scope.all_cases:
        agencies = Agency.objects.filter(handles)
    else:
        # The reader's own agencies that handle cases (one probe each), and the handling agencies
        # of the few cases seen as subject agency or by grant. An EXISTS over the whole scope
        # condition per agency read every case of every other agency (0.6-0.9 s at 200,000 cases).
        own = sorted(scope.agency_ids)
        others = Case.objects.filter(Q(subject_agency_id__in=own) | Q(pk__in=granted_case_ids(user)))
        agencies = Agency.objects.filter((Q(pk__in=own) & handles) | Q(pk__in=others.values("agency_id")))
    return list(agencies.order_by("sort_order", "code"))


def case_detail(user, pk: int) -> Case:
    """One case with everything its page shows, or 404 (missing or out of scope)."""
    qs = Case.objects.select_related(*LIST_RELATED, "tier", "created_by", "decided_by",
                                     "justification_approved_by").prefetch_related(
        Prefetch("case_officers", queryset=CaseOfficer.objects.select_related("officer").order_by("-role", "id")),
        Prefetch("approval_steps", queryset=ApprovalStep.objects.select_related("decided_by").order_by("round",
                                                                                                      "order")),
        Prefetch("legal_reviews", queryset=LegalReview.objects.select_related("reviewer", "submitted_by")),
        Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by", "superseded_by")),
        "documents", "deliberations", "extensions__approved_by", "suspensions", "appeals",
    )
    return get_visible_or_404(qs, user, pk=pk)


def case_publication(case: Case) -> Publication | None:
    return Publication.objects.filter(case=case).first()


def case_history(case: Case) -> list[Event]:
    """The full-process record of a case, oldest first."""
    return list(Event.objects.for_object(case).select_related("actor_agency"))


def evidence_for(user, case_pk: int, evidence_pk: int) -> Evidence:
    case = get_visible_or_404(Case, user, pk=case_pk)
    evidence = Evidence.objects.select_related("case", "uploaded_by").filter(pk=evidence_pk, case=case).first()
    if evidence is None:
        raise Http404
    return evidence


def township_summary(user) -> list[dict]:
    """Per township: open cases, red and yellow warnings, decided and total (one query).

    County statistics: every county-wide reader counts every case, also a judicial
    reviewer who may open only the case files assigned to them.
    """
    if scope_for(user).county_wide:
        within = Q()
    else:
        within = Q(cases__pk__in=Case.objects.visible_to(user).values("pk"))
    rows = (
        Agency.objects.filter(kind__in=TOWNSHIP_KINDS)
        .annotate(
            total=Count("cases", filter=within),
            open=Count("cases", filter=within & Q(cases__status__in=OPEN_STATES)),
            red=Count("cases", filter=within & Q(cases__warning_level=WarningLevel.RED)),
            yellow=Count("cases", filter=within & Q(cases__warning_level=WarningLevel.YELLOW)),
            archived=Count("cases", filter=within & Q(cases__status=CaseStatus.ARCHIVED)),
        )
        .filter(total__gt=0)
        .order_by("sort_order", "code")
    )
    return list(rows)


def public_decisions(q: str = "", year: int | None = None) -> QuerySet[Publication]:
    """Published, not withdrawn decisions, newest first (public pages: frozen, masked content only)."""
    qs = Publication.objects.filter(withdrawn_at__isnull=True).only("pk", "published_at", "content", "case_id")
    if q:
        qs = qs.filter(Q(content__title__icontains=q) | Q(content__decision_number__icontains=q)
                       | Q(content__matter__icontains=q))
    if year:
        qs = qs.filter(case__decided_on__year=year)
    return qs.order_by("-published_at", "-pk")
