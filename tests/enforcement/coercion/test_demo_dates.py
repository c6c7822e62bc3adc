"""The coercion demo holds on holidays (its own module: the demo_county fixture of test_demo would be seen)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from tests.enforcement.coercion.test_demo import demo_coercion_holds


@pytest.mark.django_db
@pytest.mark.parametrize("today", ["2026-10-03", "2027-02-08"])
def test_the_coercion_demo_holds_on_holidays(settings, tmp_path, today):
    # Inside the National Day holiday and the 2027 Spring Festival (a year the package does not cover).
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    with time_machine.travel(dt.datetime.fromisoformat(f"{today}T10:00:00+08:00"), tick=True):
        call_command("seed_demo", stdout=out)
        demo_coercion_holds(out.getvalue())
