"""The consolidated workbook the office hands to the Standing Committee (DESIGN.md §4): each sheet in order.

Eight sheets a reader sees — the root's appendix with assessments and counts, the
low-achieving list, the unit × indicator matrix, submission status, proposed target
changes, the long data table, native charts, provenance — and the charts' data, hidden.
"""

from __future__ import annotations

import contextlib
import gc
import tempfile
from collections.abc import Callable
from pathlib import Path

import xlsxwriter

from ..consolidate import Consolidation
from ..errors import ConsolidatorError
from ..fileio import XLSXWRITER_OPTIONS, atomic_output
from ..layout import default_font
from . import charts, data_sheet, info, low_list, matrix, proposals, streamed, submissions, summary
from .figures import Figures
from .kit import Book


def write_consolidated(consolidation: Consolidation, path: str | Path, lang: str = "vi",
                       beside: Callable[[], None] | None = None) -> None:
    """Write the consolidated workbook to `path` atomically.

    The data sheet's rows are made by a forked process once every other sheet is written
    and the workbook's package closed: a process forked earlier shares the pages of every
    row and every file's record while this one walks them again, and each touch copies a
    page (at ten thousand units, forked before the sheets that walk the rows, the memory
    doubled). Meanwhile this process runs `beside` (the data table's writer) on the other
    core, then packs the workbook. A failure of `beside` is raised once the workbook is in
    place: the workbook does not depend on it.
    """
    # Scratch space beside the output, not in /tmp: at ten thousand units the streamed rows
    # are a few hundred MB, and /tmp is often memory.
    failed = None
    with atomic_output(path) as tmp, tempfile.TemporaryDirectory(prefix=".consolidator-", dir=tmp.parent) as scratch:
        laid_out = Path(scratch) / "laid-out.xlsx"
        # The default format too: an empty cell, the default row height and an Excel table's
        # header are in it, and Calibri has no glyph for some tone marks in LibreOffice's stand-in.
        wb = xlsxwriter.Workbook(str(laid_out), {**XLSXWRITER_OPTIONS, "tmpdir": scratch,
                                                 "default_format_properties": default_font()})
        book = Book(wb, lang, Path(scratch))
        rows_writer = None
        try:
            data_body = _sheets(book, consolidation)
            data_rows = data_sheet.start(book, consolidation, data_body)
            # xlsxwriter writes out the cells it holds when it closes, walking every one of
            # them: done before the fork, and its cells then let go.
            wb.close()
            wb = book.wb = None
            gc.collect()  # the workbook and its sheets refer to one another
            streamed.forget_cells()
            consolidation.forget_made_rows()
            rows_writer = data_rows()
            if beside is not None:
                try:
                    beside()
                except ConsolidatorError as exc:
                    failed = exc
            streamed.package(laid_out, tmp, book.bodies)
        except BaseException:
            if rows_writer is not None:  # not left running while the scratch folder goes
                with contextlib.suppress(ConsolidatorError):
                    rows_writer.wait()
            raise
        finally:
            for body in book.bodies:
                body.close()
    if failed is not None:
        raise failed

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
