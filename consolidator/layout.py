"""The unit appendix workbook's layout: sheet names, header labels, column order, metadata keys.

The generator writes by this module and the reader reads by it, so the two cannot drift
apart. The reader finds the table by its labels and the indicator codes, never by the fixed
positions below: those are where the generator puts things, not where a unit leaves them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from . import formulas
from .fileio import clean_text
from .cellref import column_letters
from .messages import LANGS, labels
from .model import Catalog, Indicator, Round, Target

# 2: the hidden sheet also holds the generation time and what was locked (META_LOCKED_ROW).
TEMPLATE_VERSION = "2"
# Older versions the reader still accepts; a file older than these is reported. A version-1
# file is compared with the current catalog, since it does not say what it was made from.
SUPPORTED_TEMPLATE_VERSIONS = frozenset({"1", TEMPLATE_VERSION})

META_SHEET = "_consolidator"
META_KEYS = ("round_id", "unit_code", "unit_name", "template_version", "fingerprint", "lang", "generated_by",
             "generated_at")
# From this row down, one row per locked indicator as generated: code, name, unit of measure,
# target text, baseline (locked_content). The reader judges the unit's changes against these,
# so a target the office corrected after generating is not the unit's error (DESIGN.md §7).
META_LOCKED_ROW = 20

# Column order of the appendix table (A, B, C, ...). The first six are seed 004's.
COLUMNS = (
    "tt", "name", "unit_of_measure", "target", "result", "pct",
    "baseline", "estimate", "proposed_target", "note", "indicator_code",
)
INPUT_COLUMNS = ("result", "estimate", "proposed_target", "note")
EXTRA_INPUT_COLUMNS = ("name", "unit_of_measure", "target", "result", "estimate", "note")
COLUMN_WIDTHS = {
    "tt": 5, "name": 46, "unit_of_measure": 11, "target": 14, "result": 15, "pct": 12,
    "baseline": 12, "estimate": 14, "proposed_target": 16, "note": 24, "indicator_code": 10,
}

# 1-based Excel rows of the generated sheet.
PARENT_NAME_ROW, UNIT_NAME_ROW = 1, 2  # column A, upper case
TITLE_ROW, SUBTITLE_ROW, ATTACHED_ROW = 5, 6, 7
HEADER_ROW = 9
FIRST_DATA_ROW = 10
EXTRA_ROWS = 5


FONT = "Times New Roman"  # the font of Vietnamese administrative documents
A4 = 9  # Excel's paper size code
# The workbook's Normal style, for xlsxwriter's `default_format_properties`. Column widths
# count in its digits: left at Calibri, a LibreOffice without Calibri measures them in
# DejaVu Sans and prints every column a third wider than Excel does. 11 pt: Times New
# Roman's digits are then as wide as Calibri's, so the widths mean what they say.
DEFAULT_FONT = {"font_name": FONT, "font_size": 11}


def default_font() -> dict[str, object]:
    """`DEFAULT_FONT` afresh, to hand xlsxwriter: it adds a theme font to the dict it is given,
    and a Normal font so bound shows in the theme's font (Calibri) in Excel."""
    return {"font_name": FONT, "font_size": 11}


@dataclass(frozen=True)
class HeaderLine:
    """One line of the header block above a table, as a writer renders it (DESIGN.md §6).

    `side` is "left" (the issuing body), "right" (party name and date line) or "full" (the
    titles across the table); `style` holds xlsxwriter format properties.
    """

    row: int  # 0-based sheet row
    side: str
    text: str
    style: dict = field(default_factory=dict)


def report_year(round_: Round) -> int:
    """The year a unit's report is dated: its deadline's (the report is signed by then)."""
    return round_.deadline.year


def date_line(round_: Round, lang: str = "vi") -> str:
    """"<place>, ngày ..... tháng ..... năm <year>", or without a place "Ngày ….." (DESIGN.md §6)."""
    text = labels(lang)
    key = "date_line" if round_.place else "date_line_no_place"
    return text[key].format(place=round_.place, year=report_year(round_))


def header_block(catalog: Catalog, unit_code: str, lang: str = "vi") -> tuple[HeaderLine, ...]:
    """The rows above a unit's table: the header block of DESIGN.md §6, then the titles."""
    text, round_ = labels(lang), catalog.round
    name = catalog.unit_by_code[unit_code].name
    fields = {"unit_name": name, "term": f"{round_.baseline_year}–{round_.target_year}", "year": report_year(round_)}
    return (
        HeaderLine(PARENT_NAME_ROW - 1, "left", catalog.parent_organisation(unit_code).upper()),
        HeaderLine(UNIT_NAME_ROW - 1, "left", name.upper(), {"bold": True}),
        HeaderLine(UNIT_NAME_ROW, "left", "*"),
        HeaderLine(0, "right", text["party"], {"bold": True, "underline": 1}),
        HeaderLine(UNIT_NAME_ROW, "right", date_line(round_, lang), {"italic": True}),
        HeaderLine(TITLE_ROW - 1, "full", text["title"], {"bold": True, "font_size": 14}),
        HeaderLine(SUBTITLE_ROW - 1, "full", text["subtitle"].format(**fields), {"bold": True}),
        HeaderLine(ATTACHED_ROW - 1, "full", text["attached"].format(**fields), {"italic": True}),
    )


# How tall a row of wrapped text must be: xlsxwriter does not grow a row for wrapped text,
# and LibreOffice prints such a row one line high. Every writer measures with these.

def fitted_height(lines: int) -> float:
    """A row's height for `lines` of wrapped text: never cramped, at most Excel's tallest row."""
    return min(max(18.0, lines * 15.75 + 3), 409.0)


@functools.lru_cache(maxsize=1 << 16)  # names and labels recur on every row of a long sheet
def wrapped_lines(text: str, width: float) -> int:
    """Lines a text takes in a column `width` characters wide.

    Wrapped as LibreOffice and Excel wrap: at spaces, and after a slash or a hyphen inside a
    word (a stored file's path, "cong-ty-co-phan"); a piece longer than a line is cut.
    Counting only spaces made a path one line short, and its row cut off its last line.
    """
    per_line = max(1, int(width))  # conservative: LibreOffice may print Times New Roman wider
    lines = 0
    for paragraph in text.split("\n"):
        lines, used = lines + 1, 0
        for word in paragraph.split():
            for n, piece in enumerate(_BREAK_AFTER.findall(word)):
                joined = 1 if n == 0 and used else 0  # the space before a word, none inside it
                if used + joined + len(piece) <= per_line:
                    used += joined + len(piece)
                    continue
                if used:
                    lines, used = lines + 1, 0
                extra, rest = divmod(len(piece), per_line)
                lines += extra - (0 if rest else 1)
                used = rest or per_line
    return lines


# The pieces of a word a line may end after: up to and with each slash or hyphen, except a
# hyphen before a digit ("2020-2025", "-5"), which line breaking keeps with the number.
_BREAK_AFTER = re.compile(r"(?:[^/-]|-(?=\d))*(?:/|-(?!\d))|(?:[^/-]|-(?=\d))+")


_BLOCK_BASE = {"font_name": FONT, "font_size": 12, "align": "center", "valign": "vcenter", "text_wrap": True}


def write_header_block(ws, lines: Sequence[HeaderLine], widths: Sequence[float], left: tuple[int, int],
                       right: tuple[int, int], fmt: Callable[..., object]) -> None:
    """Write the header block on an xlsxwriter sheet.

    `widths` are the sheet's column widths; `left` and `right` the first and last column of
    each side; `fmt(**props)` makes (or finds) a format. Rows grow for text that wraps:
    LibreOffice prints an unsized row one line high.
    """
    spans = {"left": left, "right": right, "full": (left[0], right[1])}
    for line in lines:
        first, last = spans[line.side]
        f = fmt(**{**_BLOCK_BASE, **line.style})
        ws.merge_range(line.row, first, line.row, last, "", f)
        ws.write_string(line.row, first, clean_text(line.text), f)  # a name is text, never a formula
        # upper case and bold are wider than the average letter the estimate assumes
        width = sum(widths[first:last + 1]) * (0.75 if line.text.isupper() else 0.9)
        lines_needed = wrapped_lines(line.text, width)
        if lines_needed > 1:
            ws.set_row(line.row, fitted_height(lines_needed))


_MARGINS = {"left": 0.5, "right": 0.4, "top": 0.6, "bottom": 0.6}  # inches


def page_setup(ws, repeat: tuple[int, int] | None = None, landscape: bool = True, *, fit_width: bool = True,
               margins: dict[str, float] | None = None, footer: str = "&C&P/&N") -> None:
    """A4, one page wide, `repeat` (first and last 0-based row) on every page, numbered pages (xlsxwriter).

    Without `fit_width` the sheet prints at full size.
    """
    ws.set_paper(A4)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(**(margins or _MARGINS))
    ws.center_horizontally()
    if repeat is not None:
        ws.repeat_rows(*repeat)
    if fit_width:
        ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    ws.set_footer(footer)


def page_setup_openpyxl(ws, repeat: tuple[int, int] | None = None, landscape: bool = True) -> None:
    """The same page setup as `page_setup`, on an openpyxl sheet (`repeat` 1-based rows)."""
    ws.page_setup.paperSize = A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left, ws.page_margins.right, ws.page_margins.top, ws.page_margins.bottom = 0.5, 0.4, 0.6, 0.6
    ws.print_options.horizontalCentered = True
    if repeat is not None:
        ws.print_title_rows = f"{repeat[0]}:{repeat[1]}"
    ws.oddFooter.center.text = "&P/&N"


def number_format(decimals: int) -> str:
    """Excel number format with thousands separators and an indicator's decimals."""
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def shown_decimals(indicator: Indicator, is_rollup: bool) -> int:
    """The decimals a figure of an indicator is shown with: its own, but 2 for a rolled-up share of
    units (a yes/no indicator averaged), which needs them even when the indicator has none."""
    if indicator.direction == formulas.BOOLEAN and is_rollup and indicator.aggregation == "mean":
        return 2
    return indicator.decimals


def column_letter(key: str) -> str:
    """The Excel column letters where the generator puts a column."""
    return column_letters(COLUMNS.index(key) + 1)


def header_labels(round_: Round, lang: str = "vi") -> dict[str, str]:
    """Column key → header label, filled from the round's dates."""
    text = labels(lang)
    fields = {
        "month": round_.cutoff_date.month,
        "year": round_.cutoff_date.year,
        "baseline_year": round_.baseline_year,
    }
    return {key: text[f"col_{key}"].format(**fields) for key in COLUMNS}


def normalize_label(text: object) -> str:
    """A header label folded for matching: NFC, lower case, single spaces."""
    s = unicodedata.normalize("NFC", str(text or "")).lower()
    return " ".join(s.replace("\n", " ").split())


def label_lookup(round_: Round) -> dict[str, str]:
    """Normalised header label (any language) → column key, for the reader."""
    return {normalize_label(label): key for lang in LANGS for key, label in header_labels(round_, lang).items()}


def sheet_names(lang: str) -> tuple[str, str]:
    """(appendix sheet, instructions sheet) names in a language."""
    text = labels(lang)
    return text["sheet_appendix"], text["sheet_instructions"]


@dataclass(frozen=True)
class Row:
    """One row of the appendix table as the generator lays it out."""

    kind: str  # "group", "indicator", "extra_heading" or "extra"
    excel_row: int
    tt: str = ""
    text: str = ""
    indicator: Indicator | None = None
    target: Target | None = None


def appendix_rows(catalog: Catalog, unit_code: str, lang: str = "vi") -> list[Row]:
    """The rows of a unit's appendix: indicators grouped by group, then blank extra rows."""
    rows: list[Row] = []
    excel_row = FIRST_DATA_ROW
    group_no = 0
    current_group: str | None = None
    targets = catalog.targets_by_unit.get(unit_code, ())
    # Groups in the order they first appear in the catalog, each under one heading, even
    # when the catalog interleaves them.
    first_seen: dict[str, int] = {}
    for t in targets:
        first_seen.setdefault(catalog.indicator_by_code[t.indicator_code].group, len(first_seen))
    targets = sorted(targets, key=lambda t: first_seen[catalog.indicator_by_code[t.indicator_code].group])
    for n, target in enumerate(targets, start=1):
        indicator = catalog.indicator_by_code[target.indicator_code]
        if indicator.group != current_group:
            current_group, group_no = indicator.group, group_no + 1
            rows.append(Row("group", excel_row, roman(group_no), indicator.group))
            excel_row += 1
        rows.append(Row("indicator", excel_row, str(n), indicator.name, indicator, target))
        excel_row += 1
    rows.append(Row("extra_heading", excel_row, roman(group_no + 1), labels(lang)["extra_heading"]))
    for _ in range(EXTRA_ROWS):
        excel_row += 1
        rows.append(Row("extra", excel_row))
    return rows


def roman(n: int) -> str:
    """I, II, III, … for group headings, as Vietnamese documents number sections."""
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, letters in numerals:
        while n >= value:
            out, n = out + letters, n - value
    return out


def fingerprint(round_id: str, unit_code: str, locked: list[tuple[str, str, str, str, object]]) -> str:
    """SHA-256 of the locked content: (indicator code, name, unit of measure, target text, baseline)."""
    payload = json.dumps([round_id, unit_code, [list(map(str, row)) for row in locked]], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def locked_content(catalog: Catalog, unit_code: str) -> list[tuple[str, str, str, str, object]]:
    """What the generator pre-fills and locks for a unit, in row order (fingerprint input)."""
    out = []
    for t in catalog.targets_by_unit.get(unit_code, ()):
        ind = catalog.indicator_by_code[t.indicator_code]
        out.append((ind.code, ind.name, ind.unit_of_measure, t.text, "" if t.baseline is None else t.baseline))
    return out


def slug(text: str) -> str:
    """ASCII file-name slug of a Vietnamese name: 'Huyện Kỳ Anh' → 'huyen-ky-anh'."""
    s = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-") or "unit"


def rows_by_code(ws) -> dict[str, int]:
    """An appendix sheet's rows by indicator code (openpyxl, 1-based), as a unit's program
    leaves them: for the demo's simulated units, which type into the sheet as a person does."""
    col = COLUMNS.index("indicator_code") + 1
    return {ws.cell(r, col).value: r for r in range(FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, col).value}


def unit_code_from_filename(file_name: str, unit_codes) -> str | None:
    """The unit code a `<unit_code>_<slug>.xlsx` name starts with (the longest that fits: codes may hold "_")."""
    fits = [code for code in unit_codes if file_name.startswith(code + "_")]
    return max(fits, key=len) if fits else None


def workbook_filename(unit_code: str, unit_name: str) -> str:
    """`<unit_code>_<ascii slug>.xlsx` (DESIGN.md §4), safe on every file system."""
    code = re.sub(r"[^A-Za-z0-9._-]+", "-", unit_code).strip("-.") or "unit"
    return f"{code}_{slug(unit_name)}.xlsx"
