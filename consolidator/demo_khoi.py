"""The demo's chain (DESIGN.md §9): the sample's Khối Y tế – Giáo dục runs a round of its own
for its three grassroots units, then reports up to the province in the appendix the
province sent it — the file the province's round then receives as the Khối's.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl

from . import layout
from .catalog import catalog_rows, write_catalog_workbook
from .generate import generate
from .mail import incoming
from .model import Catalog, Target, Unit
from .numbers import show_number
from .receiving import consolidate_round, open_round, receive
from .reportup import report_up
from .rounds import RoundFolder, create_round, record_generated

KHOI = "K02"
# The Khối's own units, and the share of the Khối's counted targets (admissions, inspections)
# each takes on; a share of a rate is the rate itself.
UNITS = (("K02-BV", "Đảng ủy Bệnh viện Đa khoa tỉnh", 0.45), ("K02-SYT", "Đảng ủy Sở Y tế", 0.30),
         ("K02-SGD", "Chi bộ Sở Giáo dục và Đào tạo", 0.25))


def khoi_catalog(province: Catalog) -> Catalog:
    """The Khối's round: itself at the root, its units below, the province's indicators it has
    targets for, and each unit's part of the Khối's targets."""
    khoi = province.unit_by_code[KHOI]
    own = province.targets_by_unit[KHOI]
    codes = {t.indicator_code for t in own}
    units = (replace(khoi, parent_code=None),) + tuple(Unit(code, name, KHOI) for code, name, _ in UNITS)
    targets = []
    for code, _, share in UNITS:
        for t in own:
            summed = province.indicator_by_code[t.indicator_code].aggregation == "sum"
            value = round(t.low * share) if summed else t.low
            targets.append(Target(code, t.indicator_code, show_number(value), value, value, t.baseline))
    round_ = replace(province.round, round_id=f"{province.round.round_id}-{KHOI}", organisation=khoi.organisation_name)
    return Catalog(round_, units, tuple(i for i in province.indicators if i.code in codes), tuple(targets))


def run_khoi(directory: Path, province: Catalog, province_appendix: Path, plausible) -> tuple[Path, int, int, int]:
    """The Khối's round in `directory`, from its units' returns to the filled appendix for the
    province: (that file, files received, figures filled, rows of the appendix).
    `plausible(catalog, unit, indicator, rng)` gives a unit's figure."""
    catalog = khoi_catalog(province)
    create_round(directory, lambda path: write_catalog_workbook(path, catalog_rows(catalog)))
    folder = RoundFolder(directory)
    catalog, version = open_round(folder)
    done = generate(catalog, directory / "phu-luc", lang=catalog.round.lang)
    record_generated(folder, version, done)
    sent = datetime.combine(catalog.round.deadline, datetime.min.time()).astimezone() - timedelta(days=4)
    returns = directory / "nhan-ve"
    returns.mkdir(exist_ok=True)
    for g in done:
        if g.unit_code != KHOI:
            _fill(catalog, g.unit_code, g.path, returns / g.path.name, plausible)
    given = sent.astimezone(timezone.utc)
    said = list(receive(folder, catalog, version, incoming([returns], datetime.now(timezone.utc), given)))
    result = consolidate_round(folder, catalog, version)
    filled = report_up(result, province_appendix, directory / province_appendix.name)
    return filled.path, len(said), len(filled.filled), filled.rows


def _fill(catalog: Catalog, unit: str, template: Path, out: Path, plausible) -> None:
    rng = random.Random(unit)
    wb = openpyxl.load_workbook(template)
    ws = wb.worksheets[0]
    result_col = layout.COLUMNS.index("result") + 1
    rows = layout.rows_by_code(ws)
    for t in catalog.targets_by_unit[unit]:
        ws.cell(rows[t.indicator_code], result_col).value = plausible(catalog, unit, t.indicator_code, rng)
    wb.save(out)
