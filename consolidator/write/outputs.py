"""Both outputs of a consolidation: the workbook and, when asked for, the data table, written side by side."""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path

from ..consolidate import Consolidation
from ..errors import output_refused
from ..fileio import atomic_output
from . import table
from ..parallel import in_this_process
from .workbook import write_consolidated


def write_outputs(result: Consolidation, output: str | Path, data_out: str | Path | None = None,
                  lang: str = "vi") -> None:
    """The consolidated workbook and, when asked for, the data table (CSV or Parquet).

    The data table is written while a forked process makes the data sheet's rows (see
    write_consolidated), into a temporary file renamed once it is whole: a failure leaves
    nothing behind, and is raised once the workbook is in place.
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
            refused, beside = exc, None
        else:
            beside = functools.partial(in_this_process, str(data_out), table.write_table, frame, tmp,
                                       Path(data_out).suffix.lower() == ".parquet")
        write_consolidated(result, output, lang, beside)
    if refused:
        raise output_refused(data_out, refused)
