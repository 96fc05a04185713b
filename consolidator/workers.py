"""Read returned files in worker processes, so a hostile file costs that file, not the run.

Each worker is a long-lived process that reads one file at a time under an address-space
limit; the parent gives each file a time limit. A worker that crashes (a native library
abort), runs out of memory or hangs is killed and replaced, and its file is marked
unreadable. The workers also use every core, which is where the speed of a large round
comes from: reading is the per-file cost, and it is done in parallel.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from multiprocessing.connection import Connection, wait
from pathlib import Path

from .fileio import sha256_file
from .messages import LabelRef
from .model import Catalog, Issue, make_issue
from .reader import FileReading
from .xlsx import os_error_reason


@dataclass(frozen=True)
class WorkerLimits:
    """Limits per file, far above what a real appendix (~10 KB, ~2 ms to read) needs."""

    seconds_per_file: float = 60.0
    memory_bytes: int = 1 << 30  # address space of one worker process
    workers: int = 0  # 0: one per core


@dataclass(frozen=True)
class ReadOutcome:
    """What reading one file gave: its table, or the reason it could not be read."""

    path: Path
    reading: FileReading | None
    unreadable: Issue | None
    received: datetime
    sha256: str


def read_outcome(path: Path, catalog: Catalog) -> ReadOutcome:
    """Read one file in this process (the workers' task)."""
    from .validate import read_one

    try:
        received, digest = _stamp(path)
    except OSError as exc:
        issue = make_issue("file-corrupt", params=os_error_reason(exc))
        return ReadOutcome(path, None, issue, datetime.now(timezone.utc), "")
    try:
        reading, unreadable = read_one(path, catalog)
    except MemoryError:
        reading, unreadable = None, make_issue("file-too-large", params={"reason": LabelRef("reason_memory")})
    return ReadOutcome(path, reading, unreadable, received, digest)


def _worker_main(conn: Connection, catalog: Catalog, memory_bytes: int) -> None:
    import faulthandler
    import gc

    # Everything inherited from the parent (the catalog, pandas) lives as long as the worker:
    # left out of the collector's passes, which would walk it again and again and copy the
    # pages it touches. The parent may have paused the collector while it forked; a worker
    # needs it, since reading a file leaves cycles (an expat parser and its handlers) that
    # would otherwise pile up until the memory limit.
    gc.freeze()
    gc.enable()

    # A worker killed by a hostile file is expected and reported as that file's verdict;
    # an interpreter dump on the clerk's terminal would only alarm.
    faulthandler.disable()
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    except (ImportError, ValueError, OSError):
        pass  # not on this platform: the time limit and crash isolation still hold
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        index, path = task
        conn.send((index, read_outcome(path, catalog)))


# Files given to a worker ahead of time: the next path is already in its pipe when it
# finishes one, instead of the worker waiting for the parent to be scheduled, take its
# result and answer. Its time limit runs from when the file before it was done.
IN_FLIGHT = 2


class _Worker:
    def __init__(self, ctx, catalog: Catalog, limits: WorkerLimits):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, catalog, limits.memory_bytes), daemon=True)
        self.process.start()
        child.close()
        self.tasks: deque[tuple[int, Path]] = deque()  # given, in order; the first is being read
        self.started = 0.0  # when the first of them began

    def give(self, index: int, path: Path) -> None:
        if not self.tasks:
            self.started = time.monotonic()
        self.tasks.append((index, path))
        try:
            self.conn.send((index, path))
        except OSError:  # a broken pipe: it died on the file before, which its end of the pipe
            pass         # will say (EOF); this one then goes to its successor

    def done(self) -> tuple[int, Path]:
        """The file being read is done; the next one given, if any, begins now."""
        self.started = time.monotonic()
        return self.tasks.popleft()

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def read_in_workers(
    paths: Sequence[Path], catalog: Catalog, limits: WorkerLimits = WorkerLimits()
) -> Iterator[tuple[int, ReadOutcome]]:
    """Read every path in worker processes; yield (index, outcome) as each one finishes."""
    if not paths:
        return
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    count = max(1, min(limits.workers or os.cpu_count() or 1, len(paths)))
    workers = [_Worker(ctx, catalog, limits) for _ in range(count)]
    pending = deque(enumerate(paths))

    def top_up(w: _Worker) -> None:
        while pending and len(w.tasks) < IN_FLIGHT:
            w.give(*pending.popleft())

    def replace(dead: _Worker) -> None:
        # The files it was given after the one it died on go to its successor, first.
        pending.extendleft(reversed(dead.tasks))
        fresh = _Worker(ctx, catalog, limits)
        workers[workers.index(dead)] = fresh
        top_up(fresh)

    try:
        for w in workers:
            top_up(w)
        while any(w.tasks for w in workers):
            busy = {w.conn: w for w in workers if w.tasks}
            for conn in wait(list(busy), timeout=1.0):
                w = busy[conn]
                try:
                    _, outcome = conn.recv()
                except (EOFError, OSError):
                    # The worker died on the file it was reading: a native crash or the memory limit.
                    w.kill()
                    index, path = w.tasks.popleft()
                    yield index, _failed(path, "file-reader-crashed", {})
                    replace(w)
                    continue
                index, _ = w.done()
                yield index, outcome
                top_up(w)
            now = time.monotonic()
            for w in list(workers):
                if w.tasks and now - w.started > limits.seconds_per_file:
                    w.kill()
                    index, path = w.tasks.popleft()
                    yield index, _failed(path, "file-timeout", {"seconds": int(limits.seconds_per_file)})
                    replace(w)
    finally:
        for w in workers:
            w.stop() if w.process.is_alive() else w.conn.close()


def _stamp(path: Path) -> tuple[datetime, str]:
    """When the file was received (its modification time) and its SHA-256."""
    return datetime.fromtimestamp(os.stat(path).st_mtime, tz=timezone.utc), sha256_file(path)


def _failed(path: Path, code: str, params: dict) -> ReadOutcome:
    try:
        received, digest = _stamp(path)
    except OSError:
        received, digest = datetime.now(timezone.utc), ""
    return ReadOutcome(path, None, make_issue(code, params=params), received, digest)
