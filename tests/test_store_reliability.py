"""The store under a crash and under two commands at once (issue 13, reliability)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from consolidator.catalog import load_catalog
from consolidator.cli import main

from .conftest import small_catalog, write_catalog
from .filling import complete_results, fill

UNITS = ("D1", "D2", "K1", "K2")


def cli(*args: object) -> list[str]:
    return [sys.executable, "-m", "consolidator", *map(str, args)]


@pytest.fixture
def many(tmp_path) -> tuple[Path, list[Path]]:
    """A round folder and 200 returned files, each different bytes (a unit's many versions)."""
    folder = tmp_path / "dot"
    assert CliRunner().invoke(main, ["init", str(folder)]).exit_code == 0
    write_catalog(small_catalog(), folder / "catalog.xlsx")
    assert CliRunner().invoke(main, ["generate", str(folder)]).exit_code == 0
    catalog = load_catalog(folder / "catalog.xlsx")
    files = []
    for n in range(200):
        code = UNITS[n % len(UNITS)]
        template = next((folder / "phu-luc").glob(f"{code}_*.xlsx"))
        results = complete_results(catalog, code)
        varied = next(k for k, v in results.items() if isinstance(v, float))
        results[varied] += n
        files.append(fill(template, tmp_path / "thu" / f"{code}_ban-{n:03}.xlsx", results))
    return folder, files


def stored_hashes(folder: Path) -> list[str]:
    db = sqlite3.connect(folder / "round.db")
    try:
        return [sha for (sha,) in db.execute("SELECT sha256 FROM submission")]
    finally:
        db.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count_stored(folder: Path) -> int:
    try:
        return len(stored_hashes(folder))
    except sqlite3.OperationalError:  # the store is being created or locked a moment
        return 0


def kill_when(process: subprocess.Popen, ready) -> None:
    """Kill the command and its reading workers at once, mid-write, as soon as `ready()`."""
    deadline = time.monotonic() + 120
    while process.poll() is None and not ready() and time.monotonic() < deadline:
        time.sleep(0.005)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_a_receive_killed_at_random_points_loses_nothing_and_counts_nothing_twice(many):
    folder, files = many
    inbox = files[0].parent
    chance = random.Random(13)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    seen = []
    for attempt in range(6):
        process = subprocess.Popen(cli("receive", folder, inbox), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True, env=env)
        if attempt == 0:  # while starting, staging or reading the first batch
            at = time.monotonic() + chance.uniform(0.5, 1.5)
            kill_when(process, lambda: time.monotonic() > at)
        else:  # among the records, once a random number more of them is written
            goal = min(len(files) - 1, count_stored(folder) + chance.randint(1, 40))
            kill_when(process, lambda: count_stored(folder) >= goal)
        checked = subprocess.run(cli("check", folder), capture_output=True, text=True, env=env)
        assert checked.returncode == 0, (attempt, checked.stdout, checked.stderr)
        hashes = stored_hashes(folder)
        assert len(hashes) == len(set(hashes))
        seen.append(len(hashes))
    assert any(0 < n < len(files) for n in seen), seen  # kills fell among the records
    finished = subprocess.run(cli("receive", folder, inbox), capture_output=True, text=True, env=env)
    assert finished.returncode == 0, finished.stderr
    hashes = stored_hashes(folder)
    assert sorted(hashes) == sorted(digest(f) for f in files)  # every file once: none lost, none twice
    assert subprocess.run(cli("check", folder), capture_output=True, env=env).returncode == 0
    # no scratch left behind by the killed receives
    assert not [p for p in (folder / "submissions").iterdir() if p.name.startswith(".incoming-")]
    status = subprocess.run(cli("status", folder), capture_output=True, text=True, env=env)
    counted = [line for line in status.stdout.splitlines() if line.split()[:1] and line.split()[0] in UNITS]
    assert len(counted) == len(UNITS)  # one counted file per unit, whatever was killed


def test_two_receives_at_once_on_one_round_are_safe(many):
    folder, files = many
    first, second = files[:120], files[80:]  # 40 files given to both
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    running = [subprocess.Popen(cli("receive", folder, *batch), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env) for batch in (first, second)]
    outputs = [p.communicate(timeout=300) for p in running]
    assert [p.returncode for p in running] == [0, 0], outputs
    hashes = stored_hashes(folder)
    assert sorted(hashes) == sorted(digest(f) for f in files)
    assert subprocess.run(cli("check", folder), capture_output=True, env=env).returncode == 0
    db = sqlite3.connect(folder / "round.db")
    received_events = db.execute("SELECT count(*) FROM event WHERE kind = 'received'").fetchone()[0]
    assert received_events == len(files)  # the 40 given twice were recorded once
