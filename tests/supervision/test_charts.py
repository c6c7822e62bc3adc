"""Charts of a review plan's results: the results page's figures, hidden as it is until publication."""

from __future__ import annotations

import pytest
from django.urls import reverse

from supervision.services.plans import plan_publish
from tests.supervision.conftest import score_all

pytestmark = pytest.mark.django_db


def chart(client, plan, name, status=200):
    response = client.get(reverse("supervision:results-chart", args=[plan.pk, name]))
    assert response.status_code == status
    return response.json() if status == 200 else None


def test_results_charts_match_the_results_page_and_wait_for_publication(
    started, review, client_for, django_assert_max_num_queries
):
    score_all(started, {1: ({"D1": 10, "H1": 5}, set()), 2: ({}, {"V3"}), 4: ({"D1": 4}, set())})
    chart(client_for(review.officer_a), started, "grades", status=404)
    plan = plan_publish(started, by=review.lead)
    page = client_for(review.lead).get(reverse("supervision:plan-results", args=[plan.pk]))
    client = client_for(review.officer_a)

    grades = chart(client, plan, "grades")
    assert sum(grades["series"][0]["data"]) == 9
    assert dict(zip(grades["categories"], grades["series"][0]["data"], strict=True))["不合格"] == 1
    agencies = chart(client, plan, "agencies")
    assert agencies["categories"] == [a.agency.name for a in page.context["by_agency"]]
    assert agencies["series"][0]["data"] == [float(a.average) for a in page.context["by_agency"]]
    items = chart(client, plan, "items")
    assert items["categories"][0].startswith("D1") and items["series"][0]["data"][0] == 2
    for name in ("grades", "agencies", "items"):
        with django_assert_max_num_queries(10):
            chart(client, plan, name)
    chart(client, plan, "nope", status=404)
    assert 'data-testid="chart-grades"' in page.content.decode()
