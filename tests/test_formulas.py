"""The formulas of DESIGN.md §3, one table of hand-computed cases per function."""

from __future__ import annotations

from datetime import date

import pytest

from consolidator.formulas import (
    is_plausible,
    aggregate,
    elapsed_share,
    evaluate,
    expected_pct,
    is_achieved,
    is_valid_aggregation,
    pace,
    pace_basis,
    pct_of_target,
    progress_pct,
    status_from_pace,
    target_bound,
    weight_indicator,
)

approx = pytest.approx


# --- elapsed share ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("baseline_year", "target_year", "cutoff", "expected"),
    [
        # 31/12/2020 → 30/6/2023: 365 + 365 + 181 (Jan–Jun 2023) = 911;
        # 31/12/2020 → 31/12/2025: 5 × 365 + 1 (29/2/2024) = 1826
        (2020, 2025, date(2023, 6, 30), 911 / 1826),
        (2020, 2025, date(2023, 4, 30), 850 / 1826),  # 730 + 31 + 28 + 31 + 30 = 850
        (2020, 2025, date(2023, 5, 31), 881 / 1826),  # 850 + 31 = 881
        (2020, 2025, date(2020, 12, 31), 0.0),  # the term has not started
        (2020, 2025, date(2025, 12, 31), 1.0),  # the term is over
        (2020, 2021, date(2021, 7, 2), 183 / 365),  # 2021 is not a leap year: 181 + 2 = 183
    ],
)
def test_elapsed_share(baseline_year, target_year, cutoff, expected):
    assert elapsed_share(baseline_year, target_year, cutoff) == approx(expected, rel=1e-12)


def test_elapsed_share_example_of_design_is_about_half():
    assert elapsed_share(2020, 2025, date(2023, 6, 30)) == approx(0.499, abs=5e-4)


@pytest.mark.parametrize("target_year", [2020, 2019])
def test_elapsed_share_refuses_an_empty_term(target_year):
    with pytest.raises(ValueError):
        elapsed_share(2020, target_year, date(2023, 6, 30))


# --- target bound of a range --------------------------------------------------------------

@pytest.mark.parametrize(
    ("low", "high", "direction", "expected"),
    [
        (7.0, 7.5, "increase", 7.0),  # "7–7,5" GRDP growth: reaching 7 is enough
        (1.3, 1.5, "decrease", 1.5),  # "1,3 - 1,5" poverty rate: staying under 1,5 is enough
        (95.0, 95.0, "increase", 95.0),  # a single number is its own bound
        (95.0, 95.0, "decrease", 95.0),
        (12.0, None, "increase", 12.0),
        (None, 12.0, "decrease", 12.0),
        (None, None, "increase", None),
    ],
)
def test_target_bound(low, high, direction, expected):
    assert target_bound(low, high, direction) == expected


# --- % of target --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("direction", "target", "result", "expected"),
    [
        ("increase", 5.0, 4.5, 90.0),  # 4,5 / 5 × 100
        ("increase", 200.0, 250.0, 125.0),  # 250 / 200 × 100
        ("increase", 7.0, 7.0, 100.0),  # range "7–7,5": bound 7 reached is 100%
        ("decrease", 2.0, 4.0, 50.0),  # 2 / 4 × 100
        ("decrease", 2.0, 1.6, 125.0),  # 2 / 1,6 × 100
        ("decrease", 1.5, 1.5, 100.0),  # range "1,3 - 1,5": bound 1,5 reached is 100%
        ("decrease", 2.0, 0.0, None),  # r = 0: left empty
        ("decrease", 300.0, 0.0, None),
        ("boolean", None, 1.0, 100.0),
        ("boolean", 1.0, 0.0, 0.0),
        ("boolean", 1.0, True, 100.0),
        ("increase", 5.0, None, None),  # no result, no %
        ("decrease", 5.0, None, None),
        ("boolean", 1.0, None, None),
        ("increase", None, 4.0, None),  # no target to compare with
        ("increase", 0.0, 4.0, None),  # r / 0 is undefined
    ],
)
def test_pct_of_target(direction, target, result, expected):
    got = pct_of_target(direction, target, result)
    if expected is None:
        assert got is None
    else:
        assert got == approx(expected)


# --- achieved -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("direction", "target", "result", "expected"),
    [
        ("increase", 5.0, 5.0, True),
        ("increase", 5.0, 5.1, True),
        ("increase", 5.0, 4.9, False),
        ("decrease", 2.0, 2.0, True),
        ("decrease", 2.0, 1.9, True),
        ("decrease", 2.0, 2.1, False),
        ("decrease", 2.0, 0.0, True),
        ("boolean", 1.0, 1.0, True),
        ("boolean", 1.0, 0.0, False),
        ("boolean", None, True, True),
        # 0,1 + 0,2 = 0,30000000000000004 > 0,3 by 5.6e-17, far inside the 1e-9 tolerance
        ("decrease", 0.3, 0.1 + 0.2, True),
        ("increase", 0.1 + 0.2, 0.3, True),
        ("increase", 100.0, 100.0 * (1 - 1e-12), True),  # 1e-12 relative: within tolerance
        ("increase", 100.0, 100.0 * (1 - 1e-6), False),  # 1e-6 relative: outside it
        ("decrease", 100.0, 100.0 * (1 + 1e-12), True),
        ("decrease", 100.0, 100.0 * (1 + 1e-6), False),
        ("increase", 5.0, None, None),
        ("increase", None, 5.0, None),
    ],
)
def test_is_achieved(direction, target, result, expected):
    assert is_achieved(direction, target, result) is expected


# --- pace ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("direction", "measure", "target", "result", "elapsed", "baseline", "expected"),
    [
        # cumulative: increase r / (e·t), decrease (e·t) / r
        ("increase", "cumulative", 1000.0, 400.0, 0.5, None, 0.8),  # 400 / (0,5 × 1000)
        ("increase", "cumulative", 1000.0, 500.0, 0.5, None, 1.0),  # 500 / 500
        ("increase", "cumulative", 500.0, 200.0, 911 / 1826, None, 0.8017564),  # 200 / (0,49890 × 500) = 200 / 249,452
        ("decrease", "cumulative", 300.0, 100.0, 0.5, None, 1.5),  # (0,5 × 300) / 100
        ("decrease", "cumulative", 300.0, 200.0, 0.5, None, 0.75),  # 150 / 200
        ("decrease", "cumulative", 300.0, 180.0, 0.5, None, 0.8333333),  # 150 / 180
        # a baseline does not change the cumulative formula
        ("increase", "cumulative", 1000.0, 400.0, 0.5, 100.0, 0.8),
        # level with a baseline: ((r − b) / (t − b)) / e
        ("increase", "level", 80.0, 70.0, 0.5, 60.0, 1.0),  # (10 / 20) / 0,5
        ("increase", "level", 52.0, 50.5, 0.5, 50.0, 0.5),  # (0,5 / 2) / 0,5
        ("decrease", "level", 2.0, 4.0, 0.5, 5.0, 0.6666667),  # (4-5)/(2-5)/0,5 = (1/3)/0,5
        ("decrease", "level", 2.0, 3.5, 0.5, 5.0, 1.0),  # (-1,5 / -3) / 0,5
        ("decrease", "level", 2.0, 6.0, 0.5, 5.0, -0.6666667),  # (6-5)/(2-5)/0,5: worse than baseline
        ("increase", "level", 80.0, 55.0, 0.5, 60.0, -0.5),  # (-5 / 20) / 0,5
        # level with baseline equal to target: b = t would divide by zero, next rule r / t
        ("increase", "level", 80.0, 70.0, 0.5, 80.0, 0.875),  # 70 / 80
        ("decrease", "level", 2.0, 4.0, 0.5, 2.0, 0.5),  # 2 / 4
        # level without baseline: increase r / t, decrease t / r (e plays no part)
        ("increase", "level", 80.0, 70.0, 0.5, None, 0.875),  # 70 / 80
        ("increase", "level", 80.0, 70.0, 0.9, None, 0.875),
        ("decrease", "level", 2.0, 4.0, 0.5, None, 0.5),  # 2 / 4
        # average: compared with the target directly, even with a baseline
        ("increase", "average", 7.0, 6.3, 0.5, None, 0.9),  # 6,3 / 7
        ("increase", "average", 7.0, 6.3, 0.5, 6.0, 0.9),
        ("decrease", "average", 2.0, 2.5, 0.5, None, 0.8),  # 2 / 2,5
        # divide by zero falls through to the next rule down
        ("increase", "cumulative", 100.0, 10.0, 0.0, None, 0.1),  # e·t = 0 → r / t = 10 / 100
        ("increase", "level", 80.0, 70.0, 0.0, 60.0, 0.875),  # .../e with e = 0 → r / t = 70 / 80
        # … and when no rule applies, pace is empty
        ("increase", "average", 0.0, -1.0, 0.5, None, None),  # r / 0
        ("increase", "level", 0.0, -1.0, 0.5, None, None),
        ("decrease", "level", 2.0, 0.0, 0.5, None, None),  # t / 0
        ("increase", "cumulative", 0.0, -1.0, 0.5, None, None),  # r / (e·0), then r / 0
    ],
)
def test_pace(direction, measure, target, result, elapsed, baseline, expected):
    got = pace(direction, measure, target, result, elapsed, baseline)
    if expected is None:
        assert got is None
    else:
        assert got == approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("direction", "measure", "target", "result", "elapsed", "baseline", "expected"),
    [
        # (rule, done, needed): what the low-achievers list explains a pace with
        ("increase", "cumulative", 1000.0, 400.0, 0.5, None, ("cumulative", 400.0, 500.0)),  # e·t = 500
        ("decrease", "cumulative", 300.0, 200.0, 0.5, None, ("cumulative", 200.0, 150.0)),  # at most 150 by now
        ("increase", "cumulative", 1000.0, 400.0, 0.5, 100.0, ("cumulative", 400.0, 500.0)),
        # the list's own example: 8 → 8 against 9, e ≈ 0,5: "tăng 0 so với năm gốc 8; cần 0,5"
        ("increase", "level", 9.0, 8.0, 0.5, 8.0, ("from_baseline", 0.0, 0.5)),
        ("decrease", "level", 2.0, 4.0, 0.5, 5.0, ("from_baseline", -1.0, -1.5)),  # down 1 of the 1,5 needed
        ("increase", "level", 80.0, 70.0, 0.5, 80.0, ("against_target", 70.0, 80.0)),  # b = t
        ("increase", "average", 7.0, 6.3, 0.5, 6.0, ("against_target", 6.3, 7.0)),
        ("decrease", "level", 2.0, 4.0, 0.5, None, ("against_target", 4.0, 2.0)),
        ("decrease", "cumulative", 300.0, 0.0, 0.5, None, None),  # 150 / 0, then 300 / 0: no rule
        ("increase", "cumulative", 100.0, 10.0, 0.0, None, ("against_target", 10.0, 100.0)),  # e·t = 0
        ("increase", "level", 0.0, -1.0, 0.5, None, None),
    ],
)
def test_pace_basis(direction, measure, target, result, elapsed, baseline, expected):
    got = pace_basis(direction, measure, target, result, elapsed, baseline)
    if expected is None:
        assert got is None
        return
    rule, done, needed = expected
    assert (got.rule, got.done, got.needed) == (rule, approx(done), approx(needed))
    assert got.pace == approx(pace(direction, measure, target, result, elapsed, baseline))


@pytest.mark.parametrize(
    ("direction", "measure", "target", "result", "expected"),
    [
        ("increase", "cumulative", 500.0, 200.0, 40.0),  # 200 / 500
        ("decrease", "cumulative", 201.0, 112.0, 55.721393),  # a cap: 112 of at most 201 used, not 201/112 = 179 %
        ("decrease", "cumulative", 201.0, 0.0, 0.0),
        ("decrease", "level", 2.0, 4.0, 50.0),  # t / r as % of target
        ("increase", "level", 80.0, None, None),
        ("decrease", "cumulative", 0.0, 3.0, None),
    ],
)
def test_progress_pct(direction, measure, target, result, expected):
    got = progress_pct(direction, measure, target, result)
    assert got is None if expected is None else got == approx(expected)


@pytest.mark.parametrize(
    ("direction", "measure", "target", "elapsed", "baseline", "expected"),
    [
        ("increase", "cumulative", 500.0, 0.5, None, 50.0),  # e × 100
        ("decrease", "cumulative", 300.0, 0.4, None, 40.0),  # share of the cap that may be used by now
        ("increase", "level", 52.0, 0.5, 50.0, 51 / 52 * 100),  # b + e(t − b) = 51, as % of 52
        ("decrease", "level", 2.0, 0.5, 5.0, 2 / 3.5 * 100),  # 5 + 0,5·(2 − 5) = 3,5; t / 3,5
        ("increase", "level", 52.0, 0.5, None, None),  # no baseline: compared with the target itself
        ("increase", "level", 52.0, 0.5, 52.0, None),
        ("increase", "average", 7.0, 0.5, 6.0, None),
        ("boolean", "level", 1.0, 0.5, None, None),
        ("increase", "cumulative", None, 0.5, None, None),
    ],
)
def test_expected_pct(direction, measure, target, elapsed, baseline, expected):
    got = expected_pct(direction, measure, target, elapsed, baseline)
    assert got is None if expected is None else got == approx(expected)


# --- status from pace ---------------------------------------------------------------------

@pytest.mark.parametrize(
    ("p", "low_threshold", "expected"),
    [
        (1.5, 0.8, "on_track"),
        (1.0, 0.8, "on_track"),  # exactly on schedule
        (1 - 1e-12, 0.8, "on_track"),  # inside the 1e-9 relative tolerance
        (1 - 1e-7, 0.8, "behind"),  # outside it
        (0.9, 0.8, "behind"),
        (0.8, 0.8, "behind"),  # exactly the threshold is still behind, not low
        (0.8 * (1 - 1e-12), 0.8, "behind"),
        (0.8 * (1 - 1e-7), 0.8, "low"),
        (0.5, 0.8, "low"),
        (0.0, 0.8, "low"),
        (-0.5, 0.8, "low"),
        (None, 0.8, "behind"),  # no formula applied
        (0.6, 0.5, "behind"),  # the threshold is set per round
        (0.5, 0.5, "behind"),
        (0.4, 0.5, "low"),
        (0.85, 0.9, "low"),
    ],
)
def test_status_from_pace(p, low_threshold, expected):
    assert status_from_pace(p, low_threshold) == expected


def test_status_from_pace_default_threshold_is_0_8():
    assert status_from_pace(0.8) == "behind"
    assert status_from_pace(0.79) == "low"


# --- evaluate: the whole verdict ----------------------------------------------------------

E = 0.5  # half the term elapsed, to keep the arithmetic readable

EVALUATE_CASES = [
    # id, direction, measure, target, result, elapsed, baseline, (pct, pace, status, achieved)
    ("increase achieved", "increase", "level", 52.0, 53.0, E, 50.0, (101.9230769, None, "achieved", True)),  # 53/52
    ("increase exactly target", "increase", "level", 52.0, 52.0, E, None, (100.0, None, "achieved", True)),
    ("increase level baseline on track", "increase", "level", 80.0, 70.0, E, 60.0, (87.5, 1.0, "on_track", False)),  # (10/20)/0,5
    ("increase level no baseline", "increase", "level", 80.0, 70.0, E, None, (87.5, 0.875, "behind", False)),  # 70/80
    ("increase level baseline = target", "increase", "level", 80.0, 70.0, E, 80.0, (87.5, 0.875, "behind", False)),
    ("increase level low", "increase", "level", 52.0, 50.5, E, 50.0, (97.1153846, 0.5, "low", False)),  # 50,5/52; (0,5/2)/0,5
    ("decrease achieved", "decrease", "level", 2.0, 1.8, E, 5.0, (111.1111111, None, "achieved", True)),  # 2/1,8
    ("decrease level baseline", "decrease", "level", 2.0, 4.0, E, 5.0, (50.0, 0.6666667, "low", False)),  # (4-5)/(2-5)/0,5
    ("decrease level baseline on track", "decrease", "level", 2.0, 3.5, E, 5.0, (57.1428571, 1.0, "on_track", False)),  # 2/3,5; (-1,5/-3)/0,5
    ("decrease level no baseline", "decrease", "level", 2.0, 2.4, E, None, (83.3333333, 0.8333333, "behind", False)),  # 2/2,4
    ("decrease level r = 0", "decrease", "level", 2.0, 0.0, E, None, (None, None, "achieved", True)),
    ("average increase behind", "increase", "average", 7.0, 6.3, E, None, (90.0, 0.9, "behind", False)),  # 6,3/7
    ("average increase low", "increase", "average", 7.0, 5.0, E, None, (71.4285714, 0.7142857, "low", False)),  # 5/7
    ("average decrease at threshold", "decrease", "average", 2.0, 2.5, E, None, (80.0, 0.8, "behind", False)),  # 2/2,5
    ("range increase bound reached", "increase", "average", 7.0, 7.0, E, None, (100.0, None, "achieved", True)),  # "7–7,5" → 7
    ("range decrease bound reached", "decrease", "level", 1.5, 1.5, E, None, (100.0, None, "achieved", True)),  # "1,3 - 1,5" → 1,5
    ("cumulative increase achieved early", "increase", "cumulative", 500.0, 520.0, E, None, (104.0, None, "achieved", True)),
    ("cumulative increase on track", "increase", "cumulative", 1000.0, 500.0, E, None, (50.0, 1.0, "on_track", False)),  # 500/(0,5×1000)
    ("cumulative increase at threshold", "increase", "cumulative", 1000.0, 400.0, E, None, (40.0, 0.8, "behind", False)),  # 400/500
    ("cumulative increase low", "increase", "cumulative", 1000.0, 300.0, E, None, (30.0, 0.6, "low", False)),  # 300/500
    # a cumulative decrease indicator is never achieved before the term ends
    ("cumulative decrease r = 0", "decrease", "cumulative", 300.0, 0.0, E, None, (None, None, "on_track", False)),
    ("cumulative decrease under pace", "decrease", "cumulative", 300.0, 100.0, E, None, (300.0, 1.5, "on_track", False)),  # 300/100; 150/100
    ("cumulative decrease exactly on pace", "decrease", "cumulative", 300.0, 150.0, E, None, (200.0, 1.0, "on_track", False)),  # 150/150
    ("cumulative decrease behind", "decrease", "cumulative", 300.0, 180.0, E, None, (166.6666667, 0.8333333, "behind", False)),  # 150/180
    ("cumulative decrease low", "decrease", "cumulative", 300.0, 200.0, E, None, (150.0, 0.75, "low", False)),  # 150/200
    ("cumulative decrease at target mid-term", "decrease", "cumulative", 300.0, 300.0, E, None, (100.0, 0.5, "low", False)),  # 150/300
    ("cumulative decrease at the end", "decrease", "cumulative", 300.0, 250.0, 1.0, None, (120.0, None, "achieved", True)),  # 300/250
    ("cumulative decrease r = 0 at the end", "decrease", "cumulative", 300.0, 0.0, 1.0, None, (None, None, "achieved", True)),
    ("cumulative decrease over at the end", "decrease", "cumulative", 300.0, 400.0, 1.0, None, (75.0, 0.75, "low", False)),  # 300/400
    # boolean: 100 or 0, not achieved is low
    ("boolean achieved", "boolean", "level", 1.0, 1.0, E, None, (100.0, None, "achieved", True)),
    ("boolean not achieved", "boolean", "level", 1.0, 0.0, E, None, (0.0, None, "low", False)),
    ("boolean without target", "boolean", "level", None, 1.0, E, None, (100.0, None, "achieved", True)),
    # no usable result
    ("no result increase", "increase", "level", 52.0, None, E, 50.0, (None, None, "no_data", None)),
    ("no result decrease", "decrease", "cumulative", 300.0, None, E, None, (None, None, "no_data", None)),
    ("no result boolean", "boolean", "level", 1.0, None, E, None, (None, None, "no_data", None)),
    # no formula applies: pace empty, status behind
    ("divide by zero everywhere", "increase", "average", 0.0, -1.0, E, None, (None, None, "behind", False)),
    # the 1e-9 tolerance on achievement: 0,1 + 0,2 exceeds 0,3 by 5.6e-17
    ("decrease within tolerance", "decrease", "level", 0.3, 0.1 + 0.2, E, None, (100.0, None, "achieved", True)),
]


@pytest.mark.parametrize(
    ("direction", "measure", "target", "result", "elapsed", "baseline", "expected"),
    [case[1:] for case in EVALUATE_CASES],
    ids=[case[0] for case in EVALUATE_CASES],
)
def test_evaluate(direction, measure, target, result, elapsed, baseline, expected):
    pct, p, status, achieved = expected
    got = evaluate(direction, measure, target, result, elapsed, baseline)
    assert got.status == status
    assert got.achieved is achieved
    assert got.pct_of_target == (None if pct is None else approx(pct, rel=1e-6))
    assert got.pace == (None if p is None else approx(p, rel=1e-6))


@pytest.mark.parametrize(
    ("low_threshold", "expected"),
    [(0.8, "behind"), (0.9, "low"), (0.875, "behind"), (0.5, "behind")],  # pace 70 / 80 = 0,875
)
def test_evaluate_uses_the_round_threshold(low_threshold, expected):
    got = evaluate("increase", "level", 80.0, 70.0, E, None, low_threshold=low_threshold)
    assert got.status == expected


def test_evaluate_on_the_design_cut_off():
    # 200 new members of 500 at 30/6/2023: 200 / (911/1826 × 500) = 200 / 249,45 = 0,8018 → behind
    got = evaluate("increase", "cumulative", 500.0, 200.0, elapsed_share(2020, 2025, date(2023, 6, 30)))
    assert got.pace == approx(0.8018, abs=1e-4)
    assert got.status == "behind"
    assert got.pct_of_target == approx(40.0)


# --- aggregation --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [
        ("weighted:DANSO", "DANSO"),
        ("weighted: DANSO ", "DANSO"),
        ("weighted:", None),
        ("sum", None),
        ("mean", None),
        ("none", None),
    ],
)
def test_weight_indicator(aggregation, expected):
    assert weight_indicator(aggregation) == expected


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [
        ("sum", True),
        ("mean", True),
        ("min", True),
        ("max", True),
        ("none", True),
        ("weighted:DANSO", True),
        ("weighted:", False),
        ("weighted", False),
        ("average", False),
        ("", False),
    ],
)
def test_is_valid_aggregation(aggregation, expected):
    assert is_valid_aggregation(aggregation) is expected


AGGREGATE_CASES = [
    # id, aggregation, values, weights, expected, (value, used, expected, coverage, partial)
    ("sum full", "sum", [1.0, 2.0, 3.0], None, None, (6.0, 3, 3, 1.0, False)),
    ("sum partial", "sum", [1.0, 2.0, None], None, None, (3.0, 2, 3, 2 / 3, True)),
    ("mean", "mean", [50.0, 55.0, 60.0], None, None, (55.0, 3, 3, 1.0, False)),  # 165 / 3
    ("mean skips missing", "mean", [50.0, None, 60.0], None, None, (55.0, 2, 3, 2 / 3, True)),  # 110 / 2
    ("min", "min", [3.0, 1.5, 2.0], None, None, (1.5, 3, 3, 1.0, False)),
    ("max", "max", [3.0, 1.5, None], None, None, (3.0, 2, 3, 2 / 3, True)),
    ("nothing usable", "sum", [None, None], None, None, (None, 0, 2, 0.0, True)),
    ("expected beyond values", "sum", [1.0, 2.0], None, 4, (3.0, 2, 4, 0.5, True)),
    ("no child expected", "sum", [], None, None, (None, 0, 0, None, False)),
    # weighted: Σ v·w / Σ w over the children with both a value and a weight
    ("weighted", "weighted:DANSO", [7.0, 8.0], [200000.0, 100000.0], None,
     (7.3333333, 2, 2, 1.0, False)),  # (7×200000 + 8×100000) / 300000 = 2200000 / 300000
    ("weighted skips missing weight", "weighted:DANSO", [10.0, 20.0, 30.0], [1.0, 3.0, None], None,
     (17.5, 2, 3, 2 / 3, True)),  # (10×1 + 20×3) / 4 = 70 / 4
    ("weighted skips missing value", "weighted:DANSO", [None, 20.0, 30.0], [1.0, 3.0, 1.0], None,
     (22.5, 2, 3, 2 / 3, True)),  # (20×3 + 30×1) / 4 = 90 / 4
    ("weighted without weights", "weighted:DANSO", [10.0, 20.0], None, None, (None, 0, 2, 0.0, True)),
    ("weighted zero total weight", "weighted:DANSO", [10.0, 20.0], [0.0, 0.0], None, (None, 0, 2, 0.0, True)),
    # boolean as 1/0: min = all achieved, sum = how many, mean = share
    ("boolean min all achieved", "min", [1.0, 1.0, 1.0], None, None, (1.0, 3, 3, 1.0, False)),
    ("boolean min one missed", "min", [1.0, 0.0, 1.0], None, None, (0.0, 3, 3, 1.0, False)),
    ("boolean sum counts", "sum", [1.0, 0.0, 1.0, 1.0], None, None, (3.0, 4, 4, 1.0, False)),
    ("boolean mean shares", "mean", [1.0, 0.0, 1.0], None, None, (0.6666667, 3, 3, 1.0, False)),  # 2 / 3
]


@pytest.mark.parametrize(
    ("aggregation", "values", "weights", "expected_count", "expected"),
    [case[1:] for case in AGGREGATE_CASES],
    ids=[case[0] for case in AGGREGATE_CASES],
)
def test_aggregate(aggregation, values, weights, expected_count, expected):
    value, used, n_expected, coverage, partial = expected
    got = aggregate(aggregation, values, weights, expected_count)
    assert got.value == (None if value is None else approx(value, rel=1e-6))
    assert got.used == used
    assert got.expected == n_expected
    assert got.coverage == (None if coverage is None else approx(coverage))
    assert got.partial is partial


def test_aggregate_none_gives_no_value():
    assert aggregate("none", [1.0, 2.0]).value is None


def test_aggregate_refuses_an_unknown_aggregation():
    with pytest.raises(ValueError):
        aggregate("median", [1.0, 2.0])


@pytest.mark.parametrize("value, references, expected", [
    (7000, (8000, None), True),      # the size of the target
    (7, (8000, None), False),        # a thousand times smaller
    (7.5, (7.0, 7.5, None), True),
    (7500, (7.0, 7.5, None), False),
    (190, (200000, 190000), False),
    (1234, (), True),                # nothing to judge by: either reading may be meant
    (0, (500,), True),
    (5000, (0, None), True),         # a zero target says nothing about size
    (-1.2, (1.5,), True),            # a negative growth rate is of the target's size
    (30, (1.5,), True), (31, (1.5,), False),  # the factor's edge: 1.5 × 20 = 30
])
def test_is_plausible(value, references, expected):
    assert is_plausible(value, references) is expected
