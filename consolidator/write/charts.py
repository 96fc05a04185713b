"""Sheet 7, `Biểu đồ`: two native bar charts, one under the other on A4 portrait, their data hidden.

The hidden sheet (`Số liệu biểu đồ`) is written last, after `Thông tin`, from what `write`
returns: it is kept off the printout, and the sheets a reader opens come first.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import formulas
from ..consolidate import Consolidation
from ..layout import FONT
from ..rollup import evaluation_kind
from .figures import Figures
from .kit import STATUS_ORDER, Book, Column, number_cell, positions, set_widths, text_cell

CHART_COLOURS = {
    formulas.ACHIEVED: "#548235", formulas.ON_TRACK: "#2F75B5", formulas.BEHIND: "#FFC000",
    formulas.LOW: "#C00000", formulas.NO_DATA: "#A6A6A6",
}
CHART_WIDTH = 660  # pixels: within an A4 portrait page's margins at 100 % (about 715), in Excel and LibreOffice
CHART_BAR = 24  # pixels an indicator (or unit) takes in a horizontal bar chart: its label readable
CHARTS_COLUMN_WIDTH = 88
LABEL_MOST = 60  # characters of an indicator's name in a chart label

# The hidden sheet: chart 1's points, then (two rows below) chart 2's units, in the same columns.
POINT_COLUMNS = (Column("label", "indicator", None), Column("pct", "chart_pct", None),
                 Column("expected", "chart_expected", None), Column("status", "status", None))
POINT_AT = positions(POINT_COLUMNS)
UNIT_COLUMNS = (Column("unit", "unit", 60), *(Column(status, status, 14) for status in STATUS_ORDER))
UNIT_AT = positions(UNIT_COLUMNS)


@dataclass(frozen=True)
class Point:
    """Chart 1, an indicator a bar."""

    label: str
    pct: float | None  # the result in %
    expected: float | None  # expected by now, in %
    status: str


@dataclass(frozen=True)
class ChartData:
    points: list[Point]
    units: list[tuple[str, list[int]]]  # chart 2: a direct unit's name, how many indicators got each assessment


def write(book: Book, fig: Figures, c: Consolidation) -> ChartData:
    ws = book.sheet("charts")
    data = ChartData(_points(book, fig, c),
                     [(fig.unit_label(kid), [c.shown_statuses(kid).count(status) for status in STATUS_ORDER])
                      for kid in c.direct_units])
    ws.set_column(0, 0, CHARTS_COLUMN_WIDTH)
    r = 0
    if data.points:
        r = _progress_chart(book, fig, c, ws, data)
    if data.units:
        if r:
            ws.set_h_pagebreaks([r])
        _status_chart(book, ws, data, r)
    # Charts, not a table: portrait, at full size (a fit would drop the page break), no header row.
    book.page_setup(ws, None, fit_width=False, portrait=True)
    return data


def _progress_chart(book: Book, fig: Figures, c: Consolidation, ws, data: ChartData) -> int:
    """Chart 1 and its note; the row under them."""
    source, n, at = book.names["chart_data"], len(data.points), POINT_AT
    bars = book.wb.add_chart({"type": "bar"})
    bars.add_series({
        "name": [source, 0, at["pct"]], "categories": [source, 1, at["label"], n, at["label"]],
        "values": [source, 1, at["pct"], n, at["pct"]],
        "points": [{"fill": {"color": CHART_COLOURS[p.status]}} for p in data.points],
        "data_labels": {"value": True, "num_format": "0", "font": {"name": FONT, "size": 8}},
        "gap": 40,
    })
    bars.add_series({
        "name": [source, 0, at["expected"]], "categories": [source, 1, at["label"], n, at["label"]],
        "values": [source, 1, at["expected"], n, at["expected"]],
        "fill": {"color": "#BFBFBF"}, "border": {"color": "#7F7F7F"},
    })
    height = 140 + CHART_BAR * n
    _style(bars, book.w["chart_pct_title"].format(unit=fig.unit_label(c.root)), height)
    bars.set_x_axis({"name": "%", "min": 0, "major_gridlines": {"visible": True},
                     "num_font": {"name": FONT, "size": 9}, "name_font": {"name": FONT, "size": 9}})
    ws.insert_chart(0, 0, bars, {"object_position": 3})
    r = -(-height // 20) + 1  # rows of the default 20 pixels the chart covers
    text_cell(ws, r, 0, book.w["chart_note"].format(cutoff=c.catalog.round.cutoff_date.strftime("%d/%m/%Y")),
              book.fmt(italic=True, text_wrap=True, font_size=11, valign="top"))
    return r + 2


def _status_chart(book: Book, ws, data: ChartData, r: int) -> None:
    """Chart 2: the assessments of each direct unit's indicators, stacked."""
    source, at = book.names["chart_data"], UNIT_AT
    top, last = len(data.points) + 2, len(data.points) + 2 + len(data.units)
    stacked = book.wb.add_chart({"type": "bar", "subtype": "stacked"})
    for status in STATUS_ORDER:
        stacked.add_series({
            "name": [source, top, at[status]], "categories": [source, top + 1, at["unit"], last, at["unit"]],
            "values": [source, top + 1, at[status], last, at[status]], "fill": {"color": CHART_COLOURS[status]},
            "gap": 50,
        })
    # a unit's name takes two lines more often than an indicator's shortened label
    height = 140 + int(1.5 * CHART_BAR) * len(data.units)
    _style(stacked, book.w["chart_status_title"], height)
    stacked.set_x_axis({"name": book.w["indicator"], "min": 0, "major_gridlines": {"visible": True},
                        "num_font": {"name": FONT, "size": 9}, "name_font": {"name": FONT, "size": 9}})
    ws.insert_chart(r, 0, stacked, {"object_position": 3})


def _style(chart, title: str, height: int) -> None:
    """Times New Roman everywhere in a horizontal bar chart, the first category on top."""
    chart.set_title({"name": title, "name_font": {"name": FONT, "size": 12, "bold": True}})
    chart.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": {"name": FONT, "size": 9}})
    chart.set_legend({"position": "bottom", "font": {"name": FONT, "size": 9}})
    chart.set_chartarea({"border": {"none": True}})
    chart.set_size({"width": CHART_WIDTH, "height": height})


def _points(book: Book, fig: Figures, c: Consolidation) -> list[Point]:
    """An indicator a bar, numbered as on the summary.

    A cap over the term shows the share of it used, never a % of target that reads as success.
    """
    w, points, e = book.w, [], c.catalog.round.elapsed_share
    for _, indicators in fig.grouped_indicators():
        for ind in indicators:
            row = c.shown_row(c.root, ind.code)
            if row is None:
                continue
            direction, measure = evaluation_kind(ind, row.is_rollup)
            label = f"{len(points) + 1}. {_shortened(ind.name, LABEL_MOST)}"
            if direction == formulas.DECREASE and measure == formulas.CUMULATIVE:
                label += f" ({w['chart_cap']})"
            if row.is_rollup and row.used < row.expected:
                label += f" ({w['pct_on'].format(used=row.used, expected=row.expected)})"
            points.append(Point(label, formulas.progress_pct(direction, measure, row.target, row.result),
                                formulas.expected_pct(direction, measure, row.target, e, row.baseline),
                                row.evaluation.status))
    return points


def _shortened(text: str, most: int) -> str:
    """A chart label that stays on a line or two: cut at a word, with an ellipsis."""
    if len(text) <= most:
        return text
    return text[:most].rsplit(" ", 1)[0] + "…"


def write_data(book: Book, data: ChartData) -> None:
    """The cells the charts read, on a hidden sheet: kept off the printout."""
    ws = book.sheet("chart_data")
    set_widths(ws, UNIT_COLUMNS)
    book.headers(ws, 0, [book.w[col.label] for col in POINT_COLUMNS])
    for n, p in enumerate(data.points, start=1):
        text_cell(ws, n, POINT_AT["label"], p.label, book.cell())
        number_cell(ws, n, POINT_AT["pct"], p.pct, book.cell(num_format="0.0"))
        number_cell(ws, n, POINT_AT["expected"], p.expected, book.cell(num_format="0.0"))
        text_cell(ws, n, POINT_AT["status"], book.w[p.status], book.cell())
    top = len(data.points) + 2
    book.headers(ws, top, [book.w[col.label] for col in UNIT_COLUMNS])
    for n, (name, counts) in enumerate(data.units, start=1):
        text_cell(ws, top + n, UNIT_AT["unit"], name, book.cell())
        for status, count in zip(STATUS_ORDER, counts):
            ws.write_number(top + n, UNIT_AT[status], count, book.cell(num_format="0"))
    book.page_setup(ws, 0)
    ws.hide()
