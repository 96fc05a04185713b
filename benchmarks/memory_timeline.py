"""Where in a command's run its memory peaks, and which of its processes holds it.

    .venv/bin/python benchmarks/memory_timeline.py --every 1 -- \
        .venv/bin/consolidator consolidate benchmarks/out/round-n10000-k30-s0/catalog.xlsx \
        benchmarks/out/round-n10000-k30-s0/inbox -o /tmp/c.xlsx --data-out /tmp/c.csv

`run.py` gives one figure, the peak of the PSS summed over the process tree. This prints,
every `--every` seconds, that sum and each process's PSS and private memory (pages no
other process maps: what it allocated, or copied from its parent by writing to a page they
shared after the fork). It is how the forked writers' cost was found: a process forked
while its parent still walks every row keeps the old copy of each page the parent touches,
so the tree's private memory grows though neither process allocates anything
(benchmarks/README.md, "Memory").

Linux only (/proc); one process tree, polled, so a peak shorter than the interval is missed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

MiB = 1024


def tree(pid: int) -> list[int]:
    """`pid` and its descendants, parents first."""
    out = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            children = fh.read().split()
    except OSError:
        return out
    for child in children:
        out += tree(int(child))
    return out


def memory(pid: int) -> tuple[float, float]:
    """(PSS, private) in MiB of one process; (0, 0) once it is gone."""
    fields: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 2 and parts[1].isdigit():
                    fields[parts[0].rstrip(":")] = int(parts[1])
    except OSError:
        return 0.0, 0.0
    private = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return fields.get("Pss", 0) / MiB, private / MiB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=float, default=1.0, help="seconds between lines (default 1)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    started = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak, last = (0.0, 0.0), -args.every
    print("seconds | tree PSS MiB | each process: PSS (private), parent first")
    while child.poll() is None:
        pids = tree(child.pid)
        figures = [memory(pid) for pid in pids]
        total = sum(pss for pss, _ in figures)
        now = time.monotonic() - started
        if total > peak[0]:
            peak = (total, now)
        if now - last >= args.every:
            each = "  ".join(f"{pss:.0f} ({private:.0f})" for pss, private in figures if pss)
            print(f"{now:7.1f} | {total:12.0f} | {each}", flush=True)
            last = now
        time.sleep(0.1)
    print(f"exit {child.returncode} after {time.monotonic() - started:.1f} s; "
          f"peak {peak[0]:.0f} MiB at {peak[1]:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
