"""Roll results up the unit tree and give every unit × indicator its status (DESIGN.md §3).

Bottom-up over a tree of any depth. A child's value is its own reported result, else its
own rollup (so partiality carries upward); coverage counts direct children that are
expected (they, or a unit below them, have a target). A parent that reports its own result
keeps it as its result, with the rollup on a row of its own beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from . import formulas
from .model import Catalog, Indicator, Reported, Row, Submission
from .numbers import display_number


@dataclass(frozen=True, slots=True)
class _Value:
    value: float | None
    partial: bool = False
    estimate: float | None = None  # the whole year's, rolled up over the same units as the value


def evaluation_kind(indicator: Indicator, is_rollup: bool) -> tuple[str, str]:
    """Direction and measure to evaluate with: a boolean summed or averaged is a count or share."""
    if formulas.counts_units(indicator.direction, indicator.aggregation, is_rollup):
        return formulas.INCREASE, formulas.LEVEL
    return indicator.direction, indicator.measure


def reported_values(submissions: Iterable[Submission], accept_partial: bool = False) -> dict[tuple[str, str], tuple[Reported, str]]:
    """(unit, indicator) → (reported values, file name) from the counted submissions.

    Invalid submissions are left out, unless `accept_partial` takes their rows that have no error.
    """
    out: dict[tuple[str, str], tuple[Reported, str]] = {}
    for s in submissions:
        if not is_consolidated(s, accept_partial):
            continue
        name = s.path.name  # one string for the file's rows, not one a row
        for v in s.values:
            if s.status == "valid" or not v.has_error:
                out[(s.unit_code, v.indicator_code)] = (v, name)
    return out


def is_consolidated(submission: Submission, accept_partial: bool = False) -> bool:
    """Whether a file's rows go into the rollup: the counted file of a unit when valid; with
    `accept_partial`, a counted invalid one that has a row without error."""
    if not submission.counted or submission.unit_code is None:
        return False
    if submission.status == "valid":
        return True
    return accept_partial and submission.status == "invalid" and any(not v.has_error for v in submission.values)


def subtree(catalog: Catalog, root: str) -> list[str]:
    """Unit codes under `root` (itself included), parents before children."""
    order, stack = [], [root]
    while stack:
        code = stack.pop()
        order.append(code)
        stack.extend(reversed(catalog.children.get(code, ())))
    return order


def roll_up(
    catalog: Catalog,
    reported: Mapping[tuple[str, str], tuple[Reported, str]],
    root: str | None = None,
) -> list[Row]:
    """Every reported and rollup row of the tree under `root`, parents before children."""
    root = root or catalog.root.code
    order = subtree(catalog, root)
    r = catalog.round
    e, low = r.elapsed_share, r.low_threshold
    value_of: dict[tuple[str, str], _Value] = {}
    target_of: dict[tuple[str, str], float | None] = {}
    target_all_of: dict[tuple[str, str], float | None] = {}
    baseline_of: dict[tuple[str, str], float | None] = {}
    expected_below: dict[tuple[str, str], bool] = {}
    rows_by_unit: dict[str, list[Row]] = {}
    in_tree = set(order)

    for unit in reversed(order):  # children before parents
        kids = [c for c in catalog.children.get(unit, ()) if c in in_tree]
        unit_rows: list[Row] = []
        own_targets = catalog.unit_targets(unit)
        for ind in catalog.indicators:
            key = (unit, ind.code)
            own_target = own_targets.get(ind.code)
            expected_kids = [c for c in kids if expected_below.get((c, ind.code))]
            expected_below[key] = own_target is not None or bool(expected_kids)
            own: _Value | None = None
            own_bound = own_target.bound(ind.direction) if own_target is not None else None
            if own_target is not None:
                rep, source = reported.get(key, (None, ""))
                t = own_bound
                result = rep.result if rep else None
                own = _Value(result, rep is not None and rep.partial, rep.estimate if rep else None)
                direction, measure = evaluation_kind(ind, False)
                unit_rows.append(Row(
                    unit, ind.code, False, t, own_target.text, own_target.baseline, result,
                    formulas.evaluate(direction, measure, t, result, e, own_target.baseline, low),
                    estimate=own.estimate, proposed_target=rep.proposed_target if rep else "",
                    note=rep.note if rep else "", source_file=source, partial=own.partial, target_all=t,
                ))
            rollup_row = None
            if expected_kids and ind.aggregation != "none":
                rollup_row = _rollup_row(catalog, unit, ind, expected_kids, own_target, value_of, target_of,
                                         target_all_of, baseline_of, e, low)
                if own is not None and own.value is not None and rollup_row.result is not None:
                    # "differ by more than half a unit of its last decimal", and "comparisons allow
                    # a relative tolerance of 1e-9" (DESIGN.md §3): 500.75 vs 500.7 is exactly half
                    # a unit, though the float difference is 0.0500…01, so compare with at_least.
                    low_value, high_value = sorted((own.value, rollup_row.result))
                    # A count of units achieving a yes/no indicator is not comparable with the
                    # parent's own Đạt / Chưa đạt.
                    mismatch = (ind.aggregation == "sum" and not formulas.counts_units(ind.direction, ind.aggregation, True)
                                and not formulas.at_least(
                        low_value + 0.5 * 10 ** -ind.decimals, high_value))
                    if mismatch:
                        rollup_row = replace(rollup_row, sum_mismatch=True)
                unit_rows.append(rollup_row)
            # What the parent sees of this unit: its own figure first, else its rollup.
            if own is not None and own.value is not None:
                value_of[key] = own
            elif rollup_row is not None:
                value_of[key] = _Value(rollup_row.result, rollup_row.partial, rollup_row.estimate)
            else:
                value_of[key] = _Value(None)
            if own_target is not None:
                target_of[key] = target_all_of[key] = own_bound
                baseline_of[key] = own_target.baseline
            elif rollup_row is not None:
                target_of[key], baseline_of[key] = rollup_row.target, rollup_row.baseline
                target_all_of[key] = rollup_row.target_all
        rows_by_unit[unit] = unit_rows
    return [row for unit in order for row in rows_by_unit[unit]]


def _rollup_row(catalog, unit, ind: Indicator, kids, own_target, value_of, target_of, target_all_of, baseline_of, e,
                low) -> Row:
    weight_code = ind.weight_code
    values = [value_of[(c, ind.code)].value for c in kids]
    weights = [value_of.get((c, weight_code), _Value(None)).value for c in kids] if weight_code else None
    agg = formulas.aggregate(ind.aggregation, values, weights)
    used = [c for n, c in enumerate(kids) if values[n] is not None and (weights is None or weights[n] is not None)]
    partial = agg.partial or any(value_of[(c, ind.code)].partial for c in used)
    used_weights = [value_of.get((c, weight_code), _Value(None)).value for c in used] if weight_code else None
    counted = formulas.counts_units(ind.direction, ind.aggregation, True)
    if own_target is not None and not counted:
        target, target_text, baseline = own_target.bound(ind.direction), own_target.text, own_target.baseline
        target_all = target
    else:
        # (A count of units achieving a yes/no indicator is measured against the children's
        # own targets, even when the parent has a yes/no target of its own.)
        # Compare like with like: the target of exactly the children whose results were used.
        target = formulas.aggregate(ind.aggregation, [target_of.get((c, ind.code)) for c in used], used_weights).value
        baseline_values = [baseline_of.get((c, ind.code)) for c in used]
        baseline = (formulas.aggregate(ind.aggregation, baseline_values, used_weights).value
                    if used and all(b is not None for b in baseline_values) else None)
        target_text = "" if target is None else _display(target, ind.decimals)
        target_all = _target_over_all(ind, kids, value_of, target_all_of)
    # The estimate over the same units as the result, when each of them gave one: an estimate
    # over fewer would pass a part for the whole.
    estimates = [value_of[(c, ind.code)].estimate for c in used]
    estimate = (formulas.aggregate(ind.aggregation, estimates, used_weights).value
                if used and all(v is not None for v in estimates) else None)
    direction, measure = evaluation_kind(ind, True)
    return Row(
        unit, ind.code, True, target, target_text, baseline, agg.value,
        formulas.evaluate(direction, measure, target, agg.value, e, baseline, low), estimate=estimate,
        coverage=agg.coverage, used=agg.used, expected=agg.expected, partial=partial, target_all=target_all,
    )


def _target_over_all(ind: Indicator, kids, value_of, target_all_of) -> float | None:
    """The target rolled up over every expected child, reported or not (`target_all`).

    A weighted mean needs every child's weight: its reported one, else its target of the
    weight indicator (a unit that has not reported its population still has a target for it).
    """
    targets = [target_all_of.get((c, ind.code)) for c in kids]
    weights = None
    if ind.weight_code:
        weights = []
        for c in kids:
            known = value_of.get((c, ind.weight_code), _Value(None)).value
            weights.append(known if known is not None else target_all_of.get((c, ind.weight_code)))
    return formulas.aggregate(ind.aggregation, targets, weights).value


def _display(value: float, decimals: int) -> str:
    return display_number(round(value, decimals))
