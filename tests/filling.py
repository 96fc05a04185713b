"""Fill generated appendices with openpyxl, the way a unit does in a spreadsheet program."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl

from consolidator import layout
from consolidator.demo import set_saved_time

RESULT_COL = layout.COLUMNS.index("result") + 1
CODE_COL = layout.COLUMNS.index("indicator_code") + 1


def column(key: str) -> int:
    return layout.COLUMNS.index(key) + 1


def rows_by_code(ws) -> dict[str, int]:
    return {ws.cell(r, CODE_COL).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, CODE_COL).value}


def fill(template: Path, out: Path, results: dict[str, object], *, column_key: str = "result",
         modified: datetime | None = None, edit=None) -> Path:
    """Copy `template` to `out` with results typed in by indicator code; `edit(wb, ws)` for more."""
    wb = openpyxl.load_workbook(template)
    ws = wb.worksheets[0]
    rows = rows_by_code(ws)
    for code, value in results.items():
        ws.cell(rows[code], column(column_key)).value = value
    if edit is not None:
        edit(wb, ws)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    if modified is not None:
        set_saved_time(out, modified)
    return out


def complete_results(catalog, unit_code: str) -> dict[str, object]:
    """A plausible, valid result for every indicator of a unit (80% of the target bound)."""
    out: dict[str, object] = {}
    for t in catalog.targets_by_unit[unit_code]:
        ind = catalog.indicator_by_code[t.indicator_code]
        out[t.indicator_code] = "Đạt" if ind.direction == "boolean" else round(t.bound(ind.direction) * 0.8, 2)
    return out
