"""Demo data: two batches (one in force, one under review) written through the services, idempotently."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from devolution.demo import seed_devolution
from devolution.models import BatchStatus, Category, DevolutionBatch, EnactedGrant, ItemMode
from devolution.rules import blocking_problems
from enforcement.models import Event, GrantSource, PowerGrant

pytestmark = pytest.mark.django_db


def test_the_step_skips_with_a_message_when_the_catalogue_has_no_matters():
    out = io.StringIO()

    seed_devolution(out, "pw")

    assert "跳过" in out.getvalue()
    assert not DevolutionBatch.objects.exists()


def test_seed_demo_builds_a_batch_in_force_and_one_under_review_and_is_idempotent():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "2025-1（已生效）" in out.getvalue() and "2026-1（审查中）" in out.getvalue()

    in_force = DevolutionBatch.objects.get(number="2025-1")
    review = DevolutionBatch.objects.get(number="2026-1")
    assert (in_force.status, review.status) == (BatchStatus.IN_FORCE, BatchStatus.UNDER_REVIEW)
    items = list(in_force.items.all())
    assert 55 <= len(items) <= 65
    assert {i.category for i in items} == set(Category.values)
    assert {i.mode for i in items} == set(ItemMode.values)
    grants = PowerGrant.objects.filter(source_kind=GrantSource.BATCH, source_batch_id=in_force.pk)
    assert grants.count() == EnactedGrant.objects.count() > 100
    # The batch under review shows what still blocks it: a rejected item and a missing assessment.
    codes = {p.code for p in blocking_problems(review)}
    assert {"item_rejected", "assessment_missing"} <= codes
    counts = (PowerGrant.objects.count(), Event.objects.count(), DevolutionBatch.objects.count())

    call_command("seed_demo", stdout=io.StringIO())

    assert (PowerGrant.objects.count(), Event.objects.count(), DevolutionBatch.objects.count()) == counts
