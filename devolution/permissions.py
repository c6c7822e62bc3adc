"""Who may do what with devolution batches (one place, used by models, services, views and the API).

* Bureau staff draft, edit and submit batches: administrators of the bureau
  or its command centre, or a superuser (:func:`can_manage_batches`).
* Reviewers comment on and approve or reject items and batches: judicial
  bureau reviewers, establishment-office staff, and staff of the department a
  matter comes from (:func:`can_review_batch`, :func:`can_review_item`).
* Approving a batch: a judicial reviewer or an administrator, after every
  check passes (:func:`can_approve`).
* Publishing, enacting and revoking: administrators (:func:`is_administrator`).

:func:`batch_actions` and :func:`item_actions` say which actions of the
tables in :mod:`devolution.actions` a user is offered on a batch or an item
now (a guide for the pages and the API; the services check again).

Membership rows are read once per user object (i.e. once per request).
"""

from __future__ import annotations

from dataclasses import dataclass

from devolution.choices import PRE_IN_FORCE_STATES, BatchStatus, ItemState
from enforcement.access import is_administrator, scope_for
from enforcement.models import AgencyKind, Membership, Role

BUREAU_KINDS = (AgencyKind.BUREAU, AgencyKind.COMMAND_CENTRE)


@dataclass(frozen=True)
class Posts:
    """The user's active memberships as (agency_id, role, agency kind)."""

    rows: tuple[tuple[int, str, str], ...]
    superuser: bool

    def any(self, *, role: str | None = None, kinds: tuple[str, ...] | None = None) -> bool:
        return any((role is None or r == role) and (kinds is None or k in kinds) for _a, r, k in self.rows)

    def agencies(self, *, role: str | None = None, kinds: tuple[str, ...] | None = None) -> frozenset[int]:
        return frozenset(
            a for a, r, k in self.rows if (role is None or r == role) and (kinds is None or k in kinds)
        )


NO_POSTS = Posts(rows=(), superuser=False)


def posts_of(user) -> Posts:
    if user is None or not getattr(user, "is_authenticated", False):
        return NO_POSTS
    cached = getattr(user, "_devolution_posts", None)
    if cached is not None:
        return cached
    rows = tuple(
        Membership.objects.active()
        .filter(user_id=user.pk)
        .order_by("id")
        .values_list("agency_id", "role", "agency__kind")
    )
    posts = Posts(rows=rows, superuser=bool(user.is_superuser))
    user._devolution_posts = posts
    return posts


def can_manage_batches(user) -> bool:
    """Bureau staff who draft, edit and submit batches: bureau/command-centre administrators or a superuser."""
    posts = posts_of(user)
    return posts.superuser or posts.any(role=Role.ADMINISTRATOR, kinds=BUREAU_KINDS)


def is_judicial_reviewer(user) -> bool:
    return posts_of(user).any(role=Role.JUDICIAL_REVIEWER, kinds=(AgencyKind.JUDICIAL_BUREAU,))


def is_establishment_staff(user) -> bool:
    return posts_of(user).any(kinds=(AgencyKind.ESTABLISHMENT_OFFICE,))


def department_ids(user) -> frozenset[int]:
    """Departments in which the user works as department staff."""
    return posts_of(user).agencies(role=Role.DEPARTMENT_STAFF, kinds=(AgencyKind.DEPARTMENT,))


def is_reviewer(user) -> bool:
    return is_judicial_reviewer(user) or is_establishment_staff(user) or bool(department_ids(user))


def can_review_item(user, item) -> bool:
    if is_judicial_reviewer(user) or is_establishment_staff(user):
        return True
    return item.matter.origin_department_id in department_ids(user)


def can_review_batch(user, batch) -> bool:
    if is_judicial_reviewer(user) or is_establishment_staff(user):
        return True
    depts = department_ids(user)
    if not depts:
        return False
    return batch.items.filter(matter__origin_department_id__in=depts).exists()


def can_approve(user) -> bool:
    return is_judicial_reviewer(user) or is_administrator(user)


def can_edit_responsibilities(user, department_id: int | None = None) -> bool:
    """Administrators, or staff of the department whose duties these are."""
    if is_administrator(user):
        return True
    depts = department_ids(user)
    return bool(depts) if department_id is None else department_id in depts


def sees_whole_county(user) -> bool:
    return scope_for(user).county_wide or posts_of(user).superuser


def can_view_readiness(user) -> bool:
    """The county's readiness table (承接能力): county-wide staff and the establishment office."""
    return sees_whole_county(user) or is_establishment_staff(user)


# --- FSM permission callables: (batch, user) -> bool ---------------------------


def perm_manage(batch, user) -> bool:
    return can_manage_batches(user)


def perm_start_review(batch, user) -> bool:
    return can_manage_batches(user) or can_review_batch(user, batch)


def perm_return(batch, user) -> bool:
    return can_manage_batches(user) or can_review_batch(user, batch)


def perm_approve(batch, user) -> bool:
    return can_approve(user)


def perm_administer(batch, user) -> bool:
    return is_administrator(user)


# --- FSM permission callables of an item's sub-states: (item, user) -> bool ---------


def perm_review_item(item, user) -> bool:
    return can_review_item(user, item)


def perm_approve_item(item, user) -> bool:
    # The whole batch's approval approves its pending items.
    return can_approve(user)


def perm_edit_item(item, user) -> bool:
    return can_manage_batches(user)


def perm_revoke_item(item, user) -> bool:
    return is_administrator(user)


# --- which actions a user is offered now (devolution.actions) ----------------------


def batch_actions(batch, user) -> list[str]:
    """Keys of ``BATCH_ACTIONS`` open to ``user`` on ``batch`` in its current state, in the page's order."""
    status = batch.status
    manage = can_manage_batches(user)
    admin = is_administrator(user)
    reviewing = status == BatchStatus.UNDER_REVIEW
    out = []
    if status == BatchStatus.DRAFT and manage:
        out.append("submit")
    if status == BatchStatus.SUBMITTED and (manage or can_review_batch(user, batch)):
        out.append("start_review")
    if reviewing and can_approve(user):
        out.append("approve")
    if status == BatchStatus.APPROVED and admin:
        out.append("publish")
    if status == BatchStatus.PUBLISHED and admin:
        out.append("enact")
    if status in PRE_IN_FORCE_STATES and manage:
        out.append("withdraw")
    if status == BatchStatus.IN_FORCE and admin:
        out.append("revoke")
    if reviewing and can_review_batch(user, batch):
        out.append("review")
    if status in (BatchStatus.SUBMITTED, BatchStatus.UNDER_REVIEW) and perm_return(batch, user):
        out.append("return_for_changes")
    return out


def item_actions(item, user) -> list[str]:
    """Keys of ``ITEM_ACTIONS`` open to ``user`` on ``item`` (its ``batch`` loaded) now."""
    status = item.batch.status
    out = []
    if status == BatchStatus.UNDER_REVIEW and can_review_item(user, item):
        out.append("review")
    if status == BatchStatus.IN_FORCE and item.state == ItemState.ACTIVE and item.enacts and is_administrator(user):
        out.append("revoke")
    return out
