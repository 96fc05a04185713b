"""Time the tool at scale: validate, consolidate, generate and `--help` on synthetic rounds.

    .venv/bin/python benchmarks/run.py --sizes 100,1000,10000

For each size N, on the same synthetic round (benchmarks/synthetic.py, cached in
benchmarks/out/), every step runs as its own subprocess, as a user runs it:

  validate     consolidator validate CATALOG INBOX --format json  (stdout to /dev/null)
  consolidate  consolidator consolidate CATALOG INBOX -o out.xlsx --data-out out.csv
  naive        benchmarks/naive.py: pandas.read_excel + one pandera validate per file
               (on at most --naive-max files, evenly spread; extrapolated linearly to N)
  generate     consolidator generate CATALOG -o DIR
  --help       consolidator --help: start-up time, and whether pandas gets imported

Measured per step:
  wall         time.perf_counter around the subprocess, start-up included
  CPU          user + sys of the process and every descendant it waited for (os.wait4)
  peak PSS     the highest sum of PSS (/proc/PID/smaps_rollup) over the process tree, polled
               every 20 ms: the memory the step holds across parent and worker processes,
               shared pages counted once
  max RSS      ru_maxrss from os.wait4: the peak RSS of the largest single process of the
               tree (exact, not polled; the kernel keeps it across waited-for descendants)

The table is printed and written to benchmarks/RESULTS.md; raw numbers to
benchmarks/out/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from synthetic import make_office_round, make_round  # noqa: E402

BIN = Path(sys.executable).parent
CONSOLIDATOR = str(BIN / "consolidator")
POLL_SECONDS = 0.02
MiB = 1024 * 1024

# --- measuring ------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out.extend(int(c) for c in fh.read().split())
    except OSError:
        pass
    return out


def _tree(pid: int) -> list[int]:
    pids, stack = [], [pid]
    while stack:
        p = stack.pop()
        pids.append(p)
        stack.extend(_children(p))
    return pids


def _memory(pid: int) -> tuple[int, int]:
    """(PSS, RSS) in bytes of one process; (0, 0) once it is gone."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return pss, rss


def measure(cmd: list[str], stdout=subprocess.DEVNULL, ok_codes=(0,), cwd=None, memory: bool = True) -> dict:
    """Run `cmd`, return wall and CPU seconds, peak tree PSS/RSS and the largest single ru_maxrss.

    With `memory` false the /proc poller does not run (reading smaps_rollup of large
    processes every 20 ms costs CPU on a 2-core machine, so timings are taken without it).
    """
    peak = {"pss": 0, "rss": 0, "procs": 0}
    done = threading.Event()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd)

    def poll() -> None:
        while not done.is_set():
            pids = _tree(proc.pid)
            mems = [_memory(p) for p in pids]
            peak["pss"] = max(peak["pss"], sum(m[0] for m in mems))
            peak["rss"] = max(peak["rss"], sum(m[1] for m in mems))
            peak["procs"] = max(peak["procs"], sum(1 for m in mems if m[1]))
            done.wait(POLL_SECONDS)

    poller = threading.Thread(target=poll if memory else done.wait, daemon=True)
    poller.start()
    # stderr is drained in a thread so a chatty step cannot block on a full pipe.
    err_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True)
    reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    poller.join()
    reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = b"".join(err_chunks).decode("utf-8", "replace")
    if proc.returncode not in ok_codes:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{stderr[-3000:]}")
    return {
        "wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "exit": proc.returncode,
        "peak_pss_mib": peak["pss"] / MiB if memory else None,
        "peak_tree_rss_mib": peak["rss"] / MiB if memory else None,
        "max_rss_mib": usage.ru_maxrss / 1024, "processes": peak["procs"], "stderr_tail": stderr[-500:],
    }


# --- the steps --------------------------------------------------------------------------------------


def run_size(n: int, indicators: int, seed: int, naive_max: int, skip: set[str], repeat: int,
             office_max: int) -> dict:
    print(f"\n== N = {n} ==", flush=True)
    rnd = make_round(n, indicators, seed=seed)
    print(f"round: {rnd.directory} ({'cached' if rnd.reused else f'built in {rnd.seconds:.1f} s'})", flush=True)
    work = HERE / "out" / f"run-n{n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    out: dict = {"n": n, "indicators": indicators, "round_seconds": rnd.seconds, "round_reused": rnd.reused,
                 "repeat": repeat}

    def step(name: str, cmd: list[str], memory: bool = True, before=lambda: None, **kw) -> None:
        """Time the step `repeat` times alone; then, if asked, run it once more under the memory poller."""
        if name.split(" ")[0] in skip:
            return
        print(f"  {name} …", end=" ", flush=True)
        runs = []
        for _ in range(repeat):
            before()
            runs.append(measure(cmd, memory=False, **kw))
        walls = sorted(r["wall"] for r in runs)
        out[name] = m = runs[[r["wall"] for r in runs].index(walls[len(walls) // 2])]
        m.update(walls=walls, wall_min=walls[0], wall_max=walls[-1],
                 cpu=statistics.median(r["cpu"] for r in runs))
        print(f"{m['wall']:.2f} s (median of {repeat}, {walls[0]:.2f}–{walls[-1]:.2f})", end="", flush=True)
        if memory:
            before()
            polled = measure(cmd, memory=True, **kw)
            m.update(peak_pss_mib=polled["peak_pss_mib"], peak_tree_rss_mib=polled["peak_tree_rss_mib"],
                     processes=polled["processes"], wall_polled=polled["wall"])
            print(f", peak PSS {m['peak_pss_mib']:.0f} MiB", end="", flush=True)
        print(flush=True)

    inboxes = [("generated", rnd)]
    if n <= office_max and "office" not in skip:
        office = make_office_round(rnd)
        print(f"office round: {office.inbox} ({'cached' if office.reused else f'built in {office.seconds:.1f} s'})",
              flush=True)
        inboxes.append(("LibreOffice", office))
    cat = str(rnd.catalog_path)
    for kind, source in inboxes:
        suffix = "" if kind == "generated" else " (LibreOffice)"
        inbox = str(source.inbox)
        step("validate" + suffix, [CONSOLIDATOR, "validate", cat, inbox, "--format", "json"], ok_codes=(0, 1))
        with open(work / "consolidate.log", "wb") as log:
            step("consolidate" + suffix, [CONSOLIDATOR, "consolidate", cat, inbox, "-o", str(work / "out.xlsx"),
                                          "--data-out", str(work / "out.csv")], stdout=log, ok_codes=(0, 1))
        if "consolidate" + suffix in out:
            out["consolidate_summary" + suffix] = (work / "consolidate.log").read_text(encoding="utf-8").splitlines()[2:3]
        files = source.files
        sample = files if len(files) <= naive_max else [files[i * len(files) // naive_max] for i in range(naive_max)]
        (work / "naive_files.txt").write_text("\n".join(map(str, sample)) + "\n", encoding="utf-8")
        step("naive" + suffix, [sys.executable, str(HERE / "naive.py"), cat, str(work / "naive_files.txt"),
                                str(work / "naive.csv")], memory=False)
        if "naive" + suffix in out:
            factor = len(files) / len(sample)
            m = out["naive" + suffix]
            m.update(sample=len(sample), factor=factor, wall_extrapolated=m["wall"] * factor,
                     cpu_extrapolated=m["cpu"] * factor)

    def clear() -> None:
        shutil.rmtree(work / "generated", ignore_errors=True)

    step("generate", [CONSOLIDATOR, "generate", cat, "-o", str(work / "generated")], before=clear)
    clear()
    return out


def help_startup(repeat: int = 5) -> dict:
    print("\n== --help ==", flush=True)
    walls = [measure([CONSOLIDATOR, "--help"])["wall"] for _ in range(repeat)]
    probe = (
        "import sys\n"
        "from consolidator.cli import main\n"
        "for args in (['--help'], ['consolidate', '--help'], ['validate', '--help']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "    heavy = [m for m in ('pandas', 'pandera', 'numpy', 'openpyxl', 'xlsxwriter') if m in sys.modules]\n"
        "    print(' '.join(args), '|', ','.join(heavy) or '-', file=sys.stderr)\n"
    )
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    imported = dict(line.split(" | ") for line in res.stderr.strip().splitlines())
    timing = subprocess.run([sys.executable, "-X", "importtime", "-c",
                             "from consolidator.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"],
                            capture_output=True, text=True, check=True)
    rows = []
    for line in timing.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2][1:].rstrip()))  # nested imports keep their indent
    # Top-level imports only (nested ones are indented), by cumulative time.
    top = sorted(((us, name) for us, name in rows if not name.startswith(" ")), reverse=True)[:8]
    out = {"wall_median": statistics.median(walls), "walls": walls, "heavy_imports": imported,
           "pandas_imported": "pandas" in imported.get("--help", ""),
           "importtime_top": [f"{name} {us / 1000:.0f} ms" for us, name in top]}
    print(f"  median {out['wall_median'] * 1000:.0f} ms; heavy imports: {imported}", flush=True)
    return out


# --- reporting --------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = "?"
    try:
        kb = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    from importlib.metadata import PackageNotFoundError, version

    libs = {}
    for name in ("consolidator", "pandas", "numpy", "pandera", "openpyxl", "xlsxwriter", "pyarrow", "click"):
        try:
            libs[name] = version(name)
        except PackageNotFoundError:
            libs[name] = "-"
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": mem, "python": platform.python_version(),
            "platform": platform.platform(), "libs": libs}


def _f(x: float | None, fmt: str = ".2f") -> str:
    return "–" if x is None else format(x, fmt)


STEPS = ("validate", "consolidate", "naive", "validate (LibreOffice)", "consolidate (LibreOffice)",
         "naive (LibreOffice)", "generate")


def table(results: list[dict]) -> str:
    lines = [
        "| N | step | files | wall s (median) | spread s | files/s | CPU s | peak PSS (tree) MiB | max RSS (1 proc) MiB | note |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        n = r["n"]
        for full in STEPS:
            m = r.get(full)
            if not m:
                continue
            name, _, kind = full.partition(" (")
            kind = "re-saved by LibreOffice" if kind else ("–" if name == "generate" else "generated")
            naive = r.get("naive" + full[len(name):])
            note = ""
            wall = m["wall"]
            spread = f"{m['wall_min']:.2f}–{m['wall_max']:.2f}"
            if name == "naive":
                note = (f"measured on {m['sample']} files ({m['wall']:.1f} s), extrapolated ×{m['factor']:.0f}"
                        if m["factor"] > 1 else f"all {m['sample']} files")
                wall = m["wall_extrapolated"]
            if name == "consolidate" and naive:
                note = f"{wall / naive['wall_extrapolated']:.3f} × naive"
            rate = n / wall if wall else None
            lines.append(f"| {n:,} | {name} | {kind} | {_f(wall)} | {spread} | {_f(rate, '.0f')} | "
                         f"{_f(m['cpu'] * (m.get('factor') or 1))} | {_f(m.get('peak_pss_mib'), '.0f')} | "
                         f"{_f(m['max_rss_mib'], '.0f')} | {note} |")
    return "\n".join(lines)


def evaluate(results: list[dict], help_: dict | None) -> list[tuple[str, str, str]]:
    """The goals of issue 16 (benchmarks/README.md), each met, missed or not measured."""
    by_n = {r["n"]: r for r in results}

    def wall(n, step):
        m = by_n.get(n, {}).get(step)
        return None if not m else (m["wall_extrapolated"] if step.startswith("naive") else m["wall"])

    def verdict(value, limit, unit="s"):
        if value is None:
            return "not measured", "–"
        return ("met" if value <= limit else "MISSED"), f"{value:.2f} {unit} (limit {limit:g} {unit}, {value / limit:.0%} of it)"

    def ratio(a, b):
        return a / b if a and b else None

    c1, c10 = wall(1000, "consolidate"), wall(10000, "consolidate")
    mem = by_n.get(10000, {}).get("consolidate", {}).get("peak_pss_mib")
    out = [
        ("consolidate 1,000 files ≤ 4 s wall", *verdict(c1, 4)),
        ("consolidate 1,000 ≤ 0.1 × the naive loop (generated files)", *verdict(ratio(c1, wall(1000, "naive")), 0.1, "×")),
        ("consolidate 1,000 LibreOffice-saved files ≤ 4 s wall", *verdict(wall(1000, "consolidate (LibreOffice)"), 4)),
        ("consolidate 1,000 ≤ 0.1 × the naive loop (LibreOffice-saved files)",
         *verdict(ratio(wall(1000, "consolidate (LibreOffice)"), wall(1000, "naive (LibreOffice)")), 0.1, "×")),
        ("consolidate 10,000 files ≤ 40 s wall", *verdict(c10, 40)),
        ("peak memory ≤ 500 MiB at 10,000 (consolidate, tree PSS)", *verdict(mem, 500, "MiB")),
        ("validate 1,000 files ≤ 3 s wall", *verdict(wall(1000, "validate"), 3)),
        ("generate 1,000 ≤ 10 s", *verdict(wall(1000, "generate"), 10)),
    ]
    if help_ is None:
        out.append(("`--help` does not import pandas", "not measured", "–"))
    else:
        out.append(("`--help` does not import pandas", "MISSED" if help_["pandas_imported"] else "met",
                    f"heavy modules after `--help`: {help_['heavy_imports'].get('--help')}; "
                    f"start-up {help_['wall_median'] * 1000:.0f} ms (median of {len(help_['walls'])})"))
    return out


def write_results(results: list[dict], help_: dict | None, info: dict, path: Path) -> str:
    goals = evaluate(results, help_)
    lines = [
        "# Benchmark results",
        "",
        f"Run {datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')} with `benchmarks/run.py` "
        f"(see README.md for the method).",
        "",
        f"Machine: {info['nproc']} cores ({info['cpu']}), {info['memory']} RAM, {info['platform']}; "
        f"Python {info['python']}; " + ", ".join(f"{k} {v}" for k, v in info["libs"].items()) + ".",
        "",
        f"Synthetic rounds: N leaf units × {results[0]['indicators'] if results else 30} indicators, "
        "about 40–45 % of the files with an error (a word typed where a number belongs, so left out), built by "
        "`benchmarks/synthetic.py`. Each step on the generator's own output (the files written directly with "
        "the round's values) and, up to `--office-max` files, on the same returns as units' programs save "
        "them: the generated appendix filled with openpyxl, then opened and saved again by LibreOffice headless.",
        "",
        "This machine is shared with other work unless said otherwise: the spread (fastest–slowest of the "
        "timed runs: " + ", ".join(f"{r['repeat']} at N = {r['n']:,}" for r in results)
        + ") says how much that moved the figures.",
        "",
        table(results),
        "",
        "files/s = N / wall. CPU = user + sys of the step and all its worker processes. "
        "Naive: extrapolated rows scale the measured wall and CPU linearly by N / sample, start-up included "
        "(so they slightly overstate the naive loop at large N).",
        "",
    ]
    if help_ is not None:
        lines += [
            f"`consolidator --help`: median {help_['wall_median'] * 1000:.0f} ms over {len(help_['walls'])} runs; "
            "heavy modules imported: "
            + "; ".join(f"`{k}` → {v}" for k, v in help_["heavy_imports"].items()) + ".",
            "Largest imports (`python -X importtime`, cumulative): " + ", ".join(help_["importtime_top"]) + ".",
            "",
        ]
    lines += ["## Goals", "", "| goal | verdict | measured |", "|---|---|---|"]
    lines += [f"| {g} | {v} | {m} |" for g, v, m in goals]
    text = "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark consolidator at scale.")
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated N (default 100,1000,10000)")
    parser.add_argument("--indicators", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--naive-max", type=int, default=1000, help="most files the naive loop reads (default 1000)")
    parser.add_argument("--skip", default="", help="steps to skip, e.g. generate,naive,office,help")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each step; the median is reported")
    parser.add_argument("--large-repeat", type=int, default=1,
                        help="timed runs of each step above 1,000 files (default 1: a 10,000-file run takes minutes)")
    parser.add_argument("--large-skip", default="",
                        help="steps to skip above 1,000 files only, e.g. generate,naive")
    parser.add_argument("--office-max", type=int, default=1000,
                        help="largest N also measured on LibreOffice-saved returns (default 1000)")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    info = machine()
    large_skip = skip | {s.strip() for s in args.large_skip.split(",") if s.strip()}
    results = [run_size(n, args.indicators, args.seed, args.naive_max, skip if n <= 1000 else large_skip,
                        args.repeat if n <= 1000 else args.large_repeat, args.office_max)
               for n in sizes]
    help_ = None if "help" in skip else help_startup()
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "results.json").write_text(
        json.dumps({"machine": info, "results": results, "help": help_}, indent=2, default=str), encoding="utf-8")
    print()
    print(write_results(results, help_, info, args.results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
