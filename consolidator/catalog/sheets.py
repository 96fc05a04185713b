"""Reading a catalog's four sheets: with python-calamine when the scan allows it, else our own reader.

Either way each sheet comes out as a cells.Sheet, its values the same whichever read it.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

from python_calamine import CalamineWorkbook, SheetTypeEnum

from ..errors import CatalogError
from ..messages import LabelRef
from ..model import make_issue
from ..xlsx import Limits, UnreadableWorkbook, check_package, os_error_reason, read_workbook
from .cells import EMPTY, Sheet, sheet_from_cells, sheet_from_grid
from .scan import cells_are_plain
from .spec import ALL_SHEETS, sheet_key

# A catalog is the office's own workbook, far larger than an appendix (a target row per unit
# and indicator: 30,000 rows for a thousand units), so it gets limits of its own.
CATALOG_LIMITS_MIB = 200
# Our own reader, for a workbook calamine is not given, takes ~13 µs and ~250 bytes at its
# peak a cell (a 10,000-unit catalog, 1.2 million cells: 16 s, 300 MiB): two million cells
# (500,000 target rows) is about half a minute and 500 MiB for a sheet.
CATALOG_MAX_CELLS = 2_000_000


def _limits() -> Limits:
    mib = 1 << 20
    return Limits(max_file_bytes=CATALOG_LIMITS_MIB * mib, max_member_bytes=4 * CATALOG_LIMITS_MIB * mib,
                  max_total_bytes=8 * CATALOG_LIMITS_MIB * mib, max_row=1_048_576, max_col=64,
                  max_cells=CATALOG_MAX_CELLS)


def read_sheets(path: Path) -> dict[str, Sheet | Later]:
    """The catalog's sheets (its four, and the optional ones) by lower-cased name (a later one of the same name wins)."""
    limits = _limits()
    try:
        data = check_package(path, limits)
        if cells_are_plain(data):
            return _read_calamine(data, path)
        return _read_own(path, limits)
    except UnreadableWorkbook as exc:
        raise _unreadable(path, exc.as_reason()) from exc
    except OSError as exc:
        raise _unreadable(path, os_error_reason(exc)) from exc


def _unreadable(path: Path, reason: dict[str, object]) -> CatalogError:
    return CatalogError(str(path), [make_issue("catalog-unreadable", params=dict(reason))])


class Later:
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

    def result(self) -> Sheet:
        self._thread.join()
        if isinstance(self._error, UnreadableWorkbook):
            raise _unreadable(self._path, self._error.as_reason()) from self._error
        if self._error is not None:
            raise self._error
        grid, start = self._grid
        return EMPTY if start is None else sheet_from_grid(grid, *start)


def ready(sheet: Sheet | Later) -> Sheet:
    """The sheet, once read."""
    return sheet.result() if isinstance(sheet, Later) else sheet


def _read_calamine(data: bytes, path: Path) -> dict[str, Sheet | Later]:
    workbook = _calamine(CalamineWorkbook.from_filelike, io.BytesIO(data))
    wanted = {}
    for meta in workbook.sheets_metadata:
        key = sheet_key(meta.name)
        if key in ALL_SHEETS:  # the others (the instructions) are not read at all
            wanted[key] = meta
    out: dict[str, Sheet | Later] = {}
    for key, meta in wanted.items():
        if meta.typ != SheetTypeEnum.WorkSheet:  # a chart sheet has no cells
            out[key] = EMPTY
        elif key != "targets":
            grid, start = _calamine_grid(workbook, meta.name)
            out[key] = EMPTY if start is None else sheet_from_grid(grid, *start)
    if "targets" in wanted and "targets" not in out:  # the big one: read last, the workbook to itself
        out["targets"] = Later(lambda: _calamine_grid(workbook, wanted["targets"].name), path)
    return out


def _calamine_grid(workbook, name: str) -> tuple[list[list], tuple[int, int] | None]:
    """A sheet's cells as rows from its first cell, and where that cell is ((row, column), 0-based)."""
    sheet = _calamine(workbook.get_sheet_by_name, name)
    start = sheet.start
    return (_calamine(sheet.to_python) if start is not None else []), start


def _calamine(call, *args):
    """A call into calamine, whose errors (and Rust panics) say the file is damaged."""
    try:
        return call(*args)
    except BaseException as exc:
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise  # KeyboardInterrupt and the like
        raise UnreadableWorkbook("file-corrupt", reason=LabelRef("reason_damaged")) from None


def _read_own(path: Path, limits: Limits) -> dict[str, Sheet]:
    """Our own reader, for a workbook calamine is not given (see scan.py)."""
    workbook = read_workbook(path, limits, _CatalogSheets())
    return {sheet_key(sheet.name): sheet_from_cells(sheet.cells)
            for sheet in workbook.sheets if sheet_key(sheet.name) in ALL_SHEETS}


class _CatalogSheets:
    """The sheets read_workbook is to read: the catalog's four, by name as read_sheets matches it.

    Not the others (the instructions, a foreign workbook's own sheets): their cells would
    cost time and memory, and their limits, for nothing.
    """

    def __contains__(self, name: object) -> bool:
        return sheet_key(name) in ALL_SHEETS
