"""`consolidator report-up`: a city's round fills the appendix its province sent it, and the
province's round takes that file as any unit's (DESIGN.md §9), through the command line."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl.styles import Protection

from consolidator.catalog import catalog_rows, load_catalog, write_catalog_workbook
from consolidator.cli import main
from consolidator.messages import labels
from consolidator.model import Catalog, Indicator, Round, Target, Unit

from .filling import column, complete_results, fill, rows_by_code

CITY_NAME = "Thành ủy Thành Phố"
INDICATORS = {
    "DANSO": Indicator("DANSO", "Dân số trung bình", "Kinh tế", "người", "increase", "level", "sum", 0),
    "GRDP": Indicator("GRDP", "Tốc độ tăng trưởng GRDP", "Kinh tế", "%/năm", "increase", "average", "weighted:DANSO", 1),
    "NGHEO": Indicator("NGHEO", "Tỷ lệ hộ nghèo", "Xã hội", "%", "decrease", "level", "weighted:DANSO", 2),
    "NTM": Indicator("NTM", "Đạt chuẩn nông thôn mới", "Xã hội", "", "boolean", "level", "min", 0),
    "DANGVIEN": Indicator("DANGVIEN", "Kết nạp đảng viên mới", "Xây dựng Đảng", "đảng viên", "increase", "cumulative",
                          "sum", 0),
    "THU": Indicator("THU", "Thu ngân sách trên địa bàn", "Kinh tế", "tỷ đồng", "increase", "level", "sum", 1),
    "RAC": Indicator("RAC", "Tỷ lệ rác thải được thu gom", "Môi trường", "%", "increase", "level", "mean", 1),
}
# The city calls the province's THU by a code of its own; it has no RAC.
CITY_CODES = {"DANSO": "DANSO", "GRDP": "GRDP", "NGHEO": "NGHEO", "NTM": "NTM", "DANGVIEN": "DANGVIEN", "THU": "THUNS"}
TARGETS = {"DANSO": "200.000", "GRDP": "7", "NGHEO": "2", "NTM": "Đạt", "DANGVIEN": "600", "THU": "150", "RAC": "95"}
# What each grassroots unit of the city types: (result, estimate).
GRASSROOTS = {
    "X1": {"DANSO": (100000, 101000), "GRDP": (6.5, 6.8), "NGHEO": (2.1, 2.0), "NTM": ("Đạt", "Đạt"),
           "DANGVIEN": (120, 150), "THUNS": (50.5, 70)},
    "X2": {"DANSO": (50000, 50500), "GRDP": (7.2, 7.4), "NGHEO": (3.4, 3.1), "NTM": ("Đạt", "Đạt"),
           "DANGVIEN": (80, 95), "THUNS": (20.25, 30)},
    "X3": {"DANSO": (30000, 30100), "GRDP": (5.9, 6.1), "NGHEO": (1.75, 1.7), "NTM": ("Chưa đạt", "Đạt"),
           "DANGVIEN": (40, 52), "THUNS": (10, 14.5)},
}


def _round(round_id: str, organisation: str) -> Round:
    return Round(round_id=round_id, title="Sơ kết giữa nhiệm kỳ", organisation=organisation, baseline_year=2020,
                 target_year=2025, cutoff_date=date(2023, 6, 30), deadline=date(2023, 7, 10))


def _target(unit: str, code: str, text: str) -> Target:
    number = 1.0 if text == "Đạt" else float(text.replace(".", ""))
    return Target(unit, code, text, number, number)


def province_catalog(indicators=tuple(INDICATORS)) -> Catalog:
    units = (Unit("T", "Tỉnh ủy Thử"), Unit("C", CITY_NAME, "T"), Unit("H", "Huyện ủy Núi", "T"))
    targets = tuple(_target(u, code, TARGETS[code]) for u in ("C", "H") for code in indicators)
    return Catalog(_round("TINH-2023", "Đảng bộ tỉnh Thử"), units, tuple(INDICATORS[c] for c in indicators), targets)


def city_catalog(root: str = "C", name: str = CITY_NAME, mapping: bool = True) -> Catalog:
    units = (Unit(root, name), *(Unit(code, f"Đảng bộ xã {code}", root) for code in GRASSROOTS))
    ours = {CITY_CODES[code]: code for code in CITY_CODES}
    indicators = tuple(replace(INDICATORS[parent], code=own) for own, parent in ours.items())
    # a sum's target shared among the three units; a rate's the same for each
    targets = tuple(_target(u, own, str(int(float(TARGETS[parent].replace(".", "")) / 3))
                            if INDICATORS[parent].aggregation == "sum" else TARGETS[parent])
                    for u in GRASSROOTS for own, parent in ours.items())
    return Catalog(_round("TP-2023", "Đảng bộ tỉnh Thử"), units, indicators, targets,
                   mapping=(("THU", "THUNS"),) if mapping else ())


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def make_round(folder: Path, catalog: Catalog) -> Path:
    assert run("init", folder).exit_code == 0
    write_catalog_workbook(folder / "catalog.xlsx", catalog_rows(catalog))  # the clerk fills the catalog
    result = run("generate", folder)
    assert result.exit_code == 0, result.output
    return folder


def appendix(folder: Path, code: str) -> Path:
    return next((folder / "phu-luc").glob(f"{code}_*.xlsx"))


def fill_grassroots(city: Path, tmp: Path, units=tuple(GRASSROOTS)) -> None:
    inbox = tmp / "xa-gui-ve"
    for code in units:
        figures = GRASSROOTS[code]

        def estimates(wb, ws, figures=figures):
            rows = rows_by_code(ws)
            for indicator, (_, estimate) in figures.items():
                ws.cell(rows[indicator], column("estimate")).value = estimate

        fill(appendix(city, code), inbox / appendix(city, code).name,
             {indicator: pair[0] for indicator, pair in figures.items()}, edit=estimates)
    result = run("receive", city, inbox)
    assert result.exit_code == 0, result.output


@pytest.fixture
def chain(tmp_path):
    """The province's round (units C and H) and the city C's own round, its units' files received."""
    province = make_round(tmp_path / "tinh", province_catalog())
    city = make_round(tmp_path / "thanh-pho", city_catalog())
    return province, city


def test_the_province_consolidates_for_the_city_exactly_the_citys_rollup(chain, tmp_path):
    province, city = chain
    fill_grassroots(city, tmp_path)
    city_data = tmp_path / "thanh-pho.parquet"
    assert run("consolidate", city, "--data-out", city_data).exit_code == 0
    sent = appendix(province, "C")
    before = sent.read_bytes()
    filled = tmp_path / "gui-tinh" / sent.name
    result = run("report-up", city, sent, "-o", filled)
    # RAC: the province asks for it, the city has no such indicator; told, and left blank
    assert result.exit_code == 1, result.output
    assert "RAC" in result.output and INDICATORS["RAC"].name in result.output
    assert sent.read_bytes() == before  # the province's file is never written

    h = appendix(province, "H")
    fill(h, tmp_path / "gui-tinh" / h.name, complete_results(load_catalog(province / "catalog.xlsx"), "H"))
    received = run("receive", province, tmp_path / "gui-tinh")
    assert received.exit_code == 0, received.output  # both valid: the filled file is any unit's
    province_data = tmp_path / "tinh.parquet"
    assert run("consolidate", province, "--data-out", province_data).exit_code == 0

    city_root = pd.read_parquet(city_data).query("unit_code == 'C' and is_rollup").set_index("indicator_code")
    for_c = pd.read_parquet(province_data).query("unit_code == 'C' and not is_rollup").set_index("indicator_code")
    assert for_c.loc["RAC", "status"] == "no_data"
    for parent_code, own in CITY_CODES.items():
        decimals = INDICATORS[parent_code].decimals
        for col in ("result", "estimate"):
            assert for_c.loc[parent_code, col] == round(city_root.loc[own, col], decimals), (parent_code, col)
        assert for_c.loc[parent_code, "note"] == ""  # every unit of the city reported: nothing partial
    assert for_c.loc["NTM", "result"] == 0  # X3 has not achieved it, so the city has not (min)


def test_a_partial_rollup_goes_up_with_a_note_saying_of_how_many_units(chain, tmp_path):
    province, city = chain
    fill_grassroots(city, tmp_path, units=("X1", "X2"))  # X3 sends nothing
    filled = tmp_path / "C.xlsx"
    assert run("report-up", city, appendix(province, "C"), "-o", filled).exit_code == 1
    ws = openpyxl.load_workbook(filled).worksheets[0]
    rows = rows_by_code(ws)
    note = labels("vi")["chain_partial_note"].format(used=2, expected=3)
    assert ws.cell(rows["DANSO"], column("note")).value == note
    assert ws.cell(rows["DANSO"], column("result")).value == 150000
    assert ws.cell(rows["RAC"], column("note")).value is None


def test_the_mapping_sheet_matches_an_indicator_the_parent_codes_otherwise(tmp_path):
    province = make_round(tmp_path / "tinh", province_catalog(indicators=("DANSO", "THU")))
    for mapped in (False, True):
        city = make_round(tmp_path / f"thanh-pho-{mapped}", city_catalog(mapping=mapped))
        fill_grassroots(city, tmp_path / str(mapped))
        filled = tmp_path / f"C-{mapped}.xlsx"
        result = run("report-up", city, appendix(province, "C"), "-o", filled)
        ws = openpyxl.load_workbook(filled).worksheets[0]
        thu = ws.cell(rows_by_code(ws)["THU"], column("result")).value
        if mapped:
            assert result.exit_code == 0, result.output
            assert thu == round(50.5 + 20.25 + 10, 1)
        else:
            assert result.exit_code == 1 and "THU" in result.output
            assert thu is None


def test_a_mapping_to_an_indicator_the_catalog_lacks_refuses_the_catalog(tmp_path):
    bad = city_catalog()
    path = tmp_path / "catalog.xlsx"
    rows = catalog_rows(bad)
    rows["mapping"].append({"parent_indicator_code": "RAC", "indicator_code": "KHONGCO"})
    write_catalog_workbook(path, rows)
    result = run("generate", path, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "catalog-mapping-unknown-indicator" in result.output and "KHONGCO" in result.output


def test_a_locked_cell_is_left_alone_and_said(chain, tmp_path):
    province, city = chain
    fill_grassroots(city, tmp_path)
    sent = tmp_path / "sent.xlsx"
    wb = openpyxl.load_workbook(appendix(province, "C"))
    ws = wb.worksheets[0]
    locked = ws.cell(rows_by_code(ws)["DANSO"], column("estimate"))
    locked.protection = Protection(locked=True)  # the province keeps this one to itself
    wb.save(sent)
    filled = tmp_path / "C.xlsx"
    result = run("report-up", city, sent, "-o", filled)
    assert result.exit_code == 1
    assert locked.coordinate in result.output
    out = openpyxl.load_workbook(filled).worksheets[0]
    assert out[locked.coordinate].value is None
    assert out.cell(locked.row, column("result")).value == 180000  # the rest of the row is filled


def test_the_root_is_matched_by_name_when_the_codes_differ(tmp_path):
    province = make_round(tmp_path / "tinh", province_catalog())
    city = make_round(tmp_path / "thanh-pho", city_catalog(root="TPTP", name="  thành ủy  thành phố "))
    fill_grassroots(city, tmp_path)
    result = run("report-up", city, appendix(province, "C"), "-o", tmp_path / "C.xlsx")
    assert result.exit_code == 1 and "RAC" in result.output  # written, RAC blank as ever
    assert (tmp_path / "C.xlsx").is_file()


def refusal(result, key: str, **fields) -> None:
    assert result.exit_code == 2, result.output
    assert labels("vi")[key].format(**fields) in result.output


def test_refusals(chain, tmp_path):
    province, city = chain
    fill_grassroots(city, tmp_path)
    out = tmp_path / "out.xlsx"
    # a workbook that is not an appendix: the city's own catalog
    refusal(run("report-up", city, city / "catalog.xlsx", "-o", out), "reportup_not_appendix",
            path=city / "catalog.xlsx")
    # the appendix of another unit of the province
    h = appendix(province, "H")
    refusal(run("report-up", city, h, "-o", out), "reportup_other_unit", path=h, unit="H", name="Huyện ủy Núi",
            root="C", root_name=CITY_NAME)
    # a round whose indicators share nothing with ours
    other = make_round(tmp_path / "khac", Catalog(
        _round("KHAC-2023", "Đảng bộ tỉnh Khác"), (Unit("T", "Tỉnh ủy Khác"), Unit("C", CITY_NAME, "T")),
        (Indicator("Q1", "Chỉ tiêu khác", "Khác", "", "increase", "level", "sum", 0),), (_target("C", "Q1", "5"),)))
    q = appendix(other, "C")
    refusal(run("report-up", city, q, "-o", out), "reportup_nothing_shared", path=q, round_id="KHAC-2023",
            ours="TP-2023")
    # not a workbook at all
    junk = tmp_path / "C_thu.xlsx"
    junk.write_text("không phải bảng tính", encoding="utf-8")
    result = run("report-up", city, junk, "-o", out)
    assert result.exit_code == 2 and str(junk) in result.output
    # the parent's own file as the output, and an output that is not .xlsx
    sent = appendix(province, "C")
    refusal(run("report-up", city, sent, "-o", sent), "reportup_same_file", path=sent)
    refusal(run("report-up", city, sent, "-o", tmp_path / "C.csv"), "cli_reportup_ext", path=tmp_path / "C.csv")
    assert not out.exists() and not (tmp_path / "C.csv").exists()
