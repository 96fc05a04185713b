"""The report's draft paragraphs and appendix rows (prose.py), a table of rounds and what a reader must find.

The rounds are the small catalog of conftest (province → two districts and a Khối), with
figures chosen so each assessment is worked out by hand below (e = 911/1826 ≈ 0,499 at
30/6/2023). The sentences expected are written as a clerk reads them, not copied from the code.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from consolidator import prose
from consolidator.consolidate import Consolidation
from consolidator.model import Catalog, Reported, Status, Submission, Target, Unit, UnitStatus, ValidationReport
from consolidator.rollup import reported_values, roll_up

from .conftest import small_catalog

WHEN = datetime(2023, 7, 1, tzinfo=timezone.utc)

# Every district and the Khối's units report. At the province: GRDP 7,06 (weighted by
# population) against its own 7 → achieved; population 293.000 from a baseline of 285.000
# towards 300.000 → pace 1,07, on track; poverty 2,67% from 4,33% towards 1,83% → on track;
# forest 50,4% from 50% towards 52% → pace 0,40, low; rural standard (min) not achieved, low;
# new members 324 of 550 → on track; disciplined 1 of at most 7 → on track.
EVERYONE = {
    "D1": {"GRDP": 7.6, "DANSO": 195000, "NGHEO": 3.0, "RUNG": 50.4, "NTM": 1, "DANGVIEN": 300},
    "D2": {"GRDP": 6.0, "DANSO": 98000, "NGHEO": 2.0, "NTM": 0},
    "K1": {"DANGVIEN": 20, "KYLUAT": 1},
    "K2": {"DANGVIEN": 4, "KYLUAT": 0},
}
# Thị xã Hồng Lĩnh sends nothing: the province's GRDP, population, poverty and rural figures
# come from Huyện Kỳ Anh alone (1/2); its population 190.600 is low (pace 0,12), 95,3% of 200.000.
WITHOUT_D2 = {"D1": {**EVERYONE["D1"], "DANSO": 190600}, "K1": EVERYONE["K1"], "K2": EVERYONE["K2"]}


def consolidation(results: dict[str, dict[str, float]], catalog: Catalog | None = None,
                  proposals: dict[tuple[str, str], str] | None = None) -> Consolidation:
    """A consolidation of valid files holding `results`, as consolidate() builds it."""
    catalog = catalog or small_catalog()
    proposals = proposals or {}
    files = [Submission(Path(f"{unit}.xlsx"), unit, catalog.round.round_id, Status.VALID, (), WHEN, WHEN, "0" * 64,
                        values=tuple(Reported(code, 10 + n, float(value), None, proposals.get((unit, code), ""), "")
                                     for n, (code, value) in enumerate(values.items())), counted=True)
             for unit, values in results.items()]
    by_unit = {f.unit_code: f for f in files}
    units = [UnitStatus(u.code, u.name, by_unit.get(u.code), u.code in by_unit or None) for u in catalog.reporting_units]
    rows = roll_up(catalog, reported_values(files), catalog.root.code)
    return Consolidation(catalog, ValidationReport(catalog, files, units), rows, catalog.root.code)


def many_districts(n: int) -> Catalog:
    """A province of `n` districts, each with a forest cover target of 52 from 50."""
    base = small_catalog()
    units = (Unit("P", "Tỉnh Thử"), *(Unit(f"H{k:02}", f"Huyện Số {chr(65 + k)}", "P") for k in range(n)))
    targets = tuple(Target(f"H{k:02}", "RUNG", "52", 52.0, 52.0, 50.0) for k in range(n))
    return Catalog(base.round, units, base.indicators, targets)


CASES = [
    ("everyone reports: counts, groups, the low ones with their figures, the units still low", EVERYONE, "vi", {}, [
        "Đến 30/6/2023, có 1/7 chỉ tiêu chủ yếu đạt và vượt, 4 chỉ tiêu đúng tiến độ và 2 chỉ tiêu đạt thấp. "
        "Số liệu được tổng hợp từ 4/5 đơn vị nộp phụ lục hợp lệ.",
        "- Kinh tế: 1/2 chỉ tiêu đạt và vượt (Tốc độ tăng trưởng GRDP bình quân); "
        "1 chỉ tiêu đúng tiến độ (Dân số trung bình).",
        "- Văn hóa – Xã hội: 0/2 chỉ tiêu đạt và vượt; 1 chỉ tiêu đúng tiến độ (Tỷ lệ hộ nghèo); "
        "1 chỉ tiêu đạt thấp (Đạt chuẩn nông thôn mới).",
        "- Môi trường: 0/1 chỉ tiêu đạt và vượt; 1 chỉ tiêu đạt thấp (Tỷ lệ che phủ rừng).",
        "- Xây dựng Đảng: 0/2 chỉ tiêu đạt và vượt; 2 chỉ tiêu đúng tiến độ "
        "(Kết nạp đảng viên mới, Đảng viên bị kỷ luật (tối đa)).",
        "Các chỉ tiêu đạt thấp cần lưu ý:",
        "- Tỷ lệ che phủ rừng: thực hiện 50,4% so với chỉ tiêu 52% (đạt 96,9%); năm gốc 2020: 50%, "
        "trong khi đã qua 49,9% thời gian nhiệm kỳ; đạt thấp ở 1 đơn vị: Huyện Kỳ Anh.",
        "- Đạt chuẩn nông thôn mới: còn 1 đơn vị chưa đạt (Thị xã Hồng Lĩnh).",
        "Một số đơn vị còn đạt thấp ở các chỉ tiêu:",
        "- Tốc độ tăng trưởng GRDP bình quân: 1 đơn vị (Thị xã Hồng Lĩnh).",
    ]),
    ("a district missing: partial figures said, a low partial figure compared on the units that reported",
     WITHOUT_D2, "vi", {}, [
        "Đến 30/6/2023, có 2/7 chỉ tiêu chủ yếu đạt và vượt, 3 chỉ tiêu đúng tiến độ và 2 chỉ tiêu đạt thấp. "
        "Số liệu được tổng hợp từ 3/5 đơn vị nộp phụ lục hợp lệ.",
        "- Dân số trung bình: thực hiện 190.600 người so với chỉ tiêu 200.000 người (đạt 95,3%, tính trên 1/2 đơn "
        "vị có số liệu); năm gốc 2020: 190.000 người, trong khi đã qua 49,9% thời gian nhiệm kỳ; "
        "đạt thấp ở 1 đơn vị: Huyện Kỳ Anh.",
        "Các chỉ tiêu mới tổng hợp được một phần số liệu:",
        "- Tốc độ tăng trưởng GRDP bình quân: tổng hợp từ 1/2 đơn vị.",
        "- Đạt chuẩn nông thôn mới: tổng hợp từ 1/2 đơn vị.",
    ]),
    ("a proposed target change gets its sentence", EVERYONE, "vi", {("D1", "GRDP"): "8"}, [
        "Đề xuất điều chỉnh chỉ tiêu, trình Ban Thường vụ xem xét, quyết định: Huyện Kỳ Anh đề xuất điều chỉnh "
        "chỉ tiêu Tốc độ tăng trưởng GRDP bình quân từ 7,5 thành 8.",
    ]),
    ("no valid file: the draft says so and nothing else", {}, "vi", {}, [
        "Đến 30/6/2023, chưa có số liệu thực hiện các chỉ tiêu để tổng hợp: 0/5 đơn vị phải nộp đã nộp phụ lục "
        "hợp lệ. Khi các đơn vị gửi phụ lục, chạy lại lệnh để lập phần đánh giá và phụ lục.",
    ]),
    ("English", EVERYONE, "en", {}, [
        "By 30/6/2023, 1/7 main indicators were achieved or exceeded, 4 on track and 2 low-achieving. "
        "The figures come from 4/5 units whose appendix was valid.",
        "- Tỷ lệ che phủ rừng: 50.4% against a target of 52% (96.9% of target); "
        "baseline 2020: 50%, with 49.9% of the term gone; low in 1 unit(s): Huyện Kỳ Anh.",
    ]),
]


@pytest.mark.parametrize(("results", "lang", "proposals", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_the_draft_says_what_a_reader_must_find(results, lang, proposals, expected):
    paragraphs = prose.draft(consolidation(results, proposals=proposals), lang)
    for sentence in expected:
        assert sentence in paragraphs, "\n".join(paragraphs)


def test_only_the_no_figures_sentence_when_no_file_is_valid():
    c = consolidation({})
    assert not c.has_figures
    assert len(prose.draft(c)) == 1 and prose.appendix_lines(c)  # the table is the writer's to leave out


def test_a_figure_is_the_same_in_the_paragraph_and_in_the_appendix_line():
    c = consolidation(EVERYONE)
    forest = next(line for line in prose.appendix_lines(c) if line.name == "Tỷ lệ che phủ rừng")
    # the province has no forest target of its own: the table marks the one of its units as summed
    assert (forest.target, forest.result, forest.pct) == ("52 (tổng hợp)", "50,4", "96,9")
    assert any(f"thực hiện {forest.result}% so với chỉ tiêu 52% (đạt {forest.pct}%)" in p for p in prose.draft(c))


def test_appendix_lines_are_grouped_with_roman_numerals_and_mark_partial_rollups():
    lines = prose.appendix_lines(consolidation(WITHOUT_D2))
    assert [(line.tt, line.name) for line in lines if line.kind == "group"] == [
        ("I", "Kinh tế"), ("II", "Văn hóa – Xã hội"), ("III", "Môi trường"), ("IV", "Xây dựng Đảng")]
    assert [line.tt for line in lines if line.kind == "indicator"] == [str(n) for n in range(1, 8)]
    by_name = {line.name: line for line in lines}
    grdp, people = by_name["Tốc độ tăng trưởng GRDP bình quân"], by_name["Dân số trung bình"]
    # the province's own range stands as written; the population target is over both districts, marked
    assert (grdp.target, grdp.result, grdp.pct, grdp.partial) == ("7–7,5", "7,6", "108,6 trên 1/2", True)
    assert (people.target, people.result, people.pct) == ("300.000 (tổng hợp)", "190.600", "95,3 trên 1/2")
    assert "1/2 đơn vị có số liệu" in people.note
    assert not by_name["Kết nạp đảng viên mới"].partial


def test_many_units_are_listed_to_ten_and_counted_beyond():
    catalog = many_districts(12)
    c = consolidation({f"H{k:02}": {"RUNG": 50.1} for k in range(12)}, catalog=catalog)
    forest = next(p for p in prose.draft(c) if p.startswith("- Tỷ lệ che phủ rừng"))
    assert "đạt thấp ở 12 đơn vị: Huyện Số A, Huyện Số B" in forest
    assert forest.endswith("Huyện Số J và 2 đơn vị khác.")
    assert "Huyện Số K" not in forest


def test_a_cap_over_the_term_is_never_given_as_a_percentage():
    # 6 disciplined of at most 7 over the term, with half the term gone: low, and "116,7%" would read as success
    results = {**EVERYONE, "K1": {"DANGVIEN": 20, "KYLUAT": 6}, "K2": {"DANGVIEN": 4, "KYLUAT": 0}}
    cap = next(p for p in prose.draft(consolidation(results)) if p.startswith("- Đảng viên bị kỷ luật"))
    assert "đã 6 đảng viên, chỉ tiêu cả nhiệm kỳ tối đa 7 đảng viên" in cap and "%)" not in cap


def test_shown_target_follows_the_catalog():
    c = consolidation(WITHOUT_D2)
    root = c.root
    assert prose.shown_target(c, c.shown_row(root, "GRDP"), over_all=True) == ("text", "7–7,5")
    assert prose.shown_target(c, c.shown_row(root, "DANSO"), over_all=True) == ("summed", 300000.0)
    assert prose.shown_target(c, c.shown_row(root, "DANSO")) == ("number", 200000.0)
    assert prose.shown_target(c, c.shown_row("D1", "NTM")) == ("yes", None)
    blank = replace(c.shown_row("D1", "NTM"), target=None)
    assert prose.shown_target(c, blank) == ("blank", None)
