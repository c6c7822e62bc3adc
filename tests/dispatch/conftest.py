"""Fixtures of the dispatch tests: a matter held by the stationed squadron, categories, grids, a clock."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dispatch import services
from dispatch.models import TicketCategory
from enforcement.models import AgencyKind, Domain, GrantMode, GrantSource, Matter, PowerGrant, PowerType, Role
from tests import factories
from tests.factories import AgencyFactory, GridFactory, member

SHANGHAI = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n% test\n"


def at(*args) -> dt.datetime:
    """An aware Beijing time: ``at(2026, 9, 30, 10)``."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


def png(name: str = "photo.png", size: int | None = None) -> SimpleUploadedFile:
    content = PNG if size is None else PNG + b"\x00" * max(size - len(PNG), 0)
    return SimpleUploadedFile(name, content, content_type="image/png")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def clock(monkeypatch):
    """Freeze ``timezone.now()`` for the services: ``clock(at(2026, 9, 30, 10))``."""
    from django.utils import timezone

    def set_now(moment: dt.datetime) -> dt.datetime:
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_now


@pytest.fixture
def squadron_b(county):
    return AgencyFactory(
        code="SQB", name="乙街道派驻中队", kind=AgencyKind.SQUADRON_STATIONED, parent=county.brigade,
        stationed_in=county.town_b,
    )


@pytest.fixture
def squadron_b_officer(squadron_b):
    return member(Role.SQUADRON_OFFICER, squadron_b, "squadron_b_officer", certified=True)


@pytest.fixture
def squadron_a_uncertified(county):
    return member(Role.SQUADRON_OFFICER, county.squadron_a, "squadron_a_rookie", certified=False)


@pytest.fixture
def matter(county, squadron_b):
    """占道经营: stationed squadrons act in their townships (派驻)."""
    domain, _ = Domain.objects.get_or_create(code="CSGL", defaults={"name": "城市管理"})
    matter = Matter.objects.create(
        code="CSGL-0001", name="擅自占用城市道路经营", power_type=PowerType.PENALTY, domain=domain,
        origin_department=county.department,
    )
    for township, squadron in ((county.town_a, county.squadron_a), (county.town_b, squadron_b)):
        PowerGrant.objects.create(
            matter=matter, holder=squadron, township=township, mode=GrantMode.STATIONED,
            valid_from=dt.date(2024, 1, 1), source_kind=GrantSource.DOCUMENT, source_ref="县编办〔2024〕1号",
        )
    return matter


@pytest.fixture
def category(db):
    category, _ = TicketCategory.objects.get_or_create(code="ZDJY", defaults={"name": "占道经营"})
    return category


@pytest.fixture
def other_category(db):
    category, _ = TicketCategory.objects.get_or_create(code="ZSRM", defaults={"name": "噪声扰民"})
    return category


@pytest.fixture
def grids(county):
    return SimpleNamespace(
        a1=GridFactory(township=county.town_a, code="TA-01", name="甲镇一网格"),
        a2=GridFactory(township=county.town_a, code="TA-02", name="甲镇二网格"),
        b1=GridFactory(township=county.town_b, code="TB-01", name="乙街道一网格"),
    )


@pytest.fixture
def make_ticket(category, county):
    """Intake a ticket (command-centre call by default) with sensible data."""

    def make(**over):
        return factories.make_ticket(**{"category": category, "township": county.town_a, **over})

    return make


@pytest.fixture
def assigned(make_ticket, dispatcher, matter, county):
    """A ticket triaged and assigned to squadron A (the holder of the matter in township A)."""

    def make(**over):
        ticket = make_ticket(**over)
        ticket = services.ticket_triage(ticket, by=dispatcher, matter=matter, township=ticket.township)
        return services.ticket_assign(ticket, by=dispatcher)

    return make


@pytest.fixture
def resolved(assigned, squadron_officer):
    def make(**over):
        ticket = services.ticket_accept(assigned(**over), by=squadron_officer)
        return services.ticket_resolve(ticket, by=squadron_officer, resolution="已劝离摊贩，恢复通行。")

    return make
