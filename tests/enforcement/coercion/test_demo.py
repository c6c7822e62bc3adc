"""The demo county has coercive measures in every state, an extended one and an overdue release, whatever today is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from enforcement.coercion.choices import ExecutionStatus, MeasureStatus
from enforcement.coercion.models import CoerciveMeasure, Execution


def demo_coercion_holds(output: str) -> None:
    assert "行政强制：措施" in output
    measures = CoerciveMeasure.objects.all()
    assert set(measures.values_list("status", flat=True)) == set(MeasureStatus.values)
    assert measures.filter(status=MeasureStatus.EXTENDED, extension_days__gt=0).exists()
    now = timezone.now()
    overdue = measures.filter(status=MeasureStatus.IN_FORCE, ends_at__lt=now)
    assert overdue.exists() and set(overdue.values_list("warning_level", flat=True)) == {"red"}
    emergency = measures.get(is_emergency=True, approved_at__isnull=True)
    assert (emergency.warning_level, emergency.warning_key) == ("red", "emergency_approval")
    assert set(Execution.objects.values_list("status", flat=True)) == set(ExecutionStatus.values)
    years = set(measures.exclude(decided_on=None).values_list("decided_on__year", flat=True))
    assert len(years) >= 1 and measures.filter(decided_on__lt=timezone.localdate() - dt.timedelta(days=290)).exists()


@pytest.mark.django_db
def test_the_demo_pages_show_every_state(demo_county, client):
    from django.contrib.auth import get_user_model

    demo_coercion_holds(demo_county.output)
    admin = get_user_model().objects.get(username="admin")
    client.force_login(admin)
    page = client.get(reverse("coercion:list") + "?warning=red").content.decode()
    assert page.count('data-testid="warning"') >= 2
    measure = CoerciveMeasure.objects.filter(status=MeasureStatus.EXTENDED).first()
    assert client.get(reverse("coercion:document", args=[measure.pk, "extension"])).status_code == 200
    assert client.get(reverse("coercion:statistics")).status_code == 200
