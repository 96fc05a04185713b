"""A deadline-day burst on the web page (issue 14, Load): 300 uploads from 50 concurrent
clients to `consolidator serve` on this machine, loopback only, bounded in count and time.

Each client is one unit on its own loopback address (127.0.0.2 …, as fifty offices would
be), opening its link and sending its appendix six times with a changed figure. Afterwards
every upload must be in the store exactly once and `consolidator check` clean.

    .venv/bin/python benchmarks/web_burst.py [--clients 50] [--uploads 6]

Prints the throughput and the response times (median, 95th percentile) of the uploads.
"""

from __future__ import annotations

import argparse
import csv
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx2 as httpx  # the client Starlette 1.x tests with (the test extra)
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from consolidator.catalog import catalog_rows, write_catalog_workbook  # noqa: E402
from consolidator.cli import main  # noqa: E402
from consolidator.model import Catalog, Indicator, Round, Target, Unit  # noqa: E402
from tests.filling import fill  # noqa: E402

DEADLINE_SECONDS = 600  # the whole burst stops by then, whatever happens


def burst_catalog(units: int) -> Catalog:
    round_ = Round("BURST-2023", "Đợt thử tải", "Tỉnh ủy Thử", 2020, 2025, date(2023, 6, 30),
                   date.today() + timedelta(days=10))
    leaves = [Unit(f"U{n:02d}", f"Đảng bộ cơ sở số {n}", "P") for n in range(1, units + 1)]
    indicators = (Indicator("DANGVIEN", "Kết nạp đảng viên mới", "Xây dựng Đảng", "đảng viên", "increase",
                            "cumulative", "sum", 0),
                  Indicator("RUNG", "Tỷ lệ che phủ rừng", "Môi trường", "%", "increase", "level", "mean", 1))
    targets = tuple(t for u in leaves for t in (Target(u.code, "DANGVIEN", "40", 40.0, 40.0),
                                                 Target(u.code, "RUNG", "52", 52.0, 52.0, 50.0)))
    return Catalog(round_, (Unit("P", "Tỉnh Thử"), *leaves), indicators, targets)


def cli(*args: object, input: str | None = None) -> None:
    result = CliRunner().invoke(main, [str(a) for a in args], input=input)
    assert result.exit_code == 0, result.output


def client_run(n: int, url: str, link: str, files: list[Path], times: list[float], failures: list[str]) -> None:
    """One unit's browser: its own loopback address, its link, its uploads one after another."""
    transport = httpx.HTTPTransport(local_address=f"127.0.0.{n + 2}")
    with httpx.Client(base_url=url, transport=transport, timeout=120) as client:
        for path in files:
            page = client.get(link)
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
            started = time.perf_counter()
            answer = client.post(link, data={"csrf": csrf}, files={"file": (path.name, path.read_bytes())})
            times.append(time.perf_counter() - started)
            if answer.status_code != 200 or "Biên nhận" not in answer.text:
                failures.append(f"{path}: {answer.status_code}")


def main_(clients: int, uploads: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="web-burst-"))
    folder = work / "dot"
    cli("init", folder)
    write_catalog_workbook(folder / "catalog.xlsx", catalog_rows(burst_catalog(clients)))
    cli("generate", folder)
    cli("serve", folder, "--set-password", input="mat-khau-thu-tai\n")
    server = subprocess.Popen([sys.executable, "-m", "consolidator", "serve", str(folder), "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        url = re.search(r"(http://[\d.]+:\d+)/office", server.stdout.readline()).group(1)
        cli("generate", folder, "--base-url", url)
        with open(folder / "phu-luc" / "manifest.csv", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
        files = {r["unit_code"]: [fill(folder / "phu-luc" / r["file"], work / "in" / f"{r['unit_code']}-{k}" / r["file"],
                                       {"DANGVIEN": 10 + k, "RUNG": 50 + k / 10}) for k in range(uploads)]
                 for r in rows}
        times: list[float] = []
        failures: list[str] = []
        threads = [threading.Thread(target=client_run, daemon=True,
                                    args=(n, url, "/u/" + r["upload_url"].rsplit("/u/", 1)[1], files[r["unit_code"]],
                                          times, failures)) for n, r in enumerate(rows)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=max(1.0, DEADLINE_SECONDS - (time.perf_counter() - started)))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    db = sqlite3.connect(folder / "round.db")
    stored = db.execute("SELECT count(*), count(DISTINCT sha256) FROM submission").fetchone()
    received = db.execute("SELECT count(*) FROM event WHERE kind = 'received'").fetchone()[0]
    check = subprocess.run([sys.executable, "-m", "consolidator", "check", str(folder)], capture_output=True, text=True)
    expected = clients * uploads
    times.sort()
    print(f"uploads: {len(times)} of {expected} in {elapsed:.1f} s from {clients} clients: "
          f"{len(times) / elapsed:.1f} uploads/s; response median {statistics.median(times):.2f} s, "
          f"95th percentile {times[int(0.95 * (len(times) - 1))]:.2f} s, slowest {times[-1]:.2f} s")
    print(f"stored: {stored[0]} files ({stored[1]} distinct), received events: {received}; failures: {len(failures)}; "
          f"check: {'clean' if check.returncode == 0 else check.stdout}")
    assert not failures, failures[:5]
    assert stored[0] == stored[1] == received == expected and check.returncode == 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--uploads", type=int, default=6)
    args = parser.parse_args()
    main_(args.clients, args.uploads)
