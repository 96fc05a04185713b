"""Catalog loading: a good catalog reads back as written; a faulty one is refused with every problem."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from consolidator.catalog import load_catalog
from consolidator.errors import CatalogError

from .conftest import small_catalog, write_catalog


def edit(path: Path, changes: dict[str, dict[str, object]], delete_sheets=(), delete_cols=()) -> Path:
    """Change cells as a clerk would in Excel: {sheet: {cell: value}}."""
    wb = openpyxl.load_workbook(path)
    for sheet, cells in changes.items():
        for ref, value in cells.items():
            wb[sheet][ref] = value
    for sheet, col in delete_cols:
        wb[sheet].delete_cols(col)
    for sheet in delete_sheets:
        del wb[sheet]
    wb.save(path)
    return path


def refusal(path: Path) -> list[tuple]:
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    return [(i.sheet, i.cell, i.code) for i in info.value.issues]


def test_good_catalog_reads_back(catalog, catalog_path):
    loaded = load_catalog(catalog_path)
    assert loaded.round == catalog.round
    assert loaded.units == catalog.units
    assert loaded.indicators == catalog.indicators
    by_key = {(t.unit_code, t.indicator_code): t for t in loaded.targets}
    assert by_key["P", "GRDP"].text == "7–7,5"
    assert (by_key["P", "GRDP"].low, by_key["P", "GRDP"].high) == (7.0, 7.5)
    assert by_key["D1", "DANSO"].low == 200000 and by_key["D1", "DANSO"].baseline == 190000
    assert by_key["D2", "NGHEO"].low == 1.5
    assert loaded.reporting_units == tuple(u for u in catalog.units if u.code != "K")
    assert loaded.level("K1") == 2 and loaded.level("P") == 0


def test_codes_and_names_are_nfc_normalised_and_stripped(catalog_path):
    decomposed = unicodedata.normalize("NFD", "Huyện Kỳ Anh")
    edit(catalog_path, {"units": {"A3": "  D1 ", "B3": decomposed + "  "}})
    unit = load_catalog(catalog_path).unit_by_code["D1"]
    assert unit.name == "Huyện Kỳ Anh" and unicodedata.is_normalized("NFC", unit.name)


def test_vietnamese_text_targets_and_ranges(catalog_path):
    wb = openpyxl.load_workbook(catalog_path)
    ws = wb["targets"]
    rows = {(ws.cell(r, 1).value, ws.cell(r, 2).value): r for r in range(2, ws.max_row + 1)}
    ws.cell(rows["D1", "DANSO"], 3).value = "200.000"
    ws.cell(rows["D1", "RUNG"], 3).value = "1,3 - 1,5"
    ws.cell(rows["D2", "GRDP"], 3).value = "8,25"
    wb.save(catalog_path)
    targets = {(t.unit_code, t.indicator_code): t for t in load_catalog(catalog_path).targets}
    assert targets["D1", "DANSO"].low == 200000
    assert (targets["D1", "RUNG"].low, targets["D1", "RUNG"].high, targets["D1", "RUNG"].text) == (1.3, 1.5, "1,3 - 1,5")
    assert targets["D2", "GRDP"].low == 8.25


def test_missing_sheet_and_column(catalog_path):
    edit(catalog_path, {}, delete_sheets=["indicators"], delete_cols=[("units", 2)])
    found = refusal(catalog_path)
    assert ("indicators", None, "catalog-missing-sheet") in found
    assert ("units", None, "catalog-missing-column") in found


def test_every_problem_is_listed_at_once(catalog_path):
    # Rows: units row 2 = P, 3 = D1, ... ; indicators row 2 = GRDP ...; targets row 2 = (P, GRDP)
    edit(catalog_path, {
        "units": {"A4": "D1", "C5": "X9"},          # duplicate code; unknown parent
        "indicators": {"E3": "up", "F4": "sometimes", "G5": "median", "G2": "weighted:NOPE", "H3": "many"},
        "targets": {"A3": "ZZ", "B4": "NOPE", "C5": "khoảng 2", "D6": "nhiều"},
        "round": {"B6": "2020"},                      # target_year not after baseline_year
    })
    found = refusal(catalog_path)
    expected = [
        ("units", "A4", "catalog-duplicate-code"),
        ("units", "C5", "catalog-unknown-parent"),
        ("indicators", "E3", "catalog-bad-choice"),
        ("indicators", "F4", "catalog-bad-choice"),
        ("indicators", "G5", "catalog-bad-choice"),
        ("indicators", "G2", "catalog-unknown-weight-indicator"),
        ("indicators", "H3", "catalog-bad-decimals"),
        ("targets", "A3", "catalog-unknown-unit"),
        ("targets", "B4", "catalog-unknown-indicator"),
        ("targets", "C5", "catalog-bad-target"),
        ("targets", "D6", "catalog-bad-baseline"),
        ("round", "B6", "catalog-bad-round-value"),
    ]
    for item in expected:
        assert item in found, item


def test_cycle_in_the_tree(catalog_path):
    # K (row 5) under K1 (row 6) and K1 under K: a cycle, and it cuts them off the root
    edit(catalog_path, {"units": {"C5": "K1"}})
    found = refusal(catalog_path)
    assert any(code == "catalog-tree-cycle" and sheet == "units" for sheet, _, code in found)


def test_two_roots(catalog_path):
    edit(catalog_path, {"units": {"C3": None}})
    assert ("units", None, "catalog-root-count") in refusal(catalog_path)


def test_cutoff_after_target_year(catalog_path):
    edit(catalog_path, {"round": {"B7": "30/06/2026"}})
    assert ("round", "B7", "catalog-cutoff-after-target-year") in refusal(catalog_path)


def test_missing_round_key_and_empty_value(catalog_path):
    edit(catalog_path, {"round": {"A2": "something_else", "B3": None}})
    found = refusal(catalog_path)
    assert ("round", None, "catalog-missing-round-key") in found
    assert ("round", "B3", "catalog-missing-value") in found


def test_duplicate_target_and_missing_target(catalog_path):
    edit(catalog_path, {"targets": {"A3": "P", "B3": "GRDP", "C4": None}})
    found = refusal(catalog_path)
    assert ("targets", "A3", "catalog-duplicate-target") in found
    assert ("targets", "C4", "catalog-missing-value") in found


def test_round_values_in_clerk_formats(tmp_path):
    path = write_catalog(small_catalog(), tmp_path / "c.xlsx")
    edit(path, {"round": {"B7": "30/6/2023", "B8": date(2023, 7, 10), "B9": "80%", "B10": "TRUE"}})
    r = load_catalog(path).round
    assert r.cutoff_date == date(2023, 6, 30) and r.deadline == date(2023, 7, 10)
    assert r.low_threshold == pytest.approx(0.8)
    assert r.allow_target_changes is True
    assert r.elapsed_share == pytest.approx(911 / 1826)


def test_not_a_workbook(tmp_path):
    path = tmp_path / "catalog.xlsx"
    path.write_text("unit_code,unit_name\n", encoding="utf-8")
    assert refusal(path) == [(None, None, "catalog-unreadable")]


def test_messages_name_the_cell_in_both_languages(catalog_path):
    edit(catalog_path, {"targets": {"C5": "khoảng 2"}})
    with pytest.raises(CatalogError) as info:
        load_catalog(catalog_path)
    issue = next(i for i in info.value.issues if i.code == "catalog-bad-target")
    assert "C5" in issue.message("vi") and "khoảng 2" in issue.message("vi")
    assert "C5" in issue.message("en") and issue.message("en") != issue.message("vi")


def test_a_catalog_whose_shared_strings_lie_about_their_count_is_still_read(catalog_path, tmp_path):
    # calamine reserves memory for the strings an <sst> says it holds: four billion abort the
    # process. Such a file must go to our own reader. Loaded in a child, so a regression
    # shows as a failed test rather than a dead test run.
    import re
    import subprocess
    import sys
    import zipfile

    lying = tmp_path / "lying.xlsx"
    with zipfile.ZipFile(catalog_path) as zin, zipfile.ZipFile(lying, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/sharedStrings.xml":
                data, n = re.subn(rb'((?:unique)?[Cc]ount)="\d+"', rb'\1="4000000000"', data)
                assert n
            zout.writestr(info.filename, data)
    code = ("import sys; from consolidator.catalog import load_catalog; "
            f"c = load_catalog({str(lying)!r}); print(len(c.units))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    assert int(done.stdout) == len(load_catalog(catalog_path).units)


# --- contacts: who to remind (contact_name, email, phone on `units`; office_email on `round`) ---

UNITS_COLUMNS = ("unit_code", "unit_name", "parent_code", "organisation_name", "contact_name", "email", "phone")


def units_cells(path: Path) -> dict[tuple[str, str], str]:
    """(unit code, column) → its cell reference on the `units` sheet, as the clerk sees it."""
    ws = openpyxl.load_workbook(path)["units"]
    letters = {ws.cell(1, c).value: ws.cell(1, c).column_letter for c in range(1, ws.max_column + 1)}
    return {(ws.cell(r, 1).value, name): f"{letter}{r}" for r in range(2, ws.max_row + 1) for name, letter in letters.items()}


def own_reader_copy(path: Path, out: Path) -> Path:
    """The catalog with a cell past Excel's last row on its instructions sheet: calamine is not
    given such a file, so our own reader reads it."""
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        last = max(n for n in zin.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info.filename, data.replace(b'<c r="A1"', b'<c r="A9999999"', 1) if info.filename == last else data)
    return out


@pytest.mark.parametrize("engine", ["calamine", "own reader"])
def test_contacts_are_read_as_typed_and_a_phone_keeps_its_leading_zero(catalog_path, tmp_path, engine):
    at = units_cells(catalog_path)
    edit(catalog_path, {"units": {
        at["D1", "contact_name"]: "  Nguyễn Thị Hoa ", at["D1", "email"]: "vanphong@kyanh.gov.vn; hoa.nt@gmail.com",
        at["D1", "phone"]: "0912 345 678",
        at["D2", "phone"]: 912345678,      # typed into a number cell: Excel dropped the zero
        at["K1", "phone"]: 2393856123,     # a landline with its area code, the same
        at["K2", "phone"]: "+84 912 000 111",
    }})
    path = catalog_path if engine == "calamine" else own_reader_copy(catalog_path, tmp_path / "own.xlsx")
    loaded = load_catalog(path)
    d1 = loaded.unit_by_code["D1"]
    assert (d1.contact_name, d1.email, d1.phone) == ("Nguyễn Thị Hoa", "vanphong@kyanh.gov.vn; hoa.nt@gmail.com",
                                                     "0912 345 678")
    assert loaded.unit_by_code["D2"].phone == "0912345678"
    assert loaded.unit_by_code["K1"].phone == "02393856123"
    assert loaded.unit_by_code["K2"].phone == "+84 912 000 111"
    assert loaded.unit_by_code["P"].email == "" and loaded.unit_by_code["P"].phone == ""
    assert loaded.warnings == ()


def test_contacts_written_by_the_catalog_writer_read_back(tmp_path):
    base = small_catalog()
    units = tuple(replace(u, contact_name=f"Cán bộ {u.code}", email=f"{u.code.lower()}@thu.gov.vn", phone="0912 000 00" + str(n))
                  for n, u in enumerate(base.units))
    catalog = replace(base, units=units, round=replace(base.round, office_email="vanphong@tinhuy.gov.vn"))
    loaded = load_catalog(write_catalog(catalog, tmp_path / "c.xlsx"))
    assert loaded.units == units and loaded.round == catalog.round


def test_a_malformed_email_is_a_warning_naming_its_cell_and_the_catalog_is_used(catalog_path):
    at = units_cells(catalog_path)
    rounds = openpyxl.load_workbook(catalog_path)["round"]
    office = next(f"B{r}" for r in range(1, rounds.max_row + 1) if rounds.cell(r, 1).value == "office_email")
    edit(catalog_path, {"units": {at["D1", "email"]: "vanphong@kyanh,gov.vn", at["D2", "email"]: "hồng.lĩnh@gmail.com",
                                  at["K1", "email"]: "dienluc@evn.vn"},
                        "round": {office: "vanphong tinhuy"}})
    loaded = load_catalog(catalog_path)  # not refused
    found = [(i.sheet, i.cell, i.code, i.severity) for i in loaded.warnings]
    assert found == [("round", office, "catalog-bad-email", "warning"),
                     ("units", at["D1", "email"], "catalog-bad-email", "warning"),
                     ("units", at["D2", "email"], "catalog-bad-email", "warning")]
    message = loaded.warnings[1].message("vi")
    assert at["D1", "email"] in message and "vanphong@kyanh,gov.vn" in message
    assert loaded.unit_by_code["D1"].email == "vanphong@kyanh,gov.vn"  # kept as typed, for the office to see
    assert loaded.round.office_email == "vanphong tinhuy"


def test_a_catalog_with_errors_is_refused_for_its_errors_only(catalog_path):
    at = units_cells(catalog_path)
    edit(catalog_path, {"units": {at["D1", "email"]: "khong-co-a-cong"}, "targets": {"C5": "khoảng 2"}})
    assert refusal(catalog_path) == [("targets", "C5", "catalog-bad-target")]


def test_the_blank_template_has_the_contact_columns_each_with_a_note_and_phone_as_text():
    ws = openpyxl.load_workbook(Path(__file__).resolve().parents[1] / "workbook_templates" / "catalog_template.xlsx")["units"]
    header = {ws.cell(1, c).value: ws.cell(1, c) for c in range(1, ws.max_column + 1)}
    assert tuple(header) == UNITS_COLUMNS
    for name in ("organisation_name", "contact_name", "email", "phone"):
        assert header[name].comment is not None and "Không bắt buộc" in header[name].comment.text, name
    assert "0912 345 678" in header["phone"].comment.text
    # typed into a text column, 0912345678 keeps its zero in Excel
    assert ws.column_dimensions[header["phone"].column_letter].number_format == "@"
    rounds = openpyxl.load_workbook(Path(__file__).resolve().parents[1] / "workbook_templates" / "catalog_template.xlsx")["round"]
    assert "office_email" in [r[0].value for r in rounds.iter_rows()]
