"""Officers' yearly assessment: every term of the points scheme, flags, the township's yearly form,
who sees which record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.contrib.contenttypes.models import ContentType

from dispatch.models import Ticket
from enforcement.errors import InvalidTransition, PermissionRefused
from enforcement.models import Certificate, Event
from supervision.evaluation import services
from supervision.evaluation.choices import TermKey
from supervision.evaluation.models import AssessmentTerm, QualificationExam, TrainingRecord
from supervision.evaluation.selectors import officers_assessed
from tests.factories import make_closed_case
from tests.supervision.evaluation.conftest import at, matter, published_plan, sampled, ticket

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 7)


def case(ev, m, number, officer, **over):
    from enforcement.cases.models import CaseOfficer

    c = make_closed_case(number=number, agency=ev.squadron, matter=m, **over)
    CaseOfficer.objects.create(case=c, officer=officer, certificate_number="ZF1", role="lead")
    return c


def resolved(ticket_obj, officer, day):
    return Event.objects.create(
        content_type=ContentType.objects.get_for_model(Ticket),
        object_id=ticket_obj.pk,
        action="resolve",
        from_state="in_progress",
        to_state="resolved",
        actor=officer,
        at=at(day),
    )


@pytest.fixture
def record(ev):
    """The stationed officer's 2025, with a value for every term."""
    officer, m = ev.squad, matter(ev.county)
    d = dt.date
    # Filed in 2025: cases 1-4; case 5 was filed in 2024 and decided in 2025.
    c1 = case(
        ev,
        m,
        "A1",
        officer,
        filed_on=d(2025, 2, 1),
        decided_on=d(2025, 3, 1),
        outcome="penalty",
        decide_due_at=at(d(2025, 5, 1), 17),
    )
    c2 = case(
        ev,
        m,
        "A2",
        officer,
        filed_on=d(2025, 4, 1),
        decided_on=d(2025, 6, 1),
        outcome="penalty",
        decide_due_at=at(d(2025, 5, 15), 17),
    )
    case(
        ev,
        m,
        "A3",
        officer,
        filed_on=d(2025, 5, 1),
        decided_on=d(2025, 5, 20),
        outcome="first_offense",
        decide_due_at=at(d(2025, 8, 1), 17),
    )
    case(
        ev,
        m,
        "A4",
        officer,
        filed_on=d(2025, 6, 1),
        decided_on=d(2025, 6, 10),
        outcome="transfer",
        transferred_on=d(2025, 6, 10),
    )
    case(
        ev,
        m,
        "A5",
        officer,
        filed_on=d(2024, 11, 1),
        decided_on=d(2025, 1, 10),
        outcome="penalty",
        decide_due_at=at(d(2025, 1, 30), 17),
    )
    # Case-file review of 2025: case 1 scored 90 (good), case 2 50 (fail).
    plan = published_plan(ev.county, ev.bureau)
    sampled(plan, c1, D("90"), "good", 1)
    sampled(plan, c2, D("50"), "fail", 2)
    # Tickets resolved in 2025: two tickets (one resolved twice after a reopening); one in 2024.
    t1 = ticket(township=ev.county.town_a, unit=ev.squadron)
    t2 = ticket(township=ev.county.town_a, unit=ev.squadron)
    resolved(t1, officer, d(2025, 3, 4))
    resolved(t1, officer, d(2025, 3, 9))
    resolved(t2, officer, d(2025, 7, 1))
    resolved(t2, officer, d(2024, 12, 1))
    # Training: 10 + 6 hours in 2025 (4 in 2024 do not count).
    TrainingRecord.objects.create(officer=officer, day=d(2025, 4, 1), title="行政处罚法专题", hours=D("10"))
    TrainingRecord.objects.create(officer=officer, day=d(2025, 9, 1), title="执法文书规范", hours=D("6"))
    TrainingRecord.objects.create(officer=officer, day=d(2024, 9, 1), title="旧培训", hours=D("4"))
    QualificationExam.objects.create(officer=officer, year=2025, taken_on=d(2025, 10, 1), score=D("52"), passed=False)
    services.township_officer_evaluate(
        officer=officer,
        township=ev.county.town_a,
        year=2025,
        score=90,
        comments="服从乡镇统一调度",
        recommendation="keep",
        by=ev.leader_a,
    )
    return officer


def test_every_term_with_its_value_and_points(ev, record):
    a = officers_assessed(2025, officer_ids=[record.pk], today=TODAY)[0]
    terms = {t.key: (t.value, t.points) for t in a.terms}
    # Default scheme (points per unit, cap): value x points, capped.
    assert terms == {
        TermKey.CASES_HANDLED: (4, D("4.00")),  # cases 1-4 filed in 2025, x 1
        TermKey.CASES_PENALTY: (3, D("1.50")),  # cases 1, 2, 5 decided in 2025 with a penalty, x 0.5
        TermKey.CASES_NO_PENALTY: (1, D("0.50")),  # case 3, first offence not penalised, x 0.5
        TermKey.CASES_TRANSFERRED: (1, D("1.00")),  # case 4, x 1
        TermKey.DEADLINES_MET: (3, D("1.50")),  # cases 1, 3, 5 decided by their due day, x 0.5
        TermKey.DEADLINES_MISSED: (1, D("-2.00")),  # case 2 decided 1 June, due 15 May, x -2
        TermKey.REVIEW_AVERAGE: (D("70.0"), D("14.00")),  # (90 + 50) / 2 = 70, x 0.2
        TermKey.REVIEW_FAILED: (1, D("-5.00")),  # case 2 failed, x -5
        TermKey.TICKETS_HANDLED: (2, D("0.40")),  # two tickets resolved in 2025, x 0.2
        TermKey.TRAINING_HOURS: (D("16"), D("8.00")),  # 10 + 6 hours, x 0.5
        TermKey.EXAM_FAILED: (1, D("-20.00")),  # failed the 2025 exam
        TermKey.CERTIFICATE_LAPSED: (0, D("0.00")),  # certificate valid 2024-2029
        TermKey.TOWNSHIP_SCORE: (D("90"), D("18.00")),  # township A's form, x 0.2
        # No inspection or warning this year (test_inspection_and_warning_terms counts them).
        TermKey.INSPECTIONS: (0, D("0.00")),
        TermKey.WARNINGS_ISSUED: (0, D("0.00")),
        TermKey.WARNINGS_CORRECTED: (0, D("0.00")),
    }
    # 4 + 1.5 + 0.5 + 1 + 1.5 - 2 + 14 - 5 + 0.4 + 8 - 20 + 0 + 18 = 21.9
    assert a.total == D("21.90")
    assert a.exam_failed and a.flagged and not a.certificate_lapsed
    assert a.stationed_in == ev.county.town_a


def test_a_term_is_one_entry_of_the_scheme(ev, record):
    # Training counts 2 a hour, capped at 20: 16 x 2 = 32 -> 20. Switching the exam term off removes it.
    AssessmentTerm.objects.filter(key=TermKey.TRAINING_HOURS).update(points=D("2"), cap=D("20"))
    AssessmentTerm.objects.filter(key=TermKey.EXAM_FAILED).update(is_active=False)
    a = officers_assessed(2025, officer_ids=[record.pk], today=TODAY)[0]
    terms = {t.key: t.points for t in a.terms}
    assert terms[TermKey.TRAINING_HOURS] == D("20.00")
    assert TermKey.EXAM_FAILED not in terms
    # 21.9 - 8 + 20 (training) + 20 (no exam term) = 53.9
    assert a.total == D("53.90")


def test_lapsed_certificate_is_flagged(ev):
    Certificate.objects.filter(officer=ev.officer_b).update(valid_to=dt.date(2025, 6, 30))
    a = officers_assessed(2025, officer_ids=[ev.officer_b.pk], today=TODAY)[0]
    assert a.certificate_lapsed and a.flagged
    assert {t.key: t.points for t in a.terms}[TermKey.CERTIFICATE_LAPSED] == D("-20.00")
    # Valid on 31 December 2024: not lapsed for 2024.
    assert not officers_assessed(2024, officer_ids=[ev.officer_b.pk], today=TODAY)[0].certificate_lapsed


def test_township_form_only_by_the_township_stationed_in_and_once_a_year(ev):
    with pytest.raises(PermissionRefused) as err:  # township B: the officer is stationed in A
        services.township_officer_evaluate(
            officer=ev.squad, township=ev.county.town_b, year=2025, score=80, comments="好", by=ev.officer_b
        )
    assert err.value.code == "outside_area"
    with pytest.raises(PermissionRefused):  # officer_a of township A is not stationed anywhere
        services.township_officer_evaluate(
            officer=ev.officer_a, township=ev.county.town_a, year=2025, score=80, comments="好", by=ev.leader_a
        )
    with pytest.raises(PermissionRefused):  # township B's officer filling township A's form
        services.township_officer_evaluate(
            officer=ev.squad, township=ev.county.town_a, year=2025, score=80, comments="好", by=ev.officer_b
        )
    services.township_officer_evaluate(
        officer=ev.squad,
        township=ev.county.town_a,
        year=2025,
        score=80,
        comments="好",
        recommendation="promote",
        by=ev.leader_a,
    )
    with pytest.raises(InvalidTransition) as err:
        services.township_officer_evaluate(
            officer=ev.squad, township=ev.county.town_a, year=2025, score=95, comments="再评", by=ev.officer_a
        )
    assert err.value.code == "already_evaluated"


def test_officer_sees_own_record_only_bureau_sees_all(ev, record, client_for):
    own = client_for(record).get(f"/supervision/evaluation/officers/{record.pk}/?year=2025")
    assert own.status_code == 200
    body = own.content.decode()
    assert "执法资格考试不合格" in body and "21.90" in body and "服从乡镇统一调度" in body
    assert client_for(record).get(f"/supervision/evaluation/officers/{ev.officer_a.pk}/").status_code == 404
    assert client_for(record).get("/supervision/evaluation/officers/").status_code == 404
    assert client_for(ev.leader_a).get(f"/supervision/evaluation/officers/{record.pk}/").status_code == 404
    assert client_for(ev.bureau).get(f"/supervision/evaluation/officers/{record.pk}/?year=2025").status_code == 200
    listing = client_for(ev.dispatcher).get("/supervision/evaluation/officers/?year=2025").content.decode()
    assert record.username in listing and ev.officer_a.username in listing
    me = client_for(record).get("/supervision/evaluation/officers/me/")
    assert me.status_code == 302 and me["Location"].endswith(f"/officers/{record.pk}/")


def test_officers_list_in_constant_queries(ev, record, client_for, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from enforcement.models import Role
    from tests.factories import member

    client = client_for(ev.bureau)
    client.get("/supervision/evaluation/officers/?year=2025")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/supervision/evaluation/officers/?year=2025").status_code == 200
    for n in range(8):
        member(Role.SQUADRON_OFFICER, ev.squadron, f"extra{n}", certified=True)
    with django_assert_max_num_queries(len(few)):
        assert client.get("/supervision/evaluation/officers/?year=2025").content.decode().count("extra") >= 8


def test_api_officer_sees_own_record_only(ev, record, api_for):
    mine = api_for(record).get("/api/officer-assessments/?year=2025").json()
    assert [a["username"] for a in mine] == [record.username]
    assert {t["key"] for t in mine[0]["terms"]} == set(TermKey.values)
    assert api_for(record).get(f"/api/officer-assessments/{ev.officer_a.pk}/?year=2025").status_code == 404
    everyone = api_for(ev.bureau).get("/api/officer-assessments/?year=2025").json()
    assert {record.username, ev.officer_a.username} <= {a["username"] for a in everyone}
    one = api_for(ev.bureau).get(f"/api/officer-assessments/{record.pk}/?year=2025").json()
    assert one["total"] == "21.90" and one["exam_failed"] is True


def test_inspection_and_warning_terms(ev):
    from enforcement.inspections.models import InspectionRecord, RecordOfficer
    from enforcement.warnings.choices import WarningStatus
    from enforcement.warnings.models import WarningNotice
    from tests.enforcement.inspections_support import make_object

    officer, m = ev.squad, matter(ev.county)
    obj = make_object(ev.county.town_a, "某超市")
    cert = Certificate.objects.filter(officer=officer).first()
    d = dt.date
    # Inspections on 2025-03-01 and 2025-08-01 count; one on 2024-12-30 does not.
    for n, day in enumerate((d(2025, 3, 1), d(2025, 8, 1), d(2024, 12, 30))):
        record = InspectionRecord.objects.create(
            number=f"JC{n}",
            object=obj,
            agency=ev.squadron,
            township=ev.county.town_a,
            place="超市",
            started_at=at(day),
            checked_on=day,
            signature_status="signed",
            outcome="no_problem",
        )
        RecordOfficer.objects.create(record=record, officer=officer, certificate=cert, ordinal=1)
    # Warnings issued in 2025: three, one of which the party corrected; one of 2024 does not count.
    for n, (day, status) in enumerate(
        (
            (d(2025, 4, 1), WarningStatus.CORRECTED),
            (d(2025, 5, 1), WarningStatus.ISSUED),
            (d(2025, 6, 1), WarningStatus.TURNED_TO_CASE),
            (d(2024, 6, 1), WarningStatus.CORRECTED),
        )
    ):
        notice = WarningNotice.objects.create(
            number=f"YJ{n}",
            agency=ev.squadron,
            matter=m,
            party_kind="individual",
            party_name="某人",
            facts="占道",
            issued_on=day,
            correction_workdays=5,
            correction_due_at=at(day + dt.timedelta(days=7)),
            status=status,
        )
        notice.officers.add(officer)
    a = officers_assessed(2025, officer_ids=[officer.pk], today=TODAY)[0]
    terms = {t.key: (t.value, t.points) for t in a.terms}
    assert terms[TermKey.INSPECTIONS] == (2, D("0.40"))  # 2 x 0.2
    assert terms[TermKey.WARNINGS_ISSUED] == (3, D("0.60"))  # 3 x 0.2
    assert terms[TermKey.WARNINGS_CORRECTED] == (1, D("0.30"))  # 1 x 0.3
