"""`consolidator report`: the report's section on the indicators as Word, from a real round, read back with python-docx.

The round is generated, filled as units fill it and run through the command line twice on
the same files: `consolidate --data-out` for the data table, `report` for the document. The
document's table is checked against the data table, every number of its paragraphs against
the data table's figures, its page setup and fonts, and LibreOffice's PDF of it for the
tone marks.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import docx
import pandas as pd
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn
from docx.shared import Mm

from consolidator import layout, parallel
from consolidator.catalog import load_catalog
from consolidator.cli import main
from consolidator.generate import generate
from consolidator.numbers import parse_bool, parse_number, parse_target

from .conftest import small_catalog, write_catalog
from .filling import column, complete_results, fill, rows_by_code
from .office import SOFFICE

PDFTOTEXT = shutil.which("pdftotext")
PDFINFO = shutil.which("pdfinfo")
ROOT = "P"
FONT = "Times New Roman"


def _writer_installed() -> bool:
    """LibreOffice opens .docx only with its Writer module (Debian: libreoffice-writer-nogui)."""
    if SOFFICE is None:
        return False
    program = Path(os.path.realpath(SOFFICE)).parent
    return any(program.glob("libswlo.*")) or (program / "swriter").exists()


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def round_(tmp_path_factory):
    """The small round with targets changes allowed: Huyện Kỳ Anh low on forest cover and proposing a GRDP
    target, Thị xã Hồng Lĩnh without a population figure (so the rollups weighted by it are partial), the
    Trường Chính trị's chi bộ silent (the Khối's rollups partial below); the report and the data table."""
    base = tmp_path_factory.mktemp("word")
    catalog_path = write_catalog(small_catalog(allow_target_changes=True), base / "catalog.xlsx")
    catalog = load_catalog(catalog_path)
    with pytest.MonkeyPatch.context() as mp:  # read in this process, as conftest does for each test
        mp.setattr(parallel, "DEFAULT_LIMITS", parallel.WorkerLimits(isolated=False))
        made = {g.unit_code: g.path for g in generate(catalog, base / "phu-luc")}
        inbox = base / "nhan-ve"

        def propose(wb, ws):
            ws.cell(rows_by_code(ws)["GRDP"], column("proposed_target")).value = "8"

        fill(made["D1"], inbox / made["D1"].name, {**complete_results(catalog, "D1"), "RUNG": 50.4}, edit=propose)
        fill(made["D2"], inbox / made["D2"].name, {**complete_results(catalog, "D2"), "DANSO": "—"})
        fill(made["K1"], inbox / made["K1"].name, complete_results(catalog, "K1"))
        data, word = base / "du-lieu.csv", base / "bao-cao.docx"
        consolidated = _run("consolidate", str(catalog_path), str(inbox), "-o", str(base / "tong-hop.xlsx"),
                            "--data-out", str(data))
        reported = _run("report", str(catalog_path), str(inbox), "-o", str(word))
    return {"catalog": catalog, "catalog_path": catalog_path, "inbox": inbox, "base": base, "word": word,
            "data": pd.read_csv(data, encoding="utf-8-sig", keep_default_na=False, na_values=[""]),
            "consolidated": consolidated, "reported": reported, "doc": docx.Document(str(word))}


def _appendix_table(doc):
    labels = layout.header_labels(small_catalog().round)
    for table in doc.tables:
        if [c.text for c in table.rows[0].cells] == [labels[k] for k in
                                                     ("tt", "name", "unit_of_measure", "target", "result", "pct",
                                                      "note")]:
            return table
    raise AssertionError("no appendix table with the seed's header labels")


def _shown(data: pd.DataFrame, code: str) -> pd.Series:
    """The root's row that stands for an indicator: its own figure when it reported one, else its rollup."""
    rows = data[(data.unit_code == ROOT) & (data.indicator_code == code)]
    own = rows[~rows.is_rollup]
    if len(own) and not pd.isna(own.iloc[0].result):
        return own.iloc[0]
    rollups = rows[rows.is_rollup]
    return rollups.iloc[0] if len(rollups) else own.iloc[0]


def test_report_exits_as_consolidate_does_and_says_where_it_wrote(round_):
    assert round_["reported"].exit_code == round_["consolidated"].exit_code == 0, round_["reported"].output
    assert str(round_["word"]) in round_["reported"].output
    assert "3/5" in round_["reported"].output  # the units' count, as consolidate prints it
    assert not [p for p in round_["base"].iterdir() if p.name.endswith(".part")]  # written atomically


def test_the_table_shows_the_data_tables_figures_for_the_root(round_):
    catalog, data = round_["catalog"], round_["data"]
    table = _appendix_table(round_["doc"])
    by_name = {i.name: i for i in catalog.indicators}
    seen = []
    for row in table.rows[1:]:
        cells = [c.text for c in row.cells]
        if cells[1] not in by_name:  # a group heading, merged across
            assert re.fullmatch(r"[IVX]+", cells[0]), cells
            continue
        ind = by_name[cells[1]]
        seen.append(ind.code)
        figures = _shown(data, ind.code)
        decimals = 2 if ind.direction == "boolean" and ind.aggregation == "mean" and figures.is_rollup else ind.decimals
        _check_result(cells[4], figures, ind, decimals)
        _check_target(cells[3], figures, catalog, ind)
        _check_pct(cells[5], figures)
        partial = str(figures.note).startswith("partial")
        for cell in (row.cells[4], row.cells[5]):
            runs = [r for p in cell.paragraphs for r in p.runs]
            assert all(r.font.italic for r in runs) == partial and (_fill(cell) is not None) == partial, cells
    groups = list(dict.fromkeys(i.group for i in catalog.indicators))  # in the order they first appear
    assert seen == [i.code for g in groups for i in catalog.indicators if i.group == g]  # every one, under its group
    assert [row.cells[1].text for row in table.rows[1:] if re.fullmatch(r"[IVX]+", row.cells[0].text)] == groups


def _check_result(text: str, figures: pd.Series, ind, decimals: int) -> None:
    if pd.isna(figures.result):
        assert text == ""
    elif ind.direction == "boolean" and ind.aggregation == "min":
        assert parse_bool(text) == bool(figures.result), text
    else:
        assert parse_number(text).value == round(figures.result, decimals), (text, figures.result)


def _check_target(text: str, figures: pd.Series, catalog, ind) -> None:
    own = next((t for t in catalog.targets if t.unit_code == ROOT and t.indicator_code == ind.code), None)
    if own is not None and own.is_range:
        assert text == own.text
    elif ind.direction == "boolean" and ind.aggregation == "min":
        assert parse_bool(text) is True
    elif text.endswith(")"):  # the province has none of its own: its units' targets, marked as rolled up
        assert own is None and text.endswith("(tổng hợp)")
        assert parse_number(text.split(" (")[0]).value == round(figures.target_all, ind.decimals)
    else:
        assert parse_target(text).low == round(figures.target, ind.decimals)


def _check_pct(text: str, figures: pd.Series) -> None:
    if pd.isna(figures.pct_of_target):
        assert text == ""
        return
    number, _, on = text.partition(" trên ")
    assert parse_number(number).value == round(figures.pct_of_target, 1), text
    if on:  # "trên 1/2": compared on so many of the units, as the coverage says
        used, expected = map(int, on.split("/"))
        assert used < expected and math.isclose(used / expected, figures.coverage)


def _fill(cell) -> str | None:
    shade = cell._tc.tcPr.find(qn("w:shd"))
    return None if shade is None else shade.get(qn("w:fill"))


def test_the_header_row_repeats_on_every_page(round_):
    table = _appendix_table(round_["doc"])
    flag = table.rows[0]._tr.trPr.find(qn("w:tblHeader"))
    assert flag is not None and flag.get(qn("w:val")) in ("true", "1", None)
    assert all(row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])


def test_a_portrait_text_and_a_landscape_appendix_on_a4_with_the_administrative_margins(round_):
    text, appendix = round_["doc"].sections
    for section, (width, height) in ((text, (210, 297)), (appendix, (297, 210))):
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (width, height)
        assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                      section.right_margin)] == [20, 20, 30, 15]
    assert text.orientation == 0 and appendix.orientation == 1  # WD_ORIENT.PORTRAIT, LANDSCAPE
    table = _appendix_table(round_["doc"])
    width = sum(cell.width for cell in table.rows[0].cells)
    usable = appendix.page_width - appendix.left_margin - appendix.right_margin
    assert Mm(240) < width <= usable  # the table fills the landscape line, no wider


def test_times_new_roman_13_in_the_text_and_12_in_the_table(round_):
    doc = round_["doc"]
    body = [r for p in doc.paragraphs for r in p.runs if r.text.strip()]
    table = [r for row in _appendix_table(doc).rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert body and table
    assert {r.font.name for r in body + table} == {FONT}
    for run in body + table:  # every script: Vietnamese letters never fall to a stand-in
        fonts = run._r.rPr.rFonts
        assert {fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "eastAsia", "cs")} == {FONT}
    draft = [r for p in _draft(doc) for r in p.runs]
    assert draft and {r.font.size.pt for r in draft} == {13}
    assert {r.font.size.pt for r in table} == {12}
    assert doc.styles["Normal"].font.name == FONT and doc.styles["Normal"].font.size.pt == 13


def _draft(doc) -> list:
    """The paragraphs of the draft: after the section's heading, before the pointer to the appendix."""
    texts = [p.text for p in doc.paragraphs]
    first = texts.index("Đánh giá kết quả thực hiện các chỉ tiêu chủ yếu") + 1
    last = texts.index("(Chi tiết tại Phụ lục kèm theo.)")
    return doc.paragraphs[first:last]


def test_the_header_block_names_the_issuing_body_and_the_party(round_):
    cells = [c.text for c in round_["doc"].tables[0].rows[0].cells]
    assert cells[0].split("\n")[:3] == ["TỈNH ỦY THỬ", "TỈNH THỬ", "*"]
    assert cells[1].split("\n")[0] == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert "gày ..... tháng ..... năm 2023" in cells[1]  # the round names no place: "Ngày …"


# --- every number of the prose is a figure of the data table ------------------------------------

_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_PAIR = re.compile(r"\b(\d+)/(\d+)\b")
_NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?")


def test_every_number_in_the_paragraphs_is_in_the_data_table(round_):
    catalog, data = round_["catalog"], round_["data"]
    text = "\n".join(p.text for p in _draft(round_["doc"]))
    assert text
    cutoff = catalog.round.cutoff_date
    for day, month, year in _DATE.findall(text):
        assert (int(day), int(month), int(year)) == (cutoff.day, cutoff.month, cutoff.year)
    text = _DATE.sub(" ", text)
    pairs, counts = _pairs_and_counts(data, catalog)
    for pair in _PAIR.findall(text):
        assert tuple(map(int, pair)) in pairs, pair
    text = _PAIR.sub(" ", text)
    figures = _figures(data, catalog) | counts | {float(catalog.round.baseline_year)}
    found = [parse_number(n).value for n in _NUMBER.findall(text)]
    assert found and not [n for n in found if n not in figures], (found, sorted(figures))


def _pairs_and_counts(data: pd.DataFrame, catalog) -> tuple[set, set]:
    """The "a/b" a reader may find — achieved/assessed overall and per group, the coverage of the
    root's rollups, the units with a valid file of those asked — and the counts of each assessment."""
    shown = {i.code: _shown(data, i.code) for i in catalog.indicators}
    pairs, counts = set(), set()
    groups = {None: list(catalog.indicators)}
    for ind in catalog.indicators:
        groups.setdefault(ind.group, []).append(ind)
    for indicators in groups.values():
        statuses = [shown[i.code].status for i in indicators]
        pairs.add((statuses.count("achieved"), len(statuses)))
        counts |= {float(statuses.count(s)) for s in set(statuses)}
    for ind in catalog.indicators:
        row = shown[ind.code]
        if row.is_rollup:  # of the units right under the root with a row for it, so many are covered
            expected = data[(data.parent_code == ROOT) & (data.indicator_code == ind.code)].unit_code.nunique()
            used = round(row.coverage * expected)
            assert math.isclose(used / expected, row.coverage)
            pairs.add((used, expected))
        # the units under the root low on it, counted as each unit's shown figure
        units = data[(data.unit_code != ROOT) & (data.indicator_code == ind.code)].unit_code.unique()
        counts.add(float(sum(_unit_status(data, u, ind.code) == "low" for u in units)))
    own = data[~data.is_rollup]
    pairs.add((own[own.source_file.notna()].unit_code.nunique(), own.unit_code.nunique()))
    return pairs, counts


def _unit_status(data: pd.DataFrame, unit: str, code: str) -> str:
    rows = data[(data.unit_code == unit) & (data.indicator_code == code)]
    own = rows[~rows.is_rollup]
    if len(own) and (not pd.isna(own.iloc[0].result) or not rows.is_rollup.any()):
        return own.iloc[0].status
    return rows[rows.is_rollup].iloc[0].status


def _figures(data: pd.DataFrame, catalog) -> set[float]:
    """Every figure of the data table as the report rounds it, and the targets as the catalog writes them."""
    out = set()
    decimals = {i.code: i.decimals for i in catalog.indicators}
    for row in data.itertuples():
        d = decimals[row.indicator_code]
        for value in (row.result, row.target, row.target_all, row.baseline):
            if not pd.isna(value):
                out.add(round(value, d))
        if not pd.isna(row.pct_of_target):
            out.add(round(row.pct_of_target, 1))
        out.add(round(row.expected_progress * 100, 1))
        if isinstance(row.proposed_target, str):
            out |= _numbers_of(row.proposed_target)
    for t in catalog.targets:  # a range stands as written ("7–7,5")
        out |= _numbers_of(t.text)
    return out


def _numbers_of(text: str) -> set[float]:
    return {parse_number(n).value for n in _NUMBER.findall(text)}


def test_the_paragraphs_name_the_low_indicator_with_its_units(round_):
    text = "\n".join(p.text for p in _draft(round_["doc"]))
    low = next(line for line in text.splitlines() if line.startswith("- Tỷ lệ che phủ rừng"))
    assert "50,4%" in low and "52%" in low and "Huyện Kỳ Anh" in low  # result, target, the unit low on it
    assert "Huyện Kỳ Anh đề xuất điều chỉnh chỉ tiêu Tốc độ tăng trưởng GRDP bình quân từ 7,5 thành 8" in text


# --- refusals and the round with nothing to report ------------------------------------------------


@pytest.mark.parametrize("name", ["bao-cao.doc", "bao-cao.xlsx", "bao-cao", "bao-cao.docx.txt"])
def test_an_output_that_is_not_docx_is_refused(round_, tmp_path, name):
    result = _run("report", str(round_["catalog_path"]), str(round_["inbox"]), "-o", str(tmp_path / name))
    assert result.exit_code == 2, result.output
    assert ".docx" in result.output and "must" not in result.output  # said in Vietnamese
    assert not (tmp_path / name).exists()


def test_a_round_without_a_valid_file_says_so_instead_of_an_empty_table(tmp_path, catalog_path, catalog):
    made = {g.unit_code: g.path for g in generate(catalog, tmp_path / "phu-luc", unit_codes=["D1"])}
    inbox = tmp_path / "nhan-ve"
    fill(made["D1"], inbox / made["D1"].name, {**complete_results(catalog, "D1"), "DANSO": "khoảng 50"})
    out = tmp_path / "bao-cao.docx"
    result = _run("report", str(catalog_path), str(inbox), "-o", str(out))
    assert result.exit_code == 1, result.output  # the one file is left out, as consolidate says
    doc = docx.Document(str(out))
    assert len(doc.tables) == 1 and len(doc.sections) == 1  # the header block; no appendix, no empty table
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "chưa có số liệu thực hiện các chỉ tiêu" in text and "0/5 đơn vị phải nộp" in text


def test_english_with_lang_en(round_, tmp_path):
    out = tmp_path / "report.docx"
    result = _run("report", str(round_["catalog_path"]), str(round_["inbox"]), "-o", str(out), "--lang", "en")
    assert result.exit_code == 0 and "Draft report" in result.output
    doc = docx.Document(str(out))
    texts = [p.text for p in doc.paragraphs]
    assert "REPORT" in texts and any(t.startswith("By 30/6/2023, ") for t in texts)
    assert any(label.startswith("Result up to") for label in (c.text for c in doc.tables[-1].rows[0].cells))


# --- printed ------------------------------------------------------------------------------------


@pytest.mark.skipif(not _writer_installed() or PDFTOTEXT is None or PDFINFO is None,
                    reason="needs LibreOffice Writer (libreoffice-writer-nogui) and pdftotext, pdfinfo "
                           "(poppler-utils); .ci/run installs them")
def test_libreoffice_prints_it_with_its_tone_marks_portrait_then_landscape(round_, tmp_path):
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(round_["word"])],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "bao-cao.pdf"
    pages = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True,
                           text=True).stdout.split("\f")[:-1]
    squeezed = [re.sub(r"\s+", "", unicodedata.normalize("NFC", page)) for page in pages]
    for needed in ("ĐẢNG CỘNG SẢN VIỆT NAM", "TỈNH ỦY THỬ", "Đánh giá kết quả thực hiện các chỉ tiêu chủ yếu",
                   "Các chỉ tiêu đạt thấp cần lưu ý", "PHỤ LỤC", "Huyện Kỳ Anh", "Văn hóa – Xã hội"):
        assert any(re.sub(r"\s+", "", needed) in page for page in squeezed), needed
    info = subprocess.run([PDFINFO, "-f", "1", "-l", str(len(pages)), str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    sizes = [tuple(float(x) for x in m) for m in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
    assert sizes[0][0] < sizes[0][1] and sizes[-1][0] > sizes[-1][1]  # the text portrait, the appendix landscape
    appendix = [page for page in squeezed if "PHỤLỤC" in page or "Chỉtiêuchủyếu" in page]
    assert appendix and all("Chỉtiêuchủyếu" in page for page in appendix)


@pytest.mark.skipif(not _writer_installed() or PDFTOTEXT is None or PDFINFO is None,
                    reason="needs LibreOffice Writer (libreoffice-writer-nogui) and pdftotext, pdfinfo "
                           "(poppler-utils); .ci/run installs them")
def test_the_demos_report_repeats_the_table_header_on_each_landscape_page(demo_printed, tmp_path):
    # the demo writes its report beside the consolidated workbook; its 29 indicators take several pages
    word = demo_printed["tong-hop"][0].parent / "bao-cao.docx"
    assert word.is_file()
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(word)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "bao-cao.pdf"
    pages = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True,
                           text=True).stdout.split("\f")[:-1]
    info = subprocess.run([PDFINFO, "-f", "1", "-l", str(len(pages)), str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    sizes = [tuple(map(float, m)) for m in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
    landscape = [re.sub(r"\s+", "", page) for page, (w, h) in zip(pages, sizes) if w > h]
    assert len(landscape) >= 2, "the demo's appendix should run over more than one page"
    assert all("Chỉtiêuchủyếu" in page and "Ghichú" in page for page in landscape)  # one-line labels
