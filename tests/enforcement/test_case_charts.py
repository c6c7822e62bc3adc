"""Charts of case statistics: scoped like the case pages, in constant queries, with their exports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from enforcement.models import Role
from tests.factories import make_closed_case, make_matter, member


@pytest.fixture
def leader_a(county):
    return member(Role.TOWNSHIP_LEADER, county.town_a, "leader_a")


@pytest.fixture
def cases(county):
    matter = make_matter("CSGL-0001", department=county.department)
    today = timezone.localdate()
    made = []

    def make(agency, n: int = 1, **over):
        for _ in range(n):
            made.append(
                make_closed_case(number=f"C{len(made) + 1}", agency=agency, matter=matter, decided_on=today, **over)
            )

    return make


def chart(client, name):
    response = client.get(reverse("cases:chart", args=[name]))
    assert response.status_code == 200
    return response.json()


def test_township_leader_sees_only_their_townships_cases(client_for, cases, county, leader_a, dispatcher):
    cases(county.town_a, 2, penalty_kinds=["fine"], fine_amount=Decimal("500.00"))
    cases(county.town_b, 3, penalty_kinds=["warning", "fine"], fine_amount=Decimal("200.00"), warning_level="red")
    month = timezone.localdate().strftime("%Y-%m")

    mine = chart(client_for(leader_a), "monthly")
    assert mine["categories"][-1] == month and len(mine["categories"]) == 12
    assert sum(mine["series"][1]["data"]) == 2
    assert chart(client_for(leader_a), "penalties")["series"][0]["data"] == [2]
    assert chart(client_for(leader_a), "fines")["series"][0]["data"][-1] == 1000.0
    assert chart(client_for(leader_a), "deadlines")["categories"] == []

    county_wide = client_for(dispatcher)
    penalties = chart(county_wide, "penalties")
    assert dict(zip(penalties["categories"], penalties["series"][0]["data"], strict=True)) == {"警告": 3, "罚款": 5}
    assert chart(county_wide, "fines")["series"][0]["data"][-1] == 1600.0
    deadlines = chart(county_wide, "deadlines")
    assert deadlines["categories"] == [county.town_b.name] and deadlines["series"][0]["data"] == [3]


@pytest.mark.parametrize("name", ["monthly", "penalties", "fines", "deadlines"])
def test_case_chart_queries_do_not_grow_with_cases(
    client_for, cases, county, dispatcher, name, django_assert_max_num_queries
):
    client = client_for(dispatcher)
    cases(county.town_a, 1, penalty_kinds=["fine"], fine_amount=Decimal("100"), warning_level="red")
    with django_assert_max_num_queries(6):
        chart(client, name)
    cases(
        county.town_b,
        8,
        penalty_kinds=["fine"],
        fine_amount=Decimal("100"),
        warning_level="yellow",
        filed_on=timezone.localdate() - dt.timedelta(days=40),
    )
    with django_assert_max_num_queries(6):
        chart(client, name)


def test_case_chart_export_and_page(client_for, cases, county, dispatcher):
    cases(county.town_a, 1)
    response = client_for(dispatcher).get(reverse("cases:chart", args=["monthly"]), {"format": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert client_for(dispatcher).get(reverse("cases:chart", args=["nope"])).status_code == 404
    page = client_for(dispatcher).get(reverse("cases:townships")).content.decode()
    assert 'data-chart-url="/cases/charts/monthly/"' in page
