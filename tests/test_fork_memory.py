"""parallel.give_back_freed_memory: memory freed in the middle of the heap goes back to the system
before a fork, so forked writers neither share nor copy it (benchmarks/README.md, "Memory")."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from consolidator import parallel

# Blocks over pymalloc's 512 bytes come from the C library's malloc; every tenth is kept, so
# the freed ones sit between kept ones, where malloc does not give memory back by itself.
_PROBE = textwrap.dedent("""
    import gc
    from consolidator.parallel import give_back_freed_memory

    def rss_kib():
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS"))

    gc.disable()
    blocks = [bytearray(2000) for _ in range(100_000)]
    kept = blocks[::10]
    del blocks
    before = rss_kib()
    give_back_freed_memory()
    print(before, rss_kib(), len(kept))
""")


@pytest.mark.skipif(parallel._MALLOC_TRIM is None, reason="the C library has no malloc_trim (not glibc)")
def test_freed_memory_between_kept_blocks_goes_back():
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True).stdout.split()
    before, after = int(out[0]), int(out[1])
    # ~180 MB freed between the kept blocks; at least half of it given back
    assert before - after > 90_000, (before, after)


def test_without_malloc_trim_it_does_nothing(monkeypatch):
    monkeypatch.setattr(parallel, "_MALLOC_TRIM", None)
    parallel.give_back_freed_memory()  # no C library call, no error
