"""End-to-end rollup and statuses (DESIGN.md §3), against values worked out by hand.

Every expected number below is written as the arithmetic of DESIGN.md §3 on the figures
typed into the workbooks, never copied from a run. E is the elapsed share at 30/6/2023 of
the 2020–2025 term: days 31/12/2020 → 30/6/2023 = 365 + 365 + 181 = 911; days 31/12/2020 →
31/12/2025 = 4·365 + 366 = 1826.

The tree (the same in both rounds):

    P  Tỉnh (own targets: GRDP "7–7,5", VON 1000, THU 2000)
    ├── D1  Huyện
    ├── D2  Thị xã
    └── K   Đảng bộ Khối — no targets of its own: rollup rows only
        ├── K1
        ├── K2
        └── K3
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from consolidator.catalog import load_catalog
from consolidator.consolidate import consolidate
from consolidator.generate import generate
from consolidator.model import Catalog, Indicator, Round, Target, Unit
from consolidator.rollup import reported_values, roll_up
from consolidator.validate import collect_inputs

from .conftest import write_catalog
from .filling import complete_results, fill

E = 911 / 1826


def _t(unit: str, code: str, text: str, low: float, high: float | None = None, baseline: float | None = None) -> Target:
    return Target(unit, code, text, low, low if high is None else high, baseline)


def rollup_catalog(**round_overrides) -> Catalog:
    round_ = Round(
        round_id="ROLLUP-2023", title="Sơ kết giữa nhiệm kỳ (tổng hợp)", organisation="Ban Thường vụ Thử",
        baseline_year=2020, target_year=2025, cutoff_date=date(2023, 6, 30), deadline=date(2023, 7, 10),
        **round_overrides,
    )
    units = (
        Unit("P", "Tỉnh Thử"),
        Unit("D1", "Huyện Cẩm Xuyên", "P"),
        Unit("D2", "Thị xã Kỳ Anh", "P"),
        Unit("K", "Đảng bộ Khối Cơ quan", "P"),
        Unit("K1", "Đảng bộ Sở Tài chính", "K"),
        Unit("K2", "Chi bộ Văn phòng", "K"),
        Unit("K3", "Đảng bộ Sở Y tế", "K"),
    )
    ind = Indicator
    indicators = (
        ind("DV", "Kết nạp đảng viên mới", "Xây dựng Đảng", "đảng viên", "increase", "cumulative", "sum", 0),
        ind("KYLUAT", "Đảng viên bị kỷ luật (tối đa)", "Xây dựng Đảng", "đảng viên", "decrease", "cumulative", "sum", 0),
        ind("CSVM", "Đạt trong sạch, vững mạnh", "Xây dựng Đảng", "", "boolean", "level", "sum", 0),
        ind("DANSO", "Dân số trung bình", "Xã hội", "người", "increase", "level", "sum", 0),
        ind("NGHEO", "Tỷ lệ hộ nghèo", "Xã hội", "%", "decrease", "level", "weighted:DANSO", 2),
        ind("THATNGHIEP", "Tỷ lệ thất nghiệp", "Xã hội", "%", "decrease", "level", "max", 1),
        ind("GRDP", "Tốc độ tăng trưởng GRDP bình quân", "Kinh tế", "%/năm", "increase", "average", "mean", 1),
        ind("RUNG", "Tỷ lệ che phủ rừng", "Môi trường", "%", "increase", "level", "mean", 1),
        ind("TRUONG", "Tỷ lệ trường đạt chuẩn quốc gia", "Xã hội", "%", "increase", "level", "min", 1),
        ind("NTM", "Đạt chuẩn nông thôn mới", "Kinh tế", "", "boolean", "level", "min", 0),
        ind("THUNHAP", "Thu nhập bình quân đầu người", "Kinh tế", "triệu đồng", "increase", "level", "none", 1),
        ind("VON", "Tổng vốn đầu tư toàn xã hội", "Kinh tế", "nghìn tỷ đồng", "increase", "cumulative", "sum", 1),
        ind("THU", "Thu ngân sách", "Kinh tế", "tỷ đồng", "increase", "cumulative", "sum", 1),
    )
    targets = (
        _t("P", "GRDP", "7–7,5", 7.0, 7.5),
        _t("P", "VON", "1.000", 1000.0),
        _t("P", "THU", "2.000", 2000.0),
        _t("D1", "DV", "500", 500.0),
        _t("D1", "DANSO", "200.000", 200000.0, baseline=190000.0),
        _t("D1", "NGHEO", "2", 2.0, baseline=5.0),
        _t("D1", "THATNGHIEP", "3–3,5", 3.0, 3.5),
        _t("D1", "GRDP", "7,5", 7.5),
        _t("D1", "RUNG", "52", 52.0, baseline=50.0),
        _t("D1", "TRUONG", "80", 80.0),
        _t("D1", "NTM", "Đạt", 1.0),
        _t("D1", "THUNHAP", "70", 70.0),
        _t("D1", "VON", "600", 600.0),
        _t("D1", "THU", "1.200", 1200.0),
        _t("D2", "DV", "300", 300.0),
        _t("D2", "DANSO", "100.000", 100000.0, baseline=95000.0),
        _t("D2", "NGHEO", "1,5", 1.5, baseline=3.0),
        _t("D2", "THATNGHIEP", "2 - 2,5", 2.0, 2.5),
        _t("D2", "GRDP", "8–8,5", 8.0, 8.5),
        _t("D2", "RUNG", "40", 40.0, baseline=38.0),
        _t("D2", "TRUONG", "70", 70.0),
        _t("D2", "NTM", "Đạt", 1.0),
        _t("D2", "THUNHAP", "60", 60.0),
        _t("D2", "VON", "400", 400.0),
        _t("D2", "THU", "800", 800.0),
        _t("K1", "DV", "40", 40.0),
        _t("K1", "KYLUAT", "5", 5.0),
        _t("K1", "CSVM", "Đạt", 1.0),
        _t("K1", "DANSO", "5.000", 5000.0, baseline=4800.0),
        _t("K1", "NGHEO", "1", 1.0, baseline=2.0),
        _t("K2", "DV", "10", 10.0),
        _t("K2", "KYLUAT", "2", 2.0),
        _t("K2", "CSVM", "Đạt", 1.0),
        _t("K2", "NGHEO", "2", 2.0, baseline=4.0),  # K2 has no DANSO: no weight for NGHEO
        _t("K3", "DV", "20", 20.0),
        _t("K3", "KYLUAT", "3", 3.0),
        _t("K3", "CSVM", "Đạt", 1.0),
    )
    return Catalog(round_, units, indicators, targets)


# Scenario A: everyone returns a valid file; e from the dates (E).
RESULTS_A: dict[str, dict[str, object]] = {
    "P": {"VON": 500.73, "THU": 901},  # GRDP left blank: a warning, the file stays valid
    "D1": {"DV": 260, "DANSO": 210000, "NGHEO": 3, "THATNGHIEP": "3,4", "GRDP": 7.2, "RUNG": 51, "TRUONG": 85,
           "NTM": "Đạt", "THUNHAP": 65, "VON": 300.4, "THU": 500},
    "D2": {"DV": 100, "DANSO": 90000, "NGHEO": 2.8, "THATNGHIEP": 3, "GRDP": 8.6, "RUNG": 38.5, "TRUONG": 60,
           "NTM": "Chưa đạt", "THUNHAP": 62, "VON": 200.3, "THU": 400},
    "K1": {"DV": 40, "KYLUAT": 0, "CSVM": "Đạt", "DANSO": 5200, "NGHEO": 1.5},
    "K2": {"DV": 4, "KYLUAT": 1, "CSVM": "Chưa đạt", "NGHEO": 3},
    "K3": {"DV": 12, "KYLUAT": 3, "CSVM": "Đạt"},
}

# Scenario B: expected_progress 0.5; K3 sends nothing; D2 types a word in one result.
RESULTS_B: dict[str, dict[str, object]] = {
    "D1": {"DV": 250, "THATNGHIEP": 3.4},
    "D2": {"DV": 120, "THATNGHIEP": "khoảng 3"},
    "K1": {"DV": 40, "KYLUAT": 0, "CSVM": "Đạt"},
    "K2": {"DV": 3, "KYLUAT": 1, "CSVM": "Chưa đạt"},
}


def _round_files(base: Path, catalog: Catalog, results: dict[str, dict[str, object]]) -> tuple[Catalog, list[Path]]:
    """The real path: catalog workbook → load → generate → fill as units do → the inbox's files."""
    loaded = load_catalog(write_catalog(catalog, base / "catalog.xlsx"))
    templates = {g.unit_code: g.path for g in generate(loaded, base / "templates")}
    inbox = base / "inbox"
    for unit, values in results.items():
        typed = {**complete_results(loaded, unit), **values}
        if unit == "P":
            typed.pop("GRDP")
        fill(templates[unit], inbox / templates[unit].name, typed)
    return loaded, collect_inputs([inbox])


@pytest.fixture(scope="module")
def round_a(tmp_path_factory):
    return _round_files(tmp_path_factory.mktemp("round_a"), rollup_catalog(), RESULTS_A)


@pytest.fixture(scope="module")
def full(round_a):
    catalog, paths = round_a
    return consolidate(catalog, paths)


@pytest.fixture(scope="module")
def round_b(tmp_path_factory):
    return _round_files(tmp_path_factory.mktemp("round_b"), rollup_catalog(expected_progress=0.5), RESULTS_B)


def row(rows, unit: str, code: str, rollup: bool):
    [found] = [r for r in rows if (r.unit_code, r.indicator_code, r.is_rollup) == (unit, code, rollup)]
    return found


def keys(rows) -> set[tuple[str, str, bool]]:
    return {(r.unit_code, r.indicator_code, r.is_rollup) for r in rows}


def approx(x: float):
    return pytest.approx(x, rel=1e-9)


def check(r, *, result, target, status, pct=None, pace=None, baseline=None):
    """Compare a row with hand-computed values; None means "must be empty"."""
    assert (r.result is None) if result is None else r.result == approx(result), (r, result)
    assert (r.target is None) if target is None else r.target == approx(target), (r, target)
    assert (r.baseline is None) if baseline is None else r.baseline == approx(baseline), (r, baseline)
    ev = r.evaluation
    assert ev.status == status, (r, status)
    assert (ev.pct_of_target is None) if pct is None else ev.pct_of_target == approx(pct), (r, pct)
    assert (ev.pace is None) if pace is None else ev.pace == approx(pace), (r, pace)


# --- the full round (scenario A) -----------------------------------------------------------------


def test_all_files_valid_and_only_units_with_targets_are_asked(full):
    assert all(s.status == "valid" for s in full.report.submissions)
    # K has no targets of its own: not asked to submit.
    assert sorted(u.unit_code for u in full.report.units) == ["D1", "D2", "K1", "K2", "K3", "P"]


def test_rows_present_per_unit(full):
    rows = full.rows
    # K gets rollup rows only, and only for indicators some unit below it has a target for.
    assert {(c, rb) for u, c, rb in keys(rows) if u == "K"} == {
        ("DV", True), ("KYLUAT", True), ("CSVM", True), ("DANSO", True), ("NGHEO", True)}
    # P: its own three rows, and a rollup for every aggregable indicator below it (not THUNHAP: `none`).
    assert {c for u, c, rb in keys(rows) if u == "P" and not rb} == {"GRDP", "VON", "THU"}
    assert {c for u, c, rb in keys(rows) if u == "P" and rb} == {
        "DV", "KYLUAT", "CSVM", "DANSO", "NGHEO", "THATNGHIEP", "GRDP", "RUNG", "TRUONG", "NTM", "VON", "THU"}
    # Grassroots and districts: one non-rollup row per target, no rollup rows (no children).
    for unit in ("D1", "D2", "K1", "K2", "K3"):
        assert {c for u, c, rb in keys(rows) if u == unit and not rb} == {
            t.indicator_code for t in full.catalog.targets_by_unit[unit]}
        assert not [k for k in keys(rows) if k[0] == unit and k[2]]
    # Parents before children.
    order = [r.unit_code for r in rows]
    assert order.index("P") < order.index("K") < order.index("K1")


def test_sum_through_two_levels(full):
    rows = full.rows
    # K: DV sum r = 40 + 4 + 12 = 56, t = 40 + 10 + 20 = 70; cumulative p = r/(E·t) = 56/(70E) = 0.8/E ≈ 1.60.
    k = row(rows, "K", "DV", True)
    check(k, result=56, target=70, status="on_track", pct=56 / 70 * 100, pace=56 / (E * 70))
    assert (k.used, k.expected, k.coverage, k.partial) == (3, 3, 1.0, False)
    # P: D1 260 + D2 100 + K's rollup 56 = 416; t = 500 + 300 + 70 = 870; p = 416/(870E) ≈ 0.958 → behind.
    p = row(rows, "P", "DV", True)
    check(p, result=416, target=870, status="behind", pct=416 / 870 * 100, pace=416 / (E * 870))
    assert (p.used, p.expected, p.coverage, p.partial) == (3, 3, 1.0, False)


def test_statuses_with_elapsed_share_from_dates(full):
    rows = full.rows
    # E = 911/1826 ≈ 0.4989, low_threshold 0.8.
    # K1 DV: 40 ≥ 40 → achieved, 100 %.
    check(row(rows, "K1", "DV", False), result=40, target=40, status="achieved", pct=100)
    # D1 DV: p = 260/(500E) = 0.52/E ≈ 1.042 → on_track.
    check(row(rows, "D1", "DV", False), result=260, target=500, status="on_track", pct=52, pace=260 / (500 * E))
    # K2 DV: p = 4/(10E) = 0.4/E ≈ 0.8018 → behind (just above 0.8).
    check(row(rows, "K2", "DV", False), result=4, target=10, status="behind", pct=40, pace=4 / (10 * E))
    # D2 DV: p = 100/(300E) ≈ 0.668 → low.
    check(row(rows, "D2", "DV", False), result=100, target=300, status="low", pct=100 / 3, pace=100 / (300 * E))
    # K3 DV: p = 12/(20E) = 0.6/E ≈ 1.203 → on_track.
    check(row(rows, "K3", "DV", False), result=12, target=20, status="on_track", pct=60, pace=12 / (20 * E))
    # P GRDP: blank in P's own file → no_data on its own row, target the range's lower bound 7.
    own = row(rows, "P", "GRDP", False)
    check(own, result=None, target=7, status="no_data")
    assert own.target_text == "7–7,5" and own.source_file.startswith("P_")


def test_level_with_baseline_both_directions(full):
    rows = full.rows
    # D1 NGHEO (decrease, b 5, t 2, r 3): p = ((3−5)/(2−5))/E = (2/3)/E ≈ 1.336 → on_track; % = 2/3·100.
    check(row(rows, "D1", "NGHEO", False), result=3, target=2, baseline=5, status="on_track",
          pct=2 / 3 * 100, pace=((3 - 5) / (2 - 5)) / E)
    # D2 NGHEO (b 3, t 1,5, r 2,8): p = ((2.8−3)/(1.5−3))/E = (0.2/1.5)/E ≈ 0.267 → low; % = 1.5/2.8·100.
    check(row(rows, "D2", "NGHEO", False), result=2.8, target=1.5, baseline=3, status="low",
          pct=1.5 / 2.8 * 100, pace=((2.8 - 3) / (1.5 - 3)) / E)
    # D1 RUNG (increase, b 50, t 52, r 51): p = (1/2)/E = 913/911 ≈ 1.002 → on_track (just).
    check(row(rows, "D1", "RUNG", False), result=51, target=52, baseline=50, status="on_track",
          pct=51 / 52 * 100, pace=0.5 / E)
    # D2 DANSO (increase, b 95 000, t 100 000, r 90 000): p = (−5000/5000)/E = −1/E → low; % = 90.
    check(row(rows, "D2", "DANSO", False), result=90000, target=100000, baseline=95000, status="low",
          pct=90, pace=-1 / E)
    # D1 DANSO: 210 000 ≥ 200 000 → achieved, no pace.
    check(row(rows, "D1", "DANSO", False), result=210000, target=200000, baseline=190000, status="achieved", pct=105)


def test_level_without_baseline_and_average(full):
    rows = full.rows
    # D1 GRDP (average, t 7,5, r 7,2): p = r/t = 0.96 → behind.
    check(row(rows, "D1", "GRDP", False), result=7.2, target=7.5, status="behind", pct=96, pace=7.2 / 7.5)
    # D1 THUNHAP (level, no baseline, t 70, r 65): p = 65/70 ≈ 0.929 → behind.
    check(row(rows, "D1", "THUNHAP", False), result=65, target=70, status="behind", pct=65 / 70 * 100, pace=65 / 70)
    # D2 THUNHAP 62 ≥ 60 → achieved.
    check(row(rows, "D2", "THUNHAP", False), result=62, target=60, status="achieved", pct=62 / 60 * 100)


def test_range_targets(full):
    rows = full.rows
    # increase "8–8,5": t = 8 (lower); r 8,6 ≥ 8 → achieved; % = 8.6/8·100 = 107.5.
    d2 = row(rows, "D2", "GRDP", False)
    check(d2, result=8.6, target=8, status="achieved", pct=107.5)
    assert d2.target_text == "8–8,5"
    # decrease "3–3,5": t = 3.5 (upper); r "3,4" → 3.4 ≤ 3.5 → achieved; % = t/r·100 = 3.5/3.4·100.
    d1 = row(rows, "D1", "THATNGHIEP", False)
    check(d1, result=3.4, target=3.5, status="achieved", pct=3.5 / 3.4 * 100)
    assert d1.target_text == "3–3,5"
    # decrease "2 - 2,5": t = 2.5; r 3 > 2.5; level, no baseline: p = t/r = 2.5/3 ≈ 0.833 → behind.
    check(row(rows, "D2", "THATNGHIEP", False), result=3, target=2.5, status="behind",
          pct=2.5 / 3 * 100, pace=2.5 / 3)


def test_cumulative_decrease_is_judged_by_pace_before_the_term_ends(full):
    rows = full.rows
    # K1 KYLUAT: r = 0 → on_track; % empty (t/r with r = 0), no pace.
    check(row(rows, "K1", "KYLUAT", False), result=0, target=5, status="on_track", pct=None, pace=None)
    # K2 KYLUAT: 1 ≤ 2 but cannot be achieved yet; p = (E·2)/1 ≈ 0.998 → behind; % = 2/1·100 = 200.
    check(row(rows, "K2", "KYLUAT", False), result=1, target=2, status="behind", pct=200, pace=E * 2 / 1)
    # K3 KYLUAT: p = (E·3)/3 = E ≈ 0.499 → low; % = 100.
    check(row(rows, "K3", "KYLUAT", False), result=3, target=3, status="low", pct=100, pace=E)
    # K rollup (sum): r = 0 + 1 + 3 = 4, t = 5 + 2 + 3 = 10; p = 10E/4 = 2.5E ≈ 1.247 → on_track; % = 250.
    k = row(rows, "K", "KYLUAT", True)
    check(k, result=4, target=10, status="on_track", pct=250, pace=E * 10 / 4)
    # P: its only expected child is K → the same figures, coverage 1/1.
    p = row(rows, "P", "KYLUAT", True)
    check(p, result=4, target=10, status="on_track", pct=250, pace=E * 10 / 4)
    assert (p.used, p.expected, p.partial) == (1, 1, False)


def test_weighted_mean_leaves_out_a_child_without_weight(full):
    rows = full.rows
    # K: NGHEO weighted by DANSO. K1 (1,5 with weight 5 200) is used; K2 (3) has no DANSO → left out.
    # r = 1.5, t = 1 (K1's target, weighted over the used child only), b = 2;
    # p = ((1.5−2)/(1−2))/E = 0.5/E ≈ 1.002 → on_track; % = 1/1.5·100; coverage 1/2 → partial.
    k = row(rows, "K", "NGHEO", True)
    check(k, result=1.5, target=1, baseline=2, status="on_track", pct=1 / 1.5 * 100, pace=0.5 / E)
    assert (k.used, k.expected, k.coverage, k.partial) == (1, 2, 0.5, True)
    # K's DANSO is the sum over K1 only (K2 is not expected for DANSO): 5 200, t 5 000, b 4 800.
    kd = row(rows, "K", "DANSO", True)
    check(kd, result=5200, target=5000, baseline=4800, status="achieved", pct=5200 / 5000 * 100)
    assert (kd.used, kd.expected, kd.partial) == (1, 1, False)
    # P: weights D1 210 000, D2 90 000, K 5 200 (K's rolled-up population); Σw = 305 200.
    w = 210000 + 90000 + 5200
    r = (3 * 210000 + 2.8 * 90000 + 1.5 * 5200) / w    # = 889 800 / 305 200 ≈ 2.9155
    t = (2 * 210000 + 1.5 * 90000 + 1 * 5200) / w      # = 560 200 / 305 200 ≈ 1.8355
    b = (5 * 210000 + 3 * 90000 + 2 * 5200) / w        # = 1 330 400 / 305 200 ≈ 4.3591
    p = row(rows, "P", "NGHEO", True)
    # not achieved (2.92 > 1.84); p = ((r−b)/(t−b))/E = (1.4437/2.5236)/E ≈ 1.147 → on_track.
    check(p, result=r, target=t, baseline=b, status="on_track", pct=t / r * 100, pace=((r - b) / (t - b)) / E)
    # All three children used, but K's value is itself partial: partiality carries upward.
    assert (p.used, p.expected, p.coverage, p.partial) == (3, 3, 1.0, True)
    # P DANSO (sum): 210 000 + 90 000 + 5 200 = 305 200 ≥ 305 000 → achieved.
    check(row(rows, "P", "DANSO", True), result=305200, target=305000, baseline=289800, status="achieved",
          pct=305200 / 305000 * 100)


def test_mean_min_max_none(full):
    rows = full.rows
    # RUNG mean: r = (51 + 38.5)/2 = 44.75, t = (52 + 40)/2 = 46, b = (50 + 38)/2 = 44;
    # p = ((44.75−44)/(46−44))/E = 0.375/E ≈ 0.752 → low.
    check(row(rows, "P", "RUNG", True), result=44.75, target=46, baseline=44, status="low",
          pct=44.75 / 46 * 100, pace=0.375 / E)
    # GRDP mean with P's own target "7–7,5" (t = 7, not the mean of the children's targets):
    # r = (7.2 + 8.6)/2 = 7.9 ≥ 7 → achieved; % = 7.9/7·100.
    grdp = row(rows, "P", "GRDP", True)
    check(grdp, result=7.9, target=7, status="achieved", pct=7.9 / 7 * 100)
    assert grdp.target_text == "7–7,5"
    # TRUONG min: r = min(85, 60) = 60, t = min(80, 70) = 70; p = 60/70 ≈ 0.857 → behind.
    check(row(rows, "P", "TRUONG", True), result=60, target=70, status="behind", pct=60 / 70 * 100, pace=60 / 70)
    # THATNGHIEP max (decrease): r = max(3.4, 3) = 3.4, t = max(3.5, 2.5) = 3.5 → achieved; % = 3.5/3.4·100.
    check(row(rows, "P", "THATNGHIEP", True), result=3.4, target=3.5, status="achieved", pct=3.5 / 3.4 * 100)
    # THUNHAP `none`: listed per unit only, no rollup row anywhere.
    assert not [r for r in rows if r.indicator_code == "THUNHAP" and r.is_rollup]


def test_booleans_min_and_sum(full):
    rows = full.rows
    # NTM min: D1 Đạt (1), D2 Chưa đạt (0) → min = 0: not all achieved → low, 0 %.
    check(row(rows, "D1", "NTM", False), result=1, target=1, status="achieved", pct=100)
    check(row(rows, "D2", "NTM", False), result=0, target=1, status="low", pct=0)
    check(row(rows, "P", "NTM", True), result=0, target=1, status="low", pct=0)
    # CSVM sum at K: K1 1 + K2 0 + K3 1 = 2 achieved of t = 1 + 1 + 1 = 3;
    # a count is a level with no baseline: p = 2/3 ≈ 0.667 → low; % = 2/3·100.
    check(row(rows, "K", "CSVM", True), result=2, target=3, status="low", pct=2 / 3 * 100, pace=2 / 3)
    # P's only child is K, whose value is its rollup (the count 2): the same count, 2 of 3.
    check(row(rows, "P", "CSVM", True), result=2, target=3, status="low", pct=2 / 3 * 100, pace=2 / 3)


def test_parent_own_result_and_sum_mismatch(full):
    rows = full.rows
    # VON: P typed 500,73; children 300.4 + 200.3 = 500.7; |500.73 − 500.7| = 0.03 ≤ 0.05
    # (half a unit of the 1st decimal) → not flagged.
    own = row(rows, "P", "VON", False)
    check(own, result=500.73, target=1000, status="on_track", pct=50.073, pace=500.73 / (E * 1000))
    roll = row(rows, "P", "VON", True)
    # The rollup keeps P's own target (1000): p = 500.7/(1000E) ≈ 1.0036 → on_track.
    check(roll, result=500.7, target=1000, status="on_track", pct=50.07, pace=500.7 / (E * 1000))
    assert not own.sum_mismatch and not roll.sum_mismatch
    # THU: P typed 901; children 500 + 400 = 900; |901 − 900| = 1 > 0.05 → flagged.
    own = row(rows, "P", "THU", False)
    check(own, result=901, target=2000, status="behind", pct=45.05, pace=901 / (E * 2000))  # ≈ 0.903
    roll = row(rows, "P", "THU", True)
    check(roll, result=900, target=2000, status="behind", pct=45, pace=900 / (E * 2000))  # ≈ 0.902
    assert roll.sum_mismatch and not own.sum_mismatch  # the rollup row carries the flag, beside the own figure
    assert own.source_file.startswith("P_") and roll.source_file == ""


def test_root_subtree(round_a, full):
    catalog, paths = round_a
    sub = consolidate(catalog, paths, root="K")
    assert {r.unit_code for r in sub.rows} == {"K", "K1", "K2", "K3"}
    # K's rollups are the same as in the whole tree: DV 56 of 70.
    k = row(sub.rows, "K", "DV", True)
    check(k, result=56, target=70, status="on_track", pct=80, pace=56 / (E * 70))
    assert keys(sub.rows) == {k for k in keys(full.rows) if k[0] in ("K", "K1", "K2", "K3")}
    assert set(sub.table["unit_code"]) == {"K", "K1", "K2", "K3"}


# --- the long table ----------------------------------------------------------------------------


# DESIGN.md §4's columns, with the earlier round's result beside the result (issue 15, §9)
DESIGN_COLUMNS = [
    "round_id", "unit_code", "unit_name", "parent_code", "level", "indicator_code", "indicator_name", "group",
    "unit_of_measure", "direction", "measure", "baseline", "target", "target_all", "result", "previous_result",
    "estimate",
    "proposed_target", "pct_of_target", "expected_progress", "pace", "status", "is_rollup", "coverage", "source_file", "note",
]


def _cell(frame, unit: str, code: str, rollup: bool):
    hit = frame[(frame["unit_code"] == unit) & (frame["indicator_code"] == code) & (frame["is_rollup"] == rollup)]
    assert len(hit) == 1, (unit, code, rollup)
    return hit.iloc[0]


def test_long_table(full):
    frame = full.table
    assert list(frame.columns) == DESIGN_COLUMNS
    # One row per unit × indicator, rollups included: P 3 own + 12 rollups, D1 11, D2 11, K 5, K1 5, K2 4, K3 3.
    assert len(frame) == 3 + 12 + 11 + 11 + 5 + 5 + 4 + 3
    assert frame["is_rollup"].dtype == bool
    assert set(frame.loc[frame["unit_code"] == "K", "is_rollup"]) == {True}
    levels = dict(zip(frame["unit_code"], frame["level"]))
    assert levels == {"P": 0, "D1": 1, "D2": 1, "K": 1, "K1": 2, "K2": 2, "K3": 2}
    assert set(frame["round_id"]) == {"ROLLUP-2023"}
    assert frame["expected_progress"].tolist() == [approx(E)] * len(frame)
    # Booleans as 1/0; a rolled-up count stays a count.
    assert _cell(frame, "D1", "NTM", False)["result"] == 1
    assert _cell(frame, "D2", "NTM", False)["result"] == 0
    assert _cell(frame, "P", "NTM", True)["result"] == 0
    assert _cell(frame, "K", "CSVM", True)["result"] == 2
    # target is the numeric bound; the parent of K1 is K.
    assert _cell(frame, "D2", "THATNGHIEP", False)["target"] == 2.5
    assert _cell(frame, "D2", "GRDP", False)["target"] == 8
    assert _cell(frame, "K1", "DV", False)["parent_code"] == "K"
    # Empty where undefined.
    k1 = _cell(frame, "K1", "KYLUAT", False)  # r = 0: no % (t/r), no pace; not a rollup: no coverage
    assert k1["result"] == 0 and k1["status"] == "on_track"
    assert math.isnan(k1["pct_of_target"]) and math.isnan(k1["pace"]) and math.isnan(k1["coverage"])
    assert math.isnan(k1["baseline"])
    own = _cell(frame, "P", "GRDP", False)  # no result typed
    assert math.isnan(own["result"]) and math.isnan(own["pct_of_target"]) and own["status"] == "no_data"
    achieved = _cell(frame, "D1", "DANSO", False)
    assert math.isnan(achieved["pace"]) and achieved["baseline"] == 190000
    # Rollup values and coverage.
    p = _cell(frame, "P", "DV", True)
    assert (p["result"], p["target"], p["coverage"], p["status"]) == (416, 870, 1.0, "behind")
    assert p["pct_of_target"] == approx(416 / 870 * 100) and p["pace"] == approx(416 / (E * 870))
    k = _cell(frame, "K", "NGHEO", True)
    assert k["coverage"] == 0.5 and "partial" in k["note"]
    assert "partial" in _cell(frame, "P", "NGHEO", True)["note"]  # coverage 1, partial below
    assert _cell(frame, "D1", "DV", False)["source_file"].startswith("D1_")


# --- a partial round (scenario B): a missing unit, an invalid file, e = 0.5 -------------------------


def test_partial_rollup_and_invalid_file_left_out(round_b):
    catalog, paths = round_b
    assert catalog.round.elapsed_share == 0.5
    result = consolidate(catalog, paths)
    by_unit = {s.unit_code: s for s in result.report.submissions}
    assert by_unit["D2"].status == "invalid" and "K3" not in by_unit
    rows = result.rows
    # Statuses with e = 0.5 (DV, cumulative increase, p = r/(0.5·t)):
    # K1 40 ≥ 40 → achieved; D1 250/(0.5·500) = 1.0 → on_track (exactly on schedule);
    # K2 3/(0.5·10) = 0.6 → low; K3 sent nothing → no_data.
    check(row(rows, "K1", "DV", False), result=40, target=40, status="achieved", pct=100)
    check(row(rows, "D1", "DV", False), result=250, target=500, status="on_track", pct=50, pace=1.0)
    check(row(rows, "K2", "DV", False), result=3, target=10, status="low", pct=30, pace=0.6)
    check(row(rows, "K3", "DV", False), result=None, target=20, status="no_data")
    # The invalid D2 is left out entirely: its rows have no result.
    d2 = row(rows, "D2", "DV", False)
    check(d2, result=None, target=300, status="no_data")
    assert d2.source_file == ""
    # K: K1 + K2 only → r = 40 + 3 = 43, t = 40 + 10 = 50 (like with like, not 70);
    # p = 43/(0.5·50) = 1.72 → on_track; coverage 2/3 → partial.
    k = row(rows, "K", "DV", True)
    check(k, result=43, target=50, status="on_track", pct=86, pace=43 / 25)
    assert (k.used, k.expected, k.coverage, k.partial) == (2, 3, approx(2 / 3), True)
    # P: D1 250 + K 43 = 293 (D2 counts as missing), t = 500 + 50 = 550; p = 293/275 ≈ 1.065 → on_track.
    p = row(rows, "P", "DV", True)
    check(p, result=293, target=550, status="on_track", pct=293 / 550 * 100, pace=293 / 275)
    assert (p.used, p.expected, p.coverage, p.partial) == (2, 3, approx(2 / 3), True)
    # KYLUAT at K over K1, K2: r = 0 + 1 = 1, t = 5 + 2 = 7; p = (0.5·7)/1 = 3.5 → on_track.
    check(row(rows, "K", "KYLUAT", True), result=1, target=7, status="on_track", pct=700, pace=3.5)
    # K2 KYLUAT: p = (0.5·2)/1 = 1.0 → on_track.
    check(row(rows, "K2", "KYLUAT", False), result=1, target=2, status="on_track", pct=200, pace=1.0)
    # CSVM (boolean sum) over K1 (Đạt) and K2 (Chưa đạt): 1 of t = 2; p = 1/2 → low.
    check(row(rows, "K", "CSVM", True), result=1, target=2, status="low", pct=50, pace=0.5)
    frame = result.table
    assert _cell(frame, "P", "DV", True)["coverage"] == approx(2 / 3)
    assert (frame["expected_progress"] == 0.5).all()


def test_accept_partial_takes_the_rows_without_error(round_b):
    catalog, paths = round_b
    result = consolidate(catalog, paths, accept_partial=True)
    rows = result.rows
    # D2's DV (120) is taken; p = 120/(0.5·300) = 0.8 = low_threshold → behind (not low).
    d2 = row(rows, "D2", "DV", False)
    check(d2, result=120, target=300, status="behind", pct=40, pace=0.8)
    assert d2.source_file.startswith("D2_")
    # D2's THATNGHIEP has the word: left out.
    check(row(rows, "D2", "THATNGHIEP", False), result=None, target=2.5, status="no_data")
    # P DV: D1 250 + D2 120 + K 43 = 413, t = 500 + 300 + 50 = 850; p = 413/(0.5·850) = 413/425 ≈ 0.972 → behind.
    # All three children used (coverage 1), but K's rollup is partial: partiality carries upward.
    p = row(rows, "P", "DV", True)
    check(p, result=413, target=850, status="behind", pct=413 / 850 * 100, pace=413 / 425)
    assert (p.used, p.expected, p.coverage, p.partial) == (3, 3, 1.0, True)
    # P THATNGHIEP (max) over D1 only: r 3.4, t 3.5 → achieved; coverage 1/2, partial.
    t = row(rows, "P", "THATNGHIEP", True)
    check(t, result=3.4, target=3.5, status="achieved", pct=3.5 / 3.4 * 100)
    assert (t.used, t.expected, t.partial) == (1, 2, True)


@pytest.mark.parametrize("own, flagged", [
    # children 300.4 + 200.3 = 500.7; VON has 1 decimal, half a unit = 0.05.
    (500.75, False),  # differs by exactly half a unit: not "more than" (500.75 − 500.7 is 0.0500…01 in floats)
    (500.65, False),  # the same below
    (500.76, True),   # 0.06 > 0.05
    (500.64, True),
])
def test_sum_mismatch_at_half_a_unit(full, own, flagged):
    reported = reported_values(full.report.submissions)
    rep, source = reported[("P", "VON")]
    reported[("P", "VON")] = (replace(rep, result=own), source)
    rows = roll_up(full.catalog, reported)
    assert row(rows, "P", "VON", False).result == own
    roll = row(rows, "P", "VON", True)
    assert roll.result == approx(500.7)
    assert roll.sum_mismatch is flagged


def test_counted_yes_no_indicator_ignores_the_parents_own_yes_no_target():
    """A parent with its own Đạt target and units below it: the count is measured against the
    units' targets, and its own Đạt is not a 'sum mismatch' with the count (review finding)."""
    from datetime import date

    from consolidator.model import Catalog, Indicator, Round, Target, Unit
    from consolidator.rollup import roll_up
    from consolidator.model import Reported

    round_ = Round("R", "t", "o", 2020, 2025, date(2023, 6, 30), date(2023, 7, 10))
    units = (Unit("K", "Khối"), Unit("A", "A", "K"), Unit("B", "B", "K"), Unit("C", "C", "K"))
    ind = Indicator("VH", "Cơ quan đạt chuẩn văn hóa", "XH", "", "boolean", "level", "sum", 0)
    targets = tuple(Target(u, "VH", "Đạt", 1.0, 1.0) for u in ("K", "A", "B", "C"))
    catalog = Catalog(round_, units, (ind,), targets)
    reported = {(u, "VH"): (Reported("VH", 10, r, None, "", ""), f"{u}.xlsx")
                for u, r in (("K", 1.0), ("A", 1.0), ("B", 1.0), ("C", 0.0))}
    rows = {(r.unit_code, r.is_rollup): r for r in roll_up(catalog, reported)}
    rollup = rows["K", True]
    assert rollup.result == 2  # A and B achieved it
    assert rollup.target == 3  # each of the three units is expected to: 1 + 1 + 1
    assert rollup.evaluation.pct_of_target == pytest.approx(2 / 3 * 100)
    assert not rollup.sum_mismatch
    assert rows["K", False].result == 1.0 and rows["K", False].evaluation.status == "achieved"


def test_target_all_is_over_every_expected_child_beside_the_like_for_like_target(round_b):
    """DESIGN.md §3: the target over all expected children is kept beside the like-for-like one."""
    catalog, paths = round_b
    result = consolidate(catalog, paths)
    rows = result.rows
    # K over K1, K2 (K3 sent nothing): target 40 + 10 = 50 like for like, 40 + 10 + 20 = 70 over all.
    k = row(rows, "K", "DV", True)
    assert (k.target, k.target_all) == (50, 70)
    # P over D1 and K (D2 invalid): target 500 + 50 = 550; over all: 500 + 300 + 70 = 870.
    p = row(rows, "P", "DV", True)
    assert (p.target, p.target_all) == (550, 870)
    assert p.evaluation.pct_of_target == approx(293 / 550 * 100)  # % stays like for like
    # THATNGHIEP (max of the upper bounds) over D1 only: 3.5; over D1 and D2: max(3.5, 2.5) = 3.5.
    t = row(rows, "P", "THATNGHIEP", True)
    assert (t.target, t.target_all) == (3.5, 3.5)
    # A unit's own target is its target_all; a parent with its own target keeps it on the rollup too.
    assert row(rows, "D2", "DV", False).target_all == 300
    assert row(rows, "P", "VON", True).target_all == 1000
    frame = result.table
    assert list(frame.columns).index("target_all") == list(frame.columns).index("target") + 1
    assert _cell(frame, "P", "DV", True)["target_all"] == 870
    assert _cell(frame, "K", "DV", True)["target_all"] == 70


def test_target_all_of_a_weighted_mean_uses_the_weight_targets_of_units_that_sent_nothing(full):
    """NGHEO weighted by DANSO at K: K2 has no DANSO at all, so only K1 weighs in; at P, the
    weights are the reported populations (D1 210,000, D2 90,000, K 5,200)."""
    p = row(full.rows, "P", "NGHEO", True)
    # K's NGHEO target over all: K1's 1 (K2 has no weight) → 1.
    assert row(full.rows, "K", "NGHEO", True).target_all == approx(1.0)
    assert p.target_all == approx((2 * 210000 + 1.5 * 90000 + 1 * 5200) / (210000 + 90000 + 5200))


def test_target_all_weighs_a_unit_that_sent_nothing_by_its_weight_target(round_b):
    """Round B: D2's file is invalid, so its population is unknown; its DANSO target (100,000)
    weighs its NGHEO target. Typed: D1 DANSO 0.8 · 200,000, K1 0.8 · 5,000 (complete_results)."""
    catalog, paths = round_b
    p = row(consolidate(catalog, paths).rows, "P", "NGHEO", True)
    d1, k1 = 0.8 * 200000, 0.8 * 5000
    assert p.target == approx((2 * d1 + 1 * k1) / (d1 + k1))
    assert p.target_all == approx((2 * d1 + 1.5 * 100000 + 1 * k1) / (d1 + 100000 + k1))


def _khoi(aggregation: str = "sum"):
    from datetime import date

    from consolidator.model import Catalog, Indicator, Round, Target, Unit

    round_ = Round("R", "t", "o", 2020, 2025, date(2023, 6, 30), date(2023, 7, 10))
    units = (Unit("K", "Khối"), Unit("A", "A", "K"), Unit("B", "B", "K"), Unit("C", "C", "K"))
    ind = Indicator("DV", "Kết nạp đảng viên", "XD", "người", "increase", "cumulative", aggregation, 0)
    return Catalog(round_, units, (ind,), tuple(Target(u, "DV", "10", 10.0, 10.0) for u in "ABC"))


def test_the_estimate_rolls_up_over_the_units_whose_results_were_used_when_each_gave_one():
    from consolidator.model import Reported
    from consolidator.rollup import roll_up

    def rollup(figures):
        reported = {(u, "DV"): (Reported("DV", 10, r, est, "", ""), f"{u}.xlsx") for u, (r, est) in figures.items()}
        return next(r for r in roll_up(_khoi(), reported) if r.is_rollup)

    # C sent nothing: its estimate is not wanted, the estimate is over A and B as the result is
    assert rollup({"A": (4.0, 6.0), "B": (3.0, 5.0)}).estimate == 11
    # B gave no estimate: a sum over A alone would pass a part for the whole
    assert rollup({"A": (4.0, 6.0), "B": (3.0, None), "C": (1.0, 2.0)}).estimate is None


def test_a_reported_figure_that_is_itself_partial_makes_its_parents_rollup_partial():
    from consolidator.model import Reported
    from consolidator.rollup import roll_up

    reported = {(u, "DV"): (Reported("DV", 10, 4.0, None, "", "", partial=u == "B"), f"{u}.xlsx") for u in "ABC"}
    rows = {(r.unit_code, r.is_rollup): r for r in roll_up(_khoi(), reported)}
    assert rows["B", False].partial and not rows["A", False].partial
    k = rows["K", True]
    assert (k.used, k.expected, k.partial) == (3, 3, True)  # every unit reported, but B's own figure is partial
