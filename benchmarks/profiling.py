"""Profile `consolidate` on a synthetic round: the parent process, and one worker's read path.

    .venv/bin/python benchmarks/profiling.py --size 1000 --read-files 200

Files are read in worker processes, which cProfile in the parent does not see. So:
  1. `python -m cProfile -m consolidator consolidate ...` profiles the parent: catalog
     loading, dispatch, the pandera row check, the rollup, the workbook and CSV writing;
  2. `consolidator.reader.read_outcome` over --read-files files, in this process,
     profiles what each worker does per file (sha256, xlsx parsing, reading the table).
Top 15 by cumulative time of each go to benchmarks/PROFILE.md; the .prof files to
benchmarks/out/profiles/ (open them with `python -m pstats` or snakeviz).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import make_round  # noqa: E402


# Frames every run has (interpreter, runpy, click dispatch): they say nothing about the tool.
BOILERPLATE = ("builtins.exec", "<string>:1", "<frozen runpy>", "__main__.py:1", "core.py:")


def top(prof: Path, n: int = 15) -> str:
    """The n functions of most cumulative time, interpreter and click frames left out."""
    buf = io.StringIO()
    stats = pstats.Stats(str(prof), stream=buf)
    stats.strip_dirs().sort_stats("cumulative").print_stats(n + len(BOILERPLATE) * 3)
    lines = buf.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    total = next((line.strip() for line in lines if "function calls" in line), "")
    body = [line for line in lines[start + 1:] if line.strip() and not any(b in line for b in BOILERPLATE)]
    return total + "\n\n" + lines[start] + "\n" + "\n".join(body[:n])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--indicators", type=int, default=30)
    parser.add_argument("--read-files", type=int, default=200)
    args = parser.parse_args(argv)
    rnd = make_round(args.size, args.indicators)
    out = HERE / "out" / "profiles"
    out.mkdir(parents=True, exist_ok=True)

    parent_prof = out / f"consolidate-parent-n{args.size}.prof"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(parent_prof), "-m", "consolidator", "consolidate",
                    str(rnd.catalog_path), str(rnd.inbox), "-o", str(out / "out.xlsx"), "--data-out", str(out / "out.csv")],
                   stdout=subprocess.DEVNULL, check=False)
    parent_wall = time.perf_counter() - started

    from consolidator.catalog import load_catalog
    from consolidator.reader import read_outcome

    catalog = load_catalog(rnd.catalog_path)
    for prop in ("unit_by_code", "indicator_by_code", "targets_by_unit"):
        getattr(catalog, prop)  # as in a worker, which inherits them from the parent
    files = rnd.files[: args.read_files]
    read_prof = out / f"read-outcome-{len(files)}.prof"
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for path in files:
        read_outcome(path, catalog)
    profiler.disable()
    read_wall = time.perf_counter() - started
    profiler.dump_stats(str(read_prof))
    started = time.perf_counter()
    for path in files:
        read_outcome(path, catalog)
    read_plain = time.perf_counter() - started

    text = "\n".join([
        "# Profiles",
        "",
        f"Written by `benchmarks/profiling.py` on the synthetic round of {args.size} units × {args.indicators} indicators.",
        "",
        f"## `consolidate`, parent process (N = {args.size}; {parent_wall:.1f} s under cProfile)",
        "",
        "File reading happens in the worker processes and shows here only as waiting "
        "(`read_in_workers`, `connection.wait`/`recv`).",
        "",
        "```",
        top(parent_prof),
        "```",
        "",
        f"## One worker's read path: `reader.read_outcome` over {len(files)} files, in-process",
        "",
        f"{read_wall:.2f} s under cProfile, {read_plain:.2f} s without "
        f"({read_plain / len(files) * 1000:.1f} ms per file).",
        "",
        "```",
        top(read_prof),
        "```",
        "",
    ])
    (HERE / "PROFILE.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
