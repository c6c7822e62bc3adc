"""Power grants: the single answer to "who may act on matter M in township T on day D".

ARCHITECTURE.md "Dependency direction": devolution never owns who may act
now; enacting a batch calls :func:`grant_power`, revoking calls
:func:`end_grant`, and every other app asks :func:`holder_of` (or, for many
matters at once, :func:`power_map`).

Rules:

* A grant applies from ``valid_from`` to ``valid_to`` inclusive (open when
  ``valid_to`` is null). A township-specific grant valid on a day wins over a
  county-wide one (township null).
* Grants are never deleted or rewritten: ending one sets ``valid_to`` to the
  day before the end takes effect. Answers about days before the change stay
  what they were.
* Two grants for the same matter and the same township (or both county-wide)
  may not overlap in time. :func:`grant_power` and :func:`end_grant` lock the
  matter row (``select_for_update``) before checking, so two concurrent grants
  of one matter are serialised and cannot both pass the overlap check. (A
  PostgreSQL exclusion constraint would need the btree_gist extension; the
  row lock is enough because every write goes through these services.)

Who may call :func:`grant_power` is the caller's decision (the devolution app
checks who may enact a batch; the catalogue importer and admin are
administrators' tools); ``by`` is recorded on the grant and its event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.catalogue.models import GrantMode, GrantSource, Matter, MatterStatus, PowerGrant
from enforcement.errors import Conflict, InvalidTransition, ValidationFailed
from enforcement.models.agencies import TOWNSHIP_KINDS, Agency
from enforcement.models.events import Event
from enforcement.workflow import _actor_agency, record_event

__all__ = [
    "GrantOverlap",
    "HolderAnswer",
    "answer_for",
    "end_grant",
    "end_grants_bulk",
    "end_grants_of_matter",
    "grant_power",
    "holder_of",
    "holders_for_township",
    "holders_of_matter",
    "power_map",
]

# Modes that only make sense for one township.
TOWNSHIP_MODES = frozenset(
    {GrantMode.DEVOLVED, GrantMode.ENTRUSTED, GrantMode.STATIONED, GrantMode.HUB_AND_SPOKE}
)


class GrantOverlap(Conflict):
    code = "grant_overlap"


@dataclass(frozen=True)
class HolderAnswer:
    """Who holds a matter (in a township) on a day, and how."""

    agency: Agency
    mode: str
    grant: PowerGrant
    acting_for: Agency | None
    via_text: str

    @property
    def mode_label(self) -> str:
        return str(GrantMode(self.mode).label)

    @property
    def county_wide(self) -> bool:
        return self.grant.township_id is None


def _today() -> dt.date:
    return timezone.localdate()


def _source_text(grant: PowerGrant) -> str:
    ref = grant.source_ref or (f"#{grant.source_batch_id}" if grant.source_batch_id else "")
    if grant.source_kind == GrantSource.BATCH:
        return _("赋权批次 %(ref)s") % {"ref": ref} if ref else _("赋权批次")
    if grant.source_kind == GrantSource.DOCUMENT:
        return _("依据 %(ref)s") % {"ref": ref} if ref else _("依据文件")
    if grant.source_kind == GrantSource.IMPORT:
        return _("目录导入")
    return _("手工录入")


def _via_text(grant: PowerGrant) -> str:
    """A sentence a clerk reads: "赋权青山镇（赋权批次 2026-1）"."""
    names = {
        "holder": grant.holder.name,
        "acting_for": grant.acting_for.name if grant.acting_for_id else "",
        "township": grant.township.name if grant.township_id else _("全县"),
    }
    mode = grant.mode
    if mode == GrantMode.TRANSFERRED:
        text = _("划转至%(holder)s") % names
    elif mode == GrantMode.RETAINED:
        text = _("由%(holder)s保留行使") % names
    elif mode == GrantMode.DEVOLVED:
        text = _("赋权%(holder)s") % names
    elif mode == GrantMode.ENTRUSTED:
        text = _("委托%(holder)s以%(acting_for)s名义行使") % names if names["acting_for"] else (
            _("委托%(holder)s行使") % names
        )
    elif mode == GrantMode.STATIONED:
        text = _("由派驻%(township)s的%(holder)s行使") % names
    else:
        text = _("由%(holder)s按“1+X”辐射模式代%(acting_for)s行使") % {
            **names,
            "acting_for": names["acting_for"] or names["township"],
        }
    # One message for the whole sentence: languages differ in how a note joins it.
    return _("%(how)s（%(source)s）") % {"how": text, "source": _source_text(grant)}


def answer_for(grant: PowerGrant) -> HolderAnswer:
    """The answer a grant gives (its holder, acting_for and township should be selected)."""
    return HolderAnswer(
        agency=grant.holder,
        mode=grant.mode,
        grant=grant,
        acting_for=grant.acting_for,
        via_text=_via_text(grant),
    )


def _grant_rows() -> QuerySet[PowerGrant]:
    return PowerGrant.objects.select_related("holder", "acting_for", "township")


def holder_of(matter: Matter, township: Agency | None, on: dt.date | None = None) -> HolderAnswer | None:
    """Who may act on ``matter`` in ``township`` on day ``on`` (default today); None if nobody.

    A township-specific grant valid that day wins over a county-wide one.
    ``township=None`` asks for the county-wide holder only. The answer is
    about grants only: whether the matter is suspended is the caller's check
    (``matter.status``); a repealed matter's grants end with it.
    """
    day = on or _today()
    # The hot path (tickets, cases and permission checks all ask it): one plain
    # query for the row and one for its agencies. The equivalent ORM query with a
    # three-way select_related spent ~1.5 ms compiling SQL (bench/bench_devolution.py).
    township_id = getattr(township, "pk", township)
    where, params = "township_id IS NULL", [getattr(matter, "pk", matter)]
    if township_id is not None:
        where, params = "(township_id IS NULL OR township_id = %s)", [*params, township_id]
    # Township-specific rows sort first (false < true), then the latest start.
    rows = list(PowerGrant.objects.raw(
        # Only the table name is formatted in; every value is a parameter.
        f"SELECT * FROM {PowerGrant._meta.db_table} WHERE matter_id = %s AND {where}"
        " AND valid_from <= %s AND (valid_to IS NULL OR valid_to >= %s)"
        " ORDER BY township_id IS NULL, valid_from DESC LIMIT 1",
        [*params, day, day],
    ))
    if not rows:
        return None
    grant = rows[0]
    known = {township.pk: township} if isinstance(township, Agency) else {}
    wanted = {grant.holder_id, grant.acting_for_id, grant.township_id} - {None, *known}
    agencies = {**known, **Agency.objects.in_bulk(wanted)} if wanted else known
    grant.holder = agencies[grant.holder_id]
    grant.acting_for = agencies.get(grant.acting_for_id)
    grant.township = agencies.get(grant.township_id)
    return answer_for(grant)


def holders_of_matter(matter: Matter, on: dt.date | None = None) -> list[HolderAnswer]:
    """Every grant of one matter valid on a day: county-wide first, then by township."""
    day = on or _today()
    grants = _grant_rows().filter(matter=matter).valid_on(day)
    return sorted(
        (answer_for(g) for g in grants),
        key=lambda a: (a.grant.township_id is not None, a.grant.township.sort_order if a.grant.township_id else 0,
                       a.grant.township.code if a.grant.township_id else ""),
    )


def holders_for_township(township: Agency, on: dt.date | None = None) -> dict[int, HolderAnswer]:
    """matter_id -> who holds it in ``township`` on day ``on``, for every matter with a holder (one query)."""
    day = on or _today()
    grants = (
        _grant_rows()
        .select_related("matter")
        .filter(Q(township=township) | Q(township__isnull=True))
        .valid_on(day)
    )
    result: dict[int, HolderAnswer] = {}
    # County-wide first, then township rows overwrite them.
    for grant in sorted(grants, key=lambda g: g.township_id is not None):
        result[grant.matter_id] = answer_for(grant)
    return result


def power_map(
    matters_qs: QuerySet[Matter] | Iterable[Matter],
    townships: Iterable[Agency | int],
    on: dt.date | None = None,
) -> dict[tuple[int, int], HolderAnswer]:
    """(matter_id, township_id) -> holder on day ``on``, for many matters and townships.

    One query for the grants (plus one if ``townships`` is an unevaluated
    queryset), whatever the number of matters and townships. Pairs with no
    holder are absent.
    """
    day = on or _today()
    township_ids = [t.pk if isinstance(t, Agency) else int(t) for t in townships]
    if isinstance(matters_qs, QuerySet):
        matter_filter = Q(matter__in=matters_qs.values("pk"))
    else:
        matter_filter = Q(matter_id__in=[m.pk for m in matters_qs])
    grants = list(
        _grant_rows()
        .filter(matter_filter)
        .filter(Q(township__isnull=True) | Q(township_id__in=township_ids))
        .valid_on(day)
    )
    result: dict[tuple[int, int], HolderAnswer] = {}
    for grant in grants:
        if grant.township_id is None:
            answer = answer_for(grant)
            for tid in township_ids:
                result.setdefault((grant.matter_id, tid), answer)
    for grant in grants:
        if grant.township_id is not None:
            result[(grant.matter_id, grant.township_id)] = answer_for(grant)
    return result


# --- writes --------------------------------------------------------------------


def _where_text(township: Agency | None) -> str:
    return township.name if township is not None else _("全县范围")


def _period_text(start: dt.date, end: dt.date | None) -> str:
    return _("%(start)s 至 %(end)s") % {"start": start.isoformat(), "end": end.isoformat() if end else _("长期")}


def _check_grant_args(
    matter: Matter,
    holder: Agency,
    mode: str,
    township: Agency | None,
    valid_from: dt.date,
    valid_to: dt.date | None,
    source_kind: str,
    acting_for: Agency | None,
) -> None:
    fields: dict[str, list[str]] = {}

    def add(name: str, message) -> None:
        fields.setdefault(name, []).append(str(message))

    if mode not in GrantMode.values:
        add("mode", _("未知行使方式“%(mode)s”") % {"mode": mode})
    if source_kind not in GrantSource.values:
        add("source_kind", _("未知来源“%(kind)s”") % {"kind": source_kind})
    if holder is None:
        add("holder", _("请指定行使主体"))
    if township is not None and township.kind not in TOWNSHIP_KINDS:
        add("township", _("“%(name)s”不是乡镇或街道") % {"name": township.name})
    if mode in TOWNSHIP_MODES and township is None:
        add("township", _("“%(mode)s”须指定乡镇或街道") % {"mode": GrantMode(mode).label})
    if mode == GrantMode.ENTRUSTED and acting_for is None:
        add("acting_for", _("委托行使须指定委托部门（以其名义行使）"))
    if valid_from is None:
        add("valid_from", _("请填写生效日期"))
    elif valid_to is not None and valid_to < valid_from:
        add("valid_to", _("截止日期不能早于生效日期"))
    if fields:
        first = next(iter(fields.values()))[0]
        raise ValidationFailed(first, fields=fields)


@transaction.atomic
def grant_power(
    matter: Matter,
    holder: Agency,
    mode: str,
    *,
    township: Agency | None = None,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    source_kind: str = GrantSource.MANUAL,
    source_ref: str = "",
    source_batch_id: int | None = None,
    acting_for: Agency | None = None,
    by=None,
    note: str = "",
) -> PowerGrant:
    """Grant ``matter`` to ``holder`` in ``township`` (None = county-wide) from ``valid_from``.

    Refuses a grant that overlaps another one of the same matter and township
    (:class:`GrantOverlap`, naming the matter, the township and the existing
    grant's dates).
    """
    if mode == GrantMode.HUB_AND_SPOKE and acting_for is None:
        acting_for = township
    _check_grant_args(matter, holder, mode, township, valid_from, valid_to, source_kind, acting_for)
    # The lock serialises every grant of this matter: see the module docstring.
    locked = Matter.objects.select_for_update().get(pk=matter.pk)
    if locked.status == MatterStatus.REPEALED and (
        locked.valid_to is None or valid_to is None or valid_to > locked.valid_to
    ):
        raise ValidationFailed(
            _("事项“%(matter)s”已废止，不能再授予。") % {"matter": locked}, field="matter", code="matter_repealed"
        )
    existing = _overlapping(locked, township, valid_from, valid_to).select_related("holder").first()
    if existing is not None:
        raise GrantOverlap(
            _(
                "事项“%(matter)s”在%(where)s已有授权（%(holder)s，%(mode)s，%(period)s），"
                "与新授权（%(new_period)s）时间重叠。请先终止原授权，或调整新授权的生效日期。"
            )
            % {
                "matter": f"{locked.code} {locked.name}",
                "where": _where_text(township),
                "holder": existing.holder.name,
                "mode": GrantMode(existing.mode).label,
                "period": _period_text(existing.valid_from, existing.valid_to),
                "new_period": _period_text(valid_from, valid_to),
            },
            field="valid_from",
        )
    grant = PowerGrant.objects.create(
        matter=locked,
        holder=holder,
        township=township,
        mode=mode,
        acting_for=acting_for,
        valid_from=valid_from,
        valid_to=valid_to,
        source_kind=source_kind,
        source_ref=source_ref,
        source_batch_id=source_batch_id,
        note=note,
        created_by=by,
    )
    record_event(
        grant,
        "grant",
        by=by,
        note=note,
        data={
            "matter": locked.code,
            "holder": holder.code,
            "township": township.code if township else None,
            "mode": mode,
            "valid_from": valid_from.isoformat(),
            "valid_to": valid_to.isoformat() if valid_to else None,
            "source_ref": source_ref,
        },
    )
    return grant


def _overlapping(
    matter: Matter, township: Agency | None, start: dt.date, end: dt.date | None
) -> QuerySet[PowerGrant]:
    qs = PowerGrant.objects.filter(matter=matter).non_empty()
    qs = qs.filter(township=township) if township is not None else qs.filter(township__isnull=True)
    qs = qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
    if end is not None:
        qs = qs.filter(valid_from__lte=end)
    return qs.order_by("valid_from")


def _last_day(grant: PowerGrant, on: dt.date) -> dt.date:
    # Ending on or before the first day leaves an empty interval (the grant never applied).
    return max(on - dt.timedelta(days=1), grant.valid_from - dt.timedelta(days=1))


@transaction.atomic
def end_grant(grant: PowerGrant, *, on: dt.date, by, reason: str) -> PowerGrant:
    """End a grant from day ``on``: its last day becomes the day before. Never deletes."""
    if not (reason or "").strip():
        raise ValidationFailed(_("请填写终止原因"), field="reason")
    Matter.objects.select_for_update().filter(pk=grant.matter_id).first()
    locked = _grant_rows().select_for_update(of=("self",)).get(pk=grant.pk)
    last_day = _last_day(locked, on)
    if locked.valid_to is not None and locked.valid_to <= last_day:
        raise InvalidTransition(
            _("该授权已于 %(day)s 截止，无需终止。") % {"day": locked.valid_to.isoformat()}, code="grant_already_ended"
        )
    locked.valid_to = last_day
    locked.ended_at = timezone.now()
    locked.ended_by = by
    locked.end_reason = reason
    locked.save(update_fields=["valid_to", "ended_at", "ended_by", "end_reason"])
    record_event(locked, "end_grant", by=by, note=reason, data={"valid_to": last_day.isoformat(), "on": on.isoformat()})
    return locked


def end_grants_bulk(matter_ids: Iterable[int], *, on: dt.date, by, reason: str) -> int:
    """End every grant of these matters still applying on or after ``on`` (a few queries in all)."""
    ids = list(matter_ids)
    if not ids:
        return 0
    grants = list(
        PowerGrant.objects.select_for_update()
        .filter(matter_id__in=ids)
        .non_empty()
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    )
    now = timezone.now()
    for grant in grants:
        grant.valid_to = _last_day(grant, on)
        grant.ended_at = now
        grant.ended_by = by
        grant.end_reason = reason
    if grants:
        PowerGrant.objects.bulk_update(grants, ["valid_to", "ended_at", "ended_by", "end_reason"], batch_size=500)
        content_type = ContentType.objects.get_for_model(PowerGrant)
        agency = _actor_agency(by)
        Event.objects.bulk_create(
            [
                Event(
                    content_type=content_type,
                    object_id=g.pk,
                    action="end_grant",
                    actor=by,
                    actor_agency=agency,
                    note=reason,
                    data={"valid_to": g.valid_to.isoformat(), "on": on.isoformat()},
                )
                for g in grants
            ],
            batch_size=500,
        )
    return len(grants)


def end_grants_of_matter(matter: Matter, *, on: dt.date, by, reason: str) -> int:
    """End a matter's grants from ``on`` (used when the matter is repealed)."""
    return end_grants_bulk([matter.pk], on=on, by=by, reason=reason)
