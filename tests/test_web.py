"""The web page (issue 14) through Starlette's in-process client: what a unit and the office
see and can do, and each point of the security list."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import shutil
import sqlite3
import subprocess
import sys
import threading
import zipfile
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import anyio
import openpyxl
import pytest
from starlette.testclient import TestClient

from consolidator import store as store_module
from consolidator.store import _MIGRATIONS, SCHEMA_VERSION, Store, _statements
from consolidator.web.app import make_app
from consolidator.web.guard import RateLimits

from .conftest import small_catalog, write_catalog
from .webround import PASSWORD, cli, csrf_of, filled, link_path, make_round, manifest, text_of


@pytest.fixture(scope="session")
def round_made(tmp_path_factory) -> Path:
    return make_round(tmp_path_factory.mktemp("web") / "dot-2023")


@pytest.fixture
def round_dir(round_made, tmp_path) -> Path:
    """A copy of one round made by the commands (generate with links, the password set): each test its own."""
    return Path(shutil.copytree(round_made, tmp_path / "dot-2023"))


@pytest.fixture
def client(round_dir) -> TestClient:
    return TestClient(make_app(round_dir))


def upload(client: TestClient, path: str, file: Path | bytes, name: str | None = None,
           content_type: str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
    page = client.get(path)
    data = file if isinstance(file, bytes) else file.read_bytes()
    return client.post(path, data={"csrf": csrf_of(page.text)},
                       files={"file": (name or (file.name if isinstance(file, Path) else "x.xlsx"), data,
                                       content_type)})


def logged_in(client: TestClient) -> TestClient:
    page = client.get("/office/login")
    answer = client.post("/office/login", data={"csrf": csrf_of(page.text), "password": PASSWORD},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def office_csrf(client: TestClient) -> str:
    return csrf_of(client.get("/office").text)


# --- a unit's page ---------------------------------------------------------------------------------


def test_a_unit_sees_its_name_the_deadline_and_the_upload_form_and_nothing_of_another(client, round_dir):
    page = client.get(link_path(round_dir, "D1"))
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Huyện Kỳ Anh" in text and "10/07/2023" in text and "Gửi tệp" in text
    assert '<label for="file">' in page.text and 'type="file"' in page.text
    for other in ("Thị xã Hồng Lĩnh", "D2", "Đảng bộ Công ty Điện lực", "K1"):
        assert other not in text


def test_an_upload_with_a_mistake_shows_the_cell_what_to_do_and_a_copy_that_marks_it(client, round_dir, tmp_path):
    path = link_path(round_dir, "D1")
    answer = upload(client, path, filled(round_dir, "D1", tmp_path / "D1.xlsx", RUNG="khoảng 50"))
    assert answer.status_code == 200
    text = text_of(answer.text)
    assert "Tệp cần sửa" in text and "khoảng 50" in text and "Hãy nhập một số" in text
    cell = next(line for line in answer.text.split("<tr") if "khoảng 50" in line)
    assert '<td class="cell">E' in cell  # the cell to fix, by its reference
    assert "Số biên nhận 1" in text
    copy = client.get(f"{path}/copy/1")
    assert copy.status_code == 200 and "attachment" in copy.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(copy.content))
    assert wb.sheetnames[0] == "Cần sửa"
    assert any("khoảng 50" in str(c.value) for row in wb["Cần sửa"].iter_rows() for c in row)


def test_a_corrected_upload_is_valid_with_its_figures_its_receipt_and_the_history(client, round_dir, tmp_path):
    path = link_path(round_dir, "D1")
    upload(client, path, filled(round_dir, "D1", tmp_path / "a" / "D1.xlsx", RUNG="khoảng 50"))
    answer = upload(client, path, filled(round_dir, "D1", tmp_path / "b" / "D1.xlsx", RUNG=41.6))
    text = text_of(answer.text)
    assert "Tệp hợp lệ" in text and "Biên nhận Số biên nhận 2 · nhận lúc" in text
    figures = answer.text.split('class="figures"')[1].split("</table>")[0]
    rung = next(row for row in figures.split("<tr>") if "RUNG" in row)
    assert "41,6" in rung and "52" in rung  # the figure read back beside the target
    history = text_of(answer.text.split('id="history-h"')[1])
    assert history.index("2 ") < history.index("1 ") and "bản được tính" in history and "đã thay" in history


def test_another_units_file_at_a_link_is_refused_and_logged_for_the_office(client, round_dir, tmp_path):
    answer = upload(client, link_path(round_dir, "D1"), filled(round_dir, "D2", tmp_path / "D2.xlsx"))
    text = text_of(answer.text)
    assert "[file-for-another-unit]" in text and "đơn vị khác" in text
    assert "Thị xã Hồng Lĩnh" not in text and "D2" not in text.replace("D2.xlsx", "")
    db = sqlite3.connect(round_dir / "round.db")
    assert db.execute("SELECT count(*) FROM submission").fetchone()[0] == 0
    unit, detail = db.execute("SELECT unit_code, detail FROM event WHERE kind = 'refused'").fetchone()
    assert unit == "D1" and json.loads(detail)["file_unit"] == "D2"
    assert json.loads(detail)["code"] == "file-for-another-unit"
    office = text_of(logged_in(client).get("/office/unit/D1").text)
    assert "từ chối tệp của đơn vị khác" in office and "D2" in office
    # the same bytes, received first for D2 and then sent at D1's link, are refused too
    upload(client, link_path(round_dir, "D2"), tmp_path / "D2.xlsx")
    again = text_of(upload(client, link_path(round_dir, "D1"), tmp_path / "D2.xlsx").text)
    assert "[file-for-another-unit]" in again and "biên nhận 1" not in again


def test_a_blank_appendix_is_there_to_download_again(client, round_dir):
    answer = client.get(link_path(round_dir, "K1") + "/appendix")
    assert answer.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert "Hướng dẫn" in wb.sheetnames


# --- links ---------------------------------------------------------------------------------------


def test_the_link_is_in_the_manifest_and_on_the_instructions_sheet_and_regenerating_replaces_it(round_dir):
    before = manifest(round_dir)
    assert all(row["upload_url"].startswith("http://testserver/u/") for row in before.values())
    assert len({row["upload_url"] for row in before.values()}) == len(before)
    wb = openpyxl.load_workbook(round_dir / "phu-luc" / before["D1"]["file"])
    assert any(before["D1"]["upload_url"] in str(c.value) for c in wb["Hướng dẫn"]["A"])
    client = TestClient(make_app(round_dir))
    old = link_path(round_dir, "D1")
    assert client.get(old).status_code == 200
    assert cli("generate", round_dir, "--unit", "D1", "--base-url", "http://testserver").exit_code == 0
    new = link_path(round_dir, "D1")
    assert new != old
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200
    assert client.get(before["D2"]["upload_url"].replace("http://testserver", "")).status_code == 200


def test_base_url_needs_a_round_folder_and_a_whole_address(round_dir, tmp_path):
    bad = cli("generate", round_dir, "--base-url", "soket.vn")
    assert bad.exit_code == 2 and "http://" in bad.output
    catalog_only = cli("generate", round_dir / "catalog.xlsx", "-o", tmp_path / "out", "--base-url", "http://x.vn")
    assert catalog_only.exit_code == 2 and "consolidator init" in catalog_only.output


# --- security --------------------------------------------------------------------------------------


def test_a_wrong_or_absent_token_gets_the_same_404_as_a_page_that_does_not_exist(client, round_dir):
    real = link_path(round_dir, "D1")
    answers = [client.get(p) for p in ("/u/" + "A" * 43, "/u/", real[:-1], real + "x", "/khong-co-trang-nay")]
    assert {a.status_code for a in answers} == {404}
    assert len({a.text for a in answers}) == 1
    assert client.post("/u/" + "A" * 43, files={"file": ("a.xlsx", b"x")}).status_code == 404


def test_unit_tokens_are_kept_only_as_hashes(round_dir):
    token = link_path(round_dir, "D1").rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 random bits
    raw = b"".join(p.read_bytes() for p in round_dir.glob("round.db*"))
    assert token.encode() not in raw
    assert hashlib.sha256(token.encode()).hexdigest().encode() in raw


def test_tokens_are_compared_in_constant_time(round_dir, monkeypatch):
    compared = []
    real = hmac.compare_digest
    monkeypatch.setattr(store_module.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    assert TestClient(make_app(round_dir)).get(link_path(round_dir, "K2")).status_code == 200
    assert compared and all(len(a) == len(b) == 64 for a, b in compared)


def test_rate_limits_per_address_and_per_token(round_dir, tmp_path):
    client = TestClient(make_app(round_dir, limits=RateLimits(per_address=5, per_token=2, logins=3)))
    guesses = [client.get("/u/" + f"{n:043d}").status_code for n in range(6)]
    assert guesses == [404] * 5 + [429]
    assert client.get(link_path(round_dir, "D1")).status_code == 429  # the same address, a real link
    other = TestClient(make_app(round_dir, limits=RateLimits(per_address=100, per_token=2)),
                       client=("10.0.0.9", 5000))
    path = link_path(round_dir, "K1")
    statuses = [upload(other, path, filled(round_dir, "K1", tmp_path / f"{n}" / "K1.xlsx", DANGVIEN=n + 1))
                .status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert other.get(link_path(round_dir, "K2")).status_code == 200  # another link is not held up
    logins = [client.post("/office/login", data={"password": "sai"}).status_code for _ in range(4)]
    assert logins[-1] == 429


def test_the_office_session_cookie_is_httponly_samesite_strict_and_secure_over_https(round_dir):
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        client = TestClient(make_app(round_dir), base_url=base)
        page = client.get("/office/login")
        answer = client.post("/office/login", data={"csrf": csrf_of(page.text), "password": PASSWORD},
                             follow_redirects=False)
        cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith("phien="))
        flags = [part.strip().lower() for part in cookie.split(";")]
        assert "httponly" in flags and "samesite=strict" in flags
        assert ("secure" in flags) is secure


def test_a_wrong_password_does_not_log_in(client):
    page = client.get("/office/login")
    answer = client.post("/office/login", data={"csrf": csrf_of(page.text), "password": "khong-phai"})
    assert answer.status_code == 401 and "Mật khẩu không đúng" in text_of(answer.text)
    assert client.get("/office", follow_redirects=False).headers["location"] == "/office/login"


def test_every_form_carries_a_csrf_token_and_a_post_without_it_is_refused(client, round_dir, tmp_path):
    unit_page = client.get(link_path(round_dir, "D1")).text
    assert 'name="csrf"' in unit_page
    file = filled(round_dir, "D1", tmp_path / "D1.xlsx")
    for sent in ({}, {"csrf": "0" * 64}):
        answer = client.post(link_path(round_dir, "D1"), data=sent, files={"file": ("D1.xlsx", file.read_bytes())})
        assert answer.status_code == 403 and "mã bảo vệ biểu mẫu" in text_of(answer.text)
    # a unit's token does not do for another unit's form
    k1_csrf = csrf_of(client.get(link_path(round_dir, "K1")).text)
    assert client.post(link_path(round_dir, "D1"), data={"csrf": k1_csrf},
                       files={"file": ("D1.xlsx", file.read_bytes())}).status_code == 403
    assert client.post("/office/login", data={"password": PASSWORD}).status_code == 403
    logged_in(client)
    for page in ("/office", "/office/receive", "/office/downloads"):
        forms = client.get(page).text.count("<form")
        assert forms and client.get(page).text.count('name="csrf"') == forms
    assert client.post("/office/consolidate", data={"csrf": "x"}).status_code == 403
    assert client.post("/office/receive", data={"csrf": "x"}, files={"files": ("D1.xlsx", file.read_bytes())}
                       ).status_code == 403
    assert client.post("/office/logout", data={}).status_code == 403
    assert not (round_dir / "tong-hop.xlsx").exists()
    assert sqlite3.connect(round_dir / "round.db").execute("SELECT count(*) FROM submission").fetchone()[0] == 0


def test_logout_ends_the_session(client):
    logged_in(client)
    assert client.get("/office").status_code == 200
    cookie = client.cookies.get("phien")
    answer = client.post("/office/logout", data={"csrf": office_csrf(client)}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/office/login"
    assert client.get("/office", follow_redirects=False).status_code == 303
    client.cookies.set("phien", cookie)  # the old cookie sent again does not bring the session back
    assert client.get("/office", follow_redirects=False).headers["location"] == "/office/login"


def test_the_upload_is_capped_while_it_streams(client, round_dir):
    app = client.app
    app.state.web.max_file = 64 * 1024
    path = link_path(round_dir, "D1")
    csrf = csrf_of(client.get(path).text)
    boundary = "b0undary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n--{boundary}\r\n'
            'Content-Disposition: form-data; name="file"; filename="D1.xlsx"\r\n\r\n').encode()
    pulled = []

    async def receive():  # 10 MiB offered a chunk at a time, with no Content-Length to refuse by
        pulled.append(1)
        if len(pulled) == 1:
            return {"type": "http.request", "body": head, "more_body": True}
        return {"type": "http.request", "body": b"\0" * 65536, "more_body": len(pulled) < 160}

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [(b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
                         (b"host", b"testserver")],
             "client": ("127.0.0.1", 5000), "server": ("testserver", 80), "scheme": "http", "root_path": "",
             "http_version": "1.1", "app": app}
    anyio.run(app, scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 413
    assert len(pulled) < 25  # it stopped reading soon after the cap (64 KiB + 1 MiB of form), not at 10 MiB
    declared = client.post(path, content=b"x", headers={"content-type": f"multipart/form-data; boundary={boundary}",
                                                         "content-length": str(50 * 2 ** 20)})
    assert declared.status_code == 413 and "quá lớn" in text_of(declared.text)
    assert not list((round_dir / "submissions").rglob("D1.xlsx"))
    assert not [p for p in (round_dir / ".web" / "uploads").iterdir()]  # nothing left of it


def test_a_file_just_over_the_cap_is_named_on_the_page_and_not_received(client, round_dir):
    client.app.state.web.max_file = 64 * 1024
    answer = upload(client, link_path(round_dir, "D1"), b"\0" * (200 * 1024), name="D1.xlsx")
    assert answer.status_code == 413 and "[file-too-large]" in text_of(answer.text)
    assert sqlite3.connect(round_dir / "round.db").execute("SELECT count(*) FROM submission").fetchone()[0] == 0


def test_the_browsers_file_name_is_never_a_path_and_its_content_type_is_ignored(client, round_dir, tmp_path):
    good = filled(round_dir, "D1", tmp_path / "D1.xlsx")
    answer = upload(client, link_path(round_dir, "D1"), good, name="../../../../etc/D1<b>.xlsx",
                    content_type="text/html")
    assert "Tệp hợp lệ" in text_of(answer.text)  # sniffed as a workbook whatever the browser said
    stored = list((round_dir / "submissions").rglob("*.xlsx"))
    assert len(stored) == 1 and stored[0].parent.parent == round_dir / "submissions"
    assert stored[0].name == "D1_b_.xlsx"
    pdf = upload(client, link_path(round_dir, "D2"), b"%PDF-1.4 not a workbook", name="D2.xlsx",
                 content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "[file-not-workbook]" in text_of(pdf.text)


def test_headers_forbid_inline_script_framing_and_sniffing(client, round_dir):
    for path in (link_path(round_dir, "D1"), "/office/login", "/nothing-here", "/static/style.css",
                 link_path(round_dir, "D1") + "/appendix"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src" not in csp and "default-src 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"
    assert "<script" not in client.get(link_path(round_dir, "D1")).text


def test_text_a_unit_typed_is_shown_as_text(client, round_dir, tmp_path):
    answer = upload(client, link_path(round_dir, "D1"),
                    filled(round_dir, "D1", tmp_path / "D1.xlsx", RUNG="<script>alert(1)</script>"),
                    name="<img src=x onerror=alert(1)>.xlsx")
    assert "<script>alert(1)" not in answer.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text
    assert "<img src=x" not in answer.text
    assert "<script>alert(1)</script>" in text_of(answer.text)  # and the unit still reads what it typed


def test_a_units_files_download_only_for_that_unit_or_the_office(client, round_dir, tmp_path):
    upload(client, link_path(round_dir, "D1"), filled(round_dir, "D1", tmp_path / "D1.xlsx", RUNG="khoảng"))
    assert client.get(link_path(round_dir, "D1") + "/copy/1").status_code == 200
    assert client.get(link_path(round_dir, "D2") + "/copy/1").status_code == 404
    assert client.get("/office/copy/1", follow_redirects=False).headers["location"] == "/office/login"
    assert client.get("/office/file/1", follow_redirects=False).status_code == 303
    logged_in(client)
    assert client.get("/office/copy/1").status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(client.get("/office/file/1").content))


# --- the office ------------------------------------------------------------------------------------


def test_the_office_sees_the_round_at_a_glance(client, round_dir, tmp_path):
    upload(client, link_path(round_dir, "D1"), filled(round_dir, "D1", tmp_path / "D1.xlsx"))
    upload(client, link_path(round_dir, "D2"), filled(round_dir, "D2", tmp_path / "D2.xlsx", GRDP="tám"))
    cli("receive", round_dir, filled(round_dir, "K1", tmp_path / "K1.xlsx"), "--received-at", "12/07/2023 09:00")
    assert client.get("/office", follow_redirects=False).status_code == 303
    page = logged_in(client).get("/office")
    rows = {cells[0]: cells for cells in
            ([text_of("<td" + td) for td in row.split("<td")[1:]] for row in page.text.split("<tr")[1:]) if cells}
    assert rows["D1"][2] == "hợp lệ" and rows["D2"][2] == "có lỗi" and rows["K2"][2] == "chưa nộp"
    assert rows["K1"][3] == "Trễ hạn" and rows["K1"][4] == "12/07/2023 09:00"
    text = text_of(page.text)
    # D1 uploaded today, after the 2023 deadline: valid but late, as K1
    assert "Tỷ lệ đầy đủ 40,0% (2/5)" in text and "Tỷ lệ đúng hạn 0,0% (0/5)" in text  # P reports too
    assert "Hạn nộp 10/07/2023 (đã quá hạn" in text
    unit = text_of(client.get("/office/unit/D2").text)
    assert "tám" in text_of(client.get("/office/unit/D2").text) and "Hãy nhập một số" in unit


def test_the_office_receives_several_emailed_files_with_their_time(client, round_dir, tmp_path):
    logged_in(client)
    files = [("files", (f"{u}.xlsx", filled(round_dir, u, tmp_path / f"{u}.xlsx").read_bytes(), "x/y"))
             for u in ("K1", "K2")]
    answer = client.post("/office/receive", data={"csrf": office_csrf(client), "received_at": "09/07/2023 08:15"},
                         files=files)
    text = text_of(answer.text)
    assert answer.status_code == 200 and "K1 · K1.xlsx · hợp lệ" in text and "K2 · K2.xlsx · hợp lệ" in text
    overview = text_of(client.get("/office").text)
    assert "09/07/2023 08:15" in overview
    bad = client.post("/office/receive", data={"csrf": office_csrf(client), "received_at": "hôm qua"}, files=files)
    assert bad.status_code == 400 and "không đọc được thời điểm" in text_of(bad.text)


def test_the_office_consolidates_and_downloads_everything(client, round_dir, tmp_path):
    for unit in ("D1", "D2", "K1"):
        upload(client, link_path(round_dir, unit), filled(round_dir, unit, tmp_path / f"{unit}.xlsx"))
    upload(client, link_path(round_dir, "K2"), filled(round_dir, "K2", tmp_path / "K2.xlsx", DANGVIEN="mười"))
    logged_in(client)
    assert "Chưa có số liệu tổng hợp" in text_of(client.get("/office/summary").text)
    answer = client.post("/office/consolidate", data={"csrf": office_csrf(client)})
    assert answer.status_code == 200 and "3/5 đơn vị có tệp hợp lệ" in text_of(answer.text)  # P has not sent
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/office/download/tong-hop.xlsx").content))
    assert "Tổng hợp" in wb.sheetnames
    table = client.get("/office/download/du-lieu.csv").content.decode("utf-8-sig")
    assert table.splitlines()[0].startswith("round_id,unit_code")
    received = zipfile.ZipFile(io.BytesIO(client.get("/office/download/phu-luc-da-nhan.zip").content))
    assert sorted(n.split("/")[0] for n in received.namelist()) == ["D1", "D2", "K1", "K2"]
    copies = zipfile.ZipFile(io.BytesIO(client.get("/office/download/ban-sua.zip").content))
    assert [n.split("_")[0] for n in copies.namelist()] == ["K2"]
    summary = text_of(client.get("/office/summary").text)
    assert "Tốc độ tăng trưởng GRDP bình quân" in summary and "Kết nạp đảng viên mới" in summary
    charts = client.get("/office/charts").text
    assert charts.count('<rect class="bar') >= 5 and "<svg" in charts
    assert client.get("/office/low").status_code == 200
    assert client.get("/office/download/../round.db").status_code == 404
    assert client.get("/office/download/round.db").status_code == 404


def test_the_page_and_the_command_line_on_one_round_at_once(round_dir, tmp_path):
    client = TestClient(make_app(round_dir))
    inbox = tmp_path / "thu"
    for n in range(6):
        filled(round_dir, "K1", inbox / f"K1-{n}.xlsx", DANGVIEN=100 + n)
    uploads = [filled(round_dir, "D1", tmp_path / f"web{n}" / "D1.xlsx", DANGVIEN=200 + n) for n in range(6)]
    receive = subprocess.Popen([sys.executable, "-m", "consolidator", "receive", str(round_dir), str(inbox)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    statuses = []
    thread = threading.Thread(target=lambda: statuses.extend(
        upload(client, link_path(round_dir, "D1"), f).status_code for f in uploads))
    thread.start()
    out, err = receive.communicate(timeout=120)
    thread.join(timeout=120)
    assert receive.returncode == 0, err
    assert statuses == [200] * 6
    db = sqlite3.connect(round_dir / "round.db")
    counts = dict(db.execute("SELECT unit_code, count(*) FROM submission GROUP BY unit_code"))
    assert counts == {"K1": 6, "D1": 6}
    assert db.execute("SELECT count(*) FROM event WHERE kind = 'received'").fetchone()[0] == 12
    assert cli("check", round_dir).exit_code == 0


# --- the store and the command ---------------------------------------------------------------------


def test_a_version_1_store_migrates_to_version_2_keeping_what_it_had(tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    db = sqlite3.connect(folder / "round.db")
    for statement in _statements(_MIGRATIONS[0]):  # a store as the tool of issue 13 made it
        db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO event (at, actor, kind) VALUES ('2023-07-01T00:00:00+00:00', 'office:x', 'catalog')")
    db.commit()
    db.close()
    with Store.open(folder) as store:
        assert store.schema_version == SCHEMA_VERSION == 2
        assert [e.kind for e in store.events()] == ["catalog"]
        assert store.unit_of_link("0" * 64) is None and store.password() is None
        store.record_appendices(1, [], "office:x", {"D1": "a" * 64})
        assert store.unit_of_link("a" * 64) == "D1"
    assert sqlite3.connect(folder / "round.db").execute("PRAGMA user_version").fetchone()[0] == 2


def test_set_password_reads_a_line_refuses_a_short_one_and_serve_needs_one(tmp_path):
    folder = tmp_path / "r"
    assert cli("init", folder).exit_code == 0
    write_catalog(small_catalog(), folder / "catalog.xlsx")
    without = cli("serve", folder)
    assert without.exit_code == 2 and "--set-password" in without.output
    short = cli("serve", folder, "--set-password", input="ngan\n")
    assert short.exit_code == 2 and "8" in short.output
    assert cli("serve", folder, "--set-password", input="mot-mat-khau-dai\n").exit_code == 0
    row = sqlite3.connect(folder / "round.db").execute("SELECT scheme, n, r, p, length(salt), hash "
                                                       "FROM office_password").fetchone()
    assert row[:5] == ("scrypt", 2 ** 15, 8, 1, 16) and b"mot-mat-khau-dai" not in row[5]


def test_the_office_receives_a_saved_email_at_its_date_and_downloads_the_reminders(client, round_dir, tmp_path):
    message = EmailMessage()
    message["From"] = "Văn phòng Đảng ủy Công ty <vp@dienluc.vn>"
    message["Subject"] = "Gửi phụ lục sơ kết"
    message["Date"] = format_datetime(datetime(2023, 7, 9, 1, 15, tzinfo=timezone.utc))
    message.set_content("Kính gửi Văn phòng, đơn vị gửi kèm phụ lục.")
    message.add_attachment(filled(round_dir, "K1", tmp_path / "K1.xlsx").read_bytes(), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename="K1.xlsx")
    logged_in(client)
    answer = client.post("/office/receive", data={"csrf": office_csrf(client)},
                         files={"files": ("thu-K1.eml", message.as_bytes(), "message/rfc822")})
    assert "K1 · K1.xlsx (thu-K1.eml) · hợp lệ" in text_of(answer.text)
    k1 = text_of(client.get("/office/unit/K1").text)
    assert "giờ gửi thư" in k1 and "vp@dienluc.vn" in k1
    overview = client.get("/office").text
    k1_row = text_of(next(row for row in overview.split("<tr") if ">K1<" in row))
    assert "Đúng hạn" in k1_row  # by the email's Date, before the deadline, not by today
    reminders = zipfile.ZipFile(io.BytesIO(client.get("/office/download/nhac-nho.zip").content))
    names = reminders.namelist()
    assert "danh-sach-nhac.xlsx" in names and any(n.startswith("K2_") and n.endswith(".eml") for n in names)
    assert not any(n.startswith("K1_") for n in names)  # K1 sent a valid file: not chased
