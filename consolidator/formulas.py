"""The formulas of DESIGN.md §3: % of target, achieved, pace, status, elapsed share, rollup.

Pure functions over plain numbers: no pandas, no I/O, so every rule is tested directly
with a table of cases (tests/test_formulas.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

REL_TOL = 1e-9

INCREASE, DECREASE, BOOLEAN = "increase", "decrease", "boolean"
DIRECTIONS = (INCREASE, DECREASE, BOOLEAN)
CUMULATIVE, LEVEL, AVERAGE = "cumulative", "level", "average"
MEASURES = (CUMULATIVE, LEVEL, AVERAGE)
ACHIEVED, ON_TRACK, BEHIND, LOW, NO_DATA = "achieved", "on_track", "behind", "low", "no_data"
STATUSES = (ACHIEVED, ON_TRACK, BEHIND, LOW, NO_DATA)
AGGREGATIONS = ("sum", "mean", "min", "max", "none")  # plus "weighted:<indicator_code>"
DEFAULT_LOW_THRESHOLD = 0.8


def at_least(a: float, b: float) -> bool:
    """a ≥ b, allowing the relative tolerance of DESIGN.md §3."""
    return a >= b or math.isclose(a, b, rel_tol=REL_TOL)


def elapsed_share(baseline_year: int, target_year: int, cutoff: date) -> float:
    """Share of the term elapsed at the cut-off: days since 31/12/baseline ÷ days of the term."""
    start = date(baseline_year, 12, 31)
    term = (date(target_year, 12, 31) - start).days
    if term <= 0:
        raise ValueError("target_year must be after baseline_year")
    return (cutoff - start).days / term


def target_bound(low: float | None, high: float | None, direction: str) -> float | None:
    """The bound that must be reached: the lower for increase, the upper for decrease."""
    if low is None or high is None:
        return low if high is None else high
    return high if direction == DECREASE else low


# How far from an indicator's own figures (target, baseline) a reading may be and still be
# what the unit meant: the two readings of "7.000" (7000 and 7) are a thousand times apart,
# so at most one of them falls within this factor of a single reference figure.
PLAUSIBLE_FACTOR = 20.0


def is_plausible(value: float, references: Sequence[float | None]) -> bool:
    """Whether `value` is of the size of the indicator's own figures (True with none to judge by)."""
    scales = [abs(r) for r in references if r is not None and r != 0 and math.isfinite(r)]
    if not scales or value == 0:
        return True
    return any(scale / PLAUSIBLE_FACTOR <= abs(value) <= scale * PLAUSIBLE_FACTOR for scale in scales)


def pct_of_target(direction: str, target: float | None, result: float | None) -> float | None:
    """Result as a percentage of the target ("So với chỉ tiêu NQ ĐH (%)")."""
    if result is None:
        return None
    if direction == BOOLEAN:
        return 100.0 if result else 0.0
    if target is None:
        return None
    if direction == DECREASE:
        return None if result == 0 else target / result * 100
    return None if target == 0 else result / target * 100


def is_achieved(direction: str, target: float | None, result: float | None) -> bool | None:
    """Whether the target is reached; None when there is nothing to compare."""
    if result is None:
        return None
    if direction == BOOLEAN:
        return bool(result)
    if target is None:
        return None
    if direction == DECREASE:
        return at_least(target, result)
    return at_least(result, target)


def _div(a: float, b: float) -> float | None:
    return None if b == 0 else a / b


# The pace rules of DESIGN.md §3, in the order they are tried.
RULE_CUMULATIVE, RULE_FROM_BASELINE, RULE_AGAINST_TARGET = "cumulative", "from_baseline", "against_target"


@dataclass(frozen=True, slots=True)
class PaceBasis:
    """What a pace compares: what was done and what its rule needs by now.

    cumulative: done = r, needed = e·t (for a decrease, the most allowed by now);
    from_baseline: done = r − b, needed = e·(t − b) (negative when the target is below the
    baseline); against_target: done = r, needed = t.
    """

    rule: str
    done: float
    needed: float
    lower_is_better: bool  # a decrease compared as is (cumulative, against the target): pace = needed / done

    @property
    def pace(self) -> float | None:
        return _div(self.needed, self.done) if self.lower_is_better else _div(self.done, self.needed)


def pace_basis(
    direction: str,
    measure: str,
    target: float,
    result: float,
    elapsed: float,
    baseline: float | None = None,
) -> PaceBasis | None:
    """The rule the pace comes from, with its two sides; None when no rule applies.

    The rules are tried in the order DESIGN.md lists them; one that would divide by zero
    gives way to the next one down.
    """
    up = direction != DECREASE
    if measure == CUMULATIVE:
        basis = PaceBasis(RULE_CUMULATIVE, result, elapsed * target, not up)
        if basis.pace is not None:
            return basis
    if measure in (CUMULATIVE, LEVEL) and baseline is not None and baseline != target:
        basis = PaceBasis(RULE_FROM_BASELINE, result - baseline, elapsed * (target - baseline), False)
        if basis.pace is not None:
            return basis
    basis = PaceBasis(RULE_AGAINST_TARGET, result, target, not up)
    return basis if basis.pace is not None else None


def pace(
    direction: str,
    measure: str,
    target: float,
    result: float,
    elapsed: float,
    baseline: float | None = None,
) -> float | None:
    """Progress against schedule, 1.0 = exactly on schedule; None when no formula applies."""
    basis = pace_basis(direction, measure, target, result, elapsed, baseline)
    return None if basis is None else basis.pace


def progress_pct(direction: str, measure: str, target: float | None, result: float | None) -> float | None:
    """The result in percent, on the scale of `expected_pct`: the % of target, except for a
    cap over the term (a cumulative decrease, "at most 300"), where it is the share of the cap
    used so far (r / t × 100), which grows as the term goes on and is worse the higher it is."""
    if direction == DECREASE and measure == CUMULATIVE:
        return None if result is None or not target else result / target * 100
    return pct_of_target(direction, target, result)


def expected_pct(
    direction: str,
    measure: str,
    target: float | None,
    elapsed: float,
    baseline: float | None = None,
) -> float | None:
    """What `progress_pct` the pace rule expects at the cut-off (pace exactly 1); None where the
    rule compares with the target itself (average, level without baseline) or for yes/no."""
    if target is None or direction == BOOLEAN:
        return None
    if measure == CUMULATIVE:
        return elapsed * 100
    if measure == LEVEL and baseline is not None and baseline != target:
        return pct_of_target(direction, target, baseline + elapsed * (target - baseline))
    return None


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The verdict on one result: % of target, pace, status."""

    pct_of_target: float | None
    pace: float | None
    status: str
    achieved: bool | None


def evaluate(
    direction: str,
    measure: str,
    target: float | None,
    result: float | None,
    elapsed: float,
    baseline: float | None = None,
    low_threshold: float = DEFAULT_LOW_THRESHOLD,
) -> Evaluation:
    """Status of one unit × indicator as DESIGN.md §3 defines it."""
    if result is None or (target is None and direction != BOOLEAN):
        return Evaluation(pct_of_target(direction, target, result), None, NO_DATA, None)
    pct = pct_of_target(direction, target, result)
    if direction == BOOLEAN:
        ok = bool(result)
        return Evaluation(pct, None, ACHIEVED if ok else LOW, ok)
    achieved = is_achieved(direction, target, result)
    # At most N over the whole term cannot be "achieved" before the term is over:
    # only the pace says whether the unit is keeping within it.
    still_running = measure == CUMULATIVE and direction == DECREASE and elapsed < 1
    if achieved and not still_running:
        return Evaluation(pct, None, ACHIEVED, True)
    if still_running and result == 0:
        return Evaluation(pct, None, ON_TRACK, False)
    p = pace(direction, measure, target, result, elapsed, baseline)
    return Evaluation(pct, p, status_from_pace(p, low_threshold), False)


def status_from_pace(p: float | None, low_threshold: float = DEFAULT_LOW_THRESHOLD) -> str:
    """on_track / behind / low from a pace; behind when there is no pace."""
    if p is None:
        return BEHIND
    if at_least(p, 1.0):
        return ON_TRACK
    if at_least(p, low_threshold):
        return BEHIND
    return LOW


def counts_units(direction: str, aggregation: str, is_rollup: bool) -> bool:
    """Whether a rolled-up yes/no indicator is a count (sum) or share (mean) of units achieving it.

    Such a value is no longer yes/no: it is evaluated as an increasing level against the
    count or share of units expected to achieve it, and shown as a number.
    """
    return direction == BOOLEAN and is_rollup and aggregation in ("sum", "mean")


def weight_indicator(aggregation: str) -> str | None:
    """The indicator code of a `weighted:<code>` aggregation, else None."""
    kind, _, code = aggregation.partition(":")
    return code.strip() or None if kind.strip() == "weighted" else None


def is_valid_aggregation(aggregation: str) -> bool:
    return aggregation in AGGREGATIONS or weight_indicator(aggregation) is not None


@dataclass(frozen=True, slots=True)
class Aggregate:
    """A rolled-up value with its coverage (children with a usable value ÷ expected)."""

    value: float | None
    used: int
    expected: int

    @property
    def coverage(self) -> float | None:
        return None if self.expected == 0 else self.used / self.expected

    @property
    def partial(self) -> bool:
        return self.used < self.expected


def aggregate(
    aggregation: str,
    values: Sequence[float | None],
    weights: Sequence[float | None] | None = None,
    expected: int | None = None,
) -> Aggregate:
    """Combine children's values by an indicator's aggregation.

    `values` holds one entry per expected child (None where it has no usable value);
    for `weighted:` a child counts only when both its value and its weight are known.
    Boolean values are 1/0, so `min` means "all achieved", `sum` counts and `mean` shares.
    """
    expected = len(values) if expected is None else expected
    if aggregation == "none":
        return Aggregate(None, 0, expected)
    if weight_indicator(aggregation) is not None:
        pairs = [(v, w) for v, w in zip(values, weights or [None] * len(values)) if v is not None and w is not None]
        total = sum(w for _, w in pairs)
        value = sum(v * w for v, w in pairs) / total if pairs and total != 0 else None
        return Aggregate(value, len(pairs) if value is not None else 0, expected)
    known = [v for v in values if v is not None]
    if not known:
        return Aggregate(None, 0, expected)
    combine = {"sum": math.fsum, "mean": lambda xs: math.fsum(xs) / len(xs), "min": min, "max": max}
    if aggregation not in combine:
        raise ValueError(f"unknown aggregation {aggregation!r}")
    return Aggregate(float(combine[aggregation](known)), len(known), expected)
