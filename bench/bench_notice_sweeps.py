"""Benchmark: the notice sweeps (亮灯) of warnings, coercion and rectification, each catching up 20,000 changes.

Needs PostgreSQL (without it the script says so and exits 0). Runs against a throwaway test
database (``test_<name>`` of ``DATABASE_URL``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bureau_bench \\
        .venv/bin/python bench/bench_notice_sweeps.py [PER_LEVEL] [BACKGROUND]

Three sweeps besides the tickets' and the cases' (bench_dispatch, bench_case_sweep), each run on
its own objects:

* ``warnings``: ``enforcement.warnings.services.sweep_warning_levels`` over warning notices
  (预警, 责令改正) whose correction deadline is 10 working days after issue; each notice has two
  officers, who are notified;
* ``coercion``: ``enforcement.coercion.services.sweep_coercion_warnings`` over seizures in force
  (30-day period, art. 25) and enforcements awaiting the court (art. 53 window), half of the
  changes each; a measure notifies its two officers and its agency's leader, an enforcement the
  leader (the sweep names no officers for it);
* ``rectification``: ``supervision.services.rectification.sweep_rectification_warnings`` over
  rectification notices of case-file review (20 working days); the agency's officers and leader
  are notified, and on red the reviewer too.

Every unit (20 townships, 20 stationed squadrons, from bench_cases' ``build_reference``) has a
leader and two certified officers. Issue and due times are taken from the legal rules the
services use (``correction_due``, ``measure_end``, ``court_window_end``, ``deadline_for``), at
days back found with the sweep's own level function, so the sweep sees what it would in use.
Measured per kind:

* an idle sweep over ``BACKGROUND`` (default 10,000) quiet open objects: nothing changes;
* a catch-up: ``PER_LEVEL`` (default 10,000) objects past their deadline (red) and as many near
  it (yellow), their light off, as after a worker was down for a while, while
  ``BENCH_SWEEP_LOAD`` other processes (default 2: both cores) spin on the CPU. The issue's
  limit: under 10 s. Then a second sweep, which must change nothing.

Each sweep's seconds, changes per level, notifications made and queries are recorded. Writes
bench/out/bench_notice_sweeps.json (commit, machine, load average before and after, row counts,
every figure) and prints a summary. Exits 1 if a catch-up takes 10 s or more (not in a smoke run),
changes fewer objects than set up, or a second sweep changes anything.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from bench_cases import build_reference, generate_cases  # noqa: E402  (sets Django up)
from bench_dispatch import SWEEP_LIMIT_SECONDS, SWEEP_LOAD_PROCESSES  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402

KINDS = ("warnings", "coercion", "rectification")
BATCH = 2000
# An object set up for a level keeps it from set-up to the sweeps that count it (well under this).
MARGIN = dt.timedelta(hours=2)


def add_people(ref: dict) -> dict[int, dict]:
    """A leader and two certified officers for every unit: unit id -> {"officers": [ids], "certificates": [ids]}."""
    from django.contrib.auth import get_user_model

    from enforcement.models import Agency, AgencyKind, Certificate, Membership, Role

    User = get_user_model()
    people = {}
    for agency in Agency.objects.filter(pk__in=ref["units"]):
        town = agency.kind == AgencyKind.TOWN
        users = []
        for name in ("leader", "officer1", "officer2"):
            user = User(username=f"{name}_{agency.code}", email="")
            user.set_unusable_password()
            users.append(user)
        leader, *officers = User.objects.bulk_create(users)
        Membership.objects.bulk_create(
            [Membership(user=leader, agency=agency, role=Role.TOWNSHIP_LEADER if town else Role.SQUADRON_LEADER)]
            + [Membership(user=o, agency=agency, role=Role.TOWNSHIP_OFFICER if town else Role.SQUADRON_OFFICER)
               for o in officers]
        )
        certificates = Certificate.objects.bulk_create(
            Certificate(officer=o, number=f"ZF-{o.username}", issuing_body="县人民政府",
                        valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2035, 12, 31))
            for o in officers
        )
        people[agency.pk] = {"officers": [o.pk for o in officers], "certificates": [c.pk for c in certificates]}
    return people


def days_back(level_of: Callable[[int, dt.datetime], str], now: dt.datetime, wanted: str, most: int = 10) -> list[int]:
    """Up to ``most`` numbers of days back whose object has level ``wanted`` now and still ``MARGIN`` later."""
    found = [days for days in range(1, 400)
             if level_of(days, now) == wanted and level_of(days, now + MARGIN) == wanted]
    if not found:
        raise RuntimeError(f"no object {wanted} at {now}: the legal rules changed?")
    return found[:most]


def spread(per_level: int, background: int, level_of, now: dt.datetime, *, quiet: bool) -> list[int]:
    """Days back of each object to create: ``background`` quiet ones, or ``per_level`` red then as many yellow."""
    if quiet:
        plan = [("none", background)]
    else:
        plan = [("red", per_level), ("yellow", per_level)]
    out = []
    for level, count in plan:
        days = days_back(level_of, now, level)
        out += [days[i % len(days)] for i in range(count)]
    return out


def in_batches(model, days: list[int], serial: int, build: Callable) -> list[tuple[list, list[int]]]:
    """``bulk_create`` of ``build(n, days back)`` per object (``n``: its serial), ``BATCH`` at a time.

    Returns each batch as created (with its ids) with the days back of its objects.
    """
    batches = []
    for begin in range(0, len(days), BATCH):
        part = days[begin:begin + BATCH]
        batches.append((model.objects.bulk_create(build(serial + begin + k, d) for k, d in enumerate(part)), part))
    return batches


def _unit(ref: dict, i: int) -> tuple[int, int]:
    """(unit, its township) of the ``i``-th object: units alternate town, stationed squadron."""
    j = i % len(ref["units"])
    return ref["units"][j], ref["units"][j - j % 2]


# --- warnings ---------------------------------------------------------------------------------------------


def warning_level_of(days: int, at: dt.datetime) -> str:
    from django.utils import timezone

    from enforcement.cases.deadlines import yellow_share
    from enforcement.warnings.models import WarningNotice
    from enforcement.warnings.services import correction_due, level_at

    issued_on = timezone.localdate() - dt.timedelta(days=days)
    warning = WarningNotice(status="issued", issued_on=issued_on, correction_due_at=correction_due(issued_on, 10).at)
    return level_at(warning, at, yellow_share())


def make_warnings(ref: dict, people: dict, days: list[int], serial: int) -> None:
    """Warning notices issued ``days`` ago with 10 working days to correct; two officers each."""
    from django.utils import timezone

    from enforcement.warnings.models import WarningMatter, WarningNotice
    from enforcement.warnings.services import correction_due

    WarningMatter.objects.get_or_create(matter_id=ref["matter"], defaults={"correction_workdays": 10})
    today = timezone.localdate()
    due = {d: correction_due(today - dt.timedelta(days=d), 10).at for d in set(days)}
    through = WarningNotice.officers.through

    def build(n: int, d: int) -> WarningNotice:
        agency, township = _unit(ref, n)
        return WarningNotice(
            number=f"YJ-BENCH-{n:07d}", agency_id=agency, township_id=township, matter_id=ref["matter"],
            party_kind="individual", party_name=f"当事人{n % 9973}", facts="店门前人行道堆放纸箱杂物。",
            conditions_confirmed=["初次违法", "危害后果轻微", "能够及时改正"],
            issued_on=today - dt.timedelta(days=d), correction_workdays=10, correction_due_at=due[d],
        )

    for created, _days in in_batches(WarningNotice, days, serial, build):
        through.objects.bulk_create(
            through(warningnotice_id=w.pk, user_id=o) for w in created for o in people[w.agency_id]["officers"]
        )


# --- coercion ---------------------------------------------------------------------------------------------


def measure_level_of(days: int, at: dt.datetime) -> str:
    from enforcement.coercion.models import CoerciveMeasure
    from enforcement.coercion.services import measure_warning

    return measure_warning(CoerciveMeasure(status="in_force", **_measure_times(days)), at)[0]


def _measure_times(days: int) -> dict:
    from django.utils import timezone

    from enforcement.coercion import rules

    taken = timezone.now().replace(hour=2, minute=0, second=0, microsecond=0) - dt.timedelta(days=days)
    day = rules.local_date(taken)
    return {"taken_at": taken, "decided_on": day, "ends_at": rules.measure_end(day, 30).at,
            "approved_at": taken - dt.timedelta(hours=1)}


def execution_level_of(days: int, at: dt.datetime) -> str:
    from enforcement.coercion.models import Execution
    from enforcement.coercion.services import execution_warning

    return execution_warning(Execution(status="reminded", **_execution_times(days)), at)[0]


def _execution_times(days: int) -> dict:
    from django.utils import timezone

    from enforcement.coercion import rules

    opens = timezone.localdate() - dt.timedelta(days=days)
    return {"window_opens_on": opens, "window_ends_at": rules.court_window_end(opens).at}


def make_measures(ref: dict, people: dict, days: list[int], serial: int) -> None:
    """Seizures in force, taken ``days`` ago for 30 days; two officers each (with their certificates)."""
    from enforcement.coercion.models import CoerciveMeasure, MeasureOfficer

    times = {d: _measure_times(d) for d in set(days)}

    def build(n: int, d: int) -> CoerciveMeasure:
        agency, township = _unit(ref, n)
        return CoerciveMeasure(
            number=f"QZ-BENCH-{n:07d}", decision_number=f"综执强字〔2026〕第{n}号", kind="seizure",
            status="in_force", agency_id=agency, township_id=township, matter_id=ref["matter"],
            party_kind="individual", party_name=f"当事人{n % 9973}", reasons="占道经营使用液化气罐",
            legal_basis="某条例第×条", place=f"人民路 {n % 500} 号", onsite_record="现场笔录", signature="signed",
            party_notified=True, period_days=30, **times[d],
        )

    for created, _days in in_batches(CoerciveMeasure, days, serial, build):
        MeasureOfficer.objects.bulk_create(
            MeasureOfficer(measure_id=m.pk, officer_id=o, certificate_id=c)
            for m in created for o, c in zip(people[m.agency_id]["officers"], people[m.agency_id]["certificates"],
                                             strict=True)
        )


def make_executions(ref: dict, people: dict, days: list[int], serial: int) -> None:
    """Enforcements reminded, whose art. 53 window opened ``days`` ago."""
    from enforcement.coercion.models import Execution

    times = {d: _execution_times(d) for d in set(days)}

    def build(n: int, d: int) -> Execution:
        # Served about six months before its appeal periods ran out (art. 53's window opens then).
        served = times[d]["window_opens_on"] - dt.timedelta(days=183)
        return Execution(
            number=f"ZX-BENCH-{n:07d}", status="reminded", agency_id=_unit(ref, n)[0],
            decision_number=f"综执罚决字〔2026〕第{n}号", decision_served_on=served, obligation="缴纳罚款五千元",
            party_kind="individual", party_name=f"当事人{n % 9973}", reminder_issued_on=served,
            reminder_served_on=served, perform_by=served + dt.timedelta(days=10), **times[d],
        )

    in_batches(Execution, days, serial, build)


def make_coercion(ref: dict, people: dict, days: list[int], serial: int) -> None:
    """Every other object a measure, the others enforcements (each with its own level's days)."""
    make_measures(ref, people, days[0::2], serial)
    make_executions(ref, people, days[1::2], serial + 1)


def coercion_days(per_level: int, background: int, now: dt.datetime, *, quiet: bool) -> list[int]:
    """Days back for measures (even places) and enforcements (odd places), as ``make_coercion`` splits them."""
    measures = spread(per_level, background, measure_level_of, now, quiet=quiet)
    executions = spread(per_level, background, execution_level_of, now, quiet=quiet)
    return [m if i % 2 == 0 else e for i, (m, e) in enumerate(zip(measures, executions, strict=True))]


# --- rectification ----------------------------------------------------------------------------------------


def rectification_level_of(days: int, at: dt.datetime) -> str:
    from enforcement.cases.deadlines import yellow_share
    from supervision.models import Rectification
    from supervision.services.rectification import level_for

    return level_for(Rectification(status="issued", **_rectification_times(days)), at, yellow_share())


def _rectification_times(days: int) -> dict:
    from django.utils import timezone

    from enforcement.workdays import Unit, deadline_for

    issued = timezone.now().replace(hour=2, minute=0, second=0, microsecond=0) - dt.timedelta(days=days)
    # supervision.services.plans: 20 working days (the plan's rectify_days) from publication.
    return {"issued_at": issued, "due_at": deadline_for(issued, 20, Unit.WORKING_DAYS).at}


def make_rectifications(ref: dict, people: dict, days: list[int], serial: int) -> None:
    """Notices issued ``days`` ago, one per sampled file of one published plan (cases from bench_cases)."""
    from django.utils import timezone

    from enforcement.models import Case
    from supervision.models import Rectification, ReviewPlan, SampledFile
    from supervision.services.rubrics import create_default_rubric

    reviewer = ref["people"]["judicial"]["user"]
    generate_cases(serial, serial + len(days), ref)
    plan = ReviewPlan.objects.filter(title="bench").first() or ReviewPlan.objects.create(
        year=timezone.localdate().year, title="bench", organiser_id=reviewer.memberships.get().agency_id,
        lead=reviewer, rubric=create_default_rubric(), period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31), seed=1, status="published", published_at=timezone.now(),
    )
    cases = list(Case.objects.exclude(pk__in=SampledFile.objects.values("case_id")).order_by("pk")
                 .values_list("pk", "agency_id"))
    times = {d: _rectification_times(d) for d in set(days)}

    def build(n: int, _d: int) -> SampledFile:
        case_id, agency_id = cases[n - serial]
        return SampledFile(plan=plan, case_id=case_id, agency_id=agency_id, position=n + 1)

    for files, part in in_batches(SampledFile, days, serial, build):
        Rectification.objects.bulk_create(
            Rectification(plan=plan, sampled_id=f.pk, agency_id=f.agency_id, reviewer=reviewer,
                          number=f"ZG-BENCH-{f.position:07d}", reason="评查不合格", **times[d])
            for f, d in zip(files, part, strict=True)
        )


# --- the sweeps -------------------------------------------------------------------------------------------


def _sweep(kind: str):
    from enforcement.coercion.services import sweep_coercion_warnings
    from enforcement.warnings.services import sweep_warning_levels
    from supervision.services.rectification import sweep_rectification_warnings

    return {"warnings": sweep_warning_levels, "coercion": sweep_coercion_warnings,
            "rectification": sweep_rectification_warnings}[kind]


TABLES = {"warnings": ["enforcement_warningnotice"],
          "coercion": ["enforcement_coercivemeasure", "enforcement_execution"],
          "rectification": ["supervision_rectification"]}


def set_up(kind: str, ref: dict, people: dict, per_level: int, background: int, *, quiet: bool,
           serial: int) -> dict:
    """Create the quiet background (``quiet``) or the objects turning red and yellow; returns levels -> count."""
    from django.utils import timezone

    now = timezone.now()
    if kind == "coercion":
        days = coercion_days(per_level, background, now, quiet=quiet)
        make_coercion(ref, people, days, serial)
    else:
        level_of = warning_level_of if kind == "warnings" else rectification_level_of
        days = spread(per_level, background, level_of, now, quiet=quiet)
        (make_warnings if kind == "warnings" else make_rectifications)(ref, people, days, serial)
    with connection.cursor() as cursor:
        for table in TABLES[kind]:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    return {"none": background} if quiet else {"red": per_level, "yellow": per_level}


def _changed(result, now: dt.datetime) -> dict[str, int]:
    """Changes per level of a sweep's result (rectification's: counted from the rows it stamped at ``now``)."""
    if hasattr(result, "changed"):
        return {str(k): len(v) for k, v in result.changed.items()}
    from django.db.models import Count

    from supervision.models import Rectification

    stamped = Rectification.objects.filter(warning_changed_at=now).values_list("warning_level")
    return dict(stamped.annotate(n=Count("pk")).values_list("warning_level", "n"))


def timed_sweep(kind: str, busy: int = 0) -> dict:
    return harness.timed_sweep(_sweep(kind), busy, changed=_changed)


def run_kind(kind: str, ref: dict, people: dict, per_level: int, background: int, busy: int) -> dict:
    started = time.perf_counter()
    set_up(kind, ref, people, per_level, background, quiet=True, serial=0)
    idle = timed_sweep(kind)
    expected = set_up(kind, ref, people, per_level, background, quiet=False, serial=background)
    generate_seconds = time.perf_counter() - started - idle["seconds"]
    catch_up = timed_sweep(kind, busy)
    again = timed_sweep(kind)
    return {"generate_seconds": round(generate_seconds, 1), "idle": idle, "set_up": expected,
            "catch_up": catch_up, "second_run": again}


def main() -> int:
    if connection.vendor != "postgresql":
        print("bench_notice_sweeps: needs PostgreSQL (set DATABASE_URL); skipped.")
        return 0
    per_level = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    background = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    smoke = os.environ.get("BENCH_SMOKE") == "1"
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        load_before = harness.load_average()
        ref = build_reference()
        people = add_people(ref)
        # A process's first reverse() imports every URLconf (0.7 s): a worker pays that once, not per sweep.
        from enforcement.links import detail_url

        detail_url("warnings:detail", 1)
        sweeps = {kind: run_kind(kind, ref, people, per_level, background, 0 if smoke else SWEEP_LOAD_PROCESSES)
                  for kind in KINDS}
        result = {
            "commit": harness.commit(), "machine": harness.machine(), "per_level": per_level,
            "background": background, "load_average_before": load_before,
            "load_average_after": harness.load_average(), **sweeps,
        }
        path = harness.write("bench_notice_sweeps", result)
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)
    print(f"notice sweeps[postgresql] {per_level} red + {per_level} yellow per kind over {background} quiet ones")
    failures = []
    for kind in KINDS:
        figures = result[kind]
        print(f" {kind} (generated in {figures['generate_seconds']} s)")
        for name in ("idle", "catch_up", "second_run"):
            f = figures[name]
            print(f"  {name}: {f['seconds']} s, changed {f['changed']}, {f['notifications']} notifications, "
                  f"{f['queries']} queries, {f['busy_processes']} busy processes beside it")
        expected, changed = figures["set_up"], figures["catch_up"]["changed"]
        if changed.get("red", 0) < expected["red"] or changed.get("yellow", 0) < expected["yellow"]:
            failures.append(f"{kind}: the catch-up changed {changed}, fewer than the {expected} set up")
        if sum(figures["second_run"]["changed"].values()):
            failures.append(f"{kind}: a second sweep changed {figures['second_run']['changed']}")
        if not smoke and figures["catch_up"]["seconds"] >= SWEEP_LIMIT_SECONDS:
            failures.append(f"{kind}: the catch-up took {figures['catch_up']['seconds']} s "
                            f"(limit {SWEEP_LIMIT_SECONDS} s)")
    print(f"  -> {path}")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
