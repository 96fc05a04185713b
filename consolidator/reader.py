"""Read a returned appendix: which unit and round it is, where its table is, what each cell says.

The table is found by its header labels and the indicator codes, never by fixed positions:
rows inserted, deleted or moved, extra blank rows and a renamed sheet still read. Each input
cell becomes a value and a state ("ok", "blank", "word", ...); validate.py turns the states
into issues with one pandera schema over every submission at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from functools import lru_cache

from . import formulas, layout
from .fileio import sha256_file
from .messages import LabelRef
from .model import (Catalog, CellReading, CellState, FileReading, Identity, Indicator, Issue, ReadOutcome, Round,
                    RowReading, Target, make_issue)
from .numbers import is_no_data, normalize_text, parse_bool, parse_number, parse_target
from .cellref import column_letters
from .xlsx import Cell, Sheet, UnreadableWorkbook, Workbook, os_error_reason, read_workbook

HEADER_SCAN_ROWS = 60
HEADER_SCAN_COLS = 40
MIN_HEADER_MATCHES = 3
ESSENTIAL_COLUMNS = ("indicator_code", "result", "target")
# More locked rows than a unit has indicators cannot be ours; the sheet caps bound it anyway.
MAX_LOCKED_ROWS = 2_000
_ROMAN = re.compile(r"^[IVXLC]+\.?$")
# Labels whose text depends on the round (month, year): matched by how they start.
_LABEL_PREFIXES = {
    "thực hiện đến": "result", "result up to": "result",
    "năm gốc": "baseline", "baseline": "baseline",
    "ước thực hiện": "estimate", "estimate for": "estimate",
    "so với chỉ tiêu": "pct", "% of target": "pct",
    "đề xuất điều chỉnh": "proposed_target", "proposed target": "proposed_target",
}


# --- identification --------------------------------------------------------------------------


def identify(workbook: Workbook, catalog: Catalog, file_name: str) -> tuple[Identity, list[Issue]]:
    """Round and unit from the metadata sheet (any visibility), else the header or the file name."""
    issues: list[Issue] = []
    meta_sheet = workbook.sheet(layout.META_SHEET)
    if meta_sheet is not None:
        identity = _identity_from_metadata(meta_sheet)
    else:
        identity = _identify_without_metadata(workbook, catalog, file_name)
        code = "no-metadata" if identity.unit_code else "unidentified-file"
        issues.append(make_issue(code, sheet=layout.META_SHEET, value=file_name))
        if identity.unit_code is None:
            return identity, issues
    r = catalog.round
    if identity.round_id is not None and identity.round_id != r.round_id:
        issues.append(make_issue("wrong-round", value=identity.round_id, params={"expected": r.round_id}))
    if identity.unit_code not in catalog.targets_by_unit:
        issues.append(make_issue("unknown-unit", value=identity.unit_code))
    elif identity.source == "metadata":
        if identity.template_version not in layout.SUPPORTED_TEMPLATE_VERSIONS:
            issues.append(make_issue("old-template", value=identity.template_version,
                                     params={"expected": layout.TEMPLATE_VERSION}))
        if identity.round_id == r.round_id:
            issues.extend(_catalog_changes(identity, catalog))
        prefix = unit_code_from_file_name(file_name, catalog)
        if prefix is not None and prefix != identity.unit_code:
            issues.append(make_issue("file-name-mismatch", value=file_name, params={"unit_code": identity.unit_code}))
    return identity, issues


def _identity_from_metadata(sheet: Sheet) -> Identity:
    meta = {normalize_text(sheet.value(r, 1)): normalize_text(sheet.value(r, 2))
            for r in range(1, layout.META_LOCKED_ROW) if sheet.value(r, 1) is not None}
    identity = Identity(meta.get("round_id") or None, meta.get("unit_code") or None,
                        meta.get("template_version") or None, meta.get("fingerprint") or None, "metadata",
                        _utc(meta.get("generated_at")))
    locked = []
    value = sheet.value
    for row in range(layout.META_LOCKED_ROW, layout.META_LOCKED_ROW + MAX_LOCKED_ROWS):
        if value(row, 1) is None:
            break
        locked.append((_meta_text(value(row, 1)), _meta_text(value(row, 2)), _meta_text(value(row, 3)),
                       _meta_text(value(row, 4)), _meta_text(value(row, 5))))
    # Trusted only when it is what the fingerprint was made of: a hand-edited hidden sheet
    # falls back to the current catalog, as a file of the first template version does.
    if locked and identity.round_id and identity.unit_code and identity.fingerprint == layout.fingerprint(
            identity.round_id, identity.unit_code, locked):
        return replace(identity, locked=tuple(locked))
    return identity




def _meta_text(value: object) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def _utc(text: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def _catalog_changes(identity: Identity, catalog: Catalog) -> list[Issue]:
    """`catalog-changed` naming what the office changed since the file was generated."""
    current = layout.locked_content(catalog, identity.unit_code)
    if not identity.locked:
        expected = layout.fingerprint(catalog.round.round_id, identity.unit_code, current)
        return [make_issue("catalog-changed", sheet=layout.META_SHEET)] if identity.fingerprint != expected else []
    then = {row[0]: row for row in identity.locked}
    now = {row[0]: tuple(map(str, row)) for row in current}
    changed = [code for code in dict.fromkeys([*then, *now]) if then.get(code) != now.get(code)]
    if not changed:
        return []
    names = {**{c: row[1] for c, row in then.items()}, **{c: row[1] for c, row in now.items()}}
    return [make_issue("catalog-changed", sheet=layout.META_SHEET,
                       params={"indicators": "; ".join(f"{code} ({names[code]})" for code in changed)})]


def generated_targets(identity: Identity, unit_code: str) -> dict[str, Target] | None:
    """The unit's targets as its file was generated with them; None when the file does not say."""
    if not identity.locked:
        return None
    out = {}
    for code, _name, _unit, text, baseline in identity.locked:
        parsed = parse_target(text)
        base = parse_number(baseline) if baseline else None
        out[code] = Target(unit_code, code, text, parsed.low if parsed else None, parsed.high if parsed else None,
                           base.value if base else None)
    return out


def _identify_without_metadata(workbook: Workbook, catalog: Catalog, file_name: str) -> Identity:
    by_name = {normalize_text(u.name).upper(): u.code for u in catalog.units}
    for sheet in workbook.sheets:
        # The unit's own name row, not the parent's above it: both are unit names.
        code = by_name.get(normalize_text(sheet.value(layout.UNIT_NAME_ROW, 1)).upper())
        if code:
            return Identity(None, code, source="header")
    prefix = unit_code_from_file_name(file_name, catalog)
    if prefix is not None:
        return Identity(None, prefix, source="file name")
    return Identity(None, None, source="none")


def unit_code_from_file_name(file_name: str, catalog: Catalog) -> str | None:
    """The unit a `<unit_code>_…` file name names, if any."""
    # Only the parts of the name before an "_" can be codes: looking those up costs less
    # than testing each of a large catalog's units against the name, once per file.
    prefixes = (file_name[:i] for i, ch in enumerate(file_name) if ch == "_")
    return layout.unit_code_from_filename(file_name, [p for p in prefixes if p in catalog.unit_by_code])


# --- locating the table ------------------------------------------------------------------------


def _column_key(text: object, lookup: Mapping[str, str]) -> str | None:
    label = layout.normalize_label(text)
    if not label:
        return None
    if label in lookup:
        return lookup[label]
    return next((key for prefix, key in _LABEL_PREFIXES.items() if label.startswith(prefix)), None)


class _ColumnKeys(dict):
    """Cell text → _column_key (None: not a header label) for one round, remembered: the
    same labels, titles and indicator names are in every file of the round."""

    def __init__(self, round_: Round):
        super().__init__()
        self.lookup = layout.label_lookup(round_)

    def __missing__(self, text: str) -> str | None:
        key = _column_key(text, self.lookup)
        if len(self) < 20_000 and len(text) <= 300:
            self[text] = key
        return key


@lru_cache(maxsize=4)
def _column_keys(round_: Round) -> _ColumnKeys:
    return _ColumnKeys(round_)


@lru_cache(maxsize=1)
def _appendix_sheet_names() -> frozenset[str]:
    """The appendix sheet's name in each language, normalised."""
    return frozenset(layout.normalize_label(layout.sheet_names(lang)[0]) for lang in ("vi", "en"))


def find_table(workbook: Workbook, catalog: Catalog) -> tuple[Sheet | None, int, dict[str, int]]:
    """The sheet, header row and column positions of the appendix table (None when absent)."""
    keys = _column_keys(catalog.round)
    names = _appendix_sheet_names()
    candidates = sorted(
        (s for s in workbook.sheets if s.name != layout.META_SHEET),
        key=lambda s: (layout.normalize_label(s.name) not in names, s.state != "visible"),
    )
    for sheet in candidates:
        # Only text cells near the top can be header labels; look at those, not at every
        # position of the scan window (this runs once per returned file). In row and column
        # order, so that a label found twice in a row counts where it is first.
        found = []
        for (row, col), cell in sheet.cells.items():
            if row <= HEADER_SCAN_ROWS and col <= HEADER_SCAN_COLS and isinstance(cell.value, str):
                key = keys[cell.value]
                if key:
                    found.append((row, col, key))
        by_row: dict[int, dict[str, int]] = {}
        for row, col, key in sorted(found):
            by_row.setdefault(row, {}).setdefault(key, col)
        if by_row:
            best_row = max(by_row, key=lambda r: (len(by_row[r]), -r))
            if len(by_row[best_row]) >= MIN_HEADER_MATCHES:
                return sheet, best_row, by_row[best_row]
    return None, 0, {}


# --- reading cells ------------------------------------------------------------------------------


def read_number(cell: Cell | None, indicator: Indicator | None, references: tuple = ()) -> CellReading:
    """A result or estimate cell, read the way the indicator needs it.

    `references` are the indicator's own figures (target bounds, baseline): "7.000" for a
    target of 8.000 is seven thousand beyond doubt, and is flagged only when the other
    reading (7) is of the indicator's size too.
    """
    if cell is None:
        return CellReading(None, CellState.BLANK)
    raw = cell.value
    if cell.kind == "blank" and cell.formula is not None:
        return CellReading(None, CellState.FORMULA_NO_CACHE, "=" + cell.formula)
    if cell.kind == "e":
        return CellReading(None, CellState.ERROR_VALUE, raw)
    if indicator is not None and indicator.direction == formulas.BOOLEAN:
        if isinstance(raw, str) and is_no_data(raw):
            return CellReading(None, CellState.BLANK, raw)
        flag = parse_bool(raw)
        return CellReading(None if flag is None else float(flag), CellState.OK if flag is not None else CellState.NOT_BOOLEAN, raw)
    if cell.kind == "b":
        return CellReading(None, CellState.WORD, raw)
    if cell.kind == "n":
        if cell.is_date_format:
            return CellReading(None, CellState.DATE, raw)
        value = float(raw)
        # 4,75% typed into a cell becomes 0.0475 shown as a percentage: read what was shown.
        return CellReading(value * 100 if cell.is_percent_format else value, CellState.OK, raw)
    text = normalize_text(raw)
    if is_no_data(text):
        return CellReading(None, CellState.BLANK, raw)
    number = parse_number(text)
    if number is None:
        return CellReading(None, CellState.WORD, raw)
    # "1,234.5" has one reading only (the English one), so it is no ambiguity to flag.
    ambiguous = number.alternative is not None and formulas.is_plausible(number.alternative, references)
    return CellReading(number.value, CellState.AMBIGUOUS if ambiguous else CellState.OK, raw)


def _text(cell: Cell | None) -> str:
    if cell is None:
        return ""
    if cell.value is None:
        # A formula nobody calculated: keep what the unit typed, as text (never evaluated).
        return "=" + cell.formula if cell.formula else ""
    if cell.kind == "n" and isinstance(cell.value, float) and cell.value.is_integer():
        return str(int(cell.value))
    return normalize_text(cell.value)


def _same_target(cell: Cell | None, low: float | None, high: float | None, text: str) -> bool:
    if cell is None or cell.value is None:
        return low is None
    if isinstance(cell.value, str) and normalize_text(cell.value) == text:
        return True
    parsed = parse_target(cell.value if cell.kind == "n" else normalize_text(cell.value))
    if parsed is None or low is None:
        return parse_bool(cell.value) is True and low == 1.0 == high  # a boolean's "Đạt"
    return _close(parsed.low, low) and _close(parsed.high, high)


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def read_file(workbook: Workbook, catalog: Catalog, file_name: str) -> FileReading:
    """Identify a workbook and read its appendix table into rows."""
    identity, issues = identify(workbook, catalog, file_name)
    if identity.unit_code is None or identity.unit_code not in catalog.targets_by_unit:
        return FileReading(identity, None, (), tuple(issues), workbook.modified)
    sheet, header_row, columns = find_table(workbook, catalog)
    if sheet is None and identity.source == "file name":
        # Only its name said whose it is, and it holds no appendix: some other workbook that
        # happens to start with a unit's code. It is no one's submission, and must not
        # displace the unit's real file.
        unknown = Identity(None, None, source="none")
        return FileReading(unknown, None, (), (make_issue("unidentified-file", sheet=layout.META_SHEET,
                                                          value=file_name),), workbook.modified)
    if sheet is None:
        issues.append(make_issue("appendix-not-found", params={"expected": layout.sheet_names("vi")[0]}))
        return FileReading(identity, None, (), tuple(issues), workbook.modified)
    if layout.normalize_label(sheet.name) not in _appendix_sheet_names():
        issues.append(make_issue("sheet-renamed", sheet=sheet.name, params={"expected": layout.sheet_names("vi")[0]}))
    labels = layout.header_labels(catalog.round, "vi")
    for key in ESSENTIAL_COLUMNS:
        if key not in columns:
            issues.append(make_issue("missing-column", sheet=sheet.name, cell=f"{header_row}",
                                     params={"column": labels[key]}))
    if any(key not in columns for key in ESSENTIAL_COLUMNS):
        return FileReading(identity, sheet.name, (), tuple(issues), workbook.modified)
    rows, row_issues = _read_rows(sheet, header_row, columns, catalog, identity.unit_code,
                                  generated_targets(identity, identity.unit_code))
    issues.extend(row_issues)
    return FileReading(identity, sheet.name, tuple(rows), tuple(issues), workbook.modified)


def _read_rows(sheet: Sheet, header_row: int, columns: dict[str, int], catalog: Catalog, unit_code: str,
               generated: Mapping[str, Target] | None = None):
    """The table's rows. A unit's changes are judged against `generated`, the targets its file
    was made with, when known: what the office changed since is not the unit's doing."""
    targets = catalog.unit_targets(unit_code)
    letters = {key: column_letters(col) for key, col in columns.items()}
    last_row = max(sheet.cells, default=(header_row, 0))[0]
    rows: list[RowReading] = []
    issues: list[Issue] = []
    seen: dict[str, int] = {}

    def cell(row: int, key: str) -> Cell | None:
        col = columns.get(key)
        return sheet.cells.get((row, col)) if col else None

    for r in range(header_row + 1, last_row + 1):
        code = _text(cell(r, "indicator_code"))
        if code:
            if code not in targets:
                if generated is None or code not in generated:  # else the office dropped it: catalog-changed
                    issues.append(make_issue("unknown-indicator", sheet=sheet.name,
                                             cell=f"{letters['indicator_code']}{r}", value=code))
                continue
            if code in seen:
                issues.append(make_issue("duplicate-indicator-row", sheet=sheet.name, cell=f"{letters['indicator_code']}{r}",
                                         indicator_code=code, params={"first_row": seen[code],
                                                                      "indicator_name": catalog.indicator_by_code[code].name}))
                continue
            seen[code] = r
            judged = targets[code] if generated is None else generated.get(code, targets[code])
            rows.append(_indicator_row(r, code, cell, letters, catalog.indicator_by_code[code], judged))
            continue
        tt = _text(cell(r, "tt"))
        content = {key: _text(cell(r, key)) for key in ("name", "unit_of_measure", "target", "result", "estimate")}
        if _ROMAN.match(tt) or not any(content.values()):
            continue  # a group heading (numbered I, II, …) or an empty row
        # Anything else without a code is an indicator the unit added itself, wherever it stands.
        rows.append(_extra_row(r, cell, letters, content))
    for code in targets:
        # an indicator the office added after the file was made is not the unit's to have
        if code not in seen and (generated is None or code in generated):
            issues.append(make_issue("missing-indicator", sheet=sheet.name, indicator_code=code,
                                     value=catalog.indicator_by_code[code].name))
    return rows, issues


def _indicator_row(r, code, cell, letters, indicator: Indicator, target) -> RowReading:
    proposed = _text(cell(r, "proposed_target"))
    proposed_state = "blank" if not proposed or is_no_data(proposed) else (
        "ok" if parse_target(proposed) is not None or (indicator.direction == formulas.BOOLEAN and parse_bool(proposed) is not None)
        else "bad")
    target_cell, baseline_cell = cell(r, "target"), cell(r, "baseline")
    target_same = _same_target(target_cell, target.low, target.high, target.text)
    baseline_same = "baseline" not in letters or _same_target(baseline_cell, target.baseline, target.baseline, "")
    references = (target.low, target.high, target.baseline)
    return RowReading(
        kind="indicator", excel_row=r, indicator_code=code, letters=letters,
        result=read_number(cell(r, "result"), indicator, references),
        estimate=read_number(cell(r, "estimate"), indicator, references),
        proposed_target=proposed if proposed_state != "blank" else "", proposed_state=proposed_state,
        note=_text(cell(r, "note")),
        target_raw=None if target_cell is None else target_cell.value, 
        target_state="same" if target_same else "changed",
        baseline_raw=None if baseline_cell is None else baseline_cell.value, baseline_expected=target.baseline,
        baseline_state="same" if baseline_same else "changed",
        name=indicator.name, target_text=target.text,
    )


def _extra_row(r, cell, letters, content) -> RowReading:
    target_text = content["target"]
    own = parse_target(target_text)
    references = (own.low, own.high) if own else ()
    return RowReading(
        kind="extra", excel_row=r, indicator_code=None, letters=letters,
        result=read_number(cell(r, "result"), None, references),
        estimate=read_number(cell(r, "estimate"), None, references),
        proposed_target="", proposed_state="blank", note=_text(cell(r, "note")),
        name=content["name"], unit_of_measure=content["unit_of_measure"], extra_target=target_text,
        extra_target_state="blank" if not target_text else ("ok" if parse_target(target_text) is not None else "bad"),
    )


# --- one file, start to end (what a reading worker does) -------------------------------------


def read_outcome(path: Path, catalog: Catalog) -> ReadOutcome:
    """Read one returned file: its table, or why it cannot be read; its time and SHA-256."""
    try:
        received, digest = _stamp(path)
    except OSError as exc:
        issue = make_issue("file-corrupt", params=os_error_reason(exc))
        return ReadOutcome(path, None, issue, datetime.now(timezone.utc), "")
    try:
        reading, unreadable = read_one(path, catalog)
    except MemoryError:
        reading, unreadable = None, make_issue("file-too-large", params={"reason": LabelRef("reason_memory")})
    if reading is not None and reading.identity.locked:
        # What the file was generated with has been judged here (catalog changes, the
        # targets a change is judged against); the rest of the run never looks at it, and it
        # was a third of what passing a result to the parent and holding it there cost.
        reading = replace(reading, identity=replace(reading.identity, locked=()))
    return ReadOutcome(path, reading, unreadable, received, digest)


def read_one(path: Path, catalog: Catalog) -> tuple[FileReading | None, Issue | None]:
    """Read one file; an unreadable one gives its issue instead. Never raises for file content."""
    try:
        workbook = read_workbook(path)
    except UnreadableWorkbook as exc:
        # where the reader names a sheet and cell, they are the Issue's position, not message params
        params = dict(exc.params)
        return None, make_issue(exc.code, sheet=params.pop("sheet", None), cell=params.pop("cell", None), params=params)
    except OSError as exc:
        return None, make_issue("file-corrupt", params=os_error_reason(exc))
    return read_file(workbook, catalog, path.name), None


def reading_failed(path: Path, code: str, params: dict) -> ReadOutcome:
    """The outcome of a file whose reading worker died, hung or ran out of memory."""
    try:
        received, digest = _stamp(path)
    except OSError:
        received, digest = datetime.now(timezone.utc), ""
    return ReadOutcome(path, None, make_issue(code, params=params), received, digest)


def _stamp(path: Path) -> tuple[datetime, str]:
    """The file's modification time and its SHA-256."""
    return datetime.fromtimestamp(os.stat(path).st_mtime, tz=timezone.utc), sha256_file(path)
