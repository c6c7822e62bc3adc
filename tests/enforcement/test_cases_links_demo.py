"""Demo cases the system made from warnings not corrected (no actor) open for every role: links, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from enforcement.cases.models import Case
from enforcement.models import Membership, Role
from enforcement.warnings.choices import WarningStatus
from enforcement.warnings.models import WarningNotice

pytestmark = pytest.mark.django_db


def test_a_demo_case_from_a_warning_opens_for_one_user_of_every_role(demo_county):
    warning = (
        WarningNotice.objects.filter(status=WarningStatus.TURNED_TO_CASE).select_related("case", "agency")
        .order_by("number").first()
    )
    assert warning is not None
    case = warning.case
    people = {}
    for m in Membership.objects.active().select_related("user", "agency").order_by("role", "agency__code", "user__pk"):
        people.setdefault(m.role, m.user)
    # The township that issued the warning and handles its case, and another township.
    own = Membership.objects.active().filter(agency=warning.agency, role=Role.TOWNSHIP_OFFICER).first().user
    other = Membership.objects.active().filter(role=Role.TOWNSHIP_OFFICER).exclude(agency=warning.agency).first().user
    people.update({"own township": own, "other township": other})
    assert len(people) >= 9, sorted(people)
    opened = 0
    for role, user in people.items():
        client = Client()
        client.force_login(user)
        sees_case = Case.objects.visible_to(user).filter(pk=case.pk).exists()
        sees_warning = WarningNotice.objects.visible_to(user).filter(pk=warning.pk).exists()
        page = client.get(reverse("cases:detail", args=[case.pk]))
        assert page.status_code == (200 if sees_case else 404), role
        if sees_case:
            opened += 1
            html = page.content.decode()
            assert (reverse("warnings:detail", args=[warning.pk]) in html) == sees_warning, role
            # The lead was registered by the system (no actor): its history says so.
            assert '<div class="text-muted">系统' in html, role
        page = client.get(reverse("warnings:detail", args=[warning.pk]))
        assert page.status_code == (200 if sees_warning else 404), role
        if sees_warning:
            assert (reverse("cases:detail", args=[case.pk]) in page.content.decode()) == sees_case, role
    assert opened >= 3
    # Concretely: the issuing township opens both and sees them linked; another township neither.
    assert Case.objects.visible_to(own).filter(pk=case.pk).exists()
    assert not Case.objects.visible_to(other).filter(pk=case.pk).exists()
    assert not WarningNotice.objects.visible_to(other).filter(pk=warning.pk).exists()


def test_a_demo_seizure_confiscated_under_a_case_is_listed_on_the_case(demo_county):
    from enforcement.coercion.models import CoerciveMeasure

    measure = CoerciveMeasure.objects.filter(case__isnull=False).select_related("case").order_by("pk").first()
    assert measure is not None and measure.case.agency_id == measure.agency_id
    own = Membership.objects.active().filter(agency=measure.agency, role=Role.TOWNSHIP_OFFICER).first().user
    client = Client()
    client.force_login(own)
    html = client.get(reverse("cases:detail", args=[measure.case_id])).content.decode()
    assert 'data-testid="link-measure"' in html and reverse("coercion:detail", args=[measure.pk]) in html
    html = client.get(reverse("coercion:detail", args=[measure.pk])).content.decode()
    assert reverse("cases:detail", args=[measure.case_id]) in html
