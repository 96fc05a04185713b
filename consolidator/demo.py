"""`consolidator demo`: a whole round on the bundled sample data, in one folder.

The units' answers are simulated the way real units answer: most on time, some late, one
missing, one with mistakes, one re-saved with numbers typed as text and percentage
formats, one that sent two versions. Figures are deterministic (seeded by unit code), so
every run of the demo gives the same round.
"""

from __future__ import annotations

import os
import random
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl

from . import formulas, layout
from .catalog import load_catalog
from .consolidate import consolidate
from .generate import MANIFEST, generate
from .messages import labels
from .model import Catalog
from .numbers import display_number
from .report import annotate, write_excel_report
from .templates import write_sample_catalog
from .textreport import format_status
from .validate import collect_inputs
from .write import write_outputs
from .write.word import write_report


def run_demo(directory: Path, lang: str = "vi") -> Iterator[str]:
    """Run the round step by step, yielding a line about each output as it is written."""

    text = labels(lang)
    directory.mkdir(parents=True, exist_ok=True)
    catalog_path = write_sample_catalog(directory / "catalog.xlsx")
    yield text["demo_catalog"].format(path=catalog_path)
    catalog = load_catalog(catalog_path)
    appendices = directory / "appendices"
    # The round is simulated in its own time (2023): generated a few days before the cut-off,
    # so the units' saved times, which the tool takes as received times, come after it.
    generated_at = datetime.combine(catalog.round.cutoff_date - timedelta(days=5), datetime.min.time()).astimezone()
    done = generate(catalog, appendices, lang=lang, generated_at=generated_at)
    yield text["demo_generated"].format(count=len(done), folder=f"{appendices}{os.sep}", manifest=appendices / MANIFEST)
    inbox = directory / "inbox"
    story = simulate_returns(catalog, {g.unit_code: g.path for g in done}, inbox, lang)
    yield text["demo_inbox"].format(folder=f"{inbox}{os.sep}")
    for line in story:
        yield f"  {line}"
    result = consolidate(catalog, collect_inputs([inbox]))
    report_path = directory / "kiem-tra.xlsx"
    write_excel_report(result.report, report_path, lang)
    back = annotate(result.report, directory / "gui-lai", lang)
    yield text["demo_report"].format(path=report_path, count=len(back), folder=f"{directory / 'gui-lai'}{os.sep}")
    yield ""
    yield format_status(result.report, lang)
    yield ""
    output, data = directory / "tong-hop.xlsx", directory / "du-lieu.csv"
    write_outputs(result, output, data, lang)
    yield text["cli_consolidated"].format(path=output)
    yield text["demo_data"].format(path=data)
    word = directory / "bao-cao.docx"  # the report's section on the indicators, beside the workbook
    write_report(result, word, lang)
    yield text["demo_word"].format(path=word)


def _rng(unit_code: str) -> random.Random:
    return random.Random(zlib.crc32(unit_code.encode("utf-8")))


def plausible_result(catalog: Catalog, unit_code: str, indicator_code: str, rng: random.Random) -> float | str:
    """A figure a unit might report at mid-term for one indicator."""
    ind = catalog.indicator_by_code[indicator_code]
    target = next(t for t in catalog.targets_by_unit[unit_code] if t.indicator_code == indicator_code)
    e = catalog.round.elapsed_share
    if ind.direction == formulas.BOOLEAN:
        return "Đạt" if rng.random() < 0.7 else "Chưa đạt"
    t = target.bound(ind.direction) or 0.0
    effort = rng.uniform(0.55, 1.25)  # how well this unit is doing on this indicator
    if ind.measure == formulas.CUMULATIVE:
        value = t * e * (effort if ind.direction == formulas.INCREASE else 2 - effort)
    elif target.baseline is not None and target.baseline != t:
        value = target.baseline + (t - target.baseline) * min(1.2, e * effort * 1.1)
    else:
        value = t * (0.8 + 0.25 * effort) if ind.direction == formulas.INCREASE else t * (1.25 - 0.2 * effort)
    if ind.is_percent and ind.measure != formulas.AVERAGE:
        value = min(value, 100.0)
    return round(max(value, 0.0), ind.decimals)


def simulate_returns(catalog: Catalog, templates: dict[str, Path], inbox: Path, lang: str = "vi") -> list[str]:
    """Fill every unit's appendix as that unit would and drop it in the inbox; say what happened."""
    text = labels(lang)

    inbox.mkdir(parents=True, exist_ok=True)
    deadline = datetime.combine(catalog.round.deadline, datetime.min.time()) + timedelta(hours=16)
    codes = sorted(templates)
    # Roles in the story, chosen from the sample's own units so the demo follows the catalog.
    missing, mistakes, resaved, late, twice = codes[3], codes[5], codes[7], set(codes[8:11]), codes[1]
    story = []
    for n, code in enumerate(codes):
        if code == missing:
            story.append(text["demo_missing"].format(unit=code))
            continue
        rng = _rng(code)
        wb = openpyxl.load_workbook(templates[code])
        ws = wb.worksheets[0]
        rows = _rows_by_code(ws)
        col = {key: layout.COLUMNS.index(key) + 1 for key in layout.COLUMNS}
        for t in catalog.targets_by_unit[code]:
            value = plausible_result(catalog, code, t.indicator_code, rng)
            cell = ws.cell(rows[t.indicator_code], col["result"])
            ind = catalog.indicator_by_code[t.indicator_code]
            if code == resaved and isinstance(value, float):
                if ind.is_percent and ind.measure != formulas.AVERAGE:
                    cell.value, cell.number_format = value / 100, "0.00%"  # typed as 95% in the cell
                else:
                    cell.value = display_number(value)  # typed as text: "1.234,5"
            else:
                cell.value = value
        first = catalog.targets_by_unit[code][0].indicator_code
        ws.cell(rows[first], col["note"]).value = "Số liệu ước tính đến 30/6/2023"
        if code == mistakes:
            codes_here = [t.indicator_code for t in catalog.targets_by_unit[code]]
            ws.cell(rows[codes_here[1]], col["result"]).value = "khoảng 50"
            ws.cell(rows[codes_here[2]], col["result"]).value = "—"
            ws.protection.sheet = False
            ws.cell(rows[codes_here[0]], col["target"]).value = 999
            ws.cell(rows[codes_here[0]], col["note"]).value = '=HYPERLINK("http://example.invalid","xem")'
            story.append(text["demo_mistakes"].format(unit=code))
        elif code == resaved:
            story.append(text["demo_resaved"].format(unit=code))
        if n == 0:
            ws.cell(rows[first], col["proposed_target"]).value = "6,5–7"
        received = deadline + timedelta(days=2 + n % 3) if code in late else deadline - timedelta(days=1 + n % 5)
        wb.properties.modified = received
        out = inbox / templates[code].name
        if code == twice:
            older = inbox / ("ban-cu_" + templates[code].name)
            wb.properties.modified = received - timedelta(days=2)
            wb.save(older)
            _set_time(older, received - timedelta(days=2))
            wb.properties.modified = received
            story.append(text["demo_twice"].format(unit=code))
        wb.save(out)
        _set_time(out, received)
        if code in late:
            story.append(text["demo_late"].format(unit=code))
    return story


def _rows_by_code(ws) -> dict[str, int]:
    col = layout.COLUMNS.index("indicator_code") + 1
    return {ws.cell(r, col).value: r for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, col).value}


def _set_time(path: Path, when: datetime) -> None:
    """As the unit's spreadsheet program leaves a file saved at `when`: its own saved time and the file's."""
    set_saved_time(path, when)
    stamp = when.timestamp()
    os.utime(path, (stamp, stamp))


def set_saved_time(path: Path, moment: datetime) -> None:
    """Set a workbook's own last-saved time (docProps/core.xml dcterms:modified), in place.

    For simulated files only (the demo, the tests): openpyxl stamps the time of saving over
    whatever its properties say, so the part is rewritten in the package afterwards.
    """
    stamp = (moment.astimezone(timezone.utc) if moment.tzinfo else moment).strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as zf:
        parts = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            zf.writestr(info, data)
