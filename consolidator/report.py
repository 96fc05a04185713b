"""Validation reports for people: a text table, an Excel report, annotated copies to send back."""

from __future__ import annotations

from pathlib import Path

from .errors import ConsolidatorError
from .fileio import XLSXWRITER_OPTIONS, atomic_output, clean_text
from .validate import INVALID, VALID, Submission, ValidationReport

# Words of the reports, kept beside the code that lays them out (short table headings).
_WORDS = {
    "vi": {
        "file": "Tệp", "unit": "Đơn vị", "unit_name": "Tên đơn vị", "status": "Tình trạng", "errors": "Lỗi",
        "warnings": "Cảnh báo", "severity": "Mức", "code": "Mã lỗi", "sheet": "Trang", "cell": "Ô",
        "indicator": "Chỉ tiêu", "value": "Giá trị", "message": "Cần làm", "received": "Thời điểm nhận",
        "on_time": "Đúng hạn", "late": "Trễ hạn", "yes": "Có", "no": "Không",
        VALID: "hợp lệ", INVALID: "có lỗi", "unreadable": "không đọc được", "missing": "chưa nộp",
        "error": "lỗi", "warning": "cảnh báo", "counted": "Dùng để tổng hợp",
        "units_sheet": "Theo đơn vị", "issues_sheet": "Danh sách lỗi", "fix_sheet": "Cần sửa",
        "fix_title": "CÁC ĐIỂM CẦN SỬA TRONG PHỤ LỤC", "fix_hint": "Các ô có vấn đề được tô màu và có ghi chú. Sửa xong hãy lưu và gửi lại tệp.",
        "completeness": "Tỷ lệ đầy đủ", "timeliness": "Tỷ lệ đúng hạn", "missing_units": "Đơn vị chưa nộp",
        "summary": "Tổng cộng: {files} tệp — {valid} hợp lệ, {invalid} có lỗi, {unreadable} không đọc được; {errors} lỗi, {warnings} cảnh báo.",
        "rates": "Đơn vị phải nộp: {units_expected}; đã nộp hợp lệ: {units_valid} ({completeness}); đúng hạn: {units_on_time} ({timeliness}).",
    },
    "en": {
        "file": "File", "unit": "Unit", "unit_name": "Unit name", "status": "Status", "errors": "Errors",
        "warnings": "Warnings", "severity": "Severity", "code": "Code", "sheet": "Sheet", "cell": "Cell",
        "indicator": "Indicator", "value": "Value", "message": "What to do", "received": "Received",
        "on_time": "On time", "late": "Late", "yes": "Yes", "no": "No",
        VALID: "valid", INVALID: "invalid", "unreadable": "unreadable", "missing": "missing",
        "error": "error", "warning": "warning", "counted": "Consolidated",
        "units_sheet": "By unit", "issues_sheet": "Issues", "fix_sheet": "To fix",
        "fix_title": "WHAT TO FIX IN THIS APPENDIX", "fix_hint": "Cells with problems are coloured and carry a comment. Fix them, save, and send the file again.",
        "completeness": "Completeness", "timeliness": "Timeliness", "missing_units": "Missing units",
        "summary": "In all: {files} file(s) — {valid} valid, {invalid} invalid, {unreadable} unreadable; {errors} error(s), {warnings} warning(s).",
        "rates": "Units expected: {units_expected}; valid: {units_valid} ({completeness}); on time: {units_on_time} ({timeliness}).",
    },
}


def words(lang: str) -> dict[str, str]:
    return _WORDS.get(lang, _WORDS["vi"])


def _pct(share: float | None) -> str:
    """85,0%: a rate as the workbooks write numbers, with the decimal comma."""
    return "—" if share is None else f"{share * 100:.1f}%".replace(".", ",")


def format_text(report: ValidationReport, lang: str = "vi") -> str:
    """A readable report: one block per file, its issues one per line, then the totals."""
    w = words(lang)
    out: list[str] = []
    for s in report.submissions:
        head = f"{s.path}  [{s.unit_code or '?'}]  {w[s.status]}"
        if s.issues:
            head += f"  ({s.errors} {w['errors'].lower()}, {s.warnings} {w['warnings'].lower()})"
        out.append(head)
        for i in s.issues:
            where = f"{i.sheet or ''}!{i.cell}" if i.cell else (i.sheet or "")
            out.append(f"  {w[i.severity]:<9} {where:<16} {i.code:<28} {i.message(lang)}")
    summary = report.summary()
    out.append("")
    out.append(w["summary"].format(**summary))
    out.append(w["rates"].format(**{**summary, "completeness": _pct(summary["completeness"]),
                                    "timeliness": _pct(summary["timeliness"])}))
    if summary["missing_units"]:
        out.append(f"{w['missing_units']}: {', '.join(summary['missing_units'])}")
    return "\n".join(out)


def format_status(report: ValidationReport, lang: str = "vi") -> str:
    """Every expected unit: received/valid, received/invalid or missing; on time or late."""
    w = words(lang)
    rows = [(w["unit"], w["unit_name"], w["status"], w["on_time"], w["errors"], w["file"])]
    for u in report.units:
        s = u.submission
        rows.append((
            u.unit_code, u.unit_name, w[u.state],
            "" if u.on_time is None else (w["yes"] if u.on_time else w["late"]),
            "" if s is None else str(s.errors), "" if s is None else s.path.name,
        ))
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    summary = report.summary()
    lines.append("")
    lines.append(w["rates"].format(**{**summary, "completeness": _pct(summary["completeness"]),
                                      "timeliness": _pct(summary["timeliness"])}))
    return "\n".join(lines)


def write_excel_report(report: ValidationReport, path: str | Path, lang: str = "vi") -> None:
    """An Excel report: a summary row per expected unit and one row per issue."""
    import xlsxwriter

    w = words(lang)
    with atomic_output(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), XLSXWRITER_OPTIONS)
        head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        units = wb.add_worksheet(w["units_sheet"])
        cols = ["unit", "unit_name", "status", "on_time", "errors", "warnings", "file", "received"]
        for c, key in enumerate(cols):
            units.write_string(0, c, w[key], head)
        by_unit = {u.unit_code: u for u in report.units}
        for r, u in enumerate(by_unit.values(), start=1):
            s = u.submission
            values = [u.unit_code, u.unit_name, w[u.state],
                      "" if u.on_time is None else (w["yes"] if u.on_time else w["late"]),
                      s.errors if s else "", s.warnings if s else "", s.path.name if s else "",
                      s.received.astimezone().strftime("%d/%m/%Y %H:%M") if s else ""]
            for c, v in enumerate(values):
                _checked(units.write_number(r, c, v) if isinstance(v, int) else units.write_string(r, c, clean_text(v)))
        units.set_column(0, 0, 12)
        units.set_column(1, 1, 40)
        units.set_column(2, 7, 16)
        units.freeze_panes(1, 0)
        units.autofilter(0, 0, max(1, len(by_unit)), len(cols) - 1)
        issues = wb.add_worksheet(w["issues_sheet"])
        cols = ["file", "unit", "severity", "code", "sheet", "cell", "indicator", "value", "message"]
        for c, key in enumerate(cols):
            issues.write_string(0, c, w[key], head)
        r = 0
        for s in report.submissions:
            for i in s.issues:
                r += 1
                values = [s.path.name, s.unit_code or "", w[i.severity], i.code, i.sheet or "", i.cell or "",
                          i.indicator_code or "", "" if i.value is None else str(i.value), i.message(lang)]
                for c, v in enumerate(values):
                    _checked(issues.write_string(r, c, clean_text(v), wrap if c == len(values) - 1 else None))
        issues.set_column(0, 0, 30)
        issues.set_column(1, 7, 12)
        issues.set_column(8, 8, 90)
        issues.freeze_panes(1, 0)
        issues.autofilter(0, 0, max(1, r), len(cols) - 1)
        wb.close()


def _checked(rc: int) -> None:
    """xlsxwriter returns a negative code instead of raising; a refused write must not pass silently."""
    if rc:
        raise ConsolidatorError(f"writing the Excel report failed (xlsxwriter code {rc})")


def annotate(report: ValidationReport, outdir: str | Path, lang: str = "vi") -> list[Path]:
    """For each readable file with problems, a copy with the cells marked and a first sheet of fixes.

    The copy is what the office emails back to the unit. The input is only read.
    """
    outdir = Path(outdir)
    written = []
    for s in report.submissions:
        if s.status == "unreadable" or not s.issues or s.path.suffix.lower() not in (".xlsx", ".xlsm"):
            continue
        written.append(_annotate_one(s, outdir / s.path.name, lang))
    return written


def _annotate_one(s: Submission, target: Path, lang: str) -> Path:
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    w = words(lang)
    wb = openpyxl.load_workbook(s.path, keep_vba=s.path.suffix.lower() == ".xlsm")
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
    fix["A1"] = w["fix_title"]
    fix["A1"].font = Font(bold=True, size=14)
    fix["A2"] = w["fix_hint"]
    for c, key in enumerate(("severity", "cell", "indicator", "message"), start=1):
        fix.cell(4, c, w[key]).font = Font(bold=True)
    for r, i in enumerate(s.issues, start=5):
        for c, value in enumerate((w[i.severity], i.cell or "", i.indicator_code or "", i.message(lang)), start=1):
            # set as a string value: a unit's text must never become a formula in our copy
            fix.cell(r, c).value = clean_text(value)
            fix.cell(r, c).data_type = "s"
        fix.cell(r, 4).alignment = Alignment(wrap_text=True, vertical="top")
    fix.column_dimensions["A"].width = 10
    fix.column_dimensions["B"].width = 8
    fix.column_dimensions["C"].width = 14
    fix.column_dimensions["D"].width = 110
    wb.active = 0
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws is fix
    with atomic_output(target) as tmp:
        wb.save(tmp)
    return target
