"""Write one locked, print-ready appendix workbook per unit (DESIGN.md §4), with xlsxwriter."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_range

from . import __version__, formulas, layout
from .errors import UnknownUnits
from .fileio import XLSXWRITER_OPTIONS, atomic_output, sha256_file, write_text_atomic
from .layout import FONT
from .messages import labels
from .parallel import map_forked
from .model import Catalog, Indicator, Target

INPUT_FILL = "#FFF2CC"
INSTRUCTIONS_WIDTH = 92  # characters: the text column fills a portrait A4 page at 100 %
MANIFEST = "manifest.csv"


@dataclass(frozen=True)
class Generated:
    """One generated workbook, as listed in the manifest."""

    unit_code: str
    unit_name: str
    path: Path
    indicators: int
    fingerprint: str
    upload_url: str = ""  # the unit's private link to the web page, when one was made


def generate(
    catalog: Catalog,
    outdir: str | Path,
    unit_codes: Sequence[str] = (),
    lang: str = "vi",
    progress: Callable[..., Iterable] = lambda it, length=None: it,
    generated_at: datetime | None = None,
    links: Mapping[str, str] | None = None,
) -> list[Generated]:
    """Write the appendix of every unit with targets (or just `unit_codes`) and a manifest.

    `generated_at` (default: now) is recorded in each file; a returned file saved before it
    cannot have been saved by the unit, so its saved time is not taken as received time.
    `links`: unit → its private upload link (the web page), on its instructions sheet and
    in the manifest.
    """
    outdir = Path(outdir)
    wanted = [u for u in catalog.reporting_units if not unit_codes or u.code in set(unit_codes)]
    unknown = sorted(set(unit_codes) - {u.code for u in catalog.reporting_units})
    if unknown:
        raise UnknownUnits(unknown)
    generated_at = (generated_at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    done = list(progress(_write_all(catalog, [u.code for u in wanted], outdir, lang, generated_at, links or {}),
                         length=len(wanted)))
    write_manifest(catalog, done, outdir / MANIFEST)
    return done


def _write_all(catalog: Catalog, codes: list[str], outdir: Path, lang: str,
               generated_at: datetime, links: Mapping[str, str]) -> Iterator[Generated]:
    """Write the workbooks, on every core when there are enough to be worth a process pool."""
    processes = (os.cpu_count() or 1) if len(codes) >= 40 else 1
    tasks = [(code, outdir, lang, generated_at, links.get(code, "")) for code in codes]
    yield from map_forked(_write_one, catalog, tasks, processes)


def _write_one(catalog: Catalog, task: tuple[str, Path, str, datetime, str]) -> Generated:
    code, outdir, lang, generated_at, link = task
    return write_appendix(catalog, code, outdir, lang, generated_at, link)


def write_manifest(catalog: Catalog, done: Sequence[Generated], path: Path) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["round_id", "unit_code", "unit_name", "file", "indicators", "fingerprint", "sha256",
                     "upload_url"])
    for g in done:
        writer.writerow([catalog.round.round_id, g.unit_code, g.unit_name, g.path.name, g.indicators,
                         g.fingerprint, sha256_file(g.path), g.upload_url])
    # BOM: Excel opens a UTF-8 CSV with Vietnamese names correctly only with it.
    write_text_atomic(path, buf.getvalue(), encoding="utf-8-sig")


def write_appendix(catalog: Catalog, unit_code: str, outdir: Path, lang: str = "vi",
                   generated_at: datetime | None = None, link: str = "") -> Generated:
    """Write one unit's appendix workbook atomically and return what was written."""
    unit = catalog.unit_by_code[unit_code]
    path = Path(outdir) / layout.workbook_filename(unit.code, unit.name)
    locked = layout.locked_content(catalog, unit_code)
    fingerprint = layout.fingerprint(catalog.round.round_id, unit_code, locked)
    with atomic_output(path) as tmp:
        # In memory: an appendix is ~100 KB, and writing each part to a temporary file and
        # removing it was a third of what a unit's appendix cost.
        wb = xlsxwriter.Workbook(str(tmp), {**XLSXWRITER_OPTIONS, "in_memory": True,
                                            "default_format_properties": layout.default_font()})
        AppendixWriter(wb, catalog, unit_code, lang, link).write(fingerprint, generated_at)
        wb.close()
    return Generated(unit.code, unit.name, path, len(locked), fingerprint, link)


class AppendixWriter:
    """Lays one unit's appendix out in an xlsxwriter workbook.

    `indicator_row` writes one indicator's row and `col` gives a column's position: the
    benchmark's synthetic returns subclass it to type values into the same layout.
    """

    def __init__(self, wb, catalog: Catalog, unit_code: str, lang: str, link: str = ""):
        self.wb, self.catalog, self.lang, self.link = wb, catalog, lang, link
        self.unit = catalog.unit_by_code[unit_code]
        self.text = labels(lang)
        self.round = catalog.round
        base = {"font_name": FONT, "font_size": 12, "valign": "vcenter", "text_wrap": True}
        cell = {**base, "border": 1}
        fmt = wb.add_format
        self.f = {
            "header": fmt({**cell, "align": "center", "bold": True, "bg_color": "#D9E1F2"}),
            "group": fmt({**cell, "bold": True, "bg_color": "#F2F2F2"}),
            "group_center": fmt({**cell, "bold": True, "align": "center", "bg_color": "#F2F2F2"}),
            "locked": fmt({**cell}),
            "locked_center": fmt({**cell, "align": "center"}),
            "pct": fmt({**cell, "num_format": "0.0", "align": "right", "bg_color": "#E2EFDA"}),
            "input_text": fmt({**cell, "locked": False, "bg_color": INPUT_FILL}),
        }
        self._number_formats: dict[tuple[int, bool], object] = {}
        self._formats: dict[tuple, object] = {}
        # Data validations by their options → the cell ranges they cover, written as one
        # validation each (a multi-range): a rule per input cell was a fifth of a unit's cost.
        self._validations_of: dict[tuple, tuple[dict, list[str]]] = {}

    def _format(self, **props):
        """A format made once per look: the header block asks for its formats by properties."""
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def number(self, decimals: int, unlocked: bool):
        key = (decimals, unlocked)
        if key not in self._number_formats:
            props = {"font_name": FONT, "font_size": 12, "valign": "vcenter", "border": 1,
                     "num_format": layout.number_format(decimals)}
            if unlocked:
                props.update(locked=False, bg_color=INPUT_FILL)
            self._number_formats[key] = self.wb.add_format(props)
        return self._number_formats[key]

    def write(self, fingerprint: str, generated_at: datetime | None = None) -> None:
        appendix_name, instructions_name = layout.sheet_names(self.lang)
        ws = self.wb.add_worksheet(appendix_name)
        self._header_block(ws)
        rows = layout.appendix_rows(self.catalog, self.unit.code, self.lang)
        write_row = {"group": self._row_group, "indicator": self.indicator_row,
                     "extra_heading": self._row_extra_heading, "extra": self._row_extra}
        for row in rows:
            write_row[row.kind](ws, row)
        last_row = rows[-1].excel_row
        self._write_validations(ws)
        self._page_setup(ws, last_row)
        ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                        "select_unlocked_cells": True})
        ws.activate()
        self._instructions(self.wb.add_worksheet(instructions_name))
        self._metadata(self.wb.add_worksheet(layout.META_SHEET), fingerprint,
                       generated_at or datetime.now(timezone.utc))

    def col(self, key: str) -> int:
        return layout.COLUMNS.index(key)

    def _header_block(self, ws) -> None:
        for key, width in layout.COLUMN_WIDTHS.items():
            ws.set_column(self.col(key), self.col(key), width)
        last = len(layout.COLUMNS) - 1
        widths = [layout.COLUMN_WIDTHS[key] for key in layout.COLUMNS]
        ws.set_row(layout.SUBTITLE_ROW - 1, 33)
        layout.write_header_block(ws, layout.header_block(self.catalog, self.unit.code, self.lang), widths,
                                  left=(0, 2), right=(4, last), fmt=self._format)
        headers = layout.header_labels(self.round, self.lang)
        ws.set_row(layout.HEADER_ROW - 1, 48)
        for key, label in headers.items():
            ws.write_string(layout.HEADER_ROW - 1, self.col(key), label, self.f["header"])
        ws.freeze_panes(layout.HEADER_ROW, 2)

    def _row_group(self, ws, row: layout.Row) -> None:
        r = row.excel_row - 1
        ws.write_string(r, 0, row.tt, self.f["group_center"])
        ws.write_string(r, 1, row.text, self.f["group"])
        for c in range(2, len(layout.COLUMNS)):
            ws.write_blank(r, c, None, self.f["group"])

    def indicator_row(self, ws, row: layout.Row) -> None:
        ind, target = row.indicator, row.target
        assert ind is not None and target is not None
        r = row.excel_row - 1
        col = self.col
        ws.write_string(r, col("tt"), row.tt, self.f["locked_center"])
        ws.write_string(r, col("name"), ind.name, self.f["locked"])
        ws.write_string(r, col("unit_of_measure"), ind.unit_of_measure, self.f["locked_center"])
        self._fit_row(ws, r, {"name": ind.name, "unit_of_measure": ind.unit_of_measure, "target": target.text})
        self._write_target(ws, r, ind, target)
        if target.baseline is None:
            ws.write_blank(r, col("baseline"), None, self.f["locked"])
        else:
            ws.write_number(r, col("baseline"), target.baseline, self.number(ind.decimals, False))
        ws.write_string(r, col("indicator_code"), ind.code, self.f["locked_center"])
        input_fmt = self.f["input_text"] if ind.direction == formulas.BOOLEAN else self.number(ind.decimals, True)
        ws.write_blank(r, col("result"), None, input_fmt)
        ws.write_blank(r, col("estimate"), None, input_fmt)
        ws.write_blank(r, col("proposed_target"), None, self.f["input_text"])
        ws.write_blank(r, col("note"), None, self.f["input_text"])
        # Cache "" rather than xlsxwriter's 0: a viewer that does not recalculate on
        # open (LibreOffice's default for xlsx, WPS previews) would show 0% everywhere.
        ws.write_formula(r, col("pct"), self._pct_formula(ind, target, row.excel_row), self.f["pct"], "")
        self._validations(ws, r, ind)

    def _write_target(self, ws, r: int, ind: Indicator, target: Target) -> None:
        c = self.col("target")
        if ind.direction == formulas.BOOLEAN:
            ws.write_string(r, c, self.text["true_word"], self.f["locked_center"])
        elif target.is_range:
            ws.write_string(r, c, target.text, self.f["locked_center"])
        else:
            ws.write_number(r, c, target.low, self.number(ind.decimals, False))

    def _pct_formula(self, ind: Indicator, target: Target, excel_row: int) -> str:
        """The live % formula, following the indicator's direction (DESIGN.md §3)."""
        e = f"{layout.column_letter('result')}{excel_row}"
        if ind.direction == formulas.BOOLEAN:
            yes, no = self.text["true_word"], self.text["false_word"]
            return f'=IF({e}="{yes}",100,IF({e}="{no}",0,""))'
        t = target.bound(ind.direction)
        if not t:
            return '=""'
        t_text = repr(float(t))
        if ind.direction == formulas.DECREASE:
            return f'=IF(AND(ISNUMBER({e}),{e}<>0),{t_text}/{e}*100,"")'
        return f'=IF(ISNUMBER({e}),{e}/{t_text}*100,"")'

    def _validate(self, first_row: int, first_col: int, last_row: int, last_col: int, options: dict) -> None:
        """A data validation on a range, kept with the others of the same options until written."""
        key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in options.items()))
        ranges = self._validations_of.setdefault(key, (options, []))[1]
        ranges.append(xl_range(first_row, first_col, last_row, last_col))

    def _write_validations(self, ws) -> None:
        for options, ranges in self._validations_of.values():
            ws.data_validation(ranges[0], {**options, "multi_range": " ".join(ranges)})
        self._validations_of.clear()

    def _validations(self, ws, r: int, ind: Indicator) -> None:
        col = self.col
        text = self.text
        cutoff = self.round.cutoff_date.strftime("%d/%m/%Y")
        if ind.direction == formulas.BOOLEAN:
            self._validate(r, col("result"), r, col("result"), {
                "validate": "list", "source": [text["true_word"], text["false_word"]],
                "input_title": text["input_result_title"], "input_message": text["input_boolean"],
                "error_title": text["error_boolean_title"], "error_message": text["error_boolean"],
            })
        else:
            # Percentages of a level (coverage, poverty rate) lie in 0–100; a growth
            # rate (an average) can be negative, so it only has to be a number.
            bounded = ind.is_percent and ind.measure != formulas.AVERAGE
            low, high = (0, 100) if bounded else (-1e15, 1e15)
            number_rule = {"validate": "decimal", "criteria": "between", "minimum": low, "maximum": high,
                           "error_title": text["error_number_title"],
                           "error_message": text["error_percent"] if bounded else text["error_number"]}
            self._validate(r, col("result"), r, col("result"), {
                **number_rule, "input_title": text["input_result_title"],
                "input_message": text["input_result"].format(cutoff=cutoff)})
            self._validate(r, col("estimate"), r, col("estimate"), {
                **number_rule, "input_title": text["input_estimate_title"],
                "input_message": text["input_estimate"].format(year=self.round.estimate_year)})
        self._validate(r, col("proposed_target"), r, col("proposed_target"), {
            "validate": "any", "input_title": text["input_proposed_title"], "input_message": text["input_proposed"]})
        self._validate(r, col("note"), r, col("note"), {
            "validate": "any", "input_title": text["input_note_title"], "input_message": text["input_note"]})

    def _row_extra_heading(self, ws, row: layout.Row) -> None:
        self._row_group(ws, row)

    def _row_extra(self, ws, row: layout.Row) -> None:
        r = row.excel_row - 1
        for key in layout.COLUMNS:
            c = self.col(key)
            if key in layout.EXTRA_INPUT_COLUMNS:
                fmt = self.f["input_text"] if key in ("name", "unit_of_measure", "note") else self.number(2, True)
                ws.write_blank(r, c, None, fmt)
            else:
                ws.write_blank(r, c, None, self.f["locked"])
        self._validate(r, self.col("name"), r, self.col("note"), {
            "validate": "any", "input_title": self.text["input_extra_title"], "input_message": self.text["input_extra"]})

    @staticmethod
    def _fit_row(ws, r: int, texts: dict[str, str]) -> None:
        """Make a row tall enough for its wrapped texts: LibreOffice prints an unsized row one line high."""
        need = max(layout.wrapped_lines(text, layout.COLUMN_WIDTHS[key]) for key, text in texts.items())
        if need > 1:
            ws.set_row(r, layout.fitted_height(need))

    def _page_setup(self, ws, last_row: int) -> None:
        layout.page_setup(ws, repeat=(layout.HEADER_ROW - 1, layout.HEADER_ROW - 1))
        # the indicator code is for the reader, not for print (as on the consolidated summary)
        ws.print_area(0, 0, last_row - 1, self.col("note"))

    def _instructions(self, ws) -> None:
        headers = layout.header_labels(self.round, self.lang)
        appendix_name, _ = layout.sheet_names(self.lang)
        body = self.text["instructions"].format(
            sheet_appendix=appendix_name, deadline=self.round.deadline.strftime("%d/%m/%Y"),
            cutoff=self.round.cutoff_date.strftime("%d/%m/%Y"), round_title=self.round.title,
            round_id=self.round.round_id, **{f"col_{k}": v for k, v in headers.items()},
        )
        width = INSTRUCTIONS_WIDTH
        ws.set_column(0, 0, width)
        wrap = self.wb.add_format({"font_name": FONT, "font_size": 12, "text_wrap": True, "valign": "top"})
        title = self.wb.add_format({"font_name": FONT, "font_size": 14, "bold": True, "text_wrap": True})
        lines = body.strip().splitlines()
        if self.link:  # the unit's own page: upload there and see at once what to fix
            lines.append(self.text["instructions_link"].format(url=self.link))
        for n, line in enumerate(lines):
            ws.write_string(n, 0, line, title if n == 0 else wrap)
            need = layout.wrapped_lines(line, width)
            ws.set_row(n, layout.fitted_height(need) + (6 if n == 0 else 0))
        # a page of text, not a table: portrait, as a letter is printed
        layout.page_setup(ws, landscape=False)
        ws.print_area(0, 0, len(lines) - 1, 0)
        ws.protect()

    def _metadata(self, ws, fingerprint: str, generated_at: datetime) -> None:
        values = {
            "round_id": self.round.round_id, "unit_code": self.unit.code, "unit_name": self.unit.name,
            "template_version": layout.TEMPLATE_VERSION, "fingerprint": fingerprint, "lang": self.lang,
            "generated_by": f"consolidator {__version__}",
            "generated_at": generated_at.astimezone(timezone.utc).isoformat(timespec="seconds"),
        }
        for n, key in enumerate(layout.META_KEYS):
            ws.write_string(n, 0, key)
            ws.write_string(n, 1, values[key])
        # Text cells, so what is read back is exactly what the fingerprint was made of.
        for n, row in enumerate(layout.locked_content(self.catalog, self.unit.code), start=layout.META_LOCKED_ROW - 1):
            for c, value in enumerate(row):
                ws.write_string(n, c, str(value))
        ws.protect()
        ws.very_hidden()
