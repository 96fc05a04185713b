"""Sheet 2, `Chỉ tiêu đạt thấp`: every low unit × indicator, worst first, with why it is low."""

from __future__ import annotations

from .. import formulas, layout
from ..consolidate import Consolidation
from ..layout import number_format
from ..model import Row
from ..rollup import evaluation_kind
from .figures import Figures
from .kit import PARTIAL_MARK, Book, Column, number_cell, positions, set_widths, text_cell

# Every header differs from the others (a filter or a reader must tell them apart).
COLUMNS = (
    Column("n", "row_number", 5), Column("unit", "unit", 24), Column("unit_code", "unit_code", 10),
    Column("parent", "parent", 20), Column("indicator", "indicator", 30),
    Column("indicator_code", "indicator_code", 13), Column("kind", "kind", 10), Column("uom", "uom", 9),
    Column("baseline", "seed:baseline", 10), Column("target", "seed:target", 12),
    Column("result", "seed:result", 12), Column("pct", "seed:pct", 11), Column("expected", "expected", 10),
    Column("pace", "pace", 8), Column("reason", "reason", 34), Column("coverage", "coverage", 13),
    Column("source_file", "source_file", 26),
)
AT = positions(COLUMNS)
HEADER_ROW = 3


def write(book: Book, fig: Figures, c: Consolidation) -> None:
    ws = book.sheet("low")
    w, last, hr = book.w, len(COLUMNS) - 1, HEADER_ROW
    set_widths(ws, COLUMNS)
    book.title(ws, 0, last, w["low_title"])
    book.title(ws, 1, last, w["low_subtitle"].format(low=book.show_threshold(c.catalog.round.low_threshold)),
               size=12, bold=False, italic=True)
    seed = layout.header_labels(c.catalog.round, book.lang)
    book.headers(ws, hr, [book.label(col.label, seed) for col in COLUMNS])
    ws.freeze_panes(hr + 1, 0)
    body = book.body(ws, hr + 1)
    rows = c.low_rows
    _rows(book, fig, c, body, rows)
    if not rows:
        text_cell(body, hr + 1, 0, w["low_none"], book.fmt(italic=True))
    else:
        ws.autofilter(hr, 0, hr + len(rows), last)
    book.page_setup(ws, hr)


def _rows(book: Book, fig: Figures, c: Consolidation, body, rows: list[Row]) -> None:
    w, at = book.w, AT
    # A row per lagging unit × indicator: 65,000 at ten thousand units, so the formats
    # are looked up once, not per cell.
    plain, centred = book.cell(), book.cell(align="center")
    pct, pct_marked = book.cell(num_format="0.0"), book.cell(num_format="0.0", **PARTIAL_MARK)
    pace = book.cell(num_format="0.00")
    units, indicators = c.catalog.unit_by_code, c.catalog.indicator_by_code
    by_decimals = {d: book.cell(num_format=number_format(d)) for d in range(7)}
    reasons = _Reasons(book, fig, c.catalog.round.elapsed_share)
    expected = c.catalog.round.elapsed_share * 100
    for n, row in enumerate(rows, start=1):
        r = HEADER_ROW + n
        ind = indicators[row.indicator_code]
        marked = row.is_rollup and row.partial
        parent = units[row.unit_code].parent_code
        body.write_number(r, at["n"], n, centred)
        text_cell(body, r, at["unit"], fig.unit_label(row.unit_code), plain)
        text_cell(body, r, at["unit_code"], row.unit_code, centred)
        text_cell(body, r, at["parent"], units[parent].name if parent else "", plain)
        text_cell(body, r, at["indicator"], ind.name, plain)
        text_cell(body, r, at["indicator_code"], ind.code, centred)
        text_cell(body, r, at["kind"], w["rollup"] if row.is_rollup else w["reported"], centred)
        text_cell(body, r, at["uom"], ind.unit_of_measure, centred)
        number_cell(body, r, at["baseline"], row.baseline, by_decimals.get(fig.decimals(row)))
        fig.write_target(body, r, at["target"], row)
        fig.write_result(body, r, at["result"], row, PARTIAL_MARK if marked else None)
        number_cell(body, r, at["pct"], row.evaluation.pct_of_target, pct_marked if marked else pct)
        number_cell(body, r, at["expected"], expected, pct)
        number_cell(body, r, at["pace"], row.evaluation.pace, pace)
        text_cell(body, r, at["reason"], reasons.of(row), plain)
        text_cell(body, r, at["coverage"], fig.coverage_text(row) if row.is_rollup else "", centred)
        text_cell(body, r, at["source_file"], row.source_file, plain)


class _Reasons:
    """Why a row is low, in one line a reader understands: what changed, and what the pace rule needed by now."""

    def __init__(self, book: Book, fig: Figures, e: float):
        self.w, self.fig, self.e = book.w, fig, e
        self._kinds: dict[tuple[str, bool], tuple[str, str, int]] = {}  # evaluation kind and decimals

    def _kind(self, row: Row) -> tuple[str, str, int]:
        kind = self._kinds.get((row.indicator_code, row.is_rollup))
        if kind is None:
            ind = self.fig.catalog.indicator_by_code[row.indicator_code]
            kind = self._kinds[(row.indicator_code, row.is_rollup)] = (*evaluation_kind(ind, row.is_rollup),
                                                                       self.fig.decimals(row))
        return kind

    def of(self, row: Row) -> str:
        w, shown = self.w, self.fig.show_rounded
        direction, measure, decimals = self._kind(row)
        if direction == formulas.BOOLEAN:
            return w["why_boolean"]
        if row.result is None or row.target is None:
            return ""
        basis = formulas.pace_basis(direction, measure, row.target, row.result, self.e, row.baseline)
        if basis is None:
            return ""
        # e·t rarely falls on the indicator's decimals: one more shows "0,5", not "0" or "1"
        done, needed = shown(basis.done, decimals), shown(basis.needed, decimals + 1)
        target = shown(row.target, decimals)
        if basis.rule == formulas.RULE_CUMULATIVE:
            key = "why_cap" if basis.lower_is_better else "why_cumulative"
            return w[key].format(done=done, needed=needed, target=target)
        if basis.rule == formulas.RULE_FROM_BASELINE:
            change = w["why_up" if basis.done >= 0 else "why_down"].format(
                done=shown(abs(basis.done), decimals), baseline=shown(row.baseline, decimals))
            need = w["why_need_up" if basis.needed >= 0 else "why_need_down"].format(
                needed=shown(abs(basis.needed), decimals + 1))
            return f"{change}; {need}"
        key = "why_target_down" if basis.lower_is_better else "why_target"
        return w[key].format(done=done, target=target)
