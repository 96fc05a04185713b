"""The rules every consolidated sheet lays out, on `Consolidation` (issue 12): what stands for a unit ×
indicator, which indicators are present, the low list's order. Rows made by hand, one case a rule."""

from __future__ import annotations

from consolidator import formulas
from consolidator.consolidate import Consolidation
from consolidator.rollup import Row
from consolidator.validate import ValidationReport

from .conftest import small_catalog


def _row(unit: str, code: str, rollup: bool, result: float | None, status: str = formulas.ON_TRACK,
         pace: float | None = 1.0) -> Row:
    return Row(unit, code, rollup, 10.0, "10", None, result, formulas.Evaluation(None, pace, status, None))


def _consolidation(rows: list[Row], root: str = "P") -> Consolidation:
    catalog = small_catalog()
    return Consolidation(catalog, ValidationReport(catalog, []), rows, root)


def test_a_units_own_figure_stands_for_it_and_its_rollup_only_when_it_reported_none():
    own_p, rollup_p = _row("P", "GRDP", False, 6.5), _row("P", "GRDP", True, 6.1)
    blank_k, rollup_k = _row("K", "DANGVIEN", False, None), _row("K", "DANGVIEN", True, 33)
    blank_d1 = _row("D1", "RUNG", False, None)
    c = _consolidation([own_p, rollup_p, blank_k, rollup_k, blank_d1, _row("P", "DANSO", True, 295000)])
    assert c.shown_row("P", "GRDP") == own_p
    assert c.shown_row("K", "DANGVIEN") == rollup_k  # a blank figure gives way to the rollup
    assert c.shown_row("D1", "RUNG") == blank_d1  # with no rollup, the blank figure is still the unit's
    assert c.shown_row("P", "DANSO").is_rollup and c.shown_row("P", "NGHEO") is None
    assert c.own_row("P", "GRDP") == own_p and c.rollup_row("P", "GRDP") == rollup_p


def test_indicators_present_are_those_with_a_row_in_the_tree_in_catalog_order():
    c = _consolidation([_row("D1", "KYLUAT", False, 1), _row("P", "GRDP", True, 6.0), _row("D1", "DANSO", False, 1)])
    assert [i.code for i in c.present_indicators] == ["GRDP", "DANSO", "KYLUAT"]


def test_the_low_list_holds_the_shown_low_rows_worst_first_unknown_pace_last():
    worst = _row("D1", "GRDP", False, 1.0, formulas.LOW, pace=0.2)
    unknown = _row("D2", "GRDP", False, 2.0, formulas.LOW, pace=None)
    second = _row("K1", "DANGVIEN", False, 5, formulas.LOW, pace=0.5)
    hidden = _row("K", "DANGVIEN", True, 5, formulas.LOW, pace=0.1)  # K's own figure stands for it
    c = _consolidation([unknown, second, worst, hidden, _row("K", "DANGVIEN", False, 40),
                        _row("D2", "DANSO", False, 1, formulas.BEHIND, pace=0.9)])
    assert c.low_rows == [worst, second, unknown]


def test_assessments_of_the_units_under_the_root_are_counted_from_their_own_figures():
    c = _consolidation([_row("P", "DANGVIEN", False, 1, formulas.LOW), _row("K", "DANGVIEN", True, 1, formulas.LOW),
                        _row("K1", "DANGVIEN", False, 1, formulas.ACHIEVED),
                        _row("K2", "DANGVIEN", False, 1, formulas.ACHIEVED),
                        _row("D1", "DANGVIEN", False, 1, formulas.BEHIND)])
    counts = c.status_counts("DANGVIEN")
    assert counts[formulas.ACHIEVED] == 2 and counts[formulas.BEHIND] == 1 and counts[formulas.LOW] == 0
    assert list(counts) == list(formulas.STATUSES)
    assert c.direct_units == ["D1", "D2", "K"]
    assert _consolidation([], root="K").direct_units == ["K1", "K2"]
