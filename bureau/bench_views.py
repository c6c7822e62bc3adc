"""The bare-view ceiling of bench/bench_intake.py: only routed when BENCH_CEILING is on (never in production).

Intake is reported as a share of what this view serves in the same gunicorn run: behind the
same middleware, it reads the JSON body and inserts one row in one transaction - the least any
intake request has to do. The bench creates the table itself.
"""

from __future__ import annotations

import json

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

CEILING_TABLE = "bench_ceiling"


@csrf_exempt
@require_POST
def ceiling(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body or b"{}")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {CEILING_TABLE} (body) VALUES (%s) RETURNING id", [json.dumps(body)])
        row_id = cursor.fetchone()[0]
    return JsonResponse({"id": row_id}, status=201)
