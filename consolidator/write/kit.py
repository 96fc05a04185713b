"""What every sheet of the consolidated workbook is made with: words, formats, cells, headers, titles, print setup.

Everything a unit typed is written with `write_string` (or as an inline string in the
streamed sheets), so a note that starts with "=" stays text; every xlsxwriter return code
is checked. A sheet declares its columns as data (`Column`) and places its cells by
column key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from .. import formulas, layout
from ..errors import ConsolidatorError
from ..fileio import clean_text
from ..layout import FONT
from ..messages import labels, labels_of
from ..numbers import show_number, show_share
from .streamed import Body

SHEET_KEYS = ("summary", "low", "matrix", "submissions", "proposals", "data", "charts", "info", "chart_data")
STATUS_ORDER = formulas.STATUSES
STATUS_COLOURS = {
    formulas.ACHIEVED: "#C6EFCE", formulas.ON_TRACK: "#DDEBF7", formulas.BEHIND: "#FFEB9C",
    formulas.LOW: "#FFC7CE", formulas.NO_DATA: "#EDEDED",
}
PARTIAL_MARK = {"italic": True, "bg_color": "#FCE4D6"}  # a partial rollup's figures, explained by the legend
_WORD_PREFIX = "wb_"
# Narrower margins than the appendix's (its tables are wider); the page number in the workbook's font.
_MARGINS = {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.6}
_FOOTER = f'&C&"{FONT},Regular"&P/&N'


@cache
def words(lang: str) -> dict[str, str]:
    """The consolidated workbook's words in a language: labels.toml's `wb_` keys, without the prefix."""
    return labels_of(_WORD_PREFIX, lang)


def sheet_name(name: str) -> str:
    """A name Excel accepts for a sheet: none of []:*?/\\, no edge apostrophes, at most 31 characters."""
    s = re.sub(r"[\[\]:*?/\\]", "-", clean_text(name).replace("\n", " ").replace("\t", " ")).strip().strip("'")
    return s[:31].strip() or "Sheet"


def sheet_names(lang: str = "vi") -> dict[str, str]:
    """Sheet key → sheet name in a language."""
    w = words(lang)
    return {key: sheet_name(w[f"sheet_{key}"]) for key in SHEET_KEYS}


class WorkbookWriteError(ConsolidatorError):
    """xlsxwriter refused a write (a cell out of range, a bad range); the output is not written."""


# --- columns as data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a sheet's table.

    `label` names its header: a key of `words` (the workbook's words), "seed:<key>" the
    appendix's own header of that column, "label:<key>" a label shared with other outputs.
    `width` is None in a table that shares another's columns (and their widths).
    """

    key: str
    label: str
    width: float | None
    kind: str = "text"


def positions(columns: Sequence[Column]) -> dict[str, int]:
    """Column key → 0-based column."""
    return {col.key: c for c, col in enumerate(columns)}


def set_widths(ws, columns: Sequence[Column]) -> None:
    for c, col in enumerate(columns):
        ws.set_column(c, c, col.width)


# --- text and number cells -------------------------------------------------------------------


def text_cell(ws, r: int, c: int, value: object, f=None) -> None:
    """Any text, above all text a unit typed: always a string cell, never a formula or a link."""
    text = clean_text(value)
    if text:
        ws.write_string(r, c, text, f)
    else:
        ws.write_blank(r, c, None, f)


def number_cell(ws, r: int, c: int, value: float | None, f=None) -> None:
    """A number; a blank for None, NaN and the infinities."""
    if value is None or value != value or value in (float("inf"), float("-inf")):
        ws.write_blank(r, c, None, f)
    else:
        ws.write_number(r, c, float(value), f)


def local_time(moment: datetime) -> datetime:
    """A timestamp in local time without its zone, as Excel stores date-times."""
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.replace(tzinfo=None)


class Sheet:
    """A worksheet whose calls raise instead of returning xlsxwriter's negative codes.

    It also keeps what Excel would need to size rows: xlsxwriter does not grow a row for
    wrapped text, and LibreOffice prints such rows one line high, so `fit_rows` sets
    heights from the column widths and the text written.
    """

    def __init__(self, ws):
        self.ws = ws
        self.widths: dict[int, float] = {}
        self.heights: dict[int, float] = {}
        self.lines: dict[int, int] = {}
        self.spans: dict[tuple[int, int], tuple[int, int]] = {}

    def __getattr__(self, name: str):
        attr = getattr(self.ws, name)
        if not callable(attr):
            return attr
        return lambda *args, **kwargs: self._call(name, *args, **kwargs)

    def _call(self, name: str, *args, **kwargs):
        rc = getattr(self.ws, name)(*args, **kwargs)
        if isinstance(rc, int) and not isinstance(rc, bool) and rc != 0:
            raise WorkbookWriteError(f"{self.ws.name}: {name}{args[:2]} failed (xlsxwriter code {rc})")
        return rc

    def set_column(self, first: int, last: int, width: float, *args, **kwargs):
        for c in range(first, last + 1):
            self.widths[c] = width
        return self._call("set_column", first, last, width, *args, **kwargs)

    def set_row(self, r: int, height: float, *args, **kwargs):
        self.heights[r] = height
        return self._call("set_row", r, height, *args, **kwargs)

    def merge_range(self, r1: int, c1: int, r2: int, c2: int, data, f=None):
        self.spans[(r1, c1)] = (r2, c2)
        return self._call("merge_range", r1, c1, r2, c2, data, f)

    def write_string(self, r: int, c: int, text: str, f=None):
        r2, c2 = self.spans.get((r, c), (r, c))
        # Only wrapped text grows a row; a range merged over rows has the height of its rows already.
        if r2 == r and getattr(f, "text_wrap", 0):
            width = sum(self.widths.get(k, 8.43) for k in range(c, c2 + 1))
            self.lines[r] = max(self.lines.get(r, 1), layout.wrapped_lines(text, width))
        return self._call("write_string", r, c, text, f)

    def fit_rows(self) -> None:
        """Rows tall enough for their wrapped text, and never cramped, as on a printed appendix."""
        for r, lines in self.lines.items():
            need = layout.fitted_height(lines)
            if need > self.heights.get(r, 0):
                self.set_row(r, need)


class Book:
    """The workbook being written: its words and formats, its sheets, the bodies streamed into it."""

    def __init__(self, wb, lang: str, scratch: Path):
        self.wb, self.lang, self.scratch = wb, lang, scratch
        self.w = words(lang)
        self.text = labels(lang)
        self.names = sheet_names(lang)
        self.bodies: list[Body] = []
        self._formats: dict[tuple, object] = {}

    # --- formats -------------------------------------------------------------------------------

    def fmt(self, **props):
        """A cached format: Times New Roman 12 unless told otherwise; one format per distinct look."""
        # Called for every cell: the arguments as given find the format first; sorted, they
        # make one format of the same look asked for in another order.
        call = tuple(props.items())
        if call not in self._formats:
            key = tuple(sorted(props.items()))
            if key not in self._formats:
                base = {"font_name": FONT, "font_size": 12, "valign": "vcenter"}
                self._formats[key] = self.wb.add_format({**base, **props})
            self._formats[call] = self._formats[key]
        return self._formats[call]

    def cell(self, **props):
        """A bordered, wrapped table cell."""
        return self.fmt(border=1, text_wrap=True, **props)

    def header(self):
        return self.cell(bold=True, align="center", bg_color="#D9E1F2")

    # --- sheets --------------------------------------------------------------------------------

    def sheet(self, key: str) -> Sheet:
        return Sheet(self.wb.add_worksheet(self.names[key]))

    def body(self, ws: Sheet, first_row: int, table_name: str | None = None) -> Body:
        """Where a sheet's rows from `first_row` on are written: a row per unit, or per unit ×
        indicator, is streamed into the package rather than held by xlsxwriter (see streamed)."""
        body = Body(self.wb.worksheets().index(ws.ws) + 1, first_row, self.scratch, ws.widths, table_name)
        self.bodies.append(body)
        return body

    def label(self, spec: str, seed: dict[str, str]) -> str:
        """A column's header (see `Column.label`); `seed` the appendix's header labels."""
        source, _, key = spec.rpartition(":")
        return {"": self.w, "seed": seed, "label": self.text}[source][key]

    # --- headers and titles ----------------------------------------------------------------------

    def headers(self, ws, r: int, labels_: Sequence[str], height: float = 36) -> None:
        ws.set_row(r, height)
        for c, label in enumerate(labels_):
            text_cell(ws, r, c, label, self.header())

    def merge_text(self, ws, r1: int, c1: int, r2: int, c2: int, text: object, f) -> None:
        """A merged range holding text, written with write_string like every other text."""
        if (r1, c1) == (r2, c2):
            text_cell(ws, r1, c1, text, f)
            return
        ws.merge_range(r1, c1, r2, c2, "", f)
        text_cell(ws, r1, c1, text, f)

    def title(self, ws, r: int, last_col: int, text: str, size: int = 14, bold: bool = True,
              italic: bool = False) -> None:
        f = self.fmt(bold=bold, italic=italic, font_size=size, align="center", text_wrap=True)
        self.merge_text(ws, r, 0, r, max(last_col, 0), text, f)

    def page_setup(self, ws, header_row: int | None, header_rows: int = 1, fit: bool = True,
                   fit_width: bool = True, repeat_columns: int = 0, portrait: bool = False) -> None:
        """A4 landscape, one page wide, the table's header repeated on each page; rows fitted to their text.

        Without `fit_width` the sheet prints at full size; a wide one over several pages
        across, its first `repeat_columns` columns repeated on each.
        """
        if fit:
            ws.fit_rows()
        repeat = None if header_row is None else (header_row, header_row + header_rows - 1)
        layout.page_setup(ws, repeat, landscape=not portrait, fit_width=fit_width, margins=_MARGINS, footer=_FOOTER)
        if repeat_columns:
            ws.repeat_columns(0, repeat_columns - 1)

    # --- numbers as text -------------------------------------------------------------------------

    def show_number(self, value: float | None) -> str:
        return show_number(value, self.lang)

    def show_threshold(self, low: float) -> str:
        return self.show_number(low) if self.lang == "vi" else f"{low:g}"

    def pct_text(self, share: float | None) -> str:
        return show_share(share, self.lang)
