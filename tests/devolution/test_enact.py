"""Enacting writes grants through the catalogue's power services; revoking ends them and restores the holder."""

from __future__ import annotations

import datetime as dt

import pytest

from devolution import services
from devolution.models import BatchItem, BatchStatus, Category, EnactedGrant, ItemMode, ItemState
from devolution.tasks import enact_due_batches
from enforcement.catalogue.powers import grant_power, holder_of
from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.models import Event, GrantMode, GrantSource, PowerGrant
from tests.devolution.helpers import (
    add_agreement,
    add_item,
    enact,
    make_batch,
    today,
)

pytestmark = pytest.mark.django_db


def days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


def test_devolved_item_makes_the_township_the_holder_and_leaves_the_county_grant_alone(dv):
    matter = dv.matters[0]
    batch = make_batch(dv.admin, [dv.town_a, dv.town_b])
    add_item(batch, dv.admin, matter, [dv.town_a])

    batch = enact(batch, dv.admin, dv.reviewer)

    assert batch.status == BatchStatus.IN_FORCE and batch.enacted_on == today()
    answer = holder_of(matter, dv.town_a)
    assert (answer.agency, answer.mode) == (dv.town_a, GrantMode.DEVOLVED)
    grant = answer.grant
    assert (grant.source_kind, grant.source_ref, grant.source_batch_id) == (GrantSource.BATCH, "2026-1", batch.pk)
    assert grant.valid_from == today() and grant.valid_to is None
    # Township B and the day before still answer with the county-wide bureau grant, which is untouched.
    assert holder_of(matter, dv.town_b).agency == dv.bureau
    assert holder_of(matter, dv.town_a, on=days(-1)).agency == dv.bureau
    assert PowerGrant.objects.get(matter=matter, township__isnull=True).valid_to is None


def test_each_mode_gets_its_holder(dv, county):
    m_dev, m_ent, m_sta = dv.matters
    m_hub = dv.matters[0].__class__.objects.create(
        code="ZRZY-0009", name="辐射事项", power_type="penalty", domain=m_dev.domain,
        origin_department=dv.department, in_guidance_catalogue=True,
    )
    batch = make_batch(dv.admin, [dv.town_a, dv.town_b])
    add_item(batch, dv.admin, m_dev, [dv.town_b])
    add_item(batch, dv.admin, m_ent, [dv.town_a, dv.town_b], mode=ItemMode.ENTRUSTED)
    agreement = add_agreement(batch, dv.admin, dv.department, [dv.town_a, dv.town_b])
    add_item(batch, dv.admin, m_sta, [dv.town_a], mode=ItemMode.STATIONED)
    add_item(batch, dv.admin, m_hub, [dv.town_a, dv.town_b], mode=ItemMode.HUB_AND_SPOKE, hub_township=dv.town_a)

    enact(batch, dv.admin, dv.reviewer)

    assert holder_of(m_dev, dv.town_b).agency == dv.town_b
    entrusted = holder_of(m_ent, dv.town_b)
    # Entrusted: the township acts in the department's name, for the agreement's term.
    assert (entrusted.agency, entrusted.mode, entrusted.acting_for) == (dv.town_b, GrantMode.ENTRUSTED, dv.department)
    assert entrusted.grant.valid_to == agreement.term_to
    stationed = holder_of(m_sta, dv.town_a)
    assert (stationed.agency, stationed.mode) == (county.squadron_a, GrantMode.STATIONED)
    spoke = holder_of(m_hub, dv.town_b)
    assert (spoke.agency, spoke.mode, spoke.acting_for) == (dv.town_a, GrantMode.HUB_AND_SPOKE, dv.town_b)
    hub = holder_of(m_hub, dv.town_a)
    assert (hub.agency, hub.mode) == (dv.town_a, GrantMode.DEVOLVED)


def test_deferred_items_are_never_enacted(dv):
    batch = make_batch(dv.admin, [dv.town_a])
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a], category=Category.DEFERRED, deferred_reason="人员不足",
             review_date=days(200))
    add_item(batch, dv.admin, dv.matters[1], [dv.town_a])

    enact(batch, dv.admin, dv.reviewer)

    assert holder_of(dv.matters[0], dv.town_a).agency == dv.bureau
    assert holder_of(dv.matters[1], dv.town_a).agency == dv.town_a


def test_enacting_twice_changes_nothing(dv):
    batch = make_batch(dv.admin, [dv.town_a, dv.town_b])
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a, dv.town_b])
    batch = enact(batch, dv.admin, dv.reviewer)
    grants = list(PowerGrant.objects.order_by("pk").values())
    events = Event.objects.count()

    again = services.batch_enact(batch, by=dv.admin)
    stale = services.batch_enact(batch.__class__.objects.get(pk=batch.pk), by=dv.admin)
    ran = enact_due_batches.delay().get()

    assert again.status == stale.status == BatchStatus.IN_FORCE
    assert ran == []
    assert list(PowerGrant.objects.order_by("pk").values()) == grants
    assert Event.objects.count() == events


def test_enacting_before_the_effective_date_is_refused(dv):
    batch = make_batch(dv.admin, [dv.town_a], effective=days(10))
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a])

    with pytest.raises(InvalidTransition) as exc:
        enact(batch, dv.admin, dv.reviewer)

    assert "尚未到期" in exc.value.message
    assert batch.__class__.objects.get(pk=batch.pk).status == BatchStatus.PUBLISHED
    assert not PowerGrant.objects.filter(source_kind=GrantSource.BATCH).exists()


def test_periodic_task_enacts_published_batches_whose_date_has_arrived(dv):
    from tests.devolution.helpers import approve

    due = make_batch(dv.admin, [dv.town_a], number="2026-1")
    add_item(due, dv.admin, dv.matters[0], [dv.town_a])
    later = make_batch(dv.admin, [dv.town_a], number="2026-2", effective=days(5))
    add_item(later, dv.admin, dv.matters[1], [dv.town_a])
    for b in (due, later):
        services.batch_publish(approve(b, dv.admin, dv.reviewer), by=dv.admin)

    assert enact_due_batches.delay().get() == ["2026-1"]
    assert enact_due_batches.delay().get() == []

    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == (BatchStatus.IN_FORCE, BatchStatus.PUBLISHED)
    event = Event.objects.for_object(due).get(action="enact")
    assert event.actor is None  # the system enacted it


def test_late_enactment_starts_on_the_day_of_enacting_so_past_answers_never_change(dv):
    batch = make_batch(dv.admin, [dv.town_a], effective=days(10))
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a])

    enact(batch, dv.admin, dv.reviewer, on=days(12))

    assert holder_of(dv.matters[0], dv.town_a, on=days(11)).agency == dv.bureau
    assert holder_of(dv.matters[0], dv.town_a, on=days(12)).agency == dv.town_a


def test_a_township_grant_is_ended_and_replaced(dv):
    matter = dv.matters[0]
    old = grant_power(matter, dv.town_a, GrantMode.DEVOLVED, township=dv.town_a, valid_from=dt.date(2021, 1, 1),
                      source_kind=GrantSource.DOCUMENT, source_ref="县政发〔2021〕1 号")
    batch = make_batch(dv.admin, [dv.town_a])
    add_item(batch, dv.admin, matter, [dv.town_a], mode=ItemMode.STATIONED)

    enact(batch, dv.admin, dv.reviewer)

    old.refresh_from_db()
    assert old.valid_to == days(-1)
    assert holder_of(matter, dv.town_a, on=days(-1)).grant == old
    assert holder_of(matter, dv.town_a).mode == GrantMode.STATIONED
    assert EnactedGrant.objects.get().replaced_grant == old


def test_revoking_an_item_restores_the_county_wide_holder_from_that_date(dv):
    matter = dv.matters[0]
    batch = make_batch(dv.admin, [dv.town_a])
    item = add_item(batch, dv.admin, matter, [dv.town_a])
    enact(batch, dv.admin, dv.reviewer)

    services.item_revoke(item, on=days(30), by=dv.admin, reason="承接能力不足")

    assert holder_of(matter, dv.town_a, on=days(29)).agency == dv.town_a
    assert holder_of(matter, dv.town_a, on=days(30)).agency == dv.bureau
    item.refresh_from_db()
    assert (item.state, item.revoked_on) == (ItemState.REVOKED, days(30))
    assert Event.objects.for_object(batch).filter(action="item_revoke").count() == 1
    # The item's own state changed through the workflow helper, with its event.
    event = Event.objects.for_object(item).get(action="revoke")
    assert (event.action, event.from_state, event.to_state, event.actor, event.note) == (
        "revoke", "active", "revoked", dv.admin, "承接能力不足")


def test_revoking_restores_a_township_grant_that_was_replaced(dv):
    matter = dv.matters[0]
    old = grant_power(matter, dv.town_a, GrantMode.DEVOLVED, township=dv.town_a, valid_from=dt.date(2021, 1, 1),
                      source_kind=GrantSource.DOCUMENT, source_ref="县政发〔2021〕1 号")
    batch = make_batch(dv.admin, [dv.town_a])
    item = add_item(batch, dv.admin, matter, [dv.town_a], mode=ItemMode.STATIONED)
    enact(batch, dv.admin, dv.reviewer)

    services.item_revoke(item, on=days(20), by=dv.admin, reason="派驻中队撤并")

    restored = holder_of(matter, dv.town_a, on=days(20))
    assert (restored.agency, restored.mode, restored.grant.source_ref) == (dv.town_a, GrantMode.DEVOLVED,
                                                                         "县政发〔2021〕1 号")
    assert holder_of(matter, dv.town_a, on=days(19)).mode == GrantMode.STATIONED
    assert holder_of(matter, dv.town_a, on=days(-1)).grant == old


def test_holder_history_across_two_batches_never_changes_past_answers(dv):
    matter = dv.matters[0]
    first = make_batch(dv.admin, [dv.town_a], number="2026-1", effective=days(10))
    add_item(first, dv.admin, matter, [dv.town_a])
    enact(first, dv.admin, dv.reviewer, on=days(10))
    second = make_batch(dv.admin, [dv.town_a], number="2026-2", effective=days(20))
    later = add_item(second, dv.admin, matter, [dv.town_a], mode=ItemMode.STATIONED)
    enact(second, dv.admin, dv.reviewer, on=days(20))

    def answers():
        return [(a.agency.code, a.grant.source_ref or "") for a in
                (holder_of(matter, dv.town_a, on=days(n)) for n in (5, 15, 25, 35))]

    assert answers() == [("BUREAU", ""), ("TA", "2026-1"), ("SQA", "2026-2"), ("SQA", "2026-2")]

    services.item_revoke(later, on=days(30), by=dv.admin, reason="改回赋权")

    # Before the revocation nothing changed; from it the first batch's township holds the matter again.
    assert answers() == [("BUREAU", ""), ("TA", "2026-1"), ("SQA", "2026-2"), ("TA", "2026-1")]
    restored = holder_of(matter, dv.town_a, on=days(35)).grant
    assert restored.source_batch_id == first.pk
    # Revoking the first batch later ends the restored grant and brings back the bureau.
    services.batch_revoke(first.__class__.objects.get(pk=first.pk), on=days(40), by=dv.admin, reason="整批调整")
    assert answers() == [("BUREAU", ""), ("TA", "2026-1"), ("SQA", "2026-2"), ("TA", "2026-1")]
    assert holder_of(matter, dv.town_a, on=days(40)).agency == dv.bureau


def test_revoking_a_whole_batch_ends_all_its_grants_and_records_the_date(dv):
    batch = make_batch(dv.admin, [dv.town_a, dv.town_b])
    for matter in dv.matters[:2]:
        add_item(batch, dv.admin, matter, [dv.town_a, dv.town_b])
    batch = enact(batch, dv.admin, dv.reviewer)

    batch = services.batch_revoke(batch, on=days(7), by=dv.admin, reason="上级决定调整")

    assert (batch.status, batch.revoked_on) == (BatchStatus.REVOKED, days(7))
    assert set(BatchItem.objects.values_list("state", flat=True)) == {ItemState.REVOKED}
    for matter in dv.matters[:2]:
        for town in (dv.town_a, dv.town_b):
            assert holder_of(matter, town, on=days(7)).agency == dv.bureau
            assert holder_of(matter, town, on=days(6)).agency == town
    assert Event.objects.for_object(batch).filter(action="revoke", to_state=BatchStatus.REVOKED).exists()


def test_revoking_an_integrated_item_takes_its_whole_package(dv):
    batch = make_batch(dv.admin, [dv.town_a])
    package = services.package_create(batch, by=dv.admin, name="违法建设查处“一件事”")
    one = add_item(batch, dv.admin, dv.matters[0], [dv.town_a], category=Category.INTEGRATED, package=package)
    add_item(batch, dv.admin, dv.matters[1], [dv.town_a], category=Category.INTEGRATED, package=package)
    add_item(batch, dv.admin, dv.matters[2], [dv.town_a])
    enact(batch, dv.admin, dv.reviewer)

    revoked = services.item_revoke(one, on=days(3), by=dv.admin, reason="一件事整体调整")

    assert {i.matter for i in revoked} == set(dv.matters[:2])
    assert [holder_of(m, dv.town_a, on=days(3)).agency for m in dv.matters] == [dv.bureau, dv.bureau, dv.town_a]


def test_revocation_is_refused_for_past_dates_without_reason_or_by_non_administrators(dv, dispatcher):
    batch = make_batch(dv.admin, [dv.town_a])
    item = add_item(batch, dv.admin, dv.matters[0], [dv.town_a])
    batch = enact(batch, dv.admin, dv.reviewer)

    with pytest.raises(ValidationFailed) as exc:
        services.item_revoke(item, on=days(-1), by=dv.admin, reason="x")
    assert "早于今天" in exc.value.message
    with pytest.raises(ValidationFailed):
        services.item_revoke(item, on=days(1), by=dv.admin, reason=" ")
    with pytest.raises(PermissionRefused):
        services.item_revoke(item, on=days(1), by=dispatcher, reason="x")
    with pytest.raises(PermissionRefused):
        services.batch_revoke(batch, on=days(1), by=dv.reviewer, reason="x")
    assert holder_of(dv.matters[0], dv.town_a, on=days(5)).agency == dv.town_a


def test_items_of_a_batch_not_in_force_cannot_be_revoked(dv):
    batch = make_batch(dv.admin, [dv.town_a])
    item = add_item(batch, dv.admin, dv.matters[0], [dv.town_a])

    with pytest.raises(InvalidTransition):
        services.item_revoke(item, on=today(), by=dv.admin, reason="x")


@pytest.mark.django_db(transaction=True)
def test_two_administrators_enacting_at_once_write_the_grants_once(postgres, dv):
    import threading

    from django.db import connection

    from devolution.models import DevolutionBatch
    from tests.devolution.helpers import approve

    batch = make_batch(dv.admin, [dv.town_a, dv.town_b])
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a, dv.town_b])
    batch = services.batch_publish(approve(batch, dv.admin, dv.reviewer), by=dv.admin)
    barrier = threading.Barrier(2)
    outcomes = []

    def press_enact():
        try:
            barrier.wait(timeout=10)
            outcomes.append(services.batch_enact(DevolutionBatch.objects.get(pk=batch.pk), by=dv.admin).status)
        except Exception as exc:  # noqa: BLE001 - reported through the assertion below
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press_enact) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert outcomes == [BatchStatus.IN_FORCE, BatchStatus.IN_FORCE]
    assert PowerGrant.objects.filter(source_batch_id=batch.pk).count() == 2
    assert Event.objects.for_object(batch).filter(action="enact").count() == 1
