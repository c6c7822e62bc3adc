"""Free-text case search (issue 18): the same matches as a substring search, served by indexes.

The expected cases are worked out here in Python (is the term a substring of one of the five
columns, ignoring case?), not read back from the search, and compared with what the API and
the list page return for a township officer and a county-wide reader.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from enforcement.cases.selectors import looks_like_case_number
from enforcement.models import Case, CaseStatus
from tests.enforcement.cases_support import world

__all__ = ["world"]

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
COLUMNS = ("number", "filing_number", "decision_number", "title", "party_name")


def make_cases(world, specs: list[dict], *, agency=None) -> list[Case]:
    agency = agency or world.county.town_a
    rows = [
        Case(
            agency=agency, matter=world.dev, occurred_on=dt.date(2026, 2, 1), discovered_on=dt.date(2026, 2, 2),
            party_kind="individual", status=CaseStatus.LEAD, created_at=T0 + dt.timedelta(minutes=n),
            **{"title": "占道经营", "party_name": "当事人", **spec},
        )
        for n, spec in enumerate(specs)
    ]
    return Case.objects.bulk_create(rows)


@pytest.fixture
def cases(world):
    """Cases of township A and one of township B, with numbers in the registry's shape."""
    a = world.county.town_a.code
    own = make_cases(world, [
        {"number": f"{a}-2026-00012", "party_name": "张三五金店"},
        {"number": f"{a}-2026-00120", "party_name": "李四", "filing_number": "甲镇综执立字〔2026〕第12号"},
        # A longer number that contains the first one (a serial past 99999).
        {"number": f"{a}-2026-000123", "party_name": "王五"},
        {"number": f"{a}-2026-00200", "title": f"与 {a}-2026-00012 同一地点的占道经营", "party_name": "赵六"},
        {"number": f"{a}-2025-00007", "party_name": "张三丰餐饮", "decision_number": "甲镇综执罚决字〔2026〕第3号"},
    ])
    other = make_cases(world, [
        {"number": "OTHER-2026-00012", "party_name": "张三五金店"},
    ], agency=world.county.town_b)
    return {"own": own, "other": other}


def expected(user, *terms: str) -> set[int]:
    """Visible cases in which every term is a substring of one of the five columns, ignoring case."""
    visible = Case.objects.visible_to(user)
    return {
        case.pk for case in visible
        if all(any(term.upper() in getattr(case, column).upper() for column in COLUMNS) for term in terms)
    }


def api_ids(api, search: str) -> set[int]:
    response = api.get("/api/cases/", {"search": search, "page_size": 100})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def page_ids(client, user, q: str) -> set[int]:
    client.force_login(user)
    response = client.get(reverse("cases:list"), {"q": q})
    assert response.status_code == 200
    return {row["case"].pk for row in response.context["rows"]}


FRAGMENTS = ["张三", "五金", "李四", "2026-0001", "-2026-00", "ta-2026", "第12号", "罚决字", "同一地点"]
NOT_WHOLE_NUMBERS = ["T01-2026-0001", "2026-00012", "T01-2026", "张三", "T01-2026-00012 张三", "-2026-00012"]


@pytest.mark.parametrize("term", FRAGMENTS)
def test_a_fragment_finds_what_a_substring_search_finds(world, cases, api_for, client, term, dispatcher):
    for user in (world.officer_a, dispatcher):
        want = expected(user, term)
        assert api_ids(api_for(user), term) == want
        assert page_ids(client, user, term) == want
    assert expected(world.officer_a, "张三") == {cases["own"][0].pk, cases["own"][4].pk}


def test_api_search_terms_must_all_match(world, cases, api_for):
    api = api_for(world.officer_a)
    assert api_ids(api, "张三 五金") == expected(world.officer_a, "张三", "五金") == {cases["own"][0].pk}
    assert api_ids(api, "张三,餐饮") == {cases["own"][4].pk}


def test_a_whole_registry_number_finds_that_case_only(world, cases, api_for, client):
    number = cases["own"][0].number
    assert looks_like_case_number(number)
    # Equality on the number, as =number is for tickets: not the longer number that contains it
    # (000123) nor the case whose title names it, which a substring search would also find.
    want = {cases["own"][0].pk}
    assert api_ids(api_for(world.officer_a), number) == want
    assert page_ids(client, world.officer_a, number) == want
    assert api_ids(api_for(world.officer_a), number.lower()) == want


def test_search_never_reaches_another_townships_case(world, cases, api_for, client):
    other = cases["other"][0]
    for term in ("张三五金店", other.number, "OTHER"):
        assert other.pk not in api_ids(api_for(world.officer_a), term)
        assert other.pk not in page_ids(client, world.officer_a, term)
    assert api_ids(api_for(world.officer_a), other.number) == set()
    assert api_ids(api_for(world.officer_b), other.number) == {other.pk}


@pytest.mark.parametrize("term", ["AB-2026-00012", "ZFJ-SQ-T01-2026-00003", "T01-2026-123456"])
def test_whole_registry_numbers_are_recognised(term):
    assert looks_like_case_number(term)


@pytest.mark.parametrize("term", NOT_WHOLE_NUMBERS)
def test_fragments_are_not_taken_for_whole_numbers(term):
    assert not looks_like_case_number(term)


def test_search_runs_the_same_queries_for_few_or_many_matches(world, api_for, client, django_assert_max_num_queries):
    make_cases(world, [{"number": f"S-2026-{n:05d}", "party_name": f"张三{n}"} for n in range(3)])
    api = api_for(world.officer_a)
    client.force_login(world.officer_a)
    with django_assert_max_num_queries(20) as api_few:
        api.get("/api/cases/", {"search": "张三", "page_size": 100})
    api_queries = len(api_few.captured_queries)
    with django_assert_max_num_queries(40) as page_few:
        client.get(reverse("cases:list"), {"q": "张三"})
    page_queries = len(page_few.captured_queries)
    make_cases(world, [{"number": f"S-2026-{n:05d}", "party_name": f"张三{n}"} for n in range(3, 60)])
    with django_assert_max_num_queries(api_queries):
        response = api.get("/api/cases/", {"search": "张三", "page_size": 100})
    assert len(response.json()["results"]) == 60
    with django_assert_max_num_queries(page_queries):
        response = client.get(reverse("cases:list"), {"q": "张三"})
    assert len(response.context["rows"]) == 30


@pytest.mark.postgres
@pytest.mark.parametrize("column", COLUMNS)
def test_postgresql_serves_each_searched_column_from_its_trigram_index(postgres, world, cases, column):
    from django.db.models import Q

    qs = Case.objects.filter(Q(**{f"{column}__icontains": "张三五金"})).order_by().values("pk")
    sql, params = qs.query.sql_with_params()
    with postgres.cursor() as cursor:
        # A handful of rows: leave the planner only bitmap scans, which need an index that matches
        # the condition, so that the plan shows whether the trigram index matches the expression
        # Django writes (UPPER("column"::text) LIKE UPPER(...)).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    index = "case_number_trgm" if column == "number" else f"case_{column}_trgm"
    assert index in plan, plan
    with postgres.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index])
        assert "gin_trgm_ops" in cursor.fetchone()[0]


def test_the_search_migration_applies_and_reverses_on_sqlite(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DEBUG": "1"}

    def manage(*args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=root, env=env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    assert "0014_case_search_trigram... OK" in manage("migrate", "enforcement", "0014_case_search_trigram")
    assert "Unapplying enforcement.0014_case_search_trigram... OK" in manage("migrate", "enforcement", "0013")
