"""Property: whatever a unit does to a generated appendix, validation returns a verdict, never an exception."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import MergedCell
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consolidator import layout
from consolidator.catalog import load_catalog
from consolidator.generate import generate
from consolidator.messages import issue_codes
from consolidator.validate import validate_files

from .conftest import small_catalog, write_catalog


@pytest.fixture(scope="module")
def template():
    folder = Path(tempfile.mkdtemp())
    catalog = load_catalog(write_catalog(small_catalog(), folder / "catalog.xlsx"))
    [made] = generate(catalog, folder / "out", unit_codes=["D1"])
    yield catalog, made.path
    shutil.rmtree(folder)


values = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
    # openpyxl refuses control characters, as Excel does: a unit cannot type them
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20), st.sampled_from(["12,5", "1.234", "95%", "—", "Đạt", "chưa đạt", "khoảng 50", "#DIV/0!",
                                           "=1/0", "=A1", "=HYPERLINK(\"x\")", "D1", "GRDP", "TT", "Mã chỉ tiêu"]),
)
cell_edits = st.lists(st.tuples(st.integers(1, 40), st.integers(1, 14), values), max_size=25)
structure = st.lists(st.sampled_from(["insert_row", "delete_row", "rename_sheet", "drop_meta", "hide_sheet",
                                      "clear_header", "duplicate_row", "blank_code"]), max_size=4)


def apply(path: Path, out: Path, edits, ops) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    ws.protection.sheet = False
    for op in ops:
        if op == "insert_row":
            ws.insert_rows(layout.FIRST_DATA_ROW + 2)
        elif op == "delete_row":
            ws.delete_rows(layout.FIRST_DATA_ROW + 1)
        elif op == "rename_sheet":
            ws.title = "Trang 1"
        elif op == "drop_meta" and layout.META_SHEET in wb.sheetnames:
            del wb[layout.META_SHEET]
        elif op == "hide_sheet":
            ws.sheet_state = "hidden" if len(wb.worksheets) > 1 and wb.worksheets[1].sheet_state == "visible" else "visible"
        elif op == "clear_header":
            for c in range(1, 12):
                ws.cell(layout.HEADER_ROW, c).value = None
        elif op == "duplicate_row":
            for c in range(1, 12):
                ws.cell(ws.max_row + 1, c).value = ws.cell(layout.FIRST_DATA_ROW + 1, c).value
        elif op == "blank_code":
            ws.cell(layout.FIRST_DATA_ROW + 1, 11).value = None
    for row, col, value in edits:
        cell = ws.cell(row, col)
        if not isinstance(cell, MergedCell):  # a merged area takes input in its first cell only
            cell.value = value
    wb.save(out)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=cell_edits, ops=structure)
def test_any_edit_gets_a_verdict(template, tmp_path_factory, edits, ops):
    catalog, path = template
    out = tmp_path_factory.mktemp("fuzz") / path.name
    apply(path, out, edits, ops)
    report = validate_files(catalog, [out])  # in this process: an exception would surface, not become a crash
    [s] = report.submissions
    assert s.status in ("valid", "invalid")  # never unreadable: it is a well-formed workbook
    saved = openpyxl.load_workbook(out)
    for issue in s.issues:
        assert issue.code in issue_codes()
        assert issue.message("vi") and issue.message("en")  # every verdict renders in both languages
        if issue.sheet and issue.cell and issue.cell[0].isalpha():  # a cell named is a cell of that sheet
            assert issue.sheet in saved.sheetnames, issue
            saved[issue.sheet][issue.cell]
    if s.status == "valid" and all(row != layout.HEADER_ROW for row, _, _ in edits):
        # a figure read is the figure in the cell the unit typed it in (the header row, which
        # says where the columns are, untouched)
        ws = saved[s.sheet]
        letter = layout.column_letter("result")
        for v in s.values:
            cell = ws[f"{letter}{v.excel_row}"]
            typed = cell.value
            if isinstance(typed, (int, float)) and not isinstance(typed, bool) and "%" not in cell.number_format:
                assert v.result == pytest.approx(float(typed)), (v, typed)
