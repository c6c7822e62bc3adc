"""What the demo cases promise, checked by the demo tests on today's date and on others (a helper module)."""

from __future__ import annotations

from django.utils import timezone

from enforcement.cases.documents.pdf import case_file_pdf
from enforcement.models import (
    AppealKind,
    AppealRecord,
    ApprovalStep,
    Case,
    CaseDocument,
    CaseStatus,
    Event,
    Outcome,
    Publication,
    StepDecision,
)

# The demo county's departments and its key logins, as the demo tests expect them.
DEPARTMENTS = {
    "DEPT-ZRZY": "县自然资源和规划局",
    "DEPT-ZJ": "县住房和城乡建设局",
    "DEPT-STHJ": "市生态环境局县分局",
    "DEPT-SCJG": "县市场监督管理局",
    "DEPT-JT": "县交通运输局",
    "DEPT-WHLY": "县文化和旅游局",
    "DEPT-SL": "县水利局",
    "DEPT-NY": "县农业农村局",
    "DEPT-YJ": "县应急管理局",
    "DEPT-WJ": "县卫生健康局",
    "DEPT-XF": "县消防救援大队",
    "DEPT-GA": "县公安局",
    "DEPT-LY": "县林业局",
    "DEPT-HY": "县海洋与渔业局",
    "DEPT-SW": "县商务局",
    "DEPT-MZ": "县民政局",
    "DEPT-JY": "县教育局",
    "DEPT-RS": "县人力资源和社会保障局",
    "DEPT-CG": "县城市管理局",
}
KEY_LOGINS = [
    "admin", "dispatcher1", "chengguan_officer1", "chengguan_leader", "chengguan_squad1",
    "chengguan_squad_leader", "legal_reviewer1", "judicial_reviewer1", "zrzy_staff1",
]


def demo_cases_hold(output):
    assert "案件：" in output
    cases = Case.objects.all()
    assert cases.count() >= 300
    assert set(cases.values_list("status", flat=True)) == set(CaseStatus.values)
    dates = sorted(cases.values_list("discovered_on", flat=True))
    assert (dates[-1] - dates[0]).days > 500
    assert cases.filter(agency__kind__in=["town", "subdistrict"]).count() >= 50
    assert cases.filter(procedure="summary").exists() and cases.filter(outcome="first_offense").exists()
    major_cases_have_chains_hearings_appeals_and_publications()
    cases_follow_the_rules_the_services_check()
    an_archived_case_file_renders()


def major_cases_have_chains_hearings_appeals_and_publications():
    # A major case decided with a penalty went through the whole approval chain (legal review,
    # collective deliberation: Administrative Penalty Law art. 57-58). A major case transferred
    # to the police (art. 27) ends before any decision and has no chain, so it is left out.
    decided = Case.objects.filter(is_major=True, status=CaseStatus.ARCHIVED, outcome=Outcome.PENALTY)
    assert decided.exists()
    for case in decided:
        steps = list(ApprovalStep.objects.filter(case=case, round=1).order_by("order"))
        assert len(steps) == 5 and all(s.decision == StepDecision.APPROVED for s in steps), case.number
    major = decided.order_by("discovered_on", "pk").first()
    assert major.deliberations.exists() and major.legal_reviews.filter(result="passed").exists()
    assert Case.objects.filter(hearing_held_at__isnull=False).exists()
    assert AppealRecord.objects.filter(kind=AppealKind.RECONSIDERATION).exists()
    assert AppealRecord.objects.filter(kind=AppealKind.LITIGATION).exists()
    assert Publication.objects.filter(withdrawn_at__isnull=True).exists()
    # The full-process record: an archived case shows every step it went through.
    actions = list(Event.objects.for_object(major).values_list("action", flat=True))
    assert actions[0] == "create" and actions[-1] == "archive" and "pass_review" in actions


def cases_follow_the_rules_the_services_check():
    today = timezone.localdate()
    for case in Case.objects.exclude(status__in=[CaseStatus.LEAD, CaseStatus.DECLINED]).prefetch_related(
            "case_officers"):
        if case.procedure == "ordinary":
            assert case.filing_number and case.case_officers.count() == 2, case.number
        if case.decided_on:
            assert case.decided_on <= today
        if case.status in (CaseStatus.SERVED, CaseStatus.EXECUTED) or case.served_on:
            assert case.served_on >= case.decided_on
    numbers = list(Case.objects.exclude(decision_number="").values_list("decision_number", flat=True))
    assert len(numbers) == len(set(numbers))


def an_archived_case_file_renders():
    case = Case.objects.filter(status=CaseStatus.ARCHIVED, evidence__isnull=False).first()
    data, entries = case_file_pdf(case)
    assert data.startswith(b"%PDF") and len(entries) == CaseDocument.objects.filter(case=case).count() + \
        case.evidence.count() + case.deliberations.count()
