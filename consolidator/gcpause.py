"""The memory of a long step: the cyclic garbage collector paused while it builds many
long-lived objects, and what it freed given back to the system before a fork."""

from __future__ import annotations

import contextlib
import ctypes
import gc
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block.

    Loading a catalog, reading returned files and rolling up make millions of small objects
    (10,000 files are 300,000 rows of readings, then as many rollup rows), none of them
    garbage; each collection walks them all again, which cost a third of those steps' time
    at 10,000 files. Reference counting frees memory as usual meanwhile; the objects kept
    are walked once, by the first collection after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _libc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, where the C library is glibc; None elsewhere (Windows, macOS, musl)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _libc_trim()


def give_back_freed_memory() -> None:
    """Hand the memory freed so far back to the system, before this process forks writers.

    glibc keeps what a process frees for its next allocations, and a freed block in the
    middle of its heap is never given back on its own: at ten thousand files, about 60 MB
    after the catalog is read, as much again after the rows are built. A process forked
    then shares those pages (they count, split, in the tree's memory) and its own
    allocations land in them, copying each page they touch. `malloc_trim(0)` gives back
    every free page, wherever it is; it takes a few milliseconds.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
