"""The ticket and case pages read as English in English: whole sentences, no Chinese left over.

Every object here is made with ASCII data (names, places, descriptions), so
any Chinese character left on an English page is UI text that was not
translated, or a sentence that was cut into pieces around a variable. What
the system stores as a record (official document numbers and titles, which
are Chinese by law, and event notes written at the time) is data too and is
taken out before the check.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone, translation

from dispatch import services as tickets
from dispatch.models import TicketCategory
from enforcement.cases.services import lifecycle as cases
from enforcement.models import (
    AgencyKind,
    CaseSource,
    DiscretionTier,
    Domain,
    Event,
    FineUnit,
    GrantMode,
    GrantSource,
    LegalQualification,
    Matter,
    PartyKind,
    PenaltyKind,
    PowerGrant,
    PowerType,
    Procedure,
    Role,
)
from tests.factories import AgencyFactory, TownshipFactory, member

pytestmark = pytest.mark.django_db

# Han characters, CJK punctuation (、。〔〕) and full-width forms (（）：，；～).
CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")
# Language names are shown in their own language on purpose.
ALLOWED = ("简体中文",)
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "data-confirm")


class _Text(HTMLParser):
    """Visible text of a page, plus the attributes people read (titles, placeholders, confirmations)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts.extend(value for name, value in attrs if name in ATTRIBUTES and value)
        self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"[ \t\r\f\v]+", " ", "".join(parser.parts))


def chinese_left(text: str, data: list[str]) -> list[str]:
    """Lines that still hold Chinese once the stored data and the allowed strings are taken out."""
    for value in sorted({d for d in data if d}, key=len, reverse=True):
        text = text.replace(value, "")
    for value in ALLOWED:
        text = text.replace(value, "")
    return [line.strip() for line in text.splitlines() if CJK.search(line)]


def record_data(obj) -> list[str]:
    """What the event log stores about ``obj``: notes written at the time are data, not UI."""
    kind = ContentType.objects.get_for_model(obj)
    return list(Event.objects.filter(content_type=kind, object_id=obj.pk).values_list("note", flat=True))


@pytest.fixture(autouse=True)
def _records_written_in_chinese():
    """Services write their records as a Chinese clerk's request would (a request leaves its language active)."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def ascii_world(db):
    """A county whose every name is ASCII: a bureau, a town with a stationed squadron, a department."""
    bureau = AgencyFactory(code="BUREAU", name="County Bureau", kind=AgencyKind.BUREAU)
    command = AgencyFactory(code="CMD", name="Command Centre", kind=AgencyKind.COMMAND_CENTRE, parent=bureau)
    town = TownshipFactory(code="TA", name="Town A", short_name="TownA", kind=AgencyKind.TOWN)
    brigade = AgencyFactory(code="BRIG", name="Brigade", kind=AgencyKind.BRIGADE, parent=bureau)
    squadron = AgencyFactory(code="SQA", name="Squadron A", kind=AgencyKind.SQUADRON_STATIONED, parent=brigade,
                             stationed_in=town)
    department = AgencyFactory(code="DEPT", name="Housing Department", kind=AgencyKind.DEPARTMENT)
    domain = Domain.objects.create(code="CSGL", name="Urban management")
    # Tickets about street vending go to the stationed squadron; the town itself handles littering cases.
    matter = _matter("CSGL-9001", "Street vending on the pavement", domain, department)
    case_matter = _matter("CSGL-9002", "Littering in a public place", domain, department)
    for subject, holder, mode in ((matter, squadron, GrantMode.STATIONED), (case_matter, town, GrantMode.DEVOLVED)):
        PowerGrant.objects.create(
            matter=subject, holder=holder, township=town, mode=mode, valid_from=dt.date(2024, 1, 1),
            source_kind=GrantSource.DOCUMENT, source_ref="Doc 2024-1",
        )
    # Categories come with Chinese names from a data migration: give them all ASCII ones.
    for n, category in enumerate(TicketCategory.objects.all()):
        category.name = f"Category {n}"
        category.save(update_fields=["name"])
    category = TicketCategory.objects.create(code="EN-VEND", name="Street vending")
    people = SimpleNamespace(
        dispatcher=member(Role.DISPATCHER, command, "dispatcher", certified=True, first_name="Dana"),
        squad=member(Role.SQUADRON_OFFICER, squadron, "squad", certified=True, first_name="Sam"),
        town_officer=member(Role.TOWNSHIP_OFFICER, town, "town_officer", certified=True, first_name="Tom"),
        town_officer2=member(Role.TOWNSHIP_OFFICER, town, "town_officer2", certified=True, first_name="Tina"),
        legal=member(Role.LEGAL_REVIEWER, town, "legal", certified=True, first_name="Lee"),
    )
    # Art. 58(2): a first-time legal reviewer holds the legal professional qualification.
    LegalQualification.objects.create(officer=people.legal, certificate_number="A20203301000001",
                                      passed_on=dt.date(2020, 3, 1))
    return SimpleNamespace(bureau=bureau, town=town, squadron=squadron, department=department, matter=matter,
                           case_matter=case_matter, category=category, **vars(people))


def _matter(code: str, name: str, domain, department) -> Matter:
    matter = Matter.objects.create(
        code=code, name=name, power_type=PowerType.PENALTY, domain=domain, origin_department=department,
        violated_provision="City Appearance Regulations, art. 14",
        penalty_provision="City Appearance Regulations, art. 34(1)",
    )
    for order, level, kinds, low, high in (
        (1, "Minor", [PenaltyKind.WARNING], None, None),
        (2, "Ordinary", [PenaltyKind.FINE], Decimal("50"), Decimal("200")),
        (3, "Serious", [PenaltyKind.FINE], Decimal("5000"), Decimal("200000")),
    ):
        DiscretionTier.objects.create(matter=matter, order=order, level=level, circumstances=f"{level} case",
                                      penalty_kinds=kinds, fine_min=low, fine_max=high, fine_unit=FineUnit.YUAN)
    return matter


def _ticket(world):
    return tickets.ticket_intake(
        channel="staff", by=world.dispatcher, description="A vendor blocks the pavement at the market gate.",
        category=world.category, township=world.town, reporter_name="Zhang San", reporter_phone="13812345678",
        place="1 People's Road", lat=30.0, lng=120.0, note="Received by phone.",
    ).ticket


def _assigned(world):
    ticket = tickets.ticket_triage(_ticket(world), by=world.dispatcher, matter=world.matter, township=world.town)
    return tickets.ticket_assign(ticket, by=world.dispatcher)


def _page(client, user, url) -> tuple[str, str]:
    client.force_login(user)
    with translation.override(settings.LANGUAGE_CODE):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="en"' in html
    return html, visible_text(html)


def _ticket_data(ticket) -> list[str]:
    ticket.refresh_from_db()
    return [ticket.number, ticket.proposal_basis, *record_data(ticket)]


# --- tickets -------------------------------------------------------------------------------------


def test_new_ticket_page_reads_in_english_for_the_desk(english, ascii_world):
    ticket = _ticket(ascii_world)
    html, text = _page(english, ascii_world.dispatcher, reverse("dispatch:ticket-detail", args=[ticket.pk]))
    assert chinese_left(text, _ticket_data(ticket)) == []
    assert "Dismiss this ticket?" in html
    assert "(masked)" not in text  # the desk sees the reporter in full


def test_ticket_in_hand_with_an_extension_request_reads_in_english(english, ascii_world):
    ticket = tickets.ticket_accept(_assigned(ascii_world), by=ascii_world.squad)
    tickets.extension_request(ticket, by=ascii_world.squad, amount=2, reason="The owner must help.")
    html, text = _page(english, ascii_world.dispatcher, reverse("dispatch:ticket-detail", args=[ticket.pk]))
    assert chinese_left(text, _ticket_data(ticket)) == []
    accepted = timezone.localtime(ticket.accepted_at).strftime("%Y-%m-%d %H:%M")
    assert f"accepted on {accepted}" in text
    assert "Extension request pending: 2 working days, reason: The owner must help." in text


def test_closed_ticket_with_a_verdict_reads_in_english(english, ascii_world):
    ticket = tickets.ticket_accept(_assigned(ascii_world), by=ascii_world.squad)
    ticket = tickets.ticket_resolve(ticket, by=ascii_world.squad, resolution="The vendor moved away.")
    ticket = tickets.ticket_verdict(ticket, by=ascii_world.town_officer, accepted=True, score=4, reason="Quick.")
    for user in (ascii_world.dispatcher, ascii_world.town_officer):
        _html, text = _page(english, user, reverse("dispatch:ticket-detail", args=[ticket.pk]))
        assert chinese_left(text, _ticket_data(ticket)) == [], user
        assert "Verdict: Approved, 4 points · Quick." in text
    assert "(masked)" in text  # the township reads the reporter's phone masked


def test_one_point_verdict_is_singular(english, ascii_world):
    ticket = tickets.ticket_accept(_assigned(ascii_world), by=ascii_world.squad)
    ticket = tickets.ticket_resolve(ticket, by=ascii_world.squad, resolution="Done.")
    ticket = tickets.ticket_verdict(ticket, by=ascii_world.town_officer, accepted=True, score=1)
    _html, text = _page(english, ascii_world.dispatcher, reverse("dispatch:ticket-detail", args=[ticket.pk]))
    assert "Verdict: Approved, 1 point" in text and "1 points" not in text


def test_ticket_page_stays_chinese_by_default(client, ascii_world):
    ticket = tickets.ticket_accept(_assigned(ascii_world), by=ascii_world.squad)
    client.force_login(ascii_world.dispatcher)
    text = visible_text(client.get(reverse("dispatch:ticket-detail", args=[ticket.pk])).content.decode())
    accepted = timezone.localtime(ticket.accepted_at).strftime("%Y-%m-%d %H:%M")
    assert f"已于 {accepted} 签收" in text


# --- cases ----------------------------------------------------------------------------------------


def _lead(world):
    return cases.case_create_lead(
        by=world.town_officer, agency=world.town, matter=world.case_matter, title="Litter left at the market",
        occurred_on=dt.date(2026, 2, 20), discovered_on=dt.date(2026, 2, 25), party_kind=PartyKind.INDIVIDUAL,
        party_name="Zhang San", party_id_number="330102199001011234", party_address="1 People's Road",
        party_phone="13812345678", source=CaseSource.INSPECTION, place="People's Road",
        facts="The party left rubbish at the market gate and did not clear it when asked.",
        procedure=Procedure.ORDINARY,
    )


def _filed(world):
    case = cases.case_file(_lead(world), by=world.town_officer, officers=[world.town_officer, world.town_officer2],
                           on=dt.date(2026, 3, 2))
    return cases.case_investigate(case, by=world.town_officer)


def _case_data(case) -> list[str]:
    case.refresh_from_db()
    values = [case.number, case.filing_number, case.decision_number, case.archive_number, case.holder_via,
              *record_data(case)]
    for document in case.documents.all():
        values += [document.title, document.number]
    return values


def test_case_with_a_hearing_reads_in_english(english, ascii_world):
    serious = ascii_world.case_matter.tiers.get(order=3)
    case = cases.case_send_notice(_filed(ascii_world), by=ascii_world.town_officer, kinds=[PenaltyKind.FINE],
                                  fine="20000", tier=serious, on=dt.date(2026, 3, 10))
    case = cases.case_request_hearing(case, by=ascii_world.town_officer, on=dt.date(2026, 3, 11))
    _html, text = _page(english, ascii_world.town_officer, reverse("cases:detail", args=[case.pk]))
    assert chinese_left(text, _case_data(case)) == []
    due = timezone.localtime(case.hearing_request_due_at).strftime("%Y-%m-%d")
    assert f"The party was told of the right to a hearing and may request one until {due}." in text
    assert "The party requested a hearing on 2026-03-11." in text
    assert "Proposed: Fine (fine amount: 20000.00 yuan)" in text
    assert "Tom (Lead, enforcement certificate" in text


def test_decided_case_reads_in_english(english, ascii_world):
    case = cases.case_send_notice(_filed(ascii_world), by=ascii_world.town_officer, kinds=[PenaltyKind.FINE],
                                  fine="150", tier=ascii_world.case_matter.tiers.get(order=2), on=dt.date(2026, 3, 10))
    case = cases.case_submit_review(case, by=ascii_world.town_officer)
    case = cases.case_pass_review(case, by=ascii_world.legal, opinion="Facts are clear; agreed.")
    case = cases.case_decide(case, by=ascii_world.town_officer, outcome="penalty", kinds=[PenaltyKind.FINE],
                             fine="150", tier=case.tier, on=dt.date(2026, 3, 20), decision_text="Fine.",
                             needs_publication=True)
    # The handling officer, and a county-wide reader who sees the party masked.
    for user in (ascii_world.town_officer, ascii_world.dispatcher):
        _html, text = _page(english, user, reverse("cases:detail", args=[case.pk]))
        assert chinese_left(text, _case_data(case)) == [], user
        assert "fine of 150.00 yuan" in text
        assert "Legal review (" in text and "): Passed · Lee · Facts are clear; agreed." in text
        assert "discovered on 2026-02-25" in text
