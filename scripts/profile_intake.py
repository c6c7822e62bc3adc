"""Profile one intake POST (staff API, hotline push, Open311): where the time goes (issue 18).

Runs on a throwaway test database of DATABASE_URL, with bench_dispatch's reference data and a
few thousand tickets. For each path: the queries of one request (SQL and time) and a cProfile of
100 requests through Django's test client (no network: this is the server's own cost), sorted by
cumulative time. Writes bench/out/profile_intake.txt (or $BENCH_OUT) and prints the top lines::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bureau_bench .venv/bin/python scripts/profile_intake.py
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_dispatch import build_reference_data, generate_tickets  # noqa: E402  (sets Django up)
from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)

REQUESTS = 100


def main() -> int:
    from django.contrib.auth.models import Group
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from enforcement.models import Agency

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    report = io.StringIO()
    try:
        ref = build_reference_data()
        generate_tickets(5000, ref)
        staff = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=ref['dispatcher']).key}")
        from django.contrib.auth import get_user_model

        platform = get_user_model().objects.create_user("svc-12345", password="x")
        platform.groups.add(Group.objects.get_or_create(name="intake:hotline_12345")[0])
        hotline = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=platform).key}")
        code = Agency.objects.get(pk=ref["township_a"]).code
        paths = {
            "staff": (
                staff,
                "/api/tickets/",
                lambda n: {
                    "channel": "hotline_12345",
                    "township": ref["township_a"],
                    "description": "压测：夜间施工噪声扰民",
                    "reporter_phone": "13800000000",
                    "external_ref": f"P-{n}",
                },
            ),
            "hotline": (
                hotline,
                "/api/intake/hotline/",
                lambda n: {
                    "external_ref": f"H-{n}",
                    "description": "压测：夜间施工噪声扰民，请核查。",
                    "township": code,
                    "category": "ZSRM",
                    "reporter_phone": "13800000000",
                    "place": "人民路 1 号",
                },
            ),
        }
        for name, (client, path, body) in paths.items():
            for n in range(5):  # warm
                response = client.post(path, json.dumps(body(-1 - n)), content_type="application/json")
                assert response.status_code in (200, 201), (name, response.status_code, response.content[:300])
            with CaptureQueriesContext(connection) as ctx:
                client.post(path, json.dumps(body(10**6)), content_type="application/json")
            report.write(f"== {name}: {len(ctx.captured_queries)} queries in one request\n")
            for q in ctx.captured_queries:
                report.write(f"  {q['time']}s  {q['sql'][:160]}\n")
            profile = cProfile.Profile()
            started = time.perf_counter()
            profile.enable()
            for n in range(REQUESTS):
                client.post(path, json.dumps(body(n)), content_type="application/json")
            profile.disable()
            elapsed = time.perf_counter() - started
            report.write(
                f"== {name}: {REQUESTS} requests in {elapsed:.2f}s ({elapsed / REQUESTS * 1000:.1f} ms each)\n"
            )
            stats = io.StringIO()
            pstats.Stats(profile, stream=stats).sort_stats("cumulative").print_stats(45)
            report.write(stats.getvalue())
    finally:
        connection.close()
        teardown_databases(old, verbosity=0)
    out = Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "out")
    out.mkdir(parents=True, exist_ok=True)
    (out / "profile_intake.txt").write_text(report.getvalue())
    print(report.getvalue()[:6000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
