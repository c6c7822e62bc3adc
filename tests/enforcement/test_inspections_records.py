"""Inspection records: officers certified on the day, conflicts, findings, attachments, the record actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from enforcement.cases.choices import CaseSource, PartyKind
from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.inspections import selectors, services
from enforcement.inspections.actions import RECORD_ACTIONS
from enforcement.inspections.choices import Disposition, FindingResult, Outcome, RecordStatus, SignatureStatus
from enforcement.inspections.models import JointScenario
from enforcement.models import Certificate, GrantMode, Matter, PowerType
from tests.enforcement.inspections_support import aware, insp_fixture  # noqa: F401  (fixture)
from tests.factories import grant, make_matter

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 9, 24)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _record(insp, *, officers=None, outcome=Outcome.NO_PROBLEM, obj=None, day=DAY, **over):
    obj = obj or insp.objects_a[0]
    values = dict(
        by=insp.officers[0],
        object=obj,
        agency=insp.county.town_a,
        officers=officers or insp.officers[:2],
        findings=[
            services.FindingInput(
                matter=insp.m_city,
                agency=insp.county.town_a,
                result=FindingResult.PROBLEM if outcome != Outcome.NO_PROBLEM else FindingResult.OK,
                description="门前堆放杂物",
            )
        ],
        place=obj.address,
        started_at=aware(day),
        signature_status=SignatureStatus.SIGNED,
        outcome=outcome,
        facts="现场检查门前三包落实情况。",
    )
    values.update(over)
    return services.record_create(**values)


def test_record_keeps_officers_with_the_certificate_of_the_day(insp):
    record = _record(insp)
    assert record.number.startswith("JC-2026-")
    officers = list(record.record_officers.select_related("certificate"))
    assert [o.officer for o in officers] == insp.officers[:2]
    assert all(o.certificate.is_valid_on(DAY) for o in officers)
    assert record.township == insp.county.town_a and record.checked_on == DAY


def test_one_officer_is_refused(insp):
    with pytest.raises(ValidationFailed) as exc:
        _record(insp, officers=insp.officers[:1])
    assert "不得少于两名" in str(exc.value) and "第四十二条" in str(exc.value)


def test_officer_with_a_certificate_expired_on_the_day_is_refused(insp):
    # The certificate ended the day before the inspection.
    Certificate.objects.filter(officer=insp.officers[1]).update(valid_to=DAY - dt.timedelta(days=1))
    with pytest.raises(ValidationFailed) as exc:
        _record(insp)
    assert "没有有效的执法证" in str(exc.value)
    # Revoked on the day also counts as expired.
    Certificate.objects.filter(officer=insp.officers[1]).update(valid_to=dt.date(2029, 1, 1), revoked_at=DAY)
    with pytest.raises(ValidationFailed):
        _record(insp)


def test_conflicted_officer_may_not_inspect_the_object(insp):
    insp.objects_a[0].conflicted_officers.set([insp.officers[1]])
    with pytest.raises(ValidationFailed) as exc:
        _record(insp)
    assert "回避" in str(exc.value)


def test_refused_signature_needs_a_note(insp):
    with pytest.raises(ValidationFailed):
        _record(insp, signature_status=SignatureStatus.REFUSED)
    record = _record(insp, signature_status=SignatureStatus.REFUSED, signature_note="当事人拒签，由在场人员见证")
    assert record.signature_status == SignatureStatus.REFUSED


def test_attachment_keeps_its_sha256(insp, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    record = _record(insp)
    att = services.attachment_add(record, by=insp.officers[0], file=SimpleUploadedFile("scene.png", PNG, "image/png"))
    import hashlib

    assert att.sha256 == hashlib.sha256(PNG).hexdigest()
    assert services.attachment_verify(att)


def test_no_problem_closes_the_record(insp):
    record = _record(insp)
    # "ticket" is dispatch's action, registered at app ready.
    assert RECORD_ACTIONS.available(record, insp.officers[0]) == ["no_problem", "ticket"]
    record = RECORD_ACTIONS.perform("no_problem", record, by=insp.officers[0], data={"note": ""})
    assert record.status == RecordStatus.CLOSED and record.disposition == Disposition.NO_PROBLEM
    assert RECORD_ACTIONS.available(record, insp.officers[0]) == []


def test_case_lead_copies_the_facts_and_keeps_the_link(insp):
    record = _record(insp, outcome=Outcome.ORDERED_TO_CORRECT)
    assert "case_lead" in RECORD_ACTIONS.available(record, insp.officers[0])
    with pytest.raises(InvalidTransition):
        services.record_close_no_problem(record, by=insp.officers[0])
    penalty = make_matter("CF-CG-001", "违反门前三包责任制", department=insp.county.bureau)
    grant(penalty, insp.county.town_a, GrantMode.DEVOLVED, township=insp.county.town_a)
    record = services.record_to_case(
        record,
        by=insp.officers[0],
        matter=penalty,
        title="门前堆放杂物",
        party_kind=PartyKind.ORGANISATION,
        party_legal_rep="张三",
    )
    case = record.case
    assert record.disposition == Disposition.CASE_LEAD and record.status == RecordStatus.CLOSED
    assert case.source == CaseSource.INSPECTION and case.source_ref == record.number
    assert "门前堆放杂物" in case.facts and case.party_name == insp.objects_a[0].name
    assert case.agency == insp.county.town_a and case.discovered_on == DAY


def test_a_case_lead_under_a_matter_the_township_does_not_hold_is_refused(insp):
    """The bureau holds the matter in township A: the township hands it over as a ticket instead."""
    record = _record(insp, outcome=Outcome.ORDERED_TO_CORRECT)
    penalty = make_matter("CF-CG-002", "擅自占用城市道路", department=insp.county.bureau)
    grant(penalty, insp.county.bureau)  # transferred to the bureau county-wide
    with pytest.raises(PermissionRefused) as refused:
        services.record_to_case(record, by=insp.officers[0], matter=penalty, title="占道",
                                party_kind=PartyKind.ORGANISATION, party_legal_rep="张三")
    assert "乡镇（街道）只能对赋权或委托其行使的事项立案" in str(refused.value)
    record.refresh_from_db()
    assert record.status == RecordStatus.OPEN and record.case_id is None


def test_other_township_cannot_handle_the_record(insp):
    record = _record(insp)
    assert RECORD_ACTIONS.available(record, insp.officer_b) == []
    assert not selectors.record_list(insp.officer_b).filter(pk=record.pk).exists()


def test_registered_action_is_offered_in_the_table_order(insp):
    from enforcement.actions import Action
    from enforcement.inspections.actions import RecordActionTable
    from enforcement.inspections.forms import NoProblemForm

    table = RecordActionTable(list(RECORD_ACTIONS), predicates={k: (lambda r, u: True) for k in RECORD_ACTIONS.keys()})
    table.register(Action("ticket", "移交", NoProblemForm, lambda r, *, by, data: r), lambda r, u: True)
    table.register(Action("warning", "预警", NoProblemForm, lambda r, *, by, data: r), lambda r, u: True)
    record = _record(insp)
    assert table.available(record, insp.officers[0]) == ["no_problem", "warning", "case_lead", "ticket"]


def test_joint_visit_with_three_agencies_produces_one_record_and_saves_two_visits(insp):
    scenario = JointScenario.objects.create(code="CYD", name="餐饮店")
    scenario.matters.set([insp.m_food, insp.m_fire, insp.m_env])
    obj = insp.objects_a[0]
    visit = services.joint_visit_create(
        by=insp.market_staff,
        object=obj,
        lead_agency=insp.market,
        agencies=[insp.fire, insp.env],
        planned_on=DAY,
        scenario=scenario,
    )
    assert set(visit.agencies.all()) == {insp.market, insp.fire, insp.env}
    # Each agency's findings on its own matter, missing one agency is refused.
    findings = [
        services.FindingInput(matter=insp.m_food, agency=insp.market),
        services.FindingInput(
            matter=insp.m_fire, agency=insp.fire, result=FindingResult.PROBLEM, description="灭火器过期"
        ),
    ]
    officers = [insp.market_staff, insp.fire_staff, insp.env_staff]
    with pytest.raises(ValidationFailed) as exc:
        services.record_create(
            by=insp.market_staff,
            object=obj,
            agency=insp.market,
            officers=officers,
            findings=findings,
            place=obj.address,
            started_at=aware(DAY),
            signature_status=SignatureStatus.SIGNED,
            outcome=Outcome.ORDERED_TO_CORRECT,
            joint_visit=visit,
        )
    assert insp.env.name in str(exc.value)
    findings.append(services.FindingInput(matter=insp.m_env, agency=insp.env))
    record = services.record_create(
        by=insp.market_staff,
        object=obj,
        agency=insp.market,
        officers=officers,
        findings=findings,
        place=obj.address,
        started_at=aware(DAY),
        signature_status=SignatureStatus.SIGNED,
        outcome=Outcome.ORDERED_TO_CORRECT,
        joint_visit=visit,
    )
    visit.refresh_from_db()
    assert visit.status == "done" and visit.agency_count == 3 and visit.visits_saved == 2
    assert record.findings.count() == 3
    # Each partner agency sees the joint record; the statistics count the visit for each and the saving once.
    assert selectors.record_list(insp.fire_staff).filter(pk=record.pk).exists()
    figures = {f["agency_id"]: f for f in selectors.annual_figures(2026)}
    assert figures[insp.market.pk]["visits_saved"] == 2
    assert {figures[a.pk]["joint_visits"] for a in (insp.market, insp.fire, insp.env)} == {1}
    assert figures[insp.market.pk]["inspections"] == 1 and figures[insp.market.pk]["spot_checks"] == 0


def test_annual_figures_count_spot_checks_by_outcome(insp):
    plan = services.plan_create(
        by=insp.leader_a,
        title="抽查",
        lead_agency=insp.county.town_a,
        matters=[insp.m_city],
        townships=[insp.county.town_a],
        period_start=dt.date(2026, 9, 1),
        period_end=dt.date(2026, 9, 30),
        sample_count=2,
        seed=5,
    )
    plan = services.plan_start(services.plan_draw(plan, by=insp.leader_a), by=insp.leader_a)
    outcomes = [Outcome.NO_PROBLEM, Outcome.ORDERED_TO_CORRECT]
    for task, outcome in zip(plan.tasks.order_by("position"), outcomes, strict=True):
        _record(insp, obj=task.object, officers=list(task.officers.all()), outcome=outcome, task=task)
    _record(insp, obj=insp.objects_a[9])  # a routine inspection, not a spot check
    row = next(f for f in selectors.annual_figures(2026) if f["agency_id"] == insp.county.town_a.pk)
    assert row["inspections"] == 3 and row["spot_checks"] == 2
    assert row["spot_check_results"][Outcome.NO_PROBLEM] == 1
    assert row["spot_check_results"][Outcome.ORDERED_TO_CORRECT] == 1
    assert selectors.annual_figures(2025) == []


def test_plan_matters_must_be_inspection_matters(insp):
    penalty = Matter.objects.create(
        code="CF-X",
        name="处罚事项",
        power_type=PowerType.PENALTY,
        domain=insp.m_city.domain,
        origin_department=insp.county.bureau,
    )
    with pytest.raises(ValidationFailed) as exc:
        services.plan_create(
            by=insp.leader_a,
            title="错",
            lead_agency=insp.county.town_a,
            matters=[penalty],
            period_start=DAY,
            period_end=DAY,
            sample_count=1,
        )
    assert "行政检查" in str(exc.value)
