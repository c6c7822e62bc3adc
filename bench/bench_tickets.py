"""Benchmark: ticket lists (API and pages), the board and the detail at 100,000 and 1,000,000 tickets, over HTTP.

Needs PostgreSQL (without it the script says so and exits 0). Runs against a throwaway test
database (``test_<name>`` of ``DATABASE_URL``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bureau_bench \\
        .venv/bin/python bench/bench_tickets.py [SIZES] [RUNS]

SIZES: comma-separated ticket counts (default ``100000,1000000``), grown in place with
bench_dispatch's ``INSERT ... SELECT generate_series``; RUNS: timed requests per list (default
30). gunicorn with bureau/gunicorn.conf.py on 127.0.0.1 (bench_intake.Server); a token (API) or
a session cookie (pages) on every request over a kept-alive connection, so the server
authenticates and computes the scope each time. Roles: dispatcher (county-wide), township
officer, stationed-squadron officer. Measured per role:

* API ``/api/tickets/``: first page (50 and 100 rows), every filter, every ordering both ways,
  ``search`` by exact number, a deep page by cursor (row 500,000 of the dispatcher's list - page
  5,000 of 100 - or half-way for the others and at smaller sizes) and by page number, the detail;
* pages: the list (first, filtered, page 50), the board (dispatcher), the detail.

Writes bench/out/bench_tickets.json (commit, machine, load average before and after, row counts,
every sample) and prints a summary; exits 1 if a request fails or the API's query count grows
with the page size. The sweeps stay in bench_dispatch.py.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from bench_dispatch import build_reference_data, generate_tickets  # noqa: E402  (sets Django up)
from bench_intake import Server, gunicorn_workers  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402

logging.getLogger("axes").setLevel(logging.WARNING)

MEDIAN_TARGET_MS, P95_TARGET_MS = 150.0, 300.0
DEEP_ROW = 500_000  # page 5,000 of 100


def people(ref: dict) -> dict:
    from django.test import Client
    from rest_framework.authtoken.models import Token

    out = {}
    for key, user in (
        ("dispatcher", ref["dispatcher"]),
        ("township", ref["officer"]),
        ("squadron", ref["squadron_officer"]),
    ):
        client = Client()
        client.force_login(user)
        out[key] = {
            "user": user,
            "token": Token.objects.get_or_create(user=user)[0].key,
            "session": client.cookies["sessionid"].value,
        }
    return out


def api_paths(user, ref: dict) -> dict:
    from dispatch.models import Ticket
    from enforcement import keyset

    visible = Ticket.objects.visible_to(user).order_by("-received_at", "-id")
    total = visible.count()
    number = visible.values_list("number", flat=True)[min(total - 1, 1000)] if total else "GD2026-000001"
    town = ref["townships"][0]
    paths = {
        "api first page": "/api/tickets/",
        "api first page 100": "/api/tickets/?page_size=100",
        "api status=assigned": "/api/tickets/?status=assigned",
        "api open=true": "/api/tickets/?open=true",
        "api channel=hotline_12345": "/api/tickets/?channel=hotline_12345",
        "api priority=urgent": "/api/tickets/?priority=urgent",
        f"api township={town}": f"/api/tickets/?township={town}",
        f"api agency={ref['squadrons'][0]}": f"/api/tickets/?agency={ref['squadrons'][0]}",
        f"api category={ref['categories'][0]}": f"/api/tickets/?category={ref['categories'][0]}",
        "api warning_level=red": "/api/tickets/?warning_level=red",
        "api overdue=true": "/api/tickets/?overdue=true",
        "api received_from": "/api/tickets/?received_from=2026-06-01",
        "api number filter": f"/api/tickets/?number={number}",
        "api search =number": f"/api/tickets/?search={number}",
    }
    for field in ("received_at", "resolve_due", "number"):
        paths[f"api ordering={field}"] = f"/api/tickets/?ordering={field}"
        paths[f"api ordering=-{field}"] = f"/api/tickets/?ordering=-{field}"
    if total > 200:
        row = visible[min(DEEP_ROW, total // 2)]
        token = keyset.encode(keyset.ordering_of(visible), row)
        paths["api deep page by cursor (100 rows)"] = f"/api/tickets/?page_size=100&cursor={token}"
        paths["api page 50 of 100 (offset)"] = f"/api/tickets/?page_size=100&page={max(1, min(50, total // 100))}"
        by_due = Ticket.objects.visible_to(user).order_by("resolve_due", "id")
        due_row = by_due[min(DEEP_ROW, total // 2)]
        due_token = keyset.encode(keyset.ordering_of(by_due), due_row)
        paths["api deep page ordering=resolve_due by cursor"] = (
            f"/api/tickets/?ordering=resolve_due&page_size=100&cursor={due_token}"
        )
    first = visible.first()
    if first is not None:
        paths["api detail"] = f"/api/tickets/{first.pk}/"
    return paths


def page_paths(role: str, user, ref: dict) -> dict:
    from dispatch.models import Ticket

    first = Ticket.objects.visible_to(user).order_by("-received_at", "-id").first()
    paths = {
        "page list": "/dispatch/tickets/",
        "page list open": "/dispatch/tickets/?open=true",
        "page list township open": f"/dispatch/tickets/?township={ref['townships'][0]}&open=true",
        "page list red": "/dispatch/tickets/?warning_level=red",
        "page list page 50": "/dispatch/tickets/?page=50",
    }
    if role == "dispatcher":
        paths["page board"] = "/dispatch/"
    if first is not None:
        paths["page detail"] = f"/dispatch/tickets/{first.pk}/"
    return paths


def query_counts(person: dict) -> dict:
    from django.test import Client

    api = Client(HTTP_AUTHORIZATION=f"Token {person['token']}")
    page = Client()
    page.cookies["sessionid"] = person["session"]
    return {
        "api_10": harness.count_queries(api, "/api/tickets/?page_size=10"),
        "api_100": harness.count_queries(api, "/api/tickets/?page_size=100"),
        "api_cursor_100": harness.count_queries(api, "/api/tickets/?page_size=100&cursor="),
        "page": harness.count_queries(page, "/dispatch/tickets/"),
        "page_2": harness.count_queries(page, "/dispatch/tickets/?page=2"),
    }


def measure(ref: dict, who: dict, runs: int, port: int) -> dict:
    from dispatch.models import Ticket

    out = {"tickets": Ticket.objects.count(), "open_tickets": Ticket.objects.open().count(), "roles": {}}
    for role, person in who.items():
        api = harness.HttpClient(port, token=person["token"])
        page = harness.HttpClient(port, session=person["session"])
        lists = {name: api.sample(path, runs) for name, path in api_paths(person["user"], ref).items()}
        lists.update({name: page.sample(path, runs) for name, path in page_paths(role, person["user"], ref).items()})
        out["roles"][role] = {
            "visible_tickets": Ticket.objects.visible_to(person["user"]).count(),
            "queries": query_counts(person),
            "lists": lists,
        }
    return out


def main() -> int:
    if connection.vendor != "postgresql":
        print("bench_tickets: needs PostgreSQL (set DATABASE_URL); skipped.")
        return 0
    sizes = [int(s) for s in (sys.argv[1] if len(sys.argv) > 1 else "100000,1000000").split(",")]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    result = {
        "bench": "tickets",
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
        ref = build_reference_data()
        who = people(ref)
        made = 0
        for size in sizes:
            # generate_tickets numbers from 1 each time: grow with a fresh table instead of appending.
            if made:
                with connection.cursor() as cursor:
                    cursor.execute("TRUNCATE dispatch_ticket CASCADE")
            seconds = generate_tickets(size, ref)
            made = size
            server = Server()
            try:
                figures = measure(ref, who, runs, server.port)
            finally:
                server.stop()
            figures["generate_seconds"] = round(seconds, 1)
            figures["load_average_after"] = harness.load_average()
            result["sizes"][str(size)] = figures
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)
    result["load_average_after"] = harness.load_average()
    harness.write("bench_tickets", result)
    return report(result)


def report(result: dict) -> int:
    failures = []
    print(
        f"ticket lists via gunicorn ({result['web']}), {result['runs']} requests each, "
        f"load average {result['load_average_before']} -> {result['load_average_after']}"
    )
    for size, figures in result["sizes"].items():
        worst = []
        for role, data in figures["roles"].items():
            q = data["queries"]
            if q["api_100"] > q["api_10"]:
                failures.append(f"{size} {role}: API queries grow with the page size ({q['api_10']} -> {q['api_100']})")
            worst += [(f["median_ms"], f["p95_ms"], role, name) for name, f in data["lists"].items()]
        worst.sort(reverse=True)
        slow = [w for w in worst if w[0] > MEDIAN_TARGET_MS or w[1] > P95_TARGET_MS]
        print(
            f"  {size} tickets: {len(worst)} lists; slowest median {worst[0][0]} ms ({worst[0][2]}: {worst[0][3]}), "
            f"{len(slow)} over target"
        )
        for median, p95, role, name in slow[:10]:
            print(f"    SLOW {role}: {name}: median {median} ms, p95 {p95} ms")
    for failure in failures:
        print("FAIL:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
