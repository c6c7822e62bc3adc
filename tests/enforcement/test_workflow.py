"""The shared workflow helper: allowed transitions, permissions, preconditions, events, races."""

from __future__ import annotations

import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from enforcement.errors import Conflict, InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.models import Event
from enforcement.workflow import perform_transition, record_event, transition_label
from tests.workflow_app.models import Sample, Status


@pytest.fixture
def sample(county):
    return Sample.objects.create(title="样例", agency=county.town_a)


def events_of(obj):
    return list(Event.objects.for_object(obj))


def test_transition_changes_state_and_writes_one_event(sample, officer_a):
    updated = perform_transition(sample, "open", by=officer_a, note="收到")

    assert updated.status == Status.OPEN
    assert updated.opened_by == officer_a
    sample.refresh_from_db()
    assert sample.status == Status.OPEN
    [event] = events_of(sample)
    assert (event.action, event.from_state, event.to_state, event.actor, event.note) == (
        "open", "new", "open", officer_a, "收到",
    )
    assert event.actor_agency_id == officer_a.memberships.get().agency_id


def test_transition_not_allowed_from_current_state_is_refused_and_changes_nothing(sample, officer_a):
    with pytest.raises(InvalidTransition) as exc:
        perform_transition(sample, "finish", by=officer_a, result="x")

    assert "新建" in str(exc.value) and "办结" in str(exc.value)
    sample.refresh_from_db()
    assert sample.status == Status.NEW
    assert events_of(sample) == []


def test_actor_without_transition_permission_is_refused(sample, officer_b):
    with pytest.raises(PermissionRefused) as exc:
        perform_transition(sample, "open", by=officer_b)

    assert exc.value.status == 403
    sample.refresh_from_db()
    assert sample.status == Status.NEW
    assert events_of(sample) == []


def test_precondition_raised_by_transition_rolls_back_everything(sample, officer_a):
    opened = perform_transition(sample, "open", by=officer_a)

    with pytest.raises(ValidationFailed) as exc:
        perform_transition(opened, "finish", by=officer_a, result="  ")

    assert exc.value.fields == {"result": ["办结时必须填写处理结果。"]}
    opened.refresh_from_db()
    assert opened.status == Status.OPEN
    assert opened.result == ""
    assert [e.action for e in events_of(opened)] == ["open"]


def test_stale_object_gets_conflict_not_silent_overwrite(sample, officer_a):
    stale = Sample.objects.get(pk=sample.pk)
    perform_transition(sample, "open", by=officer_a)

    with pytest.raises(Conflict) as exc:
        perform_transition(stale, "open", by=officer_a)

    assert exc.value.status == 409
    assert "已被他人处理" in str(exc.value)
    assert len(events_of(sample)) == 1


def test_status_cannot_be_assigned_directly(sample):
    with pytest.raises(AttributeError):
        sample.status = Status.DONE


def test_only_changed_fields_are_saved(sample, officer_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(15) as ctx:
        perform_transition(sample, "open", by=officer_a)
    updates = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert "title" not in updates[0]
    assert "status" in updates[0] and "opened_by_id" in updates[0]


def test_side_effect_runs_only_after_commit(sample, officer_a, django_capture_on_commit_callbacks):
    seen = []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        perform_transition(sample, "open", by=officer_a, on_commit=lambda obj: seen.append(obj.status))
    assert seen == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert seen == [Status.OPEN]


def test_record_event_keeps_state_and_can_be_public(sample, dispatcher):
    event = record_event(sample, "urge", by=dispatcher, note="请加快办理", public=True)

    assert (event.from_state, event.to_state, event.is_public) == ("new", "new", True)
    assert list(Event.objects.for_object(sample).public()) == [event]


def test_transition_label_comes_from_the_table(sample):
    assert transition_label(sample, "finish") == "办结"


@pytest.mark.django_db(transaction=True)
def test_two_people_acting_at_once_one_wins_the_other_gets_conflict(postgres, county):
    """Two threads open the same object at once on PostgreSQL: exactly one wins."""
    from tests.factories import member

    users = [member("township_officer", county.town_a, f"racer{i}") for i in range(2)]
    obj = Sample.objects.create(title="并发", agency=county.town_a)
    copies = [Sample.objects.get(pk=obj.pk) for _ in users]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(copy, user):
        try:
            barrier.wait()
            perform_transition(copy, "open", by=user)
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(c, u)) for c, u in zip(copies, users, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["conflict", "won"]
    assert Event.objects.filter(
        content_type=ContentType.objects.get_for_model(Sample), object_id=obj.pk
    ).count() == 1


def test_nested_in_outer_transaction_rolls_back_with_it(sample, officer_a):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            perform_transition(sample, "open", by=officer_a)
            raise RuntimeError("outer failure")
    sample.refresh_from_db()
    assert sample.status == Status.NEW
    assert events_of(sample) == []
