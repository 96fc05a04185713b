"""`consolidator consolidate` and `demo` end to end through the command line."""

from __future__ import annotations

import csv

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from consolidator.catalog import load_catalog
from consolidator.cli import main
from consolidator.consolidate import TABLE_COLUMNS
from consolidator.generate import generate

from .filling import complete_results, fill


@pytest.fixture
def inbox(tmp_path, catalog_path):
    catalog = load_catalog(catalog_path)
    templates = {g.unit_code: g.path for g in generate(catalog, tmp_path / "templates")}
    box = tmp_path / "inbox"
    for code in ("D1", "D2", "K1", "K2", "P"):
        results = complete_results(catalog, code)
        if code == "K2":
            results["KYLUAT"] = "=cmd|'/c calc'!A1"  # a formula with no saved value: an error, never run
        fill(templates[code], box / templates[code].name, results)
    return box


def test_consolidate_writes_workbook_and_csv_and_exits_1_when_a_file_is_left_out(tmp_path, catalog_path, inbox):
    before = {p: p.read_bytes() for p in inbox.iterdir()}
    out, data = tmp_path / "tong-hop.xlsx", tmp_path / "du-lieu.csv"
    result = CliRunner().invoke(main, ["consolidate", str(catalog_path), str(inbox), "-o", str(out),
                                       "--data-out", str(data)])
    assert result.exit_code == 1, result.output  # K2's file is invalid and left out
    assert "K2" in result.output
    assert {p: p.read_bytes() for p in inbox.iterdir()} == before
    assert openpyxl.load_workbook(out).sheetnames[0] == "Tổng hợp"
    raw = data.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens Vietnamese correctly
    with open(data, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == TABLE_COLUMNS
    assert {r["unit_code"] for r in rows} == {"P", "D1", "D2", "K", "K1", "K2"}
    k2 = [r for r in rows if r["unit_code"] == "K2"]
    assert k2 and all(r["status"] == "no_data" for r in k2)  # left out: no figures taken


def test_accept_partial_takes_the_rows_without_errors(tmp_path, catalog_path, inbox):
    data = tmp_path / "d.csv"
    result = CliRunner().invoke(main, ["consolidate", str(catalog_path), str(inbox), "-o", str(tmp_path / "t.xlsx"),
                                       "--data-out", str(data), "--accept-partial"])
    assert result.exit_code == 1
    table = pd.read_csv(data, encoding="utf-8-sig")
    k2 = table[(table.unit_code == "K2")].set_index("indicator_code")
    assert k2.loc["DANGVIEN", "status"] != "no_data"
    assert k2.loc["KYLUAT", "status"] == "no_data"


def test_parquet_and_root(tmp_path, catalog_path, inbox):
    data = tmp_path / "d.parquet"
    result = CliRunner().invoke(main, ["consolidate", str(catalog_path), str(inbox), "-o", str(tmp_path / "t.xlsx"),
                                       "--data-out", str(data), "--root", "K"])
    assert result.exit_code == 1, result.output  # K2, in the branch, sent a formula with no value
    table = pd.read_parquet(data)
    assert list(table.columns) == list(TABLE_COLUMNS)
    assert set(table.unit_code) == {"K", "K1", "K2"}
    assert table.is_rollup.dtype == bool


def test_bad_root_and_bad_data_suffix_are_usage_errors(tmp_path, catalog_path, inbox):
    runner = CliRunner()
    bad_root = runner.invoke(main, ["consolidate", str(catalog_path), str(inbox), "-o", str(tmp_path / "t.xlsx"),
                                    "--root", "NOPE"])
    assert bad_root.exit_code == 2
    bad_suffix = runner.invoke(main, ["consolidate", str(catalog_path), str(inbox), "-o", str(tmp_path / "t.xlsx"),
                                      "--data-out", str(tmp_path / "d.txt")])
    assert bad_suffix.exit_code == 2
    assert not (tmp_path / "t.xlsx").exists()


def test_csv_text_that_a_spreadsheet_would_execute_is_defused(tmp_path, catalog_path, inbox):
    note = "=HYPERLINK(\"http://example.invalid\",\"x\")"
    catalog = load_catalog(catalog_path)
    template = next((tmp_path / "templates").glob("D1_*.xlsx"))
    target = next(inbox.glob("D1_*.xlsx"))
    from .filling import column, rows_by_code

    def add_note(wb, ws):
        # typed as text ('=HYPERLINK… in Excel): openpyxl would otherwise store a formula
        cell = ws.cell(rows_by_code(ws)["GRDP"], column("note"))
        cell.value = note
        cell.data_type = "s"

    fill(template, target, complete_results(catalog, "D1"), edit=add_note)
    data = tmp_path / "d.csv"
    CliRunner().invoke(main, ["consolidate", str(catalog_path), str(inbox), "-o", str(tmp_path / "t.xlsx"),
                              "--data-out", str(data)])
    with open(data, encoding="utf-8-sig", newline="") as fh:
        notes = [r["note"] for r in csv.DictReader(fh) if r["unit_code"] == "D1" and r["indicator_code"] == "GRDP"]
    assert notes == ["'" + note]


def test_root_narrows_the_whole_report_to_the_branch(tmp_path, catalog_path, inbox):
    # K2's file is invalid (see the fixture); D-branch files are valid. A run on the D-less
    # branch K must not list D1/D2, and K2 is the one left out.
    out = tmp_path / "k.xlsx"
    result = CliRunner().invoke(main, ["consolidate", str(catalog_path), str(inbox), "-o", str(out), "--root", "K"])
    assert result.exit_code == 1
    assert "K2" in result.output and "D1" not in result.output
    ws = openpyxl.load_workbook(out)["Tình hình nộp"]
    codes = {row[0] for row in ws.iter_rows(values_only=True)}
    assert {"K1", "K2"} <= codes and not codes & {"D1", "D2", "P"}


def test_a_data_table_that_cannot_be_written_is_reported_and_the_workbook_still_written(tmp_path, catalog_path, inbox):
    # The data table is written by a forked process beside the workbook: its failure must
    # still reach the clerk, with the path, and exit 2.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    out, data = tmp_path / "tong-hop.xlsx", blocker / "du-lieu.csv"
    result = CliRunner().invoke(main, ["consolidate", str(catalog_path), str(inbox), "-o", str(out),
                                       "--data-out", str(data)])
    assert result.exit_code == 2, result.output
    assert str(data) in result.output
    assert openpyxl.load_workbook(out).sheetnames[0] == "Tổng hợp"
    assert not data.exists()


def test_a_long_list_of_left_out_files_is_cut_short_on_the_terminal(tmp_path, catalog_path, inbox, monkeypatch):
    from consolidator import cli

    monkeypatch.setattr(cli, "LEFT_OUT_SHOWN", 0)  # as if thousands were left out
    out = tmp_path / "tong-hop.xlsx"
    result = CliRunner().invoke(main, ["consolidate", str(catalog_path), str(inbox), "-o", str(out)])
    assert result.exit_code == 1
    assert "K2:" not in result.output and " 1 " in result.output.split("  ... ")[1]  # "... và 1 tệp nữa"
    sheet = openpyxl.load_workbook(out)["Tình hình nộp"]
    assert any(row[0] == "K2" for row in sheet.iter_rows(values_only=True))


@pytest.mark.isolated  # a real forked process, killed or failing
def test_a_writer_process_that_dies_leaves_no_partial_file(tmp_path, catalog_path, inbox, monkeypatch):
    import os

    from consolidator.consolidate import consolidate
    from consolidator.validate import collect_inputs
    from consolidator.write import data_sheet, write_outputs
    from consolidator.parallel import BackgroundError

    monkeypatch.setattr(data_sheet, "_rows", lambda *args: os._exit(9))  # as if killed mid-write
    result = consolidate(load_catalog(catalog_path), collect_inputs([inbox]))
    out_dir = tmp_path / "out"
    with pytest.raises(BackgroundError, match="exit code 9"):
        write_outputs(result, out_dir / "tong-hop.xlsx", out_dir / "du-lieu.csv")
    assert sorted(p.name for p in out_dir.iterdir()) == []  # no workbook, no table, no .part, no scratch folder


def test_a_data_table_that_cannot_be_written_leaves_the_workbook(tmp_path, catalog_path, inbox, monkeypatch):
    from consolidator.consolidate import consolidate
    from consolidator.validate import collect_inputs
    from consolidator.write import table, write_outputs
    from consolidator.parallel import BackgroundError

    def full(*args):
        raise OSError("disk full")

    monkeypatch.setattr(table, "write_table", full)
    result = consolidate(load_catalog(catalog_path), collect_inputs([inbox]))
    out_dir = tmp_path / "out"
    with pytest.raises(BackgroundError, match=r"du-lieu\.csv.*disk full"):
        write_outputs(result, out_dir / "tong-hop.xlsx", out_dir / "du-lieu.csv")
    assert sorted(p.name for p in out_dir.iterdir()) == ["tong-hop.xlsx"]
    assert "Dữ liệu" in openpyxl.load_workbook(out_dir / "tong-hop.xlsx").sheetnames


def _used_column(workbook_path) -> dict[str, str]:
    """File name → the info sheet's "used for consolidation" cell."""
    ws = openpyxl.load_workbook(workbook_path)["Thông tin"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    hr = next(n for n, r in enumerate(rows) if r[0] == "Tệp" and "Dùng để tổng hợp" in r)
    col = rows[hr].index("Dùng để tổng hợp")
    return {r[0]: r[col] for r in rows[hr + 1:] if r[0]}


@pytest.mark.parametrize("accept_partial", [False, True])
def test_info_sheet_says_used_only_for_files_whose_rows_were_consolidated(tmp_path, catalog_path, inbox,
                                                                          accept_partial):
    out = tmp_path / "t.xlsx"
    args = ["consolidate", str(catalog_path), str(inbox), "-o", str(out)] + (["--accept-partial"] if accept_partial else [])
    assert CliRunner().invoke(main, args).exit_code == 1
    used = _used_column(out)
    k2 = next(name for name in used if name.startswith("K2_"))
    # K2's file is invalid: left out, unless --accept-partial takes its rows without error (DANGVIEN)
    assert used[k2] == ("Có" if accept_partial else "Không")
    assert all(used[name] == "Có" for name in used if name != k2)
