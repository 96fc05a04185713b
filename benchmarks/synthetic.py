"""Synthetic rounds for the benchmarks: a catalog of n leaf units and their returned, filled workbooks.

    .venv/bin/python benchmarks/synthetic.py 1000            # → benchmarks/out/round-n1000-k30-s0/
    .venv/bin/python benchmarks/synthetic.py 100 --check     # also compare one file with an openpyxl fill

The tree: a root province, about n/40 districts and Khối as intermediate parents (no
targets of their own), and the n units as leaves, each with a target for every indicator.
The indicators cycle through the direction × measure × aggregation mixes of the real
sample (`sample_data/`): increase/decrease/boolean; cumulative/level/average; sum, mean,
min, max, none and weighted:DAN_SO; plain, range ("7–7,5") and bound ("dưới 3") targets.

Each returned workbook is the generator's own layout (`consolidator.generate.AppendixWriter`,
metadata sheet included) with the result and estimate cells written at generation time,
as a unit would type them (cell shares, per input cell):

    ~85 %  a typed number (a few percent of the % indicators' cells typed as "85%",
           i.e. 0.85 in a percent-formatted cell)
    ~10 %  the number typed as Vietnamese text: "12,5", "1.234"
     ~3 %  left blank or a dash ("-", "–", "...")
     ~1 %  a mistake: "khoảng 50", "50 (ước)", "đang tổng hợp"

so about 40 % of the files have an error (a word where a number belongs) and are
left out of the consolidation, as in a real round. Filling 10,000 files with openpyxl would
cost ~40 ms each; writing them directly with xlsxwriter on every core takes a few ms.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from consolidator import formulas, layout
from consolidator.catalog import catalog_rows, load_catalog, write_catalog_workbook
from consolidator.generate import FONT, INPUT_FILL, AppendixWriter
from consolidator.model import Catalog, Indicator, Round, Target, Unit
from consolidator.numbers import display_number

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
ROOT = "TINH"
UNITS_PER_PARENT = 40
FORMAT_VERSION = 2  # bump when the generated content changes, so cached rounds are rebuilt

# Per input cell; the rest are typed numbers.
BLANK_SHARE, MISTAKE_SHARE, TEXT_SHARE, PERCENT_SHARE = 0.03, 0.01, 0.10, 0.05
DASHES = ("-", "–", "...", "")
MISTAKES = ("khoảng {n}", "{n} (ước)", "đang tổng hợp", "~{n}", "chưa có số")

KT, XH, MT, AN, XD = "Kinh tế", "Văn hóa – Xã hội", "Môi trường", "Quốc phòng – An ninh", "Xây dựng Đảng"

# code, name, group, unit of measure, direction, measure, aggregation, decimals, target kind, typical
# bound. Target kinds: "n" a plain number, "r" a range around the bound, "lt" "dưới x", "ge" "≥ x".
ARCHETYPES = (
    ("DAN_SO", "Dân số trung bình", XH, "người", "increase", "level", "sum", 0, "n", 50_000),
    ("GRDP_TT", "Tốc độ tăng trưởng kinh tế bình quân hằng năm", KT, "%/năm", "increase", "average", "weighted:DAN_SO", 1, "r", 7.0),
    ("THU_NS", "Thu ngân sách nhà nước trên địa bàn", KT, "tỷ đồng", "increase", "level", "sum", 0, "n", 300),
    ("VON_DT", "Tổng vốn đầu tư toàn xã hội giai đoạn 2021 - 2025", KT, "tỷ đồng", "increase", "cumulative", "sum", 0, "n", 2_500),
    ("BHYT", "Tỷ lệ dân số tham gia bảo hiểm y tế", XH, "%", "increase", "level", "weighted:DAN_SO", 1, "n", 92),
    ("HO_NGHEO", "Tỷ lệ hộ nghèo (theo chuẩn nghèo đa chiều)", XH, "%", "decrease", "level", "weighted:DAN_SO", 2, "n", 3.5),
    ("GIAM_NGHEO", "Mức giảm tỷ lệ hộ nghèo bình quân hằng năm", XH, "%/năm", "increase", "average", "mean", 1, "r", 0.6),
    ("TRUONG_CQG", "Tỷ lệ trường học đạt chuẩn quốc gia", XH, "%", "increase", "level", "mean", 1, "n", 80),
    ("BAC_SI", "Số bác sĩ trên một vạn dân", XH, "bác sĩ/vạn dân", "increase", "level", "none", 1, "n", 10),
    ("THAT_NGHIEP", "Tỷ lệ thất nghiệp khu vực thành thị", XH, "%", "decrease", "level", "none", 1, "lt", 3),
    ("HUYEN_NTM", "Đạt chuẩn nông thôn mới", KT, "", "boolean", "level", "min", 0, "b", 1),
    ("CQ_VAN_HOA", "Cơ quan, đơn vị đạt chuẩn văn hóa", XD, "", "boolean", "level", "sum", 0, "b", 1),
    ("TAI_NAN_GT", "Số vụ tai nạn giao thông trong năm", AN, "vụ", "decrease", "level", "sum", 0, "n", 12),
    ("KET_NAP_DV", "Số đảng viên mới được kết nạp (cả nhiệm kỳ)", XD, "đảng viên", "increase", "cumulative", "sum", 0, "n", 60),
    ("DV_KY_LUAT", "Số đảng viên bị xử lý kỷ luật (tối đa cả nhiệm kỳ)", XD, "đảng viên", "decrease", "cumulative", "sum", 0, "n", 5),
    ("CHE_PHU_RUNG", "Tỷ lệ che phủ rừng", MT, "%", "increase", "level", "max", 1, "n", 45),
    ("TCCSD_HTT", "Tỷ lệ tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ trở lên", XD, "%", "increase", "level", "mean", 1, "ge", 90),
    ("XA_NTM", "Số xã đạt chuẩn nông thôn mới", KT, "xã", "increase", "level", "sum", 0, "n", 8),
    ("RAC_THAI", "Tỷ lệ chất thải rắn sinh hoạt được thu gom, xử lý", MT, "%", "increase", "level", "mean", 1, "n", 95),
    ("KIEM_TRA", "Số cuộc kiểm tra, giám sát (cả nhiệm kỳ)", XD, "cuộc", "increase", "cumulative", "sum", 0, "n", 40),
)
GROUP_ORDER = (KT, XH, MT, AN, XD)


@dataclass(frozen=True)
class SyntheticRound:
    """A synthetic round on disk."""

    directory: Path
    catalog_path: Path
    inbox: Path
    n_units: int
    n_indicators: int
    seed: int
    seconds: float  # to build it (0 when reused from the cache)
    reused: bool

    @property
    def files(self) -> list[Path]:
        return sorted(p for p in self.inbox.iterdir() if p.suffix == ".xlsx")


def round_dir(n_units: int, n_indicators: int = 30, seed: int = 0) -> Path:
    return OUT / f"round-n{n_units}-k{n_indicators}-s{seed}"


def make_round(n_units: int, n_indicators: int = 30, outdir: str | Path | None = None, seed: int = 0,
               processes: int = 0) -> SyntheticRound:
    """Write `catalog.xlsx` and `inbox/` (n filled workbooks) under `outdir`; reuse them if already there."""
    if n_units < 1 or n_indicators < 2:
        raise ValueError("need at least one unit and two indicators (population is the weight)")
    outdir = Path(outdir) if outdir is not None else round_dir(n_units, n_indicators, seed)
    stamp = outdir / "round.json"
    params = {"n_units": n_units, "n_indicators": n_indicators, "seed": seed, "format": FORMAT_VERSION}
    if stamp.exists() and json.loads(stamp.read_text()).get("params") == params:
        inbox = outdir / "inbox"
        if sum(1 for p in inbox.iterdir() if p.suffix == ".xlsx") == n_units:
            return SyntheticRound(outdir, outdir / "catalog.xlsx", inbox, n_units, n_indicators, seed, 0.0, True)
    started = time.perf_counter()
    if outdir.exists():
        shutil.rmtree(outdir)
    inbox = outdir / "inbox"
    inbox.mkdir(parents=True)
    catalog_path = outdir / "catalog.xlsx"
    catalog = build_catalog(n_units, n_indicators, seed)
    write_catalog_workbook(catalog_path, catalog_rows(catalog))
    # The files are written from the catalog in memory, not as load_catalog reads it back
    # (25 s at 10,000 units): `--check` verifies the two are equal, so fingerprints match.
    write_inbox(catalog, inbox, seed, processes)
    seconds = time.perf_counter() - started
    stamp.write_text(json.dumps({"params": params, "seconds": round(seconds, 2)}, indent=2))
    return SyntheticRound(outdir, catalog_path, inbox, n_units, n_indicators, seed, seconds, False)


# --- the catalog ------------------------------------------------------------------------------


def build_indicators(k: int) -> tuple[Indicator, ...]:
    """k indicators cycling through the archetypes (DAN_SO first: it weights the weighted ones)."""
    out = []
    for n in range(k):
        code, name, group, uom, direction, measure, aggregation, decimals, *_ = ARCHETYPES[n % len(ARCHETYPES)]
        lap = n // len(ARCHETYPES)
        if lap:
            code, name = f"{code}_{lap + 1}", f"{name} (bộ {lap + 1})"
        out.append(Indicator(code, name, group, uom, direction, measure, aggregation, decimals))
    # The appendix lists indicators by group, in catalog order: keep each group together.
    return tuple(sorted(out, key=lambda i: GROUP_ORDER.index(i.group)))


def _archetype(indicator: Indicator) -> tuple:
    base = indicator.code.rsplit("_", 1)[0] if indicator.code[-1].isdigit() else indicator.code
    return next(a for a in ARCHETYPES if a[0] == base)


def build_catalog(n_units: int, n_indicators: int = 30, seed: int = 0) -> Catalog:
    """A root, ~n/40 districts and Khối, n leaves with a target for every indicator."""
    rng = random.Random(seed)
    round_ = Round(
        round_id=f"BENCH-{n_units}-{n_indicators}-{seed}",
        title=f"Sơ kết giữa nhiệm kỳ — vòng thử tải {n_units} đơn vị (DỮ LIỆU TỔNG HỢP GIẢ)",
        organisation="Tỉnh ủy Tỉnh Thử Tải", baseline_year=2020, target_year=2025,
        cutoff_date=date(2023, 6, 30), deadline=date(2023, 7, 10), low_threshold=0.8,
    )
    parents = max(1, math.ceil(n_units / UNITS_PER_PARENT))
    units = [Unit(ROOT, "Đảng bộ Tỉnh Thử Tải")]
    parent_codes = []
    for p in range(parents):
        # One parent in five is a Khối of agencies and enterprises, the rest districts.
        if p % 5 == 4:
            code, name = f"K{p + 1:03d}", f"Đảng bộ Khối Cơ quan – Doanh nghiệp số {p + 1}"
        else:
            code, name = f"H{p + 1:03d}", f"Đảng bộ huyện Thử Tải {p + 1}"
        units.append(Unit(code, name, ROOT))
        parent_codes.append(code)
    leaves = []
    for n in range(n_units):
        parent = parent_codes[n % parents]
        j = n // parents + 1
        kind = "Chi bộ cơ sở" if parent.startswith("K") and j % 3 == 0 else (
            "Đảng bộ cơ sở" if parent.startswith("K") else "Đảng bộ xã")
        leaves.append(Unit(f"{parent}-{j:03d}", f"{kind} Thử Tải {parent[1:]}.{j}", parent))
    units.extend(leaves)
    indicators = build_indicators(n_indicators)
    targets = []
    for unit in leaves:
        scale = rng.uniform(0.5, 2.0)  # a unit's size: population, revenue, members scale with it
        for ind in indicators:
            targets.append(_target(unit.code, ind, scale, rng))
    return Catalog(round_, tuple(units), indicators, tuple(targets))


def _target(unit: str, ind: Indicator, scale: float, rng: random.Random) -> Target:
    kind, typical = _archetype(ind)[8:10]
    if kind == "b":
        return Target(unit, ind.code, "Đạt", 1.0, 1.0)
    sized = ind.aggregation == "sum" and ind.unit_of_measure != "%"
    value = typical * (scale if sized else rng.uniform(0.85, 1.15))
    if ind.is_percent and ind.measure != formulas.AVERAGE:
        value = min(value, 99.0)
    value = round(value, ind.decimals) or 1.0
    baseline = round(value * rng.uniform(0.75, 0.95), ind.decimals) if ind.measure == formulas.LEVEL else None
    if kind == "r":
        low, high = value, round(value + max(0.1, round(value * 0.08, 1)), 1)
        return Target(unit, ind.code, f"{display_number(low)}–{display_number(high)}", low, high, baseline)
    if kind == "lt":
        return Target(unit, ind.code, f"dưới {display_number(value)}", value, value, baseline)
    if kind == "ge":
        return Target(unit, ind.code, f"≥ {display_number(value)}", value, value, baseline)
    return Target(unit, ind.code, display_number(value), value, value, baseline)


# --- the returned workbooks -----------------------------------------------------------------------


def unit_fills(catalog: Catalog, unit_code: str, rng: random.Random) -> dict[str, tuple[tuple, tuple]]:
    """What a unit types into result and estimate, by indicator code: (kind, value) per cell.

    Kinds: "n" a number, "s" text, "p" a percentage typed as 85% (stored 0.85), "-" untouched.
    """
    fills = {}
    share = catalog.round.elapsed_share
    for t in catalog.targets_by_unit[unit_code]:
        ind = catalog.indicator_by_code[t.indicator_code]
        if ind.direction == formulas.BOOLEAN:
            fills[ind.code] = (_boolean_cell(rng), ("-", None) if rng.random() < 0.5 else _boolean_cell(rng))
            continue
        bound = t.bound(ind.direction) or 1.0
        if ind.direction == formulas.DECREASE:
            result = bound * rng.uniform(0.8, 1.6)
        elif ind.measure == formulas.CUMULATIVE:
            result = bound * share * rng.uniform(0.6, 1.4)
        else:
            result = bound * rng.uniform(0.6, 1.15)
        estimate = result * (rng.uniform(1.0, 1.15) if ind.direction != formulas.DECREASE else rng.uniform(0.85, 1.0))
        fills[ind.code] = tuple(_number_cell(v, ind, rng) for v in (result, estimate))
    return fills


def _boolean_cell(rng: random.Random) -> tuple:
    r = rng.random()
    if r < BLANK_SHARE:
        return ("-", None) if r < BLANK_SHARE / 2 else ("s", rng.choice(DASHES[:3]))
    if r < BLANK_SHARE + MISTAKE_SHARE:
        return ("s", "đạt một phần")
    return ("s", "Đạt" if rng.random() < 0.75 else "Chưa đạt")


def _number_cell(value: float, ind: Indicator, rng: random.Random) -> tuple:
    if ind.is_percent and ind.measure != formulas.AVERAGE:
        value = min(value, 100.0)
    value = round(value, ind.decimals)
    r = rng.random()
    if r < BLANK_SHARE:
        dash = rng.choice(DASHES)
        return ("s", dash) if dash else ("-", None)
    r -= BLANK_SHARE
    if r < MISTAKE_SHARE:
        return ("s", rng.choice(MISTAKES).format(n=display_number(round(value))))
    r -= MISTAKE_SHARE
    if r < TEXT_SHARE:
        return ("s", display_number(value))
    if ind.is_percent and rng.random() < PERCENT_SHARE * 4:  # ~5 % of all cells, all on % indicators
        return ("p", value / 100)
    return ("n", value)


class FilledAppendixWriter(AppendixWriter):
    """The generator's appendix with the unit's typed values in result and estimate."""

    def __init__(self, wb, catalog: Catalog, unit_code: str, lang: str, fills: dict[str, tuple[tuple, tuple]]):
        super().__init__(wb, catalog, unit_code, lang)
        self.fills = fills
        self.f["input_percent"] = wb.add_format({
            "font_name": FONT, "font_size": 12, "valign": "vcenter", "border": 1, "num_format": "0.0%",
            "locked": False, "bg_color": INPUT_FILL,
        })

    def indicator_row(self, ws, row: layout.Row) -> None:
        super().indicator_row(ws, row)
        ind = row.indicator
        cells = self.fills.get(ind.code)
        if cells is None:
            return
        r = row.excel_row - 1
        # The cell keeps the generator's style, as typing into it does; only the value changes.
        style = self.f["input_text"] if ind.direction == formulas.BOOLEAN else self.number(ind.decimals, True)
        for key, (kind, value) in zip(("result", "estimate"), cells):
            c = self.col(key)
            if kind == "n":
                ws.write_number(r, c, value, style)
            elif kind == "s":
                ws.write_string(r, c, value, style)
            elif kind == "p":
                ws.write_number(r, c, value, self.f["input_percent"])


_WORKER_CATALOG: Catalog | None = None


def generated_at(catalog: Catalog) -> datetime:
    """When the round's appendices were made: a month before the deadline, so the units' saved
    times (the received times, DESIGN.md §3) come after it, as in a real round."""
    return datetime.combine(catalog.round.deadline - timedelta(days=30), datetime.min.time()).astimezone()


def write_filled(catalog: Catalog, unit_code: str, outdir: Path, seed: int) -> Path:
    """One unit's returned workbook, written directly (no temporary, no openpyxl pass)."""
    import xlsxwriter

    unit = catalog.unit_by_code[unit_code]
    rng = random.Random(f"{seed}:{unit_code}")
    path = outdir / layout.workbook_filename(unit.code, unit.name)
    locked = layout.locked_content(catalog, unit_code)
    fingerprint = layout.fingerprint(catalog.round.round_id, unit_code, locked)
    fills = unit_fills(catalog, unit_code, rng)
    # Most units send the file in the last days before the deadline, a few after it.
    saved = datetime.combine(catalog.round.deadline, datetime.min.time()) + timedelta(hours=rng.uniform(-96, 30))
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True})
    wb.set_properties({"created": saved})  # xlsxwriter writes it as both created and modified
    FilledAppendixWriter(wb, catalog, unit_code, catalog.round.lang, fills).write(fingerprint, generated_at(catalog))
    wb.close()
    stamp = saved.timestamp() + rng.uniform(60, 7200)  # received a little after saving
    os.utime(path, (stamp, stamp))
    return path


def _write_chunk(args: tuple[list[str], str, int]) -> int:
    codes, outdir, seed = args
    for code in codes:
        write_filled(_WORKER_CATALOG, code, Path(outdir), seed)
    return len(codes)


def write_inbox(catalog: Catalog, inbox: Path, seed: int = 0, processes: int = 0) -> None:
    """Every reporting unit's filled workbook, on every core (fork: the catalog is inherited)."""
    global _WORKER_CATALOG
    codes = [u.code for u in catalog.reporting_units]
    for prop in ("unit_by_code", "indicator_by_code", "targets_by_unit", "children"):
        getattr(catalog, prop)  # computed once here, inherited by the workers
    processes = processes or os.cpu_count() or 1
    chunks = [(codes[i:i + 100], str(inbox), seed) for i in range(0, len(codes), 100)]
    if processes == 1 or len(codes) < 200 or "fork" not in multiprocessing.get_all_start_methods():
        _WORKER_CATALOG = catalog
        for chunk in chunks:
            _write_chunk(chunk)
        return
    _WORKER_CATALOG = catalog
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        for _ in pool.imap_unordered(_write_chunk, chunks):
            pass


# --- returns as units' programs save them -----------------------------------------------------

OFFICE_FORMAT_VERSION = 1  # bump when the office round's making changes, so cached ones are rebuilt
OFFICE_BATCH = 100  # files per LibreOffice run: its start-up (~1 s) spread over many files


def fill_with_openpyxl(catalog: Catalog, unit_code: str, generated: Path, out: Path, seed: int) -> None:
    """The generated appendix with the unit's values typed in by openpyxl, as tests/filling.py does."""
    import openpyxl

    fills = unit_fills(catalog, unit_code, random.Random(f"{seed}:{unit_code}"))
    wb = openpyxl.load_workbook(generated)
    ws = wb.worksheets[0]
    code_col = layout.COLUMNS.index("indicator_code") + 1
    rows = {ws.cell(r, code_col).value: r for r in range(1, ws.max_row + 1)}
    for code, cells in fills.items():
        for key, (kind, value) in zip(("result", "estimate"), cells):
            if kind == "-":
                continue
            cell = ws.cell(rows[code], layout.COLUMNS.index(key) + 1)
            cell.value = value
            if kind == "p":
                cell.number_format = "0.0%"
    wb.save(out)


def _fill_chunk(args: tuple[list[str], str, str, int]) -> int:
    from consolidator.generate import write_appendix

    codes, blank_dir, filled_dir, seed = args
    catalog = _WORKER_CATALOG
    for code in codes:
        generated = write_appendix(catalog, code, Path(blank_dir), generated_at=generated_at(catalog)).path
        fill_with_openpyxl(catalog, code, generated, Path(filled_dir) / generated.name, seed)
        generated.unlink()
    return len(codes)


def _resave(batch: list[Path], outdir: Path, profile: Path) -> subprocess.Popen:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is needed for the office round: apt-get install libreoffice-calc-nogui")
    return subprocess.Popen(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--calc",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir), *map(str, batch)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_office_round(rnd: SyntheticRound, processes: int = 0) -> SyntheticRound:
    """The round's returns as units' programs save them, cached in `office-inbox/` beside its inbox.

    Each unit's appendix as `consolidator generate` writes it, filled with openpyxl (the
    values of the direct write), then opened and saved again by LibreOffice headless, in
    batches, one LibreOffice per core. Its saved time and the file's time are set as the
    direct write sets them, so the verdicts are the same kind.
    """
    from consolidator.demo import set_saved_time

    inbox = rnd.directory / "office-inbox"
    stamp = rnd.directory / "office.json"
    params = {"format": OFFICE_FORMAT_VERSION, "n_units": rnd.n_units}
    if stamp.exists() and json.loads(stamp.read_text()).get("params") == params and inbox.is_dir() \
            and sum(1 for p in inbox.iterdir() if p.suffix == ".xlsx") == rnd.n_units:
        return replace(rnd, inbox=inbox, seconds=0.0, reused=True)
    global _WORKER_CATALOG
    started = time.perf_counter()
    work = rnd.directory / "office-work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(inbox, ignore_errors=True)
    blank, filled = work / "blank", work / "filled"
    for d in (blank, filled, inbox):
        d.mkdir(parents=True)
    catalog = build_catalog(rnd.n_units, rnd.n_indicators, rnd.seed)
    codes = [u.code for u in catalog.reporting_units]
    for prop in ("unit_by_code", "indicator_by_code", "targets_by_unit", "children"):
        getattr(catalog, prop)
    _WORKER_CATALOG = catalog
    processes = processes or os.cpu_count() or 1
    chunks = [(codes[i:i + 50], str(blank), str(filled), rnd.seed) for i in range(0, len(codes), 50)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        for _ in pool.imap_unordered(_fill_chunk, chunks):
            pass
    files = sorted(filled.iterdir())
    batches = [files[i:i + OFFICE_BATCH] for i in range(0, len(files), OFFICE_BATCH)]
    running: list[subprocess.Popen] = []
    for n, batch in enumerate(batches):
        if len(running) >= processes:
            running.pop(0).wait()
        running.append(_resave(batch, inbox, work / f"profile-{n % processes}"))
    for proc in running:
        proc.wait()
    for code in codes:
        unit = catalog.unit_by_code[code]
        path = inbox / layout.workbook_filename(unit.code, unit.name)
        rng = random.Random(f"{rnd.seed}:{code}")
        unit_fills(catalog, code, rng)  # the direct write's draws, in order, so the times are its times
        saved = datetime.combine(catalog.round.deadline, datetime.min.time()) + timedelta(hours=rng.uniform(-96, 30))
        set_saved_time(path, saved.astimezone())
        moment = saved.timestamp() + rng.uniform(60, 7200)
        os.utime(path, (moment, moment))
    shutil.rmtree(work)
    seconds = time.perf_counter() - started
    stamp.write_text(json.dumps({"params": params, "seconds": round(seconds, 2)}, indent=2))
    return replace(rnd, inbox=inbox, seconds=seconds, reused=False)


# --- self-check ---------------------------------------------------------------------------------


def check_against_openpyxl(rnd: SyntheticRound, workdir: Path) -> list[str]:
    """Fill the generator's own file with openpyxl (as tests do) and compare every cell with ours.

    Returns the differences; empty when the direct write is the generated layout plus values.
    """
    sys.path.insert(0, str(HERE.parent))
    from consolidator.generate import write_appendix
    from consolidator.xlsx import read_workbook
    from tests.filling import column

    import openpyxl

    catalog = load_catalog(rnd.catalog_path)
    problems = []
    if catalog != build_catalog(rnd.n_units, rnd.n_indicators, rnd.seed):
        problems.append("the catalog read back differs from the one the files were written from")
    unit_code = catalog.reporting_units[0].code
    ours = next(p for p in rnd.files if p.name.startswith(unit_code + "_"))
    generated = write_appendix(catalog, unit_code, workdir, generated_at=generated_at(catalog)).path
    fills = unit_fills(catalog, unit_code, random.Random(f"{rnd.seed}:{unit_code}"))
    wb = openpyxl.load_workbook(generated)
    ws = wb.worksheets[0]
    code_col = column("indicator_code")
    rows = {ws.cell(r, code_col).value: r for r in range(1, ws.max_row + 1)}
    for code, cells in fills.items():
        for key, (kind, value) in zip(("result", "estimate"), cells):
            if kind == "-":
                continue
            cell = ws.cell(rows[code], column(key))
            cell.value = value
            if kind == "p":
                cell.number_format = "0.0%"
    filled = workdir / "openpyxl_filled.xlsx"
    wb.save(filled)
    a, b = read_workbook(ours), read_workbook(filled)
    if [(s.name, s.state) for s in a.sheets] != [(s.name, s.state) for s in b.sheets]:
        problems.append(f"sheets differ: {[s.name for s in a.sheets]} vs {[s.name for s in b.sheets]}")
    for sa, sb in zip(a.sheets, b.sheets):
        for pos in sorted(set(sa.cells) | set(sb.cells)):
            ca, cb = sa.cells.get(pos), sb.cells.get(pos)
            va = None if ca is None else (ca.value, ca.kind, ca.is_percent_format)
            vb = None if cb is None else (cb.value, cb.kind, cb.is_percent_format)
            if sa.name == layout.META_SHEET and pos[1] == 2 and str(va and va[0]).startswith("consolidator "):
                continue  # generated_by carries the time of writing
            if pos[1] == layout.COLUMNS.index("pct") + 1:
                continue  # the % formula: openpyxl drops xlsxwriter's cached "" (Excel recalculates)
            if va != vb and not (va == ("", "s", False) and vb is None):  # openpyxl drops empty strings
                problems.append(f"{sa.name}!{pos}: {va} vs {vb}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_units", type=int)
    parser.add_argument("--indicators", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--outdir", type=Path)
    parser.add_argument("--check", action="store_true", help="compare one file with an openpyxl fill")
    parser.add_argument("--office", action="store_true",
                        help="also the returns as units' programs save them (openpyxl, then LibreOffice)")
    args = parser.parse_args(argv)
    rnd = make_round(args.n_units, args.indicators, args.outdir, args.seed)
    how = "reused" if rnd.reused else f"built in {rnd.seconds:.1f} s"
    print(f"{rnd.directory}: {rnd.n_units} units × {rnd.n_indicators} indicators, {how}")
    if args.office:
        office = make_office_round(rnd)
        print(f"{office.inbox}: re-saved by LibreOffice, " + ("reused" if office.reused else f"built in {office.seconds:.1f} s"))
    if args.check:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            problems = check_against_openpyxl(rnd, Path(tmp))
        print("check: same cells as an openpyxl fill" if not problems else "check FAILED:\n  " + "\n  ".join(problems[:20]))
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
