"""Benchmark: case lists (API and pages) and case detail at 20,000 and 200,000 cases, through real HTTP.

Needs PostgreSQL (without it the script says so and exits 0). Runs against a throwaway test
database (``test_<name>`` of ``DATABASE_URL``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bureau_bench \\
        .venv/bin/python bench/bench_cases.py [SIZES] [RUNS]

SIZES is a comma-separated list of case counts, default ``20000,200000``; RUNS the timed
requests per list (default 30, at least 30 for the issue's figures). ``bench-smoke`` passes
``300,600 3``. Cases are generated in one ``INSERT ... SELECT generate_series`` per size
(grown in place from the smaller size to the larger), then ``VACUUM (ANALYZE)``.

Served by gunicorn with bureau/gunicorn.conf.py on 127.0.0.1 (bench_intake.Server); each
request goes over a kept-alive connection with a token (API) or a session cookie (pages) sent
every time, so the server authenticates and computes the scope on every request. Measured for
each role (county-wide dispatcher, township officer, stationed-squadron officer, department
staff seeing entrusted cases, judicial reviewer seeing only assigned files):

* API ``/api/cases/``: first page, every filter (status, warning_level, procedure, agency),
  every ordering both ways, search by a whole registry number, by a part of one, by party and
  by a word in every title, a deep page by cursor (half-way down the visible rows; and three
  quarters down ``decided_on`` both ways, across its NULLs) and by page number (page 100 of
  50, and the smallest size's deep page again at every size, for the growth), and one case's
  detail;
* page ``/cases/``: first page, every filter (status, warning, procedure, agency, major,
  year, q by number and by party), page 100 (and the smallest size's deep page again), and one
  case's page.

Per list: median, p95, max and every sample; the queries of one request (Django's test client,
signed in the same way) at page size 10 and 100 for the API. Writes bench/out/bench_cases.json
(commit, machine, load average before and after, row counts) and prints a summary. Medians over
150 ms or p95 over 300 ms are flagged SLOW; exits 1 if a request fails or a list's query count
grows with the page size.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from bench_intake import Server, gunicorn_workers  # noqa: E402  (sets Django up)
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402

logging.getLogger("axes").setLevel(logging.WARNING)  # one sign-in line per persona otherwise

TOWNSHIPS = 20
PARTY = "当事人9971"  # party_name is "当事人" + (i mod 9973): one case in 9,973
TITLE_WORD = "摆摊经营"  # in every title
MEDIAN_TARGET_MS, P95_TARGET_MS = 150.0, 300.0


def build_reference() -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from enforcement.models import Agency, AgencyKind, Domain, Matter, Membership, PowerType, Role

    User = get_user_model()
    bureau = Agency.objects.create(code="BUREAU", name="县综合行政执法局", kind=AgencyKind.BUREAU)
    command = Agency.objects.create(code="CMD", name="指挥中心", kind=AgencyKind.COMMAND_CENTRE, parent=bureau)
    brigade = Agency.objects.create(code="BRIG", name="执法大队", kind=AgencyKind.BRIGADE, parent=bureau)
    dept = Agency.objects.create(code="DEPT", name="县自然资源局", kind=AgencyKind.DEPARTMENT)
    judicial = Agency.objects.create(code="JUD", name="县司法局", kind=AgencyKind.JUDICIAL_BUREAU)
    units = []
    for i in range(1, TOWNSHIPS + 1):
        town = Agency.objects.create(code=f"T{i:02d}", name=f"第{i}镇", kind=AgencyKind.TOWN, sort_order=i)
        squad = Agency.objects.create(
            code=f"SQ{i:02d}",
            name=f"第{i}镇派驻中队",
            kind=AgencyKind.SQUADRON_STATIONED,
            parent=brigade,
            stationed_in=town,
            sort_order=100 + i,
        )
        units += [town, squad]
    domain = Domain.objects.create(code="CSGL", name="城市管理")
    matter = Matter.objects.create(
        code="CSGL-0001",
        name="占用城市道路摆摊设点",
        power_type=PowerType.PENALTY,
        domain=domain,
        origin_department=dept,
    )
    people = {}
    for key, agency, role in (
        ("bureau", command, Role.DISPATCHER),
        ("township", units[0], Role.TOWNSHIP_OFFICER),
        ("squadron", units[1], Role.SQUADRON_OFFICER),
        ("department", dept, Role.DEPARTMENT_STAFF),
        ("judicial", judicial, Role.JUDICIAL_REVIEWER),
    ):
        user = User.objects.create_user(f"bench_{key}", password="bench-password", email="")
        Membership.objects.create(user=user, agency=agency, role=role)
        client = Client()
        client.force_login(user)  # a session row, as a browser's sign-in leaves it
        people[key] = {
            "user": user,
            "token": Token.objects.create(user=user).key,
            "session": client.cookies["sessionid"].value,
        }
    return {
        "units": [u.pk for u in units],
        "unit_codes": [u.code for u in units],
        "matter": matter.pk,
        "dept": dept.pk,
        "township": units[0],
        "people": people,
    }


def generate_cases(start: int, stop: int, ref: dict) -> float:
    """Cases ``start`` .. ``stop - 1`` in one INSERT ... SELECT; returns seconds."""
    from django.utils import timezone

    from enforcement.models import Case

    units = ref["units"]
    statuses = ["lead", "filed", "investigating", "noticed", "decided", "executed", "closed", "archived"]
    # The handling agency is the unit (i mod units); the rest derives from n, the case's serial within
    # its agency, so that every agency has cases in every state, procedure and seriousness. (Derived from
    # i, every case of township T01 was a lead and every one of SQ01's was filed: an ordering on
    # decided_on then had to read every decided case of the county before it reached theirs.)
    n = f"(i / {len(units)})"
    k = f"mod({n}, 8)"
    created = "(%(now)s::timestamptz - make_interval(days => mod(i, 730), mins => mod(i * 7, 1440)))"
    exprs = {
        # Registry numbers as enforcement.cases.rules.registry_number writes them: agency code, year,
        # serial (unique per agency: i / units), e.g. "T01-2026-00123".
        "number": f"(ARRAY{ref['unit_codes']!r})[1 + mod(i, {len(units)})] || '-' || "
        f"extract(year FROM {created})::int::text || '-' || lpad((i / {len(units)} + 1)::text, 5, '0')",
        "filing_number": f"CASE WHEN {k} >= 1 THEN '综执立字〔' || (2025 + mod(i, 2))::text || '〕第' || i::text "
        "|| '号' ELSE '' END",
        "decision_number": f"CASE WHEN {k} >= 4 THEN '综执罚决字〔2026〕第' || i::text || '号' ELSE '' END",
        "procedure": f"CASE WHEN mod({n}, 10) = 0 THEN 'summary' ELSE 'ordinary' END",
        "agency_id": f"(ARRAY{units!r})[1 + mod(i, {len(units)})]",
        # One case in 50 is entrusted: decided in the department's name (the department sees it).
        "subject_agency_id": f"CASE WHEN mod(i, 50) = 0 THEN {ref['dept']} END",
        "township_id": f"(ARRAY{units[0::2]!r})[1 + mod(i, {len(units)}) / 2]",
        "matter_id": str(ref["matter"]),
        "source": "'inspection'",
        "title": "'占用城市道路摆摊经营 ' || i::text",
        "place": "'人民路 ' || mod(i, 500)::text || ' 号'",
        "party_kind": "'individual'",
        "party_name": "'当事人' || mod(i, 9973)::text",
        "party_id_number": "'330102199001' || lpad(mod(i, 1000000)::text, 6, '0')",
        "status": f"(ARRAY{statuses!r})[1 + {k}]",
        "is_major": f"mod({n}, 40) = 0",
        "created_at": created,
        "updated_at": created,
        "occurred_on": f"({created})::date - 3",
        "discovered_on": f"({created})::date",
        "filed_on": f"CASE WHEN {k} >= 1 THEN ({created})::date + 1 END",
        "decide_due_at": f"CASE WHEN {k} BETWEEN 1 AND 3 THEN {created} + interval '90 days' END",
        "decided_on": f"CASE WHEN {k} >= 4 THEN ({created})::date + 30 END",
        "warning_level": f"CASE WHEN {k} BETWEEN 1 AND 3 AND mod(i, 13) = 0 THEN 'red' WHEN {k} BETWEEN 1 AND 3 "
        "AND mod(i, 13) = 1 THEN 'yellow' ELSE 'none' END",
        "outcome": f"CASE WHEN {k} >= 4 THEN 'penalty' ELSE '' END",
    }
    columns, selects = [], []
    for field in Case._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.column in exprs:
            expr = exprs[field.column]
        elif field.null:
            expr = "NULL"
        elif field.get_internal_type() == "BooleanField":
            expr = "false"
        elif field.get_internal_type() in (
            "PositiveSmallIntegerField",
            "PositiveIntegerField",
            "IntegerField",
            "DecimalField",
            "SmallIntegerField",
        ):
            expr = "0"
        elif field.get_internal_type() == "JSONField":
            expr = (
                "'{}'::jsonb"
                if isinstance(field.default() if callable(field.default) else field.default, dict)
                else "'[]'::jsonb"
            )
        else:
            expr = "''"
        columns.append(connection.ops.quote_name(field.column))
        selects.append(expr)
    sql = (
        f"INSERT INTO {Case._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(selects)} FROM generate_series(%(start)s, %(stop)s) AS i"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, {"start": start, "stop": stop - 1, "now": timezone.now()})
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {Case._meta.db_table}")
    return elapsed


def grant_reviewer(ref: dict, files: int = 20) -> None:
    """The judicial reviewer is assigned ``files`` case files (guardian grants), as a review plan does."""
    from enforcement.access import grant
    from enforcement.models import Case

    for case in Case.objects.order_by("pk")[:: max(1, Case.objects.count() // files)][:files]:
        grant("view_case", ref["people"]["judicial"]["user"], case)


def api_paths(role: str, ref: dict) -> dict:
    from enforcement import keyset
    from enforcement.models import Case

    user = ref["people"][role]["user"]
    visible = Case.objects.visible_to(user).order_by("-created_at", "-id")
    total = visible.count()
    number = search_number(role, ref)
    paths = {
        "api first page": "/api/cases/",
        "api status=investigating": "/api/cases/?status=investigating",
        "api warning_level=red": "/api/cases/?warning_level=red",
        "api procedure=summary": "/api/cases/?procedure=summary",
        f"api agency={ref['unit_codes'][0]}": f"/api/cases/?agency={ref['unit_codes'][0]}",
        # A whole registry number (matched exactly), a part of one and a party's name (by trigrams),
        # and a word in nearly every title (most rows match: the list's ordering index, not trigrams).
        "api search number": f"/api/cases/?search={quote(number)}",
        "api search number part": f"/api/cases/?search={quote(number[:-2])}",
        "api search party": f"/api/cases/?search={quote(PARTY)}",
        "api search title word": f"/api/cases/?search={quote(TITLE_WORD)}",
    }
    deep = max(1, min(100, total // 50))  # page 100 of 50 rows where there are that many
    paths[f"api page {deep}"] = f"/api/cases/?page={deep}"
    # The deep page of the smallest size, asked again at every size: the one page-number request that
    # is the same list at both sizes, for the growth ratio (page 100 above is ten times deeper at
    # 200,000 cases than page 10 at 20,000, an OFFSET that grows with the table by definition).
    same = ref.setdefault("same_page", {}).setdefault((role, "api"), deep)
    paths[f"api page {same} (same page at every size)"] = f"/api/cases/?page={same}"
    for field in ("created_at", "discovered_on", "decided_on", "decide_due_at"):
        paths[f"api ordering={field}"] = f"/api/cases/?ordering={field}"
        paths[f"api ordering=-{field}"] = f"/api/cases/?ordering=-{field}"
    if total > 100:
        middle = visible[total // 2]
        token = keyset.encode(keyset.ordering_of(visible), middle)
        paths["api deep page (cursor, half-way)"] = f"/api/cases/?cursor={token}"
        # A nullable ordering, three quarters down: going down the NULLs come first, so the cursor
        # is among the decided cases; going up they come last, so it is inside the NULL block.
        for ordering in ("-decided_on", "decided_on"):
            by = visible.order_by(ordering, "-id" if ordering.startswith("-") else "id")
            token = keyset.encode(keyset.ordering_of(by), by[total * 3 // 4])
            name = f"api deep page (cursor, 3/4) ordering={ordering}"
            paths[name] = f"/api/cases/?ordering={ordering}&cursor={token}"
    first = visible.first()
    if first is not None:
        paths["api detail"] = f"/api/cases/{first.pk}/"
    return paths


def page_paths(role: str, ref: dict) -> dict:
    from enforcement.models import Case

    visible = Case.objects.visible_to(ref["people"][role]["user"]).order_by("-created_at", "-id")
    first = visible.first()
    deep = max(1, min(100, visible.count() // 30))
    paths = {
        "page first": "/cases/",
        "page status=investigating": "/cases/?status=investigating",
        "page warning=red": "/cases/?warning=red",
        "page procedure=summary": "/cases/?procedure=summary",
        "page agency": f"/cases/?agency={ref['units'][0]}",
        "page major": "/cases/?major=on",
        "page year=2026": "/cases/?year=2026",
        "page q=number": f"/cases/?q={quote(search_number(role, ref))}",
        "page q=party": f"/cases/?q={quote(PARTY)}",
        f"page {deep}": f"/cases/?page={deep}",
    }
    same = ref.setdefault("same_page", {}).setdefault((role, "page"), deep)
    paths[f"page {same} (same page at every size)"] = f"/cases/?page={same}"
    if first is not None:
        paths["page detail"] = f"/cases/{first.pk}/"
    return paths


def search_number(role: str, ref: dict) -> str:
    """The registry number a role searches for: of a case it sees, in the middle of its list."""
    from enforcement.models import Case

    visible = Case.objects.visible_to(ref["people"][role]["user"]).order_by("-created_at", "-id")
    total = visible.count()
    return visible[total // 2].number if total else "T01-2026-00001"


def query_counts(role: str, ref: dict) -> dict:
    """Queries of the API list at page size 10 and 100, and of the page (test client, same authentication)."""
    from django.test import Client

    person = ref["people"][role]
    api = Client(HTTP_AUTHORIZATION=f"Token {person['token']}")
    page = Client()
    page.cookies["sessionid"] = person["session"]
    return {
        "api_10": harness.count_queries(api, "/api/cases/?page_size=10"),
        "api_100": harness.count_queries(api, "/api/cases/?page_size=100"),
        "api_cursor_100": harness.count_queries(api, "/api/cases/?page_size=100&cursor="),
        "page": harness.count_queries(page, "/cases/"),
        "page_2": harness.count_queries(page, "/cases/?page=2"),
    }


def measure(size: int, ref: dict, runs: int, port: int) -> dict:
    from enforcement.models import Case

    out = {"cases": Case.objects.count(), "roles": {}}
    for role, person in ref["people"].items():
        api = harness.HttpClient(port, token=person["token"])
        page = harness.HttpClient(port, session=person["session"])
        lists = {}
        for name, path in api_paths(role, ref).items():
            lists[name] = api.sample(path, runs)
        for name, path in page_paths(role, ref).items():
            lists[name] = page.sample(path, runs)
        from enforcement.models import Case as _Case

        out["roles"][role] = {
            "visible_cases": _Case.objects.visible_to(person["user"]).count(),
            "queries": query_counts(role, ref),
            "lists": lists,
        }
    return out


def main() -> int:
    if connection.vendor != "postgresql":
        print("bench_cases: needs PostgreSQL (set DATABASE_URL); skipped.")
        return 0
    sizes = [int(s) for s in (sys.argv[1] if len(sys.argv) > 1 else "20000,200000").split(",")]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    result = {
        "bench": "cases",
        "commit": harness.commit(),
        "load_average_before": harness.load_average(),
        "runs": runs,
        "sizes": {},
    }
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        result["machine"] = harness.machine()
        result["web"] = gunicorn_workers()
        ref = build_reference()
        made = 0
        for size in sizes:
            seconds = generate_cases(made + 1, size + 1, ref)
            made = size
            if size == sizes[0]:
                grant_reviewer(ref)
            server = Server()
            try:
                figures = measure(size, ref, runs, server.port)
            finally:
                server.stop()
            figures["generate_seconds"] = round(seconds, 1)
            figures["load_average_after"] = harness.load_average()
            result["sizes"][str(size)] = figures
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)
    result["load_average_after"] = harness.load_average()
    harness.write("bench_cases", result)
    return report(result)


def report(result: dict) -> int:
    failures = []
    sizes = list(result["sizes"])
    print(
        f"case lists via gunicorn ({result['web']}), {result['runs']} requests each, "
        f"load average {result['load_average_before']} -> {result['load_average_after']}"
    )
    for size in sizes:
        figures = result["sizes"][size]
        worst = []
        for role, data in figures["roles"].items():
            q = data["queries"]
            if q["api_100"] > q["api_10"]:
                failures.append(f"{size} {role}: API queries grow with the page size ({q['api_10']} -> {q['api_100']})")
            for name, f in data["lists"].items():
                worst.append((f["median_ms"], f["p95_ms"], role, name))
        worst.sort(reverse=True)
        slow = [w for w in worst if w[0] > MEDIAN_TARGET_MS or w[1] > P95_TARGET_MS]
        print(
            f"  {size} cases: {len(worst)} lists; slowest median {worst[0][0]} ms ({worst[0][2]}: {worst[0][3]}), "
            f"{len(slow)} over target"
        )
        for median, p95, role, name in slow[:10]:
            print(f"    SLOW {role}: {name}: median {median} ms, p95 {p95} ms")
    for failure in failures:
        print("FAIL:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
