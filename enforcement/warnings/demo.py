"""Demo seed step: the county's warning list and a year of warnings with a realistic self-correction rate.

Runs after the cases step (``enforcement.demo.SEED_STEPS``). Six penalty matters devolved to the
townships go on the warning list; each township's certified officers issue warnings over the past
year (about one in four a written commitment to correct, with its signed file). A warning whose
deadline has passed was re-checked a few working days later: about four in five corrected (the
county reports ~80 %), the rest turned into a case lead through the case service with the history.
Deadlines are computed with the real working-day rule, statuses and warning lights as the services
and the sweep set them (without notifying anybody about the past).

Deterministic (a seeded random generator, dates relative to today, so it holds whatever the date)
and idempotent: when the first demo warning exists the step leaves everything alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.cases.choices import CaseSource, PartyKind, WarningLevel
from enforcement.cases.deadlines import yellow_share
from enforcement.cases.rules import check_filing_power
from enforcement.cases.services.lifecycle import case_create_lead
from enforcement.catalogue.models import GrantMode, Matter, PowerType
from enforcement.demo.names import person_name
from enforcement.errors import DomainError
from enforcement.models.agencies import TOWNSHIP_KINDS, Certificate, Membership, Role
from enforcement.models.events import Event
from enforcement.warnings.choices import WarningKind, WarningStatus
from enforcement.warnings.models import WarningMatter, WarningNotice
from enforcement.warnings.services import correction_due, history_text, level_at
from enforcement.workdays import SHANGHAI, add_working_days

SEED = 20261207
PER_TOWNSHIP = 24
SELF_CORRECTION = 0.82
CONDITIONS = "初次违法\n危害后果轻微\n能够及时改正"
SHOPS = ["便利店", "小吃店", "五金店", "水果店", "理发店", "餐馆", "烟酒店", "早餐店", "干洗店", "药店"]
FACTS = [
    "店门前人行道堆放纸箱杂物。",
    "未经许可在门前设置临时摊点。",
    "店招破损未及时维护。",
    "餐饮油烟直排门前街道。",
    "门前三包责任区卫生不洁。",
    "占用人行道摆放商品。",
]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=SHANGHAI)


def _matters() -> list[Matter]:
    devolved = list(
        Matter.objects.filter(power_type=PowerType.PENALTY, grants__mode=GrantMode.DEVOLVED)
        .distinct()
        .order_by("code")[:6]
    )
    return devolved or list(Matter.objects.filter(power_type=PowerType.PENALTY).order_by("code")[:6])


def _holds(township, matter, day: dt.date) -> bool:
    """Whether ``township`` may file under ``matter`` on ``day`` (the filing rule of cases)."""
    try:
        check_filing_power(matter, township, township, on=day)
    except DomainError:
        return False
    return True


def _officers(today: dt.date) -> dict:
    """township -> its certified township officers (at least two), by username."""
    valid = set(
        Certificate.objects.filter(
            valid_from__lte=today - dt.timedelta(days=366), valid_to__gte=today, revoked_at__isnull=True
        ).values_list("officer_id", flat=True)
    )
    out: dict = {}
    for m in (
        Membership.objects.active()
        .filter(role=Role.TOWNSHIP_OFFICER, agency__kind__in=TOWNSHIP_KINDS)
        .select_related("agency", "user")
        .order_by("agency__code", "user__username")
    ):
        if m.user_id in valid:
            out.setdefault(m.agency, []).append(m.user)
    return {a: users for a, users in out.items() if len(users) >= 2}


def seed_warnings(stdout, password: str) -> None:
    today = timezone.localdate()
    if WarningNotice.objects.filter(number__contains="-D").exists():
        stdout.write(_("预警执法：演示数据已存在，跳过。"))
        return
    matters = _matters()
    officers = _officers(today)
    if not matters or not officers:
        stdout.write(_("预警执法：缺少演示事项或执法人员，跳过。"))
        return
    entries = []
    for i, matter in enumerate(matters):
        entry, _created = WarningMatter.objects.get_or_create(
            matter=matter,
            defaults={
                "conditions": CONDITIONS,
                "correction_workdays": (10, 5, 15)[i % 3],
                "repeat_days": 365,
                "reason": "县预警执法事项清单（演示）",
            },
        )
        entries.append(entry)
    rng = random.Random(SEED)
    now = timezone.now()
    share = yellow_share()
    ct = ContentType.objects.get_for_model(WarningNotice)
    serial = 0
    with transaction.atomic():
        for township, users in sorted(officers.items(), key=lambda kv: kv[0].code):
            for n in range(PER_TOWNSHIP):
                serial += 1
                pick = rng.randrange(len(entries))
                issued = today - dt.timedelta(days=rng.randrange(1, 365))
                # Only under a matter the township holds on that day: its warning may become its case.
                held = [e for e in entries if _holds(township, e.matter, issued)]
                if not held:
                    continue
                entry = held[pick % len(held)]
                due = correction_due(issued, entry.correction_workdays)
                kind = WarningKind.COMMITMENT if rng.random() < 0.25 else WarningKind.NOTICE
                pair = rng.sample(users, 2)
                shop = SHOPS[serial % len(SHOPS)]
                name = f"{township.name}{person_name(7000 + serial)}{shop}"
                w = WarningNotice(
                    number=f"YJ-{issued.year}-D{serial:05d}",
                    kind=kind,
                    agency=township,
                    township=township,
                    matter=entry.matter,
                    party_kind=PartyKind.ORGANISATION,
                    party_name=name,
                    party_id_number=f"92{township.pk:04d}{serial:012d}",
                    party_address=f"{township.name}中心街{n + 1}号",
                    party_legal_rep=person_name(7000 + serial),
                    facts=FACTS[serial % len(FACTS)],
                    conditions_confirmed=entry.condition_list,
                    issued_on=issued,
                    correction_workdays=entry.correction_workdays,
                    correction_due_at=due.at,
                    due_provisional=due.provisional,
                    created_by=pair[0],
                    commitment_text=_("本人承诺于期限内改正并接受复查。") if kind == WarningKind.COMMITMENT else "",
                )
                w.save()
                w.officers.set(pair)
                events = [
                    Event(
                        content_type=ct,
                        object_id=w.pk,
                        action="issue",
                        from_state=WarningStatus.ISSUED,
                        to_state=WarningStatus.ISSUED,
                        actor=pair[0],
                        actor_agency=township,
                        at=_at(issued, 10),
                        data={"matter": entry.matter.code},
                    )
                ]
                if kind == WarningKind.COMMITMENT:
                    content = f"%PDF-1.4\n% {w.number} {name}\n".encode()
                    w.commitment_sha256 = hashlib.sha256(content).hexdigest()
                    w.commitment_name = f"承诺书-{w.number}.pdf"
                    w.commitment_file.save(w.commitment_name, ContentFile(content), save=False)
                recheck = add_working_days(due.date, rng.randrange(1, 4)).date if due.at < now else None
                early = None if recheck else (issued + dt.timedelta(days=rng.randrange(1, 6)))
                if recheck and recheck <= today and rng.random() < SELF_CORRECTION:
                    _close(w, WarningStatus.CORRECTED, recheck, pair[1])
                elif recheck and recheck <= today:
                    w.rechecked_on, w.rechecked_by, w.recheck_note = recheck, pair[1], "复查时仍未改正。"
                    w.case = case_create_lead(
                        by=None,
                        agency=township,
                        matter=w.matter,
                        title=f"{name}逾期未改正",
                        occurred_on=issued,
                        party_kind=w.party_kind,
                        party_name=name,
                        party_id_number=w.party_id_number,
                        party_address=w.party_address,
                        party_legal_rep=w.party_legal_rep,
                        township=township,
                        source=CaseSource.OTHER,
                        source_ref=w.number,
                        facts=history_text(w, on=recheck, note=w.recheck_note),
                        place=w.party_address,
                        discovered_on=recheck,
                    )
                    _close(w, WarningStatus.TURNED_TO_CASE, recheck, pair[1])
                elif early and early <= today and rng.random() < 0.3:
                    _close(w, WarningStatus.CORRECTED, early, pair[1])
                else:
                    w.warning_level = level_at(w, now, share)
                    if w.warning_level != WarningLevel.NONE:
                        w.warning_changed_at = now
                if w.status != WarningStatus.ISSUED:
                    events.append(
                        Event(
                            content_type=ct,
                            object_id=w.pk,
                            action="correct" if w.status == WarningStatus.CORRECTED else "escalate",
                            from_state=WarningStatus.ISSUED,
                            to_state=w.status,
                            actor=pair[1],
                            actor_agency=township,
                            at=_at(w.rechecked_on, 15),
                            data={"case": w.case.number} if w.case else {},
                        )
                    )
                WarningNotice.objects.filter(pk=w.pk).update(
                    status=w.status,
                    rechecked_on=w.rechecked_on,
                    rechecked_by=w.rechecked_by,
                    recheck_note=w.recheck_note,
                    case=w.case,
                    warning_level=w.warning_level,
                    warning_changed_at=w.warning_changed_at,
                    commitment_file=w.commitment_file.name or "",
                    commitment_sha256=w.commitment_sha256,
                    commitment_name=w.commitment_name,
                )
                Event.objects.bulk_create(events)
    stdout.write(_("预警执法：%(n)s 份演示预警。") % {"n": serial})


def _close(w: WarningNotice, status: str, on: dt.date, by) -> None:
    # Demo rows are written as data (like the cases' demo), with the state the services would have set.
    w.__dict__["status"] = status
    w.rechecked_on = on
    w.rechecked_by = by
    if status == WarningStatus.CORRECTED:
        w.recheck_note = "复查时已改正。"
