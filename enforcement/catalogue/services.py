"""Writes of the matter catalogue (事项目录), and the discretion-standard check.

Every change keeps history (django-simple-history: who, when, what, why via
``_change_reason``). A matter in use is repealed, never deleted: foreign keys
to it are ``PROTECT`` and :func:`matter_delete` turns the refusal into a
clear message. Status changes are the transitions of ``Matter`` (suspend,
reinstate, repeal), one service each, through ``perform_transition`` (row
lock, table, permission, history row and event); :func:`matter_set_status`
picks the transition that leads to a requested status.

``by=None`` means a trusted system caller (a management command, the demo
seed); views and the API always pass the signed-in user, who must be a
catalogue administrator (:mod:`enforcement.catalogue.permissions`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from enforcement.catalogue.models import DiscretionTier, Domain, FineUnit, Matter, MatterStatus, PenaltyKind, PowerType
from enforcement.catalogue.permissions import require_catalogue_manager
from enforcement.errors import (
    DomainError,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from enforcement.models.agencies import Agency
from enforcement.workflow import perform_transition

__all__ = [
    "MATTER_EDITABLE_FIELDS",
    "PenaltyCheck",
    "ProposedPenalty",
    "TierSpec",
    "check_penalty",
    "format_amount",
    "matter_create",
    "matter_delete",
    "matter_reinstate",
    "matter_repeal",
    "matter_replace_tiers",
    "matter_set_status",
    "matter_suspend",
    "matter_transition",
    "matter_update",
    "replace_tiers_bulk",
    "status_transition",
    "validate_tier",
]

# Fields matter_update may change; the code is stable and status has its own service.
MATTER_EDITABLE_FIELDS: tuple[str, ...] = (
    "name",
    "power_type",
    "domain",
    "origin_department",
    "supervising_department",
    "violated_provision",
    "penalty_provision",
    "first_offense_exempt",
    "safety_critical",
    "in_guidance_catalogue",
    "valid_from",
    "valid_to",
    "remarks",
)
TIER_FIELDS: tuple[str, ...] = ("level", "circumstances", "penalty_kinds", "fine_min", "fine_max", "fine_unit")

MAX_FINE = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2)


# --- discretion tiers ------------------------------------------------------


@dataclass(frozen=True)
class TierSpec:
    """One discretion tier as data (what the importer parses and the API receives)."""

    level: str
    circumstances: str = ""
    penalty_kinds: tuple[str, ...] = ()
    fine_min: Decimal | None = None
    fine_max: Decimal | None = None
    fine_unit: str = FineUnit.YUAN

    @classmethod
    def from_tier(cls, tier: DiscretionTier) -> TierSpec:
        return cls(
            level=tier.level,
            circumstances=tier.circumstances,
            penalty_kinds=tuple(tier.penalty_kinds or ()),
            fine_min=tier.fine_min,
            fine_max=tier.fine_max,
            fine_unit=tier.fine_unit,
        )

    def as_fields(self) -> dict:
        return {
            "level": self.level,
            "circumstances": self.circumstances,
            "penalty_kinds": list(self.penalty_kinds),
            "fine_min": self.fine_min,
            "fine_max": self.fine_max,
            "fine_unit": self.fine_unit,
        }


def validate_tier(spec: TierSpec) -> list[str]:
    """Return what is wrong with one tier (empty when it is fine)."""
    problems: list[str] = []
    if not spec.level.strip():
        problems.append(_("缺少裁量等级名称"))
    if len(spec.level) > 40:
        problems.append(_("裁量等级名称过长（最多 40 字）"))
    known = set(PenaltyKind.values)
    for kind in spec.penalty_kinds:
        if kind not in known:
            problems.append(_("未知处罚种类“%(kind)s”") % {"kind": kind})
    if spec.fine_unit not in FineUnit.values:
        problems.append(_("未知罚款单位“%(unit)s”") % {"unit": spec.fine_unit})
    for label, value in ((_("罚款下限"), spec.fine_min), (_("罚款上限"), spec.fine_max)):
        if value is None:
            continue
        if value < 0:
            problems.append(_("%(label)s不能为负数") % {"label": label})
        elif value > MAX_FINE or value.as_tuple().exponent < -2:
            problems.append(_("%(label)s超出范围或小数位过多（最多两位小数）") % {"label": label})
    if spec.fine_min is not None and spec.fine_max is not None and spec.fine_min > spec.fine_max:
        problems.append(
            _("罚款下限 %(min)s 大于上限 %(max)s")
            % {"min": format_amount(spec.fine_min), "max": format_amount(spec.fine_max)}
        )
    return problems


def _validate_tiers(tiers: Sequence[TierSpec]) -> None:
    fields: dict[str, list[str]] = {}
    for n, spec in enumerate(tiers, start=1):
        for problem in validate_tier(spec):
            fields.setdefault(f"tiers.{n}", []).append(str(problem))
    if fields:
        first = next(iter(fields.items()))
        raise ValidationFailed(
            _("裁量基准第 %(n)s 条有误：%(problem)s") % {"n": first[0].split(".")[1], "problem": first[1][0]},
            fields=fields,
        )


def replace_tiers_bulk(
    items: Iterable[tuple[Matter, Sequence[TierSpec]]],
    existing: dict[int, list[DiscretionTier]],
    *,
    by,
    reason: str,
) -> int:
    """Make each matter's tiers equal to its specs, in a bounded number of queries.

    Tiers are matched by their order (1, 2, ...): a tier whose content is
    unchanged is not touched (no history row), a changed one is updated, extra
    ones are created or removed. Every change writes a history row with ``by``
    and ``reason``. Returns the number of tier rows written.
    """
    to_create: list[DiscretionTier] = []
    to_update: list[DiscretionTier] = []
    to_delete: list[DiscretionTier] = []
    for matter, specs in items:
        old = {t.order: t for t in existing.get(matter.pk, [])}
        for order, spec in enumerate(specs, start=1):
            tier = old.pop(order, None)
            if tier is None:
                to_create.append(DiscretionTier(matter=matter, order=order, **spec.as_fields()))
            elif TierSpec.from_tier(tier) != spec:
                for name, value in spec.as_fields().items():
                    setattr(tier, name, value)
                to_update.append(tier)
        to_delete.extend(old.values())
    for tier in (*to_create, *to_update):
        tier._change_reason = reason
    if to_delete:
        # Bulk '-' history rows, then a raw delete: a plain queryset delete would
        # send one post_delete signal (and one history INSERT) per tier.
        history_model = DiscretionTier.history.model
        now = timezone.now()
        history_model.objects.bulk_create(
            [
                history_model(
                    history_date=now,
                    history_user=by,
                    history_change_reason=reason,
                    history_type="-",
                    **{f.attname: getattr(t, f.attname) for f in history_model.tracked_fields},
                )
                for t in to_delete
            ],
            batch_size=500,
        )
        qs = DiscretionTier.objects.filter(pk__in=[t.pk for t in to_delete])
        qs._raw_delete(qs.db)
    if to_update:
        bulk_update_with_history(
            to_update, DiscretionTier, list(TIER_FIELDS), batch_size=500, default_user=by,
            default_change_reason=reason,
        )
    if to_create:
        bulk_create_with_history(
            to_create, DiscretionTier, batch_size=500, default_user=by, default_change_reason=reason
        )
    return len(to_create) + len(to_update) + len(to_delete)


def _tiers_differ(matter: Matter, specs: Sequence[TierSpec]) -> bool:
    current = [TierSpec.from_tier(t) for t in matter.tiers.order_by("order")]
    return current != list(specs)


# --- matters -----------------------------------------------------------------


def _check_matter_fields(values: dict) -> None:
    fields: dict[str, list[str]] = {}

    def add(name: str, message) -> None:
        fields.setdefault(name, []).append(str(message))

    if "name" in values and not str(values["name"] or "").strip():
        add("name", _("事项名称不能为空"))
    if "name" in values and len(str(values["name"] or "")) > 300:
        add("name", _("事项名称过长（最多 300 字）"))
    if "power_type" in values and values["power_type"] not in PowerType.values:
        add("power_type", _("未知职权类型“%(value)s”") % {"value": values["power_type"]})
    if "domain" in values and not isinstance(values["domain"], Domain):
        add("domain", _("请选择所属领域"))
    if "origin_department" in values and not isinstance(values["origin_department"], Agency):
        add("origin_department", _("请选择实施主体"))
    if values.get("supervising_department") is not None and not isinstance(values["supervising_department"], Agency):
        add("supervising_department", _("监管部门无效"))
    start, end = values.get("valid_from"), values.get("valid_to")
    if start and end and end < start:
        add("valid_to", _("有效期止不能早于有效期起"))
    if fields:
        first_field, messages = next(iter(fields.items()))
        raise ValidationFailed(messages[0], fields=fields)


@transaction.atomic
def matter_create(
    *,
    code: str,
    name: str,
    power_type: str,
    domain: Domain,
    origin_department: Agency,
    by,
    tiers: Sequence[TierSpec] = (),
    reason: str = "",
    **optional,
) -> Matter:
    """Create a matter (and its tiers) with a first history row."""
    require_catalogue_manager(by)
    unknown = set(optional) - set(MATTER_EDITABLE_FIELDS) - {"status", "status_changed_on"}
    if unknown:
        raise TypeError(f"matter_create() got unexpected fields: {sorted(unknown)}")
    code = (code or "").strip()
    if not code:
        raise ValidationFailed(_("事项编码不能为空"), field="code")
    if len(code) > 40:
        raise ValidationFailed(_("事项编码过长（最多 40 个字符）"), field="code")
    values = {"name": name, "power_type": power_type, "domain": domain, "origin_department": origin_department}
    values.update(optional)
    _check_matter_fields(values)
    if values.get("status", MatterStatus.IN_FORCE) not in MatterStatus.values:
        raise ValidationFailed(_("未知状态"), field="status")
    _validate_tiers(tiers)
    if Matter.objects.filter(code=code).exists():
        raise ValidationFailed(_("事项编码“%(code)s”已存在") % {"code": code}, field="code", code="duplicate_code")
    matter = Matter(code=code, **values)
    matter.name = matter.name.strip()
    matter._history_user = by
    matter._change_reason = reason or _("新增事项")
    matter.save()
    replace_tiers_bulk([(matter, list(tiers))], {}, by=by, reason=reason or _("新增事项"))
    return matter


@transaction.atomic
def matter_update(
    matter: Matter,
    *,
    by,
    reason: str = "",
    tiers: Sequence[TierSpec] | None = None,
    **changes,
) -> Matter:
    """Change a matter's fields and/or replace its tiers; history only for real changes."""
    require_catalogue_manager(by)
    unknown = set(changes) - set(MATTER_EDITABLE_FIELDS)
    if unknown:
        if "status" in unknown:
            raise ValidationFailed(_("状态请通过“暂停/恢复/废止”操作修改"), field="status")
        raise TypeError(f"matter_update() got unexpected fields: {sorted(unknown)}")
    locked = Matter.objects.select_for_update().get(pk=matter.pk)
    merged = {"valid_from": locked.valid_from, "valid_to": locked.valid_to, **changes}
    _check_matter_fields(merged)
    changed = []
    for name, value in changes.items():
        if name == "name":
            value = value.strip()
        field_obj = Matter._meta.get_field(name)
        current = getattr(locked, field_obj.attname)
        new = value.pk if field_obj.is_relation and value is not None else value
        if current != new:
            setattr(locked, name, value)
            changed.append(name)
    tiers_changed = False
    if tiers is not None:
        _validate_tiers(tiers)
        tiers_changed = _tiers_differ(locked, tiers)
    if not changed and not tiers_changed:
        return locked
    labels = [str(Matter._meta.get_field(n).verbose_name) for n in changed]
    if tiers_changed:
        labels.append(str(DiscretionTier._meta.verbose_name))
    why = reason or _("修改：%(fields)s") % {"fields": "、".join(labels)}
    locked._history_user = by
    locked._change_reason = why
    locked.save(update_fields=[*changed, "updated_at"])
    if tiers_changed:
        existing = {locked.pk: list(locked.tiers.all())}
        replace_tiers_bulk([(locked, list(tiers))], existing, by=by, reason=why)
    return locked


def matter_replace_tiers(matter: Matter, tiers: Sequence[TierSpec], *, by, reason: str = "") -> Matter:
    """Replace a matter's discretion standard (no-op when it is the same)."""
    return matter_update(matter, by=by, reason=reason, tiers=tiers)


def status_transition(current: str, target: str) -> str | None:
    """The transition (``Matter`` method name) that takes a matter from ``current`` to ``target``.

    ``None`` when the transition table has none (e.g. out of repealed).
    """
    for t in Matter._meta.get_field("status").get_all_transitions(Matter):
        if t.source == current and t.target == target:
            return t.name
    return None


def matter_transition(matter: Matter, action: str, *, on: dt.date, by, reason: str = "") -> Matter:
    """Run status transition ``action`` (suspend, reinstate, repeal) on ``matter`` from day ``on``.

    ``perform_transition`` locks the row, refuses a change the table does not
    allow or a matter changed since ``matter`` was read, saves with a history
    row (``by``, ``reason``) and writes the event. Ending the grants of a
    repealed matter is the caller's part: :func:`matter_repeal` does it, the
    catalogue importer does it in bulk for every matter it repeals.
    """
    require_catalogue_manager(by)
    return perform_transition(matter, action, by=by, note=reason, data={"on": on.isoformat()}, on=on, reason=reason)


def matter_suspend(matter: Matter, *, on: dt.date, by, reason: str = "") -> Matter:
    """Suspend a matter in force from day ``on`` (its grants stay; triage refuses it meanwhile)."""
    return matter_transition(matter, "suspend", on=on, by=by, reason=reason)


def matter_reinstate(matter: Matter, *, on: dt.date, by, reason: str = "") -> Matter:
    """Put a suspended matter back in force from day ``on``."""
    return matter_transition(matter, "reinstate", on=on, by=by, reason=reason)


def matter_repeal(matter: Matter, *, on: dt.date, by, reason: str = "") -> Matter:
    """Repeal a matter from day ``on`` (a matter in use is repealed, never deleted).

    Also ends the matter's grants from ``on`` (the last day they apply is the
    day before), so that ``holder_of`` answers "nobody" from then on while
    every earlier answer stays as it was.
    """
    from enforcement.catalogue.powers import end_grants_of_matter

    with transaction.atomic():
        locked = matter_transition(matter, "repeal", on=on, by=by, reason=reason)
        end_grants_of_matter(locked, on=on, by=by, reason=reason or _("事项废止"))
    return locked


_STATUS_SERVICES = {"suspend": matter_suspend, "reinstate": matter_reinstate, "repeal": matter_repeal}


def matter_set_status(matter: Matter, *, status: str, on: dt.date, by, reason: str = "") -> Matter:
    """Bring a matter to ``status`` from day ``on`` by the transition that leads there (the API's entry point).

    Asking for the status the matter already has changes nothing. Anything the
    transition table does not allow (un-repealing) is refused.
    """
    require_catalogue_manager(by)
    if status not in MatterStatus.values:
        raise ValidationFailed(_("未知状态"), field="status")
    # The current row, not the caller's copy: the request names a target status, not an action
    # on a state the caller saw; perform_transition then locks it and refuses if it changed since.
    try:
        current = Matter.objects.get(pk=matter.pk)
    except Matter.DoesNotExist:
        raise NotFound() from None
    if current.status == status:
        return current
    action = status_transition(current.status, status)
    if action is None:
        raise InvalidTransition(
            _("事项“%(matter)s”当前为“%(current)s”，不能改为“%(new)s”。")
            % {"matter": current, "current": MatterStatus(current.status).label, "new": MatterStatus(status).label}
        )
    return _STATUS_SERVICES[action](current, on=on, by=by, reason=reason)


def matter_delete(matter: Matter, *, by) -> None:
    """Delete a matter nobody uses yet (a typo); one in use must be repealed instead."""
    require_catalogue_manager(by)
    try:
        with transaction.atomic():
            matter._history_user = by
            matter._change_reason = _("删除事项")
            matter.delete()
    except (ProtectedError, RestrictedError):
        raise DomainError(
            _("事项“%(matter)s”已有权力授予或案件引用，不能删除，只能废止。") % {"matter": matter},
            code="matter_in_use",
        ) from None


# --- discretion check ----------------------------------------------------------


@dataclass(frozen=True)
class ProposedPenalty:
    """What an officer proposes to decide: penalty kinds, fine (yuan), illegal gains (yuan)."""

    kinds: list[str]
    fine: Decimal | None = None
    illegal_gains: Decimal | None = None


@dataclass(frozen=True)
class PenaltyCheck:
    ok: bool
    reasons: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.ok


def format_amount(value: Decimal) -> str:
    """50.00 -> "50", 12.50 -> "12.5", 1E+3 -> "1000"."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _as_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def check_penalty(matter: Matter, tier: DiscretionTier, penalty: ProposedPenalty) -> PenaltyCheck:
    """Check a proposed penalty against one tier of the matter's discretion standard.

    Administrative Penalty Law art. 34: an agency that has set a discretion
    standard must decide within it. Every reason is stated, not only the first.
    """
    reasons: list[str] = []
    labels = dict(PenaltyKind.choices)
    if tier.matter_id != matter.pk:
        reasons.append(
            _("裁量等级“%(level)s”不属于事项“%(matter)s”。") % {"level": tier.level, "matter": matter.code}
        )
    allowed = list(tier.penalty_kinds or [])
    allowed_text = "、".join(str(labels.get(k, k)) for k in allowed) or _("无")
    for kind in penalty.kinds:
        if kind not in labels:
            reasons.append(_("未知处罚种类“%(kind)s”。") % {"kind": kind})
        elif kind not in allowed:
            reasons.append(
                _("处罚种类“%(kind)s”不在“%(level)s”等级允许的种类（%(allowed)s）内。")
                % {"kind": labels[kind], "level": tier.level, "allowed": allowed_text}
            )
    fine = _as_decimal(penalty.fine)
    gains = _as_decimal(penalty.illegal_gains)
    wants_fine = PenaltyKind.FINE in penalty.kinds
    if penalty.fine is not None and fine is None:
        reasons.append(_("罚款金额“%(value)s”不是有效数字。") % {"value": penalty.fine})
    if fine is not None and fine < 0:
        reasons.append(_("罚款金额不能为负数。"))
    if fine is not None and fine > 0 and not wants_fine:
        reasons.append(_("填写了罚款金额，但处罚种类中没有“罚款”。"))
    if wants_fine and fine is None and penalty.fine is None:
        reasons.append(_("处罚种类包含“罚款”，但未填写罚款金额。"))
    if wants_fine and fine is not None and fine >= 0 and PenaltyKind.FINE in allowed:
        if tier.fine_unit == FineUnit.MULTIPLE:
            reasons.extend(_check_multiple(tier, fine, gains))
        else:
            if tier.fine_min is not None and fine < tier.fine_min:
                reasons.append(
                    _("罚款 %(fine)s 元低于“%(level)s”等级下限 %(min)s 元。")
                    % {"fine": format_amount(fine), "level": tier.level, "min": format_amount(tier.fine_min)}
                )
            if tier.fine_max is not None and fine > tier.fine_max:
                reasons.append(
                    _("罚款 %(fine)s 元高于“%(level)s”等级上限 %(max)s 元。")
                    % {"fine": format_amount(fine), "level": tier.level, "max": format_amount(tier.fine_max)}
                )
    return PenaltyCheck(ok=not reasons, reasons=[str(r) for r in reasons])


def _check_multiple(tier: DiscretionTier, fine: Decimal, gains: Decimal | None) -> list[str]:
    """Fines set as multiples of the illegal gains: the range is min×gains .. max×gains."""
    if gains is None or gains <= 0:
        return [
            _("“%(level)s”等级的罚款按违法所得的倍数计算（%(min)s～%(max)s 倍），须填写违法所得金额。")
            % {
                "level": tier.level,
                "min": format_amount(tier.fine_min) if tier.fine_min is not None else "0",
                "max": format_amount(tier.fine_max) if tier.fine_max is not None else "—",
            }
        ]
    reasons = []
    if tier.fine_min is not None and fine < tier.fine_min * gains:
        reasons.append(
            _("罚款 %(fine)s 元低于下限：违法所得 %(gains)s 元的 %(min)s 倍，即 %(amount)s 元。")
            % {"fine": format_amount(fine), "gains": format_amount(gains), "min": format_amount(tier.fine_min),
               "amount": format_amount(tier.fine_min * gains)}
        )
    if tier.fine_max is not None and fine > tier.fine_max * gains:
        reasons.append(
            _("罚款 %(fine)s 元高于上限：违法所得 %(gains)s 元的 %(max)s 倍，即 %(amount)s 元。")
            % {"fine": format_amount(fine), "gains": format_amount(gains), "max": format_amount(tier.fine_max),
               "amount": format_amount(tier.fine_max * gains)}
        )
    return reasons
