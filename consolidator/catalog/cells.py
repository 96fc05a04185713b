"""A sheet's cells as the catalog reads them, alike from calamine and from our own reader.

Both engines' values end up the same here: text NFC-normalised and stripped, a
date-formatted number a datetime counted from Excel's epoch as our reader always counted
it, and a blank cell, blank text, an error or a non-finite number None.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from operator import itemgetter

from ..cellref import EXCEL_EPOCH
from ..numbers import normalize_text


class Sheet:
    """A sheet's non-blank rows: their Excel row numbers, and their cells column by column.

    `columns[c]` is column c (0 = A) as wide as the last column holding a value. Cells are
    clean (see above). `dated[c]`: column c holds a datetime (see frames.frame).
    """

    __slots__ = ("rows", "columns", "dated")

    def __init__(self, rows: Sequence[int], columns: list[list], dated: list[bool]):
        self.rows, self.columns, self.dated = rows, columns, dated

    def records(self) -> list[tuple[int, tuple]]:
        """(Excel row, its cells) per row."""
        return list(zip(self.rows, zip(*self.columns)))


EMPTY = Sheet([], [], [])


def sheet_from_grid(grid: list[list], row0: int, col0: int) -> Sheet:
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
        return EMPTY
    rows: Sequence[int] = range(row0 + 1, row0 + 1 + len(grid))
    if all(gaps):  # some rows may be blank: drop them
        width = len(columns)
        keep = [i for i, cells in enumerate(zip(*columns)) if cells.count(None) != width]
        if len(keep) < len(rows):
            rows = [rows[i] for i in keep]
            columns = [[column[i] for i in keep] for column in columns]
    blank = [None] * len(rows)  # columns left of the grid: shared, never changed
    return Sheet(rows, [blank] * col0 + columns, [False] * col0 + dated)


def sheet_from_cells(cells) -> Sheet:
    """A sheet from our own reader's cells ({(row, column): cell}, 1-based)."""
    by_row: dict[int, dict[int, object]] = {}
    for (row, col), cell in cells.items():
        value = cell.value
        if cell.kind == "n" and cell.is_date_format:
            value = EXCEL_EPOCH + timedelta(days=float(value))
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
    return Sheet(rows, columns, dated)


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
        return datetime.combine(EXCEL_EPOCH, value)
    if kind is timedelta:  # a duration format ([h]:mm)
        return EXCEL_EPOCH + value
    return None


def _own_value(value: object) -> object:
    """A value of our reader's that is not text, a number or a bool: a datetime already."""
    return value if value.__class__ is datetime else None


def as_text(value: object) -> str | None:
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


def phone_text(value: object) -> str | None:
    """A cell of the phone column as text, its leading zero kept ("0912 345 678").

    Typed into a number cell, 0912345678 is kept by Excel as 912345678: a Vietnamese number
    written the national way starts with 0 and has 10 digits (a mobile) or 11 (a landline
    with its area code), so 9 or 10 digits without the zero get it back. Text is kept as typed.
    """
    if value.__class__ is str or value is None or isinstance(value, (bool, datetime)):
        return as_text(value)
    if isinstance(value, (int, float)) and float(value).is_integer() and value > 0:
        digits = str(int(value))
        return "0" + digits if len(digits) in (9, 10) else digits
    return as_text(value)


# One address: a plain local part, a domain of dotted labels ending in two letters or more.
# ASCII only: a tone mark in an address is a typo, and no Vietnamese office mail takes one.
_ADDRESS = re.compile(r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}")
_BETWEEN_ADDRESSES = re.compile(r"[;,\s]+")


def email_addresses(text: str | None) -> tuple[str, ...] | None:
    """The addresses a cell of the email column holds (several may be given, split by ";"
    or ","), or None when one of them is not an address; () for a blank cell."""
    parts = [p for p in _BETWEEN_ADDRESSES.split(text or "") if p]
    if not all(_ADDRESS.fullmatch(p) for p in parts):
        return None
    return tuple(parts)
