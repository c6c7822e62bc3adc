"""The access matrix: every URL pattern, requested as every role, answers as bureau/access_matrix.py says.

Parameters are filled with objects of township A (a ticket, a case with
evidence and a document, a devolution batch, a matter, a notification of
township A's officer ...). A URL pattern without an entry in the table fails
the test, so a new page, API route or admin model is added to the table, and
thereby reviewed, before it ships. Writes: every route is POSTed to by an
officer of township B, which must change nothing.

Record the current answers (to review them, then paste into the table):
``ACCESS_MATRIX_RECORD=/tmp/matrix.txt pytest tests/test_access_matrix.py``.
"""

from __future__ import annotations

import os
import re
import time
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from bureau.access_matrix import MATRIX, ROLES
from dispatch import services as dispatch_services
from dispatch.models import Ticket, TicketCategory
from dispatch.services.intake import attachment_add
from dispatch.views_public import receipt_token
from enforcement.models import Case, Event, Notification, OutboxMessage
from enforcement.notifications import notify
from tests.dispatch.conftest import PNG, png  # noqa: F401
from tests.enforcement.cases_support import filed, world  # noqa: F401  (fixture)
from tests.enforcement.coercion.builders import measure_and_execution
from tests.enforcement.test_cases_evidence import add as add_evidence
from tests.factories import GridFactory, UserFactory

pytestmark = pytest.mark.django_db


def url_patterns():
    """(name, regex of the full path) of every pattern of the site, admin included."""

    def walk(patterns, prefix, namespace):
        for p in patterns:
            regex = p.pattern.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")
            if isinstance(p, URLResolver):
                ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
                yield from walk(p.url_patterns, prefix + regex, ns)
            elif isinstance(p, URLPattern):
                name = p.name or p.lookup_str
                yield (f"{namespace}:{name}" if namespace else name), prefix + regex

    return list(walk(get_resolver().url_patterns, "", ""))


def fill(regex: str, values: dict) -> str:
    """The path of this pattern with each named group replaced by ``values[name]``."""
    def group(match):
        name = match.group(1)
        return str(values[name])

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", group, regex)
    path = path.replace("\\.", ".").replace("\\", "")
    return "/" + path


# Rows that data migrations write (default SLA rules, ticket categories, the dispatch policy, the
# default review rubric, the rating schemes and points terms). A transactional test ends by flushing
# every table, and with --reuse-db the next run starts without them; the admin's answers depend on
# them (a singleton's add page is 403 once its row exists, an object page of an empty table
# redirects), so the matrix puts them back with the migrations' own functions (each does nothing
# when its rows are there).
DATA_MIGRATIONS = (
    ("dispatch.migrations.0002_default_sla_and_categories", "forwards"),
    ("supervision.migrations.0002_default_rubric", "forward"),
    ("supervision.migrations.0004_evaluation_defaults", "forwards"),
    ("supervision.migrations.0005_evaluation_inspection_terms", "forwards"),
)


def restore_migration_rows() -> None:
    import importlib

    from django.apps import apps

    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)  # neither uses the schema editor


@pytest.fixture
def site(world, county, settings, tmp_path, dispatcher, squadron_officer, judicial_reviewer,  # noqa: F811
         department_staff, administrator):
    settings.MEDIA_ROOT = tmp_path
    settings.HEALTHZ_WORKER_TIMEOUT = 0.05  # no worker in this test: do not wait for one
    restore_migration_rows()
    category, _ = TicketCategory.objects.get_or_create(code="ZDJY", defaults={"name": "占道经营"})
    grid = GridFactory(township=county.town_a, code="TA-01", name="甲镇一网格")
    grid_member = UserFactory(username="grid_a1")
    grid.member = grid_member
    grid.save(update_fields=["member"])
    ticket = dispatch_services.ticket_intake(
        channel="staff", description="菜市场门口流动摊贩占道经营。", category=category, township=county.town_a,
        reporter_name="张三", reporter_phone="13812345678", place="甲镇人民路", lat=30.0, lng=120.0, grid=grid,
    ).ticket
    ticket = dispatch_services.ticket_triage(ticket, by=dispatcher, matter=world.dev, township=county.town_a)
    ticket = dispatch_services.ticket_assign(ticket, by=dispatcher)
    attachment = attachment_add(ticket, png("现场.png"), by=dispatcher)
    case = filed(world)
    evidence = add_evidence(world, case)
    document = case.documents.first()
    note = notify(world.officer_a, subject=ticket, reason="matrix", title="通知", email=False)
    batch = _batch(county, administrator, world)
    measure, execution = measure_and_execution(agency=county.town_a, officer=world.officer_a,
                                               second=world.officer_a2, head=world.leader_a)
    warning = _warning(world)
    inspections = _inspections(world)
    commitment = _commitment_warning(world)
    review = _review(world, judicial_reviewer)
    evaluation = _evaluation(world, administrator, squadron_officer)
    disclosure = _disclosure(judicial_reviewer, administrator)
    personas = {
        "anonymous": None, "officer_a": world.officer_a, "officer_b": world.officer_b, "leader_a": world.leader_a,
        "squadron": squadron_officer, "dispatcher": dispatcher, "legal": world.legal_a,
        "judicial": judicial_reviewer, "department": department_staff, "grid": grid_member,
        "admin": administrator,
    }
    assert set(personas) == set(ROLES)
    values = {
        "pk": None, "ev_pk": evidence.pk, "doc_pk": document.pk if document else 1, "attachment_pk": attachment.pk,
        "appeal_pk": 1, "code": world.dev.code, "job_id": "0" * 32, "step": "investigate", "action": "accept",
        "name": "investigate", "channel": "12345", "external_ref": "H-1", "token": receipt_token(ticket.number,
                                                                                                     ticket.lookup_code),
        "number": batch.number, "matter_pk": world.dev.pk, "service_code": category.code,
        "service_request_id": ticket.number, "fmt": "json", "object_id": 1, "app_label": "enforcement",
        "content_type_id": 1, "url": "x", "id": 1, "kind": "decision", "key": "correct", "att_pk": 1,
        "chart": "intake",
        "year": 2000, "version": 1,
    }
    return SimpleNamespace(world=world, county=county, ticket=ticket, case=case, evidence=evidence, note=note,
                           batch=batch, warning=warning, grid=grid, attachment=attachment, personas=personas,
                           values=values, measure=measure, execution=execution, review=review,
                           evaluation=evaluation, disclosure=disclosure,
                           inspections=inspections, commitment=commitment)


def _batch(county, administrator, w):
    from tests.devolution.helpers import add_item, make_batch

    batch = make_batch(administrator, [county.town_a])
    add_item(batch, administrator, w.ent, [county.town_a])
    return batch


def _warning(w):
    """A warning of township A (warning-first enforcement) on the county's warning list."""
    from enforcement.warnings import services as warning_services
    from enforcement.warnings.models import WarningMatter

    WarningMatter.objects.create(matter=w.dev, conditions="初次违法", reason="矩阵")
    party = warning_services.Party(kind="individual", name="张三", id_number="330102199001011234")
    return warning_services.warning_issue(by=w.officer_a, agency=w.county.town_a, matter=w.dev, party=party,
                                          officers=[w.officer_a, w.officer_a2], facts="占道经营",
                                          conditions=["初次违法"])


def _inspections(w):
    """Inspections of township A: an object of the directory, a spot-check plan drawn, checked and published,
    the record of its one task (no problem found, still open) with a photo, a joint scenario and a joint visit."""
    import datetime as dt

    from enforcement.inspections import services as insp
    from enforcement.inspections.choices import ObjectKind, Outcome, SignatureStatus
    from enforcement.inspections.models import JointScenario
    from enforcement.models import PowerType
    from enforcement.workdays import SHANGHAI
    from tests.factories import make_matter

    town_a = w.county.town_a
    matter = make_matter("JC-CG-9001", "门前三包检查", department=w.county.bureau, power_type=PowerType.INSPECTION)
    obj = insp.object_create(by=w.officer_a, kind=ObjectKind.BUSINESS, name="甲镇人民路商户", township=town_a,
                             identifier="91330100MA2M000001", address="甲镇人民路2号", matters=[matter])
    plan = insp.plan_create(by=w.leader_a, title="门前三包双随机抽查", lead_agency=town_a, matters=[matter],
                            townships=[town_a], period_start=dt.date(2026, 9, 1), period_end=dt.date(2026, 9, 30),
                            sample_count=1, seed=20260901)
    plan = insp.plan_start(insp.plan_draw(plan, by=w.leader_a), by=w.leader_a)
    task = plan.tasks.get()
    record = insp.record_create(
        by=w.officer_a, object=obj, agency=town_a, task=task, place=obj.address,
        officers=[t.officer for t in task.task_officers.select_related("officer").order_by("ordinal")],
        findings=[insp.FindingInput(matter=matter, agency=town_a)], signature_status=SignatureStatus.SIGNED,
        started_at=dt.datetime(2026, 9, 15, 10, tzinfo=SHANGHAI), outcome=Outcome.NO_PROBLEM,
    )
    plan = insp.plan_publish(plan, by=w.leader_a)
    attachment = insp.attachment_add(record, by=w.officer_a, file=png("现场.png"))
    scenario = JointScenario.objects.create(code="CY-01", name="餐饮店综合查一次")
    scenario.matters.set([matter])
    visit = insp.joint_visit_create(by=w.leader_a, object=obj, lead_agency=town_a, agencies=[w.county.department],
                                    planned_on=dt.date(2026, 12, 21), scenario=scenario)
    return SimpleNamespace(matter=matter, object=obj, plan=plan, task=task, record=record, attachment=attachment,
                           scenario=scenario, visit=visit)


def _commitment_warning(w):
    """A written commitment to correct (告知承诺) of township A with its signed file (after ``_warning``)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from enforcement.warnings import services as warning_services

    party = warning_services.Party(kind="organisation", name="甲镇人民路商行", id_number="91330100MA2M000002")
    return warning_services.warning_issue(
        by=w.officer_a, agency=w.county.town_a, matter=w.dev, party=party, officers=[w.officer_a, w.officer_a2],
        facts="店外经营", conditions=["初次违法"], kind="commitment", commitment_text="三日内自行改正",
        commitment_file=SimpleUploadedFile("承诺书.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )


def enforcement_values(site) -> dict[str, dict]:
    """Route name -> parameters for the pk routes of inspections, warnings and coercion (township A's objects).

    Action routes name an action offered on the object, so that the answer is about who may run it.
    """
    i = site.inspections
    record, obj, plan, visit = {"pk": i.record.pk}, {"pk": i.object.pk}, {"pk": i.plan.pk}, {"pk": i.visit.pk}
    return {
        "inspections:record": record, "inspections:record-print": record, "inspections:record-pdf": record,
        "inspections:record-action": {**record, "name": "no_problem"}, "inspections:attachment-add": record,
        "inspections:attachment": {**record, "attachment_pk": i.attachment.pk},
        "inspections:object": obj, "inspections:object-edit": obj, "inspections:object-close": obj,
        "inspections:plan": plan, "inspections:plan-check": plan, "inspections:plan-action": {**plan, "name": "start"},
        "inspections:visit-cancel": visit, "public-inspection-detail": plan,
        "inspection-object-detail": obj, "inspection-plan-detail": plan, "inspection-plan-act": plan,
        "inspection-record-detail": record, "inspection-record-act": {**record, "step": "no_problem"},
        "inspection-record-attachments": record, "inspection-visit-detail": visit,
        "warnings:action": {"pk": site.warning.pk, "name": "correct"},
        "warnings:commitment": {"pk": site.commitment.pk},
        "coercion:action": {"pk": site.measure.pk, "name": "extend"},
        "coercion:execution-action": {"pk": site.execution.pk, "name": "apply"},
    }


def _review(w, judicial_reviewer):
    """A published case-file review of township A's files, led and scored by the judicial reviewer persona.

    The first file fails on a veto, so township A has a rectification notice, answered with an attachment.
    """
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile

    from supervision.models import Score
    from supervision.services.plans import plan_create, plan_draw, plan_publish, plan_start
    from supervision.services.rectification import item_answer
    from supervision.services.rubrics import create_default_rubric
    from tests.factories import make_closed_case
    from tests.supervision.conftest import score_all

    w.dev.in_guidance_catalogue = True
    w.dev.save(update_fields=["in_guidance_catalogue"])
    for n in range(1, 4):
        make_closed_case(number=f"M-{n:04d}", agency=w.county.town_a, matter=w.dev, decided_on=dt.date(2025, 6, n))
    plan = plan_create(by=judicial_reviewer, reviewers=[judicial_reviewer], agencies=[w.county.town_a], year=2026,
                       title="2026年度案卷评查", organiser=w.county.judicial, lead=judicial_reviewer,
                       rubric=create_default_rubric(), period_start=dt.date(2025, 1, 1),
                       period_end=dt.date(2025, 12, 31), sample_count=3, seed=20260101)
    plan = plan_start(plan_draw(plan, by=judicial_reviewer), by=judicial_reviewer)
    score_all(plan, {1: ({}, {"V2"})})
    plan = plan_publish(plan, by=judicial_reviewer)
    notice = plan.rectifications.get()
    item = notice.items.first()
    item_answer(item, by=w.officer_a, answer="已整改",
                files=[SimpleUploadedFile("zg.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")])
    score = Score.objects.filter(assignment__sampled__plan=plan).order_by("pk").first()
    return SimpleNamespace(plan=plan, notice=notice, score=score, sampled=score.assignment.sampled,
                           attachment=item.attachments.get())


def _evaluation(w, administrator, squadron_officer):
    """Performance evaluation of 2025: township A's forms, a published and a draft rating, an officer's records.

    Township A (its leader) scores the squadron stationed in it and files the yearly form of the squadron's
    officer; the bureau (the administrator) then publishes the squadron's rating and drafts the department's.
    """
    import datetime as dt
    from decimal import Decimal

    from supervision.evaluation import services as evaluation_services
    from supervision.evaluation.models import QualificationExam, RatingScheme, TrainingRecord

    evaluation_services.ensure_defaults()
    period = evaluation_services.period_for_year(2025)
    squadron, department = w.county.squadron_a, w.county.department
    township_form = evaluation_services.township_unit_evaluate(
        period=period, township=w.county.town_a, unit=squadron, score=88, comment="响应及时", by=w.leader_a)
    officer_form = evaluation_services.township_officer_evaluate(
        officer=squadron_officer, township=w.county.town_a, year=2025, score=90, comments="表现突出",
        recommendation="keep", by=w.leader_a)

    def scores(unit):
        return {i.pk: (Decimal("85"), "矩阵") for i in RatingScheme.objects.get(unit_kind=unit.kind).items.all()}

    published = evaluation_services.rating_publish(
        evaluation_services.rating_save(period=period, unit=squadron, scores=scores(squadron), by=administrator),
        by=administrator)
    draft = evaluation_services.rating_save(period=period, unit=department, scores=scores(department),
                                            by=administrator)
    TrainingRecord.objects.create(officer=w.officer_a, day=dt.date(2025, 5, 1), title="行政处罚法培训",
                                  hours=Decimal("4"))
    QualificationExam.objects.create(officer=w.officer_a, year=2025, taken_on=dt.date(2025, 6, 1),
                                     score=Decimal("86"), passed=True)
    return SimpleNamespace(period=period, township_form=township_form, officer_form=officer_form,
                           published=published, draft=draft)


# Disclosure reports, one year per state: the public routes read the published year, the staff routes
# a draft, a reviewed report and a correction's draft of a published year (values_for).
DISCLOSURE_YEARS = {"published": 2022, "reviewed": 2023, "draft": 2024}


def _disclosure(judicial_reviewer, administrator):
    """Annual reports: 2022 published with a correction (v2) in draft, 2023 reviewed, 2024 a draft."""
    from supervision.disclosure import services as disclosure_services
    from supervision.disclosure.models import DisclosureReport

    published = disclosure_services.report_build(DISCLOSURE_YEARS["published"], by=administrator)
    published = disclosure_services.report_publish(
        disclosure_services.report_review(published, by=judicial_reviewer, note="同意"), by=judicial_reviewer)
    correction = disclosure_services.report_correct(published, note="补录复议结果", by=administrator)
    copied = {"figures": published.figures, "generated_analysis": published.generated_analysis,
              "built_at": published.built_at}
    reviewed = DisclosureReport.objects.create(year=DISCLOSURE_YEARS["reviewed"], **copied)
    reviewed = disclosure_services.report_review(reviewed, by=judicial_reviewer, note="同意")
    draft = DisclosureReport.objects.create(year=DISCLOSURE_YEARS["draft"], **copied)
    return SimpleNamespace(published=published, correction=correction, reviewed=reviewed, draft=draft)


def disclosure_values(name: str, site) -> dict:
    """``year`` and ``version`` of a disclosure route: which report (state) it is requested with."""
    d = site.disclosure
    by_name = {
        "disclosure:report": d.draft, "disclosure:pdf": d.draft, "disclosure:progress": d.draft,
        "disclosure:action": d.draft, "disclosure:report-version": d.reviewed, "disclosure:xlsx": d.reviewed,
        "disclosure:version-pdf": d.reviewed, "disclosure:version-xlsx": d.correction,
    }
    report = by_name.get(name, d.published)  # public pages, files and JSON: the published version
    return {"year": report.year, "version": report.version}


def admin_object_id(name: str) -> int:
    """The first row of the model an admin URL is about (0 when none): the same object whatever ran before."""
    from django.apps import apps
    from django.contrib import admin

    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            first = apps.get_model(model._meta.label).objects.order_by("pk").values_list("pk", flat=True).first()
            return first or 0
    return 0


def values_for(name: str, site) -> dict:
    """The parameters of one pattern: ``pk`` is the object of township A the route is about."""
    pks = {
        "cases": site.case.pk, "case": site.case.pk, "ticket": site.ticket.pk, "tickets": site.ticket.pk,
        "dispatch": site.ticket.pk, "devolution": site.batch.pk, "batch": site.batch.pk,
        "item": site.batch.items.first().pk, "notification": site.note.pk, "grid": site.grid.pk,
        "agency": site.county.town_a.pk, "township": site.county.town_a.pk,
        "coercion": site.measure.pk, "coercive": site.measure.pk, "enforcement": site.execution.pk,
        "warnings": site.warning.pk, "warning": site.warning.pk,
    }
    pk = next((v for k, v in pks.items() if k in name.split(":")[-1].split("-")[0:2] or name.startswith(k + ":")),
              None)
    supervision = {
        "supervision:plan": site.review.plan.pk, "supervision:plan-edit": site.review.plan.pk,
        "supervision:plan-action": site.review.plan.pk, "supervision:plan-results": site.review.plan.pk,
        "supervision:results-pdf": site.review.plan.pk, "supervision:results-xlsx": site.review.plan.pk,
        "supervision:results-chart": site.review.plan.pk,
        "supervision:file-settle": site.review.sampled.pk, "supervision:score": site.review.score.pk,
        "supervision:score-reopen": site.review.score.pk, "supervision:rectification": site.review.notice.pk,
        "supervision:attachment": site.review.attachment.pk, "review-plan-detail": site.review.plan.pk,
        "review-plan-act": site.review.plan.pk, "review-plan-results": site.review.plan.pk,
        "review-score-detail": site.review.score.pk, "review-score-submit": site.review.score.pk,
        "review-score-reopen": site.review.score.pk, "rectification-detail": site.review.notice.pk,
        "rectification-submit": site.review.notice.pk, "rectification-answer": site.review.notice.pk,
        "rectification-check-answers": site.review.notice.pk,
        # Evaluation: township A's forms, the published rating (pages) and the draft one (API, publish).
        "supervision:evaluation:rating": site.evaluation.published.pk,
        "supervision:evaluation:rating-publish": site.evaluation.draft.pk,
        "unit-rating-detail": site.evaluation.draft.pk, "unit-rating-publish": site.evaluation.draft.pk,
        "unit-rating-correct": site.evaluation.published.pk,
        "township-unit-evaluation-detail": site.evaluation.township_form.pk,
        "township-officer-evaluation-detail": site.evaluation.officer_form.pk,
    }
    if name in supervision:
        pk = supervision[name]
    elif "item-" in name and name != "devolution:item-create":  # item-create is a batch's page
        pk = pks["item"]
    elif name == "devolution:item-create":
        pk = pks["batch"]
    elif name == "devolution:township-powers":
        pk = pks["township"]
    elif name in {"notification-read", "notification-detail"}:
        pk = pks["notification"]
    elif name.startswith("coercion:execution"):
        pk = site.execution.pk
    elif name in {"supervision:evaluation:officer", "officer-assessment-detail"}:
        pk = site.world.officer_a.pk  # their own record: the officer and the bureau see it, nobody else
    elif name.startswith("admin:"):
        pk = admin_object_id(name)
    values = {**site.values, "pk": pk if pk is not None else site.ticket.pk, "object_id": pk or 1}
    if "disclosure" in name:
        values.update(disclosure_values(name, site))
    if name == "supervision:results-chart":
        values["chart"] = "grades"  # a chart of the review's results (supervision/charts.py)
    if name.startswith("coercion:execution-document"):
        values["kind"] = "reminder"
    if name.startswith("admin:"):
        values["id"] = pk or 1  # the admin's password page names its object "id"
    values.update(enforcement_values(site).get(name, {}))
    return values


# The admin site lets a user in by one test, is_staff, which no persona but the administrator passes;
# anonymous, a township officer and the dispatcher stand for the others there. The schema is the same
# document for everyone, and generating it takes seconds: anonymous and the administrator ask for it.
ADMIN_ROLES = ("anonymous", "officer_b", "dispatcher", "admin")
SLOW_SAME_FOR_ALL = {"api api-schema", "api api-docs", "api api-redoc"}


def roles_for(name: str) -> tuple[str, ...]:
    if name.startswith("admin:"):
        return ADMIN_ROLES
    if name in SLOW_SAME_FOR_ALL:
        return ("anonymous", "admin")
    return ROLES


def key_of(name: str, regex: str) -> str:
    """The table's key: the pattern's name, "api " before the API's (whose router names repeat page names)."""
    return f"api {name}" if regex.startswith("api/") else name


def answer(response) -> str:
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        location = response["Location"]
        return "L" if "/accounts/login/" in location or "/admin/login/" in location else "3xx"
    if 200 <= code < 300:
        return "ok"
    return str(code)


def clients(site) -> dict[str, Client]:
    result = {}
    for role, user in site.personas.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        result[role] = client
    return result


def test_every_url_answers_every_role_as_the_access_matrix_says(site):
    patterns = url_patterns()
    by_role = clients(site)
    observed: dict[str, list[str]] = {}
    server_errors = []
    timings = []
    for name, regex in patterns:
        path = fill(regex, values_for(name, site))
        name = key_of(name, regex)
        row = []
        for role in ROLES:
            if role not in roles_for(name):
                row.append("-")
                continue
            started = time.perf_counter()
            response = by_role[role].get(path)
            timings.append((time.perf_counter() - started, role, path))
            if response.status_code >= 500 and name != "healthz":  # 503 is its answer while a part is down
                server_errors.append(f"{role} GET {path}: {response.status_code}")
            row.append(answer(response))
        observed[name] = row

    record = os.environ.get("ACCESS_MATRIX_RECORD")
    if record:
        with open(record + ".slow", "w") as out:
            for t in sorted(timings, reverse=True)[:40]:
                out.write(f"{t[0]:.3f} {t[1]} {t[2]}\n")
            out.write(f"total {sum(t[0] for t in timings):.1f}\n")
        with open(record, "w") as out:
            for name, row in sorted(observed.items()):
                out.write(f'    "{name}": "{" ".join(row)}",\n')
    assert not server_errors, server_errors
    missing = sorted(n for n in observed if n not in MATRIX)
    assert not missing, f"URL patterns without an entry in bureau/access_matrix.py: {missing}"
    wrong = []
    for name, row in observed.items():
        expected = MATRIX[name].split()
        for role, want, got in zip(ROLES, expected, row, strict=True):
            if want != got and not _same_access(name, role, want, got):
                wrong.append(f"{name} as {role}: expected {want}, got {got}")
    assert not wrong, "\n".join(wrong)
    stale = sorted(set(MATRIX) - set(observed))
    assert not stale, f"rows for URL patterns that no longer exist: {stale}"
    requested = sum(1 for row in observed.values() for a in row if a != "-")
    assert requested > 2000, requested


SKIP_POST = {"logout", "healthz"}  # logging out ends the session; /healthz answers 503 without a worker


def snapshot(site) -> tuple:
    from devolution.models import BatchItem, DevolutionBatch

    return (
        Event.objects.count(), Ticket.objects.count(), Case.objects.count(), Notification.objects.count(),
        OutboxMessage.objects.count(), DevolutionBatch.objects.count(), BatchItem.objects.count(),
        tuple(Ticket.objects.filter(pk=site.ticket.pk).values_list("status", "warning_level", "priority",
                                                                   "responsible_agency").get()),
        tuple(Case.objects.filter(pk=site.case.pk).values_list("status").get()),
        tuple(DevolutionBatch.objects.filter(pk=site.batch.pk).values_list("status").get()),
        site.case.evidence.count(), site.ticket.attachments.count(),
    )


# /healthz answers 503 while a service (a Celery worker) is down: its availability, not its access.
HEALTH = {"ok", "503"}


def _same_access(name: str, role: str, want: str, got: str) -> bool:
    if name == "healthz":
        return want in HEALTH and got in HEALTH
    return False


def test_every_post_by_township_b_changes_nothing_of_township_a(site):
    client = Client()
    client.force_login(site.personas["officer_b"])
    before = snapshot(site)
    server_errors, posted = [], 0
    for name, regex in url_patterns():
        if name in SKIP_POST or name.startswith("admin:"):
            continue
        path = fill(regex, values_for(name, site))
        for body in ({"note": "x", "reason": "x"}, ):
            response = client.post(path, body)
            posted += 1
            if response.status_code >= 500:
                server_errors.append(f"POST {path}: {response.status_code}")
        json_response = client.post(path, "{}", content_type="application/json")
        posted += 1
        if json_response.status_code >= 500:
            server_errors.append(f"POST json {path}: {json_response.status_code}")
    assert not server_errors, server_errors
    assert snapshot(site) == before
    assert posted > 250


def test_admin_posts_by_non_staff_change_nothing(site):
    client = Client()
    client.force_login(site.personas["officer_b"])
    before = snapshot(site)
    for name, regex in url_patterns():
        if name.startswith("admin:") and name.endswith(("_add", "_change", "_delete")):
            response = client.post(fill(regex, values_for(name, site)), {"status": "closed"})
            assert response.status_code == 302 and "/admin/login/" in response["Location"], name
    assert snapshot(site) == before
