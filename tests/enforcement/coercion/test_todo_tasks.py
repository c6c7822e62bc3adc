"""Coercion on the to-do lists, the periodic sweep task and its place in the one beat schedule."""

from __future__ import annotations

import time_machine

from bureau.schedule import BEAT_SCHEDULE
from enforcement.coercion.tasks import sweep_coercion_warnings
from enforcement.todo import todo_for
from tests.enforcement.coercion.conftest import at, draft, in_force


def test_the_sweep_is_in_the_beat_schedule_and_idempotent(world):
    entries = [e for e in BEAT_SCHEDULE.values() if e["task"] == "enforcement.coercion.tasks.sweep_coercion_warnings"]
    assert len(entries) == 1
    measure = in_force(world, at("2026-09-05"))  # ends 5 October: overdue today (December 2026 or later)
    first = sweep_coercion_warnings()
    assert first["changed"] == {"red": 1} and first["notified"] == 3
    assert sweep_coercion_warnings() == {"changed": {}, "notified": 0}
    measure.refresh_from_db()
    assert measure.warning_level == "red"


def test_officers_and_heads_see_their_measures_to_do(world, officer_b):
    with time_machine.travel(at("2026-09-30", "12:00"), tick=False):
        in_force(world, at("2026-09-20"))
        emergency = in_force(world, at("2026-09-30", "09:00"), emergency=True)
        draft(world)
        officer = {(i.kind, i.reference) for i in todo_for(world.officer)}
        head = {(i.kind, i.reference) for i in todo_for(world.leader)}
    assert ("coercion.approve", emergency.display_number) in head
    assert ("coercion.approve", emergency.display_number) not in officer
    assert sum(1 for kind, _ref in officer if kind == "coercion.release") == 2
    assert any(kind == "coercion.enforce" for kind, _ref in officer)
    assert not [i for i in todo_for(officer_b) if i.kind.startswith("coercion.")]
