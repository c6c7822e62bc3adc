"""Demo seed step: a lived-in year of tickets on the command platform.

About 3,000 tickets received over the last year, from every channel, in
every state (new to closed, merged, dismissed; some returned, some reopened
after a rejected verdict, some joint inspections, some pending extension
requests) and at every warning level, with their events. Rows are written
with ``bulk_create`` for speed (the event log is append-only, so bulk-created
history is fine for a demo); real work goes through the services.

Deadlines come from the SLA table through ``enforcement.workdays``; the
responsible agency is whoever holds the matter in the township today
(``power_map``), else the township's stationed squadron. Categories are
linked to their domains and to suggested matters of the demo catalogue.

Idempotent: when tickets exist already the step leaves them alone. Runs after
the county, catalogue and devolution steps (``seed_demo`` imports the apps'
``demo`` modules in ``INSTALLED_APPS`` order).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import summary
from dispatch.models import (
    Channel,
    ExtensionStatus,
    Priority,
    Satisfaction,
    SlaRule,
    Ticket,
    TicketCategory,
    TicketCoHandler,
    TicketExtension,
    TicketStatus,
    Verdict,
    WarningLevel,
)
from dispatch.services.intake import new_lookup_code
from dispatch.services.numbering import format_number, numbers_continue_after
from dispatch.sla import in_accept_stage, level_at, rule_for, warn_time
from enforcement.catalogue.powers import power_map
from enforcement.demo import seed_step
from enforcement.demo.names import person_name
from enforcement.maps import schematic
from enforcement.models import Agency, AgencyKind, CountyMap, Domain, Event, Grid, Matter, Membership, Role
from enforcement.workdays import deadline_for

TICKETS = 3000
# The test suite seeds the demo county in many tests: a smaller desk keeps it fast
# (settings say tests may only speed things up); DISPATCH_DEMO_TICKETS overrides both.
TEST_TICKETS = 300
# Tickets that make sure every state, warning level and channel appears: (state, age in days, level).
COVERAGE = [
    (TicketStatus.NEW, 0.1, None), (TicketStatus.TRIAGED, 0.2, None), (TicketStatus.ASSIGNED, 0.3, None),
    (TicketStatus.ACCEPTED, 0.5, None), (TicketStatus.IN_PROGRESS, 1, WarningLevel.NONE),
    (TicketStatus.IN_PROGRESS, 4, WarningLevel.YELLOW), (TicketStatus.IN_PROGRESS, 12, WarningLevel.RED),
    (TicketStatus.ASSIGNED, 9, WarningLevel.RED), (TicketStatus.RESOLVED, 3, None), (TicketStatus.CLOSED, 20, None),
    (TicketStatus.MERGED, 2, None), (TicketStatus.DISMISSED, 5, None),
]
SEED = 20260501
# County seat (a fictional place near Hangzhou); townships are spread around it.
CENTRE = (30.05, 119.95)

# category code -> (domain code, keywords of suggested matters, what people report)
CATEGORY_PLAN: dict[str, tuple[str | None, tuple[str, ...], tuple[str, ...]]] = {
    "ZDJY": ("CSGL", ("摆摊", "店外经营", "占用城市道路从事"), (
        "流动摊贩在菜市场门口占道经营，影响行人通行。", "沿街店铺把货架摆到人行道上经营。",
        "早餐摊点占用人行道，油污满地。")),
    "WZDJ": ("CXGH", ("搭建", "违法建设", "建设工程规划许可"), (
        "小区一楼住户在绿地上私自搭建阳光房。", "村口有人未批先建三层楼房。", "屋顶违规加盖彩钢板房。")),
    "LDLF": ("CSGL", ("堆放",), ("街道两侧堆放建筑材料多日未清理。", "商铺门前长期堆放杂物。")),
    "HWGG": ("CSGL", ("广告",), ("路灯杆上私自挂满广告牌。", "商场外墙新装大型广告牌，未见审批公示。")),
    "YYWR": ("STHJ", ("油烟",), ("楼下饭店油烟直排，家里窗户都不能开。", "夜宵摊烧烤油烟很大。")),
    "ZSRM": ("STHJ", ("噪声",), ("工地夜间施工噪声扰民，凌晨还在作业。", "广场舞音响声音太大。")),
    "ZTPS": ("CSGL", ("遗撒", "建筑垃圾", "渣土")),
    "WFPW": ("STHJ", ("排放", "污染")),
    "WFYD": ("ZRZY", ("占用土地", "耕地")),
    "SRLJ": ("STHJ", ("焚烧",)),
    "TCLX": ("CSGL", ("绿地", "停放")),
    "QTWT": (None, ()),
}
DEFAULT_TEXTS = {
    "ZTPS": ("渣土车沿路抛洒，路面全是泥土。", "夜间有车辆偷倒建筑垃圾。"),
    "WFPW": ("河道边有管子往河里排黑水，气味刺鼻。", "养殖场废水直排农田。"),
    "WFYD": ("有人在基本农田上挖塘建房。", "耕地上堆放大量砂石，疑似非法占地。"),
    "SRLJ": ("田间有人焚烧秸秆，浓烟很大。", "空地上焚烧垃圾，气味难闻。"),
    "TCLX": ("车辆长期停在人行道上，轮椅无法通过。", "绿化带被车辆碾压，停满车辆。"),
    "QTWT": ("井盖缺失，存在安全隐患。", "公园设施损坏无人维修。"),
}
PLACES = ("人民路", "解放街", "文化路", "新华路", "滨江路", "建设路", "中山路", "农贸市场", "汽车站", "工业园区",
          "幸福小区", "阳光花园", "村委会旁", "老街", "学校门口")
CHANNEL_WEIGHTS = [
    (Channel.HOTLINE_12345, 34), (Channel.STAFF, 10), (Channel.TOWNSHIP_CALL, 12), (Channel.PATROL, 14),
    (Channel.GRID, 12), (Channel.PUBLIC_WEB, 8), (Channel.HOTLINE_12319, 4), (Channel.HOTLINE_12369, 4),
    (Channel.OPEN311, 2),
]
RESULTS = ("已现场劝离并责令改正，当事人已整改。", "已依法调查取证，责令限期整改，复查已整改到位。",
           "已会同相关部门现场处置，恢复原状。", "经核查情况属实，已立案查处。", "已约谈当事人，签订整改承诺书。")


@dataclass
class Spec:
    received: dt.datetime
    channel: str
    township: Agency
    grid: Grid | None
    category: TicketCategory
    matter: Matter | None
    agency: Agency | None
    priority: str
    target: str
    level: str | None = None
    ticket: Ticket | None = None
    events: list[tuple] = field(default_factory=list)


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _link_categories() -> dict[str, TicketCategory]:
    # The categories a fresh database gets from the data migration (gone after a flush).
    defaults = import_module("dispatch.migrations.0002_default_sla_and_categories")
    for order, (code, name, description) in enumerate(defaults.CATEGORIES, start=1):
        TicketCategory.objects.get_or_create(code=code, defaults={"name": name, "description": description,
                                                                   "sort_order": order * 10})
    domains = {d.code: d for d in Domain.objects.all()}
    matters = list(Matter.objects.in_force().select_related("domain"))
    categories = {c.code: c for c in TicketCategory.objects.all()}
    for code, (domain_code, keywords, *_texts) in CATEGORY_PLAN.items():
        category = categories.get(code)
        if category is None:
            continue
        domain = domains.get(domain_code) if domain_code else None
        if domain is not None and category.domain_id != domain.pk:
            category.domain = domain
            category.save(update_fields=["domain"])
        suggested = [m for m in matters if any(k in m.name for k in keywords)][:8]
        if suggested and not category.suggested_matters.exists():
            category.suggested_matters.set(suggested)
    return categories


def _members(agency_ids) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for m in Membership.objects.active().filter(agency_id__in=set(agency_ids)).select_related("user").order_by("id"):
        out[m.agency_id].append(m.user)
    return out


@seed_step
def seed_tickets(stdout, password: str) -> None:
    if Ticket.objects.exists():
        stdout.write(_("工单：已存在 %(n)s 张，跳过。") % {"n": Ticket.objects.count()})
        return
    townships = list(Agency.objects.townships().order_by("sort_order", "code"))
    if not townships:
        stdout.write(_("工单：没有乡镇（街道），跳过。"))
        return
    rng = random.Random(SEED)
    now = timezone.now()
    categories = _link_categories()
    category_list = [categories[c] for c in CATEGORY_PLAN if c in categories]
    suggested = {c.pk: list(c.suggested_matters.in_force()) for c in category_list}
    fallback = defaultdict(list)
    for matter in Matter.objects.in_force():
        fallback[matter.domain_id].append(matter)
    all_matters = [m for ms in fallback.values() for m in ms]
    grids = defaultdict(list)
    for grid in Grid.objects.select_related("member"):
        grids[grid.township_id].append(grid)
    squadrons = {a.stationed_in_id: a for a in Agency.objects.squadrons().filter(stationed_in__isnull=False)}
    departments = list(Agency.objects.departments()[:6])
    holders = power_map(all_matters, townships) if all_matters else {}
    dispatchers = list(
        Membership.objects.active().filter(role=Role.DISPATCHER).select_related("user", "agency").order_by("id")
    )

    specs: list[Spec] = []
    total = int(getattr(settings, "DISPATCH_DEMO_TICKETS", TEST_TICKETS if settings.TESTING else TICKETS))
    channels = [c for c, _w in CHANNEL_WEIGHTS]
    for i in range(max(total, len(COVERAGE))):
        # More recent tickets than old ones, as on a live desk.
        age = dt.timedelta(days=365 * rng.random() ** 1.6, minutes=rng.randint(0, 24 * 60))
        forced = COVERAGE[i] if i < len(COVERAGE) else None
        if forced:
            age = dt.timedelta(days=forced[1])
        received = now - age
        township = townships[i % len(townships)] if i % 3 else rng.choice(townships)
        category = rng.choice(category_list)
        pool = suggested.get(category.pk) or fallback.get(category.domain_id) or all_matters
        matter = rng.choice(pool) if pool else None
        answer = holders.get((matter.pk, township.pk)) if matter else None
        agency = answer.agency if answer else squadrons.get(township.pk)
        if agency is not None and agency.kind == AgencyKind.BUREAU:
            # As propose_agency does: the bureau acts through the squadron stationed in the township.
            agency = squadrons.get(township.pk) or agency
        channel = _weighted(rng, CHANNEL_WEIGHTS)
        priority = _weighted(rng, [(Priority.NORMAL, 86), (Priority.URGENT, 11), (Priority.EMERGENCY, 3)])
        days = age.total_seconds() / 86400
        if days > 25:
            plan = [(TicketStatus.CLOSED, 90), (TicketStatus.MERGED, 4), (TicketStatus.DISMISSED, 4),
                    (TicketStatus.RESOLVED, 2)]
        elif days > 7:
            # Still open after a week or more: mostly late (red) ones.
            plan = [(TicketStatus.CLOSED, 70), (TicketStatus.RESOLVED, 10), (TicketStatus.IN_PROGRESS, 8),
                    (TicketStatus.ACCEPTED, 3), (TicketStatus.ASSIGNED, 3), (TicketStatus.MERGED, 3),
                    (TicketStatus.DISMISSED, 3)]
        else:
            plan = [(TicketStatus.NEW, 8), (TicketStatus.TRIAGED, 6), (TicketStatus.ASSIGNED, 14),
                    (TicketStatus.ACCEPTED, 14), (TicketStatus.IN_PROGRESS, 28), (TicketStatus.RESOLVED, 10),
                    (TicketStatus.CLOSED, 14), (TicketStatus.MERGED, 3), (TicketStatus.DISMISSED, 3)]
        target = _weighted(rng, plan)
        if forced:
            target, channel = forced[0], channels[i % len(channels)]
        if agency is None and target not in (TicketStatus.NEW, TicketStatus.DISMISSED, TicketStatus.MERGED):
            target = TicketStatus.TRIAGED
        specs.append(Spec(received, channel, township, rng.choice(grids[township.pk]) if grids[township.pk] else None,
                          category, matter, agency, priority if not forced else Priority.NORMAL, target,
                          level=forced[2] if forced else None))
    specs.sort(key=lambda s: s.received)

    member_map = _members({s.agency.pk for s in specs if s.agency} | {t.pk for t in townships}
                          | {d.pk for d in departments})
    desk = [m.user for m in dispatchers] or [None]
    desk_agency = dispatchers[0].agency if dispatchers else None
    rules = list(SlaRule.objects.filter(is_active=True))
    serials: dict[int, int] = defaultdict(int)
    tickets = []
    survivors: list[Ticket] = []
    for n, spec in enumerate(specs):
        year = timezone.localtime(spec.received).year
        serials[year] += 1
        ticket = _build(spec, rng, n, format_number(year, serials[year]), now, member_map, desk, desk_agency, rules)
        tickets.append(ticket)
    Ticket.objects.bulk_create(tickets, batch_size=500)
    for year, last in serials.items():
        # Intakes after the seeding take the numbers after these (the year's sequence on PostgreSQL).
        numbers_continue_after(year, last)

    # Merged tickets point at an open ticket of the same category received before them.
    open_by_category: dict[int, Ticket] = {}
    merged = []
    for spec in specs:
        t = spec.ticket
        if t.status == TicketStatus.MERGED:
            survivor = open_by_category.get(t.category_id)
            if survivor is not None:
                t.merged_into = survivor
                merged.append(t)
                spec.events.append((t.closed_at, "merge", TicketStatus.NEW, TicketStatus.MERGED, desk[0],
                                    desk_agency, _("与工单 %(n)s 反映同一问题，合并办理。") % {"n": survivor.number},
                                    True))
        elif t.is_open:
            open_by_category[t.category_id] = t
            survivors.append(t)
    Ticket.objects.bulk_update(merged, ["merged_into"], batch_size=500)

    _extras(specs, rng, now, departments, member_map)
    ct = ContentType.objects.get_for_model(Ticket)
    events = [
        Event(content_type=ct, object_id=spec.ticket.pk, at=at, action=action, from_state=a, to_state=b, actor=actor,
              actor_agency=agency, note=note, is_public=public)
        for spec in specs
        for at, action, a, b, actor, agency, note, public in spec.events
    ]
    Event.objects.bulk_create(events, batch_size=1000)
    # Bulk-created past the services: the board's summary is counted from the tickets once.
    summary.reconcile()
    counts = defaultdict(int)
    for t in tickets:
        counts[t.status] += 1
    stdout.write(
        _("工单：%(n)s 张（%(states)s），过程记录 %(e)s 条")
        % {"n": len(tickets), "e": len(events),
           "states": _("、").join(f"{TicketStatus(s).label} {c}" for s, c in sorted(counts.items()))}
    )


def _clamp(moment: dt.datetime, now: dt.datetime, step: int) -> dt.datetime:
    return min(moment, now - dt.timedelta(minutes=5 * (8 - step)))


def _build(spec: Spec, rng, n, number, now, member_map, desk, desk_agency, rules) -> Ticket:
    texts = CATEGORY_PLAN[spec.category.code][2] if len(CATEGORY_PLAN[spec.category.code]) > 2 else ()
    texts = texts or DEFAULT_TEXTS.get(spec.category.code, ("群众反映的问题。",))
    lat = CENTRE[0] + (spec.township.sort_order % 5 - 2) * 0.04 + rng.uniform(-0.01, 0.01)
    lng = CENTRE[1] + (spec.township.sort_order % 7 - 3) * 0.04 + rng.uniform(-0.01, 0.01)
    own_staff = spec.channel in (Channel.PATROL, Channel.GRID)
    # A grid report is filed by the grid's member: it shows in their "my reports".
    grid_member = spec.grid.member if spec.channel == Channel.GRID and spec.grid else None
    hotline = spec.channel in (Channel.HOTLINE_12345, Channel.HOTLINE_12319, Channel.HOTLINE_12369, Channel.OPEN311)
    ticket = Ticket(
        number=number, lookup_code=new_lookup_code(), channel=spec.channel,
        external_ref=f"{spec.channel.upper()}-{number}" if hotline else "",
        priority=spec.priority, description=rng.choice(texts), category=spec.category,
        reporter_name="" if own_staff else person_name(9000 + n),
        reporter_phone="" if own_staff else f"13{rng.randint(100000000, 999999999)}",
        place=f"{spec.township.name}{rng.choice(PLACES)}{rng.randint(1, 200)}号", lat=round(lat, 6),
        lng=round(lng, 6), township=spec.township, grid=spec.grid,
        submitted_by_agency=spec.township if spec.channel == Channel.TOWNSHIP_CALL else None,
        created_by=grid_member, received_at=spec.received, status=spec.target,
    )
    spec.ticket = ticket
    actor = desk[n % len(desk)]
    ev = spec.events
    ev.append((spec.received, "intake", TicketStatus.NEW, TicketStatus.NEW, grid_member, None,
               _("已受理（%(c)s）。") % {"c": Channel(spec.channel).label}, True))
    target = spec.target
    if target in (TicketStatus.NEW, TicketStatus.MERGED):
        if target == TicketStatus.MERGED:
            ticket.closed_at = _clamp(spec.received + dt.timedelta(minutes=rng.randint(10, 120)), now, 1)
        return ticket
    if target == TicketStatus.DISMISSED:
        ticket.closed_at = _clamp(spec.received + dt.timedelta(minutes=rng.randint(10, 240)), now, 1)
        ticket.dismiss_reason = _("经核实属民事纠纷，不属于行政执法事项，已告知反映人通过调解途径解决。")
        ev.append((ticket.closed_at, "dismiss", TicketStatus.NEW, TicketStatus.DISMISSED, actor, desk_agency,
                   ticket.dismiss_reason, True))
        return ticket
    t = _clamp(spec.received + dt.timedelta(minutes=rng.randint(5, 90)), now, 1)
    ticket.matter = spec.matter
    ticket.proposed_agency = spec.agency
    ticket.proposal_basis = _("演示数据：按事项权力归属建议")
    ticket.triaged_at = t
    ev.append((t, "triage", TicketStatus.NEW, TicketStatus.TRIAGED, actor, desk_agency, "", False))
    if target == TicketStatus.TRIAGED:
        return ticket
    returned = rng.random() < 0.05
    assigned_at = _clamp(t + dt.timedelta(minutes=rng.randint(5, 60)), now, 2)
    if returned:
        ev.append((assigned_at, "assign", TicketStatus.TRIAGED, TicketStatus.ASSIGNED, actor, desk_agency, "", True))
        back = _clamp(assigned_at + dt.timedelta(hours=rng.randint(1, 20)), now, 3)
        people = member_map.get(spec.agency.pk) or [None]
        ev.append((back, "return_to_dispatch", TicketStatus.ASSIGNED, TicketStatus.TRIAGED, people[0], spec.agency,
                   _("经核实不属于本单位职责范围，请重新分派。"), False))
        ticket.return_count = 1
        assigned_at = _clamp(back + dt.timedelta(minutes=rng.randint(10, 90)), now, 3)
    rule = rule_for(channel=spec.channel, category_id=spec.category.pk, priority=spec.priority, rules=rules)
    accept = deadline_for(assigned_at, rule.accept_amount, rule.accept_unit) if rule else deadline_for(
        assigned_at, 2, "working_hours")
    resolve = deadline_for(assigned_at, rule.resolve_amount, rule.resolve_unit) if rule else deadline_for(
        assigned_at, 5, "working_days")
    ticket.responsible_agency = spec.agency
    ticket.assigned_at = assigned_at
    ticket.accept_due = accept.at
    ticket.resolve_due = resolve.at
    # The light's first stage runs against the accept deadline (dispatch.sla).
    ticket.warn_at = warn_time(assigned_at, accept.at if target == TicketStatus.ASSIGNED else resolve.at)
    ticket.deadline_provisional = accept.provisional or resolve.provisional
    ev.append((assigned_at, "assign", TicketStatus.TRIAGED, TicketStatus.ASSIGNED, actor, desk_agency, "", True))
    handlers = member_map.get(spec.agency.pk) or [None]
    handler = handlers[n % len(handlers)]
    late = rng.random() < 0.15
    if target == TicketStatus.ASSIGNED:
        _light(ticket, now, spec.level)
        return ticket
    allowed = (resolve.at - assigned_at)
    accepted_at = _clamp(assigned_at + (accept.at - assigned_at) * (rng.uniform(1.1, 3) if late else rng.uniform(
        0.05, 0.9)), now, 4)
    ticket.accepted_at = accepted_at
    ev.append((accepted_at, "accept", TicketStatus.ASSIGNED, TicketStatus.ACCEPTED, handler, spec.agency, "", True))
    if target == TicketStatus.ACCEPTED:
        _light(ticket, now, spec.level)
        return ticket
    started = _clamp(accepted_at + dt.timedelta(minutes=rng.randint(10, 120)), now, 5)
    ticket.started_at = started
    ev.append((started, "start", TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS, handler, spec.agency, "", False))
    if target == TicketStatus.IN_PROGRESS:
        _light(ticket, now, spec.level)
        return ticket
    resolved_at = _clamp(assigned_at + allowed * (rng.uniform(1.05, 1.6) if late else rng.uniform(0.1, 0.9)), now, 6)
    judges = member_map.get(spec.township.pk) or [None]
    judge = judges[n % len(judges)]
    reopened = target == TicketStatus.CLOSED and rng.random() < 0.06
    ticket.resolution = rng.choice(RESULTS)
    if reopened:
        first = resolved_at - (resolved_at - started) / 2
        ev.append((first, "resolve", TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED, handler, spec.agency,
                   _("已现场处理。"), True))
        ev.append((first + (resolved_at - first) / 3, "reopen", TicketStatus.RESOLVED, TicketStatus.IN_PROGRESS,
                   judge, spec.township, _("问题仍然存在，请重新处理。"), True))
        ticket.reopen_count = 1
    ticket.resolved_at = resolved_at
    ticket.overdue = resolved_at > resolve.at
    ticket.warning_level = WarningLevel.RED if ticket.overdue else WarningLevel.NONE
    ev.append((resolved_at, "resolve", TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED, handler, spec.agency,
               ticket.resolution, True))
    if target == TicketStatus.RESOLVED:
        return ticket
    verdict_at = _clamp(resolved_at + dt.timedelta(hours=rng.randint(2, 48)), now, 7)
    ticket.verdict = Verdict.ACCEPTED
    ticket.verdict_score = _weighted(rng, [(5, 45), (4, 35), (3, 14), (2, 4), (1, 2)])
    ticket.verdict_by = judge
    ticket.verdict_at = ticket.closed_at = verdict_at
    ev.append((verdict_at, "close", TicketStatus.RESOLVED, TicketStatus.CLOSED, judge, spec.township, "", True))
    if rng.random() < 0.6 and verdict_at + dt.timedelta(days=1) < now:
        ticket.followed_up_at = verdict_at + dt.timedelta(hours=rng.randint(20, 72))
        if ticket.followed_up_at > now:
            ticket.followed_up_at = now - dt.timedelta(minutes=1)
        ticket.satisfaction = _weighted(rng, [(Satisfaction.VERY_SATISFIED, 40), (Satisfaction.SATISFIED, 40),
                                              (Satisfaction.BASICALLY_SATISFIED, 14), (Satisfaction.DISSATISFIED, 6)])
        ticket.follow_up_note = _("电话回访反映人。")
        ev.append((ticket.followed_up_at, "follow_up", TicketStatus.CLOSED, TicketStatus.CLOSED, actor, desk_agency,
                   ticket.follow_up_note, False))
    return ticket


def _light(ticket: Ticket, now: dt.datetime, forced: str | None = None) -> None:
    """Open tickets show the warning level the sweep would give them now.

    A coverage ticket that must show a given level gets deadlines that put it
    there whatever today's calendar is (as if an extension had moved them).
    """
    accepting = in_accept_stage(ticket)
    if forced == WarningLevel.YELLOW:
        ticket.resolve_due = now + dt.timedelta(hours=6)
        if accepting:
            ticket.accept_due = now + dt.timedelta(hours=1)
        ticket.warn_at = now - dt.timedelta(hours=1)
    elif forced == WarningLevel.RED:
        if accepting:
            ticket.accept_due = min(ticket.accept_due, now - dt.timedelta(hours=1))
        else:
            ticket.resolve_due = min(ticket.resolve_due, now - dt.timedelta(hours=2))
        ticket.warn_at = min(ticket.warn_at, ticket.accept_due if accepting else ticket.resolve_due)
    elif forced == WarningLevel.NONE:
        ticket.resolve_due = max(ticket.resolve_due, now + dt.timedelta(days=3))
        if accepting:
            ticket.accept_due = max(ticket.accept_due, now + dt.timedelta(days=1))
            ticket.warn_at = max(ticket.warn_at, now + dt.timedelta(hours=20))
        else:
            ticket.warn_at = max(ticket.warn_at, now + dt.timedelta(days=2))
    level = level_at(ticket, now)
    ticket.warning_level = level
    if level != WarningLevel.NONE:
        ticket.warning_changed_at = now
    ticket.overdue = level == WarningLevel.RED and now > ticket.resolve_due


def _extras(specs: list[Spec], rng, now, departments, member_map) -> None:
    """Joint inspections and pending extension requests on some tickets in hand."""
    in_hand = [s for s in specs if s.ticket.status in (TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS)]
    co_rows, extensions = [], []
    for k, spec in enumerate(in_hand):
        t = spec.ticket
        if departments and k % 12 == 0:
            dept = departments[k % len(departments)]
            co_rows.append(TicketCoHandler(ticket=t, agency=spec.agency, role=TicketCoHandler.Role.LEAD,
                                           added_at=t.assigned_at))
            co_rows.append(TicketCoHandler(ticket=t, agency=dept, role=TicketCoHandler.Role.CO, added_at=t.assigned_at))
            spec.events.append((t.assigned_at, "co_handlers", t.status, t.status, None, None, dept.name, False))
        elif k % 9 == 0 and t.resolve_due and t.resolve_due > now:
            requester = (member_map.get(spec.agency.pk) or [None])[0]
            if requester is None:
                continue
            at = max(t.accepted_at or t.assigned_at, now - dt.timedelta(hours=6))
            extensions.append(TicketExtension(ticket=t, amount=3, unit="working_days", reason=_(
                "需协调产权单位共同处置，申请延期 3 个工作日。"), requested_by=requester, requested_at=at,
                status=ExtensionStatus.PENDING, previous_due=t.resolve_due))
            spec.events.append((at, "extension_request", t.status, t.status, requester, spec.agency,
                                extensions[-1].reason, False))
    TicketCoHandler.objects.bulk_create(co_rows, batch_size=500)
    TicketExtension.objects.bulk_create(extensions, batch_size=500)


@seed_step
def seed_county_map(stdout, password: str) -> None:
    """A schematic county map (one square per township, where the demo's tickets lie) unless one is uploaded."""
    if CountyMap.objects.exists():
        stdout.write(_("县域地图：已存在，跳过。"))
        return
    townships = list(Agency.objects.townships().order_by("sort_order", "code"))
    if not townships:
        return
    CountyMap.objects.create(name=_("演示县乡镇示意图"), geojson=schematic(townships, CENTRE))
    stdout.write(_("县域地图：示意图，%(n)s 个乡镇（街道）。") % {"n": len(townships)})
