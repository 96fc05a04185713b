"""The report's section on the indicators as a Word document (issue 17): the draft text, then the appendix.

Laid out as the party's documents are: A4, Times New Roman (13 pt the text, 12 pt the
table), margins of 20 mm top and bottom, 30 mm left (the binding) and 15 mm right, the
header block of DESIGN.md §6 on the first page. The text is a portrait section; the
appendix, a table as wide as the seed's, a landscape section of its own whose header row
repeats on every page. What it says is prose.py's; the header block, titles and column
labels are layout.py's, as on the unit's appendix and the summary sheet.

python-docx sets most of this through its API; what it has no API for (a repeated header
row, a row kept on one page, cell shading, a page-number field, the fonts of every script)
is set on the XML with its own oxml helpers.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .. import layout, prose
from ..consolidate import Consolidation
from ..fileio import atomic_output, clean_text
from ..layout import FONT, HeaderLine
from ..model import AppendixLine
from ..numbers import show_time
from .kit import PARTIAL_MARK, words

TEXT_PT, TABLE_PT, TITLE_PT = 13, 12, 14
A4_MM = (210, 297)
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
# The appendix's columns: the seed's six and its Ghi chú, in mm across the 252 mm of a landscape line.
COLUMNS = (("tt", 12), ("name", 82), ("unit_of_measure", 26), ("target", 32), ("result", 30), ("pct", 30),
           ("note", 40))
CENTRED = frozenset({"tt", "unit_of_measure", "target", "result", "pct"})
MARKED = frozenset({"result", "pct"})  # a partial rollup's figures, as on the summary sheet
PARTIAL_FILL = PARTIAL_MARK["bg_color"].lstrip("#")
GROUP_FILL = "F2F2F2"
HEADER_WIDTHS_MM = (70, 95)
# What follows w:shd in a cell's properties (ECMA-376 CT_TcPr), so shading goes in before it.
_AFTER_SHADING = ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
                  "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange")  # the header block: issuing body left, party and date line right
LANGUAGE_TAGS = {"vi": "vi-VN", "en": "en-GB"}


def write_report(c: Consolidation, path: str | Path, lang: str = "vi") -> None:
    """Write the report's section on the indicators to `path` (.docx) atomically."""
    doc = Document()
    _styles(doc, lang)
    _properties(doc, c, lang)
    first = doc.sections[0]
    _page(first, landscape=False)
    _page_number(first)
    _text(doc, c, lang)
    if c.has_figures:  # without a figure the text says so, and there is no table to attach
        _page(doc.add_section(WD_SECTION.NEW_PAGE), landscape=True)
        _appendix(doc, c, lang)
    with atomic_output(path) as tmp:
        doc.save(str(tmp))


# --- the document's frame ------------------------------------------------------------------------


def _styles(doc, lang: str) -> None:
    """Times New Roman 13 for every script, in the document's defaults and its Normal style.

    The template's defaults name the theme's fonts (Calibri), which win over a plain font name
    on the same element: they are replaced, not added to.
    """
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr)
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), str(TEXT_PT * 2))
    rpr.find(qn("w:lang")).set(qn("w:val"), LANGUAGE_TAGS.get(lang, "vi-VN"))  # the spell-checker's language
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(TEXT_PT)
    _fonts(normal.element.get_or_add_rPr())


def _fonts(rpr) -> None:
    """One font for Latin, East Asian and complex scripts: Vietnamese letters are never left to a stand-in."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _properties(doc, c: Consolidation, lang: str) -> None:
    root = c.catalog.unit_by_code[c.root].name
    props = doc.core_properties
    props.title = prose.words(lang)["subtitle"].format(unit_name=root, term=_term(c))
    props.author = props.last_modified_by = root
    props.language = LANGUAGE_TAGS.get(lang, "vi-VN")
    props.created = props.modified = c.run_at
    props.comments = c.catalog.round.round_id


def _term(c: Consolidation) -> str:
    return f"{c.catalog.round.baseline_year}–{c.catalog.round.target_year}"


def _page(section, landscape: bool) -> None:
    """A4 with the administrative margins, portrait or landscape."""
    short, long = Mm(A4_MM[0]), Mm(A4_MM[1])
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])


def _page_number(section) -> None:
    """The page number at the foot of every page (the later section's footer follows this one)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = _run(paragraph, "1", TABLE_PT)
    field.append(run._r)  # the run moves into the field: its text stands until the page is laid out
    paragraph._p.append(field)


# --- paragraphs and runs -----------------------------------------------------------------------


def _run(paragraph, text: str, size: int, bold: bool = False, italic: bool = False, underline: bool = False):
    run = paragraph.add_run(clean_text(text))
    run.font.name, run.font.size = FONT, Pt(size)
    run.font.bold, run.font.italic, run.font.underline = bold, italic, underline
    _fonts(run._r.get_or_add_rPr())
    return run


def _line(container, text: str, size: int = TEXT_PT, align=WD_ALIGN_PARAGRAPH.CENTER, before: int = 0,
          after: int = 0, **look):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_before, paragraph.paragraph_format.space_after = Pt(before), Pt(after)
    if text:
        _run(paragraph, text, size, **look)
    return paragraph


def _body(doc, text: str, **look) -> None:
    """A paragraph of the text: justified, its first line indented, 6 pt apart, lines at 1.15."""
    paragraph = _line(doc, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6, **look)
    paragraph.paragraph_format.first_line_indent = Mm(10)
    paragraph.paragraph_format.line_spacing = 1.15


def _looks(line: HeaderLine) -> dict:
    """A header line's look (xlsxwriter's format properties) as a run's."""
    style = line.style
    return {"bold": bool(style.get("bold")), "italic": bool(style.get("italic")),
            "underline": bool(style.get("underline")), "size": int(style.get("font_size", TEXT_PT))}


# --- the text section -----------------------------------------------------------------------------


def _text(doc, c: Consolidation, lang: str) -> None:
    w = prose.words(lang)
    root = c.catalog.unit_by_code[c.root].name
    _header_block(doc, [line for line in layout.header_block(c.catalog, c.root, lang) if line.side != "full"],
                  w["number"])
    _line(doc, w["title"], TITLE_PT, before=18, bold=True)
    _line(doc, w["subtitle"].format(unit_name=root, term=_term(c)), bold=True)
    _line(doc, "-----")
    _line(doc, w["draft_note"].format(run_at=show_time(c.run_at)), TABLE_PT,
          before=6, after=12, italic=True)
    _line(doc, w["heading"], align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6, bold=True)
    for text in prose.draft(c, lang):
        _body(doc, text)
    if c.has_figures:
        _body(doc, w["see_appendix"], italic=True)


def _header_block(doc, lines: list[HeaderLine], number: str) -> None:
    """The issuing body on the left (with the report's number under its star), the party and the
    date line on the right, in a table without borders, each line on the row the workbook puts it."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _widths(table, HEADER_WIDTHS_MM)
    last = max(line.row for line in lines)
    for cell, side, width in zip(table.rows[0].cells, ("left", "right"), HEADER_WIDTHS_MM):
        cell.width = Mm(width)
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)  # the empty paragraph a cell starts with
        by_row = {line.row: line for line in lines if line.side == side}
        for r in range(last + 1):
            line = by_row.get(r)
            if line is None:
                _line(cell, "")
            else:
                _line(cell, line.text, **_looks(line))
        if side == "left":
            _line(cell, number)


# --- the appendix section -----------------------------------------------------------------------


def _appendix(doc, c: Consolidation, lang: str) -> None:
    """PHỤ LỤC, its subtitle and "(Kèm theo Báo cáo số …)", the table, the legend and the sources."""
    for line in layout.header_block(c.catalog, c.root, lang):
        if line.side == "full":
            _line(doc, line.text, after=3, **_looks(line))
    _line(doc, "", after=6)
    _table(doc, layout.header_labels(c.catalog.round, lang), prose.appendix_lines(c, lang))
    w, summary = words(lang), c.report.summary()
    _line(doc, prose.words(lang)["partial_legend"].format(unit=c.catalog.unit_by_code[c.root].name), TABLE_PT,
          WD_ALIGN_PARAGRAPH.JUSTIFY, before=6, italic=True)
    _line(doc, w["sources"].format(valid=summary["units_valid"], expected_units=summary["units_expected"],
                                   run_at=show_time(c.run_at)),
          TABLE_PT, WD_ALIGN_PARAGRAPH.JUSTIFY, before=3, italic=True)


def _table(doc, labels: dict[str, str], lines: list[AppendixLine]) -> None:
    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _widths(table, [width for _, width in COLUMNS])
    header = table.rows[0]
    _row_flag(header, "w:tblHeader")  # repeated at the top of every page
    _row_flag(header, "w:cantSplit")
    for cell, (key, width) in zip(header.cells, COLUMNS):
        _cell(cell, labels[key], width, centred=True, bold=True)
    for line in lines:
        row = table.add_row()
        _row_flag(row, "w:cantSplit")  # a row is never cut across two pages
        cells = row.cells
        for cell, (_, width) in zip(cells, COLUMNS):
            cell.width = Mm(width)
        if line.kind == "group":
            _cell(cells[0], line.tt, COLUMNS[0][1], centred=True, bold=True, fill=GROUP_FILL)
            _cell(cells[1].merge(cells[-1]), line.name, None, bold=True, fill=GROUP_FILL)
            for cell in (cells[0], cells[1]):  # a group's heading is never the last line of a page
                cell.paragraphs[0].paragraph_format.keep_with_next = True
            continue
        for cell, (key, width) in zip(cells, COLUMNS):
            marked = line.partial and key in MARKED
            _cell(cell, getattr(line, key), width, centred=key in CENTRED, italic=marked,
                  fill=PARTIAL_FILL if marked else None)


def _cell(cell, text: str, width_mm: float | None, centred: bool = False, bold: bool = False, italic: bool = False,
          fill: str | None = None) -> None:
    if width_mm is not None:
        cell.width = Mm(width_mm)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.LEFT
    paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(2)
    if text:
        _run(paragraph, text, TABLE_PT, bold=bold, italic=italic)
    if fill:
        shade = OxmlElement("w:shd")
        for attr, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", fill)):
            shade.set(qn(attr), value)
        # in the schema's order: before the vertical alignment python-docx has set
        cell._tc.get_or_add_tcPr().insert_element_before(shade, *_AFTER_SHADING)


def _widths(table, widths_mm) -> None:
    """The table's grid: LibreOffice lays a table out by it, Word by each cell's own width (set too)."""
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)


def _row_flag(row, tag: str) -> None:
    flag = OxmlElement(tag)
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)
