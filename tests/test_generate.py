"""The generated unit appendix: layout, labels, locking, validation, formula, metadata, print."""

from __future__ import annotations

import csv

from dataclasses import replace

import openpyxl
import pytest

from consolidator import formulas, layout
from consolidator.catalog import load_catalog
from consolidator.errors import UnknownUnits
from consolidator.generate import generate

from .office import libreoffice_resave, needs_libreoffice

SEED_HEADERS = [
    "TT", "Chỉ tiêu chủ yếu", "Đơn vị tính", "Chỉ tiêu Nghị quyết Đại hội",
    "Thực hiện đến tháng 6/2023", "So với chỉ tiêu NQ ĐH (%)", "Năm gốc 2020",
    "Ước thực hiện cả năm 2023", "Đề xuất điều chỉnh chỉ tiêu (nếu có)", "Ghi chú", "Mã chỉ tiêu",
]


@pytest.fixture
def generated(tmp_path, catalog_path):
    catalog = load_catalog(catalog_path)
    done = generate(catalog, tmp_path / "out")
    return catalog, {g.unit_code: g for g in done}


def code_rows(ws) -> dict[str, int]:
    """Indicator code → Excel row, read from the code column."""
    col = layout.COLUMNS.index("indicator_code") + 1
    return {ws.cell(r, col).value: r for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, col).value}


def test_one_workbook_per_unit_with_targets(generated, tmp_path):
    catalog, done = generated
    assert sorted(done) == ["D1", "D2", "K1", "K2", "P"]  # K has no targets of its own
    assert done["D1"].path.name == "D1_huyen-ky-anh.xlsx"
    assert done["D2"].path.name == "D2_thi-xa-hong-linh.xlsx"
    with open(tmp_path / "out" / "manifest.csv", encoding="utf-8-sig") as fh:
        manifest = list(csv.DictReader(fh))
    assert {row["unit_code"] for row in manifest} == set(done)
    assert next(r for r in manifest if r["unit_code"] == "D1")["indicators"] == "6"


def test_layout_and_labels_follow_the_seed(generated):
    catalog, done = generated
    wb = openpyxl.load_workbook(done["D1"].path)
    assert wb.sheetnames == ["Phụ lục", "Hướng dẫn", layout.META_SHEET]
    ws = wb["Phụ lục"]
    assert [ws.cell(layout.HEADER_ROW, c).value for c in range(1, 12)] == SEED_HEADERS
    assert ws["A1"].value == "TỈNH THỬ" and ws["A2"].value == "HUYỆN KỲ ANH"
    assert ws["E1"].value == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert ws["E3"].value == "Ngày ..... tháng ..... năm 2023"  # no place in this round; its deadline's year
    assert ws.cell(layout.TITLE_ROW, 1).value == "PHỤ LỤC"
    assert "Nghị quyết Đại hội" in ws.cell(layout.SUBTITLE_ROW, 1).value
    assert ws.cell(layout.ATTACHED_ROW, 1).value.startswith("(Kèm theo Báo cáo số")


def test_rows_grouped_by_indicator_group(generated):
    catalog, done = generated
    ws = openpyxl.load_workbook(done["D1"].path)["Phụ lục"]
    rows = code_rows(ws)
    # Each indicator row sits under a heading row naming its group.
    for code, row in rows.items():
        group = catalog.indicator_by_code[code].group
        heading = next(r for r in range(row - 1, layout.FIRST_DATA_ROW - 1, -1) if ws.cell(r, 11).value is None)
        assert ws.cell(heading, 2).value == group
    headings = [ws.cell(r, 2).value for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1)
                if ws.cell(r, 11).value is None and ws.cell(r, 1).value]
    # the catalog interleaves its groups (VH–XH, Môi trường, VH–XH): each is headed once
    assert headings[:-1] == ["Kinh tế", "Văn hóa – Xã hội", "Môi trường", "Xây dựng Đảng"]
    assert headings[-1] == "Chỉ tiêu khác do đơn vị bổ sung (nếu có)"
    # pre-filled content is the catalog's
    r = rows["NGHEO"]
    assert ws.cell(r, 2).value == "Tỷ lệ hộ nghèo" and ws.cell(r, 3).value == "%"
    assert ws.cell(r, 4).value == 2 and ws.cell(r, 7).value == 5


def test_range_target_is_kept_as_text(generated):
    _, done = generated
    ws = openpyxl.load_workbook(done["P"].path)["Phụ lục"]
    assert ws.cell(code_rows(ws)["GRDP"], 4).value == "7–7,5"


def test_locked_and_editable_cells(generated):
    _, done = generated
    ws = openpyxl.load_workbook(done["D1"].path)["Phụ lục"]
    assert ws.protection.sheet is True
    r = code_rows(ws)["RUNG"]
    for key in ("tt", "name", "unit_of_measure", "target", "pct", "baseline", "indicator_code"):
        assert ws.cell(r, layout.COLUMNS.index(key) + 1).protection.locked is True, key
    for key in layout.INPUT_COLUMNS:
        assert ws.cell(r, layout.COLUMNS.index(key) + 1).protection.locked is False, key
    extra = ws.max_row  # the last blank extra-indicator row
    for key in layout.EXTRA_INPUT_COLUMNS:
        assert ws.cell(extra, layout.COLUMNS.index(key) + 1).protection.locked is False, key


def _validation_for(ws, ref: str):
    return [dv for dv in ws.data_validations.dataValidation if ref in dv.sqref]


def test_data_validation_and_input_messages(generated):
    _, done = generated
    ws = openpyxl.load_workbook(done["D1"].path)["Phụ lục"]
    rows = code_rows(ws)
    number = _validation_for(ws, f"E{rows['DANGVIEN']}")
    assert number and number[0].type == "decimal" and number[0].showErrorMessage
    assert "30/06/2023" in number[0].prompt
    percent = _validation_for(ws, f"E{rows['RUNG']}")[0]
    assert (float(percent.formula1), float(percent.formula2)) == (0, 100)
    boolean = _validation_for(ws, f"E{rows['NTM']}")[0]
    assert boolean.type == "list" and boolean.formula1 == '"Đạt,Chưa đạt"'


def test_pct_formula_follows_direction(generated):
    _, done = generated
    ws = openpyxl.load_workbook(done["D1"].path)["Phụ lục"]
    rows = code_rows(ws)
    inc, dec, boo = (ws.cell(rows[c], 6).value for c in ("RUNG", "NGHEO", "NTM"))
    assert inc.startswith("=") and f"E{rows['RUNG']}/52.0*100" in inc
    assert f"2.0/E{rows['NGHEO']}*100" in dec and f"E{rows['NGHEO']}<>0" in dec
    assert '"Đạt",100' in boo


@needs_libreoffice
def test_pct_formula_computes_what_the_formulas_module_says(generated, tmp_path):
    catalog, done = generated
    wb = openpyxl.load_workbook(done["D1"].path)
    ws = wb["Phụ lục"]
    rows = code_rows(ws)
    typed = {"RUNG": 49.4, "NGHEO": 2.5, "NTM": "Đạt", "DANGVIEN": 250, "GRDP": 0}
    for code, value in typed.items():
        ws.cell(rows[code], 5).value = value
    filled = tmp_path / "filled" / "D1.xlsx"
    filled.parent.mkdir()
    wb.save(filled)
    resaved = libreoffice_resave(filled, tmp_path / "lo")
    ws2 = openpyxl.load_workbook(resaved, data_only=True)["Phụ lục"]
    targets = {t.indicator_code: t for t in catalog.targets_by_unit["D1"]}
    for code, value in typed.items():
        ind = catalog.indicator_by_code[code]
        r = 1.0 if value == "Đạt" else float(value)
        expected = formulas.pct_of_target(ind.direction, targets[code].bound(ind.direction), r)
        assert ws2.cell(rows[code], 6).value == pytest.approx(expected), code
    # an empty result shows no percentage
    assert ws2.cell(rows["DANSO"], 6).value in (None, "")


def _meta(path):
    meta = openpyxl.load_workbook(path)[layout.META_SHEET]
    keys = {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(1, layout.META_LOCKED_ROW)}
    locked = [[meta.cell(r, c).value for c in range(1, 6)]
              for r in range(layout.META_LOCKED_ROW, meta.max_row + 1) if meta.cell(r, 1).value]
    return meta, keys, locked


def test_metadata_sheet(generated, catalog):
    _, done = generated
    meta, values, locked = _meta(done["K1"].path)
    assert meta.sheet_state == "veryHidden"
    assert set(layout.META_KEYS) <= set(values)
    assert values["round_id"] == "TEST-2023" and values["unit_code"] == "K1"
    assert values["template_version"] == layout.TEMPLATE_VERSION
    assert len(values["fingerprint"]) == 64
    # What was locked, as the unit sees it on the appendix: code, name, unit, target, baseline.
    ws = openpyxl.load_workbook(done["K1"].path)["Phụ lục"]
    rows = code_rows(ws)
    shown = [[code, ws.cell(r, 2).value, ws.cell(r, 3).value or "", str(ws.cell(r, 4).value), ""]
             for code, r in rows.items()]  # K1 has no baselines
    assert locked == shown


def test_the_fingerprint_follows_the_locked_content_only(tmp_path, catalog):
    first = {g.unit_code: g.fingerprint for g in generate(catalog, tmp_path / "a")}
    again = {g.unit_code: g.fingerprint for g in generate(catalog, tmp_path / "b")}
    assert first == again and len(set(first.values())) == len(first)
    targets = tuple(replace(t, text="45", low=45.0, high=45.0) if (t.unit_code, t.indicator_code) == ("K1", "DANGVIEN")
                    else t for t in catalog.targets)
    changed = {g.unit_code: g.fingerprint for g in generate(replace(catalog, targets=targets), tmp_path / "c")}
    assert [u for u in first if first[u] != changed[u]] == ["K1"]
    assert _meta(next((tmp_path / "a").glob("K1_*.xlsx")))[1]["fingerprint"] == first["K1"]


def test_print_setup(generated):
    _, done = generated
    ws = openpyxl.load_workbook(done["D1"].path)["Phụ lục"]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.print_title_rows.replace("$", "") == f"{layout.HEADER_ROW}:{layout.HEADER_ROW}"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    # OOXML's default for fitToWidth is 1, so writers leave it out
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)


def test_english_labels(tmp_path, catalog_path):
    catalog = load_catalog(catalog_path)
    done = generate(catalog, tmp_path / "en", unit_codes=["D2"], lang="en")
    assert [g.unit_code for g in done] == ["D2"]
    wb = openpyxl.load_workbook(done[0].path)
    assert wb.sheetnames[:2] == ["Appendix", "Instructions"]
    ws = wb["Appendix"]
    assert ws.cell(layout.HEADER_ROW, 5).value == "Result up to 6/2023"
    assert ws.cell(layout.HEADER_ROW, 1).value == "No."


def test_unknown_unit_is_refused(tmp_path, catalog_path):
    with pytest.raises(UnknownUnits) as info:
        generate(load_catalog(catalog_path), tmp_path / "x", unit_codes=["NOPE", "K1"])
    assert info.value.codes == ("NOPE",)
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())


def test_pct_cache_is_blank_before_any_result(generated):
    # A program that shows cached values must not print 0% for an empty sheet.
    _, done = generated
    ws = openpyxl.load_workbook(done["D1"].path, data_only=True)["Phụ lục"]
    for code, row in code_rows(ws).items():
        assert ws.cell(row, 6).value in (None, ""), code
