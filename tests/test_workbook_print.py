"""The consolidated workbook as it prints: the demo round rendered to PDF by LibreOffice, read back.

Skipped with a message when LibreOffice or poppler's pdftotext is missing. Text is compared
with its spaces removed: pdftotext splits a word where a glyph comes from a fallback font.
"""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest

from consolidator.write import sheet_names, words

from .office import needs_libreoffice

PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (Debian package poppler-utils) is not installed")


def _squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def printed(demo_printed):
    """(the demo's consolidated workbook, its PDF's pages as text without spaces)."""
    book, pdf = demo_printed["tong-hop"]
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return book, pdf, [_squeezed(page) for page in text.split("\f")]


def _page_of(pages: list[str], text: str, last: bool = False) -> int:
    """The first page holding `text`; with `last`, the last one (LibreOffice also draws a chart
    that starts a page, clipped away, on the page before, where pdftotext finds its text)."""
    needle = _squeezed(text)
    found = [n for n, page in enumerate(pages) if needle in page]
    return found[-1] if last else found[0]


@needs_libreoffice
@needs_pdftotext
def test_no_helper_data_is_printed_between_the_charts_and_the_info_sheet(printed):
    _, _, pages = printed
    w = words("vi")
    chart1 = _page_of(pages, w["chart_pct_title"].split(" – ")[0])
    chart2 = _page_of(pages, w["chart_status_title"], last=True)
    info = _page_of(pages, w["info_title"])
    assert (chart2, info) == (chart1 + 1, chart1 + 2)  # a page a chart, then the info sheet


@needs_libreoffice
@needs_pdftotext
def test_every_chart_label_is_printed(printed):
    book, _, pages = printed
    wb = openpyxl.load_workbook(book)
    w = words("vi")
    data = wb[sheet_names("vi")["chart_data"]]
    labels = [r[0] for r in data.iter_rows(min_row=2, values_only=True)]
    split = labels.index(None)
    indicators, units = labels[:split], [u for u in labels[split + 2:] if u]
    assert len(indicators) >= 29
    chart1 = pages[_page_of(pages, w["chart_pct_title"].split(" – ")[0])]
    for label in indicators:  # one bar per indicator, each with its label (its first words at least)
        assert _squeezed(label)[:14] in chart1, label
    chart2 = pages[_page_of(pages, w["chart_status_title"], last=True)]
    for unit in units:
        assert _squeezed(unit)[:14] in chart2, unit


@needs_libreoffice
@needs_pdftotext
def test_the_matrix_prints_across_pages_with_the_units_repeated(printed):
    book, _, pages = printed
    w = words("vi")
    ws = openpyxl.load_workbook(book)["Theo đơn vị"]
    units = [_squeezed(ws.cell(r, 2).value) for r in range(5, ws.max_row + 1) if ws.cell(r, 2).value]
    first = _page_of(pages, w["matrix_title"])
    last = _page_of(pages, w["sub_title"])
    matrix = pages[first:last]
    assert len(matrix) >= 4  # 29 indicators at a readable size: several pages across
    for page in matrix:  # the header row and the unit columns on every page
        assert _squeezed(w["unit_code"]) in page and any(unit in page for unit in units)
    assert sum(units[0] in page for page in matrix) >= 3  # the root's row, on each page across


@needs_libreoffice
@needs_pdftotext
def test_the_summary_prints_whole_on_its_first_page(printed):
    _, _, pages = printed
    w = words("vi")
    first = pages[0]
    assert "PHỤLỤC" in first and "ĐẢNGCỘNGSẢNVIỆTNAM" in first
    for label in ("Chỉ tiêu chủ yếu", w["status"], w["coverage"], w["note"]):  # the last printed column too
        assert _squeezed(label) in first, label


@needs_libreoffice
@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts (poppler-utils) is not installed")
def test_only_the_serif_face_is_printed(printed):
    """Times New Roman throughout: LibreOffice prints it with its metric twin Liberation Serif
    (and, for the glyphs an old Liberation lacks, DejaVu Serif); never a sans face."""
    _, pdf, _ = printed
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    fonts = {line.split()[0].split("+")[-1] for line in out.splitlines()[2:] if line.strip()}
    assert fonts and all("Serif" in f or "Times" in f for f in fonts), fonts
