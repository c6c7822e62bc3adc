"""Import the object directory (检查对象名录库) from a spreadsheet (.xlsx, or .csv in GBK or UTF-8).

The file is read with the catalogue importer's reader (:func:`enforcement.catalogue.importer.read_table`:
.xlsx, CSV in UTF-8 / GBK / GB18030, tabs or commas). Import is all-or-nothing like the
catalogue's: every row is validated first and *all* problems are reported (row number as
Excel shows it, column header as written, reason); if there is any, nothing is written.
Otherwise every row is written in one transaction. A row whose identifier (unified social
credit code or ID number) is already in the directory updates that object.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from enforcement.catalogue.importer import RowError, _FileProblem, read_table
from enforcement.catalogue.models import Domain, Matter, PowerType
from enforcement.errors import PermissionRefused
from enforcement.inspections import permissions as perms
from enforcement.inspections.choices import CreditLevel, ObjectKind, RiskLevel
from enforcement.inspections.models import InspectionObject
from enforcement.models.agencies import Agency
from enforcement.models.grids import Grid
from enforcement.workflow import record_event

COLUMNS: dict[str, tuple[str, ...]] = {
    "kind": ("对象类型", "类型", "Kind", "Type"),
    "name": ("名称", "对象名称", "企业名称", "姓名", "Name"),
    "identifier": ("统一社会信用代码", "信用代码", "身份证号", "证件号码", "统一社会信用代码/身份证号", "Identifier"),
    "address": ("地址", "经营地址", "住所", "Address"),
    "township": ("乡镇/街道", "乡镇街道", "乡镇", "街道", "所属乡镇", "Township"),
    "grid": ("网格", "网格编码", "Grid"),
    "domains": ("适用领域", "领域", "Domains"),
    "matters": ("检查事项", "适用检查事项", "事项编码", "Matters"),
    "risk_level": ("风险等级", "风险", "Risk level"),
    "credit_level": ("信用等级", "信用", "Credit level"),
    "contact_name": ("联系人", "Contact"),
    "contact_phone": ("联系电话", "电话", "Phone"),
    "conflicted_officers": ("需回避人员", "回避人员", "Conflicted officers"),
}
REQUIRED = ("kind", "name", "township")
EXPORT_HEADERS = tuple(names[0] for names in COLUMNS.values())
LIST_SPLIT = re.compile(r"[;；,，、\n]+")
# 18 characters: 1 registration department, 1 kind, 6 region, 9 organisation code, 1 check character (GB 32100-2015).
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
ID_NUMBER = re.compile(r"^\d{17}[\dX]$")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).lower()
    text = re.sub(r"\(.*?\)", "", text)
    return re.sub(r"[\s\-_*.:·/]", "", text)


_HEADERS = {_norm(name): key for key, names in COLUMNS.items() for name in names}
KINDS = (
    {_norm(str(label)): value for value, label in ObjectKind.choices}
    | {_norm(v): v for v in ObjectKind.values}
    | {
        _norm("企业"): ObjectKind.BUSINESS,
        _norm("个体工商户"): ObjectKind.BUSINESS,
        _norm("场所"): ObjectKind.SITE,
        _norm("工地"): ObjectKind.SITE,
        _norm("个人"): ObjectKind.INDIVIDUAL,
    }
)
RISKS = (
    {_norm(str(label)): value for value, label in RiskLevel.choices}
    | {_norm(v): v for v in RiskLevel.values}
    | {_norm("低"): RiskLevel.LOW, _norm("中"): RiskLevel.MEDIUM, _norm("高"): RiskLevel.HIGH}
)
CREDITS = {_norm(v): v for v in CreditLevel.values} | {_norm(f"{v}级"): v for v in CreditLevel.values}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return _("新增 %(created)s 个，更新 %(updated)s 个检查对象") % {
            "created": self.created,
            "updated": self.updated,
        }


def _find_header(rows) -> tuple[int, dict[str, int], dict[str, str]] | None:
    for index, (_n, cells) in enumerate(rows[:15]):
        columns, labels = {}, {}
        for i, cell in enumerate(cells):
            key = _HEADERS.get(_norm(cell))
            if key and key not in columns:
                columns[key] = i
                labels[key] = cell.strip()
        if "name" in columns and len(columns) >= 3:
            return index, columns, labels
    return None


class _Refs:
    """Every reference a file may name, loaded in a few queries."""

    def __init__(self) -> None:
        self.townships = {}
        for a in Agency.objects.townships():
            for text in (a.name, a.short_name, a.code):
                if text:
                    self.townships[_norm(text)] = a
        self.grids = {(_norm(g.code), g.township_id): g for g in Grid.objects.all()}
        self.grids |= {(_norm(g.name), g.township_id): g for g in Grid.objects.all()}
        self.domains = {}
        for d in Domain.objects.all():
            self.domains[_norm(d.name)] = d
            self.domains[_norm(d.code)] = d
        self.matters = {}
        for m in Matter.objects.filter(power_type=PowerType.INSPECTION):
            self.matters[_norm(m.code)] = m
            self.matters.setdefault(_norm(m.name), m)
        self.users = {_norm(u.username): u for u in get_user_model().objects.filter(is_active=True)}
        self.existing = {(o.kind, o.identifier): o for o in InspectionObject.objects.exclude(identifier="")}


def import_objects(source: Any, *, by) -> ImportReport:
    """Validate every row, then write all of them in one transaction, or nothing when any row is wrong."""
    report = ImportReport()
    if not perms.can_edit_objects(by):
        raise PermissionRefused(_("您不能导入检查对象。"))
    try:
        rows, _sheet = read_table(source)
    except _FileProblem as exc:
        report.errors.append(exc.error)
        return report
    header = _find_header(rows)
    if header is None:
        report.errors.append(RowError(0, "", _("未找到表头：至少需要“名称”“对象类型”“乡镇/街道”列。")))
        return report
    index, columns, labels = header
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in columns]
    if missing:
        report.errors.append(RowError(rows[index][0], "", _("缺少必填列：%(cols)s。") % {"cols": "、".join(missing)}))
        return report
    refs = _Refs()
    parsed = []
    seen: dict[tuple[str, str], int] = {}
    for number, cells in rows[index + 1 :]:
        if not any(c.strip() for c in cells):
            continue
        report.rows += 1
        errors_before = len(report.errors)

        def cell(key: str, cells=cells) -> str:
            i = columns.get(key)
            return unicodedata.normalize("NFKC", cells[i]).strip() if i is not None and i < len(cells) else ""

        def error(key: str, message: str, number=number) -> None:
            report.errors.append(RowError(number, labels.get(key, COLUMNS[key][0]), message))

        values: dict[str, Any] = {
            "name": cell("name"),
            "address": cell("address"),
            "contact_name": cell("contact_name"),
            "contact_phone": cell("contact_phone"),
        }
        if not values["name"]:
            error("name", _("名称不能为空。"))
        kind = KINDS.get(_norm(cell("kind")))
        if kind is None:
            error("kind", _("对象类型“%(v)s”无法识别（市场主体、场所/工地、持证个人）。") % {"v": cell("kind")})
        values["kind"] = kind
        identifier = cell("identifier").upper()
        if identifier:
            if kind == ObjectKind.INDIVIDUAL and not ID_NUMBER.match(identifier):
                error("identifier", _("身份证号“%(v)s”格式不正确（18位）。") % {"v": identifier})
            elif kind in (ObjectKind.BUSINESS, ObjectKind.SITE) and not CREDIT_CODE.match(identifier):
                error("identifier", _("统一社会信用代码“%(v)s”格式不正确（18位，GB 32100-2015）。") % {"v": identifier})
            key = (kind, identifier)
            if key in seen:
                error("identifier", _("与第 %(row)s 行重复。") % {"row": seen[key]})
            seen[key] = number
        elif kind == ObjectKind.BUSINESS:
            error("identifier", _("市场主体必须填写统一社会信用代码。"))
        values["identifier"] = identifier
        township = refs.townships.get(_norm(cell("township")))
        if township is None:
            error("township", _("乡镇/街道“%(v)s”不存在。") % {"v": cell("township")})
        elif not perms.can_edit_objects(by, township.pk):
            error("township", _("您不能维护%(t)s的检查对象。") % {"t": township.name})
        values["township"] = township
        grid = None
        if cell("grid") and township is not None:
            grid = refs.grids.get((_norm(cell("grid")), township.pk))
            if grid is None:
                error("grid", _("网格“%(v)s”不在%(t)s。") % {"v": cell("grid"), "t": township.name})
        values["grid"] = grid
        risk = RISKS.get(_norm(cell("risk_level"))) if cell("risk_level") else RiskLevel.LOW
        if risk is None:
            error("risk_level", _("风险等级“%(v)s”无法识别（低、中、高）。") % {"v": cell("risk_level")})
        values["risk_level"] = risk
        credit = CREDITS.get(_norm(cell("credit_level"))) if cell("credit_level") else CreditLevel.B
        if credit is None:
            error("credit_level", _("信用等级“%(v)s”无法识别（A、B、C、D）。") % {"v": cell("credit_level")})
        values["credit_level"] = credit

        def many(key: str, table: dict, what: str) -> list:
            out = []
            for part in filter(None, (p.strip() for p in LIST_SPLIT.split(cell(key)))):
                found = table.get(_norm(part))
                if found is None:
                    error(key, _("%(what)s“%(v)s”不存在。") % {"what": what, "v": part})
                else:
                    out.append(found)
            return out

        domains = many("domains", refs.domains, _("领域"))
        matters = many("matters", refs.matters, _("检查事项"))
        officers = many("conflicted_officers", refs.users, _("用户"))
        if len(report.errors) == errors_before:
            parsed.append((values, domains, matters, officers))
    if report.errors:
        return report
    with transaction.atomic():
        for values, domains, matters, officers in parsed:
            existing = refs.existing.get((values["kind"], values["identifier"])) if values["identifier"] else None
            if existing is not None:
                for name, value in values.items():
                    setattr(existing, name, value)
                existing.save()
                obj = existing
                report.updated += 1
            else:
                obj = InspectionObject.objects.create(**values)
                report.created += 1
            obj.domains.set(domains)
            obj.matters.set(matters)
            obj.conflicted_officers.set(officers)
        if parsed:
            record_event(obj, "import", by=by, data={"created": report.created, "updated": report.updated})
    return report
