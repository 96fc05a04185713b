"""Sheet 4, `Tình hình nộp`: each unit's file and state, the rates, the files not consolidated, attachments."""

from __future__ import annotations

from .. import formulas
from ..consolidate import Consolidation
from ..model import Status
from .kit import STATUS_COLOURS, Book, Column, local_time, number_cell, positions, set_widths, text_cell

COLUMNS = (
    Column("unit_code", "unit_code", 10), Column("unit_name", "unit_name", 34), Column("file", "file", 34),
    Column("received", "received", 17), Column("source", "label:status_source", 21),
    Column("on_time", "deadline", 14), Column("state", "state", 14), Column("errors", "errors", 8),
    Column("warnings", "warnings", 9),
)
AT = positions(COLUMNS)
# The tables under it, in the same columns' widths.
OTHER_COLUMNS = (
    Column("unit_code", "unit_code", None), Column("file", "file", None), Column("received", "received", None),
    Column("source", "label:status_source", None), Column("state", "state", None),
    Column("errors", "errors", None), Column("warnings", "warnings", None),
)
OTHER_AT = positions(OTHER_COLUMNS)
ATTACHMENT_COLUMNS = (Column("unit_code", "unit_code", None), Column("file", "file", None))
ATTACHMENT_AT = positions(ATTACHMENT_COLUMNS)
# The rates: a label and its figure, under the unit's name and the file's columns.
TOTAL_LABEL, TOTAL_VALUE = AT["unit_name"], AT["file"]
HEADER_ROW = 3
_STATE_COLOURS = {Status.VALID: STATUS_COLOURS[formulas.ACHIEVED], "missing": STATUS_COLOURS[formulas.LOW]}


def write(book: Book, c: Consolidation) -> None:
    ws = book.sheet("submissions")
    w, last, hr = book.w, len(COLUMNS) - 1, HEADER_ROW
    set_widths(ws, COLUMNS)
    book.title(ws, 0, last, w["sub_title"])
    deadline = c.catalog.round.deadline.strftime("%d/%m/%Y")
    book.title(ws, 1, last, f"{w['deadline_date']}: {deadline}", size=12, bold=False, italic=True)
    book.headers(ws, hr, [book.label(col.label, {}) for col in COLUMNS])
    ws.freeze_panes(hr + 1, 0)
    when = book.cell(num_format="dd/mm/yyyy hh:mm", align="center")
    body = book.body(ws, hr + 1)
    r = _units(book, c, body, when)
    if c.report.units:
        ws.autofilter(hr, 0, r, last)
    r = _totals(book, c, body, r + 2)
    r = _others(book, c, body, r, when)
    _attachments(book, c, body, r)
    book.page_setup(ws, hr)


def _units(book: Book, c: Consolidation, body, when) -> int:
    """A row per unit that must report; the last row written."""
    w, text, r = book.w, book.text, HEADER_ROW
    for u in c.report.units:
        r += 1
        s = u.submission
        state_colour = _STATE_COLOURS.get(u.state, STATUS_COLOURS[formulas.BEHIND])
        text_cell(body, r, AT["unit_code"], u.unit_code, book.cell())
        text_cell(body, r, AT["unit_name"], u.unit_name, book.cell())
        text_cell(body, r, AT["file"], s.path.name if s else "", book.cell())
        if s is None:
            body.write_blank(r, AT["received"], None, when)
        else:
            body.write_datetime(r, AT["received"], local_time(s.received), when)
        text_cell(body, r, AT["source"], text[f"received_source_{s.received_source}"] if s else "", book.cell())
        on_time = "" if u.on_time is None else (w["on_time"] if u.on_time else w["late"])
        text_cell(body, r, AT["on_time"], on_time, book.cell(align="center"))
        text_cell(body, r, AT["state"], w[u.state], book.cell(align="center", bg_color=state_colour))
        for key, value in (("errors", s.errors if s else None), ("warnings", s.warnings if s else None)):
            number_cell(body, r, AT[key], value, book.cell(num_format="0", align="center"))
    return r


def _totals(book: Book, c: Consolidation, body, r: int) -> int:
    """The counts and rates, the missing units, which clock "received" follows; the last row written."""
    w, summary = book.w, c.report.summary()
    label, number = book.cell(bold=True), book.cell(num_format="0", align="right")
    for key in ("units_expected", "units_valid", "units_on_time", "files"):
        text_cell(body, r, TOTAL_LABEL, w[key], label)
        body.write_number(r, TOTAL_VALUE, summary[key], number)
        r += 1
    for key in ("completeness", "timeliness"):
        text_cell(body, r, TOTAL_LABEL, w[key], label)
        number_cell(body, r, TOTAL_VALUE, None if summary[key] is None else summary[key] * 100,
                    book.cell(num_format="0.0", align="right"))
        r += 1
    text_cell(body, r, TOTAL_LABEL, w["missing_units"], label)
    text_cell(body, r, TOTAL_VALUE, ", ".join(summary["missing_units"]), book.cell())
    # Which clock "received" follows (DESIGN.md §3): a copied file gets a new file time.
    r += 1
    for line in book.text["received_sources_note"].splitlines():
        r += 1
        text_cell(body, r, 0, line, book.fmt(italic=True))
    return r


def _others(book: Book, c: Consolidation, body, r: int, when) -> int:
    """The files not consolidated (replaced, copies, left out) and why; the last row written."""
    w, text, at = book.w, book.text, OTHER_AT
    others = [s for s in c.report.submissions if not s.counted]
    if not others:
        return r
    r += 2
    text_cell(body, r, 0, w["other_files"], book.fmt(bold=True))
    r += 1
    book.headers(body, r, [book.label(col.label, {}) for col in OTHER_COLUMNS])
    for s in others:
        r += 1
        state = (text["file_replaced"] if s.replaced else
                 text["file_copy_of"].format(name=s.copy_of) if s.copy_of else w[s.status])
        text_cell(body, r, at["unit_code"], s.unit_code or "", book.cell())
        text_cell(body, r, at["file"], s.path.name, book.cell())
        body.write_datetime(r, at["received"], local_time(s.received), when)
        text_cell(body, r, at["source"], text[f"received_source_{s.received_source}"], book.cell())
        text_cell(body, r, at["state"], state, book.cell(align="center"))
        body.write_number(r, at["errors"], s.errors, book.cell(num_format="0", align="center"))
        body.write_number(r, at["warnings"], s.warnings, book.cell(num_format="0", align="center"))
    return r


def _attachments(book: Book, c: Consolidation, body, r: int) -> None:
    if not c.report.attachments:
        return
    r += 2
    text_cell(body, r, 0, book.text["attachments_heading"], book.fmt(bold=True))
    r += 1
    book.headers(body, r, [book.label(col.label, {}) for col in ATTACHMENT_COLUMNS])
    for a in c.report.attachments:
        r += 1
        text_cell(body, r, ATTACHMENT_AT["unit_code"], a.unit_code or "", book.cell())
        text_cell(body, r, ATTACHMENT_AT["file"], a.path.name, book.cell())
