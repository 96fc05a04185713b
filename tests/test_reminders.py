"""Reminders (issue 13 §6): an email ready to send to each unit missing or sending a file with
errors, and the call list, through the real path — a catalog with contacts, the generated
appendices, files filled as units fill them, validation, the annotated copies — read back
as a mail program and a spreadsheet program would."""

from __future__ import annotations

import csv
import email
from dataclasses import replace
from datetime import date, datetime
from email import policy
from pathlib import Path

import openpyxl
import pytest

from consolidator import layout
from consolidator.catalog import load_catalog
from consolidator.generate import MANIFEST, generate
from consolidator.model import Status, UnitState
from consolidator.report import annotate_copies
from consolidator.validate import collect_inputs, validate_files
from consolidator.write import write_reminders
from consolidator.write.reminders import CALL_LIST, MOST_LISTED

from .conftest import small_catalog, write_catalog
from .filling import column, complete_results, fill, rows_by_code

SAVED = datetime(2023, 7, 8, 10, 0).astimezone()  # before the deadline, 10/07/2023
BEFORE = date(2023, 7, 5)  # five days before the deadline
OFFICE = "vanphong@tinhuy.gov.vn"
CONTACTS = {  # unit → (contact_name, email, phone as the clerk types it)
    "D1": ("Nguyễn Thị Hoa", "hoa.nt@kyanh.gov.vn; vanphong@kyanh.gov.vn", "0912 345 678"),
    # typed over two lines (Alt+Enter), and the phone into a number cell: Excel dropped the zero
    "D2": ("Trần Văn\nNam", "nam@honglinh.gov.vn", 987654321),
    "K1": ("Lê Văn Điện", "dienluc@evn.com.vn", "0239 3856 123"),
    "K2": ("Phạm Thị Lan", "", "0905 111 222"),  # no email: the clerk calls
}


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A catalog with contacts typed into its units sheet, and every unit's appendix."""
    base = tmp_path_factory.mktemp("round")
    plain = small_catalog()
    path = write_catalog(replace(plain, round=replace(plain.round, office_email=OFFICE)), base / "catalog.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["units"]
    at = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1)}
    for r in range(2, ws.max_row + 1):
        for name, value in zip(("contact_name", "email", "phone"), CONTACTS.get(ws.cell(r, 1).value, ())):
            ws.cell(r, at[name]).value = value or None
    wb.save(path)
    catalog = load_catalog(path)
    generate(catalog, base / "phu-luc", generated_at=datetime(2023, 6, 25).astimezone())
    with open(base / "phu-luc" / MANIFEST, encoding="utf-8-sig", newline="") as fh:
        appendices = {row["unit_code"]: base / "phu-luc" / row["file"] for row in csv.DictReader(fh)}
    return catalog, appendices




def run_round(made, tmp_path, d1_results=None, d1_edit=None, sent=("K1", "D1"), today=BEFORE, appendix_for=None,
              lang="vi"):
    """K1 sends a valid file, D1 one with errors (a word for a number, by default); the rest
    send nothing. Validate, annotate, remind: the report, what was written, the copies."""
    catalog, appendices = made
    inbox = tmp_path / "nhan-ve"
    results = {"K1": complete_results(catalog, "K1"), "D2": complete_results(catalog, "D2"),
               "D1": d1_results or {**complete_results(catalog, "D1"), "DANGVIEN": "khoảng 50", "GRDP": "cao"}}
    for code in sent:
        fill(appendices[code], inbox / appendices[code].name, results[code], modified=SAVED,
             edit=d1_edit if code == "D1" else None)
    report = validate_files(catalog, collect_inputs([inbox]))
    copies = {c.source: c.path for c in annotate_copies(report, tmp_path / "gui-lai")}
    counted = {u.unit_code: u.submission.path for u in report.units if u.submission is not None}
    reminders = write_reminders(report, tmp_path / "nhac", lang, appendix_for or appendices.get,
                                lambda code: copies.get(counted.get(code)), today=today)
    return report, reminders, copies


def opened(path: Path) -> email.message.EmailMessage:
    """The .eml as a mail program reads it."""
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def body(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def by_unit(reminders) -> dict[str, object]:
    return {r.unit_code: r for r in reminders.emails}


def test_each_missing_or_invalid_unit_gets_one_email_named_after_it(made, tmp_path):
    catalog, appendices = made
    report, reminders, _ = run_round(made, tmp_path)
    assert [u.unit_code for u in report.units if u.state == UnitState.VALID] == ["K1"]
    expected = {appendices[code].with_suffix(".eml").name for code in ("P", "D1", "D2", "K2")}
    assert {p.name for p in (tmp_path / "nhac").glob("*.eml")} == expected
    assert [r.unit_code for r in reminders.emails] == ["P", "D1", "D2", "K2"]  # the round's order
    assert {r.unit_code: r.state for r in reminders.emails} == {
        "P": UnitState.MISSING, "D1": UnitState.INVALID, "D2": UnitState.MISSING, "K2": UnitState.MISSING}


def test_a_missing_unit_is_sent_its_appendix_with_the_deadline_and_how_to_send(made, tmp_path):
    catalog, appendices = made
    _, reminders, _ = run_round(made, tmp_path)
    msg = opened(by_unit(reminders)["D2"].path)
    assert msg["X-Unsent"] == "1"  # Outlook opens it as a message to send
    assert [(a.display_name, a.addr_spec) for a in msg["To"].addresses] == [("Trần Văn Nam", "nam@honglinh.gov.vn")]
    assert [a.addr_spec for a in msg["From"].addresses] == [OFFICE]
    subject = msg["Subject"]
    assert "Thị xã Hồng Lĩnh" in subject and "phụ lục" in subject and "10/07/2023" in subject
    for reminder in reminders.emails:  # a long Vietnamese subject is folded: every space must come back
        assert f"[TEST-2023] {reminder.unit_name}:" in opened(reminder.path)["Subject"]
        if reminder.state == UnitState.MISSING:
            assert f" {catalog.round.title}, " in opened(reminder.path)["Subject"]
    text = body(msg)
    assert "Trần Văn Nam" in text and catalog.round.title in text
    assert "10/07/2023" in text and "còn 5 ngày" in text
    assert layout.header_labels(catalog.round)["result"] in text and ".xlsx" in text  # how to fill and send
    [attached] = list(msg.iter_attachments())
    assert attached.get_filename() == appendices["D2"].name
    assert attached.get_content() == appendices["D2"].read_bytes()
    assert attached.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_an_invalid_unit_is_sent_its_annotated_copy_and_every_error_by_cell(made, tmp_path):
    report, reminders, copies = run_round(made, tmp_path)
    [d1] = [s for s in report.submissions if s.unit_code == "D1"]
    errors = [i for i in d1.issues if i.severity == "error"]
    assert d1.status == Status.INVALID and len(errors) == 2
    msg = opened(by_unit(reminders)["D1"].path)
    assert [(a.display_name, a.addr_spec) for a in msg["To"].addresses] == [
        ("Nguyễn Thị Hoa", "hoa.nt@kyanh.gov.vn"), ("Nguyễn Thị Hoa", "vanphong@kyanh.gov.vn")]
    assert "Huyện Kỳ Anh" in msg["Subject"] and "sửa" in msg["Subject"]
    text = body(msg)
    assert d1.path.name in text and "2 lỗi" in text and "10/07/2023" in text
    for issue in errors:
        assert issue.cell in text and issue.message("vi") in text
    [attached] = list(msg.iter_attachments())
    assert attached.get_content() == copies[d1.path].read_bytes()
    assert attached.get_content() != d1.path.read_bytes()  # the marked copy, not the unit's own file
    assert by_unit(reminders)["D1"].attachment == copies[d1.path] and by_unit(reminders)["D1"].errors == 2


def test_a_unit_without_an_email_address_is_left_for_the_clerk_to_fill_in(made, tmp_path):
    _, reminders, _ = run_round(made, tmp_path)
    assert reminders.without_email == ("P", "K2")
    for code in ("P", "K2"):
        msg = opened(by_unit(reminders)[code].path)
        assert msg["To"] is None and by_unit(reminders)[code].to == ()
        assert len(list(msg.iter_attachments())) == 1  # ready but for the address
    assert "Phạm Thị Lan" in body(opened(by_unit(reminders)["K2"].path))


def test_a_malformed_address_in_the_catalog_gives_no_recipient(made, tmp_path):
    catalog, appendices = made
    typo = replace(catalog, units=tuple(replace(u, email="nam@honglinh,gov.vn") if u.code == "D2" else u
                                        for u in catalog.units))
    path = write_catalog(typo, tmp_path / "catalog.xlsx")
    loaded = load_catalog(path)
    assert [i.code for i in loaded.warnings] == ["catalog-bad-email"]
    _, reminders, _ = run_round((loaded, appendices), tmp_path)
    assert "D2" in reminders.without_email and opened(by_unit(reminders)["D2"].path)["To"] is None


def test_after_the_deadline_the_email_says_how_many_days_late(made, tmp_path):
    _, reminders, _ = run_round(made, tmp_path, today=date(2023, 7, 13))
    assert "đã quá hạn 3 ngày" in body(opened(by_unit(reminders)["D2"].path))
    assert "đã quá hạn 3 ngày" in body(opened(by_unit(reminders)["D1"].path))
    _, on_the_day, _ = run_round(made, tmp_path / "again", today=date(2023, 7, 10))
    assert "hôm nay là ngày cuối" in body(opened(by_unit(on_the_day)["D2"].path))


def test_many_errors_are_capped_with_how_many_more(made, tmp_path):
    catalog, _ = made
    every_word = {code: "chưa rõ" for code in complete_results(catalog, "D1")}  # NTM: neither Đạt nor Chưa đạt

    def own_rows_half_done(wb, ws):  # an extra indicator row with only its name, five times
        first = max(rows_by_code(ws).values()) + 2
        for r in range(first, first + layout.EXTRA_ROWS):
            ws.cell(r, column("name")).value = f"Chỉ tiêu riêng {r}"

    report, reminders, _ = run_round(made, tmp_path, d1_results=every_word, d1_edit=own_rows_half_done)
    [d1] = [s for s in report.submissions if s.unit_code == "D1"]
    errors = [i for i in d1.issues if i.severity == "error"]
    assert len(errors) > MOST_LISTED
    text = body(opened(by_unit(reminders)["D1"].path))
    for issue in errors[:MOST_LISTED]:
        assert issue.message("vi") in text
    assert errors[MOST_LISTED].message("vi") not in text
    assert f"và {len(errors) - MOST_LISTED} lỗi khác" in text


def test_an_appendix_not_found_is_said_in_the_result_and_nothing_is_attached(made, tmp_path):
    catalog, appendices = made
    _, reminders, _ = run_round(made, tmp_path, appendix_for=lambda code: None if code == "P" else appendices[code])
    assert reminders.without_attachment == ("P",)
    msg = opened(by_unit(reminders)["P"].path)
    assert list(msg.iter_attachments()) == [] and "kèm thư này" not in body(msg)
    assert "kèm thư này" in body(opened(by_unit(reminders)["D2"].path))


def test_a_reminder_of_an_earlier_run_goes_once_the_unit_has_sent(made, tmp_path):
    _, first, _ = run_round(made, tmp_path)
    d2 = by_unit(first)["D2"].path
    assert d2.is_file()
    _, second, _ = run_round(made, tmp_path, sent=("K1", "D1", "D2"))
    assert "D2" not in by_unit(second) and not d2.exists() and second.removed == (d2,)


def test_the_call_list_has_every_unit_to_chase_with_its_phone_as_typed(made, tmp_path):
    catalog, _ = made
    _, reminders, _ = run_round(made, tmp_path, today=date(2023, 7, 13))
    assert reminders.call_list == tmp_path / "nhac" / CALL_LIST
    wb = openpyxl.load_workbook(reminders.call_list)
    ws = wb.worksheets[0]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "TT")
    heads = [ws.cell(header, c).value for c in range(1, ws.max_column + 1)]
    assert heads[:8] == ["TT", "Mã đơn vị", "Tên đơn vị", "Tình trạng", "Người phụ trách", "Điện thoại",
                         "Thư điện tử", "Hạn gửi"]
    rows = {ws.cell(r, 2).value: {h: ws.cell(r, c + 1).value for c, h in enumerate(heads)}
            for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 2).value}
    assert list(rows) == ["P", "D1", "D2", "K2"]
    assert rows["D1"]["Điện thoại"] == "0912 345 678" and rows["D2"]["Điện thoại"] == "0987654321"
    assert rows["K2"]["Điện thoại"] == "0905 111 222" and rows["K2"]["Thư điện tử"] is None
    assert rows["D1"]["Thư điện tử"] == "hoa.nt@kyanh.gov.vn; vanphong@kyanh.gov.vn"
    assert rows["D1"]["Người phụ trách"] == "Nguyễn Thị Hoa" and rows["D2"]["Tên đơn vị"] == "Thị xã Hồng Lĩnh"
    assert rows["D1"]["Tình trạng"] == "Có lỗi (2 lỗi), quá hạn 3 ngày"
    assert rows["D2"]["Tình trạng"] == "Chưa nộp, quá hạn 3 ngày"
    assert all(row["Hạn gửi"] == datetime(2023, 7, 10) for row in rows.values())
    # printed as every workbook of the tool: A4 landscape, the header row on every page, Times New Roman
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == f"${header}:${header}"
    assert ws.cell(header + 1, 3).font.name == layout.FONT
    normal = wb._fonts[0]  # the Normal style's font, bound to no theme font (see test_default_font)
    assert (normal.name, normal.scheme) == (layout.FONT, None)


def test_english_reminders_with_lang_en(made, tmp_path):
    _, reminders, _ = run_round(made, tmp_path, lang="en")
    msg = opened(by_unit(reminders)["D2"].path)
    assert "please send your appendix" in msg["Subject"] and "5 day(s) left" in body(msg)
