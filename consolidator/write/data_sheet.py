"""Sheet 6, `Dữ liệu`: the long data table as an Excel table, its rows streamed (see streamed.py).

The rows (26 cells a row, a row per unit × indicator) are made in a forked process while
this one packs the workbook: `write` lays the sheet out in its turn, `start` fixes their
styles and returns the call that starts making them, once the rest of the workbook is written.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ..consolidate import TABLE_COLUMNS, Consolidation
from ..layout import default_font, number_format
from . import streamed
from ..parallel import Forked
from .kit import Book, Column, set_widths
from .streamed import Body

_WIDTHS = {"unit_name": 30, "indicator_name": 36, "group": 18, "source_file": 28, "note": 30}
_NUMBER_FORMATS = {"level": "0", "pct_of_target": "0.0", "expected_progress": "0.000", "pace": "0.00",
                   "coverage": "0.00"}
_FIGURES = ("baseline", "target", "target_all", "result", "previous_result", "estimate")  # in the indicator's decimals


def _kind(col: str) -> str:
    if col == "is_rollup":
        return "bool"
    if col in _FIGURES:
        return "figure"
    return "number" if col in _NUMBER_FORMATS else "text"


# Headers in the reader's language; the CSV and Parquet keep the canonical names.
COLUMNS = tuple(Column(col, f"label:data_{col}", _WIDTHS.get(col, 12), _kind(col)) for col in TABLE_COLUMNS)
TABLE_NAME = "DuLieu"


def write(book: Book, c: Consolidation) -> Body:
    """The sheet laid out in its turn; its rows come later, from `start`, into the body returned."""
    ws = book.sheet("data")
    header_format = book.fmt(bold=True, text_wrap=True, **default_font())
    ws.add_table(0, 0, 1, len(COLUMNS) - 1, {
        "name": TABLE_NAME, "style": "Table Style Light 9", "autofilter": True,
        "columns": [{"header": book.label(col.label, {}), "header_format": header_format} for col in COLUMNS],
    })
    ws.set_row(0, 48)
    set_widths(ws, COLUMNS)
    ws.freeze_panes(1, 2)
    book.page_setup(ws, 0, fit=False)
    return book.body(ws, 1, table_name=TABLE_NAME)


def start(book: Book, c: Consolidation, body: Body) -> Callable[[], Forked]:
    """The sheet's styles fixed now, while the workbook is open; the call returned starts
    making its rows into `body` in a forked process (see write_consolidated for when)."""
    plain = default_font()
    styles = {col: streamed.style_index(book.fmt(num_format=fmt, **plain)) for col, fmt in _NUMBER_FORMATS.items()}
    text_style = streamed.style_index(book.fmt(**plain))
    figure_style = {i.code: streamed.style_index(book.fmt(num_format=number_format(i.decimals), **plain))
                    for i in c.catalog.indicators}
    path = book.scratch / "data-rows.xml"
    kinds = [(col.key, col.kind, styles.get(col.key, text_style)) for col in COLUMNS]
    what = book.names["data"]

    def fork() -> Forked:
        forked = streamed.rows_in_background(what, path, _rows, c.table, kinds, text_style, figure_style)
        body.rows_from(forked, path, last_row=max(len(c.table), 1), last_col=len(COLUMNS) - 1)
        return forked
    return fork


def _rows(frame, kinds: list[tuple[str, str, int]], text_style: int, figure_style: dict[str, int],
          chunk: int = 2000):
    """The sheet's rows under its header as XML, a chunk of rows at a time.

    Each column's cells are made at once for a chunk, from the column's numpy values; a
    column of categories has each category's cell made once, and a row takes it by its code.
    Going through pandas a chunk at a time instead built each chunk's texts in Arrow's memory
    pool, which kept them: at ten thousand units this process, forked beside the workbook's,
    held 80 MB of its own, 55 MB of it that.
    """
    letters = streamed.letters(len(kinds))
    indicator_styles = _cells(frame["indicator_code"], lambda code: figure_style.get(code, text_style))
    columns = [_column(frame[col], kind, style) for col, kind, style in kinds]
    for start_ in range(0, len(frame), chunk):
        stop = start_ + chunk
        styles = indicator_styles(start_, stop)
        cells = [column(start_, stop, styles) for column in columns]
        yield "".join([streamed.row_xml(start_ + n + 2, letters, row) for n, row in enumerate(zip(*cells))])


def _column(series, kind: str, style: int) -> Callable[[int, int, list[int]], list[str]]:
    """The cells of rows start..stop of one column: `column(start, stop, figure_styles)`."""
    if kind == "bool":
        values = series.to_numpy(dtype=bool)
        return lambda start, stop, _: [streamed.bool_cell(v, style) for v in values[start:stop].tolist()]
    if kind in ("figure", "number"):
        values = series.to_numpy()
        if kind == "number":
            return lambda start, stop, _: [streamed.number_cell(v, style) for v in values[start:stop].tolist()]
        return lambda start, stop, styles: [streamed.number_cell(v, s)
                                            for v, s in zip(values[start:stop].tolist(), styles)]
    return _cells(series, lambda text: streamed.text_cell(text, style))


def _cells(series, make: Callable[[object], object]) -> Callable[..., list]:
    """`make(value)` for rows start..stop: once per category for categories, else once per distinct value seen."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        made = [make(v) for v in series.cat.categories.tolist()] + [make(None)]  # code -1, a gap, is the last
        codes = series.cat.codes.to_numpy()
        return lambda start, stop, *_: [made[k] for k in codes[start:stop].tolist()]
    values = series.to_numpy(dtype=object)
    known: dict[object, object] = {}

    def cells(start: int, stop: int, *_) -> list:
        if len(known) > 100_000:  # a column of mostly distinct texts (notes) gains nothing
            known.clear()
        return [known[v] if v in known else known.setdefault(v, make(v)) for v in values[start:stop].tolist()]
    return cells
