"""The safe workbook reader, through real files: what it reads, what it refuses, and how fast it gives up."""

from __future__ import annotations

import pickle
import re
import struct
import time
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consolidator.messages import issue_codes
from consolidator import xlsx
from consolidator.xlsx import Cell, Limits, UnreadableWorkbook, Workbook, read_workbook, sniff

from .office import libreoffice_resave, needs_libreoffice

SHEET1 = "xl/worksheets/sheet1.xml"


def write_sample(path: Path) -> Path:
    """Every kind of cell a unit's file can hold, plus a hidden and a very hidden sheet."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Phụ lục")
    pct = wb.add_format({"num_format": "0.00%"})
    day = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_string("A1", "Chỉ tiêu")
    ws.write_string("A2", "Chỉ tiêu")  # the same shared string twice
    ws.write_number("B1", 12.5)
    ws.write_number("B2", -3)
    ws.write_boolean("C1", True)
    ws.write_boolean("C2", False)
    ws.write_formula("D1", "=B1*2+17", None, 42)
    ws.write_formula("D2", '=IF(B1>0,"đạt","chưa")', None, "đạt")
    ws.write_formula("D3", "=1/0", None, "#DIV/0!")
    ws.write_number("E1", 0.0475, pct)
    ws.write_datetime("E2", datetime(2023, 6, 30), day)
    ws.write_rich_string("F1", "khoảng ", wb.add_format({"bold": True}), "50")
    ws.write_string("K40", "cuối")
    ws.write_blank("J39", None, pct)  # formatting only: not a cell
    hidden = wb.add_worksheet("Ẩn")
    hidden.write("A1", "hidden")
    hidden.hide()
    secret = wb.add_worksheet("_meta")
    secret.write("A1", "round_id")
    secret.write("B1", "TEST-2023")
    secret.very_hidden()
    wb.set_properties({"created": datetime(2023, 7, 1, 8, 30)})
    wb.close()
    return path


@pytest.fixture
def sample(tmp_path) -> Path:
    return write_sample(tmp_path / "sample.xlsx")


def rewrite(src: Path, dst: Path, edits: dict[str, object], add: dict[str, bytes] | None = None) -> Path:
    """Copy a zip, replacing members: each edit is new bytes or a function of the old text."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            edit = edits.get(info.filename)
            if callable(edit):
                data = edit(data.decode("utf-8")).encode("utf-8")
            elif edit is not None:
                data = edit
            zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def refused(path: Path, **kwargs) -> UnreadableWorkbook:
    with pytest.raises(UnreadableWorkbook) as info:
        read_workbook(path, **kwargs)
    return info.value


# --- what is read -----------------------------------------------------------------------


def test_reads_values_kinds_formulas_and_formats(sample):
    wb = read_workbook(sample)
    ws = wb.sheet("Phụ lục")
    c = ws.cells
    assert c[1, 1] == Cell("Chỉ tiêu", "s", None, "General")
    assert c[2, 1].value == "Chỉ tiêu"
    assert (c[1, 2].value, c[1, 2].kind) == (12.5, "n")
    assert c[2, 2].value == -3.0 and isinstance(c[2, 2].value, float)
    assert (c[1, 3].value, c[1, 3].kind, c[2, 3].value) == (True, "b", False)
    assert c[1, 4] == Cell(42.0, "n", "B1*2+17", "General")
    assert (c[2, 4].value, c[2, 4].kind, c[2, 4].formula) == ("đạt", "s", 'IF(B1>0,"đạt","chưa")')
    assert (c[3, 4].value, c[3, 4].kind, c[3, 4].formula) == ("#DIV/0!", "e", "1/0")
    assert c[1, 5].value == 0.0475 and c[1, 5].number_format == "0.00%"
    assert c[1, 5].is_percent_format and not c[1, 5].is_date_format
    assert c[2, 5].number_format == "dd/mm/yyyy" and c[2, 5].is_date_format
    assert c[2, 5].value == float((date(2023, 6, 30) - date(1899, 12, 30)).days)
    assert c[1, 6].value == "khoảng 50"
    assert ws.value(40, 11) == "cuối"
    assert (39, 10) not in c and ws.value(39, 10) is None
    assert len(c) == 13


def test_sheet_order_and_states(sample):
    wb = read_workbook(sample)
    assert [(s.name, s.state) for s in wb.sheets] == [
        ("Phụ lục", "visible"), ("Ẩn", "hidden"), ("_meta", "veryHidden")]
    assert wb.sheet("_meta").value(1, 2) == "TEST-2023"
    assert wb.sheet("nope") is None


def test_modified_time_is_utc(sample):
    modified = read_workbook(sample).modified
    assert modified is not None and modified.tzinfo is not None
    assert modified.utcoffset().total_seconds() == 0


def test_only_the_named_sheets_are_parsed_but_all_are_listed(sample):
    wb = read_workbook(sample, sheets={"_meta"})
    assert [s.name for s in wb.sheets] == ["Phụ lục", "Ẩn", "_meta"]
    assert wb.sheet("Phụ lục").cells == {}
    assert wb.sheet("_meta").value(1, 1) == "round_id"


def test_openpyxl_formula_has_no_cached_value(tmp_path):
    path = tmp_path / "filled.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    ws["A1"] = 10
    ws["B1"] = "=A1*2"
    ws["C1"] = 0.0475
    ws["C1"].number_format = "0.00%"
    ws["D1"] = datetime(2023, 6, 30)
    wb.save(path)
    c = read_workbook(path).sheet("Phụ lục").cells
    assert c[1, 2] == Cell(None, "blank", "A1*2", "General")
    assert c[1, 1].value == 10.0
    assert c[1, 3].is_percent_format and c[1, 3].value == 0.0475
    assert c[1, 4].is_date_format


def test_result_is_picklable(sample):
    wb = read_workbook(sample)
    assert pickle.loads(pickle.dumps(wb)) == wb
    exc = UnreadableWorkbook("sheet-too-large", sheet="Phụ lục", cell="XFD1048576")
    back = pickle.loads(pickle.dumps(exc))
    assert (back.code, back.params) == (exc.code, exc.params)


@needs_libreoffice
def test_libreoffice_resave_reads_the_same(sample, tmp_path):
    resaved = libreoffice_resave(sample, tmp_path / "lo")
    before = read_workbook(sample)
    after = read_workbook(resaved)
    # LibreOffice (7.x) saves a very hidden sheet as merely hidden: still not visible.
    assert [s.name for s in after.sheets] == [s.name for s in before.sheets]
    assert [s.state for s in after.sheets][:2] == ["visible", "hidden"]
    assert after.sheet("_meta").state in ("hidden", "veryHidden")
    a, b = before.sheet("Phụ lục"), after.sheet("Phụ lục")
    for pos in [(1, 1), (1, 2), (2, 2), (1, 4), (2, 4), (1, 5), (2, 5), (1, 6), (40, 11)]:
        assert b.value(*pos) == a.value(*pos), pos
    assert b.cells[1, 3].value is True  # LibreOffice keeps t="b"
    assert b.cells[3, 4].kind == "e"
    assert b.cells[1, 4].formula == "B1*2+17"
    assert b.cells[1, 5].is_percent_format and b.cells[2, 5].is_date_format
    assert after.sheet("_meta").value(1, 2) == "TEST-2023"


# --- what writers do that the reader must not trust or must tolerate --------------------


def test_lying_dimension_is_ignored(sample, tmp_path):
    path = rewrite(sample, tmp_path / "dim.xlsx", {
        SHEET1: lambda x: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:B2"/>', x)})
    assert read_workbook(path).sheet("Phụ lục").cells == read_workbook(sample).sheet("Phụ lục").cells


def test_rows_and_cells_without_references(sample, tmp_path):
    def strip_refs(xml: str) -> str:
        # WPS and others omit r: cells follow the previous cell, rows the previous row.
        xml = re.sub(r'(<row)( r="\d+")', r"\1", xml)
        return re.sub(r'(<c) r="[A-Z]+\d+"', r"\1", xml)

    path = rewrite(sample, tmp_path / "nor.xlsx", {SHEET1: strip_refs})
    assert ' r="' not in zipfile.ZipFile(path).read(SHEET1).decode().split("<sheetData>")[1]
    cells = read_workbook(path).sheet("Phụ lục").cells
    original = read_workbook(sample).sheet("Phụ lục").cells
    # Rows 1 and 2 are filled from column A on, so they keep their places; the lone
    # D3 becomes A3 and rows 39-40 become rows 4-5, as in any reader without references.
    assert {p: c for p, c in cells.items() if p[0] <= 2} == {p: c for p, c in original.items() if p[0] <= 2}
    assert cells[3, 1] == original[3, 4]
    assert cells[5, 1] == original[40, 11]


def test_missing_references_continue_from_the_last_one(sample, tmp_path):
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="5"><c r="C5"><v>1</v></c><c><v>2</v></c></row>'
             '<row><c><v>3</v></c><c r="E6"><v>4</v></c><c><v>5</v></c></row>'
             '</sheetData></worksheet>')
    path = rewrite(sample, tmp_path / "cont.xlsx", {SHEET1: sheet.encode()})
    c = read_workbook(path).sheet("Phụ lục").cells
    assert {pos: cell.value for pos, cell in c.items()} == {
        (5, 3): 1.0, (5, 4): 2.0, (6, 1): 3.0, (6, 5): 4.0, (6, 6): 5.0}


def test_prefixed_namespace(sample, tmp_path):
    def prefix(xml: str) -> str:
        xml = re.sub(r"<(/?)(?![?!])([A-Za-z]+[ />])", r"<\1x:\2", xml)
        return xml.replace('xmlns="http://schemas', 'xmlns:x="http://schemas', 1)

    path = rewrite(sample, tmp_path / "x.xlsx", {SHEET1: prefix, "xl/sharedStrings.xml": prefix})
    assert "<x:c " in zipfile.ZipFile(path).read(SHEET1).decode()
    assert read_workbook(path).sheet("Phụ lục").cells == read_workbook(sample).sheet("Phụ lục").cells


# A styles part's sections that say only how cells look: prefixed, empty, an attribute with
# ">" in it, an end tag with a space, and an element whose name only begins like one.
STYLES_WITH_LOOKS = (
    b'<?xml version="1.0"?><x:styleSheet xmlns:x="urn:s">'
    b'<x:numFmts count="1"><x:numFmt numFmtId="164" formatCode="0.0%"/></x:numFmts>'
    b'<x:fonts count="2"><x:font><x:b/></x:font><x:font><x:sz val="11"/></x:font></x:fonts>'
    b'<fills count="0"/><borders note="a > b"><border/></borders ><fontsOther><keep/></fontsOther>'
    b'<cellStyleXfs><xf numFmtId="10"/></cellStyleXfs>'
    b'<x:cellXfs count="1"><x:xf numFmtId="164"/></x:cellXfs></x:styleSheet>'
)


@pytest.mark.parametrize("chunk", [1, 2, 7, 64, 100_000])
def test_the_looks_of_a_styles_part_are_left_out_unparsed_however_it_is_chunked(chunk):
    seen = []
    parser = xlsx._SkippingParser(xlsx._parser(start=lambda name, attrs: seen.append(name)), xlsx._LOOKS_ONLY)
    for at in range(0, len(STYLES_WITH_LOOKS), chunk):
        parser.Parse(STYLES_WITH_LOOKS[at:at + chunk], False)
    parser.Parse(b"", True)
    assert seen == ["x:styleSheet", "x:numFmts", "x:numFmt", "fontsOther", "keep", "x:cellXfs", "x:xf"]


def test_a_styles_part_grown_with_fonts_reads_the_same_formats(sample, tmp_path):
    def grow(xml: str) -> str:  # ~2 MiB of fonts: parsed in chunks, not in one piece
        fonts = "".join(f'<font><sz val="{n % 37}"/><color rgb="FF{n * 7919 % 0xFFFFFF:06X}"/></font>'
                        for n in range(40_000))  # varied: within the zip's 200:1 cap
        return xml.replace("</fonts>", fonts + "</fonts>", 1)

    path = rewrite(sample, tmp_path / "grown.xlsx", {"xl/styles.xml": grow})
    assert zipfile.ZipFile(path).getinfo("xl/styles.xml").file_size > 2 * xlsx._CHUNK
    grown, plain = read_workbook(path).sheet("Phụ lục").cells, read_workbook(sample).sheet("Phụ lục").cells
    assert grown == plain and grown[1, 5].number_format == "0.00%"


def test_inline_strings_shared_formulas_phonetics_and_escapes(sample, tmp_path):
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = (f'<worksheet {ns}><sheetData><row r="1">'
             '<c r="A1" t="inlineStr"><is><r><t>Ghi </t></r><r><t xml:space="preserve">chú</t></r></is></c>'
             '<c r="B1"><f t="shared" ref="B1:B3" si="0">A2*2</f><v>2</v></c>'
             '<c r="C1" t="s"><v>0</v></c>'
             '<c r="D1" t="d"><v>2023-06-30T00:00:00</v></c>'
             '<c r="E1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
             '<c r="F1"><f>A1</f><v></v></c>'
             '</row><row r="2"><c r="B2"><f t="shared" si="0"/><v>4</v></c></row>'
             '<row r="3"><c r="B3"><f t="shared" si="0"/></c></row></sheetData></worksheet>')
    strings = (f'<sst {ns} count="1" uniqueCount="1"><si><r><t>Hà</t></r><r><t> Tĩnh_x000D_</t></r>'
               '<rPh sb="0" eb="1"><t>ハ</t></rPh></si></sst>')
    path = rewrite(sample, tmp_path / "misc.xlsx", {SHEET1: sheet.encode(), "xl/sharedStrings.xml": strings.encode()})
    # The other sheets refer to shared strings this table no longer has.
    assert refused(path).params["reason"] == "reason_missing_string"
    c = read_workbook(path, sheets=["Phụ lục"]).sheet("Phụ lục").cells
    assert c[1, 1] == Cell("Ghi chú", "s", None, "General")
    assert (c[1, 2].formula, c[2, 2].formula, c[2, 2].value) == ("A2*2", "A3*2", 4.0)
    assert c[3, 2] == Cell(None, "blank", "A4*2", "General")
    assert c[1, 3].value == "Hà Tĩnh\r"
    assert (c[1, 4].value, c[1, 4].kind) == ("2023-06-30T00:00:00", "s")
    assert (c[1, 5].value, c[1, 5].formula) == ("ab", '"a"&"b"')
    assert c[1, 6].kind == "blank" and c[1, 6].formula == "A1"


@pytest.mark.parametrize(("code", "percent", "is_date"), [
    ("General", False, False),
    ("0.00%", True, False),
    ('0.0" %"', False, False),
    ("0.0\\%", False, False),
    ("#,##0", False, False),
    ("dd/mm/yyyy", False, True),
    ("[$-42A]d mmmm yyyy", False, True),
    ("[Red]0.00", False, False),
    ('#,##0 "đ/ngày"', False, False),
    ("0.00E+00", False, False),
    ("mm-dd-yy", False, True),
    ("h:mm", False, True),
])
def test_format_predicates(code, percent, is_date):
    cell = Cell(1.0, "n", None, code)
    assert (cell.is_percent_format, cell.is_date_format) == (percent, is_date)


# --- what is refused, and as what -------------------------------------------------------


def _ole2(extra: bytes = b"") -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1016 + extra + b"\x00" * 2048


@pytest.mark.parametrize(("name", "content", "kind", "code", "param"), [
    ("empty.xlsx", b"", "empty", "file-empty", None),
    ("data.xlsx", "Mã,Giá trị\nGRDP,\"7,5\"\n".encode(), "text", "file-not-workbook", "kind_text"),
    ("utf16.xlsx", "Mã\tGiá trị\n".encode("utf-16"), "text", "file-not-workbook", "kind_text"),
    ("page.xlsx", b"<!DOCTYPE html>\n<html><body><table></table></body></html>", "html", "file-not-workbook", "kind_html"),
    ("excel-web.xls", b'\xef\xbb\xbf<html xmlns:o="urn:schemas-microsoft-com:office:office">', "html",
     "file-not-workbook", "kind_html"),
    ("scan.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "pdf", "file-not-workbook", "kind_pdf"),
    ("old.xlsx", _ole2(), "xls", "file-legacy-format", "kind_xls"),
    ("locked.xlsx", _ole2("EncryptionInfo".encode("utf-16-le")), "encrypted", "file-encrypted", None),
    ("locked2.xlsx", _ole2("EncryptedPackage".encode("utf-16-le")), "encrypted", "file-encrypted", None),
    ("photo.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "unknown", "file-not-workbook", "kind_image"),
    # Excel 2.x–4.0 worksheets: BIFF records with no OLE container (BOF, version, worksheet)
    ("excel2.xls", struct.pack("<HHHH", 0x0009, 4, 2, 0x0010) + bytes(40), "xls", "file-legacy-format", "kind_xls"),
    ("excel3.xls", struct.pack("<HHHHH", 0x0209, 6, 0, 0x0010, 0) + bytes(40), "xls", "file-legacy-format", "kind_xls"),
    ("excel4.xls", struct.pack("<HHHHH", 0x0409, 6, 0, 0x0010, 0) + bytes(40), "xls", "file-legacy-format", "kind_xls"),
    ("excel4w.xlsx", struct.pack("<HHHHH", 0x0409, 6, 0, 0x0100, 0) + bytes(40), "xls", "file-legacy-format",
     "kind_xls"),
    ("tab-nul.xlsx", b"\t\x00\x04\x00ab\x99\x00" + bytes(40), "unknown", "file-not-workbook", "kind_unknown"),
])
def test_sniff_and_refuse(tmp_path, name, content, kind, code, param):
    path = tmp_path / name
    path.write_bytes(content)
    assert sniff(path) == kind
    exc = refused(path)
    assert exc.code == code
    if param is not None:
        assert exc.params["kind"] == param
    assert exc.message("vi") and exc.message("en")


def test_random_zip_is_not_a_workbook(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert sniff(path) == "zip"
    assert (refused(path).code, refused(path).params) == ("file-not-workbook", {"kind": "kind_zip"})


def test_xlsx_sniffs_as_xlsx(sample):
    assert sniff(sample) == "xlsx"


def _relocate(sample: Path, dst: Path, new: str, present: bool = True) -> Path:
    """The sample with its workbook part renamed `new`, found through _rels/.rels (or not there)."""
    leaf = new.rpartition("/")[2]
    with zipfile.ZipFile(sample) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            name = {"xl/workbook.xml": new, "xl/_rels/workbook.xml.rels": f"xl/_rels/{leaf}.rels"}.get(info.filename,
                                                                                                     info.filename)
            if info.filename in ("_rels/.rels", "[Content_Types].xml"):
                data = data.replace(b"xl/workbook.xml", new.encode())
            if name != new or present:
                zout.writestr(name, data)
    return dst


def test_a_workbook_part_named_otherwise_is_found_through_the_package_relationships(sample, tmp_path):
    moved = _relocate(sample, tmp_path / "moved.xlsx", "xl/book.xml")
    assert sniff(moved) == "xlsx"
    assert read_workbook(moved) == read_workbook(sample)


def test_a_relationship_to_a_missing_workbook_part_is_not_a_workbook(sample, tmp_path):
    gone = _relocate(sample, tmp_path / "gone.xlsx", "xl/book.xml", present=False)
    assert sniff(gone) == "zip"
    assert refused(gone).code == "file-not-workbook"


def test_empty_shared_string_values_are_empty_cells(sample, tmp_path):
    # Some writers leave <c t="s"><v/></c>; LibreOffice and openpyxl open it as an empty cell.
    # The plain form <v></v> is read by the fast path, <v/> (not a plain shape) by expat.
    for n, empty in enumerate(("<v/>", "<v></v>")):
        edited = rewrite(sample, tmp_path / f"v{n}.xlsx", {SHEET1: lambda xml: xml.replace(
            '<c r="B1"', f'<c r="G1" t="s">{empty}</c><c r="B1"', 1)})
        assert '<c r="G1"' in zipfile.ZipFile(edited).read(SHEET1).decode()
        assert read_workbook(edited) == read_workbook(sample)


@needs_libreoffice
def test_ods_is_a_legacy_format(sample, tmp_path):
    ods = libreoffice_resave(sample, tmp_path / "ods", "ods")
    renamed = ods.rename(tmp_path / "appendix.xlsx")
    assert sniff(renamed) == "ods"
    exc = refused(renamed)
    assert (exc.code, exc.params) == ("file-legacy-format", {"kind": "kind_ods"})


def test_truncated_workbook_is_corrupt(sample, tmp_path):
    path = tmp_path / "half.xlsx"
    data = sample.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert sniff(path) == "xlsx"
    assert refused(path).code == "file-corrupt"


def test_missing_part_is_corrupt(sample, tmp_path):
    path = tmp_path / "nosheet.xlsx"
    with zipfile.ZipFile(sample) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            if info.filename != SHEET1:
                zout.writestr(info, zin.read(info))
    exc = refused(path)
    assert exc.code == "file-corrupt" and "sheet1.xml" in exc.params["part"]


def test_sheet_without_a_relationship_is_corrupt(sample, tmp_path):
    rels = {"xl/_rels/workbook.xml.rels": lambda x: x.replace('Id="rId1"', 'Id="rId99"')}
    path = rewrite(sample, tmp_path / "norels.xlsx", rels)
    exc = refused(path)
    assert exc.code == "file-corrupt" and "Phụ lục" in exc.params["sheet_name"]
    assert read_workbook(path, sheets=["_meta"]).sheet("_meta").value(1, 2) == "TEST-2023"


def test_every_code_the_reader_raises_is_registered():
    # scanned from the reader's source, so a code added there cannot be missed here
    source = (Path(xlsx.__file__)).read_text(encoding="utf-8")
    raised = set(re.findall(r"UnreadableWorkbook\(\s*\"([a-z-]+)\"", source))
    raised |= set(re.findall(r"_unreadable\(\s*\"([a-z-]+)\"", source))
    assert raised >= {"file-corrupt", "sheet-too-large"}  # the scan finds what it should
    assert raised - set(issue_codes()) == set()


# --- hostile files ----------------------------------------------------------------------


def test_far_cell_is_refused_before_reading_on(sample, tmp_path):
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = (f'<worksheet {ns}><dimension ref="A1"/><sheetData>'
             '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')
    path = rewrite(sample, tmp_path / "far.xlsx", {SHEET1: sheet.encode()})
    start = time.perf_counter()
    exc = refused(path)
    assert time.perf_counter() - start < 1
    assert (exc.code, exc.params) == ("sheet-too-large", {"sheet": "Phụ lục", "cell": "XFD1048576"})


def test_too_many_cells(sample, tmp_path):
    exc = refused(sample, limits=Limits(max_cells=5))
    assert exc.code == "sheet-too-large" and exc.params["sheet"] == "Phụ lục"
    assert refused(sample, limits=Limits(max_row=39)).params["cell"] == "K40"
    assert refused(sample, limits=Limits(max_col=10)).params["cell"] == "K40"


def test_file_size_limit(sample):
    assert refused(sample, limits=Limits(max_file_bytes=1000)).code == "file-too-large"


def test_zip_bomb_member_is_refused_from_the_directory(sample, tmp_path):
    path = rewrite(sample, tmp_path / "bomb.xlsx", {}, add={"xl/media/zeros.bin": bytes(60 * 1024 * 1024)})
    assert path.stat().st_size < 1024 * 1024
    start = time.perf_counter()
    exc = refused(path)
    assert time.perf_counter() - start < 1
    assert exc.code == "file-too-large" and "zeros.bin" in exc.params["part"]


def test_compression_ratio_limit(sample, tmp_path):
    path = rewrite(sample, tmp_path / "ratio.xlsx", {}, add={"xl/media/zeros.bin": bytes(4 * 1024 * 1024)})
    assert refused(path).code == "file-too-large"
    assert read_workbook(path, limits=Limits(max_ratio=1e9)).sheet("_meta").value(1, 2) == "TEST-2023"


def test_too_many_members(sample):
    assert refused(sample, limits=Limits(max_members=3)).code == "file-too-large"


def test_member_lying_about_its_size_is_not_read_past_it(sample, tmp_path):
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    big = (f'<worksheet {ns}><sheetData>' + '<row><c><v>1</v></c></row>' * 200_000 + '</sheetData></worksheet>').encode()
    path = rewrite(sample, tmp_path / "liar.xlsx", {SHEET1: big})
    data = bytearray(path.read_bytes())
    # Central directory entry of sheet1.xml: declare 1000 bytes uncompressed.
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_len = int.from_bytes(data[at + 28:at + 30], "little")
        if data[at + 46:at + 46 + name_len] == SHEET1.encode():
            data[at + 24:at + 28] = (1000).to_bytes(4, "little")
            break
        at = data.find(b"PK\x01\x02", at + 4)
    assert at >= 0
    path.write_bytes(bytes(data))
    assert zipfile.ZipFile(path).getinfo(SHEET1).file_size == 1000
    start = time.perf_counter()
    assert refused(path).code == "file-corrupt"
    assert time.perf_counter() - start < 1


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>"""


@pytest.mark.parametrize(("member", "payload"), [
    ("xl/sharedStrings.xml", BILLION_LAUGHS),
    (SHEET1, EXTERNAL_ENTITY),
    ("xl/workbook.xml", b'<?xml version="1.0"?><!DOCTYPE workbook SYSTEM "http://example.com/x.dtd"><workbook/>'),
])
def test_xml_entity_tricks_are_refused_at_once(sample, tmp_path, member, payload):
    path = rewrite(sample, tmp_path / "entity.xlsx", {member: payload})
    start = time.perf_counter()
    exc = refused(path)
    assert time.perf_counter() - start < 1
    assert exc.code == "file-corrupt" and exc.params["reason"] == "reason_xml_refused"


@pytest.fixture(scope="module")
def small_xlsx(tmp_path_factory) -> Path:
    return write_sample(tmp_path_factory.mktemp("fuzz") / "small.xlsx")


def mutate(raw: bytearray, data) -> bytearray:
    for _ in range(data.draw(st.integers(1, 8))):
        if not raw:
            break
        at = data.draw(st.integers(0, len(raw) - 1))
        op = data.draw(st.sampled_from(["set", "delete", "insert", "truncate"]))
        if op == "set":
            raw[at] = data.draw(st.integers(0, 255))
        elif op == "delete":
            del raw[at:at + data.draw(st.integers(1, 64))]
        elif op == "insert":
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=16) | st.sampled_from(
                [b"<", b"</c>", b'<c r="A1">', b"<v>", b' t="s"', b' s="99"', b' r="ZZZZ0"', b"&#0;", b"\xff"]))
        else:
            del raw[at:]
    return raw


def assert_workbook_or_unreadable(path: Path) -> None:
    try:
        result = read_workbook(path)
    except UnreadableWorkbook as exc:
        assert exc.code in issue_codes()
    else:
        assert isinstance(result, Workbook)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_bytes_give_a_workbook_or_unreadable(small_xlsx, tmp_path, data):
    path = tmp_path / "fuzzed.xlsx"
    path.write_bytes(bytes(mutate(bytearray(small_xlsx.read_bytes()), data)))
    assert_workbook_or_unreadable(path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_xml_parts_give_a_workbook_or_unreadable(small_xlsx, tmp_path, data):
    # Byte mutations of the zip mostly stop at its CRC check: these reach the XML parser.
    member = data.draw(st.sampled_from([SHEET1, "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml",
                                        "xl/_rels/workbook.xml.rels", "docProps/core.xml", "_rels/.rels"]))
    with zipfile.ZipFile(small_xlsx) as zf:
        raw = bytearray(zf.read(member))
    path = rewrite(small_xlsx, tmp_path / "fuzzed.xlsx", {member: bytes(mutate(raw, data))})
    assert_workbook_or_unreadable(path)


def test_modified_time_parsing(sample, tmp_path):
    core = (b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            b'xmlns:dcterms="http://purl.org/dc/terms/"><dcterms:modified>2023-07-01T15:30:00+07:00'
            b'</dcterms:modified></cp:coreProperties>')
    path = rewrite(sample, tmp_path / "core.xlsx", {"docProps/core.xml": core})
    assert read_workbook(path).modified == datetime(2023, 7, 1, 8, 30, tzinfo=timezone.utc)
    broken = rewrite(sample, tmp_path / "core2.xlsx", {"docProps/core.xml": b"<not xml"})
    assert read_workbook(broken).modified is None
