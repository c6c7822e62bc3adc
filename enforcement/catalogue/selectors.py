"""Reads of the matter catalogue, shared by the API and the pages.

(The module sits beside ``enforcement/selectors.py`` rather than in a
``selectors`` package because that module already exists.)

Selectors own the query shape (STYLE.md practice 6): a list of matters is one
query however long; a matter's detail is a fixed handful.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enforcement.catalogue.models import DiscretionTier, Domain, Matter, MatterStatus, PowerGrant, PowerType
from enforcement.errors import ValidationFailed
from enforcement.models.agencies import Agency

__all__ = [
    "FieldChange",
    "HistoryEntry",
    "MatterFilters",
    "domain_list",
    "matter_detail",
    "matter_history",
    "matter_in_use",
    "matter_list",
    "matter_search",
]

_TRUE = {"1", "true", "yes", "y", "on", "是"}
_FALSE = {"0", "false", "no", "n", "off", "否"}
FLAG_FIELDS = ("first_offense_exempt", "safety_critical", "in_guidance_catalogue")


@dataclass(frozen=True)
class MatterFilters:
    """Filters of the matter list. Codes (or numeric ids) for domain and departments."""

    domain: str | None = None
    power_type: str | None = None
    origin_department: str | None = None
    supervising_department: str | None = None
    status: str | None = None
    first_offense_exempt: bool | None = None
    safety_critical: bool | None = None
    in_guidance_catalogue: bool | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> MatterFilters:
        """Read filters from query parameters; unknown keys are ignored, bad values refused.

        Raises :class:`~enforcement.errors.ValidationFailed` with one message per bad field.
        """
        values: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for f in fields(cls):
            raw = params.get(f.name)
            if raw is None or str(raw).strip() == "":
                continue
            text = str(raw).strip()
            if f.name in FLAG_FIELDS:
                if text.lower() in _TRUE:
                    values[f.name] = True
                elif text.lower() in _FALSE:
                    values[f.name] = False
                else:
                    errors[f.name] = [_("应为 true 或 false")]
            elif f.name == "power_type" and text not in PowerType.values:
                errors[f.name] = [_("未知职权类型“%(value)s”，可选：%(choices)s") % {
                    "value": text, "choices": ", ".join(PowerType.values)}]
            elif f.name == "status" and text not in MatterStatus.values:
                errors[f.name] = [_("未知状态“%(value)s”，可选：%(choices)s") % {
                    "value": text, "choices": ", ".join(MatterStatus.values)}]
            else:
                values[f.name] = text
        if errors:
            raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
        return cls(**values)

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))


def _code_or_id(prefix: str, value: str) -> Q:
    q = Q(**{f"{prefix}__code": value})
    if value.isdigit():
        q |= Q(**{f"{prefix}_id": int(value)})
    return q


def matter_list(qs: QuerySet[Matter] | None = None) -> QuerySet[Matter]:
    """Matters with what a list row shows, in one query."""
    qs = Matter.objects.all() if qs is None else qs
    return qs.select_related("domain", "origin_department", "supervising_department")


def matter_search(
    qs: QuerySet[Matter] | None = None,
    q: str = "",
    filters: MatterFilters | Mapping[str, Any] | None = None,
) -> QuerySet[Matter]:
    """Filter and search matters.

    ``q`` matches (every whitespace-separated word) the code, the name, or the
    legal basis text (violated and penalty provision). ``filters`` is a
    :class:`MatterFilters` or raw query parameters (then validated).
    """
    qs = matter_list(qs)
    if filters is not None and not isinstance(filters, MatterFilters):
        filters = MatterFilters.from_params(filters)
    if filters is not None:
        if filters.domain:
            qs = qs.filter(_code_or_id("domain", filters.domain))
        if filters.power_type:
            qs = qs.filter(power_type=filters.power_type)
        if filters.origin_department:
            qs = qs.filter(_code_or_id("origin_department", filters.origin_department))
        if filters.supervising_department:
            qs = qs.filter(_code_or_id("supervising_department", filters.supervising_department))
        if filters.status:
            qs = qs.filter(status=filters.status)
        for name in FLAG_FIELDS:
            value = getattr(filters, name)
            if value is not None:
                qs = qs.filter(**{name: value})
    for word in (q or "").split():
        qs = qs.filter(
            Q(code__icontains=word)
            | Q(name__icontains=word)
            | Q(violated_provision__icontains=word)
            | Q(penalty_provision__icontains=word)
        )
    return qs.order_by("code")


def current_grants_prefetch(on: dt.date | None = None, to_attr: str = "current_grants") -> Prefetch:
    """Prefetch of the grants valid on a day (county-wide first) with their agencies."""
    day = on or timezone.localdate()
    return Prefetch(
        "grants",
        queryset=PowerGrant.objects.valid_on(day)
        .select_related("holder", "acting_for", "township")
        # County-wide (no township) first on every database.
        .order_by(F("township__sort_order").asc(nulls_first=True), F("township__code").asc(nulls_first=True)),
        to_attr=to_attr,
    )


def matter_detail(code: str, *, user=None, on: dt.date | None = None) -> Matter:
    """One matter by code with its tiers (``tiers.all()``) and grants valid on ``on`` (``current_grants``).

    Raises Http404 when there is no such matter (or ``user`` may not see it).
    """
    qs = matter_list()
    if user is not None:
        qs = qs.visible_to(user)
    qs = qs.prefetch_related(
        Prefetch("tiers", queryset=DiscretionTier.objects.order_by("order")),
        current_grants_prefetch(on),
    )
    try:
        return qs.get(code=code)
    except Matter.DoesNotExist:
        raise Http404(_("未找到该事项")) from None


def matter_in_use(matter: Matter) -> bool:
    """True when any row refers to the matter through a protecting foreign key (grants, cases, ...).

    Such a matter can only be repealed, never deleted. Apps that add a
    ``PROTECT`` foreign key to Matter are covered without changes here.
    """
    from django.db.models import PROTECT, RESTRICT

    for rel in Matter._meta.related_objects:
        if rel.on_delete in (PROTECT, RESTRICT) and not rel.many_to_many:
            if rel.related_model._default_manager.filter(**{rel.field.name: matter}).exists():
                return True
    return False


def domain_list(*, active_only: bool = True) -> QuerySet[Domain]:
    qs = Domain.objects.all()
    return qs.filter(is_active=True) if active_only else qs


# --- history -------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    """One change of a matter or of one of its tiers, for the matter page."""

    at: dt.datetime
    user: Any
    action: str  # 新增 / 修改 / 删除
    subject: str  # 事项 / 裁量基准 第 n 条（等级）
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


_ACTIONS = {"+": gettext_lazy("新增"), "~": gettext_lazy("修改"), "-": gettext_lazy("删除")}
_HIDDEN_HISTORY_FIELDS = {"id", "created_at", "updated_at", "matter"}


def _display(model, name: str, value, names: dict) -> str:
    if value is None or value == "":
        return ""
    f = model._meta.get_field(name)
    if f.is_relation:
        return names.get((f.related_model, value), str(value))
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        from enforcement.catalogue.models import PenaltyKind

        labels = dict(PenaltyKind.choices)
        return "、".join(str(labels.get(v, v)) for v in value)
    return str(value)


def matter_history(matter: Matter) -> list[HistoryEntry]:
    """Who changed what and when, newest first: the matter's rows and its tiers' rows (4 queries)."""
    matter_rows = list(matter.history.select_related("history_user").order_by("history_date", "history_id"))
    tier_rows = list(
        DiscretionTier.history.filter(matter_id=matter.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    agency_ids = {r.origin_department_id for r in matter_rows} | {r.supervising_department_id for r in matter_rows}
    domain_ids = {r.domain_id for r in matter_rows}
    names: dict = {(Agency, a.pk): a.name for a in Agency.objects.filter(pk__in=agency_ids - {None})}
    names.update({(Domain, d.pk): d.name for d in Domain.objects.filter(pk__in=domain_ids - {None})})

    tracked = [f.name for f in Matter._meta.concrete_fields if f.name not in _HIDDEN_HISTORY_FIELDS]
    entries: list[HistoryEntry] = []
    previous = None
    for row in matter_rows:
        changes = []
        if previous is not None and row.history_type == "~":
            for name in tracked:
                attname = Matter._meta.get_field(name).attname
                old, new = getattr(previous, attname, None), getattr(row, attname, None)
                if old != new:
                    changes.append(FieldChange(
                        str(Matter._meta.get_field(name).verbose_name),
                        _display(Matter, name, old, names),
                        _display(Matter, name, new, names),
                    ))
        entries.append(HistoryEntry(
            at=row.history_date, user=row.history_user, action=str(_ACTIONS.get(row.history_type, row.history_type)),
            subject=_("事项"), reason=row.history_change_reason or "", changes=changes,
        ))
        previous = row

    tier_fields = ["level", "circumstances", "penalty_kinds", "fine_min", "fine_max", "fine_unit"]
    last_by_tier: dict[int, Any] = {}
    for row in tier_rows:
        before = last_by_tier.get(row.id)
        changes = []
        for name in tier_fields:
            old = getattr(before, name, None) if before is not None else None
            new = getattr(row, name, None)
            if row.history_type == "-":
                new, old = None, new
            if old != new and not (row.history_type == "+" and new in (None, "", [])):
                changes.append(FieldChange(
                    str(DiscretionTier._meta.get_field(name).verbose_name),
                    _display(DiscretionTier, name, old, names),
                    _display(DiscretionTier, name, new, names),
                ))
        entries.append(HistoryEntry(
            at=row.history_date, user=row.history_user, action=str(_ACTIONS.get(row.history_type, row.history_type)),
            subject=_("裁量基准 第 %(n)s 条（%(level)s）") % {"n": row.order, "level": row.level},
            reason=row.history_change_reason or "", changes=changes,
        ))
        last_by_tier[row.id] = row
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries
