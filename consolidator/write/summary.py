"""Sheet 1, `Tổng hợp`: the root's appendix as on a unit's, with assessments, the units' counts and notes."""

from __future__ import annotations

from .. import layout
from ..consolidate import Consolidation
from ..layout import number_format
from .figures import Figures
from .kit import PARTIAL_MARK, STATUS_ORDER, Book, Column, number_cell, positions, set_widths, text_cell

# The appendix's own columns first, as the seed lays them out; then what consolidating adds.
COLUMNS = (
    Column("tt", "seed:tt", 5), Column("name", "seed:name", 38), Column("unit_of_measure", "seed:unit_of_measure", 10),
    Column("target", "seed:target", 20), Column("result", "seed:result", 13), Column("pct", "seed:pct", 15),
    Column("baseline", "seed:baseline", 11), Column("rollup_value", "rollup_value", 13),
    Column("expected", "expected", 10), Column("pace", "pace", 8), Column("status", "status", 12),
    # how many units under the root got each assessment: one heading over the five
    *(Column(status, status, 8, "count") for status in STATUS_ORDER),
    Column("coverage", "coverage", 13), Column("note", "note", 26),
    Column("indicator_code", "indicator_code", 11, "machine"),  # for machines, not for print
)
AT = positions(COLUMNS)
PRINTED_LAST = max(c for c, col in enumerate(COLUMNS) if col.kind != "machine")
HEADER_ROWS = (8, 9)
_GROUP_SHADE = "#F2F2F2"


def write(book: Book, fig: Figures, c: Consolidation) -> None:
    ws = book.sheet("summary")
    ws.activate()
    set_widths(ws, COLUMNS)
    # header block, as on the unit appendix
    ws.set_row(5, 33)
    layout.write_header_block(ws, layout.header_block(c.catalog, c.root, book.lang), [col.width for col in COLUMNS],
                              left=(0, 2), right=(5, PRINTED_LAST), fmt=book.fmt)
    h1, h2 = HEADER_ROWS
    _headers(book, ws, layout.header_labels(c.catalog.round, book.lang))
    ws.freeze_panes(h2 + 1, 2)
    r, tally = _rows(book, fig, c, ws, h2 + 1)
    r = _notes(book, fig, c, ws, r, tally)
    book.page_setup(ws, h1, header_rows=2)
    ws.print_area(0, 0, r, PRINTED_LAST)


def _headers(book: Book, ws, seed: dict[str, str]) -> None:
    """Two header rows: the units' counts share one heading, every other column spans both."""
    h1, h2 = HEADER_ROWS
    ws.set_row(h1, 33)
    ws.set_row(h2, 48)
    counts = [c for c, col in enumerate(COLUMNS) if col.kind == "count"]
    for c, col in enumerate(COLUMNS):
        if col.kind != "count":
            book.merge_text(ws, h1, c, h2, c, book.label(col.label, seed), book.header())
        elif c == counts[0]:
            book.merge_text(ws, h1, c, h1, counts[-1], book.w["units_count"], book.header())
            for k in counts:
                text_cell(ws, h2, k, book.label(COLUMNS[k].label, seed), book.header())

def _rows(book: Book, fig: Figures, c: Consolidation, ws, r: int) -> tuple[int, dict[str, int]]:
    """The indicators present under the root, under their groups; the next row and the assessments' tally."""
    tally = dict.fromkeys(STATUS_ORDER, 0)
    n = 0
    for group_no, (group, shown) in enumerate(c.groups, start=1):
        text_cell(ws, r, AT["tt"], layout.roman(group_no), book.cell(bold=True, align="center", bg_color=_GROUP_SHADE))
        text_cell(ws, r, AT["name"], group, book.cell(bold=True, bg_color=_GROUP_SHADE))
        for col in range(AT["name"] + 1, len(COLUMNS)):
            ws.write_blank(r, col, None, book.cell(bg_color=_GROUP_SHADE))
        r += 1
        for ind in shown:
            n += 1
            status = _indicator_row(book, fig, c, ws, r, n, ind)
            if status is not None:
                tally[status] += 1
            r += 1
    return r, tally


def _indicator_row(book: Book, fig: Figures, c: Consolidation, ws, r: int, n: int, ind) -> str | None:
    """One indicator's row; its assessment (None when it is not aggregated)."""
    w, root = book.w, c.root
    row, rollup = c.shown_row(root, ind.code), c.rollup_row(root, ind.code)
    text_cell(ws, r, AT["tt"], str(n), book.cell(align="center"))
    text_cell(ws, r, AT["name"], ind.name, book.cell())
    text_cell(ws, r, AT["unit_of_measure"], ind.unit_of_measure, book.cell(align="center"))
    text_cell(ws, r, AT["indicator_code"], ind.code, book.cell(align="center"))
    for status, count in c.status_counts(ind.code).items():
        ws.write_number(r, AT[status], count, book.cell(num_format="0", align="center"))
    if row is None:  # aggregation "none" and no own target at the root
        for col in range(AT["target"], AT[STATUS_ORDER[0]]):
            ws.write_blank(r, col, None, book.cell())
        text_cell(ws, r, AT["coverage"], "", book.cell(align="center"))
        text_cell(ws, r, AT["note"], w["not_aggregated"], book.cell())
        return None
    mark = PARTIAL_MARK if row.is_rollup and row.partial else {}
    fig.write_target(ws, r, AT["target"], row, over_all=True)
    fig.write_result(ws, r, AT["result"], row, mark)
    pct_format = "0.0"
    if row.is_rollup and row.used < row.expected:  # like for like, and it says on how many units
        pct_format += f'" {w["pct_on"].format(used=row.used, expected=row.expected)}"'
    number_cell(ws, r, AT["pct"], row.evaluation.pct_of_target, book.cell(num_format=pct_format, **mark))
    number_cell(ws, r, AT["baseline"], row.baseline, book.cell(num_format=number_format(fig.decimals(row))))
    if row.is_rollup or rollup is None:
        ws.write_blank(r, AT["rollup_value"], None, book.cell())
    else:
        fig.write_result(ws, r, AT["rollup_value"], rollup, PARTIAL_MARK if rollup.partial else {})
    number_cell(ws, r, AT["expected"], c.catalog.round.elapsed_share * 100, book.cell(num_format="0.0"))
    number_cell(ws, r, AT["pace"], row.evaluation.pace, book.cell(num_format="0.00"))
    fig.write_status(ws, r, AT["status"], row.evaluation.status)
    text_cell(ws, r, AT["coverage"], fig.coverage_text(rollup),
              book.cell(align="center", **(PARTIAL_MARK if rollup is not None and rollup.partial else {})))
    notes = fig.flag_notes(rollup)
    if row.is_rollup and c.own_row(root, ind.code) is not None:
        notes.insert(0, w["rollup_shown"])
    if not row.is_rollup and row.note:
        notes.insert(0, row.note)
    text_cell(ws, r, AT["note"], "; ".join(notes), book.cell())
    return row.evaluation.status


def _notes(book: Book, fig: Figures, c: Consolidation, ws, r: int, tally: dict[str, int]) -> int:
    """The lines under the table: the tally, the legend, what a partial rollup means, the sources; the last row."""
    w, round_ = book.w, c.catalog.round
    line = book.fmt(text_wrap=True, valign="top")
    r += 1
    book.merge_text(ws, r, 0, r, PRINTED_LAST, w["tally"].format(total=sum(tally.values()), **tally),
                    book.fmt(bold=True, text_wrap=True))
    r += 1
    book.merge_text(ws, r, 0, r, PRINTED_LAST, w["legend"].format(
        cutoff=round_.cutoff_date.strftime("%d/%m/%Y"), expected=book.pct_text(round_.elapsed_share),
        low=book.show_threshold(round_.low_threshold)), line)
    ws.set_row(r, 33)
    r += 1
    book.merge_text(ws, r, 0, r, PRINTED_LAST, w["partial_legend"].format(unit=fig.unit_label(c.root)),
                    book.fmt(text_wrap=True, valign="top", italic=True, bg_color=PARTIAL_MARK["bg_color"]))
    ws.set_row(r, 48)
    r += 1
    summary = c.report.summary()
    book.merge_text(ws, r, 0, r, PRINTED_LAST, w["sources"].format(
        valid=summary["units_valid"], expected_units=summary["units_expected"],
        run_at=c.run_at.astimezone().strftime("%d/%m/%Y %H:%M")), book.fmt(italic=True, text_wrap=True))
    return r
