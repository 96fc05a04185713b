"""Validation of returned workbooks, filled the way units fill them. Assert codes and cells, not wording."""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from consolidator import layout
from consolidator.catalog import load_catalog
from consolidator.cli import main
from consolidator.generate import generate
from consolidator.validate import collect_inputs, validate_files

from .conftest import small_catalog, write_catalog
from .filling import column, complete_results, fill, rows_by_code
from .office import libreoffice_resave, needs_libreoffice


@pytest.fixture
def round_dir(tmp_path, catalog_path):
    catalog = load_catalog(catalog_path)
    templates = {g.unit_code: g.path for g in generate(catalog, tmp_path / "templates")}
    return catalog, templates, tmp_path / "inbox"


def check(catalog, *paths):
    report = validate_files(catalog, collect_inputs(paths))
    return report


def found(submission) -> set[tuple]:
    return {(i.code, i.cell) for i in submission.issues}


def cell_of(template: Path, code: str, key: str = "result") -> str:
    ws = openpyxl.load_workbook(template).worksheets[0]
    return f"{layout.column_letter(key)}{rows_by_code(ws)[code]}"


def test_a_complete_file_is_valid_and_read_exactly(round_dir):
    catalog, templates, inbox = round_dir
    results = complete_results(catalog, "D1")
    path = fill(templates["D1"], inbox / "D1.xlsx", results)
    [s] = check(catalog, path).submissions
    assert s.status == "valid" and s.issues == ()
    assert s.unit_code == "D1"
    got = {v.indicator_code: v.result for v in s.values}
    assert got == {code: (1.0 if value == "Đạt" else value) for code, value in results.items()}


@pytest.mark.parametrize("typed, expected", [
    ("12,5", 12.5), ("1.234.567", 1234567), ("1.234,5", 1234.5), (" 40 ", 40), ("40\u00a0", 40), ("95%", 95),
])
def test_numbers_typed_as_text_the_vietnamese_way(round_dir, typed, expected):
    catalog, templates, inbox = round_dir
    path = fill(templates["K1"], inbox / "K1.xlsx", {"DANGVIEN": typed, "KYLUAT": 1})
    [s] = check(catalog, path).submissions
    assert s.status == "valid" and not s.issues
    assert {v.indicator_code: v.result for v in s.values}["DANGVIEN"] == expected


def test_percent_formatted_cell_reads_as_shown(round_dir):
    catalog, templates, inbox = round_dir

    def as_percent(wb, ws):
        cell = ws.cell(rows_by_code(ws)["NGHEO"], column("result"))
        cell.value, cell.number_format = 0.0475, "0.00%"

    path = fill(templates["D1"], inbox / "D1.xlsx", {**complete_results(catalog, "D1")}, edit=as_percent)
    [s] = check(catalog, path).submissions
    assert {v.indicator_code: v.result for v in s.values}["NGHEO"] == pytest.approx(4.75)


def _json_issues(catalog_path, *paths):
    result = CliRunner().invoke(main, ["validate", str(catalog_path), *map(str, paths), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["files"]


def test_a_thousands_figure_of_the_indicators_size_is_not_ambiguous(round_dir, catalog_path):
    # D1's population target is 200.000: "190.000" can only be a hundred and ninety thousand.
    catalog, templates, inbox = round_dir
    results = {**complete_results(catalog, "D1"), "DANSO": "190.000", "DANGVIEN": "1.200"}
    path = fill(templates["D1"], inbox / "D1.xlsx", results)
    [f] = _json_issues(catalog_path, path)
    assert f["status"] == "valid"
    assert [i for i in f["issues"] if i["code"] == "ambiguous-number"] == []
    [s] = check(catalog, path).submissions
    assert {v.indicator_code: v.result for v in s.values}["DANSO"] == 190000


@pytest.mark.parametrize("code, typed, read_as, other", [
    ("GRDP", "7.500", "7500", "7,5"),  # target 7,5: the decimal reading is the plausible one
    ("DANSO", "190,000", "190", "190000"),  # target 200.000: so is the thousands reading
])
def test_a_number_the_other_convention_reads_plausibly_is_a_warning_showing_both(round_dir, catalog_path, code,
                                                                                   typed, read_as, other):
    catalog, templates, inbox = round_dir
    results = {**complete_results(catalog, "D1"), code: typed}
    path = fill(templates["D1"], inbox / "D1.xlsx", results)
    [f] = _json_issues(catalog_path, path)
    [issue] = [i for i in f["issues"] if i["code"] == "ambiguous-number"]
    assert issue["severity"] == "warning" and issue["cell"] == cell_of(templates["D1"], code)
    shown = issue["message"].replace(f"'{typed}'", "")
    assert re.search(rf"\b{read_as}\b", shown) and re.search(rf"\b{other}\b", shown)
    assert not re.search(r"\d[.,]\d{3}\b", shown)  # neither reading shown in a grouped, ambiguous form


def test_a_figure_only_the_english_convention_reads_is_taken_without_a_warning(round_dir, catalog_path):
    catalog, templates, inbox = round_dir
    results = {**complete_results(catalog, "D1"), "DANSO": "190,000.5"}
    path = fill(templates["D1"], inbox / "D1.xlsx", results)
    [f] = _json_issues(catalog_path, path)
    assert [i for i in f["issues"] if i["code"] == "ambiguous-number"] == []


def test_words_errors_and_blanks(round_dir):
    catalog, templates, inbox = round_dir
    results = {**complete_results(catalog, "D1"), "DANGVIEN": "khoảng 50", "RUNG": "—", "NTM": "có lẽ",
               "NGHEO": 130, "DANSO": -5}
    path = fill(templates["D1"], inbox / "D1.xlsx", results)
    [s] = check(catalog, path).submissions
    t = templates["D1"]
    assert s.status == "invalid"
    assert found(s) == {
        ("not-a-number", cell_of(t, "DANGVIEN")),
        ("missing-result", cell_of(t, "RUNG")),
        ("not-a-boolean", cell_of(t, "NTM")),
        ("percent-out-of-range", cell_of(t, "NGHEO")),
        ("negative-value", cell_of(t, "DANSO")),
    }
    assert {i.code: i.severity for i in s.issues}["missing-result"] == "warning"
    assert next(i for i in s.issues if i.code == "not-a-number").value == "khoảng 50"


def test_blank_results_leave_the_file_valid_with_no_data(round_dir):
    catalog, templates, inbox = round_dir
    path = fill(templates["K2"], inbox / "K2.xlsx", {"DANGVIEN": 4})
    [s] = check(catalog, path).submissions
    assert s.status == "valid"
    assert [i.code for i in s.issues] == ["missing-result"]
    assert {v.indicator_code: v.result for v in s.values} == {"DANGVIEN": 4, "KYLUAT": None}


def test_growth_may_be_negative(round_dir):
    catalog, templates, inbox = round_dir
    path = fill(templates["D2"], inbox / "D2.xlsx", {**complete_results(catalog, "D2"), "GRDP": -1.5})
    [s] = check(catalog, path).submissions
    assert s.status == "valid"


def test_formula_without_cached_value_is_reported_not_read_as_zero(round_dir):
    catalog, templates, inbox = round_dir
    results = {**complete_results(catalog, "K1"), "DANGVIEN": "=10+20"}
    path = fill(templates["K1"], inbox / "K1.xlsx", results)
    [s] = check(catalog, path).submissions
    assert ("formula-without-value", cell_of(templates["K1"], "DANGVIEN")) in found(s)
    assert {v.indicator_code: v.result for v in s.values}["DANGVIEN"] is None


@needs_libreoffice
def test_libreoffice_resave_reads_the_same_and_computes_formulas(round_dir, tmp_path):
    catalog, templates, inbox = round_dir
    results = {**complete_results(catalog, "D1"), "DANGVIEN": "=100+20", "DANSO": "=1/0"}
    typed = fill(templates["D1"], tmp_path / "typed" / templates["D1"].name, results)
    resaved = libreoffice_resave(typed, inbox)
    [s] = check(catalog, resaved).submissions
    assert s.unit_code == "D1"  # the metadata sheet is found though LibreOffice made it merely hidden
    values = {v.indicator_code: v.result for v in s.values}
    assert values["DANGVIEN"] == 120
    assert found(s) == {("excel-error", cell_of(templates["D1"], "DANSO"))}
    for code in ("RUNG", "NGHEO", "GRDP"):
        assert values[code] == pytest.approx(results[code])


def test_rows_inserted_moved_and_deleted(round_dir):
    catalog, templates, inbox = round_dir
    results = complete_results(catalog, "D1")

    def reshape(wb, ws):
        ws.protection.sheet = False
        ws.insert_rows(layout.FIRST_DATA_ROW + 1, amount=3)  # blank rows in the middle of the table
        rows = rows_by_code(ws)
        # swap two indicator rows entirely, as a unit moving rows around would
        a, b = rows["RUNG"], rows["NGHEO"]
        for c in range(1, len(layout.COLUMNS) + 1):
            ca, cb = ws.cell(a, c), ws.cell(b, c)
            ca.value, cb.value = cb.value, ca.value

    path = fill(templates["D1"], inbox / "D1.xlsx", results, edit=reshape)
    [s] = check(catalog, path).submissions
    assert s.status == "valid", s.issues
    assert {v.indicator_code: v.result for v in s.values} == {
        c: (1.0 if v == "Đạt" else v) for c, v in results.items()}

    def delete_row(wb, ws):
        ws.delete_rows(rows_by_code(ws)["RUNG"])

    path = fill(templates["D1"], inbox / "D1.xlsx", results, edit=delete_row)
    [s] = check(catalog, path).submissions
    assert [(i.code, i.indicator_code) for i in s.issues] == [("missing-indicator", "RUNG")]


def test_tampered_target_is_an_error_unless_changes_are_allowed(round_dir, tmp_path):
    catalog, templates, inbox = round_dir

    def tamper(wb, ws):
        ws.protection.sheet = False
        ws.cell(rows_by_code(ws)["DANGVIEN"], column("target")).value = 300

    path = fill(templates["D1"], inbox / "D1.xlsx", complete_results(catalog, "D1"), edit=tamper)
    [s] = check(catalog, path).submissions
    assert found(s) == {("target-changed", cell_of(templates["D1"], "DANGVIEN", "target"))}
    assert s.status == "invalid"

    allowing = load_catalog(write_catalog(small_catalog(allow_target_changes=True), tmp_path / "allow.xlsx"))
    [s] = check(allowing, path).submissions
    assert [(i.code, i.severity) for i in s.issues] == [("target-change-proposed", "warning")]
    assert s.status == "valid"


def test_proposed_target_is_read_and_checked(round_dir, tmp_path):
    catalog, templates, inbox = round_dir
    proposals = {"GRDP": "6,5–7", "RUNG": "nhiều hơn"}

    def propose(wb, ws):
        for code, value in proposals.items():
            ws.cell(rows_by_code(ws)[code], column("proposed_target")).value = value

    path = fill(templates["D1"], inbox / "D1.xlsx", complete_results(catalog, "D1"), edit=propose)
    [s] = check(catalog, path).submissions
    # This round forbids adjustments (seed 000): a readable proposal is recorded with a
    # warning; an unreadable one is an error to fix.
    assert found(s) == {("proposal-not-allowed", cell_of(templates["D1"], "GRDP", "proposed_target")),
                        ("bad-proposed-target", cell_of(templates["D1"], "RUNG", "proposed_target"))}
    assert {v.indicator_code: v.proposed_target for v in s.values}["GRDP"] == "6,5–7"

    allowing = load_catalog(write_catalog(small_catalog(allow_target_changes=True), tmp_path / "allow.xlsx"))
    [s] = check(allowing, path).submissions
    assert found(s) == {("bad-proposed-target", cell_of(templates["D1"], "RUNG", "proposed_target"))}


def test_wrong_round_and_unknown_unit(round_dir):
    catalog, templates, inbox = round_dir

    def meta(key, value):
        def edit(wb, ws):
            m = wb[layout.META_SHEET]
            row = next(r for r in range(1, m.max_row + 1) if m.cell(r, 1).value == key)
            m.cell(row, 2).value = value
        return edit

    old = fill(templates["D1"], inbox / "D1_last_round.xlsx", complete_results(catalog, "D1"),
               edit=meta("round_id", "SKGNK-2022"))
    stranger = fill(templates["D2"], inbox / "X_stranger.xlsx", complete_results(catalog, "D2"),
                    edit=meta("unit_code", "NOBODY"))
    report = check(catalog, old, stranger)
    by_name = {s.path.name: s for s in report.submissions}
    assert [i.code for i in by_name["D1_last_round.xlsx"].issues] == ["wrong-round"]
    assert [i.code for i in by_name["X_stranger.xlsx"].issues] == ["unknown-unit"]
    assert report.summary()["missing_units"] == ["P", "D1", "D2", "K1", "K2"]


def test_newest_file_of_a_unit_counts_even_when_invalid(round_dir):
    catalog, templates, inbox = round_dir
    good = fill(templates["K2"], inbox / "K2_first.xlsx", complete_results(catalog, "K2"),
                modified=datetime(2023, 7, 1, 8, 0))
    bad = fill(templates["K2"], inbox / "K2_second.xlsx", {**complete_results(catalog, "K2"), "KYLUAT": "ba"},
               modified=datetime(2023, 7, 2, 8, 0))
    report = check(catalog, good, bad)
    by_name = {s.path.name: s for s in report.submissions}
    assert by_name["K2_second.xlsx"].counted and not by_name["K2_first.xlsx"].counted
    assert "duplicate-file" in [i.code for i in by_name["K2_first.xlsx"].issues]
    k2 = next(u for u in report.units if u.unit_code == "K2")
    assert k2.state == "invalid"


def test_renamed_sheet_and_lost_metadata_still_identify_the_unit(round_dir):
    catalog, templates, inbox = round_dir

    def rename_and_strip(wb, ws):
        ws.title = "Sheet1"
        del wb[layout.META_SHEET]

    path = fill(templates["D2"], inbox / "bao-cao.xlsx", complete_results(catalog, "D2"), edit=rename_and_strip)
    [s] = check(catalog, path).submissions
    assert s.unit_code == "D2" and s.status == "valid"
    assert {i.code for i in s.issues} == {"no-metadata", "sheet-renamed"}


def test_extra_indicators_complete_and_incomplete(round_dir):
    catalog, templates, inbox = round_dir

    def extras(wb, ws):
        last = ws.max_row
        for key, value in (("name", "Số hộ dùng nước sạch"), ("unit_of_measure", "hộ"), ("target", 5000), ("result", 3200)):
            ws.cell(last - 1, column(key)).value = value
        ws.cell(last, column("name")).value = "Chỉ tiêu dở dang"

    path = fill(templates["K1"], inbox / "K1.xlsx", complete_results(catalog, "K1"), edit=extras)
    [s] = check(catalog, path).submissions
    assert [(e.name, e.unit_of_measure, e.target, e.result) for e in s.extras] == [
        ("Số hộ dùng nước sạch", "hộ", "5000", 3200), ("Chỉ tiêu dở dang", "", "", None)]
    [issue] = s.issues
    assert issue.code == "incomplete-extra-indicator" and issue.cell.endswith(str(openpyxl.load_workbook(path).worksheets[0].max_row))


def test_not_a_workbook_is_unreadable_and_the_round_goes_on(round_dir):
    catalog, templates, inbox = round_dir
    good = fill(templates["K1"], inbox / "K1.xlsx", complete_results(catalog, "K1"))
    (inbox / "D1_huyen.xlsx").write_text("unit,result\nD1,5\n", encoding="utf-8")
    report = check(catalog, inbox)
    by_name = {s.path.name: s for s in report.submissions}
    assert by_name["D1_huyen.xlsx"].status == "unreadable"
    assert [i.code for i in by_name["D1_huyen.xlsx"].issues] == ["file-not-workbook"]
    assert by_name[good.name].status == "valid"


def test_on_time_and_late_by_file_time_when_the_saved_time_is_not_believable(round_dir):
    # The appendices were generated today: a workbook saved "in 2023" was not saved by the
    # unit then, so the file's own modification time is what is left (DESIGN.md §3).
    catalog, templates, inbox = round_dir
    on_time = fill(templates["K1"], inbox / "K1.xlsx", complete_results(catalog, "K1"), modified=datetime(2023, 7, 1))
    late = fill(templates["K2"], inbox / "K2.xlsx", complete_results(catalog, "K2"), modified=datetime(2023, 7, 1))
    deadline_day = datetime(2023, 7, 10, 16, 0).timestamp()  # the deadline day itself counts
    os.utime(on_time, (deadline_day, deadline_day))
    os.utime(late, (deadline_day + 86400, deadline_day + 86400))
    report = check(catalog, inbox)
    states = {u.unit_code: (u.state, u.on_time) for u in report.units}
    assert states == {"P": ("missing", None), "D1": ("missing", None), "D2": ("missing", None),
                      "K1": ("valid", True), "K2": ("valid", False)}
    assert {s.received_source for s in report.submissions} == {"file"}
    summary = report.summary()
    assert (summary["units_expected"], summary["units_valid"], summary["units_on_time"]) == (5, 2, 1)
    assert summary["completeness"] == pytest.approx(2 / 5) and summary["timeliness"] == pytest.approx(1 / 5)


def test_cli_json_exit_codes_report_annotate_and_inputs_untouched(round_dir, catalog_path, tmp_path):
    catalog, templates, inbox = round_dir
    fill(templates["K1"], inbox / "K1.xlsx", complete_results(catalog, "K1"))
    bad = fill(templates["D1"], inbox / "D1.xlsx", {**complete_results(catalog, "D1"), "DANGVIEN": "khoảng 50"})
    (inbox / "notes.xlsx").write_bytes(b"")
    before = {p: p.read_bytes() for p in inbox.iterdir()}
    runner = CliRunner()
    result = runner.invoke(main, ["validate", str(catalog_path), str(inbox), "--format", "json",
                                  "--report", str(tmp_path / "report.xlsx"), "--annotate", str(tmp_path / "back")])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {"files", "attachments", "ignored", "summary"}
    assert set(data["summary"]) == {"files", "valid", "invalid", "unreadable", "replaced", "errors", "warnings",
                                    "units_expected", "units_valid", "units_on_time", "completeness",
                                    "timeliness", "missing_units"}
    for f in data["files"]:
        assert set(f) == {"path", "unit_code", "status", "counted", "replaced", "copy_of", "received",
                          "received_source", "issues"}
        for i in f["issues"]:
            assert set(i) == {"severity", "code", "sheet", "cell", "indicator_code", "value", "message"}
    statuses = {Path(f["path"]).name: f["status"] for f in data["files"]}
    assert statuses == {"K1.xlsx": "valid", "D1.xlsx": "invalid", "notes.xlsx": "unreadable"}
    assert {p: p.read_bytes() for p in inbox.iterdir()} == before  # inputs never modified
    report = openpyxl.load_workbook(tmp_path / "report.xlsx")
    issue_rows = list(report.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert ("D1.xlsx", "D1", "lỗi", "not-a-number") in {r[:4] for r in issue_rows}
    back = openpyxl.load_workbook(tmp_path / "back" / bad.name)
    assert back.sheetnames[0] == "Cần sửa"
    marked = back[layout.sheet_names("vi")[0]][cell_of(templates["D1"], "DANGVIEN")]
    assert marked.comment is not None and marked.fill.fgColor.rgb.endswith("FFC7CE")
    assert not (tmp_path / "back" / "K1.xlsx").exists()

    ok = runner.invoke(main, ["validate", str(catalog_path), str(inbox / "K1.xlsx")])
    assert ok.exit_code == 0
    english = runner.invoke(main, ["validate", str(catalog_path), str(bad), "--lang", "en"])
    assert english.exit_code == 1 and "is not a number" in english.stdout


def test_status_command_lists_every_expected_unit(round_dir, catalog_path):
    catalog, templates, inbox = round_dir
    fill(templates["K1"], inbox / "K1.xlsx", complete_results(catalog, "K1"))
    result = CliRunner().invoke(main, ["status", str(catalog_path), str(inbox)])
    assert result.exit_code == 1  # units are missing
    lines = result.stdout.splitlines()
    for code in ("P", "D1", "D2", "K1", "K2"):
        assert any(line.startswith(code + " ") for line in lines), code
    assert any(line.startswith("K1 ") and "hợp lệ" in line for line in lines)
    assert any(line.startswith("D1 ") and "chưa nộp" in line for line in lines)


def test_sheet_too_large_is_unreadable_with_its_cell(round_dir, tmp_path):
    import zipfile

    catalog, templates, inbox = round_dir
    good = fill(templates["K1"], tmp_path / "k1.xlsx", complete_results(catalog, "K1"))
    huge = inbox / "K1_huge.xlsx"
    huge.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(huge, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
            dst.writestr(item, data)
    [s] = check(catalog, huge).submissions
    assert s.status == "unreadable"
    [issue] = s.issues
    assert (issue.code, issue.cell) == ("sheet-too-large", "XFD1048576")
    assert "XFD1048576" in issue.message("vi")


def test_control_characters_in_unit_text_do_not_break_the_reports(round_dir, tmp_path):
    catalog, templates, inbox = round_dir
    # An XML-escaped control character (_x0007_, as Excel stores one pasted from elsewhere)
    # in a result cell: the value shows up in the issue, then in both reports.
    good = fill(templates["K1"], tmp_path / "k1.xlsx", {**complete_results(catalog, "K1"), "DANGVIEN": "chuông_x0007_"})
    path = inbox / good.name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(good.read_bytes())
    report = check(catalog, path)
    [s] = report.submissions
    assert any(i.code == "not-a-number" and "\x07" in str(i.value) for i in s.issues)
    from consolidator.report import annotate, write_excel_report

    write_excel_report(report, tmp_path / "r.xlsx")
    [back] = annotate(report, tmp_path / "back")
    assert openpyxl.load_workbook(back).sheetnames[0] == "Cần sửa"
    rows = list(openpyxl.load_workbook(tmp_path / "r.xlsx").worksheets[1].iter_rows(min_row=2, values_only=True))
    assert any(r[3] == "not-a-number" and "\x07" not in (r[7] or "") for r in rows)


def test_unit_codes_with_underscores_match_their_file_names(tmp_path):
    from consolidator.model import Target, Unit

    base = small_catalog()
    catalog = replace(base, units=base.units + (Unit("K_01", "Chi bộ Kho bạc", "K"),),
                      targets=base.targets + (Target("K_01", "DANGVIEN", "8", 8.0, 8.0),))
    catalog = load_catalog(write_catalog(catalog, tmp_path / "c.xlsx"))
    [made] = generate(catalog, tmp_path / "t", unit_codes=["K_01"])
    path = fill(made.path, tmp_path / "inbox" / made.path.name, {"DANGVIEN": 3})
    [s] = check(catalog, path).submissions
    assert s.unit_code == "K_01" and s.issues == ()  # no "file-name-mismatch" against unit K

    stripped = fill(made.path, tmp_path / "inbox2" / made.path.name, {"DANGVIEN": 3},
                    edit=lambda wb, ws: (wb.remove(wb[layout.META_SHEET]), setattr(ws["A2"], "value", None)))
    [s] = check(catalog, stripped).submissions
    assert s.unit_code == "K_01" and [i.code for i in s.issues] == ["no-metadata"]


def test_files_checked_a_few_at_a_time_get_the_verdicts_they_get_all_at_once(round_dir, monkeypatch):
    # The row checks run on a few files at a time as the readers return them (so a round's
    # readings are never all held): each file's problems must stay its own, in input order.
    from consolidator import validate

    catalog, templates, inbox = round_dir
    paths = []
    for n, code in enumerate(("D1", "D2", "K1", "K2", "D1")):
        results = complete_results(catalog, code)
        if n % 2:  # every other file with a figure out of range and a word where a number goes
            first, second = list(results)[:2]
            results[first], results[second] = -5, "khoảng 50"
        paths.append(fill(templates[code], inbox / f"{n}-{code}.xlsx", results))

    def verdicts(report):
        return [(s.path.name, s.status, found(s), [(v.indicator_code, v.result) for v in s.values])
                for s in report.submissions]

    monkeypatch.setattr(validate, "JUDGED_TOGETHER", len(paths) + 1)
    at_once = verdicts(check(catalog, *paths))
    monkeypatch.setattr(validate, "JUDGED_TOGETHER", 2)
    assert verdicts(check(catalog, *paths)) == at_once
    assert [status for _, status, _, _ in at_once] == ["valid", "invalid", "valid", "invalid", "valid"]
    assert all(issues for _, status, issues, _ in at_once if status == "invalid")
