"""Reminders for the units to chase (issue 13 §6): an email ready to send to each unit that is
missing or whose counted file has errors, and one list of whom to call.

Nothing is sent. Each email is a file (`<unit_code>_<slug>.eml`, RFC 5322, UTF-8) marked
`X-Unsent: 1`, so Outlook opens it as a new message: the clerk checks it, fills To where the
catalog has no address, and sends it from the office's own mailbox, where replies come back.
The words are labels.toml's `rm_` keys.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from email import policy
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from functools import cache
from pathlib import Path

import xlsxwriter

from .. import layout
from ..catalog.cells import email_addresses
from ..fileio import XLSXWRITER_OPTIONS, atomic_output
from ..messages import labels_of
from ..model import ERROR, Catalog, Reminder, Reminders, Unit, UnitState, UnitStatus, ValidationReport
from ..receiving import standing
from ..report import annotate_copies
from ..rounds import RoundFolder, appendix_finder
from .kit import Book, Column, Sheet, number_cell, positions, set_widths, sheet_name, text_cell

CALL_LIST = "danh-sach-nhac.xlsx"
ANNOTATED = "gui-lai"  # where a round's annotated copies go beside its reminders, as the guide names it
# The errors an email spells out; the annotated copy's sheet "Cần sửa" lists every one.
MOST_LISTED = 10
_CHASED = frozenset({UnitState.MISSING, UnitState.INVALID, UnitState.UNREADABLE})
_TYPES = {".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
          ".xlsm": ("application", "vnd.ms-excel.sheet.macroEnabled.12")}
_DAY = "%d/%m/%Y"

COLUMNS = (
    Column("tt", "col_tt", 5), Column("unit_code", "col_unit_code", 11), Column("unit_name", "col_unit_name", 30),
    Column("state", "col_state", 24), Column("contact_name", "col_contact_name", 22),
    Column("phone", "col_phone", 16), Column("email", "col_email", 28), Column("deadline", "col_deadline", 12),
    Column("note", "col_note", 24),
)
AT = positions(COLUMNS)
HEADER_ROW = 3


@cache
def words(lang: str) -> dict[str, str]:
    """The reminders' words (labels.toml, `rm_` keys), by their short names."""
    return labels_of("rm_", lang)


def round_reminders(folder: RoundFolder, catalog: Catalog, version: int, outdir: str | Path,
                    lang: str) -> Reminders:
    """A round folder's reminders, from the store's standing: each invalid unit's annotated
    copy made beside the emails (in `gui-lai/`) and attached, each missing unit's appendix as
    generate last wrote it. What `remind` and the office's web page both give."""
    report = standing(folder, catalog, version)
    made = annotate_copies(report, Path(outdir) / ANNOTATED, lang)
    copies = {c.source: c.path for c in made if c.path}
    annotated = {s.unit_code: copies.get(s.path) for s in report.submissions if s.counted}
    return write_reminders(report, outdir, lang, appendix_finder(folder), annotated.get)


def write_reminders(report: ValidationReport, outdir: str | Path, lang: str,
                    appendix_for: Callable[[str], Path | None], annotated_for: Callable[[str], Path | None],
                    *, today: date | None = None) -> Reminders:
    """Write a reminder email per unit to chase and the call list into `outdir`; send nothing.

    `appendix_for(unit_code)` is the unit's generated appendix, attached for a missing unit;
    `annotated_for(unit_code)` its annotated copy, attached for an invalid one. Either may be
    None (or a file no longer there): the email goes without, and the result says so.
    `today` (default: today) counts the days left or late. A reminder written by an earlier
    run to a unit no longer chased is removed, so an outdated one cannot be sent.
    """
    outdir, today = Path(outdir), today or date.today()
    chased = [u for u in report.units if u.state in _CHASED]
    emails = []
    for status in chased:
        found = (appendix_for if status.state == UnitState.MISSING else annotated_for)(status.unit_code)
        attachment = Path(found) if found is not None and Path(found).is_file() else None
        emails.append(_write_email(report.catalog, status, attachment, outdir, lang, today))
    removed = _remove_outdated(report.catalog, {r.unit_code for r in emails}, outdir)
    call_list = outdir / CALL_LIST
    write_call_list(report.catalog, chased, call_list, lang, today)
    return Reminders(tuple(emails), call_list, removed)


def email_filename(unit: Unit) -> str:
    """`<unit_code>_<ascii slug>.eml`: the appendix's own name, as an email."""
    return Path(layout.workbook_filename(unit.code, unit.name)).stem + ".eml"


def _write_email(catalog: Catalog, status: UnitStatus, attachment: Path | None, outdir: Path, lang: str,
                 today: date) -> Reminder:
    unit = catalog.unit_by_code[status.unit_code]
    to = email_addresses(unit.email) or ()  # a malformed address (a catalog warning): the clerk fills To
    msg = reminder_message(catalog, status, to, attachment, lang, today)
    path = outdir / email_filename(unit)
    with atomic_output(path) as tmp:
        tmp.write_bytes(msg.as_bytes())
    s = status.submission
    return Reminder(unit.code, unit.name, status.state, path, to, attachment, s.errors if s else 0)


def reminder_message(catalog: Catalog, status: UnitStatus, to: Sequence[str], attachment: Path | None, lang: str,
                     today: date) -> EmailMessage:
    """One unit's reminder as an email: headers, the body in `lang`, the attachment if any."""
    w, unit = words(lang), catalog.unit_by_code[status.unit_code]
    msg = EmailMessage(policy=policy.SMTP)
    msg["X-Unsent"] = "1"  # Outlook opens the file as a message to send, not as one received
    office = email_addresses(catalog.round.office_email) or ()
    if len(office) == 1:
        msg["From"] = Address(one_line(w["signature"].format(office=catalog.root.name)), addr_spec=office[0])
    if to:
        msg["To"] = [Address(one_line(unit.contact_name or unit.name), addr_spec=address) for address in to]
    fields = {"round_id": catalog.round.round_id, "title": catalog.round.title, "unit_name": unit.name,
              "deadline": catalog.round.deadline.strftime(_DAY)}
    missing = status.state == UnitState.MISSING
    # CPython folds a long Vietnamese subject into encoded words and drops the space at a fold
    # ("nhiệm kỳ" comes back "nhiệmkỳ"); the older Header encoder folds it correctly, and a
    # header stored raw is written as it is.
    subject = w["subject_missing" if missing else "subject_invalid"].format(**fields)
    msg.set_raw("Subject", Header(one_line(subject), "utf-8", header_name="Subject").encode())
    greeting = w["greeting_contact" if unit.contact_name else "greeting"]
    lines = [greeting.format(contact_name=one_line(unit.contact_name), unit_name=one_line(unit.name)), ""]
    lines += (_missing_lines if missing else _invalid_lines)(catalog, status, attachment, lang, today)
    lines += ["", w["closing"], w["signature"].format(office=catalog.root.name)]
    msg.set_content("\n".join(lines) + "\n")
    if attachment is not None:
        maintype, subtype = _TYPES.get(attachment.suffix.lower(), ("application", "octet-stream"))
        msg.add_attachment(attachment.read_bytes(), maintype=maintype, subtype=subtype, filename=attachment.name)
    return msg


def one_line(text: str) -> str:
    """Text for a header: a name typed over two lines in Excel (Alt+Enter) would be refused there."""
    return " ".join(text.split())


def _missing_lines(catalog: Catalog, status: UnitStatus, attachment: Path | None, lang: str,
                   today: date) -> list[str]:
    w = words(lang)
    lines = [w["missing_intro"].format(title=catalog.round.title), deadline_line(catalog.round.deadline, today, lang)]
    if attachment is not None:
        lines.append(w["appendix_attached"].format(file=attachment.name))
    return lines + ["", w["how"].format(col_result=layout.header_labels(catalog.round, lang)["result"])]


def _invalid_lines(catalog: Catalog, status: UnitStatus, attachment: Path | None, lang: str,
                   today: date) -> list[str]:
    """What is wrong, error by error (the first MOST_LISTED), and what to do."""
    w, s = words(lang), status.submission
    errors = [i for i in s.issues if i.severity == ERROR]
    intro = "unreadable_intro" if status.state == UnitState.UNREADABLE else "invalid_intro"
    lines = [w[intro].format(file=s.path.name, received=s.received.astimezone().strftime(_DAY + " %H:%M"),
                             title=catalog.round.title, errors=len(errors))]
    for issue in errors[:MOST_LISTED]:
        text = issue.message(lang)
        lines.append(f"- {text}" if not issue.cell or issue.cell in text else f"- {issue.cell}: {text}")
    if len(errors) > MOST_LISTED:
        lines.append("- " + w["more_errors"].format(count=len(errors) - MOST_LISTED))
    lines.append("")
    if attachment is not None:
        lines.append(w["copy_attached"].format(file=attachment.name))
    return lines + [w["resend"], deadline_line(catalog.round.deadline, today, lang)]


def deadline_line(deadline: date, today: date, lang: str) -> str:
    """"Hạn gửi: ngày 10/07/2023 (còn 5 ngày)", or today the last day, or so many days late."""
    w, days = words(lang), (deadline - today).days
    key = "deadline_ahead" if days > 0 else "deadline_today" if days == 0 else "deadline_past"
    return w[key].format(deadline=deadline.strftime(_DAY), days=abs(days))


def _remove_outdated(catalog: Catalog, chased: set[str], outdir: Path) -> tuple[Path, ...]:
    """Take away the reminder an earlier run wrote to a unit that is not chased any more."""
    removed = []
    for unit in catalog.reporting_units:
        path = outdir / email_filename(unit)
        if unit.code not in chased and path.is_file():
            path.unlink()
            removed.append(path)
    return tuple(removed)


def write_call_list(catalog: Catalog, chased: Sequence[UnitStatus], path: Path, lang: str, today: date) -> None:
    """The list of units to call (danh-sach-nhac.xlsx): who, why, whom to ask for, their phone."""
    w, round_ = words(lang), catalog.round
    with atomic_output(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {**XLSXWRITER_OPTIONS, "default_format_properties": layout.default_font()})
        book = Book(wb, lang, tmp.parent)  # its formats and page setup; a page or two streams nothing
        ws, last = Sheet(wb.add_worksheet(sheet_name(w["list_sheet"]))), len(COLUMNS) - 1
        set_widths(ws, COLUMNS)
        book.title(ws, 0, last, w["list_title"])
        book.title(ws, 1, last, w["list_subtitle"].format(title=round_.title, deadline=round_.deadline.strftime(_DAY),
                                                          today=today.strftime(_DAY)), size=12, bold=False, italic=True)
        book.headers(ws, HEADER_ROW, [w[col.label] for col in COLUMNS])
        ws.freeze_panes(HEADER_ROW + 1, 0)
        deadline = datetime(round_.deadline.year, round_.deadline.month, round_.deadline.day)
        for n, status in enumerate(chased, start=1):
            r, unit = HEADER_ROW + n, catalog.unit_by_code[status.unit_code]
            number_cell(ws, r, AT["tt"], n, book.cell(num_format="0", align="center"))
            # every contact as typed, as text: a phone keeps its leading zero and its spaces
            for key, value in (("unit_code", unit.code), ("unit_name", unit.name),
                               ("state", state_text(status, round_.deadline, today, lang)),
                               ("contact_name", unit.contact_name), ("phone", unit.phone), ("email", unit.email),
                               ("note", "")):
                text_cell(ws, r, AT[key], value, book.cell())
            ws.write_datetime(r, AT["deadline"], deadline, book.cell(num_format="dd/mm/yyyy", align="center"))
        if chased:
            ws.autofilter(HEADER_ROW, 0, HEADER_ROW + len(chased), last)
        book.page_setup(ws, HEADER_ROW)
        wb.close()


def state_text(status: UnitStatus, deadline: date, today: date, lang: str) -> str:
    """"Chưa nộp, quá hạn 3 ngày", "Có lỗi (4 lỗi)": why a unit is on the call list."""
    w, s = words(lang), status.submission
    text = w[f"state_{status.state}"].format(errors=s.errors if s else 0)
    late = (today - deadline).days
    return text + ", " + w["state_overdue"].format(days=late) if late > 0 else text
