"""Validate returned workbooks: read each, check all rows of all files with one pandera schema.

Reading yields cell states (reader.py); the schema, built in code from the round, turns
states and values into issues with cell positions. The frame's index points back to the
file and Excel row, so every failure case names its cell. Files of one unit are ranked
and the newest of this round counts (DESIGN.md §3).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from . import formulas
from .gcpause import collector_paused
from .messages import Plain
from .model import Catalog, Issue, make_issue
from .numbers import parse_number
from .reader import FileReading, RowReading, read_file, unit_code_from_file_name
from .workers import ReadOutcome, WorkerLimits, read_in_workers
from .xlsx import UnreadableWorkbook, os_error_reason, read_workbook

VALID, INVALID, UNREADABLE = "valid", "invalid", "unreadable"
_USABLE = ("ok", "ambiguous")
# Where a file's received time came from (DESIGN.md §3), best first. The store of a later
# version records the real one; without it the workbook's own last-saved time is used,
# since copying a file (cp, an email attachment saved, a download) changes its file time.
SAVED, FILE_TIME = "saved", "file"
# Clocks differ between the unit's computer and ours, and xlsxwriter stamps whole seconds.
_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Reported:
    """One indicator's values as a unit reported them."""

    indicator_code: str
    excel_row: int
    result: float | None
    estimate: float | None
    proposed_target: str
    note: str
    has_error: bool = False


@dataclass(frozen=True, slots=True)
class ExtraIndicator:
    """An indicator a unit added itself: listed, never aggregated."""

    excel_row: int
    name: str
    unit_of_measure: str
    target: str
    result: float | None
    note: str


@dataclass(frozen=True)
class Submission:
    """One returned workbook, read and checked."""

    path: Path
    unit_code: str | None
    round_id: str | None
    status: str
    issues: tuple[Issue, ...]
    received: datetime
    modified: datetime | None
    sha256: str
    sheet: str | None = None
    values: tuple[Reported, ...] = ()
    extras: tuple[ExtraIndicator, ...] = ()
    counted: bool = False  # the newest of its unit: the one consolidated
    received_source: str = FILE_TIME  # SAVED or FILE_TIME: what `received` is
    file_time: datetime | None = None  # the file's modification time, whatever `received` is
    replaced: bool = False  # an older version of a unit that sent a newer file: history, not the round's
    copy_of: str | None = None  # the same bytes as this file (by name): one submission, not two

    @property
    def in_round(self) -> bool:
        """Whether this file is one of the round's submissions, not a replaced or repeated one."""
        return not self.replaced and self.copy_of is None

    @property
    def errors(self) -> int:
        return sum(i.severity == "error" for i in self.issues)

    @property
    def warnings(self) -> int:
        return sum(i.severity == "warning" for i in self.issues)

    @property
    def sort_time(self) -> datetime:
        """Which of a unit's files is newest: the workbook's own time, then the file's."""
        return self.modified or self.received


@dataclass(frozen=True)
class UnitStatus:
    """One expected unit's standing in the round."""

    unit_code: str
    unit_name: str
    submission: Submission | None
    on_time: bool | None

    @property
    def state(self) -> str:
        return "missing" if self.submission is None else self.submission.status


@dataclass(frozen=True)
class Attachment:
    """A file a unit sent beside its appendix (the signed report, a scan): listed, never read."""

    path: Path
    unit_code: str | None  # when the file name starts with the unit's code


@dataclass
class ValidationReport:
    """The result of validating a batch: each file, each expected unit, the rates."""

    catalog: Catalog
    submissions: list[Submission]
    units: list[UnitStatus] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)  # neither a workbook nor an attachment

    def summary(self) -> dict[str, object]:
        expected = len(self.units)
        valid = [u for u in self.units if u.state == VALID]
        on_time = [u for u in valid if u.on_time]
        current = [s for s in self.submissions if s.in_round]
        return {
            "files": len(self.submissions),
            "valid": sum(s.status == VALID for s in current),
            "invalid": sum(s.status == INVALID for s in current),
            "unreadable": sum(s.status == UNREADABLE for s in current),
            "replaced": sum(not s.in_round for s in self.submissions),
            "errors": sum(s.errors for s in current),
            "warnings": sum(s.warnings for s in current),
            "units_expected": expected,
            "units_valid": len(valid),
            "units_on_time": len(on_time),
            "completeness": round(len(valid) / expected, 4) if expected else None,
            "timeliness": round(len(on_time) / expected, 4) if expected else None,
            "missing_units": [u.unit_code for u in self.units if u.state == "missing"],
        }

    def to_dict(self, lang: str = "vi") -> dict[str, object]:
        """The JSON report of DESIGN.md §5, with each file's received time and its source."""
        return {
            "files": [
                {"path": str(s.path), "unit_code": s.unit_code, "status": s.status,
                 "counted": s.counted, "replaced": s.replaced, "copy_of": s.copy_of,
                 "received": s.received.isoformat(timespec="seconds"), "received_source": s.received_source,
                 "issues": [i.to_dict(lang) for i in s.issues]}
                for s in self.submissions
            ],
            "attachments": [{"path": str(a.path), "unit_code": a.unit_code} for a in self.attachments],
            "ignored": [str(p) for p in self.ignored],
            "summary": self.summary(),
        }

    @property
    def has_errors(self) -> bool:
        """Whether anything of the round needs the office's attention (exit code 1): a replaced
        version or a second copy of the same bytes does not."""
        return any(s.status != VALID for s in self.submissions if s.in_round)


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
    return [p for p in out if not (p.resolve() in seen or seen.add(p.resolve()))]


# What a file's name says it is. Workbooks are read (and sniffed: a PDF named .xlsx is still
# `file-not-workbook`); what units send beside the appendix is listed with the unit
# (DESIGN.md §6); anything else in an inbox folder (a mail program's .txt, a .log) is set aside.
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods", ".fods"})
ATTACHMENT_SUFFIXES = frozenset({".pdf", ".doc", ".docx", ".odt", ".rtf", ".jpg", ".jpeg", ".png", ".gif",
                                 ".tif", ".tiff", ".bmp", ".heic", ".webp"})
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


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
            return fh.read(4).startswith(_WORKBOOK_MAGIC)
    except OSError:
        return True  # let the reader say what is wrong with it


# --- reading ----------------------------------------------------------------------------------------


def read_one(path: Path, catalog: Catalog) -> tuple[FileReading | None, Issue | None]:
    """Read one file; an unreadable one gives its issue instead. Never raises for file content."""
    try:
        workbook = read_workbook(path)
    except UnreadableWorkbook as exc:
        # where the reader names a sheet and cell, they are the Issue's position, not message params
        params = dict(exc.params)
        return None, make_issue(exc.code, sheet=params.pop("sheet", None), cell=params.pop("cell", None), params=params)
    except OSError as exc:
        return None, make_issue("file-corrupt", params=os_error_reason(exc))
    return read_file(workbook, catalog, path.name), None


def validate_files(
    catalog: Catalog,
    paths: Sequence[Path],
    progress: Callable[..., Iterable] = lambda it, length=None: it,
    limits: WorkerLimits = WorkerLimits(),
) -> ValidationReport:
    """Read and check every file, rank each unit's files, and work out each unit's standing.

    Files are read in worker processes (workers.py): a file that crashes, hangs or floods
    the reader is marked unreadable and the rest of the batch goes on.
    """
    paths, attachments, ignored = sort_inputs(catalog, paths)
    with collector_paused():
        outcomes: list[ReadOutcome | None] = [None] * len(paths)
        for index, outcome in progress(read_in_workers(paths, catalog, limits), length=len(paths)):
            outcomes[index] = outcome
        readings = [o.reading for o in outcomes]
        row_issues = check_rows(catalog, [(r.rows if r else ()) for r in readings],
                                [r.sheet if r else None for r in readings])
        now = datetime.now(timezone.utc)
        submissions = [_submission(o, row_issues.get(n, []), now) for n, o in enumerate(outcomes)]
        submissions = rank_duplicates(catalog, submissions)
        return ValidationReport(catalog, submissions, unit_statuses(catalog, submissions), attachments, ignored)


def _submission(outcome: ReadOutcome, row_issues: list[Issue], now: datetime) -> Submission:
    reading = outcome.reading
    base = {"path": outcome.path, "sha256": outcome.sha256, "file_time": outcome.received}
    if reading is None:
        return Submission(unit_code=None, round_id=None, status=UNREADABLE, issues=(outcome.unreadable,),
                          modified=None, received=outcome.received, **base)
    received, source = received_time(outcome, reading, now)
    issues = tuple(reading.issues) + tuple(row_issues)
    indicator_rows = [r for r in reading.rows if r.kind == "indicator"]
    if indicator_rows and all(r.result.state == "blank" for r in reading.rows):
        # Nothing typed at all: the blank appendix sent back. One error says so, instead of
        # a "no result yet" warning per row that would let it pass as a valid submission.
        issues = tuple(i for i in issues if i.code != "missing-result") + (
            make_issue("no-results", sheet=reading.sheet),)
    status = INVALID if any(i.severity == "error" for i in issues) else VALID
    error_codes = {i.indicator_code for i in issues if i.severity == "error" and i.indicator_code}
    values = tuple(
        Reported(r.indicator_code, r.excel_row,
                 r.result.value if r.result.state in _USABLE else None,
                 r.estimate.value if r.estimate.state in _USABLE else None,
                 r.proposed_target, r.note, r.indicator_code in error_codes)
        for r in indicator_rows
    )
    extras = tuple(
        ExtraIndicator(r.excel_row, r.name, r.unit_of_measure, r.extra_target,
                       r.result.value if r.result.state in _USABLE else None, r.note)
        for r in reading.rows if r.kind == "extra"
    )
    return Submission(unit_code=reading.identity.unit_code, round_id=reading.identity.round_id, status=status,
                      issues=issues, modified=reading.modified, sheet=reading.sheet, values=values, extras=extras,
                      received=received, received_source=source, **base)


def received_time(outcome: ReadOutcome, reading: FileReading, now: datetime) -> tuple[datetime, str]:
    """The workbook's own last-saved time, when it is believable, else the file's time (DESIGN.md §3).

    Believable: not in the future, and not before the file was generated (a unit cannot have
    saved it earlier; a spreadsheet program with a wrong clock can write either).
    """
    saved, generated = reading.modified, reading.identity.generated_at
    if saved is not None and saved <= now + _CLOCK_SKEW and (generated is None or saved >= generated - _CLOCK_SKEW):
        return saved, SAVED
    return outcome.received, FILE_TIME


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
        if s.unit_code in catalog.targets_by_unit and s.status != UNREADABLE and of_this_round:
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


def unit_statuses(catalog: Catalog, submissions: list[Submission]) -> list[UnitStatus]:
    counted = {s.unit_code: s for s in submissions if s.counted}
    deadline = catalog.round.deadline
    out = []
    for unit in catalog.reporting_units:
        s = counted.get(unit.code)
        on_time = None if s is None else s.received.astimezone().date() <= deadline
        out.append(UnitStatus(unit.code, unit.name, s, on_time))
    return out


# --- the row checks ------------------------------------------------------------------------------


# Cell states that are problems, by input column: state → issue code.
_STATE_CODES = {
    "blank": "missing-result",
    "word": "not-a-number",
    "not-boolean": "not-a-boolean",
    "formula-no-cache": "formula-without-value",
    "error-value": "excel-error",
    "ambiguous": "ambiguous-number",
    "date": "date-not-number",
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
            estimate={k: v for k, v in _STATE_CODES.items() if k != "blank"},  # an estimate is optional
            # a unit's own indicator has no Đạt/Chưa đạt, and its blank result is incomplete-extra-indicator
            extra_result={k: v for k, v in _STATE_CODES.items() if k not in ("blank", "not-boolean")},
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
    import pandas as pd

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
    import pandera.pandas as pa

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
    import pandera.pandas as pa

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
