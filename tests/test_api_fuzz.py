"""Schemathesis against the API's OpenAPI document (/api/schema/) and Open311's (tests/data/open311.yaml).

Every operation of both documents gets ``FUZZ_EXAMPLES`` generated requests
(default 5) through the WSGI application, as the administrator and as an
officer of the first demo township (token authentication), on the demo county.
A request fails the test when it answers 5xx, or when its status code, content
type or body is not what the document says. Generation is derandomised, so a
run repeats the last one; ``FUZZ_SEED=<n>`` explores other inputs.

    FUZZ_EXAMPLES=20 pytest tests/test_api_fuzz.py    # a deeper run (the issue's probe used 20)
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from schemathesis import checks as st_checks

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
OPEN311_SCHEMA = Path(__file__).parent / "data" / "open311.yaml"
# What every response is checked for. Not "negative data rejection" and the like: positive
# generation only (the 400s of bad input are covered by the hand-made cases of issue 17).
CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
]
# Not fuzzed: logging in with random names fills django-axes' table of failed logins (its
# answers are covered in tests/enforcement/test_accounts_security.py), and nothing else.
SKIPPED = {("POST", "/api/auth/token/")}


@pytest.fixture(autouse=True)
def _postgresql(postgres):
    """PostgreSQL's behaviour (constraints, JSON lookups) is what generated input must meet."""


@pytest.fixture
def application():
    """The site's WSGI application, called in this test's transaction (as Django's test client does it)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from bureau.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def personas() -> dict:
    """The two roles that fuzz the API: the administrator and an officer of the first demo township."""
    from django.contrib.auth import get_user_model

    from enforcement.demo import county

    users = get_user_model().objects
    officer = next(u for u, role in county.KEY_LOGINS if role == "township_officer")
    return {"admin": users.get(username="admin"), "township_officer": users.get(username=officer)}


# The API's collections and the model whose rows their ``{id}`` names: every other example of an
# operation with an ``{id}`` asks for a real row (the one the role sees first), not only for random
# numbers, which are all 404.
COLLECTIONS = {
    "/api/agencies/": "enforcement.Agency",
    "/api/grids/": "enforcement.Grid",
    "/api/notifications/": "enforcement.Notification",
    "/api/tickets/": "dispatch.Ticket",
    "/api/cases/": "enforcement.Case",
    "/api/devolution/batches/": "devolution.DevolutionBatch",
    "/api/devolution/items/": "devolution.BatchItem",
    "/api/review-plans/": "supervision.ReviewPlan",
    "/api/review-scores/": "supervision.Score",
    "/api/rectifications/": "supervision.Rectification",
    "/api/domains/": "enforcement.Domain",
}


def real_ids(user) -> dict[str, int]:
    """For each collection, the first row ``user`` may see (or the first row, for those without a scope)."""
    from django.apps import apps

    found = {}
    for prefix, label in COLLECTIONS.items():
        rows = apps.get_model(label).objects.order_by("pk")
        if hasattr(rows, "visible_to"):
            rows = rows.visible_to(user)
        pk = rows.values_list("pk", flat=True).first()
        if pk is not None:
            found[prefix] = pk
    return found


def api_realism(ids: dict[str, int]):
    """Every other example of an operation on ``{prefix}{id}`` (the first, the simplest, among them) names
    the role's first row of it."""

    def prepare(case, n: int) -> None:
        real = next((pk for prefix, pk in ids.items() if case.operation.path.startswith(prefix + "{id}")), None)
        if real is not None and not n % 2 and "id" in (case.path_parameters or {}):
            case.path_parameters["id"] = real

    return prepare


def examples(operation, headers: dict[str, str], counts: Counter, prepare):
    """A Hypothesis test sending ``EXAMPLES`` generated requests of one operation with ``headers``."""
    sent = []

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize="FUZZ_SEED" not in os.environ,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        prepare(case, len(sent))
        sent.append(case)
        response = case.call(headers=headers)
        counts[response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    if "FUZZ_SEED" in os.environ:
        run = seed(int(os.environ["FUZZ_SEED"]))(run)
    return run


def describe(exc: BaseException) -> str:
    """The failures of one operation, shortly: each sub-exception's message without the reproduction."""
    parts = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
    return "\n  ".join(str(part).split("Reproduce with")[0].strip()[:800] for part in parts)


def fuzz(schema, roles: dict[str, tuple[dict[str, str], object]]) -> tuple[Counter, list[str]]:
    """Run every operation of ``schema`` as every role (its headers, its ``prepare(case, n)``).

    Returns the requests sent by status code and the failures, one line per operation and role.
    """
    counts: Counter = Counter()
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        for role, (headers, prepare) in roles.items():
            try:
                examples(operation, headers, counts, prepare)()
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # noqa: BLE001 - schemathesis raises exception groups; list them all
                failures.append(f"{role} {operation.method.upper()} {operation.path}: {describe(exc)}")
    return counts, failures


def test_the_api_answers_generated_requests_as_its_schema_says_and_never_5xx(demo_county, application):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    from rest_framework.authtoken.models import Token

    users = personas()
    headers = {
        role: {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
        for role, user in users.items()
    }
    roles = {role: (headers[role], api_realism(real_ids(user))) for role, user in users.items()}
    counts, failures = fuzz(schema, roles)
    print(f"API: {sum(counts.values())} requests, by status {dict(sorted(counts.items()))}")
    assert not failures, "\n\n".join(failures)
    assert sum(counts.values()) >= 100 * EXAMPLES  # ~100 operations x 2 roles: nothing silently skipped
    assert not any(code >= 500 for code in counts)


def open311_realism(api_key: str, service_code: str, request_id: str):
    """Every other example carries a valid api_key, an existing service code and request id."""

    def prepare(case, n: int) -> None:
        if n % 2:
            return
        path = case.path_parameters or {}
        if "service_code" in path:
            path["service_code"] = service_code
        if "service_request_id" in path:
            path["service_request_id"] = request_id
        if isinstance(case.body, dict):
            # A report that can succeed: generated free text, but a key, a service and a place that exist
            # (random e-mails and URLs are refused with 400, which the other examples show).
            body = {k: v for k, v in case.body.items() if k not in ("email", "media_url")}
            if ("lat" in body) != ("long" in body):
                body.pop("lat", None), body.pop("long", None)
            body.update(
                api_key=api_key,
                service_code=service_code,
                address_string=str(body.get("address_string") or "").strip() or "甲镇人民路",
            )
            case.body = body

    return prepare


def test_open311_answers_generated_requests_as_its_document_says_and_never_5xx(demo_county, application):
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from dispatch.api_intake import CLIENT_GROUP_PREFIX
    from dispatch.models import Channel, ClientSystem, TicketCategory
    from dispatch.open311.views import public_requests

    schema = schemathesis.openapi.from_path(OPEN311_SCHEMA)
    schema.app = application
    # A client system registered in admin for Open311 (a service account in the group intake:open311).
    system = ClientSystem.objects.create_user("open311_fuzz", first_name="Open311 客户端")
    system.groups.add(Group.objects.get_or_create(name=CLIENT_GROUP_PREFIX + Channel.OPEN311)[0])
    api_key = Token.objects.create(user=system).key
    category = TicketCategory.objects.filter(is_active=True).order_by("sort_order").first()
    ticket = public_requests().order_by("pk").first()
    counts, failures = fuzz(schema, {"open311_client": ({}, open311_realism(api_key, category.code, ticket.number))})
    print(f"Open311: {sum(counts.values())} requests, by status {dict(sorted(counts.items()))}")
    assert not failures, "\n\n".join(failures)
    assert counts[201] and counts[200] and counts[403]  # valid and refused reports both went through
    assert not any(code >= 500 for code in counts)
