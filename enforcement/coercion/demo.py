"""Demo seed step: coercive measures in every state and enforcements at every step.

Runs after the county, catalogue and cases steps. Everything goes through the
services, with dates relative to today (so the demo holds whatever today is):
a draft, measures in force, an extended one, an overdue release (period ended,
still in force: red), an emergency measure not approved within 24 hours (red),
released and decided-on measures, some a year back for the statistics, and
enforcements from the reminder to the court's execution. Idempotent: nothing
is written once a measure exists.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.cases.models import Case
from enforcement.coercion import services as svc
from enforcement.coercion.models import CoerciveMeasure
from enforcement.models.agencies import TOWNSHIP_KINDS, Certificate, Membership, Role
from enforcement.workdays import SHANGHAI

ITEMS = {
    "seizure": [
        {
            "name": "液化石油气钢瓶",
            "specification": "15kg",
            "quantity": "3",
            "unit": "个",
            "custody_place": "县综合行政执法局暂扣物品仓库",
            "keeper": "仓库管理员",
        },
        {
            "name": "燃气灶具",
            "specification": "双眼",
            "quantity": "1",
            "unit": "台",
            "custody_place": "县综合行政执法局暂扣物品仓库",
            "keeper": "仓库管理员",
        },
    ],
    "sealing": [
        {
            "name": "经营场所",
            "specification": "一层门面约60平方米",
            "quantity": "1",
            "unit": "处",
            "custody_place": "原地封存",
            "keeper": "当事人",
        },
    ],
}
REASONS = {
    "seizure": ("在人行道占道经营并违规使用液化石油气，存在安全隐患", "《城市市容和环境卫生管理条例》第十七条"),
    "sealing": ("未经许可擅自从事餐饮经营，现场存在重大消防安全隐患", "《中华人民共和国消防法》第五十四条"),
}
PARTIES = ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨光", "赵敏", "黄磊", "周杰", "吴芳", "徐明", "孙丽"]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def _teams() -> list[tuple]:
    """(township, [officers], leader) of townships with a leader and officers holding certificates."""
    officers, leaders = defaultdict(list), {}
    for m in (
        Membership.objects.active()
        .filter(agency__kind__in=TOWNSHIP_KINDS)
        .select_related("user", "agency")
        .order_by("agency__code", "user__username")
    ):
        if m.role == Role.TOWNSHIP_OFFICER:
            officers[m.agency].append(m.user)
        elif m.role == Role.TOWNSHIP_LEADER:
            leaders.setdefault(m.agency, m.user)
    return [(a, users, leaders[a]) for a, users in officers.items() if a in leaders and len(users) >= 2]


def _case_of(agency):
    """The township's earliest decided demo case, if the cases step made one."""
    return Case.objects.filter(agency=agency, decided_on__isnull=False).order_by("decided_on", "pk").first()


def _pair(users, day: dt.date) -> list | None:
    valid = set(Certificate.objects.valid_on(day).filter(officer__in=users).values_list("officer_id", flat=True))
    chosen = [u for u in users if u.pk in valid][:2]
    return chosen if len(chosen) == 2 else None


def seed_coercion(stdout, password: str) -> None:
    today = timezone.localdate()
    if CoerciveMeasure.objects.exists():
        stdout.write(_("行政强制：演示数据已存在，跳过。"))
        return
    teams = _teams()
    if not teams:
        stdout.write(_("行政强制：缺少乡镇执法人员，跳过。"))
        return
    counter = {"n": 0}

    def measure(team, kind, taken_days_ago, period=30, emergency=False, approve=True, case=None):
        agency, users, leader = team
        taken = _at(today - dt.timedelta(days=taken_days_ago))
        pair = _pair(users, taken.date())
        if pair is None:
            return None
        counter["n"] += 1
        reasons, basis = REASONS[kind]
        m = svc.measure_create(
            by=pair[0],
            agency=agency,
            kind=kind,
            object_kind="place" if kind == "sealing" else "property",
            party_kind="individual",
            party_name=PARTIES[counter["n"] % len(PARTIES)],
            party_id_number=f"3301021980{counter['n'] % 12 + 1:02d}01{counter['n']:04d}",
            reasons=reasons,
            legal_basis=basis,
            place=f"{agency.name}人民路{counter['n']}号",
            period_days=period,
            items=ITEMS[kind],
            is_emergency=emergency,
            case=case,
        )
        if approve and not emergency:
            m = svc.measure_approve(m, by=leader, at=taken - dt.timedelta(hours=1))
        m = svc.measure_enforce(
            m,
            by=pair[0],
            taken_at=taken,
            officers=pair,
            onsite_record=_(
                "执法人员出示执法证件，通知当事人到场，告知查封、扣押的理由、依据及当事人依法享有的权利、救济途径，"
                "当场清点物品并制作清单。"
            ),
            signature="signed",
        )
        return m

    made = []
    first = teams[0]
    for index, team in enumerate(teams[:3]):
        agency, users, leader = team
        counter["n"] += 1
        draft = svc.measure_create(
            by=users[0],
            agency=agency,
            kind="seizure",
            party_kind="individual",
            party_name=PARTIES[counter["n"] % len(PARTIES)],
            reasons=REASONS["seizure"][0],
            legal_basis=REASONS["seizure"][1],
            place=f"{agency.name}菜市场东侧",
            period_days=30,
            items=ITEMS["seizure"],
        )
        made.append(draft)
        made.append(measure(team, "seizure", 5 + index))  # in force, period running
        made.append(measure(team, "sealing", 10 + index, period=20))  # in force
        extended = measure(team, "seizure", 40 + index)  # ends 10 days ago ...
        if extended is not None:  # ... extended before that
            made.append(
                svc.measure_extend(
                    extended,
                    by=leader,
                    days=30,
                    reason=_("需委托检测机构鉴定物品性质"),
                    on=today - dt.timedelta(days=12 + index),
                )
            )
        made.append(measure(team, "seizure", 35 + index))  # overdue release (red)
        released = measure(team, "seizure", 60 + index)
        if released is not None:
            made.append(
                svc.measure_release(
                    released, by=users[0], reason="no_violation", on=today - dt.timedelta(days=45 + index)
                )
            )
        # Confiscated by the township's penalty decision: taken under one of its cases (the case page lists it).
        converted = measure(team, "seizure", 50 + index, case=_case_of(agency))
        if converted is not None:
            made.append(
                svc.measure_convert(
                    converted,
                    by=users[0],
                    conversion="confiscated",
                    note=_("经调查违法事实成立，依法没收"),
                    on=today - dt.timedelta(days=25),
                )
            )
        # Last year's measures, released when the period ended: the statistics have two years.
        for days in (330 + index * 7, 300 + index * 11):
            old = measure(team, "seizure" if days % 2 else "sealing", days)
            if old is not None:
                made.append(
                    svc.measure_release(
                        old, by=users[0], reason="decided_otherwise", on=today - dt.timedelta(days=days - 20)
                    )
                )
    agency, users, leader = first
    # Art. 19: taken on the spot two days ago and never approved (red); another approved within 24 hours.
    made.append(measure(first, "seizure", 2, emergency=True))
    approved = measure(first, "seizure", 3, emergency=True)
    if approved is not None:
        made.append(svc.measure_approve(approved, by=leader, at=approved.taken_at + dt.timedelta(hours=6)))

    executions = _executions(teams, today)
    result = svc.sweep_coercion_warnings()
    states = defaultdict(int)
    for m in CoerciveMeasure.objects.all():
        states[m.get_status_display()] += 1
    stdout.write(
        _("行政强制：措施 %(n)s 件（%(states)s），强制执行 %(e)s 件，亮灯 %(lit)s 件")
        % {
            "n": sum(states.values()),
            "states": "，".join(f"{k} {v}" for k, v in states.items()),
            "e": executions,
            "lit": sum(len(v) for k, v in result.changed.items() if k != "none"),
        }
    )


def _new_execution(agency, officer, today: dt.date, served_days_ago: int, n: int):
    return svc.execution_create(
        by=officer,
        agency=agency,
        obligation=_("缴纳罚款人民币伍仟元"),
        decision_number=f"{agency.short_name or agency.name}综执罚决字〔{today.year}〕第{900 + n}号",
        decision_served_on=today - dt.timedelta(days=served_days_ago),
        party_kind="individual",
        party_name=PARTIES[n % len(PARTIES)],
    )


def _executions(teams, today: dt.date) -> int:
    """Enforcements of penalty decisions: to remind, reminded, applied to the court, executed."""
    count = 0
    for index, (agency, users, _leader) in enumerate(teams[:2]):
        officer = users[0]
        n = index * 10
        _new_execution(agency, officer, today, 30, n + 1)
        reminded = _new_execution(agency, officer, today, 190, n + 2)
        svc.execution_remind(
            reminded, by=officer, served_on=today - dt.timedelta(days=20), perform_by=today - dt.timedelta(days=10)
        )
        pending = _new_execution(agency, officer, today, 200, n + 3)
        pending = svc.execution_remind(
            pending, by=officer, served_on=today - dt.timedelta(days=40), perform_by=today - dt.timedelta(days=30)
        )
        svc.execution_apply(pending, by=officer, court_name=_("县人民法院"), on=today - dt.timedelta(days=2))
        done = _new_execution(agency, officer, today, 300, n + 4)
        done = svc.execution_remind(
            done, by=officer, served_on=today - dt.timedelta(days=130), perform_by=today - dt.timedelta(days=120)
        )
        done = svc.execution_apply(done, by=officer, court_name=_("县人民法院"), on=today - dt.timedelta(days=100))
        done = svc.execution_record_court(
            done,
            by=officer,
            outcome="granted",
            decided_on=today - dt.timedelta(days=80),
            reference=f"（{today.year}）行审{index + 1}号",
        )
        svc.execution_conclude(done, by=officer, conclusion="executed", on=today - dt.timedelta(days=60))
        count += 4
    return count
