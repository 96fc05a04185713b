"""Both outputs of a consolidation: the workbook and, when asked for, the data table, written side by side."""

from __future__ import annotations

import contextlib
from pathlib import Path

from ..consolidate import Consolidation
from ..errors import ConsolidatorError, output_refused
from ..fileio import atomic_output
from . import table
from ..parallel import Forked
from .workbook import write_consolidated


def write_outputs(result: Consolidation, output: str | Path, data_out: str | Path | None = None,
                  lang: str = "vi") -> None:
    """The consolidated workbook and, when asked for, the data table (CSV or Parquet).

    The data table is written by a forked process while this one writes the workbook
    (parallel.Forked), into a temporary file this process made and renames: a child that
    is killed leaves nothing behind.
    """
    if data_out is None:
        write_consolidated(result, output, lang)
        return
    frame = result.table
    refused = None
    with contextlib.ExitStack() as stack:
        try:
            tmp = stack.enter_context(atomic_output(data_out))
        except OSError as exc:  # its folder cannot be made: said after the workbook is written
            refused, data = exc, None
        else:
            data = Forked(str(data_out), table.write_table, frame, tmp, Path(data_out).suffix.lower() == ".parquet")
        try:
            write_consolidated(result, output, lang)
        except BaseException:
            if data is not None:
                with contextlib.suppress(ConsolidatorError):  # the workbook's failure is the one to tell
                    data.wait()
            raise
        if data is not None:
            data.wait()
    if refused:
        raise output_refused(data_out, refused)
