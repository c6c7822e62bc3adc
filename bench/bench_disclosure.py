"""Benchmark: building a year's annual disclosure report over 200,000 cases, 1,000,000 tickets, 100,000 inspections.

Needs PostgreSQL (without it the script says so and exits 0). Runs against a
throwaway test database that Django creates and drops again (``test_<name>``
of ``DATABASE_URL``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bureau_bench \
        .venv/bin/python bench/bench_disclosure.py [CASES] [TICKETS] [INSPECTIONS]

The rows are written with set-based SQL (``INSERT ... SELECT generate_series``),
not the ORM: 40 agencies (20 townships, 20 squadrons), cases decided over
2024-2025 in every outcome and combination of penalty kinds, 1 % of them
appealed, tickets received over 2024-2025 from every channel, inspection
records over 2024-2025. Measured:

* ``report_build(2025)`` (every provider, the previous year's figures for the
  year-on-year changes, the analysis) - target under 30 s;
* the same build again (a rebuild of the draft: idempotent, same figures);
* the independent recount of ``build_disclosure_report --verify`` and its result.

Writes bench/out/bench_disclosure.json (with the load average: the machine is
shared) and prints a summary. Fails (exit 1) if the build takes 30 s or more,
the rebuild changes a figure, or the recount differs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")
os.environ.setdefault("BUREAU_TESTING", "1")  # fast password hashing, no SECRET_KEY needed

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402

BUILD_LIMIT_SECONDS = 30.0
YEAR = 2025


def insert_series(model, count: int, overrides: dict[str, str], params: list | None = None) -> float:
    """INSERT ``count`` rows of ``model`` with one ``INSERT ... SELECT FROM generate_series(1, count) g``.

    ``overrides`` gives the SQL expression (in terms of ``g``) of a column; every other NOT NULL column
    gets the model field's default as a literal, nullable ones NULL.
    """
    columns, exprs, values = [], [], list(params or [])
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(f'"{field.column}"')
        if field.name in overrides or field.attname in overrides:
            # Literal % of the expressions (modulo) escaped: the defaults are passed as %s parameters.
            exprs.append(overrides.get(field.name, overrides.get(field.attname)).replace("%", "%%"))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            exprs.append("now()")
        elif field.null:
            exprs.append("NULL")
        else:
            default = field.get_default()
            exprs.append("%s")
            values.append(field.get_db_prep_save(default, connection))
    sql = (
        f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) '
        f"SELECT {', '.join(exprs)} FROM generate_series(1, {count}) AS g"
    )
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(sql, values)
    return time.perf_counter() - started


def build(cases: int, tickets: int, inspections: int) -> dict:
    from django.contrib.auth import get_user_model

    from dispatch.models import Ticket
    from enforcement.cases.models import AppealRecord, Case
    from enforcement.models import Agency, AgencyKind, Domain, Matter, PowerType

    user = get_user_model().objects.create_user("bench", password="x")
    department = Agency.objects.create(code="DEPT", name="县住建局", kind=AgencyKind.DEPARTMENT)
    towns, units = [], []
    for n in range(20):
        towns.append(Agency.objects.create(code=f"T{n:02d}", name=f"乡镇{n:02d}", kind=AgencyKind.TOWN, sort_order=n))
    for n in range(20):
        units.append(
            Agency.objects.create(
                code=f"S{n:02d}", name=f"中队{n:02d}", kind=AgencyKind.SQUADRON_DIRECT, sort_order=100 + n
            )
        )
    agencies = towns + units
    domains = [Domain.objects.create(code=f"D{n}", name=f"领域{n}") for n in range(5)]
    matters = [
        Matter.objects.create(
            code=f"M-{n:04d}",
            name=f"事项{n}",
            power_type=PowerType.PENALTY,
            domain=domains[n % 5],
            origin_department=department,
            in_guidance_catalogue=True,
        )
        for n in range(20)
    ]
    agency_ids = "ARRAY[" + ",".join(str(a.pk) for a in agencies) + "]"
    town_ids = "ARRAY[" + ",".join(str(a.pk) for a in towns) + "]"
    matter_ids = "ARRAY[" + ",".join(str(m.pk) for m in matters) + "]"
    kinds = (
        'ARRAY[\'["fine"]\', \'["warning"]\', \'["fine", "confiscate_gains"]\', '
        '\'["fine", "order_suspension"]\', \'["revoke_licence", "fine"]\', \'["fine"]\']::jsonb[]'
    )
    timings = {}
    day = "(DATE '2024-01-01' + (g % 730))"
    timings["cases"] = insert_series(
        Case,
        cases,
        {
            "number": "'B-' || g",
            "agency": f"({agency_ids})[1 + g % 40]",
            "township": f"({town_ids})[1 + g % 20]",
            "matter": f"({matter_ids})[1 + g % 20]",
            "title": "'案件' || g",
            "occurred_on": day,
            "discovered_on": day,
            "party_kind": "'individual'",
            "party_name": "'当事人'",
            "status": "'closed'",
            "filed_on": day,
            "decided_on": f"{day} + 20",
            "decide_due_at": f"({day} + 90)::timestamp AT TIME ZONE 'Asia/Shanghai'",
            "outcome": "CASE g % 10 WHEN 0 THEN 'no_penalty' WHEN 1 THEN 'first_offense' WHEN 2 THEN 'transfer' "
            "ELSE 'penalty' END",
            "transferred_on": f"CASE WHEN g % 10 = 2 THEN {day} + 20 END",
            "penalty_kinds": f"CASE WHEN g % 10 > 2 THEN ({kinds})[1 + g % 6] ELSE '[]'::jsonb END",
            "fine_amount": "CASE WHEN g % 10 > 2 THEN (g % 1000) * 10 END",
            "confiscated_amount": "CASE WHEN g % 10 > 2 AND g % 6 = 2 THEN (g % 300) * 5 END",
            "created_at": "now()",
            "updated_at": "now()",
        },
    )
    first_case = Case.objects.order_by("pk").values_list("pk", flat=True).first()
    appeals = max(cases // 100, 1)
    timings["appeals"] = insert_series(
        AppealRecord,
        appeals,
        {
            "case": f"{first_case} + (g * 97) % {cases}",
            "kind": "CASE WHEN g % 3 = 0 THEN 'litigation' ELSE 'reconsideration' END",
            "filed_on": "(DATE '2024-01-01' + (g % 730))",
            "body": "'县人民政府'",
            "outcome": "(ARRAY['pending','upheld','varied','revoked','confirmed_unlawful',"
            "'declared_invalid','withdrawn'])[1 + g % 7]",
            "won": "CASE WHEN g % 3 = 0 AND g % 7 <> 0 THEN g % 2 = 0 END",
            "recorded_by": str(user.pk),
            "recorded_at": "now()",
        },
    )
    channels = (
        "ARRAY['staff','township_call','patrol','grid','public_web','hotline_12345','hotline_12319',"
        "'hotline_12369','open311']"
    )
    received = (
        "(TIMESTAMP '2024-01-01 08:00' + (g % 730) * INTERVAL '1 day' + (g % 600) * INTERVAL '1 minute')"
        " AT TIME ZONE 'Asia/Shanghai'"
    )
    timings["tickets"] = insert_series(
        Ticket,
        tickets,
        {
            "number": "'W' || g",
            "channel": f"({channels})[1 + g % 9]",
            "status": "'closed'",
            "description": "'问题描述'",
            "township": f"({town_ids})[1 + g % 20]",
            "responsible_agency": f"CASE WHEN g % 50 = 0 THEN NULL ELSE ({agency_ids})[1 + g % 40] END",
            "received_at": received,
            "resolve_due": f"{received} + INTERVAL '3 days'",
            "resolved_at": f"CASE WHEN g % 20 = 0 THEN NULL ELSE {received} + (g % 5) * INTERVAL '1 day' END",
            "satisfaction": "CASE g % 6 WHEN 0 THEN 'very_satisfied' WHEN 1 THEN 'satisfied' "
            "WHEN 2 THEN 'dissatisfied' WHEN 3 THEN 'basically_satisfied' ELSE '' END",
            "lookup_code": "''",
        },
    )
    counts = {"cases": cases, "appeals": appeals, "tickets": tickets}
    try:
        from enforcement.inspections.models import InspectionObject, InspectionRecord
    except ImportError:
        InspectionRecord = None
    if InspectionRecord is not None and inspections:
        shop = InspectionObject.objects.create(kind="organisation", name="某商店", township=towns[0])
        timings["inspections"] = insert_series(
            InspectionRecord,
            inspections,
            {
                "number": "'JC-' || g",
                "object": str(shop.pk),
                "agency": f"({agency_ids})[1 + g % 40]",
                "township": f"({town_ids})[1 + g % 20]",
                "place": "'某地'",
                "started_at": "(TIMESTAMP '2024-01-01 09:00' + (g % 730) * INTERVAL '1 day') "
                "AT TIME ZONE 'Asia/Shanghai'",
                "checked_on": "(DATE '2024-01-01' + (g % 730))",
                "signature_status": "'signed'",
                "outcome": "(ARRAY['no_problem','ordered_to_correct','case_filed','not_found'])[1 + g % 4]",
            },
        )
        counts["inspections"] = inspections
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {"counts": counts, "insert_seconds": {k: round(v, 2) for k, v in timings.items()}}


def main() -> int:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    tickets = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    inspections = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
    if connection.vendor != "postgresql":
        print("bench_disclosure needs PostgreSQL (DATABASE_URL=postgres://...); skipped.")
        return 0
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        from supervision.disclosure import services, verify

        started = time.perf_counter()
        data = build(cases, tickets, inspections)
        data["data_seconds"] = round(time.perf_counter() - started, 1)
        load_before = os.getloadavg()
        started = time.perf_counter()
        report = services.report_build(YEAR)
        build_s = time.perf_counter() - started
        steps: list = []
        started = time.perf_counter()
        again = services.report_build(
            YEAR, progress=lambda d, t, s: steps.append((round(time.perf_counter() - started, 2), s))
        )
        rebuild_s = time.perf_counter() - started
        same = again.pk == report.pk and again.figures == report.figures
        started = time.perf_counter()
        checked, problems = verify.compare(again.figures, YEAR)
        verify_s = time.perf_counter() - started
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        result = {
            "commit": commit.stdout.strip(),
            "engine": connection.vendor,
            **data,
            "build_seconds": round(build_s, 2),
            "rebuild_seconds": round(rebuild_s, 2),
            "rebuild_steps": steps,
            "rebuild_same_figures": same,
            "verify_seconds": round(verify_s, 2),
            "verify_checked": checked,
            "verify_problems": problems[:20],
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "county": {
                k: again.figures["county"].get(k)
                for k in (
                    "penalty_decisions",
                    "fines_total",
                    "cases_decided",
                    "tickets_received",
                    "on_time_rate",
                    "correction_rate",
                    "inspections",
                )
            },
            "missing": again.figures["missing"],
        }
    finally:
        teardown_databases(old, verbosity=0)
    out = Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "out")
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_disclosure.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    timed = os.environ.get("BENCH_SMOKE") != "1"  # bench-smoke: not timed
    ok = (build_s < BUILD_LIMIT_SECONDS or not timed) and same and not problems
    print(
        f"disclosure report {YEAR} over {data['counts']}: build {build_s:.1f} s, rebuild {rebuild_s:.1f} s "
        f"(same figures: {same}), verify {verify_s:.1f} s ({checked} figures, {len(problems)} differ), "
        f"load {result['load_average_before'][0]} -> {result['load_average_after'][0]}"
        f"{'' if ok else '  FAILED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
