"""Sheet 3, `Theo đơn vị`: every unit × indicator as % of target, coloured by its assessment."""

from __future__ import annotations

from ..consolidate import Consolidation
from .figures import Figures
from .kit import STATUS_COLOURS, STATUS_ORDER, Book, Column, number_cell, positions, set_widths, text_cell

# Then a column per indicator present under the root.
COLUMNS = (Column("unit_code", "unit_code", 10), Column("unit", "unit", 34), Column("level", "level", 5))
AT = positions(COLUMNS)
INDICATOR_WIDTH = 13
HEADER_ROW = 3
TITLE_COLUMNS = 6  # the titles span the first page's width only: the sheet prints several pages across


def write(book: Book, fig: Figures, c: Consolidation) -> None:
    ws = book.sheet("matrix")
    w, hr = book.w, HEADER_ROW
    indicators = c.present_indicators
    first = len(COLUMNS)
    last = first + len(indicators) - 1 if indicators else first - 1
    set_widths(ws, COLUMNS)
    if indicators:
        ws.set_column(first, last, INDICATOR_WIDTH)
    title_last = min(max(last, first - 1), first + TITLE_COLUMNS - 1)
    book.title(ws, 0, title_last, w["matrix_title"])
    book.title(ws, 1, title_last, w["matrix_subtitle"], size=12, bold=False, italic=True)
    # the legend: the four colours of every sheet, and no data
    text_cell(ws, 2, AT["unit"], w["matrix_legend"], book.fmt(bold=True, align="right"))
    for k, status in enumerate(STATUS_ORDER):
        text_cell(ws, 2, first + k, w[status], book.cell(align="center", bg_color=STATUS_COLOURS[status]))
    book.headers(ws, hr, [book.w[col.label] for col in COLUMNS] + [f"{i.name}\n({i.code})" for i in indicators],
                 height=120)
    ws.freeze_panes(hr + 1, first)
    _rows(book, fig, c, book.body(ws, hr + 1), indicators)
    # A wide matrix prints at full size, several pages across, the unit repeated on each.
    book.page_setup(ws, hr, fit_width=False, repeat_columns=2)


def _rows(book: Book, fig: Figures, c: Consolidation, body, indicators) -> None:
    plain, centred = book.cell(), book.cell(align="center")
    by_status = {status: book.cell(num_format="0.0", bg_color=STATUS_COLOURS[status]) for status in STATUS_ORDER}
    partial = {status: book.cell(num_format="0.0", bg_color=STATUS_COLOURS[status], italic=True)
               for status in STATUS_ORDER}
    first = len(COLUMNS)
    for n, unit in enumerate(c.unit_order, start=1):
        r = HEADER_ROW + n
        level = c.catalog.level(unit)
        text_cell(body, r, AT["unit_code"], unit, plain)
        text_cell(body, r, AT["unit"], fig.unit_label(unit), book.cell(indent=level, bold=level == 0))
        body.write_number(r, AT["level"], level, centred)
        for k, ind in enumerate(indicators):
            at = c.rows.shown_at(unit, ind.code)
            if at < 0:
                body.write_blank(r, first + k, None, plain)
                continue
            f = (partial if c.rows.is_partial_rollup_at(at) else by_status)[c.rows.status_at(at)]
            number_cell(body, r, first + k, c.rows.pct_of_target_at(at), f)
