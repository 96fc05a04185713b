"""A round folder (DESIGN.md §7): the catalog, the store and the received files, and what
the commands do with them — receive, the round's standing, a unit's history, the check.

The store (store.py) keeps the records; this module decides. Which file counts for a unit
is worked out from the records every time (the newest received), never kept as a flag to
update, so a receive that was killed half-way cannot leave two counted files.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from .catalog import load_catalog
from .consolidate import Consolidation, consolidate_report
from .fileio import sha256_file
from .model import (Catalog, FigureChange, Incoming, Issue, ReceivedSource, Receipt, Status, StoredSubmission,
                    Submission, ValidationReport, Version, make_issue)
from .parallel import WorkerLimits
from .reader import unit_code_from_file_name
from .store import CATALOG_NAME, now_utc, STORE_NAME, SUBMISSIONS, NewSubmission, Store, StoreError, make_read_only, \
    store_file_name
from .validate import judge_files, sort_inputs, unit_statuses
from .xlsx import Limits

# A receive takes this many files at a time through the readers, then records them: large
# enough to keep every core busy, small enough that a killed receive loses little work.
CHUNK = 64
_STAGING = ".incoming-"


def actor() -> str:
    """Who did it, for the event log: the office's login on this computer."""
    with contextlib.suppress(Exception):
        return f"office:{getpass.getuser()}"
    return "office"


@dataclass(frozen=True)
class RoundFolder:
    """A round's folder: `catalog.xlsx`, `round.db`, `submissions/`."""

    path: Path

    @property
    def catalog_path(self) -> Path:
        return self.path / CATALOG_NAME

    @staticmethod
    def is_one(path: Path) -> bool:
        """Whether a path given in place of a catalog is a folder (a round folder, or meant as one)."""
        return path.is_dir()

    def store(self) -> Store:
        return Store.open(self.path)

    def catalog(self) -> tuple[Catalog, int]:
        """The current catalog and its version id in the store (recorded on first use)."""
        if not self.catalog_path.is_file():
            raise StoreError(key="round_no_catalog", folder=self.path)
        catalog = load_catalog(self.catalog_path)
        with self.store() as store:
            return catalog, store.catalog_version(self.catalog_path, actor())


def create_round(folder: Path, write_catalog: Callable[[Path], None]) -> bool:
    """Make a round folder; False when it already had a catalog (kept, and given a store)."""
    had_catalog = (folder / CATALOG_NAME).exists()
    if had_catalog and (folder / STORE_NAME).exists():
        raise StoreError(key="round_exists", folder=folder)
    folder.mkdir(parents=True, exist_ok=True)
    if not had_catalog:
        write_catalog(folder / CATALOG_NAME)
    Store.create(folder).close()
    return not had_catalog


def record_generated(folder: RoundFolder, version: int, generated: Sequence) -> None:
    """Which catalog version each generated appendix was made from (by its fingerprint)."""
    at = now_utc()
    with folder.store() as store:
        store.record_appendices(version, [(g.unit_code, g.fingerprint, at, str(Path(g.path).resolve()))
                                          for g in generated], actor())


def consolidate_round(folder: RoundFolder, catalog: Catalog, version: int, root: str | None = None,
                      accept_partial: bool = False,
                      progress: Callable[..., Iterable] = lambda it, length=None: it) -> Consolidation:
    """Roll up each unit's counted file, read again from the store (its bytes checked)."""
    return consolidate_report(catalog, standing(folder, catalog, version, reread=True, progress=progress),
                              root, accept_partial)


def record_consolidated(folder: RoundFolder, result: Consolidation, output: str, data_out: str | None) -> None:
    summary = result.report.summary()
    with folder.store() as store:
        store.log("consolidated", actor(), result.root, detail={
            "output": str(output), "data_out": data_out, "units_valid": summary["units_valid"],
            "units_expected": summary["units_expected"],
            "counted": [s.sha256 for s in result.report.submissions if s.counted]})


def appendix_finder(folder: RoundFolder) -> Callable[[str], Path | None]:
    """unit code → the appendix last generated for it, while it is still where it was written."""
    with folder.store() as store:
        found = {code: store.latest_appendix(code) for code in store.appendix_units()}
    return lambda code: found.get(code) if found.get(code) and found[code].is_file() else None


# --- which file counts ---------------------------------------------------------------------------


def ranked(catalog: Catalog, stored: Sequence[StoredSubmission]) -> tuple[dict[str, StoredSubmission], set[int]]:
    """The counted file of each unit (the newest received of this round's returns) and the
    numbers of the files it replaced (its unit's files received before it).

    A unit's file received after its counted one that cannot count (an empty appendix,
    another round's) stays before the office as the latest news, not as replaced.
    """
    counted: dict[str, StoredSubmission] = {}
    for s in stored:
        eligible = (s.unit_code in catalog.targets_by_unit and s.is_return
                    and s.round_id in (None, catalog.round.round_id))
        if eligible and (s.unit_code not in counted or _newness(s) > _newness(counted[s.unit_code])):
            counted[s.unit_code] = s
    replaced = {s.number for s in stored
                if s.unit_code in counted and s is not counted[s.unit_code]
                and _newness(s) < _newness(counted[s.unit_code])}
    return counted, replaced


def _newness(s: StoredSubmission) -> tuple:
    return (s.received, s.modified or s.received, s.number)


def as_submission(s: StoredSubmission, counted: bool, replaced: bool) -> Submission:
    """A stored file as the report and the workbooks show it, from its latest verdict."""
    return Submission(path=s.path, unit_code=s.unit_code, round_id=s.round_id, status=s.status, issues=s.issues,
                      received=s.received, modified=s.modified, sha256=s.sha256, counted=counted,
                      received_source=ReceivedSource(s.received_source), replaced=replaced)


def standing(folder: RoundFolder, catalog: Catalog, version: int, reread: bool = False,
             limits: WorkerLimits | None = None,
             progress: Callable[..., Iterable] = lambda it, length=None: it) -> ValidationReport:
    """The round as the store has it: each unit's counted file, and the files still before
    the office (not identified, or newer than the counted one); replaced files are history.

    Files judged against an older catalog are judged again, and the new verdicts recorded.
    `reread`: read every such file again (validate, consolidate: their figures, and proof
    that the stored bytes are still the ones received) rather than take the stored verdicts.
    """
    with folder.store() as store:
        stored = store.submissions()
        counted, replaced = ranked(catalog, stored)
        current = [s for s in stored if s.number not in replaced]
        stale = [s for s in current if reread or s.judged_against != version]
        if stale:
            fresh = _judge_stored(catalog, stale, limits, progress)
            store.add_verdicts([(s.number, f.status, f.issues, f.values, s.unit_code)
                                for s, f in zip(stale, fresh) if _changed(s, f, version)], version, actor())
            by_number = {s.number: f for s, f in zip(stale, fresh)}
        else:
            by_number = {}
    counted_numbers = {s.number for s in counted.values()}
    submissions = [replace(by_number[s.number], counted=s.number in counted_numbers) if s.number in by_number
                   else as_submission(s, s.number in counted_numbers, False) for s in current]
    return ValidationReport(catalog, submissions, unit_statuses(catalog, submissions))


def _changed(old: StoredSubmission, new: Submission, version: int) -> bool:
    return old.judged_against != version or old.status != new.status or old.issues != new.issues


def _judge_stored(catalog: Catalog, stored: Sequence[StoredSubmission], limits, progress) -> list[Submission]:
    """Read stored files again, with their recorded arrival; a file whose bytes changed since
    it was received is reported (`store-file-changed`) and its figures never used."""
    arrivals = {s.path: (s.received, ReceivedSource(s.received_source)) for s in stored}
    judged = judge_files(catalog, [s.path for s in stored], arrivals, progress=progress, limits=limits)
    out = []
    for s, j in zip(stored, judged):
        if j.sha256 != s.sha256:
            j = replace(j, status=Status.UNREADABLE, values=(), extras=(), unit_code=s.unit_code,
                        issues=(make_issue("store-file-changed", value=s.original_name),))
        elif j.unit_code is None:
            j = replace(j, unit_code=s.unit_code)
        out.append(replace(j, sha256=s.sha256, modified=j.modified or s.modified))
    return out


# --- receiving -----------------------------------------------------------------------------------


def receive(folder: RoundFolder, catalog: Catalog, version: int, items: Iterable[Incoming | Issue],
            limits: WorkerLimits | None = None,
            progress: Callable[..., Iterable] = lambda it, length=None: it) -> Iterator[Receipt | Issue]:
    """Take each incoming file into the store: judged at once, kept once under its SHA-256,
    recorded with its arrival, one transaction a file. Yields a receipt per file as it is
    recorded, and the intake's own problems (a mailbox that is not one) as they come."""
    who = actor()
    with folder.store() as store, _staging(folder.path / SUBMISSIONS) as staging:
        chunk: list[Incoming] = []
        for item in items:
            if isinstance(item, Issue):
                yield item
                continue
            chunk.append(item)
            if len(chunk) >= CHUNK:
                yield from _receive_chunk(store, catalog, version, chunk, staging, who, limits, progress)
                chunk = []
        if chunk:
            yield from _receive_chunk(store, catalog, version, chunk, staging, who, limits, progress)


@contextlib.contextmanager
def _staging(submissions: Path) -> Iterator[Path]:
    """A scratch folder of this receive's own, beside the store (one file system: the move
    into place is a rename). Left over by a killed receive, it is cleared by the next."""
    submissions.mkdir(parents=True, exist_ok=True)
    for old in submissions.glob(_STAGING + "*"):
        pid = old.name[len(_STAGING):].split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    path = Path(tempfile.mkdtemp(prefix=f"{_STAGING}{os.getpid()}-", dir=submissions))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class _Staged:
    item: Incoming
    path: Path
    sha256: str
    size: int


def _receive_chunk(store: Store, catalog: Catalog, version: int, chunk: Sequence[Incoming], staging: Path,
                   who: str, limits, progress) -> Iterator[Receipt]:
    staged: list[_Staged] = []
    seen: dict[str, int] = {}
    for n, item in enumerate(chunk):
        ready = _stage(item, Path(tempfile.mkdtemp(dir=staging)))
        if isinstance(ready, Receipt):
            yield ready
        elif ready.sha256 in seen or store.has(ready.sha256):
            yield _duplicate(store, ready)
        else:
            seen[ready.sha256] = n
            staged.append(ready)
    to_read, attachments, ignored = sort_inputs(catalog, [s.path for s in staged])
    for path in [a.path for a in attachments] + list(ignored):
        item = next(s.item for s in staged if s.path == path)
        yield Receipt(item.name, item.origin, None, None, notes=(make_issue("not-received-not-workbook",
                                                                             value=item.name),))
    by_path = {s.path: s for s in staged}
    arrivals = {p: (by_path[p].item.received, by_path[p].item.source) for p in to_read}
    judged = judge_files(catalog, to_read, arrivals, progress=progress, limits=limits)
    _flush_to_disk([by_path[sub.path].path for sub in judged])  # the bytes on disk before any record names them
    receipts = [_record(store, catalog, version, by_path[sub.path], sub, who) for sub in judged]
    store.make_durable()  # a receipt said is a receipt kept, even if the power goes next
    yield from receipts


def _stage(item: Incoming, folder: Path) -> _Staged | Receipt:
    """The incoming bytes copied into staging under their sent name (the reader reads the
    name's ending, and the copy is what is judged and kept); never more than the file cap."""
    cap = Limits().max_file_bytes
    size = len(item.data) if item.data is not None else item.path.stat().st_size
    if size > cap:
        return Receipt(item.name, item.origin, None, Status.UNREADABLE, errors=1,
                       notes=(make_issue("file-too-large", value=item.name,
                                         params={"reason": f"{size / 2**20:.1f} MiB > {cap / 2**20:.0f} MiB"}),))
    target = folder / item.name
    if item.data is not None:
        target.write_bytes(item.data)
        digest = hashlib.sha256(item.data).hexdigest()
    else:
        shutil.copyfile(item.path, target)
        digest = sha256_file(target)
    return _Staged(item, target, digest, size)


def _flush_to_disk(paths: Sequence[Path]) -> None:
    """Received bytes written through to the disk: one system-wide sync where there is one
    (a few milliseconds, against one fsync of about as much per file), else file by file."""
    if hasattr(os, "sync"):
        os.sync()
        return
    for path in paths:
        with open(path, "rb+") as fh:
            os.fsync(fh.fileno())


def _duplicate(store: Store, staged: _Staged) -> Receipt:
    before = store.find(staged.sha256)
    item = staged.item
    return Receipt(item.name, item.origin, before.unit_code if before else None, None,
                   duplicate_of=before.number if before else None)


def _record(store: Store, catalog: Catalog, version: int, staged: _Staged, sub: Submission, who: str) -> Receipt:
    item = staged.item
    unit = sub.unit_code or item.unit_hint or unit_code_from_file_name(item.name, catalog)
    issues = tuple(item.notes) + tuple(sub.issues)
    status = Status.INVALID if sub.status == Status.VALID and any(i.severity == "error" for i in item.notes) \
        else sub.status
    is_return = not any(i.code == "no-results" for i in sub.issues)
    before, _ = ranked(catalog, store.submissions(unit)) if unit else ({}, set())
    relative = store_file_name(staged.sha256, item.name)
    final = store.folder / relative
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged.path, final)  # before the record: a record never names a file not there
    make_read_only(final)
    new = NewSubmission(staged.sha256, relative, item.name, staged.size, unit, sub.round_id, item.received,
                        str(item.source), item.sender, item.origin, sub.modified,
                        store.version_of_fingerprint(sub.fingerprint), is_return)
    old = before.get(unit)
    # The new file is the newest received: it counts if it can count at all (ties go to it,
    # the later receipt). Decided here so the replacement is logged in the same transaction.
    counts = (unit in catalog.targets_by_unit and is_return and sub.round_id in (None, catalog.round.round_id)
              and (old is None or (item.received, sub.modified or item.received) >= _newness(old)[:2]))
    number = store.add(new, status, issues, sub.values, version, who,
                       replaces=old.number if counts and old is not None else None)
    if number is None:  # another command received the same bytes a moment ago
        return _duplicate(store, staged)
    return Receipt(item.name, item.origin, unit, status, errors=sum(i.severity == "error" for i in issues),
                   warnings=sum(i.severity == "warning" for i in issues), counts=counts, number=number,
                   received=item.received, received_source=item.source, notes=tuple(item.notes))


# --- history and the check -------------------------------------------------------------------------


def history(folder: RoundFolder, catalog: Catalog, unit_code: str | None = None) -> dict[str | None, list[Version]]:
    """Every version each unit sent, oldest first, with the figures that changed between them."""
    with folder.store() as store:
        stored = store.submissions(unit_code)
    counted, replaced = ranked(catalog, stored)
    by_unit: dict[str | None, list[Version]] = {}
    for s in stored:
        versions = by_unit.setdefault(s.unit_code, [])
        before = versions[-1].submission if versions else None
        is_counted = s.unit_code in counted and counted[s.unit_code] is s
        versions.append(Version(s, is_counted, s.number in replaced, _changes(before, s) if before else ()))
    return by_unit


def _changes(old: StoredSubmission, new: StoredSubmission) -> tuple[FigureChange, ...]:
    before = {code: (result, estimate) for code, result, estimate in old.figures}
    out = []
    for code, result, estimate in new.figures:
        was = before.get(code, (None, None))
        for column, a, b in (("result", was[0], result), ("estimate", was[1], estimate)):
            if a != b:
                out.append(FigureChange(code, column, a, b))
    return tuple(out)


def check(folder: RoundFolder) -> list[Issue]:
    """What is wrong with a round's store: SQLite's integrity check, every stored file present
    and still its SHA-256. An empty list: the store is consistent."""
    try:
        with folder.store() as store:
            problems = [make_issue("store-integrity", value=line) for line in store.integrity()]
            files = store.stored_files()
    except StoreError as exc:
        if exc.key != "store_unusable":
            raise
        return [make_issue("store-integrity", value=exc.params["reason"])]
    except sqlite3.DatabaseError as exc:  # a damaged page met while listing the files
        return [make_issue("store-integrity", value=str(exc))]
    for number, digest, path in files:
        if not path.is_file():
            problems.append(make_issue("store-file-missing", value=str(path.relative_to(folder.path)),
                                       params={"number": number}))
        elif sha256_file(path) != digest:
            problems.append(make_issue("store-file-changed", value=str(path.relative_to(folder.path)),
                                       params={"number": number}))
    return problems
