"""Who may see what: the agency scope of a user, and per-object grants.

ARCHITECTURE.md "Permissions": every model kind has one ``visible_to(user)``
queryset method built on :func:`scope_for`; views, the API and admin all use
it. Objects outside a user's scope answer 404 (:func:`get_visible_or_404`).
Per-object grants (a reviewer on a case file, a co-handler on a ticket) go
through django-guardian via :func:`grant` / :func:`revoke` / :func:`has_grant`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection, models
from django.http import Http404
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from enforcement.models.agencies import (
    COUNTY_WIDE_KINDS,
    SQUADRON_KINDS,
    TOWNSHIP_KINDS,
    Agency,
    AgencyKind,
    Membership,
    Role,
)


@dataclass(frozen=True)
class Scope:
    """The agencies a user acts for, and the territory they see."""

    user_id: int | None
    county_wide: bool = False
    # Sees every case file. County-wide users do, except judicial reviewers (司法局评查员):
    # they supervise the county (its statistics, tickets) but open a case file only while
    # assigned to review it (ARCHITECTURE.md "Permissions"; a per-object grant).
    all_cases: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)
    # Agencies the user belongs to, with their descendants.
    agency_ids: frozenset[int] = field(default_factory=frozenset)
    # Townships whose territory the user covers (own township, or the
    # township a stationed squadron sits in).
    township_ids: frozenset[int] = field(default_factory=frozenset)
    # (agency_id, role) pairs of the user's own memberships.
    memberships: tuple[tuple[int, str], ...] = ()
    primary_agency_id: int | None = None

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def role_in(self, agency_id: int, *roles: str) -> bool:
        return any(a == agency_id and r in roles for a, r in self.memberships)

    def covers_agency(self, agency_id: int | None) -> bool:
        return self.county_wide or agency_id in self.agency_ids

    def covers_township(self, township_id: int | None) -> bool:
        return self.county_wide or township_id in self.township_ids


ANONYMOUS_SCOPE = Scope(user_id=None)


def scope_for(user) -> Scope:
    """Return the user's scope, computed once per user object (i.e. per request)."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS_SCOPE
    cached = getattr(user, "_bureau_scope", None)
    if cached is not None:
        return cached
    rows, agencies = _memberships_and_agencies(user.pk)
    roles = frozenset(r for _, r, _ in rows)
    county_wide = user.is_superuser or any(kind in COUNTY_WIDE_KINDS for _, _, kind in rows)
    county_wide = county_wide or Role.ADMINISTRATOR in roles
    all_cases = user.is_superuser or Role.ADMINISTRATOR in roles or any(
        kind in COUNTY_WIDE_KINDS and role != Role.JUDICIAL_REVIEWER for _, role, kind in rows
    )
    agency_ids: set[int] = set()
    township_ids: set[int] = set()
    for agency_id, kind, stationed_in_id in agencies:
        agency_ids.add(agency_id)
        if kind in TOWNSHIP_KINDS:
            township_ids.add(agency_id)
        elif kind in SQUADRON_KINDS and stationed_in_id is not None:
            township_ids.add(stationed_in_id)
    scope = Scope(
        user_id=user.pk,
        county_wide=county_wide,
        all_cases=all_cases,
        roles=roles,
        agency_ids=frozenset(agency_ids),
        township_ids=frozenset(township_ids),
        memberships=tuple((a, r) for a, r, _ in rows),
        primary_agency_id=rows[0][0] if rows else None,
    )
    user._bureau_scope = scope
    return scope


def _memberships_and_agencies(user_id: int) -> tuple[list[tuple[int, str, str]], list[tuple[int, str, int | None]]]:
    """The user's active memberships and the agencies under them, in one query.

    Returns ``[(agency_id, role, agency_kind)]`` in membership order (the
    first is the primary agency) and ``[(id, kind, stationed_in_id)]`` of the
    member agencies and all their descendants. Raw SQL with a recursive CTE
    (PostgreSQL and SQLite alike), because it runs on every signed-in
    request; ``UNION`` rather than ``UNION ALL`` in the CTE so that a cycle
    entered by mistake in admin cannot loop. "Active" is
    ``Membership.objects.active()``: the membership and its agency.
    """
    agency = connection.ops.quote_name(Agency._meta.db_table)
    membership = connection.ops.quote_name(Membership._meta.db_table)
    sql = (
        f"WITH RECURSIVE mine AS (SELECT m.id, m.agency_id, m.role, a.kind FROM {membership} m "
        f"JOIN {agency} a ON a.id = m.agency_id WHERE m.user_id = %s AND m.is_active = %s AND a.is_active = %s), "
        f"tree(id) AS (SELECT agency_id FROM mine UNION SELECT a.id FROM {agency} a JOIN tree t ON a.parent_id = t.id) "
        f"SELECT 0, id, agency_id, role, kind, NULL FROM mine "
        f"UNION ALL SELECT 1, a.id, a.id, '', a.kind, a.stationed_in_id FROM {agency} a JOIN tree t ON a.id = t.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, True, True])
        result = cursor.fetchall()
    memberships = [(agency_id, role, kind) for part, _id, agency_id, role, kind, _s in sorted(result) if part == 0]
    agencies = [(agency_id, kind, stationed_in) for part, _id, agency_id, _r, kind, stationed_in in result if part == 1]
    return memberships, agencies


def is_administrator(user) -> bool:
    """Superusers and members with the administrator role (the one copy of this predicate)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or scope_for(user).has_role(Role.ADMINISTRATOR))


def forget_scope(user) -> None:
    """Drop the cached scope (after memberships change within a request)."""
    if hasattr(user, "_bureau_scope"):
        del user._bureau_scope


def get_visible_or_404(queryset_or_model, user, **lookup) -> models.Model:
    """Fetch one object within the user's scope; 404 whether it is missing or out of scope."""
    qs = queryset_or_model
    if isinstance(qs, type) and issubclass(qs, models.Model):
        qs = qs._default_manager.all()
    try:
        return qs.visible_to(user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404(qs.model._meta.verbose_name) from None


def primary_agency(user) -> Agency | None:
    scope = scope_for(user)
    if scope.primary_agency_id is None:
        return None
    return Agency.objects.filter(pk=scope.primary_agency_id).first()


def is_bureau_kind(kind: str) -> bool:
    return kind in (AgencyKind.BUREAU, AgencyKind.COMMAND_CENTRE)


# --- per-object grants (django-guardian) ----------------------------------


def grant(perm: str, user_or_group, obj: models.Model) -> None:
    """Give one user (or group) a permission on one object, e.g. a reviewer on a case file."""
    assign_perm(_full_perm(perm, obj), user_or_group, obj)


def revoke(perm: str, user_or_group, obj: models.Model) -> None:
    remove_perm(_full_perm(perm, obj), user_or_group, obj)


def has_grant(user, perm: str, obj: models.Model) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(_full_perm(perm, obj), obj))


def objects_granted(user, perm: str, queryset: models.QuerySet) -> models.QuerySet:
    """The objects of ``queryset`` on which ``user`` holds ``perm`` by a per-object grant.

    Guardian filters ``object_pk IN (SELECT pk::varchar FROM <the queryset's table>)``: it reads
    the whole table. For small tables only; cases use ``cases.models.granted_case_ids``.
    """
    return get_objects_for_user(
        user, _full_perm(perm, queryset.model), klass=queryset, accept_global_perms=False, with_superuser=False
    )


def _full_perm(perm: str, obj_or_model) -> str:
    if "." in perm:
        return perm
    return f"{obj_or_model._meta.app_label}.{perm}"
