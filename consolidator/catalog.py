"""The round's catalog workbook (DESIGN.md §4): read, validate, refuse with every problem listed.

Each of the sheets `units`, `indicators`, `targets` becomes a DataFrame whose index is the
Excel row number, and a pandera schema built from the catalog itself (the set of unit
codes, of indicator codes) checks it lazily: every failure case carries its row, so each
problem is reported with its cell. The `round` sheet is a key/value list checked in code.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from array import array
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from operator import attrgetter, itemgetter
from pathlib import Path

from . import formulas
from .errors import CatalogError
from .gcpause import collector_paused
from .messages import LabelRef
from .model import Catalog, Indicator, Issue, Round, Target, Unit, make_issue
from .numbers import TargetValue, normalize_text, parse_bool, parse_number, parse_target

SHEETS = {
    "round": ("key", "value"),
    "units": ("unit_code", "unit_name", "parent_code"),
    "indicators": (
        "indicator_code", "name", "group", "unit_of_measure",
        "direction", "measure", "aggregation", "decimals",
    ),
    "targets": ("unit_code", "indicator_code", "target", "baseline"),
}
# Columns a sheet may have beside its required ones; the blank template carries them.
OPTIONAL_COLUMNS = {"units": ("organisation_name",)}
# Codes and names: read as text whatever was typed (a unit code 101 is the text "101").
TEXT_COLUMNS = {
    "units": frozenset({"unit_code", "unit_name", "parent_code", "organisation_name"}),
    "indicators": frozenset({"indicator_code", "name", "group", "unit_of_measure", "direction", "measure",
                             "aggregation"}),
    "targets": frozenset({"unit_code", "indicator_code"}),
}
REQUIRED_ROUND_KEYS = ("round_id", "title", "organisation", "baseline_year", "target_year", "cutoff_date", "deadline")
ROUND_KEYS = REQUIRED_ROUND_KEYS + ("low_threshold", "allow_target_changes", "expected_progress", "lang", "place")
DEFAULT_DECIMALS = 1


def load_catalog(path: str | Path) -> Catalog:
    """Read and validate a catalog workbook; raise CatalogError listing every problem."""
    with collector_paused():
        return _load(Path(path))


def _load(path: Path) -> Catalog:
    sheets = _read_workbook(path)
    try:
        return _check(path, sheets)
    finally:
        if isinstance(targets := sheets.get("targets"), _Later):
            targets.join()  # whatever happened, no thread of ours reads on after the call


def _check(path: Path, sheets: dict[str, _Sheet | _Later]) -> Catalog:
    issues: list[Issue] = []
    for name, columns in SHEETS.items():
        if name not in sheets:
            issues.append(make_issue("catalog-missing-sheet", sheet=name, params={"columns": ", ".join(columns)}))
    round_ = _read_round(sheets["round"].records() if "round" in sheets else None, issues)
    # the small sheets first: calamine may still be reading the targets meanwhile (see _Later)
    frames = {name: _frame(sheets[name], name) for name in ("units", "indicators") if name in sheets}
    schemas = _schemas(frames)
    found = {name: list(_check_frame(schemas, frame, name)) for name, frame in frames.items()}
    tree = list(_check_tree(frames["units"])) if "units" in frames else []
    if "targets" in sheets:
        frames["targets"] = _frame(_ready(sheets["targets"]), "targets")
        found["targets"] = list(_check_frame(schemas, frames["targets"], "targets"))
    for sheet_issues in found.values():
        issues.extend(sheet_issues)
    issues.extend(tree)
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
# Our own reader, for a workbook calamine is not given, takes ~13 µs and ~250 bytes at its
# peak a cell (a 10,000-unit catalog, 1.2 million cells: 16 s, 300 MiB): two million cells
# (500,000 target rows) is about half a minute and 500 MiB for a sheet.
CATALOG_MAX_CELLS = 2_000_000


def _limits():
    from .xlsx import Limits

    mib = 1 << 20
    return Limits(max_file_bytes=CATALOG_LIMITS_MIB * mib, max_member_bytes=4 * CATALOG_LIMITS_MIB * mib,
                  max_total_bytes=8 * CATALOG_LIMITS_MIB * mib, max_row=1_048_576, max_col=64,
                  max_cells=CATALOG_MAX_CELLS)


class _Sheet:
    """A sheet's non-blank rows: their Excel row numbers, and their cells column by column.

    `columns[c]` is column c (0 = A) as wide as the last column holding a value. Cells are
    clean: text NFC-normalised and stripped, a date-formatted number a datetime, and a blank
    cell, blank text, an error or a non-finite number None. `dated[c]`: column c holds a
    datetime (see _frame).
    """

    __slots__ = ("rows", "columns", "dated")

    def __init__(self, rows: Sequence[int], columns: list[list], dated: list[bool]):
        self.rows, self.columns, self.dated = rows, columns, dated

    def records(self) -> list[tuple[int, tuple]]:
        """(Excel row, its cells) per row."""
        return list(zip(self.rows, zip(*self.columns)))


_EMPTY = _Sheet([], [], [])


def _read_workbook(path: Path) -> dict[str, _Sheet | _Later]:
    """The catalog's sheets by lower-cased name (a later one of the same name wins)."""
    from .xlsx import UnreadableWorkbook, check_package, os_error_reason

    limits = _limits()
    try:
        data = check_package(path, limits)
        if _cells_are_plain(data):
            return _read_calamine(data, path)
        return _read_own(path, limits)
    except UnreadableWorkbook as exc:
        raise _unreadable(path, exc.as_reason()) from exc
    except OSError as exc:
        raise _unreadable(path, os_error_reason(exc)) from exc


def _unreadable(path: Path, reason: dict[str, object]) -> CatalogError:
    return CatalogError(str(path), [make_issue("catalog-unreadable", params=dict(reason))])


class _Later:
    """A sheet calamine reads in a thread of its own, while the smaller sheets are checked.

    calamine lets go of the GIL while it parses, which is most of a large catalog's reading
    (the targets sheet: 0.7 s for 300,000 rows).
    """

    def __init__(self, read, path: Path):
        self._read, self._path = read, path
        self._grid = self._error = None
        self._thread = threading.Thread(target=self._run, name="catalog-targets", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._grid = self._read()
        except BaseException as exc:  # handed to the caller of result()
            self._error = exc

    def join(self) -> None:
        self._thread.join()

    def result(self) -> _Sheet:
        from .xlsx import UnreadableWorkbook

        self._thread.join()
        if isinstance(self._error, UnreadableWorkbook):
            raise _unreadable(self._path, self._error.as_reason()) from self._error
        if self._error is not None:
            raise self._error
        grid, start = self._grid
        return _EMPTY if start is None else _sheet_from_grid(grid, *start)


def _ready(sheet: _Sheet | _Later) -> _Sheet:
    return sheet.result() if isinstance(sheet, _Later) else sheet


# calamine (Rust, ten times faster than our reader) turns a sheet into a dense grid from its
# first cell to its last, without limit: two cells far apart (A1 and XFD1048576, in a 2 KB
# file) make it allocate 550 GB and abort the process, where our reader refuses "sheet too
# large". So calamine reads a workbook only if every cell element in every part is written
# the plain way Excel, LibreOffice, openpyxl and xlsxwriter write it, `<c r="B12" s="3" t="s">`,
# position first, and at a position that bounds the grid: column A-Z and row < 100,000, or
# column A-H and row < 1,000,000 (at most 8 million slots). Anything else goes to our own
# reader, slower but bounded, which also says what is wrong: a cell far away, without its
# position or with two, a prefixed element, UTF-16, a damaged member; and what the two
# readers take differently: an ISO date cell (t="d", text to ours) and a DTD (refused by ours).
_ODD_CELL = re.compile(  # possessive (*+): no backtracking, a third faster
    rb'<c(?! r="(?:[A-Z][1-9][0-9]{0,4}+|[A-H][1-9][0-9]{5})"(?: (?:s|t|cm|vm|ph)="[^"]*+")*+/?>)(?=[\s>/])')
_PREFIXED_CELL = re.compile(rb":c[\s>/]")
_NOT_PLAIN = (b't="d"', b"<!DOCTYPE")
_DECLARED_ENCODING = re.compile(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)""")
_ASCII_BASED = {b"utf-8", b"utf8", b"us-ascii", b"ascii", b"iso-8859-1", b"latin1", b"windows-1252"}
# count="…", uniqueCount="…" (and any other …ount="…", which can only send a workbook to our
# reader). Not led by [A-Za-z]*: tried at every letter of a run of letters, that scanned the
# rest of the run each time (a 32,767-letter cell took seconds); nor by [Cc]: a literal start
# is searched for seven times faster.
_COUNT = re.compile(rb'ount="([0-9]{1,20})"')
_SCAN_CHUNK = 4 << 20
_SCAN_OVERLAP = 256  # longer than a plain cell tag: a tag cut by a chunk's end is seen whole in the next

# calamine copies a shared string into every cell naming it, in Rust and again in Python:
# 100,000 cells naming one 32,767-letter string take 3.3 GB each time, from a 0.5 MB file
# (our reader shares one string among its cells). So calamine gets a workbook only if those copies
# stay within this (a 10,000-unit catalog's: 17 MiB).
CALAMINE_MAX_TEXT_COPIES = 256 << 20
_MAX_SHARED_ITEMS = 8_000_000  # as many as calamine's largest grid has cells
_SHARED_ITEM = re.compile(rb"<si[\s>/]")
_SHARED_REF_ATTR = b' t="s"'
_SHARED_REF = re.compile(rb' t="s"><v>([0-9]{1,10})</v>')  # a plain cell naming a shared string: its index


def _cells_are_plain(data: bytes) -> bool:
    """Whether calamine may read this package (its members' sizes already checked): see above."""
    import io
    import struct
    import zipfile
    import zlib
    from concurrent.futures import ThreadPoolExecutor

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf, ThreadPoolExecutor(1) as inflater:
            shared = _SharedText()
            for info in zf.infolist():
                buf = b""
                size = counted = 0
                items = shared.member(info)
                for chunk in _inflated(zf, info, inflater):
                    if not buf and not _ascii_based(chunk):
                        return False
                    size += len(chunk)
                    counted = max([counted, *map(int, _COUNT.findall(chunk))])
                    buf = buf[-_SCAN_OVERLAP:] + chunk
                    # a match within the last bytes of a chunk is judged again with the next
                    end = len(buf) - _SCAN_OVERLAP if chunk else len(buf)
                    if any(literal in buf for literal in _NOT_PLAIN):
                        return False
                    for pattern in (_ODD_CELL, _PREFIXED_CELL):
                        if (found := pattern.search(buf)) is not None and found.start() < end:
                            return False
                    if not items.add(buf, len(chunk), size):
                        return False
                # calamine reserves memory for the items a part says it counts (an <sst> of
                # four billion strings aborts the process): each takes bytes of the part.
                if counted > size:
                    return False
                items.close(size)
            return shared.copies_fit(lambda info: _inflated(zf, info, inflater))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, LookupError,
            NotImplementedError, RuntimeError, struct.error, OverflowError):
        return False  # damaged: our reader says how


class _SharedText:
    """The bytes calamine's copies of shared strings would take, bounded from above.

    While the parts are scanned: each part's items (<si>, as the shared strings part holds
    them; any part may be that one) and its cells naming one (t="s"). If every such cell
    naming the longest item fits, that is all; else the parts with such cells are read again
    for the item each names, and a cell that does not read plainly counts as the longest.
    """

    def __init__(self):
        self.parts: list[_PartText] = []

    def member(self, info) -> _PartText:
        self.parts.append(part := _PartText(info))
        return part

    def copies_fit(self, inflated) -> bool:
        import numpy as np

        sizes = np.zeros(0, dtype=np.int64)
        for part in self.parts:  # in effect one part; if several, each item at its largest
            if part.sizes is not None:
                longer = max(len(sizes), len(part.sizes))
                sizes = np.maximum(np.pad(sizes, (0, longer - len(sizes))),
                                   np.pad(part.sizes, (0, longer - len(part.sizes))))
        refs = sum(part.refs for part in self.parts)
        longest = int(sizes.max()) if len(sizes) else 0
        if refs * longest <= CALAMINE_MAX_TEXT_COPIES:
            return True
        named = matched = 0
        for part in self.parts:
            if part.refs:
                for chunk in inflated(part.info):
                    # a cell cut by a chunk's end is not matched, so counts as the longest
                    found = np.array(_SHARED_REF.findall(chunk)).astype(np.int64)
                    matched += len(found)
                    named += int(sizes[found[found < len(sizes)]].sum())
        return named + max(0, refs - matched) * longest <= CALAMINE_MAX_TEXT_COPIES


class _PartText:
    """One part's shared-string items (their sizes in bytes) and its cells naming one, as scanned."""

    def __init__(self, info):
        self.info = info
        self.starts = array("q")
        self.sizes = None
        self.refs = 0

    def add(self, buf: bytes, new: int, size: int) -> bool:
        """Count what `buf` holds in its `new` last bytes (`size`: the part's bytes so far); False: too many items."""
        offset = size - len(buf)  # of buf[0] in the part
        # a match starting within the bytes before the new ones was incomplete then: seen now
        self.refs += buf.count(_SHARED_REF_ATTR, max(0, len(buf) - new - len(_SHARED_REF_ATTR) + 1))
        begin = max(0, len(buf) - new - 3)
        self.starts.extend(offset + m.start() for m in _SHARED_ITEM.finditer(buf, begin))
        return len(self.starts) <= _MAX_SHARED_ITEMS

    def close(self, size: int) -> None:
        import numpy as np

        if self.starts:
            self.sizes = np.diff(np.append(np.frombuffer(self.starts, dtype=np.int64), size))
        self.starts = None


def _inflated(zf, info, inflater) -> Iterator[bytes]:
    """A member's bytes in chunks, then b"": each inflated (zlib, off the GIL) while the one before is scanned."""
    with zf.open(info) as member:
        pending = inflater.submit(member.read, _SCAN_CHUNK)
        try:
            while chunk := pending.result():
                pending = inflater.submit(member.read, _SCAN_CHUNK)
                yield chunk
            yield b""
        finally:
            pending.exception()  # the member is not closed under a read still running


def _ascii_based(head: bytes) -> bool:
    """Whether an XML part's markup is ASCII bytes (not UTF-16 and the like), by its start."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" in head[:4]:
        return False
    declared = _DECLARED_ENCODING.match(head[:512])
    return declared is None or declared.group(1).strip().lower() in _ASCII_BASED


def _read_calamine(data: bytes, path: Path) -> dict[str, _Sheet | _Later]:
    import io

    from python_calamine import CalamineWorkbook, SheetTypeEnum

    workbook = _calamine(CalamineWorkbook.from_filelike, io.BytesIO(data))
    wanted = {}
    for meta in workbook.sheets_metadata:
        key = normalize_text(meta.name).lower()
        if key in SHEETS:  # the others (the instructions) are not read at all
            wanted[key] = meta
    out: dict[str, _Sheet | _Later] = {}
    for key, meta in wanted.items():
        if meta.typ != SheetTypeEnum.WorkSheet:  # a chart sheet has no cells
            out[key] = _EMPTY
        elif key != "targets":
            grid, start = _calamine_grid(workbook, meta.name)
            out[key] = _EMPTY if start is None else _sheet_from_grid(grid, *start)
    if "targets" in wanted and "targets" not in out:  # the big one: read last, the workbook to itself
        out["targets"] = _Later(lambda: _calamine_grid(workbook, wanted["targets"].name), path)
    return out


def _calamine_grid(workbook, name: str) -> tuple[list[list], tuple[int, int] | None]:
    """A sheet's cells as rows from its first cell, and where that cell is ((row, column), 0-based)."""
    sheet = _calamine(workbook.get_sheet_by_name, name)
    start = sheet.start
    return (_calamine(sheet.to_python) if start is not None else []), start


def _calamine(call, *args):
    """A call into calamine, whose errors (and Rust panics) say the file is damaged."""
    from .xlsx import UnreadableWorkbook

    try:
        return call(*args)
    except BaseException as exc:
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise  # KeyboardInterrupt and the like
        raise UnreadableWorkbook("file-corrupt", reason=LabelRef("reason_damaged")) from None


def _sheet_from_grid(grid: list[list], row0: int, col0: int) -> _Sheet:
    """A sheet from calamine's grid, whose first cell is at (row0, col0), 0-based."""
    columns, dated, gaps = [], [], []
    for col in range(len(grid[0])):
        column, has_dates, has_gaps = _clean_column(list(map(itemgetter(col), grid)), _calamine_value)
        columns.append(column)
        dated.append(has_dates)
        gaps.append(has_gaps)
    while columns and gaps[-1] and columns[-1].count(None) == len(grid):  # blank to the right: not part of the sheet
        del columns[-1], dated[-1], gaps[-1]
    if not columns:
        return _EMPTY
    rows: Sequence[int] = range(row0 + 1, row0 + 1 + len(grid))
    if all(gaps):  # some rows may be blank: drop them
        width = len(columns)
        keep = [i for i, cells in enumerate(zip(*columns)) if cells.count(None) != width]
        if len(keep) < len(rows):
            rows = [rows[i] for i in keep]
            columns = [[column[i] for i in keep] for column in columns]
    blank = [None] * len(rows)  # columns left of the grid: shared, never changed
    return _Sheet(rows, [blank] * col0 + columns, [False] * col0 + dated)


_EXCEL_EPOCH = datetime(1899, 12, 30)
_LEAP_BUG_END = datetime(1900, 2, 28)  # serial 59 and 60 are both 1900-02-28 to calamine
_ONE_DAY = timedelta(days=1)


def _clean_column(cells: list, convert) -> tuple[list, bool, bool]:
    """A column's cells as the catalog reads them; whether one is a datetime, and one None.

    Text is NFC-normalised and stripped, blank text, inf and nan become None, and `convert`
    makes any other value (but a bool) a bool, a datetime or None. Each distinct value is
    looked at once: a catalog repeats them (unit codes thirty times, indicator codes ten
    thousand). As keys, equal values are the same value here (an int would equal a bool and
    a float: calamine gives none, the cells go one by one if it did).
    """
    distinct = set(cells)
    changes: dict = {}
    for value in distinct:
        kind = value.__class__
        if kind is str:
            clean = unicodedata.normalize("NFC", value).strip() or None
            if clean != value:
                changes[value] = clean
        elif kind is float:
            if value - value != 0:  # inf, nan: an error in Excel (each nan is a key of its own)
                changes[value] = None
        elif kind is bool or value is None:
            pass
        elif kind is int:
            out = [_clean_one(v, convert) for v in cells]
            return out, any(v.__class__ is datetime for v in out), None in out
        else:
            changes[value] = convert(value)
    dated = any(v.__class__ is datetime for v in changes.values())
    gaps = None in distinct or None in changes.values()
    return (list(map(changes.get, cells, cells)) if changes else cells), dated, gaps


def _clean_one(value: object, convert) -> object:
    """One cell as _clean_column makes it."""
    kind = value.__class__
    if kind is str:
        return unicodedata.normalize("NFC", value).strip() or None
    if kind is float:
        return value if value - value == 0 else None
    if kind is bool or value is None:
        return value
    if kind is int:
        return float(value)
    return convert(value)


def _calamine_value(value: object) -> object:
    """A value of calamine's that is not text, a number or a bool, as our reader had it."""
    kind = value.__class__
    if kind is date:
        value, kind = datetime(value.year, value.month, value.day), datetime
    if kind is datetime:
        # calamine dates serials 1-59 as Excel shows them (1 is 1900-01-01, Excel's leap-year
        # bug); our reader always counted from 1899-12-30 (1 is 1899-12-31): keep that
        return value - _ONE_DAY if value < _LEAP_BUG_END else value
    if kind is time:  # a number under 1 with a time format
        return datetime.combine(_EXCEL_EPOCH, value)
    if kind is timedelta:  # a duration format ([h]:mm)
        return _EXCEL_EPOCH + value
    return None


def _own_value(value: object) -> object:
    """A value of our reader's that is not text, a number or a bool: a datetime already."""
    return value if value.__class__ is datetime else None


def _read_own(path: Path, limits) -> dict[str, _Sheet]:
    """Our own reader, for a workbook calamine is not given (see _cells_are_plain)."""
    from .xlsx import read_workbook

    workbook = read_workbook(path, limits, _CatalogSheets())
    out = {}
    for sheet in workbook.sheets:
        if normalize_text(sheet.name).lower() not in SHEETS:
            continue
        by_row: dict[int, dict[int, object]] = {}
        for (row, col), cell in sheet.cells.items():
            value = cell.value
            if cell.kind == "n" and cell.is_date_format:
                value = _EXCEL_EPOCH + timedelta(days=float(value))
            elif cell.kind in ("e", "blank"):
                value = None
            if value is not None and str(value).strip():
                by_row.setdefault(row, {})[col] = value
        width = max((max(cols) for cols in by_row.values()), default=0)
        rows = sorted(by_row)
        columns, dated = [], []
        for col in range(1, width + 1):
            column, has_dates, _ = _clean_column([by_row[row].get(col) for row in rows], _own_value)
            columns.append(column)
            dated.append(has_dates)
        out[normalize_text(sheet.name).lower()] = _Sheet(rows, columns, dated)
    return out


class _CatalogSheets:
    """The sheets read_workbook is to read: the catalog's four, by name as _read_workbook matches it.

    Not the others (the instructions, a foreign workbook's own sheets): their cells would
    cost time and memory, and their limits, for nothing.
    """

    def __contains__(self, name: object) -> bool:
        return normalize_text(name).lower() in SHEETS


def _canonical(header: object) -> str:
    return re.sub(r"\s+", "_", normalize_text(header).lower())


def _cell_value(value: object) -> object:
    if isinstance(value, str):
        value = normalize_text(value)
        return value or None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _frame(sheet: _Sheet, name: str):
    """A sheet as a DataFrame indexed by Excel row, with canonical column names."""
    import numpy as np
    import pandas as pd

    if not sheet.rows:
        return pd.DataFrame(columns=list(SHEETS[name]), dtype=object)
    position: dict[str, int] = {}
    for col, header in enumerate(column[0] for column in sheet.columns):
        position.setdefault(_canonical(header), col)  # a repeated header: the first one counts
    position.pop("", None)
    rows = sheet.rows[1:]
    if not rows:
        index = []  # an object Index, as pandas makes it of no rows
    elif isinstance(rows, range):
        index = np.arange(rows.start, rows.stop)
    else:
        index = np.array(rows, dtype=np.int64)
    data = {}
    for column_name, col in position.items():
        values = sheet.columns[col][1:]
        if sheet.dated[col]:
            # pandas infers a column of datetimes as datetime64, read back as Timestamps, and
            # so did the records this frame was once built from: keep that
            series = pd.DataFrame.from_records([(v,) for v in values], columns=["v"])["v"].astype(object)
            values = series.where(series.notna(), None).tolist()
        if column_name in TEXT_COLUMNS.get(name, ()) and not set(map(type, values)) <= _TEXT_CELLS:
            values = _each(_as_text, values)
        data[column_name] = np.fromiter(values, dtype=object, count=len(values))
    frame = pd.DataFrame(data, index=pd.Index(index, name="row"), columns=list(position), dtype=object, copy=False)
    frame.attrs["letters"] = {column_name: _letter(col) for column_name, col in position.items()}
    frame.attrs["sheet"] = name
    return frame


_TEXT_CELLS = frozenset({str, type(None)})


def _as_text(value: object) -> str | None:
    """A cell of a code or name column as text, as Excel shows it (the rest of the tool reads codes as text)."""
    if value is None or value.__class__ is str:
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (int, float)):
        return format(value + 0.0, ".15g")  # 101.0 → "101"; + 0.0: -0.0 → "0"
    return normalize_text(value) or None


def _letter(col: int) -> str:
    from .xlsx import column_letters

    return column_letters(col + 1)


# --- the round sheet ---------------------------------------------------------------------

_HINTS = {
    "baseline_year": "hint_year", "target_year": "hint_year",
    "cutoff_date": "hint_date", "deadline": "hint_date",
    "low_threshold": "hint_share", "expected_progress": "hint_share",
    "allow_target_changes": "hint_bool", "lang": "hint_lang",
    "round_id": "hint_text", "title": "hint_text", "organisation": "hint_text", "place": "hint_text",
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
    return normalize_text(_as_text(raw)) or None


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


_PLAIN_CELLS = frozenset({str, float, type(None)})


def _each(fn, values: list) -> list:
    """[fn(v) for v in values], computing fn once per distinct value: a catalog repeats them.

    Done so only for text, numbers and blanks, of which equal ones are the same value, but
    for the sign of a zero: 0.0 and -0.0 are one key, so zero cells go one by one. (A bool
    equals 1.0, a date a Timestamp: a column holding those goes cell by cell.)
    """
    if set(map(type, values)) <= _PLAIN_CELLS:
        results = {v: fn(v) for v in dict.fromkeys(values)}
        if 0.0 not in results:
            return list(map(results.__getitem__, values))
        return [results[v] if v or v is None else fn(v) for v in values]
    return [fn(v) for v in values]


def _where(test, column):
    """A numpy mask of the cells of a Series that pass `test`, or None when none does (mostly).

    `test` must not tell 0.0 from -0.0 (none of the catalog's checks does), so it is worked
    out once per distinct value when the column is plain (see _each).
    """
    import numpy as np

    values = column.tolist()
    if set(map(type, values)) <= _PLAIN_CELLS:
        hits = [v for v in dict.fromkeys(values) if test(v)]
        return column.isin(hits).to_numpy() if hits else None
    found = np.fromiter(map(bool, map(test, values)), dtype=bool, count=len(values))
    return found if found.any() else None


def _schemas(frames) -> dict:
    """One pandera schema per sheet, built from the catalog's own codes."""
    import pandas as pd
    import pandera.pandas as pa

    unit_codes = set(frames["units"]["unit_code"].dropna()) if "units" in frames and "unit_code" in frames["units"] else None
    indicator_codes = (
        set(frames["indicators"]["indicator_code"].dropna())
        if "indicators" in frames and "indicator_code" in frames["indicators"] else None
    )

    def check(code: str, fn) -> pa.Check:
        # fn judges one cell; run over the column at once (30,000 target rows per thousand units).
        # A blank passes here, so pandera need not set blanks aside (ignore_na) first.
        def column(series):
            failed = _where(lambda v: v is not None and not fn(v), series)
            return pd.Series(True if failed is None else ~failed, index=series.index, dtype=bool)

        return pa.Check(column, ignore_na=False, name=code)

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
            "organisation_name": optional(),
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
            "target": pa.Column(None, nullable=True, checks=[check("catalog-bad-target", _valid_target)]),
            "baseline": optional(checks=[check("catalog-bad-baseline", lambda v: parse_number(v) is not None)]),
        }),
    }
    return schemas


def _valid_target(v: object) -> bool:
    return parse_target(v) is not None or parse_bool(v) is not None


def _valid_decimals(v: object) -> bool:
    n = parse_number(v)
    return n is not None and n.value.is_integer() and 0 <= n.value <= 6


_PANDERA_CODES = {"not_nullable": "catalog-missing-value", "field_uniqueness": "catalog-duplicate-code"}
_ALLOWED = {
    "direction": ", ".join(formulas.DIRECTIONS),
    "measure": ", ".join(formulas.MEASURES),
    "aggregation": ", ".join(formulas.AGGREGATIONS) + ", weighted:<indicator_code>",
}


def _check_frame(schemas: dict, frame, sheet: str) -> Iterator[Issue]:
    import pandera.pandas as pa

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
        path, node = {}, start  # node → its place on the path: a long chain is walked in linear time
        while node is not None and node in parent and node not in path and node not in reported:
            path[node] = len(path)
            node = parent[node]
        if node in path:
            cycle = list(path)[path[node]:]
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
    graded = frozenset(formulas.DIRECTIONS) - {formulas.BOOLEAN}
    letter = targets.attrs.get("letters", {}).get("target", "C")
    units, codes, values = targets["unit_code"], targets["indicator_code"], targets["target"]
    rows = targets.index
    # a row is judged if its unit and indicator are given and the indicator wants a number;
    # it is wrong when its target is blank or a yes/no answer (parse_bool reads it, parse_target not)
    wants_number = codes.isin([code for code, kind in direction.items() if kind in graded]).to_numpy()
    wrong = values.isna().to_numpy()
    yes_no = _where(lambda v: v is not None and parse_target(v) is None and parse_bool(v) is not None, values)
    if yes_no is not None:
        wrong = wrong | yes_no
    judged = wants_number & units.notna().to_numpy() & codes.notna().to_numpy()
    for i in (judged & wrong).nonzero()[0].tolist():
        cell, value = f"{letter}{rows[i]}", values.iat[i]
        if value is None:
            yield make_issue("catalog-missing-value", sheet="targets", cell=cell, params={"column": "target"})
        else:
            yield make_issue("catalog-bad-target", sheet="targets", cell=cell, value=value)
    # pandas finds the rows whose (unit, indicator) repeats; grouping them is then cheap
    repeated = targets.duplicated(["unit_code", "indicator_code"], keep=False).to_numpy().nonzero()[0]
    seen: dict[tuple, list[int]] = {}
    for i in repeated.tolist():
        unit, code = units.iat[i], codes.iat[i]
        if unit is not None and code is not None:
            seen.setdefault((unit, code), []).append(int(rows[i]))
    for (unit, code), found in seen.items():
        if len(found) > 1:
            # the indicator goes in the issue's own field: a param of that name would clash with it
            yield make_issue("catalog-duplicate-target", sheet="targets", cell=f"A{found[1]}", indicator_code=code,
                             params={"rows": ", ".join(map(str, found)), "unit_code": unit})


# --- building the objects ----------------------------------------------------------------


_ACHIEVED = TargetValue("Đạt", 1.0, 1.0)  # a boolean indicator's target


def _build(round_: Round, frames) -> Catalog:
    u = frames["units"]
    organisations = [v or "" for v in u["organisation_name"].tolist()] if "organisation_name" in u else [""] * len(u)
    units = tuple(map(Unit, u["unit_code"].tolist(), u["unit_name"].tolist(), u["parent_code"].tolist(),
                      organisations))
    indicators = tuple(
        Indicator(
            code=r.indicator_code, name=r.name, group=getattr(r, "group", None) or "",
            unit_of_measure=getattr(r, "unit_of_measure", None) or "",
            direction=r.direction, measure=r.measure, aggregation=r.aggregation,
            decimals=int(parse_number(d).value) if (d := getattr(r, "decimals", None)) is not None else DEFAULT_DECIMALS,
        )
        for r in frames["indicators"].itertuples()
    )
    t = frames["targets"]
    units_of, codes = t["unit_code"].tolist(), t["indicator_code"].tolist()
    baselines = _each(lambda v: None if v is None else parse_number(v).value,
                      t["baseline"].tolist() if "baseline" in t else [None] * len(t))
    values = _each(parse_target, t["target"].tolist())
    by_code = {i.code: i for i in indicators}  # as before: a repeated code, the last one
    yes_no = [code for code, indicator in by_code.items() if indicator.direction == formulas.BOOLEAN]
    for row in t["indicator_code"].isin(yes_no).to_numpy().nonzero()[0].tolist():
        values[row] = _ACHIEVED  # a yes/no indicator's target is to achieve it
    targets = tuple(map(Target, units_of, codes, map(attrgetter("text"), values), map(attrgetter("low"), values),
                        map(attrgetter("high"), values), baselines))
    return Catalog(round_, units, indicators, targets)


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
        {"key": "place", "value": r.place or None},
    ]
    return {
        "round": round_rows,
        "units": [{"unit_code": u.code, "unit_name": u.name, "parent_code": u.parent_code,
                   "organisation_name": u.organisation_name or None} for u in catalog.units],
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
    "place": "Địa danh ở dòng ngày tháng, ví dụ Lai Châu (để trống: chỉ ghi ngày tháng năm)",
}

CATALOG_INSTRUCTIONS = """HƯỚNG DẪN LẬP DANH MỤC ĐỢT SƠ KẾT
Trang 'round': mỗi dòng một thông tin của đợt (cột key giữ nguyên, điền cột value).
Trang 'units': mỗi dòng một đơn vị: unit_code (mã, không trùng), unit_name (tên), parent_code (mã đơn vị cấp trên; để trống cho đơn vị gốc — chỉ một đơn vị gốc), organisation_name (không bắt buộc: tên đảng bộ do đơn vị lãnh đạo, ví dụ "Đảng bộ huyện Tam Đường" cho "Huyện ủy Tam Đường"; ghi ở dòng trên cùng góc trái phụ lục của các đơn vị cấp dưới).
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
            columns = columns + OPTIONAL_COLUMNS.get(sheet, ())
            header = list(columns) + (["description"] if sheet == "round" else [])
            for c, name in enumerate(header):
                ws.write_string(0, c, name, head)
                ws.set_column(c, c, 60 if name in ("description", "name", "unit_name", "organisation_name") else 18)
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
