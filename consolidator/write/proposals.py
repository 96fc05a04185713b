"""Sheet 5, `Đề xuất điều chỉnh`: the targets units propose to change, then the indicators units added."""

from __future__ import annotations

from ..consolidate import Consolidation
from .figures import Figures
from .kit import Book, Column, number_cell, positions, set_widths, text_cell

# The last two columns are the Standing Committee's: the office fills them in and gives this
# workbook back to `consolidator decide`, which finds them (and the codes) by their headers.
COLUMNS = (
    Column("n", "row_number", 5), Column("unit_code", "unit_code", 11), Column("unit", "unit", 24),
    Column("indicator", "indicator", 30), Column("indicator_code", "indicator_code", 12),
    Column("current_target", "current_target", 14), Column("proposed", "proposed", 14),
    Column("how", "how", 16), Column("note", "note", 26), Column("file", "file", 22),
    Column("decision", "decision", 14), Column("approved_target", "approved_target", 14),
)
AT = positions(COLUMNS)
# The added indicators, in the same columns' widths; their note spans two columns.
EXTRA_COLUMNS = (
    Column("n", "row_number", None), Column("unit_code", "unit_code", None), Column("unit", "unit", None),
    Column("name", "extra_name", None), Column("uom", "uom", None), Column("target", "target", None),
    Column("result", "result", None), Column("note", "note", None), Column("note_end", "", None),
    Column("file", "file", None),
)
EXTRA_AT = positions(EXTRA_COLUMNS)
HEADER_ROW = 2


def write(book: Book, fig: Figures, c: Consolidation) -> None:
    ws = book.sheet("proposals")
    w, last, hr = book.w, len(COLUMNS) - 1, HEADER_ROW
    set_widths(ws, COLUMNS)
    book.title(ws, 0, last, w["prop_title"])
    book.headers(ws, hr, [book.label(col.label, {}) for col in COLUMNS])
    ws.freeze_panes(hr + 1, 0)
    r = _proposals(book, fig, c, ws)
    _extras(book, fig, c, ws, r + 2)
    book.page_setup(ws, hr)


def _proposals(book: Book, fig: Figures, c: Consolidation, ws) -> int:
    """A row per proposed target; the last row written."""
    w, r = book.w, HEADER_ROW
    for n, p in enumerate(c.proposals, start=1):
        r += 1
        s, code = p.submission, p.indicator_code
        ind = c.catalog.indicator_by_code.get(code)
        target = c.own_target(s.unit_code, code)
        decided = c.decisions.get((s.unit_code, code))
        # decided: the target the catalog had before, beside the one approved
        current = decided.original_target if decided else (target.text if target else "")
        # a number typed over the locked target is shown as the unit would write it
        proposed = book.show_number(p.value) if p.overwritten and isinstance(p.value, float) else p.value
        ws.write_number(r, AT["n"], n, book.cell(align="center"))
        text_cell(ws, r, AT["unit_code"], s.unit_code, book.cell(align="center"))
        text_cell(ws, r, AT["unit"], fig.unit_label(s.unit_code), book.cell())
        text_cell(ws, r, AT["indicator"], ind.name if ind else code, book.cell())
        text_cell(ws, r, AT["indicator_code"], code, book.cell(align="center"))
        text_cell(ws, r, AT["current_target"], current, book.cell(align="center"))
        text_cell(ws, r, AT["proposed"], proposed, book.cell(align="center", bold=True))
        text_cell(ws, r, AT["how"], w["how_overwritten"] if p.overwritten else w["how_column"], book.cell())
        text_cell(ws, r, AT["note"], p.note, book.cell())
        text_cell(ws, r, AT["file"], s.path.name, book.cell())
        _decision_cells(book, ws, r, decided)
    if not c.proposals:
        r += 1
        text_cell(ws, r, 0, w["prop_none"], book.fmt(italic=True))
    return r


def _decision_cells(book: Book, ws, r: int, decided) -> None:
    """The decision (from a list, so only its two words can be typed) and the approved target:
    filled when recorded, to be filled by the office otherwise."""
    w = book.w
    words = [w["decision_approved"], w["decision_refused"]]
    shown = "" if decided is None else words[0] if decided.approved else words[1]
    text_cell(ws, r, AT["decision"], shown, book.cell(align="center", bold=True))
    text_cell(ws, r, AT["approved_target"], decided.approved_target if decided else "", book.cell(align="center"))
    ws.data_validation(r, AT["decision"], r, AT["decision"], {
        "validate": "list", "source": words, "input_title": w["decision"], "input_message": w["decision_input"]})


def _extras(book: Book, fig: Figures, c: Consolidation, ws, r: int) -> None:
    w, at = book.w, EXTRA_AT
    text_cell(ws, r, 0, w["extra_title"], book.fmt(bold=True))
    r += 1
    book.headers(ws, r, [book.label(col.label, {}) if col.label else "" for col in EXTRA_COLUMNS])
    book.merge_text(ws, r, at["note"], r, at["note_end"], w["note"], book.header())
    for n, (s, x) in enumerate(c.extras, start=1):
        r += 1
        ws.write_number(r, at["n"], n, book.cell(align="center"))
        text_cell(ws, r, at["unit_code"], s.unit_code, book.cell(align="center"))
        text_cell(ws, r, at["unit"], fig.unit_label(s.unit_code), book.cell())
        text_cell(ws, r, at["name"], x.name, book.cell())
        text_cell(ws, r, at["uom"], x.unit_of_measure, book.cell(align="center"))
        text_cell(ws, r, at["target"], x.target, book.cell(align="center"))
        number_cell(ws, r, at["result"], x.result, book.cell(num_format="#,##0.##"))
        book.merge_text(ws, r, at["note"], r, at["note_end"], x.note, book.cell())
        text_cell(ws, r, at["file"], s.path.name, book.cell())
    if not c.extras:
        r += 1
        text_cell(ws, r, 0, w["extra_none"], book.fmt(italic=True))
