"""A round over provinces' data tables instead of their appendices (DESIGN.md §9, national scale).

Each province runs its own round and writes its data table (`consolidate --data-out`); the
national round's catalog is an ordinary catalog whose units are the provinces (under the
nation, with regions between if it likes) and whose targets say what each is judged on. A
province's table gives its root figures (consolidate.root_figures: its own result where it
entered one, else its units' rollup, with whether that rollup is partial) as that province's
submission, and the national round rolls them up with the same roll_up as any round: one
rollup, not two. A province's partial figure makes the national one partial.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pyarrow
import pyarrow.parquet as pq

from .consolidate import (FIGURE_COLUMNS, Consolidation, check_root, consolidate_report, partial_note, root_figures,
                          top_unit)
from .errors import ConsolidatorError
from .fileio import sha256_file
from .model import Catalog, ReceivedSource, Reported, RootFigure, Status, Submission, ValidationReport, unit_statuses

DATA_SUFFIXES = (".parquet", ".csv")
# Read as text whatever they look like: a unit code 101 is the code "101", as in the catalog.
_TEXT = ("round_id", "unit_code", "indicator_code", "direction", "status", "note")


def data_inputs(inputs: Sequence[str | Path]) -> list[Path]:
    """The data tables given: files as given (one of another kind is refused by its name), and
    the .parquet and .csv files inside folders given."""
    out: list[Path] = []
    for item in map(Path, inputs):
        if item.is_dir():
            out.extend(p for p in sorted(item.rglob("*"))
                       if p.is_file() and p.suffix.lower() in DATA_SUFFIXES and not p.name.startswith("."))
        else:
            out.append(item)
    return out


def consolidate_data(catalog: Catalog, paths: Sequence[Path], root: str | None = None) -> Consolidation:
    """Roll the provinces' data tables up the national tree; refuse a table that is not one of its provinces'."""
    check_root(catalog, root)
    submissions: list[Submission] = []
    seen: dict[str, Path] = {}
    for path in paths:
        submission = data_submission(catalog, path)
        if submission.unit_code in seen:
            raise ConsolidatorError(key="data_duplicate_unit", path=path, other=seen[submission.unit_code],
                                    unit=submission.unit_code)
        seen[submission.unit_code] = path
        submissions.append(submission)
    return consolidate_report(catalog, ValidationReport(catalog, submissions, unit_statuses(catalog, submissions)),
                              root)


def read_data_table(path: Path) -> pd.DataFrame:
    """The columns of a data table that root_figures reads; refused when it has not all of them."""
    suffix = path.suffix.lower()
    if suffix not in DATA_SUFFIXES:
        raise ConsolidatorError(key="data_ext", path=path)
    try:
        if suffix == ".parquet":
            names = pq.read_schema(path).names
            _check_columns(path, names)
            table = pd.read_parquet(path, columns=list(FIGURE_COLUMNS))
        else:
            table = pd.read_csv(path, encoding="utf-8-sig", dtype={c: str for c in _TEXT}, keep_default_na=False,
                                na_values={c: [""] for c in FIGURE_COLUMNS if c not in _TEXT})
            _check_columns(path, list(table.columns))
    except (OSError, ValueError, pyarrow.ArrowException, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ConsolidatorError(key="data_unreadable", path=path, reason=str(exc).splitlines()[0][:200]) from exc
    table = table[list(FIGURE_COLUMNS)]
    for col in _TEXT:
        # as plain text whatever the file kept it as: consolidate writes repeated texts as
        # categories (Parquet dictionaries), which take no blank in place of a gap
        table[col] = table[col].astype(object).fillna("").astype(str)
    return table


def _check_columns(path: Path, names: Sequence[str]) -> None:
    missing = [c for c in FIGURE_COLUMNS if c not in names]
    if missing:
        raise ConsolidatorError(key="data_missing_columns", path=path, columns=", ".join(missing))


def data_submission(catalog: Catalog, path: Path) -> Submission:
    """A province's data table as its submission to the national round: its root's figures."""
    table = read_data_table(path)
    expected = catalog.round.round_id
    rounds = sorted(set(table["round_id"].unique().tolist()) - {expected})
    if rounds:
        raise ConsolidatorError(key="data_wrong_round", path=path, found=", ".join(rounds), expected=expected)
    top = top_unit(table)
    if len(top) != 1:
        raise ConsolidatorError(key="data_no_root", path=path, units=", ".join(top))
    code = top[0]
    if code not in catalog.unit_by_code:
        raise ConsolidatorError(key="data_unknown_unit", path=path, unit=code)
    if code not in catalog.reporting_codes:
        raise ConsolidatorError(key="data_unit_without_targets", path=path, unit=code,
                                name=catalog.unit_by_code[code].name)
    figures = root_figures(table)
    lang = catalog.round.lang
    values = tuple(_reported(figures[t.indicator_code], lang)
                   for t in catalog.targets_by_unit[code] if t.indicator_code in figures)
    # The data table's own time is the only time it has (DESIGN.md §3: else the file's).
    received = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
    return Submission(path=path, unit_code=code, round_id=expected, status=Status.VALID, issues=(), received=received,
                      modified=None, sha256=sha256_file(path), values=values, counted=True,
                      received_source=ReceivedSource.FILE, file_time=received)


def _reported(figure: RootFigure, lang: str) -> Reported:
    return Reported(figure.indicator_code, 0, figure.result, figure.estimate, "", partial_note(figure, lang),
                    partial=figure.partial)

