"""Warnings on the to-do lists: re-checks due (the correction deadline is today or has passed)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enforcement.inspections.permissions import INSPECTOR_ROLES
from enforcement.todo import LIMIT, TodoItem, level_for, provider
from enforcement.warnings.selectors import rechecks_due


@provider("warnings.recheck", roles=INSPECTOR_ROLES)
def rechecks(user, scope):
    """Open warnings of the user's agencies whose correction deadline has come: re-check them (one query)."""
    for w in rechecks_due(user, on=timezone.localdate())[:LIMIT]:
        yield TodoItem(
            kind="warnings.recheck",
            category=_("预警待复查"),
            title=w.party_name,
            url=reverse("warnings:detail", args=[w.pk]),
            due=w.correction_due_at,
            level=level_for(w.correction_due_at, stored=w.warning_level),
            reference=w.number,
            detail=w.agency.name,
        )
