"""The verdicts a new user found wrong (issue 10), each through the command line as the clerk runs it."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from consolidator.catalog import load_catalog
from consolidator.cli import main
from consolidator.generate import generate
from consolidator.model import Target

from .conftest import small_catalog, write_catalog
from .filling import column, complete_results, fill, rows_by_code

# The round's own time: appendices made before the cut-off (30/6/2023), deadline 10/7/2023.
GENERATED = datetime(2023, 6, 25, 8, 0).astimezone()
ON_TIME = datetime(2023, 7, 8, 10, 0).astimezone()
LATE = datetime(2023, 7, 12, 10, 0).astimezone()


def cli(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def files_by_name(result) -> dict[str, dict]:
    return {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}


@pytest.fixture
def round_(tmp_path):
    catalog = small_catalog()
    catalog_path = write_catalog(catalog, tmp_path / "catalog.xlsx")
    templates = {g.unit_code: g.path for g in generate(load_catalog(catalog_path), tmp_path / "phu-luc",
                                                       generated_at=GENERATED)}
    return catalog, catalog_path, templates, tmp_path / "nhan-ve"


# --- 2. on time follows the workbook's own saved time, not the copy's ---------------------------


def test_a_copied_file_keeps_the_time_the_unit_saved_it(round_, tmp_path):
    catalog, catalog_path, templates, inbox = round_
    sent = fill(templates["K1"], tmp_path / "unit" / "K1.xlsx", complete_results(catalog, "K1"), modified=ON_TIME)
    copied = inbox / "K1.xlsx"
    copied.parent.mkdir()
    shutil.copy(sent, copied)  # a new modification time, long after the deadline
    late_stamp = LATE.timestamp()
    os.utime(copied, (late_stamp, late_stamp))
    result = cli("validate", catalog_path, inbox, "--format", "json")
    f = files_by_name(result)["K1.xlsx"]
    assert f["received_source"] == "saved"
    assert datetime.fromisoformat(f["received"]) == ON_TIME.replace(microsecond=0)
    assert json.loads(result.stdout)["summary"]["units_on_time"] == 1


def test_a_saved_time_before_the_file_was_made_or_in_the_future_is_not_believed(round_, tmp_path):
    catalog, catalog_path, templates, inbox = round_
    before = fill(templates["K1"], inbox / "K1.xlsx", complete_results(catalog, "K1"), modified=datetime(2023, 6, 1))
    future = fill(templates["K2"], inbox / "K2.xlsx", complete_results(catalog, "K2"), modified=datetime(2099, 1, 1))
    for path in (before, future):
        os.utime(path, (ON_TIME.timestamp(), ON_TIME.timestamp()))
    files = files_by_name(cli("validate", catalog_path, inbox, "--format", "json"))
    assert {name: f["received_source"] for name, f in files.items()} == {"K1.xlsx": "file", "K2.xlsx": "file"}


def test_status_names_the_source_of_each_received_time(round_, tmp_path):
    catalog, catalog_path, templates, inbox = round_
    fill(templates["K1"], inbox / "K1.xlsx", complete_results(catalog, "K1"), modified=ON_TIME)
    fill(templates["K2"], inbox / "K2.xlsx", complete_results(catalog, "K2"), modified=datetime(2023, 6, 1))
    result = cli("status", catalog_path, inbox, "--lang", "en")
    lines = {line.split()[0]: line for line in result.output.splitlines() if line[:2] in ("K1", "K2")}
    assert "saved" in lines["K1"] and "file" in lines["K2"]


# --- 3. a target the office corrected after generating is not the unit's error ---------------


def _corrected(catalog):
    """The office's corrections after generating: D1's population target, a new indicator, one dropped."""
    targets = [t for t in catalog.targets if not (t.unit_code == "D1" and t.indicator_code == "RUNG")]
    targets = [replace(t, text="210.000", low=210000.0, high=210000.0)
               if (t.unit_code, t.indicator_code) == ("D1", "DANSO") else t for t in targets]
    targets.append(Target("D1", "KYLUAT", "3", 3.0, 3.0))
    return replace(catalog, targets=tuple(targets))


def test_the_office_changing_the_catalog_is_a_warning_naming_the_indicators(round_, tmp_path):
    catalog, _, templates, inbox = round_
    path = fill(templates["D1"], inbox / "D1.xlsx", complete_results(catalog, "D1"), modified=ON_TIME)
    corrected = write_catalog(_corrected(catalog), tmp_path / "catalog-v2.xlsx")
    result = cli("validate", corrected, inbox, "--format", "json")
    assert result.exit_code == 0, result.output
    f = files_by_name(result)[path.name]
    assert f["status"] == "valid"
    codes = [i["code"] for i in f["issues"]]
    assert "target-changed" not in codes and "missing-indicator" not in codes and "unknown-indicator" not in codes
    [changed] = [i for i in f["issues"] if i["code"] == "catalog-changed"]
    assert changed["severity"] == "warning"
    for code in ("DANSO", "RUNG", "KYLUAT"):
        assert code in changed["message"]
    assert "NGHEO" not in changed["message"]


def test_consolidation_uses_the_current_targets(round_, tmp_path):
    catalog, _, templates, inbox = round_
    fill(templates["D1"], inbox / "D1.xlsx", complete_results(catalog, "D1"), modified=ON_TIME)
    corrected = write_catalog(_corrected(catalog), tmp_path / "catalog-v2.xlsx")
    result = cli("consolidate", corrected, inbox, "-o", tmp_path / "tong-hop.xlsx", "--data-out", tmp_path / "d.csv")
    assert result.exit_code == 0, result.output
    with open(tmp_path / "d.csv", encoding="utf-8-sig") as fh:
        rows = {(r["unit_code"], r["indicator_code"]): r for r in csv.DictReader(fh)}
    assert float(rows[("D1", "DANSO")]["target"]) == 210000
    assert rows[("D1", "KYLUAT")]["status"] == "no_data"


def test_the_units_own_change_to_a_target_is_still_its_error_with_the_original(round_, tmp_path):
    catalog, _, templates, inbox = round_

    def overwrite(wb, ws):
        ws.protection.sheet = False
        ws.cell(rows_by_code(ws)["NGHEO"], column("target")).value = 3

    path = fill(templates["D1"], inbox / "D1.xlsx", complete_results(catalog, "D1"), modified=ON_TIME, edit=overwrite)
    corrected = write_catalog(_corrected(catalog), tmp_path / "catalog-v2.xlsx")
    result = cli("validate", corrected, inbox, "--format", "json")
    assert result.exit_code == 1
    [issue] = [i for i in files_by_name(result)[path.name]["issues"] if i["code"] == "target-changed"]
    # the original (the catalog's 2, not the 3 typed) is named, as a number of its own
    assert issue["indicator_code"] == "NGHEO" and re.search(r"(?<![\w.,])2(?![\w.,])", issue["message"])


# --- 4. a blank appendix is no submission ---------------------------------------------------------


def test_a_blank_appendix_sent_back_is_no_results_and_the_unit_is_still_missing(round_, tmp_path):
    catalog, catalog_path, templates, inbox = round_
    blank = fill(templates["K1"], inbox / "K1.xlsx", {}, modified=ON_TIME)
    result = cli("validate", catalog_path, inbox, "--format", "json")
    assert result.exit_code == 1
    f = files_by_name(result)[blank.name]
    assert f["status"] == "invalid" and [i["code"] for i in f["issues"]] == ["no-results"]
    summary = json.loads(result.stdout)["summary"]
    assert summary["units_valid"] == 0 and "K1" in summary["missing_units"]


def test_a_blank_appendix_does_not_displace_the_units_valid_file(round_, tmp_path):
    catalog, catalog_path, templates, inbox = round_
    good = fill(templates["K1"], inbox / "K1.xlsx", complete_results(catalog, "K1"), modified=ON_TIME)
    fill(templates["K1"], inbox / "K1_mau-trang.xlsx", {}, modified=LATE)
    files = files_by_name(cli("validate", catalog_path, inbox, "--format", "json"))
    assert files[good.name]["counted"] and not files["K1_mau-trang.xlsx"]["counted"]


# --- 5. a corrected file clears the error -------------------------------------------------------


def test_a_corrected_file_clears_the_units_error_and_the_exit_code(round_, tmp_path):
    catalog, catalog_path, templates, inbox = round_
    for code in ("P", "D1", "D2", "K1"):
        fill(templates[code], inbox / f"{code}.xlsx", complete_results(catalog, code), modified=ON_TIME)
    fill(templates["K2"], inbox / "K2_lan-1.xlsx", {**complete_results(catalog, "K2"), "KYLUAT": "ba"},
         modified=datetime(2023, 7, 5, 9, 0).astimezone())
    fill(templates["K2"], inbox / "K2_lan-2.xlsx", complete_results(catalog, "K2"), modified=ON_TIME)
    result = cli("validate", catalog_path, inbox, "--format", "json")
    assert result.exit_code == 0, result.output
    files = files_by_name(result)
    assert files["K2_lan-1.xlsx"]["replaced"] and files["K2_lan-2.xlsx"]["counted"]
    summary = json.loads(result.stdout)["summary"]
    assert (summary["units_valid"], summary["invalid"], summary["errors"], summary["replaced"]) == (5, 0, 0, 1)
    status = cli("status", catalog_path, inbox)
    assert status.exit_code == 0, status.output


def test_two_identical_copies_are_one_submission(round_, tmp_path):
    catalog, catalog_path, templates, inbox = round_
    first = fill(templates["K1"], inbox / "K1.xlsx", complete_results(catalog, "K1"), modified=ON_TIME)
    second = inbox / "K1 (1).xlsx"
    shutil.copy(first, second)
    os.utime(second, (LATE.timestamp(), LATE.timestamp()))  # "newer" by the file's time only
    files = files_by_name(cli("validate", catalog_path, inbox, "--format", "json"))
    counted = [name for name, f in files.items() if f["counted"]]
    assert len(counted) == 1
    [other] = [name for name in files if name not in counted]
    assert files[other]["copy_of"] in counted and not files[other]["replaced"]
    assert all(i["code"] != "duplicate-file" for f in files.values() for i in f["issues"])


# --- 8. status on an empty inbox, and its exit code ------------------------------------------------


def test_status_of_an_empty_inbox_lists_every_unit_as_missing(round_, tmp_path):
    catalog, catalog_path, _, inbox = round_
    inbox.mkdir()
    result = cli("status", catalog_path, inbox, "--lang", "en")
    assert result.exit_code == 1, result.output
    listed = {line.split()[0] for line in result.output.splitlines() if "missing" in line}
    assert listed == {u.code for u in catalog.reporting_units}


def test_status_exits_1_while_a_unit_is_invalid_and_0_when_all_are_valid(round_, tmp_path):
    catalog, catalog_path, templates, inbox = round_
    for code in ("P", "D1", "D2", "K1"):
        fill(templates[code], inbox / f"{code}.xlsx", complete_results(catalog, code), modified=ON_TIME)
    bad = fill(templates["K2"], inbox / "K2.xlsx", {**complete_results(catalog, "K2"), "KYLUAT": "ba"},
               modified=ON_TIME)
    assert cli("status", catalog_path, inbox).exit_code == 1
    fill(templates["K2"], bad, complete_results(catalog, "K2"), modified=ON_TIME)
    assert cli("status", catalog_path, inbox).exit_code == 0


# --- 6. annotated copies only for the units that must send again -------------------------------


def test_annotated_copies_only_for_units_that_must_resend(round_, tmp_path):
    catalog, catalog_path, templates, inbox = round_
    # D1: valid with a warning (a dash); K1: replaced by a corrected file; K2: invalid, counted.
    fill(templates["D1"], inbox / "D1.xlsx", {**complete_results(catalog, "D1"), "RUNG": "—"}, modified=ON_TIME)
    fill(templates["K1"], inbox / "K1_cu.xlsx", {**complete_results(catalog, "K1"), "KYLUAT": "ba"},
         modified=datetime(2023, 7, 5).astimezone())
    fill(templates["K1"], inbox / "K1_moi.xlsx", complete_results(catalog, "K1"), modified=ON_TIME)
    fill(templates["K2"], inbox / "K2.xlsx", {**complete_results(catalog, "K2"), "KYLUAT": "ba"}, modified=ON_TIME)
    back = tmp_path / "gui-lai"
    result = cli("validate", catalog_path, inbox, "--annotate", back)
    assert result.exit_code == 1
    assert sorted(p.name for p in back.iterdir()) == ["K2.xlsx"]
    more = tmp_path / "gui-lai-2"
    cli("validate", catalog_path, inbox, "--annotate", more, "--annotate-warnings")
    assert sorted(p.name for p in more.iterdir()) == ["D1.xlsx", "K2.xlsx"]


# --- 10. attachments are not submissions ------------------------------------------------------------


def test_the_signed_report_and_a_scan_are_attachments_listed_with_the_unit(round_, tmp_path):
    catalog, catalog_path, templates, inbox = round_
    for code in ("P", "D1", "D2", "K1", "K2"):
        fill(templates[code], inbox / f"{code}.xlsx", complete_results(catalog, code), modified=ON_TIME)
    (inbox / "K1_bao-cao-so-ket.pdf").write_bytes(b"%PDF-1.4\n%...\n")
    (inbox / "K1_bao-cao.docx").write_bytes(b"PK\x03\x04not really")
    (inbox / "scan.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (inbox / "thu-gui.txt").write_text("Kính gửi Văn phòng", encoding="utf-8")
    (inbox / "D2_phu-luc.xlsx.pdf").write_bytes(b"%PDF-1.4\n")  # a PDF print of the appendix
    (inbox / "K2_sai.xlsx").write_bytes(b"%PDF-1.4\n")  # says workbook, is not: still an error
    result = cli("validate", catalog_path, inbox, "--format", "json")
    data = json.loads(result.stdout)
    attached = {Path(a["path"]).name: a["unit_code"] for a in data["attachments"]}
    assert attached == {"K1_bao-cao-so-ket.pdf": "K1", "K1_bao-cao.docx": "K1", "scan.jpg": None,
                        "D2_phu-luc.xlsx.pdf": "D2"}
    assert [Path(p).name for p in data["ignored"]] == ["thu-gui.txt"]
    files = files_by_name(result)
    assert set(files) == {"P.xlsx", "D1.xlsx", "D2.xlsx", "K1.xlsx", "K2.xlsx", "K2_sai.xlsx"}
    assert [i["code"] for i in files["K2_sai.xlsx"]["issues"]] == ["file-not-workbook"]
    (inbox / "K2_sai.xlsx").unlink()
    assert cli("validate", catalog_path, inbox).exit_code == 0  # attachments never make the run fail
    status = cli("status", catalog_path, inbox, "--lang", "en").output
    assert "K1_bao-cao-so-ket.pdf" in status and "thu-gui.txt" in status


# --- issue 11: a stray workbook named like a unit's does not displace its valid file -------------


def test_a_workbook_known_only_by_its_name_and_holding_no_appendix_is_unidentified(round_, tmp_path):
    import openpyxl

    catalog, catalog_path, templates, inbox = round_
    good = fill(templates["K1"], inbox / "K1.xlsx", complete_results(catalog, "K1"), modified=ON_TIME)
    stray = openpyxl.Workbook()
    stray.active["A1"] = "Danh sách đảng viên"
    stray.save(inbox / "K1_danh-sach.xlsx")  # newer, and named for K1
    files = files_by_name(cli("validate", catalog_path, inbox, "--format", "json"))
    assert files[good.name]["counted"] and files[good.name]["status"] == "valid"
    other = files["K1_danh-sach.xlsx"]
    assert other["unit_code"] is None and [i["code"] for i in other["issues"]] == ["unidentified-file"]


# --- 12. a command that cannot write its output says so in the clerk's language ------------------


def test_an_output_that_cannot_be_written_is_exit_2_with_a_vietnamese_message(round_, tmp_path):
    catalog, catalog_path, templates, inbox = round_
    fill(templates["K1"], inbox / "K1.xlsx", complete_results(catalog, "K1"), modified=ON_TIME)
    blocked = tmp_path / "a-file"
    blocked.write_text("x")  # a file where the output's folder should be
    result = cli("consolidate", catalog_path, inbox, "-o", blocked / "tong-hop.xlsx")
    assert result.exit_code == 2 and result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and "Errno" not in result.output
    assert str(blocked) in result.output and "Không ghi được" in result.output


def test_the_submission_sheet_names_each_time_source_and_lists_attachments(round_, tmp_path):
    import openpyxl

    from consolidator.messages import labels

    catalog, catalog_path, templates, inbox = round_
    fill(templates["K1"], inbox / "K1.xlsx", complete_results(catalog, "K1"), modified=ON_TIME)
    fill(templates["K2"], inbox / "K2.xlsx", complete_results(catalog, "K2"), modified=datetime(2023, 6, 1))
    (inbox / "K1_bao-cao.pdf").write_bytes(b"%PDF-1.4\n")
    cli("consolidate", catalog_path, inbox, "-o", tmp_path / "tong-hop.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "tong-hop.xlsx")["Tình hình nộp"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    text = labels("vi")
    header = next(r for r in rows if text["status_source"] in r)
    units = rows[rows.index(header) + 1:rows.index(header) + 1 + len(catalog.reporting_units)]
    by_unit = {r[0]: r[header.index(text["status_source"])] for r in units if r[0] in ("K1", "K2")}
    assert by_unit == {"K1": text["received_source_saved"], "K2": text["received_source_file"]}
    assert ["K1", "K1_bao-cao.pdf"] in [r[:2] for r in rows]


def test_the_excel_report_names_each_time_source_and_shows_figures_as_typed(round_, tmp_path):
    import openpyxl

    from consolidator.messages import labels

    catalog, catalog_path, templates, inbox = round_

    def overwrite(wb, ws):
        ws.protection.sheet = False
        ws.cell(rows_by_code(ws)["KYLUAT"], column("target")).value = 999

    fill(templates["K1"], inbox / "K1.xlsx", complete_results(catalog, "K1"), modified=ON_TIME, edit=overwrite)
    cli("validate", catalog_path, inbox, "--report", tmp_path / "kiem-tra.xlsx")
    book = openpyxl.load_workbook(tmp_path / "kiem-tra.xlsx")
    units, issues = book.worksheets
    text = labels("vi")
    header = [c.value for c in units[1]]
    row = next(r for r in units.iter_rows(min_row=2, values_only=True) if r[0] == "K1")
    assert row[header.index(text["status_source"])] == text["received_source_saved"]
    changed = next(r for r in issues.iter_rows(min_row=2, values_only=True) if r[3] == "target-changed")
    assert changed[7] == "999"
