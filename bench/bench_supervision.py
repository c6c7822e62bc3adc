"""Benchmark: case-file review over 200,000 closed cases of 40 agencies - the draw and the results pages.

Needs PostgreSQL (without it the script says so and exits 0). Runs against a
throwaway test database that Django creates and drops again (``test_<name>``
of ``DATABASE_URL``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bureau_bench \
        .venv/bin/python bench/bench_supervision.py [CASES] [AGENCIES] [RUNS]

Defaults: 200,000 cases over 40 agencies (20 townships, 20 squadrons), all
closed and decided in the plan's period, written with ``bulk_create``.
Measured:

* the draw (``plan_draw``: population read, seeded sample of 5 files per agency,
  conflict check, reviewer assignment, guardian grants) - target under 5 s;
* ``review_draw --check`` (recomputing it);
* after every file is scored and the results published: the plan page, the
  results page (per agency, per rubric item, charts), the results API and the
  .xlsx export, as the plan's lead - median over RUNS, target under 300 ms,
  with the query count.

Writes bench/out/bench_supervision.json and prints a summary. Fails (exit 1)
if the draw takes 5 s or more or the check differs; medians over 300 ms are
flagged SLOW (a shared 2-core machine is noisy).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
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
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)

DRAW_LIMIT_SECONDS = 5.0
PAGE_TARGET_MS = 300.0
PER_AGENCY = 5
PERIOD = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def build(cases: int, agencies: int) -> dict:
    from django.contrib.auth import get_user_model

    from enforcement.cases.models import Case, CaseStatus
    from enforcement.models import Agency, AgencyKind, Domain, Matter, Membership, PowerType, Role
    from supervision.services.rubrics import create_default_rubric

    User = get_user_model()
    judicial = Agency.objects.create(code="SFJ", name="县司法局", kind=AgencyKind.JUDICIAL_BUREAU)
    department = Agency.objects.create(code="DEPT", name="县住建局", kind=AgencyKind.DEPARTMENT)
    units = []
    for n in range(agencies):
        kind = AgencyKind.TOWN if n % 2 == 0 else AgencyKind.SQUADRON_DIRECT
        units.append(Agency.objects.create(code=f"A{n:03d}", name=f"单位{n:03d}", kind=kind, sort_order=n))
    domain = Domain.objects.create(code="CSGL", name="城市管理")
    matter = Matter.objects.create(code="CSGL-0001", name="占道经营", power_type=PowerType.PENALTY, domain=domain,
                                   origin_department=department, in_guidance_catalogue=True)
    reviewers = []
    for n in range(6):
        user = User.objects.create_user(f"judicial{n}", password="x")
        Membership.objects.create(user=user, agency=judicial, role=Role.JUDICIAL_REVIEWER)
        reviewers.append(user)
    started = time.perf_counter()
    batch = []
    span = (PERIOD[1] - PERIOD[0]).days
    for i in range(cases):
        day = PERIOD[0] + dt.timedelta(days=i % span)
        batch.append(Case(
            number=f"B-{i:07d}", agency=units[i % agencies], matter=matter, title="占道经营", occurred_on=day,
            discovered_on=day, party_kind="individual", party_name="当事人", decided_on=day, filed_on=day,
            outcome="penalty", status=CaseStatus.CLOSED if i % 10 else CaseStatus.ARCHIVED,
        ))
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"judicial": judicial, "reviewers": reviewers, "rubric": create_default_rubric(),
            "cases_seconds": round(time.perf_counter() - started, 1)}


def timed(client, url: str, runs: int) -> dict:
    client.get(url)  # warm caches
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1), "queries": queries}


def run(cases: int, agencies: int, runs: int) -> int:
    from django.core.management import CommandError, call_command
    from django.test import Client

    from supervision.models import Score
    from supervision.services.plans import plan_create, plan_draw, plan_publish, plan_start
    from supervision.services.scoring import score_save, score_submit

    ref = build(cases, agencies)
    lead = ref["reviewers"][0]
    plan = plan_create(by=lead, reviewers=ref["reviewers"], year=2026, title="性能测试评查", organiser=ref["judicial"],
                       lead=lead, rubric=ref["rubric"], period_start=PERIOD[0], period_end=PERIOD[1],
                       sample_count=PER_AGENCY, seed=12345)
    started = time.perf_counter()
    plan = plan_draw(plan, by=lead)
    draw_seconds = time.perf_counter() - started
    started = time.perf_counter()
    check_ok = True
    try:
        call_command("review_draw", str(plan.pk), "--check", stdout=open(os.devnull, "w"))  # noqa: SIM115
    except CommandError:
        check_ok = False
    check_seconds = time.perf_counter() - started
    plan = plan_start(plan, by=lead)
    items = list(ref["rubric"].groups.order_by("order").values_list("items__pk", flat=True))
    started = time.perf_counter()
    for n, score in enumerate(Score.objects.filter(assignment__sampled__plan=plan).select_related(
            "assignment__reviewer", "assignment__sampled__plan__rubric")):
        deductions = {items[n % len(items)]: (n % 5, "扣分说明")} if n % 5 else {}
        score = score_save(score, by=score.assignment.reviewer, deductions=deductions, vetoes={})
        score_submit(score, by=score.assignment.reviewer)
    scoring_seconds = time.perf_counter() - started
    plan = plan_publish(plan, by=lead)
    client = Client()
    client.force_login(lead)
    pages = {
        "plan page": timed(client, f"/supervision/{plan.pk}/", runs),
        "results page": timed(client, f"/supervision/{plan.pk}/results/", runs),
        "results API": timed(client, f"/api/review-plans/{plan.pk}/results/", runs),
        "results xlsx": timed(client, f"/supervision/{plan.pk}/results/xlsx/", max(3, runs // 3)),
        "plan list": timed(client, "/supervision/", runs),
    }
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    files = plan.files.count()
    result = {
        "commit": commit.strip(), "engine": connection.vendor, "cases": cases, "agencies": agencies,
        "files": files, "cases_seconds": ref["cases_seconds"], "draw_seconds": round(draw_seconds, 2),
        "check_seconds": round(check_seconds, 2), "check_ok": check_ok, "scoring_seconds": round(scoring_seconds, 1),
        "pages": pages, "runs": runs,
    }
    out = Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "out")
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_supervision.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(f"supervision[{connection.vendor}] {cases} cases / {agencies} agencies written in "
          f"{ref['cases_seconds']}s; draw of {files} files {draw_seconds:.2f}s; --check {check_seconds:.2f}s "
          f"({'same' if check_ok else 'DIFFERS'}); scoring {scoring_seconds:.1f}s")
    for name, figures in pages.items():
        print(f"  {name}: {figures}{'  SLOW' if figures['median_ms'] >= PAGE_TARGET_MS else ''}")
    failures = []
    if draw_seconds >= DRAW_LIMIT_SECONDS and os.environ.get("BENCH_SMOKE") != "1":  # bench-smoke: not timed
        failures.append(f"draw {draw_seconds:.2f}s >= {DRAW_LIMIT_SECONDS}s")
    if not check_ok:
        failures.append("review_draw --check differs")
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


def main() -> int:
    if connection.vendor != "postgresql":
        print("bench_supervision: needs PostgreSQL (set DATABASE_URL); skipped.")
        return 0
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    agencies = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 9
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        return run(cases, agencies, runs)
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
