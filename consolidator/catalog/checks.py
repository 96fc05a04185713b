"""The catalog's checks: each a generator of issues, every problem with its sheet and cell.

The units, indicators and targets sheets are checked by pandera schemas built from the
catalog itself (its unit codes, its indicator codes), lazily, so every failure comes back
with its row; then the unit tree and the targets against their indicators, in code.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

import pandas as pd
import pandera.pandas as pa

from .. import formulas
from ..model import Issue, make_issue
from ..numbers import parse_bool, parse_number, parse_target
from .cells import email_addresses
from .frames import where
from .spec import SHEETS


def missing_sheets(found: Mapping[str, object]) -> Iterator[Issue]:
    """Each of the four sheets the workbook lacks."""
    for name, columns in SHEETS.items():
        if name not in found:
            yield make_issue("catalog-missing-sheet", sheet=name, params={"columns": ", ".join(columns)})


def schemas(frames: Mapping[str, pd.DataFrame]) -> dict[str, pa.DataFrameSchema]:
    """One pandera schema per sheet, built from the catalog's own codes."""
    unit_codes = set(frames["units"]["unit_code"].dropna()) if "units" in frames and "unit_code" in frames["units"] else None
    indicator_codes = (
        set(frames["indicators"]["indicator_code"].dropna())
        if "indicators" in frames and "indicator_code" in frames["indicators"] else None
    )
    weights = ([_check("catalog-unknown-weight-indicator",
                       lambda v: (w := formulas.weight_indicator(str(v))) is None or w in indicator_codes)]
               if indicator_codes is not None else [])
    return {
        "units": pa.DataFrameSchema({
            "unit_code": _required(unique=True),
            "unit_name": _required(),
            "parent_code": pa.Column(None, nullable=True, checks=_member_of(unit_codes, "catalog-unknown-parent")),
            "organisation_name": _optional(),
            "contact_name": _optional(),
            # a warning (its code's severity): the round goes on, the reminder has no address
            "email": _optional(checks=[_check("catalog-bad-email", lambda v: email_addresses(v) is not None)]),
            "phone": _optional(),
        }),
        "indicators": pa.DataFrameSchema({
            "indicator_code": _required(unique=True),
            "name": _required(),
            "group": _optional(),
            "unit_of_measure": _optional(),
            "direction": _required(checks=[_check("catalog-bad-choice", lambda v: v in formulas.DIRECTIONS)]),
            "measure": _required(checks=[_check("catalog-bad-choice", lambda v: v in formulas.MEASURES)]),
            "aggregation": _required(checks=[
                _check("catalog-bad-choice", lambda v: formulas.is_valid_aggregation(str(v))), *weights,
            ]),
            "decimals": _optional(checks=[_check("catalog-bad-decimals", _valid_decimals)]),
        }),
        "targets": pa.DataFrameSchema({
            "unit_code": _required(checks=_member_of(unit_codes, "catalog-unknown-unit")),
            "indicator_code": _required(checks=_member_of(indicator_codes, "catalog-unknown-indicator")),
            "target": pa.Column(None, nullable=True, checks=[_check("catalog-bad-target", _valid_target)]),
            "baseline": _optional(checks=[_check("catalog-bad-baseline", lambda v: parse_number(v) is not None)]),
        }),
        # Each of the parent's codes once: one of ours stands for it. One of ours may stand
        # for two of the parent's.
        "mapping": pa.DataFrameSchema({
            "parent_indicator_code": _required(unique=True),
            "indicator_code": _required(checks=_member_of(indicator_codes, "catalog-mapping-unknown-indicator")),
        }),
    }


def _check(code: str, fn) -> pa.Check:
    """A check named by its issue code; fn judges one cell, run over the column at once.

    (30,000 target rows per thousand units.) A blank passes here, so pandera need not set
    blanks aside (ignore_na) first.
    """
    def column(series):
        failed = where(lambda v: v is not None and not fn(v), series)
        return pd.Series(True if failed is None else ~failed, index=series.index, dtype=bool)

    return pa.Check(column, ignore_na=False, name=code)


def _required(**kw) -> pa.Column:
    return pa.Column(None, nullable=False, required=True, **kw)


def _optional(**kw) -> pa.Column:
    return pa.Column(None, nullable=True, required=False, **kw)


def _member_of(codes, code: str) -> list[pa.Check]:
    # vectorised: these run over every target row (30,000 for a thousand units)
    allowed = list(codes or ())
    return [pa.Check(lambda s: s.isin(allowed), ignore_na=True, name=code)] if codes is not None else []


def _valid_target(v: object) -> bool:
    return parse_target(v) is not None or parse_bool(v) is not None


def _valid_decimals(v: object) -> bool:
    n = parse_number(v)
    return n is not None and n.value.is_integer() and 0 <= n.value <= 6


# pandera's own checks that say something to a clerk; every other check is named by its issue code
_PANDERA_CODES = {"not_nullable": "catalog-missing-value", "field_uniqueness": "catalog-duplicate-code"}
_ALLOWED = {
    "direction": ", ".join(formulas.DIRECTIONS),
    "measure": ", ".join(formulas.MEASURES),
    "aggregation": ", ".join(formulas.AGGREGATIONS) + ", weighted:<indicator_code>",
}


class UnmappedCheck(LookupError):
    """A pandera failure no issue code stands for: a schema the mapping has not caught up with."""


def frame_issues(schema: pa.DataFrameSchema, frame: pd.DataFrame, sheet: str) -> Iterator[Issue]:
    """Every failure of the sheet's schema, as issues."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        yield from issues_from_failures(exc.failure_cases, frame, sheet)


def issues_from_failures(failures: pd.DataFrame, frame: pd.DataFrame, sheet: str) -> Iterator[Issue]:
    """pandera's failure cases as issues; raise UnmappedCheck for one no code stands for.

    Dropping it would let a catalog through with a problem nobody was told of.
    """
    letters = frame.attrs.get("letters", {})
    for case in failures.itertuples(index=False):
        if case.check == "column_in_dataframe":
            yield make_issue("catalog-missing-column", sheet=sheet, params={"column": case.failure_case})
            continue
        code = _PANDERA_CODES.get(case.check, case.check)
        if not code.startswith("catalog-"):
            raise UnmappedCheck(f"pandera check {case.check!r} on {sheet}.{case.column} has no issue code")
        column = case.column
        row = None if case.index is None or (isinstance(case.index, float) and math.isnan(case.index)) else int(case.index)
        cell = f"{letters.get(column, '?')}{row}" if row is not None else None
        value = case.failure_case
        params = {"column": column}
        if code == "catalog-bad-choice":
            params["allowed"] = _ALLOWED.get(column, "")
        if code == "catalog-unknown-weight-indicator":
            params["weight"] = formulas.weight_indicator(str(value))
        yield make_issue(code, sheet=sheet, cell=cell, value=None if code == "catalog-missing-value" else value, params=params)


def tree_issues(units: pd.DataFrame) -> Iterator[Issue]:
    """A cycle in the tree, and not exactly one root."""
    if "unit_code" not in units or "parent_code" not in units:
        return
    parent = {c: p for c, p in zip(units["unit_code"], units["parent_code"]) if c is not None}
    row_of = {c: r for c, r in zip(units["unit_code"], units.index) if c is not None}
    roots = [c for c, p in parent.items() if p is None]
    if len(roots) != 1:
        yield make_issue("catalog-root-count", sheet="units", value=", ".join(roots), params={"count": len(roots)})
    reported: set[str] = set()
    for start in parent:
        path, node = {}, start  # node → its place on the path: a long chain is walked in linear time
        while node is not None and node in parent and node not in path and node not in reported:
            path[node] = len(path)
            node = parent[node]
        if node in path:
            cycle = list(path)[path[node]:]
            reported.update(cycle)
            rows = ", ".join(str(row_of[c]) for c in cycle)
            yield make_issue("catalog-tree-cycle", sheet="units", cell=f"C{row_of[cycle[0]]}",
                             value=" → ".join(cycle + [cycle[0]]), params={"rows": rows})
        reported.update(path)


def target_issues(targets: pd.DataFrame, indicators: pd.DataFrame) -> Iterator[Issue]:
    """Targets that do not fit their indicator's direction, and duplicate targets."""
    if not {"unit_code", "indicator_code", "target"} <= set(targets.columns) or "direction" not in indicators:
        return
    yield from _kind_issues(targets, indicators)
    yield from _duplicate_issues(targets)


def _kind_issues(targets: pd.DataFrame, indicators: pd.DataFrame) -> Iterator[Issue]:
    direction = dict(zip(indicators.get("indicator_code", []), indicators["direction"]))
    graded = frozenset(formulas.DIRECTIONS) - {formulas.BOOLEAN}
    letter = targets.attrs.get("letters", {}).get("target", "C")
    units, codes, values = targets["unit_code"], targets["indicator_code"], targets["target"]
    rows = targets.index
    # a row is judged if its unit and indicator are given and the indicator wants a number;
    # it is wrong when its target is blank or a yes/no answer (parse_bool reads it, parse_target not)
    wants_number = codes.isin([code for code, kind in direction.items() if kind in graded]).to_numpy()
    wrong = values.isna().to_numpy()
    yes_no = where(lambda v: v is not None and parse_target(v) is None and parse_bool(v) is not None, values)
    if yes_no is not None:
        wrong = wrong | yes_no
    judged = wants_number & units.notna().to_numpy() & codes.notna().to_numpy()
    for i in (judged & wrong).nonzero()[0].tolist():
        cell, value = f"{letter}{rows[i]}", values.iat[i]
        if value is None:
            yield make_issue("catalog-missing-value", sheet="targets", cell=cell, params={"column": "target"})
        else:
            yield make_issue("catalog-bad-target", sheet="targets", cell=cell, value=value)


def _duplicate_issues(targets: pd.DataFrame) -> Iterator[Issue]:
    units, codes, rows = targets["unit_code"], targets["indicator_code"], targets.index
    # pandas finds the rows whose (unit, indicator) repeats; grouping them is then cheap
    repeated = targets.duplicated(["unit_code", "indicator_code"], keep=False).to_numpy().nonzero()[0]
    seen: dict[tuple, list[int]] = {}
    for i in repeated.tolist():
        unit, code = units.iat[i], codes.iat[i]
        if unit is not None and code is not None:
            seen.setdefault((unit, code), []).append(int(rows[i]))
    for (unit, code), found in seen.items():
        if len(found) > 1:
            # the indicator goes in the issue's own field: a param of that name would clash with it
            yield make_issue("catalog-duplicate-target", sheet="targets", cell=f"A{found[1]}", indicator_code=code,
                             params={"rows": ", ".join(map(str, found)), "unit_code": unit})


def no_targets(targets: pd.DataFrame) -> Iterator[Issue]:
    """A targets sheet with no rows."""
    if targets.empty:
        yield make_issue("catalog-no-targets", sheet="targets")
