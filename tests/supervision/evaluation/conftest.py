"""Fixtures of the evaluation tests: a 2025 annual period, tickets and officers written directly.

Tickets and case files are written directly (their own services are tested in tests/dispatch and
tests/enforcement); evaluation only reads them.
"""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType

from dispatch.models import Ticket, TicketStatus
from enforcement.models import Event, Role
from enforcement.workdays import SHANGHAI
from supervision.evaluation.models import EvaluationPeriod
from supervision.evaluation.services import ensure_defaults
from tests.factories import AgencyFactory, member

_numbers = itertools.count(1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def ticket(*, township, unit, received: dt.date = dt.date(2025, 3, 3), **over) -> Ticket:
    """A ticket of ``township`` handled by ``unit``: signed for and resolved on time unless told otherwise."""
    n = next(_numbers)
    values = dict(
        number=f"GD2025{n:06d}",
        channel="staff",
        description="占道经营",
        township=township,
        responsible_agency=unit,
        status=TicketStatus.CLOSED,
        received_at=at(received, 9),
        assigned_at=at(received, 9),
        accept_due=at(received, 12),
        accepted_at=at(received, 10),
        resolve_due=at(received + dt.timedelta(days=5)),
        resolved_at=at(received + dt.timedelta(days=1)),
    )
    values.update(over)
    return Ticket.objects.create(**values)


def returned(ticket_obj: Ticket, agency, day: dt.date = dt.date(2025, 3, 4)) -> Event:
    return Event.objects.create(
        content_type=ContentType.objects.get_for_model(Ticket),
        object_id=ticket_obj.pk,
        action="return_to_dispatch",
        from_state="assigned",
        to_state="triaged",
        actor_agency=agency,
        at=at(day),
    )


@pytest.fixture
def ev(county, administrator, officer_a, officer_b, squadron_officer, dispatcher):
    """The county with the default schemes, the 2025 annual period, a direct squadron and a leader of A."""
    ensure_defaults()
    period = EvaluationPeriod.objects.create(name="2025年度", start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    direct = AgencyFactory(code="SQD", name="直属一中队", kind="squadron_direct", parent=county.brigade)
    leader_a = member(Role.TOWNSHIP_LEADER, county.town_a, "leader_a")
    return SimpleNamespace(
        county=county,
        period=period,
        bureau=administrator,
        dispatcher=dispatcher,
        officer_a=officer_a,
        officer_b=officer_b,
        leader_a=leader_a,
        squad=squadron_officer,
        department=county.department,
        squadron=county.squadron_a,
        direct=direct,
    )


def matter(county):
    from tests.factories import make_domain, make_matter

    make_domain()
    return make_matter("CSGL-0001", department=county.department)


def published_plan(county, lead, *, year: int = 2025):
    """A review plan of ``year`` whose results are published (files are added by the test)."""
    from supervision.choices import PlanStatus
    from supervision.models import ReviewPlan
    from supervision.services.rubrics import create_default_rubric

    return ReviewPlan.objects.create(
        year=year,
        title=f"{year}年度评查",
        organiser=county.judicial,
        lead=lead,
        rubric=create_default_rubric(),
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        seed=1,
        status=PlanStatus.PUBLISHED,
    )


def sampled(plan, case, score, grade, position=None):
    from supervision.models import SampledFile

    return SampledFile.objects.create(
        plan=plan, case=case, agency=case.agency, position=position or case.pk, final_score=score, grade=grade
    )
