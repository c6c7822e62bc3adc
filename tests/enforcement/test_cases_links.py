"""The case shows where it came from and what was done beside it (enforcement/cases/links.py).

Its page and its API detail list the inspection record and the warning it came from, its coercive
measures and its applications to the court, each only for readers who may open that row; the
record, warning, measure and execution pages link back to the case only for readers who may open it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enforcement.access import grant
from enforcement.cases.services import lifecycle as case_svc
from enforcement.coercion import services as coercion_svc
from enforcement.inspections import services as insp
from enforcement.inspections.choices import FindingResult, ObjectKind, Outcome, SignatureStatus
from enforcement.models import Case, PartyKind, PowerType
from enforcement.warnings import services as warning_svc
from enforcement.warnings.choices import WarningStatus
from enforcement.warnings.models import WarningMatter, WarningNotice
from enforcement.workdays import SHANGHAI
from tests.enforcement.cases_support import decided, world  # noqa: F401  (fixture)
from tests.factories import make_matter

pytestmark = pytest.mark.django_db


def _record(w, *, n=1, day=dt.date(2026, 9, 15)):
    """An inspection record of township A (two certified officers): a problem found, ordered to correct."""
    check = make_matter(f"JC-CG-{n:03d}", "门前三包检查", department=w.county.bureau, power_type=PowerType.INSPECTION)
    obj = insp.object_create(by=w.officer_a, kind=ObjectKind.BUSINESS, name=f"甲镇人民路商户{n}",
                             township=w.county.town_a, identifier=f"91330100MA2L{n:05d}X", address="甲镇人民路3号",
                             matters=[check])
    return insp.record_create(
        by=w.officer_a, object=obj, agency=w.county.town_a, officers=[w.officer_a, w.officer_a2], place=obj.address,
        findings=[insp.FindingInput(matter=check, agency=w.county.town_a, result=FindingResult.PROBLEM,
                                    description="占道")],
        started_at=dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI), signature_status=SignatureStatus.SIGNED,
        outcome=Outcome.ORDERED_TO_CORRECT, facts="水果摊占用人行道经营。",
    )


def _measure(w, case, n=1):
    return coercion_svc.measure_create(
        by=w.officer_a, agency=w.county.town_a, case=case, kind="seizure", party_kind="individual",
        party_name="张三", reasons="占道经营使用液化气罐", legal_basis="某条例第×条", place="甲镇人民路",
        period_days=30, items=[{"name": f"液化气罐{n}", "quantity": "1", "unit": "个",
                                "custody_place": "县执法局仓库", "keeper": "王五"}],
    )


@pytest.fixture
def from_record(world):  # noqa: F811
    """A case lead from an inspection record, with a seizure taken under it."""
    record = insp.record_to_case(_record(world), by=world.officer_a, matter=world.dev, title="占道经营",
                                 party_kind=PartyKind.ORGANISATION, party_legal_rep="王老板")
    case = record.case
    return record, case, _measure(world, case)


def _page(user, name, pk) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse(name, args=[pk]))
    return response.status_code, response.content.decode()


def test_the_case_page_links_its_record_and_measure_and_they_link_back(world, from_record, dispatcher,  # noqa: F811
                                                                        administrator):
    record, case, measure = from_record
    for user in (world.officer_a, world.leader_a, world.legal_a, dispatcher, administrator):
        status, html = _page(user, "cases:detail", case.pk)
        assert status == 200, user
        assert reverse("inspections:record", args=[record.pk]) in html and record.number in html, user
        assert reverse("coercion:detail", args=[measure.pk]) in html, user
        status, html = _page(user, "inspections:record", record.pk)
        assert status == 200 and 'data-testid="record-case"' in html, user
        assert reverse("cases:detail", args=[case.pk]) in html, user
        status, html = _page(user, "coercion:detail", measure.pk)
        assert status == 200 and reverse("cases:detail", args=[case.pk]) in html, user


def test_township_b_sees_neither_side(world, from_record):  # noqa: F811
    record, case, measure = from_record
    for name, pk in (("cases:detail", case.pk), ("inspections:record", record.pk), ("coercion:detail", measure.pk)):
        assert _page(world.officer_b, name, pk)[0] == 404, name


def test_a_reader_of_the_record_who_may_not_open_the_case_gets_no_link_to_it(world, from_record):  # noqa: F811
    # The squadron stationed in township A sees the township's inspection records, not its cases.
    record, case, _measure_ = from_record
    assert _page(world.squad1, "cases:detail", case.pk)[0] == 404
    status, html = _page(world.squad1, "inspections:record", record.pk)
    assert status == 200 and record.number in html
    assert reverse("cases:detail", args=[case.pk]) not in html and 'data-testid="record-case"' not in html


def test_a_judicial_reviewer_assigned_to_the_case_sees_the_record_but_no_measure(world, from_record,  # noqa: F811
                                                                                 judicial_reviewer, api_for):
    # Assigned to the case file (a per-object grant), the reviewer opens the case; inspection records
    # are county-wide reading for the judicial bureau, coercive measures are not (404 there): no link.
    record, case, measure = from_record
    assert _page(judicial_reviewer, "cases:detail", case.pk)[0] == 404
    grant("view_case", judicial_reviewer, case)
    assert _page(judicial_reviewer, "coercion:detail", measure.pk)[0] == 404
    status, html = _page(judicial_reviewer, "cases:detail", case.pk)
    assert status == 200 and reverse("inspections:record", args=[record.pk]) in html
    assert reverse("coercion:detail", args=[measure.pk]) not in html and 'data-testid="link-measure"' not in html
    body = api_for(judicial_reviewer).get(f"/api/cases/{case.pk}/").json()
    assert [r["number"] for r in body["inspection_records"]] == [record.number]
    assert body["coercive_measures"] == [] and body["warnings"] == [] and body["executions"] == []


def test_the_api_detail_lists_the_links_in_the_readers_scope(world, from_record, api_for):  # noqa: F811
    record, case, measure = from_record
    body = api_for(world.officer_a).get(f"/api/cases/{case.pk}/").json()
    assert body["source"] == "inspection" and body["source_ref"] == record.number
    assert body["inspection_records"] == [{
        "id": record.pk, "number": record.number, "status": "closed", "status_label": "已处理",
        "checked_on": "2026-09-15", "agency_id": world.county.town_a.pk, "outcome": "ordered_to_correct",
        "disposition": "case_lead",
    }]
    assert [(m["id"], m["status"], m["kind"]) for m in body["coercive_measures"]] == [(measure.pk, "draft", "seizure")]
    assert body["warnings"] == [] and body["executions"] == []
    assert api_for(world.officer_b).get(f"/api/cases/{case.pk}/").status_code == 404


def test_a_case_from_a_warning_shows_the_warning_and_the_record_it_was_issued_from(world):  # noqa: F811
    WarningMatter.objects.create(matter=world.dev, conditions="初次违法", reason="县预警执法清单")
    record = _record(world, n=2, day=dt.date(2026, 9, 24))
    warning = warning_svc.warning_issue_from_record(record, by=world.officer_a, matter=world.dev, facts="门前堆放杂物",
                                                    conditions=["初次违法"], issued_on=dt.date(2026, 9, 24),
                                                    party_legal_rep="王老板")
    # Ten working days from Thu 24 Sep 2026 (the county's list default; the day of issue not counted),
    # with 25-27 Sep and 1-7 Oct off and Sat 10 Oct worked: the deadline is Thu 15 Oct, so the
    # re-check on Fri 16 Oct may find it not corrected.
    warning = warning_svc.warning_to_case(warning, by=world.officer_a, on=dt.date(2026, 10, 16), note="仍未清理")
    case = warning.case
    status, html = _page(world.officer_a, "cases:detail", case.pk)
    assert status == 200
    assert reverse("warnings:detail", args=[warning.pk]) in html and warning.number in html
    assert reverse("inspections:record", args=[record.pk]) in html
    status, html = _page(world.officer_a, "warnings:detail", warning.pk)
    assert status == 200 and 'data-testid="warning-case"' in html and reverse("cases:detail", args=[case.pk]) in html
    listing = Client()
    listing.force_login(world.officer_a)
    assert reverse("cases:detail", args=[case.pk]) in listing.get(reverse("warnings:list")).content.decode()
    # The squadron stationed in township A reads the warning and the list, with no link to the case.
    status, html = _page(world.squad1, "warnings:detail", warning.pk)
    assert status == 200 and reverse("cases:detail", args=[case.pk]) not in html
    listing.force_login(world.squad1)
    page = listing.get(reverse("warnings:list")).content.decode()
    assert warning.number in page and reverse("cases:detail", args=[case.pk]) not in page


def test_an_execution_of_the_case_decision_is_linked_both_ways(world):  # noqa: F811
    case = decided(world)  # decided 20 March 2026
    case = case_svc.case_serve(case, by=world.officer_a, method="direct", served_to="张三", on=dt.date(2026, 3, 23))
    execution = coercion_svc.execution_create(by=world.officer_a, agency=case.agency, case=case,
                                              obligation="缴纳罚款150元")
    status, html = _page(world.officer_a, "cases:detail", case.pk)
    assert status == 200 and reverse("coercion:execution-detail", args=[execution.pk]) in html
    status, html = _page(world.officer_a, "coercion:execution-detail", execution.pk)
    assert status == 200 and 'data-testid="execution-case"' in html


def test_a_case_without_links_shows_no_section_and_empty_lists(world, api_for):  # noqa: F811
    case = decided(world)
    status, html = _page(world.officer_a, "cases:detail", case.pk)
    assert status == 200 and 'data-testid="case-links"' not in html
    body = api_for(world.officer_a).get(f"/api/cases/{case.pk}/").json()
    assert [body[k] for k in ("inspection_records", "warnings", "coercive_measures", "executions")] == [[], [], [], []]


def test_rows_the_system_made_without_an_actor_render_for_every_role(world, dispatcher, squadron_officer,  # noqa: F811
                                                                     judicial_reviewer, department_staff,
                                                                     administrator):
    # The demo (enforcement/warnings/demo.py) writes the case of a warning not corrected with no actor.
    WarningMatter.objects.create(matter=world.dev, conditions="初次违法", reason="县预警执法清单")
    warning = warning_svc.warning_issue(
        by=world.officer_a, agency=world.county.town_a, matter=world.dev, officers=[world.officer_a, world.officer_a2],
        party=warning_svc.Party(kind="individual", name="李四"), facts="占道", conditions=["初次违法"],
        issued_on=dt.date(2026, 9, 24),
    )
    case = case_svc.case_create_lead(
        by=None, agency=world.county.town_a, matter=world.dev, title="李四逾期未改正", occurred_on=dt.date(2026, 9, 24),
        party_kind=PartyKind.INDIVIDUAL, party_name="李四", township=world.county.town_a, source="other",
        source_ref=warning.number, discovered_on=dt.date(2026, 10, 16),
    )
    WarningNotice.objects.filter(pk=warning.pk).update(case=case, status=WarningStatus.TURNED_TO_CASE, created_by=None)
    readers = {
        world.officer_a: 200, world.leader_a: 200, world.legal_a: 200, dispatcher: 200, administrator: 200,
        world.officer_b: 404, squadron_officer: 404, judicial_reviewer: 404, department_staff: 404,
    }
    for user, expected in readers.items():
        status, html = _page(user, "cases:detail", case.pk)
        assert status == expected, user
        if expected == 200:
            assert reverse("warnings:detail", args=[warning.pk]) in html, user
        status, html = _page(user, "warnings:detail", warning.pk)
        assert status in (200, 404), user
        assert (reverse("cases:detail", args=[case.pk]) in html) == (expected == 200), user


def test_the_case_page_and_api_detail_run_in_constant_queries(world, from_record, api_for):  # noqa: F811
    _record_, case, _measure_ = from_record
    client = Client()
    client.force_login(world.officer_a)
    api = api_for(world.officer_a)

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as page:
            assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
        with CaptureQueriesContext(connection) as detail:
            assert api.get(f"/api/cases/{case.pk}/").status_code == 200
        return len(page), len(detail)

    counts()  # warm the per-process caches (calendar, rules)
    one = counts()
    for n in (2, 3, 4):
        _measure(world, case, n)
    assert Case.objects.get(pk=case.pk).coercive_measures.count() == 4
    assert counts() == one


def test_the_warning_list_links_cases_in_constant_queries(world):  # noqa: F811
    WarningMatter.objects.create(matter=world.dev, conditions="初次违法", reason="县预警执法清单")
    client = Client()
    client.force_login(world.officer_a)

    def escalated(n: int) -> WarningNotice:
        record = _record(world, n=n, day=dt.date(2026, 9, 24))
        warning = warning_svc.warning_issue_from_record(record, by=world.officer_a, matter=world.dev, facts="门前堆放",
                                                        conditions=["初次违法"], issued_on=dt.date(2026, 9, 24),
                                                        party_legal_rep="王老板")
        # Due Thu 15 Oct 2026 (ten working days, as above): not corrected on Fri 16 Oct.
        return warning_svc.warning_to_case(warning, by=world.officer_a, on=dt.date(2026, 10, 16))

    def listed() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            html = client.get(reverse("warnings:list")).content.decode()
        return len(queries), html

    first = escalated(3)
    listed()  # warm the per-process caches
    one, _html = listed()
    more = [escalated(n) for n in (4, 5, 6)]
    count, html = listed()
    assert count == one
    assert all(reverse("cases:detail", args=[w.case_id]) in html for w in [first, *more])
