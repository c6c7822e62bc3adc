"""To-do lists (待办事项): what waits for a user, from every app, nearest deadline first.

Each subject contributes *providers*: functions ``(user, scope) -> iterable of
TodoItem`` registered for the roles whose work they list. Apps keep theirs in
a ``todo`` module (``dispatch/todo.py``, ``devolution/todo.py``; the cases'
in :mod:`enforcement.cases.todo`), imported on first use as the seed steps are
(:mod:`enforcement.demo`), so the core imports no other app. A subject built
later (rectification notices, warnings to re-check, inspections, case-file
scoring) plugs in with one decorated function::

    @todo.provider("supervision.scoring", roles={Role.JUDICIAL_REVIEWER})  # Role: enforcement.models
    def case_files_to_score(user, scope):
        return [todo.TodoItem(...) for a in assignments_waiting_for(user)]

The list is read from live state on every request, never copied: an item
leaves the moment its action changes the state its query asks for. Each
provider runs a constant number of queries (and at most ``LIMIT`` rows), so a
whole list costs the same whatever its length.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

from enforcement.access import Scope, scope_for

# Rows one provider reads at most: the nearest deadlines of a long queue.
LIMIT = 100

NONE, YELLOW, RED = "none", "yellow", "red"
LEVEL_CSS = {NONE: "success", YELLOW: "warning", RED: "danger"}


@dataclass(frozen=True)
class TodoItem:
    """One thing waiting for the user, with where to do it."""

    kind: str  # the provider's key, e.g. "dispatch.triage"
    category: str | Promise  # what to do, e.g. 待分流
    title: str
    url: str
    due: dt.datetime | None = None
    level: str = NONE  # warning light: none (green), yellow, red
    reference: str = ""  # the object's number
    detail: str = ""  # its agency, township or state

    @property
    def level_css(self) -> str:
        return LEVEL_CSS.get(self.level, "success")

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < timezone.now()


@dataclass(frozen=True)
class Provider:
    key: str
    func: Callable[[object, Scope], Iterable[TodoItem]]
    roles: frozenset[str] = field(default_factory=frozenset)
    # Also for grid members who hold no post (enforcement.navigation.is_postless_grid_member).
    grid_members: bool = False


_PROVIDERS: dict[str, Provider] = {}
_discovered = False


def provider(key: str, *, roles: Iterable[str] = (), grid_members: bool = False):
    """Register ``func(user, scope)`` as the to-do provider ``key`` for ``roles`` (decorator)."""

    def register(func):
        _PROVIDERS[key] = Provider(key, func, frozenset(roles), grid_members)
        return func

    return register


def providers() -> list[Provider]:
    global _discovered
    if not _discovered:
        # Each app's todo module, and the subject packages' (enforcement/cases/todo.py, ...).
        autodiscover_modules("todo", "cases.todo", "inspections.todo", "warnings.todo", "coercion.todo")
        _discovered = True
    return sorted(_PROVIDERS.values(), key=lambda p: p.key)


def providers_for(user) -> list[Provider]:
    if user is None or not user.is_authenticated:
        return []
    from enforcement.navigation import is_postless_grid_member

    roles = scope_for(user).roles
    grid_member = None
    chosen = []
    for p in providers():
        if p.roles & roles:
            chosen.append(p)
        elif p.grid_members:
            if grid_member is None:
                grid_member = is_postless_grid_member(user)
            if grid_member:
                chosen.append(p)
    return chosen


def level_for(due: dt.datetime | None, *, start: dt.datetime | None = None, stored: str | None = None,
              now: dt.datetime | None = None) -> str:
    """The warning light of an item: the one its deadline sweep keeps, else computed from its times.

    Red past the deadline; yellow after the share of the allowed time that
    ``WARNING_YELLOW_SHARE`` sets (as the sweeps do), when the start is known.
    """
    if stored in (YELLOW, RED):
        return stored
    if due is None:
        return NONE
    now = now or timezone.now()
    if now > due:
        return RED
    if start is not None and start < due:
        from enforcement.cases.deadlines import yellow_share

        if now >= start + (due - start) * yellow_share():
            return YELLOW
    return NONE


def sort_key(item: TodoItem) -> tuple:
    # Nearest deadline first (the overdue, being earliest, lead); undated items last.
    return (item.due is None, item.due or dt.datetime.max.replace(tzinfo=dt.UTC), item.kind, item.reference)


def todo_for(user) -> list[TodoItem]:
    """Everything waiting for ``user``, nearest deadline first."""
    scope = scope_for(user)
    items: list[TodoItem] = []
    for p in providers_for(user):
        items.extend(p.func(user, scope))
    items.sort(key=sort_key)
    return items


def todo_count(user) -> int:
    return len(todo_for(user))
