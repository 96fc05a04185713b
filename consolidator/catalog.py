"""The round's catalog workbook (DESIGN.md §4): read, validate, refuse with every problem listed.

Each of the sheets `units`, `indicators`, `targets` becomes a DataFrame whose index is the
Excel row number, and a pandera schema built from the catalog itself (the set of unit
codes, of indicator codes) checks it lazily: every failure case carries its row, so each
problem is reported with its cell. The `round` sheet is a key/value list checked in code.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

from . import formulas
from .errors import CatalogError
from .messages import LabelRef
from .model import Catalog, Indicator, Issue, Round, Target, Unit, make_issue
from .numbers import normalize_text, parse_bool, parse_number, parse_target

SHEETS = {
    "round": ("key", "value"),
    "units": ("unit_code", "unit_name", "parent_code"),
    "indicators": (
        "indicator_code", "name", "group", "unit_of_measure",
        "direction", "measure", "aggregation", "decimals",
    ),
    "targets": ("unit_code", "indicator_code", "target", "baseline"),
}
REQUIRED_ROUND_KEYS = ("round_id", "title", "organisation", "baseline_year", "target_year", "cutoff_date", "deadline")
ROUND_KEYS = REQUIRED_ROUND_KEYS + ("low_threshold", "allow_target_changes", "expected_progress", "lang")
DEFAULT_DECIMALS = 1


def load_catalog(path: str | Path) -> Catalog:
    """Read and validate a catalog workbook; raise CatalogError listing every problem."""
    sheets = _read_workbook(Path(path))
    issues: list[Issue] = []
    for name, columns in SHEETS.items():
        if name not in sheets:
            issues.append(make_issue("catalog-missing-sheet", sheet=name, params={"columns": ", ".join(columns)}))
    round_ = _read_round(sheets.get("round"), issues)
    frames = {name: _frame(sheets[name], name) for name in ("units", "indicators", "targets") if name in sheets}
    issues.extend(_check_frames(frames))
    if "units" in frames:
        issues.extend(_check_tree(frames["units"]))
    if "targets" in frames and "indicators" in frames:
        issues.extend(_check_target_kinds(frames["targets"], frames["indicators"]))
    if "targets" in frames and frames["targets"].empty:
        issues.append(make_issue("catalog-no-targets", sheet="targets"))
    if issues or round_ is None:
        raise CatalogError(str(path), issues)
    return _build(round_, frames)


# --- reading -------------------------------------------------------------------------


# A catalog is the office's own workbook, far larger than an appendix (a target row per unit
# and indicator: 30,000 rows for a thousand units), so it gets limits of its own.
CATALOG_LIMITS_MIB = 200


def _read_workbook(path: Path) -> dict[str, list[tuple[int, tuple]]]:
    """Each sheet's non-blank rows as (Excel row number, values), by lower-cased sheet name."""
    from .xlsx import Limits, UnreadableWorkbook, read_workbook

    mib = 1 << 20
    limits = Limits(max_file_bytes=CATALOG_LIMITS_MIB * mib, max_member_bytes=4 * CATALOG_LIMITS_MIB * mib,
                    max_total_bytes=8 * CATALOG_LIMITS_MIB * mib, max_row=1_048_576, max_col=64,
                    max_cells=20_000_000)
    try:
        workbook = read_workbook(path, limits)
    except UnreadableWorkbook as exc:
        raise CatalogError(str(path), [make_issue("catalog-unreadable", params={"reason": str(exc)})]) from exc
    except OSError as exc:
        raise CatalogError(str(path), [make_issue("catalog-unreadable", params={"reason": exc.strerror or str(exc)})]) from exc
    out = {}
    for sheet in workbook.sheets:
        by_row: dict[int, dict[int, object]] = {}
        for (row, col), cell in sheet.cells.items():
            value = cell.value
            if cell.kind == "n" and cell.is_date_format:
                value = datetime(1899, 12, 30) + timedelta(days=float(value))
            elif cell.kind in ("e", "blank"):
                value = None
            if value is not None and str(value).strip():
                by_row.setdefault(row, {})[col] = value
        width = max((max(cols) for cols in by_row.values()), default=0)
        out[normalize_text(sheet.name).lower()] = [
            (row, tuple(cols.get(c) for c in range(1, width + 1))) for row, cols in sorted(by_row.items())
        ]
    return out


def _canonical(header: object) -> str:
    return re.sub(r"\s+", "_", normalize_text(header).lower())


def _cell_value(value: object) -> object:
    if isinstance(value, str):
        value = normalize_text(value)
        return value or None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _frame(rows: list[tuple[int, tuple]], sheet: str):
    """A sheet as a DataFrame indexed by Excel row, with canonical column names."""
    import pandas as pd

    if not rows:
        return pd.DataFrame(columns=list(SHEETS[sheet]), dtype=object)
    _, header = rows[0]
    position: dict[str, int] = {}
    for col, name in enumerate(_canonical(h) for h in header):
        position.setdefault(name, col)  # a repeated header: the first one counts
    position.pop("", None)
    records = [
        {name: _cell_value(values[col]) if col < len(values) else None for name, col in position.items()}
        for _, values in rows[1:]
    ]
    index = [excel_row for excel_row, _ in rows[1:]]
    letters = {name: _letter(col) for name, col in position.items()}
    frame = pd.DataFrame.from_records(records, index=pd.Index(index, name="row"), columns=list(letters)).astype(object)
    frame = frame.where(frame.notna(), None)
    frame.attrs["letters"] = letters
    frame.attrs["sheet"] = sheet
    return frame


def _letter(col: int) -> str:
    from .xlsx import column_letters

    return column_letters(col + 1)


# --- the round sheet ---------------------------------------------------------------------

_HINTS = {
    "baseline_year": "hint_year", "target_year": "hint_year",
    "cutoff_date": "hint_date", "deadline": "hint_date",
    "low_threshold": "hint_share", "expected_progress": "hint_share",
    "allow_target_changes": "hint_bool", "lang": "hint_lang",
    "round_id": "hint_text", "title": "hint_text", "organisation": "hint_text",
}


def _read_round(rows: list[tuple[int, tuple]] | None, issues: list[Issue]) -> Round | None:
    if rows is None:
        return None
    values: dict[str, tuple[object, str]] = {}
    for excel_row, cells in rows[1:]:
        key = _canonical(cells[0]) if cells else ""
        if key in ROUND_KEYS:
            values[key] = (_cell_value(cells[1]) if len(cells) > 1 else None, f"B{excel_row}")
    parsed: dict[str, object] = {}
    problems = len(issues)
    for key in ROUND_KEYS:
        raw, cell = values.get(key, (None, None))
        hint = LabelRef(_HINTS[key])
        if raw is None:
            if key in REQUIRED_ROUND_KEYS:
                if cell is None:
                    issues.append(make_issue("catalog-missing-round-key", sheet="round", params={"key": key, "hint": hint}))
                else:
                    issues.append(make_issue("catalog-missing-value", sheet="round", cell=cell, params={"column": f"value ({key})"}))
            continue
        value = _parse_round_value(key, raw)
        if value is None:
            issues.append(make_issue("catalog-bad-round-value", sheet="round", cell=cell, value=raw, params={"key": key, "hint": hint}))
        else:
            parsed[key] = value
    if len(issues) > problems:
        return None
    cutoff_cell = values["cutoff_date"][1]
    if parsed["target_year"] <= parsed["baseline_year"]:
        issues.append(make_issue("catalog-bad-round-value", sheet="round", cell=values["target_year"][1],
                                 value=parsed["target_year"], params={"key": "target_year", "hint": LabelRef("hint_target_year")}))
        return None
    if parsed["cutoff_date"].year > parsed["target_year"]:
        issues.append(make_issue("catalog-cutoff-after-target-year", sheet="round", cell=cutoff_cell,
                                 value=parsed["cutoff_date"].strftime("%d/%m/%Y"), params={"target_year": parsed["target_year"]}))
        return None
    if parsed["cutoff_date"] <= date(parsed["baseline_year"], 12, 31):
        issues.append(make_issue("catalog-cutoff-before-baseline", sheet="round", cell=cutoff_cell,
                                 value=parsed["cutoff_date"].strftime("%d/%m/%Y"), params={"baseline_year": parsed["baseline_year"]}))
        return None
    return Round(**{k: v for k, v in parsed.items()})


def _parse_round_value(key: str, raw: object) -> object | None:
    if key in ("baseline_year", "target_year"):
        n = parse_number(raw)
        return int(n.value) if n and n.value.is_integer() and 1900 < n.value < 2200 else None
    if key in ("cutoff_date", "deadline"):
        return parse_date(raw)
    if key in ("low_threshold", "expected_progress"):
        n = parse_number(raw)
        if n is None:
            return None
        # "80%" and 80 both mean 0.8: clerks write shares either way.
        share = n.value / 100 if n.percent or n.value > 1 else n.value
        return share if 0 < share <= 1 else None
    if key == "allow_target_changes":
        return parse_bool(raw)
    if key == "lang":
        lang = normalize_text(raw).lower()
        return lang if lang in ("vi", "en") else None
    return normalize_text(raw) or None


def parse_date(raw: object) -> date | None:
    """A date cell or text: 30/6/2023, 30-06-2023, 2023-06-30, or an Excel serial number."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return date(1899, 12, 30) + timedelta(days=int(raw)) if 1 < raw < 200_000 else None
    text = normalize_text(raw)
    for pattern, order in ((r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", "dmy"), (r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd")):
        m = re.fullmatch(pattern, text)
        if m:
            a, b, c = map(int, m.groups())
            d, mth, y = (a, b, c) if order == "dmy" else (c, b, a)
            try:
                return date(y, mth, d)
            except ValueError:
                return None
    return None


# --- pandera checks ----------------------------------------------------------------------


def _schemas(frames) -> dict:
    """One pandera schema per sheet, built from the catalog's own codes."""
    import pandera.pandas as pa

    unit_codes = set(frames["units"]["unit_code"].dropna()) if "units" in frames and "unit_code" in frames["units"] else None
    indicator_codes = (
        set(frames["indicators"]["indicator_code"].dropna())
        if "indicators" in frames and "indicator_code" in frames["indicators"] else None
    )

    def check(code: str, fn) -> pa.Check:
        return pa.Check(fn, element_wise=True, ignore_na=True, name=code)

    def required(**kw) -> pa.Column:
        return pa.Column(None, nullable=False, required=True, **kw)

    def optional(**kw) -> pa.Column:
        return pa.Column(None, nullable=True, required=False, **kw)

    def member_of(codes, code):
        # vectorised: these run over every target row (30,000 for a thousand units)
        allowed = list(codes or ())
        return [pa.Check(lambda s: s.isin(allowed), ignore_na=True, name=code)] if codes is not None else []

    schemas = {
        "units": pa.DataFrameSchema({
            "unit_code": required(unique=True),
            "unit_name": required(),
            "parent_code": pa.Column(None, nullable=True, checks=member_of(unit_codes, "catalog-unknown-parent")),
        }),
        "indicators": pa.DataFrameSchema({
            "indicator_code": required(unique=True),
            "name": required(),
            "group": optional(),
            "unit_of_measure": optional(),
            "direction": required(checks=[check("catalog-bad-choice", lambda v: v in formulas.DIRECTIONS)]),
            "measure": required(checks=[check("catalog-bad-choice", lambda v: v in formulas.MEASURES)]),
            "aggregation": required(checks=[
                check("catalog-bad-choice", lambda v: formulas.is_valid_aggregation(str(v))),
                *([check("catalog-unknown-weight-indicator",
                         lambda v: (w := formulas.weight_indicator(str(v))) is None or w in indicator_codes)]
                  if indicator_codes is not None else []),
            ]),
            "decimals": optional(checks=[check("catalog-bad-decimals", _valid_decimals)]),
        }),
        "targets": pa.DataFrameSchema({
            "unit_code": required(checks=member_of(unit_codes, "catalog-unknown-unit")),
            "indicator_code": required(checks=member_of(indicator_codes, "catalog-unknown-indicator")),
            "target": pa.Column(None, nullable=True, checks=[
                check("catalog-bad-target", lambda v: parse_target(v) is not None or parse_bool(v) is not None),
            ]),
            "baseline": optional(checks=[check("catalog-bad-baseline", lambda v: parse_number(v) is not None)]),
        }),
    }
    return schemas


def _valid_decimals(v: object) -> bool:
    n = parse_number(v)
    return n is not None and n.value.is_integer() and 0 <= n.value <= 6


_PANDERA_CODES = {"not_nullable": "catalog-missing-value", "field_uniqueness": "catalog-duplicate-code"}
_ALLOWED = {
    "direction": ", ".join(formulas.DIRECTIONS),
    "measure": ", ".join(formulas.MEASURES),
    "aggregation": ", ".join(formulas.AGGREGATIONS) + ", weighted:<indicator_code>",
}


def _check_frames(frames) -> Iterator[Issue]:
    import pandera.pandas as pa

    schemas = _schemas(frames)
    for sheet, frame in frames.items():
        try:
            schemas[sheet].validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            yield from _issues_from_failures(exc.failure_cases, frame, sheet)


def _issues_from_failures(failures, frame, sheet: str) -> Iterator[Issue]:
    letters = frame.attrs.get("letters", {})
    for case in failures.itertuples(index=False):
        if case.check == "column_in_dataframe":
            yield make_issue("catalog-missing-column", sheet=sheet, params={"column": case.failure_case})
            continue
        code = _PANDERA_CODES.get(case.check, case.check)
        if not code.startswith("catalog-"):
            continue  # a pandera-internal check (dtype and the like) says nothing to a clerk
        column = case.column
        row = None if case.index is None or (isinstance(case.index, float) and math.isnan(case.index)) else int(case.index)
        cell = f"{letters.get(column, '?')}{row}" if row is not None else None
        value = case.failure_case
        params = {"column": column}
        if code == "catalog-bad-choice":
            params["allowed"] = _ALLOWED.get(column, "")
        if code == "catalog-unknown-weight-indicator":
            params["weight"] = formulas.weight_indicator(str(value))
        yield make_issue(code, sheet=sheet, cell=cell, value=None if code == "catalog-missing-value" else value, params=params)


def _check_tree(units) -> Iterator[Issue]:
    """A cycle in the tree, and not exactly one root."""
    if "unit_code" not in units or "parent_code" not in units:
        return
    parent = {c: p for c, p in zip(units["unit_code"], units["parent_code"]) if c is not None}
    row_of = {c: r for c, r in zip(units["unit_code"], units.index) if c is not None}
    roots = [c for c, p in parent.items() if p is None]
    if len(roots) != 1:
        yield make_issue("catalog-root-count", sheet="units", value=", ".join(roots), params={"count": len(roots)})
    reported: set[str] = set()
    for start in parent:
        path, node = [], start
        while node is not None and node in parent and node not in path and node not in reported:
            path.append(node)
            node = parent[node]
        if node in path:
            cycle = path[path.index(node):]
            reported.update(cycle)
            rows = ", ".join(str(row_of[c]) for c in cycle)
            yield make_issue("catalog-tree-cycle", sheet="units", cell=f"C{row_of[cycle[0]]}",
                             value=" → ".join(cycle + [cycle[0]]), params={"rows": rows})
        reported.update(path)


def _check_target_kinds(targets, indicators) -> Iterator[Issue]:
    """Duplicate targets, and targets that do not fit their indicator's direction."""
    if not {"unit_code", "indicator_code", "target"} <= set(targets.columns) or "direction" not in indicators:
        return
    direction = dict(zip(indicators.get("indicator_code", []), indicators["direction"]))
    letters = targets.attrs.get("letters", {})
    seen: dict[tuple, list[int]] = {}
    for row, unit, ind, target in zip(targets.index, targets["unit_code"], targets["indicator_code"], targets["target"]):
        if unit is None or ind is None:
            continue
        seen.setdefault((unit, ind), []).append(row)
        kind = direction.get(ind)
        if kind is None or kind not in formulas.DIRECTIONS:
            continue
        cell = f"{letters.get('target', 'C')}{row}"
        if target is None and kind != formulas.BOOLEAN:
            yield make_issue("catalog-missing-value", sheet="targets", cell=cell, params={"column": "target"})
        elif target is not None and kind != formulas.BOOLEAN and parse_target(target) is None and parse_bool(target) is not None:
            yield make_issue("catalog-bad-target", sheet="targets", cell=cell, value=target)
    for (unit, ind), rows in seen.items():
        if len(rows) > 1:
            yield make_issue("catalog-duplicate-target", sheet="targets", cell=f"A{rows[1]}",
                             params={"rows": ", ".join(map(str, rows)), "unit_code": unit, "indicator_code": ind})


# --- building the objects ----------------------------------------------------------------


def _build(round_: Round, frames) -> Catalog:
    units = tuple(Unit(r.unit_code, r.unit_name, r.parent_code) for r in frames["units"].itertuples())
    indicators = tuple(
        Indicator(
            code=r.indicator_code, name=r.name, group=getattr(r, "group", None) or "",
            unit_of_measure=getattr(r, "unit_of_measure", None) or "",
            direction=r.direction, measure=r.measure, aggregation=r.aggregation,
            decimals=int(parse_number(d).value) if (d := getattr(r, "decimals", None)) is not None else DEFAULT_DECIMALS,
        )
        for r in frames["indicators"].itertuples()
    )
    by_code = {i.code: i for i in indicators}
    targets = []
    for r in frames["targets"].itertuples():
        baseline = getattr(r, "baseline", None)
        baseline_value = parse_number(baseline).value if baseline is not None else None
        if by_code[r.indicator_code].direction == formulas.BOOLEAN:
            targets.append(Target(r.unit_code, r.indicator_code, "Đạt", 1.0, 1.0, baseline_value))
            continue
        tv = parse_target(r.target)
        targets.append(Target(r.unit_code, r.indicator_code, tv.text, tv.low, tv.high, baseline_value))
    return Catalog(round_, units, indicators, tuple(targets))


def catalog_rows(catalog: Catalog) -> dict[str, list[dict[str, object]]]:
    """A catalog as sheet → rows, the inverse of load_catalog (for writing sample catalogs)."""
    r = catalog.round
    round_rows = [
        {"key": "round_id", "value": r.round_id}, {"key": "title", "value": r.title},
        {"key": "organisation", "value": r.organisation}, {"key": "baseline_year", "value": r.baseline_year},
        {"key": "target_year", "value": r.target_year}, {"key": "cutoff_date", "value": r.cutoff_date},
        {"key": "deadline", "value": r.deadline}, {"key": "low_threshold", "value": r.low_threshold},
        {"key": "allow_target_changes", "value": "true" if r.allow_target_changes else "false"},
        {"key": "expected_progress", "value": r.expected_progress}, {"key": "lang", "value": r.lang},
    ]
    return {
        "round": round_rows,
        "units": [{"unit_code": u.code, "unit_name": u.name, "parent_code": u.parent_code} for u in catalog.units],
        "indicators": [
            {"indicator_code": i.code, "name": i.name, "group": i.group, "unit_of_measure": i.unit_of_measure,
             "direction": i.direction, "measure": i.measure, "aggregation": i.aggregation, "decimals": i.decimals}
            for i in catalog.indicators
        ],
        "targets": [
            {"unit_code": t.unit_code, "indicator_code": t.indicator_code,
             # a plain number goes back as a number, so Excel does not flag "number stored as text"
             "target": t.low if not t.is_range and parse_number(t.text) is not None else t.text,
             "baseline": t.baseline}
            for t in catalog.targets
        ],
    }


# --- writing -------------------------------------------------------------------------------

ROUND_KEY_HELP = {
    "round_id": "Mã đợt, ví dụ SKGNK-2023 (ghi vào mọi phụ lục để nhận ra tệp của đợt này)",
    "title": "Tên đợt sơ kết",
    "organisation": "Cơ quan tổ chức đợt (cấp trên của đơn vị gốc)",
    "baseline_year": "Năm gốc, ví dụ 2020",
    "target_year": "Năm cuối nhiệm kỳ, ví dụ 2025",
    "cutoff_date": "Ngày chốt số liệu, ví dụ 30/06/2023",
    "deadline": "Hạn nộp, ví dụ 10/06/2023 (nộp trong ngày này vẫn đúng hạn)",
    "low_threshold": "Ngưỡng 'đạt thấp' của tiến độ, mặc định 0,8",
    "allow_target_changes": "true nếu cho phép đơn vị đề xuất/sửa chỉ tiêu; false nếu không",
    "expected_progress": "Tỷ lệ thời gian nhiệm kỳ đã qua (để trống: tự tính từ ngày chốt)",
    "lang": "Ngôn ngữ: vi hoặc en",
}

CATALOG_INSTRUCTIONS = """HƯỚNG DẪN LẬP DANH MỤC ĐỢT SƠ KẾT
Trang 'round': mỗi dòng một thông tin của đợt (cột key giữ nguyên, điền cột value).
Trang 'units': mỗi dòng một đơn vị: unit_code (mã, không trùng), unit_name (tên), parent_code (mã đơn vị cấp trên; để trống cho đơn vị gốc — chỉ một đơn vị gốc).
Trang 'indicators': mỗi dòng một chỉ tiêu: indicator_code, name, group (nhóm: Kinh tế, Xã hội...), unit_of_measure (ĐVT: %, tỷ đồng...), direction, measure, aggregation, decimals.
  direction: increase (càng cao càng tốt), decrease (càng thấp càng tốt), boolean (Đạt/Chưa đạt).
  measure: cumulative (cộng dồn cả nhiệm kỳ), level (giá trị tại thời điểm), average (bình quân/năm).
  aggregation (cách tổng hợp từ đơn vị cấp dưới): sum, mean, min, max, none, hoặc weighted:<mã chỉ tiêu trọng số> (ví dụ weighted:DANSO).
  decimals: số chữ số thập phân khi hiển thị (0–6).
Trang 'targets': mỗi dòng một chỉ tiêu của một đơn vị: unit_code, indicator_code, target (số, ví dụ 12,5, hoặc khoảng 7–7,5), baseline (giá trị năm gốc, nếu có).
  Phụ lục của mỗi đơn vị gồm đúng các chỉ tiêu có trong trang này. Đơn vị không có dòng nào ở đây thì không phải nộp; số liệu của đơn vị đó được tổng hợp từ cấp dưới.
Không đổi tên trang và tên cột. Các cột/ trang khác (như cột description, trang này) được bỏ qua khi đọc.
"""


def write_catalog_workbook(path: str | Path, rows: dict[str, list[dict[str, object]]] | None = None) -> None:
    """Write a catalog workbook: the blank template when `rows` is None, else those rows."""
    import xlsxwriter

    from .fileio import XLSXWRITER_OPTIONS, atomic_output

    if rows is None:
        rows = {"round": [{"key": k, "value": None} for k in ROUND_KEYS], "units": [], "indicators": [], "targets": []}
    with atomic_output(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), XLSXWRITER_OPTIONS)
        head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
        date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
        text_fmt = wb.add_format({"num_format": "@"})
        for sheet, columns in SHEETS.items():
            ws = wb.add_worksheet(sheet)
            header = list(columns) + (["description"] if sheet == "round" else [])
            for c, name in enumerate(header):
                ws.write_string(0, c, name, head)
                ws.set_column(c, c, 60 if name in ("description", "name", "unit_name") else 18)
            for r, record in enumerate(rows.get(sheet, []), start=1):
                for c, name in enumerate(columns):
                    value = record.get(name)
                    if value is None or value == "":
                        continue
                    if isinstance(value, date):
                        ws.write_datetime(r, c, datetime(value.year, value.month, value.day), date_fmt)
                    elif isinstance(value, (int, float)) and not isinstance(value, bool):
                        ws.write_number(r, c, value)
                    else:
                        ws.write_string(r, c, str(value), text_fmt if name == "target" else None)
                if sheet == "round":
                    ws.write_string(r, 2, ROUND_KEY_HELP.get(str(record.get("key")), ""))
            ws.freeze_panes(1, 0)
            if sheet == "indicators":
                for name, allowed in (("direction", formulas.DIRECTIONS), ("measure", formulas.MEASURES)):
                    c = columns.index(name)
                    ws.data_validation(1, c, 5000, c, {"validate": "list", "source": list(allowed)})
        guide = wb.add_worksheet("Hướng dẫn")
        guide.set_column(0, 0, 140)
        for n, line in enumerate(CATALOG_INSTRUCTIONS.splitlines()):
            guide.write_string(n, 0, line)
        wb.close()
