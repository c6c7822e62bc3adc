"""The steps of a case (:data:`CASE_ACTIONS`): which a user may take now, with what form, through which service.

The case page's buttons and forms and the API's ``actions`` and
``POST /api/cases/{id}/actions/{step}/`` all go through this one table.
Which steps are offered is a coarse guide (state, role, kind of case); the
services check every legal precondition again and refuse with the article
when one is missing.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from enforcement.actions import Action, ActionTable
from enforcement.cases import permissions
from enforcement.cases.forms import ACTION_FORMS
from enforcement.cases.models import (
    DECIDED_STATES,
    PENDING_DECISION_STATES,
    Case,
    CaseStatus,
    Outcome,
    Procedure,
    can_handle,
)
from enforcement.cases.services import evidence as ev
from enforcement.cases.services import lifecycle as svc
from enforcement.cases.services import publication as pub
from enforcement.catalogue.models import PenaltyKind

S = CaseStatus

# key -> (label, button tone), in the order the case page offers them.
STEPS: dict[str, tuple] = {
    "file": (_("立案"), "primary"),
    "decline": (_("不予立案"), "outline-danger"),
    "decide_on_spot": (_("当场处罚"), "primary"),
    "investigate": (_("开始调查"), "primary"),
    "evidence": (_("登记证据"), "outline-primary"),
    "inquiry": (_("制作询问笔录"), "outline-primary"),
    "notice": (_("事先告知"), "primary"),
    "statement": (_("记录陈述申辩"), "outline-secondary"),
    "request_hearing": (_("登记听证申请"), "outline-primary"),
    "waive_hearing": (_("当事人放弃听证"), "outline-secondary"),
    "schedule_hearing": (_("通知听证"), "primary"),
    "record_hearing": (_("记录听证"), "primary"),
    "submit_review": (_("提交法制审核"), "primary"),
    "review": (_("法制审核"), "primary"),
    "approve_step": (_("审批"), "primary"),
    "justification": (_("说明偏离裁量理由"), "outline-secondary"),
    "approve_justification": (_("审核偏离裁量理由"), "outline-primary"),
    "deliberate": (_("集体讨论"), "primary"),
    "decide": (_("作出决定"), "success"),
    "transfer": (_("移送"), "outline-danger"),
    "mark_major": (_("重大/复杂案件"), "outline-secondary"),
    "extend": (_("延长办案期限"), "outline-secondary"),
    "suspend": (_("中止"), "outline-secondary"),
    "resume": (_("恢复办理"), "outline-secondary"),
    "serve": (_("送达"), "primary"),
    "execute": (_("执行"), "primary"),
    "summary_record": (_("备案"), "primary"),
    "close": (_("结案"), "success"),
    "archive": (_("归档"), "outline-primary"),
    "publish": (_("公开决定"), "outline-primary"),
    "withdraw_publication": (_("撤回公开"), "outline-danger"),
    "appeal": (_("登记复议/诉讼"), "outline-secondary"),
}


def _needs_execution(case: Case) -> bool:
    kinds = set(case.penalty_kinds or [])
    return case.outcome == Outcome.PENALTY and bool(
        kinds & {PenaltyKind.FINE, PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY}
    )


def actions_for(case: Case, user) -> list[str]:
    """Action keys (see :data:`ACTION_LABELS`) open to ``user`` on ``case`` in its current state."""
    out: list[str] = []
    handler = can_handle(case, user)
    reviewer = permissions.is_legal_reviewer_for(user, case) and not permissions.is_case_officer(user, case)
    status = case.status
    if handler:
        if status == S.LEAD:
            out += ["decide_on_spot"] if case.procedure == Procedure.SUMMARY else ["file", "decline"]
        if status == S.FILED:
            out.append("investigate")
        if status in (S.FILED, S.INVESTIGATING, S.NOTIFIED, S.HEARING):
            out += ["evidence", "inquiry"]
        if status == S.INVESTIGATING:
            out += ["notice", "submit_review", "decide"]
        if status == S.NOTIFIED:
            out.append("statement")
            if case.hearing_rights and not case.hearing_requested_on and not case.hearing_waived:
                out += ["request_hearing", "waive_hearing"]
            if case.hearing_requested_on:
                out.append("schedule_hearing")
            out += ["submit_review", "decide"]
        if status == S.HEARING:
            out += ["record_hearing", "statement", "submit_review"]
        if status in (S.NOTIFIED, S.HEARING, S.REVIEWED, S.DELIBERATED):
            out.append("notice")  # a new notice (art. 45(2)): the penalty is to be heavier than announced
        if status == S.REVIEWED:
            out.append("deliberate" if case.needs_deliberation else "decide")
            if case.needs_deliberation:
                out.append("decide")
        if status == S.DELIBERATED:
            out.append("decide")
        if status in PENDING_DECISION_STATES:
            out += ["justification", "extend", "suspend" if not case.suspended_since else "resume"]
        if status in (S.LEAD, *PENDING_DECISION_STATES):
            out.append("transfer")
        if status == S.DECIDED:
            out.append("serve")
        if status == S.SERVED:
            out.append("execute" if _needs_execution(case) else "close")
        if status in (S.EXECUTED, S.TRANSFERRED):
            out.append("close")
        if case.is_summary and case.summary_recorded_on is None and status in (S.SERVED, S.EXECUTED):
            out.append("summary_record")
        if status == S.CLOSED:
            out.append("archive")
        if status in DECIDED_STATES and case.outcome in (Outcome.PENALTY, Outcome.NO_PENALTY, Outcome.FIRST_OFFENSE):
            out.append("appeal")
            if not _published(case):
                out.append("publish")
            elif case.publication.withdrawn_at is None:
                out.append("withdraw_publication")
    if status == S.LEGAL_REVIEW:
        if reviewer:
            out.append("review")
        if case.is_major:
            out.append("approve_step")
    if reviewer and status in PENDING_DECISION_STATES and case.justification and not case.justification_approved_at:
        out.append("approve_justification")
    if reviewer and status in PENDING_DECISION_STATES:
        out.append("mark_major")  # art. 58: changed with the legal officer's approval
    return list(dict.fromkeys(out))


def _published(case: Case) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return case.publication is not None
    except ObjectDoesNotExist:
        return False


def _step_form_kwargs(case: Case, user) -> dict:
    return {"case": case, "user": user}


# key -> run(case, by, data): the one service call of each step.
_RUNS = {
    "file": lambda c, by, d: svc.case_file(c, by=by, officers=list(d["officers"]), on=d.get("on"),
                                  is_major=d.get("is_major", False), is_complex=d.get("is_complex", False),
                                  major_reason=d.get("major_reason", ""), note=d.get("note", "")),
    "decline": lambda c, by, d: svc.case_decline(c, by=by, reason=d["reason"], on=d.get("on")),
    "decide_on_spot": lambda c, by, d: svc.case_decide_on_spot(
        c, by=by, officers=list(d["officers"]), kinds=d["kinds"], fine=d.get("fine"), on=d.get("on"),
        decision_text=d.get("decision_text", ""), tier=d.get("tier")),
    "investigate": lambda c, by, d: svc.case_investigate(c, by=by, note=d.get("note", "")),
    "inquiry": lambda c, by, d: svc.case_add_inquiry_record(
        c, by=by, person_name=d["person_name"], person_role=d["person_role"], qa=d["qa"],
        started_at=d["started_at"], ended_at=d["ended_at"], place=d["place"],
        person_id_number=d.get("person_id_number", ""), recorder=d.get("recorder")),
    "evidence": lambda c, by, d: ev.evidence_add(
        c, by=by, kind=d["kind"], title=d["title"], file=d["file"], collected_on=d["collected_on"],
        collected_place=d.get("collected_place", ""), description=d.get("description", "")),
    "notice": lambda c, by, d: svc.case_send_notice(c, by=by, kinds=d["kinds"], fine=d.get("fine"), tier=d.get("tier"),
                                           illegal_gains=d.get("illegal_gains"), confiscated=d.get("confiscated"),
                                           on=d.get("on")),
    "statement": lambda c, by, d: svc.case_record_statement(c, by=by, text=d["text"]),
    "request_hearing": lambda c, by, d: svc.case_request_hearing(c, by=by, on=d.get("on")),
    "waive_hearing": lambda c, by, d: svc.case_waive_hearing(c, by=by, note=d.get("note", "")),
    "schedule_hearing": lambda c, by, d: svc.case_schedule_hearing(c, by=by, hearing_at=d["hearing_at"],
                                                          place=d["place"], notified_on=d.get("notified_on")),
    "record_hearing": lambda c, by, d: svc.case_record_hearing(c, by=by, held_at=d["held_at"], record=d["record"]),
    "submit_review": lambda c, by, d: svc.case_submit_review(c, by=by, note=d.get("note", "")),
    "review": lambda c, by, d: (svc.case_pass_review(c, by=by, opinion=d["opinion"]) if d.get("result") != "return"
                       else svc.case_return_review(c, by=by, reason=d["opinion"])),
    "approve_step": lambda c, by, d: svc.case_approve_step(c, by=by, decision=d["decision"],
                                                           reason=d.get("reason", "")),
    "justification": lambda c, by, d: svc.case_set_justification(c, by=by, text=d["text"]),
    "approve_justification": lambda c, by, d: svc.case_approve_justification(c, by=by),
    "deliberate": lambda c, by, d: svc.case_deliberate(c, by=by, held_on=d["held_on"], chair=d["chair"],
                                              participants=d["participants"], conclusion=d["conclusion"]),
    "decide": lambda c, by, d: svc.case_decide(
        c, by=by, outcome=d["outcome"], on=d.get("on"), kinds=d.get("kinds") or [], fine=d.get("fine"),
        confiscated=d.get("confiscated"), tier=d.get("tier"), decision_text=d.get("decision_text", ""),
        needs_publication=d.get("needs_publication", False),
        first_offense_confirmed=d.get("first_offense_confirmed", False)),
    "transfer": lambda c, by, d: svc.case_transfer(c, by=by, target=d["target"], body=d["body"], reason=d["reason"],
                                          on=d.get("on")),
    "mark_major": lambda c, by, d: svc.case_mark_major(c, by=by, is_major=d.get("is_major", False),
                                              is_complex=d.get("is_complex", False), reason=d.get("reason", "")),
    "extend": lambda c, by, d: svc.case_extend(c, by=by, days=d["days"], reason=d["reason"]),
    "suspend": lambda c, by, d: svc.case_suspend(c, by=by, reason=d["reason"], on=d.get("on")),
    "resume": lambda c, by, d: svc.case_resume(c, by=by, on=d.get("on")),
    "serve": lambda c, by, d: svc.case_serve(c, by=by, method=d["method"], served_to=d["served_to"], on=d.get("on")),
    "execute": lambda c, by, d: svc.case_execute(c, by=by, method=d["method"], on=d.get("on"),
                                        paid_amount=d.get("paid_amount"),
                                        receipt_number=d.get("receipt_number", ""), note=d.get("note", "")),
    "summary_record": lambda c, by, d: svc.case_record_summary_filing(c, by=by, on=d.get("on")),
    "close": lambda c, by, d: svc.case_close(c, by=by, summary=d["summary"], on=d.get("on")),
    "archive": lambda c, by, d: svc.case_archive(c, by=by, on=d.get("on")),
    "publish": lambda c, by, d: pub.case_publish(c, by=by),
    "withdraw_publication": lambda c, by, d: pub.case_withdraw_publication(c, by=by, reason=d["reason"]),
    "appeal": lambda c, by, d: pub.case_record_appeal(
        c, by=by, kind=d["kind"], filed_on=d["filed_on"], body=d["body"], reference=d.get("reference", ""),
        outcome=d.get("outcome") or "pending", concluded_on=d.get("concluded_on"), note=d.get("note", "")),
}


def _run(fn):
    def run(case: Case, *, by, data: dict):
        return fn(case, by, data)

    return run


# The one table of case steps: label, form, button tone and service, for the case page and the API alike.
CASE_ACTIONS = ActionTable(
    [Action(key, label, ACTION_FORMS[key], _run(_RUNS[key]), tone=tone, form_kwargs=_step_form_kwargs)
     for key, (label, tone) in STEPS.items()],
    available=actions_for,
)
