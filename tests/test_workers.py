"""Parser isolation: a crash, a hang or runaway memory costs one file; the batch goes on."""

from __future__ import annotations

import os
import time
from functools import partial

import pytest

from consolidator import reader, validate
from consolidator.catalog import load_catalog
from consolidator.gcpause import collector_paused
from consolidator.generate import generate
from consolidator.reader import read_outcome, reading_failed
from consolidator.parallel import WorkerLimits, run_in_workers

from .filling import complete_results, fill

real_read_one = reader.read_one


def misbehaving_read_one(path, catalog):
    """The real reader, except on files named for a failure mode (stand-ins for hostile files)."""
    if path.name.startswith("crash"):
        os.abort()  # what a native reader does on a bad allocation: SIGABRT, no exception
    if path.name.startswith("hang"):
        time.sleep(3600)
    if path.name.startswith("hog"):
        hoard = [bytearray(64 << 20) for _ in range(1000)]  # 64 GB: far over the limit
        return hoard, None
    return real_read_one(path, catalog)


@pytest.fixture
def batch(tmp_path, catalog_path, monkeypatch):
    monkeypatch.setattr(reader, "read_one", misbehaving_read_one)  # inherited by forked workers
    catalog = load_catalog(catalog_path)
    templates = {g.unit_code: g.path for g in generate(catalog, tmp_path / "t")}
    inbox = tmp_path / "inbox"
    good = [fill(templates[c], inbox / templates[c].name, complete_results(catalog, c)) for c in ("K1", "K2", "D2")]
    bad = []
    for name in ("crash.xlsx", "hang.xlsx", "hog.xlsx"):
        (inbox / name).write_bytes(good[0].read_bytes())
        bad.append(inbox / name)
    return catalog, good, bad


def test_each_failure_costs_only_its_file(batch):
    catalog, good, bad = batch
    paths = [bad[0], good[0], bad[1], good[1], bad[2], good[2]]
    # The time limit is generous beside what a good file takes, and the memory limit small, so
    # that on a loaded machine the hog reaches its limit long before its time runs out (with
    # 1 GiB and 1.5 s, touching the memory alone outlasted the clock on CI).
    limits = WorkerLimits(seconds_per_file=5, memory_bytes=256 << 20, workers=2)
    started = time.monotonic()
    results = dict(read_in_workers(paths, catalog, limits))
    assert time.monotonic() - started < 30
    assert sorted(results) == list(range(len(paths)))
    codes = {paths[i].name: (o.unreadable.code if o.unreadable else None) for i, o in results.items()}
    assert codes["crash.xlsx"] == "file-reader-crashed"
    assert codes["hang.xlsx"] == "file-timeout"
    assert codes["hog.xlsx"] in ("file-too-large", "file-reader-crashed")
    for path in good:
        assert codes[path.name] is None


def test_validation_results_are_unchanged_by_bad_files(batch):
    catalog, good, bad = batch
    limits = WorkerLimits(seconds_per_file=5, memory_bytes=256 << 20, workers=2)
    alone = validate.validate_files(catalog, good, limits=limits)
    mixed = validate.validate_files(catalog, bad + good, limits=limits)
    values = lambda report: {(s.unit_code, v.indicator_code, v.result) for s in report.submissions for v in s.values}
    assert values(mixed) == values(alone)
    assert [s.status for s in mixed.submissions[:3]] == ["unreadable"] * 3
    assert alone.summary()["units_valid"] == mixed.summary()["units_valid"] == 3


def test_files_queued_behind_a_failure_are_read_by_the_next_worker(batch):
    # One worker, given two files at a time: the file queued behind a crash or a hang must
    # be read by its successor, not lost or blamed.
    catalog, good, bad = batch
    paths = [bad[0], good[0], bad[1], good[1], good[2]]
    limits = WorkerLimits(seconds_per_file=3, workers=1)
    results = dict(read_in_workers(paths, catalog, limits))
    assert sorted(results) == list(range(len(paths)))
    codes = [results[i].unreadable.code if results[i].unreadable else None for i in range(len(paths))]
    assert codes == ["file-reader-crashed", None, "file-timeout", None, None]
    assert all(results[i].reading.identity.unit_code for i in (1, 3, 4))


def gc_reporting_read_one(path, catalog):
    import gc

    return None, validate.make_issue("file-corrupt", params={"reason": f"collector on: {gc.isenabled()}"})


def test_workers_collect_garbage_even_when_the_parent_paused_its_collector(batch, monkeypatch):
    # Reading leaves reference cycles; a worker that inherited a paused collector grew until
    # its memory limit and then called every later file too large.
    catalog, good, _ = batch
    monkeypatch.setattr(reader, "read_one", gc_reporting_read_one)
    with collector_paused():  # as every command runs (cli._Command.invoke)
        report = validate.validate_files(catalog, good[:1], limits=WorkerLimits(workers=1))
    assert report.submissions[0].issues[0].params["reason"] == "collector on: True"


# --- the pool runs any task: what it prints is silenced, its memory limit is room to grow -------


def noisy(n: int) -> int:
    """A task that talks the way libraries do: print, a native write to each descriptor, a warning."""
    import warnings

    print(f"{n} is out of range")
    os.write(1, b"native stdout\n")
    os.write(2, b"native stderr\n")
    warnings.warn("Data Validation extension is not supported and will be removed")
    return n * n


def test_a_task_is_any_function_and_nothing_it_prints_or_warns_reaches_the_terminal(capfd):
    results = dict(run_in_workers([1, 2, 3], noisy, lambda n, code, params: None, WorkerLimits(workers=2)))
    assert results == {0: 1, 1: 4, 2: 9}
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def grow(megabytes: int) -> bool:
    try:
        block = bytearray(megabytes << 20)
    except MemoryError:
        return False
    return len(block) > 0


def test_the_memory_limit_is_room_beyond_what_a_worker_inherits():
    import mmap

    # A parent holding pandas has about a gigabyte of address space reserved by Arrow's pool
    # and never used; a limit on the total left a worker forked after it no room at all.
    reserved = mmap.mmap(-1, 1 << 30)
    try:
        limits = WorkerLimits(memory_bytes=512 << 20, workers=1)
        results = dict(run_in_workers([200, 4000], grow, lambda n, code, params: code, limits))
    finally:
        reserved.close()
    assert results == {0: True, 1: False}


def read_in_workers(paths, catalog, limits):
    """Reading, as validate_files runs it: the reader's task in the worker pool."""
    return run_in_workers(paths, partial(read_outcome, catalog=catalog), reading_failed, limits)


@pytest.mark.isolated
def test_map_forked_runs_in_order_on_forked_processes_sharing_what_it_is_given():
    from consolidator.parallel import map_forked

    shared = {"big": list(range(1000))}  # inherited, not pickled: a lambda and its data are fine
    results = list(map_forked(lambda data, n: (len(data["big"]), n * n, os.getpid()), shared, list(range(20)), 2))
    assert [r[:2] for r in results] == [(1000, n * n) for n in range(20)]
    assert os.getpid() not in {r[2] for r in results}
    here = list(map_forked(lambda data, n: os.getpid(), shared, [1, 2], 1))  # one process: on the spot
    assert here == [os.getpid(), os.getpid()]


KILLED_PARENT = """
import multiprocessing, os, signal, sys
from consolidator.parallel import WorkerLimits, run_in_workers
results = run_in_workers(list(range(6)), abs, lambda n, code, params: None, WorkerLimits(workers=2))
next(results)  # the workers are started and have their files; the rest are done or under way
print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # no finally, no stop: as the OOM killer ends a process
"""


def test_workers_end_when_their_parent_is_killed_outright():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", KILLED_PARENT], capture_output=True, text=True, timeout=60)
    pids = [int(p) for p in done.stdout.split()]
    assert len(pids) == 2, done.stderr

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        with open(f"/proc/{pid}/stat") as fh:  # reaped or not, a zombie has ended
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"

    deadline = time.monotonic() + 10
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(p) for p in pids)
