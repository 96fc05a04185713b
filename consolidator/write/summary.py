"""Sheet 1, `Tổng hợp`: the root's appendix as on a unit's, with assessments, the units' counts and notes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .. import layout
from ..consolidate import Consolidation
from ..layout import number_format
from ..numbers import show_time
from .figures import Figures
from .kit import PARTIAL_MARK, STATUS_ORDER, Book, Column, number_cell, positions, set_widths, text_cell

# The appendix's own columns first, as the seed lays them out; then what consolidating adds.
COLUMNS = (
    Column("tt", "seed:tt", 5), Column("name", "seed:name", 38), Column("unit_of_measure", "seed:unit_of_measure", 11),
    Column("target", "seed:target", 20), Column("result", "seed:result", 13), Column("pct", "seed:pct", 15),
    Column("baseline", "seed:baseline", 11), Column("rollup_value", "rollup_value", 13),
    Column("expected", "expected", 10), Column("pace", "pace", 8), Column("status", "status", 12),
    # how many units under the root got each assessment: one heading over the five
    *(Column(status, status, 8, "count") for status in STATUS_ORDER),
    Column("coverage", "coverage", 13), Column("note", "note", 26),
    Column("indicator_code", "indicator_code", 11, "machine"),  # for machines, not for print
)
HEADER_ROWS = (8, 9)


@dataclass(frozen=True)
class _Layout:
    """The sheet's columns for one consolidation: a round started from an earlier one shows
    that round's result beside this one's (DESIGN.md §9), in a column only it has."""

    columns: tuple[Column, ...]

    @classmethod
    def of(cls, c: Consolidation) -> _Layout:
        if not c.previous:
            return cls(COLUMNS)
        at = [col.key for col in COLUMNS].index("result") + 1
        return cls(COLUMNS[:at] + (Column("previous", "previous_result", 13),) + COLUMNS[at:])

    @cached_property
    def at(self) -> dict[str, int]:
        return positions(self.columns)

    @cached_property
    def last(self) -> int:
        """The last printed column."""
        return max(n for n, col in enumerate(self.columns) if col.kind != "machine")
_GROUP_SHADE = "#F2F2F2"


def write(book: Book, fig: Figures, c: Consolidation) -> None:
    ws = book.sheet("summary")
    ws.activate()
    k = _Layout.of(c)
    set_widths(ws, k.columns)
    # header block, as on the unit appendix
    ws.set_row(5, 33)
    layout.write_header_block(ws, layout.header_block(c.catalog, c.root, book.lang), [col.width for col in k.columns],
                              left=(0, 2), right=(5, k.last), fmt=book.fmt)
    h1, h2 = HEADER_ROWS
    _headers(book, ws, layout.header_labels(c.catalog.round, book.lang), k, c)
    ws.freeze_panes(h2 + 1, 2)
    r, tally = _rows(book, fig, c, ws, h2 + 1, k)
    r = _notes(book, fig, c, ws, r, tally, k)
    book.page_setup(ws, h1, header_rows=2)
    ws.print_area(0, 0, r, k.last)


def _headers(book: Book, ws, seed: dict[str, str], k: _Layout, c: Consolidation) -> None:
    """Two header rows: the units' counts share one heading, every other column spans both."""
    h1, h2 = HEADER_ROWS
    ws.set_row(h1, 33)
    ws.set_row(h2, 48)
    counts = [n for n, col in enumerate(k.columns) if col.kind == "count"]
    for n, col in enumerate(k.columns):
        if col.key == "previous":
            book.merge_text(ws, h1, n, h2, n, book.w["previous_result"].format(round=c.previous_round or ""),
                            book.header())
        elif col.kind != "count":
            book.merge_text(ws, h1, n, h2, n, book.label(col.label, seed), book.header())
        elif n == counts[0]:
            book.merge_text(ws, h1, n, h1, counts[-1], book.w["units_count"], book.header())
            for m in counts:
                text_cell(ws, h2, m, book.label(k.columns[m].label, seed), book.header())

def _rows(book: Book, fig: Figures, c: Consolidation, ws, r: int, k: _Layout) -> tuple[int, dict[str, int]]:
    """The indicators present under the root, under their groups; the next row and the assessments' tally."""
    tally = dict.fromkeys(STATUS_ORDER, 0)
    n = 0
    for group_no, (group, shown) in enumerate(c.groups, start=1):
        text_cell(ws, r, k.at["tt"], layout.roman(group_no), book.cell(bold=True, align="center", bg_color=_GROUP_SHADE))
        text_cell(ws, r, k.at["name"], group, book.cell(bold=True, bg_color=_GROUP_SHADE))
        for col in range(k.at["name"] + 1, len(k.columns)):
            ws.write_blank(r, col, None, book.cell(bg_color=_GROUP_SHADE))
        r += 1
        for ind in shown:
            n += 1
            status = _indicator_row(book, fig, c, ws, r, n, ind, k)
            if status is not None:
                tally[status] += 1
            r += 1
    return r, tally


def _indicator_row(book: Book, fig: Figures, c: Consolidation, ws, r: int, n: int, ind, k: _Layout) -> str | None:
    """One indicator's row; its assessment (None when it is not aggregated)."""
    w, root, at = book.w, c.root, k.at
    row, rollup = c.shown_row(root, ind.code), c.rollup_row(root, ind.code)
    text_cell(ws, r, at["tt"], str(n), book.cell(align="center"))
    text_cell(ws, r, at["name"], ind.name, book.cell())
    text_cell(ws, r, at["unit_of_measure"], ind.unit_of_measure, book.cell(align="center"))
    text_cell(ws, r, at["indicator_code"], ind.code, book.cell(align="center"))
    for status, count in c.status_counts(ind.code).items():
        ws.write_number(r, at[status], count, book.cell(num_format="0", align="center"))
    if row is None:  # aggregation "none" and no own target at the root
        for col in range(at["target"], at[STATUS_ORDER[0]]):
            ws.write_blank(r, col, None, book.cell())
        text_cell(ws, r, at["coverage"], "", book.cell(align="center"))
        text_cell(ws, r, at["note"], w["not_aggregated"], book.cell())
        return None
    mark = PARTIAL_MARK if row.is_rollup and row.partial else {}
    fig.write_target(ws, r, at["target"], row, over_all=True)
    fig.write_result(ws, r, at["result"], row, mark)
    if "previous" in at:
        before = c.previous.get((root, ind.code, row.is_rollup))
        number_cell(ws, r, at["previous"], before, book.cell(num_format=number_format(fig.decimals(row))))
    pct_format = "0.0"
    if row.is_rollup and row.used < row.expected:  # like for like, and it says on how many units
        pct_format += f'" {w["pct_on"].format(used=row.used, expected=row.expected)}"'
    number_cell(ws, r, at["pct"], row.evaluation.pct_of_target, book.cell(num_format=pct_format, **mark))
    number_cell(ws, r, at["baseline"], row.baseline, book.cell(num_format=number_format(fig.decimals(row))))
    if row.is_rollup or rollup is None:
        ws.write_blank(r, at["rollup_value"], None, book.cell())
    else:
        fig.write_result(ws, r, at["rollup_value"], rollup, PARTIAL_MARK if rollup.partial else {})
    number_cell(ws, r, at["expected"], c.catalog.round.elapsed_share * 100, book.cell(num_format="0.0"))
    number_cell(ws, r, at["pace"], row.evaluation.pace, book.cell(num_format="0.00"))
    fig.write_status(ws, r, at["status"], row.evaluation.status)
    text_cell(ws, r, at["coverage"], fig.coverage_text(rollup),
              book.cell(align="center", **(PARTIAL_MARK if rollup is not None and rollup.partial else {})))
    notes = fig.flag_notes(rollup)
    if row.is_rollup and c.own_row(root, ind.code) is not None:
        notes.insert(0, w["rollup_shown"])
    if not row.is_rollup and row.note:
        notes.insert(0, row.note)
    text_cell(ws, r, at["note"], "; ".join(notes), book.cell())
    return row.evaluation.status


def _notes(book: Book, fig: Figures, c: Consolidation, ws, r: int, tally: dict[str, int], k: _Layout) -> int:
    """The lines under the table: the tally, the legend, what a partial rollup means, the sources; the last row."""
    w, round_, last = book.w, c.catalog.round, k.last
    line = book.fmt(text_wrap=True, valign="top")
    r += 1
    book.merge_text(ws, r, 0, r, last, w["tally"].format(total=sum(tally.values()), **tally),
                    book.fmt(bold=True, text_wrap=True))
    r += 1
    book.merge_text(ws, r, 0, r, last, w["legend"].format(
        cutoff=round_.cutoff_date.strftime("%d/%m/%Y"), expected=book.pct_text(round_.elapsed_share),
        low=book.show_threshold(round_.low_threshold)), line)
    ws.set_row(r, 33)
    r += 1
    book.merge_text(ws, r, 0, r, last, w["partial_legend"].format(unit=fig.unit_label(c.root)),
                    book.fmt(text_wrap=True, valign="top", italic=True, bg_color=PARTIAL_MARK["bg_color"]))
    ws.set_row(r, 48)
    r += 1
    summary = c.report.summary()
    book.merge_text(ws, r, 0, r, last, w["sources"].format(
        valid=summary["units_valid"], expected_units=summary["units_expected"],
        run_at=show_time(c.run_at)), book.fmt(italic=True, text_wrap=True))
    return r
