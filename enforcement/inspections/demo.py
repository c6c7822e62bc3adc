"""Demo seed step: the inspection object directory, a year of spot-check plans and joint visits.

Runs after the county, catalogue and cases steps (``enforcement.demo.SEED_STEPS``). Writes:

* about 170 inspection objects (twelve per township: businesses, a site, a licensed individual),
  with risk and credit levels and one conflicted officer per township;
* for four townships, one double-random plan per quarter over the past year, drawn from its stored
  seed, every check recorded (mostly "no problem", some "ordered to correct", a few "case filed" or
  "not found") and the results published within the plan's working days; a current plan in
  progress with half of its checks recorded, and a draft;
* two joint scenarios (餐饮店, 建筑工地) and joint visits over the year with one record each
  (each department's findings), three more planned for the coming days.

Everything goes through the services (draws, records, joint visits), with dates relative to today,
so the demo holds whatever day it is seeded on. Deterministic (a seeded generator) and idempotent:
when the demo objects exist, the step leaves everything alone.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.catalogue.models import Matter, PowerType
from enforcement.demo import county
from enforcement.demo.names import person_name
from enforcement.errors import DomainError
from enforcement.inspections import services
from enforcement.inspections.choices import CreditLevel, FindingResult, ObjectKind, Outcome, RiskLevel, SignatureStatus
from enforcement.inspections.models import CheckPlan, InspectionObject, JointScenario
from enforcement.models.agencies import Agency
from enforcement.workdays import SHANGHAI, add_working_days, is_working_day

User = get_user_model()
SEED = 2015
OBJECTS_PER_TOWNSHIP = 12
PLAN_TOWNSHIPS = ("TS01", "TS04", "TS08", "TS12")
MARKER = "91330100MA2"
SHOPS = ("餐饮店", "小吃店", "超市", "建材经营部", "汽车修理厂", "美容美发店", "宾馆", "农家乐", "五金店", "烧烤店")
STREETS = ("人民路", "解放街", "滨江大道", "建设北路", "文化路", "学府路", "沿河东路", "老街")
OUTCOMES = [Outcome.NO_PROBLEM] * 14 + [Outcome.ORDERED_TO_CORRECT] * 4 + [Outcome.CASE_FILED, Outcome.NOT_FOUND]
SCENARIOS = (
    ("CYD", "餐饮店", "市场监管、卫生健康、住建和城市管理事项一次查完。", ("WSJK-0009", "ZFJS-0027", "CSGL-0022")),
    ("JZGD", "建筑工地", "规划、住建和城市管理事项一次查完。", ("CXGH-0008", "ZFJS-0027", "CSGL-0022")),
)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=SHANGHAI)


def _workday_in(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    working = [d for d in days if is_working_day(d)] or days
    return rng.choice(working)


def seed_inspections(stdout, password: str) -> None:
    if InspectionObject.objects.filter(identifier__startswith=MARKER).exists():
        stdout.write(_("行政检查：演示数据已存在，跳过。"))
        return
    matters = {m.code: m for m in Matter.objects.filter(power_type=PowerType.INSPECTION)}
    agencies = {a.code: a for a in Agency.objects.all()}
    if not matters or not all(t.code in agencies for t in county.TOWNSHIPS):
        stdout.write(_("行政检查：缺少演示乡镇或检查事项，跳过。"))
        return
    rng = random.Random(SEED)
    today = timezone.localdate()
    with transaction.atomic():
        objects = _objects(rng, agencies, list(matters.values()))
        plans, records = _plans(rng, agencies, list(matters.values()), today)
        visits = _visits(rng, agencies, matters, objects, today)
    stdout.write(
        _("行政检查：检查对象 %(o)s 个，抽查计划 %(p)s 个，检查记录 %(r)s 份，联合检查 %(v)s 次")
        % {"o": len(objects), "p": plans, "r": records, "v": visits}
    )


def _users(slug: str, prefix: str, count: int) -> list:
    return list(
        User.objects.filter(username__in=[f"{slug}_{prefix}{n}" for n in range(1, count + 1)]).order_by("username")
    )


def _objects(rng: random.Random, agencies: dict, matters: list) -> dict[str, list[InspectionObject]]:
    by_code = {m.code: m for m in matters}
    out: dict[str, list[InspectionObject]] = {}
    rows = []
    for ti, t in enumerate(county.TOWNSHIPS):
        township = agencies[t.code]
        for n in range(1, OBJECTS_PER_TOWNSHIP + 1):
            if n == OBJECTS_PER_TOWNSHIP:
                kind, name = ObjectKind.INDIVIDUAL, person_name(ti * 100 + n)
                identifier = f"330100{1970 + n}{(ti % 12) + 1:02d}{(n % 28) + 1:02d}{ti:02d}{n % 10}{n % 10}"
            elif n == OBJECTS_PER_TOWNSHIP - 1:
                kind, name = ObjectKind.SITE, f"{t.short}{STREETS[n % len(STREETS)]}建设工地"
                identifier = f"{MARKER}{ti:02d}{n:05d}"
            else:
                kind = ObjectKind.BUSINESS
                name = f"{t.short}{STREETS[(ti + n) % len(STREETS)]}{SHOPS[(ti + n) % len(SHOPS)]}"
                identifier = f"{MARKER}{ti:02d}{n:05d}"
            risk = rng.choices([RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH], weights=[6, 3, 1])[0]
            credit = rng.choices(list(CreditLevel.values), weights=[5, 8, 2, 1])[0]
            rows.append(
                InspectionObject(
                    kind=kind,
                    name=name,
                    identifier=identifier,
                    township=township,
                    address=f"{t.name}{STREETS[(ti * 3 + n) % len(STREETS)]}{n * 7}号",
                    risk_level=risk,
                    credit_level=credit,
                    contact_name=person_name(ti * 100 + n + 50),
                    contact_phone=f"138{ti:02d}{n:06d}",
                )
            )
    created = InspectionObject.objects.bulk_create(rows)
    through_m = InspectionObject.matters.through
    through_c = InspectionObject.conflicted_officers.through
    links, conflicts = [], []
    for obj in created:
        if obj.kind == ObjectKind.INDIVIDUAL:
            codes = ["WSJK-0009"]
        elif obj.kind == ObjectKind.SITE:
            codes = ["CXGH-0008", "ZFJS-0027", "CSGL-0022"]
        else:
            codes = ["CSGL-0022", "WSJK-0009", "ZFJS-0027"]
        links += [through_m(inspectionobject_id=obj.pk, matter_id=by_code[c].pk) for c in codes if c in by_code]
        out.setdefault(obj.township_id, []).append(obj)
    # One officer per township whose family runs one of its shops: never drawn for it.
    for t in county.TOWNSHIPS:
        officer = User.objects.filter(username=f"{t.slug}_officer1").first()
        if officer is not None:
            conflicts.append(through_c(inspectionobject_id=out[agencies[t.code].pk][0].pk, user_id=officer.pk))
    through_m.objects.bulk_create(links)
    through_c.objects.bulk_create(conflicts)
    return {code: out[agencies[code].pk] for code in (t.code for t in county.TOWNSHIPS)}


def _plans(rng: random.Random, agencies: dict, matters: list, today: dt.date) -> tuple[int, int]:
    plans = records = 0
    for code in PLAN_TOWNSHIPS:
        township = agencies[code]
        slug = next(t.slug for t in county.TOWNSHIPS if t.code == code)
        leader = User.objects.filter(username=f"{slug}_leader").first()
        if leader is None:
            continue
        joint = [agencies["DEPT-CG"]] if code == "TS01" and "DEPT-CG" in agencies else []
        for q in range(4):
            start = today - dt.timedelta(days=380 - q * 90)
            end = start + dt.timedelta(days=60)
            done = _one_plan(
                rng, leader, township, matters, start, end, joint=joint, quarter=q + 1, record_share=1.0, publish=True
            )
            plans += 1 if done is not None else 0
            records += done or 0
        # The current quarter: in progress, half recorded; and next quarter's plan in draft.
        done = _one_plan(
            rng,
            leader,
            township,
            matters,
            today - dt.timedelta(days=20),
            today + dt.timedelta(days=40),
            joint=joint,
            quarter=5,
            record_share=0.5,
            publish=False,
        )
        plans += 1 if done is not None else 0
        records += done or 0
        services.plan_create(
            by=leader,
            title=_("%(t)s下季度双随机抽查") % {"t": township.name},
            lead_agency=township,
            matters=matters,
            townships=[township],
            period_start=today + dt.timedelta(days=50),
            period_end=today + dt.timedelta(days=110),
            sample_share=20,
            priority_share=50,
            seed=rng.randrange(1, 2**31),
        )
        plans += 1
    return plans, records


def _one_plan(rng, leader, township, matters, start, end, *, joint, quarter, record_share, publish) -> int | None:
    title = _("%(t)s%(y)s年第%(q)s期双随机抽查") % {"t": township.name, "y": start.year, "q": quarter}
    try:
        plan = services.plan_create(
            by=leader,
            title=title,
            lead_agency=township,
            agencies=joint,
            matters=matters,
            townships=[township],
            period_start=start,
            period_end=end,
            sample_share=30,
            priority_share=60,
            seed=rng.randrange(1, 2**31),
        )
        plan = services.plan_start(services.plan_draw(plan, by=leader), by=leader)
    except DomainError:
        return None
    today = timezone.localdate()
    tasks = list(plan.tasks.select_related("object").order_by("position"))
    recorded = 0
    last_day = min(end, today - dt.timedelta(days=1))
    for task in tasks[: max(1, int(len(tasks) * record_share))]:
        day = _workday_in(rng, start, max(start, last_day))
        officers = [to.officer for to in task.task_officers.select_related("officer")]
        outcome = rng.choice(OUTCOMES)
        findings = [
            services.FindingInput(
                matter=m,
                agency=township,
                result=FindingResult.PROBLEM
                if outcome in (Outcome.ORDERED_TO_CORRECT, Outcome.CASE_FILED) and n == 0
                else FindingResult.OK,
                description=_("现场存在问题，已当场指出。") if outcome == Outcome.ORDERED_TO_CORRECT and n == 0 else "",
            )
            for n, m in enumerate(plan.matters.order_by("code"))
        ]
        try:
            record = services.record_create(
                by=officers[0],
                object=task.object,
                agency=township,
                officers=officers,
                findings=findings,
                place=task.object.address,
                started_at=_at(day, rng.choice((9, 10, 14, 15))),
                signature_status=SignatureStatus.ABSENT if outcome == Outcome.NOT_FOUND else SignatureStatus.SIGNED,
                outcome=outcome,
                facts=_("按抽查计划对%(o)s进行检查。") % {"o": task.object.name},
                task=task,
            )
        except DomainError:
            continue
        recorded += 1
        if outcome in (Outcome.NO_PROBLEM, Outcome.NOT_FOUND):
            services.record_close_no_problem(record, by=officers[0])
    if publish:
        try:
            plan = services.plan_publish(plan, by=leader)
        except DomainError:
            return recorded
        # Published a few working days after the last check, inside the plan's period (not today).
        last = plan.tasks.order_by("-checked_on").values_list("checked_on", flat=True).first() or end
        published = add_working_days(last, rng.randint(3, 12)).at
        CheckPlan.objects.filter(pk=plan.pk).update(published_at=min(published, timezone.now()))
    return recorded


def _visits(rng: random.Random, agencies: dict, matters: dict, objects: dict, today: dt.date) -> int:
    scenarios = []
    for code, name, text, codes in SCENARIOS:
        scenario, _created = JointScenario.objects.get_or_create(
            code=code, defaults={"name": name, "description": text}
        )
        scenario.matters.set([matters[c] for c in codes if c in matters])
        scenarios.append(scenario)
    count = 0
    for n in range(16):
        code = PLAN_TOWNSHIPS[n % len(PLAN_TOWNSHIPS)]
        township = agencies[code]
        slug = next(t.slug for t in county.TOWNSHIPS if t.code == code)
        leader = User.objects.filter(username=f"{slug}_leader").first()
        officers = [
            u
            for u in (User.objects.filter(username__in=[f"{slug}_officer{i}" for i in (2, 3, 4)]).order_by("username"))
        ][:2]
        if leader is None or len(officers) < 2:
            continue
        scenario = scenarios[n % len(scenarios)]
        scenario_matters = list(scenario.matters.select_related("origin_department").order_by("code"))
        departments = list(dict.fromkeys(m.origin_department for m in scenario_matters))
        pool = [o for o in objects[code] if (o.kind == ObjectKind.SITE) == (scenario.code == "JZGD")]
        obj = pool[n % len(pool)]
        future = n >= 13
        day = today + dt.timedelta(days=3 + n - 13) if future else today - dt.timedelta(days=340 - n * 24)
        try:
            visit = services.joint_visit_create(
                by=leader, object=obj, lead_agency=township, agencies=departments, planned_on=day, scenario=scenario
            )
            if future:
                count += 1
                continue
            findings = [services.FindingInput(matter=m, agency=m.origin_department) for m in scenario_matters]
            findings.append(services.FindingInput(matter=scenario_matters[-1], agency=township))
            services.record_create(
                by=officers[0],
                object=obj,
                agency=township,
                officers=officers,
                findings=findings,
                place=obj.address,
                started_at=_at(day, 10),
                signature_status=SignatureStatus.SIGNED,
                outcome=rng.choice([Outcome.NO_PROBLEM, Outcome.NO_PROBLEM, Outcome.ORDERED_TO_CORRECT]),
                facts=_("%(s)s联合检查：各部门同时入场，一次查完。") % {"s": scenario.name},
                joint_visit=visit,
            )
            count += 1
        except DomainError:
            continue
    return count
