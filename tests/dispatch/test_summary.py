"""The board's summary of open tickets (dispatch.summary): kept by every change, compacted, reconciled."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dispatch import selectors, services, summary
from dispatch.models import OpenTicketCount, Ticket, TicketStatus, WarningLevel
from dispatch.sla import sweep_warnings
from enforcement.errors import Conflict, DomainError
from enforcement.models import Role
from tests.factories import member

pytestmark = pytest.mark.django_db


def assert_exact() -> None:
    """The summary counts what a recount of the tickets counts, key by key, and reconciling finds no drift."""
    assert summary.totals() == summary.recount()
    assert summary.reconcile() == []


def _step(ticket, rng, *, dispatcher, handlers, judges, open_tickets, matter, county) -> None:
    """One random action the ticket's state allows, through the services (a refusal changes nothing)."""
    t = Ticket.objects.get(pk=ticket.pk)
    handler = handlers.get(t.responsible_agency_id)
    judge = judges.get(t.township_id)
    others = [o for o in open_tickets() if o.pk != t.pk]
    choices = {
        TicketStatus.NEW: ["triage", "dismiss", "merge"],
        TicketStatus.TRIAGED: ["assign", "assign", "dismiss", "merge"],
        TicketStatus.ASSIGNED: ["accept", "accept", "return", "merge"],
        TicketStatus.ACCEPTED: ["start", "resolve", "return", "extend"],
        TicketStatus.IN_PROGRESS: ["resolve", "resolve", "extend"],
        TicketStatus.RESOLVED: ["close", "reopen"],
    }.get(t.status)
    if not choices:
        return
    action = rng.choice(choices)
    if action == "triage":
        services.ticket_triage(t, by=dispatcher, matter=matter, township=rng.choice([county.town_a, county.town_b]))
    elif action == "assign":
        services.ticket_assign(t, by=dispatcher)
    elif action == "dismiss":
        services.ticket_dismiss(t, by=dispatcher, reason="不属于执法事项")
    elif action == "merge" and others:
        services.ticket_merge(t, into=rng.choice(others), by=dispatcher)
    elif action == "accept":
        services.ticket_accept(t, by=handler)
    elif action == "start":
        services.ticket_start(t, by=handler)
    elif action == "resolve":
        services.ticket_resolve(t, by=handler, resolution="已处理完毕。")
    elif action == "return":
        services.ticket_return(t, by=handler, reason="不属于本单位职责")
    elif action == "extend":
        extension = services.extension_request(t, by=handler, amount=3, reason="需现场复核")
        approve = rng.random() < 0.7
        services.extension_decide(extension, by=dispatcher, approve=approve, note="" if approve else "时间足够")
    elif action == "close":
        services.ticket_verdict(t, by=judge, accepted=True, score=rng.randint(1, 5))
    elif action == "reopen":
        services.ticket_verdict(t, by=judge, accepted=False, reason="摊贩仍在")


def test_summary_equals_a_recount_after_a_random_sequence_of_intakes_transitions_and_sweeps(
        make_ticket, county, dispatcher, squadron_officer, squadron_b, squadron_b_officer, officer_a, officer_b,
        matter):
    rng = random.Random(1819)
    handlers = {county.squadron_a.pk: squadron_officer, squadron_b.pk: squadron_b_officer}
    judges = {county.town_a.pk: officer_a, county.town_b.pk: officer_b}
    tickets = []

    def open_tickets():
        return list(Ticket.objects.open().filter(pk__in=[t.pk for t in tickets]))

    done = {"intake": 0, "sweep": 0, "step": 0, "refused": 0}
    seen: set = set()
    for _i in range(120):
        roll = rng.random()
        if roll < 0.2 or not tickets:
            tickets.append(make_ticket(township=rng.choice([county.town_a, county.town_b, None])))
            done["intake"] += 1
        elif roll < 0.3:
            # Hours or days later: lights turn yellow and red against the deadlines set.
            sweep_warnings(now=timezone.now() + dt.timedelta(hours=rng.choice([2, 30, 100, 400])))
            done["sweep"] += 1
        else:
            try:
                _step(rng.choice(tickets), rng, dispatcher=dispatcher, handlers=handlers, judges=judges,
                      open_tickets=open_tickets, matter=matter, county=county)
                done["step"] += 1
            except DomainError:
                done["refused"] += 1  # e.g. a third return, a late extension: rolled back whole
        if _i % 10 == 9:
            counted = summary.totals()
            assert counted == summary.recount(), done
            seen |= set(counted)
    # The sequence went through every kind of key: a red light, most states, both townships and none.
    assert WarningLevel.RED in {k[3] for k in seen}
    assert len({k[2] for k in seen}) >= 5 and len({k[0] for k in seen}) == 3
    assert done["step"] > 40 and done["sweep"] > 5, done
    assert_exact()
    summary.compact()
    assert_exact()


def test_every_transition_moves_one_ticket_between_keys(make_ticket, county, dispatcher, squadron_officer,
                                                        officer_a, matter):
    ticket = make_ticket(township=None)
    assert summary.totals() == {(None, None, "new", "none"): 1}
    ticket = services.ticket_triage(ticket, by=dispatcher, matter=matter, township=county.town_a)
    assert summary.totals() == {(county.town_a.pk, None, "triaged", "none"): 1}
    ticket = services.ticket_assign(ticket, by=dispatcher)
    squad = county.squadron_a.pk
    assert summary.totals() == {(county.town_a.pk, squad, "assigned", "none"): 1}
    sweep_warnings(now=ticket.accept_due + dt.timedelta(minutes=1))
    assert summary.totals() == {(county.town_a.pk, squad, "assigned", "red"): 1}
    ticket = services.ticket_accept(ticket, by=squadron_officer)  # the light now runs against resolving
    assert summary.totals() == {(county.town_a.pk, squad, "accepted", "none"): 1}
    ticket = services.ticket_resolve(ticket, by=squadron_officer, resolution="已处理。")
    assert summary.totals() == {(county.town_a.pk, squad, "resolved", "none"): 1}
    services.ticket_verdict(ticket, by=officer_a, accepted=True, score=5)
    assert summary.totals() == {}
    assert_exact()


def test_a_refused_action_leaves_the_summary_as_it_was(make_ticket, dispatcher, squadron_officer, matter):
    ticket = services.ticket_triage(make_ticket(), by=dispatcher, matter=matter)
    before = summary.totals()
    with pytest.raises(DomainError):
        services.ticket_accept(ticket, by=squadron_officer)  # not assigned yet
    with pytest.raises(DomainError):
        services.ticket_dismiss(ticket, by=dispatcher, reason="")  # a reason is required
    assert summary.totals() == before
    assert_exact()


def test_the_sweep_adds_one_summary_insert_per_chunk(assigned):
    tickets = [assigned() for _i in range(5)]
    later = max(t.resolve_due for t in tickets) + dt.timedelta(minutes=1)
    table = OpenTicketCount._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        result = sweep_warnings(now=later, chunk=2)
    assert len(result.red) == 5
    ticket_updates = [q for q in queries if q["sql"].startswith('UPDATE "dispatch_ticket"')]
    summary_inserts = [q for q in queries if q["sql"].startswith(f'INSERT INTO "{table}"')]
    assert len(ticket_updates) == len(summary_inserts) == 3  # chunks of 2, 2 and 1
    totals, _rows = selectors.board_counts()
    assert totals["red"] == totals["handling"] == 5
    assert_exact()


def test_compaction_folds_the_rows_into_one_per_key(make_ticket, assigned, county):
    for _i in range(3):
        assigned()
        make_ticket(township=county.town_b)
    before = summary.totals()
    assert OpenTicketCount.objects.count() > len(before)
    summary.compact()
    assert OpenTicketCount.objects.count() == len(before)
    assert summary.totals() == before
    assert summary.compact() == {"rows_before": len(before), "rows_after": len(before)}  # idempotent


def test_reconcile_rebuilds_a_drifted_summary_and_reports_each_key(make_ticket, county):
    kept = make_ticket()
    lost = make_ticket(township=county.town_b)
    # A writer that bypassed the summary: the ticket moved township with no delta written.
    Ticket.objects.filter(pk=lost.pk).update(township=county.town_a)
    OpenTicketCount.objects.create(township=None, agency=None, status="new", warning_level="red", n=4)
    drifts = summary.reconcile()
    assert drifts[0].key == (None, None, "new", "red")  # keys without a township first
    assert {(d.key, d.summary, d.tickets) for d in drifts} == {
        ((None, None, "new", "red"), 4, 0),
        ((county.town_a.pk, None, "new", "none"), 1, 2),
        ((county.town_b.pk, None, "new", "none"), 1, 0),
    }
    assert summary.totals() == {(kept.township_id, None, "new", "none"): 2}
    assert summary.reconcile() == []


def test_reconcile_command_reports_drift_and_can_fail_on_it(make_ticket, capsys):
    make_ticket()
    call_command("reconcile_ticket_counts")
    assert "看板计数与工单一致" in capsys.readouterr().out
    OpenTicketCount.objects.create(status="new", warning_level="none", n=1)
    with pytest.raises(CommandError):
        call_command("reconcile_ticket_counts", "--fail-on-drift")
    call_command("reconcile_ticket_counts", "--compact")
    assert summary.totals() == summary.recount()


def test_reconcile_task_returns_the_drift(make_ticket):
    from dispatch.tasks import reconcile_ticket_counts

    make_ticket()
    OpenTicketCount.objects.create(status="triaged", warning_level="none", n=2)
    assert reconcile_ticket_counts()["drifted_keys"] == 1
    assert reconcile_ticket_counts() == {"drifted_keys": 0, "drift": []}


# --- concurrency (PostgreSQL) ----------------------------------------------------------------------


def _run(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.start()
    for t in threads:
        t.join()


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_sweeps_intakes_and_reconciliations_keep_the_summary_exact(
        postgres, county, dispatcher, matter, category):
    officers = [member(Role.SQUADRON_OFFICER, county.squadron_a, f"summary{i}", certified=True) for i in range(3)]
    tickets = []
    for i in range(9):
        ticket = services.ticket_intake(channel="staff", description=f"并发计数{i}", category=category,
                                        township=county.town_a).ticket
        ticket = services.ticket_triage(ticket, by=dispatcher, matter=matter)
        tickets.append(services.ticket_assign(ticket, by=dispatcher))
    later = max(t.resolve_due for t in tickets) + dt.timedelta(minutes=1)
    summary.compact()
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []
    conflicts: list[int] = []

    def guarded(work):
        def run():
            try:
                barrier.wait()
                work()
            except BaseException as exc:  # noqa: BLE001  (the main thread asserts none)
                errors.append(exc)
            finally:
                connection.close()
        return run

    def handle(officer, mine):
        def work():
            for ticket in mine:
                try:
                    ticket = services.ticket_accept(ticket, by=officer)
                    ticket = services.ticket_start(ticket, by=officer)
                    services.ticket_resolve(ticket, by=officer, resolution="已处理。")
                except Conflict:
                    conflicts.append(ticket.pk)  # another officer accepted it first
        return work

    def sweep():
        for _i in range(3):
            sweep_warnings(now=later, chunk=2)

    def intake():
        for i in range(5):
            services.ticket_intake(channel="public_web", description=f"并发受理{i}", category=category)

    def keep_up():
        for _i in range(3):
            summary.reconcile()
            summary.compact()

    # Three officers with three tickets each; the third also races the first for one ticket.
    work = [handle(officers[0], tickets[0:3]), handle(officers[1], tickets[3:6]),
            handle(officers[2], [tickets[0], *tickets[6:9]]), sweep, intake, keep_up]
    _run([threading.Thread(target=guarded(w)) for w in work])

    assert errors == []
    assert conflicts == [tickets[0].pk]  # the race for ticket 0: one officer accepts, the other is told
    assert Ticket.objects.filter(status=TicketStatus.RESOLVED).count() == 9
    assert Ticket.objects.filter(status=TicketStatus.NEW).count() == 5
    assert_exact()


@pytest.mark.django_db(transaction=True)
def test_a_reconciliation_during_open_transactions_keeps_their_changes_once(postgres, county, category):
    """A change committed after the reconciliation's snapshot keeps its own delta rows; none counts twice."""
    started, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow_intake():
        from django.db import transaction

        try:
            with transaction.atomic():
                services.ticket_intake(channel="staff", description="慢事务", category=category,
                                       township=county.town_a)
                started.set()
                release.wait(10)
        except BaseException as exc:  # noqa: BLE001  (the main thread asserts none)
            errors.append(exc)
        finally:
            connection.close()

    services.ticket_intake(channel="staff", description="已提交", category=category, township=county.town_a)
    worker = threading.Thread(target=slow_intake)
    worker.start()
    assert started.wait(10)
    assert summary.reconcile() == []  # the open intake is in neither the recount nor the rows it deletes
    release.set()
    worker.join()
    assert errors == []
    assert summary.totals() == {(county.town_a.pk, None, "new", "none"): 2}
    assert_exact()
