"""Reads for the core pages: the user's main role, home cards, inbox, grids.

Selectors own the query shape (STYLE.md practice 6): pages built on them run
a constant number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from enforcement.access import scope_for
from enforcement.models.agencies import Certificate, Membership, Role
from enforcement.models.grids import Grid
from enforcement.models.notifications import Notification

# Which home page a user with several roles lands on: the broadest duty first.
ROLE_PRIORITY: tuple[str, ...] = (
    Role.ADMINISTRATOR,
    Role.DISPATCHER,
    Role.JUDICIAL_REVIEWER,
    Role.LEGAL_REVIEWER,
    Role.SQUADRON_LEADER,
    Role.SQUADRON_OFFICER,
    Role.TOWNSHIP_LEADER,
    Role.TOWNSHIP_OFFICER,
    Role.DEPARTMENT_STAFF,
)
# Roles whose home shows the grids of their own territory.
GRID_ROLES = frozenset({Role.SQUADRON_LEADER, Role.SQUADRON_OFFICER, Role.TOWNSHIP_LEADER, Role.TOWNSHIP_OFFICER})
# A certificate this close to its end date is flagged on the officer's pages.
CERTIFICATE_WARNING_DAYS = 30


def main_role(user) -> str | None:
    """The role whose home page the user sees; ``None`` when they have none."""
    if not user.is_authenticated:
        return None
    roles = scope_for(user).roles
    for role in ROLE_PRIORITY:
        if role in roles:
            return str(role)
    if user.is_superuser:
        return str(Role.ADMINISTRATOR)
    return None


def display_name(user) -> str:
    """Chinese order (family name first), falling back to the username."""
    name = f"{user.last_name}{user.first_name}".strip()
    return name or user.get_username()


def memberships_of(user) -> QuerySet[Membership]:
    return (
        Membership.objects.active()
        .filter(user=user)
        .select_related("agency", "agency__parent", "agency__stationed_in")
        .order_by("id")
    )


def membership_for_role(memberships: list[Membership], role: str | None) -> Membership | None:
    """The membership that carries ``role`` (the first one), else the first membership."""
    for m in memberships:
        if m.role == role:
            return m
    return memberships[0] if memberships else None


class CertificateState:
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_YET_VALID = "not_yet_valid"


_STATE_LABELS = {
    CertificateState.VALID: (pgettext_lazy("certificate", "有效"), "success"),
    CertificateState.EXPIRING: (_("即将到期"), "warning"),
    CertificateState.EXPIRED: (_("已过期"), "danger"),
    CertificateState.REVOKED: (_("已注销"), "secondary"),
    CertificateState.NOT_YET_VALID: (_("尚未生效"), "info"),
}


@dataclass(frozen=True)
class CertificateStatus:
    certificate: Certificate
    state: str
    days_left: int

    @property
    def label(self):
        return _STATE_LABELS[self.state][0]

    @property
    def css(self) -> str:
        return _STATE_LABELS[self.state][1]

    @property
    def needs_attention(self) -> bool:
        return self.state in (CertificateState.EXPIRING, CertificateState.EXPIRED)


def certificate_status(cert: Certificate, today: dt.date) -> CertificateStatus:
    days_left = (cert.valid_to - today).days
    if cert.revoked_at is not None and cert.revoked_at <= today:
        state = CertificateState.REVOKED
    elif today > cert.valid_to:
        state = CertificateState.EXPIRED
    elif today < cert.valid_from:
        state = CertificateState.NOT_YET_VALID
    elif days_left <= CERTIFICATE_WARNING_DAYS:
        state = CertificateState.EXPIRING
    else:
        state = CertificateState.VALID
    return CertificateStatus(cert, state, days_left)


def certificates_of(user, *, today: dt.date | None = None) -> list[CertificateStatus]:
    today = today or timezone.localdate()
    return [certificate_status(c, today) for c in Certificate.objects.filter(officer=user).order_by("-valid_to")]


def grids_for(user) -> QuerySet[Grid]:
    """Grids the user may see, ready for a list (township and grid member joined)."""
    return Grid.objects.visible_to(user).select_related("township", "member").order_by("township__sort_order", "code")


def own_territory_grids(user) -> QuerySet[Grid]:
    """Grids of the townships the user's own agencies cover (not the whole county)."""
    scope = scope_for(user)
    return grids_for(user).filter(township_id__in=scope.township_ids)


def inbox(user, *, unread_only: bool = False, newest_first: bool = False) -> QuerySet[Notification]:
    """The user's own notifications; unread ones first unless ``newest_first``."""
    qs = Notification.objects.visible_to(user)
    if unread_only:
        qs = qs.unread()
    if newest_first:
        return qs.order_by("-created_at", "-id")
    unread_first = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1))
    return qs.order_by(unread_first, "-created_at", "-id")
