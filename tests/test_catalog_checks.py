"""The catalog's checks: every pandera failure becomes an issue with a code, none is dropped."""

from __future__ import annotations

import openpyxl
import pandera.pandas as pa
import pytest

from consolidator.catalog import catalog_rows, load_catalog, write_catalog_workbook
from consolidator.catalog.checks import UnmappedCheck, frame_issues, schemas
from consolidator.catalog.frames import frame
from consolidator.catalog.sheets import read_sheets, ready
from consolidator.messages import issue_codes, labels

from .conftest import small_catalog


def catalog_frames(path):
    sheets = read_sheets(path)
    return {name: frame(ready(sheets[name]), name) for name in ("units", "indicators", "targets")}


def test_a_failed_check_no_issue_code_stands_for_raises(catalog_path):
    frames = catalog_frames(catalog_path)
    units = schemas(frames)["units"]
    # a check as a schema might gain one, named without an issue code; it fails on every row
    column = units.columns["unit_name"]
    odd = units.update_column("unit_name", checks=[*column.checks, pa.Check(lambda s: s.isna(), name="too_long")])
    with pytest.raises(UnmappedCheck):
        list(frame_issues(odd, frames["units"], "units"))


def test_every_check_of_the_schemas_is_named_by_an_issue_code(catalog_path):
    codes = issue_codes()
    for sheet, schema in schemas(catalog_frames(catalog_path)).items():
        for name, column in schema.columns.items():
            for check in column.checks:
                assert check.name in codes and check.name.startswith("catalog-"), (sheet, name, check.name)


def test_a_catalog_written_in_english_reads_back_the_same(tmp_path, catalog_path):
    english = tmp_path / "english.xlsx"
    write_catalog_workbook(english, catalog_rows(small_catalog()), lang="en")
    assert load_catalog(english) == load_catalog(catalog_path)
    wb = openpyxl.load_workbook(english)
    assert labels("en")["cat_guide_sheet"] in wb.sheetnames
    described = {row[0]: row[2] for row in wb["round"].iter_rows(min_row=2, values_only=True)}
    vietnamese = {row[0]: row[2] for row in openpyxl.load_workbook(catalog_path)["round"].iter_rows(min_row=2, values_only=True)}
    assert all(described[key] and described[key] != vietnamese[key] for key in described)
