"""Case services: every change of a case, from lead to archive (Administrative Penalty Law, 2021).

One service per step. Each checks the actor and the legal preconditions
(raising a :class:`~enforcement.errors.DomainError` whose message names the
rule and its article), then changes the case through
``enforcement.workflow.perform_transition`` (state changes) or
:func:`_change` (values only), both of which lock the row and write one
append-only event, in one transaction with the supporting rows (officers,
reviews, approval steps, documents).

``on`` is the day the step happened (default today): staff often record a
step after the fact, and the demo data replays two years of cases. It may not
lie in the future.

Ordinary procedure: :func:`case_create_lead` -> :func:`case_file` (or
:func:`case_decline`) -> :func:`case_investigate` -> :func:`case_send_notice`
-> (:func:`case_request_hearing` -> :func:`case_schedule_hearing` ->
:func:`case_record_hearing`) -> :func:`case_submit_review` ->
:func:`case_pass_review` (major cases: :func:`case_approve_step` for each
level, :func:`case_deliberate`) -> :func:`case_decide` (or
:func:`case_transfer`) -> :func:`case_serve` -> :func:`case_execute` ->
:func:`case_close` -> :func:`case_archive`.

Summary procedure (art. 51-53): :func:`case_create_lead` ->
:func:`case_decide_on_spot` -> (:func:`case_execute`) ->
:func:`case_record_summary_filing` -> :func:`case_close` -> :func:`case_archive`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.access import scope_for
from enforcement.cases import permissions, rules
from enforcement.cases.deadlines import decide_due, due, earliest_hearing_day, rule, set_due
from enforcement.cases.documents import issue_document
from enforcement.cases.models import (
    DECIDABLE_STATES,
    PENDING_DECISION_STATES,
    ApprovalLevel,
    ApprovalScope,
    ApprovalStep,
    ApproverKind,
    Case,
    CaseExtension,
    CaseOfficer,
    CaseSource,
    CaseStatus,
    CaseSuspension,
    Deliberation,
    DocumentKind,
    ExecutionMethod,
    LegalReview,
    OfficerRole,
    Outcome,
    PartyKind,
    Procedure,
    ReviewResult,
    ServiceMethod,
    StepDecision,
    TransferTarget,
    can_handle,
)
from enforcement.cases.permissions import HANDLING_ROLES
from enforcement.catalogue.models import DiscretionTier, Matter, PenaltyKind
from enforcement.catalogue.services import ProposedPenalty, check_penalty, format_amount
from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.models.agencies import TOWNSHIP_KINDS, Agency, Role
from enforcement.workdays import is_working_day
from enforcement.workflow import lock_as_seen, perform_transition, record_event

# Default approval chain of major cases (an administrator may replace it in the ApprovalLevel table).
DEFAULT_LEVELS: dict[str, list[tuple[str, str]]] = {
    ApprovalScope.TOWNSHIP: [
        (ApproverKind.HANDLER, _("承办人")),
        (ApproverKind.LEGAL_OFFICER, _("法制员")),
        (ApproverKind.HEAD, _("执法队负责人")),
        (ApproverKind.REVIEW_CENTRE, _("县法制审核中心")),
        (ApproverKind.COLLECTIVE, _("集体讨论")),
    ],
    ApprovalScope.BUREAU: [
        (ApproverKind.HANDLER, _("承办人")),
        (ApproverKind.LEGAL_OFFICER, _("法制员")),
        (ApproverKind.HEAD, _("大队/中队负责人")),
        (ApproverKind.LEGAL_SECTION, _("法制科")),
        (ApproverKind.COLLECTIVE, _("集体讨论")),
    ],
}
# The level of the chain that the legal review itself completes.
REVIEW_LEVELS = (ApproverKind.LEGAL_SECTION, ApproverKind.REVIEW_CENTRE)


# --- helpers -----------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _day(on: dt.date | None, *, field: str = "on") -> dt.date:
    day = on or _today()
    if day > _today():
        raise ValidationFailed(_("日期不能晚于今天。"), field=field, code="date_in_future")
    return day


def _plain(value):
    """A value as JSON for an event's data."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _require_text(value: str, field: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, field=field)
    return value


def _require_handler(case: Case, by) -> None:
    if by is not None and not can_handle(case, by):
        raise PermissionRefused(_("您不是本案办案机构的执法人员，不能办理本案。"))


def _change(case: Case, *, by, action: str, values: dict, note: str = "", data: dict | None = None,
            states: Sequence[str] | None = None) -> Case:
    """Change values of a case without changing its state: lock, re-check, save, write one event."""
    with transaction.atomic():
        locked = lock_as_seen(case)
        if states is not None and locked.status not in states:
            raise InvalidTransition(
                _("案件当前状态“%(state)s”下不能执行此操作。") % {"state": locked.get_status_display()}
            )
        for name, value in values.items():
            setattr(locked, name, value)
        if values:
            locked.save(update_fields=list(values))
        record_event(locked, action, by=by, note=note, data=data or {k: _plain(v) for k, v in values.items()})
    return locked


def _transition(case: Case, action: str, *, by, values: dict, note: str = "", data: dict | None = None) -> Case:
    return perform_transition(
        case, action, by=by, note=note, values=values,
        data=data if data is not None else {k: _plain(v) for k, v in values.items() if not hasattr(v, "pk")},
    )


def _money(value, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise ValidationFailed(_("金额“%(value)s”不是有效数字。") % {"value": value}, field=field)
    if amount < 0:
        raise ValidationFailed(_("金额不能为负数。"), field=field)
    return amount.quantize(Decimal("0.01"))


def _check_kinds(kinds: Sequence[str], fine: Decimal | None) -> list[str]:
    kinds = list(dict.fromkeys(kinds or []))
    if not kinds:
        raise ValidationFailed(_("请选择处罚种类。"), field="penalty_kinds")
    unknown = [k for k in kinds if k not in PenaltyKind.values]
    if unknown:
        raise ValidationFailed(_("未知处罚种类“%(kind)s”。") % {"kind": unknown[0]}, field="penalty_kinds")
    if PenaltyKind.FINE in kinds and (fine is None or fine <= 0):
        raise ValidationFailed(_("处罚种类包含“罚款”，请填写罚款金额。"), field="fine_amount")
    if fine and PenaltyKind.FINE not in kinds:
        raise ValidationFailed(_("填写了罚款金额，但处罚种类中没有“罚款”。"), field="fine_amount")
    return kinds


def _agency_for_numbers(case: Case) -> Agency:
    return case.subject_agency or case.agency


# --- lead ------------------------------------------------------------------------------------


def can_register_for(user, agency: Agency) -> bool:
    """Officers of an agency (or above it) register its leads; administrators any."""
    if user is None or not user.is_authenticated:
        return False
    scope = scope_for(user)
    if user.is_superuser or scope.has_role(Role.ADMINISTRATOR):
        return True
    return agency.pk in scope.agency_ids and scope.has_role(*HANDLING_ROLES)


def case_create_lead(
    *,
    by,
    agency: Agency,
    matter: Matter,
    title: str,
    occurred_on: dt.date,
    party_kind: str,
    party_name: str,
    party_id_number: str = "",
    party_address: str = "",
    party_phone: str = "",
    party_legal_rep: str = "",
    township: Agency | None = None,
    source: str = CaseSource.INSPECTION,
    source_ref: str = "",
    source_ticket_id: int | None = None,
    facts: str = "",
    place: str = "",
    discovered_on: dt.date | None = None,
    violation_ended_on: dt.date | None = None,
    involves_safety: bool = False,
    procedure: str = Procedure.ORDINARY,
) -> Case:
    """Register a lead (线索). A ticket of the command platform becomes one with ``source_ticket_id``."""
    if by is not None and not can_register_for(by, agency):
        raise PermissionRefused(_("您不是%(agency)s的执法人员，不能为其登记案件线索。") % {"agency": agency.name})
    title = _require_text(title, "title", _("请填写案由。"))
    party_name = _require_text(party_name, "party_name", _("请填写当事人。"))
    if party_kind not in PartyKind.values:
        raise ValidationFailed(_("请选择当事人类型。"), field="party_kind")
    if party_kind == PartyKind.ORGANISATION and not (party_legal_rep or "").strip() and procedure == Procedure.ORDINARY:
        raise ValidationFailed(_("当事人为单位的，请填写法定代表人或负责人。"), field="party_legal_rep")
    if source not in CaseSource.values:
        raise ValidationFailed(_("请选择案件来源。"), field="source")
    if procedure not in Procedure.values:
        raise ValidationFailed(_("请选择程序。"), field="procedure")
    discovered = discovered_on or _today()
    if occurred_on > discovered:
        raise ValidationFailed(_("违法行为发生日期不能晚于发现日期。"), field="occurred_on")
    if violation_ended_on is not None and violation_ended_on < occurred_on:
        raise ValidationFailed(_("违法行为终了日期不能早于发生日期。"), field="violation_ended_on")
    if township is not None and township.kind not in TOWNSHIP_KINDS:
        raise ValidationFailed(_("“%(name)s”不是乡镇或街道。") % {"name": township.name}, field="township")
    if township is None and agency.kind in TOWNSHIP_KINDS:
        township = agency
    with transaction.atomic():
        case = Case.objects.create(
            number=rules.registry_number(agency, discovered.year),
            agency=agency, matter=matter, township=township, title=title, facts=facts, place=place,
            occurred_on=occurred_on, discovered_on=discovered, violation_ended_on=violation_ended_on,
            involves_safety=involves_safety, party_kind=party_kind, party_name=party_name.strip(),
            party_id_number=party_id_number.strip(), party_address=party_address.strip(),
            party_phone=party_phone.strip(), party_legal_rep=party_legal_rep.strip(), source=source,
            source_ref=source_ref, source_ticket_id=source_ticket_id, procedure=procedure, created_by=by,
        )
        record_event(case, "create", by=by, data={"matter": matter.code, "source": source,
                                                  "source_ticket_id": source_ticket_id})
    return case


# --- filing ------------------------------------------------------------------------------------


def case_file(
    case: Case,
    *,
    by,
    officers: Sequence,
    lead_officer=None,
    on: dt.date | None = None,
    is_major: bool = False,
    is_complex: bool = False,
    major_reason: str = "",
    note: str = "",
) -> Case:
    """File the case (立案, art. 54): the agency must hold the matter and two certified officers handle it."""
    _require_handler(case, by)
    day = _day(on)
    if case.procedure != Procedure.ORDINARY:
        raise InvalidTransition(_("简易程序案件当场作出决定，无需立案。"))
    if day < case.discovered_on:
        raise ValidationFailed(_("立案日期不能早于发现日期。"), field="on")
    rules.require_certified_handler(by, day)
    answer, subject = rules.check_filing_power(case.matter, case.agency, case.township, day)
    assigned = rules.check_officers(officers, case.agency, day)
    rules.check_limitation(case)
    if (is_major or is_complex) and not (major_reason or "").strip():
        raise ValidationFailed(_("请说明列为重大或复杂案件的理由。"), field="major_reason")
    lead = lead_officer or assigned[0][0]
    with transaction.atomic():
        values = {
            "filed_on": day,
            "subject_agency": subject,
            "holder_mode": answer.mode,
            "holder_via": answer.via_text[:300],
            "filing_number": rules.document_number(subject, "filing", day.year),
            "is_major": is_major,
            "is_complex": is_complex,
            "major_reason": major_reason.strip(),
        }
        probe = Case(filed_on=day, extension_days=case.extension_days, suspended_days=case.suspended_days)
        values["decide_due_at"] = decide_due(probe)
        case = _transition(case, "file", by=by, values=values, note=note, data={
            "filing_number": values["filing_number"], "holder": answer.agency.code, "mode": answer.mode,
            "officers": [o.pk for o, _c in assigned], "filed_on": day.isoformat(),
        })
        CaseOfficer.objects.bulk_create([
            CaseOfficer(case=case, officer=o, certificate_number=c.number,
                        role=OfficerRole.LEAD if o.pk == lead.pk else OfficerRole.ASSIST)
            for o, c in assigned
        ])
        issue_document(case, DocumentKind.FILING_APPROVAL, by=by, number=case.filing_number, on=day,
                       extra={"note": note, "decide_due": timezone.localtime(case.decide_due_at).date()})
    return case


def case_decline(case: Case, *, by, reason: str, on: dt.date | None = None) -> Case:
    """Decline to file (不予立案) with a reason."""
    _require_handler(case, by)
    day = _day(on)
    reason = _require_text(reason, "reason", _("请填写不予立案的理由。"))
    return _transition(case, "decline", by=by, note=reason, values={"declined_reason": reason},
                       data={"on": day.isoformat()})


def case_investigate(case: Case, *, by, note: str = "") -> Case:
    _require_handler(case, by)
    rules.require_certified_handler(by, _today())
    return _transition(case, "investigate", by=by, values={}, note=note)


def case_mark_major(case: Case, *, by, is_major: bool, is_complex: bool, reason: str) -> Case:
    """Change whether a filed case is major or complex (重大/复杂), with the legal officer's approval.

    After filing the flags decide whether the decision needs legal review
    (art. 58), so changing them is itself approved: only a legal reviewer of
    the case (the agency's legal officer or the county legal-review centre),
    not one of its handlers, records the change, always with a reason. A case
    that went through a hearing stays major: art. 58(1)(3) requires its
    review whatever the flag says (and :func:`_check_major` requires it too).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请说明变更重大或复杂案件认定的理由。"), field="reason")
    if not permissions.is_legal_reviewer_for(by, case) or permissions.is_case_officer(by, case):
        raise PermissionRefused(
            _("立案后变更重大、复杂案件的认定须经法制审核人员（法制员或县法制审核中心）审核同意，"
              "承办人员不能自行变更（%(article)s）。") % {"article": rules.legal_rule("major_change").article},
            code="major_change",
        )
    if case.is_major and not is_major and case.went_to_hearing:
        raise ValidationFailed(
            _("本案经过听证程序，属于须经法制审核的案件，不能取消重大案件认定（《行政处罚法》第五十八条第一款第三项）。"),
            field="is_major", code="major_change",
        )
    return _change(case, by=by, action="mark_major", states=PENDING_DECISION_STATES, note=reason,
                   values={"is_major": is_major, "is_complex": is_complex, "major_reason": reason[:300]},
                   data={"is_major": is_major, "is_complex": is_complex, "was_major": case.is_major,
                         "was_complex": case.is_complex, "reason": reason, "approved_by": by.pk})


# --- advance notice and hearing -------------------------------------------------------------------


def case_send_notice(
    case: Case,
    *,
    by,
    kinds: Sequence[str],
    fine=None,
    tier: DiscretionTier | None = None,
    illegal_gains=None,
    confiscated=None,
    on: dt.date | None = None,
    note: str = "",
) -> Case:
    """Send the advance notice (事先告知, art. 44) of the proposed penalty; tell hearing rights when due (art. 63).

    The proposal is checked against the discretion standard now, with the
    same justification path as the decision (art. 34). A notice sent again
    (a heavier penalty than the one announced, art. 45(2)) replaces the
    proposal and opens a new hearing period.
    """
    _require_handler(case, by)
    day = _day(on)
    rules.require_certified_handler(by, day)
    fine = _money(fine, "fine_amount")
    gains = _money(illegal_gains, "illegal_gains")
    confiscated = _money(confiscated, "confiscated_amount")
    kinds = _check_kinds(kinds, fine)
    if tier is not None and tier.matter_id != case.matter_id:
        raise ValidationFailed(_("裁量等级不属于本案事项。"), field="tier")
    if day < (case.filed_on or day):
        raise ValidationFailed(_("告知日期不能早于立案日期。"), field="on")
    ok, reasons = _check_discretion(case, tier, kinds, fine, gains)
    hearing = rules.hearing_reasons(case.party_kind, kinds, fine, rules.confiscated_value(kinds, confiscated, gains))
    values = {
        "proposed_kinds": kinds, "proposed_fine": fine, "proposed_confiscated": confiscated, "tier": tier,
        "notice_served_on": day, "illegal_gains": gains, "hearing_rights": bool(hearing),
        # A new notice opens a new hearing period: the earlier request or waiver was about another proposal.
        "hearing_requested_on": None, "hearing_waived": False, "hearing_notified_on": None, "hearing_at": None,
        "hearing_held_at": None, "penalty_check_ok": ok, "penalty_check_reasons": reasons,
    }
    set_due(case, values, "hearing_request_due_at", due("hearing_request", day) if hearing else None)
    if hearing and not case.is_major:
        # Cases that give the right to a hearing are major enforcement decisions (重大执法决定).
        values.update({"is_major": True, "major_reason": (_("拟作出%(what)s，适用听证程序") %
                                                          {"what": "、".join(hearing)})[:300]})
    with transaction.atomic():
        case = _transition(case, "notify", by=by, values=values, note=note, data={
            "kinds": kinds, "fine": _plain(fine), "confiscated": _plain(confiscated), "hearing_rights": hearing,
            "on": day.isoformat(), "within_standard": ok,
        })
        number = rules.document_number(_agency_for_numbers(case), "notice", day.year)
        issue_document(case, DocumentKind.ADVANCE_NOTICE, by=by, number=number, on=day, extra={
            "hearing_reasons": "、".join(hearing),
            "hearing_request_due": timezone.localtime(case.hearing_request_due_at).date()
            if case.hearing_request_due_at else "",
        })
    return case


def case_record_statement(case: Case, *, by, text: str) -> Case:
    """Record the party's statement and defence (陈述、申辩, art. 45)."""
    _require_handler(case, by)
    text = _require_text(text, "text", _("请填写陈述申辩情况。"))
    return _change(case, by=by, action="statement", states=(CaseStatus.NOTIFIED, CaseStatus.HEARING),
                   values={"statement_record": text}, note=text)


def case_request_hearing(case: Case, *, by, on: dt.date | None = None) -> Case:
    """Record the party's request for a hearing: within 5 working days of the notice (art. 64)."""
    _require_handler(case, by)
    day = _day(on)
    if not case.hearing_rights:
        raise InvalidTransition(_("本案拟作出的处罚不适用听证程序（《行政处罚法》第六十三条）。"),
                                code="hearing_rights")
    if case.hearing_requested_on:
        raise InvalidTransition(_("当事人已于 %(day)s 申请听证。") % {"day": case.hearing_requested_on.isoformat()})
    if case.hearing_request_due_at and day > timezone.localtime(case.hearing_request_due_at).date():
        raise ValidationFailed(
            _("当事人应当在告知后%(amount)s提出听证要求，期限已于 %(due)s 届满（%(article)s）。")
            % {"amount": rule("hearing_request").describe(),
               "due": timezone.localtime(case.hearing_request_due_at).date().isoformat(),
               "article": rule("hearing_request").article},
            field="on", code="hearing_request",
        )
    return _change(case, by=by, action="request_hearing", states=(CaseStatus.NOTIFIED,),
                   values={"hearing_requested_on": day, "hearing_waived": False})


def case_waive_hearing(case: Case, *, by, note: str = "") -> Case:
    """The party waives the hearing in writing."""
    _require_handler(case, by)
    if not case.hearing_rights:
        raise InvalidTransition(_("本案拟作出的处罚不适用听证程序（《行政处罚法》第六十三条）。"),
                                code="hearing_rights")
    return _change(case, by=by, action="waive_hearing", states=(CaseStatus.NOTIFIED,),
                   values={"hearing_waived": True}, note=note)


def case_schedule_hearing(case: Case, *, by, hearing_at: dt.datetime, place: str,
                          notified_on: dt.date | None = None) -> Case:
    """Notify the party of the hearing at least 7 days ahead (art. 64(2)) and issue the hearing notice."""
    _require_handler(case, by)
    day = _day(notified_on, field="notified_on")
    if not case.hearing_requested_on:
        raise InvalidTransition(_("当事人未申请听证，不能安排听证。"))
    place = _require_text(place, "place", _("请填写听证地点。"))
    earliest = earliest_hearing_day(day)
    hearing_day = timezone.localtime(hearing_at).date()
    if not is_working_day(hearing_day):
        raise ValidationFailed(
            _("听证不能安排在休息日或法定节假日（%(day)s）；七日前通知的“七日”为工作日（%(article)s）。")
            % {"day": hearing_day.isoformat(), "article": rule("hearing_notice").article},
            field="hearing_at", code="hearing_notice",
        )
    if hearing_day < earliest:
        r = rule("hearing_notice")
        raise ValidationFailed(
            _(
                "听证通知须在举行听证的%(amount)s前送达当事人：%(notified)s 通知，"
                "听证最早安排在 %(earliest)s（%(article)s）。"
            )
            % {"amount": r.describe(), "notified": day.isoformat(), "earliest": earliest.isoformat(),
               "article": r.article},
            field="hearing_at", code="hearing_notice",
        )
    with transaction.atomic():
        case = _transition(case, "schedule_hearing", by=by, values={
            "hearing_at": hearing_at, "hearing_place": place, "hearing_notified_on": day,
        })
        number = rules.document_number(_agency_for_numbers(case), "hearing", day.year)
        issue_document(case, DocumentKind.HEARING_NOTICE, by=by, number=number, on=day,
                       extra={"hearing_at": hearing_at, "hearing_place": place})
    return case


def case_record_hearing(case: Case, *, by, held_at: dt.datetime, record: str) -> Case:
    """Record that the hearing was held, with a summary of its record (听证笔录, art. 64(8))."""
    _require_handler(case, by)
    record = _require_text(record, "record", _("请填写听证笔录摘要。"))
    if held_at > timezone.now():
        raise ValidationFailed(_("听证时间不能晚于现在。"), field="held_at")
    return _change(case, by=by, action="record_hearing", states=(CaseStatus.HEARING,),
                   values={"hearing_held_at": held_at, "hearing_record": record, "went_to_hearing": True})


# --- investigation records --------------------------------------------------------------------------


def case_add_inquiry_record(
    case: Case,
    *,
    by,
    person_name: str,
    person_role: str,
    qa: str,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    place: str,
    person_id_number: str = "",
    recorder=None,
):
    """File an inquiry record (询问笔录) made by two certified officers (art. 42, 55): ``by`` and ``recorder``."""
    from enforcement.cases.services.evidence import EVIDENCE_STATES

    _require_handler(case, by)
    if case.status not in EVIDENCE_STATES:
        raise InvalidTransition(
            _("案件当前状态“%(state)s”下不能再制作询问笔录。") % {"state": case.get_status_display()}
        )
    person_name = _require_text(person_name, "person_name", _("请填写被询问人。"))
    qa = _require_text(qa, "qa", _("请填写询问内容（问答）。"))
    place = _require_text(place, "place", _("请填写询问地点。"))
    if ended_at < started_at:
        raise ValidationFailed(_("询问结束时间不能早于开始时间。"), field="ended_at")
    if ended_at > timezone.now():
        raise ValidationFailed(_("询问时间不能晚于现在。"), field="ended_at")
    day = timezone.localdate(ended_at)
    pair = rules.check_record_officers([by, recorder], case.agency, day)
    (inquirer, inquirer_cert), (recorder, recorder_cert) = pair
    with transaction.atomic():
        count = case.documents.filter(kind=DocumentKind.INQUIRY_RECORD).count() + 1
        document = issue_document(case, DocumentKind.INQUIRY_RECORD, by=by,
                                  number=_("第%(n)s次") % {"n": count}, on=timezone.localdate(ended_at), extra={
                                      "person_name": person_name, "person_role": person_role,
                                      "person_id_number": person_id_number, "qa": qa,
                                      "started_at": started_at, "ended_at": ended_at, "inquiry_place": place,
                                      "inquirer": inquirer.get_full_name() or inquirer.get_username(),
                                      "inquirer_certificate": inquirer_cert.number,
                                      "recorder": recorder.get_full_name() or recorder.get_username(),
                                      "recorder_certificate": recorder_cert.number,
                                  })
        record_event(case, "inquiry_record", by=by, data={"document": document.pk, "person": person_name})
    return document


# --- legal review, approval chain, deliberation --------------------------------------------------


def approval_levels_for(case: Case) -> list[tuple[str, str]]:
    """(approver kind, label) of each level, from the ApprovalLevel table or the defaults."""
    scope = ApprovalScope.TOWNSHIP if case.agency.kind in TOWNSHIP_KINDS else ApprovalScope.BUREAU
    rows = list(ApprovalLevel.objects.filter(is_active=True, scope__in=[scope, ApprovalScope.ALL]).order_by("order"))
    if rows:
        return [(r.approver, r.label) for r in rows]
    return [(k, str(label)) for k, label in DEFAULT_LEVELS[scope]]


def current_round(case: Case) -> list[ApprovalStep]:
    latest = case.approval_steps.order_by("-round").values_list("round", flat=True).first()
    if latest is None:
        return []
    return list(case.approval_steps.filter(round=latest).order_by("order"))


def chain_complete(case: Case) -> bool:
    steps = current_round(case)
    return bool(steps) and all(s.decision == StepDecision.APPROVED for s in steps)


def pending_step(case: Case) -> ApprovalStep | None:
    for step in current_round(case):
        if step.decision == StepDecision.PENDING:
            return step
        if step.decision != StepDecision.APPROVED:
            return None
    return None


def latest_review(case: Case) -> LegalReview | None:
    return case.legal_reviews.order_by("-submitted_at", "-id").first()


def case_submit_review(case: Case, *, by, note: str = "") -> Case:
    """Submit the proposed decision for legal review (法制审核, art. 58); major cases start the approval chain."""
    _require_handler(case, by)
    rules.require_certified_handler(by, _today())
    if case.procedure != Procedure.ORDINARY:
        raise InvalidTransition(_("简易程序案件不进行法制审核。"))
    with transaction.atomic():
        case = _transition(case, "submit_review", by=by, values={}, note=note)
        LegalReview.objects.create(case=case, submitted_by=by, opinion="")
        if case.is_major:
            previous = case.approval_steps.order_by("-round").values_list("round", flat=True).first() or 0
            now = timezone.now()
            steps = []
            for order, (kind, label) in enumerate(approval_levels_for(case), start=1):
                # Submitting is the handler's own approval of the first level.
                approved = kind == ApproverKind.HANDLER and permissions.is_case_officer(by, case)
                steps.append(ApprovalStep(
                    case=case, round=previous + 1, order=order, approver=kind, label=label,
                    decision=StepDecision.APPROVED if approved else StepDecision.PENDING,
                    decided_by=by if approved else None, decided_at=now if approved else None,
                    reason=note if approved else "",
                ))
            ApprovalStep.objects.bulk_create(steps)
    return case


def _refuse_own_case(case: Case, by) -> None:
    if permissions.is_case_officer(by, case):
        raise PermissionRefused(_("承办人员不得审核本人承办的案件（法制审核人员应当与承办人员分离）。"))


def case_pass_review(case: Case, *, by, opinion: str) -> Case:
    """The legal reviewer passes the review; for a major case the earlier levels must have approved."""
    if not permissions.is_legal_reviewer_for(by, case):
        raise PermissionRefused(_("只有法制审核人员可以进行法制审核。"))
    _refuse_own_case(case, by)
    rules.check_legal_reviewer_qualified(by)
    opinion = _require_text(opinion, "opinion", _("请填写法制审核意见。"))
    step = pending_step(case) if case.is_major else None
    if case.is_major:
        if step is None or step.approver not in REVIEW_LEVELS:
            waiting = step.label if step is not None else _("（无）")
            raise InvalidTransition(
                _("重大案件须按审批层级逐级审批，当前待“%(level)s”审批，尚不能进行法制审核结论。") % {"level": waiting},
                code="approval_chain_incomplete",
            )
        if not permissions.can_approve_level(by, case, step.approver):
            raise PermissionRefused(_("本层级（%(level)s）须由相应机构审批。") % {"level": step.label})
    review = latest_review(case)
    now = timezone.now()
    with transaction.atomic():
        case = _transition(case, "pass_review", by=by, values={}, note=opinion, data={"opinion": opinion})
        perform_transition(review, "approve", by=by, note=opinion, at=now, opinion=opinion)
        if step is not None:
            perform_transition(step, "approve", by=by, note=opinion, at=now, reason=opinion)
        number = rules.document_number(_agency_for_numbers(case), "review", _today().year)
        issue_document(case, DocumentKind.LEGAL_REVIEW_OPINION, by=by, number=number, extra={
            "opinion": opinion, "reviewer": by.get_full_name() or by.get_username(), "result": _("同意"),
        })
    return case


def case_return_review(case: Case, *, by, reason: str) -> Case:
    """The legal reviewer sends the case back for further investigation, with a reason."""
    if not permissions.is_legal_reviewer_for(by, case):
        raise PermissionRefused(_("只有法制审核人员可以进行法制审核。"))
    _refuse_own_case(case, by)
    rules.check_legal_reviewer_qualified(by)
    reason = _require_text(reason, "reason", _("请填写退回理由。"))
    if case.status != CaseStatus.LEGAL_REVIEW:
        raise InvalidTransition(_("案件不在法制审核中。"))
    review = latest_review(case)
    now = timezone.now()
    with transaction.atomic():
        case = _transition(case, "send_back", by=by, values={}, note=reason, data={"reason": reason})
        perform_transition(review, "send_back", by=by, note=reason, at=now, opinion=reason)
        step = pending_step(case)
        if step is not None:
            perform_transition(step, "send_back", by=by, note=reason, at=now, reason=reason)
    return case


def case_approve_step(case: Case, *, by, decision: str, reason: str = "") -> Case:
    """Act on the current level of a major case's approval chain: approve, return with reason, or reject."""
    if not case.is_major:
        raise InvalidTransition(_("本案不是重大案件，无需逐级审批。"))
    step = pending_step(case)
    if step is None:
        raise InvalidTransition(_("本案当前没有待审批的层级。"))
    if step.approver in REVIEW_LEVELS:
        raise InvalidTransition(_("“%(level)s”层级请通过法制审核办理。") % {"level": step.label})
    if step.approver == ApproverKind.COLLECTIVE:
        raise InvalidTransition(_("“%(level)s”层级请录入集体讨论记录。") % {"level": step.label})
    if not permissions.can_approve_level(by, case, step.approver):
        raise PermissionRefused(_("您不能审批“%(level)s”层级。") % {"level": step.label})
    if decision not in (StepDecision.APPROVED, StepDecision.RETURNED, StepDecision.REJECTED):
        raise ValidationFailed(_("请选择审批意见。"), field="decision")
    if decision != StepDecision.APPROVED:
        reason = _require_text(reason, "reason", _("退回或不同意须说明理由。"))
    now = timezone.now()
    with transaction.atomic():
        if decision == StepDecision.APPROVED:
            case = _change(case, by=by, action="approve_step", values={}, note=reason,
                           data={"level": step.label, "decision": decision})
        else:
            # Returned or rejected: the case goes back to the handlers; a new round starts on resubmission.
            case = _transition(case, "send_back", by=by, values={}, note=reason,
                               data={"level": step.label, "decision": decision})
            for review in LegalReview.objects.filter(case=case, result=ReviewResult.PENDING):
                perform_transition(review, "send_back", by=by, note=reason, at=now, opinion=reason)
        action = {StepDecision.APPROVED: "approve", StepDecision.RETURNED: "send_back",
                  StepDecision.REJECTED: "reject"}[decision]
        perform_transition(step, action, by=by, note=reason, at=now, reason=reason)
    return case


def case_deliberate(case: Case, *, by, held_on: dt.date, chair: str, participants: str, conclusion: str) -> Case:
    """Record the collective deliberation of the agency's leaders (art. 57); it completes the approval chain."""
    _require_handler(case, by)
    day = _day(held_on, field="held_on")
    chair = _require_text(chair, "chair", _("请填写主持人。"))
    participants = _require_text(participants, "participants", _("请填写参加人员。"))
    conclusion = _require_text(conclusion, "conclusion", _("请填写讨论决定。"))
    step = pending_step(case) if case.is_major else None
    if case.is_major:
        if step is None or step.approver != ApproverKind.COLLECTIVE:
            raise InvalidTransition(_("重大案件须逐级审批完成后再集体讨论。"), code="approval_chain_incomplete")
        if not permissions.can_approve_level(by, case, step.approver):
            raise PermissionRefused(_("集体讨论记录须由本机构负责人录入。"))
    with transaction.atomic():
        case = _transition(case, "deliberate", by=by, values={}, note=conclusion,
                           data={"held_on": day.isoformat(), "chair": chair})
        Deliberation.objects.create(case=case, held_on=day, chair=chair, participants=participants,
                                    conclusion=conclusion, recorded_by=by)
        if step is not None:
            perform_transition(step, "approve", by=by, note=conclusion, at=timezone.now(), reason=conclusion)
    return case


# --- justification of leaving the discretion standard (art. 34) ----------------------------------


def case_set_justification(case: Case, *, by, text: str, kinds: Sequence[str] | None = None, fine=None) -> Case:
    """Write why a penalty leaves the discretion standard; a legal reviewer must approve it (art. 34).

    The justification covers one penalty: ``kinds`` and ``fine`` (default: the
    proposal of the advance notice). It is checked when the notice proposing
    that penalty is sent and again at the decision.
    """
    _require_handler(case, by)
    text = _require_text(text, "text", _("请填写偏离裁量基准的理由。"))
    if kinds is None:
        kinds, fine = list(case.proposed_kinds or []), case.proposed_fine
    else:
        fine = _money(fine, "fine")
        kinds = _check_kinds(kinds, fine)
    return _change(case, by=by, action="justification", states=PENDING_DECISION_STATES, note=text,
                   values={"justification": text, "justification_kinds": list(kinds), "justification_fine": fine,
                           "justification_approved_by": None, "justification_approved_at": None})


def case_approve_justification(case: Case, *, by) -> Case:
    if not permissions.is_legal_reviewer_for(by, case):
        raise PermissionRefused(_("偏离裁量基准的理由须由法制审核人员审核同意。"))
    _refuse_own_case(case, by)
    if not case.justification.strip():
        raise InvalidTransition(_("承办人尚未填写偏离裁量基准的理由。"))
    return _change(case, by=by, action="approve_justification", states=PENDING_DECISION_STATES,
                   values={"justification_approved_by": by, "justification_approved_at": timezone.now()},
                   data={"kinds": case.justification_kinds, "fine": _plain(case.justification_fine)})


# --- time limits: extension and suspension (art. 60) -------------------------------------------


def case_extend(case: Case, *, by, days: int, reason: str) -> Case:
    """Extend the time to decide with the approval of the agency's head (recorded with the approver)."""
    scope = scope_for(by)
    if not (by.is_superuser or (case.agency_id in scope.agency_ids
                                and scope.has_role(Role.TOWNSHIP_LEADER, Role.SQUADRON_LEADER))):
        raise PermissionRefused(_("延长办案期限须经本机构负责人批准。"))
    reason = _require_text(reason, "reason", _("请填写延长理由。"))
    if not 1 <= int(days) <= 90:
        raise ValidationFailed(_("延长天数应在 1 至 90 天之间。"), field="days")
    with transaction.atomic():
        probe = Case(filed_on=case.filed_on, extension_days=case.extension_days + int(days),
                     suspended_days=case.suspended_days)
        case = _change(case, by=by, action="extend", states=PENDING_DECISION_STATES, note=reason,
                       values={"extension_days": probe.extension_days, "decide_due_at": decide_due(probe)})
        CaseExtension.objects.create(case=case, days=int(days), reason=reason, requested_by=by, approved_by=by)
    return case


def case_suspend(case: Case, *, by, reason: str, on: dt.date | None = None) -> Case:
    """Suspend the case (中止); the suspended days do not count towards the time to decide."""
    _require_handler(case, by)
    day = _day(on)
    reason = _require_text(reason, "reason", _("请填写中止理由。"))
    if case.suspended_since:
        raise InvalidTransition(_("案件已于 %(day)s 中止。") % {"day": case.suspended_since.isoformat()})
    with transaction.atomic():
        case = _change(case, by=by, action="suspend", states=PENDING_DECISION_STATES, note=reason,
                       values={"suspended_since": day})
        CaseSuspension.objects.create(case=case, started_on=day, reason=reason, recorded_by=by)
    return case


def case_resume(case: Case, *, by, on: dt.date | None = None) -> Case:
    _require_handler(case, by)
    day = _day(on)
    if not case.suspended_since:
        raise InvalidTransition(_("案件未中止。"))
    if day < case.suspended_since:
        raise ValidationFailed(_("恢复日期不能早于中止日期。"), field="on")
    days = (day - case.suspended_since).days
    with transaction.atomic():
        probe = Case(filed_on=case.filed_on, extension_days=case.extension_days,
                     suspended_days=case.suspended_days + days)
        case = _change(case, by=by, action="resume", states=PENDING_DECISION_STATES, values={
            "suspended_since": None, "suspended_days": probe.suspended_days, "decide_due_at": decide_due(probe),
        })
        case.suspensions.filter(ended_on__isnull=True).update(ended_on=day)
    return case


# --- decision --------------------------------------------------------------------------------------


def _check_first_offense(case: Case, *, search_confirmed: bool = False) -> dict:
    """Art. 33: first-offense exemption only for matters on the list, and only for a first violation."""
    if not case.matter.first_offense_exempt:
        raise ValidationFailed(
            _("事项“%(matter)s”不在首违不罚清单内，不能适用首违不罚（《行政处罚法》第三十三条第一款）。")
            % {"matter": f"{case.matter.code} {case.matter.name}"},
            field="outcome", code="first_offense",
        )
    match = rules.prior_offense_filter(case)
    if match is None:
        # No reliable identifier: the handler searched by hand and says so.
        if not search_confirmed:
            raise ValidationFailed(
                _("当事人没有身份证件号码（统一社会信用代码）或住所，系统无法可靠检索其违法记录；"
                  "请人工核查当事人此前未因同一事项受到处理，并勾选“已人工核查”（《行政处罚法》第三十三条第一款）。"),
                field="first_offense_confirmed", code="first_offense",
            )
        return {"first_offense_search": "manual"}
    earlier = (
        Case.objects.filter(match, matter_id=case.matter_id, outcome__in=[Outcome.PENALTY, Outcome.FIRST_OFFENSE])
        .exclude(pk=case.pk)
    )
    if earlier.exists():
        raise ValidationFailed(
            _("当事人此前已因同一事项被处理，不属于初次违法，不能适用首违不罚（《行政处罚法》第三十三条第一款）。"),
            field="outcome", code="first_offense",
        )
    return {"first_offense_search": "id_number" if case.party_id_number else "name_address"}


def _check_hearing_done(case: Case, day: dt.date) -> None:
    """Art. 44, 62-65: no penalty without the advance notice, and not before the hearing question is settled."""
    if case.notice_served_on is None:
        raise InvalidTransition(
            _("作出行政处罚决定前，须告知当事人拟作出的处罚及其陈述、申辩、要求听证等权利（《行政处罚法》第四十四条、第六十二条）。"),
            code="advance_notice",
        )
    if not case.hearing_rights or case.hearing_waived:
        return
    if case.hearing_requested_on:
        if case.hearing_held_at is None:
            raise InvalidTransition(
                _("当事人已申请听证，须举行听证后再作出决定（《行政处罚法》第六十四条、第六十五条）。"),
                code="hearing_rights",
            )
        return
    window_end = timezone.localtime(case.hearing_request_due_at).date() if case.hearing_request_due_at else None
    if window_end is not None and day <= window_end:
        raise InvalidTransition(
            _("当事人申请听证的期限（%(due)s 届满）尚未届满，不能作出决定（%(article)s）。")
            % {"due": window_end.isoformat(), "article": rule("hearing_request").article},
            code="hearing_request",
        )


def _check_major(case: Case) -> None:
    """Art. 58: no major decision without a passed legal review; the approval chain and art. 57 deliberation."""
    needs_review = case.is_major or case.is_complex or case.went_to_hearing
    if not needs_review:
        return
    review = latest_review(case)
    if review is None or review.result != ReviewResult.PASSED or case.status not in (
        CaseStatus.REVIEWED, CaseStatus.DELIBERATED
    ):
        raise InvalidTransition(
            _("本案%(why)s，须经法制审核通过后方可作出决定（%(article)s）。")
            % {"why": _("经过听证程序") if case.went_to_hearing and not case.is_major and not case.is_complex
               else _("属于重大或者情节复杂案件"), "article": rules.legal_rule("legal_review").article},
            code="legal_review",
        )
    if not case.is_major and not case.is_complex:
        return
    if case.is_major:
        if not chain_complete(case):
            step = pending_step(case)
            raise InvalidTransition(
                _("重大案件审批尚未完成，待“%(level)s”审批，不能作出决定。")
                % {"level": step.label if step else _("重新提交")},
                code="approval_chain_incomplete",
            )
    if case.status != CaseStatus.DELIBERATED:
        raise InvalidTransition(
            _("情节复杂或者重大违法行为给予行政处罚，须经行政机关负责人集体讨论决定（%(article)s）。")
            % {"article": rules.legal_rule("deliberation").article},
            code="deliberation",
        )


def _check_discretion(case: Case, tier: DiscretionTier | None, kinds, fine, gains) -> tuple[bool, list[str]]:
    """Art. 34: within the discretion standard, or with a written justification a legal reviewer approved."""
    has_tiers = case.matter.tiers.exists()
    if not has_tiers:
        return True, []
    if tier is None:
        raise ValidationFailed(_("请选择适用的裁量等级（《行政处罚法》第三十四条）。"), field="tier")
    if tier.matter_id != case.matter_id:
        raise ValidationFailed(_("裁量等级不属于本案事项。"), field="tier")
    check = check_penalty(case.matter, tier, ProposedPenalty(kinds=list(kinds), fine=fine, illegal_gains=gains))
    if check.ok:
        return True, []
    justified = (
        case.justification_approved_at is not None
        and sorted(kinds) == sorted(case.justification_kinds or [])
        and (fine or None) == (case.justification_fine or None)
    )
    if not justified:
        raise ValidationFailed(
            _("处罚超出裁量基准：%(reasons)s 须书面说明理由并经法制审核人员同意（%(article)s）。")
            % {"reasons": "".join(check.reasons), "article": rules.legal_rule("discretion").article},
            field="fine_amount", code="discretion",
        )
    return False, check.reasons


def case_decide(
    case: Case,
    *,
    by,
    outcome: str,
    on: dt.date | None = None,
    kinds: Sequence[str] = (),
    fine=None,
    confiscated=None,
    tier: DiscretionTier | None = None,
    decision_text: str = "",
    needs_publication: bool = False,
    first_offense_confirmed: bool = False,
) -> Case:
    """Decide (作出决定): a penalty, no penalty (art. 33 incl. first-offense exemption); transfer is separate.

    A penalty never exceeds the one the advance notice announced (art. 44,
    45(2)): a heavier one, another kind or a larger amount is refused until a
    new notice is served and its hearing period has run; a lighter one is
    recorded as such.
    """
    _require_handler(case, by)
    day = _day(on)
    rules.require_certified_handler(by, day)
    if case.status not in DECIDABLE_STATES:
        raise InvalidTransition(_("案件当前状态“%(state)s”下不能作出决定。") % {"state": case.get_status_display()})
    if outcome not in (Outcome.PENALTY, Outcome.NO_PENALTY, Outcome.FIRST_OFFENSE):
        raise ValidationFailed(_("请选择处理结果。"), field="outcome")
    if case.filed_on and day < case.filed_on:
        raise ValidationFailed(_("决定日期不能早于立案日期。"), field="on")
    rules.check_limitation(case)
    fine = _money(fine, "fine_amount")
    confiscated = _money(confiscated, "confiscated_amount")
    values: dict = {"outcome": outcome, "decided_on": day, "decided_by": by, "needs_publication": needs_publication}
    extra_data: dict = {}
    if outcome == Outcome.FIRST_OFFENSE:
        extra_data.update(_check_first_offense(case, search_confirmed=first_offense_confirmed))
    if outcome == Outcome.PENALTY:
        kinds = _check_kinds(kinds, fine)
        _check_hearing_done(case, day)
        lighter = rules.check_not_heavier_than_notice(case, kinds, fine, confiscated)
        if lighter:
            extra_data["lighter_than_notice"] = lighter
        ok, reasons = _check_discretion(case, tier or case.tier, kinds, fine, case.illegal_gains)
        values.update({"penalty_kinds": kinds, "fine_amount": fine, "confiscated_amount": confiscated,
                       "tier": tier or case.tier, "penalty_check_ok": ok, "penalty_check_reasons": reasons})
    else:
        decision_text = _require_text(decision_text, "decision_text", _("请填写不予行政处罚的理由和依据。"))
        values.update({"penalty_kinds": [], "fine_amount": None, "confiscated_amount": None})
    _check_major(case)
    values["decision_text"] = decision_text.strip()
    set_due(case, values, "service_due_at", due("service", day))
    set_due(case, values, "publication_due_at", due("publication", day) if needs_publication else None)
    kind = "decision" if outcome == Outcome.PENALTY else "no_penalty"
    with transaction.atomic():
        values["decision_number"] = rules.document_number(_agency_for_numbers(case), kind, day.year)
        case = _transition(case, "decide", by=by, values=values, note=decision_text, data={
            "outcome": outcome, "kinds": list(kinds or []), "fine": _plain(fine), "number": values["decision_number"],
            "on": day.isoformat(), "within_standard": values.get("penalty_check_ok", True), **extra_data,
        })
        issue_document(
            case, DocumentKind.DECISION if outcome == Outcome.PENALTY else DocumentKind.NO_PENALTY_DECISION,
            by=by, number=case.decision_number, on=day,
            extra={"payment_days": rule("payment").amount, "justification": case.justification,
                   "surcharge_rule": rules.surcharge_text(case.fine_amount)},
        )
    return case


def case_transfer(case: Case, *, by, target: str, body: str, reason: str, on: dt.date | None = None) -> Case:
    """Transfer the case (移送, art. 27): to the police or procuratorate when a crime is suspected, or elsewhere."""
    _require_handler(case, by)
    day = _day(on)
    if target not in TransferTarget.values:
        raise ValidationFailed(_("请选择移送对象类型。"), field="target")
    body = _require_text(body, "body", _("请填写接收机关。"))
    reason = _require_text(reason, "reason", _("请填写移送理由。"))
    with transaction.atomic():
        number = rules.document_number(_agency_for_numbers(case), "transfer", day.year)
        case = _transition(case, "transfer", by=by, note=reason, values={
            "outcome": Outcome.TRANSFER, "transfer_target": target, "transfer_body": body,
            "transfer_reason": reason, "transferred_on": day, "decided_on": day, "decided_by": by,
        })
        issue_document(case, DocumentKind.TRANSFER_LETTER, by=by, number=number, on=day, extra={
            "transfer_target": TransferTarget(target).label, "transfer_body": body, "transfer_reason": reason,
        })
    return case


def case_decide_on_spot(
    case: Case,
    *,
    by,
    officers: Sequence,
    kinds: Sequence[str],
    fine=None,
    on: dt.date | None = None,
    decision_text: str = "",
    tier: DiscretionTier | None = None,
) -> Case:
    """Summary procedure (简易程序, art. 51-52): decide on the spot and hand the decision over at once."""
    _require_handler(case, by)
    day = _day(on)
    if case.procedure != Procedure.SUMMARY:
        raise InvalidTransition(_("普通程序案件须立案调查后作出决定。"))
    rules.require_certified_handler(by, day)
    fine = _money(fine, "fine_amount")
    kinds = _check_kinds(kinds, fine)
    rules.check_summary(case.party_kind, kinds, fine)
    answer, subject = rules.check_filing_power(case.matter, case.agency, case.township, day)
    assigned = rules.check_officers(officers, case.agency, day)
    rules.check_limitation(case)
    ok, reasons = _check_discretion(case, tier, kinds, fine, None)
    with transaction.atomic():
        number = rules.document_number(subject, "summary", day.year)
        has_fine = PenaltyKind.FINE in kinds
        values = {
            "outcome": Outcome.PENALTY, "penalty_kinds": kinds, "fine_amount": fine, "tier": tier,
            "penalty_check_ok": ok, "penalty_check_reasons": reasons, "decided_on": day, "decided_by": by,
            "decision_number": number, "decision_text": decision_text.strip(), "subject_agency": subject,
            "holder_mode": answer.mode, "holder_via": answer.via_text[:300],
            "served_on": day, "service_method": ServiceMethod.ON_SPOT, "served_to": case.party_name,
        }
        set_due(case, values, "payment_due_at", due("payment", day) if has_fine else None)
        set_due(case, values, "summary_record_due_at", due("summary_record", day))
        case = _transition(case, "decide_on_spot", by=by, values=values, note=decision_text, data={
            "kinds": kinds, "fine": _plain(fine), "number": number, "on": day.isoformat(),
        })
        CaseOfficer.objects.bulk_create([
            CaseOfficer(case=case, officer=o, certificate_number=c.number,
                        role=OfficerRole.LEAD if i == 0 else OfficerRole.ASSIST)
            for i, (o, c) in enumerate(assigned)
        ])
        issue_document(case, DocumentKind.SUMMARY_DECISION, by=by, number=number, on=day,
                       extra={"payment_days": rule("payment").amount, "surcharge_rule": rules.surcharge_text(fine),
                              "remedies": rules.remedies_text()})
    return case


def case_record_summary_filing(case: Case, *, by, on: dt.date | None = None) -> Case:
    """Record the on-the-spot decision with the agency (备案, art. 52)."""
    _require_handler(case, by)
    day = _day(on)
    if not case.is_summary:
        raise InvalidTransition(_("只有简易程序案件需要备案。"))
    if case.summary_recorded_on:
        raise InvalidTransition(_("本案已于 %(day)s 备案。") % {"day": case.summary_recorded_on.isoformat()})
    return _change(case, by=by, action="summary_record", values={"summary_recorded_on": day},
                   states=(CaseStatus.SERVED, CaseStatus.EXECUTED, CaseStatus.CLOSED))


# --- service, execution, closing --------------------------------------------------------------------


def _needs_execution(case: Case) -> bool:
    kinds = set(case.penalty_kinds or [])
    return case.outcome == Outcome.PENALTY and bool(
        kinds & {PenaltyKind.FINE, PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY}
    )


def case_serve(case: Case, *, by, method: str, served_to: str, on: dt.date | None = None) -> Case:
    """Serve the decision (送达, art. 61): on the spot, or within 7 days; the payment period starts (art. 67)."""
    _require_handler(case, by)
    day = _day(on)
    if method not in ServiceMethod.values:
        raise ValidationFailed(_("请选择送达方式。"), field="method")
    served_to = _require_text(served_to, "served_to", _("请填写受送达人。"))
    if case.decided_on and day < case.decided_on:
        raise ValidationFailed(_("送达日期不能早于决定日期。"), field="on")
    if method == ServiceMethod.ON_SPOT and case.decided_on and day != case.decided_on:
        raise ValidationFailed(_("当场交付的送达日期应为决定当日（《行政处罚法》第六十一条）。"), field="on",
                               code="service")
    values = {"served_on": day, "service_method": method, "served_to": served_to}
    if _needs_execution(case) and PenaltyKind.FINE in case.penalty_kinds:
        set_due(case, values, "payment_due_at", due("payment", day))
    with transaction.atomic():
        case = _transition(case, "serve", by=by, values=values)
        issue_document(case, DocumentKind.SERVICE_RECEIPT, by=by, number=case.decision_number, on=day, extra={
            "served_document": _("行政处罚决定书") if case.outcome == Outcome.PENALTY else _("不予行政处罚决定书"),
        })
    return case


def case_execute(
    case: Case, *, by, method: str, on: dt.date | None = None, paid_amount=None, receipt_number: str = "",
    note: str = "",
) -> Case:
    """Record that the decision was executed: paid (art. 67), collected on the spot (art. 68), or enforced (art. 72)."""
    _require_handler(case, by)
    day = _day(on)
    if method not in ExecutionMethod.values:
        raise ValidationFailed(_("请选择执行方式。"), field="method")
    if not _needs_execution(case):
        raise InvalidTransition(_("本案决定无需执行，可直接结案。"))
    if case.served_on and day < case.served_on:
        raise ValidationFailed(_("执行日期不能早于送达日期。"), field="on")
    paid = _money(paid_amount, "paid_amount")
    fine = case.fine_amount or Decimal("0")
    surcharge = rules.surcharge(case, day)
    if method in (ExecutionMethod.PAID, ExecutionMethod.PAID_ON_SPOT) and fine > 0:
        if paid is None or paid < fine + surcharge:
            r = rules.legal_rule("surcharge")
            raise ValidationFailed(
                _("实缴金额（%(paid)s 元）少于应缴金额（%(total)s 元：罚款 %(fine)s 元，加处罚款 %(surcharge)s 元，"
                  "%(article)s）。")
                % {"paid": format_amount(paid or Decimal("0")), "fine": format_amount(fine),
                   "surcharge": format_amount(surcharge), "total": format_amount(fine + surcharge),
                   "article": r.article},
                field="paid_amount", code="surcharge" if surcharge else "paid_amount",
            )
        receipt_number = _require_text(receipt_number, "receipt_number", _("请填写缴款凭证号。"))
    if method == ExecutionMethod.PAID_ON_SPOT and fine > 100:
        raise ValidationFailed(
            _("当场收缴罚款限于一百元以下的罚款等情形（《行政处罚法》第六十八条）。"), field="method",
            code="on_spot_collection",
        )
    return _transition(case, "execute", by=by, note=note, values={
        "executed_on": day, "execution_method": method, "paid_amount": paid,
        "surcharge_amount": surcharge if fine > 0 else None,
        "receipt_number": (receipt_number or "").strip(), "execution_note": note.strip(),
    })


def case_close(case: Case, *, by, summary: str, on: dt.date | None = None) -> Case:
    """Close the case (结案) once the decision is executed (or needs no execution, or the case was transferred)."""
    _require_handler(case, by)
    day = _day(on)
    summary = _require_text(summary, "summary", _("请填写结案报告。"))
    if case.status == CaseStatus.SERVED and _needs_execution(case):
        raise InvalidTransition(_("处罚决定尚未执行完毕，不能结案。"), code="not_executed")
    if case.is_summary and case.summary_recorded_on is None:
        raise InvalidTransition(_("当场作出的行政处罚决定须报所属行政机关备案后结案（《行政处罚法》第五十二条）。"),
                                code="summary_record")
    with transaction.atomic():
        case = _transition(case, "close", by=by, note=summary, values={"closed_on": day, "closing_summary": summary})
        issue_document(case, DocumentKind.CLOSING_APPROVAL, by=by, number=case.display_number, on=day,
                       extra={"closing_summary": summary, "executed_on": case.executed_on,
                              "execution": case.get_execution_method_display() if case.execution_method else "",
                              "paid_amount": case.paid_amount, "surcharge_amount": case.surcharge_amount})
    return case


def case_archive(case: Case, *, by, on: dt.date | None = None) -> Case:
    """Archive the closed case file (归档) under an archive number."""
    _require_handler(case, by)
    day = _day(on)
    with transaction.atomic():
        number = rules.document_number(_agency_for_numbers(case), "archive", day.year)
        return _transition(case, "archive", by=by, values={"archived_on": day, "archive_number": number})
