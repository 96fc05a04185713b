"""Print-ready outputs: the header block of DESIGN §6 and the page setup of every sheet we write.

Each workbook is made through the real path (generate, fill as a unit does, validate with
--report and --annotate, consolidate) and read back with openpyxl.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import openpyxl
import pytest
from click.testing import CliRunner

from consolidator import layout
from consolidator.catalog import load_catalog
from consolidator.cli import main
from consolidator.consolidate import consolidate
from consolidator.generate import generate
from consolidator.validate import collect_inputs
from consolidator.write import write_consolidated

from .conftest import small_catalog, write_catalog
from .filling import column, complete_results, fill, rows_by_code

PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
LONG_NAME = "Tỷ lệ che phủ rừng (kể cả cây phân tán, tính theo diện tích đất tự nhiên của địa phương)"


def _catalog(place: str = ""):
    """The small round, its report dated in the year after the cut-off, parents naming their party organisations."""
    base = small_catalog(place=place)
    organisations = {"P": "Đảng bộ tỉnh Thử", "K": "Đảng bộ Khối Doanh nghiệp tỉnh Thử"}
    units = tuple(replace(u, organisation_name=organisations.get(u.code, "")) for u in base.units)
    indicators = tuple(replace(i, name=LONG_NAME) if i.code == "RUNG" else i for i in base.indicators)
    round_ = replace(base.round, cutoff_date=date(2023, 12, 31), deadline=date(2024, 1, 15))
    return replace(base, round=round_, units=units, indicators=indicators)


@pytest.fixture(params=["Hà Tĩnh", ""], ids=["with-place", "without-place"])
def place(request):
    return request.param


@pytest.fixture
def round_dir(tmp_path, place):
    """A catalog on disk and the appendices generated from it."""
    catalog = load_catalog(write_catalog(_catalog(place), tmp_path / "catalog.xlsx"))
    done = {g.unit_code: g.path for g in generate(catalog, tmp_path / "out")}
    return catalog, done


def _date_line(place: str) -> str:
    return f"{place}, ngày ..... tháng ..... năm 2024" if place else "Ngày ..... tháng ..... năm 2024"


def _block(ws, party_col: int) -> dict[str, tuple]:
    """The header block's cells: (text, bold, underlined, italic)."""
    def look(row, col):
        cell = ws.cell(row, col)
        return cell.value, bool(cell.font.b), cell.font.u not in (None, "none"), bool(cell.font.i)
    return {"parent": look(1, 1), "unit": look(2, 1), "star": look(3, 1),
            "party": look(1, party_col), "date": look(3, party_col)}


def _party_col(ws) -> int:
    return next(c for c in range(1, ws.max_column + 1) if ws.cell(1, c).value == PARTY)


@pytest.mark.parametrize("unit, parent, name", [
    ("D1", "ĐẢNG BỘ TỈNH THỬ", "HUYỆN KỲ ANH"),  # the parent's organisation_name, not its name "Tỉnh Thử"
    ("K1", "ĐẢNG BỘ KHỐI DOANH NGHIỆP TỈNH THỬ", "ĐẢNG BỘ CÔNG TY ĐIỆN LỰC"),
    ("P", "TỈNH ỦY THỬ", "TỈNH THỬ"),  # the root: the round's organisation on top
], ids=["district", "khoi-member", "root"])
def test_appendix_header_block(round_dir, place, unit, parent, name):
    _, done = round_dir
    ws = openpyxl.load_workbook(done[unit])["Phụ lục"]
    block = _block(ws, _party_col(ws))
    assert block == {
        "parent": (parent, False, False, False),
        "unit": (name, True, False, False),
        "star": ("*", False, False, False),
        "party": (PARTY, True, True, False),
        "date": (_date_line(place), False, False, True),
    }
    assert "năm 2024 của" in ws.cell(layout.ATTACHED_ROW, 1).value  # the report's year, as on the date line


def test_consolidated_summary_has_the_roots_header_block(round_dir, place, tmp_path):
    catalog, done = round_dir
    filled = [fill(done[u], tmp_path / "inbox" / done[u].name, complete_results(catalog, u)) for u in ("D1", "D2")]
    out = tmp_path / "tong-hop.xlsx"
    write_consolidated(consolidate(catalog, collect_inputs(filled)), out)
    ws = openpyxl.load_workbook(out)["Tổng hợp"]
    assert _block(ws, _party_col(ws)) == {
        "parent": ("TỈNH ỦY THỬ", False, False, False),
        "unit": ("TỈNH THỬ", True, False, False),
        "star": ("*", False, False, False),
        "party": (PARTY, True, True, False),
        "date": (_date_line(place), False, False, True),
    }


# --- page setup ------------------------------------------------------------------------------------


def assert_prints_on_a4(ws, orientation: str = "landscape", title_rows: str | None = None) -> None:
    assert int(ws.page_setup.paperSize) == 9, ws.title
    assert ws.page_setup.orientation == orientation, ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True, ws.title
    # OOXML's default for fitToWidth is 1, so writers leave it out
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0), ws.title
    if title_rows is not None:
        assert (ws.print_title_rows or "").replace("$", "") == title_rows, ws.title


def assert_times_new_roman(ws) -> None:
    fonts = {(c.coordinate, c.font.name) for row in ws.iter_rows() for c in row if c.value not in (None, "")}
    assert fonts and {name for _, name in fonts} == {layout.FONT}, [f for f in fonts if f[1] != layout.FONT][:5]


def test_appendix_sheets_print_on_a4(round_dir):
    _, done = round_dir
    wb = openpyxl.load_workbook(done["D1"])
    appendix, instructions = wb["Phụ lục"], wb["Hướng dẫn"]
    assert_prints_on_a4(appendix, title_rows=f"{layout.HEADER_ROW}:{layout.HEADER_ROW}")
    assert_times_new_roman(appendix)
    # the machine's column (indicator codes) stays off the printout; everything up to the notes prints
    note_letter = layout.column_letter("note")
    assert appendix.print_area.replace("$", "").endswith(f"!A1:{note_letter}{appendix.max_row}")
    # a page of text, not a table: portrait
    assert_prints_on_a4(instructions, orientation="portrait")
    assert_times_new_roman(instructions)
    assert instructions.print_area.replace("$", "").endswith(f"!A1:A{instructions.max_row}")


def test_a_long_name_gets_a_row_tall_enough(round_dir):
    # LibreOffice prints a row without a height one line high, cutting a long name off
    _, done = round_dir
    ws = openpyxl.load_workbook(done["D1"])["Phụ lục"]
    row = rows_by_code(ws)["RUNG"]
    assert ws.cell(row, column("name")).value == LONG_NAME and len(LONG_NAME) > layout.COLUMN_WIDTHS["name"]
    assert (ws.row_dimensions[row].height or 0) >= 2 * 15


@pytest.fixture
def checked(tmp_path, catalog_path):
    """`validate --report --annotate` on one unit's file with a word where a number belongs."""
    catalog = load_catalog(catalog_path)
    template = generate(catalog, tmp_path / "out", unit_codes=["D1"])[0].path

    def mistake(wb, ws):
        ws.cell(rows_by_code(ws)["DANSO"], column("result")).value = "khoảng 50"

    filled = fill(template, tmp_path / "inbox" / template.name, complete_results(catalog, "D1"), edit=mistake)
    report, back = tmp_path / "kiem-tra.xlsx", tmp_path / "gui-lai"
    result = CliRunner().invoke(main, ["validate", str(catalog_path), str(filled), "--report", str(report),
                                       "--annotate", str(back)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    return report, back / template.name, template


def test_validation_report_prints_on_a4(checked):
    report, _, _ = checked
    wb = openpyxl.load_workbook(report)
    assert len(wb.worksheets) == 2
    for ws in wb.worksheets:
        assert_prints_on_a4(ws, title_rows="1:1")
        assert_times_new_roman(ws)


def test_fix_sheet_prints_on_a4_and_the_units_sheets_keep_their_setup(checked):
    _, annotated, template = checked
    wb = openpyxl.load_workbook(annotated)
    fix = wb.worksheets[0]
    assert fix.title == "Cần sửa"
    heading = next(r for r in range(1, fix.max_row + 1) if fix.cell(r, 4).value == "Cần làm")
    assert_prints_on_a4(fix, title_rows=f"{heading}:{heading}")
    assert_times_new_roman(fix)
    assert fix.cell(heading + 1, 2).value == f"{layout.column_letter('result')}{rows_by_code(wb['Phụ lục'])['DANSO']}"
    # the unit's own sheet is printed as it was generated
    original, copy = openpyxl.load_workbook(template)["Phụ lục"], wb["Phụ lục"]
    assert copy.print_title_rows == original.print_title_rows
    assert copy.print_area == original.print_area
    assert copy.page_setup.orientation == original.page_setup.orientation
