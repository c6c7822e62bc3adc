"""Every change to a coercive measure or an enforcement of a decision, and the deadline sweep.

Each function checks the actor and the Administrative Coercion Law (through
:mod:`enforcement.coercion.rules`, which cites the article), then changes the
row through :func:`enforcement.workflow.perform_transition` or
:func:`enforcement.workflow.lock_as_seen` with one append-only event.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enforcement.access import scope_for
from enforcement.cases.deadlines import SWEEP_CHUNK, SweepResult, officers_and_leaders
from enforcement.cases.legal_rules import legal_rules
from enforcement.cases.models import Case, CaseStatus, ExecutionMethod, PartyKind
from enforcement.cases.rules import next_serial, number_prefix
from enforcement.cases.services.lifecycle import case_execute
from enforcement.coercion import rules
from enforcement.coercion.choices import (
    ACTIVE_MEASURE_STATES,
    OPEN_EXECUTION_STATES,
    ConversionKind,
    CourtOutcome,
    ExecutionConclusion,
    ExecutionStatus,
    MeasureKind,
    MeasureObject,
    MeasureStatus,
    ReleaseReason,
    SignatureStatus,
    WarningLevel,
)
from enforcement.coercion.models import CoerciveMeasure, Execution, MeasureOfficer, SeizedItem
from enforcement.coercion.permissions import HANDLING_ROLES, can_handle, is_head
from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.models.agencies import TOWNSHIP_KINDS, Agency, Role
from enforcement.workdays import SHANGHAI, warn_time
from enforcement.workflow import lock_as_seen, perform_transition, record_event

# Kinds of number (文号) of this package: "县综执强字〔2026〕第3号".
NUMBER_KINDS = {
    "coercion": "强",
    "coercion_extension": "强延",
    "coercion_release": "强解",
    "reminder": "催",
    "execution": "强执",
}


def _today() -> dt.date:
    return timezone.localdate()


def _day(on: dt.date | None, *, field: str = "on") -> dt.date:
    day = on or _today()
    if day > _today():
        raise ValidationFailed(_("日期不能晚于今天。"), field=field, code="date_in_future")
    return day


def _text(value: str, field: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, field=field)
    return value


def _plain(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _data(values: dict) -> dict:
    return {k: _plain(v) for k, v in values.items() if not hasattr(v, "pk")}


def _number(agency: Agency, kind: str, year: int) -> str:
    serial = next_serial(agency, kind, year)
    return _("%(prefix)s%(kind)s字〔%(year)s〕第%(n)s号") % {
        "prefix": number_prefix(agency),
        "kind": NUMBER_KINDS[kind],
        "year": year,
        "n": serial,
    }


def _registry(prefix: str, agency: Agency, year: int) -> str:
    return f"{prefix}-{year}-{agency.pk:03d}-{next_serial(agency, f'{prefix.lower()}_registry', year):05d}"


def can_register_for(user, agency: Agency) -> bool:
    if user is None or not user.is_authenticated:
        return False
    scope = scope_for(user)
    if user.is_superuser or scope.has_role(Role.ADMINISTRATOR):
        return True
    return agency.pk in scope.agency_ids and scope.has_role(*HANDLING_ROLES)


def _require(predicate, obj, by, message) -> None:
    if by is not None and not predicate(obj, by):
        raise PermissionRefused(message)


# --- coercive measures --------------------------------------------------------------------


def _items(items: Sequence[dict]) -> list[SeizedItem]:
    out = []
    for i, row in enumerate(items or [], start=1):
        name = (row.get("name") or "").strip()
        if not name:
            continue
        try:
            quantity = Decimal(str(row.get("quantity") or "1"))
        except InvalidOperation:
            raise ValidationFailed(_("清单第 %(n)s 行的数量不是数字。") % {"n": i}, field="items") from None
        if quantity <= 0:
            raise ValidationFailed(_("清单第 %(n)s 行的数量须大于 0。") % {"n": i}, field="items")
        out.append(
            SeizedItem(
                name=name,
                specification=(row.get("specification") or "").strip(),
                quantity=quantity,
                unit=(row.get("unit") or "").strip(),
                custody_place=(row.get("custody_place") or "").strip(),
                keeper=(row.get("keeper") or "").strip(),
            )
        )
    return out


def measure_create(
    *,
    by,
    agency: Agency,
    kind: str,
    party_kind: str,
    party_name: str,
    reasons: str,
    legal_basis: str,
    place: str,
    period_days: int,
    items: Sequence[dict],
    object_kind: str = MeasureObject.PROPERTY,
    is_emergency: bool = False,
    party_id_number: str = "",
    party_address: str = "",
    party_phone: str = "",
    township: Agency | None = None,
    case: Case | None = None,
    matter=None,
) -> CoerciveMeasure:
    """Register a sealing or seizure as a draft with its list of items (art. 24); nothing binds yet."""
    if by is not None and not can_register_for(by, agency):
        raise PermissionRefused(_("您不是%(agency)s的执法人员，不能为其登记行政强制措施。") % {"agency": agency.name})
    if kind not in MeasureKind.values:
        raise ValidationFailed(_("请选择查封或者扣押。"), field="kind")
    if object_kind not in MeasureObject.values:
        raise ValidationFailed(_("请选择查封、扣押的对象。"), field="object_kind")
    if party_kind not in PartyKind.values:
        raise ValidationFailed(_("请选择当事人类型。"), field="party_kind")
    party_name = _text(party_name, "party_name", _("请填写当事人。"))
    reasons = _text(reasons, "reasons", _("请填写查封、扣押的理由。"))
    legal_basis = _text(legal_basis, "legal_basis", _("请填写查封、扣押的依据。"))
    place = _text(place, "place", _("请填写查封、扣押地点。"))
    rules.check_period(period_days)
    lines = _items(items)
    if not lines:
        raise rules.refuse("coercion_decision", _("请填写查封、扣押的场所、设施或者财物清单。"), field="items")
    if case is not None and case.agency_id != agency.pk:
        raise ValidationFailed(_("关联案件不属于实施机关。"), field="case")
    if township is not None and township.kind not in TOWNSHIP_KINDS:
        raise ValidationFailed(_("“%(name)s”不是乡镇或街道。") % {"name": township.name}, field="township")
    if township is None and agency.kind in TOWNSHIP_KINDS:
        township = agency
    with transaction.atomic():
        measure = CoerciveMeasure.objects.create(
            number=_registry("QZ", agency, _today().year),
            kind=kind,
            object_kind=object_kind,
            agency=agency,
            township=township,
            case=case,
            matter=matter if matter is not None else (case.matter if case else None),
            party_kind=party_kind,
            party_name=party_name,
            party_id_number=party_id_number.strip(),
            party_address=party_address.strip(),
            party_phone=party_phone.strip(),
            reasons=reasons,
            legal_basis=legal_basis,
            place=place,
            period_days=period_days,
            is_emergency=is_emergency,
            created_by=by,
        )
        for line in lines:
            line.measure = measure
        SeizedItem.objects.bulk_create(lines)
        record_event(
            measure,
            "create",
            by=by,
            data={"kind": kind, "period_days": period_days, "items": len(lines), "emergency": is_emergency},
        )
    return measure


def measure_approve(measure: CoerciveMeasure, *, by, at: dt.datetime | None = None) -> CoerciveMeasure:
    """The head approves: before the measure is taken (art. 18(1)), or within 24 hours of an emergency (art. 19)."""
    at = at or timezone.now()
    if at > timezone.now():
        raise ValidationFailed(_("日期不能晚于今天。"), field="at", code="date_in_future")
    _require(is_head, measure, by, _("只有实施机关负责人可以批准行政强制措施。"))
    if measure.approved_at is not None:
        raise InvalidTransition(_("该措施已经批准。"))
    if measure.status == MeasureStatus.IN_FORCE and not measure.is_emergency:
        raise InvalidTransition(_("该措施已经实施。"))
    if measure.status == MeasureStatus.IN_FORCE and measure.approval_due_at and at > measure.approval_due_at:
        raise rules.refuse(
            "coercion_emergency",
            _("当场实施已超过二十四小时（期限 %(due)s）仍未补办批准，不能再补办，应当立即解除。")
            % {"due": timezone.localtime(measure.approval_due_at).strftime("%Y-%m-%d %H:%M")},
        )
    if measure.status not in (MeasureStatus.DRAFT, MeasureStatus.IN_FORCE):
        raise InvalidTransition(_("当前状态“%(state)s”下不能批准。") % {"state": measure.get_status_display()})
    with transaction.atomic():
        locked = lock_as_seen(measure)
        locked.approved_at, locked.approved_by = at, by
        locked.save(update_fields=["approved_at", "approved_by"])
        record_event(locked, "approve", by=by, data={"at": at.isoformat()})
    return locked


def measure_enforce(
    measure: CoerciveMeasure,
    *,
    by,
    taken_at: dt.datetime,
    officers: Sequence,
    onsite_record: str,
    signature: str,
    witness: str = "",
    party_notified: bool = True,
) -> CoerciveMeasure:
    """Take the measure on the spot (art. 18): two certified officers, the on-site record, the decision."""
    _require(can_handle, measure, by, _("您不是实施机关的执法人员，不能实施该措施。"))
    if taken_at > timezone.now():
        raise ValidationFailed(_("日期不能晚于今天。"), field="taken_at", code="date_in_future")
    day = rules.local_date(taken_at)
    certified = rules.certified_officers(officers, day)
    if not measure.is_emergency and measure.approved_at is None:
        raise rules.refuse("coercion_procedure", _("实施前须向行政机关负责人报告并经批准。"))
    onsite_record = _text(onsite_record, "onsite_record", _("请填写现场笔录。"))
    if signature not in SignatureStatus.values:
        raise rules.refuse("coercion_procedure", _("请注明当事人签名情况。"), field="signature")
    if signature == SignatureStatus.ABSENT and not (witness or "").strip():
        raise rules.refuse(
            "coercion_procedure", _("当事人不到场的，应当邀请见证人到场并在现场笔录上签名。"), field="witness"
        )
    values = {
        "taken_at": taken_at,
        "decided_on": day,
        "onsite_record": onsite_record,
        "signature": signature,
        "witness": (witness or "").strip(),
        "party_notified": bool(party_notified),
        "ends_at": rules.measure_end(day, measure.period_days).at,
        "decision_number": _number(measure.agency, "coercion", day.year),
    }
    if measure.is_emergency:
        values["approval_due_at"] = rules.emergency_approval_due(taken_at)
    with transaction.atomic():
        done = perform_transition(measure, "enforce", by=by, values=values, data=_data(values))
        MeasureOfficer.objects.bulk_create(
            [MeasureOfficer(measure=done, officer=o, certificate=c) for o, c in certified]
        )
    return done


def _check_active_period(measure: CoerciveMeasure, day: dt.date, key: str, message) -> None:
    if measure.ends_at is not None and day > measure.ends_on:
        raise rules.refuse(key, message % {"end": measure.ends_on.isoformat()})


def measure_extend(
    measure: CoerciveMeasure, *, by, days: int, reason: str, on: dt.date | None = None
) -> CoerciveMeasure:
    """Extend the period once, by at most 30 days, with the head's written approval (art. 25)."""
    rules.check_extension(days, already_extended=measure.extension_days > 0 or measure.status == MeasureStatus.EXTENDED)
    _require(is_head, measure, by, _("延长查封、扣押期限须经行政机关负责人批准。"))
    reason = _text(reason, "reason", _("请填写延长理由（情况复杂的具体情形）。"))
    day = _day(on)
    if measure.status not in ACTIVE_MEASURE_STATES:
        raise InvalidTransition(_("当前状态“%(state)s”下不能延长。") % {"state": measure.get_status_display()})
    _check_active_period(
        measure, day, "coercion_extension", _("查封、扣押期限已于 %(end)s 届满，不能再延长，应当解除或者作出处理决定。")
    )
    values = {
        "extension_days": days,
        "extended_on": day,
        "extension_reason": reason,
        "extension_approved_by": by,
        "ends_at": rules.measure_end(measure.ends_on, days).at,
    }
    with transaction.atomic():
        done = perform_transition(measure, "extend", by=by, values=values, data=_data(values))
        record_event(
            done, "extension_number", by=by, data={"number": _number(done.agency, "coercion_extension", day.year)}
        )
    return done


def measure_release(
    measure: CoerciveMeasure, *, by, reason: str, note: str = "", on: dt.date | None = None, returned_to: str = ""
) -> CoerciveMeasure:
    """Release the measure with its reason (art. 28) and return every item to the party at once."""
    _require(can_handle, measure, by, _("您不是实施机关的执法人员，不能解除该措施。"))
    if reason not in ReleaseReason.values:
        raise rules.refuse("coercion_release", _("请选择解除理由。"), field="reason")
    day = _day(on)
    if measure.decided_on and day < measure.decided_on:
        raise ValidationFailed(_("解除日期不能早于实施日期。"), field="on")
    values = {"released_on": day, "release_reason": reason, "release_note": (note or "").strip()}
    with transaction.atomic():
        done = perform_transition(measure, "release", by=by, values=values, data=_data(values))
        done.items.filter(returned_on__isnull=True).update(
            returned_on=day, returned_to=(returned_to or done.party_name).strip()
        )
        record_event(done, "release_number", by=by, data={"number": _number(done.agency, "coercion_release", day.year)})
    return done


def measure_convert(
    measure: CoerciveMeasure, *, by, conversion: str, note: str, on: dt.date | None = None
) -> CoerciveMeasure:
    """Decide on the items within the period (art. 27): confiscated, destroyed or transferred."""
    _require(can_handle, measure, by, _("您不是实施机关的执法人员，不能作出处理决定。"))
    if conversion not in ConversionKind.values:
        raise ValidationFailed(_("请选择处理方式。"), field="conversion")
    note = _text(note, "note", _("请填写处理决定的内容和文号。"))
    day = _day(on)
    _check_active_period(
        measure,
        day,
        "coercion_release",
        _("查封、扣押期限已于 %(end)s 届满，应当在期限内作出处理决定；期满未处理的应当解除。"),
    )
    values = {"converted_on": day, "conversion": conversion, "conversion_note": note}
    return perform_transition(measure, "convert", by=by, values=values, data=_data(values))


# --- enforcement of decisions ---------------------------------------------------------------


def execution_create(
    *,
    by,
    agency: Agency,
    obligation: str,
    case: Case | None = None,
    decision_number: str = "",
    decision_served_on: dt.date | None = None,
    party_kind: str = "",
    party_name: str = "",
    party_id_number: str = "",
    party_address: str = "",
) -> Execution:
    """Open the enforcement of a decision; a penalty case gives its decision number, service date and party."""
    if by is not None and not can_register_for(by, agency):
        raise PermissionRefused(_("您不是%(agency)s的执法人员，不能为其登记强制执行。") % {"agency": agency.name})
    if case is not None:
        if case.agency_id != agency.pk:
            raise ValidationFailed(_("案件不属于申请机关。"), field="case")
        if case.served_on is None:
            raise ValidationFailed(_("该案处罚决定书尚未送达，不能申请强制执行。"), field="case")
        if case.status != CaseStatus.SERVED:
            raise ValidationFailed(
                _("该案当前状态为“%(state)s”，不在待执行阶段。") % {"state": case.get_status_display()}, field="case"
            )
        decision_number = decision_number or case.decision_number
        decision_served_on = decision_served_on or case.served_on
        party_kind, party_name = party_kind or case.party_kind, party_name or case.party_name
        party_id_number = party_id_number or case.party_id_number
        party_address = party_address or case.party_address
    decision_number = _text(decision_number, "decision_number", _("请填写行政决定文号。"))
    if decision_served_on is None:
        raise ValidationFailed(_("请填写行政决定送达日期。"), field="decision_served_on")
    _day(decision_served_on, field="decision_served_on")
    if party_kind not in PartyKind.values:
        raise ValidationFailed(_("请选择当事人类型。"), field="party_kind")
    party_name = _text(party_name, "party_name", _("请填写当事人。"))
    obligation = _text(obligation, "obligation", _("请填写当事人应当履行的义务。"))
    opens = rules.appeal_periods_end(decision_served_on)
    with transaction.atomic():
        execution = Execution.objects.create(
            number=_registry("ZX", agency, _today().year),
            agency=agency,
            case=case,
            decision_number=decision_number,
            decision_served_on=decision_served_on,
            obligation=obligation,
            party_kind=party_kind,
            party_name=party_name,
            party_id_number=party_id_number,
            party_address=party_address,
            window_opens_on=opens,
            window_ends_at=rules.court_window_end(opens).at,
            created_by=by,
        )
        record_event(
            execution, "create", by=by, data={"decision": decision_number, "served_on": decision_served_on.isoformat()}
        )
    return execution


def execution_remind(
    execution: Execution, *, by, served_on: dt.date, perform_by: dt.date, issued_on: dt.date | None = None
) -> Execution:
    """Serve the written reminder (催告, art. 35) with the time given to perform."""
    _require(can_handle, execution, by, _("您不是申请机关的执法人员。"))
    served = _day(served_on, field="served_on")
    issued = issued_on or served
    if issued > served:
        raise ValidationFailed(_("送达日期不能早于催告日期。"), field="served_on")
    if served < execution.decision_served_on:
        raise ValidationFailed(_("催告不能早于行政决定送达。"), field="served_on")
    if perform_by is None or perform_by <= served:
        raise rules.refuse(
            "coercion_reminder", _("催告书应当载明履行义务的期限，且须晚于送达日期。"), field="perform_by"
        )
    earliest = rules.court_earliest_day(served)
    values = {
        "reminder_issued_on": issued,
        "reminder_served_on": served,
        "perform_by": perform_by,
        "court_earliest_at": dt.datetime.combine(earliest, dt.time.min, tzinfo=SHANGHAI),
        "reminder_number": _number(execution.agency, "reminder", issued.year),
    }
    return perform_transition(execution, "remind", by=by, values=values, data=_data(values))


def execution_apply(execution: Execution, *, by, court_name: str, on: dt.date | None = None) -> Execution:
    """Apply to the court (art. 53, 54): ten working days after the reminder, within the three-month window."""
    _require(can_handle, execution, by, _("您不是申请机关的执法人员。"))
    day = _day(on)
    court_name = _text(court_name, "court_name", _("请填写人民法院。"))
    if execution.status != ExecutionStatus.REMINDED or execution.reminder_served_on is None:
        raise rules.refuse("coercion_reminder", _("申请人民法院强制执行前，应当先书面催告当事人履行义务。"))
    earliest = rules.court_earliest_day(execution.reminder_served_on)
    if day < earliest:
        raise rules.refuse(
            "coercion_court_wait",
            _("催告书于 %(served)s 送达，满十个工作日后方可申请，最早 %(day)s。")
            % {"served": execution.reminder_served_on.isoformat(), "day": earliest.isoformat()},
            field="on",
        )
    if day <= execution.window_opens_on:
        raise rules.refuse(
            "coercion_court_window",
            _("申请行政复议、提起行政诉讼的期限至 %(day)s 届满，届满后方可申请。")
            % {"day": execution.window_opens_on.isoformat()},
            field="on",
        )
    end = rules.local_date(execution.window_ends_at)
    if day > end:
        raise rules.refuse(
            "coercion_court_window",
            _("申请人民法院强制执行的期限已于 %(day)s 届满。") % {"day": end.isoformat()},
            field="on",
        )
    values = {"court_applied_on": day, "court_name": court_name, "court_outcome": CourtOutcome.PENDING}
    return perform_transition(execution, "apply_to_court", by=by, values=values, data=_data(values))


def execution_record_court(
    execution: Execution, *, by, outcome: str, decided_on: dt.date | None = None, reference: str = ""
) -> Execution:
    """Record the court's ruling on the application (no change of state)."""
    _require(can_handle, execution, by, _("您不是申请机关的执法人员。"))
    if outcome not in CourtOutcome.values or outcome == CourtOutcome.PENDING:
        raise ValidationFailed(_("请选择法院裁定结果。"), field="outcome")
    day = _day(decided_on, field="decided_on")
    with transaction.atomic():
        locked = lock_as_seen(execution)
        if locked.status != ExecutionStatus.APPLIED:
            raise InvalidTransition(_("尚未申请人民法院强制执行。"))
        if day < locked.court_applied_on:
            raise ValidationFailed(_("裁定日期不能早于申请日期。"), field="decided_on")
        values = {"court_outcome": outcome, "court_decided_on": day, "court_reference": (reference or "").strip()}
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(values))
        record_event(locked, "court_ruling", by=by, data=_data(values))
    return locked


def execution_conclude(
    execution: Execution, *, by, conclusion: str, on: dt.date | None = None, note: str = ""
) -> Execution:
    """Close the enforcement: the party performed, the court executed, refused or the application was withdrawn."""
    _require(can_handle, execution, by, _("您不是申请机关的执法人员。"))
    if conclusion not in ExecutionConclusion.values:
        raise ValidationFailed(_("请选择终结方式。"), field="conclusion")
    if conclusion in (ExecutionConclusion.EXECUTED, ExecutionConclusion.REFUSED) and (
        execution.status != ExecutionStatus.APPLIED or execution.court_outcome in ("", CourtOutcome.PENDING)
    ):
        raise ValidationFailed(_("请先登记法院裁定结果。"), field="conclusion")
    day = _day(on)
    values = {"concluded_on": day, "conclusion": conclusion, "note": (note or "").strip()}
    with transaction.atomic():
        done = perform_transition(execution, "conclude", by=by, values=values, data=_data(values))
        case = Case.objects.filter(pk=done.case_id).first() if done.case_id else None
        if conclusion == ExecutionConclusion.EXECUTED and case is not None and case.status == CaseStatus.SERVED:
            # The penalty case records its execution as enforced by the court (its own step, its own event).
            case_execute(
                case,
                by=by,
                method=ExecutionMethod.COURT,
                on=day,
                note=_("经申请，人民法院强制执行完毕（%(number)s）。") % {"number": done.number},
            )
    return done


# --- deadline sweep (亮灯) -------------------------------------------------------------------

STEP_LABELS = {
    "emergency_approval": gettext_lazy("当场实施后补办批准"),
    "measure_period": gettext_lazy("查封、扣押期限届满"),
    "court_window": gettext_lazy("申请人民法院强制执行"),
}
STEP_RULES = {
    "emergency_approval": "coercion_emergency",
    "measure_period": "coercion_period",
    "court_window": "coercion_court_window",
}
_RANK = {WarningLevel.NONE: 0, WarningLevel.YELLOW: 1, WarningLevel.RED: 2}


def _yellow_share() -> float:
    return min(max(float(getattr(settings, "WARNING_YELLOW_SHARE", 0.8)), 0.0), 1.0)


def _level(start: dt.datetime, due: dt.datetime, now: dt.datetime) -> str:
    if now > due:
        return WarningLevel.RED
    if now >= warn_time(start, due, _yellow_share(), "calendar_days"):
        return WarningLevel.YELLOW
    return WarningLevel.NONE


def measure_warning(measure: CoerciveMeasure, now: dt.datetime) -> tuple[str, str, dt.datetime | None]:
    """(level, step, due) of a measure in force: the emergency approval (24 h) and the end of the period.

    An emergency measure not approved within 24 hours and still in force is
    red (art. 19); a measure still in force after its period is an overdue
    release (art. 28), red. ``measure`` may be the sweep's row with the same attributes.
    """
    best: tuple[str, str, dt.datetime | None] = (WarningLevel.NONE, "", None)
    if measure.status not in ACTIVE_MEASURE_STATES:
        return best
    steps = []
    if measure.is_emergency and measure.approved_at is None and measure.approval_due_at and measure.taken_at:
        steps.append(("emergency_approval", measure.taken_at, measure.approval_due_at))
    if measure.ends_at and measure.taken_at:
        steps.append(("measure_period", measure.taken_at, measure.ends_at))
    for key, start, due in steps:
        level = _level(start, due, now)
        if _RANK[level] > _RANK[best[0]]:
            best = (level, key, due)
    return best


def execution_warning(execution: Execution, now: dt.datetime) -> tuple[str, str, dt.datetime | None]:
    """The art. 53 window of an enforcement not yet applied to the court (``execution``: or the sweep's row)."""
    if execution.status not in (ExecutionStatus.DRAFT, ExecutionStatus.REMINDED) or not execution.window_ends_at:
        return (WarningLevel.NONE, "", None)
    start = dt.datetime.combine(execution.window_opens_on, dt.time.max, tzinfo=SHANGHAI)
    level = _level(start, execution.window_ends_at, now)
    return (
        (level, "court_window", execution.window_ends_at)
        if level != WarningLevel.NONE
        else (WarningLevel.NONE, "", None)
    )


class _MeasureRow(NamedTuple):
    """A measure as the sweep reads it, not a model instance: what :func:`measure_warning` and the light need."""

    pk: int
    number: str
    decision_number: str
    status: str
    agency_id: int
    is_emergency: bool
    approved_at: dt.datetime | None
    approval_due_at: dt.datetime | None
    taken_at: dt.datetime | None
    ends_at: dt.datetime | None
    warning_level: str
    warning_key: str
    warning_due_at: dt.datetime | None

    @property
    def display_number(self) -> str:
        return self.decision_number or self.number


class _ExecutionRow(NamedTuple):
    """An enforcement as the sweep reads it (what :func:`execution_warning` and the light need)."""

    pk: int
    number: str
    status: str
    agency_id: int
    window_opens_on: dt.date | None
    window_ends_at: dt.datetime | None
    warning_level: str
    warning_key: str
    warning_due_at: dt.datetime | None

    @property
    def display_number(self) -> str:
        return self.number


_ROWS = {CoerciveMeasure: _MeasureRow, Execution: _ExecutionRow}


def _recipients(model, objs) -> dict[int, list]:
    """object id -> its active officers (a measure's; an enforcement names none) and its agency's leaders."""
    officers = ()
    if model is CoerciveMeasure:
        officers = MeasureOfficer.objects.filter(measure_id__in=[o.pk for o in objs]).values_list(
            "measure_id", "officer_id")
    return officers_and_leaders([(o.pk, o.agency_id) for o in objs], officers)


# A step's due time is a column of its object: the sweep writes it from there (F()), so one UPDATE
# serves every object that moves to the same level for the same step, whatever its due time.
STEP_DUE_COLUMNS = {"emergency_approval": "approval_due_at", "measure_period": "ends_at",
                    "court_window": "window_ends_at"}

def _sweep(model, candidates, warning, now: dt.datetime, result: SweepResult, url_name: str,
           chunk: int = SWEEP_CHUNK) -> None:
    """Recompute the light of ``candidates`` (read as rows); update and notify the changed ones in chunks.

    Each chunk is one transaction: an UPDATE per (level, step) it holds and one bulk send of its
    notifications (officers and leaders read per chunk, each user once).
    """
    from enforcement.cases.deadlines import set_lights
    from enforcement.links import detail_url
    from enforcement.notifications import Message, SubjectRef, notify_each

    row = _ROWS[model]
    changes = []
    for values in candidates.values_list(*row._fields).iterator(chunk_size=2000):
        obj = row(*values)
        level, key, due = warning(obj, now)
        if (level, key, due) != (obj.warning_level, obj.warning_key, obj.warning_due_at):
            changes.append((obj, level, key, due))
    if not changes:
        return
    titles = {WarningLevel.YELLOW: _("%(number)s 即将到期（黄灯）：%(step)s"),
              WarningLevel.RED: _("%(number)s 已超期（红灯）：%(step)s")}
    body = _("%(step)s期限：%(due)s（%(article)s）。")
    # Read and translated once per sweep, not per object: each article read the legal rules (two queries).
    articles = {rule.key: str(rule.article) for rule in legal_rules() if rule.key in STEP_RULES.values()}
    steps = {key: str(label) for key, label in STEP_LABELS.items()}
    tz = timezone.get_current_timezone()
    for begin in range(0, len(changes), chunk):
        part = changes[begin:begin + chunk]
        recipients = _recipients(model, [obj for obj, level, *_rest in part if level != WarningLevel.NONE])
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        messages = []
        for obj, level, key, due in part:
            groups[(level, key)].append(obj.pk)
            if level == WarningLevel.NONE:
                continue
            step = steps[key]
            messages.append(
                Message(
                    recipients=recipients.get(obj.pk, []),
                    subject=SubjectRef(model, obj.pk),
                    # Once per change of level: the reason names the level, the step and its due time.
                    reason=f"coercion.warning.{level}.{key}.{int(due.timestamp())}",
                    title=titles[level] % {"number": obj.display_number, "step": step},
                    body=body % {"step": step, "due": timezone.localtime(due, tz).strftime("%Y-%m-%d %H:%M"),
                                 "article": articles[STEP_RULES[key]]},
                    url=detail_url(url_name, obj.pk),
                )
            )
        with transaction.atomic():
            set_lights(model, groups, STEP_DUE_COLUMNS, now, result.changed)
            if messages:
                result.notified += len(notify_each(messages))


def sweep_coercion_warnings(now: dt.datetime | None = None, *, chunk: int = SWEEP_CHUNK) -> SweepResult:
    """Recompute the warnings of measures in force and of enforcements awaiting the court, set-based by chunk."""
    from django.db.models import Q

    now = now or timezone.now()
    result = SweepResult()
    measures = CoerciveMeasure.objects.filter(Q(status__in=ACTIVE_MEASURE_STATES) | ~Q(warning_level=WarningLevel.NONE))
    _sweep(CoerciveMeasure, measures, measure_warning, now, result, "coercion:detail", chunk)
    executions = Execution.objects.filter(Q(status__in=OPEN_EXECUTION_STATES) | ~Q(warning_level=WarningLevel.NONE))
    _sweep(Execution, executions, execution_warning, now, result, "coercion:execution-detail", chunk)
    return result
