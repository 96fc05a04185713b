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
import shutil
import zipfile
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import openpyxl

from . import formulas, layout
from .consolidate import consolidate_report
from .demo_khoi import KHOI, run_khoi
from .demo_khoi import UNITS as KHOI_UNITS
from .generate import MANIFEST, generate
from .mail import incoming
from .messages import labels
from .model import Catalog, Receipt
from .receiving import open_round, receive, standing
from .rounds import RoundFolder, create_round, record_consolidated, record_generated
from .store import CATALOG_NAME, STORE_NAME, SUBMISSIONS, StoreError
from .numbers import display_number
from .report import annotate, write_excel_report
from .templates import write_sample_catalog
from .textreport import format_receipt, format_status
from .write import write_outputs
from .write.word import write_report


def run_demo(directory: Path, lang: str = "vi") -> Iterator[str]:
    """Run the round step by step through its round folder, yielding a line about each step."""
    text = labels(lang)
    folder = _demo_folder(directory)
    yield text["demo_catalog"].format(path=folder.catalog_path)
    catalog, version = open_round(folder)
    appendices = directory / "appendices"
    # The round is simulated in its own time (2023): generated a few days before the cut-off,
    # so the units' saved times, which the tool takes as received times, come after it.
    generated_at = datetime.combine(catalog.round.cutoff_date - timedelta(days=5), datetime.min.time()).astimezone()
    done = generate(catalog, appendices, lang=lang, generated_at=generated_at)
    record_generated(folder, version, done)
    yield text["demo_generated"].format(count=len(done), folder=f"{appendices}{os.sep}", manifest=appendices / MANIFEST)
    inbox = directory / "inbox"
    story = simulate_returns(catalog, {g.unit_code: g.path for g in done}, inbox, lang)
    yield text["demo_inbox"].format(folder=f"{inbox}{os.sep}")
    for line in story:
        yield f"  {line}"
    # the Khối runs its own round and reports up in the appendix the province sent it
    up, received, filled, rows = run_khoi(directory / KHOI_FOLDER, catalog,
                                          next(g.path for g in done if g.unit_code == KHOI), plausible_result)
    yield text["demo_khoi"].format(unit=KHOI, units=len(KHOI_UNITS), received=received, filled=filled, rows=rows,
                                   path=up)
    mail = directory / "thu"
    first, correction = post_returns(catalog, inbox, mail, {KHOI: up})
    now = datetime.now(timezone.utc)
    yield text["demo_mail"].format(folder=f"{mail}{os.sep}")
    yield from _receipts(receive(folder, catalog, version, incoming(first, now)), lang)
    yield text["demo_resend"].format(unit=story_roles(sorted(catalog.reporting_codes))["twice"])
    yield from _receipts(receive(folder, catalog, version, incoming([correction], now)), lang)
    report = standing(folder, catalog, version, reread=True)
    report_path = directory / "kiem-tra.xlsx"
    write_excel_report(report, report_path, lang)
    back = annotate(report, directory / "gui-lai", lang)
    yield text["demo_report"].format(path=report_path, count=len(back), folder=f"{directory / 'gui-lai'}{os.sep}")
    yield ""
    yield format_status(report, lang)
    yield ""
    result = consolidate_report(catalog, report)
    output, data = directory / "tong-hop.xlsx", directory / "du-lieu.csv"
    write_outputs(result, output, data, lang)
    record_consolidated(folder, result.report, result.root, str(output), str(data))
    yield text["cli_consolidated"].format(path=output)
    yield text["demo_data"].format(path=data)
    word = directory / "bao-cao.docx"  # the report's section on the indicators, beside the workbook
    write_report(result, word, lang)
    yield text["demo_word"].format(path=word)


_MARK = ".demo-round"
KHOI_FOLDER = "khoi-y-te"  # the Khối's own round folder, inside the demo's


def _demo_folder(directory: Path) -> RoundFolder:
    """The demo's round folder, made afresh on every run. A round folder the demo did not make
    (a real round) is refused, never wiped."""
    if (directory / STORE_NAME).exists():
        if not (directory / _MARK).exists():
            raise StoreError(key="demo_not_a_demo", folder=directory)
        for name in (STORE_NAME, STORE_NAME + "-wal", STORE_NAME + "-shm"):
            (directory / name).unlink(missing_ok=True)
        shutil.rmtree(directory / SUBMISSIONS, ignore_errors=True)
        shutil.rmtree(directory / KHOI_FOLDER, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CATALOG_NAME).unlink(missing_ok=True)
    create_round(directory, write_sample_catalog)
    (directory / _MARK).write_text("consolidator demo\n", encoding="utf-8")
    return RoundFolder(directory)


def _receipts(said, lang: str) -> Iterator[str]:
    for item in said:
        yield f"  {format_receipt(item, lang) if isinstance(item, Receipt) else item.message(lang)}"


def post_returns(catalog: Catalog, inbox: Path, mail: Path, instead: dict[str, Path]) -> tuple[list[Path], Path]:
    """The returns as they reach the office, by email: one saved message (.eml) a unit, the
    Khối's units in one exported mailbox (.mbox), each dated when the unit sent it. The
    files on disk are newer (saved today): the received time is the message's Date.

    The unit that sends twice first sends a file with a word for a number, then, in a later
    message, its corrected file: (the messages to receive first, the correction). `instead`:
    the file a unit sends in place of its simulated one (the Khối's, filled by report-up)."""
    mail.mkdir(parents=True, exist_ok=True)
    twice = story_roles(sorted(catalog.reporting_codes))["twice"]
    files = {p.name.split("_")[0]: p for p in sorted(inbox.glob("*.xlsx")) if not p.name.startswith("ban-cu_")}
    for code, path in instead.items():
        sent = files[code].stat().st_mtime
        os.utime(path, (sent, sent))  # sent when the simulated unit would have sent it
        files[code] = path
    khoi, first = [], []
    for code, path in files.items():
        sent = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
        if code == twice:
            faulty = _with_a_word(catalog, code, path, mail / path.name)
            first.append(_eml(mail / f"{code}-lan-1.eml", catalog, code, faulty, sent - timedelta(days=2)))
            faulty.unlink()
            correction = _eml(mail / f"{code}-lan-2.eml", catalog, code, path, sent)
        elif catalog.unit_by_code[code].parent_code and catalog.unit_by_code[code].parent_code.startswith("K01"):
            khoi.append(_message(catalog, code, path, sent))
        else:
            first.append(_eml(mail / f"{code}.eml", catalog, code, path, sent))
    if khoi:
        box = mail / "hop-thu-khoi-co-quan.mbox"
        box.write_bytes(b"".join(b"From office@vanphong.example " + m["Date"].encode() + b"\n"
                                 + m.as_bytes(policy=policy.SMTP).replace(b"\r\n", b"\n").replace(b"\nFrom ", b"\n>From ")
                                 + b"\n" for m in khoi))
        first.append(box)
    return first, correction


def _message(catalog: Catalog, code: str, path: Path, sent: datetime) -> EmailMessage:
    unit = catalog.unit_by_code[code]
    message = EmailMessage()
    message["From"] = Address(unit.name, addr_spec=f"{code.lower()}@donvi.example")
    message["To"] = "vanphong@tinhuy.example"
    message["Subject"] = f"{unit.name} gửi phụ lục"
    message["Date"] = format_datetime(sent.astimezone())
    message.set_content(f"Kính gửi Văn phòng, {unit.name} gửi phụ lục kết quả thực hiện các chỉ tiêu.")
    message.add_attachment(path.read_bytes(), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=path.name)
    return message


def _eml(out: Path, catalog: Catalog, code: str, path: Path, sent: datetime) -> Path:
    out.write_bytes(_message(catalog, code, path, sent).as_bytes(policy=policy.SMTP))
    return out


def _with_a_word(catalog: Catalog, code: str, path: Path, out: Path) -> Path:
    """The unit's file with a word where its first figure belongs: its first, faulty version."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    first = catalog.targets_by_unit[code][0].indicator_code
    ws.cell(layout.rows_by_code(ws)[first], layout.COLUMNS.index("result") + 1).value = "đang tổng hợp"
    wb.save(out)
    return out


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


def story_roles(codes: list[str]) -> dict[str, object]:
    """Roles in the story, chosen from the sample's own units (sorted codes), so the demo
    follows the catalog."""
    return {"missing": codes[3], "mistakes": codes[5], "resaved": codes[7], "late": set(codes[8:11]),
            "twice": codes[1]}


def simulate_returns(catalog: Catalog, templates: dict[str, Path], inbox: Path, lang: str = "vi") -> list[str]:
    """Fill every unit's appendix as that unit would and drop it in the inbox; say what happened."""
    text = labels(lang)

    inbox.mkdir(parents=True, exist_ok=True)
    deadline = datetime.combine(catalog.round.deadline, datetime.min.time()) + timedelta(hours=16)
    codes = sorted(templates)
    roles = story_roles(codes)
    missing, mistakes, resaved, late, twice = (roles[k] for k in ("missing", "mistakes", "resaved", "late", "twice"))
    story = []
    for n, code in enumerate(codes):
        if code == missing:
            story.append(text["demo_missing"].format(unit=code))
            continue
        rng = _rng(code)
        wb = openpyxl.load_workbook(templates[code])
        ws = wb.worksheets[0]
        rows = layout.rows_by_code(ws)
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
