"""How a row's figures are shown — its target, result, assessment, coverage and flags — on every sheet alike."""

from __future__ import annotations

from .. import prose
from ..consolidate import Consolidation
from ..layout import number_format, shown_decimals
from ..model import Row
from .kit import STATUS_COLOURS, Book, number_cell, text_cell


class Figures:
    """A row's figures as cells and words, for the sheets of one workbook."""

    def __init__(self, book: Book, consolidation: Consolidation):
        self.book, self.c = book, consolidation
        self.catalog = consolidation.catalog
        self._shown: dict[tuple[float, int], str] = {}

    def is_boolean_value(self, row: Row) -> bool:
        """Whether a row's result is achieved/not achieved rather than a count or share of units."""
        return prose.is_yes_no(self.c, row)

    def decimals(self, row: Row) -> int:
        return shown_decimals(self.catalog.indicator_by_code[row.indicator_code], row.is_rollup)

    def write_target(self, ws, r: int, c: int, row: Row, over_all: bool = False) -> None:
        """The target of a row; with `over_all`, a rollup's target over all its units, marked so.

        Which target is the one the report's appendix shows too (prose.shown_target).
        """
        book = self.book
        kind, value = prose.shown_target(self.c, row, over_all)
        f_text = book.cell(align="center")
        if kind == "yes":
            text_cell(ws, r, c, book.text["true_word"], f_text)
        elif kind == "summed":
            # a number still, the mark is in its format: a reader sees it, a formula can use it
            marked = f'{number_format(self.decimals(row))}" ({book.w["summed"]})"'
            number_cell(ws, r, c, value, book.cell(num_format=marked))
        elif kind == "number":
            number_cell(ws, r, c, value, book.cell(num_format=number_format(self.decimals(row))))
        else:
            text_cell(ws, r, c, value or "", f_text)

    def write_result(self, ws, r: int, c: int, row: Row | None, extra: dict | None = None) -> None:
        book, extra = self.book, extra or {}
        if row is None:
            ws.write_blank(r, c, None, book.cell(**extra))
        elif self.is_boolean_value(row) and row.result is not None:
            word = book.text["true_word"] if row.result else book.text["false_word"]
            text_cell(ws, r, c, word, book.cell(align="center", **extra))
        else:
            number_cell(ws, r, c, row.result, book.cell(num_format=number_format(self.decimals(row)), **extra))

    def write_status(self, ws, r: int, c: int, status: str) -> None:
        text_cell(ws, r, c, self.book.w[status], self.book.cell(align="center", bg_color=STATUS_COLOURS[status]))

    def coverage_text(self, rollup: Row | None) -> str:
        if rollup is None:
            return ""
        w = self.book.w
        text = w["coverage_text"].format(used=rollup.used, expected=rollup.expected)
        return text + (w["incomplete"] if rollup.partial else "")

    def flag_notes(self, rollup: Row | None) -> list[str]:
        # a partial rollup is told by its style and the coverage column, explained once below the table
        return prose.flag_notes(self.c, rollup, self.book.lang)

    def show_rounded(self, value: float, decimals: int) -> str:
        # the same baselines and targets recur on thousands of rows of the low list
        key = (value, decimals)
        shown = self._shown.get(key)
        if shown is None:
            shown = self._shown[key] = self.book.show_number(round(value, decimals))
        return shown

    def grouped_indicators(self) -> list[tuple[str, list]]:
        """Indicators grouped by group (groups in order of first appearance), catalog order within."""
        groups: dict[str, list] = {}
        for ind in self.catalog.indicators:
            groups.setdefault(ind.group, []).append(ind)
        return list(groups.items())

    def unit_label(self, code: str) -> str:
        return self.catalog.unit_by_code[code].name
