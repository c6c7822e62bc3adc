"""The board's summary of open tickets (:class:`~dispatch.models.OpenTicketCount`): kept, compacted, reconciled.

The board and the wall screen count open tickets by township, state and
light. Counting them from the ticket table costs what is open (an
index-only scan of ~850,000 entries at 1,000,000 tickets: 130 ms, issue
18); this summary costs what is distinct (a few hundred keys).

**Kept current in the same transaction.** A ticket's key is its township,
handling agency, state and light (:data:`KEY_FIELDS`), or none once it is no
longer open. Every writer of those columns records the move of the keys
it changed, in its own transaction:

* intake (:func:`count_new`, called by ``services.intake.ticket_intake``);
* every transition (:func:`transition`, the ticket services' way to call
  ``perform_transition``: the key is read on the locked row before, and on
  the saved row after);
* the warning sweep (``dispatch.sla.sweep_warnings``: the keys of a chunk are
  read with its ``FOR UPDATE``, then one UPDATE and one summary insert);
* an extension's decision, which may change the light
  (``services.events.extension_decide``).

**Race-safe by construction.** A move is *inserted* as delta rows (-1 for
the old key, +1 for the new one); nothing reads a count to write it back,
and concurrent transactions never wait on a shared counter row (the intake
does not queue behind a hot row, see bench/README.md on the ticket
counter). A count is the sum of its key's rows, in one statement, so a
reader sees every committed change or none of it.

**Compaction** (:func:`compact`, every minute from beat) folds the rows into
one per key, so the readers' cost stays the number of keys.
**Reconciliation** (:func:`reconcile`: the ``reconcile_ticket_counts``
command and a nightly task) rebuilds the rows from a recount of the tickets
in one snapshot and reports every key that had drifted. Bulk loaders that
bypass the services (the demo county, the benchmarks' ``generate_series``)
call it once after loading.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Sum

from dispatch.models import OPEN_STATES, OpenTicketCount, Ticket
from enforcement.workflow import perform_transition

# The ticket's columns that place it in the summary, in the order of a key.
KEY_FIELDS = ("township_id", "responsible_agency_id", "status", "warning_level")
Key = tuple  # (township_id, agency_id, status, warning_level)

# Compaction and reconciliation must not interleave (a reconciliation would count the rows a
# compaction folded again): both take this transaction-level advisory lock on PostgreSQL.
# SQLite serialises every writer anyway.
_LOCK_ID = 0x0D15_7C4C  # any bigint, the same everywhere


def key_of(values: Iterable) -> Key | None:
    """The summary key of a ticket's :data:`KEY_FIELDS` values; ``None`` when it is not open."""
    township_id, agency_id, status, level = values
    return (township_id, agency_id, status, level) if status in OPEN_STATES else None


def ticket_key(ticket: Ticket) -> Key | None:
    return key_of(getattr(ticket, name) for name in KEY_FIELDS)


def moves(pairs: Iterable[tuple[Key | None, Key | None]]) -> Counter:
    """The deltas of tickets moving from one key to another (``None``: not open)."""
    deltas: Counter = Counter()
    for before, after in pairs:
        if before == after:
            continue
        if before is not None:
            deltas[before] -= 1
        if after is not None:
            deltas[after] += 1
    return deltas


def record(deltas: Counter) -> None:
    """Insert the non-zero deltas (one statement; none when nothing moved)."""
    rows = [
        OpenTicketCount(township_id=key[0], agency_id=key[1], status=key[2], warning_level=key[3], n=n)
        for key, n in deltas.items()
        if n
    ]
    if rows:
        OpenTicketCount.objects.bulk_create(rows)


def record_move(before: Key | None, after: Key | None) -> None:
    record(moves([(before, after)]))


def count_new(ticket: Ticket) -> None:
    """A ticket was taken in: count it (inside the intake's transaction)."""
    record_move(None, ticket_key(ticket))


def locked_key(pk: int) -> Key | None:
    """Lock the ticket's row (inside a transaction) and return its key as it is now."""
    values = Ticket.objects.select_for_update().filter(pk=pk).values_list(*KEY_FIELDS).first()
    return key_of(values) if values is not None else None


def transition(ticket: Ticket, action: str, **kwargs) -> Ticket:
    """``perform_transition`` on a ticket, and the summary's move in the same transaction.

    The key before is read on the locked row, not on ``ticket`` (what the
    actor saw: the sweep may have changed its light since). The lock comes
    first, as ``perform_transition``'s own would (it then finds the row
    already locked by this transaction).
    """
    with transaction.atomic():
        before = locked_key(ticket.pk)
        done = perform_transition(ticket, action, **kwargs)
        record_move(before, ticket_key(done))
    return done


# --- reading ------------------------------------------------------------------------------------


def counts_by_township() -> list[tuple[int | None, str, str, int]]:
    """``(township_id, status, warning_level, n)`` of every key with open tickets (one query)."""
    rows = (OpenTicketCount.objects.order_by().values_list("township_id", "status", "warning_level")
            .annotate(total=Sum("n")))
    return [row for row in rows if row[3]]


def totals() -> Counter:
    """Every key's count, the sum of its rows; keys with no open ticket left out (one query)."""
    rows = (OpenTicketCount.objects.order_by().values_list("township_id", "agency_id", "status", "warning_level")
            .annotate(total=Sum("n")))
    return Counter({tuple(row[:4]): row[4] for row in rows if row[4]})


def recount() -> Counter:
    """The same counts from the tickets themselves (reads every open ticket: for checks, not pages)."""
    rows = (Ticket.objects.filter(status__in=OPEN_STATES).order_by()
            .values_list(*KEY_FIELDS).annotate(n=Count("*")))
    return Counter({tuple(row[:4]): row[4] for row in rows})


# --- compaction and reconciliation ----------------------------------------------------------------


def _serialise() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])


def _table() -> str:
    return connection.ops.quote_name(OpenTicketCount._meta.db_table)


_COLUMNS = "township_id, agency_id, status, warning_level"


def _delete_all() -> tuple[Counter, int]:
    """Delete every row this statement sees; return their sums by key and how many rows there were.

    ``DELETE ... RETURNING`` hands back exactly the rows it deleted: a delta
    committed meanwhile is not among them and stays.
    """
    sums: Counter = Counter()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table()} RETURNING {_COLUMNS}, n")
        rows = cursor.fetchall()
    for township_id, agency_id, status, level, n in rows:
        sums[(township_id, agency_id, status, level)] += n
    return sums, len(rows)


def compact() -> dict:
    """Fold the rows into one per key (keys that sum to zero disappear); idempotent."""
    with transaction.atomic():
        _serialise()
        sums, before = _delete_all()
        record(sums)
    return {"rows_before": before, "rows_after": sum(1 for n in sums.values() if n)}


@dataclass(frozen=True)
class Drift:
    key: Key
    summary: int
    tickets: int


def reconcile() -> list[Drift]:
    """Rebuild the summary from the tickets; return the keys whose count had drifted (empty: none).

    On PostgreSQL one statement deletes the rows, recounts the open tickets
    and inserts the recount, in one snapshot: a change committed after it
    keeps its own delta rows, and one committed before is in the recount and
    its rows are gone, so a reconciliation never loses or doubles a
    concurrent change. On SQLite the transaction holds the only write lock.
    """
    with transaction.atomic():
        _serialise()
        if connection.vendor == "postgresql":
            kept, fresh = _reconcile_in_one_statement()
        else:
            kept, _rows = _delete_all()
            fresh = recount()
            record(fresh)
    drifts = [Drift(key, kept.get(key, 0), fresh.get(key, 0)) for key in set(kept) | set(fresh)
              if kept.get(key, 0) != fresh.get(key, 0)]
    # Keys without a township or an agency first.
    return sorted(drifts, key=lambda d: tuple((v is not None, v if v is not None else 0) for v in d.key))


def _reconcile_in_one_statement() -> tuple[Counter, Counter]:
    tickets = connection.ops.quote_name(Ticket._meta.db_table)
    states = ", ".join(["%s"] * len(OPEN_STATES))
    sql = f"""
        WITH gone AS (DELETE FROM {_table()} RETURNING {_COLUMNS}, n),
        fresh AS (
            SELECT township_id, responsible_agency_id AS agency_id, status, warning_level, COUNT(*) AS n
            FROM {tickets} WHERE status IN ({states}) GROUP BY 1, 2, 3, 4
        ),
        -- PostgreSQL runs a data-modifying WITH once and to completion, read or not.
        added AS (INSERT INTO {_table()} ({_COLUMNS}, n) SELECT {_COLUMNS}, n FROM fresh)
        SELECT 'kept', {_COLUMNS}, SUM(n) FROM gone GROUP BY {_COLUMNS}
        UNION ALL SELECT 'fresh', {_COLUMNS}, n FROM fresh
    """
    kept: Counter = Counter()
    fresh: Counter = Counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, [str(s) for s in OPEN_STATES])
        for part, township_id, agency_id, status, level, n in cursor.fetchall():
            (kept if part == "kept" else fresh)[(township_id, agency_id, status, level)] += int(n)
    return kept, fresh
