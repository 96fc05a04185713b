"""Time a national round from provinces' data tables: `consolidate NATIONAL --from-data …`.

    .venv/bin/python benchmarks/national.py                       # 60 provinces × 1,000 units, 3 runs
    .venv/bin/python benchmarks/national.py --provinces 10 --runs 1

The provinces' tables: one real province round is run to its data table — the synthetic round
of `synthetic.py` (1,000 leaf units, 30 indicators, about 40 % of the files with an error, so
its rollups are partial), `consolidate CATALOG INBOX --data-out` — and each of the N provinces'
tables is that table in the same shape, its unit codes renamed (TINH → T01, H001 → T01.H001)
and its figures scaled by a factor of the province's own (0.8–1.2): 60 real consolidations of
1,000 files would take an hour of this machine for the same shape of input. The national
catalog: a root and the N provinces, the 30 indicators, each province's targets its table's
root targets. Then the national consolidation is timed (workbook and data table written),
median and spread of `--runs` runs, each its own subprocess, start-up included. Results go to
benchmarks/out/national.json and are printed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import CONSOLIDATOR, machine, measure  # noqa: E402
from store import spread  # noqa: E402
from synthetic import ROOT, build_indicators, make_round  # noqa: E402

from consolidator.catalog import catalog_rows, write_catalog_workbook  # noqa: E402
from consolidator.model import Catalog, Round, Target, Unit  # noqa: E402
from consolidator.numbers import display_number  # noqa: E402

NATIONAL_ID = "BENCH-NATIONAL"
SCALED = ("baseline", "target", "target_all", "result", "estimate")


def province_source(n_units: int, indicators: int, work: Path) -> pd.DataFrame:
    """The data table of one real synthetic province round, consolidated once (cached)."""
    table = work / f"province-n{n_units}-k{indicators}.parquet"
    if not table.exists():
        rnd = make_round(n_units, indicators)
        measure([CONSOLIDATOR, "consolidate", str(rnd.catalog_path), str(rnd.inbox), "-o", str(work / "province.xlsx"),
                 "--data-out", str(table)], ok_codes=(0, 1), memory=False)
    return pd.read_parquet(table)


def province_table(source: pd.DataFrame, code: str, rng: random.Random) -> pd.DataFrame:
    """The source table as province `code`'s: codes renamed, non-yes/no figures scaled."""
    table = source.copy()
    rename = {ROOT: code}
    table["unit_code"] = table["unit_code"].map(lambda c: rename.get(c, f"{code}.{c}"))
    table["parent_code"] = table["parent_code"].map(lambda c: None if pd.isna(c) else rename.get(c, f"{code}.{c}"))
    table["round_id"] = NATIONAL_ID
    factor = rng.uniform(0.8, 1.2)
    numeric = table["direction"] != "boolean"
    for col in SCALED:
        table.loc[numeric, col] = table.loc[numeric, col] * factor
    return table


def national_catalog(tables: dict[str, pd.DataFrame], indicators: int, path: Path) -> None:
    inds = build_indicators(indicators)
    round_ = Round(NATIONAL_ID, "Sơ kết giữa nhiệm kỳ — toàn quốc (DỮ LIỆU GIẢ)", "Ban Chấp hành Trung ương", 2020,
                   2025, pd.Timestamp("2023-06-30").date(), pd.Timestamp("2023-07-10").date())
    units = [Unit("QG", "Toàn quốc")] + [Unit(code, f"Tỉnh ủy Thử Tải {code}", "QG") for code in tables]
    targets = []
    for code, table in tables.items():
        root = table[(table.unit_code == code) & table.is_rollup].set_index("indicator_code")
        for ind in inds:
            if ind.direction == "boolean":
                targets.append(Target(code, ind.code, "Đạt", 1.0, 1.0))
            elif ind.code in root.index and pd.notna(root.loc[ind.code, "target_all"]):
                value = round(float(root.loc[ind.code, "target_all"]), ind.decimals)
                targets.append(Target(code, ind.code, display_number(value), value, value))
    write_catalog_workbook(path, catalog_rows(Catalog(round_, tuple(units), inds, tuple(targets))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=60)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--indicators", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    work = HERE / "out" / f"national-p{args.provinces}-n{args.units}-k{args.indicators}"
    (work / "tables").mkdir(parents=True, exist_ok=True)
    source = province_source(args.units, args.indicators, HERE / "out")
    rng = random.Random(0)
    tables = {f"T{p:02d}": province_table(source, f"T{p:02d}", rng) for p in range(1, args.provinces + 1)}
    paths = []
    for code, table in tables.items():
        paths.append(work / "tables" / f"{code}.parquet")
        table.to_parquet(paths[-1], index=False)
    catalog = work / "catalog.xlsx"
    national_catalog(tables, args.indicators, catalog)
    cmd = [CONSOLIDATOR, "consolidate", str(catalog), "--from-data", *map(str, paths), "-o",
           str(work / "toan-quoc.xlsx"), "--data-out", str(work / "toan-quoc.parquet")]
    runs = [measure(cmd, memory=False) for _ in range(args.runs)]
    peak = measure(cmd, memory=True)  # apart: polling memory costs CPU the timed runs must not lose
    rows = sum(len(t) for t in tables.values())
    result = {"machine": machine(), "provinces": args.provinces, "units_per_province": args.units,
              "indicators": args.indicators, "table_rows": rows, "wall": spread([r["wall"] for r in runs]),
              "cpu": spread([r["cpu"] for r in runs]), "peak_pss_mib": peak["peak_pss_mib"]}
    (HERE / "out" / "national.json").write_text(json.dumps(result, indent=2))
    w, c = result["wall"], result["cpu"]
    print(f"machine: {result['machine']['nproc']} cores, {result['machine']['cpu']}, {result['machine']['memory']}")
    print(f"{args.provinces} provinces × {args.units:,} units × {args.indicators} indicators "
          f"({rows:,} rows of data tables): national consolidate {w['median']:.2f} s wall "
          f"({w['min']:.2f}–{w['max']:.2f} over {args.runs} runs), CPU {c['median']:.2f} s, "
          f"peak PSS {peak['peak_pss_mib']:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
