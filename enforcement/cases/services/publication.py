"""Publication of decisions (art. 48) and the reconsideration and litigation records of a case.

A decision with social impact is published within 7 working days (the sweep
warns when it is late); the public page shows the frozen content with the
party masked. When a reconsideration or a court varies or revokes the
decision, or confirms it unlawful, the publication must be withdrawn within
3 working days (art. 48(2); 国办发〔2018〕118号), and the sweep warns until it is.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.cases.deadlines import due, set_due
from enforcement.cases.documents import penalty_text, text
from enforcement.cases.models import (
    CHANGING_OUTCOMES,
    DECIDED_STATES,
    AppealKind,
    AppealOutcome,
    AppealRecord,
    Case,
    Outcome,
    Publication,
    can_handle,
)
from enforcement.cases.privacy import mask_text, masked_party
from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.workflow import record_event

PUBLISHABLE_OUTCOMES = (Outcome.PENALTY, Outcome.NO_PENALTY, Outcome.FIRST_OFFENSE)
# Litigation the agency won: the claim was dismissed (decision upheld) or withdrawn.
WON_OUTCOMES = (AppealOutcome.UPHELD, AppealOutcome.WITHDRAWN)


def _require_handler(case: Case, by) -> None:
    if by is not None and not can_handle(case, by):
        raise PermissionRefused(_("您不是本案办案机构的执法人员，不能办理本案。"))


def published(case: Case) -> Publication | None:
    return Publication.objects.filter(case=case).first()


def public_content(case: Case) -> dict[str, str]:
    """What the public page shows of a decision: the party's personal data masked in every field."""
    party = masked_party(case)
    content = {
        "decision_number": case.decision_number,
        "title": case.title,
        "facts": case.facts,
        "party_name": party["name"],
        "party_kind": party["kind"],
        "party_legal_rep": party["legal_rep"],
        "matter": case.matter.name,
        "matter_code": case.matter.code,
        "violated_provision": case.matter.violated_provision,
        "penalty_provision": case.matter.penalty_provision,
        "outcome": case.get_outcome_display(),
        "penalty": penalty_text(case.penalty_kinds, case.fine_amount, case.confiscated_amount),
        "decided_on": case.decided_on.isoformat() if case.decided_on else "",
        "decided_on_text": text(case.decided_on),
        "agency": (case.subject_agency or case.agency).name,
        "township": case.township.name if case.township_id else "",
    }
    # Names inside the title or the facts too, not only the party field (issue 13 point 11).
    return {k: mask_text(v, case) if isinstance(v, str) and k != "party_name" else v for k, v in content.items()}


def case_publish(case: Case, *, by) -> Publication:
    """Publish a decision on the public page (art. 48), the party masked."""
    _require_handler(case, by)
    if case.status not in DECIDED_STATES or case.outcome not in PUBLISHABLE_OUTCOMES:
        raise InvalidTransition(_("只有已作出的行政处罚决定（或不予处罚决定）可以公开。"))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if Publication.objects.filter(case=locked).exists():
            raise InvalidTransition(_("该决定已公开。"))
        publication = Publication.objects.create(
            case=locked, published_at=timezone.now(), published_by=by, content=public_content(locked)
        )
        record_event(locked, "publish", by=by, public=True, data={"decision_number": locked.decision_number})
    return publication


def case_withdraw_publication(case: Case, *, by, reason: str) -> Publication:
    """Withdraw a published decision: revoked, varied, confirmed unlawful or declared invalid (art. 48(2))."""
    _require_handler(case, by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写撤回理由。"), field="reason")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        publication = Publication.objects.select_for_update().filter(case=locked).first()
        if publication is None or publication.withdrawn_at is not None:
            raise InvalidTransition(_("该决定未公开或已撤回。"))
        publication.withdrawn_at = timezone.now()
        publication.withdrawn_by = by
        publication.withdrawn_reason = reason
        publication.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
        Case.objects.filter(pk=locked.pk).update(withdrawal_due_at=None)
        record_event(locked, "withdraw_publication", by=by, note=reason, public=True)
    return publication


def _after_outcome(case: Case, outcome: str, concluded_on: dt.date | None) -> None:
    """Art. 48(2): a decision revoked, varied, confirmed unlawful or declared invalid: withdraw it in 3 working days."""
    if outcome in CHANGING_OUTCOMES and concluded_on is not None:
        publication = Publication.objects.filter(case=case, withdrawn_at__isnull=True).first()
        if publication is not None:
            values: dict = {}
            set_due(case, values, "withdrawal_due_at", due("withdrawal", concluded_on))
            Case.objects.filter(pk=case.pk).update(**values)


def _won(kind: str, outcome: str) -> bool | None:
    if kind != AppealKind.LITIGATION or outcome == AppealOutcome.PENDING:
        return None
    return outcome in WON_OUTCOMES


def case_record_appeal(
    case: Case,
    *,
    by,
    kind: str,
    filed_on: dt.date,
    body: str,
    reference: str = "",
    outcome: str = AppealOutcome.PENDING,
    concluded_on: dt.date | None = None,
    note: str = "",
) -> AppealRecord:
    """Record a reconsideration (行政复议) or litigation (行政诉讼) against the decision, with its outcome."""
    _require_handler(case, by)
    if case.status not in DECIDED_STATES:
        raise InvalidTransition(_("只有已作出决定的案件才有复议或诉讼。"))
    if kind not in AppealKind.values:
        raise ValidationFailed(_("请选择类型。"), field="kind")
    if outcome not in AppealOutcome.values:
        raise ValidationFailed(_("请选择结果。"), field="outcome")
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("请填写复议机关或人民法院。"), field="body")
    if case.decided_on and filed_on < case.decided_on:
        raise ValidationFailed(_("申请或起诉日期不能早于决定日期。"), field="filed_on")
    if outcome != AppealOutcome.PENDING and concluded_on is None:
        raise ValidationFailed(_("已有结果的，请填写结案日期。"), field="concluded_on")
    if concluded_on is not None and concluded_on < filed_on:
        raise ValidationFailed(_("结案日期不能早于申请或起诉日期。"), field="concluded_on")
    with transaction.atomic():
        appeal = AppealRecord.objects.create(
            case=case, kind=kind, filed_on=filed_on, body=body, reference=(reference or "").strip(),
            outcome=outcome, concluded_on=concluded_on, won=_won(kind, outcome), note=(note or "").strip(),
            recorded_by=by,
        )
        record_event(case, "appeal", by=by, note=note, data={
            "appeal": appeal.pk, "kind": kind, "outcome": outcome, "body": body,
        })
        _after_outcome(case, outcome, concluded_on)
    return appeal


def appeal_set_outcome(
    appeal: AppealRecord, *, by, outcome: str, concluded_on: dt.date, note: str = ""
) -> AppealRecord:
    """Record the outcome of a pending reconsideration or litigation."""
    case = appeal.case
    _require_handler(case, by)
    if outcome not in AppealOutcome.values or outcome == AppealOutcome.PENDING:
        raise ValidationFailed(_("请选择结果。"), field="outcome")
    if concluded_on < appeal.filed_on:
        raise ValidationFailed(_("结案日期不能早于申请或起诉日期。"), field="concluded_on")
    with transaction.atomic():
        locked = AppealRecord.objects.select_for_update().get(pk=appeal.pk)
        if locked.outcome != AppealOutcome.PENDING:
            raise InvalidTransition(_("该复议或诉讼已有结果。"))
        locked.outcome, locked.concluded_on, locked.won = outcome, concluded_on, _won(locked.kind, outcome)
        if note:
            locked.note = note.strip()
        locked.save(update_fields=["outcome", "concluded_on", "won", "note"])
        record_event(case, "appeal_outcome", by=by, note=note, data={"appeal": locked.pk, "outcome": outcome})
        _after_outcome(case, outcome, concluded_on)
    return locked
