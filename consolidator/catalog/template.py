"""Writing catalog workbooks: the blank template a clerk fills, and sample catalogs from a Catalog.

The words (each round key's description, the Hướng dẫn sheet) are labels, cat_… in
labels.toml; the sheets and columns are those the reader reads (spec.py).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from .. import formulas
from ..fileio import XLSXWRITER_OPTIONS, atomic_output
from ..messages import labels
from ..model import Catalog
from ..numbers import parse_number
from .spec import ALL_SHEETS, OPTIONAL_COLUMNS, ROUND_KEYS

_WIDE = ("description", "name", "unit_name", "organisation_name")
_MEDIUM = ("contact_name", "email")
_TEXT = ("target", "phone")  # written as text: a range "7–7,5", a phone's leading zero


def catalog_rows(catalog: Catalog) -> dict[str, list[dict[str, object]]]:
    """A catalog as sheet → rows, the inverse of load_catalog (for writing sample catalogs)."""
    r = catalog.round
    round_rows = [
        {"key": "round_id", "value": r.round_id}, {"key": "title", "value": r.title},
        {"key": "organisation", "value": r.organisation}, {"key": "baseline_year", "value": r.baseline_year},
        {"key": "target_year", "value": r.target_year}, {"key": "cutoff_date", "value": r.cutoff_date},
        {"key": "deadline", "value": r.deadline}, {"key": "low_threshold", "value": r.low_threshold},
        {"key": "allow_target_changes", "value": "true" if r.allow_target_changes else "false"},
        {"key": "expected_progress", "value": r.expected_progress}, {"key": "lang", "value": r.lang},
        {"key": "place", "value": r.place or None}, {"key": "office_email", "value": r.office_email or None},
    ]
    return {
        "round": round_rows,
        "units": [{"unit_code": u.code, "unit_name": u.name, "parent_code": u.parent_code,
                   "organisation_name": u.organisation_name or None, "contact_name": u.contact_name or None,
                   "email": u.email or None, "phone": u.phone or None} for u in catalog.units],
        "indicators": [
            {"indicator_code": i.code, "name": i.name, "group": i.group, "unit_of_measure": i.unit_of_measure,
             "direction": i.direction, "measure": i.measure, "aggregation": i.aggregation, "decimals": i.decimals}
            for i in catalog.indicators
        ],
        "targets": [
            {"unit_code": t.unit_code, "indicator_code": t.indicator_code,
             # a plain number goes back as a number, so Excel does not flag "number stored as text"
             "target": t.low if not t.is_range and parse_number(t.text) is not None else t.text,
             "baseline": t.baseline}
            for t in catalog.targets
        ],
        "mapping": [{"parent_indicator_code": parent, "indicator_code": ours} for parent, ours in catalog.mapping],
    }


def write_catalog_workbook(path: str | Path, rows: dict[str, list[dict[str, object]]] | None = None,
                           lang: str = "vi") -> None:
    """Write a catalog workbook: the blank template when `rows` is None, else those rows.

    `lang`: the language of the round keys' descriptions and the instructions sheet.
    """
    if rows is None:
        rows = {"round": [{"key": k, "value": None} for k in ROUND_KEYS], "units": [], "indicators": [], "targets": [],
                "mapping": []}
    words = labels(lang)
    with atomic_output(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), XLSXWRITER_OPTIONS)
        formats = {
            "head": wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1}),
            "date": wb.add_format({"num_format": "dd/mm/yyyy"}),
            "text": wb.add_format({"num_format": "@"}),
        }
        for sheet, columns in ALL_SHEETS.items():
            _write_sheet(wb.add_worksheet(sheet), sheet, columns + OPTIONAL_COLUMNS.get(sheet, ()),
                         rows.get(sheet, []), formats, words)
        guide = wb.add_worksheet(words["cat_guide_sheet"])
        guide.set_column(0, 0, 140)
        for n, line in enumerate(words["cat_instructions"].splitlines()):
            guide.write_string(n, 0, line)
        wb.close()


def _write_sheet(ws, sheet: str, columns: tuple[str, ...], records: list[dict[str, object]], formats: dict,
                 words: dict[str, str]) -> None:
    header = list(columns) + (["description"] if sheet == "round" else [])
    for c, name in enumerate(header):
        ws.write_string(0, c, name, formats["head"])
        # a text column: Excel keeps a phone typed there as typed (0912…, not 912…)
        ws.set_column(c, c, 60 if name in _WIDE else 30 if name in _MEDIUM else 18,
                      formats["text"] if name == "phone" else None)
        if name in OPTIONAL_COLUMNS.get(sheet, ()):  # the header's note says what an optional column is for
            ws.write_comment(0, c, words[f"cat_note_{name}"], {"x_scale": 2.5, "y_scale": 1.5})
    for r, record in enumerate(records, start=1):
        for c, name in enumerate(columns):
            value = record.get(name)
            if value is None or value == "":
                continue
            if isinstance(value, date):
                ws.write_datetime(r, c, datetime(value.year, value.month, value.day), formats["date"])
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value), formats["text"] if name in _TEXT else None)
        if sheet == "round":
            ws.write_string(r, 2, words.get(f"cat_help_{record.get('key')}", ""))
    ws.freeze_panes(1, 0)
    if sheet == "indicators":
        for name, allowed in (("direction", formulas.DIRECTIONS), ("measure", formulas.MEASURES)):
            c = columns.index(name)
            ws.data_validation(1, c, 5000, c, {"validate": "list", "source": list(allowed)})
