"""Charts of the matters townships hold by mode: a township sees its own, in constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from enforcement.models import GrantMode, Role
from tests.factories import grant, make_matter, member


@pytest.fixture
def leader_a(county):
    return member(Role.TOWNSHIP_LEADER, county.town_a, "leader_a")


@pytest.fixture
def grants(county):
    today = timezone.localdate()
    matters = [make_matter(f"M{i}", department=county.department) for i in range(4)]
    for m in matters[:3]:
        grant(m, county.town_a, GrantMode.DEVOLVED, township=county.town_a, start=today - dt.timedelta(days=400))
    grant(matters[3], county.squadron_a, GrantMode.STATIONED, township=county.town_a, start=today)
    for m in matters[:2]:
        grant(m, county.town_b, GrantMode.DEVOLVED, township=county.town_b, start=today - dt.timedelta(days=400))
    return matters


def chart(client, name):
    response = client.get(reverse("devolution:power-chart", args=[name]))
    assert response.status_code == 200
    return response.json()


def series(data) -> dict:
    return {s["name"]: s["data"] for s in data["series"]}


def test_township_sees_its_own_matters_by_mode(client_for, grants, county, leader_a, dispatcher):
    mine = chart(client_for(leader_a), "modes")
    assert mine["categories"] == [county.town_a.name]
    assert series(mine) == {"赋权乡镇": [3], "派驻中队": [1]}
    everyone = chart(client_for(dispatcher), "modes")
    assert set(everyone["categories"]) == {county.town_a.name, county.town_b.name}
    assert sorted(series(everyone)["赋权乡镇"]) == [2, 3]


def test_history_counts_what_was_held_at_each_months_end(client_for, grants, leader_a):
    history = chart(client_for(leader_a), "history")
    assert len(history["categories"]) == 12
    # Devolved 400 days ago: held at every month's end; stationed from today: only in this month's column.
    assert series(history)["赋权乡镇"] == [3] * 12
    assert series(history)["派驻中队"] == [0] * 11 + [1]


@pytest.mark.parametrize("name", ["modes", "history"])
def test_power_chart_queries_do_not_grow(client_for, county, dispatcher, name, django_assert_max_num_queries):
    client = client_for(dispatcher)
    grant(make_matter("X0", department=county.department), county.town_a, GrantMode.DEVOLVED, township=county.town_a)
    with django_assert_max_num_queries(6):
        chart(client, name)
    for i in range(1, 6):
        grant(
            make_matter(f"X{i}", department=county.department),
            county.town_b,
            GrantMode.DEVOLVED,
            township=county.town_b,
        )
    with django_assert_max_num_queries(6):
        chart(client, name)
