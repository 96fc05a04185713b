"""Rows of a big sheet streamed straight into the workbook package, never held by xlsxwriter.

xlsxwriter keeps every cell of a sheet in memory until it closes the workbook, at about
5 µs and a few hundred bytes a cell. The long data table has a row per unit × indicator:
30,000 rows of 24 cells at a thousand units, 300,000 at ten thousand; held that way it
was most of the consolidation's time and all of its memory. So xlsxwriter lays out such a
sheet as usual (header row, table, widths, frozen panes, print setup) and leaves its body
empty; after it closes, `package` copies its zip and writes the body's rows into the
sheet's XML as they are produced, a chunk at a time.

Text goes in as an inline string (`t="inlineStr"`): it can never become a formula or a
link, whatever a unit typed. Styles are xlsxwriter formats, referred to by the index
xlsxwriter gives them (`style_index`), so the rows look as if xlsxwriter wrote them.
"""

from __future__ import annotations

import functools
import math
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from ..fileio import clean_text
from ..layout import fitted_height, wrapped_lines
from ..xlsx import column_letters
from ..parallel import Forked

_EXCEL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
# An XML 1.0 document cannot hold these at all; clean_text has removed the C0 controls.
_NOT_XML = re.compile("[\ufffe\uffff\ud800-\udfff]")


class Body:
    """The rows of a sheet below its xlsxwriter-written top, written the way xlsxwriter is.

    `write_string`, `write_number`, `write_blank`, `write_datetime` and `set_row` take the
    same arguments as xlsxwriter's, so the writer's cell helpers work on either; rows must
    come in order. Each finished row goes as XML to a scratch file, so a sheet of any
    length costs one row of memory. A row holding wrapped text is made tall enough for it
    (`fitted_height`, also used for xlsxwriter's rows: LibreOffice prints a row one line
    high otherwise).
    """


    def __init__(self, sheet_number: int, first_row: int, scratch: Path, widths: dict[int, float] | None = None,
                 table_name: str | None = None):
        self.sheet_number = sheet_number  # 1-based position among the worksheets: sheet{n}.xml
        self.first_row = first_row
        self.widths = widths or {}
        # An Excel table over the sheet is laid out by xlsxwriter over its header and first
        # row only (it keeps a dict entry for every cell a table covers) and widened here.
        self.table_name = table_name
        self.last_row, self.last_col = first_row - 1, 0
        self._file = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace", dir=scratch)
        self._child: tuple[Forked, Path] | None = None
        self._row: int | None = None
        self._cells: dict[int, str] = {}
        self._height: float | None = None
        self._lines = 0

    # --- xlsxwriter's worksheet calls --------------------------------------------------------

    # The two calls below run for every cell of the long sheets: the row check and the cell's
    # placing are written out here rather than called.

    def write_string(self, r: int, c: int, text: str, f=None) -> None:
        style = 0 if f is None else f._get_xf_index()
        if r != self._row:
            self._at(r)
        self._cells[c] = _string_cell(text, style) if text else _blank(style)
        if c > self.last_col:
            self.last_col = c
        if text and f is not None and f.text_wrap:
            lines = wrapped_lines(text, self.widths.get(c, 8.43))
            if lines > self._lines:
                self._lines = lines

    def write_number(self, r: int, c: int, value: float, f=None) -> None:
        style = 0 if f is None else f._get_xf_index()
        if r != self._row:
            self._at(r)
        self._cells[c] = number_cell(value, style) or _blank(style)
        if c > self.last_col:
            self.last_col = c

    def write_blank(self, r: int, c: int, _value=None, f=None) -> None:
        if f is not None:  # as in xlsxwriter, a blank without a format is no cell at all
            self._put(r, c, _blank(style_index(f)))

    def write_datetime(self, r: int, c: int, moment: datetime, f=None) -> None:
        serial = (moment - _EPOCH).total_seconds() / 86400
        self._put(r, c, number_cell(serial, style_index(f)))

    def set_row(self, r: int, height: float) -> None:
        self._at(r)
        self._height = height

    # --- rows made elsewhere -----------------------------------------------------------------

    def rows_from(self, forked: Forked, path: Path, last_row: int, last_col: int) -> None:
        """The rest of the rows: the XML file at `path` that `forked` is writing (see `rows_in_background`).

        Nothing may be written to the body after this; `last_row` and `last_col` (0-based)
        are where those rows end.
        """
        self._flush()
        self._child = (forked, path)
        self.last_row, self.last_col = max(self.last_row, last_row), max(self.last_col, last_col)

    def finish(self) -> None:
        """Write out the row being filled: every row is written, and `last_row` counts them all."""
        self._flush()

    def chunks(self) -> Iterator[str]:
        """The rows' XML, in pieces, once every row is written."""
        self._flush()
        self._file.seek(0)
        yield from iter(lambda: self._file.read(1 << 20), "")
        if self._child is not None:
            forked, path = self._child
            forked.wait()
            with open(path, encoding="utf-8") as fh:
                yield from iter(lambda: fh.read(1 << 20), "")

    def close(self) -> None:
        self._file.close()

    def _at(self, r: int) -> None:
        if self._child is not None:
            raise ValueError("the rest of this sheet's rows are being written by another process")
        if r != self._row:
            if self._row is not None and r < self._row:
                raise ValueError(f"rows must be written in order: row {r + 1} after row {self._row + 1}")
            self._flush()
            self._row = r

    def _put(self, r: int, c: int, cell: str) -> None:
        self._at(r)
        self._cells[c] = cell
        if c > self.last_col:
            self.last_col = c

    def _flush(self) -> None:
        if self._row is None:
            return
        height = self._height
        if self._lines:
            height = max(height or 0, fitted_height(self._lines))
        attrs = f' ht="{height:g}" customHeight="1"' if height else ""
        r = self._row + 1
        cells = "".join([f'<c r="{_letter(c)}{r}"{self._cells[c]}' for c in sorted(self._cells)])
        self._file.write(f'<row r="{r}"{attrs}>{cells}</row>')
        self.last_row = max(self.last_row, self._row)
        self._row, self._cells, self._height, self._lines = None, {}, None, 0


def rows_in_background(what: str, path: Path, produce: Callable[..., Iterable[str]], *args: object) -> Forked:
    """Start writing the rows `produce(*args)` yields, as XML, to `path` in a forked process."""
    return Forked(what, _write_xml, path, produce, args)


def _write_xml(path: Path, produce: Callable[..., Iterable[str]], args: tuple) -> None:
    with open(path, "w", encoding="utf-8", errors="replace") as fh:
        for chunk in produce(*args):
            fh.write(chunk)


_EPOCH = datetime(1899, 12, 30)


@functools.lru_cache(maxsize=None)
def _letter(col: int) -> str:
    """The letters of a 0-based column."""
    return column_letters(col + 1)


def style_index(fmt) -> int:
    """The style number xlsxwriter gives `fmt` in styles.xml (0 for no format).

    xlsxwriter numbers a format the first time a cell uses it; asking here does the same
    without a cell, and the number holds to the end, since every cell it writes uses it.
    """
    return 0 if fmt is None else fmt._get_xf_index()


def text_cell(text: object, style: int) -> str:
    """A cell's XML after its reference: an inline string, or "" for a blank (None, NaN, "")."""
    if text is None or text != text:
        return ""
    return _string(text, style)


def _string(text: object, style: int) -> str:
    text = _NOT_XML.sub("", clean_text(text))
    if not text:
        return _blank(style)
    if "_x" in text:  # literal text that reads like Excel's _xHHHH_ escape keeps its meaning, as xlsxwriter does
        text = _EXCEL_ESCAPE.sub(r"_x005F\1", text)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f' s="{style}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


@functools.lru_cache(maxsize=1 << 16)  # a unit's, an indicator's name recurs row after row
def _string_cell(text: str, style: int) -> str:
    return _string(text, style)


def forget_cells() -> None:
    """Drop the cells kept for names that recur: none of the rows still to come is written here."""
    _string_cell.cache_clear()


def _blank(style: int) -> str:
    return f' s="{style}"/>'


def number_cell(value: float | None, style: int) -> str:
    """A number cell's XML after its reference, or "" when the value is undefined."""
    if value is None or not math.isfinite(value):
        return ""
    return f' s="{style}"><v>{value:.16G}</v></c>'  # as xlsxwriter writes numbers


def bool_cell(value: bool, style: int) -> str:
    return f' s="{style}" t="b"><v>{int(bool(value))}</v></c>'


def row_xml(excel_row: int, letters: list[str], cells: Iterable[str]) -> str:
    """One `<row>`: each non-empty cell fragment gets its reference; blanks are left out."""
    body = "".join([f'<c r="{letter}{excel_row}"{cell}' for letter, cell in zip(letters, cells) if cell])
    return f'<row r="{excel_row}">{body}</row>'


def letters(n_cols: int) -> list[str]:
    return [_letter(c) for c in range(n_cols)]


# A zip entry over 2 GiB needs the zip64 extension; Excel is said to dislike it when it is
# not needed, so it is asked for only when a body could come near that size.
_ZIP64_ABOVE_BYTES = 1 << 30


def package(source: Path, target: Path, bodies: list[Body]) -> None:
    """Copy xlsxwriter's package `source` to `target`, writing each body into its sheet."""
    by_member = {f"xl/worksheets/sheet{b.sheet_number}.xml": b for b in bodies}
    tables = {b.table_name: b for b in bodies if b.table_name}
    # Level 1: the bodies are most of the file, and the default level takes about three times
    # as long for a file about a fifth smaller.
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for info in zin.infolist():
            body = by_member.get(info.filename)
            if body is None and info.filename.startswith("xl/tables/") and tables:
                zout.writestr(info.filename, _widen_table(zin.read(info), tables))
            elif body is None:
                with zin.open(info) as src, zout.open(info.filename, "w") as dst:
                    shutil.copyfileobj(src, dst)
            else:
                body.finish()  # before the dimension is worked out from its last row
                head, tail = _split_sheet(zin.read(info), body)
                big = (body.last_row - body.first_row) * (body.last_col + 1) * _CELL_BYTES > _ZIP64_ABOVE_BYTES
                with zout.open(info.filename, "w", force_zip64=big) as dst:
                    dst.write(head)
                    for chunk in body.chunks():
                        dst.write(chunk.encode("utf-8", "replace"))
                    dst.write(tail)


_CELL_BYTES = 60  # generous: a cell of the data sheet averages about 40 bytes of XML
_TABLE = re.compile(rb'<table [^>]*displayName="([^"]*)"[^>]*\bref="([^"]*)"')
_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]+[0-9]+:)?([A-Z]+)([0-9]+)"/>')


def _widen_table(xml: bytes, tables: dict[str, Body]) -> bytes:
    """A table laid out over a header and one row, made to cover its whole body."""
    match = _TABLE.search(xml)
    body = tables.get(match.group(1).decode()) if match else None
    if body is None:
        return xml
    first = match.group(2).split(b":")[0].decode()
    ref = f"{first}:{column_letters(body.last_col + 1)}{body.last_row + 1}".encode()
    # the table's ref and its autoFilter's are the same range
    return xml.replace(b'ref="' + match.group(2) + b'"', b'ref="' + ref + b'"')


def _split_sheet(xml: bytes, body: Body) -> tuple[bytes, bytes]:
    """The sheet XML up to the end of xlsxwriter's rows, and from there on; its dimension widened."""
    match = _DIMENSION.search(xml)
    if match:
        last_col = max(body.last_col + 1, _column_number(match.group(1).decode()))
        last_row = max(body.last_row + 1, int(match.group(2)))
        xml = xml[:match.start()] + f'<dimension ref="A1:{column_letters(last_col)}{last_row}"/>'.encode() + xml[match.end():]
    end = xml.find(b"</sheetData>")
    if end < 0:  # xlsxwriter wrote no row at all
        end = xml.find(b"<sheetData/>")
        return xml[:end] + b"<sheetData>", b"</sheetData>" + xml[end + len(b"<sheetData/>"):]
    return xml[:end], xml[end:]


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n
