"""The long data table as a file of its own (`--data-out`): CSV that a spreadsheet opens safely, or Parquet."""

from __future__ import annotations

from pathlib import Path

TEXT_COLUMNS = ("unit_name", "indicator_name", "group", "unit_of_measure", "proposed_target", "source_file", "note")
# Text a spreadsheet would execute when the CSV is opened: a formula (= + - @) or, after a
# tab or carriage return, something that starts one.
_EXECUTABLE_START = ("=", "+", "-", "@", "\t", "\r")


def defused(column):
    """A text column whose cells a spreadsheet would execute are prefixed with a quote.

    At pandas speed: only the cells it changes are touched.
    """
    risky = column.str.startswith(_EXECUTABLE_START).fillna(False).astype(bool)
    if not risky.any():
        return column
    text = column.astype(object)
    return text.where(~risky, "'" + text[risky])


def write_table(frame, path: Path, parquet: bool) -> None:
    """The table to `path`: Parquet as it is, CSV (UTF-8 with a BOM, for Excel) with its texts defused."""
    if parquet:
        frame.to_parquet(path, index=False)
        return
    out = frame.copy(deep=False)
    for col in TEXT_COLUMNS + ("unit_code", "parent_code", "indicator_code"):
        out[col] = defused(frame[col])
    out.to_csv(path, index=False, encoding="utf-8-sig")
