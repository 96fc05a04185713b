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
from .model import Catalog, Indicator, Reported, Row, Rows, Submission
from .numbers import display_number


@dataclass(slots=True)
class _Seen:
    """What a parent sees of one child × indicator: its value (its own, else its rollup) and the
    targets and baseline that go with it. Kept only until the parent is rolled up."""

    value: float | None = None
    partial: bool = False
    estimate: float | None = None  # the whole year's, rolled up over the same units as the value
    target: float | None = None  # over the units whose results were used
    target_all: float | None = None  # over every expected unit
    baseline: float | None = None
    expected: bool = False  # it, or a unit below it, has a target


_UNSEEN = _Seen()


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
) -> Rows:
    """Every reported and rollup row of the tree under `root`, parents before children.

    Children before parents, a unit at a time, straight into columns: what a child shows its
    parent is kept only until the parent is done, so at any moment only the units on the way
    from the root to the unit at hand, with their children, are held as objects.
    """
    root = root or catalog.root.code
    order = subtree(catalog, root)
    rows = Rows()
    seen: dict[str, dict[str, _Seen]] = {}
    in_tree = set(order)
    spans: dict[str, range] = {}
    for unit in reversed(order):  # children before parents
        kids = [c for c in catalog.children.get(unit, ()) if c in in_tree]
        start = len(rows)
        seen[unit] = _unit_rows(catalog, unit, kids, reported, seen, rows)
        spans[unit] = range(start, len(rows))
        for c in kids:
            del seen[c]
    rows.arrange([k for unit in order for k in spans[unit]])  # read parents first
    return rows


def _unit_rows(catalog: Catalog, unit: str, kids: list[str], reported, seen: dict[str, dict[str, _Seen]],
               rows: Rows) -> dict[str, _Seen]:
    """Append a unit's rows (its own, its rollup) indicator by indicator; what its parent sees of it."""
    r = catalog.round
    e, low = r.elapsed_share, r.low_threshold
    own_targets = catalog.unit_targets(unit)
    kids_seen = [seen[c] for c in kids]
    mine: dict[str, _Seen] = {}
    for ind in catalog.indicators:
        key = (unit, ind.code)
        own_target = own_targets.get(ind.code)
        expected_kids = [(c, s) for c, s in zip(kids, kids_seen) if s.get(ind.code, _UNSEEN).expected]
        me = mine[ind.code] = _Seen(expected=own_target is not None or bool(expected_kids))
        own_value = None
        if own_target is not None:
            rep, source = reported.get(key, (None, ""))
            t = own_target.bound(ind.direction)
            own_value = rep.result if rep else None
            me.target = me.target_all = t
            me.baseline = own_target.baseline
            me.value, me.partial, me.estimate = own_value, rep is not None and rep.partial, rep.estimate if rep else None
            direction, measure = evaluation_kind(ind, False)
            rows.add(unit, ind.code, False, t, own_target.text, own_target.baseline, own_value,
                     formulas.evaluate(direction, measure, t, own_value, e, own_target.baseline, low),
                     me.estimate, rep.proposed_target if rep else "", rep.note if rep else "", source,
                     partial=me.partial, target_all=t)
        if expected_kids and ind.aggregation != "none":
            rollup_row = _rollup_row(unit, ind, expected_kids, own_target, e, low)
            if own_value is not None and rollup_row.result is not None:
                # "differ by more than half a unit of its last decimal", and "comparisons allow
                # a relative tolerance of 1e-9" (DESIGN.md §3): 500.75 vs 500.7 is exactly half
                # a unit, though the float difference is 0.0500…01, so compare with at_least.
                low_value, high_value = sorted((own_value, rollup_row.result))
                # A count of units achieving a yes/no indicator is not comparable with the
                # parent's own Đạt / Chưa đạt.
                mismatch = (ind.aggregation == "sum" and not formulas.counts_units(ind.direction, ind.aggregation, True)
                            and not formulas.at_least(low_value + 0.5 * 10 ** -ind.decimals, high_value))
                if mismatch:
                    rollup_row = replace(rollup_row, sum_mismatch=True)
            rows.append(rollup_row)
            # What the parent sees of this unit: its own figure first, else its rollup.
            if own_value is None:
                me.value, me.partial, me.estimate = rollup_row.result, rollup_row.partial, rollup_row.estimate
            if own_target is None:
                me.target, me.baseline, me.target_all = rollup_row.target, rollup_row.baseline, rollup_row.target_all
    return mine


def _rollup_row(unit, ind: Indicator, kids: list[tuple[str, dict[str, _Seen]]], own_target, e, low) -> Row:
    weight_code = ind.weight_code
    mine = [s.get(ind.code, _UNSEEN) for _, s in kids]
    values = [m.value for m in mine]
    weights = [s.get(weight_code, _UNSEEN).value for _, s in kids] if weight_code else None
    agg = formulas.aggregate(ind.aggregation, values, weights)
    used = [n for n in range(len(kids)) if values[n] is not None and (weights is None or weights[n] is not None)]
    partial = agg.partial or any(mine[n].partial for n in used)
    used_weights = [weights[n] for n in used] if weights is not None else None
    counted = formulas.counts_units(ind.direction, ind.aggregation, True)
    if own_target is not None and not counted:
        target, target_text, baseline = own_target.bound(ind.direction), own_target.text, own_target.baseline
        target_all = target
    else:
        # (A count of units achieving a yes/no indicator is measured against the children's
        # own targets, even when the parent has a yes/no target of its own.)
        # Compare like with like: the target of exactly the children whose results were used.
        target = formulas.aggregate(ind.aggregation, [mine[n].target for n in used], used_weights).value
        baseline_values = [mine[n].baseline for n in used]
        baseline = (formulas.aggregate(ind.aggregation, baseline_values, used_weights).value
                    if used and all(b is not None for b in baseline_values) else None)
        target_text = "" if target is None else _display(target, ind.decimals)
        target_all = _target_over_all(ind, kids)
    # The estimate over the same units as the result, when each of them gave one: an estimate
    # over fewer would pass a part for the whole.
    estimates = [mine[n].estimate for n in used]
    estimate = (formulas.aggregate(ind.aggregation, estimates, used_weights).value
                if used and all(v is not None for v in estimates) else None)
    direction, measure = evaluation_kind(ind, True)
    return Row(
        unit, ind.code, True, target, target_text, baseline, agg.value,
        formulas.evaluate(direction, measure, target, agg.value, e, baseline, low), estimate=estimate,
        coverage=agg.coverage, used=agg.used, expected=agg.expected, partial=partial, target_all=target_all,
    )


def _target_over_all(ind: Indicator, kids: list[tuple[str, dict[str, _Seen]]]) -> float | None:
    """The target rolled up over every expected child, reported or not (`target_all`).

    A weighted mean needs every child's weight: its reported one, else its target of the
    weight indicator (a unit that has not reported its population still has a target for it).
    """
    targets = [s.get(ind.code, _UNSEEN).target_all for _, s in kids]
    weights = None
    if ind.weight_code:
        weights = []
        for _, s in kids:
            weight = s.get(ind.weight_code, _UNSEEN)
            weights.append(weight.value if weight.value is not None else weight.target_all)
    return formulas.aggregate(ind.aggregation, targets, weights).value


def _display(value: float, decimals: int) -> str:
    return display_number(round(value, decimals))
