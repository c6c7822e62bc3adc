"""Which steps a user may take on a case now: the buttons of the case page and the API's ``actions``.

This is a coarse guide (state, role, kind of case); the services check every
legal precondition again and refuse with the article when one is missing.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..models import Case, CaseStatus, Outcome, PenaltyKind, Procedure
from ..models.cases import DECIDED_STATES, PENDING_DECISION_STATES, can_handle
from . import cases_rules as rules

S = CaseStatus

# key -> (label, Bootstrap button style)
ACTION_LABELS: dict[str, tuple] = {
    "file": (_("立案"), "btn-primary"),
    "decline": (_("不予立案"), "btn-outline-danger"),
    "decide_on_spot": (_("当场处罚"), "btn-primary"),
    "investigate": (_("开始调查"), "btn-primary"),
    "evidence": (_("登记证据"), "btn-outline-primary"),
    "inquiry": (_("制作询问笔录"), "btn-outline-primary"),
    "notice": (_("事先告知"), "btn-primary"),
    "statement": (_("记录陈述申辩"), "btn-outline-secondary"),
    "request_hearing": (_("登记听证申请"), "btn-outline-primary"),
    "waive_hearing": (_("当事人放弃听证"), "btn-outline-secondary"),
    "schedule_hearing": (_("通知听证"), "btn-primary"),
    "record_hearing": (_("记录听证"), "btn-primary"),
    "submit_review": (_("提交法制审核"), "btn-primary"),
    "review": (_("法制审核"), "btn-primary"),
    "approve_step": (_("审批"), "btn-primary"),
    "justification": (_("说明偏离裁量理由"), "btn-outline-secondary"),
    "approve_justification": (_("审核偏离裁量理由"), "btn-outline-primary"),
    "deliberate": (_("集体讨论"), "btn-primary"),
    "decide": (_("作出决定"), "btn-success"),
    "transfer": (_("移送"), "btn-outline-danger"),
    "mark_major": (_("重大/复杂案件"), "btn-outline-secondary"),
    "extend": (_("延长办案期限"), "btn-outline-secondary"),
    "suspend": (_("中止"), "btn-outline-secondary"),
    "resume": (_("恢复办理"), "btn-outline-secondary"),
    "serve": (_("送达"), "btn-primary"),
    "execute": (_("执行"), "btn-primary"),
    "summary_record": (_("备案"), "btn-primary"),
    "close": (_("结案"), "btn-success"),
    "archive": (_("归档"), "btn-outline-primary"),
    "publish": (_("公开决定"), "btn-outline-primary"),
    "withdraw_publication": (_("撤回公开"), "btn-outline-danger"),
    "appeal": (_("登记复议/诉讼"), "btn-outline-secondary"),
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
    reviewer = rules.is_legal_reviewer_for(user, case) and not rules.is_case_officer(user, case)
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
        if status == S.REVIEWED:
            out.append("deliberate" if case.needs_deliberation else "decide")
            if case.needs_deliberation:
                out.append("decide")
        if status == S.DELIBERATED:
            out.append("decide")
        if status in PENDING_DECISION_STATES:
            out += ["justification", "mark_major", "extend", "suspend" if not case.suspended_since else "resume"]
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
    return list(dict.fromkeys(out))


def _published(case: Case) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return case.publication is not None
    except ObjectDoesNotExist:
        return False


def perform(name: str, case: Case, *, by, data: dict):
    """Run step ``name`` on ``case`` with a step form's cleaned data; return the updated case (or the new row).

    Views and the API both call this, so both run exactly the same services.
    """
    from . import cases as svc
    from . import cases_evidence as ev
    from . import cases_publication as pub

    d = dict(data)
    handlers = {
        "file": lambda: svc.case_file(case, by=by, officers=list(d["officers"]), on=d.get("on"),
                                      is_major=d.get("is_major", False), is_complex=d.get("is_complex", False),
                                      major_reason=d.get("major_reason", ""), note=d.get("note", "")),
        "decline": lambda: svc.case_decline(case, by=by, reason=d["reason"], on=d.get("on")),
        "decide_on_spot": lambda: svc.case_decide_on_spot(
            case, by=by, officers=list(d["officers"]), kinds=d["kinds"], fine=d.get("fine"), on=d.get("on"),
            decision_text=d.get("decision_text", ""), tier=d.get("tier")),
        "investigate": lambda: svc.case_investigate(case, by=by, note=d.get("note", "")),
        "inquiry": lambda: svc.case_add_inquiry_record(
            case, by=by, person_name=d["person_name"], person_role=d["person_role"], qa=d["qa"],
            started_at=d["started_at"], ended_at=d["ended_at"], place=d["place"],
            person_id_number=d.get("person_id_number", "")),
        "evidence": lambda: ev.evidence_add(
            case, by=by, kind=d["kind"], title=d["title"], file=d["file"], collected_on=d["collected_on"],
            collected_place=d.get("collected_place", ""), description=d.get("description", "")),
        "notice": lambda: svc.case_send_notice(case, by=by, kinds=d["kinds"], fine=d.get("fine"), tier=d.get("tier"),
                                               illegal_gains=d.get("illegal_gains"), on=d.get("on")),
        "statement": lambda: svc.case_record_statement(case, by=by, text=d["text"]),
        "request_hearing": lambda: svc.case_request_hearing(case, by=by, on=d.get("on")),
        "waive_hearing": lambda: svc.case_waive_hearing(case, by=by, note=d.get("note", "")),
        "schedule_hearing": lambda: svc.case_schedule_hearing(case, by=by, hearing_at=d["hearing_at"],
                                                              place=d["place"], notified_on=d.get("notified_on")),
        "record_hearing": lambda: svc.case_record_hearing(case, by=by, held_at=d["held_at"], record=d["record"]),
        "submit_review": lambda: svc.case_submit_review(case, by=by, note=d.get("note", "")),
        "review": lambda: (svc.case_pass_review(case, by=by, opinion=d["opinion"]) if d.get("result") != "return"
                           else svc.case_return_review(case, by=by, reason=d["opinion"])),
        "approve_step": lambda: svc.case_approve_step(case, by=by, decision=d["decision"], reason=d.get("reason", "")),
        "justification": lambda: svc.case_set_justification(case, by=by, text=d["text"]),
        "approve_justification": lambda: svc.case_approve_justification(case, by=by),
        "deliberate": lambda: svc.case_deliberate(case, by=by, held_on=d["held_on"], chair=d["chair"],
                                                  participants=d["participants"], conclusion=d["conclusion"]),
        "decide": lambda: svc.case_decide(
            case, by=by, outcome=d["outcome"], on=d.get("on"), kinds=d.get("kinds") or [], fine=d.get("fine"),
            confiscated=d.get("confiscated"), tier=d.get("tier"), decision_text=d.get("decision_text", ""),
            needs_publication=d.get("needs_publication", False)),
        "transfer": lambda: svc.case_transfer(case, by=by, target=d["target"], body=d["body"], reason=d["reason"],
                                              on=d.get("on")),
        "mark_major": lambda: svc.case_mark_major(case, by=by, is_major=d.get("is_major", False),
                                                  is_complex=d.get("is_complex", False), reason=d.get("reason", "")),
        "extend": lambda: svc.case_extend(case, by=by, days=d["days"], reason=d["reason"]),
        "suspend": lambda: svc.case_suspend(case, by=by, reason=d["reason"], on=d.get("on")),
        "resume": lambda: svc.case_resume(case, by=by, on=d.get("on")),
        "serve": lambda: svc.case_serve(case, by=by, method=d["method"], served_to=d["served_to"], on=d.get("on")),
        "execute": lambda: svc.case_execute(case, by=by, method=d["method"], on=d.get("on"),
                                            paid_amount=d.get("paid_amount"),
                                            receipt_number=d.get("receipt_number", ""), note=d.get("note", "")),
        "summary_record": lambda: svc.case_record_summary_filing(case, by=by, on=d.get("on")),
        "close": lambda: svc.case_close(case, by=by, summary=d["summary"], on=d.get("on")),
        "archive": lambda: svc.case_archive(case, by=by, on=d.get("on")),
        "publish": lambda: pub.case_publish(case, by=by),
        "withdraw_publication": lambda: pub.case_withdraw_publication(case, by=by, reason=d["reason"]),
        "appeal": lambda: pub.case_record_appeal(
            case, by=by, kind=d["kind"], filed_on=d["filed_on"], body=d["body"], reference=d.get("reference", ""),
            outcome=d.get("outcome") or "pending", concluded_on=d.get("concluded_on"), note=d.get("note", "")),
    }
    if name not in handlers:
        raise KeyError(name)
    return handlers[name]()
