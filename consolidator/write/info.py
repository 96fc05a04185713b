"""Sheet 8, `Thông tin`: where the consolidation comes from — the round, the run, every input file."""

from __future__ import annotations

from datetime import date, datetime

from .. import __version__
from ..consolidate import Consolidation
from ..rollup import is_consolidated
from .kit import Book, Column, local_time, positions, set_widths, text_cell

COLUMNS = (
    Column("file", "file", 34), Column("path", "path", 60), Column("unit_code", "unit_code", 16),
    Column("state", "state", 16), Column("counted", "counted", 16), Column("received", "received", 16),
    Column("sha256", "sha256", 70),
)
AT = positions(COLUMNS)
# The facts above the inputs: a label and its value, in the first two columns.
FACT_LABEL, FACT_VALUE = AT["file"], AT["path"]
FIRST_FACT_ROW = 2


def write(book: Book, c: Consolidation) -> None:
    ws = book.sheet("info")
    set_widths(ws, COLUMNS)
    book.title(ws, 0, len(COLUMNS) - 1, book.w["info_title"])
    r = _facts(book, c, ws, FIRST_FACT_ROW)
    r += 1
    text_cell(ws, r, 0, book.w["inputs"], book.fmt(bold=True))
    hr = r + 1
    book.headers(ws, hr, [book.w[col.label] for col in COLUMNS])
    _inputs(book, c, book.body(ws, hr + 1), hr)
    ws.freeze_panes(2, 0)
    book.page_setup(ws, hr)


def _facts(book: Book, c: Consolidation, ws, r: int) -> int:
    """The round's settings and the run's; the row under them."""
    w, round_ = book.w, c.catalog.round
    day = book.cell(num_format="dd/mm/yyyy", align="left")
    key_f, val_f = book.cell(bold=True), book.cell()
    root = c.catalog.unit_by_code[c.root]
    facts: list[tuple[str, object, object]] = [
        ("round_id", round_.round_id, None), ("title", round_.title, None),
        ("organisation", round_.organisation, None),
        ("cutoff", round_.cutoff_date, day), ("deadline_date", round_.deadline, day),
        ("low_threshold", round_.low_threshold, book.cell(num_format="0.00", align="left")),
        ("expected_progress", round_.elapsed_share * 100, book.cell(num_format="0.0", align="left")),
        ("root", f"{root.code} – {root.name}", None), ("version", f"consolidator {__version__}", None),
        ("run_at", local_time(c.run_at), book.cell(num_format="dd/mm/yyyy hh:mm:ss", align="left")),
        ("accept_partial", w["yes"] if c.accept_partial else w["no"], None),
    ]
    for key, value, f in facts:
        text_cell(ws, r, FACT_LABEL, w[key], key_f)
        if isinstance(value, datetime):
            ws.write_datetime(r, FACT_VALUE, value, f)
        elif isinstance(value, date):
            ws.write_datetime(r, FACT_VALUE, datetime(value.year, value.month, value.day), f)
        elif isinstance(value, (int, float)):
            ws.write_number(r, FACT_VALUE, value, f)
        else:
            text_cell(ws, r, FACT_VALUE, value, f or val_f)
        r += 1
    return r


def _inputs(book: Book, c: Consolidation, body, hr: int) -> None:
    """A row per file read, consolidated or not."""
    w, r = book.w, hr
    plain = book.cell()
    when = book.cell(num_format="dd/mm/yyyy hh:mm", align="center")
    for s in c.report.submissions:
        r += 1
        text_cell(body, r, AT["file"], s.path.name, plain)
        text_cell(body, r, AT["path"], str(s.path), plain)
        text_cell(body, r, AT["unit_code"], s.unit_code or "", book.cell(align="center"))
        text_cell(body, r, AT["state"], w[s.status], book.cell(align="center"))
        used = is_consolidated(s, c.accept_partial)
        text_cell(body, r, AT["counted"], w["yes"] if used else w["no"], book.cell(align="center"))
        body.write_datetime(r, AT["received"], local_time(s.received), when)
        text_cell(body, r, AT["sha256"], s.sha256, book.cell(font_size=10))
