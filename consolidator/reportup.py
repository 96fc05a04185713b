"""Report up (DESIGN.md §9): fill the appendix the parent's round generated for this round's
root with the root's figures, as the root's own clerk would type them, so the parent's round
judges the file as any unit's.

The parent's file is read twice: first with the tool's own bounded reader (xlsx.py), which
refuses a hostile package before anything else opens it and finds whose appendix it is and
where its table is; then with openpyxl, which edits a copy and keeps what the parent put
there — the hidden sheet, the protection, the validations, the % formulas. Only the input
cells of the rows matched get a value, and never a locked one; the file given is never
written, the copy is written atomically.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from . import formulas, layout
from .consolidate import Consolidation, partial_note, root_figures
from .errors import ConsolidatorError
from .fileio import atomic_output, clean_text
from .messages import labels
from .model import Catalog, FilledAppendix, RootFigure, Unfilled, Unit
from .numbers import normalize_text, parse_bool
from .reader import find_table
from .xlsx import Sheet, UnreadableWorkbook, read_workbook

# Why an indicator of the parent's appendix stays blank (labels.toml).
UNMATCHED, NO_FIGURE, OTHER_KIND = "reportup_why_unmatched", "reportup_why_no_figure", "reportup_why_kind"


@dataclass(frozen=True)
class ParentRow:
    """One indicator row of the parent's appendix."""

    excel_row: int
    indicator_code: str
    name: str
    boolean: bool  # its target says Đạt: a yes/no indicator, answered with Đạt / Chưa đạt


@dataclass(frozen=True)
class ParentAppendix:
    """Whose appendix it is and where its table is, as the parent's round generated it."""

    round_id: str
    unit_code: str
    unit_name: str
    lang: str
    sheet: str
    columns: Mapping[str, int]  # column key → 1-based column
    rows: tuple[ParentRow, ...]


def report_up(consolidation: Consolidation, parent_appendix: Path, output: Path) -> FilledAppendix:
    """Write `output`: the parent's appendix for this round's root, filled with the root's figures."""
    catalog = consolidation.catalog
    root = catalog.unit_by_code[consolidation.root]
    if output.resolve() == parent_appendix.resolve():
        raise ConsolidatorError(key="reportup_same_file", path=parent_appendix)
    parent = read_parent(parent_appendix, catalog)
    check_parent(parent, root, catalog, parent_appendix)
    figures = root_figures(consolidation.table)
    return write_filled(parent, parent_appendix, output, catalog, figures)


def read_parent(path: Path, catalog: Catalog) -> ParentAppendix:
    """The parent's appendix, read with the bounded reader; refused when it is none."""
    try:
        workbook = read_workbook(path)
    except UnreadableWorkbook as exc:
        raise ConsolidatorError(key="reportup_unreadable", path=path, **exc.as_reason()) from exc
    meta_sheet = workbook.sheet(layout.META_SHEET)
    # Our labels find the parent's header: those that name a month or year are matched by how they start.
    sheet, header_row, columns = find_table(workbook, catalog)
    if meta_sheet is None or sheet is None or not {"indicator_code", "result"} <= set(columns):
        raise ConsolidatorError(key="reportup_not_appendix", path=path)
    meta = _metadata(meta_sheet)
    return ParentAppendix(meta.get("round_id", ""), meta.get("unit_code", ""), meta.get("unit_name", ""),
                          meta.get("lang") or "vi", sheet.name, columns, _rows(sheet, header_row, columns))


def _metadata(sheet: Sheet) -> dict[str, str]:
    return {normalize_text(sheet.value(r, 1)): normalize_text(sheet.value(r, 2))
            for r in range(1, layout.META_LOCKED_ROW) if sheet.value(r, 1) is not None}


def _rows(sheet: Sheet, header_row: int, columns: Mapping[str, int]) -> tuple[ParentRow, ...]:
    last = max((row for row, _ in sheet.cells), default=header_row)
    out = []
    for r in range(header_row + 1, last + 1):
        code = normalize_text(sheet.value(r, columns["indicator_code"]))
        if not code:
            continue
        name = normalize_text(sheet.value(r, columns["name"])) if "name" in columns else ""
        target = sheet.value(r, columns["target"]) if "target" in columns else None
        out.append(ParentRow(r, code, name, isinstance(target, str) and parse_bool(target) is True))
    return tuple(out)


def check_parent(parent: ParentAppendix, root: Unit, catalog: Catalog, path: Path) -> None:
    """Refuse an appendix made for another unit than our root, or sharing no indicator with us."""
    same_name = _folded(parent.unit_name) == _folded(root.name)
    if parent.unit_code != root.code and not same_name:
        raise ConsolidatorError(key="reportup_other_unit", path=path, unit=parent.unit_code,
                                name=parent.unit_name, root=root.code, root_name=root.name)
    if not any(catalog.ours(row.indicator_code) for row in parent.rows):
        raise ConsolidatorError(key="reportup_nothing_shared", path=path, round_id=parent.round_id,
                                ours=catalog.round.round_id)


def _folded(name: str) -> str:
    return " ".join(normalize_text(name).casefold().split())


def write_filled(parent: ParentAppendix, source: Path, output: Path, catalog: Catalog,
                 figures: Mapping[str, RootFigure]) -> FilledAppendix:
    """Type the figures into a copy of the parent's appendix and write it atomically."""
    wb = openpyxl.load_workbook(source)
    ws = wb[parent.sheet]
    filled, unfilled, locked = [], [], []
    for row in parent.rows:
        ours = catalog.ours(row.indicator_code)
        figure = figures.get(ours) if ours else None
        why = _why_blank(row, ours, figure, catalog)
        if why:
            unfilled.append(Unfilled(row.indicator_code, row.name, why))
            continue
        wrote = False
        for key, value in _values(row, figure, parent.lang, catalog.indicator_by_code[ours].decimals).items():
            if key not in parent.columns or value is None:
                continue
            cell = ws.cell(row.excel_row, parent.columns[key])
            if cell.protection.locked:  # the parent's to fill or to keep: never ours to change
                locked.append(cell.coordinate)
                continue
            cell.value = _as_typed(value, cell.number_format)
            wrote = wrote or key == "result"
        if wrote:
            filled.append(row.indicator_code)
    with atomic_output(output) as tmp:
        wb.save(tmp)
    return FilledAppendix(output, parent.round_id, parent.unit_code, parent.unit_name, len(parent.rows), tuple(filled),
                          tuple(unfilled), tuple(locked))


def _why_blank(row: ParentRow, ours: str | None, figure: RootFigure | None, catalog: Catalog) -> str | None:
    if ours is None:
        return UNMATCHED
    if figure is None or figure.result is None:
        return NO_FIGURE
    if row.boolean != (catalog.indicator_by_code[ours].direction == formulas.BOOLEAN):
        return OTHER_KIND
    return None


def _values(row: ParentRow, figure: RootFigure, lang: str, decimals: int) -> dict[str, object]:
    """What goes in each input cell: the result and estimate as the unit types them, and a
    note where the figure is a partial rollup."""
    words = labels(lang)

    def typed(value: float | None) -> object:
        if value is None:
            return None
        if row.boolean:
            return words["true_word"] if value else words["false_word"]
        return _Number(value, decimals)

    return {"result": typed(figure.result), "estimate": typed(figure.estimate), "note": partial_note(figure, lang) or None}


@dataclass(frozen=True)
class _Number:
    """A figure to type, with our indicator's decimals for when the cell's format says none."""

    value: float
    decimals: int


_DECIMALS = re.compile(r"\.([0#?]+)")


def _as_typed(value: object, number_format: str) -> object:
    """A figure rounded to the decimals the parent's cell shows (its indicator's), as a
    spreadsheet holds what was typed; a cell formatted as a percentage holds 0.0475 for 4,75."""
    if not isinstance(value, _Number):
        return clean_text(value)
    fmt = (number_format or "").split(";")[0]
    found = _DECIMALS.search(fmt)
    decimals = len(found[1]) if found else (0 if "0" in fmt or "#" in fmt else value.decimals)
    number = round(value.value, decimals)
    if "%" in fmt:
        return round(number / 100, decimals + 2)
    return int(number) if decimals == 0 else number
