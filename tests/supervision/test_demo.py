"""The demo's case-file review: last year's closed plan and this year's plan in review, on any date."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from enforcement.cases.models import Case, CaseStatus
from enforcement.models import AgencyKind
from supervision.choices import Grade, PlanStatus, RectificationStatus, WarningLevel
from supervision.models import Assignment, Rectification, ReviewPlan

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today", ["2027-01-01", "2026-07-15"])
def test_demo_review_plans_hold_on_any_date(settings, tmp_path, today):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(dt.datetime.fromisoformat(f"{today}T10:00:00+08:00"), tick=True):
        call_command("seed_demo", stdout=io.StringIO())
        year = timezone.localdate().year
        last = ReviewPlan.objects.get(year=year - 1)
        current = ReviewPlan.objects.get(year=year)
        assert last.status == PlanStatus.CLOSED and current.status == PlanStatus.IN_REVIEW
        # Every township and squadron with a closed case file decided in last year's period is covered.
        handling = set(Case.objects.filter(
            decided_on__range=(last.period_start, last.period_end),
            status__in=(CaseStatus.CLOSED, CaseStatus.ARCHIVED),
        ).filter(Q(agency__kind__in=(AgencyKind.TOWN, AgencyKind.SUBDISTRICT, AgencyKind.SQUADRON_STATIONED,
                                     AgencyKind.SQUADRON_DIRECT))).values_list("agency_id", flat=True))
        assert handling and set(last.files.values_list("agency_id", flat=True)) == handling
        grades = Counter(last.files.values_list("grade", flat=True))
        assert all(grades[g] for g in (Grade.EXCELLENT, Grade.GOOD, Grade.PASS, Grade.FAIL))
        assert last.files.filter(vetoed=True).exists()
        notices = Rectification.objects.filter(plan=last)
        assert notices.filter(status=RectificationStatus.ACCEPTED).exists()
        overdue = notices.exclude(status=RectificationStatus.ACCEPTED)
        assert overdue.count() == 1 and overdue.get().warning_level == WarningLevel.RED
        assert overdue.get().due_at < timezone.now()
        assert last.published_at.year == year - 1
        # Closing revoked last year's grants; this year's reviewers hold theirs.
        assert not Assignment.objects.filter(sampled__plan=last, granted=True).exists()
        assert Assignment.objects.filter(sampled__plan=current, granted=True).exists()
        assert current.files.exclude(grade="").exists() and current.files.filter(grade="").exists()
        out = io.StringIO()
        call_command("review_draw", str(last.pk), "--check", stdout=out)
        assert "OK" in out.getvalue()
        # Idempotent.
        call_command("seed_demo", stdout=io.StringIO())
        assert ReviewPlan.objects.count() == 2
