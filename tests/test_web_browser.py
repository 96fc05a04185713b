"""The web page in a real browser (issue 14): Debian's chromium driven by Playwright, against
`consolidator serve` started as a command on a free port. The two journeys end to end, and
the pages at a phone's size. Skipped with a message where chromium or playwright is absent
(.ci/run installs chromium)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from .conftest import small_catalog
from .webround import PASSWORD, cli, filled, link_path, make_round

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - the skip below says why
    sync_playwright = None

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason="chromium is not installed (Debian package chromium; .ci/run installs it)"),
    pytest.mark.skipif(sync_playwright is None, reason="the playwright package is not installed (pip install -e .[test])"),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A round whose deadline is a month away, served by `consolidator serve --port 0`, its
    links made for the address the server printed."""
    base = tmp_path_factory.mktemp("browser")
    catalog = small_catalog()
    catalog = replace(catalog, round=replace(catalog.round, deadline=date.today() + timedelta(days=30)))
    folder = make_round(base / "dot", catalog=catalog)
    server = subprocess.Popen([sys.executable, "-m", "consolidator", "serve", str(folder), "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONWARNINGS": "ignore"})
    try:
        line = server.stdout.readline()
        url = re.search(r"(http://[\d.]+:\d+)/office", line).group(1)
        assert cli("generate", folder, "--base-url", url).exit_code == 0
        yield folder, url, base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")), executable_path=CHROMIUM, headless=True, args=ARGS,
            accept_downloads=True, viewport=PHONE)
        # generous: the suite runs on both cores beside this browser, and a consolidation
        # answers in about a second alone but several when the machine is busy
        context.set_default_timeout(30_000)
        expect.set_options(timeout=30_000)
        yield context
        context.close()


def test_a_unit_uploads_a_mistake_sees_the_cell_downloads_the_copy_and_sends_it_right(served, browser):
    folder, url, base = served
    page = browser.new_page()
    page.goto(url + link_path(folder, "D1"))
    expect(page.locator("h1")).to_have_text("Huyện Kỳ Anh")
    page.get_by_label("Tệp phụ lục đã điền (Excel)").set_input_files(
        str(filled(folder, "D1", base / "sai" / "D1.xlsx", RUNG="khoảng 50")))
    page.get_by_role("button", name="Gửi tệp").click()
    expect(page.locator(".verdict h2")).to_have_text("Tệp cần sửa")
    row = page.locator("table.issues tr", has_text="khoảng 50")
    expect(row.locator("td.cell")).to_have_text(re.compile(r"^E\d+$"))
    expect(row).to_contain_text("Hãy nhập một số")
    page.screenshot(path=str(base / "unit-phone.png"), full_page=True)
    with page.expect_download() as caught:
        page.get_by_role("link", name="Tải bản có đánh dấu các ô cần sửa").click()
    copy = base / "ban-sua.xlsx"
    caught.value.save_as(copy)
    assert openpyxl.load_workbook(copy).sheetnames[0] == "Cần sửa"
    chooser = page.get_by_label("Tệp phụ lục đã điền (Excel)")
    chooser.set_input_files(str(filled(folder, "D1", base / "dung" / "D1.xlsx", RUNG=41.6)))
    chooser.focus()
    page.keyboard.press("Tab")  # from the file input to the button, and send with the keyboard
    expect(page.get_by_role("button", name="Gửi tệp")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".verdict h2")).to_have_text("Tệp hợp lệ")
    expect(page.locator(".receipt")).to_contain_text("Số biên nhận 2")
    expect(page.get_by_role("row", name=re.compile("^RUNG "))).to_contain_text("41,6")
    _keep(base / "unit-phone.png", "trang-don-vi.png")


def test_the_office_logs_in_receives_an_email_consolidates_downloads_and_logs_out(served, browser):
    folder, url, base = served
    page = browser.new_page()
    page.goto(url + "/office")
    expect(page.locator("h1")).to_have_text("Đăng nhập văn phòng")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(small_catalog().round.title)
    d1 = page.locator("table.units tr", has_text="Huyện Kỳ Anh")
    expect(d1).to_contain_text("hợp lệ")
    expect(d1).to_contain_text("Đúng hạn")
    page.screenshot(path=str(base / "office-phone.png"), full_page=True)
    page.get_by_role("link", name="Nhận tệp qua thư").click()
    page.get_by_label("Các tệp").set_input_files(str(filled(folder, "K1", base / "thu" / "K1.xlsx")))
    page.get_by_label("Thời điểm nhận").fill(date.today().strftime("%d/%m/%Y") + " 08:30")
    page.get_by_role("button", name="Nhận các tệp").click()
    expect(page.locator(".receipts")).to_contain_text("K1 · K1.xlsx · hợp lệ")
    page.get_by_role("link", name="Tổng hợp và tải về").click()
    page.get_by_role("button", name="Tổng hợp ngay").click()
    expect(page.locator(".note")).to_contain_text("2/5 đơn vị có tệp hợp lệ")
    with page.expect_download() as caught:
        page.get_by_role("link", name="Bảng tổng hợp (tong-hop.xlsx)").click()
    workbook = base / "tong-hop.xlsx"
    caught.value.save_as(workbook)
    wb = openpyxl.load_workbook(workbook)
    submitted = wb["Tình hình nộp"]
    cells = [str(c.value) for row in submitted.iter_rows() for c in row if c.value is not None]
    assert any("Huyện Kỳ Anh" in c for c in cells) and any("Đảng bộ Công ty Điện lực" in c for c in cells)
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.locator("h1")).to_have_text("Đăng nhập văn phòng")
    page.goto(url + "/office")
    expect(page.locator("h1")).to_have_text("Đăng nhập văn phòng")
    _keep(base / "office-phone.png", "trang-van-phong.png")


def _keep(png: Path, name: str) -> None:
    """The screenshots for docs/, when asked for (CONSOLIDATOR_SCREENSHOTS=docs/anh)."""
    target = os.environ.get("CONSOLIDATOR_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(target) / name)
