"""Ticket numbers: ``GD2026-000123``, counted per year, from a PostgreSQL sequence per year.

Decision (issue 18): ticket numbers are unique and readable, not gap-free. A
counter row per year locked until the intake commits made every intake wait
for the one before it to commit (and for its WAL flush): intake ran at 0.11-0.14
of what the same server does for a bare insert. A sequence hands out the next
value without a lock that lasts until COMMIT, so intakes run side by side; the
price is that a number taken by an intake that then rolls back (a refused
attachment, a push that loses the race on its external reference, a database
error) is never given out again, and the year's numbers may skip. Nothing relies
on ticket numbers being gap-free: the reporter quotes the number, staff search by
it, the hotline platforms keep their own order number. Case numbers (立字第 N 号)
stay gap-free on their own counter (``enforcement.cases``); this module is only
about tickets.

On PostgreSQL every year has a sequence ``dispatch_ticket_number_<year>``,
created on demand by the first intake of that year (see :func:`_create_sequence`
for why two processes doing so at New Year both succeed). Migration 0011 made
one for each year of the old counter rows. On SQLite (the embedded default of
``make run``, one writer at a time anyway) the old counter upsert on
:class:`~dispatch.models.TicketCounter` stays: gap-free there.

The sequences are created by the application's database user at run time, as its tables were
by the migrations (it needs CREATE on the schema, which running the migrations needs anyway).
``manage.py flush`` empties the tickets but leaves the sequences: numbers then carry on.

Code that writes numbered tickets itself (the demo seeding, the benches' bulk
loads) calls :func:`numbers_continue_after` so that later intakes carry on
after the numbers it wrote.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from dispatch.models import Ticket, TicketCounter

NUMBER_PREFIX = "GD"
SEQUENCE_PREFIX = "dispatch_ticket_number_"
# pg_advisory_xact_lock(class, year): who creates a year's sequence. "GD" in ASCII; the project
# takes no other advisory lock with this first key.
_LOCK_CLASS = 0x4744

__all__ = [
    "NUMBER_PREFIX",
    "allocate_number",
    "format_number",
    "numbers_continue_after",
    "sequence_name",
]


def format_number(year: int, serial: int) -> str:
    return f"{NUMBER_PREFIX}{year}-{serial:06d}"


def sequence_name(year: int) -> str:
    return f"{SEQUENCE_PREFIX}{int(year):04d}"


def _uses_sequences() -> bool:
    return connection.vendor == "postgresql"


def allocate_number(at: dt.datetime | None = None) -> str:
    """The next number of the year of ``at`` (default now, Shanghai time), e.g. ``GD2026-000123``.

    Call it inside the transaction that writes the ticket. On PostgreSQL one
    statement, ``nextval``, which locks nothing until COMMIT: a number taken
    by a transaction that rolls back is skipped, never handed out twice. On
    SQLite, the year's counter row (gap-free).
    """
    year = timezone.localtime(at or timezone.now()).year
    with connection.cursor() as cursor:
        if not _uses_sequences():
            return format_number(year, _bump_counter(cursor, year))
        # to_regclass() answers NULL for a missing sequence and nextval(NULL) is NULL (strict), so
        # the common case is one round trip and a missing sequence is no error (an error would
        # abort the caller's transaction).
        cursor.execute("SELECT nextval(to_regclass(%s))", [sequence_name(year)])
        (serial,) = cursor.fetchone()
        if serial is None:
            _create_sequence(cursor, year)
            cursor.execute("SELECT nextval(%s::regclass)", [sequence_name(year)])
            (serial,) = cursor.fetchone()
    return format_number(year, serial)


def numbers_continue_after(year: int, serial: int) -> None:
    """Make the next number of ``year`` greater than ``serial`` (never lowers it).

    For code that writes numbered tickets itself (demo seeding, bulk loads):
    call it in the same transaction, at a time when no intake runs - on
    PostgreSQL ``setval`` is not atomic with a concurrent ``nextval``.
    """
    if serial <= 0:
        return
    with connection.cursor() as cursor:
        if not _uses_sequences():
            table = connection.ops.quote_name(TicketCounter._meta.db_table)
            cursor.execute(
                f"INSERT INTO {table} (year, last) VALUES (%s, %s) "
                f"ON CONFLICT (year) DO UPDATE SET last = MAX({table}.last, excluded.last)",
                [year, serial],
            )
            return
        name = sequence_name(year)
        cursor.execute("SELECT to_regclass(%s)", [name])
        if cursor.fetchone()[0] is None:
            _create_sequence(cursor, year)
        # Raise only: a sequence that has handed out serial or more keeps its place.
        cursor.execute(
            f"SELECT setval(%s::regclass, %s) FROM {name} WHERE NOT is_called OR last_value < %s",
            [name, serial, serial],
        )


def _bump_counter(cursor, year: int) -> int:
    """SQLite: create the year's counter row or bump it; its lock lasts until the transaction ends."""
    table = connection.ops.quote_name(TicketCounter._meta.db_table)
    cursor.execute(
        f"INSERT INTO {table} (year, last) VALUES (%s, 1) "
        f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
        [year],
    )
    return cursor.fetchone()[0]


def _create_sequence(cursor, year: int) -> None:
    """Create the sequence of ``year`` if it is missing, starting after any ticket of that year already written.

    Two processes may get here at once (the first intakes of a new year). A
    bare ``CREATE SEQUENCE IF NOT EXISTS`` is not safe against that: both see
    no sequence, and the second fails on the catalogue's unique index once the
    first commits. So creators queue on an advisory lock held until their
    transaction ends; the second gets it once the first has committed, and its
    ``IF NOT EXISTS`` (which re-reads the catalogue after locking the schema)
    then finds the sequence and leaves it alone. The DDL is part of the
    caller's transaction: if that rolls back, the sequence is gone too and the
    next intake creates it again. Only the first intakes of a year come here;
    the others wait on nothing.

    The start: a new year normally has no tickets (the sequence starts at 1),
    but tickets numbered for that year before its sequence existed (by the
    counter of a version before sequences, or by a bulk load) must not be
    numbered again, so a sequence that has not handed out a number yet is set
    past the highest of them.
    """
    name = sequence_name(year)
    cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, int(year)])
    cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} AS bigint MINVALUE 1")
    prefix = f"{NUMBER_PREFIX}{int(year):04d}-"
    # LIKE rather than a range on the unique index: a range's bounds depend on the collation. A
    # scan of the table, once per year.
    table = connection.ops.quote_name(Ticket._meta.db_table)
    cursor.execute(
        f"SELECT max(CAST(substr(number, %s) AS bigint)) FROM {table} "
        f"WHERE number LIKE %s AND substr(number, %s) ~ '^[0-9]+$'",
        [len(prefix) + 1, prefix + "%", len(prefix) + 1],
    )
    written = cursor.fetchone()[0]
    if written:
        cursor.execute(f"SELECT setval(%s::regclass, %s) FROM {name} WHERE NOT is_called",
                       [name, written])
