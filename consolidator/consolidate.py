"""Consolidate a round: validate the returned files, roll up, build the long table; the rules every output lays out.

Writing the outputs is `write/`'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

from . import formulas
import numpy as np
import pandas as pd

from .errors import UnknownUnits
from .messages import labels
from .model import Catalog, Decision, Indicator, RootFigure, Row, Rows, Status, Submission, Target, ValidationReport
from .rollup import reported_values, roll_up, subtree
from .validate import validate_files

# The long table of DESIGN.md §4, in this order.
TABLE_COLUMNS = (
    "round_id", "unit_code", "unit_name", "parent_code", "level", "indicator_code", "indicator_name", "group",
    "unit_of_measure", "direction", "measure", "baseline", "target", "target_all", "result", "previous_result",
    "estimate",
    "proposed_target", "pct_of_target", "expected_progress", "pace", "status", "is_rollup", "coverage", "source_file", "note",
)


@dataclass
class Consolidation:
    """Everything the consolidated outputs show."""

    catalog: Catalog
    report: ValidationReport
    rows: Rows  # (a list of Rows is taken too, and held as columns)
    root: str
    accept_partial: bool = False
    run_at: datetime = field(default_factory=lambda: datetime.now().astimezone())
    # the Standing Committee's decision in force on each proposal (unit, indicator), from the store
    decisions: Mapping[tuple[str, str], Decision] = field(default_factory=dict)
    # a round started from an earlier one (`init --from`): that round's results, by
    # (unit, indicator, is rollup), shown beside this one's so the review reads as a trend
    previous: Mapping[tuple[str, str, bool], float | None] = field(default_factory=dict)
    previous_round: str | None = None

    def __post_init__(self):
        if not isinstance(self.rows, Rows):
            self.rows = Rows(self.rows)

    @property
    def left_out(self) -> list:
        """Files not (wholly) consolidated: invalid, unreadable, another round's, unidentified.

        An older version of a unit that sent a newer file is not "left out": it was replaced.
        """
        return [s for s in self.report.submissions if s.status != Status.VALID and s.in_round]

    @cached_property
    def table(self):
        """The long data table as a DataFrame (one row per unit × indicator, rollups included).

        Built once: the workbook's data sheet and `--data-out` both need it.
        """
        return long_table(self.catalog, self.rows, self.previous)


    # --- what stands for each unit × indicator: computed once, laid out by every sheet ---------

    def own_row(self, unit: str, code: str) -> Row | None:
        """The figure a unit reported for an indicator, if any."""
        k = self.rows.find(unit, code, False)
        return None if k < 0 else self.rows.at(k)

    def rollup_row(self, unit: str, code: str) -> Row | None:
        """The rollup of a unit's units for an indicator, if any."""
        k = self.rows.find(unit, code, True)
        return None if k < 0 else self.rows.at(k)

    def shown_row(self, unit: str, code: str) -> Row | None:
        """What stands for a unit × indicator: its own figure when it reported one, else its rollup."""
        k = self.rows.shown_at(unit, code)
        return None if k < 0 else self.rows.at(k)

    @cached_property
    def unit_order(self) -> list[str]:
        """The units under the root, the root first, parents before children."""
        return subtree(self.catalog, self.root)

    @cached_property
    def direct_units(self) -> list[str]:
        """The units right under the root."""
        in_tree = set(self.unit_order)
        return [k for k in self.catalog.children.get(self.root, ()) if k in in_tree]

    @cached_property
    def present_indicators(self) -> tuple[Indicator, ...]:
        """The indicators with a row in the tree under the root, in catalog order."""
        present = set(self.rows.indicators)
        return tuple(i for i in self.catalog.indicators if i.code in present)

    @cached_property
    def groups(self) -> list[tuple[str, list[Indicator]]]:
        """The indicators present under the root by group: groups in the order they first appear in
        the catalog, catalog order within; a group with none present is left out."""
        present = set(self.present_indicators)
        groups: dict[str, list[Indicator]] = {}
        for ind in self.catalog.indicators:
            groups.setdefault(ind.group, [])
            if ind in present:
                groups[ind.group].append(ind)
        return [(group, indicators) for group, indicators in groups.items() if indicators]

    @cached_property
    def has_figures(self) -> bool:
        """Whether any unit's figure was taken: without one there is nothing to report, only that."""
        return any(self.rows.result_at(k) is not None for k in range(len(self.rows)))

    def own_target(self, unit: str, code: str) -> Target | None:
        """A unit's own target of an indicator, as the catalog sets it."""
        return self.catalog.target(unit, code)

    def status_counts(self, code: str) -> dict[str, int]:
        """Assessment → how many units under the root reported a figure of an indicator so assessed."""
        found = (self.rows.find(u, code, False) for u in self.unit_order[1:])
        statuses = [self.rows.status_at(k) for k in found if k >= 0]
        return {status: statuses.count(status) for status in formulas.STATUSES}

    def shown_statuses(self, unit: str) -> list[str]:
        """The assessment of each indicator shown for a unit, in catalog order (those with no row left out)."""
        found = (self.rows.shown_at(unit, i.code) for i in self.catalog.indicators)
        return [self.rows.status_at(k) for k in found if k >= 0]

    @cached_property
    def low_rows(self) -> list[Row]:
        """The low rows among those shown, worst first.

        What stands for each unit × indicator, as on the other sheets: a parent's incomplete
        rollup must not sit beside its own figure as a second, smaller "total".
        """
        low = ((k, self.rows.at(k)) for k in self.rows.with_status(formulas.LOW))
        return sorted((row for k, row in low if self.rows.shown_at(row.unit_code, row.indicator_code) == k), key=low_sort_key)

    def forget_made_rows(self) -> None:
        """Drop the Rows made for the sheets (the low rows: 64,000 at ten thousand units, ~25 MB),
        before the writers fork: made again if asked for."""
        self.__dict__.pop("low_rows", None)

    # --- what units sent beside their figures ----------------------------------------------------

    @cached_property
    def proposals(self) -> list[Proposal]:
        """Proposed target changes of the consolidated files, in tree then catalog order."""
        items = []
        for s in self.report.submissions:
            if not s.counted or s.unit_code is None:
                continue
            values = list(s.values)  # made once: a file's values are held as columns
            notes = {v.indicator_code: v.note for v in values}
            items += [Proposal(s, v.indicator_code, v.proposed_target, False, v.note)
                      for v in values if v.proposed_target]
            items += [Proposal(s, i.indicator_code, i.value, True, notes.get(i.indicator_code, ""))
                      for i in s.issues if i.code == "target-change-proposed" and i.indicator_code]
        order = {u: n for n, u in enumerate(self.unit_order)}
        ind_order = {i.code: n for n, i in enumerate(self.catalog.indicators)}
        items.sort(key=lambda p: (order.get(p.submission.unit_code, len(order)), ind_order.get(p.indicator_code, 0)))
        return items

    @cached_property
    def extras(self) -> list[tuple[Submission, object]]:
        """(file, indicator it added) for the consolidated files, in tree order then row order."""
        extras = [(s, x) for s in self.report.submissions if s.counted and s.unit_code for x in s.extras]
        order = {u: n for n, u in enumerate(self.unit_order)}
        extras.sort(key=lambda sx: (order.get(sx[0].unit_code, len(order)), sx[1].excel_row))
        return extras


@dataclass(frozen=True)
class Proposal:
    """A target a unit proposed: in the proposal column, or typed over the locked target (`overwritten`)."""

    submission: Submission
    indicator_code: str
    value: object
    overwritten: bool
    note: str


def low_sort_key(row: Row) -> tuple:
    """Worst first: by pace, then % of target; a missing value sorts last."""
    pace, pct = row.evaluation.pace, row.evaluation.pct_of_target
    return (pace is None, pace if pace is not None else 0.0, pct is None, pct if pct is not None else 0.0,
            row.unit_code, row.indicator_code)

def consolidate(
    catalog: Catalog,
    paths: Sequence[Path],
    root: str | None = None,
    accept_partial: bool = False,
    progress: Callable[..., Iterable] = lambda it, length=None: it,
) -> Consolidation:
    """Validate every file, take the newest valid one per unit, roll up under `root`."""
    check_root(catalog, root)  # before a single file is read
    return consolidate_report(catalog, validate_files(catalog, paths, progress=progress), root, accept_partial)


def check_root(catalog: Catalog, root: str | None) -> None:
    if root is not None and root not in catalog.unit_by_code:
        raise UnknownUnits([root], key="cli_root_unknown")


def consolidate_report(catalog: Catalog, report: ValidationReport, root: str | None = None,
                       accept_partial: bool = False,
                       decisions: Mapping[tuple[str, str], Decision] | None = None,
                       previous: tuple[str | None, Mapping[tuple[str, str, bool], float | None]] = (None, {}),
                       ) -> Consolidation:
    """Roll up the counted submissions of a validation (of files, or of a round's store)."""
    check_root(catalog, root)
    root = root or catalog.root.code
    if root != catalog.root.code:
        # A branch's run reports on the branch: its units, its files (and any file that could
        # not be identified, since it may be one of the branch's).
        branch = set(subtree(catalog, root))
        report.submissions = [s for s in report.submissions if s.unit_code is None or s.unit_code in branch]
        report.units = [u for u in report.units if u.unit_code in branch]
        report.attachments = [a for a in report.attachments if a.unit_code is None or a.unit_code in branch]
    rows = roll_up(catalog, reported_values(report.submissions, accept_partial), root)
    return Consolidation(catalog, report, rows, root, accept_partial, decisions=dict(decisions or {}),
                         previous=dict(previous[1]), previous_round=previous[0])


def long_table(catalog: Catalog, rows: Rows | Sequence[Row],
               previous: Mapping[tuple[str, str, bool], float | None] | None = None):
    """The long table: a column at a time, from the rows' own columns (a row per unit ×
    indicator is 300,000 rows at ten thousand units; no Row is made for it).

    Texts that repeat (codes, names, statuses, file names) are categories: each distinct
    text once and a small integer a row. As plain text columns, pandas keeps them in
    Arrow's memory pool, which kept the ~90 MB it used to build them at ten thousand units,
    and the processes writing the table beside the workbook touched every string of them
    (each touch copies the page it is on). The texts a unit typed (proposed targets, notes)
    and the rollups' notes are categories too: as Python strings, a new one on most rollup
    rows, each of the two writers touched every one of them.
    """
    rows = rows if isinstance(rows, Rows) else Rows(rows)
    r = catalog.round
    units, indicators = catalog.unit_by_code, catalog.indicator_by_code
    col = rows.columns()
    order = np.arange(len(rows)) if rows.order is None else np.asarray(rows.order, dtype=np.int64)

    def taken(name: str, dtype) -> np.ndarray:
        return np.asarray(col[name], dtype=dtype)[order]

    unit_at, indicator_at, flags = taken("unit", np.int64), taken("indicator", np.int64), taken("flags", np.int64)
    is_rollup = (flags & 1).astype(bool)
    columns = {
        "unit_code": _categorical(unit_at, rows.units),
        "indicator_code": _categorical(indicator_at, rows.indicators),
        **{name: taken(name, np.float64) for name in ("baseline", "target", "target_all")},
        "result": _results(catalog, rows, indicator_at, is_rollup, taken("result", np.float64)),
        "previous_result": pd.to_numeric(pd.Series(
            [previous.get(key) for key in zip(np.asarray(rows.units, dtype=object)[unit_at].tolist(),
                                             np.asarray(rows.indicators, dtype=object)[indicator_at].tolist(),
                                             is_rollup.tolist())] if previous else [None] * len(rows),
            dtype=object), errors="coerce").astype("float64").to_numpy(),
        "estimate": taken("estimate", np.float64),
        "proposed_target": pd.Categorical([col["proposed_target"][k] for k in order.tolist()]),
        "pct_of_target": taken("pct_of_target", np.float64),
        "pace": taken("pace", np.float64),
        "status": _categorical(taken("status", np.int64), list(formulas.STATUSES)),
        "is_rollup": is_rollup,
        "coverage": taken("coverage", np.float64),
        "source_file": _categorical(taken("file", np.int64), rows.files),
        "note": pd.Categorical(_notes(col, order, flags)),
    }
    frame = pd.DataFrame(columns)
    by_unit = frame["unit_code"]
    frame["unit_name"] = _mapped(by_unit, {code: u.name for code, u in units.items()})
    frame["parent_code"] = _mapped(by_unit, {code: u.parent_code for code, u in units.items()})
    levels = np.array([catalog.level(code) for code in by_unit.cat.categories], dtype="int64")
    frame["level"] = levels[by_unit.cat.codes.to_numpy()]
    by_indicator = frame["indicator_code"]
    for col_name, attr in (("indicator_name", "name"), ("group", "group"), ("unit_of_measure", "unit_of_measure"),
                           ("direction", "direction"), ("measure", "measure")):
        frame[col_name] = _mapped(by_indicator, {code: getattr(i, attr) for code, i in indicators.items()})
    frame["round_id"] = pd.Categorical.from_codes(np.zeros(len(frame), dtype="int8"), [r.round_id])
    frame["expected_progress"] = float(r.elapsed_share)
    return frame[list(TABLE_COLUMNS)]


def _categorical(codes: np.ndarray, labels: Sequence[str]) -> pd.Categorical:
    """`labels[code]` on every row, as pd.Categorical of those texts makes it: the texts present, sorted."""
    present = np.unique(codes)
    names = sorted((labels[k], k) for k in present.tolist())
    remap = np.full(len(labels) + 1, -1, dtype=np.int32)
    remap[[k for _, k in names]] = np.arange(len(names), dtype=np.int32)
    return pd.Categorical.from_codes(remap[codes], [name for name, _ in names])


def _results(catalog: Catalog, rows: Rows, indicator_at: np.ndarray, is_rollup: np.ndarray,
             result: np.ndarray) -> np.ndarray:
    """The results; a yes/no indicator's as 1/0 (DESIGN.md §4), but a rolled-up count or share stays a number."""
    by_code = catalog.indicator_by_code
    kinds = [by_code.get(code) for code in rows.indicators]

    def yes_no(rollup: bool) -> np.ndarray:
        return np.array([i is not None and i.direction == formulas.BOOLEAN
                         and not formulas.counts_units(formulas.BOOLEAN, i.aggregation, rollup) for i in kinds] + [False])

    own_kind, rollup_kind = yes_no(False), yes_no(True)
    mask = np.where(is_rollup, rollup_kind[indicator_at], own_kind[indicator_at]) & ~np.isnan(result)
    result = result.copy()
    result[mask] = (result[mask] != 0).astype(np.float64)
    return result


def _notes(col: Mapping[str, object], order: np.ndarray, flags: np.ndarray) -> list[str]:
    """The unit's note; for a rollup, what a reader must know about it (partial, mismatch)."""
    notes, used, expected = col["note"], col["used"], col["expected"]
    out = []
    for k, f in zip(order.tolist(), flags.tolist()):
        out.append(_rollup_note(bool(f & 2), bool(f & 4), used[k], expected[k]) if f & 1 else notes[k])
    return out


def _mapped(codes: pd.Series, value_of: Mapping[str, str | None]) -> pd.Categorical:
    """`value_of[code]` on every row, as categories: worked out once per distinct code."""
    values = [value_of[code] for code in codes.cat.categories]
    distinct = list(dict.fromkeys(v for v in values if v is not None))
    position = {v: n for n, v in enumerate(distinct)}
    lookup = np.array([position.get(v, -1) for v in values] + [-1], dtype="int32")  # [-1]: a row without a code
    return pd.Categorical.from_codes(lookup[codes.cat.codes.to_numpy()], distinct)


# A partial rollup's note in the data table, which root_figures reads back: the table has no
# columns for how many units were used, and its readers (a national round) need them.
_PARTIAL = "partial: {used}/{expected}"
_PARTIAL_READ = re.compile(r"^partial: (\d+)/(\d+)")


def _rollup_note(partial: bool, sum_mismatch: bool, used: int, expected: int) -> str:
    parts = []
    if partial:
        parts.append(_PARTIAL.format(used=used, expected=expected)
                     + (" (incomplete below)" if used == expected else ""))
    if sum_mismatch:
        parts.append("sum-mismatch: the unit's own figure differs from the sum of its units")
    return "; ".join(parts)



# The columns root_figures reads: a data table written by an older version, or by hand, needs these.
FIGURE_COLUMNS = ("round_id", "unit_code", "level", "indicator_code", "direction", "result", "estimate", "status",
                  "is_rollup", "note")


def top_unit(table: pd.DataFrame) -> list[str]:
    """The units at the top of a long table (one: its root, the branch's with `--root`)."""
    if table.empty:
        return []
    levels = pd.to_numeric(table["level"], errors="coerce")
    return sorted(set(table.loc[levels == levels.min(), "unit_code"].astype(str).unique().tolist()))


def root_figures(table: pd.DataFrame) -> dict[str, RootFigure]:
    """Indicator code → the root's figure in a long table (`consolidate --data-out`, or a
    Consolidation's `table`): its own row when it has a result, else its rollup row.

    What the root's parent sees of it, as roll_up gives a parent its child's value.
    """
    top = top_unit(table)
    rows = table[table["unit_code"].astype(str) == top[0]] if len(top) == 1 else table.iloc[0:0]
    chosen: dict[str, RootFigure] = {}
    for r in rows.itertuples(index=False):
        figure = _figure(r)
        have = chosen.get(figure.indicator_code)
        # its own figure first, else its units' rollup (DESIGN.md §3)
        if have is None or (have.result is None and figure.result is not None) or (
                have.is_rollup and not figure.is_rollup and figure.result is not None):
            chosen[figure.indicator_code] = figure
    return chosen


def _figure(r) -> RootFigure:
    result, estimate = _number(r.result), _number(r.estimate)
    if r.direction == formulas.BOOLEAN and result is not None:
        result = 1.0 if r.status == formulas.ACHIEVED else 0.0  # a count of units: all achieved, or not
    is_rollup = bool(r.is_rollup) and str(r.is_rollup).lower() not in ("false", "0")
    found = _PARTIAL_READ.match(str(r.note)) if is_rollup and isinstance(r.note, str) else None
    used, expected = (int(found[1]), int(found[2])) if found else (0, 0)
    return RootFigure(str(r.indicator_code), result, estimate, is_rollup, found is not None, used, expected)


def _number(value) -> float | None:
    number = pd.to_numeric(value, errors="coerce")
    return None if pd.isna(number) else float(number)


def partial_note(figure: RootFigure, lang: str = "vi") -> str:
    """"tổng hợp từ 5/7 đơn vị" for a partial rollup, told where the figure goes up; blank for a whole one."""
    if not figure.partial:
        return ""
    key = "chain_partial_note" if figure.used < figure.expected else "chain_partial_below_note"
    return labels(lang)[key].format(used=figure.used, expected=figure.expected)
