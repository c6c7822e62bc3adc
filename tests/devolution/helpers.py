"""Builders for the devolution tests (also used by tests/browser/test_devolution.py)."""

from __future__ import annotations

import datetime as dt
from itertools import count

from django.core.files.base import ContentFile
from django.utils import timezone

from devolution import services
from devolution.models import AssessmentConclusion, Category, ItemMode, StatutoryKind
from enforcement.catalogue.powers import grant_power
from enforcement.models import Agency, Domain, GrantMode, GrantSource, Matter, Membership, PowerType, Role
from tests.factories import CertificateFactory, UserFactory

_serial = count(1)

LONG_AGO = dt.date(2020, 1, 1)


def today() -> dt.date:
    return timezone.localdate()


def domain(code: str = "CSGL", name: str = "城市管理") -> Domain:
    return Domain.objects.get_or_create(code=code, defaults={"name": name})[0]


def make_matter(code: str, name: str | None = None, *, department: Agency, safety_critical: bool = False,
                in_catalogue: bool = True, dom: Domain | None = None) -> Matter:
    return Matter.objects.create(
        code=code, name=name or f"事项{code}", power_type=PowerType.PENALTY, domain=dom or domain(),
        origin_department=department, safety_critical=safety_critical, in_guidance_catalogue=in_catalogue,
    )


def county_grant(matter: Matter, holder: Agency, mode: str = GrantMode.TRANSFERRED, *, start: dt.date = LONG_AGO):
    return grant_power(matter, holder, mode, valid_from=start, source_kind=GrantSource.IMPORT)


def staff_township(township: Agency, *, certified: int = 7, legal: int = 1, prefix: str | None = None) -> None:
    """Give a township ``certified`` officers with valid certificates and ``legal`` legal reviewers."""
    prefix = prefix or f"t{township.pk}"
    for n in range(certified):
        user = UserFactory(username=f"{prefix}_off{n}_{next(_serial)}")
        Membership.objects.create(user=user, agency=township, role=Role.TOWNSHIP_OFFICER)
        CertificateFactory(officer=user, valid_from=today() - dt.timedelta(days=365),
                           valid_to=today() + dt.timedelta(days=3 * 365))
    for n in range(legal):
        user = UserFactory(username=f"{prefix}_legal{n}_{next(_serial)}")
        Membership.objects.create(user=user, agency=township, role=Role.LEGAL_REVIEWER)


def make_batch(by, townships, *, number: str = "2026-1", effective: dt.date | None = None, **extra):
    return services.batch_create(
        by=by, number=number, title=extra.pop("title", "第一批赋权事项"),
        provincial_decision="《省人民政府关于赋予乡镇（街道）县级行政执法权的决定》",
        county_document_no="县政发〔2026〕1 号", townships=townships, effective_date=effective or today(),
    )


def add_item(batch, by, matter, townships, *, category=Category.PRIORITY, mode=ItemMode.DEVOLVED, cases=12,
             **kwargs):
    return services.item_add(batch, by=by, matter=matter, townships=townships, category=category, mode=mode,
                             rationale="基层发现及时", entered_case_count_3y=cases, **kwargs)


def text_file(name: str = "opinion.txt", text: str = "意见书") -> ContentFile:
    return ContentFile(text.encode(), name=name)


def add_assessment(item, by, conclusion=AssessmentConclusion.SUITABLE):
    return services.assessment_save(item, by=by, assessed_on=today(), experts="张明（县委党校）",
                                    conclusion=conclusion, summary="同意", opinion_file=text_file())


def add_statutory_records(item, by, kinds=None):
    for kind in kinds or list(StatutoryKind):
        services.statutory_record_save(item, by=by, kind=kind, document_no=f"文号-{kind}", issued_on=today())


def add_agreement(batch, by, department, townships, *, term_from=None, term_to=None):
    return services.agreement_save(
        batch, by=by, department=department, townships=townships, scope="委托实施行政处罚",
        term_from=term_from or today() - dt.timedelta(days=1), term_to=term_to or today() + dt.timedelta(days=730),
        file=text_file("agreement.txt"),
    )


def approve(batch, admin, reviewer):
    """Take a draft batch through submit, review and approval."""
    batch = services.batch_submit(batch, by=admin)
    batch = services.batch_start_review(batch, by=reviewer)
    return services.batch_approve(batch, by=reviewer)


def enact(batch, admin, reviewer, *, on=None):
    """Draft -> in force (approved, published, enacted on ``on``)."""
    batch = approve(batch, admin, reviewer)
    batch = services.batch_publish(batch, by=admin)
    return services.batch_enact(batch, by=admin, on=on)
