"""The township's evaluation page, its forms and its to-do items (yearly forms of stationed officers)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from enforcement.todo import todo_for
from supervision.evaluation.models import EvaluationPeriod, TownshipOfficerEvaluation, TownshipUnitEvaluation
from tests.supervision.evaluation.conftest import ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def this_year(ev):
    year = timezone.localdate().year
    return EvaluationPeriod.objects.create(name=f"{year}年", start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))


def test_township_page_lists_its_units_and_stationed_officers(ev, this_year, client_for):
    ticket(township=ev.county.town_a, unit=ev.department, received=timezone.localdate() - dt.timedelta(days=1))
    body = client_for(ev.leader_a).get("/supervision/evaluation/township/").content.decode()
    assert "甲镇派驻中队" in body and "县自然资源局" in body and ev.squad.username in body
    # Township B: the department handled none of its tickets, and no squadron is stationed there.
    body_b = client_for(ev.officer_b).get("/supervision/evaluation/township/").content.decode()
    assert "县自然资源局" not in body_b and "甲镇派驻中队" not in body_b
    for user in (ev.squad, ev.dispatcher, ev.bureau):
        assert client_for(user).get("/supervision/evaluation/township/").status_code == 404


def test_township_forms_through_the_page(ev, this_year, client_for):
    client = client_for(ev.leader_a)
    prefix = f"u{this_year.pk}-{ev.squadron.pk}"
    client.post(
        "/supervision/evaluation/township/unit/",
        {
            "prefix": prefix,
            f"{prefix}-period": this_year.pk,
            f"{prefix}-unit": ev.squadron.pk,
            f"{prefix}-township": ev.county.town_a.pk,
            f"{prefix}-score": "88",
            f"{prefix}-comment": "响应快",
        },
    )
    assert TownshipUnitEvaluation.objects.get().score == 88
    # Township B cannot post a form for township A's squadron (outside its area): refused, nothing saved.
    client_b = client_for(ev.officer_b)
    response = client_b.post(
        "/supervision/evaluation/township/unit/",
        {
            "prefix": prefix,
            f"{prefix}-period": this_year.pk,
            f"{prefix}-unit": ev.squadron.pk,
            f"{prefix}-township": ev.county.town_b.pk,
            f"{prefix}-score": "10",
        },
        follow=True,
    )
    assert "不在本乡镇的评价范围内" in response.content.decode()
    assert TownshipUnitEvaluation.objects.count() == 1
    client = client_for(ev.leader_a)  # one test client: log township A's leader in again
    p = f"o{ev.squad.pk}"
    year = timezone.localdate().year
    done = client.post(
        "/supervision/evaluation/township/officer/",
        {
            "prefix": p,
            f"{p}-officer": ev.squad.pk,
            f"{p}-township": ev.county.town_a.pk,
            f"{p}-year": year,
            f"{p}-score": "92",
            f"{p}-comments": "表现突出",
            f"{p}-recommendation": "promote",
        },
        follow=True,
    )
    assert "已提交对" in done.content.decode(), done.content.decode()[-3000:]
    evaluation = TownshipOfficerEvaluation.objects.get()
    assert (evaluation.score, evaluation.recommendation, evaluation.year) == (92, "promote", year)
    again = client.post(
        "/supervision/evaluation/township/officer/",
        {
            "prefix": p,
            f"{p}-officer": ev.squad.pk,
            f"{p}-township": ev.county.town_a.pk,
            f"{p}-year": year,
            f"{p}-score": "50",
            f"{p}-comments": "改",
        },
        follow=True,
    )
    assert "每年只能填写一次" in again.content.decode()
    assert TownshipOfficerEvaluation.objects.get().score == 92


def test_yearly_forms_due_on_the_township_to_do_list(ev):
    with time_machine.travel(dt.datetime(2026, 12, 7, 10, tzinfo=dt.UTC), tick=False):
        items = [i for i in todo_for(ev.leader_a) if i.kind == "evaluation.township_officer_form"]
        assert [(i.title, i.reference, i.level) for i in items] == [
            (ev.squad.get_full_name() or ev.squad.username, "2026", "yellow")
        ]
        assert not [i for i in todo_for(ev.officer_b) if i.kind == "evaluation.township_officer_form"]
        # The leader signs the township's judgement: it is not on every officer's list.
        assert not [i for i in todo_for(ev.officer_a) if i.kind == "evaluation.township_officer_form"]
        from supervision.evaluation.services import township_officer_evaluate

        township_officer_evaluate(
            officer=ev.squad, township=ev.county.town_a, year=2026, score=90, comments="好", by=ev.leader_a
        )
        assert not [i for i in todo_for(ev.leader_a) if i.kind == "evaluation.township_officer_form"]
