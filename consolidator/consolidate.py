"""Consolidate a round: validate the returned files, roll up, build the long table, write outputs."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import formulas
from .errors import ConsolidatorError, UnknownUnits, output_refused
from .fileio import atomic_output
from .gcpause import collector_paused
from .model import Catalog
from .model import Row, ValidationReport
from .rollup import reported_values, roll_up, subtree
from .validate import validate_files

# The long table of DESIGN.md §4, in this order.
TABLE_COLUMNS = (
    "round_id", "unit_code", "unit_name", "parent_code", "level", "indicator_code", "indicator_name", "group",
    "unit_of_measure", "direction", "measure", "baseline", "target", "target_all", "result", "estimate",
    "proposed_target", "pct_of_target", "expected_progress", "pace", "status", "is_rollup", "coverage", "source_file", "note",
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
        return [s for s in self.report.submissions if s.status != "valid" and s.in_round]

    def table(self):
        """The long data table as a DataFrame (one row per unit × indicator, rollups included).

        Built once: the workbook's data sheet and `--data-out` both need it.
        """
        if self._table is None:
            with collector_paused():
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
    if root is not None and root not in catalog.unit_by_code:
        raise UnknownUnits([root], key="cli_root_unknown")  # before a single file is read
    report = validate_files(catalog, paths, progress=progress)
    root = root or catalog.root.code
    if root != catalog.root.code:
        # A branch's run reports on the branch: its units, its files (and any file that could
        # not be identified, since it may be one of the branch's).
        branch = set(subtree(catalog, root))
        report.submissions = [s for s in report.submissions if s.unit_code is None or s.unit_code in branch]
        report.units = [u for u in report.units if u.unit_code in branch]
        report.attachments = [a for a in report.attachments if a.unit_code is None or a.unit_code in branch]
    with collector_paused():
        rows = roll_up(catalog, reported_values(report.submissions, accept_partial), root)
    return Consolidation(catalog, report, rows, root, accept_partial)


def long_table(catalog: Catalog, rows: Sequence[Row]):
    """The long table: a column at a time (a row per unit × indicator is 300,000 rows at ten
    thousand units; a dict per row would cost more than the table itself)."""
    import pandas as pd

    r = catalog.round
    booleans = {i.code for i in catalog.indicators if i.direction == formulas.BOOLEAN}
    units, indicators = catalog.unit_by_code, catalog.indicator_by_code

    def result(row: Row):
        # booleans are 1/0 (DESIGN.md §4); a rolled-up count or share stays a number
        if row.indicator_code in booleans and row.result is not None and not formulas.counts_units(
                formulas.BOOLEAN, indicators[row.indicator_code].aggregation, row.is_rollup):
            return int(bool(row.result))
        return row.result

    columns = {
        "unit_code": [row.unit_code for row in rows],
        "indicator_code": [row.indicator_code for row in rows],
        "baseline": [row.baseline for row in rows],
        "target": [row.target for row in rows],
        "target_all": [row.target_all for row in rows],
        "result": [result(row) for row in rows],
        "estimate": [row.estimate for row in rows],
        "proposed_target": [row.proposed_target for row in rows],
        "pct_of_target": [row.evaluation.pct_of_target for row in rows],
        "pace": [row.evaluation.pace for row in rows],
        "status": [row.evaluation.status for row in rows],
        "is_rollup": [row.is_rollup for row in rows],
        "coverage": [row.coverage for row in rows],
        "source_file": [row.source_file for row in rows],
        "note": [_note(row) for row in rows],
    }
    frame = pd.DataFrame(columns)
    for col in ("baseline", "target", "target_all", "result", "estimate", "pct_of_target", "pace", "coverage"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    frame["is_rollup"] = frame["is_rollup"].astype(bool)
    by_unit = frame["unit_code"]
    frame["unit_name"] = by_unit.map({code: u.name for code, u in units.items()})
    frame["parent_code"] = by_unit.map({code: u.parent_code for code, u in units.items()})
    frame["level"] = by_unit.map({code: catalog.level(code) for code in set(columns["unit_code"])}).astype("int64")
    by_indicator = frame["indicator_code"]
    for col, attr in (("indicator_name", "name"), ("group", "group"), ("unit_of_measure", "unit_of_measure"),
                      ("direction", "direction"), ("measure", "measure")):
        frame[col] = by_indicator.map({code: getattr(i, attr) for code, i in indicators.items()})
    frame["round_id"] = r.round_id
    frame["expected_progress"] = float(r.elapsed_share)
    return frame[list(TABLE_COLUMNS)]


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


# Text a spreadsheet would execute when the CSV is opened: a formula (= + - @) or, after a
# tab or carriage return, something that starts one.
_EXECUTABLE_START = ("=", "+", "-", "@", "\t", "\r")


def _defused(column):
    """A text column whose cells a spreadsheet would execute are prefixed with a quote.

    At pandas speed: only the cells it changes are touched.
    """
    risky = column.str.startswith(_EXECUTABLE_START).fillna(False).astype(bool)
    if not risky.any():
        return column
    text = column.astype(object)
    return text.where(~risky, "'" + text[risky])


def _write_table(frame, path: Path, parquet: bool) -> None:
    if parquet:
        frame.to_parquet(path, index=False)
        return
    out = frame.copy(deep=False)
    for col in TEXT_COLUMNS + ("unit_code", "parent_code", "indicator_code"):
        out[col] = _defused(frame[col])
    out.to_csv(path, index=False, encoding="utf-8-sig")


def write_outputs(result: Consolidation, output: str | Path, data_out: str | Path | None = None,
                  lang: str = "vi") -> None:
    """The consolidated workbook and, when asked for, the data table (CSV or Parquet).

    The data table is written by a forked process while this one writes the workbook
    (see background.py), into a temporary file this process made and renames: a child that
    is killed leaves nothing behind.
    """
    from .background import Forked
    from .workbook import write_consolidated

    if data_out is None:
        with collector_paused():
            write_consolidated(result, output, lang)
        return
    table = result.table()
    refused = None
    with contextlib.ExitStack() as stack:
        try:
            tmp = stack.enter_context(atomic_output(data_out))
        except OSError as exc:  # its folder cannot be made: said after the workbook is written
            refused, data = exc, None
        else:
            data = Forked(str(data_out), _write_table, table, tmp, Path(data_out).suffix.lower() == ".parquet")
        try:
            with collector_paused():
                write_consolidated(result, output, lang)
        except BaseException:
            if data is not None:
                with contextlib.suppress(ConsolidatorError):  # the workbook's failure is the one to tell
                    data.wait()
            raise
        if data is not None:
            data.wait()
    if refused:
        raise output_refused(data_out, refused)
