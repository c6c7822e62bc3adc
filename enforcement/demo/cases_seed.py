"""Demo seed step: about four hundred cases over the past two years, in every state.

Runs after the county and catalogue steps. Township cases need matters the
townships hold: the step first writes a small pilot devolution through the real
grant service ("县政发〔2024〕8号", effective 2024-06-01, on guidance-catalogue
matters the devolution demo's batches do not use), then builds every case as
data and writes it in bulk: cases, officers, approval steps, legal reviews,
deliberations, documents (the same frozen content the services issue), events
(the full-process record, dated when each step happened), evidence photos,
publications, reconsiderations and litigation. Warning levels are computed
with the sweep's own rule but without notifications.

Deterministic (a seeded random generator, dates relative to today) and
idempotent: when the first demo case exists the step leaves everything alone.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.cases import deadlines as case_deadlines
from enforcement.cases.documents import build_document
from enforcement.cases.models import (
    AppealKind,
    AppealOutcome,
    AppealRecord,
    ApprovalStep,
    ApproverKind,
    Case,
    CaseCounter,
    CaseDocument,
    CaseOfficer,
    CaseSource,
    CaseStatus,
    Deliberation,
    DocumentKind,
    Evidence,
    EvidenceKind,
    ExecutionMethod,
    LegalReview,
    OfficerRole,
    Outcome,
    PartyKind,
    Procedure,
    Publication,
    ReviewResult,
    ServiceMethod,
    StepDecision,
    TransferTarget,
)
from enforcement.cases.rules import (
    NUMBER_KINDS,
    hearing_reasons,
    number_prefix,
    remedies_text,
    surcharge,
    surcharge_text,
)
from enforcement.cases.services.lifecycle import DEFAULT_LEVELS
from enforcement.cases.services.publication import public_content
from enforcement.catalogue.models import GrantMode, GrantSource, Matter, PenaltyKind, PowerGrant, PowerType
from enforcement.catalogue.powers import grant_power
from enforcement.demo import county
from enforcement.demo.names import person_name
from enforcement.models.agencies import Agency as AgencyModel
from enforcement.models.agencies import AgencyKind, Certificate, Membership, Role
from enforcement.models.events import Event
from enforcement.workdays import SHANGHAI

User = get_user_model()

PILOT_REF = "县政发〔2024〕8号（乡镇综合执法试点赋权）"
PILOT_FROM = dt.date(2024, 6, 1)
PILOT_TOWNSHIPS = ("TS01", "TS04", "TS08", "TS12")
CASES_PER_TOWNSHIP = 34
CASES_PER_SQUADRON = 16
DAYS = 730
SEED = 2026

PLACES = ("人民路", "解放街", "滨江大道", "建设北路", "文化广场", "农贸市场东侧", "工业园区二期", "城南村", "老街",
          "高铁站前广场", "学府路", "沿河东路")
SHOPS = ("餐饮有限公司", "建材经营部", "装饰工程有限公司", "商贸有限公司", "物流有限公司", "广告有限公司", "农家乐",
         "汽车修理厂")
FACTS = {
    "default": "执法人员巡查发现，当事人{what}，经现场检查、询问，事实清楚。",
}


@dataclass
class Plan:
    """One demo case as data before it is written."""

    case: Case
    officers: list
    serial: int = 0
    events: list[tuple[str, str, str, dt.date, object, str]] = field(default_factory=list)
    documents: list[tuple[str, str, dt.date, object, dict]] = field(default_factory=list)
    steps: list[ApprovalStep] = field(default_factory=list)
    reviews: list[LegalReview] = field(default_factory=list)
    deliberations: list[Deliberation] = field(default_factory=list)
    appeals: list[AppealRecord] = field(default_factory=list)
    published_on: dt.date | None = None
    withdrawn_on: dt.date | None = None
    photo: bool = False
    entrusted_by: object = None
    force_hearing: bool = False
    force_major: bool = False
    force_transfer: bool = False


class _Stop(Exception):
    """The planned case has reached the state it is meant to stay in."""


# Recent cases are held in these states (cyclically) so that the demo shows every state.
STOP_STATES = (
    CaseStatus.LEAD, CaseStatus.FILED, CaseStatus.INVESTIGATING, CaseStatus.NOTIFIED, CaseStatus.HEARING,
    CaseStatus.LEGAL_REVIEW, CaseStatus.REVIEWED, CaseStatus.DELIBERATED, CaseStatus.DECIDED,
    CaseStatus.TRANSFERRED, CaseStatus.SERVED, CaseStatus.EXECUTED, CaseStatus.CLOSED,
)


class Numbers:
    """文号 per (agency, year, kind), continuing whatever the counters already hold."""

    def __init__(self) -> None:
        self.last = {(c.agency_id, c.year, c.kind): c.last for c in CaseCounter.objects.all()}
        self.touched: set[tuple[int, int, str]] = set()

    def next(self, agency, kind: str, year: int) -> str:
        key = (agency.pk, year, kind)
        self.last[key] = self.last.get(key, 0) + 1
        self.touched.add(key)
        return _("%(prefix)s%(kind)s字〔%(year)s〕第%(n)s号") % {
            "prefix": number_prefix(agency), "kind": NUMBER_KINDS[kind], "year": year, "n": self.last[key],
        }

    def save(self) -> None:
        rows = [CaseCounter(agency_id=a, year=y, kind=k, last=self.last[(a, y, k)]) for a, y, k in self.touched]
        CaseCounter.objects.bulk_create(rows, update_conflicts=True, unique_fields=["agency", "year", "kind"],
                                        update_fields=["last"])


def _at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def _id_number(rng: random.Random, kind: str) -> str:
    if kind == PartyKind.ORGANISATION:
        return "91331" + "".join(rng.choice("0123456789") for _ in range(12)) + rng.choice("0123456789X")
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 40))
    return f"330{rng.randrange(100, 999)}{birth:%Y%m%d}{rng.randrange(100, 999)}{rng.choice('0123456789X')}"


def _pilot_grants(admin) -> dict[str, list[Matter]]:
    """The pilot devolution: township code -> matters it holds from PILOT_FROM (idempotent)."""
    townships = {a.code: a for a in AgencyModel.objects.filter(code__in=PILOT_TOWNSHIPS)}
    matters = list(
        Matter.objects.in_force().filter(in_guidance_catalogue=True, safety_critical=False,
                                         power_type=PowerType.PENALTY)
        .select_related("origin_department").order_by("code")
    )
    # The tail of the list: the devolution demo's batches take matters from its head.
    chosen = [m for m in matters[-12:] if m.tiers.exists()][:6]
    held: dict[str, list[Matter]] = defaultdict(list)
    existing = {(g.matter_id, g.township_id) for g in PowerGrant.objects.filter(source_ref=PILOT_REF)}
    for code in PILOT_TOWNSHIPS:
        township = townships.get(code)
        if township is None:
            continue
        for j, matter in enumerate(chosen):
            entrusted = code == "TS08" and j == 0
            if (matter.pk, township.pk) not in existing:
                grant_power(
                    matter, township, GrantMode.ENTRUSTED if entrusted else GrantMode.DEVOLVED, township=township,
                    valid_from=PILOT_FROM, source_kind=GrantSource.DOCUMENT, source_ref=PILOT_REF, by=admin,
                    acting_for=matter.origin_department if entrusted else None, note=_("乡镇综合执法试点"),
                )
            held[code].append(matter)
    return held


def _people() -> dict:
    """Agency id -> handling officers, leaders, legal reviewers; user id -> certificates (a few queries)."""
    officers, leaders, reviewers = defaultdict(list), defaultdict(list), defaultdict(list)
    for m in Membership.objects.active().select_related("user", "agency").order_by("user__username"):
        if m.role in (Role.TOWNSHIP_OFFICER, Role.SQUADRON_OFFICER):
            officers[m.agency_id].append(m.user)
        elif m.role in (Role.TOWNSHIP_LEADER, Role.SQUADRON_LEADER):
            leaders[m.agency_id].append(m.user)
        elif m.role == Role.LEGAL_REVIEWER:
            reviewers[m.agency_id].append(m.user)
    certs = defaultdict(list)
    for c in Certificate.objects.all():
        certs[c.officer_id].append(c)
    centre = AgencyModel.objects.filter(kind=AgencyKind.LEGAL_REVIEW_CENTRE).first()
    return {"officers": officers, "leaders": leaders, "reviewers": reviewers, "certs": certs,
            "centre_reviewers": reviewers.get(centre.pk, []) if centre else []}


def _qualify_reviewers(people) -> None:
    """Art. 58(2): the demo's legal reviewers hold the legal professional qualification (idempotent)."""
    from enforcement.models.agencies import LegalQualification

    users = sorted({u.pk: u for group in people["reviewers"].values() for u in group}.values(), key=lambda u: u.pk)
    have = set(LegalQualification.objects.filter(officer__in=users).values_list("officer_id", flat=True))
    LegalQualification.objects.bulk_create([
        LegalQualification(officer=u, certificate_number=f"A2019330100{u.pk:04d}", passed_on=dt.date(2019, 3, 1))
        for u in users if u.pk not in have
    ])


def _ready_from(people) -> dict[int, dt.date]:
    """Agency id -> the first day on which two of its officers hold valid certificates."""
    out = {}
    for agency_id, users in people["officers"].items():
        starts = sorted(
            c.valid_from for u in users if not u.username.endswith("officer2")
            for c in people["certs"].get(u.pk, []) if c.revoked_at is None
        )
        if len(starts) >= 2:
            out[agency_id] = starts[1] + dt.timedelta(days=7)
    return out


def _certified(people, users, day: dt.date, exclude=()) -> list:
    out = []
    for user in users:
        if user.pk in exclude:
            continue
        cert = next((c for c in people["certs"].get(user.pk, []) if c.is_valid_on(day)), None)
        if cert is not None:
            out.append((user, cert))
    return out


def _tier_penalty(rng: random.Random, matter: Matter, tiers: list, party_kind: str, major: bool):
    """(tier, kinds, fine) within the discretion standard."""
    usable = [t for t in tiers if t.fine_unit == "yuan" or PenaltyKind.FINE not in (t.penalty_kinds or [])]
    if not usable:
        return None, [PenaltyKind.WARNING], None
    # Most cases are ordinary ones: the heaviest tier (often with a hearing) is the exception.
    lighter = usable[:-1] if len(usable) > 1 and rng.random() < 0.85 else usable
    tier = usable[-1] if major else rng.choice(lighter)
    kinds = [k for k in (tier.penalty_kinds or [PenaltyKind.WARNING]) if k in PenaltyKind.values] or [
        PenaltyKind.WARNING]
    kinds = [k for k in kinds if k != PenaltyKind.CONFISCATE_GAINS] or [PenaltyKind.WARNING]
    fine = None
    if PenaltyKind.FINE in kinds:
        low = tier.fine_min or Decimal("50")
        high = tier.fine_max or low * 4
        steps = max(int((high - low) / 50), 0)
        fine = (low + 50 * rng.randint(0, steps)).quantize(Decimal("1.00")) if steps else low.quantize(
            Decimal("1.00"))
        fine = min(fine, high)
    return tier, kinds, fine


def seed_cases(stdout, password: str) -> None:
    today = timezone.localdate()
    if Case.objects.filter(number__contains="-D0").exists():
        stdout.write(_("案件：演示案件已存在，跳过。"))
        return
    admin = User.objects.filter(username="admin").first()
    if admin is None or not Matter.objects.exists():
        stdout.write(_("案件：缺少演示账号或事项目录，跳过演示案件。"))
        return
    rng = random.Random(SEED)
    held = _pilot_grants(admin)
    people = _people()
    _qualify_reviewers(people)
    numbers = Numbers()
    agencies = {a.code: a for a in AgencyModel.objects.all()}
    bureau = agencies.get(county.BUREAU)
    transferred = list(
        Matter.objects.filter(grants__mode=GrantMode.TRANSFERRED, grants__township__isnull=True,
                              power_type=PowerType.PENALTY).distinct().order_by("code")
    )
    tiers = defaultdict(list)
    for matter_id, tier in ((t.matter_id, t) for t in _all_tiers()):
        tiers[matter_id].append(tier)
    departments = {a.pk: a for a in AgencyModel.objects.filter(kind=AgencyKind.DEPARTMENT)}

    handlers: list[tuple[AgencyModel, list[Matter], int]] = []
    for code in PILOT_TOWNSHIPS:
        if code in agencies and held.get(code):
            handlers.append((agencies[code], held[code], CASES_PER_TOWNSHIP))
    for t in county.TOWNSHIPS:
        if t.squadron_code in agencies:
            handlers.append((agencies[t.squadron_code], transferred, CASES_PER_SQUADRON))
    for code, _name, _short in county.DIRECT_SQUADRONS:
        if code in agencies:
            handlers.append((agencies[code], transferred, CASES_PER_SQUADRON + 6))

    plans: list[Plan] = []
    serial = 0
    ready = _ready_from(people)
    for agency, matters, count in handlers:
        if not matters:
            continue
        for _n in range(count):
            serial += 1
            plan = _plan(rng, serial, agency, matters, tiers, people, bureau, departments, today)
            plan.case.discovered_on = max(plan.case.discovered_on, ready.get(agency.pk, today))
            plan.case.occurred_on = min(plan.case.occurred_on, plan.case.discovered_on)
            plans.append(plan)
    # Hold a few recent cases in each state, so that the lists show every state.
    recent = [p for p in plans if p.case.procedure == Procedure.ORDINARY][::7][: len(STOP_STATES) * 3]
    for n, plan in enumerate(recent):
        stop = STOP_STATES[n % len(STOP_STATES)]
        plan.case._stop = stop
        plan.case.discovered_on = today - dt.timedelta(days=95 + n % 20)
        plan.case.occurred_on = plan.case.discovered_on - dt.timedelta(days=3)
        plan.force_hearing = stop == CaseStatus.HEARING
        plan.force_major = stop in (CaseStatus.DELIBERATED, CaseStatus.HEARING)
        plan.force_transfer = stop == CaseStatus.TRANSFERRED
    plans.sort(key=lambda p: (p.case.discovered_on, p.case.number))
    for plan in plans:
        plan.case.created_at = _at(plan.case.discovered_on, 9)
        plan.case.number = f"{plan.case.agency.code}-{plan.case.discovered_on.year}-D{plan.serial:04d}"
        try:
            _walk(rng, plan, people, numbers, tiers, today)
        except _Stop:
            pass
        if plan.case.status == CaseStatus.LEAD:
            plan.officers = []
    _write(plans, numbers, today)
    by_state = defaultdict(int)
    for plan in plans:
        by_state[plan.case.status] += 1
    summary = "，".join(f"{CaseStatus(s).label} {n}" for s, n in sorted(by_state.items(), key=lambda kv: -kv[1]))
    stdout.write(_("案件：%(n)s 件（%(summary)s）") % {"n": len(plans), "summary": summary})


def _all_tiers():
    from enforcement.catalogue.models import DiscretionTier

    return DiscretionTier.objects.order_by("matter_id", "order")


def _plan(rng, serial, agency, matters, tiers, people, bureau, departments, today) -> Plan:
    matter = rng.choice(matters)
    recent = rng.random() < 0.12
    discovered = today - dt.timedelta(days=rng.randrange(0, 60 if recent else DAYS))
    if agency.kind in (AgencyKind.TOWN, AgencyKind.SUBDISTRICT):
        discovered = max(discovered, PILOT_FROM + dt.timedelta(days=rng.randrange(1, 30)))
    occurred = discovered - dt.timedelta(days=rng.randrange(0, 20))
    org = rng.random() < 0.3
    kind = PartyKind.ORGANISATION if org else PartyKind.INDIVIDUAL
    place = rng.choice(PLACES)
    township = agency if agency.kind in (AgencyKind.TOWN, AgencyKind.SUBDISTRICT) else (
        agency.stationed_in if agency.stationed_in_id else None)
    area = township.name if township else _("城区")
    name = person_name(1000 + serial * 3)
    party = f"{area[:2]}{name[1:]}{rng.choice(SHOPS)}" if org else name
    summary = rng.random() < 0.18
    case = Case(
        number=f"{agency.code}-{discovered.year}-D{serial:04d}", agency=agency, matter=matter, township=township,
        procedure=Procedure.SUMMARY if summary else Procedure.ORDINARY,
        source=rng.choice([CaseSource.INSPECTION, CaseSource.INSPECTION, CaseSource.REPORT, CaseSource.TICKET,
                           CaseSource.TRANSFER_IN]),
        title=matter.name[:300], place=f"{area}{place}",
        facts=FACTS["default"].format(what=matter.name),
        occurred_on=occurred, discovered_on=discovered, party_kind=kind, party_name=party,
        party_id_number=_id_number(rng, kind), party_address=f"{area}{place}{rng.randrange(1, 300)}号",
        party_phone=f"13{rng.randrange(100000000, 999999999)}",
        party_legal_rep=person_name(5000 + serial) if org else "",
        created_at=_at(discovered, 9),
    )
    if case.source == CaseSource.TICKET:
        case.source_ref = f"12345-{discovered:%Y%m%d}-{serial:04d}"
    plan = Plan(case=case, officers=[], serial=serial)
    # The pilot entrusts the first matter to TS08: decided in the department's name.
    plan.entrusted_by = departments.get(matter.origin_department_id) if (
        agency.code == "TS08" and matter.pk == matters[0].pk) else None
    return plan


def _walk(rng: random.Random, plan: Plan, people, numbers: Numbers, tiers, today: dt.date) -> None:  # noqa: C901
    """Advance one planned case through its steps as far as its age allows."""
    case = plan.case
    agency = case.agency
    age = (today - case.discovered_on).days
    leader = (people["leaders"].get(agency.pk) or [None])[0]
    plan.events.append(("create", "", CaseStatus.LEAD, case.discovered_on, None, ""))
    township_case = agency.kind in (AgencyKind.TOWN, AgencyKind.SUBDISTRICT)
    pool = [u for u in people["officers"].get(agency.pk, []) if not u.username.endswith("officer2")]
    start = case.discovered_on + dt.timedelta(days=rng.randrange(0, 4))
    assigned = _certified(people, pool, min(start, today))
    rng.shuffle(assigned)
    assigned = assigned[:2]
    if len(assigned) < 2:
        return
    case.created_by = assigned[0][0]
    plan.officers = assigned
    if township_case and plan.entrusted_by is not None:
        case.subject_agency = plan.entrusted_by
        case.holder_mode = GrantMode.ENTRUSTED
        case.holder_via = _("委托%(holder)s以%(acting_for)s名义行使（依据 %(ref)s）") % {
            "holder": agency.name, "acting_for": plan.entrusted_by.name, "ref": PILOT_REF}
    elif township_case:
        case.subject_agency = agency
        case.holder_mode = GrantMode.DEVOLVED
        case.holder_via = _("赋权%(holder)s（依据 %(ref)s）") % {"holder": agency.name, "ref": PILOT_REF}
    else:
        bureau = next((a for a in _ancestors(agency) if a.kind == AgencyKind.BUREAU), agency)
        case.subject_agency = bureau
        case.holder_mode = GrantMode.TRANSFERRED
        case.holder_via = _("划转至%(holder)s（目录导入）") % {"holder": bureau.name}
    subject = case.subject_agency
    first = assigned[0][0]
    matter_tiers = tiers.get(case.matter_id, [])

    def event(action, frm, to, day, actor=first, note=""):
        plan.events.append((action, frm, to, day, actor, note))

    def doc(kind, number, day, actor=first, **extra):
        plan.documents.append((kind, number, day, actor, extra))

    # Summary procedure: decided and handed over on the spot.
    if case.is_summary:
        _check_stop(case)
        tier, kinds, fine = _tier_penalty(rng, case.matter, matter_tiers, case.party_kind, False)
        limit = Decimal("200") if case.party_kind == PartyKind.INDIVIDUAL else Decimal("3000")
        if fine is not None and fine > limit:
            fine = Decimal("100.00") if case.party_kind == PartyKind.INDIVIDUAL else Decimal("1000.00")
            tier = next((t for t in matter_tiers
                         if t.fine_min is not None and t.fine_min <= fine <= (t.fine_max or fine)), None)
        kinds = [k for k in kinds if k in (PenaltyKind.WARNING, PenaltyKind.FINE)] or [PenaltyKind.WARNING]
        if fine is None:
            kinds = [PenaltyKind.WARNING]
        day = case.discovered_on
        case.outcome, case.penalty_kinds, case.fine_amount, case.tier = Outcome.PENALTY, kinds, fine, tier
        case.penalty_check_ok = True
        case.decided_on, case.decided_by = day, first
        case.decision_number = numbers.next(subject, "summary", day.year)
        case.served_on, case.service_method, case.served_to = day, ServiceMethod.ON_SPOT, case.party_name
        case.summary_record_due_at = case_deadlines.due("summary_record", day).at
        _set_status(case, CaseStatus.SERVED)
        event("decide_on_spot", CaseStatus.LEAD, CaseStatus.SERVED, day)
        doc(DocumentKind.SUMMARY_DECISION, case.decision_number, day, payment_days=15,
            surcharge_rule=surcharge_text(fine), remedies=remedies_text())
        if fine:
            case.payment_due_at = case_deadlines.due("payment", day).at
            paid = day + dt.timedelta(days=rng.randrange(0, 10))
            if paid <= today and rng.random() < 0.9:
                _check_stop(case)
                on_spot = fine <= 100 and paid == day
                case.executed_on = paid
                _pay(case, paid)
                case.execution_method = ExecutionMethod.PAID_ON_SPOT if on_spot else ExecutionMethod.PAID
                case.receipt_number = f"FS{paid:%Y%m%d}{rng.randrange(1000, 9999)}"
                _set_status(case, CaseStatus.EXECUTED)
                event("execute", CaseStatus.SERVED, CaseStatus.EXECUTED, paid)
        recorded = day + dt.timedelta(days=rng.randrange(1, 5))
        if recorded <= today and age > 6:
            case.summary_recorded_on = recorded
            event("summary_record", case.status, case.status, recorded)
            _finish(rng, plan, recorded, today, numbers, first)
        return

    # Ordinary procedure.
    filed = start
    if filed > today:
        return
    _check_stop(case)
    if rng.random() < 0.04 and age > 10:
        _set_status(case, CaseStatus.DECLINED)
        case.declined_reason = _("经核查，不存在违法事实，不予立案。")
        event("decline", CaseStatus.LEAD, CaseStatus.DECLINED, filed, note=case.declined_reason)
        return
    major = plan.force_major or (rng.random() < 0.06 and age > 40)
    case.filed_on = filed
    case.filing_number = numbers.next(subject, "filing", filed.year)
    case.decide_due_at = case_deadlines.due("decide", filed).at
    case.is_major = major
    if major:
        case.major_reason = _("社会影响较大，拟作出较重的行政处罚")
    _set_status(case, CaseStatus.FILED)
    event("file", CaseStatus.LEAD, CaseStatus.FILED, filed)
    doc(DocumentKind.FILING_APPROVAL, case.filing_number, filed,
        decide_due=timezone.localtime(case.decide_due_at).date())
    investigate = filed + dt.timedelta(days=rng.randrange(0, 3))
    if investigate > today or age < 3:
        return
    _set_status(case, CaseStatus.INVESTIGATING)
    event("investigate", CaseStatus.FILED, CaseStatus.INVESTIGATING, investigate)
    inquiry_day = investigate + dt.timedelta(days=rng.randrange(0, 5))
    if inquiry_day <= today:
        doc(DocumentKind.INQUIRY_RECORD, _("第1次"), inquiry_day, person_name=case.party_legal_rep or case.party_name,
            person_role=_("当事人"), inquiry_place=f"{agency.name}询问室", started_at=_at(inquiry_day, 9),
            ended_at=_at(inquiry_day, 9, 45), inquirer=first.get_full_name(), recorder=assigned[1][0].get_full_name(),
            inquirer_certificate=assigned[0][1].number, recorder_certificate=assigned[1][1].number,
            qa=_("问：我们是%(agency)s的执法人员，现依法向你询问，你是否听清楚？\n答：听清楚了。\n"
                 "问：你是否承认上述违法事实？\n答：承认，我愿意改正。") % {"agency": agency.name})
        plan.photo = rng.random() < 0.35
    # Transfer to the police now and then (art. 27).
    if plan.force_transfer or (rng.random() < 0.03 and age > 20):
        day = investigate + dt.timedelta(days=rng.randrange(3, 15))
        if day <= today:
            _set_status(case, CaseStatus.TRANSFERRED)
            case.outcome = Outcome.TRANSFER
            case.transfer_target, case.transfer_body = TransferTarget.POLICE, _("县公安局")
            case.transfer_reason = _("当事人涉嫌以暴力方法阻碍执法人员依法执行职务，涉嫌犯罪。")
            case.transferred_on = case.decided_on = day
            case.decided_by = first
            event("transfer", CaseStatus.INVESTIGATING, CaseStatus.TRANSFERRED, day, note=case.transfer_reason)
            doc(DocumentKind.TRANSFER_LETTER, numbers.next(subject, "transfer", day.year), day,
                transfer_target=TransferTarget.POLICE.label, transfer_body=case.transfer_body,
                transfer_reason=case.transfer_reason)
            _finish(rng, plan, day, today, numbers, first)
        return
    first_offense = case.matter.first_offense_exempt and rng.random() < 0.35 and not major and not (
        getattr(case, "_stop", None))
    if first_offense:
        day = investigate + dt.timedelta(days=rng.randrange(5, 20))
        if day > today or age < 15:
            return
        _check_stop(case)
        case.outcome, case.decided_on, case.decided_by = Outcome.FIRST_OFFENSE, day, first
        case.decision_text = _(
            "当事人初次违法且危害后果轻微并及时改正，依据《中华人民共和国行政处罚法》第三十三条第一款，不予行政处罚。"
        )
        case.decision_number = numbers.next(subject, "no_penalty", day.year)
        case.service_due_at = case_deadlines.due("service", day).at
        _set_status(case, CaseStatus.DECIDED)
        event("decide", CaseStatus.INVESTIGATING, CaseStatus.DECIDED, day)
        doc(DocumentKind.NO_PENALTY_DECISION, case.decision_number, day, payment_days=15)
        _serve_and_on(rng, plan, day, today, numbers, first, event, doc)
        return
    # Advance notice.
    tier, kinds, fine = _tier_penalty(rng, case.matter, matter_tiers, case.party_kind, major)
    if plan.force_hearing and not hearing_reasons(case.party_kind, kinds, fine):
        threshold = Decimal("10000") if case.party_kind == PartyKind.INDIVIDUAL else Decimal("100000")
        big = [t for t in matter_tiers if t.fine_unit == "yuan" and (t.fine_max or 0) >= threshold]
        if big:
            tier, kinds = big[-1], [PenaltyKind.FINE]
            fine = max(threshold, big[-1].fine_min or threshold).quantize(Decimal("1.00"))
        else:
            kinds = [*kinds, PenaltyKind.ORDER_SUSPENSION] if PenaltyKind.ORDER_SUSPENSION not in kinds else kinds
    notice = investigate + dt.timedelta(days=rng.randrange(8, 30))
    if notice > today or age < 20:
        return
    _check_stop(case)
    hearing = hearing_reasons(case.party_kind, kinds, fine)
    case.tier, case.proposed_kinds, case.proposed_fine, case.notice_served_on = tier, kinds, fine, notice
    case.hearing_rights = bool(hearing)
    if hearing:
        case.hearing_request_due_at = case_deadlines.due("hearing_request", notice).at
        case.is_major = True
        case.major_reason = case.major_reason or _("拟作出%(what)s，适用听证程序") % {"what": "、".join(hearing)}
    _set_status(case, CaseStatus.NOTIFIED)
    event("notify", CaseStatus.INVESTIGATING, CaseStatus.NOTIFIED, notice)
    doc(DocumentKind.ADVANCE_NOTICE, numbers.next(subject, "notice", notice.year), notice,
        hearing_reasons="、".join(hearing),
        hearing_request_due=timezone.localtime(case.hearing_request_due_at).date() if hearing else "")
    day = notice + dt.timedelta(days=rng.randrange(8, 12))
    state = CaseStatus.NOTIFIED
    if hearing and (plan.force_hearing or rng.random() < 0.5):
        _check_stop(case)
        requested = notice + dt.timedelta(days=2)
        notified = requested + dt.timedelta(days=1)
        # Art. 64(2), 85: seven working days' notice; the hearing on a working day.
        held = case_deadlines.earliest_hearing_day(notified)
        if held > today:
            return
        case.hearing_requested_on, case.hearing_notified_on = requested, notified
        case.hearing_at = case.hearing_held_at = _at(held, 9, 30)
        case.went_to_hearing = True
        case.hearing_place = f"{agency.name}听证室"
        case.hearing_record = _("当事人及其委托代理人到场陈述申辩，对违法事实无异议，请求从轻处罚。")
        event("request_hearing", state, state, requested)
        _set_status(case, CaseStatus.HEARING)
        event("schedule_hearing", CaseStatus.NOTIFIED, CaseStatus.HEARING, notified)
        doc(DocumentKind.HEARING_NOTICE, numbers.next(subject, "hearing", notified.year), notified,
            hearing_at=case.hearing_at, hearing_place=case.hearing_place)
        event("record_hearing", CaseStatus.HEARING, CaseStatus.HEARING, held)
        state, day = CaseStatus.HEARING, held + dt.timedelta(days=3)
    elif hearing:
        case.hearing_waived = True
        event("waive_hearing", state, state, notice + dt.timedelta(days=3))
    if day > today:
        _set_status(case, state)
        return
    # Legal review (all ordinary cases here; mandatory for major ones).
    _set_status(case, CaseStatus.LEGAL_REVIEW)
    event("submit_review", state, CaseStatus.LEGAL_REVIEW, day)
    if township_case:
        reviewer_pool = [u for u in people["reviewers"].get(agency.pk, []) if u.pk not in {o.pk for o, _c in assigned}]
    else:
        reviewer_pool = people["centre_reviewers"]
    if case.is_major:
        reviewer_pool = people["centre_reviewers"] if township_case else reviewer_pool
    reviewer = reviewer_pool[plan.case.discovered_on.toordinal() % len(reviewer_pool)] if reviewer_pool else (
        admin_user())
    review_day = day + dt.timedelta(days=rng.randrange(1, 4))
    review = LegalReview(case=case, submitted_by=first, result=ReviewResult.PENDING, submitted_at=_at(day, 14))
    plan.reviews.append(review)
    held_in_review = getattr(case, "_stop", None) == CaseStatus.LEGAL_REVIEW
    if review_day > today or age < 35 or held_in_review:
        if case.is_major:
            # Waiting for the review level: the levels below it have approved.
            _chain(plan, case, first, day, None, None, leader, township_case, approved_through=3)
        return
    if rng.random() < 0.06:
        _set_status(case, CaseStatus.INVESTIGATING)
        review.__dict__["result"] = ReviewResult.RETURNED  # finished history written in bulk (see _set_status)
        review.reviewer, review.reviewed_at = reviewer, _at(review_day, 11)
        review.opinion = _("证据不足，请补充当事人身份证明及现场勘验笔录。")
        event("send_back", CaseStatus.LEGAL_REVIEW, CaseStatus.INVESTIGATING, review_day, reviewer, review.opinion)
        return
    _set_status(case, CaseStatus.REVIEWED)
    review.__dict__["result"] = ReviewResult.PASSED  # finished history written in bulk (see _set_status)
    review.reviewer, review.reviewed_at = reviewer, _at(review_day, 11)
    review.opinion = _("主体合法，事实清楚，证据确凿，适用依据正确，程序合法，裁量适当，同意。")
    if case.is_major:
        _chain(plan, case, first, day, reviewer, review_day, leader, township_case, approved_through=4)
    event("pass_review", CaseStatus.LEGAL_REVIEW, CaseStatus.REVIEWED, review_day, reviewer, review.opinion)
    doc(DocumentKind.LEGAL_REVIEW_OPINION, numbers.next(subject, "review", review_day.year), review_day, reviewer,
        opinion=review.opinion, reviewer=reviewer.get_full_name(), result=_("同意"))
    decide_day = review_day + dt.timedelta(days=rng.randrange(1, 6))
    if case.is_major:
        meeting = review_day + dt.timedelta(days=2)
        if meeting > today:
            return
        _set_status(case, CaseStatus.DELIBERATED)
        chair = leader or first
        plan.deliberations.append(Deliberation(
            case=case, held_on=meeting, recorded_at=_at(meeting, 17), chair=chair.get_full_name(),
            participants=_("班子成员、法制审核人员、承办人"), conclusion=_("同意承办机构的处理意见。"),
            recorded_by=chair,
        ))
        collective = plan.steps[-1]
        collective.__dict__["decision"] = StepDecision.APPROVED  # finished history written in bulk
        collective.decided_by = chair
        collective.decided_at, collective.reason = _at(meeting, 16), _("同意承办机构的处理意见。")
        event("deliberate", CaseStatus.REVIEWED, CaseStatus.DELIBERATED, meeting, chair)
        decide_day = meeting + dt.timedelta(days=1)
    if decide_day > today or age < 40:
        return
    _check_stop(case)
    frm = case.status
    case.outcome, case.penalty_kinds, case.fine_amount = Outcome.PENALTY, kinds, fine
    case.penalty_check_ok, case.decided_on, case.decided_by = True, decide_day, first
    case.decision_text = _("责令当事人立即改正违法行为。")
    case.decision_number = numbers.next(subject, "decision", decide_day.year)
    case.service_due_at = case_deadlines.due("service", decide_day).at
    case.needs_publication = bool(fine and fine >= 1000) or case.is_major or rng.random() < 0.15
    if case.needs_publication:
        case.publication_due_at = case_deadlines.due("publication", decide_day).at
    _set_status(case, CaseStatus.DECIDED)
    event("decide", frm, CaseStatus.DECIDED, decide_day)
    doc(DocumentKind.DECISION, case.decision_number, decide_day, payment_days=15, justification="",
        surcharge_rule=surcharge_text(case.fine_amount))
    if case.needs_publication:
        published = decide_day + dt.timedelta(days=rng.randrange(1, 8))
        if published <= today and rng.random() < 0.9:
            plan.published_on = published
    _serve_and_on(rng, plan, decide_day, today, numbers, first, event, doc)


def _pay(case: Case, paid: dt.date) -> None:
    """Paid on ``paid``: the fine and, when late, the art. 72 surcharge (3 % a day, at most the fine)."""
    late = surcharge(case, paid)
    case.surcharge_amount = late if case.fine_amount else None
    case.paid_amount = (case.fine_amount or Decimal("0")) + late


def _set_status(case: Case, status: str) -> None:
    # The demo writes finished history in bulk: the state comes from the replayed steps
    # (whose events are written too), not from a live transition, so bypass the FSM guard.
    _check_stop(case)
    case.__dict__["status"] = status


def _check_stop(case: Case) -> None:
    """Stop before the next step when the case has reached the state it is meant to stay in."""
    if case.__dict__.get("status") == getattr(case, "_stop", None):
        raise _Stop


def admin_user():
    return User.objects.filter(username="admin").first()


def _ancestors(agency):
    out, current = [agency], agency
    while current.parent_id:
        current = AgencyModel.objects.get(pk=current.parent_id)
        out.append(current)
    return out


def _chain(plan, case, first, submitted, reviewer, reviewed, leader, township_case, approved_through):
    from enforcement.cases.models import ApprovalScope

    levels = DEFAULT_LEVELS[ApprovalScope.TOWNSHIP if township_case else ApprovalScope.BUREAU]
    for order, (kind, label) in enumerate(levels, start=1):
        approved = order <= approved_through
        actor = {ApproverKind.HANDLER: first, ApproverKind.LEGAL_SECTION: reviewer,
                 ApproverKind.REVIEW_CENTRE: reviewer}.get(kind, leader)
        if kind == ApproverKind.LEGAL_OFFICER:
            actor = reviewer or leader
        day = submitted if order <= 3 else (reviewed or submitted)
        plan.steps.append(ApprovalStep(
            case=case, round=1, order=order, approver=kind, label=str(label),
            decision=StepDecision.APPROVED if approved else StepDecision.PENDING,
            decided_by=actor if approved else None, decided_at=_at(day, 11 + order) if approved else None,
            reason=_("同意") if approved else "",
        ))


def _serve_and_on(rng, plan, decided, today, numbers, first, event, doc):
    case = plan.case
    served = decided + dt.timedelta(days=rng.randrange(0, 6))
    if rng.random() < 0.05:
        return  # decided but never served: the sweep shows it red
    if served > today:
        return
    _check_stop(case)
    case.served_on, case.served_to = served, case.party_name
    case.service_method = ServiceMethod.DIRECT if served != decided else ServiceMethod.ON_SPOT
    _set_status(case, CaseStatus.SERVED)
    event("serve", CaseStatus.DECIDED, CaseStatus.SERVED, served)
    doc(DocumentKind.SERVICE_RECEIPT, case.decision_number, served,
        served_document=_("行政处罚决定书") if case.outcome == Outcome.PENALTY else _("不予行政处罚决定书"))
    last = served
    if case.outcome == Outcome.PENALTY and case.fine_amount:
        case.payment_due_at = case_deadlines.due("payment", served).at
        paid = served + dt.timedelta(days=rng.randrange(1, 20))
        if paid > today or rng.random() < 0.04:
            return
        _check_stop(case)
        case.executed_on = paid
        _pay(case, paid)
        case.execution_method = ExecutionMethod.PAID if paid <= served + dt.timedelta(days=15) else (
            ExecutionMethod.COURT)
        case.receipt_number = f"FS{paid:%Y%m%d}{rng.randrange(1000, 9999)}"
        _set_status(case, CaseStatus.EXECUTED)
        event("execute", CaseStatus.SERVED, CaseStatus.EXECUTED, paid)
        last = paid
    _appeal(rng, plan, served, today)
    _finish(rng, plan, last, today, numbers, first)


def _appeal(rng, plan, served, today):
    case = plan.case
    roll = rng.random()
    if roll > 0.09 or case.outcome != Outcome.PENALTY:
        return
    litigation = roll < 0.03
    filed = served + dt.timedelta(days=rng.randrange(10, 50))
    if filed > today:
        return
    concluded = filed + dt.timedelta(days=rng.randrange(45, 120))
    if concluded > today:
        outcome, concluded = AppealOutcome.PENDING, None
    else:
        outcome = rng.choice([AppealOutcome.UPHELD, AppealOutcome.UPHELD, AppealOutcome.UPHELD, AppealOutcome.VARIED,
                              AppealOutcome.REVOKED, AppealOutcome.WITHDRAWN, AppealOutcome.CONFIRMED_UNLAWFUL])
    kind = AppealKind.LITIGATION if litigation else AppealKind.RECONSIDERATION
    won = None
    if kind == AppealKind.LITIGATION and outcome != AppealOutcome.PENDING:
        won = outcome in (AppealOutcome.UPHELD, AppealOutcome.WITHDRAWN)
    plan.appeals.append(AppealRecord(
        case=case, kind=kind, filed_on=filed, recorded_at=_at(filed, 15),
        body=_("县人民法院") if litigation else _("县人民政府"),
        reference=(f"（{filed.year}）浙0000行初{rng.randrange(10, 99)}号" if litigation
                   else f"县政复〔{filed.year}〕{rng.randrange(1, 60)}号"),
        outcome=outcome, concluded_on=concluded, won=won, recorded_by=plan.officers[0][0],
    ))
    if outcome in (AppealOutcome.VARIED, AppealOutcome.REVOKED, AppealOutcome.CONFIRMED_UNLAWFUL) and plan.published_on:
        withdrawn = concluded + dt.timedelta(days=rng.randrange(1, 4))
        if withdrawn <= today:
            plan.withdrawn_on = withdrawn


def _finish(rng, plan, last, today, numbers, first):
    case = plan.case
    if case.status == CaseStatus.SERVED and case.outcome == Outcome.PENALTY and case.fine_amount:
        return
    closed = last + dt.timedelta(days=rng.randrange(1, 10))
    if closed > today or rng.random() < 0.08:
        return
    _check_stop(case)
    frm = case.status
    case.closed_on, case.closing_summary = closed, _("案件已办理完毕，材料齐全，同意结案。")
    _set_status(case, CaseStatus.CLOSED)
    plan.events.append(("close", frm, CaseStatus.CLOSED, closed, first, case.closing_summary))
    plan.documents.append((DocumentKind.CLOSING_APPROVAL, case.display_number, closed, first, {
        "closing_summary": case.closing_summary, "executed_on": case.executed_on,
        "execution": case.get_execution_method_display() if case.execution_method else "",
        "paid_amount": case.paid_amount,
    }))
    archived = closed + dt.timedelta(days=rng.randrange(3, 30))
    if archived > today:
        return
    _check_stop(case)
    case.archived_on = archived
    case.archive_number = numbers.next(case.subject_agency or case.agency, "archive", archived.year)
    _set_status(case, CaseStatus.ARCHIVED)
    plan.events.append(("archive", CaseStatus.CLOSED, CaseStatus.ARCHIVED, archived, first, ""))


# --- writing ----------------------------------------------------------------------------------


def _photos() -> list[str]:
    """A few small scene photos in the media storage, shared by the demo evidence."""
    from PIL import Image, ImageDraw

    names = []
    for n, colour in enumerate(((180, 190, 200), (200, 180, 160), (170, 200, 170)), start=1):
        name = f"cases/evidence/demo/scene-{n}.png"
        if not default_storage.exists(name):
            image = Image.new("RGB", (320, 200), colour)
            draw = ImageDraw.Draw(image)
            draw.rectangle((40, 60, 280, 170), outline=(60, 60, 60), width=3)
            draw.line((40, 170, 280, 60), fill=(120, 30, 30), width=3)
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            name = default_storage.save(name, ContentFile(buffer.getvalue()))
        names.append(name)
    return names


def _sha256(name: str) -> tuple[str, int]:
    import hashlib

    with default_storage.open(name, "rb") as fh:
        data = fh.read()
    return hashlib.sha256(data).hexdigest(), len(data)


def _write(plans: list[Plan], numbers: Numbers, today: dt.date) -> None:
    Case.objects.bulk_create([p.case for p in plans], batch_size=500)
    officers = []
    for plan in plans:
        plan.case_officers = [
            CaseOfficer(case=plan.case, officer=o, certificate_number=c.number,
                        role=OfficerRole.LEAD if i == 0 else OfficerRole.ASSIST)
            for i, (o, c) in enumerate(plan.officers)
        ]
        officers.extend(plan.case_officers)
    CaseOfficer.objects.bulk_create(officers, batch_size=1000)

    documents = []
    for plan in plans:
        for kind, number, day, actor, extra in plan.documents:
            document = build_document(plan.case, kind, by=actor, number=number, extra=extra, on=day,
                                      officers=plan.case_officers)
            document.created_at = _at(day, 16)
            documents.append(document)
    CaseDocument.objects.bulk_create(documents, batch_size=500)

    ApprovalStep.objects.bulk_create([s for p in plans for s in p.steps], batch_size=1000)
    reviews = [r for p in plans for r in p.reviews]
    LegalReview.objects.bulk_create(reviews, batch_size=1000)
    Deliberation.objects.bulk_create([d for p in plans for d in p.deliberations])
    AppealRecord.objects.bulk_create([a for p in plans for a in p.appeals])

    publications = []
    for plan in plans:
        if plan.published_on:
            publications.append(Publication(
                case=plan.case, published_at=_at(plan.published_on, 15), published_by=plan.officers[0][0],
                content=public_content(plan.case),
                withdrawn_at=_at(plan.withdrawn_on, 10) if plan.withdrawn_on else None,
                withdrawn_by=plan.officers[0][0] if plan.withdrawn_on else None,
                withdrawn_reason=_("原处罚决定经复议或诉讼被变更、撤销或确认违法") if plan.withdrawn_on else "",
            ))
    Publication.objects.bulk_create(publications)

    photos = _photos()
    hashes = {name: _sha256(name) for name in photos}
    evidence = []
    for n, plan in enumerate(p for p in plans if p.photo):
        name = photos[n % len(photos)]
        digest, size = hashes[name]
        evidence.append(Evidence(
            case=plan.case, kind=EvidenceKind.AUDIOVISUAL, title=_("现场照片"), description=_("证明违法行为现场情况"),
            collected_on=plan.case.filed_on or plan.case.discovered_on, collected_place=plan.case.place, file=name,
            original_name=f"现场照片{n + 1}.png", content_type="image/png", size=size, sha256=digest,
            uploaded_by=plan.officers[0][0], uploaded_at=_at(plan.case.filed_on or plan.case.discovered_on, 15),
        ))
    Evidence.objects.bulk_create(evidence, batch_size=500)

    _events(plans)
    _warnings(plans)
    numbers.save()


def _events(plans: list[Plan]) -> None:
    content_type = ContentType.objects.get_for_model(Case)
    rows = []
    for plan in plans:
        agency = plan.case.agency
        for hour, (action, frm, to, day, actor, note) in enumerate(plan.events):
            rows.append(Event(
                content_type=content_type, object_id=plan.case.pk, action=action, from_state=frm, to_state=to,
                actor=actor or plan.case.created_by, actor_agency=agency, at=_at(day, 8 + hour % 10, 5 * hour % 60),
                note=note,
            ))
        if plan.published_on:
            rows.append(Event(content_type=content_type, object_id=plan.case.pk, action="publish",
                              from_state=plan.case.status, to_state=plan.case.status, actor=plan.officers[0][0],
                              actor_agency=agency, at=_at(plan.published_on, 15), is_public=True))
    Event.objects.bulk_create(rows, batch_size=1000)


def _warnings(plans: list[Plan]) -> None:
    """Set each case's warning as the sweep would (without notifying anybody about the past)."""
    now = timezone.now()
    changed = []
    for plan in plans:
        case = plan.case
        flags = {"published": plan.published_on is not None, "withdrawn": plan.withdrawn_on is not None}
        level, key, due_at = case_deadlines.warning_for(case, now, **flags)
        if level != case.warning_level:
            case.warning_level, case.warning_key, case.warning_due_at = level, key, due_at
            case.warning_changed_at = now
            changed.append(case)
    Case.objects.bulk_update(changed, ["warning_level", "warning_key", "warning_due_at", "warning_changed_at"],
                             batch_size=500)
