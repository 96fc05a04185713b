"""Validate returned workbooks: read each, check all rows of all files with one pandera schema.

Reading yields cell states (reader.py); the schema, built in code from the round, turns
states and values into issues with cell positions. The frame's index points back to the
file and Excel row, so every failure case names its cell. Files of one unit are ranked
and the newest of this round counts (DESIGN.md §3).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from . import formulas
from .messages import Plain
from .model import (Attachment, Catalog, CellState, ExtraIndicator, FileReading, Issue, Readings, ReadOutcome,
                    ReceivedSource, RowReading, Status, Submission, ValidationReport, make_issue, unit_statuses)
from .numbers import parse_number
from .reader import read_outcome, reading_failed, unit_code_from_file_name
from .parallel import WorkerLimits, run_in_workers
from .xlsx import starts_like_a_package

_USABLE = (CellState.OK, CellState.AMBIGUOUS)
# Where a file's received time came from (DESIGN.md §3), best first. The store of a later
# version records the real one; without it the workbook's own last-saved time is used,
# since copying a file (cp, an email attachment saved, a download) changes its file time.
# Clocks differ between the unit's computer and ours, and xlsxwriter stamps whole seconds.
CLOCK_SKEW = timedelta(minutes=5)

# Files whose rows are checked together, as they come back from the readers: enough for the
# vectorised checks to pay, few enough that a round's readings (every cell of every file) are
# never held at once: a submission keeps only its figures and issues, and at ten thousand
# files holding every reading until the last was read cost the parent 300 MB.
JUDGED_TOGETHER = 500


# --- inputs -------------------------------------------------------------------------------------


def collect_inputs(inputs: Iterable[str | Path]) -> list[Path]:
    """Files given, and every file inside folders given (Office lock files and dot files skipped)."""
    out: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            out.extend(p for p in sorted(path.rglob("*"))
                       if p.is_file() and not p.name.startswith((".", "~$")) and p.name != "manifest.csv")
        else:
            out.append(path)
    seen: set[Path] = set()
    kept = []
    for p in out:
        real = p.resolve()  # once a file: at ten thousand files, resolving twice was 0.3 s
        if real not in seen:
            seen.add(real)
            kept.append(p)
    return kept


# What a file's name says it is. Workbooks are read (and sniffed: a PDF named .xlsx is still
# `file-not-workbook`); what units send beside the appendix is listed with the unit
# (DESIGN.md §6); anything else in an inbox folder (a mail program's .txt, a .log) is set aside.
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods", ".fods"})
ATTACHMENT_SUFFIXES = frozenset({".pdf", ".doc", ".docx", ".odt", ".rtf", ".jpg", ".jpeg", ".png", ".gif",
                                 ".tif", ".tiff", ".bmp", ".heic", ".webp"})


def sort_inputs(catalog: Catalog, paths: Sequence[Path]) -> tuple[list[Path], list[Attachment], list[Path]]:
    """Split the inputs into files to read, attachments and files set aside, by name.

    A file whose name says nothing known is read when its first bytes are a zip or an OLE
    container (a workbook saved without its ending), and set aside otherwise.
    """
    to_read, attachments, ignored = [], [], []
    for path in paths:
        suffix = path.suffix.lower()
        if suffix in WORKBOOK_SUFFIXES:
            to_read.append(path)
        elif suffix in ATTACHMENT_SUFFIXES:
            attachments.append(Attachment(path, unit_code_from_file_name(path.name, catalog)))
        elif _starts_like_a_workbook(path):
            to_read.append(path)
        else:
            ignored.append(path)
    return to_read, attachments, ignored


def _starts_like_a_workbook(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return starts_like_a_package(fh.read(8))
    except OSError:
        return True  # let the reader say what is wrong with it


# --- reading ----------------------------------------------------------------------------------------


def validate_files(
    catalog: Catalog,
    paths: Sequence[Path],
    progress: Callable[..., Iterable] = lambda it, length=None: it,
    limits: WorkerLimits | None = None,
) -> ValidationReport:
    """Read and check every file, rank each unit's files, and work out each unit's standing.

    Files are read in worker processes (parallel.py): a file that crashes, hangs or floods
    the reader is marked unreadable and the rest of the batch goes on.
    """
    paths, attachments, ignored = sort_inputs(catalog, paths)
    submissions = rank_duplicates(catalog, judge_files(catalog, paths, progress=progress, limits=limits))
    return ValidationReport(catalog, submissions, unit_statuses(catalog, submissions), attachments, ignored)


def judge_files(
    catalog: Catalog,
    paths: Sequence[Path],
    arrivals: Mapping[Path, tuple[datetime, ReceivedSource]] | None = None,
    progress: Callable[..., Iterable] = lambda it, length=None: it,
    limits: WorkerLimits | None = None,
) -> list[Submission]:
    """Read and check each file on its own, in order, unranked.

    `arrivals`: the received time and its source for a file whose arrival a round's store
    recorded (DESIGN.md §7); any other file's is worked out from the file (`received_time`).
    """
    judged: list[Submission | None] = [None] * len(paths)
    now = datetime.now(timezone.utc)
    arrivals = arrivals or {}
    waiting: list[tuple[int, ReadOutcome]] = []
    # the catalog's own string for each indicator code, kept by every figure instead of the one
    # each file's result brought through the pipe (300,000 of them at ten thousand files)
    codes = {code: code for code in catalog.indicator_by_code}

    def judge_waiting() -> None:
        readings = [o.reading for _, o in waiting]
        row_issues = check_rows(catalog, [(r.rows if r else ()) for r in readings],
                                [r.sheet if r else None for r in readings])
        for n, (index, outcome) in enumerate(waiting):
            judged[index] = _submission(outcome, row_issues.get(n, []), now, arrivals.get(outcome.path), codes)
        waiting.clear()

    reads = run_in_workers(paths, partial(read_outcome, catalog=catalog), reading_failed, limits)
    for index, outcome in progress(reads, length=len(paths)):
        waiting.append((index, outcome))
        if len(waiting) == JUDGED_TOGETHER:
            judge_waiting()
    judge_waiting()
    return judged


def _submission(outcome: ReadOutcome, row_issues: list[Issue], now: datetime,
                arrival: tuple[datetime, ReceivedSource] | None, codes: Mapping[str, str]) -> Submission:
    reading = outcome.reading
    base = {"path": outcome.path, "sha256": outcome.sha256, "file_time": outcome.received}
    if reading is None:
        received, source = arrival or (outcome.received, ReceivedSource.FILE)
        return Submission(unit_code=None, round_id=None, status=Status.UNREADABLE, issues=(outcome.unreadable,),
                          modified=None, received=received, received_source=source, **base)
    received, source = arrival or received_time(outcome, reading, now)
    issues = tuple(reading.issues) + tuple(row_issues)
    indicator_rows = [r for r in reading.rows if r.kind == "indicator"]
    if indicator_rows and all(r.result.state == CellState.BLANK for r in reading.rows):
        # Nothing typed at all: the blank appendix sent back. One error says so, instead of
        # a "no result yet" warning per row that would let it pass as a valid submission.
        issues = tuple(i for i in issues if i.code != "missing-result") + (
            make_issue("no-results", sheet=reading.sheet),)
    status = Status.INVALID if any(i.severity == "error" for i in issues) else Status.VALID
    error_codes = {i.indicator_code for i in issues if i.severity == "error" and i.indicator_code}
    values = Readings.of(
        (codes.get(r.indicator_code, r.indicator_code), r.excel_row,
         r.result.value if r.result.state in _USABLE else None,
         r.estimate.value if r.estimate.state in _USABLE else None,
         r.proposed_target, r.note, r.indicator_code in error_codes, False)
        for r in indicator_rows
    )
    extras = tuple(
        ExtraIndicator(r.excel_row, r.name, r.unit_of_measure, r.extra_target,
                       r.result.value if r.result.state in _USABLE else None, r.note)
        for r in reading.rows if r.kind == "extra"
    )
    return Submission(unit_code=reading.identity.unit_code, round_id=reading.identity.round_id, status=status,
                      issues=issues, modified=reading.modified, sheet=reading.sheet, values=values, extras=extras,
                      received=received, received_source=source, fingerprint=reading.identity.fingerprint, **base)


def received_time(outcome: ReadOutcome, reading: FileReading, now: datetime) -> tuple[datetime, str]:
    """The workbook's own last-saved time, when it is believable, else the file's time (DESIGN.md §3).

    Believable: not in the future, and not before the file was generated (a unit cannot have
    saved it earlier; a spreadsheet program with a wrong clock can write either).
    """
    saved, generated = reading.modified, reading.identity.generated_at
    if saved is not None and saved <= now + CLOCK_SKEW and (generated is None or saved >= generated - CLOCK_SKEW):
        return saved, ReceivedSource.SAVED
    return outcome.received, ReceivedSource.FILE


def rank_duplicates(catalog: Catalog, submissions: list[Submission]) -> list[Submission]:
    """Mark the newest file of this round per unit as counted; mark the older ones replaced.

    Files with the same bytes are one submission: the copies are marked as such, never as a
    newer version. A file with no result at all is no submission, and replaces nothing.
    """
    by_unit: dict[str, list[int]] = {}
    first_of: dict[str, int] = {}
    out = list(submissions)
    for n, s in enumerate(submissions):
        of_this_round = s.round_id in (None, catalog.round.round_id)
        if s.unit_code in catalog.targets_by_unit and s.status != Status.UNREADABLE and of_this_round:
            if s.sha256 and s.sha256 in first_of:
                out[n] = replace(s, copy_of=submissions[first_of[s.sha256]].path.name)
                continue
            first_of[s.sha256] = n
            if not any(i.code == "no-results" for i in s.issues):
                by_unit.setdefault(s.unit_code, []).append(n)
    for unit, indices in by_unit.items():
        ranked = sorted(indices, key=lambda n: (submissions[n].sort_time, submissions[n].file_time), reverse=True)
        newest = submissions[ranked[0]]
        out[ranked[0]] = replace(newest, counted=True)
        for n in ranked[1:]:
            older = submissions[n]
            note = make_issue("duplicate-file", value=older.path.name, params={"newest": newest.path.name})
            out[n] = replace(older, issues=older.issues + (note,), replaced=True)
    return out


# --- the row checks ------------------------------------------------------------------------------


# Cell states that are problems, by input column: state → issue code.
_STATE_CODES = {
    CellState.BLANK: "missing-result",
    CellState.WORD: "not-a-number",
    CellState.NOT_BOOLEAN: "not-a-boolean",
    CellState.FORMULA_NO_CACHE: "formula-without-value",
    CellState.ERROR_VALUE: "excel-error",
    CellState.AMBIGUOUS: "ambiguous-number",
    CellState.DATE: "date-not-number",
}


@dataclass(frozen=True)
class RowRules:
    """What a round makes of each cell state, column by column: state → issue code."""

    result: Mapping[str, str]
    estimate: Mapping[str, str]
    extra_result: Mapping[str, str]
    target: Mapping[str, str]
    baseline: Mapping[str, str]
    proposed: Mapping[str, str]

    @classmethod
    def of(cls, catalog: Catalog) -> RowRules:
        allow = catalog.round.allow_target_changes
        return cls(
            result=_STATE_CODES,
            estimate={k: v for k, v in _STATE_CODES.items() if k != CellState.BLANK},  # an estimate is optional
            # a unit's own indicator has no Đạt/Chưa đạt, and its blank result is incomplete-extra-indicator
            extra_result={k: v for k, v in _STATE_CODES.items() if k not in (CellState.BLANK, CellState.NOT_BOOLEAN)},
            target={"changed": "target-change-proposed" if allow else "target-changed"},
            baseline={"changed": "baseline-change-proposed" if allow else "baseline-changed"},
            proposed={"bad": "bad-proposed-target"} if allow else {"bad": "bad-proposed-target",
                                                                    "ok": "proposal-not-allowed"},
        )


def state_issues(row: RowReading, rules: RowRules, sheet: str | None) -> Iterator[Issue]:
    """The issues of one row's cell states (what the reader classified), column by column."""
    if row.kind == "extra":
        if code := rules.extra_result.get(row.result.state):
            yield _row_issue(code, "result", row, sheet)
        if code := rules.estimate.get(row.estimate.state):
            yield _row_issue(code, "estimate", row, sheet)
        if not all((row.name, row.unit_of_measure, row.extra_target, row.result.state != "blank")):
            yield _row_issue("incomplete-extra-indicator", "name", row, sheet)
        if row.extra_target_state == "bad":
            yield _row_issue("not-a-number", "target", row, sheet)
        return
    for column, reading_state, table in (("result", row.result.state, rules.result),
                                         ("estimate", row.estimate.state, rules.estimate),
                                         ("target", row.target_state, rules.target),
                                         ("baseline", row.baseline_state, rules.baseline),
                                         ("proposed_target", row.proposed_state, rules.proposed)):
        if code := table.get(reading_state):
            yield _row_issue(code, column, row, sheet)


# The value checks pandera runs over every row of every file at once: column → (issue code,
# the appendix column it is about). A failure of any other check is a bug, and raises.
_VALUE_CHECKS = {
    "result_nonneg": ("negative-value", "result"), "estimate_nonneg": ("negative-value", "estimate"),
    "result_pct": ("percent-out-of-range", "result"), "estimate_pct": ("percent-out-of-range", "estimate"),
}


def _value_frame(catalog: Catalog, per_file_rows: Sequence[Sequence[RowReading]]):
    """The figures the value checks judge, one row per appendix row of every file; `where`
    maps the frame's index to (file, row). Built a column at a time: at ten thousand files it
    has 300,000 rows."""
    columns: dict[str, list] = {name: [] for name in _VALUE_CHECKS}
    add = {name: values.append for name, values in columns.items()}
    where = []
    ind = catalog.indicator_by_code
    for n, rows in enumerate(per_file_rows):
        for r in rows:
            indicator = ind.get(r.indicator_code) if r.indicator_code else None
            # Growth rates (averages) may be negative; counts, levels and shares may not.
            nonneg = indicator is None or indicator.measure != formulas.AVERAGE
            bounded = indicator is not None and indicator.is_percent and indicator.measure != formulas.AVERAGE
            result, estimate = r.result.value, r.estimate.value
            add["result_nonneg"](result if nonneg else None)
            add["estimate_nonneg"](estimate if nonneg else None)
            add["result_pct"](result if bounded else None)
            add["estimate_pct"](estimate if bounded else None)
            where.append((n, r))
    frame = pd.DataFrame(columns)
    for col in _VALUE_CHECKS:
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    return frame, where


def value_schema():
    """The pandera schema of the value checks, each named by its column (see _VALUE_CHECKS)."""
    # pandera's built-in checks (ge, in_range) report their own name, not ours.
    def check(name: str, test) -> pa.Column:
        return pa.Column(None, pa.Check(test, name=name), nullable=True)

    return pa.DataFrameSchema({
        "result_nonneg": check("result_nonneg", lambda s: s >= 0),
        "estimate_nonneg": check("estimate_nonneg", lambda s: s >= 0),
        "result_pct": check("result_pct", lambda s: (s >= 0) & (s <= 100)),
        "estimate_pct": check("estimate_pct", lambda s: (s >= 0) & (s <= 100)),
    })


def value_issues(catalog: Catalog, per_file_rows: Sequence[Sequence[RowReading]],
                 sheets: Sequence[str | None]) -> Iterator[tuple[int, Issue]]:
    """(file index, issue) for every figure out of its indicator's range, all files at once."""
    frame, where = _value_frame(catalog, per_file_rows)
    if frame.empty:
        return
    try:
        value_schema().validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        for check, index in zip(exc.failure_cases["check"], exc.failure_cases["index"]):
            if check not in _VALUE_CHECKS or index is None or index != index:
                raise  # a failure no check of ours names: never dropped silently
            code, column = _VALUE_CHECKS[check]
            n, row = where[int(index)]
            yield n, _row_issue(code, column, row, sheets[n])


def check_rows(catalog: Catalog, per_file_rows: Sequence[Sequence[RowReading]],
               sheets: Sequence[str | None]) -> dict[int, list[Issue]]:
    """Every row check over every file's rows; issues by file index, in row and cell order."""
    rules = RowRules.of(catalog)
    out: dict[int, list[Issue]] = {}
    for n, rows in enumerate(per_file_rows):
        found = [issue for row in rows for issue in state_issues(row, rules, sheets[n])]
        if found:
            out[n] = found
    for n, issue in value_issues(catalog, per_file_rows, sheets):
        out.setdefault(n, []).append(issue)
    for issues in out.values():
        issues.sort(key=lambda i: (_row_of(i.cell), i.cell or ""))
    return out


def _row_of(cell: str | None) -> int:
    digits = "".join(ch for ch in cell or "" if ch.isdigit())
    return int(digits) if digits else 0


def _row_issue(code: str, column: str, row: RowReading, sheet: str | None) -> Issue:
    letter = row.letters.get(column, row.letters.get("name", "?"))
    value = {
        "result": row.result.raw, "estimate": row.estimate.raw, "proposed_target": row.proposed_target,
        "target": row.extra_target if row.kind == "extra" else row.target_raw,
        "baseline": row.baseline_raw, "name": row.name,
    }.get(column)
    params: dict[str, object] = {"indicator_name": row.name}
    if column == "target" and row.kind == "indicator":
        params["expected"] = row.target_text
    elif column == "baseline":
        params["expected"] = "" if row.baseline_expected is None else row.baseline_expected
    if code == "ambiguous-number":
        reading = row.result if column == "result" else row.estimate
        params["read_as"] = Plain(reading.value)
        params["other"] = Plain(parse_number(reading.raw).alternative)
    return make_issue(code, sheet=sheet, cell=f"{letter}{row.excel_row}", indicator_code=row.indicator_code,
                      value=value, params=params)
