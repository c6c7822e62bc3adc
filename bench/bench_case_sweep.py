"""Benchmark: the case deadline sweep (亮灯) at 200,000 cases, idle and catching up 20,000 changes of level.

Needs PostgreSQL (without it the script says so and exits 0). Runs against a throwaway test
database (``test_<name>`` of ``DATABASE_URL``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bureau_bench \\
        .venv/bin/python bench/bench_case_sweep.py [CASES] [CHANGED_PER_LEVEL]

Cases come from bench_cases' ``INSERT ... SELECT generate_series`` (default 200,000, of which
about 125,000 are in an open state, far more than a county holds open: the sweep reads every
open case, so this is its worst case). Every unit has a leader and every changed case two
officers, so each change notifies three people. Measured:

* a first sweep that settles the generated lights (not timed against the limit);
* an idle sweep: nothing changes, every open case is read and its steps computed;
* a catch-up: ``CHANGED_PER_LEVEL`` (default 10,000) filed cases past their decision deadline
  (art. 60: red) and as many near it (yellow), as after a worker was down for a day, while
  ``BENCH_SWEEP_LOAD`` other processes (default 2: both cores) spin on the CPU. The issue's
  limit: under 10 s. Then a second sweep, which must change nothing.

Writes bench/out/bench_case_sweep.json (commit, machine, load average before and after, row
counts, every figure) and prints a summary. Exits 1 if the catch-up takes 10 s or more (not in
a smoke run), changes fewer cases than set up, or the second sweep changes anything.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from bench_cases import build_reference, generate_cases  # noqa: E402  (sets Django up)
from bench_dispatch import SWEEP_LIMIT_SECONDS, SWEEP_LOAD_PROCESSES  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402


def add_people(ref: dict) -> list[int]:
    """A leader for every unit and two officers; returns the officers' ids."""
    from django.contrib.auth import get_user_model

    from enforcement.models import Agency, AgencyKind, Membership, Role

    User = get_user_model()
    for agency in Agency.objects.filter(pk__in=ref["units"]):
        role = Role.TOWNSHIP_LEADER if agency.kind == AgencyKind.TOWN else Role.SQUADRON_LEADER
        leader = User.objects.create_user(f"leader_{agency.code}", password="x", email="")
        Membership.objects.create(user=leader, agency=agency, role=role)
    officers = [User.objects.create_user(f"officer_{n}", password="x", email="") for n in range(2)]
    return [o.pk for o in officers]


def set_up_changes(per_level: int, officers: list[int]) -> dict:
    """``per_level`` filed cases past their decision deadline and as many at 95 % of it; two officers each."""
    from django.utils import timezone

    from enforcement.models import Case

    now = timezone.now()
    deciding = Case.objects.filter(status__in=["filed", "investigating"], suspended_since=None)
    picked = list(deciding.order_by("pk").values_list("pk", flat=True)[: 2 * per_level])
    to_red, to_yellow = picked[:per_level], picked[per_level:]
    # Their light was off at the last sweep. Art. 60: ninety days from filing. Red: filed 100 days ago.
    # Yellow: filed 86 days ago, 4 days left (past the 80 % share at which the light turns yellow).
    quiet = {"warning_level": "none", "warning_key": "", "warning_due_at": None}
    Case.objects.filter(pk__in=to_red).update(filed_on=(now - dt.timedelta(days=100)).date(),
                                              decide_due_at=now - dt.timedelta(days=10), **quiet)
    Case.objects.filter(pk__in=to_yellow).update(filed_on=(now - dt.timedelta(days=86)).date(),
                                                 decide_due_at=now + dt.timedelta(days=4), **quiet)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO enforcement_caseofficer (case_id, officer_id, role, certificate_number, added_at) "
            "SELECT c, o, 'assist', 'ZF-' || o::text, now() FROM unnest(%s::bigint[]) AS c "
            "CROSS JOIN unnest(%s::bigint[]) AS o ON CONFLICT DO NOTHING",
            [picked, officers],
        )
        cursor.execute("VACUUM (ANALYZE) enforcement_case")
    return {"red": len(to_red), "yellow": len(to_yellow)}


def timed_sweep(busy: int = 0) -> dict:
    from enforcement.cases.deadlines import sweep_case_warnings

    return harness.timed_sweep(sweep_case_warnings, busy)


def main() -> int:
    if connection.vendor != "postgresql":
        print("bench_case_sweep: needs PostgreSQL (set DATABASE_URL); skipped.")
        return 0
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    per_level = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    smoke = os.environ.get("BENCH_SMOKE") == "1"
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        load_before = harness.load_average()
        ref = build_reference()
        officers = add_people(ref)
        generate_seconds = generate_cases(0, cases, ref)
        from enforcement.cases.choices import OPEN_STATES
        from enforcement.models import Case

        open_cases = Case.objects.filter(status__in=OPEN_STATES).count()
        settle = timed_sweep()
        idle = timed_sweep()
        expected = set_up_changes(per_level, officers)
        catch_up = timed_sweep(0 if smoke else SWEEP_LOAD_PROCESSES)
        again = timed_sweep()
        result = {
            "commit": harness.commit(), "machine": harness.machine(), "cases": cases, "open_cases": open_cases,
            "load_average_before": load_before, "load_average_after": harness.load_average(),
            "generate_seconds": round(generate_seconds, 1), "settle": settle, "idle": idle,
            "set_up": expected, "catch_up": catch_up, "second_run": again,
        }
        path = harness.write("bench_case_sweep", result)
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)
    print(f"case sweep[postgresql] {cases} cases ({open_cases} open), generated in {generate_seconds:.1f}s")
    for name in ("settle", "idle", "catch_up", "second_run"):
        figures = result[name]
        print(f"  {name}: {figures['seconds']} s, changed {figures['changed']}, {figures['notifications']} "
              f"notifications, {figures['queries']} queries, {figures['busy_processes']} busy processes beside it")
    print(f"  -> {path}")
    failures = []
    changed = catch_up["changed"]
    if changed.get("red", 0) < expected["red"] or changed.get("yellow", 0) < expected["yellow"]:
        failures.append(f"the catch-up changed {changed}, fewer than the {expected} set up")
    if sum(again["changed"].values()):
        failures.append(f"a second sweep changed {again['changed']}")
    if not smoke and catch_up["seconds"] >= SWEEP_LIMIT_SECONDS:
        failures.append(f"the catch-up took {catch_up['seconds']} s (limit {SWEEP_LIMIT_SECONDS} s)")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
