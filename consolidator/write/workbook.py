"""The consolidated workbook the office hands to the Standing Committee (DESIGN.md §4): each sheet in order.

Eight sheets a reader sees — the root's appendix with assessments and counts, the
low-achieving list, the unit × indicator matrix, submission status, proposed target
changes, the long data table, native charts, provenance — and the charts' data, hidden.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from pathlib import Path

import xlsxwriter

from ..consolidate import Consolidation
from ..errors import ConsolidatorError
from ..fileio import XLSXWRITER_OPTIONS, atomic_output
from ..layout import default_font
from ..parallel import Forked
from . import charts, data_sheet, info, low_list, matrix, proposals, streamed, submissions, summary
from .figures import Figures
from .kit import Book


def write_consolidated(consolidation: Consolidation, path: str | Path, lang: str = "vi",
                       beside: Callable[[], Forked] | None = None) -> Forked | None:
    """Write the consolidated workbook to `path` atomically.

    `beside` starts another output's forked writer (the data table's); it is started, as the
    process making the data sheet's rows is, once every other sheet is written. A process
    forked earlier shares the pages of every row and every file's record while this one walks
    them again, and each touch copies a page: at ten thousand units, forked before the sheets
    that walk the rows, the memory doubled, and forked before the provenance sheet (a line a
    file) it grew by 80 MB. That writer is returned for the caller to wait on once the
    workbook is in place.
    """
    # Scratch space beside the output, not in /tmp: at ten thousand units the streamed rows
    # are a few hundred MB, and /tmp is often memory.
    with atomic_output(path) as tmp, tempfile.TemporaryDirectory(prefix=".consolidator-", dir=tmp.parent) as scratch:
        laid_out = Path(scratch) / "laid-out.xlsx"
        # The default format too: an empty cell, the default row height and an Excel table's
        # header are in it, and Calibri has no glyph for some tone marks in LibreOffice's stand-in.
        wb = xlsxwriter.Workbook(str(laid_out), {**XLSXWRITER_OPTIONS, "tmpdir": scratch,
                                                 "default_format_properties": default_font()})
        book = Book(wb, lang, Path(scratch))
        children: list[Forked] = []  # the forked writers, waited for if this one fails
        data = None
        try:
            data_body = _sheets(book, consolidation)
            # Every sheet is written: from here on, the forked writers (see above), which
            # share none of the cells kept for the sheets.
            streamed.forget_cells()
            consolidation.forget_made_rows()
            children.append(data_sheet.start(book, consolidation, data_body))
            if beside is not None:
                data = beside()
                children.append(data)
            wb.close()
            streamed.package(laid_out, tmp, book.bodies)
        except BaseException:
            for child in children:  # not left running while the scratch folder goes
                with contextlib.suppress(ConsolidatorError):
                    child.wait()
            raise
        finally:
            for body in book.bodies:
                body.close()
    return data

def _sheets(book: Book, c: Consolidation) -> streamed.Body:
    """Every sheet in its order; the data sheet's body, whose rows are made afterwards."""
    fig = Figures(book, c)
    summary.write(book, fig, c)
    low_list.write(book, fig, c)
    matrix.write(book, fig, c)
    submissions.write(book, c)
    proposals.write(book, fig, c)
    data_body = data_sheet.write(book, c)
    chart_data = charts.write(book, fig, c)
    info.write(book, c)
    charts.write_data(book, chart_data)
    return data_body
