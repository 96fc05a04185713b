"""Receiving from the clerk's inputs (consolidator/mail.py): workbooks as they are, and the
attachments of real .eml files and .mbox mailboxes written by the stdlib, hostile ones included."""

from __future__ import annotations

import base64
import email.message
import json
import mailbox
import random
import time
import tracemalloc
import unicodedata
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from consolidator import mail
from consolidator.catalog import load_catalog
from consolidator.cli import main
from consolidator.errors import ConsolidatorError, ReceivedAtError
from consolidator.generate import generate
from consolidator.model import Incoming, Issue, ReceivedSource

from .conftest import small_catalog, write_catalog
from .filling import complete_results, fill

UTC = timezone.utc
NOW = datetime(2023, 7, 12, 8, 0, tzinfo=UTC)
SENT = datetime(2023, 7, 10, 9, 30, tzinfo=timezone(timedelta(hours=7)))  # a unit in Hà Tĩnh, before the deadline
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
NAME_VI = "Báo cáo phụ lục.xlsx"


@pytest.fixture(scope="module")
def round_files(tmp_path_factory):
    """A catalog and K1's filled appendix, generated and filled as a unit would."""
    base = tmp_path_factory.mktemp("round")
    catalog = small_catalog()
    catalog_path = write_catalog(catalog, base / "catalog.xlsx")
    made = {g.unit_code: g.path for g in generate(load_catalog(catalog_path), base / "phu-luc",
                                                  generated_at=datetime(2023, 6, 25).astimezone())}
    filled = fill(made["K1"], base / "nop" / "K1.xlsx", complete_results(catalog, "K1"),
                  modified=datetime(2023, 7, 9, 16, 0).astimezone())
    return catalog_path, filled


@pytest.fixture
def workbook(round_files) -> bytes:
    return round_files[1].read_bytes()


def message(*attachments, sender="Đảng bộ Công ty Điện lực <vanphong@dienluc.vn>", subject="Gửi phụ lục sơ kết",
            date: datetime | str | None = SENT, body="Kính gửi Văn phòng Tỉnh ủy, xin gửi phụ lục.") -> EmailMessage:
    """An email as a mail program writes it; each attachment is (bytes, (maintype, subtype), file name)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "vanphong@tinhuy.vn"
    msg["Subject"] = subject
    if date is not None:
        msg["Date"] = date if isinstance(date, str) else format_datetime(date)
    msg.set_content(body)
    for data, (maintype, subtype), name in attachments:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def write_eml(path: Path, msg: email.message.Message) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(msg.as_bytes())
    return path


def write_mbox(path: Path, *messages: email.message.Message) -> Path:
    box = mailbox.mbox(path)
    for msg in messages:
        box.add(msg)
    box.flush()
    box.close()
    return path


def received(inputs, now=NOW, given=None) -> tuple[list[Incoming], list[Issue]]:
    got = list(mail.incoming([Path(p) for p in inputs], now, given))
    return [x for x in got if isinstance(x, Incoming)], [x for x in got if isinstance(x, Issue)]


# --- what a unit sends ----------------------------------------------------------------------------


def test_an_eml_gives_each_attachment_with_the_messages_date_and_sender(tmp_path, workbook):
    path = write_eml(tmp_path / "thu.eml", message((workbook, XLSX, "K1_cong-ty-dien-luc.xlsx"),
                                                   (PDF, ("application", "pdf"), "Báo cáo có chữ ký.pdf")))
    files, issues = received([path])
    assert issues == []
    assert [f.name for f in files] == ["K1_cong-ty-dien-luc.xlsx", "Báo cáo có chữ ký.pdf"]
    assert [f.data for f in files] == [workbook, PDF]
    for f in files:
        assert f.received == SENT.astimezone(UTC) and f.received.tzinfo is not None
        assert f.source == ReceivedSource.EMAIL
        assert f.sender == "vanphong@dienluc.vn"
        assert f.origin == "thu.eml" and f.path is None and f.notes == ()


def test_the_received_workbook_is_still_the_units_valid_appendix(tmp_path, round_files):
    catalog_path, filled = round_files
    path = write_eml(tmp_path / "thu.eml", message((filled.read_bytes(), XLSX, filled.name)))
    [got], _ = received([path])
    out = tmp_path / "nhan" / got.name
    out.parent.mkdir()
    out.write_bytes(got.data)
    result = CliRunner().invoke(main, ["validate", str(catalog_path), str(out), "--format", "json"])
    [checked] = json.loads(result.stdout)["files"]
    assert (checked["unit_code"], checked["status"]) == ("K1", "valid")


def test_a_mailbox_gives_every_messages_attachments_numbered_and_names_a_message_without_one(tmp_path, workbook):
    box = write_mbox(tmp_path / "hop-thu.mbox",
                     message((workbook, XLSX, "K1.xlsx")),
                     message(sender="Huyện ủy Kỳ Anh <vp@kyanh.vn>", subject="Xin gia hạn nộp báo cáo",
                             date=datetime(2023, 7, 8, 14, 5, tzinfo=UTC)),
                     message((PDF, ("application", "pdf"), "D2.pdf"), sender="vp@hongLinh.vn",
                             date=datetime(2023, 7, 11, 1, 0, tzinfo=UTC)))
    files, issues = received([box])
    assert [(f.origin, f.name, f.sender) for f in files] == [
        ("hop-thu.mbox #1", "K1.xlsx", "vanphong@dienluc.vn"), ("hop-thu.mbox #3", "D2.pdf", "vp@hongLinh.vn")]
    assert [f.received for f in files] == [SENT.astimezone(UTC), datetime(2023, 7, 11, 1, 0, tzinfo=UTC)]
    assert files[0].data == workbook and files[1].data == PDF
    [none] = issues
    assert (none.code, none.severity, none.value) == ("email-no-attachments", "warning", "hop-thu.mbox #2")
    text = none.message("vi")
    local = datetime(2023, 7, 8, 14, 5, tzinfo=UTC).astimezone().strftime("%d/%m/%Y %H:%M")
    for said in ("hop-thu.mbox #2", "Xin gia hạn nộp báo cáo", "Huyện ủy Kỳ Anh", "vp@kyanh.vn", local):
        assert said in text, said


def test_a_forwarded_message_gives_the_attachments_inside_it_with_the_units_own_date(tmp_path, workbook):
    original = message((workbook, XLSX, "K1.xlsx"))
    forward = message(sender="Chánh Văn phòng <chanhvp@tinhuy.vn>", subject="Fwd: Gửi phụ lục",
                      date=datetime(2023, 7, 11, 7, 0, tzinfo=UTC), body="Chuyển em nhận.")
    forward.add_attachment(original)  # message/rfc822, as "forward as attachment" sends it
    [got], issues = received([write_eml(tmp_path / "chuyen-tiep.eml", forward)])
    assert issues == []
    assert got.data == workbook and got.name == "K1.xlsx"
    assert (got.received, got.source, got.sender) == (SENT.astimezone(UTC), ReceivedSource.EMAIL, "vanphong@dienluc.vn")


def test_a_forwarded_date_later_than_the_forward_is_not_believed(tmp_path, workbook):
    original = message((workbook, XLSX, "K1.xlsx"), date=datetime(2023, 7, 11, 23, 0, tzinfo=UTC))
    forward = message(subject="Fwd", date=datetime(2023, 7, 11, 7, 0, tzinfo=UTC))
    forward.add_attachment(original)
    [got], _ = received([write_eml(tmp_path / "fwd.eml", forward)])
    assert got.received == datetime(2023, 7, 11, 7, 0, tzinfo=UTC)


# --- the received time ----------------------------------------------------------------------------


def test_a_far_future_date_is_refused_and_the_moment_of_receiving_taken_with_a_note(tmp_path, workbook):
    path = write_eml(tmp_path / "thu.eml", message((workbook, XLSX, "K1.xlsx"),
                                                   date=datetime(2099, 1, 1, tzinfo=UTC)))
    [got], issues = received([path])
    assert issues == []
    assert (got.received, got.source) == (NOW, ReceivedSource.INTAKE)
    [note] = got.notes
    assert (note.code, note.severity) == ("email-date-in-future", "warning")
    assert "thu.eml" in note.message("vi") and "2099" in note.message("en")


def test_a_date_a_minute_ahead_is_a_clock_difference_not_a_forgery(tmp_path, workbook):
    ahead = NOW + timedelta(minutes=2)
    [got], _ = received([write_eml(tmp_path / "thu.eml", message((workbook, XLSX, "K1.xlsx"), date=ahead))])
    assert (got.received, got.source, got.notes) == (ahead, ReceivedSource.EMAIL, ())


@pytest.mark.parametrize("date", [None, "hôm qua", "Mon, 45 Foo 2023 99:99:99 +0700"])
def test_a_missing_or_unreadable_date_takes_the_moment_of_receiving_with_a_note(tmp_path, workbook, date):
    [got], _ = received([write_eml(tmp_path / "thu.eml", message((workbook, XLSX, "K1.xlsx"), date=date))])
    assert (got.received, got.source) == (NOW, ReceivedSource.INTAKE)
    [note] = got.notes
    assert note.code == "email-no-date" and "thu.eml" in note.message("vi")


def test_a_date_without_a_zone_is_read_as_utc(tmp_path, workbook):
    path = write_eml(tmp_path / "thu.eml", message((workbook, XLSX, "K1.xlsx"), date="Mon, 10 Jul 2023 02:30:00 -0000"))
    [got], _ = received([path])
    assert got.received == datetime(2023, 7, 10, 2, 30, tzinfo=UTC)


# --- names ---------------------------------------------------------------------------------------


def raw_email(disposition: bytes, data: bytes = PDF) -> bytes:
    """A message written byte by byte, for the header forms a mail program writes that
    EmailMessage would re-encode (RFC 2047 inside quotes, raw UTF-8)."""
    return (b"From: vp@kyanh.vn\r\nDate: Mon, 10 Jul 2023 09:30:00 +0700\r\nSubject: phu luc\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nxin gui\r\n"
            b"--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: " + disposition + b"\r\n\r\n" + base64.encodebytes(data).replace(b"\n", b"\r\n")
            + b"--b1--\r\n")


def test_vietnamese_names_in_every_encoding_a_mail_program_uses(tmp_path):
    b64 = base64.b64encode(NAME_VI.encode()).decode()
    forms = {
        "rfc2231": message((PDF, XLSX, NAME_VI)).as_bytes(),  # filename*=utf-8''B%C3%A1o…
        "rfc2047": raw_email(f'attachment; filename="=?UTF-8?B?{b64}?="'.encode()),  # Gmail, Outlook
        "rfc2047-q": raw_email(b'attachment; filename="=?utf-8?Q?B=C3=A1o_c=C3=A1o_ph=E1=BB=A5_l=E1=BB=A5c.xlsx?="'),
        "raw-utf8": raw_email(f'attachment; filename="{NAME_VI}"'.encode()),
        "nfd": raw_email(f'attachment; filename="{unicodedata.normalize("NFD", NAME_VI)}"'.encode()),  # a Mac
    }
    for form, raw in forms.items():
        (tmp_path / f"{form}.eml").write_bytes(raw)
        [got], issues = received([tmp_path / f"{form}.eml"])
        assert (got.name, got.data, issues) == (NAME_VI, PDF, []), form


@pytest.mark.parametrize("sent, kept", [
    ("../../etc/passwd", "passwd"),
    ("C:\\evil\\x.xlsx", "x.xlsx"),
    ("..\\..\\Windows\\System32\\K1.xlsx", "K1.xlsx"),
    (".bashrc", "bashrc"),
    ("...", "dinh-kem-1.bin"),
    ("K1\x1b[2J\x07.xlsx", "K1[2J.xlsx"),  # a terminal escape
    ("K1\u202eslx.exe", "K1slx.exe"),  # a right-to-left override hiding ".exe"
    ('K1<>:"|?*.xlsx', "K1_______.xlsx"),
    ("CON.xlsx", "_CON.xlsx"),
    ("  K1  phụ   lục .xlsx. ", "K1 phụ lục .xlsx"),
])
def test_a_hostile_name_becomes_a_plain_file_name(tmp_path, sent, kept):
    msg = message((PDF, ("application", "octet-stream"), sent))
    [got], _ = received([write_eml(tmp_path / "thu.eml", msg)])
    assert got.name == kept
    assert "/" not in got.name and "\\" not in got.name and got.data == PDF


def test_a_long_name_is_cut_keeping_its_ending_and_whole_letters(tmp_path):
    [got], _ = received([write_eml(tmp_path / "thu.eml", message((PDF, XLSX, "Báo cáo " + "ệ" * 300 + ".xlsx")))])
    assert got.name.endswith("ệ.xlsx") and got.name.startswith("Báo cáo ")
    assert len(got.name.encode()) <= mail.MAX_NAME_BYTES


def test_an_attachment_without_a_name_gets_one_from_its_kind(tmp_path, workbook):
    msg = message()
    msg.add_attachment(workbook, maintype=XLSX[0], subtype=XLSX[1])  # disposition attachment, no filename
    [got], _ = received([write_eml(tmp_path / "thu.eml", msg)])
    assert got.name == "dinh-kem-1.xlsx" and got.data == workbook


def test_a_logo_inside_the_html_body_is_not_an_attachment(tmp_path, workbook):
    msg = message((workbook, XLSX, "K1.xlsx"))
    body = next(msg.iter_parts())
    body.add_alternative("<p>Kính gửi <img src='cid:logo'></p>", subtype="html")
    html = list(body.iter_parts())[-1]
    html.add_related(b"\x89PNG\r\n\x1a\n", maintype="image", subtype="png", cid="<logo>", filename="image001.png",
                     disposition="inline")  # as Outlook writes a signature logo
    [got], _ = received([write_eml(tmp_path / "thu.eml", msg)])
    assert got.name == "K1.xlsx"


def test_a_sender_cannot_write_escape_sequences_to_the_terminal(tmp_path):
    msg = message(subject="Phụ lục\x1b]0;owned\x07\x1b[2J", sender="x\x1b[31m@evil.vn")
    _, [issue] = received([write_eml(tmp_path / "thu.eml", msg)])
    assert issue.code == "email-no-attachments"
    assert "\x1b" not in issue.message("vi") and "\x07" not in issue.message("en")


# --- what is not an email -------------------------------------------------------------------------


def test_garbage_named_mbox_or_eml_is_refused_with_the_files_name(tmp_path):
    noise = random.Random(13).randbytes(200_000)
    (tmp_path / "rac.mbox").write_bytes(noise)
    (tmp_path / "trong.mbox").write_bytes(b"")
    (tmp_path / "rong.eml").write_bytes(b"")
    (tmp_path / "rac.eml").write_bytes(b"\x00" + noise)
    (tmp_path / "nhieu.mbox").write_bytes(b"From someone Mon Jul 10 09:30:00 2023\n" + noise.replace(b":", b"."))
    files, issues = received(sorted(tmp_path.iterdir()))
    assert files == []
    assert sorted((i.code, i.value) for i in issues) == [
        ("email-unreadable", "nhieu.mbox #1"), ("email-unreadable", "rac.eml"), ("email-unreadable", "rong.eml"),
        ("mailbox-unreadable", "rac.mbox"), ("mailbox-unreadable", "trong.mbox")]
    for issue in issues:
        assert issue.severity == "error" and issue.value.split(" #")[0] in issue.message("vi")


def test_an_outlook_msg_file_is_named_and_told_how_to_save_it(tmp_path):
    (tmp_path / "thu.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    files, [issue] = received([tmp_path / "thu.msg"])
    assert files == [] and issue.code == "email-msg-format" and ".eml" in issue.message("vi")


# --- the caps -------------------------------------------------------------------------------------


def test_an_oversized_attachment_is_refused_before_it_is_decoded_and_the_rest_received(tmp_path, workbook,
                                                                                       monkeypatch):
    cap = len(workbook) + 10
    monkeypatch.setattr(mail, "MAX_ATTACHMENT_BYTES", cap)
    decoded = []
    real = email.message.Message.get_payload

    def spy(self, i=None, decode=False):
        payload = real(self, i, decode)
        if decode:
            decoded.append(len(payload))
        return payload

    monkeypatch.setattr(email.message.Message, "get_payload", spy)
    big = bytes(range(256)) * (cap // 64)  # four times the cap
    at_cap = b"x" * cap
    over_by_one = b"y" * (cap + 1)
    path = write_eml(tmp_path / "thu.eml", message((big, ("application", "pdf"), "scan.pdf"),
                                                   (workbook, XLSX, "K1.xlsx"),
                                                   (at_cap, ("application", "pdf"), "vua.pdf"),
                                                   (over_by_one, ("application", "pdf"), "qua.pdf")))
    files, issues = received([path])
    assert [(f.name, f.data) for f in files] == [("K1.xlsx", workbook), ("vua.pdf", at_cap)]
    assert [(i.code, i.value) for i in issues] == [("email-attachment-too-large", "scan.pdf"),
                                                   ("email-attachment-too-large", "qua.pdf")]
    assert "thu.eml" in issues[0].message("vi")
    assert max(decoded) <= cap + 1  # the big one never decoded


def test_an_attachment_whose_encoding_is_larger_than_the_cap_but_not_its_bytes_is_received(tmp_path, monkeypatch):
    data = bytes(range(256)) * 40  # quoted-printable writes most of these bytes as =XX: the text is 2-3 times larger
    monkeypatch.setattr(mail, "MAX_ATTACHMENT_BYTES", len(data))
    msg = message()
    msg.add_attachment(data, maintype="application", subtype="pdf", filename="K1.pdf", cte="quoted-printable")
    path = write_eml(tmp_path / "thu.eml", msg)
    assert path.stat().st_size > 2 * len(data)
    [got], issues = received([path])
    assert (got.data, issues) == (data, [])


def test_a_message_over_the_size_cap_is_skipped_and_the_next_one_received(tmp_path, workbook, monkeypatch):
    monkeypatch.setattr(mail, "MAX_MESSAGE_BYTES", 4 * len(workbook))
    box = write_mbox(tmp_path / "hop-thu.mbox", message((workbook * 5, ("application", "pdf"), "to.pdf")),
                     message((workbook, XLSX, "K1.xlsx")))
    eml = write_eml(tmp_path / "to.eml", message((workbook * 5, ("application", "pdf"), "to.pdf")))
    files, issues = received([box, eml])
    assert [(f.origin, f.name, f.data == workbook) for f in files] == [("hop-thu.mbox #2", "K1.xlsx", True)]
    assert [(i.code, i.value) for i in issues] == [("email-too-large", "hop-thu.mbox #1"), ("email-too-large", "to.eml")]
    assert "MB" in issues[0].message("vi")


def test_a_huge_header_is_refused_quickly(tmp_path, workbook):
    # written by hand: EmailMessage itself takes long to fold a header this size
    subject = b"Subject: " + b"\r\n ".join([b"=?utf-8?q?Ph=E1=BB=A5_l=E1=BB=A5c?="] * 15_000) + b"\r\n"  # 500 KB
    path = tmp_path / "thu.eml"
    path.write_bytes(subject + raw_email(b"attachment; filename=K1.xlsx", data=workbook))
    started = time.perf_counter()
    files, [issue] = received([path])
    assert time.perf_counter() - started < 5
    assert files == [] and issue.code == "email-too-large" and "KB" in issue.message("vi")


def test_a_huge_header_inside_a_part_costs_no_time_and_the_file_beside_it_is_received(tmp_path, workbook):
    params = "; ".join(f"x{i}=y" for i in range(150_000))  # 1.3 MB: minutes for email.policy.default
    raw = raw_email(f"attachment; filename=K1.xlsx; {params}".encode(), data=workbook)
    (tmp_path / "thu.eml").write_bytes(raw)
    started = time.perf_counter()
    [got], _ = received([tmp_path / "thu.eml"])
    assert time.perf_counter() - started < 5
    assert (got.name, got.data) == ("K1.xlsx", workbook)


def test_parts_past_the_cap_are_not_read_and_say_so(tmp_path, monkeypatch):
    monkeypatch.setattr(mail, "MAX_PARTS", 5)
    msg = message(*[(PDF, ("application", "pdf"), f"{n}.pdf") for n in range(10)])
    files, [issue] = received([write_eml(tmp_path / "thu.eml", msg)])
    assert 0 < len(files) < 10 and [f.name for f in files] == [f"{n}.pdf" for n in range(len(files))]
    assert issue.code == "email-too-large" and "5" in issue.message("vi")


def test_forwards_nested_past_the_depth_cap_are_not_read_and_say_so(tmp_path, monkeypatch):
    monkeypatch.setattr(mail, "MAX_DEPTH", 4)
    inner = message((PDF, ("application", "pdf"), "sau.pdf"))
    for level in range(3):
        outer = message((PDF, ("application", "pdf"), f"tang-{level}.pdf"))
        outer.add_attachment(inner)
        inner = outer
    files, issues = received([write_eml(tmp_path / "thu.eml", inner)])
    assert [f.name for f in files][:2] == ["tang-2.pdf", "tang-1.pdf"] and "sau.pdf" not in [f.name for f in files]
    assert [i.code for i in issues] == ["email-too-large"]


@pytest.mark.parametrize("depth", [300, 3000])
def test_parts_nested_hundreds_deep_are_refused_not_crashed_on(tmp_path, depth):
    raw = b"From: x@y.vn\nSubject: s\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b0\n\n"
    raw += b"".join(b"--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n" % (n, n + 1) for n in range(depth))
    (tmp_path / "sau.eml").write_bytes(raw)
    files, issues = received([tmp_path / "sau.eml"])
    assert files == [] and issues and {i.code for i in issues} <= {"email-too-large", "email-unreadable"}


def test_a_big_mailbox_is_read_one_message_at_a_time(tmp_path):
    attachment = random.Random(7).randbytes(100_000)

    def peak_reading(count: int) -> int:
        box = write_mbox(tmp_path / f"hop-thu-{count}.mbox",
                         *[message((attachment, ("application", "pdf"), f"{n}.pdf")) for n in range(count)])
        tracemalloc.start()
        try:
            got = sum(isinstance(x, Incoming) and x.data == attachment for x in mail.incoming([box], NOW))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert got == count
        return peak

    few, many = peak_reading(4), peak_reading(24)
    assert many < 1.5 * few, (few, many)  # six times the mail, not six times the memory


# --- files given directly, and folders ------------------------------------------------------------


def test_a_folder_gives_its_files_as_they_are_and_its_emails_opened(tmp_path, workbook):
    inbox = tmp_path / "nhan-ve"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "K1.xlsx").write_bytes(workbook)
    for skipped in ("~$K1.xlsx", ".DS_Store", "manifest.csv"):
        (inbox / skipped).write_bytes(b"x")
    write_eml(inbox / "sub" / "thu.eml", message((PDF, ("application", "pdf"), "K1.pdf")))
    apple = inbox / "Hộp thư đến.mbox"  # Apple Mail's export: a folder holding "mbox"
    apple.mkdir()
    write_mbox(apple / "mbox", message((PDF, ("application", "pdf"), "D1.pdf")))
    (apple / "table_of_contents").write_bytes(b"\x00\x01")
    files, issues = received([inbox])
    assert issues == []
    by_name = {f.name: f for f in files}
    assert sorted(by_name) == ["D1.pdf", "K1.pdf", "K1.xlsx"]
    direct = by_name["K1.xlsx"]
    assert (direct.path, direct.data, direct.received, direct.source) == (inbox / "K1.xlsx", None, NOW,
                                                                          ReceivedSource.INTAKE)
    assert by_name["D1.pdf"].origin == "mbox #1" and by_name["K1.pdf"].source == ReceivedSource.EMAIL


def test_a_file_given_directly_takes_the_clerks_time(tmp_path, workbook):
    (tmp_path / "K1.xlsx").write_bytes(workbook)
    given = datetime(2023, 7, 10, 16, 45, tzinfo=timezone(timedelta(hours=7)))
    [got], _ = received([tmp_path / "K1.xlsx"], given=given)
    assert (got.received, got.source, got.name) == (datetime(2023, 7, 10, 9, 45, tzinfo=UTC),
                                                    ReceivedSource.GIVEN, "K1.xlsx")
    assert got.received.tzinfo == UTC


# --- the clerk's --received-at --------------------------------------------------------------------


@pytest.fixture
def in_vietnam(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("typed, utc", [
    ("10/07/2023 09:30", datetime(2023, 7, 10, 2, 30, tzinfo=UTC)),
    ("  1/7/2023 9:05 ", datetime(2023, 7, 1, 2, 5, tzinfo=UTC)),
    ("10-07-2023 16h45", datetime(2023, 7, 10, 9, 45, tzinfo=UTC)),
    ("10/07/2023", datetime(2023, 7, 9, 17, 0, tzinfo=UTC)),  # the day alone: its first minute
])
def test_received_at_is_local_time_as_utc(in_vietnam, typed, utc):
    assert mail.parse_received_at(typed) == utc


@pytest.mark.parametrize("typed", ["", "hôm qua", "2023-07-10 09:30", "31/02/2023 09:00", "10/07/23", "10/07/2023 25:00",
                                   "10/07/2023 09:30 tối"])
def test_received_at_that_does_not_parse_is_refused_with_a_message(typed):
    with pytest.raises(ReceivedAtError) as refused:
        mail.parse_received_at(typed)
    assert isinstance(refused.value, ConsolidatorError) and refused.value.key == "err_received_at"
    assert f"'{typed}'" in refused.value.message("vi") and "10/07/2023 09:30" in refused.value.message("en")


def test_received_at_in_the_future_is_refused(in_vietnam):
    with pytest.raises(ReceivedAtError) as refused:
        mail.parse_received_at("12/07/2023 15:30", now=NOW)  # 08:30 UTC, half an hour after NOW
    assert refused.value.key == "err_received_at_future" and "12/07/2023 15:30" in refused.value.message("vi")
    assert mail.parse_received_at("12/07/2023 15:00", now=NOW) == NOW
