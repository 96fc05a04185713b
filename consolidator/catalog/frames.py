"""A catalog sheet as a pandas DataFrame indexed by Excel row, for the pandera checks and the build.

The index is the row number and `attrs["letters"]` the column letters, so a failure case's
index and column name the cell a clerk is to fix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..cellref import column_letters
from .cells import Sheet, as_text
from .spec import ALL_SHEETS, TEXT_COLUMNS, canonical


def frame(sheet: Sheet, name: str) -> pd.DataFrame:
    """A sheet as a DataFrame indexed by Excel row, with canonical column names."""
    if not sheet.rows:
        return pd.DataFrame(columns=list(ALL_SHEETS[name]), dtype=object)
    position: dict[str, int] = {}
    for col, header in enumerate(column[0] for column in sheet.columns):
        position.setdefault(canonical(header), col)  # a repeated header: the first one counts
    position.pop("", None)
    rows = sheet.rows[1:]
    if not rows:
        index = []  # an object Index, as pandas makes it of no rows
    elif isinstance(rows, range):
        index = np.arange(rows.start, rows.stop)
    else:
        index = np.array(rows, dtype=np.int64)
    data = {}
    for column_name, col in position.items():
        values = sheet.columns[col][1:]
        if sheet.dated[col]:
            # pandas infers a column of datetimes as datetime64, read back as Timestamps, and
            # so did the records this frame was once built from: keep that
            series = pd.DataFrame.from_records([(v,) for v in values], columns=["v"])["v"].astype(object)
            values = series.where(series.notna(), None).tolist()
        if column_name in TEXT_COLUMNS.get(name, ()) and not set(map(type, values)) <= _TEXT_CELLS:
            values = each(as_text, values)
        data[column_name] = np.fromiter(values, dtype=object, count=len(values))
    result = pd.DataFrame(data, index=pd.Index(index, name="row"), columns=list(position), dtype=object, copy=False)
    result.attrs["letters"] = {column_name: column_letters(col + 1) for column_name, col in position.items()}
    result.attrs["sheet"] = name
    return result


_TEXT_CELLS = frozenset({str, type(None)})
_PLAIN_CELLS = frozenset({str, float, type(None)})


def each(fn, values: list) -> list:
    """[fn(v) for v in values], computing fn once per distinct value: a catalog repeats them.

    Done so only for text, numbers and blanks, of which equal ones are the same value, but
    for the sign of a zero: 0.0 and -0.0 are one key, so zero cells go one by one. (A bool
    equals 1.0, a date a Timestamp: a column holding those goes cell by cell.)
    """
    if set(map(type, values)) <= _PLAIN_CELLS:
        results = {v: fn(v) for v in dict.fromkeys(values)}
        if 0.0 not in results:
            return list(map(results.__getitem__, values))
        return [results[v] if v or v is None else fn(v) for v in values]
    return [fn(v) for v in values]


def where(test, column: pd.Series) -> np.ndarray | None:
    """A numpy mask of the cells of a Series that pass `test`, or None when none does (mostly).

    `test` must not tell 0.0 from -0.0 (none of the catalog's checks does), so it is worked
    out once per distinct value when the column is plain (see each).
    """
    values = column.tolist()
    if set(map(type, values)) <= _PLAIN_CELLS:
        hits = [v for v in dict.fromkeys(values) if test(v)]
        return column.isin(hits).to_numpy() if hits else None
    found = np.fromiter(map(bool, map(test, values)), dtype=bool, count=len(values))
    return found if found.any() else None
