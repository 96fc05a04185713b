"""Every issue code is produced by some test: the ones no other test made, each through the CLI,
and a scan of the registry against the test files so a new code cannot go untested."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from consolidator import layout
from consolidator.catalog import load_catalog
from consolidator.cli import main
from consolidator.generate import generate
from consolidator.messages import issue_codes

from .conftest import small_catalog, write_catalog
from .filling import column, complete_results, fill, rows_by_code

TESTS = Path(__file__).resolve().parent
SAVED = datetime(2023, 7, 8, 10, 0).astimezone()


def test_every_registered_code_is_named_in_a_test():
    # A net, not a proof: a code quoted in no test file is certainly produced by none.
    text = "\n".join(p.read_text(encoding="utf-8") for p in TESTS.rglob("*.py"))
    untested = [code for code in issue_codes() if not re.search(rf"[\"']{re.escape(code)}[\"']", text)]
    assert untested == []


@pytest.fixture
def made(tmp_path):
    def make(**round_overrides):
        catalog = small_catalog(**round_overrides)
        path = write_catalog(catalog, tmp_path / "catalog.xlsx")
        templates = {g.unit_code: g.path for g in generate(load_catalog(path), tmp_path / "phu-luc",
                                                           generated_at=datetime(2023, 6, 25).astimezone())}
        return catalog, path, templates
    return make


def issues_of(catalog_path: Path, path: Path) -> list[dict]:
    result = CliRunner().invoke(main, ["validate", str(catalog_path), str(path), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    [f] = json.loads(result.stdout)["files"]
    return f["issues"]


def codes_at(issues: list[dict]) -> set[tuple[str, str | None]]:
    return {(i["code"], i["cell"]) for i in issues}


def test_a_cutoff_inside_the_baseline_year_is_refused(tmp_path):
    catalog = small_catalog()
    early = replace(catalog, round=replace(catalog.round, cutoff_date=date(2020, 6, 30)))
    path = write_catalog(early, tmp_path / "catalog.xlsx")
    result = CliRunner().invoke(main, ["generate", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"[{'catalog-cutoff-before-baseline'}]" in result.output


def test_a_file_of_an_unsupported_template_version(made, tmp_path):
    catalog, catalog_path, templates = made()

    def old(wb, ws):
        meta = wb[layout.META_SHEET]
        row = 1 + layout.META_KEYS.index("template_version")
        meta.cell(row, 2).value = "0"

    path = fill(templates["K1"], tmp_path / "in" / "K1.xlsx", complete_results(catalog, "K1"), modified=SAVED, edit=old)
    assert "old-template" in {i["code"] for i in issues_of(catalog_path, path)}


def test_a_workbook_of_ours_without_the_table(made, tmp_path):
    catalog, catalog_path, templates = made()

    def no_table(wb, ws):
        ws.delete_rows(1, ws.max_row)

    path = fill(templates["K1"], tmp_path / "in" / "K1.xlsx", {}, modified=SAVED, edit=no_table)
    assert "appendix-not-found" in {i["code"] for i in issues_of(catalog_path, path)}


def test_the_result_column_gone(made, tmp_path):
    catalog, catalog_path, templates = made()

    def drop_result(wb, ws):
        ws.delete_cols(column("result"))

    path = fill(templates["K1"], tmp_path / "in" / "K1.xlsx", complete_results(catalog, "K1"), modified=SAVED,
                edit=drop_result)
    issues = issues_of(catalog_path, path)
    [missing] = [i for i in issues if i["code"] == "missing-column"]
    assert missing["cell"] == str(layout.HEADER_ROW)


def test_an_indicator_row_pasted_twice_and_a_code_not_in_the_appendix(made, tmp_path):
    catalog, catalog_path, templates = made()
    spare = {}

    def paste(wb, ws):
        rows = rows_by_code(ws)
        first_extra = max(rows.values()) + 3  # below the extra-indicators heading
        spare["dup"], spare["unknown"] = first_extra, first_extra + 1
        ws.protection.sheet = False
        ws.cell(first_extra, column("indicator_code")).value = "KYLUAT"
        ws.cell(first_extra + 1, column("indicator_code")).value = "KHONG_CO"

    path = fill(templates["K1"], tmp_path / "in" / "K1.xlsx", complete_results(catalog, "K1"), modified=SAVED,
                edit=paste)
    found = codes_at(issues_of(catalog_path, path))
    letter = layout.column_letter("indicator_code")
    assert ("duplicate-indicator-row", f"{letter}{spare['dup']}") in found
    assert ("unknown-indicator", f"{letter}{spare['unknown']}") in found


def test_a_figure_the_spreadsheet_turned_into_a_date(made, tmp_path):
    catalog, catalog_path, templates = made()

    def as_date(wb, ws):
        cell = ws.cell(rows_by_code(ws)["DANGVIEN"], column("result"))
        cell.value, cell.number_format = datetime(2023, 3, 12), "dd/mm/yyyy"

    path = fill(templates["K1"], tmp_path / "in" / "K1.xlsx", complete_results(catalog, "K1"), modified=SAVED,
                edit=as_date)
    issues = issues_of(catalog_path, path)
    [issue] = [i for i in issues if i["code"] == "date-not-number"]
    assert issue["indicator_code"] == "DANGVIEN" and issue["cell"].startswith(layout.column_letter("result"))


@pytest.mark.parametrize("allow, code", [(False, "baseline-changed"), (True, "baseline-change-proposed")])
def test_an_overwritten_baseline(made, tmp_path, allow, code):
    catalog, catalog_path, templates = made(allow_target_changes=allow)
    where = {}

    def overwrite(wb, ws):
        ws.protection.sheet = False
        cell = ws.cell(rows_by_code(ws)["DANSO"], column("baseline"))
        cell.value = 180000
        where["cell"] = cell.coordinate

    path = fill(templates["D1"], tmp_path / "in" / "D1.xlsx", complete_results(catalog, "D1"), modified=SAVED,
                edit=overwrite)
    issues = issues_of(catalog_path, path)
    [issue] = [i for i in issues if i["code"] == code]
    assert issue["cell"] == where["cell"] and issue["severity"] == ("warning" if allow else "error")
    assert "190" in issue["message"]  # the original baseline, 190.000
