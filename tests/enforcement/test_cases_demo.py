"""Demo cases: hundreds over two years in every state, consistent with the services, idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from enforcement.cases.services import lifecycle as svc
from enforcement.cases.services.publication import case_publish
from enforcement.models import (
    Case,
    CaseDocument,
    CaseStatus,
    Event,
    Membership,
    Role,
)
from tests.enforcement.demo_checks import demo_cases_hold

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(demo_county):
    return demo_county.output


def test_demo_has_hundreds_of_cases_in_every_state_over_two_years(seeded):
    demo_cases_hold(seeded)


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


def _seeding_again_changes_no_case():
    counts = (Case.objects.count(), Event.objects.count(), CaseDocument.objects.count())
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "演示案件已存在" in out.getvalue()
    assert (Case.objects.count(), Event.objects.count(), CaseDocument.objects.count()) == counts


