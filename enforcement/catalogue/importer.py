"""Import and export the matter catalogue as a spreadsheet (.xlsx or .csv).

The column contract (names, synonyms, cell syntax) is the catalogue
spreadsheet format shared with the exporter and the demo data; see
:data:`COLUMNS` and :data:`EXPORT_HEADERS`.

Import is all-or-nothing: every row is validated first and *all* problems are
reported (row number, column, reason); if there is any, nothing is written.
Otherwise everything is written in one transaction with bulk queries, so a
2,000-row catalogue imports in a few seconds with a bounded number of queries.
Re-importing the same file changes nothing and writes no history.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from enforcement.catalogue.models import (
    DiscretionTier,
    Domain,
    FineUnit,
    GrantMode,
    GrantSource,
    Matter,
    MatterStatus,
    PenaltyKind,
    PowerGrant,
    PowerType,
)
from enforcement.catalogue.permissions import require_catalogue_manager
from enforcement.catalogue.powers import end_grants_bulk
from enforcement.catalogue.services import (
    TierSpec,
    format_amount,
    matter_transition,
    replace_tiers_bulk,
    status_transition,
    validate_tier,
)
from enforcement.models.agencies import Agency, AgencyKind
from enforcement.models.events import Event

__all__ = [
    "COLUMNS",
    "EXPORT_HEADERS",
    "ImportReport",
    "RowError",
    "export_matters",
    "import_catalogue",
    "parse_tiers",
    "read_table",
]

# Canonical column -> recognised header names (the first is the export header).
COLUMNS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "No.", "Seq"),
    "code": ("事项编码", "编码", "事项代码", "Code", "Matter code"),
    "name": ("事项名称", "名称", "处罚事项", "Name", "Matter name"),
    "power_type": ("职权类型", "事项类型", "权力类型", "Power type", "Type"),
    "domain": ("所属领域", "领域", "执法领域", "Domain"),
    "origin_department": ("实施主体", "划转部门", "原主管部门", "主管部门", "Origin department", "Department"),
    "supervising_department": ("监管部门", "Supervising department"),
    "holder": ("权力归属", "Holder"),
    "violated_provision": ("违法依据", "实施依据", "法律依据", "设定依据", "Legal basis", "Violated provision"),
    "penalty_provision": ("处罚依据", "Penalty provision", "Penalty basis"),
    "discretion": ("裁量基准", "Discretion", "Discretion standard"),
    "first_offense_exempt": ("首违不罚", "First-offense exemption"),
    "safety_critical": ("安全关键", "Safety-critical"),
    "in_guidance_catalogue": ("纳入指导目录", "Guidance catalogue"),
    "status": ("状态", "Status"),
    "remarks": ("备注", "Remarks", "Notes"),
}
EXPORT_HEADERS: tuple[str, ...] = tuple(names[0] for names in COLUMNS.values())
HEADER_SCAN_ROWS = 15
FLAG_COLUMNS = ("first_offense_exempt", "safety_critical", "in_guidance_catalogue")
TEXT_COLUMNS = ("violated_provision", "penalty_provision", "remarks")
# Columns that map one-to-one onto a Matter field (compared and updated when present).
FIELD_COLUMNS = (
    "name",
    "power_type",
    "domain",
    "origin_department",
    "supervising_department",
    "violated_provision",
    "penalty_provision",
    "first_offense_exempt",
    "safety_critical",
    "in_guidance_catalogue",
    "status",
    "remarks",
)
NOTE_PREFIXES = ("注", "说明", "备注", "填表说明", "注：", "note")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=8192)
def _norm_key(text: str) -> str:
    """Normalise a header or an enumerated value: NFKC, lower case, no spaces or punctuation."""
    text = _nfkc(str(text)).lower()
    text = re.sub(r"\(.*?\)", "", text)  # "事项编码（必填）" -> "事项编码"
    return re.sub(r"[\s\-_*.:·/]", "", text)


_HEADER_LOOKUP: dict[str, str] = {_norm_key(name): key for key, names in COLUMNS.items() for name in names}


def _lookup(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {_norm_key(label): value for label, value in pairs}


POWER_TYPES = _lookup(
    [(str(label), value) for value, label in PowerType.choices]
    + [(value, value) for value in PowerType.values]
    + [
        ("处罚", PowerType.PENALTY),
        ("强制", PowerType.COERCIVE_MEASURE),
        ("行政强制措施", PowerType.COERCIVE_MEASURE),
        ("行政强制执行", PowerType.COERCIVE_MEASURE),
        ("coercive measure", PowerType.COERCIVE_MEASURE),
        ("检查", PowerType.INSPECTION),
        ("征收", PowerType.LEVY),
        ("确认", PowerType.CONFIRMATION),
        ("其它", PowerType.OTHER),
    ]
)
STATUSES = _lookup(
    [(str(label), value) for value, label in MatterStatus.choices]
    + [(value, value) for value in MatterStatus.values]
    + [
        ("有效", MatterStatus.IN_FORCE),
        ("现行", MatterStatus.IN_FORCE),
        ("正常", MatterStatus.IN_FORCE),
        ("in force", MatterStatus.IN_FORCE),
        ("暂停实施", MatterStatus.SUSPENDED),
        ("已废止", MatterStatus.REPEALED),
    ]
)
HOLDERS = _lookup(
    [
        ("划转", GrantMode.TRANSFERRED),
        ("划转至综合执法局", GrantMode.TRANSFERRED),
        ("划转综合执法局", GrantMode.TRANSFERRED),
        ("transferred", GrantMode.TRANSFERRED),
        ("transfer", GrantMode.TRANSFERRED),
        ("保留", GrantMode.RETAINED),
        ("部门保留", GrantMode.RETAINED),
        ("retained", GrantMode.RETAINED),
        ("retain", GrantMode.RETAINED),
    ]
)
PENALTY_KINDS = _lookup(
    [(str(label), value) for value, label in PenaltyKind.choices]
    + [(value, value) for value in PenaltyKind.values]
    + [
        ("暂扣许可证", PenaltyKind.SUSPEND_LICENCE),
        ("暂扣执照", PenaltyKind.SUSPEND_LICENCE),
        ("吊销许可证", PenaltyKind.REVOKE_LICENCE),
        ("吊销执照", PenaltyKind.REVOKE_LICENCE),
        ("吊销营业执照", PenaltyKind.REVOKE_LICENCE),
        ("责令停业", PenaltyKind.ORDER_SUSPENSION),
        ("拘留", PenaltyKind.DETENTION),
    ]
)
FINE_UNITS = _lookup(
    [("", FineUnit.YUAN), ("元", FineUnit.YUAN), ("yuan", FineUnit.YUAN), ("¥", FineUnit.YUAN)]
    + [("倍", FineUnit.MULTIPLE), ("multiple", FineUnit.MULTIPLE), ("x", FineUnit.MULTIPLE), ("×", FineUnit.MULTIPLE)]
)
FLAGS_TRUE = {_norm_key(v) for v in ("是", "y", "yes", "true", "1", "✓", "✔", "√", "☑", "有", "t")}
FLAGS_FALSE = {_norm_key(v) for v in ("否", "n", "no", "false", "0", "", "✗", "✘", "×", "无", "f", "—")}

HOLDER_EXPORT = {GrantMode.TRANSFERRED: "划转", GrantMode.RETAINED: "保留"}
UNIT_EXPORT = {FineUnit.YUAN: "元", FineUnit.MULTIPLE: "倍"}


# --- report --------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number (1-based, as Excel shows it); 0 = the whole file
    column: str  # the column header as written in the file
    message: str

    def __str__(self) -> str:
        if not self.row:
            return self.message
        where = _("第 %(row)s 行") % {"row": self.row}
        if self.column:
            where += f"【{self.column}】"
        return f"{where}：{self.message}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    missing_departments: list[str] = field(default_factory=list)
    missing_domains: list[str] = field(default_factory=list)
    created_departments: list[str] = field(default_factory=list)
    created_domains: list[str] = field(default_factory=list)
    grants_created: int = 0
    grants_ended: int = 0
    rows: int = 0
    header_row: int | None = None
    sheet: str | None = None
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        text = _("新增 %(created)s 条，修改 %(updated)s 条，未变 %(unchanged)s 条") % {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged}
        if self.grants_created:
            text += _("；新建权力归属 %(n)s 条") % {"n": self.grants_created}
        if self.created_departments or self.created_domains:
            text += _("；新建部门 %(d)s 个、领域 %(m)s 个") % {
                "d": len(self.created_departments), "m": len(self.created_domains)}
        return text


class _FileProblem(Exception):
    def __init__(self, message: str, row: int = 0, column: str = ""):
        super().__init__(message)
        self.error = RowError(row, column, message)


# --- reading -------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _read_bytes(source: str | Path | bytes | BinaryIO) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, ""
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            return path.read_bytes(), path.name
        except OSError as exc:
            raise _FileProblem(_("无法读取文件：%(error)s") % {"error": exc}) from None
    data = source.read()
    return data, Path(getattr(source, "name", "") or "").name


def _decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise _FileProblem(_("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV，或 Excel（.xlsx）文件。")) from None


def read_table(
    source: str | Path | bytes | BinaryIO, *, sheet: str | None = None
) -> tuple[list[tuple[int, list[str]]], str | None]:
    """Read every row as text cells: ``([(row_number, cells), ...], sheet_name)``."""
    data, name = _read_bytes(source)
    if data[:2] == b"PK":
        return _read_xlsx(data, sheet)
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise _FileProblem(_("文件不是有效的 Excel（.xlsx）文件。"))
    if name.lower().endswith(".xls"):
        raise _FileProblem(_("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV。"))
    text = _decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [(n, [_cell_text(c) for c in row]) for n, row in enumerate(reader, start=1)], None


def _read_xlsx(data: bytes, sheet: str | None) -> tuple[list[tuple[int, list[str]]], str]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise _FileProblem(_("无法打开 Excel 文件：%(error)s") % {"error": exc}) from None
    try:
        if sheet is not None:
            if sheet not in workbook.sheetnames:
                raise _FileProblem(
                    _("找不到工作表“%(sheet)s”；文件中的工作表：%(names)s")
                    % {"sheet": sheet, "names": "、".join(workbook.sheetnames)}
                )
            candidates = [sheet]
        else:
            candidates = list(workbook.sheetnames)
        first: tuple[list, str] | None = None
        for sheet_name in candidates:
            worksheet = workbook[sheet_name]
            # Some writers store a wrong <dimension>; recompute it while reading.
            worksheet.reset_dimensions()
            rows = [
                (n, [_cell_text(c) for c in row])
                for n, row in enumerate(worksheet.iter_rows(values_only=True), start=1)
            ]
            if first is None:
                first = (rows, sheet_name)
            # Without --sheet: the first sheet that has a catalogue header.
            if len(candidates) == 1 or _find_header(rows) is not None:
                return rows, sheet_name
        assert first is not None
        return first
    finally:
        workbook.close()


# --- header ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Header:
    row: int  # row number of the (last) header row
    columns: dict[str, int]  # canonical key -> cell index
    labels: dict[str, str]  # canonical key -> header text as written
    data_start: int  # index into the rows list
    ignored: tuple[str, ...] = ()


def _match(cells: Sequence[str]) -> tuple[dict[str, int], dict[str, str], list[str]]:
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    ignored: list[str] = []
    for i, cell in enumerate(cells):
        text = cell.strip()
        if not text:
            continue
        key = _HEADER_LOOKUP.get(_norm_key(text))
        if key is None:
            ignored.append(text)
        elif key not in columns:
            columns[key] = i
            labels[key] = re.sub(r"\s+", "", text)
    return columns, labels, ignored


def _find_header(rows: list[tuple[int, list[str]]]) -> _Header | None:
    """The row (or two merged rows) among the first rows with the most recognised column names.

    Title rows above the header and a two-row header whose upper row has
    merged group cells (e.g. 实施依据 over 违法依据 | 处罚依据) are both common
    in county spreadsheets.
    """
    best: tuple[int, int, _Header] | None = None
    scan = rows[:HEADER_SCAN_ROWS]
    for i, (number, cells) in enumerate(scan):
        candidates = []
        columns, labels, ignored = _match(cells)
        candidates.append((len(columns), 1, _Header(number, columns, labels, i + 1, tuple(ignored))))
        if i + 1 < len(rows):
            lower = rows[i + 1][1]
            width = max(len(cells), len(lower))
            merged = []
            for j in range(width):
                up = cells[j] if j < len(cells) else ""
                down = lower[j] if j < len(lower) else ""
                merged.append(down if down.strip() and _HEADER_LOOKUP.get(_norm_key(down)) else up)
            m_columns, m_labels, m_ignored = _match(merged)
            if len(m_columns) > len(columns):
                candidates.append(
                    (len(m_columns), 0, _Header(rows[i + 1][0], m_columns, m_labels, i + 2, tuple(m_ignored)))
                )
        for score, prefer, header in candidates:
            if "code" not in header.columns or "name" not in header.columns:
                continue
            if best is None or (score, prefer) > (best[0], best[1]):
                best = (score, prefer, header)
    return best[2] if best else None


# --- cell parsers --------------------------------------------------------------


def _clean(text: str) -> str:
    """Trim (full-width spaces included) and unify line breaks."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _clean_code(text: str) -> str:
    return re.sub(r"\s+", "", _nfkc(text))


def _parse_decimal(text: str) -> Decimal | None:
    raw = _nfkc(text).strip().replace(",", "")
    if not raw:
        return None
    factor = Decimal(1)
    if raw.endswith("万元"):
        raw, factor = raw[:-2], Decimal(10000)
    raw = raw.rstrip("元倍").strip()
    try:
        value = Decimal(raw) * factor
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite():
        raise ValueError(raw)
    return value


def parse_tiers(text: str) -> tuple[list[TierSpec], list[str]]:
    """Parse the 裁量基准 cell: one tier per line (or "；"-separated), ``等级|情节|种类|下限|上限|单位``."""
    specs: list[TierSpec] = []
    problems: list[str] = []
    text = _clean(text).replace("｜", "|")
    if not text:
        return specs, problems
    pieces: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        # "；" separates tiers only where a line holds more than one tier's fields.
        if line.count("|") > 5:
            pieces.extend(p for p in re.split(r"[；;]", line) if p.strip())
        else:
            pieces.append(line)
    for n, piece in enumerate(pieces, start=1):
        parts = [p.strip() for p in piece.split("|")]
        if not 3 <= len(parts) <= 6:
            problems.append(
                _("第 %(n)s 条“%(text)s”格式错误：应为 等级|情节|处罚种类|罚款下限|罚款上限|单位")
                % {"n": n, "text": piece.strip()[:40]}
            )
            continue
        parts += [""] * (6 - len(parts))
        level, circumstances, kinds_text, min_text, max_text, unit_text = parts
        tier_problems = []
        kinds: list[str] = []
        for word in re.split(r"[、,，;；/\s]+", kinds_text):
            if not word:
                continue
            kind = PENALTY_KINDS.get(_norm_key(word))
            if kind is None:
                tier_problems.append(_("未知处罚种类“%(kind)s”") % {"kind": word})
            elif kind not in kinds:
                kinds.append(kind)
        bounds = []
        for label, raw in ((_("罚款下限"), min_text), (_("罚款上限"), max_text)):
            try:
                bounds.append(_parse_decimal(raw))
            except ValueError:
                tier_problems.append(_("%(label)s“%(value)s”不是数字") % {"label": label, "value": raw})
                bounds.append(None)
        unit = FINE_UNITS.get(_norm_key(unit_text))
        if unit is None:
            tier_problems.append(_("未知罚款单位“%(unit)s”（应为“元”或“倍”）") % {"unit": unit_text})
            unit = FineUnit.YUAN
        spec = TierSpec(
            level=level,
            circumstances=circumstances,
            penalty_kinds=tuple(kinds),
            fine_min=bounds[0],
            fine_max=bounds[1],
            fine_unit=unit,
        )
        if not tier_problems:
            tier_problems = validate_tier(spec)
        for problem in tier_problems:
            problems.append(_("第 %(n)s 条：%(problem)s") % {"n": n, "problem": problem})
        specs.append(spec)
    return specs, problems


def _parse_flag(text: str) -> bool | None:
    key = _norm_key(text)
    if key in FLAGS_TRUE:
        return True
    if key in FLAGS_FALSE:
        return False
    return None


# --- references ------------------------------------------------------------------


class _References:
    """Agencies and domains by normalised code / name, loaded in two queries."""

    def __init__(self) -> None:
        self.agencies: dict[str, Agency] = {}
        # Departments win over other agencies of the same name.
        order = {AgencyKind.DEPARTMENT: 1}
        for agency in sorted(Agency.objects.all(), key=lambda a: order.get(a.kind, 0)):
            for key in (agency.code, agency.name, agency.short_name):
                if key:
                    self.agencies[_ref_key(key)] = agency
        self.bureau = (
            Agency.objects.filter(kind=AgencyKind.BUREAU, is_active=True).order_by("sort_order", "code").first()
        )
        self.domains: dict[str, Domain] = {}
        for domain in Domain.objects.all():
            self.domains[_ref_key(domain.code)] = domain
            self.domains[_ref_key(domain.name)] = domain

    def agency(self, text: str) -> Agency | None:
        return self.agencies.get(_ref_key(text))

    def domain(self, text: str) -> Domain | None:
        return self.domains.get(_ref_key(text))


def _ref_key(text: str) -> str:
    return re.sub(r"\s+", "", _nfkc(text)).lower()


# --- rows ------------------------------------------------------------------------


@dataclass
class _Row:
    row: int
    code: str
    values: dict[str, Any]  # canonical column -> parsed value (references as text)
    tiers: list[TierSpec] | None
    holder: str | None


def _parse_rows(
    rows: list[tuple[int, list[str]]],
    header: _Header,
    refs: _References,
    report: ImportReport,
    create_missing: bool,
    progress: Callable[[int, int], None] | None,
) -> list[_Row]:
    cols = header.columns
    label = header.labels
    data = rows[header.data_start :]
    total = len(data)
    parsed: list[_Row] = []
    seen_codes: dict[str, int] = {}
    missing_departments: dict[str, None] = {}
    missing_domains: dict[str, None] = {}
    code_keys = {_norm_key(n) for n in COLUMNS["code"]}

    def error(row: int, key: str, message) -> None:
        report.errors.append(RowError(row, label.get(key, COLUMNS[key][0]), str(message)))

    for done, (number, cells) in enumerate(data, start=1):
        if progress is not None and (done % 200 == 0 or done == total):
            progress(done, total)
        raw = {key: _clean(cells[i]) if i < len(cells) else "" for key, i in cols.items()}
        if not any(v for k, v in raw.items() if k != "seq"):
            continue  # blank (or numbered but empty) row
        code = _clean_code(raw.get("code", ""))
        name = raw.get("name", "")
        if not code and not name:
            first = next((v for v in (_clean(c) for c in cells) if v), "")
            if first.lower().startswith(NOTE_PREFIXES):
                continue  # a footnote under the table
        if _norm_key(code) in code_keys:
            continue  # the header repeated (printed pages)
        report.rows += 1
        if not code:
            error(number, "code", _("缺少事项编码"))
        elif len(code) > 40:
            error(number, "code", _("事项编码过长（最多 40 个字符）"))
        elif code in seen_codes:
            error(number, "code", _("事项编码“%(code)s”与第 %(row)s 行重复") % {"code": code, "row": seen_codes[code]})
        else:
            seen_codes[code] = number
        if "name" in cols and not name:
            error(number, "name", _("缺少事项名称"))
        elif len(name) > 300:
            error(number, "name", _("事项名称过长（最多 300 字）"))
        values: dict[str, Any] = {}
        if "name" in cols:
            values["name"] = name
        if "power_type" in cols:
            text = raw["power_type"]
            value = POWER_TYPES.get(_norm_key(text)) if text else None
            if value is None:
                error(number, "power_type",
                      _("未知职权类型“%(value)s”") % {"value": text} if text else _("缺少职权类型"))
            values["power_type"] = value
        if "domain" in cols:
            text = raw["domain"]
            if not text:
                error(number, "domain", _("缺少所属领域"))
            elif refs.domain(text) is None:
                missing_domains.setdefault(text)
                if not create_missing:
                    error(number, "domain", _("未知领域“%(value)s”") % {"value": text})
            values["domain"] = text
        for key in ("origin_department", "supervising_department"):
            if key not in cols:
                continue
            text = raw[key]
            if not text:
                if key == "origin_department":
                    error(number, key, _("缺少实施主体"))
            elif refs.agency(text) is None:
                missing_departments.setdefault(text)
                if not create_missing:
                    error(number, key, _("未知部门“%(value)s”") % {"value": text})
            values[key] = text
        for key in TEXT_COLUMNS:
            if key in cols:
                values[key] = raw[key]
        for key in FLAG_COLUMNS:
            if key in cols:
                flag = _parse_flag(raw[key])
                if flag is None:
                    error(number, key, _("无法识别“%(value)s”，应为“是”或“否”") % {"value": raw[key]})
                values[key] = bool(flag)
        if "status" in cols:
            text = raw["status"]
            status = STATUSES.get(_norm_key(text)) if text else MatterStatus.IN_FORCE
            if status is None:
                error(number, "status", _("未知状态“%(value)s”（应为 在用、暂停 或 废止）") % {"value": text})
            values["status"] = status
        tiers = None
        if "discretion" in cols:
            tiers, problems = parse_tiers(raw["discretion"])
            for problem in problems:
                error(number, "discretion", problem)
        holder = None
        if "holder" in cols and raw["holder"]:
            holder = HOLDERS.get(_norm_key(raw["holder"]))
            if holder is None:
                error(number, "holder",
                      _("无法识别“%(value)s”，应为“划转”“保留”或留空") % {"value": raw["holder"]})
            elif holder == GrantMode.TRANSFERRED and refs.bureau is None:
                error(number, "holder", _("系统中还没有综合行政执法局机构，不能设为“划转”"))
        parsed.append(_Row(number, code, values, tiers, holder))
    report.missing_departments = list(missing_departments)
    report.missing_domains = list(missing_domains)
    return parsed


# --- import --------------------------------------------------------------------------


def _unique_code(prefix: str, taken: set[str]) -> str:
    n = 1
    while f"{prefix}{n:03d}" in taken:
        n += 1
    code = f"{prefix}{n:03d}"
    taken.add(code)
    return code


def _create_missing(report: ImportReport, refs: _References, dry_run: bool) -> None:
    if report.missing_departments:
        taken = set(Agency.objects.filter(code__startswith="DEPT-AUTO-").values_list("code", flat=True))
        new = [
            Agency(code=_unique_code("DEPT-AUTO-", taken), name=name, kind=AgencyKind.DEPARTMENT)
            for name in report.missing_departments
        ]
        if not dry_run:
            Agency.objects.bulk_create(new)
        for agency in new:
            refs.agencies[_ref_key(agency.name)] = agency
        report.created_departments = [a.name for a in new]
    if report.missing_domains:
        taken = set(Domain.objects.values_list("code", flat=True))
        start = Domain.objects.count()
        new_domains = []
        for offset, name in enumerate(report.missing_domains, start=1):
            domain = Domain(code=_unique_code("DOM-", taken), name=name, sort_order=start + offset)
            new_domains.append(domain)
        if not dry_run:
            Domain.objects.bulk_create(new_domains)
        for domain in new_domains:
            refs.domains[_ref_key(domain.name)] = domain
        report.created_domains = [d.name for d in new_domains]


def _chunks(items: Sequence, size: int = 900) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def import_catalogue(
    source: str | Path | bytes | BinaryIO,
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    create_missing: bool = False,
    by=None,
    progress: Callable[[int, int], None] | None = None,
    grants_from: dt.date | None = None,
    source_name: str = "",
) -> ImportReport:
    """Import a catalogue spreadsheet; return what happened (or would, with ``dry_run``).

    With any error nothing is written. ``create_missing`` creates unknown
    departments (kind department) and domains. ``grants_from`` is the first
    day of the initial county-wide grants from the 权力归属 column (default
    today). ``by=None`` is a system import (management command).
    """
    require_catalogue_manager(by)
    report = ImportReport(dry_run=dry_run)
    try:
        rows, sheet_name = read_table(source, sheet=sheet)
    except _FileProblem as problem:
        report.errors.append(problem.error)
        return report
    report.sheet = sheet_name
    if not source_name:
        source_name = Path(str(source)).name if isinstance(source, (str, Path)) else getattr(source, "name", "") or ""
    header = _find_header(rows)
    if header is None:
        report.errors.append(
            RowError(0, "", _("在前 %(n)s 行中没有找到表头（至少应有“事项编码”和“事项名称”两列）。")
                     % {"n": HEADER_SCAN_ROWS})
        )
        return report
    report.header_row = header.row
    report.ignored_columns = list(header.ignored)
    refs = _References()
    parsed = _parse_rows(rows, header, refs, report, create_missing, progress)
    if report.errors:
        return report

    existing: dict[str, Matter] = {}
    codes = [r.code for r in parsed]
    for chunk in _chunks(codes):
        for matter in Matter.objects.filter(code__in=chunk):
            existing[matter.code] = matter
    missing_required = [
        key for key in ("name", "power_type", "domain", "origin_department") if key not in header.columns
    ]
    if missing_required:
        for r in parsed:
            if r.code not in existing:
                for key in missing_required:
                    report.errors.append(
                        RowError(r.row, COLUMNS[key][0], _("新增事项须填写“%(col)s”，但文件中没有这一列")
                                 % {"col": COLUMNS[key][0]})
                    )
    for r in parsed:
        matter = existing.get(r.code)
        new_status = r.values.get("status")
        if matter is not None and new_status and new_status != matter.status:
            if status_transition(matter.status, new_status) is None:
                report.errors.append(RowError(
                    r.row, header.labels.get("status", "状态"),
                    _("事项当前为“%(current)s”，不能改为“%(new)s”") % {
                        "current": MatterStatus(matter.status).label, "new": MatterStatus(new_status).label},
                ))
    if report.errors:
        return report

    try:
        with transaction.atomic():
            _write(parsed, existing, refs, report, by=by, dry_run=dry_run,
                   grants_from=grants_from or timezone.localdate(), source_name=source_name)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    if progress is not None:
        progress(len(parsed), len(parsed))
    return report


class _DryRun(Exception):
    """Raised inside the transaction to roll back a dry run."""


def _write(
    parsed: list[_Row],
    existing: dict[str, Matter],
    refs: _References,
    report: ImportReport,
    *,
    by,
    dry_run: bool,
    grants_from: dt.date,
    source_name: str,
) -> None:
    today = timezone.localdate()
    now = timezone.now()
    _create_missing(report, refs, dry_run=False)

    existing_tiers: dict[int, list[DiscretionTier]] = {}
    ids = [m.pk for m in existing.values()]
    for chunk in _chunks(ids):
        for tier in DiscretionTier.objects.filter(matter_id__in=chunk).order_by("matter_id", "order"):
            existing_tiers.setdefault(tier.matter_id, []).append(tier)

    to_create: list[Matter] = []
    create_tiers: list[tuple[Matter, list[TierSpec]]] = []
    to_update: list[Matter] = []
    update_fields: set[str] = set()
    tier_changes: list[tuple[Matter, list[TierSpec]]] = []
    status_changes: list[tuple[Matter, str]] = []
    holders: list[tuple[Matter, str]] = []

    for r in parsed:
        values = _resolve(r.values, refs)
        matter = existing.get(r.code)
        if matter is None:
            # A new matter starts in the status the file gives it: a first state, not a change,
            # so no transition applies (as a ticket starts "new").
            matter = Matter(code=r.code, **values)
            if matter.status != MatterStatus.IN_FORCE:
                matter.status_changed_on = today
            matter._change_reason = _("目录导入：新增（%(file)s）") % {"file": source_name}
            to_create.append(matter)
            if r.tiers:
                create_tiers.append((matter, r.tiers))
        else:
            changed = []
            action = None
            for name, value in values.items():
                if name == "status":
                    # Never assigned: a changed status is the matter's transition (below).
                    if value != matter.status:
                        action = status_transition(matter.status, value)
                    continue
                f = Matter._meta.get_field(name)
                new = value.pk if f.is_relation and value is not None else value
                if getattr(matter, f.attname) != new:
                    setattr(matter, name, value)
                    changed.append(name)
            tiers_changed = r.tiers is not None and [
                TierSpec.from_tier(t) for t in existing_tiers.get(matter.pk, [])
            ] != r.tiers
            if changed or tiers_changed:
                labels = [str(Matter._meta.get_field(n).verbose_name) for n in changed]
                if tiers_changed:
                    labels.append(str(DiscretionTier._meta.verbose_name))
                    tier_changes.append((matter, r.tiers))
                matter._change_reason = _("目录导入：修改 %(fields)s（%(file)s）") % {
                    "fields": "、".join(labels), "file": source_name}
                matter.updated_at = now
                update_fields.update(changed)
                to_update.append(matter)
            if action is not None:
                status_changes.append((matter, action))
            if not (changed or tiers_changed or action):
                report.unchanged += 1
        if r.holder:
            holders.append((matter, r.holder))
    report.created = len(to_create)
    report.updated = len({m.pk for m in to_update} | {m.pk for m, _action in status_changes})

    if to_create:
        bulk_create_with_history(to_create, Matter, batch_size=500, default_user=by)
    if to_update:
        bulk_update_with_history(
            to_update, Matter, sorted(update_fields | {"updated_at"}), batch_size=500, default_user=by
        )
    tier_items = create_tiers + tier_changes
    if tier_items:
        replace_tiers_bulk(tier_items, existing_tiers, by=by,
                           reason=_("目录导入（%(file)s）") % {"file": source_name})
    if status_changes:
        # One transition per changed status (a catalogue revision changes a few, not
        # thousands): the same lock, table, permission, history row and event as the
        # catalogue pages and the API. The grants of repealed matters end in bulk below.
        status_label = str(Matter._meta.get_field("status").verbose_name)
        why = _("目录导入：修改 %(fields)s（%(file)s）") % {"fields": status_label, "file": source_name}
        changed_matters = {}
        for matter, action in status_changes:
            changed_matters[matter.pk] = matter_transition(matter, action, on=today, by=by, reason=why)
        newly_repealed = [pk for pk, m in changed_matters.items() if m.status == MatterStatus.REPEALED]
        if newly_repealed:
            report.grants_ended = end_grants_bulk(newly_repealed, on=today, by=by, reason=_("目录导入：事项废止"))
        holders = [(changed_matters.get(m.pk, m), mode) for m, mode in holders]
    if holders:
        report.grants_created = _initial_grants(holders, refs, by=by, valid_from=grants_from, source_name=source_name)


def _resolve(values: dict[str, Any], refs: _References) -> dict[str, Any]:
    out = dict(values)
    if "domain" in out:
        out["domain"] = refs.domain(out["domain"])
    for key in ("origin_department", "supervising_department"):
        if key in out:
            out[key] = refs.agency(out[key]) if out[key] else None
    return out


def _initial_grants(
    holders: list[tuple[Matter, str]], refs: _References, *, by, valid_from: dt.date, source_name: str
) -> int:
    """County-wide grants from the 权力归属 column, only for matters with no grant at all."""
    ids = [m.pk for m, _mode in holders]
    granted: set[int] = set()
    for chunk in _chunks(ids):
        granted.update(PowerGrant.objects.filter(matter_id__in=chunk).values_list("matter_id", flat=True).distinct())
    grants = []
    for matter, mode in holders:
        if matter.pk in granted or matter.status == MatterStatus.REPEALED:
            continue
        granted.add(matter.pk)
        holder = refs.bureau if mode == GrantMode.TRANSFERRED else matter.origin_department
        grants.append(PowerGrant(
            matter=matter, holder=holder, township=None, mode=mode, valid_from=valid_from,
            source_kind=GrantSource.IMPORT, source_ref=source_name[:120], created_by=by,
        ))
    if grants:
        # The matters are new or unlocked here, but the whole import is one
        # transaction and these matters had no grant at all, so no overlap is possible.
        PowerGrant.objects.bulk_create(grants, batch_size=500)
        content_type = ContentType.objects.get_for_model(PowerGrant)
        Event.objects.bulk_create(
            [
                Event(content_type=content_type, object_id=g.pk, action="grant", actor=by,
                      note=_("目录导入初始权力归属"),
                      data={"matter": g.matter.code, "holder": g.holder.code, "mode": g.mode,
                            "valid_from": g.valid_from.isoformat()})
                for g in grants
            ],
            batch_size=500,
        )
    return len(grants)


# --- export ----------------------------------------------------------------------------


def _tier_line(tier: DiscretionTier) -> str:
    def safe(text: str) -> str:
        # "|" and line breaks are the cell's own syntax.
        return re.sub(r"\s*\n\s*", " ", text).replace("|", "/").replace("｜", "/")

    labels = dict(PenaltyKind.choices)
    kinds = "、".join(str(labels.get(k, k)) for k in tier.penalty_kinds or [])
    has_fine = tier.fine_min is not None or tier.fine_max is not None
    unit = UNIT_EXPORT.get(tier.fine_unit, "") if has_fine or tier.fine_unit != FineUnit.YUAN else ""
    return "|".join([
        safe(tier.level), safe(tier.circumstances), kinds,
        format_amount(tier.fine_min) if tier.fine_min is not None else "",
        format_amount(tier.fine_max) if tier.fine_max is not None else "",
        unit,
    ])


def export_rows(queryset: QuerySet[Matter], on: dt.date | None = None) -> Iterable[list[str]]:
    """The export rows (without header): same columns and syntax the importer reads."""
    from django.db.models import Prefetch

    day = on or timezone.localdate()
    qs = (
        queryset.select_related("domain", "origin_department", "supervising_department")
        .prefetch_related(
            Prefetch("tiers", queryset=DiscretionTier.objects.order_by("order")),
            Prefetch("grants", queryset=PowerGrant.objects.valid_on(day).filter(township__isnull=True),
                     to_attr="county_grants"),
        )
        .order_by("code")
    )
    yes, no = "是", "否"
    for n, m in enumerate(qs, start=1):
        holder = ""
        for grant in m.county_grants:
            holder = HOLDER_EXPORT.get(grant.mode, "")
        yield [
            str(n),
            m.code,
            m.name,
            str(PowerType(m.power_type).label),
            m.domain.name,
            m.origin_department.name,
            m.supervising_department.name if m.supervising_department_id else "",
            holder,
            m.violated_provision,
            m.penalty_provision,
            "\n".join(_tier_line(t) for t in m.tiers.all()),
            yes if m.first_offense_exempt else no,
            yes if m.safety_critical else no,
            yes if m.in_guidance_catalogue else no,
            str(MatterStatus(m.status).label),
            m.remarks,
        ]


def export_matters(queryset: QuerySet[Matter], *, on: dt.date | None = None) -> bytes:
    """The matters as an .xlsx workbook (bytes) that :func:`import_catalogue` reads back unchanged."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(_("事项目录"))
    widths = [6, 14, 40, 10, 12, 22, 22, 10, 40, 40, 60, 8, 8, 10, 8, 20]
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width = width
    sheet.freeze_panes = "C2"
    bold = Font(bold=True)
    header = []
    for title in EXPORT_HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in export_rows(queryset, on=on):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            # Text only: a legal provision starting with "=" must not become a formula.
            cell.data_type = "s"
            if "\n" in value:
                cell.alignment = wrap
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
