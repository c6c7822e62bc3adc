"""The demo holds whatever today is: it is built relative to the date it is seeded on."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from tests.enforcement.demo_checks import demo_cases_hold

pytestmark = pytest.mark.django_db


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
        demo_cases_hold(out.getvalue())
