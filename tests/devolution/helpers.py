"""Builders for the devolution tests (also used by tests/browser/test_devolution.py)."""

from __future__ import annotations

import datetime as dt
from itertools import count

from django.core.files.base import ContentFile
from django.utils import timezone

from devolution import services
from devolution.models import AssessmentConclusion, Category, ItemMode, StatutoryKind
from enforcement.models import Agency, Membership, Role
from tests.factories import (  # noqa: F401
    LONG_AGO,
    CertificateFactory,
    UserFactory,
    make_batch,
    make_domain,
    make_matter,
)

# The shared builders (tests/factories.py), under the names the devolution tests use.
from tests.factories import grant as county_grant  # noqa: F401

domain = make_domain

_serial = count(1)



def today() -> dt.date:
    return timezone.localdate()


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
