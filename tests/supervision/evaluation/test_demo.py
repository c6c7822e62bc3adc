"""The demo's evaluation: last year's ratings (one superseded by a correction) and assessments, on any date."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from supervision.evaluation.choices import RatingStatus
from supervision.evaluation.models import (
    QualificationExam,
    TownshipOfficerEvaluation,
    TownshipUnitEvaluation,
    TrainingRecord,
    UnitRating,
)
from supervision.evaluation.selectors import officers_assessed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today", ["2027-01-01", "2026-07-15"])
def test_demo_ratings_and_assessments_hold_on_any_date(settings, tmp_path, today):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(dt.datetime.fromisoformat(f"{today}T10:00:00+08:00"), tick=True):
        call_command("seed_demo", stdout=io.StringIO())
        year = timezone.localdate().year - 1
        ratings = UnitRating.objects.filter(period__start=dt.date(year, 1, 1))
        superseded = ratings.get(status=RatingStatus.SUPERSEDED)
        assert superseded.superseded_by.status == RatingStatus.PUBLISHED and superseded.superseded_by.correction_note
        assert ratings.filter(status=RatingStatus.PUBLISHED).count() >= 5
        assert TownshipUnitEvaluation.objects.filter(period__start=dt.date(year, 1, 1)).exists()
        assert TownshipOfficerEvaluation.objects.filter(year=year).exists()
        assert QualificationExam.objects.filter(year=year, passed=False).count() == 1
        rows = officers_assessed(year)
        assert any(a.exam_failed for a in rows) and any(a.certificate_lapsed for a in rows)
        assert all(a.values.get("training_hours") for a in rows)
        counts = (ratings.count(), TrainingRecord.objects.count(), TownshipOfficerEvaluation.objects.count())
        call_command("seed_demo", stdout=io.StringIO())
        assert (ratings.count(), TrainingRecord.objects.count(), TownshipOfficerEvaluation.objects.count()) == counts
