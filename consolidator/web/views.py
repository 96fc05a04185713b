"""How the pages show figures: the templates' filters, and the summary, low list and chart
laid out from a consolidation (the chart as SVG coordinates the template draws)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from .. import formulas
from ..consolidate import Consolidation
from ..messages import labels
from ..model import Issue, Row
from ..numbers import display_number, show_time

# The chart: label column, then bars up to BAR_RIGHT, on a viewBox the page scales to its width.
CHART_WIDTH, LABEL_WIDTH, BAR_RIGHT, BAR_HEIGHT, BAR_GAP, CHART_TOP = 720, 300, 660, 18, 12, 28
MOST_LABEL = 44  # characters of an indicator's name beside its bar


def filters(lang: str) -> dict[str, Callable]:
    def num(value: float | None, yes_no: bool = False) -> str:
        if value is None:
            return ""
        if yes_no:
            return formulas_word(value, lang)
        return display_number(round(value, 6)) if lang == "vi" else f"{value:,.6g}"

    def pct(share: float | None) -> str:
        return "—" if share is None else f"{share * 100:.1f}%".replace(".", "," if lang == "vi" else ".")

    def when(moment: datetime | None) -> str:
        return "" if moment is None else show_time(moment)

    def day(d: date) -> str:
        return d.strftime("%d/%m/%Y")

    def message(issue: Issue) -> str:
        return issue.message(lang)

    def one_decimal(value: float | None) -> str:
        return "" if value is None else num(round(value, 1))

    return {"num": num, "pct": pct, "when": when, "day": day, "message": message, "one_decimal": one_decimal}


def formulas_word(value: float, lang: str) -> str:
    """A yes/no indicator's figure as the appendix writes it: Đạt (1) or Chưa đạt (0)."""
    words = labels(lang)
    return words["true_word"] if value else words["false_word"]


@dataclass(frozen=True)
class Line:
    """One row of the summary or the low list."""

    unit: str
    indicator: str
    unit_of_measure: str
    target: str
    result: float | None
    pct: float | None
    pace: float | None
    status: str
    yes_no: bool


@dataclass(frozen=True)
class Drawn:
    """One bar as the template draws it."""

    label: str
    y: float
    width: float
    expected_x: float | None
    status: str
    value: float | None


@dataclass(frozen=True)
class Results:
    summary: list[Line]
    low: list[Line]
    bars: list[Drawn]
    chart_height: float
    scale: float  # the % at the bars' right end
    hundred_x: float  # where 100 % is


def results(c: Consolidation, bars: Sequence) -> Results:
    summary = [line for ind in c.present_indicators if (line := _line(c, c.shown_row(c.root, ind.code)))]
    low = [line for row in c.low_rows if (line := _line(c, row))]
    top = max([100.0] + [b.pct or 0 for b in bars] + [b.expected or 0 for b in bars])
    scale = min(top, 200.0)
    span = BAR_RIGHT - LABEL_WIDTH
    drawn = [Drawn(_short(b.label), CHART_TOP + n * (BAR_HEIGHT + BAR_GAP), min(b.pct or 0, scale) / scale * span,
                   None if b.expected is None else LABEL_WIDTH + min(b.expected, scale) / scale * span, b.status, b.pct)
             for n, b in enumerate(bars)]
    height = CHART_TOP + len(drawn) * (BAR_HEIGHT + BAR_GAP) + 10
    return Results(summary, low, drawn, height, scale, LABEL_WIDTH + 100 / scale * span)


def _line(c: Consolidation, row: Row | None) -> Line | None:
    if row is None:
        return None
    ind = c.catalog.indicator_by_code[row.indicator_code]
    return Line(c.catalog.unit_by_code[row.unit_code].name, ind.name, ind.unit_of_measure, row.target_text,
                row.result, row.evaluation.pct_of_target, row.evaluation.pace, row.evaluation.status,
                ind.direction == formulas.BOOLEAN and not row.is_rollup)


def _short(text: str) -> str:
    return text if len(text) <= MOST_LABEL else text[:MOST_LABEL].rsplit(" ", 1)[0] + "…"
