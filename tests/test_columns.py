"""Rows and readings held as columns give back exactly the Row and Reported objects put in."""

from __future__ import annotations

import pickle

import pytest

from consolidator import formulas
from consolidator.model import Readings, Reported, Row, Rows, Target, Targets

EVALUATIONS = [
    formulas.Evaluation(None, None, formulas.NO_DATA, None),
    formulas.Evaluation(104.5, 1.3, formulas.ACHIEVED, True),
    formulas.Evaluation(0.0, 0.0, formulas.LOW, False),
    formulas.Evaluation(62.5, -0.25, formulas.BEHIND, None),
]

ROWS = [
    Row("T", "GRDP", True, 7.0, "7", 6.1, 6.8, EVALUATIONS[1], estimate=7.2, coverage=0.5, used=2, expected=4,
        partial=True, target_all=7.5),
    Row("H1", "GRDP", False, 7.0, "≥ 7", None, None, EVALUATIONS[0], proposed_target="6,5", note="chưa có số liệu",
        source_file="H1.xlsx"),
    Row("H1", "NTM", False, None, "Đạt", None, 0.0, EVALUATIONS[2], source_file="H1.xlsx"),
    Row("T", "GRDP", False, 7.0, "7", 6.1, -0.0, EVALUATIONS[3], sum_mismatch=True, source_file="T.xlsx"),
    Row("H2", "DANSO", True, 1e15 - 1, "", 0.0, 12345678.125, EVALUATIONS[1], used=0, expected=0),
]


def test_every_row_comes_back_as_it_went_in():
    rows = Rows(ROWS)
    assert len(rows) == len(ROWS)
    assert [rows[n] for n in range(len(ROWS))] == ROWS
    assert list(rows) == ROWS and rows[-1] == ROWS[-1] and rows[1:3] == ROWS[1:3]
    with pytest.raises(IndexError):
        rows[len(ROWS)]


def test_rows_are_read_in_the_order_given_and_found_by_unit_indicator_and_kind():
    rows = Rows(ROWS)
    rows.arrange([3, 0, 4, 1, 2])
    assert list(rows) == [ROWS[3], ROWS[0], ROWS[4], ROWS[1], ROWS[2]]
    assert rows.at(rows.find("T", "GRDP", False)) == ROWS[3]
    assert rows.at(rows.find("T", "GRDP", True)) == ROWS[0]
    assert rows.find("H1", "GRDP", True) == -1 and rows.find("X", "GRDP", False) == -1
    assert rows.find("H1", "XX", False) == -1
    assert [rows.at(k) for k in rows.with_status(formulas.ACHIEVED)] == [ROWS[0], ROWS[4]]
    assert rows.status_at(1) == formulas.NO_DATA and rows.pct_of_target_at(1) is None
    assert rows.is_partial_rollup_at(0) and not rows.is_partial_rollup_at(3)
    with pytest.raises(ValueError):
        rows.arrange([0, 0, 1, 2, 3])


def test_a_row_appended_after_a_lookup_is_found_too():
    rows = Rows(ROWS[:2])
    assert rows.find("H1", "NTM", False) == -1
    rows.append(ROWS[2])
    assert rows.at(rows.find("H1", "NTM", False)) == ROWS[2]


READINGS = [
    Reported("GRDP", 10, 6.8, 7.0, "", ""),
    Reported("NTM", 11, None, None, "Đạt", "xã mới", has_error=True),
    Reported("DANSO", 12, 0.0, None, "", "", partial=True),
    Reported("RUNG", 1048576, -12.5, 1e14, "45 %", "ghi chú\nhai dòng", has_error=True, partial=True),
]


@pytest.mark.parametrize("made", [lambda: Readings(READINGS),
                                  lambda: Readings.of((v.indicator_code, v.excel_row, v.result, v.estimate,
                                                       v.proposed_target, v.note, v.has_error, v.partial)
                                                      for v in READINGS),
                                  lambda: pickle.loads(pickle.dumps(Readings(READINGS)))])
def test_every_reading_comes_back_as_it_went_in(made):
    readings = made()
    assert list(readings) == READINGS and len(readings) == len(READINGS)
    assert [readings[n] for n in range(len(READINGS))] == READINGS and readings[-1] == READINGS[-1]
    assert readings == tuple(READINGS) and readings == Readings(READINGS) and readings != tuple(READINGS[:3])
    assert hash(readings) == hash(Readings(READINGS))


def test_a_reading_made_from_its_fields_is_partial_only_when_said():
    [v] = Readings.of([("GRDP", 10, 1.0, None, "", "", False, False)])
    assert v == Reported("GRDP", 10, 1.0, None, "", "") and not v.partial


TARGETS = [
    Target("H1", "GRDP", "≥ 7", 7.0, None, 6.1),
    Target("H1", "NTM", "Đạt", None, None),
    Target("H2", "GRDP", "6,5 - 7", 6.5, 7.0, None),
    Target("H1", "DANSO", "1.234", 1234.0, 1234.0, 0.0),
]


def test_every_target_comes_back_and_is_found_by_unit_and_indicator():
    targets = Targets(TARGETS)
    assert list(targets) == TARGETS and targets[-1] == TARGETS[-1] and targets == tuple(TARGETS)
    assert targets.of_unit("H1") == (TARGETS[0], TARGETS[1], TARGETS[3]) and targets.of_unit("X") == ()
    assert targets.find("H2", "GRDP") == TARGETS[2] and targets.find("H2", "NTM") is None
    assert targets.find("X", "GRDP") is None
    assert targets + (TARGETS[0],) == (*TARGETS, TARGETS[0])
    assert Targets.of((t.unit_code, t.indicator_code, t.text, t.low, t.high, t.baseline) for t in TARGETS) == targets
