"""Time the round store: `receive` against `validate` on the same files, and `status ROUND`.

    .venv/bin/python benchmarks/store.py --sizes 1000 --status-units 10000 --runs 3

For each size N, on the synthetic round of benchmarks/synthetic.py (cached in
benchmarks/out/): `validate CATALOG INBOX` and `receive ROUND INBOX` into a fresh round
folder, alternating, each as its own subprocess, start-up included; the goal (issue 13) is
receive ≤ 1.3 × validate. Then `status ROUND` on the store of the largest round received
(`--status-units`, 10,000 by default; goal: under 1 s). Median and spread of `--runs`
runs; results appended to benchmarks/out/store.json and printed as a table.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import CONSOLIDATOR, measure  # noqa: E402
from synthetic import make_round  # noqa: E402


def fresh_round(rnd, where: Path) -> Path:
    shutil.rmtree(where, ignore_errors=True)
    subprocess.run([CONSOLIDATOR, "init", str(where)], check=True, capture_output=True)
    shutil.copyfile(rnd.catalog_path, where / "catalog.xlsx")
    return where


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


def bench_receive(n: int, runs: int) -> dict:
    rnd = make_round(n)
    work = HERE / "out" / f"store-n{n}"
    validate, receive = [], []
    for _ in range(runs):
        validate.append(measure([CONSOLIDATOR, "validate", str(rnd.catalog_path), str(rnd.inbox), "--format", "json"],
                                ok_codes=(0, 1), memory=False)["wall"])
        folder = fresh_round(rnd, work)
        receive.append(measure([CONSOLIDATOR, "receive", str(folder), str(rnd.inbox)], ok_codes=(0, 1),
                               memory=False)["wall"])
    out = {"n": n, "validate": spread(validate), "receive": spread(receive)}
    out["ratio"] = out["receive"]["median"] / out["validate"]["median"]
    return out


def bench_status(n: int, runs: int) -> dict:
    rnd = make_round(n)
    folder = HERE / "out" / f"store-n{n}"
    if not (folder / "round.db").exists() or not any((folder / "submissions").iterdir()):
        fresh_round(rnd, folder)
        measure([CONSOLIDATOR, "receive", str(folder), str(rnd.inbox)], ok_codes=(0, 1), memory=False)
    measure([CONSOLIDATOR, "status", str(folder)], ok_codes=(0, 1), memory=False)  # the catalog's version recorded
    walls = [measure([CONSOLIDATOR, "status", str(folder)], ok_codes=(0, 1), memory=False)["wall"]
             for _ in range(runs)]
    return {"n": n, "status": spread(walls)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--status-units", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    machine = {"cores": __import__("os").cpu_count(), "cpu": platform.processor() or platform.machine(),
               "python": platform.python_version()}
    results = {"machine": machine, "receive": [bench_receive(int(n), args.runs) for n in args.sizes.split(",")]}
    if args.status_units:
        results["status"] = bench_status(args.status_units, args.runs)
    print(f"machine: {machine}")
    print("| files | validate (median, min–max) | receive (median, min–max) | receive ÷ validate |")
    print("|---:|---:|---:|---:|")
    for r in results["receive"]:
        v, c = r["validate"], r["receive"]
        print(f"| {r['n']:,} | {v['median']:.2f} s ({v['min']:.2f}–{v['max']:.2f}) | "
              f"{c['median']:.2f} s ({c['min']:.2f}–{c['max']:.2f}) | {r['ratio']:.2f} |")
    if "status" in results:
        s = results["status"]["status"]
        print(f"\n`status ROUND`, {results['status']['n']:,} units: {s['median']:.2f} s "
              f"({s['min']:.2f}–{s['max']:.2f})")
    out = HERE / "out" / "store.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
