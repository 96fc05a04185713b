"""Validation reports for people: a text table, an Excel report, annotated copies to send back."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import openpyxl
import xlsxwriter
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from . import layout, parallel
from .errors import ConsolidatorError
from .fileio import XLSXWRITER_OPTIONS, atomic_output, clean_text
from .messages import labels
from .model import Status, Submission, ValidationReport
from .textreport import words
from .numbers import display_number, show_time
from .parallel import WorkerLimits, run_in_workers

def write_excel_report(report: ValidationReport, path: str | Path, lang: str = "vi") -> None:
    """An Excel report: a summary row per expected unit and one row per issue."""
    w, text = words(lang), labels(lang)
    with atomic_output(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {**XLSXWRITER_OPTIONS, "default_format_properties": layout.default_font()})
        base = {"font_name": layout.FONT, "font_size": 11, "valign": "top", "text_wrap": True, "border": 1}
        head = wb.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "align": "center", "valign": "vcenter"})
        plain = wb.add_format(base)
        units = wb.add_worksheet(w["units_sheet"])
        cols = ["unit", "unit_name", "status", "on_time", "errors", "warnings", "file", "received"]
        widths = [10, 34, 13, 10, 7, 9, 32, 16, 21]
        _report_header(units, [w[key] for key in cols] + [text["status_source"]], widths, head)
        by_unit = {u.unit_code: u for u in report.units}
        for r, u in enumerate(by_unit.values(), start=1):
            s = u.submission
            values = [u.unit_code, u.unit_name, w[u.state],
                      "" if u.on_time is None else (w["yes"] if u.on_time else w["late"]),
                      s.errors if s else "", s.warnings if s else "", s.path.name if s else "",
                      show_time(s.received) if s else "",
                      text[f"received_source_{s.received_source}"] if s else ""]
            _report_row(units, r, values, widths, plain)
        units.autofilter(0, 0, max(1, len(by_unit)), len(cols) - 1)
        issues = wb.add_worksheet(w["issues_sheet"])
        cols = ["file", "unit", "severity", "code", "sheet", "cell", "indicator", "value", "message"]
        widths = [26, 9, 9, 22, 9, 6, 13, 13, 60]
        _report_header(issues, [w[key] for key in cols], widths, head)
        r = 0
        for s in report.submissions:
            for i in s.issues:
                r += 1
                values = [s.path.name, s.unit_code or "", w[i.severity], i.code, i.sheet or "", i.cell or "",
                          i.indicator_code or "", _shown(i.value), i.message(lang)]
                _report_row(issues, r, [str(v) for v in values], widths, plain)
        issues.autofilter(0, 0, max(1, r), len(cols) - 1)
        wb.close()


def _shown(value: object) -> str:
    """A cell's value as the unit typed it: 999 rather than the float 999.0 it was read as."""
    if value is None:
        return ""
    return display_number(value) if isinstance(value, float) else str(value)


def _report_header(ws, headings: list[str], widths: list[float], f) -> None:
    """The heading row of a report sheet, frozen on screen and repeated on every printed page."""
    for c, (heading, width) in enumerate(zip(headings, widths)):
        ws.set_column(c, c, width)
        _checked(ws.write_string(0, c, heading, f))
    ws.set_row(0, layout.fitted_height(max(layout.wrapped_lines(h, w) for h, w in zip(headings, widths))))
    ws.freeze_panes(1, 0)
    layout.page_setup(ws, repeat=(0, 0))


def _report_row(ws, r: int, values: list, widths: list[float], f) -> None:
    """One row of a report sheet, as tall as its wrapped text: LibreOffice prints an unsized row one line high."""
    for c, v in enumerate(values):
        _checked(ws.write_number(r, c, v, f) if isinstance(v, int) else ws.write_string(r, c, clean_text(v), f))
    # a file name or an issue code wraps only at a hyphen or an underscore, which the estimate does not know
    lines = max(layout.wrapped_lines(str(v).replace("_", " ").replace("-", " "), width)
                for v, width in zip(values, widths))
    if lines > 1:
        ws.set_row(r, layout.fitted_height(lines))


def _checked(rc: int) -> None:
    """xlsxwriter returns a negative code instead of raising; a refused write must not pass silently."""
    if rc:
        raise ConsolidatorError(key="err_xlsxwriter", code=rc)


# Making an annotated copy loads the unit's file with openpyxl, which is neither bounded nor
# sure to load what our reader reads: a minute and a gigabyte for a 47 MB styles part,
# exceptions on odd pivot caches and styles. So it runs in worker processes under limits,
# like reading. A real appendix takes a fifth of a second.
ANNOTATE_SECONDS = 30.0


@dataclass(frozen=True)
class AnnotatedCopy:
    """One file's annotated copy: where it was written, or why it could not be made."""

    source: Path
    path: Path | None
    reason: str | None = None  # a label (labels.toml annotate_why_*) when path is None
    params: dict = field(default_factory=dict)

    def why(self, lang: str = "vi") -> str:
        return labels(lang)[self.reason].format(**self.params) if self.reason else ""


def annotate(report: ValidationReport, outdir: str | Path, lang: str = "vi", warnings: bool = False) -> list[Path]:
    """The annotated copies written (see annotate_copies); those that could not be made are left out."""
    return [c.path for c in annotate_copies(report, outdir, lang, warnings) if c.path is not None]


def annotate_copies(report: ValidationReport, outdir: str | Path, lang: str = "vi", warnings: bool = False,
                    limits: WorkerLimits | None = None) -> list[AnnotatedCopy]:
    """For each unit that must send again, a copy of its file with the cells marked and a first sheet of fixes.

    Only a unit's counted file that is invalid: a replaced version, or a valid file with
    warnings, asks nothing of the unit. `warnings` adds copies of counted valid files with
    warnings. The copy is what the office emails back to the unit. The input is only read.
    Each copy is made in a worker process (parallel.py) and written there; a file that
    cannot be annotated gets its reason, and the others their copies. In report order.
    """
    outdir = Path(outdir)
    limits = limits or replace(parallel.DEFAULT_LIMITS, seconds_per_file=ANNOTATE_SECONDS)
    tasks = [(s, outdir / s.path.name, lang) for s in to_annotate(report, warnings)]
    copies: list[AnnotatedCopy | None] = [None] * len(tasks)
    for index, copy in run_in_workers(tasks, _annotate_task, _annotate_failed, limits):
        copies[index] = copy
    return copies


def to_annotate(report: ValidationReport, warnings: bool = False) -> list[Submission]:
    """The files that get an annotated copy: see annotate."""
    return [s for s in report.submissions
            if s.counted and s.path.suffix.lower() in (".xlsx", ".xlsm")
            and (s.status == Status.INVALID or warnings and s.status == Status.VALID and s.warnings)]


def _annotate_task(task: tuple[Submission, Path, str]) -> AnnotatedCopy:
    """Make one annotated copy, in a worker: its path, or why it could not be made."""
    s, target, lang = task
    try:
        wb = _open_copy(s)
    except MemoryError:
        return AnnotatedCopy(s.path, None, "annotate_why_memory")
    except Exception:  # openpyxl raises whatever its model meets (IndexError, KeyError, TypeError, …)
        return AnnotatedCopy(s.path, None, "annotate_why_unopenable")
    try:
        _annotate_one(wb, s, lang)
        with atomic_output(target) as tmp:
            wb.save(tmp)
    except MemoryError:
        return AnnotatedCopy(s.path, None, "annotate_why_memory")
    except Exception:  # the folder refused the copy, or openpyxl could not write what it loaded
        return AnnotatedCopy(s.path, None, "annotate_why_unwritable")
    return AnnotatedCopy(s.path, target)


def _annotate_failed(task: tuple[Submission, Path, str], code: str, params: dict) -> AnnotatedCopy:
    """The copy whose worker died or ran over its time (parallel.run_in_workers' codes)."""
    reason = "annotate_why_timeout" if code == "file-timeout" else "annotate_why_crashed"
    return AnnotatedCopy(task[0].path, None, reason, params)


def _open_copy(s: Submission):
    return openpyxl.load_workbook(s.path, keep_vba=s.path.suffix.lower() == ".xlsm")


def _annotate_one(wb, s: Submission, lang: str) -> None:
    """Mark the cells of `s`'s issues in its loaded workbook and put the sheet of fixes first."""
    w = words(lang)
    fills = {"error": PatternFill("solid", fgColor="FFC7CE"), "warning": PatternFill("solid", fgColor="FFEB9C")}
    for i in s.issues:
        if not (i.sheet and i.cell and i.sheet in wb.sheetnames and i.cell[0].isalpha()):
            continue
        cell = wb[i.sheet][i.cell]
        cell.fill = fills[i.severity]
        text = clean_text(i.message(lang))
        cell.comment = Comment(text if cell.comment is None else cell.comment.text + "\n" + text, "consolidator",
                               width=320, height=120)
    fix = wb.create_sheet(w["fix_sheet"], 0)
    _fix_sheet(fix, s, w, lang)
    wb.active = 0
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws is fix


_FIX_COLUMNS = (("severity", 11), ("cell", 8), ("indicator", 16), ("message", 95))
_FIX_HEADING_ROW = 5


def _fix_sheet(fix, s: Submission, w: dict[str, str], lang: str) -> None:
    """The first sheet of an annotated copy: what to fix, printable as a page sent back to the unit."""
    def font(**kw):
        return Font(**{"name": layout.FONT, "size": 12, **kw})

    last = len(_FIX_COLUMNS)
    fix.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    fix["A1"] = w["fix_title"]
    fix["A1"].font = font(bold=True, size=14)
    fix["A1"].alignment = Alignment(horizontal="center")
    fix.row_dimensions[1].height = 24
    for r, text in ((2, f"{w['unit']}: {s.unit_code or '?'} — {w['file']}: {s.path.name}"), (3, w["fix_hint"])):
        fix.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last)
        fix.cell(r, 1).value = clean_text(text)
        fix.cell(r, 1).data_type = "s"
        fix.cell(r, 1).font = font(italic=r == 3)
        fix.cell(r, 1).alignment = Alignment(horizontal="center", wrap_text=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for c, (key, width) in enumerate(_FIX_COLUMNS, start=1):
        head = fix.cell(_FIX_HEADING_ROW, c, w[key])
        head.font, head.border = font(bold=True), box
        head.fill = PatternFill("solid", fgColor="D9E1F2")
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        fix.column_dimensions[head.column_letter].width = width
    for r, i in enumerate(s.issues, start=_FIX_HEADING_ROW + 1):
        values = (w[i.severity], i.cell or "", i.indicator_code or "", i.message(lang))
        for c, value in enumerate(values, start=1):
            # set as a string value: a unit's text must never become a formula in our copy
            cell = fix.cell(r, c)
            cell.value = clean_text(value)
            cell.data_type = "s"
            cell.font, cell.border = font(), box
            cell.alignment = Alignment(vertical="top", wrap_text=True, horizontal="left" if c == last else "center")
        # LibreOffice prints an unsized row one line high, cutting the message off
        fix.row_dimensions[r].height = layout.fitted_height(layout.wrapped_lines(values[-1], _FIX_COLUMNS[-1][1]))
    layout.page_setup_openpyxl(fix, repeat=(_FIX_HEADING_ROW, _FIX_HEADING_ROW))
    fix.print_area = f"A1:{fix.cell(_FIX_HEADING_ROW, last).column_letter}{max(fix.max_row, _FIX_HEADING_ROW)}"

