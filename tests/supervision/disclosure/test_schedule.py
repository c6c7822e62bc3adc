"""The January duties of the disclosure report in the beat schedule, run with the date simulated.

国办发〔2018〕118号: last year's enforcement data are published by 31 January. bureau/schedule.py builds
the draft on 2 January and warns daily from 20 January; after 31 January every staff home page is red.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from celery.schedules import crontab

from bureau.celery import app
from bureau.schedule import BEAT_SCHEDULE
from enforcement.models import Notification
from supervision.disclosure import services, tasks
from supervision.disclosure.models import DisclosureReport

YEAR = 2025
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def on(day: dt.date, hour: int = 9):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False)


def banner(home: str) -> str:
    """The banner's own markup (the menu links the same pages)."""
    start = home.index('data-testid="disclosure-banner"')
    return home[start:home.index("</div>\n</div>", start)]


def entry_for(task: str) -> dict:
    entries = [e for e in BEAT_SCHEDULE.values() if e["task"] == task]
    assert len(entries) == 1, f"{task} should be scheduled once, found {len(entries)}"
    return entries[0]


def test_the_build_runs_on_2_january_and_the_warnings_daily():
    app.loader.import_default_modules()
    build = entry_for("supervision.disclosure.build_previous_year")["schedule"]
    warn = entry_for("supervision.disclosure.sweep_warnings")["schedule"]
    assert isinstance(build, crontab) and isinstance(warn, crontab)
    # 2 January, once (03:00): the year that just ended.
    assert (build.month_of_year, build.day_of_month, build.hour, build.minute) == ({1}, {2}, {3}, {0})
    # Every day of every month (the task itself does nothing before 20 January), once (08:00).
    assert warn.month_of_year == set(range(1, 13)) and warn.day_of_month == set(range(1, 32))
    assert (warn.hour, warn.minute) == ({8}, {0})
    assert {"supervision.disclosure.build_previous_year", "supervision.disclosure.sweep_warnings"} <= set(app.tasks)
    assert app.conf.beat_schedule == BEAT_SCHEDULE


@pytest.mark.django_db
def test_the_2_january_task_builds_last_years_draft_once_and_leaves_a_published_one(world, judicial_reviewer):
    with on(dt.date(YEAR + 1, 1, 2), 3):
        assert tasks.build_previous_year() == f"{YEAR}年度行政执法数据公开报告 v1"
        first = DisclosureReport.objects.get(year=YEAR)
        assert first.status == "draft" and first.figures["county"]["penalty_decisions"] == 3
        tasks.build_previous_year()  # beat may fire twice: still one report
        assert DisclosureReport.objects.filter(year=YEAR).count() == 1
    report = services.report_publish(services.report_review(first, by=judicial_reviewer), by=judicial_reviewer)
    with on(dt.date(YEAR + 1, 1, 2), 3):
        assert "不再改变" in tasks.build_previous_year()
    report.refresh_from_db()
    assert report.status == "published" and DisclosureReport.objects.filter(year=YEAR).count() == 1


@pytest.mark.django_db
def test_warnings_from_20_january_then_red_on_every_staff_home_after_31_january(
    world, client, judicial_reviewer, officer_a, squadron_officer
):
    with on(dt.date(YEAR + 1, 1, 2), 3):
        tasks.build_previous_year()
    sent = Notification.objects.filter(reason__startswith=f"disclosure_due:{YEAR}:")
    with on(dt.date(YEAR + 1, 1, 19)):
        assert tasks.sweep_warnings() == 0
        client.force_login(judicial_reviewer)
        assert "disclosure-banner" not in client.get("/").content.decode()
    with on(dt.date(YEAR + 1, 1, 20)):
        assert tasks.sweep_warnings() > 0 and sent.filter(recipient=judicial_reviewer).count() == 1
        assert tasks.sweep_warnings() == 0  # once a day
        client.force_login(judicial_reviewer)  # a session of the day (sessions expire)
        home = client.get("/").content.decode()
        assert 'data-testid="disclosure-banner" data-level="yellow"' in home
        assert f'href="/disclosure/{YEAR}/"' in banner(home)
        client.force_login(officer_a)
        assert "disclosure-banner" not in client.get("/").content.decode()  # not the township's duty yet
    with on(dt.date(YEAR + 1, 1, 31), 23):
        client.force_login(officer_a)
        assert "disclosure-banner" not in client.get("/").content.decode()  # 31 January is still in time
    for user in (officer_a, squadron_officer, judicial_reviewer):
        with on(dt.date(YEAR + 1, 2, 1), 8):
            client.force_login(user)
            home = client.get("/").content.decode()
            assert 'data-testid="disclosure-banner" data-level="red"' in home, user
            assert "已逾期" in home
    assert not sent.filter(recipient=officer_a).exists()


@pytest.mark.django_db
def test_the_banner_links_the_list_when_no_report_was_built(county, client, judicial_reviewer):
    with on(dt.date(YEAR + 1, 1, 25)):
        client.force_login(judicial_reviewer)
        home = client.get("/").content.decode()
        assert 'data-level="yellow"' in home and 'href="/disclosure/"' in banner(home)
