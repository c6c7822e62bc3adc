"""Demo cases: hundreds over two years in every state, consistent with the services, idempotent."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from enforcement.cases.documents.pdf import case_file_pdf
from enforcement.cases.services import lifecycle as svc
from enforcement.cases.services.publication import case_publish
from enforcement.models import (
    AppealKind,
    AppealRecord,
    ApprovalStep,
    Case,
    CaseDocument,
    CaseStatus,
    Event,
    Membership,
    Outcome,
    Publication,
    Role,
    StepDecision,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    started = time.monotonic()
    call_command("seed_demo", stdout=out)
    return out.getvalue(), time.monotonic() - started


def test_demo_has_hundreds_of_cases_in_every_state_over_two_years(seeded):
    output, _seconds = seeded
    _demo_cases_hold(output)
    assert _seconds < 60  # the whole seed_demo, every app's steps included


# The demo is built relative to today, so what it promises must hold whatever today is:
# New Year's Day, inside the National Day holiday, Spring Festival, a year the holiday
# package does not cover yet, and an ordinary summer day.
@pytest.mark.parametrize("today", ["2027-01-01", "2026-10-03", "2027-02-08", "2026-07-15"])
def test_demo_holds_on_any_date(settings, tmp_path, today):
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    with time_machine.travel(dt.datetime.fromisoformat(f"{today}T10:00:00+08:00"), tick=True):
        call_command("seed_demo", stdout=out)
        assert timezone.localdate() == dt.date.fromisoformat(today)
        _demo_cases_hold(out.getvalue())


def _demo_cases_hold(output):
    assert "案件：" in output
    cases = Case.objects.all()
    assert cases.count() >= 300
    assert set(cases.values_list("status", flat=True)) == set(CaseStatus.values)
    dates = sorted(cases.values_list("discovered_on", flat=True))
    assert (dates[-1] - dates[0]).days > 500
    assert cases.filter(agency__kind__in=["town", "subdistrict"]).count() >= 50
    assert cases.filter(procedure="summary").exists() and cases.filter(outcome="first_offense").exists()
    _major_cases_have_chains_hearings_appeals_and_publications()
    _cases_follow_the_rules_the_services_check()
    _an_archived_case_file_renders()


def _major_cases_have_chains_hearings_appeals_and_publications():
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


def _cases_follow_the_rules_the_services_check():
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


def test_demo_cases_continue_through_the_real_services_and_seeding_again_changes_nothing(seeded):
    _seeding_again_changes_no_case()
    lead = Case.objects.filter(status=CaseStatus.LEAD, procedure="ordinary", agency__kind="town").first() or \
        Case.objects.filter(status=CaseStatus.LEAD, procedure="ordinary").first()
    officers = [m.user for m in Membership.objects.filter(agency=lead.agency, role__in=[
        Role.TOWNSHIP_OFFICER, Role.SQUADRON_OFFICER]).select_related("user")]
    certified = [u for u in officers if u.certificates.filter(valid_to__gte=timezone.localdate(),
                                                                 revoked_at__isnull=True).exists()]
    filed = svc.case_file(lead, by=certified[0], officers=certified[:2])
    assert filed.status == CaseStatus.FILED
    decided = Case.objects.filter(status=CaseStatus.DECIDED, publication__isnull=True).first()
    case_publish(decided, by=decided.case_officers.first().officer)
    # New numbers continue after the demo's.
    assert not Case.objects.exclude(pk=filed.pk).filter(filing_number=filed.filing_number).exists()


def _an_archived_case_file_renders():
    case = Case.objects.filter(status=CaseStatus.ARCHIVED, evidence__isnull=False).first()
    data, entries = case_file_pdf(case)
    assert data.startswith(b"%PDF") and len(entries) == CaseDocument.objects.filter(case=case).count() + \
        case.evidence.count() + case.deliberations.count()


def _seeding_again_changes_no_case():
    counts = (Case.objects.count(), Event.objects.count(), CaseDocument.objects.count())
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "演示案件已存在" in out.getvalue()
    assert (Case.objects.count(), Event.objects.count(), CaseDocument.objects.count()) == counts


