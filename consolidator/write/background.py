"""Work handed to a forked process while this one goes on.

When the outputs are written the reading workers are done and the other cores are idle;
outputs that do not depend on one another (the CSV data table, the data sheet's rows, the
rest of the workbook) are then written side by side. A forked child shares this process's
memory, so the table it writes is not copied. Where processes cannot be forked the work
is simply done on the spot.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable

from ..errors import ConsolidatorError


class BackgroundError(ConsolidatorError):
    """Work done in a forked process failed; the message says what and where."""


class Forked:
    """`fn(*args)` in a forked child; `wait()` returns when it is done and raises if it failed."""

    def __init__(self, what: str, fn: Callable[..., None], *args: object):
        self.what = what
        self._child = None
        if "fork" not in multiprocessing.get_all_start_methods():
            fn(*args)
            return
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


def _run(conn, fn: Callable[..., None], args: tuple) -> None:
    try:
        fn(*args)
    except BaseException as exc:  # told to the parent, which reports it as its own
        conn.send(f"{type(exc).__name__}: {exc}")
    else:
        conn.send(None)
    finally:
        conn.close()
