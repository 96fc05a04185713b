"""`consolidate --from-data`: provinces' data tables rolled up a national tree by the same
rules as any round (DESIGN.md §9), through the command line on rounds the tests run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from consolidator.catalog import catalog_rows, write_catalog_workbook
from consolidator.messages import labels
from consolidator.model import Catalog, Indicator, Round, Target, Unit

from .filling import fill
from .test_report_up import appendix, make_round, run

NATIONAL = "QG-2023"
INDICATORS = (
    Indicator("DANSO", "Dân số trung bình", "Kinh tế", "người", "increase", "level", "sum", 0),
    Indicator("GRDP", "Tốc độ tăng trưởng GRDP", "Kinh tế", "%/năm", "increase", "average", "weighted:DANSO", 1),
    Indicator("NTM", "Đạt chuẩn nông thôn mới", "Xã hội", "", "boolean", "level", "min", 0),
    Indicator("RUNG", "Tỷ lệ che phủ rừng", "Môi trường", "%", "increase", "level", "mean", 1),
)
TARGETS = {"DANSO": 100000.0, "GRDP": 7.0, "NTM": 1.0, "RUNG": 50.0}
# What each grassroots unit of each province types.
FIGURES = {
    "A1": {"DANSO": 60000, "GRDP": 6.0, "NTM": "Đạt", "RUNG": 52.0},
    "A2": {"DANSO": 30000, "GRDP": 8.0, "NTM": "Đạt", "RUNG": 47.5},
    "A3": {"DANSO": 10000, "GRDP": 5.0, "NTM": "Đạt", "RUNG": 61.0},
    "B1": {"DANSO": 80000, "GRDP": 7.5, "NTM": "Chưa đạt", "RUNG": 40.0},
    "B2": {"DANSO": 20000, "GRDP": 6.5, "NTM": "Đạt", "RUNG": 44.0},
}


def _round(round_id: str) -> Round:
    return Round(round_id=round_id, title="Sơ kết giữa nhiệm kỳ", organisation="Trung ương", baseline_year=2020,
                 target_year=2025, cutoff_date=date(2023, 6, 30), deadline=date(2023, 7, 10))


def _targets(units) -> tuple[Target, ...]:
    return tuple(Target(u, i.code, "Đạt" if i.direction == "boolean" else str(TARGETS[i.code]).replace(".", ","),
                        TARGETS[i.code], TARGETS[i.code]) for u in units for i in INDICATORS)


def province_catalog(root: str, round_id: str = NATIONAL) -> Catalog:
    kids = [code for code in FIGURES if code.startswith(root)]
    units = (Unit(root, f"Tỉnh ủy {root}"), *(Unit(k, f"Huyện ủy {k}", root) for k in kids))
    return Catalog(_round(round_id), units, INDICATORS, _targets(kids))


def national_catalog(path: Path, provinces=("A", "B")) -> Path:
    units = (Unit("VN", "Ban Chấp hành Trung ương"), *(Unit(p, f"Tỉnh ủy {p}", "VN") for p in provinces))
    write_catalog_workbook(path, catalog_rows(Catalog(_round(NATIONAL), units, INDICATORS, _targets(provinces))))
    return path


def province_table(tmp: Path, root: str, sending=None, suffix: str = ".parquet", round_id: str = NATIONAL) -> Path:
    """A province's round run to its consolidation: its units' files received, its data table written."""
    folder = make_round(tmp / f"tinh-{root}-{round_id}", province_catalog(root, round_id))
    inbox = tmp / f"gui-{root}-{round_id}"
    for code in sending or [c for c in FIGURES if c.startswith(root)]:
        fill(appendix(folder, code), inbox / appendix(folder, code).name, FIGURES[code])
    assert run("receive", folder, inbox).exit_code == 0
    data = tmp / f"{root}-{round_id}{suffix}"
    assert run("consolidate", folder, "--data-out", data).exit_code == 0
    return data


def read(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, encoding="utf-8-sig")


def root_rollup(path: Path) -> pd.DataFrame:
    table = read(path)
    return table[(table.level == 0) & table.is_rollup].set_index("indicator_code")


@pytest.fixture
def provinces(tmp_path):
    """Province A, every unit reporting (Parquet); province B, B2 missing (CSV)."""
    return province_table(tmp_path, "A"), province_table(tmp_path, "B", sending=["B1"], suffix=".csv")


def test_the_provinces_root_figures_roll_up_the_national_tree_by_the_same_rules(provinces, tmp_path):
    a, b = provinces
    national, data = tmp_path / "toan-quoc.xlsx", tmp_path / "toan-quoc.parquet"
    result = run("consolidate", national_catalog(tmp_path / "qg.xlsx"), "--from-data", a, b, "-o", national,
                 "--data-out", data)
    assert result.exit_code == 0, result.output
    ra, rb = root_rollup(a), root_rollup(b)
    table = read(data)
    vn = table[(table.unit_code == "VN") & table.is_rollup].set_index("indicator_code")
    assert vn.loc["DANSO", "result"] == ra.loc["DANSO", "result"] + rb.loc["DANSO", "result"]
    weighted = ((ra.loc["GRDP", "result"] * ra.loc["DANSO", "result"] + rb.loc["GRDP", "result"] * rb.loc["DANSO", "result"])
                / (ra.loc["DANSO", "result"] + rb.loc["DANSO", "result"]))
    assert vn.loc["GRDP", "result"] == pytest.approx(weighted)
    assert vn.loc["RUNG", "result"] == pytest.approx((ra.loc["RUNG", "result"] + rb.loc["RUNG", "result"]) / 2)
    assert vn.loc["NTM", "result"] == 0  # B's B1 has not achieved it
    # B's figures are partial (B2 sent nothing): so is every national figure, though both provinces reported
    assert (vn.coverage == 1).all()
    assert all(note.startswith("partial: 2/2") for note in vn.note)
    b_own = table[(table.unit_code == "B") & ~table.is_rollup].set_index("indicator_code")
    assert (b_own.note == labels("vi")["chain_partial_note"].format(used=1, expected=2)).all()
    assert (b_own.source_file == b.name).all()
    # the national workbook lists each province's data table as its file
    sheet = openpyxl.load_workbook(national)["Tình hình nộp"]
    files = {row[0]: row[2] for row in sheet.iter_rows(values_only=True) if row[0] in ("A", "B")}
    assert files == {"A": a.name, "B": b.name}


def test_a_province_without_a_data_table_is_missing_and_the_national_figure_partial(provinces, tmp_path):
    a, _ = provinces
    data = tmp_path / "qg.csv"
    catalog = national_catalog(tmp_path / "qg.xlsx", provinces=("A", "B", "C"))
    result = run("consolidate", catalog, "--from-data", a, "-o", tmp_path / "qg-out.xlsx", "--data-out", data)
    assert result.exit_code == 0, result.output
    table = read(data)
    vn = table[(table.unit_code == "VN") & table.is_rollup].set_index("indicator_code")
    assert vn.loc["DANSO", "result"] == root_rollup(a).loc["DANSO", "result"]
    assert vn.loc["DANSO", "coverage"] == pytest.approx(1 / 3)
    assert set(table[table.unit_code == "C"].status) == {"no_data"}


def refused(result, key: str, **fields) -> None:
    assert result.exit_code == 2, result.output
    assert labels("vi")[key].format(**fields) in result.output


def test_a_table_that_is_not_one_of_the_national_provinces_is_refused(provinces, tmp_path):
    a, b = provinces
    catalog = national_catalog(tmp_path / "qg.xlsx")
    out = tmp_path / "qg-out.xlsx"

    def consolidate(*tables):
        return run("consolidate", catalog, "--from-data", *tables, "-o", out)

    other_round = province_table(tmp_path, "A", round_id="KHAC-2023")
    refused(consolidate(a, other_round), "data_wrong_round", path=other_round, found="KHAC-2023", expected=NATIONAL)
    # a branch of province A (consolidate --root A1): its root A1 is no unit of the national tree
    branch = tmp_path / "A1.parquet"
    assert run("consolidate", tmp_path / f"tinh-A-{NATIONAL}", "--root", "A1", "--data-out", branch,
               "-o", tmp_path / "a1.xlsx").exit_code == 0
    refused(consolidate(a, branch), "data_unknown_unit", path=branch, unit="A1")
    assert not out.exists()  # a refusal writes nothing
    # the national table itself given back: the nation has no targets of its own to be judged on
    national = tmp_path / "qg.parquet"
    assert run("consolidate", catalog, "--from-data", a, b, "-o", out, "--data-out", national).exit_code == 0
    refused(consolidate(national), "data_unit_without_targets", path=national, unit="VN",
            name="Ban Chấp hành Trung ương")
    again = _as_csv(a)
    refused(consolidate(a, b, again), "data_duplicate_unit", path=again, other=a, unit="A")
    dropped = tmp_path / "thieu-cot.parquet"
    read(a).drop(columns=["status", "is_rollup"]).to_parquet(dropped)
    refused(consolidate(dropped), "data_missing_columns", path=dropped, columns="status, is_rollup")
    pasted = tmp_path / "hai-tinh.parquet"
    pd.concat([read(a), read(b)]).to_parquet(pasted)
    refused(consolidate(pasted), "data_no_root", path=pasted, units="A, B")
    junk = tmp_path / "hong.parquet"
    junk.write_bytes(b"PAR1 not really")
    result = consolidate(junk)
    assert result.exit_code == 2 and str(junk) in result.output
    refused(consolidate(catalog), "data_ext", path=catalog)


def _as_csv(table: Path) -> Path:
    """The same province's table, also written as CSV (as `--data-out x.csv` would)."""
    csv = table.with_suffix(".csv")
    read(table).to_csv(csv, index=False, encoding="utf-8-sig")
    return csv



def test_a_parquet_table_with_text_kept_as_categories_and_a_gap_in_them_is_read(provinces, tmp_path):
    # consolidate writes the table's repeated texts as categories (Parquet dictionaries); a
    # table an analyst saved from pandas may hold a gap in such a column, which is blank text.
    from consolidator.national import read_data_table

    a, _ = provinces
    table = pd.read_parquet(a)
    assert isinstance(table["status"].dtype, pd.CategoricalDtype)  # as consolidate wrote it
    table["status"] = table["status"].cat.add_categories([]).where(table.index != 0)  # a gap in row 0
    edited = tmp_path / "A-edited.parquet"
    table.to_parquet(edited, index=False)
    read_back = read_data_table(edited)
    assert read_back["status"].iloc[0] == ""
    assert read_back["status"].iloc[1:].tolist() == table["status"].iloc[1:].astype(str).tolist()
