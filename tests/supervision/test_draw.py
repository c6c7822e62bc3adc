"""Reproducible sampling, the --check command, conflict exclusion, and the refusals of a draw."""

from __future__ import annotations

import io
import random

import pytest
from django.core.management import CommandError, call_command

from enforcement.errors import ValidationFailed
from enforcement.models import Event
from supervision.choices import PlanStatus
from supervision.models import Assignment, SampledFile
from supervision.services.plans import plan_draw, plan_reopen
from tests.supervision.conftest import make_case, make_plan

pytestmark = pytest.mark.django_db


def drawn_cases(plan):
    return list(SampledFile.objects.filter(plan=plan).order_by("position").values_list("agency_id", "case_id"))


def test_same_seed_draws_the_same_files_and_the_documented_algorithm_gives_them(review):
    plan = plan_draw(make_plan(review, seed=42), by=review.lead)
    twin = plan_draw(make_plan(review, seed=42, title="twin"), by=review.lead)
    assert drawn_cases(plan) == drawn_cases(twin)
    # The algorithm as written on the plan page: agencies by id, cases by id, one Random(seed), sample().
    rng = random.Random(42)
    expected = []
    for agency_id in sorted(review.cases):
        population = sorted(c.pk for c in review.cases[agency_id])
        expected += [(agency_id, case_id) for case_id in rng.sample(population, 3)]
    assert drawn_cases(plan) == expected
    assert plan.status == PlanStatus.DRAWN and len(plan.draw_digest) == 64
    event = Event.objects.for_object(plan).get(action="draw")
    assert event.data["seed"] == 42 and event.data["files"] == 9


def test_another_seed_draws_other_files(review):
    a = plan_draw(make_plan(review, seed=1), by=review.lead)
    b = plan_draw(make_plan(review, seed=2), by=review.lead)
    assert drawn_cases(a) != drawn_cases(b)


def test_share_rule_with_minimum_and_maximum(review):
    # 50 % of 12, 7 and 3 closed cases = 6, 4 (3.5 rounded up), 2; at most 5, at least 3.
    plan = plan_draw(make_plan(review, sample_count=None, sample_share=50, sample_min=3, sample_max=5),
                     by=review.lead)
    per_agency = {}
    for agency_id, _case in drawn_cases(plan):
        per_agency[agency_id] = per_agency.get(agency_id, 0) + 1
    county = review.county
    assert per_agency == {county.town_a.pk: 5, county.town_b.pk: 4, county.squadron_a.pk: 3}


def test_only_closed_cases_decided_in_the_period_are_drawn(review):
    county = review.county
    make_case(review, county.town_b, decided_on=review.cases[county.town_b.pk][0].decided_on.replace(year=2024))
    make_case(review, county.town_b, status="decided")
    plan = plan_draw(make_plan(review, sample_count=50), by=review.lead)
    drawn = {c for _a, c in drawn_cases(plan)}
    assert drawn == {c.pk for cases in review.cases.values() for c in cases}


def test_check_command_passes_on_the_stored_draw_and_fails_when_it_was_altered(review):
    plan = plan_draw(make_plan(review), by=review.lead)
    out = io.StringIO()
    call_command("review_draw", str(plan.pk), "--check", stdout=out)
    assert "OK" in out.getvalue()
    # Someone swaps a drawn file for another case of the same agency behind the plan's back.
    first = SampledFile.objects.filter(plan=plan).order_by("position").first()
    drawn = set(SampledFile.objects.filter(plan=plan).values_list("case_id", flat=True))
    other = next(c for c in review.cases[first.agency_id] if c.pk not in drawn)
    SampledFile.objects.filter(pk=first.pk).update(case=other)
    with pytest.raises(CommandError) as failed:
        call_command("review_draw", str(plan.pk), "--check", stdout=io.StringIO(), stderr=io.StringIO())
    assert failed.value.returncode == 1


def test_reviewer_never_gets_a_file_of_their_own_agency_or_a_case_they_took_part_in(review):
    county = review.county
    # A township officer of A in the pool, and a judicial reviewer who approved one case of B.
    from enforcement.cases.models import CaseOfficer

    target = review.cases[county.town_b.pk][0]
    CaseOfficer.objects.create(case=target, officer=review.reviewer2, certificate_number="X1")
    plan = plan_draw(make_plan(review, sample_count=50, second_reviewer=True,
                               reviewers=[review.lead, review.reviewer2, review.reviewer3, review.officer_a]),
                     by=review.lead)
    for a in Assignment.objects.filter(sampled__plan=plan).select_related("sampled"):
        if a.reviewer_id == review.officer_a.pk:
            assert a.sampled.agency_id != county.town_a.pk
        if a.sampled.case_id == target.pk:
            assert a.reviewer_id != review.reviewer2.pk
    # Two different reviewers on every file; the load is balanced (22 files x 2 over 4 reviewers).
    loads = {}
    for a in Assignment.objects.filter(sampled__plan=plan):
        loads[a.reviewer_id] = loads.get(a.reviewer_id, 0) + 1
    assert SampledFile.objects.filter(plan=plan).count() == 22
    assert max(loads.values()) - min(loads.values()) <= 2


def test_pool_that_cannot_cover_an_agency_without_conflict_is_refused_naming_it(review):
    plan = make_plan(review, reviewers=[review.officer_a])
    with pytest.raises(ValidationFailed) as refused:
        plan_draw(plan, by=review.lead)
    assert "甲镇" in str(refused.value)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and not SampledFile.objects.filter(plan=plan).exists()


def test_plan_without_reviewers_is_refused(review):
    plan = make_plan(review, reviewers=[])
    with pytest.raises(ValidationFailed, match="评查人员"):
        plan_draw(plan, by=review.lead)
    assert not SampledFile.objects.filter(plan=plan).exists()


def test_empty_population_is_refused_naming_the_agency(review):
    county = review.county
    plan = make_plan(review, agencies=[county.town_a, county.town_b, county.department])
    with pytest.raises(ValidationFailed) as refused:
        plan_draw(plan, by=review.lead)
    assert county.department.name in str(refused.value)
    assert not SampledFile.objects.filter(plan=plan).exists()


def test_redraw_only_from_draft_and_every_draw_is_an_event(review):
    plan = plan_draw(make_plan(review, seed=7), by=review.lead)
    first = drawn_cases(plan)
    from enforcement.errors import InvalidTransition

    with pytest.raises(InvalidTransition):
        plan_draw(plan, by=review.lead)
    plan = plan_reopen(plan, by=review.lead, note="调整抽取比例")
    assert not SampledFile.objects.filter(plan=plan).exists()
    plan = plan_draw(plan, by=review.lead)
    assert drawn_cases(plan) == first
    assert [e.action for e in Event.objects.for_object(plan)] == ["create", "draw", "reopen", "draw"]


def test_only_the_lead_draws(review):
    from enforcement.errors import PermissionRefused

    plan = make_plan(review)
    with pytest.raises(PermissionRefused):
        plan_draw(plan, by=review.reviewer2)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
