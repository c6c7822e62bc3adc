"""Fixtures of the case-file review tests: closed cases written directly, plans, reviewers."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest

from enforcement.cases.models import CaseOfficer, CaseStatus
from enforcement.models import AgencyKind, Domain, Matter, PowerType, Role
from supervision.models import ReviewPlan
from supervision.services.plans import plan_create
from supervision.services.rubrics import create_default_rubric
from tests.factories import AgencyFactory, make_closed_case, member

PERIOD = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
_numbers = itertools.count(1)


@pytest.fixture
def review(county, judicial_reviewer, officer_a, officer_b):
    """Two townships and a squadron with closed cases of 2025; three judicial reviewers (the first leads)."""
    domain = Domain.objects.create(code="CSGL", name="城市管理")
    matter = Matter.objects.create(code="CSGL-0001", name="占道经营", power_type=PowerType.PENALTY, domain=domain,
                                   origin_department=county.department, in_guidance_catalogue=True)
    reviewer2 = member(Role.JUDICIAL_REVIEWER, county.judicial, "judicial_reviewer2")
    reviewer3 = member(Role.JUDICIAL_REVIEWER, county.judicial, "judicial_reviewer3")
    leader_a = member(Role.TOWNSHIP_LEADER, county.town_a, "leader_a")
    world = SimpleNamespace(county=county, matter=matter, lead=judicial_reviewer, reviewer2=reviewer2,
                            reviewer3=reviewer3, officer_a=officer_a, officer_b=officer_b, leader_a=leader_a,
                            rubric=create_default_rubric())
    world.cases = {
        county.town_a.pk: [make_case(world, county.town_a, officer=officer_a) for _ in range(12)],
        county.town_b.pk: [make_case(world, county.town_b, officer=officer_b) for _ in range(7)],
        county.squadron_a.pk: [make_case(world, county.squadron_a) for _ in range(3)],
    }
    return world


def make_case(world, agency, *, decided_on=dt.date(2025, 6, 1), status=CaseStatus.CLOSED, officer=None, **over):
    n = next(_numbers)
    # Finished case files written directly: the case services are tested in tests/enforcement.
    case = make_closed_case(number=f"T-{n:06d}", agency=agency, matter=world.matter, decided_on=decided_on,
                            status=status, title=f"测试案件{n}", party_name=f"当事人{n}", **over)
    if officer is not None:
        CaseOfficer.objects.create(case=case, officer=officer, certificate_number=f"C{n}", role="lead")
    return case


def make_plan(world, **over) -> ReviewPlan:
    values = dict(
        year=2026, title="2026年度行政处罚案卷评查", organiser=world.county.judicial, lead=world.lead,
        rubric=world.rubric, period_start=PERIOD[0], period_end=PERIOD[1], sample_count=3, seed=20260101,
    )
    values.update(over)
    reviewers = values.pop("reviewers", [world.lead, world.reviewer2, world.reviewer3])
    agencies = values.pop("agencies", ())
    return plan_create(by=world.lead, reviewers=reviewers, agencies=agencies, **values)


@pytest.fixture
def judicial_agency(county):
    return county.judicial


def other_judicial_bureau():
    return AgencyFactory(code="JUD2", name="邻县司法局", kind=AgencyKind.JUDICIAL_BUREAU)


@pytest.fixture
def started(review):
    """A plan in review: 3 files from each of the three agencies, one reviewer each."""
    from supervision.services.plans import plan_draw, plan_start

    plan = plan_draw(make_plan(review), by=review.lead)
    return plan_start(plan, by=review.lead)


def score_of(plan, position: int):
    from supervision.models import Score

    return Score.objects.select_related("assignment__sampled__plan", "assignment__reviewer").get(
        assignment__sampled__plan=plan, assignment__sampled__position=position, assignment__ordinal=1)


def item(rubric, code: str):
    from supervision.models import RubricItem

    return RubricItem.objects.get(group__rubric=rubric, code=code)


def veto(rubric, code: str):
    from supervision.models import VetoItem

    return VetoItem.objects.get(rubric=rubric, code=code)


def score_all(plan, totals: dict[int, tuple[dict, dict]] | None = None):
    """Save and submit every score of ``plan``: position -> (deductions by code, vetoes by code)."""
    from supervision.models import Score
    from supervision.services.scoring import score_save, score_submit

    totals = totals or {}
    rubric = plan.rubric
    for score in Score.objects.filter(assignment__sampled__plan=plan).select_related(
            "assignment__sampled__plan", "assignment__reviewer").order_by("assignment__sampled__position",
                                                                        "assignment__ordinal"):
        deductions, vetoes = totals.get(score.assignment.sampled.position, ({}, {}))
        score = score_save(score, by=score.assignment.reviewer,
                           deductions={item(rubric, c).pk: (p, "问题说明") for c, p in deductions.items()},
                           vetoes={veto(rubric, c).pk: "否决理由" for c in vetoes})
        score_submit(score, by=score.assignment.reviewer)
