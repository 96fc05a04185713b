"""The consolidated workbook the office hands to the Standing Committee (DESIGN.md §4), with xlsxwriter.

Eight sheets: the root's appendix with statuses and counts, the low-achieving list, the unit
× indicator matrix, submission status, proposed target changes, the long data table, native
charts and provenance. Everything a unit typed is written with `write_string`, or as an
inline string in the long sheets streamed by bigsheet, so a note that starts with "=" stays
text; every xlsxwriter return code is checked.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from . import __version__, bigsheet, formulas, layout
from .consolidate import TABLE_COLUMNS, Consolidation
from .errors import ConsolidatorError
from .fileio import XLSXWRITER_OPTIONS, atomic_output, clean_text
from .layout import FONT
from .layout import number_format as _number_format
from .messages import labels
from .numbers import display_number
from .model import Row, Status
from .rollup import evaluation_kind, is_consolidated, subtree

VALID, INVALID, UNREADABLE = Status.VALID, Status.INVALID, Status.UNREADABLE


SHEET_KEYS = ("summary", "low", "matrix", "submissions", "proposals", "data", "charts", "info", "chart_data")
STATUS_ORDER = (formulas.ACHIEVED, formulas.ON_TRACK, formulas.BEHIND, formulas.LOW, formulas.NO_DATA)
STATUS_COLOURS = {
    formulas.ACHIEVED: "#C6EFCE", formulas.ON_TRACK: "#DDEBF7", formulas.BEHIND: "#FFEB9C",
    formulas.LOW: "#FFC7CE", formulas.NO_DATA: "#EDEDED",
}
PARTIAL_MARK = {"italic": True, "bg_color": "#FCE4D6"}  # a partial rollup's figures, explained by the legend
CHART_COLOURS = {
    formulas.ACHIEVED: "#548235", formulas.ON_TRACK: "#2F75B5", formulas.BEHIND: "#FFC000",
    formulas.LOW: "#C00000", formulas.NO_DATA: "#A6A6A6",
}

_WORDS = {
    "vi": {
        "sheet_summary": "Tổng hợp", "sheet_low": "Chỉ tiêu đạt thấp", "sheet_matrix": "Theo đơn vị",
        "sheet_submissions": "Tình hình nộp", "sheet_proposals": "Đề xuất điều chỉnh", "sheet_data": "Dữ liệu",
        "sheet_charts": "Biểu đồ", "sheet_info": "Thông tin", "sheet_chart_data": "Số liệu biểu đồ",
        formulas.ACHIEVED: "Đạt", formulas.ON_TRACK: "Đúng tiến độ", formulas.BEHIND: "Chậm",
        formulas.LOW: "Đạt thấp", formulas.NO_DATA: "Chưa có số liệu",
        VALID: "Hợp lệ", INVALID: "Có lỗi", UNREADABLE: "Không đọc được", "missing": "Chưa nộp",
        "on_time": "Đúng hạn", "late": "Trễ hạn", "yes": "Có", "no": "Không",
        "rollup_value": "Tổng hợp từ đơn vị", "expected": "Tiến độ kỳ vọng (%)", "pace": "Tiến độ",
        "status": "Đánh giá", "units_count": "Số đơn vị", "coverage": "Độ bao phủ", "note": "Ghi chú",
        "indicator_code": "Mã chỉ tiêu", "coverage_text": "{used}/{expected} đơn vị", "incomplete": " (chưa đủ)",
        "partial_note": "Tổng hợp chưa đủ: {used}/{expected} đơn vị có số liệu",
        "partial_below": "Tổng hợp chưa đủ: đơn vị cấp dưới còn thiếu số liệu",
        "mismatch_note": "Số tự báo cáo khác tổng các đơn vị ({rollup})",
        "rollup_shown": "Đơn vị chưa báo cáo số tự tính; dùng số tổng hợp từ các đơn vị",
        "not_aggregated": "Chỉ tiêu không tổng hợp; xem từng đơn vị",
        "tally": "Có {achieved}/{total} chỉ tiêu đạt và vượt; {on_track} chỉ tiêu đúng tiến độ; {behind} chỉ tiêu chậm; "
                 "{low} chỉ tiêu đạt thấp; {no_data} chỉ tiêu chưa có số liệu.",
        "legend": "Tiến độ kỳ vọng: phần nhiệm kỳ đã qua đến ngày {cutoff} ({expected}%). Tiến độ: mức thực hiện so với "
                  "kỳ vọng (1,00 là đúng tiến độ); dưới {low} là đạt thấp.",
        "sources": "Số liệu tổng hợp từ {valid}/{expected_units} đơn vị nộp hợp lệ; lập lúc {run_at}.",
        "unit": "Đơn vị", "unit_code": "Mã đơn vị", "unit_name": "Tên đơn vị", "level": "Cấp", "indicator": "Chỉ tiêu",
        "kind": "Loại số liệu", "reported": "Tự báo cáo", "rollup": "Tổng hợp", "source_file": "Tệp nguồn",
        "low_title": "CÁC CHỈ TIÊU ĐẠT THẤP", "low_subtitle": "Tiến độ dưới {low} so với kỳ vọng; xếp từ thấp nhất.",
        "low_none": "Không có chỉ tiêu đạt thấp.",
        "matrix_title": "TỶ LỆ THỰC HIỆN SO VỚI CHỈ TIÊU NGHỊ QUYẾT (%) THEO ĐƠN VỊ",
        "matrix_subtitle": "Số tự báo cáo của đơn vị; đơn vị không tự báo cáo thì dùng số tổng hợp. Ô trống: chưa có số liệu.",
        "sub_title": "TÌNH HÌNH NỘP PHỤ LỤC", "file": "Tệp", "received": "Thời điểm nhận", "deadline": "Đúng hạn/Trễ hạn",
        "state": "Tình trạng", "errors": "Lỗi", "warnings": "Cảnh báo", "counted": "Dùng để tổng hợp",
        "units_expected": "Số đơn vị phải nộp", "units_valid": "Số đơn vị nộp hợp lệ",
        "units_on_time": "Số đơn vị nộp hợp lệ đúng hạn", "completeness": "Tỷ lệ đầy đủ (%)",
        "timeliness": "Tỷ lệ đúng hạn (%)", "files": "Số tệp nhận được", "missing_units": "Đơn vị chưa nộp",
        "other_files": "Các tệp không dùng để tổng hợp",
        "prop_title": "ĐỀ XUẤT ĐIỀU CHỈNH CHỈ TIÊU", "current_target": "Chỉ tiêu NQ ĐH hiện hành",
        "proposed": "Đề xuất điều chỉnh", "how": "Cách đề xuất", "how_column": "Ghi ở cột đề xuất",
        "how_overwritten": "Sửa trực tiếp ô chỉ tiêu", "prop_none": "Không có đề xuất điều chỉnh.",
        "extra_title": "CHỈ TIÊU DO ĐƠN VỊ BỔ SUNG (chỉ liệt kê, không tổng hợp)", "extra_name": "Tên chỉ tiêu",
        "uom": "Đơn vị tính", "target": "Chỉ tiêu", "result": "Thực hiện", "extra_none": "Không có chỉ tiêu bổ sung.",
        "chart_pct_title": "Tỷ lệ thực hiện so với chỉ tiêu Nghị quyết (%) – {unit}",
        "chart_status_title": "Đánh giá các chỉ tiêu theo đơn vị trực thuộc", "pct": "So với chỉ tiêu (%)",
        "reference": "Mốc 100%", "chart_data": "Số liệu của biểu đồ",
        "info_title": "THÔNG TIN VỀ BẢN TỔNG HỢP", "round_id": "Mã đợt", "title": "Tên đợt", "organisation": "Cơ quan",
        "cutoff": "Ngày chốt số liệu", "deadline_date": "Hạn nộp", "low_threshold": "Ngưỡng đạt thấp (tiến độ)",
        "expected_progress": "Tiến độ kỳ vọng (%)", "root": "Đơn vị tổng hợp", "version": "Phiên bản công cụ",
        "run_at": "Thời điểm tổng hợp", "accept_partial": "Dùng phần không lỗi của tệp có lỗi",
        "inputs": "Các tệp đầu vào", "path": "Đường dẫn", "modified": "Sửa lần cuối (trong tệp)", "sha256": "SHA-256",
        "summed": "tổng hợp", "pct_on": "trên {used}/{expected}",
        "partial_legend": "Chữ nghiêng trên nền cam: tổng hợp chưa đủ, còn đơn vị chưa có số liệu (xem cột Độ bao phủ); "
                          "khi đó % so với chỉ tiêu so sánh với chỉ tiêu của chính các đơn vị đã có số liệu "
                          "(“trên 8/10”: 8 trong 10 đơn vị). “(tổng hợp)” sau chỉ tiêu: {unit} không có chỉ tiêu "
                          "riêng, đây là chỉ tiêu tổng hợp từ chỉ tiêu của tất cả các đơn vị.",
        "parent": "Trực thuộc", "reason": "Vì sao đạt thấp",
        "why_cumulative": "thực hiện {done}; cần {needed} vào thời điểm này",
        "why_cap": "đã {done}; tối đa {needed} vào thời điểm này (cả nhiệm kỳ tối đa {target})",
        "why_up": "tăng {done} so với năm gốc {baseline}", "why_down": "giảm {done} so với năm gốc {baseline}",
        "why_need_up": "cần tăng {needed} vào thời điểm này", "why_need_down": "cần giảm {needed} vào thời điểm này",
        "why_target": "đạt {done} so với chỉ tiêu {target}", "why_target_down": "ở mức {done}, chỉ tiêu tối đa {target}",
        "why_boolean": "chưa đạt",
        "matrix_legend": "Màu theo đánh giá:", "chart_expected": "Kỳ vọng đến thời điểm này (%)",
        "chart_pct": "Thực hiện (%)", "chart_cap": "đã dùng so với mức tối đa",
        "chart_note": "Thanh màu: % so với chỉ tiêu, màu theo đánh giá; thanh xám: mức kỳ vọng đến ngày {cutoff} "
                      "(chỉ tiêu cộng dồn và chỉ tiêu có năm gốc). Chỉ tiêu giới hạn tối đa (ví dụ số đảng viên bị "
                      "kỷ luật): thanh là phần đã dùng so với mức tối đa cả nhiệm kỳ, càng thấp càng tốt.",
    },
    "en": {
        "sheet_summary": "Summary", "sheet_low": "Low achieving", "sheet_matrix": "By unit",
        "sheet_submissions": "Submissions", "sheet_proposals": "Proposed changes", "sheet_data": "Data",
        "sheet_charts": "Charts", "sheet_info": "About", "sheet_chart_data": "Chart data",
        formulas.ACHIEVED: "Achieved", formulas.ON_TRACK: "On track", formulas.BEHIND: "Behind",
        formulas.LOW: "Low", formulas.NO_DATA: "No data",
        VALID: "Valid", INVALID: "Invalid", UNREADABLE: "Unreadable", "missing": "Missing",
        "on_time": "On time", "late": "Late", "yes": "Yes", "no": "No",
        "rollup_value": "Rolled up from units", "expected": "Expected progress (%)", "pace": "Pace",
        "status": "Assessment", "units_count": "Number of units", "coverage": "Coverage", "note": "Note",
        "indicator_code": "Indicator code", "coverage_text": "{used}/{expected} units", "incomplete": " (incomplete)",
        "partial_note": "Incomplete rollup: {used}/{expected} units with data",
        "partial_below": "Incomplete rollup: units further down lack data",
        "mismatch_note": "Own figure differs from the sum of the units ({rollup})",
        "rollup_shown": "No own figure reported; the rollup of the units is shown",
        "not_aggregated": "Not aggregated; see each unit",
        "tally": "{achieved}/{total} indicators achieved or exceeded; {on_track} on track; {behind} behind; "
                 "{low} low; {no_data} without data.",
        "legend": "Expected progress: share of the term elapsed at {cutoff} ({expected}%). Pace: progress against "
                  "that expectation (1.00 = on schedule); below {low} is low.",
        "sources": "Rolled up from {valid}/{expected_units} units with a valid submission; made at {run_at}.",
        "unit": "Unit", "unit_code": "Unit code", "unit_name": "Unit name", "level": "Level", "indicator": "Indicator",
        "kind": "Kind", "reported": "Reported", "rollup": "Rollup", "source_file": "Source file",
        "low_title": "LOW-ACHIEVING INDICATORS", "low_subtitle": "Pace below {low} of the expected; worst first.",
        "low_none": "No low-achieving indicator.",
        "matrix_title": "RESULT AS % OF THE RESOLUTION TARGET, BY UNIT",
        "matrix_subtitle": "The unit's own figure; its rollup when it reports none. Blank: no data.",
        "sub_title": "SUBMISSIONS", "file": "File", "received": "Received", "deadline": "On time/late",
        "state": "Status", "errors": "Errors", "warnings": "Warnings", "counted": "Consolidated",
        "units_expected": "Units expected", "units_valid": "Units with a valid submission",
        "units_on_time": "Valid and on time", "completeness": "Completeness (%)", "timeliness": "Timeliness (%)",
        "files": "Files received", "missing_units": "Missing units", "other_files": "Files not consolidated",
        "prop_title": "PROPOSED TARGET ADJUSTMENTS", "current_target": "Current target",
        "proposed": "Proposed target", "how": "How proposed", "how_column": "In the proposal column",
        "how_overwritten": "Target cell overwritten", "prop_none": "No proposed adjustment.",
        "extra_title": "INDICATORS ADDED BY UNITS (listed, not aggregated)", "extra_name": "Indicator",
        "uom": "Unit of measure", "target": "Target", "result": "Result", "extra_none": "No extra indicator.",
        "chart_pct_title": "Result as % of the resolution target – {unit}",
        "chart_status_title": "Assessment of indicators by direct unit", "pct": "% of target",
        "reference": "100% line", "chart_data": "Chart data",
        "info_title": "ABOUT THIS CONSOLIDATION", "round_id": "Round id", "title": "Title", "organisation": "Organisation",
        "cutoff": "Cut-off date", "deadline_date": "Deadline", "low_threshold": "Low threshold (pace)",
        "expected_progress": "Expected progress (%)", "root": "Consolidated unit", "version": "Tool version",
        "run_at": "Run at", "accept_partial": "Error-free rows of invalid files used",
        "inputs": "Input files", "path": "Path", "modified": "Last saved (in the file)", "sha256": "SHA-256",
        "summed": "rolled up", "pct_on": "on {used}/{expected}",
        "partial_legend": "Italic on orange: an incomplete rollup, some units have no data yet (see Coverage); its % of "
                          "target compares with the targets of the units that have data (“on 8/10”: 8 of 10 units). "
                          "“(rolled up)” after a target: {unit} has no target of its own; it is rolled up from the "
                          "targets of all its units.",
        "parent": "Under", "reason": "Why low",
        "why_cumulative": "{done} done; {needed} needed by now",
        "why_cap": "{done} so far; at most {needed} by now (at most {target} over the term)",
        "why_up": "up {done} from the baseline {baseline}", "why_down": "down {done} from the baseline {baseline}",
        "why_need_up": "needs to be up {needed} by now", "why_need_down": "needs to be down {needed} by now",
        "why_target": "{done} against a target of {target}", "why_target_down": "at {done}, target at most {target}",
        "why_boolean": "not achieved",
        "matrix_legend": "Colour by assessment:", "chart_expected": "Expected by now (%)",
        "chart_pct": "Result (%)", "chart_cap": "share of the cap used",
        "chart_note": "Coloured bars: % of target, coloured by assessment; grey bars: what is expected by {cutoff} "
                      "(cumulative indicators and those with a baseline). A cap over the term (e.g. members "
                      "disciplined): the bar is the share of the cap used so far, lower is better.",
    },
}


def words(lang: str) -> dict[str, str]:
    return _WORDS.get(lang, _WORDS["vi"])


def sheet_names(lang: str = "vi") -> dict[str, str]:
    """Sheet key → sheet name in a language."""
    w = words(lang)
    return {key: sheet_name(w[f"sheet_{key}"]) for key in SHEET_KEYS}


class WorkbookWriteError(ConsolidatorError):
    """xlsxwriter refused a write (a cell out of range, a bad range); the output is not written."""


def sheet_name(name: str) -> str:
    """A name Excel accepts for a sheet: none of []:*?/\\, no edge apostrophes, at most 31 characters."""
    s = re.sub(r"[\[\]:*?/\\]", "-", clean_text(name).replace("\n", " ").replace("\t", " ")).strip().strip("'")
    return s[:31].strip() or "Sheet"


class _Sheet:
    """A worksheet whose calls raise instead of returning xlsxwriter's negative codes.

    It also keeps what Excel would need to size rows: xlsxwriter does not grow a row for
    wrapped text, and LibreOffice prints such rows one line high, so `fit_rows` sets
    heights from the column widths and the text written.
    """

    def __init__(self, ws):
        self.ws = ws
        self.widths: dict[int, float] = {}
        self.heights: dict[int, float] = {}
        self.lines: dict[int, int] = {}
        self.spans: dict[tuple[int, int], tuple[int, int]] = {}

    def __getattr__(self, name: str):
        attr = getattr(self.ws, name)
        if not callable(attr):
            return attr
        return lambda *args, **kwargs: self._call(name, *args, **kwargs)

    def _call(self, name: str, *args, **kwargs):
        rc = getattr(self.ws, name)(*args, **kwargs)
        if isinstance(rc, int) and not isinstance(rc, bool) and rc != 0:
            raise WorkbookWriteError(f"{self.ws.name}: {name}{args[:2]} failed (xlsxwriter code {rc})")
        return rc

    def set_column(self, first: int, last: int, width: float, *args, **kwargs):
        for c in range(first, last + 1):
            self.widths[c] = width
        return self._call("set_column", first, last, width, *args, **kwargs)

    def set_row(self, r: int, height: float, *args, **kwargs):
        self.heights[r] = height
        return self._call("set_row", r, height, *args, **kwargs)

    def merge_range(self, r1: int, c1: int, r2: int, c2: int, data, f=None):
        self.spans[(r1, c1)] = (r2, c2)
        return self._call("merge_range", r1, c1, r2, c2, data, f)

    def write_string(self, r: int, c: int, text: str, f=None):
        r2, c2 = self.spans.get((r, c), (r, c))
        # Only wrapped text grows a row; a range merged over rows has the height of its rows already.
        if r2 == r and getattr(f, "text_wrap", 0):
            width = sum(self.widths.get(k, 8.43) for k in range(c, c2 + 1))
            self.lines[r] = max(self.lines.get(r, 1), bigsheet.wrapped_lines(text, width))
        return self._call("write_string", r, c, text, f)

    def fit_rows(self) -> None:
        """Rows tall enough for their wrapped text, and never cramped, as on a printed appendix."""
        for r, lines in self.lines.items():
            need = bigsheet.fitted_height(lines)
            if need > self.heights.get(r, 0):
                self.set_row(r, need)


def write_consolidated(consolidation: Consolidation, path: str | Path, lang: str = "vi") -> None:
    """Write the consolidated workbook to `path` atomically."""
    import xlsxwriter

    # Scratch space beside the output, not in /tmp: at ten thousand units the streamed rows
    # are a few hundred MB, and /tmp is often memory.
    with atomic_output(path) as tmp, tempfile.TemporaryDirectory(prefix=".consolidator-", dir=tmp.parent) as scratch:
        laid_out = Path(scratch) / "laid-out.xlsx"
        # The default format too: an empty cell, the default row height and an Excel table's
        # header are in it, and Calibri has no glyph for some tone marks in LibreOffice's stand-in.
        wb = xlsxwriter.Workbook(str(laid_out), {**XLSXWRITER_OPTIONS, "tmpdir": scratch,
                                                 "default_format_properties": {"font_name": FONT, "font_size": 11}})
        writer = _Writer(wb, consolidation, lang, Path(scratch))
        try:
            writer.write()
            wb.close()
            bigsheet.package(laid_out, tmp, writer.bodies)
        except BaseException:
            if writer.data_rows is not None:  # not left running while the scratch folder goes
                with contextlib.suppress(ConsolidatorError):
                    writer.data_rows[0].wait()
            raise
        finally:
            for body in writer.bodies:
                body.close()


class _Writer:
    def __init__(self, wb, consolidation: Consolidation, lang: str, scratch: Path):
        self.wb, self.c, self.lang, self.scratch = wb, consolidation, lang, scratch
        self.catalog = consolidation.catalog
        self.round = self.catalog.round
        self.w = words(lang)
        self.text = labels(lang)
        self.names = sheet_names(lang)
        self._formats: dict[tuple, object] = {}
        self._shown: dict[tuple[float, int], str] = {}
        self._kinds: dict[tuple[str, bool], tuple[str, str, int]] = {}  # evaluation kind and decimals
        self.e = self.round.elapsed_share
        self.order = subtree(self.catalog, consolidation.root)
        self.in_tree = set(self.order)
        self.own: dict[tuple[str, str], Row] = {}
        self.rollup: dict[tuple[str, str], Row] = {}
        for row in consolidation.rows:
            (self.rollup if row.is_rollup else self.own)[(row.unit_code, row.indicator_code)] = row
        # the rows are those of the tree under the root: an indicator is present when it has one
        self.present = {code for _, code in self.own} | {code for _, code in self.rollup}
        self.targets = {(t.unit_code, t.indicator_code): t for t in self.catalog.targets}
        self.bodies: list[bigsheet.Body] = []
        self.data_rows: tuple[object, Path] | None = None  # (the forked process making them, their file)

    # --- formats -------------------------------------------------------------------------------

    def fmt(self, **props):
        """A cached format: Times New Roman 12 unless told otherwise; one format per distinct look."""
        # Called for every cell: the arguments as given find the format first; sorted, they
        # make one format of the same look asked for in another order.
        call = tuple(props.items())
        if call not in self._formats:
            key = tuple(sorted(props.items()))
            if key not in self._formats:
                base = {"font_name": FONT, "font_size": 12, "valign": "vcenter"}
                self._formats[key] = self.wb.add_format({**base, **props})
            self._formats[call] = self._formats[key]
        return self._formats[call]

    def cell(self, **props):
        """A bordered, wrapped table cell."""
        return self.fmt(border=1, text_wrap=True, **props)

    def header(self):
        return self.cell(bold=True, align="center", bg_color="#D9E1F2")

    # --- writing helpers -----------------------------------------------------------------------

    def sheet(self, key: str) -> _Sheet:
        return _Sheet(self.wb.add_worksheet(self.names[key]))

    def body(self, ws: _Sheet, first_row: int, table_name: str | None = None) -> bigsheet.Body:
        """Where a sheet's rows from `first_row` on are written: a row per unit, or per unit ×
        indicator, is streamed into the package rather than held by xlsxwriter (see bigsheet)."""
        body = bigsheet.Body(self.wb.worksheets().index(ws.ws) + 1, first_row, self.scratch, ws.widths, table_name)
        self.bodies.append(body)
        return body

    @staticmethod
    def text_cell(ws, r: int, c: int, value: object, f=None) -> None:
        """Any text, above all text a unit typed: always a string cell, never a formula or a link."""
        text = clean_text(value)
        if text:
            ws.write_string(r, c, text, f)
        else:
            ws.write_blank(r, c, None, f)

    @staticmethod
    def number_cell(ws, r: int, c: int, value: float | None, f=None) -> None:
        if value is None or value != value or value in (float("inf"), float("-inf")):
            ws.write_blank(r, c, None, f)
        else:
            ws.write_number(r, c, float(value), f)

    def headers(self, ws, r: int, labels_: Sequence[str], height: float = 36) -> None:
        ws.set_row(r, height)
        for c, label in enumerate(labels_):
            self.text_cell(ws, r, c, label, self.header())

    def merge_text(self, ws, r1: int, c1: int, r2: int, c2: int, text: object, f) -> None:
        """A merged range holding text, written with write_string like every other text."""
        if (r1, c1) == (r2, c2):
            self.text_cell(ws, r1, c1, text, f)
            return
        ws.merge_range(r1, c1, r2, c2, "", f)
        self.text_cell(ws, r1, c1, text, f)

    def title(self, ws, r: int, last_col: int, text: str, size: int = 14, bold: bool = True, italic: bool = False) -> None:
        f = self.fmt(bold=bold, italic=italic, font_size=size, align="center", text_wrap=True)
        self.merge_text(ws, r, 0, r, max(last_col, 0), text, f)

    def page_setup(self, ws, header_row: int | None, header_rows: int = 1, fit: bool = True,
                   fit_width: bool = True, repeat_columns: int = 0, portrait: bool = False) -> None:
        """A4 landscape, one page wide, the table's header repeated on each page; rows fitted to their text.

        Without `fit_width` the sheet prints at full size; a wide one over several pages
        across, its first `repeat_columns` columns repeated on each.
        """
        if fit:
            ws.fit_rows()
        if portrait:
            ws.set_portrait()
        else:
            ws.set_landscape()
        ws.set_paper(9)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.center_horizontally()
        if header_row is not None:
            ws.repeat_rows(header_row, header_row + header_rows - 1)
        if repeat_columns:
            ws.repeat_columns(0, repeat_columns - 1)
        if fit_width:
            ws.fit_to_pages(1, 0)
        ws.set_footer(f'&C&"{FONT},Regular"&P/&N')

    # --- values ----------------------------------------------------------------------------------

    def shown_row(self, unit: str, code: str) -> Row | None:
        """What stands for a unit × indicator: its own figure when it reported one, else its rollup."""
        own, rollup = self.own.get((unit, code)), self.rollup.get((unit, code))
        if own is not None and (own.result is not None or rollup is None):
            return own
        return rollup

    def is_boolean_value(self, row: Row) -> bool:
        """Whether a row's result is achieved/not achieved rather than a count or share of units."""
        ind = self.catalog.indicator_by_code[row.indicator_code]
        return ind.direction == formulas.BOOLEAN and not formulas.counts_units(ind.direction, ind.aggregation, row.is_rollup)

    def write_target(self, ws, r: int, c: int, row: Row, over_all: bool = False) -> None:
        """The target of a row; with `over_all`, a rollup's target over all its units, marked so."""
        own_target = self.targets.get((row.unit_code, row.indicator_code))
        f_text = self.cell(align="center")
        if self.is_boolean_value(row):
            self.text_cell(ws, r, c, self.text["true_word"] if row.target is not None else "", f_text)
        elif own_target is not None and own_target.is_range:
            self.text_cell(ws, r, c, own_target.text, f_text)
        elif over_all and row.is_rollup and own_target is None and row.target_all is not None:
            # a number still, the mark is in its format: a reader sees it, a formula can use it
            marked = f'{_number_format(self.decimals(row))}" ({self.w["summed"]})"'
            self.number_cell(ws, r, c, row.target_all, self.cell(num_format=marked))
        elif row.target is not None:
            self.number_cell(ws, r, c, row.target, self.cell(num_format=_number_format(self.decimals(row))))
        else:
            self.text_cell(ws, r, c, row.target_text, f_text)

    def decimals(self, row: Row) -> int:
        ind = self.catalog.indicator_by_code[row.indicator_code]
        # a rolled-up share of units (boolean with mean) needs decimals even when the indicator has none
        return 2 if ind.direction == formulas.BOOLEAN and row.is_rollup and ind.aggregation == "mean" else ind.decimals

    def write_result(self, ws, r: int, c: int, row: Row | None, extra: dict | None = None) -> None:
        extra = extra or {}
        if row is None:
            ws.write_blank(r, c, None, self.cell(**extra))
        elif self.is_boolean_value(row) and row.result is not None:
            word = self.text["true_word"] if row.result else self.text["false_word"]
            self.text_cell(ws, r, c, word, self.cell(align="center", **extra))
        else:
            self.number_cell(ws, r, c, row.result, self.cell(num_format=_number_format(self.decimals(row)), **extra))

    def write_status(self, ws, r: int, c: int, status: str) -> None:
        self.text_cell(ws, r, c, self.w[status], self.cell(align="center", bg_color=STATUS_COLOURS[status]))

    def coverage_text(self, rollup: Row | None) -> str:
        if rollup is None:
            return ""
        text = self.w["coverage_text"].format(used=rollup.used, expected=rollup.expected)
        return text + (self.w["incomplete"] if rollup.partial else "")

    def flag_notes(self, rollup: Row | None) -> list[str]:
        if rollup is None:
            return []
        notes = []
        # a partial rollup is told by its style and the coverage column, explained once below the table
        if rollup.partial and rollup.used == rollup.expected:
            notes.append(self.w["partial_below"])
        if rollup.sum_mismatch:
            decimals = self.catalog.indicator_by_code[rollup.indicator_code].decimals
            notes.append(self.w["mismatch_note"].format(rollup=self.show_number(round(rollup.result, decimals))))
        return notes

    def show_number(self, value: float | None) -> str:
        if value is None:
            return ""
        if self.lang == "vi":
            return display_number(round(value, 6))
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"

    def pct_text(self, share: float | None) -> str:
        text = "" if share is None else f"{share * 100:.1f}"
        return text.replace(".", ",") if self.lang == "vi" else text

    def grouped_indicators(self):
        """Indicators grouped by group (groups in order of first appearance), catalog order within."""
        groups: dict[str, list] = {}
        for ind in self.catalog.indicators:
            groups.setdefault(ind.group, []).append(ind)
        return list(groups.items())

    def unit_label(self, code: str) -> str:
        return self.catalog.unit_by_code[code].name

    # --- the workbook ----------------------------------------------------------------------------

    def write(self) -> None:
        self.start_data_rows()
        self.summary()
        self.low_list()
        self.matrix()
        self.submissions()
        self.proposals()
        self.data()
        self.charts()
        self.info()
        self.chart_data()

    # 1. the root's appendix ------------------------------------------------------------------------

    def summary(self) -> None:
        ws = self.sheet("summary")
        ws.activate()
        w, root = self.w, self.c.root
        seed = layout.header_labels(self.round, self.lang)
        singles = [seed["tt"], seed["name"], seed["unit_of_measure"], seed["target"], seed["result"], seed["pct"],
                   seed["baseline"], w["rollup_value"], w["expected"], w["pace"], w["status"]]
        counts = [w[s] for s in STATUS_ORDER]
        tail = [w["coverage"], w["note"], w["indicator_code"]]
        widths = [5, 38, 10, 20, 13, 15, 11, 13, 10, 8, 12] + [8] * len(counts) + [13, 26, 11]
        last = len(widths) - 1
        printed_last = last - 1  # the indicator code is for machines, not for print
        for c, width in enumerate(widths):
            ws.set_column(c, c, width)

        # header block, as on the unit appendix
        ws.set_row(5, 33)
        layout.write_header_block(ws, layout.header_block(self.catalog, root, self.lang), widths,
                                  left=(0, 2), right=(5, printed_last), fmt=self.fmt)

        # two header rows: the status counts share one heading
        h1, h2 = 8, 9
        ws.set_row(h1, 33)
        ws.set_row(h2, 48)
        n_single = len(singles)
        for c, label in enumerate(singles):
            self.merge_text(ws, h1, c, h2, c, label, self.header())
        self.merge_text(ws, h1, n_single, h1, n_single + len(counts) - 1, w["units_count"], self.header())
        for k, label in enumerate(counts):
            self.text_cell(ws, h2, n_single + k, label, self.header())
        for k, label in enumerate(tail):
            c = n_single + len(counts) + k
            self.merge_text(ws, h1, c, h2, c, label, self.header())
        ws.freeze_panes(h2 + 1, 2)

        r = h2 + 1
        tally = dict.fromkeys(STATUS_ORDER, 0)
        n = 0
        below = [u for u in self.order if u != root]
        group_no = 0
        for group, indicators in self.grouped_indicators():
            present = [i for i in indicators if i.code in self.present]
            if not present:
                continue
            group_no += 1
            self.text_cell(ws, r, 0, layout.roman(group_no), self.cell(bold=True, align="center", bg_color="#F2F2F2"))
            self.text_cell(ws, r, 1, group, self.cell(bold=True, bg_color="#F2F2F2"))
            for c in range(2, last + 1):
                ws.write_blank(r, c, None, self.cell(bg_color="#F2F2F2"))
            r += 1
            for ind in present:
                n += 1
                row = self.shown_row(root, ind.code)
                rollup = self.rollup.get((root, ind.code))
                self.text_cell(ws, r, 0, str(n), self.cell(align="center"))
                self.text_cell(ws, r, 1, ind.name, self.cell())
                self.text_cell(ws, r, 2, ind.unit_of_measure, self.cell(align="center"))
                self.text_cell(ws, r, last, ind.code, self.cell(align="center"))
                statuses = [self.own[(u, ind.code)].evaluation.status for u in below if (u, ind.code) in self.own]
                for k, status in enumerate(STATUS_ORDER):
                    ws.write_number(r, n_single + k, statuses.count(status), self.cell(num_format="0", align="center"))
                if row is None:  # aggregation "none" and no own target at the root
                    for c in range(3, n_single):
                        ws.write_blank(r, c, None, self.cell())
                    self.text_cell(ws, r, last - 2, "", self.cell(align="center"))
                    self.text_cell(ws, r, last - 1, w["not_aggregated"], self.cell())
                    r += 1
                    continue
                partial_shown = row.is_rollup and row.partial
                mark = PARTIAL_MARK if partial_shown else {}
                self.write_target(ws, r, 3, row, over_all=True)
                self.write_result(ws, r, 4, row, mark)
                pct_format = "0.0"
                if row.is_rollup and row.used < row.expected:  # like for like, and it says on how many units
                    pct_format += f'" {self.w["pct_on"].format(used=row.used, expected=row.expected)}"'
                self.number_cell(ws, r, 5, row.evaluation.pct_of_target, self.cell(num_format=pct_format, **mark))
                self.number_cell(ws, r, 6, row.baseline, self.cell(num_format=_number_format(self.decimals(row))))
                if row.is_rollup or rollup is None:
                    ws.write_blank(r, 7, None, self.cell())
                else:
                    self.write_result(ws, r, 7, rollup, PARTIAL_MARK if rollup.partial else {})
                self.number_cell(ws, r, 8, self.e * 100, self.cell(num_format="0.0"))
                self.number_cell(ws, r, 9, row.evaluation.pace, self.cell(num_format="0.00"))
                self.write_status(ws, r, 10, row.evaluation.status)
                self.text_cell(ws, r, last - 2, self.coverage_text(rollup),
                               self.cell(align="center", **(PARTIAL_MARK if rollup is not None and rollup.partial else {})))
                notes = self.flag_notes(rollup)
                if row.is_rollup and (root, ind.code) in self.own:
                    notes.insert(0, w["rollup_shown"])
                if not row.is_rollup and row.note:
                    notes.insert(0, row.note)
                self.text_cell(ws, r, last - 1, "; ".join(notes), self.cell())
                tally[row.evaluation.status] += 1
                r += 1

        total = sum(tally.values())
        line = self.fmt(text_wrap=True, valign="top")
        r += 1
        self.merge_text(ws, r, 0, r, printed_last, w["tally"].format(total=total, **tally),
                       self.fmt(bold=True, text_wrap=True))
        r += 1
        low = self.round.low_threshold
        self.merge_text(ws, r, 0, r, printed_last, w["legend"].format(
            cutoff=self.round.cutoff_date.strftime("%d/%m/%Y"), expected=self.pct_text(self.e),
            low=self.show_number(low) if self.lang == "vi" else f"{low:g}"), line)
        ws.set_row(r, 33)
        r += 1
        self.merge_text(ws, r, 0, r, printed_last, w["partial_legend"].format(unit=self.unit_label(root)),
                        self.fmt(text_wrap=True, valign="top", italic=True, bg_color=PARTIAL_MARK["bg_color"]))
        ws.set_row(r, 48)
        r += 1
        summary = self.c.report.summary()
        self.merge_text(ws, r, 0, r, printed_last, w["sources"].format(
            valid=summary["units_valid"], expected_units=summary["units_expected"],
            run_at=self.c.run_at.astimezone().strftime("%d/%m/%Y %H:%M")), self.fmt(italic=True, text_wrap=True))
        self.page_setup(ws, h1, header_rows=2)
        ws.print_area(0, 0, r, printed_last)

    # 2. the low-achieving list ---------------------------------------------------------------------

    def low_list(self) -> None:
        ws = self.sheet("low")
        w = self.w
        seed = layout.header_labels(self.round, self.lang)
        # Every header differs from the others (a filter or a reader must tell them apart).
        cols = [("#", 5), (w["unit"], 24), (w["unit_code"], 10), (w["parent"], 20), (w["indicator"], 30),
                (w["indicator_code"], 13), (w["kind"], 10), (w["uom"], 9), (seed["baseline"], 10),
                (seed["target"], 12), (seed["result"], 12), (seed["pct"], 11), (w["expected"], 10), (w["pace"], 8),
                (w["reason"], 34), (w["coverage"], 13), (w["source_file"], 26)]
        last = len(cols) - 1
        for c, (_, width) in enumerate(cols):
            ws.set_column(c, c, width)
        self.title(ws, 0, last, w["low_title"])
        low = self.show_number(self.round.low_threshold) if self.lang == "vi" else f"{self.round.low_threshold:g}"
        self.title(ws, 1, last, w["low_subtitle"].format(low=low), size=12, bold=False, italic=True)
        hr = 3
        self.headers(ws, hr, [label for label, _ in cols])
        ws.freeze_panes(hr + 1, 0)
        # What stands for each unit × indicator (its own figure, else its rollup), as on the
        # other sheets: a parent's incomplete rollup must not sit beside its own figure as a
        # second, smaller "total".
        keys = dict.fromkeys((row.unit_code, row.indicator_code) for row in self.c.rows)
        shown = (self.shown_row(unit, code) for unit, code in keys)
        rows = [row for row in shown if row is not None and row.evaluation.status == formulas.LOW]
        rows.sort(key=low_sort_key)
        body = self.body(ws, hr + 1)
        r = hr
        # A row per lagging unit × indicator: 65,000 at ten thousand units, so the formats
        # are looked up once, not per cell.
        plain, centred = self.cell(), self.cell(align="center")
        pct, pct_marked = self.cell(num_format="0.0"), self.cell(num_format="0.0", **PARTIAL_MARK)
        pace = self.cell(num_format="0.00")
        units = self.catalog.unit_by_code
        by_decimals = {d: self.cell(num_format=_number_format(d)) for d in range(7)}
        for n, row in enumerate(rows, start=1):
            r = hr + n
            ind = self.catalog.indicator_by_code[row.indicator_code]
            marked = row.is_rollup and row.partial
            parent = units[row.unit_code].parent_code
            body.write_number(r, 0, n, centred)
            self.text_cell(body, r, 1, self.unit_label(row.unit_code), plain)
            self.text_cell(body, r, 2, row.unit_code, centred)
            self.text_cell(body, r, 3, units[parent].name if parent else "", plain)
            self.text_cell(body, r, 4, ind.name, plain)
            self.text_cell(body, r, 5, ind.code, centred)
            self.text_cell(body, r, 6, w["rollup"] if row.is_rollup else w["reported"], centred)
            self.text_cell(body, r, 7, ind.unit_of_measure, centred)
            self.number_cell(body, r, 8, row.baseline, by_decimals.get(self.decimals(row)))
            self.write_target(body, r, 9, row)
            self.write_result(body, r, 10, row, PARTIAL_MARK if marked else None)
            self.number_cell(body, r, 11, row.evaluation.pct_of_target, pct_marked if marked else pct)
            self.number_cell(body, r, 12, self.e * 100, pct)
            self.number_cell(body, r, 13, row.evaluation.pace, pace)
            self.text_cell(body, r, 14, self.low_reason(row), plain)
            self.text_cell(body, r, 15, self.coverage_text(row) if row.is_rollup else "", centred)
            self.text_cell(body, r, 16, row.source_file, plain)
        if not rows:
            r = hr + 1
            self.text_cell(body, r, 0, w["low_none"], self.fmt(italic=True))
        else:
            ws.autofilter(hr, 0, r, last)
        self.page_setup(ws, hr)

    def low_reason(self, row: Row) -> str:
        """One line a reader understands: what changed, and what the pace rule needed by now."""
        w = self.w
        kind = self._kinds.get((row.indicator_code, row.is_rollup))
        if kind is None:
            ind = self.catalog.indicator_by_code[row.indicator_code]
            kind = self._kinds[(row.indicator_code, row.is_rollup)] = (*evaluation_kind(ind, row.is_rollup),
                                                                       self.decimals(row))
        direction, measure, decimals = kind
        if direction == formulas.BOOLEAN:
            return w["why_boolean"]
        if row.result is None or row.target is None:
            return ""
        basis = formulas.pace_basis(direction, measure, row.target, row.result, self.e, row.baseline)
        if basis is None:
            return ""
        # e·t rarely falls on the indicator's decimals: one more shows "0,5", not "0" or "1"
        done, needed = self.show_rounded(basis.done, decimals), self.show_rounded(basis.needed, decimals + 1)
        target = self.show_rounded(row.target, decimals)
        if basis.rule == formulas.RULE_CUMULATIVE:
            key = "why_cap" if basis.lower_is_better else "why_cumulative"
            return w[key].format(done=done, needed=needed, target=target)
        if basis.rule == formulas.RULE_FROM_BASELINE:
            baseline = self.show_rounded(row.baseline, decimals)
            change = w["why_up" if basis.done >= 0 else "why_down"].format(
                done=self.show_rounded(abs(basis.done), decimals), baseline=baseline)
            need = w["why_need_up" if basis.needed >= 0 else "why_need_down"].format(
                needed=self.show_rounded(abs(basis.needed), decimals + 1))
            return f"{change}; {need}"
        key = "why_target_down" if basis.lower_is_better else "why_target"
        return w[key].format(done=done, target=target)

    def show_rounded(self, value: float, decimals: int) -> str:
        # the same baselines and targets recur on thousands of rows of the low list
        key = (value, decimals)
        shown = self._shown.get(key)
        if shown is None:
            shown = self._shown[key] = self.show_number(round(value, decimals))
        return shown

    def words_pct(self) -> str:
        return layout.header_labels(self.round, self.lang)["pct"]

    # 3. the unit × indicator matrix ----------------------------------------------------------------

    def matrix(self) -> None:
        ws = self.sheet("matrix")
        w = self.w
        indicators = [i for i in self.catalog.indicators if i.code in self.present]
        first = 3
        last = first + len(indicators) - 1 if indicators else first - 1
        ws.set_column(0, 0, 10)
        ws.set_column(1, 1, 34)
        ws.set_column(2, 2, 5)
        if indicators:
            ws.set_column(first, last, 13)
        # Titles over the first page's width only: the sheet prints several pages across.
        title_last = min(max(last, 2), first + 5)
        self.title(ws, 0, title_last, w["matrix_title"])
        self.title(ws, 1, title_last, w["matrix_subtitle"], size=12, bold=False, italic=True)
        # the legend: the four colours of every sheet, and no data
        self.text_cell(ws, 2, 1, w["matrix_legend"], self.fmt(bold=True, align="right"))
        for k, status in enumerate(STATUS_ORDER):
            self.text_cell(ws, 2, first + k, w[status], self.cell(align="center", bg_color=STATUS_COLOURS[status]))
        hr = 3
        self.headers(ws, hr, [w["unit_code"], w["unit"], w["level"]]
                     + [f"{i.name}\n({i.code})" for i in indicators], height=120)
        ws.freeze_panes(hr + 1, 3)
        plain, centred = self.cell(), self.cell(align="center")
        by_status = {status: self.cell(num_format="0.0", bg_color=STATUS_COLOURS[status]) for status in STATUS_ORDER}
        partial = {status: self.cell(num_format="0.0", bg_color=STATUS_COLOURS[status], italic=True)
                   for status in STATUS_ORDER}
        body = self.body(ws, hr + 1)
        for n, unit in enumerate(self.order, start=1):
            r = hr + n
            level = self.catalog.level(unit)
            self.text_cell(body, r, 0, unit, plain)
            self.text_cell(body, r, 1, self.unit_label(unit), self.cell(indent=level, bold=level == 0))
            body.write_number(r, 2, level, centred)
            for k, ind in enumerate(indicators):
                row = self.shown_row(unit, ind.code)
                if row is None:
                    body.write_blank(r, first + k, None, plain)
                    continue
                f = (partial if row.is_rollup and row.partial else by_status)[row.evaluation.status]
                self.number_cell(body, r, first + k, row.evaluation.pct_of_target, f)
        # A wide matrix prints at full size, several pages across, the unit repeated on each.
        self.page_setup(ws, hr, fit_width=False, repeat_columns=2)

    # 4. submissions -------------------------------------------------------------------------------

    def submissions(self) -> None:
        ws = self.sheet("submissions")
        w = self.w
        text = self.text
        cols = [(w["unit_code"], 10), (w["unit_name"], 34), (w["file"], 34), (w["received"], 17),
                (text["status_source"], 21), (w["deadline"], 14), (w["state"], 14), (w["errors"], 8),
                (w["warnings"], 9)]
        last = len(cols) - 1
        for c, (_, width) in enumerate(cols):
            ws.set_column(c, c, width)
        self.title(ws, 0, last, w["sub_title"])
        deadline = self.round.deadline.strftime("%d/%m/%Y")
        self.title(ws, 1, last, f"{w['deadline_date']}: {deadline}", size=12, bold=False, italic=True)
        hr = 3
        self.headers(ws, hr, [label for label, _ in cols])
        ws.freeze_panes(hr + 1, 0)
        when = self.cell(num_format="dd/mm/yyyy hh:mm", align="center")
        body = self.body(ws, hr + 1)
        r = hr
        for u in self.c.report.units:
            r += 1
            s = u.submission
            state_colour = {VALID: STATUS_COLOURS[formulas.ACHIEVED], "missing": STATUS_COLOURS[formulas.LOW]}.get(
                u.state, STATUS_COLOURS[formulas.BEHIND])
            self.text_cell(body, r, 0, u.unit_code, self.cell())
            self.text_cell(body, r, 1, u.unit_name, self.cell())
            self.text_cell(body, r, 2, s.path.name if s else "", self.cell())
            if s is None:
                body.write_blank(r, 3, None, when)
            else:
                body.write_datetime(r, 3, _local(s.received), when)
            self.text_cell(body, r, 4, text[f"received_source_{s.received_source}"] if s else "", self.cell())
            on_time = "" if u.on_time is None else (w["on_time"] if u.on_time else w["late"])
            self.text_cell(body, r, 5, on_time, self.cell(align="center"))
            self.text_cell(body, r, 6, w[u.state], self.cell(align="center", bg_color=state_colour))
            for c, value in ((7, s.errors if s else None), (8, s.warnings if s else None)):
                self.number_cell(body, r, c, value, self.cell(num_format="0", align="center"))
        if self.c.report.units:
            ws.autofilter(hr, 0, r, last)

        summary = self.c.report.summary()
        r += 2
        label, number = self.cell(bold=True), self.cell(num_format="0", align="right")
        for key in ("units_expected", "units_valid", "units_on_time", "files"):
            self.text_cell(body, r, 1, w[key], label)
            body.write_number(r, 2, summary[key], number)
            r += 1
        for key in ("completeness", "timeliness"):
            self.text_cell(body, r, 1, w[key], label)
            self.number_cell(body, r, 2, None if summary[key] is None else summary[key] * 100,
                             self.cell(num_format="0.0", align="right"))
            r += 1
        self.text_cell(body, r, 1, w["missing_units"], label)
        self.text_cell(body, r, 2, ", ".join(summary["missing_units"]), self.cell())
        # Which clock "received" follows (DESIGN.md §3): a copied file gets a new file time.
        r += 1
        for line in text["received_sources_note"].splitlines():
            r += 1
            self.text_cell(body, r, 0, line, self.fmt(italic=True))

        others = [s for s in self.c.report.submissions if not s.counted]
        if others:
            r += 2
            self.text_cell(body, r, 0, w["other_files"], self.fmt(bold=True))
            r += 1
            self.headers(body, r, [w["unit_code"], w["file"], w["received"], text["status_source"], w["state"],
                                   w["errors"], w["warnings"]])
            for s in others:
                r += 1
                state = (text["file_replaced"] if s.replaced else
                         text["file_copy_of"].format(name=s.copy_of) if s.copy_of else w[s.status])
                self.text_cell(body, r, 0, s.unit_code or "", self.cell())
                self.text_cell(body, r, 1, s.path.name, self.cell())
                body.write_datetime(r, 2, _local(s.received), when)
                self.text_cell(body, r, 3, text[f"received_source_{s.received_source}"], self.cell())
                self.text_cell(body, r, 4, state, self.cell(align="center"))
                body.write_number(r, 5, s.errors, self.cell(num_format="0", align="center"))
                body.write_number(r, 6, s.warnings, self.cell(num_format="0", align="center"))
        if self.c.report.attachments:
            r += 2
            self.text_cell(body, r, 0, text["attachments_heading"], self.fmt(bold=True))
            r += 1
            self.headers(body, r, [w["unit_code"], w["file"]])
            for a in self.c.report.attachments:
                r += 1
                self.text_cell(body, r, 0, a.unit_code or "", self.cell())
                self.text_cell(body, r, 1, a.path.name, self.cell())
        self.page_setup(ws, hr)

    # 5. proposed target changes and extra indicators -----------------------------------------------------

    def proposals(self) -> None:
        ws = self.sheet("proposals")
        w = self.w
        cols = [("#", 5), (w["unit"], 26), (w["indicator"], 32), (w["indicator_code"], 12),
                (w["current_target"], 14), (w["proposed"], 14), (w["how"], 16), (w["note"], 30), (w["file"], 26)]
        last = len(cols) - 1
        for c, (_, width) in enumerate(cols):
            ws.set_column(c, c, width)
        self.title(ws, 0, last, w["prop_title"])
        hr = 2
        self.headers(ws, hr, [label for label, _ in cols])
        ws.freeze_panes(hr + 1, 0)
        items = []
        for s in self.c.report.submissions:
            if not s.counted or s.unit_code is None:
                continue
            notes = {v.indicator_code: v.note for v in s.values}
            for v in s.values:
                if v.proposed_target:
                    items.append((s, v.indicator_code, v.proposed_target, w["how_column"], v.note))
            for i in s.issues:
                if i.code == "target-change-proposed" and i.indicator_code:
                    value = i.value if not isinstance(i.value, float) else self.show_number(i.value)
                    items.append((s, i.indicator_code, value, w["how_overwritten"], notes.get(i.indicator_code, "")))
        order = {u: n for n, u in enumerate(self.order)}
        ind_order = {i.code: n for n, i in enumerate(self.catalog.indicators)}
        items.sort(key=lambda it: (order.get(it[0].unit_code, len(order)), ind_order.get(it[1], 0)))
        r = hr
        for n, (s, code, proposed, how, note) in enumerate(items, start=1):
            r += 1
            ind = self.catalog.indicator_by_code.get(code)
            target = self.targets.get((s.unit_code, code))
            ws.write_number(r, 0, n, self.cell(align="center"))
            self.text_cell(ws, r, 1, self.unit_label(s.unit_code), self.cell())
            self.text_cell(ws, r, 2, ind.name if ind else code, self.cell())
            self.text_cell(ws, r, 3, code, self.cell(align="center"))
            self.text_cell(ws, r, 4, target.text if target else "", self.cell(align="center"))
            self.text_cell(ws, r, 5, proposed, self.cell(align="center", bold=True))
            self.text_cell(ws, r, 6, how, self.cell())
            self.text_cell(ws, r, 7, note, self.cell())
            self.text_cell(ws, r, 8, s.path.name, self.cell())
        if not items:
            r += 1
            self.text_cell(ws, r, 0, w["prop_none"], self.fmt(italic=True))

        r += 2
        self.text_cell(ws, r, 0, w["extra_title"], self.fmt(bold=True))
        r += 1
        self.headers(ws, r, ["#", w["unit"], w["extra_name"], w["uom"], w["target"], w["result"], w["note"], "",
                             w["file"]])
        self.merge_text(ws, r, 6, r, 7, w["note"], self.header())
        extras = [(s, x) for s in self.c.report.submissions if s.counted and s.unit_code for x in s.extras]
        extras.sort(key=lambda sx: (order.get(sx[0].unit_code, len(order)), sx[1].excel_row))
        for n, (s, x) in enumerate(extras, start=1):
            r += 1
            ws.write_number(r, 0, n, self.cell(align="center"))
            self.text_cell(ws, r, 1, self.unit_label(s.unit_code), self.cell())
            self.text_cell(ws, r, 2, x.name, self.cell())
            self.text_cell(ws, r, 3, x.unit_of_measure, self.cell(align="center"))
            self.text_cell(ws, r, 4, x.target, self.cell(align="center"))
            self.number_cell(ws, r, 5, x.result, self.cell(num_format="#,##0.##"))
            self.merge_text(ws, r, 6, r, 7, x.note, self.cell())
            self.text_cell(ws, r, 8, s.path.name, self.cell())
        if not extras:
            r += 1
            self.text_cell(ws, r, 0, w["extra_none"], self.fmt(italic=True))
        self.page_setup(ws, hr)

    # 6. the long data table ----------------------------------------------------------------------------

    DATA_PLAIN = {"font_name": FONT, "font_size": 11}
    DATA_NUMERIC = {"level": "0", "pct_of_target": "0.0", "expected_progress": "0.000", "pace": "0.00",
                    "coverage": "0.00"}
    DATA_BY_DECIMALS = ("baseline", "target", "target_all", "result", "estimate")

    def start_data_rows(self) -> None:
        """Start making the data sheet's rows (24 cells a row, a row per unit × indicator) in a
        forked process, which goes on while this one writes the other sheets."""
        plain = self.DATA_PLAIN
        style = {col: bigsheet.style_index(self.fmt(num_format=fmt, **plain)) for col, fmt in self.DATA_NUMERIC.items()}
        text_style = bigsheet.style_index(self.fmt(**plain))
        value_style = {i.code: bigsheet.style_index(self.fmt(num_format=_number_format(i.decimals), **plain))
                       for i in self.catalog.indicators}
        path = self.scratch / "data-rows.xml"
        forked = bigsheet.rows_in_background(self.names["data"], path, _data_rows, self.c.table(), list(TABLE_COLUMNS),
                                             style, text_style, value_style, self.DATA_BY_DECIMALS)
        self.data_rows = (forked, path)

    def data(self) -> None:
        ws = self.sheet("data")
        frame = self.c.table()
        columns = list(TABLE_COLUMNS)
        last_row = max(len(frame), 1)
        # Headers in the reader's language; the CSV and Parquet keep the canonical names.
        headers = [self.text[f"data_{col}"] for col in columns]
        header_format = self.fmt(bold=True, text_wrap=True, **self.DATA_PLAIN)
        ws.add_table(0, 0, 1, len(columns) - 1, {
            "name": "DuLieu", "style": "Table Style Light 9", "autofilter": True,
            "columns": [{"header": h, "header_format": header_format} for h in headers],
        })
        ws.set_row(0, 48)
        widths = {"unit_name": 30, "indicator_name": 36, "group": 18, "source_file": 28, "note": 30}
        for c, col in enumerate(columns):
            ws.set_column(c, c, widths.get(col, 12))
        ws.freeze_panes(1, 2)
        self.page_setup(ws, 0, fit=False)
        self.body(ws, 1, table_name="DuLieu").rows_from(*self.data_rows, last_row=last_row, last_col=len(columns) - 1)

    # 7. charts ---------------------------------------------------------------------------------------

    CHART_WIDTH = 660  # pixels: within an A4 portrait page's margins at 100 % (about 715), in Excel and LibreOffice
    CHART_BAR = 24  # pixels an indicator (or unit) takes in a horizontal bar chart: its label readable

    def charts(self) -> None:
        """Two native charts, one under the other on A4 portrait; what they plot is on a hidden sheet."""
        ws = self.sheet("charts")
        w, root = self.w, self.c.root
        data = self.names["chart_data"]
        self.chart_points = self.indicator_points(root)
        kids = [k for k in self.catalog.children.get(root, ()) if k in self.in_tree]
        self.chart_units = []
        for kid in kids:
            statuses = [row.evaluation.status for row in (self.shown_row(kid, i.code) for i in self.catalog.indicators)
                        if row is not None]
            self.chart_units.append((self.unit_label(kid), [statuses.count(status) for status in STATUS_ORDER]))
        ws.set_column(0, 0, 88)
        r = 0
        n = len(self.chart_points)
        if n:
            bars = self.wb.add_chart({"type": "bar"})
            bars.add_series({
                "name": [data, 0, 1], "categories": [data, 1, 0, n, 0], "values": [data, 1, 1, n, 1],
                "points": [{"fill": {"color": CHART_COLOURS[status]}} for _, _, _, status in self.chart_points],
                "data_labels": {"value": True, "num_format": "0", "font": {"name": FONT, "size": 8}},
                "gap": 40,
            })
            bars.add_series({
                "name": [data, 0, 2], "categories": [data, 1, 0, n, 0], "values": [data, 1, 2, n, 2],
                "fill": {"color": "#BFBFBF"}, "border": {"color": "#7F7F7F"},
            })
            height = 140 + self.CHART_BAR * n
            self.style_chart(bars, w["chart_pct_title"].format(unit=self.unit_label(root)), height)
            bars.set_x_axis({"name": "%", "min": 0, "major_gridlines": {"visible": True},
                             "num_font": {"name": FONT, "size": 9}, "name_font": {"name": FONT, "size": 9}})
            ws.insert_chart(r, 0, bars, {"object_position": 3})
            r += -(-height // 20) + 1  # rows of the default 20 pixels the chart covers
            self.text_cell(ws, r, 0, w["chart_note"].format(cutoff=self.round.cutoff_date.strftime("%d/%m/%Y")),
                           self.fmt(italic=True, text_wrap=True, font_size=11, valign="top"))
            r += 2
        if kids:
            if r:
                ws.set_h_pagebreaks([r])
            stacked = self.wb.add_chart({"type": "bar", "subtype": "stacked"})
            last = len(kids)
            for k, status in enumerate(STATUS_ORDER):
                stacked.add_series({
                    "name": [data, n + 2, 1 + k], "categories": [data, n + 3, 0, n + 2 + last, 0],
                    "values": [data, n + 3, 1 + k, n + 2 + last, 1 + k], "fill": {"color": CHART_COLOURS[status]},
                    "gap": 50,
                })
            # a unit's name takes two lines more often than an indicator's shortened label
            height = 140 + int(1.5 * self.CHART_BAR) * len(kids)
            self.style_chart(stacked, w["chart_status_title"], height)
            stacked.set_x_axis({"name": w["indicator"], "min": 0, "major_gridlines": {"visible": True},
                                "num_font": {"name": FONT, "size": 9}, "name_font": {"name": FONT, "size": 9}})
            ws.insert_chart(r, 0, stacked, {"object_position": 3})
        # Charts, not a table: portrait, at full size (a fit would drop the page break), no header row.
        self.page_setup(ws, None, fit_width=False, portrait=True)

    def style_chart(self, chart, title: str, height: int) -> None:
        """Times New Roman everywhere in a horizontal bar chart, the first category on top."""
        chart.set_title({"name": title, "name_font": {"name": FONT, "size": 12, "bold": True}})
        chart.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": {"name": FONT, "size": 9}})
        chart.set_legend({"position": "bottom", "font": {"name": FONT, "size": 9}})
        chart.set_chartarea({"border": {"none": True}})
        chart.set_size({"width": self.CHART_WIDTH, "height": height})

    def indicator_points(self, unit: str) -> list[tuple[str, float | None, float | None, str]]:
        """Chart 1, an indicator a bar: (label, result in %, expected by now in %, status), as on the summary.

        A cap over the term shows the share of it used, never a % of target that reads as success.
        """
        w, points, n = self.w, [], 0
        for _, indicators in self.grouped_indicators():
            for ind in indicators:
                row = self.shown_row(unit, ind.code)
                if row is None:
                    continue
                n += 1
                direction, measure = evaluation_kind(ind, row.is_rollup)
                label = f"{n}. {_shortened(ind.name, 60)}"
                if direction == formulas.DECREASE and measure == formulas.CUMULATIVE:
                    label += f" ({w['chart_cap']})"
                if row.is_rollup and row.used < row.expected:
                    label += f" ({w['pct_on'].format(used=row.used, expected=row.expected)})"
                points.append((label, formulas.progress_pct(direction, measure, row.target, row.result),
                               formulas.expected_pct(direction, measure, row.target, self.e, row.baseline),
                               row.evaluation.status))
        return points

    def chart_data(self) -> None:
        """The cells the charts read, on a hidden sheet: kept off the printout."""
        ws = self.sheet("chart_data")
        w = self.w
        ws.set_column(0, 0, 60)
        ws.set_column(1, len(STATUS_ORDER), 14)
        self.headers(ws, 0, [w["indicator"], w["chart_pct"], w["chart_expected"], w["status"]])
        for n, (label, pct, expected, status) in enumerate(self.chart_points, start=1):
            self.text_cell(ws, n, 0, label, self.cell())
            self.number_cell(ws, n, 1, pct, self.cell(num_format="0.0"))
            self.number_cell(ws, n, 2, expected, self.cell(num_format="0.0"))
            self.text_cell(ws, n, 3, w[status], self.cell())
        top = len(self.chart_points) + 2
        self.headers(ws, top, [w["unit"]] + [w[s] for s in STATUS_ORDER])
        for n, (name, counts) in enumerate(self.chart_units, start=1):
            self.text_cell(ws, top + n, 0, name, self.cell())
            for k, count in enumerate(counts):
                ws.write_number(top + n, 1 + k, count, self.cell(num_format="0"))
        self.page_setup(ws, 0)
        ws.hide()

    # 8. provenance ------------------------------------------------------------------------------------

    def info(self) -> None:
        ws = self.sheet("info")
        w, r_ = self.w, self.round
        ws.set_column(0, 0, 34)
        ws.set_column(1, 1, 60)
        ws.set_column(2, 5, 16)
        ws.set_column(6, 6, 70)
        self.title(ws, 0, 6, w["info_title"])
        day = self.cell(num_format="dd/mm/yyyy", align="left")
        key_f, val_f = self.cell(bold=True), self.cell()
        root = self.catalog.unit_by_code[self.c.root]
        facts: list[tuple[str, object, object]] = [
            ("round_id", r_.round_id, None), ("title", r_.title, None), ("organisation", r_.organisation, None),
            ("cutoff", r_.cutoff_date, day), ("deadline_date", r_.deadline, day),
            ("low_threshold", r_.low_threshold, self.cell(num_format="0.00", align="left")),
            ("expected_progress", self.e * 100, self.cell(num_format="0.0", align="left")),
            ("root", f"{root.code} – {root.name}", None), ("version", f"consolidator {__version__}", None),
            ("run_at", _local(self.c.run_at), self.cell(num_format="dd/mm/yyyy hh:mm:ss", align="left")),
            ("accept_partial", w["yes"] if self.c.accept_partial else w["no"], None),
        ]
        r = 2
        for key, value, f in facts:
            self.text_cell(ws, r, 0, w[key], key_f)
            if isinstance(value, datetime):
                ws.write_datetime(r, 1, value, f)
            elif isinstance(value, date):
                ws.write_datetime(r, 1, datetime(value.year, value.month, value.day), f)
            elif isinstance(value, (int, float)):
                ws.write_number(r, 1, value, f)
            else:
                self.text_cell(ws, r, 1, value, f or val_f)
            r += 1
        r += 1
        self.text_cell(ws, r, 0, w["inputs"], self.fmt(bold=True))
        r += 1
        hr = r
        self.headers(ws, hr, [w["file"], w["path"], w["unit_code"], w["state"], w["counted"], w["received"], w["sha256"]])
        body = self.body(ws, hr + 1)
        when = self.cell(num_format="dd/mm/yyyy hh:mm", align="center")
        for s in self.c.report.submissions:
            r += 1
            self.text_cell(body, r, 0, s.path.name, val_f)
            self.text_cell(body, r, 1, str(s.path), val_f)
            self.text_cell(body, r, 2, s.unit_code or "", self.cell(align="center"))
            self.text_cell(body, r, 3, w[s.status], self.cell(align="center"))
            used = is_consolidated(s, self.c.accept_partial)
            self.text_cell(body, r, 4, w["yes"] if used else w["no"], self.cell(align="center"))
            body.write_datetime(r, 5, _local(s.received), when)
            self.text_cell(body, r, 6, s.sha256, self.cell(font_size=10))
        ws.freeze_panes(2, 0)
        self.page_setup(ws, hr)


def low_sort_key(row: Row) -> tuple:
    """Worst first: by pace, then % of target; a missing value sorts last."""
    pace, pct = row.evaluation.pace, row.evaluation.pct_of_target
    return (pace is None, pace if pace is not None else 0.0, pct is None, pct if pct is not None else 0.0,
            row.unit_code, row.indicator_code)


def _shortened(text: str, most: int) -> str:
    """A chart label that stays on a line or two: cut at a word, with an ellipsis."""
    if len(text) <= most:
        return text
    return text[:most].rsplit(" ", 1)[0] + "…"


def _local(moment: datetime) -> datetime:
    """A timestamp in local time without its zone, as Excel stores date-times."""
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.replace(tzinfo=None)


def _data_rows(frame, columns: list[str], style: dict[str, int], text_style: int, value_style: dict[str, int],
               by_decimals: tuple[str, ...], chunk: int = 2000):
    """The data sheet's rows under its header as XML, a chunk of rows at a time.

    Each column's cells are made at once for a chunk; a text seen before (a unit's or an
    indicator's name repeats on every row) is escaped once.
    """
    letters = bigsheet.letters(len(columns))
    indicator_styles = [value_style.get(code, text_style) for code in frame["indicator_code"].tolist()]
    seen: dict[str, dict[object, str]] = {col: {} for col in columns}
    for start in range(0, len(frame), chunk):
        part = frame.iloc[start:start + chunk]
        styles = indicator_styles[start:start + chunk]
        cells = []
        for col in columns:
            values = part[col].tolist()
            if col == "is_rollup":
                cells.append([bigsheet.bool_cell(v, text_style) for v in values])
            elif col in by_decimals:
                cells.append([bigsheet.number_cell(v, s) for v, s in zip(values, styles)])
            elif col in style:
                s = style[col]
                cells.append([bigsheet.number_cell(v, s) for v in values])
            else:
                known = seen[col]
                if len(known) > 100_000:  # a column of mostly distinct texts (notes) gains nothing
                    known.clear()
                cells.append([known[v] if v in known else known.setdefault(v, bigsheet.text_cell(v, text_style))
                              for v in values])
        yield "".join([bigsheet.row_xml(start + n + 2, letters, row) for n, row in enumerate(zip(*cells))])
