"""The consolidated workbook, built from a real round: generate, fill as units do, consolidate, write, read back."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import replace
from datetime import datetime

import openpyxl
import pytest

from consolidator import layout
from consolidator.catalog import load_catalog
from consolidator.consolidate import TABLE_COLUMNS, consolidate
from consolidator.generate import generate
from consolidator.messages import labels
from consolidator.model import Target, Unit
from consolidator.numbers import display_number
from consolidator.validate import collect_inputs
from consolidator.fileio import clean_text
from consolidator.write import sheet_names, write_consolidated
from consolidator.write.kit import sheet_name

from .conftest import small_catalog, write_catalog
from .filling import column, complete_results, fill, rows_by_code, set_saved_time
from .office import SOFFICE, needs_libreoffice

NOTE = '=HYPERLINK("http://example.com","bấm")'
VI_SHEETS = ["Tổng hợp", "Chỉ tiêu đạt thấp", "Theo đơn vị", "Tình hình nộp", "Đề xuất điều chỉnh", "Dữ liệu",
             "Biểu đồ", "Thông tin"]
ON_TIME = datetime(2023, 7, 5, 9, 30).timestamp()
LATE = datetime(2023, 7, 15, 9, 30).timestamp()
GENERATED = datetime(2023, 6, 25, 8, 0).astimezone()


def _catalog():
    """The small round, with target changes allowed and a third district that never submits."""
    base = small_catalog(allow_target_changes=True)
    return replace(base, units=base.units + (Unit("D3", "Huyện Vắng Mặt", "P"),),
                   targets=base.targets + (Target("D3", "DANGVIEN", "100", 100.0, 100.0),))


def _with_extra(wb, ws):
    """D2 overwrites its GRDP target and adds an indicator of its own in the blank rows."""
    rows = rows_by_code(ws)
    ws.cell(rows["GRDP"], column("target")).value = 8.5
    heading = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, column("name")).value
                   == "Chỉ tiêu khác do đơn vị bổ sung (nếu có)")
    for key, value in {"name": "=1+1 Số doanh nghiệp thành lập mới", "unit_of_measure": "doanh nghiệp",
                       "target": "120", "result": 70}.items():
        ws.cell(heading + 1, column(key)).value = value
    _as_typed_text(ws.cell(heading + 1, column("name")))


def _as_typed_text(cell) -> None:
    """Text that starts with "=", stored as text: what Excel keeps when a unit types '=… or pastes text."""
    cell.data_type = "s"


def _with_note(wb, ws):
    """D1 types a formula-looking note and proposes a new target."""
    r = rows_by_code(ws)["DANGVIEN"]
    ws.cell(r, column("note")).value = NOTE
    _as_typed_text(ws.cell(r, column("note")))
    ws.cell(r, column("proposed_target")).value = "400"


@pytest.fixture(scope="module")
def round_(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("round")
    catalog = load_catalog(write_catalog(_catalog(), tmp / "catalog.xlsx"))
    # generated before the units saved their files, so their saved times are their received times
    templates = {g.unit_code: g.path for g in generate(catalog, tmp / "templates", generated_at=GENERATED)}
    inbox = tmp / "inbox"
    filled = {
        "P": fill(templates["P"], inbox / "P.xlsx", {"GRDP": 6.5}),
        "D1": fill(templates["D1"], inbox / "D1.xlsx",
                   {"GRDP": 6.0, "DANSO": 195000, "NGHEO": 2.5, "RUNG": 51, "NTM": "Đạt", "DANGVIEN": 150},
                   edit=_with_note),
        "D2": fill(templates["D2"], inbox / "D2.xlsx", complete_results(catalog, "D2"), edit=_with_extra),
        "K1": fill(templates["K1"], inbox / "K1.xlsx", {"DANGVIEN": 30, "KYLUAT": 1}),
        "K2": fill(templates["K2"], inbox / "K2.xlsx", {"DANGVIEN": 3, "KYLUAT": 0}),
    }
    for code, path in filled.items():
        moment = LATE if code == "K2" else ON_TIME
        set_saved_time(path, datetime.fromtimestamp(moment).astimezone())
    # a quiet progress hook that takes whatever keywords validate_files passes it (length=...)
    consolidation = consolidate(catalog, collect_inputs([inbox]), progress=lambda items, **_: items)
    out = tmp / "tong_hop.xlsx"
    write_consolidated(consolidation, out)
    return catalog, consolidation, filled, out


@pytest.fixture(scope="module")
def book(round_):
    return openpyxl.load_workbook(round_[3])


def _rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _find_row(ws, col: int, value) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, col).value == value)


def _header_row(ws, first_label: str) -> int:
    return _find_row(ws, 1, first_label)


def test_every_sheet_in_order(book):
    visible = [ws.title for ws in book.worksheets if ws.sheet_state == "visible"]
    assert visible == VI_SHEETS
    # the cells the charts read are on a hidden sheet after them: kept off the printout
    [hidden] = [ws for ws in book.worksheets if ws.sheet_state != "visible"]
    assert book.sheetnames[-1] == hidden.title


def test_summary_is_the_root_appendix(round_, book):
    catalog = round_[0]
    ws = book["Tổng hợp"]
    assert ws["A1"].value == "TỈNH ỦY THỬ" and ws["A2"].value == "TỈNH THỬ"
    texts = [v for row in _rows(ws)[:8] for v in row if isinstance(v, str)]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in texts and "PHỤ LỤC" in texts
    assert any(t.startswith("Kết quả thực hiện các chỉ tiêu Nghị quyết Đại hội Tỉnh Thử") for t in texts)
    assert any(t.startswith("(Kèm theo Báo cáo số") for t in texts)
    hr = _header_row(ws, "TT")
    header = [ws.cell(hr, c).value for c in range(1, ws.max_column + 1)]
    seed = layout.header_labels(catalog.round)
    assert header[:7] == [seed[k] for k in ("tt", "name", "unit_of_measure", "target", "result", "pct", "baseline")]
    assert header[1:6] == ["Chỉ tiêu chủ yếu", "Đơn vị tính", "Chỉ tiêu Nghị quyết Đại hội",
                           "Thực hiện đến tháng 6/2023", "So với chỉ tiêu NQ ĐH (%)"]
    for label in ("Tổng hợp từ đơn vị", "Tiến độ kỳ vọng (%)", "Tiến độ", "Đánh giá", "Số đơn vị", "Độ bao phủ",
                  "Ghi chú"):
        assert label in header
    sub = [ws.cell(hr + 1, c).value for c in range(1, ws.max_column + 1)]
    assert {"Đạt", "Đúng tiến độ", "Chậm", "Đạt thấp", "Chưa có số liệu"} <= set(sub)
    # groups with roman numerals, each group once, in catalog order
    groups = [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(hr + 2, ws.max_row + 1)
              if re.fullmatch(r"[IVX]+", str(ws.cell(r, 1).value or ""))]
    assert groups == [("I", "Kinh tế"), ("II", "Văn hóa – Xã hội"), ("III", "Môi trường"), ("IV", "Xây dựng Đảng")]


def _summary_row(ws, code: str) -> dict[str, object]:
    hr = _header_row(ws, "TT")
    code_col = next(c for c in range(1, ws.max_column + 1) if ws.cell(hr, c).value == "Mã chỉ tiêu")
    r = _find_row(ws, code_col, code)
    labels = [ws.cell(hr, c).value or ws.cell(hr + 1, c).value for c in range(1, ws.max_column + 1)]
    counts = {ws.cell(hr + 1, c).value: ws.cell(r, c).value for c in range(1, ws.max_column + 1)
              if ws.cell(hr + 1, c).value and ws.cell(hr, c).value in (None, "Số đơn vị")}
    return {**dict(zip(labels, (ws.cell(r, c).value for c in range(1, ws.max_column + 1)))), "counts": counts}


def test_summary_rollup_equals_the_sum_by_hand(book):
    ws = book["Tổng hợp"]
    row = _summary_row(ws, "DANGVIEN")
    assert row["Thực hiện đến tháng 6/2023"] == 150 + 30 + 3  # D1 + K1 + K2; D3 never submitted
    # The root has no DANGVIEN target: its target is the one over ALL its units (D3's 100 too),
    # which does not change with who reported ...
    assert row["Chỉ tiêu Nghị quyết Đại hội"] == 500 + 100 + 40 + 10
    # ... while the % compares like with like, over the units used (2 of 3)
    assert row["So với chỉ tiêu NQ ĐH (%)"] == pytest.approx(183 / (500 + 40 + 10) * 100)
    assert row["Độ bao phủ"] == "2/3 đơn vị (chưa đủ)"  # a partial rollup never looks like a full total
    assert row["Đánh giá"] == "Đạt thấp"
    assert row["counts"] == {"Đạt": 0, "Đúng tiến độ": 1, "Chậm": 0, "Đạt thấp": 2, "Chưa có số liệu": 1}


def _summary_cell(ws, code: str, label: str):
    hr = _header_row(ws, "TT")
    code_col = next(c for c in range(1, ws.max_column + 1) if ws.cell(hr, c).value == "Mã chỉ tiêu")
    col = next(c for c in range(1, ws.max_column + 1) if ws.cell(hr, c).value == label)
    return ws.cell(_find_row(ws, code_col, code), col)


def test_summary_marks_a_target_summed_from_the_units_and_a_partial_percentage(book):
    ws = book["Tổng hợp"]
    summed = _summary_cell(ws, "DANGVIEN", "Chỉ tiêu Nghị quyết Đại hội")
    own = _summary_cell(ws, "GRDP", "Chỉ tiêu Nghị quyết Đại hội")  # the root's own "7–7,5"
    assert isinstance(summed.value, (int, float))  # still a number a formula can use; the mark is in its format
    assert '"' in summed.number_format and '"' not in (own.number_format or "")
    pct = _summary_cell(ws, "DANGVIEN", "So với chỉ tiêu NQ ĐH (%)")
    assert "2/3" in pct.number_format  # says on how many units it is computed
    full = _summary_cell(ws, "NGHEO", "So với chỉ tiêu NQ ĐH (%)")  # D1 and D2 both reported: 2/2
    assert "/" not in full.number_format
    # the partial style, explained once below the table rather than in every row's note
    result = _summary_cell(ws, "DANGVIEN", "Thực hiện đến tháng 6/2023")
    assert result.font.i and pct.font.i
    fill = result.fill.fgColor.rgb
    assert _summary_cell(ws, "DANGVIEN", "Ghi chú").value is None
    hr = _header_row(ws, "TT")
    last_indicator = max(r for r in range(hr + 2, ws.max_row + 1) if str(ws.cell(r, 1).value or "").isdigit())
    legends = [r for r in range(last_indicator + 1, ws.max_row + 1) if ws.cell(r, 1).fill.fgColor.rgb == fill]
    assert len(legends) == 1 and ws.cell(legends[0], 1).value


def test_summary_shows_the_roots_own_figure_with_the_rollup_beside_it(book):
    row = _summary_row(book["Tổng hợp"], "GRDP")
    assert row["Thực hiện đến tháng 6/2023"] == 6.5
    assert row["Chỉ tiêu Nghị quyết Đại hội"] == "7–7,5"
    d2_grdp, d2_pop = 8 * 0.8, 100000 * 0.8
    assert row["Tổng hợp từ đơn vị"] == pytest.approx((6.0 * 195000 + d2_grdp * d2_pop) / (195000 + d2_pop))
    assert row["Độ bao phủ"] == "2/2 đơn vị"
    assert row["So với chỉ tiêu NQ ĐH (%)"] == pytest.approx(6.5 / 7 * 100)
    assert row["Tiến độ kỳ vọng (%)"] == pytest.approx(911 / 1826 * 100)


def test_summary_tally_line(book):
    ws = book["Tổng hợp"]
    line = next(v for row in _rows(ws) for v in row if isinstance(v, str) and v.startswith("Có "))
    statuses = [ws.cell(r, 11).value for r in range(_header_row(ws, "TT") + 2, ws.max_row + 1)
                if str(ws.cell(r, 1).value or "").isdigit()]
    assert line.startswith(f"Có {statuses.count('Đạt')}/{len(statuses)} chỉ tiêu đạt và vượt")
    assert len(statuses) == 7


def test_low_list_worst_first(round_, book):
    ws = book["Chỉ tiêu đạt thấp"]
    hr = _header_row(ws, "#")
    header = [ws.cell(hr, c).value for c in range(1, ws.max_column + 1)]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=hr + 1, values_only=True) if r[0] is not None]
    # One line per unit × indicator: its own figure when it reported one, else its rollup.
    result = round_[1]
    rollups = {(r.unit_code, r.indicator_code): r for r in result.rows if r.is_rollup}
    shown = [result.shown_row(*k) for k in dict.fromkeys((r.unit_code, r.indicator_code) for r in result.rows)]
    expected = sum(r.evaluation.status == "low" for r in shown)
    assert len(rows) == expected >= 3
    assert len({(r["Mã đơn vị"], r["Mã chỉ tiêu"]) for r in rows}) == len(rows)
    for r in rows:  # an incomplete rollup says so
        key = (r["Mã đơn vị"], r["Mã chỉ tiêu"])
        if r["Loại số liệu"] == "Tổng hợp" and rollups[key].partial:
            assert r["Độ bao phủ"].endswith("(chưa đủ)")
    paces = [r["Tiến độ"] for r in rows]
    known = [p for p in paces if p is not None]
    assert known == sorted(known) and paces[:len(known)] == known  # None last
    assert {(r["Mã đơn vị"], r["Mã chỉ tiêu"], r["Loại số liệu"]) for r in rows} >= {
        ("D1", "DANGVIEN", "Tự báo cáo"), ("K2", "DANGVIEN", "Tự báo cáo"), ("P", "DANGVIEN", "Tổng hợp")}
    assert next(r for r in rows if r["Mã đơn vị"] == "D1")["Tệp nguồn"] == "D1.xlsx"


def _status_fills(book) -> dict[str, str]:
    """Status word → the fill colour the summary's assessment column gives it."""
    ws = book["Tổng hợp"]
    hr = _header_row(ws, "TT")
    col = next(c for c in range(1, ws.max_column + 1) if ws.cell(hr, c).value == "Đánh giá")
    return {ws.cell(r, col).value: ws.cell(r, col).fill.fgColor.rgb for r in range(hr + 2, ws.max_row + 1)
            if str(ws.cell(r, 1).value or "").isdigit()}


def test_matrix_in_tree_order_coloured_by_status(round_, book):
    ws = book["Theo đơn vị"]
    hr = _header_row(ws, "Mã đơn vị")
    codes = [ws.cell(r, 1).value for r in range(hr + 1, ws.max_row + 1)]
    assert codes == ["P", "D1", "D2", "K", "K1", "K2", "D3"]
    assert [ws.cell(r, 3).value for r in range(hr + 1, ws.max_row + 1)] == [0, 1, 1, 1, 2, 2, 1]
    assert ws.cell(hr + 5, 2).alignment.indent == 2
    header = [ws.cell(hr, c).value for c in range(1, ws.max_column + 1)]
    col = header.index("Kết nạp đảng viên mới\n(DANGVIEN)") + 1
    assert ws.cell(hr + 2, col).value == pytest.approx(150 / 500 * 100)  # D1's own
    assert ws.cell(hr + 4, col).value == pytest.approx(33 / 50 * 100)  # K: its rollup
    assert ws.cell(hr + 7, col).value is None  # D3: no data, left blank
    # Each cell in its status's colour, the same as on the summary, not a scale of %:
    # D1 150/(E·500) = 0.60 is low; K 33/(E·50) = 1.32 is on track.
    fills = _status_fills(book)
    assert ws.cell(hr + 2, col).fill.fgColor.rgb == fills["Đạt thấp"]
    assert ws.cell(hr + 4, col).fill.fgColor.rgb == fills["Đúng tiến độ"]
    grey = ws.cell(hr + 7, col).fill.fgColor.rgb  # D3 sent nothing: no data
    assert grey not in [fills[w] for w in ("Đạt", "Đúng tiến độ", "Chậm", "Đạt thấp") if w in fills]
    assert not [rule for rng in ws.conditional_formatting for rule in rng.rules]
    # a legend above the table: every status word in its colour
    legend = {ws.cell(r, c).value: ws.cell(r, c).fill.fgColor.rgb for r in range(1, hr) for c in range(1, ws.max_column + 1)
              if ws.cell(r, c).value}
    for word, colour in fills.items():
        assert legend[word] == colour
    assert legend["Chưa có số liệu"] == grey


def test_matrix_prints_several_pages_across_with_the_unit_repeated(book):
    ws = book["Theo đơn vị"]
    hr = _header_row(ws, "Mã đơn vị")
    assert ws.page_setup.orientation == "landscape"
    assert not ws.sheet_properties.pageSetUpPr.fitToPage  # full size, not squeezed onto one page wide
    assert ws.print_title_rows == f"${hr}:${hr}"
    assert ws.print_title_cols == "$A:$B"
    assert all(ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width >= 12 for c in range(4, ws.max_column + 1))


def test_low_list_explains_each_flag(round_, book):
    catalog = round_[0]
    ws = book["Chỉ tiêu đạt thấp"]
    hr = _header_row(ws, "#")
    header = [ws.cell(hr, c).value for c in range(1, ws.max_column + 1)]
    assert len(set(header)) == len(header)  # no two columns with the same header
    seed = layout.header_labels(catalog.round)
    rows = {(r[header.index("Mã đơn vị")], r[header.index("Mã chỉ tiêu")]): dict(zip(header, r))
            for r in ws.iter_rows(min_row=hr + 1, values_only=True) if r[0] is not None}
    # D2 typed 80 % of its DANSO target: 80,000 against a baseline of 95,000 and a target of 100,000:
    # down 15,000 where e·(t − b) = E·5,000 ≈ 2,494.5 was needed by now.
    d2 = rows[("D2", "DANSO")]
    assert d2[seed["baseline"]] == 95000 and d2[seed["target"]] == 100000 and d2[seed["result"]] == 80000
    assert d2["Trực thuộc"] == "Tỉnh Thử"  # the parent unit's name, not a level number
    assert "15.000" in d2["Vì sao đạt thấp"] and "95.000" in d2["Vì sao đạt thấp"]
    assert display_number(round(911 / 1826 * 5000, 1)) in d2["Vì sao đạt thấp"]
    # K2's 3 new members of 10 (cumulative): needed E·10 ≈ 5,0 by now
    k2 = rows[("K2", "DANGVIEN")]
    assert k2["Trực thuộc"] == "Đảng bộ Khối Doanh nghiệp"
    assert display_number(round(911 / 1826 * 10, 1)) in k2["Vì sao đạt thấp"] and "3" in k2["Vì sao đạt thấp"]
    assert k2[seed["baseline"]] is None


def test_submission_status_lists_every_expected_unit(book):
    ws = book["Tình hình nộp"]
    hr = _header_row(ws, "Mã đơn vị")
    header = [ws.cell(hr, c).value for c in range(1, 9)]
    rows = {r[0]: dict(zip(header, r)) for r in ws.iter_rows(min_row=hr + 1, max_row=hr + 6, values_only=True)}
    assert set(rows) == {"P", "D1", "D2", "K1", "K2", "D3"}
    assert rows["D3"]["Tình trạng"] == "Chưa nộp" and rows["D3"]["Tệp"] is None
    assert rows["D1"]["Tình trạng"] == "Hợp lệ" and rows["D1"]["Đúng hạn/Trễ hạn"] == "Đúng hạn"
    assert rows["K2"]["Đúng hạn/Trễ hạn"] == "Trễ hạn"
    assert rows["D1"]["Thời điểm nhận"] == datetime(2023, 7, 5, 9, 30)
    labels = {r[1]: r[2] for r in ws.iter_rows(min_row=hr + 7, values_only=True) if r[1]}
    assert labels["Số đơn vị phải nộp"] == 6 and labels["Số đơn vị nộp hợp lệ"] == 5
    assert labels["Tỷ lệ đầy đủ (%)"] == pytest.approx(5 / 6 * 100, abs=0.01)
    assert labels["Tỷ lệ đúng hạn (%)"] == pytest.approx(4 / 6 * 100, abs=0.01)
    assert labels["Đơn vị chưa nộp"] == "D3"


def test_proposals_and_extra_indicators(book):
    ws = book["Đề xuất điều chỉnh"]
    rows = _rows(ws)
    d1 = next(r for r in rows if r[4] == "DANGVIEN")
    assert d1[1] == "D1" and d1[2] == "Huyện Kỳ Anh" and d1[5] == "500" and d1[6] == "400" and d1[8] == NOTE
    d2 = next(r for r in rows if r[4] == "GRDP")
    assert d2[2] == "Thị xã Hồng Lĩnh" and d2[5] == "8" and d2[6] == "8,5" and d2[7] == "Sửa trực tiếp ô chỉ tiêu"
    assert d1[10] is None and d1[11] is None  # Quyết định, Chỉ tiêu được duyệt: for the office to fill
    extra = next(r for r in rows if r[3] == "=1+1 Số doanh nghiệp thành lập mới")
    assert extra[2] == "Thị xã Hồng Lĩnh" and extra[4] == "doanh nghiệp" and extra[5] == "120" and extra[6] == 70


def test_unit_text_is_never_a_formula(round_, book):
    cells = [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    notes = [c for c in cells if c.value == NOTE]
    assert len(notes) >= 2  # the proposals sheet and the data table
    assert all(c.data_type == "s" and c.value.startswith("=") for c in notes)


def test_data_sheet_is_an_excel_table(round_, book):
    ws = book["Dữ liệu"]
    [table] = ws.tables.values()
    # Vietnamese headers in the workbook, one per canonical column (the CSV keeps the canonical names)
    vi = labels("vi")
    assert [c.name for c in table.tableColumns] == [vi[f"data_{col}"] for col in TABLE_COLUMNS]
    assert table.autoFilter is not None
    frame = round_[1].table
    assert table.ref == f"A1:{openpyxl.utils.get_column_letter(len(TABLE_COLUMNS))}{len(frame) + 1}"
    canonical = {vi[f"data_{col}"]: col for col in TABLE_COLUMNS}
    header = [canonical[c.value] for c in ws[1]]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    p_dangvien = next(r for r in rows if r["unit_code"] == "P" and r["indicator_code"] == "DANGVIEN")
    assert p_dangvien["result"] == 183 and p_dangvien["is_rollup"] is True and p_dangvien["level"] == 0
    assert p_dangvien["estimate"] is None and p_dangvien["parent_code"] is None
    d1_ntm = next(r for r in rows if r["unit_code"] == "D1" and r["indicator_code"] == "NTM")
    assert d1_ntm["result"] == 1 and d1_ntm["is_rollup"] is False
    assert p_dangvien["target"] == 550 and p_dangvien["target_all"] == 650


def test_charts_are_native_excel_charts(round_, book):
    with zipfile.ZipFile(round_[3]) as z:
        names = z.namelist()
        assert "xl/charts/chart1.xml" in names and "xl/charts/chart2.xml" in names
        rels = "".join(z.read(n).decode() for n in names if n.startswith("xl/drawings/_rels/"))
        assert "../charts/chart1.xml" in rels and "../charts/chart2.xml" in rels
        bar = z.read("xl/charts/chart1.xml").decode()
        stacked = z.read("xl/charts/chart2.xml").decode()
    # One horizontal bar per indicator of the summary (7), each coloured by its status, beside
    # what is expected by now.
    assert '<c:barDir val="bar"/>' in bar and bar.count("<c:ser>") == 2
    first_series = bar.split("<c:ser>")[1]
    assert first_series.count("<c:dPt>") == 7
    assert '<c:grouping val="stacked"/>' in stacked and stacked.count("<c:ser>") == 5
    # the colour of a low indicator's bar is chart 2's colour for "low" (its 4th series)
    low_colour = re.search(r'<a:srgbClr val="([0-9A-F]{6})"', stacked.split("<c:ser>")[4]).group(1)
    [hidden] = [ws for ws in book.worksheets if ws.sheet_state != "visible"]
    assert f"'{hidden.title}'!" in bar  # the charts read the hidden sheet
    names = [i.name for i in round_[0].indicators]
    points = {}
    for label, pct, expected, status in hidden.iter_rows(min_row=2, max_row=8, max_col=4, values_only=True):
        points[next(name for name in names if label.split(" ", 1)[1].startswith(name))] = (pct, expected, status)
    dangvien = points["Kết nạp đảng viên mới"]
    assert dangvien[0] == pytest.approx(183 / 550 * 100) and dangvien[1] == pytest.approx(911 / 1826 * 100)
    # the cap (at most 5 + 2 disciplined): 1 of 7 used, not t/r = 700 %
    kyluat = points["Đảng viên bị kỷ luật (tối đa)"]
    assert kyluat[0] == pytest.approx(1 / 7 * 100) and kyluat[1] == pytest.approx(911 / 1826 * 100)
    # level with a baseline (RUNG: D1 alone, 50 → 52): what the pace rule expects by now, in % of target
    assert points["Tỷ lệ che phủ rừng"][1] == pytest.approx((50 + 911 / 1826 * 2) / 52 * 100)
    # an average and a yes/no have no "expected by now"
    assert points["Tốc độ tăng trưởng GRDP bình quân"][1] is None and points["Đạt chuẩn nông thôn mới"][1] is None
    colours = re.findall(r'<c:dPt>.*?<a:srgbClr val="([0-9A-F]{6})"', first_series, flags=re.S)
    statuses = [status for _, _, status in points.values()]
    assert [c for c, st in zip(colours, statuses) if st == "Đạt thấp"] == [low_colour] * statuses.count("Đạt thấp")
    assert statuses.count("Đạt thấp") >= 1
    # a partial rollup says so in its label: DANGVIEN at P is over 2 of 3 units
    assert any("2/3" in label for label in (r[0] for r in hidden.iter_rows(min_row=2, max_row=8, values_only=True)))


def test_chart_height_grows_with_the_number_of_indicators(round_, tmp_path):
    def chart1_height(consolidation) -> int:
        out = tmp_path / f"c{len(consolidation.rows)}.xlsx"
        write_consolidated(consolidation, out)
        with zipfile.ZipFile(out) as z:
            drawing = next(z.read(n).decode() for n in z.namelist() if n.startswith("xl/drawings/drawing"))
        # the first chart's anchor: the row its bottom edge reaches, and the offset within it
        to = re.search(r"<xdr:to>.*?<xdr:row>(\d+)</xdr:row><xdr:rowOff>(\d+)</xdr:rowOff>", drawing)
        return int(to.group(1)) * 190500 + int(to.group(2))  # default rows of 20 px, in EMU

    consolidation = round_[1]
    fewer = replace(consolidation, rows=[r for r in consolidation.rows if r.indicator_code not in ("RUNG", "NGHEO")])
    assert chart1_height(fewer) < chart1_height(consolidation)


def test_info_sheet_lists_inputs_with_sha256(round_, book):
    ws = book["Thông tin"]
    values = [v for row in _rows(ws) for v in row if v is not None]
    for path in round_[2].values():
        assert hashlib.sha256(path.read_bytes()).hexdigest() in values
    facts = {r[0]: r[1] for r in _rows(ws) if r[0]}
    assert facts["Mã đợt"] == "TEST-2023" and facts["Phiên bản công cụ"].startswith("consolidator ")
    assert facts["Ngày chốt số liệu"] == datetime(2023, 6, 30)
    assert facts["Tiến độ kỳ vọng (%)"] == pytest.approx(911 / 1826 * 100)


def test_print_setup(book):
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        assert str(ws.page_setup.paperSize) == "9", ws.title  # A4
        charts = ws.title == "Biểu đồ"
        # tables landscape; the two charts one under the other on a portrait page, at full size
        assert ws.page_setup.orientation == ("portrait" if charts else "landscape"), ws.title
        if ws.title not in ("Theo đơn vị", "Biểu đồ"):  # the matrix prints several pages across
            assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
            assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0), ws.title  # absent is 1
        if not charts:  # charts have no header row to repeat or freeze
            assert ws.print_title_rows and ws.freeze_panes, ws.title
    ws = book["Tổng hợp"]
    hr = _header_row(ws, "TT")
    assert ws.print_title_rows == f"${hr}:${hr + 1}"
    assert ws.cell(hr + 2, 2).font.name == "Times New Roman" and ws.cell(hr + 2, 2).font.sz == 12


def test_times_new_roman_everywhere(round_, book):
    fonts = {(ws.title, cell.font.name) for ws in book.worksheets for row in ws.iter_rows() for cell in row
             if cell.value is not None}
    assert {font for _, font in fonts} == {layout.FONT}, fonts
    with zipfile.ZipFile(round_[3]) as z:
        styles = z.read("xl/styles.xml").decode()
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    # the default font (empty cells, an Excel table's header, the default row height)
    first_font = styles.split("<fonts", 1)[1].split("</font>", 1)[0]
    assert f'<name val="{layout.FONT}"/>' in first_font
    for xml in charts:  # every text of a chart: title, both axes, legend, data labels
        assert set(re.findall(r'typeface="([^"]+)"', xml)) == {layout.FONT}
        for part in ("<c:title>", "<c:catAx>", "<c:valAx>", "<c:legend>"):
            assert "typeface" in xml.split(part, 1)[1].split("</" + part[1:], 1)[0], part


def test_english_sheet_names(round_, tmp_path):
    out = tmp_path / "summary_en.xlsx"
    write_consolidated(round_[1], out, lang="en")
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["Summary", "Low achieving", "By unit", "Submissions", "Proposed changes", "Data",
                               "Charts", "About", "Chart data"]
    assert list(sheet_names("en").values()) == book.sheetnames
    rows = list(book["Summary"].iter_rows(values_only=True))
    assert "APPENDIX" in rows[4]
    header = next(r for r in rows if r[0] == "No.")
    assert header[1:6] == ("Main indicator", "Unit", "Congress resolution target", "Result up to 6/2023", "% of target")
    assert "Low" in next(r for r in rows if r[0] is not None and str(r[0]).isdigit() and r[-1] == "DANGVIEN")


def test_an_error_leaves_no_file(round_, tmp_path, monkeypatch):
    from consolidator.write import WorkbookWriteError, charts

    monkeypatch.setattr(charts, "write", lambda book, fig, c: book.sheet("charts").write_number(2_000_000, 0, 1))
    out = tmp_path / "broken.xlsx"
    with pytest.raises(WorkbookWriteError):
        write_consolidated(round_[1], out)
    assert list(tmp_path.iterdir()) == []


def test_text_and_sheet_name_cleaning():
    assert clean_text("a\x00b\x07c\nd\te\x1f") == "abc\nd\te"
    assert len(clean_text("x" * 40000)) == 32767
    assert sheet_name("Tổng hợp [2023]: a/b\\c*d?e — rất dài thêm nữa") == "Tổng hợp -2023-- a-b-c-d-e — rấ"
    assert len(sheet_name("x" * 50)) == 31


@needs_libreoffice
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed; .ci/run installs it")
def test_summary_renders_to_pdf(round_, tmp_path):
    # LibreOffice prints every sheet; the appendix comes first, in the seed layout.
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmp_path), str(round_[3])], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "tong_hop.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "PHỤ LỤC" in text and "ĐẢNG CỘNG SẢN VIỆT NAM" in text
