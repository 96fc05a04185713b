"""Three rounds run end to end, and their outputs read back as plain values (csvkit's way).

    .venv/bin/python tests/golden/rounds.py          # rewrite tests/golden/<round>/ after a deliberate change

Each round is built from nothing but code (a catalog, the appendices generated at a fixed
time, returns filled and saved at fixed times), run through the command line, and its
outputs read back as values: the data table (CSV), every sheet of the consolidated
workbook, the validation JSON and the marked cells of the annotated copies. Never .xlsx
bytes: a zip stamps its own times. What changes from run to run by nature — the folder
the round ran in, the time of the run, SHA-256s of files saved at run time, the tool's
version — is masked, so a difference in a golden file is a difference in behaviour.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `consolidator` and `tests` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import openpyxl
from click.testing import CliRunner

from consolidator.catalog import load_catalog
from consolidator.cli import main
from consolidator.demo import simulate_returns
from consolidator.generate import generate
from consolidator.model import Catalog, Indicator, Round, Target, Unit
from consolidator.templates import write_sample_catalog
from tests.conftest import small_catalog, write_catalog
from tests.filling import column, complete_results, fill, rows_by_code

HERE = Path(__file__).resolve().parent
GENERATED = datetime(2023, 6, 25, 8, 0).astimezone()
ON_TIME = datetime(2023, 7, 8, 10, 0).astimezone()
LATE = datetime(2023, 7, 12, 10, 0).astimezone()
_SHA256 = re.compile(r"\b[0-9a-f]{64}\b")


# --- the rounds -----------------------------------------------------------------------------------


def sample_round(folder: Path) -> tuple[Path, Path]:
    """The bundled sample province, its returns simulated as `consolidator demo` does."""
    catalog_path = write_sample_catalog(folder / "catalog.xlsx")
    catalog = load_catalog(catalog_path)
    made = generate(catalog, folder / "phu-luc", generated_at=GENERATED)
    simulate_returns(catalog, {g.unit_code: g.path for g in made}, folder / "nhan-ve")
    return catalog_path, folder / "nhan-ve"


def small_round(folder: Path) -> tuple[Path, Path]:
    """The test province: a word for a number, a dash, a late unit, a corrected resend, a blank file."""
    catalog_path = write_catalog(small_catalog(), folder / "catalog.xlsx")
    catalog = load_catalog(catalog_path)
    made = {g.unit_code: g.path for g in generate(catalog, folder / "phu-luc", generated_at=GENERATED)}
    inbox = folder / "nhan-ve"
    fill(made["P"], inbox / "P.xlsx", {"GRDP": "6,8"}, modified=ON_TIME)
    fill(made["D1"], inbox / "D1.xlsx", {**complete_results(catalog, "D1"), "RUNG": "—", "DANGVIEN": "khoảng 50"},
         modified=ON_TIME)
    fill(made["D2"], inbox / "D2.xlsx", {**complete_results(catalog, "D2"), "DANSO": "98.500"}, modified=LATE)
    fill(made["K1"], inbox / "K1_lan-1.xlsx", {**complete_results(catalog, "K1"), "KYLUAT": "ba"},
         modified=ON_TIME - timedelta(days=3))
    fill(made["K1"], inbox / "K1_lan-2.xlsx", {"DANGVIEN": 25, "KYLUAT": 1}, modified=ON_TIME)
    fill(made["K2"], inbox / "K2.xlsx", {}, modified=ON_TIME)
    (inbox / "K1_bao-cao.pdf").write_bytes(b"%PDF-1.4\n")
    return catalog_path, inbox


def _adjusting_catalog():
    """A city whose round allows target adjustments: wards under two districts, ranges, a capped count."""
    round_ = Round(round_id="TP-2023", title="Sơ kết giữa nhiệm kỳ Thành phố Thử", organisation="Đảng bộ tỉnh Thử",
                   baseline_year=2020, target_year=2025, cutoff_date=date(2023, 5, 31), deadline=date(2023, 6, 15),
                   low_threshold=0.85, allow_target_changes=True, place="Thành phố Thử")
    units = (
        Unit("TP", "Thành ủy Thử", None, "Đảng bộ thành phố Thử"),
        Unit("Q1", "Đảng ủy phường Một", "TP", "Đảng bộ phường Một"),
        Unit("Q2", "Đảng ủy phường Hai", "TP", "Đảng bộ phường Hai"),
        Unit("X1", "Đảng ủy xã Ba", "TP", "Đảng bộ xã Ba"),
    )
    indicators = (
        Indicator("THU", "Thu ngân sách trên địa bàn", "Kinh tế", "tỷ đồng", "increase", "level", "sum", 0),
        Indicator("TANG", "Tốc độ tăng trưởng bình quân", "Kinh tế", "%/năm", "increase", "average", "mean", 1),
        Indicator("NGHEO", "Tỷ lệ hộ nghèo", "Xã hội", "%", "decrease", "level", "mean", 2),
        Indicator("KYLUAT", "Đảng viên bị kỷ luật (tối đa cả nhiệm kỳ)", "Xây dựng Đảng", "đảng viên",
                  "decrease", "cumulative", "sum", 0),
        Indicator("VANHOA", "Đạt chuẩn văn minh đô thị", "Xã hội", "", "boolean", "level", "sum", 0),
    )
    targets = []
    for code, scale in (("Q1", 1.0), ("Q2", 1.4), ("X1", 0.6)):
        targets += [
            Target(code, "THU", str(int(120 * scale)), 120 * scale, 120 * scale, 80 * scale),
            Target(code, "TANG", "7–7,5", 7.0, 7.5),
            Target(code, "NGHEO", "1,5", 1.5, 1.5, 3.0 * scale),
            Target(code, "KYLUAT", str(int(6 * scale)), int(6 * scale), int(6 * scale)),
            Target(code, "VANHOA", "Đạt", 1.0, 1.0),
        ]
    targets.append(Target("TP", "THU", "500", 500.0, 500.0, 330.0))
    return Catalog(round_, units, indicators, tuple(targets))


def adjusting_round(folder: Path) -> tuple[Path, Path]:
    """Proposals (in their column and over a locked target), a capped count over its pace, the office's own figure."""
    catalog = _adjusting_catalog()
    catalog_path = write_catalog(catalog, folder / "catalog.xlsx")
    catalog = load_catalog(catalog_path)
    made = {g.unit_code: g.path for g in generate(catalog, folder / "phu-luc",
                                                   generated_at=datetime(2023, 5, 25, 8, 0).astimezone())}
    inbox = folder / "nhan-ve"
    saved = datetime(2023, 6, 10, 9, 0).astimezone()

    def propose(wb, ws):
        ws.cell(rows_by_code(ws)["THU"], column("proposed_target")).value = "110"
        ws.protection.sheet = False
        ws.cell(rows_by_code(ws)["NGHEO"], column("target")).value = "2"

    fill(made["TP"], inbox / "TP.xlsx", {"THU": 310}, modified=saved)
    fill(made["Q1"], inbox / "Q1.xlsx", {"THU": 95, "TANG": "7,2", "NGHEO": 2.1, "KYLUAT": 5, "VANHOA": "Đạt"},
         modified=saved, edit=propose)
    fill(made["Q2"], inbox / "Q2.xlsx", {"THU": 130, "TANG": 6.1, "NGHEO": "2,9", "KYLUAT": 1, "VANHOA": "Chưa đạt"},
         modified=saved)
    fill(made["X1"], inbox / "X1.xlsx", {"THU": "60", "TANG": 8, "NGHEO": 1.4, "KYLUAT": 0, "VANHOA": "Đạt"},
         modified=saved)
    return catalog_path, inbox


ROUNDS = {"sample": sample_round, "small": small_round, "adjusting": adjusting_round}


# --- running a round and reading its outputs back ---------------------------------------------------


def run(name: str, folder: Path) -> dict[str, str]:
    """Run one round through the command line; its golden files' names and contents."""
    catalog_path, inbox = ROUNDS[name](folder)
    runner = CliRunner()
    checked = runner.invoke(main, ["validate", str(catalog_path), str(inbox), "--format", "json",
                                   "--annotate", str(folder / "gui-lai")])
    assert checked.exit_code in (0, 1), checked.output
    done = runner.invoke(main, ["consolidate", str(catalog_path), str(inbox), "-o", str(folder / "tong-hop.xlsx"),
                                "--data-out", str(folder / "du-lieu.csv")])
    assert done.exit_code in (0, 1), done.output
    mask = _masker(folder)
    return {
        "validation.json": _dump(_validation(json.loads(checked.stdout), mask)),
        "data.csv": _csv(folder / "du-lieu.csv", mask),
        "workbook.json": _dump(_workbook_values(folder / "tong-hop.xlsx", mask)),
        "annotated.json": _dump(_annotated(folder / "gui-lai", mask)),
    }


def _masker(folder: Path):
    now = datetime.now()
    root = str(folder)

    def mask(value):
        if isinstance(value, datetime):
            # the run's own time; the round's times are in 2023
            return "<run time>" if abs(value.replace(tzinfo=None) - now) < timedelta(days=2) else value.isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, float):
            return round(value, 9)
        if isinstance(value, str):
            value = _SHA256.sub("<sha256>", value.replace(root, "<round>"))
            value = value.replace(now.strftime("%d/%m/%Y"), "<run date>")
            value = re.sub(r"<run date> \d\d:\d\d", "<run date> <time>", value)
            return re.sub(r"consolidator \d+\.\d+\.\d+\S*", "consolidator <version>", value)
        return value

    return mask


def _validation(data: dict, mask) -> dict:
    for f in data["files"]:
        f["path"] = mask(f["path"])
        f["received"] = mask(datetime.fromisoformat(f["received"]))
        for issue in f["issues"]:
            issue["value"] = mask(issue["value"])
            issue["message"] = mask(issue["message"])
    data["attachments"] = [{**a, "path": mask(a["path"])} for a in data["attachments"]]
    data["ignored"] = [mask(p) for p in data["ignored"]]
    return data


def _csv(path: Path, mask) -> str:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = [[mask(v) for v in row] for row in csv.reader(fh)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _workbook_values(path: Path, mask) -> dict[str, list[list]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    sheets = {}
    for ws in wb.worksheets:
        rows = [[mask(v) for v in row] for row in ws.iter_rows(values_only=True)]
        while rows and all(v is None for v in rows[-1]):
            rows.pop()
        sheets[ws.title] = rows
    return sheets


def _annotated(folder: Path, mask) -> dict[str, dict]:
    out = {}
    for path in sorted(folder.glob("*.xls*")):
        wb = openpyxl.load_workbook(path)
        marks = {}
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.comment is not None:
                        marks[f"{ws.title}!{cell.coordinate}"] = {
                            "fill": cell.fill.fgColor.rgb if cell.fill.fill_type else None,
                            "comment": mask(cell.comment.text)}
        out[path.name] = {"sheets": wb.sheetnames, "marked": marks,
                          "fix_sheet": [[mask(v) for v in r] for r in wb.worksheets[0].iter_rows(values_only=True)]}
    return out


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, default=str) + "\n"


def regenerate() -> None:
    for name in ROUNDS:
        with tempfile.TemporaryDirectory() as tmp:
            for file_name, text in run(name, Path(tmp)).items():
                target = HERE / name / file_name
                target.parent.mkdir(exist_ok=True)
                target.write_text(text, encoding="utf-8")
                print(f"{target.relative_to(HERE.parents[1])}: {len(text):,} characters")


if __name__ == "__main__":
    regenerate()
