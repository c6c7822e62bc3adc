"""The warnings demo: a realistic self-correction rate, cases for the rest, deterministic whatever the date."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from enforcement.cases.models import Case
from enforcement.warnings.choices import WarningKind, WarningStatus
from enforcement.warnings.models import WarningMatter, WarningNotice
from enforcement.warnings.selectors import annual_figures

pytestmark = pytest.mark.django_db


def _snapshot():
    return list(
        WarningNotice.objects.order_by("number").values_list(
            "number", "status", "issued_on", "correction_due_at", "kind", "party_name", "matter__code"
        )
    )


# Inside the National Day holiday and an ordinary day: the demo must hold whatever today is.
@pytest.mark.parametrize("today", ["2026-10-03", "2027-03-15"])
def test_demo_warnings_hold_on_any_date(settings, tmp_path, today):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(dt.datetime.fromisoformat(f"{today}T10:00:00+08:00"), tick=True):
        call_command("seed_demo", stdout=io.StringIO())
        local = timezone.localdate()
        warnings = WarningNotice.objects.all()
        assert WarningMatter.objects.count() >= 3 and warnings.count() >= 50
        corrected = warnings.filter(status=WarningStatus.CORRECTED).count()
        cases = warnings.filter(status=WarningStatus.TURNED_TO_CASE)
        rate = corrected / (corrected + cases.count())
        assert 0.7 <= rate <= 0.92, rate
        assert warnings.filter(kind=WarningKind.COMMITMENT).exclude(commitment_sha256="").exists()
        assert warnings.filter(status=WarningStatus.ISSUED).exists()
        for w in cases.select_related("case"):
            assert w.case.source_ref == w.number and w.number in w.case.facts
            assert w.rechecked_on > timezone.localtime(w.correction_due_at).date()
        assert all(w.issued_on < local for w in warnings)
        assert all((w.rechecked_on or local) <= local for w in warnings)
        assert (
            sum(r["warnings"] for r in annual_figures(local.year))
            == warnings.filter(issued_on__year=local.year).count()
        )
        first = _snapshot()
        cases_before = Case.objects.count()
        call_command("seed_demo", stdout=io.StringIO())  # idempotent
        assert _snapshot() == first and Case.objects.count() == cases_before
