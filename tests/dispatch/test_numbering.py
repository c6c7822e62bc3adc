"""Ticket numbers (dispatch.services.numbering): GD<year>-<serial>, unique, counted per year.

Issue 18's decision: on PostgreSQL the serial comes from a sequence per year,
so numbers are unique but may skip after a rolled-back intake (tickets need not
be gap-free); on SQLite the counter row stays (gap-free). Each test uses years of
its own: the transactional tests commit their years' sequences, and those outlive
the table flush between tests, so they drop them again.
"""

from __future__ import annotations

import re
import threading
import time
from types import SimpleNamespace

import pytest
from django.db import connection, connections, transaction

from dispatch import services
from dispatch.models import Ticket, TicketCounter
from dispatch.services.numbering import allocate_number, numbers_continue_after, sequence_name
from tests.dispatch.conftest import at
from tests.factories import run_together

NUMBER = re.compile(r"^GD(\d{4})-(\d{6,})$")


def serial(number: str) -> int:
    return int(NUMBER.match(number).group(2))


@pytest.fixture
def fresh_years():
    """``fresh_years(2041, ...)``: no sequence left for these years, before the test and after it."""
    years: list[int] = []

    def drop() -> None:
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for year in years:
                cursor.execute(f"DROP SEQUENCE IF EXISTS {sequence_name(year)}")

    def use(*wanted: int) -> None:
        years.extend(wanted)
        drop()

    yield use
    drop()


def intake(year: int, description: str = "菜市场门口流动摊贩占道经营", **over) -> Ticket:
    return services.ticket_intake(channel="staff", description=description,
                                  received_at=at(year, 6, 1, 10), **over).ticket


# --- any database -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_numbers_are_readable_and_count_per_year(make_ticket, clock, fresh_years):
    fresh_years(2041, 2042)
    clock(at(2041, 12, 31, 23, 50))
    first = make_ticket()
    second = make_ticket()
    # Shanghai's New Year: the next year's first intake starts that year's count at 1.
    clock(at(2042, 1, 1, 0, 5))
    third = make_ticket()

    assert first.number == "GD2041-000001"
    assert second.number == "GD2041-000002"
    assert third.number == "GD2042-000001"
    assert len(first.lookup_code) == 6 and first.lookup_code != second.lookup_code


@pytest.mark.django_db
def test_the_number_counts_in_the_year_the_report_was_received(fresh_years):
    """A hotline order received on New Year's Eve and pushed after midnight keeps the old year's number."""
    fresh_years(2043)
    late = services.ticket_intake(channel="hotline_12345", external_ref="NYE-1", description="跨年推送",
                                  received_at=at(2043, 12, 31, 23, 59)).ticket
    assert late.number.startswith("GD2043-")


@pytest.mark.django_db
def test_a_rolled_back_intake_may_leave_a_gap_but_never_a_duplicate(fresh_years):
    fresh_years(2045)
    first = intake(2045)
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = intake(2045, "写入后又回滚的工单")
        raise RuntimeError("the intake's transaction rolls back after its number was taken")
    after = intake(2045)

    assert not Ticket.objects.filter(description="写入后又回滚的工单").exists()
    numbers = list(Ticket.objects.filter(number__startswith="GD2045-").values_list("number", flat=True))
    assert sorted(numbers) == sorted({first.number, after.number})
    # PostgreSQL: the sequence gave its number away (skipped); SQLite: the counter rolled back with it.
    expected = serial(first.number) + (2 if connection.vendor == "postgresql" else 1)
    assert serial(after.number) == expected
    if connection.vendor == "postgresql":
        assert lost.number != after.number


@pytest.mark.django_db
def test_numbers_continue_after_moves_the_next_number_past_written_ones_and_never_back(fresh_years):
    fresh_years(2046)
    numbers_continue_after(2046, 50)
    assert intake(2046).number == "GD2046-000051"
    numbers_continue_after(2046, 10)  # lower than what was handed out: no effect
    assert intake(2046).number == "GD2046-000052"
    with transaction.atomic():
        assert allocate_number(at(2046, 3, 1)) == "GD2046-000053"


# --- PostgreSQL: the sequence per year ----------------------------------------------------------


def test_a_new_years_sequence_starts_after_tickets_already_numbered_for_that_year(postgres, fresh_years):
    """Tickets numbered before the year's sequence existed (the old counter, a bulk load) are not numbered again."""
    fresh_years(2047)
    existing = intake(2047)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SEQUENCE {sequence_name(2047)}")
    Ticket.objects.filter(pk=existing.pk).update(number="GD2047-000041")

    assert intake(2047).number == "GD2047-000042"


def test_the_migration_moves_each_years_counter_into_its_sequence_and_back(postgres, fresh_years):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("dispatch.migrations.0011_ticket_number_sequences")
    editor = SimpleNamespace(connection=connection)
    fresh_years(2048, 2049)
    TicketCounter.objects.create(year=2048, last=41)
    TicketCounter.objects.create(year=2049, last=3)
    written = intake(2049)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SEQUENCE {sequence_name(2049)}")
    Ticket.objects.filter(pk=written.pk).update(number="GD2049-000007")  # a number past the counter

    migration.counters_to_sequences(apps, editor)

    assert not TicketCounter.objects.exists()
    assert intake(2048).number == "GD2048-000042"
    assert intake(2049).number == "GD2049-000008"

    migration.sequences_to_counters(apps, editor)

    assert dict(TicketCounter.objects.filter(year__in=(2048, 2049)).values_list("year", "last")) == {
        2048: 42, 2049: 8}
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [sequence_name(2048)])
        assert cursor.fetchone()[0] is None


def _waiting_on_advisory_lock() -> bool:
    with connections["default"].cursor() as cursor:
        # pg_locks is live (pg_stat_activity would be a snapshot inside a transaction).
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_get_unique_well_formed_numbers(postgres, fresh_years):
    """Six clients at once, each filing eight tickets, starting on a year that has no sequence yet."""
    fresh_years(2050)
    barrier = threading.Barrier(6)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def client(k: int):
        def run():
            try:
                barrier.wait()
                for i in range(8):
                    numbers.append(intake(2050, f"并发登记 {k}-{i}").number)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connection.close()

        return run

    run_together(*(client(k) for k in range(6)))

    assert errors == []
    assert all(NUMBER.match(n) and n.startswith("GD2050-") for n in numbers)
    assert len(set(numbers)) == 48
    # Nothing rolled back, so nothing was skipped either.
    assert sorted(serial(n) for n in numbers) == list(range(1, 49))
    assert Ticket.objects.filter(number__startswith="GD2050-").count() == 48


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first_commits", [True, False], ids=["first-commits", "first-rolls-back"])
def test_two_first_intakes_of_a_new_year_both_succeed(postgres, fresh_years, first_commits):
    """New Year: two processes create the year's sequence at once; the second waits, neither fails.

    The first intake of 2051 stays uncommitted (its new sequence is not yet
    visible to anyone else) until the second is seen waiting for it; then it
    commits or rolls back (taking the sequence with it), and the second
    carries on with the sequence that exists, or creates it itself.
    """
    fresh_years(2051)
    first_numbered = threading.Event()
    results: dict[str, object] = {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = intake(2051, "新年第一张")
                first_numbered.set()
                deadline = time.monotonic() + 10
                while not _waiting_on_advisory_lock() and time.monotonic() < deadline:
                    time.sleep(0.05)
                results["second_was_waiting"] = _waiting_on_advisory_lock()
                if not first_commits:
                    transaction.set_rollback(True)
        except BaseException as exc:  # noqa: BLE001
            results["first_error"] = exc
        finally:
            connection.close()

    def second():
        try:
            first_numbered.wait(10)
            results["second"] = intake(2051, "同时到达的第二张")
        except BaseException as exc:  # noqa: BLE001
            results["second_error"] = exc
        finally:
            connection.close()

    run_together(first, second)

    assert "first_error" not in results and "second_error" not in results, results
    assert results["second_was_waiting"] is True
    if first_commits:
        assert (results["first"].number, results["second"].number) == ("GD2051-000001", "GD2051-000002")
        assert Ticket.objects.filter(number__startswith="GD2051-").count() == 2
    else:
        assert results["second"].number == "GD2051-000001"
        assert list(Ticket.objects.filter(number__startswith="GD2051-").values_list("pk", flat=True)) == [
            results["second"].pk]
