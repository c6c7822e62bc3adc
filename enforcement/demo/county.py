"""The demo county as data: organisations, people, grids and certificates.

Pure data, no database access: :mod:`enforcement.demo.seed_county` writes it.
Every row has a stable key (agency code, username, grid code, certificate
number), so seeding twice leaves the same rows. Other apps' demo steps may
import the codes below (e.g. :data:`BUREAU`, :data:`DEPARTMENTS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from enforcement.demo.names import person_name
from enforcement.models.agencies import AgencyKind, Role

# --- organisations ---------------------------------------------------------

COUNTY_GOVERNMENT = "GOV"
BUREAU = "ZFJ"
COMMAND_CENTRE = "ZFJ-ZHZX"
LEGAL_REVIEW_CENTRE = "ZFJ-FZSH"
ESTABLISHMENT_OFFICE = "BB"
JUDICIAL_BUREAU = "SFJ"
BRIGADE_1 = "ZFJ-BR01"
BRIGADE_2 = "ZFJ-BR02"
BRIGADE_DIRECT = "ZFJ-BRZS"
ISSUING_BODY = "县人民政府"


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    kind: str
    parent: str | None = None
    stationed_in: str | None = None
    short_name: str = ""
    sort_order: int = 0


@dataclass(frozen=True)
class Township:
    code: str
    name: str
    kind: str
    slug: str  # pinyin, the stem of its users' usernames

    @property
    def short(self) -> str:
        return self.name.removesuffix("街道").removesuffix("镇")

    @property
    def squadron_code(self) -> str:
        return f"ZFJ-SQ-{self.code}"


# (code, name) of the line departments; another demo step (the matter
# catalogue) refers to these names, so keep them exactly as they are.
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("DEPT-ZRZY", "县自然资源和规划局"),
    ("DEPT-ZJ", "县住房和城乡建设局"),
    ("DEPT-STHJ", "市生态环境局县分局"),
    ("DEPT-SCJG", "县市场监督管理局"),
    ("DEPT-JT", "县交通运输局"),
    ("DEPT-WHLY", "县文化和旅游局"),
    ("DEPT-SL", "县水利局"),
    ("DEPT-NY", "县农业农村局"),
    ("DEPT-YJ", "县应急管理局"),
    ("DEPT-WJ", "县卫生健康局"),
    ("DEPT-XF", "县消防救援大队"),
    ("DEPT-GA", "县公安局"),
    ("DEPT-LY", "县林业局"),
    ("DEPT-HY", "县海洋与渔业局"),
    ("DEPT-SW", "县商务局"),
    ("DEPT-MZ", "县民政局"),
    ("DEPT-JY", "县教育局"),
    ("DEPT-RS", "县人力资源和社会保障局"),
    ("DEPT-CG", "县城市管理局"),
)
# Vertically managed units answer to the city / their own line, not to the county government.
VERTICAL_DEPARTMENTS = frozenset({"DEPT-STHJ", "DEPT-XF"})

TOWNSHIPS: tuple[Township, ...] = (
    Township("TS01", "城关街道", AgencyKind.SUBDISTRICT, "chengguan"),
    Township("TS02", "东湖街道", AgencyKind.SUBDISTRICT, "donghu"),
    Township("TS03", "西城街道", AgencyKind.SUBDISTRICT, "xicheng"),
    Township("TS04", "青山镇", AgencyKind.TOWN, "qingshan"),
    Township("TS05", "白马镇", AgencyKind.TOWN, "baima"),
    Township("TS06", "石桥镇", AgencyKind.TOWN, "shiqiao"),
    Township("TS07", "龙泉镇", AgencyKind.TOWN, "longquan"),
    Township("TS08", "桃源镇", AgencyKind.TOWN, "taoyuan"),
    Township("TS09", "清溪镇", AgencyKind.TOWN, "qingxi"),
    Township("TS10", "双河镇", AgencyKind.TOWN, "shuanghe"),
    Township("TS11", "黄岭镇", AgencyKind.TOWN, "huangling"),
    Township("TS12", "梅林镇", AgencyKind.TOWN, "meilin"),
    Township("TS13", "云台镇", AgencyKind.TOWN, "yuntai"),
    Township("TS14", "南塘镇", AgencyKind.TOWN, "nantang"),
)

# (code, name, short name) of the bureau's direct squadrons (直属中队).
DIRECT_SQUADRONS: tuple[tuple[str, str, str], ...] = (
    ("ZFJ-SQ-D01", "直属第一中队（市容秩序）", "直属一中队"),
    ("ZFJ-SQ-D02", "直属第二中队（规划建设）", "直属二中队"),
    ("ZFJ-SQ-D03", "直属机动中队", "机动中队"),
)

# Departments with demo staff: (code, username stem).
STAFFED_DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("DEPT-ZRZY", "zrzy"),
    ("DEPT-ZJ", "zj"),
    ("DEPT-STHJ", "sthj"),
    ("DEPT-SCJG", "scjg"),
    ("DEPT-CG", "cg"),
    ("DEPT-WHLY", "whly"),
    ("DEPT-SL", "sl"),
)

TOWNSHIP_OFFICERS = 8  # readiness checks want at least 7 certified officers per township
SQUADRON_OFFICERS = 3
DISPATCHERS = 4
LEGAL_REVIEWERS = 3
JUDICIAL_REVIEWERS = 3
STAFF_PER_DEPARTMENT = 2


def grid_count(index: int) -> int:
    """Two to four grids per township, varying by township."""
    return 2 + index % 3


def agencies() -> list[AgencySpec]:
    """Every organisation, parents before children."""
    specs = [
        AgencySpec(COUNTY_GOVERNMENT, "县人民政府", AgencyKind.COUNTY_GOVERNMENT, short_name="县政府", sort_order=1),
        AgencySpec(
            BUREAU, "县综合行政执法局", AgencyKind.BUREAU, COUNTY_GOVERNMENT, short_name="执法局", sort_order=10
        ),
        AgencySpec(
            COMMAND_CENTRE, "县综合行政执法局指挥中心", AgencyKind.COMMAND_CENTRE, BUREAU,
            short_name="指挥中心", sort_order=11,
        ),
        AgencySpec(
            LEGAL_REVIEW_CENTRE, "县综合行政执法局法制审核中心", AgencyKind.LEGAL_REVIEW_CENTRE, BUREAU,
            short_name="法制审核中心", sort_order=12,
        ),
        AgencySpec(BRIGADE_1, "第一执法大队", AgencyKind.BRIGADE, BUREAU, short_name="一大队", sort_order=20),
        AgencySpec(BRIGADE_2, "第二执法大队", AgencyKind.BRIGADE, BUREAU, short_name="二大队", sort_order=21),
        AgencySpec(BRIGADE_DIRECT, "直属大队", AgencyKind.BRIGADE, BUREAU, short_name="直属大队", sort_order=22),
        AgencySpec(
            ESTABLISHMENT_OFFICE, "县机构编制委员会办公室", AgencyKind.ESTABLISHMENT_OFFICE, COUNTY_GOVERNMENT,
            short_name="县委编办", sort_order=40,
        ),
        AgencySpec(
            JUDICIAL_BUREAU, "县司法局", AgencyKind.JUDICIAL_BUREAU, COUNTY_GOVERNMENT,
            short_name="司法局", sort_order=41,
        ),
    ]
    for i, t in enumerate(TOWNSHIPS):
        specs.append(AgencySpec(t.code, t.name, t.kind, COUNTY_GOVERNMENT, short_name=t.short, sort_order=100 + i))
    for i, (code, name) in enumerate(DEPARTMENTS):
        parent = None if code in VERTICAL_DEPARTMENTS else COUNTY_GOVERNMENT
        specs.append(AgencySpec(code, name, AgencyKind.DEPARTMENT, parent, sort_order=200 + i))
    half = (len(TOWNSHIPS) + 1) // 2
    for i, t in enumerate(TOWNSHIPS):
        specs.append(
            AgencySpec(
                t.squadron_code, f"{t.name}派驻中队", AgencyKind.SQUADRON_STATIONED,
                BRIGADE_1 if i < half else BRIGADE_2, stationed_in=t.code,
                short_name=f"{t.short}中队", sort_order=30 + i,
            )
        )
    for i, (code, name, short) in enumerate(DIRECT_SQUADRONS):
        specs.append(
            AgencySpec(code, name, AgencyKind.SQUADRON_DIRECT, BRIGADE_DIRECT, short_name=short, sort_order=60 + i)
        )
    return specs


# --- people ----------------------------------------------------------------

CertStatus = Literal["valid", "expired", "revoked"]


@dataclass(frozen=True)
class Post:
    agency: str
    role: str
    title: str = ""


@dataclass(frozen=True)
class Person:
    serial: int  # stable position: drives the name and the certificate number
    username: str
    posts: tuple[Post, ...]
    certificate: CertStatus | None = None
    is_staff: bool = False
    is_superuser: bool = False

    @property
    def full_name(self) -> str:
        return person_name(self.serial)

    @property
    def certificate_number(self) -> str:
        return f"ZF3310{self.serial:06d}"


@dataclass(frozen=True)
class GridSpec:
    code: str
    name: str
    township: str
    member: str  # username


def _township_officer_certificate(index: int) -> CertStatus:
    # A few lapsed certificates for realism; every township keeps >= 7 valid ones.
    if index == 1:
        return "revoked"
    if index % 4 == 3:
        return "expired"
    return "valid"


def people() -> list[Person]:
    """Every demo user, in a fixed order."""
    out: list[Person] = []

    def add(username: str, *posts: Post, certificate: CertStatus | None = "valid", **extra) -> None:
        out.append(Person(len(out), username, posts, certificate, **extra))

    add("admin", Post(BUREAU, Role.ADMINISTRATOR, "系统管理员"), certificate=None, is_staff=True, is_superuser=True)
    for n in range(1, DISPATCHERS + 1):
        add(f"dispatcher{n}", Post(COMMAND_CENTRE, Role.DISPATCHER, "值班长" if n == 1 else "调度员"))
    for n in range(1, LEGAL_REVIEWERS + 1):
        add(f"legal_reviewer{n}", Post(LEGAL_REVIEW_CENTRE, Role.LEGAL_REVIEWER, "法制审核员"))
    for n in range(1, JUDICIAL_REVIEWERS + 1):
        add(
            f"judicial_reviewer{n}", Post(JUDICIAL_BUREAU, Role.JUDICIAL_REVIEWER, "执法监督科评查员"), certificate=None
        )
    for code, stem in STAFFED_DEPARTMENTS:
        for n in range(1, STAFF_PER_DEPARTMENT + 1):
            add(f"{stem}_staff{n}", Post(code, Role.DEPARTMENT_STAFF, "执法监督股科员"), certificate=None)

    for i, t in enumerate(TOWNSHIPS):
        team = "综合行政执法队"
        add(f"{t.slug}_leader", Post(t.code, Role.TOWNSHIP_LEADER, f"{team}队长"))
        for n in range(1, TOWNSHIP_OFFICERS + 1):
            posts = [Post(t.code, Role.TOWNSHIP_OFFICER, "执法队员")]
            if n == 2:
                # Each township keeps its own legal reviewer for devolved matters.
                posts.append(Post(t.code, Role.LEGAL_REVIEWER, "法制审核员"))
            status = _township_officer_certificate(i) if n == TOWNSHIP_OFFICERS else "valid"
            add(f"{t.slug}_officer{n}", *posts, certificate=status)
        sq = t.squadron_code
        add(f"{t.slug}_squad_leader", Post(sq, Role.SQUADRON_LEADER, "中队长"))
        for n in range(1, SQUADRON_OFFICERS + 1):
            status = "expired" if (n == SQUADRON_OFFICERS and i % 5 == 4) else "valid"
            add(f"{t.slug}_squad{n}", Post(sq, Role.SQUADRON_OFFICER, "执法队员"), certificate=status)
        for g in range(1, grid_count(i) + 1):
            # Grid members patrol and report; they are not enforcement officers.
            add(f"{t.slug}_grid{g}", certificate=None)

    for d, (code, _name, _short) in enumerate(DIRECT_SQUADRONS, start=1):
        add(f"direct{d}_leader", Post(code, Role.SQUADRON_LEADER, "中队长"))
        for n in range(1, SQUADRON_OFFICERS + 1):
            status = "expired" if (d == 2 and n == SQUADRON_OFFICERS) else "valid"
            add(f"direct{d}_officer{n}", Post(code, Role.SQUADRON_OFFICER, "执法队员"), certificate=status)
    return out


def grids() -> list[GridSpec]:
    return [
        GridSpec(f"{t.code}-G{g:02d}", f"{t.name}第{g}网格", t.code, f"{t.slug}_grid{g}")
        for i, t in enumerate(TOWNSHIPS)
        for g in range(1, grid_count(i) + 1)
    ]


_FIRST = TOWNSHIPS[0].slug

# A grid member holds no post, so the table of key logins (one per role) cannot list
# one; ``seed_county`` names this login on its own line.
GRID_MEMBER_LOGIN = f"{_FIRST}_grid1"

# The logins printed by ``seed_demo``: one per role.
KEY_LOGINS: tuple[tuple[str, str], ...] = (
    ("admin", Role.ADMINISTRATOR),
    ("dispatcher1", Role.DISPATCHER),
    (f"{_FIRST}_officer1", Role.TOWNSHIP_OFFICER),
    (f"{_FIRST}_leader", Role.TOWNSHIP_LEADER),
    (f"{_FIRST}_squad1", Role.SQUADRON_OFFICER),
    (f"{_FIRST}_squad_leader", Role.SQUADRON_LEADER),
    ("legal_reviewer1", Role.LEGAL_REVIEWER),
    ("judicial_reviewer1", Role.JUDICIAL_REVIEWER),
    ("zrzy_staff1", Role.DEPARTMENT_STAFF),
)
