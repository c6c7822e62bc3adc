"""Guardian grants of assignments, their revocation, and judicial reviewers without county-wide case access."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enforcement.access import scope_for
from enforcement.cases.models import Case
from supervision.models import Assignment
from supervision.services.plans import plan_close, plan_draw, plan_publish, plan_reopen, plan_start
from tests.supervision.conftest import make_plan, score_all

pytestmark = pytest.mark.django_db


def assigned(plan, user) -> set[int]:
    return set(Assignment.objects.filter(sampled__plan=plan, reviewer=user).values_list("sampled__case_id", flat=True))


def test_judicial_reviewer_without_assignment_gets_404_but_keeps_county_statistics(review, client_for):
    reviewer = review.reviewer2
    case = review.cases[review.county.town_a.pk][0]
    assert scope_for(reviewer).county_wide and not scope_for(reviewer).all_cases
    assert not Case.objects.visible_to(reviewer).exists()
    client = client_for(reviewer)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("cases:file", args=[case.pk])).status_code == 404
    # County statistics: every township's cases are still counted for them.
    rows = {r.name: r.total for r in client.get(reverse("cases:townships")).context["rows"]}
    assert rows == {"甲镇": 12, "乙街道": 7}


def test_api_answers_404_for_an_unassigned_case(review, api_for):
    case = review.cases[review.county.town_a.pk][0]
    assert api_for(review.reviewer2).get(f"/api/cases/{case.pk}/").status_code == 404


def test_other_roles_keep_their_case_access(review, dispatcher, officer_a):
    assert Case.objects.visible_to(dispatcher).count() == 22
    assert set(Case.objects.visible_to(officer_a).values_list("agency_id", flat=True)) == {review.county.town_a.pk}


def test_assignment_grants_exactly_the_assigned_files_and_closing_revokes_them(review, client_for):
    plan = plan_start(plan_draw(make_plan(review), by=review.lead), by=review.lead)
    for user in (review.lead, review.reviewer2, review.reviewer3):
        mine = assigned(plan, user)
        assert set(Case.objects.visible_to(user).values_list("pk", flat=True)) == mine
    reviewer = review.reviewer2
    mine = assigned(plan, reviewer)
    some = next(iter(mine))
    other = next(c.pk for cases in review.cases.values() for c in cases if c.pk not in mine)
    client = client_for(reviewer)
    assert client.get(reverse("cases:detail", args=[some])).status_code == 200
    assert client.get(reverse("cases:detail", args=[other])).status_code == 404
    score_all(plan)
    plan = plan_close(plan_publish(plan, by=review.lead), by=review.lead)
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)  # a fresh user: guardian caches per instance
    assert not Case.objects.visible_to(reviewer).exists()
    assert client_for(reviewer).get(reverse("cases:detail", args=[some])).status_code == 404
    assert not Assignment.objects.filter(sampled__plan=plan, granted=True).exists()


def test_reopening_a_draw_revokes_its_grants(review):
    plan = plan_draw(make_plan(review), by=review.lead)
    assert Case.objects.visible_to(review.reviewer2).exists()
    plan_reopen(plan, by=review.lead)
    reviewer = type(review.reviewer2).objects.get(pk=review.reviewer2.pk)
    assert not Case.objects.visible_to(reviewer).exists()


def test_a_grant_shared_with_another_open_plan_survives_closing(review):
    one = plan_start(plan_draw(make_plan(review, seed=5), by=review.lead), by=review.lead)
    two = plan_draw(make_plan(review, seed=5, title="复查"), by=review.lead)
    reviewer_cases = assigned(two, review.reviewer2)
    score_all(one)
    plan_close(plan_publish(one, by=review.lead), by=review.lead)
    reviewer = type(review.reviewer2).objects.get(pk=review.reviewer2.pk)
    assert set(Case.objects.visible_to(reviewer).values_list("pk", flat=True)) == reviewer_cases
