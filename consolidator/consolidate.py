"""Consolidate a round: validate the returned files, roll up, build the long table, write outputs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import formulas
from .fileio import atomic_output
from .model import Catalog
from .rollup import Row, reported_values, roll_up, subtree
from .validate import ValidationReport, validate_files

# The long table of DESIGN.md §4, in this order.
TABLE_COLUMNS = (
    "round_id", "unit_code", "unit_name", "parent_code", "level", "indicator_code", "indicator_name", "group",
    "unit_of_measure", "direction", "measure", "baseline", "target", "result", "estimate", "proposed_target",
    "pct_of_target", "expected_progress", "pace", "status", "is_rollup", "coverage", "source_file", "note",
)
TEXT_COLUMNS = ("unit_name", "indicator_name", "group", "unit_of_measure", "proposed_target", "source_file", "note")


@dataclass
class Consolidation:
    """Everything the consolidated outputs show."""

    catalog: Catalog
    report: ValidationReport
    rows: list[Row]
    root: str
    accept_partial: bool = False
    run_at: datetime = field(default_factory=lambda: datetime.now().astimezone())
    _table: object = field(default=None, init=False, repr=False)

    @property
    def left_out(self) -> list:
        """Files not (wholly) consolidated: invalid, unreadable, another round's, unidentified.

        An older version of a unit that sent a newer file is not "left out": it was replaced.
        """
        return [
            s for s in self.report.submissions
            if s.status != "valid" and (s.counted or not any(i.code == "duplicate-file" for i in s.issues))
        ]

    def table(self):
        """The long data table as a DataFrame (one row per unit × indicator, rollups included).

        Built once: the workbook's data sheet and `--data-out` both need it.
        """
        if self._table is None:
            self._table = long_table(self.catalog, self.rows)
        return self._table


def consolidate(
    catalog: Catalog,
    paths: Sequence[Path],
    root: str | None = None,
    accept_partial: bool = False,
    progress: Callable[..., Iterable] = lambda it, length=None: it,
) -> Consolidation:
    """Validate every file, take the newest valid one per unit, roll up under `root`."""
    report = validate_files(catalog, paths, progress=progress)
    root = root or catalog.root.code
    if root != catalog.root.code:
        # A branch's run reports on the branch: its units, its files (and any file that could
        # not be identified, since it may be one of the branch's).
        branch = set(subtree(catalog, root))
        report.submissions = [s for s in report.submissions if s.unit_code is None or s.unit_code in branch]
        report.units = [u for u in report.units if u.unit_code in branch]
    rows = roll_up(catalog, reported_values(report.submissions, accept_partial), root)
    return Consolidation(catalog, report, rows, root, accept_partial)


def long_table(catalog: Catalog, rows: Sequence[Row]):
    import pandas as pd

    r = catalog.round
    e = r.elapsed_share
    records = []
    for row in rows:
        unit = catalog.unit_by_code[row.unit_code]
        ind = catalog.indicator_by_code[row.indicator_code]
        boolean_value = ind.direction == "boolean" and not formulas.counts_units(ind.direction, ind.aggregation, row.is_rollup)
        records.append({
            "round_id": r.round_id, "unit_code": unit.code, "unit_name": unit.name,
            "parent_code": unit.parent_code, "level": catalog.level(unit.code),
            "indicator_code": ind.code, "indicator_name": ind.name, "group": ind.group,
            "unit_of_measure": ind.unit_of_measure, "direction": ind.direction, "measure": ind.measure,
            "baseline": row.baseline, "target": row.target,
            # booleans are 1/0 (DESIGN.md §4); a rolled-up count or share stays a number
            "result": (None if row.result is None else int(bool(row.result))) if boolean_value else row.result,
            "estimate": row.estimate, "proposed_target": row.proposed_target,
            "pct_of_target": row.evaluation.pct_of_target, "expected_progress": e, "pace": row.evaluation.pace,
            "status": row.evaluation.status, "is_rollup": row.is_rollup, "coverage": row.coverage,
            "source_file": row.source_file, "note": _note(row),
        })
    frame = pd.DataFrame.from_records(records, columns=list(TABLE_COLUMNS))
    for col in ("baseline", "target", "result", "estimate", "pct_of_target", "pace", "coverage", "expected_progress"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    frame["level"] = frame["level"].astype("int64")
    frame["is_rollup"] = frame["is_rollup"].astype(bool)
    return frame


def _note(row: Row) -> str:
    """The unit's note; for a rollup, what a reader must know about it (partial, mismatch)."""
    if not row.is_rollup:
        return row.note
    parts = []
    if row.partial:
        parts.append(f"partial: {row.used}/{row.expected}" + (" (incomplete below)" if row.used == row.expected else ""))
    if row.sum_mismatch:
        parts.append("sum-mismatch: the unit's own figure differs from the sum of its units")
    return "; ".join(parts)


def safe_cell_text(value: object) -> object:
    """Text a spreadsheet would execute (= + - @, tab, CR at the start) is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_data(frame, path: str | Path) -> None:
    """The long table as CSV (UTF-8 with BOM, so Excel shows Vietnamese) or Parquet, atomically."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        with atomic_output(path) as tmp:
            frame.to_parquet(tmp, index=False)
        return
    out = frame.copy()
    for col in TEXT_COLUMNS + ("unit_code", "parent_code", "indicator_code"):
        out[col] = out[col].map(safe_cell_text)
    with atomic_output(path) as tmp:
        out.to_csv(tmp, index=False, encoding="utf-8-sig")
