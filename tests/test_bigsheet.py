"""Streamed sheet bodies: written like xlsxwriter, read back by openpyxl as if xlsxwriter wrote them."""

from __future__ import annotations

from datetime import datetime

import openpyxl
import pytest
import xlsxwriter

from consolidator.write import streamed as bigsheet
from consolidator.fileio import XLSXWRITER_OPTIONS


def _write(tmp_path, fill, header=True, table=False):
    """A one-sheet workbook laid out by xlsxwriter, its body written by `fill(body, formats)`."""
    laid_out, out = tmp_path / "laid-out.xlsx", tmp_path / "out.xlsx"
    wb = xlsxwriter.Workbook(str(laid_out), XLSXWRITER_OPTIONS)
    wb.add_worksheet("Trước")
    ws = wb.add_worksheet("Thân")
    formats = {"wrap": wb.add_format({"text_wrap": True, "border": 1}), "num": wb.add_format({"num_format": "0.00"}),
               "date": wb.add_format({"num_format": "dd/mm/yyyy hh:mm"})}
    if header:
        ws.write_string(0, 0, "mã")
        ws.write_string(0, 1, "tên")
    if table:
        ws.add_table(0, 0, 1, 1, {"name": "Bang", "columns": [{"header": "mã"}, {"header": "tên"}]})
    ws.set_column(1, 1, 10)
    body = bigsheet.Body(2, 1, tmp_path, widths={1: 10}, table_name="Bang" if table else None)
    fill(body, formats)
    wb.close()
    bigsheet.package(laid_out, out, [body])
    body.close()
    return openpyxl.load_workbook(out)["Thân"]


def test_cells_come_back_with_their_values_and_formats(tmp_path):
    def fill(body, f):
        body.write_string(1, 0, "=HYPERLINK(\"http://x\")")  # a unit's text: never a formula
        body.write_number(1, 1, 12.5, f["num"])
        body.write_string(2, 0, "  lề  ")
        body.write_number(2, 1, 3)
        body.write_datetime(3, 0, datetime(2023, 6, 30, 14, 30), f["date"])
        body.write_blank(3, 1, None, f["num"])
        body.write_string(4, 0, "a & b < c\x01")

    ws = _write(tmp_path, fill)
    assert ws["A2"].value == '=HYPERLINK("http://x")' and ws["A2"].data_type == "s"
    assert ws["B2"].value == 12.5 and ws["B2"].number_format == "0.00"
    assert ws["A3"].value == "  lề  " and ws["B3"].value == 3
    assert ws["A4"].value == datetime(2023, 6, 30, 14, 30)
    assert ws["B4"].value is None and ws["B4"].number_format == "0.00"
    assert ws["A5"].value == "a & b < c"
    assert ws["A1"].value == "mã"  # xlsxwriter's own rows stay
    assert ws.dimensions == "A1:B5"


def test_the_sheet_says_how_far_it_reaches(tmp_path):
    # Readers in streaming mode (openpyxl read-only, some importers) trust <dimension>.
    def fill(body, _):
        for r in range(1, 7):
            body.write_string(r, 0, f"dòng {r}")

    _write(tmp_path, fill)
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx", read_only=True)["Thân"]
    assert ws.max_row == 7
    assert [row[0] for row in ws.iter_rows(values_only=True)][-1] == "dòng 6"


def test_text_that_looks_like_an_excel_escape_keeps_its_letters(tmp_path):
    from consolidator.xlsx import read_workbook

    _write(tmp_path, lambda body, _: body.write_string(1, 0, "mã _x0041_ giữ nguyên"))
    cell = read_workbook(tmp_path / "out.xlsx").sheet("Thân").value(2, 1)
    assert cell == "mã _x0041_ giữ nguyên"


def test_wrapped_text_makes_its_row_tall_enough(tmp_path):
    def fill(body, f):
        # in 10 characters: "một hai ba" / "bốn năm" / "sáu bảy" / "tám"
        body.write_string(1, 1, "một hai ba bốn năm sáu bảy tám", f["wrap"])
        body.write_string(2, 1, "ngắn", f["wrap"])
        body.write_string(3, 1, "không xuống dòng ở đây")  # not wrapped: default height
        body.set_row(4, 40)

    ws = _write(tmp_path, fill)
    assert ws.row_dimensions[2].height == pytest.approx(4 * 15.75 + 3)
    assert ws.row_dimensions[3].height == pytest.approx(1 * 15.75 + 3)
    assert ws.row_dimensions[4].height is None
    assert ws.row_dimensions[5].height == 40


def test_rows_must_come_in_order(tmp_path):
    body = bigsheet.Body(1, 1, tmp_path)
    body.write_number(5, 0, 1)
    with pytest.raises(ValueError, match="in order"):
        body.write_number(4, 0, 1)
    body.close()


def test_a_table_laid_out_over_one_row_covers_the_whole_body(tmp_path):
    def fill(body, _):
        for r in range(1, 501):
            body.write_string(r, 0, f"U{r}")
            body.write_number(r, 1, r)

    ws = _write(tmp_path, fill, table=True)
    assert ws.tables["Bang"].ref == "A1:B501"
    assert ws.tables["Bang"].autoFilter.ref == "A1:B501"
    assert [ws.cell(r, 2).value for r in (2, 501)] == [1, 500]


def test_a_sheet_with_no_row_of_its_own(tmp_path):
    ws = _write(tmp_path, lambda body, _: body.write_string(2, 3, "chỉ phần thân"), header=False)
    assert ws["D3"].value == "chỉ phần thân" and ws.max_row == 3


def _two_rows(first: int) -> list[str]:
    letters = bigsheet.letters(2)
    return [bigsheet.row_xml(r, letters, [bigsheet.text_cell(f"r{r}", 0), bigsheet.number_cell(r, 0)])
            for r in (first, first + 1)]


def test_rows_made_by_a_forked_process_join_the_rest(tmp_path):
    def fill(body, _):
        body.write_string(1, 0, "trước")
        path = tmp_path / "rows.xml"
        body.rows_from(bigsheet.rows_in_background("thân", path, _two_rows, 3), path, last_row=3, last_col=1)
        with pytest.raises(ValueError):
            body.write_string(5, 0, "after the child's rows: refused")

    ws = _write(tmp_path, fill)
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=2)] == [["trước", None], ["r3", 3], ["r4", 4]]


def _fail(_first: int):
    yield "<row r=\"3\">"
    raise OSError("disk full")


@pytest.mark.isolated  # a real forked process, killed or failing
def test_a_failure_in_the_forked_process_is_reported(tmp_path):
    from consolidator.parallel import BackgroundError

    with pytest.raises(BackgroundError, match=r"thân \(OSError: disk full\)"):
        _write(tmp_path, lambda body, _: body.rows_from(
            bigsheet.rows_in_background("thân", tmp_path / "rows.xml", _fail, 3), tmp_path / "rows.xml", 3, 1))
