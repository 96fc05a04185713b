"""Every process the tool starts, in one place: isolated workers, forked writers, a pool.

Open returned files in worker processes, so a hostile file costs that file, not the run.
Each worker is a long-lived process that reads (or annotates: `run_in_workers` takes the
task) one file at a time under an address-space limit, its output and warnings silenced;
the parent gives each file a time limit. A worker that crashes (a native library
abort), runs out of memory or hangs is killed and replaced, and its file is marked
unreadable. The workers also use every core, which is where the speed of a large round
comes from: reading is the per-file cost, and it is done in parallel.
"""

from __future__ import annotations

import ctypes  # imported by numpy anyway, which every command that forks uses
import faulthandler
import gc
import multiprocessing
import os
import sys
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import TypeVar

from .errors import ConsolidatorError

try:
    import resource
except ImportError:  # Windows: no address-space limits
    resource = None


T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class WorkerLimits:
    """Limits per file, far above what a real appendix (~10 KB, ~2 ms to read) needs."""

    seconds_per_file: float = 60.0
    memory_bytes: int = 1 << 30  # address space one worker process may take beyond what it inherits
    workers: int = 0  # 0: one per core
    # False: run the work in this process, one item after the other, with no isolation and
    # no limits. For tests only (tests/conftest.py sets it where isolation is not what a
    # test is about); nothing a clerk can set reaches it.
    isolated: bool = True


# What run_in_workers uses when it is given no limits. Tests replace it with an in-process one.
DEFAULT_LIMITS = WorkerLimits()
ORPHAN_CHECK_SECONDS = 1.0  # how often an idle worker looks whether its parent is still there


def _worker_main(conn: Connection, work: Callable, memory_bytes: int, parent: int) -> None:
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
    _quiet()
    _limit_memory(memory_bytes)
    while True:
        # A parent killed outright (SIGKILL, the machine's OOM killer) never says stop, and
        # its end of this pipe stays open in the sibling workers forked after it: waiting
        # on the pipe alone would keep this process alive for ever. (`parent` is the pid it
        # had when it forked this one: it may be gone before this line first runs.)
        while not conn.poll(ORPHAN_CHECK_SECONDS):
            if os.getppid() != parent:
                return
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        index, item = task
        conn.send((index, work(item)))


def _quiet() -> None:
    """Nothing a library prints or warns reaches the clerk: the parent's stdout may be the
    JSON report, its stderr the clerk's terminal (openpyxl prints "0 is out of range" on a
    bad style, warns on every extension it drops). At the descriptors, so a native
    library's writes go too; the results come back through the pipe, not these."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    sys.stdout = sys.stderr = open(os.devnull, "w")
    warnings.simplefilter("ignore")


def _limit_memory(memory_bytes: int) -> None:
    """At most `memory_bytes` of address space more than the worker starts with.

    What it inherits is mostly reserved, not used: the parent's pandas makes Arrow's memory
    pool reserve about a gigabyte of address space, so a limit on the total would leave a
    worker forked after it no room at all.
    """
    if resource is None:
        return  # not on this platform: the time limit and crash isolation still hold
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = _address_space() + memory_bytes
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass  # not on this platform: the time limit and crash isolation still hold


def _address_space() -> int:
    """This process's address space in bytes (Linux); 0 where it cannot be told."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


# Files given to a worker ahead of time: the next path is already in its pipe when it
# finishes one, instead of the worker waiting for the parent to be scheduled, take its
# result and answer. Its time limit runs from when the file before it was done.
IN_FLIGHT = 2


class _Worker:
    def __init__(self, ctx, work: Callable, limits: WorkerLimits):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, work, limits.memory_bytes, os.getpid()),
                                   daemon=True)
        self.process.start()
        child.close()
        self.tasks: deque[tuple[int, object]] = deque()  # given, in order; the first is being worked on
        self.started = 0.0  # when the first of them began

    def give(self, index: int, item: object) -> None:
        if not self.tasks:
            self.started = time.monotonic()
        self.tasks.append((index, item))
        try:
            self.conn.send((index, item))
        except OSError:  # a broken pipe: it died on the task before, which its end of the pipe
            pass         # will say (EOF); this one then goes to its successor

    def done(self) -> tuple[int, object]:
        """The task being worked on is done; the next one given, if any, begins now."""
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


def run_in_workers(
    items: Sequence[T], work: Callable[[T], R], failed: Callable[[T, str, dict], R],
    limits: WorkerLimits | None = None,
) -> Iterator[tuple[int, R]]:
    """`work(item)` for every item in worker processes; yield (index, result) as each finishes.

    Every step that opens a unit's file runs here: reading it, annotating it. `work` runs in
    the worker (a module-level function or a partial of one, so that it can be sent to a
    spawned process), its result comes back through a pipe. An item whose worker dies (a
    native crash, the memory limit) or runs over its time gets `failed(item, code, params)`
    instead, in the parent: code "file-reader-crashed", or "file-timeout" with {"seconds"}.
    """
    limits = limits or DEFAULT_LIMITS
    if not items:
        return
    if not limits.isolated:
        yield from enumerate(map(work, items))
        return
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    count = max(1, min(limits.workers or os.cpu_count() or 1, len(items)))
    give_back_freed_memory()  # what reading the catalog freed is not shared with the workers (see there)
    workers = [_Worker(ctx, work, limits) for _ in range(count)]
    pending = deque(enumerate(items))

    def top_up(w: _Worker) -> None:
        while pending and len(w.tasks) < IN_FLIGHT:
            w.give(*pending.popleft())

    def replace(dead: _Worker) -> None:
        # The items it was given after the one it died on go to its successor, first.
        pending.extendleft(reversed(dead.tasks))
        fresh = _Worker(ctx, work, limits)
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
                    _, result = conn.recv()
                except (EOFError, OSError):
                    # The worker died on the item it was working on: a native crash or the memory limit.
                    w.kill()
                    index, item = w.tasks.popleft()
                    yield index, failed(item, "file-reader-crashed", {})
                    replace(w)
                    continue
                index, _ = w.done()
                yield index, result
                top_up(w)
            now = time.monotonic()
            for w in list(workers):
                if w.tasks and now - w.started > limits.seconds_per_file:
                    w.kill()
                    index, item = w.tasks.popleft()
                    yield index, failed(item, "file-timeout", {"seconds": int(limits.seconds_per_file)})
                    replace(w)
    finally:
        for w in workers:
            w.stop() if w.process.is_alive() else w.conn.close()


def forking() -> bool:
    """Whether work may go to forked processes: where the system forks, and not in the tests'
    in-process mode (DEFAULT_LIMITS)."""
    return DEFAULT_LIMITS.isolated and "fork" in multiprocessing.get_all_start_methods()


# --- memory given back before a fork ---------------------------------------------------------


def _libc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim on Linux; None elsewhere (Windows, macOS, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _libc_trim()


def give_back_freed_memory() -> None:
    """Hand the memory freed so far back to the system, before this process forks.

    glibc keeps what a process frees for its next allocations, and a freed block in the
    middle of its heap is never given back on its own: at ten thousand files, about 60 MB
    after the catalog is read, 35 MB more after the files are. A process forked then
    shares those pages (they count, split, in the tree's memory) and its own allocations
    land in them, copying each page they touch. `malloc_trim(0)` gives back every free
    page, wherever it is.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


# --- work handed to a forked process while this one goes on ----------------------------------
#
# When the outputs are written the reading workers are done and the other cores are idle;
# outputs that do not depend on one another (the data sheet's rows; the data table and the
# rest of the workbook) are then written side by side. A forked child shares this process's
# memory, so the table it writes is not copied. Where processes cannot be forked the work
# is simply done on the spot. One child, not one an output: at ten thousand units each
# child held some 40 MB of its own (its allocations land in pages it shares, and copy them).


class BackgroundError(ConsolidatorError):
    """Work done in a forked process failed; the message says what and where."""


class Forked:
    """`fn(*args)` in a forked child; `wait()` returns when it is done and raises if it failed."""

    def __init__(self, what: str, fn: Callable[..., None], *args: object):
        self.what = what
        self._child = None
        if not forking():
            in_this_process(what, fn, *args)
            return
        give_back_freed_memory()  # see there: freed pages the child would share, and copy as it writes
        ours, theirs = multiprocessing.Pipe(duplex=False)
        self._child = multiprocessing.get_context("fork").Process(target=_run, args=(theirs, fn, args), daemon=True)
        self._child.start()
        theirs.close()
        self._conn = ours

    def wait(self) -> None:
        if self._child is None:
            return
        child, self._child = self._child, None
        try:
            failure = self._conn.recv()
        except EOFError:  # it died without a word: killed, or out of memory
            child.join()
            failure = f"exit code {child.exitcode}"
        finally:
            self._conn.close()
        child.join()
        if failure:
            raise BackgroundError(key="err_background", path=self.what, detail=failure)


def in_this_process(what: str, fn: Callable[..., None], *args: object) -> None:
    """`fn(*args)` here, failing as a forked child's would: a BackgroundError that names `what`."""
    try:
        fn(*args)
    except Exception as exc:
        raise BackgroundError(key="err_background", path=what, detail=f"{type(exc).__name__}: {exc}") from exc


def _run(conn, fn: Callable[..., None], args: tuple) -> None:
    try:
        fn(*args)
    except BaseException as exc:  # told to the parent, which reports it as its own
        conn.send(f"{type(exc).__name__}: {exc}")
    else:
        conn.send(None)
    finally:
        conn.close()


# --- a pool of forked processes for independent work (the generator) -------------------------

_SHARED: tuple[Callable, object] | None = None  # what the pool's processes inherit instead of pickling


def map_forked(fn: Callable[[object, T], R], shared: object, tasks: Sequence[T], processes: int,
               chunksize: int = 8) -> Iterator[R]:
    """`fn(shared, task)` for each task, in order, on `processes` forked processes.

    `shared` (a catalog of ten thousand units) is inherited by the forked processes, never
    pickled per task. Fewer than two processes, or no forking, runs here.
    """
    global _SHARED
    if processes < 2 or not forking():
        yield from (fn(shared, task) for task in tasks)
        return
    _SHARED = (fn, shared)
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            yield from pool.imap(_call_shared, tasks, chunksize=chunksize)
    finally:
        _SHARED = None


def _call_shared(task):
    fn, shared = _SHARED
    return fn(shared, task)
