"""Factories shared by every app's tests."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from enforcement.models import Agency, AgencyKind, Certificate, Grid, Membership, Role

User = get_user_model()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "pass-Word-123")
        if create:
            self.save(update_fields=["password"])


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"AG{n:04d}")
    name = factory.Sequence(lambda n: f"机构{n}")
    kind = AgencyKind.DEPARTMENT


class TownshipFactory(AgencyFactory):
    kind = AgencyKind.TOWN
    name = factory.Sequence(lambda n: f"第{n}镇")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.TOWNSHIP_OFFICER


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    officer = factory.SubFactory(UserFactory)
    number = factory.Sequence(lambda n: f"ZF{n:08d}")
    issuing_body = "县人民政府"
    valid_from = dt.date(2024, 1, 1)
    valid_to = dt.date(2029, 12, 31)


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    township = factory.SubFactory(TownshipFactory)
    code = factory.Sequence(lambda n: f"GRID{n:05d}")
    name = factory.Sequence(lambda n: f"第{n}网格")


def member(role: str, agency: Agency, username: str, *, certified: bool = False, **user_fields) -> User:
    """Create a user with one membership (and optionally a valid certificate)."""
    user = UserFactory(username=username, **user_fields)
    Membership.objects.get_or_create(user=user, agency=agency, role=role)
    if certified:
        CertificateFactory(officer=user)
    return user


# --- domain objects: matters and grants, tickets, batches, cases ---------------------------------
# One place for the builders every app's tests share (each app's conftest/helpers wraps them
# into its own fixtures). They go through the services where a service creates the object.

LONG_AGO = dt.date(2020, 1, 1)


def make_domain(code: str = "CSGL", name: str = "城市管理"):
    from enforcement.models import Domain

    return Domain.objects.get_or_create(code=code, defaults={"name": name})[0]


def make_matter(code: str, name: str | None = None, *, department: Agency, safety_critical: bool = False,
                in_catalogue: bool = True, dom=None, **extra):
    """A penalty matter (执法事项) of ``department``."""
    from enforcement.models import Matter, PowerType

    return Matter.objects.create(
        code=code, name=name or f"事项{code}", power_type=extra.pop("power_type", PowerType.PENALTY),
        domain=dom or make_domain(), origin_department=department, safety_critical=safety_critical,
        in_guidance_catalogue=in_catalogue, **extra,
    )


def grant(matter, holder: Agency, mode: str | None = None, *, start: dt.date = LONG_AGO, township=None):
    """A power grant through the catalogue service (county-wide unless ``township``)."""
    from enforcement.catalogue.powers import grant_power
    from enforcement.models import GrantMode, GrantSource

    return grant_power(matter, holder, mode or GrantMode.TRANSFERRED, township=township, valid_from=start,
                       source_kind=GrantSource.IMPORT)


def make_ticket(*, category, township: Agency, **over):
    """A ticket taken in at the command-centre desk (dispatch intake service)."""
    from dispatch import services

    data = {
        "channel": "staff",
        "description": "菜市场门口流动摊贩占道经营，影响通行。",
        "category": category,
        "township": township,
        "reporter_name": "张三",
        "reporter_phone": "13812345678",
        "place": "甲镇人民路菜市场",
        "lat": 30.0,
        "lng": 120.0,
    }
    data.update(over)
    return services.ticket_intake(**data).ticket


def set_ticket_fields(ticket, **fields) -> None:
    """Write a ticket's columns directly (a test's shortcut for the sweep or a service), moving it in the
    board's summary as those do (dispatch.summary), so the board and the screen count it."""
    from django.db import transaction

    from dispatch import summary
    from dispatch.models import Ticket

    with transaction.atomic():
        before = summary.locked_key(ticket.pk)
        Ticket.objects.filter(pk=ticket.pk).update(**fields)
        summary.record_move(before, summary.locked_key(ticket.pk))


def make_batch(by, townships, *, number: str = "2026-1", effective: dt.date | None = None, **extra):
    """A draft devolution batch (devolution service)."""
    from django.utils import timezone

    from devolution import services

    return services.batch_create(
        by=by, number=number, title=extra.pop("title", "第一批赋权事项"),
        provincial_decision="《省人民政府关于赋予乡镇（街道）县级行政执法权的决定》",
        county_document_no="县政发〔2026〕1 号", townships=townships,
        effective_date=effective or timezone.localdate(),
    )


def make_closed_case(*, number: str, agency: Agency, matter, decided_on: dt.date, **over):
    """A finished case file written directly (for review and statistics tests; the case services are
    tested with their own process in tests/enforcement)."""
    from enforcement.cases.models import Case, CaseStatus
    from enforcement.models import PartyKind

    values = dict(
        number=number, agency=agency, matter=matter, title=f"测试案件{number}", occurred_on=dt.date(2025, 1, 5),
        discovered_on=dt.date(2025, 1, 6), party_kind=PartyKind.INDIVIDUAL, party_name=f"当事人{number}",
        decided_on=decided_on, filed_on=decided_on - dt.timedelta(days=20), outcome="penalty",
        status=CaseStatus.CLOSED,
    )
    values.update(over)
    return Case.objects.create(**values)


def run_together(*targets) -> None:
    """Start each callable in its own thread at once and wait for all (a race of concurrent requests)."""
    import threading

    threads = [threading.Thread(target=t) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting"
