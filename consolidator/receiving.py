"""Receiving files into a round's store, and judging stored files again: the reading half of
the round folder (rounds.py decides from the records).

Each incoming file is staged beside the store, judged with the same reader, caps, worker
isolation and checks as `validate`, moved into `submissions/<sha256>/` read-only, and
recorded in one transaction. Files go through in batches (CHUNK): the bytes are flushed to
disk once per batch before any record names them, and the store's log once after.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from .catalog import catalog_rows, load_catalog, write_catalog_workbook
from .consolidate import Consolidation, consolidate_report
from .fileio import sha256_file
from .model import (Catalog, Incoming, Issue, ReceivedSource, Receipt, Status, StoredSubmission, Submission,
                    ValidationReport, make_issue, unit_statuses)
from .mail import ARRIVAL_NOTES
from .parallel import WorkerLimits
from .reader import unit_code_from_file_name
from .rounds import (RoundFolder, actor, apply_decisions, as_submission, can_count, create_round, current,
                     decided_key, latest_decisions, newness, ranked)
from .store import CATALOG_NAME, SUBMISSIONS, NewSubmission, Store, StoreError, make_read_only, store_file_name
from .validate import judge_files, sort_inputs
from .xlsx import Limits

# A receive takes this many files at a time through the readers, then records them. The
# readers are idle while a batch is recorded (about 0.7 ms a file) and a batch's checks and
# the readers' start cost about 0.1 s each, so a round's inbox goes through in one batch;
# a larger one is split so that a killed receive loses little work, and so that a mailbox's
# attachments are never all held at once.
CHUNK = 1024
_STAGING = ".incoming-"


def open_round(folder: RoundFolder) -> tuple[Catalog, int]:
    """The round's current catalog, read, and its version id (recorded, with its roster, on first use)."""
    if not folder.catalog_path.is_file():
        raise StoreError(key="round_no_catalog", folder=folder.path)
    content = folder.catalog_path.read_bytes()
    catalog = load_catalog(folder.catalog_path)
    with folder.store() as store:
        decisions = store.decisions()
        if not decisions:
            return catalog, store.record_version(content, catalog.roster, actor())
        # the approved targets make a version of their own: the office's catalog.xlsx is an
        # input and is never rewritten; the version's bytes are the catalog as decided
        decided, key = apply_decisions(catalog, decisions), decided_key(decisions)
        base = hashlib.sha256(content).hexdigest()
        found = store.known_version(base, key)
        if found:
            return decided, found[0]
        return decided, store.record_version(_workbook_bytes(decided, folder.path), decided.roster, actor(), base, key)


def _workbook_bytes(catalog: Catalog, beside: Path) -> bytes:
    with tempfile.TemporaryDirectory(dir=beside) as scratch:
        path = Path(scratch) / CATALOG_NAME
        write_catalog_workbook(path, catalog_rows(catalog))
        return path.read_bytes()


def consolidate_round(folder: RoundFolder, catalog: Catalog, version: int, root: str | None = None,
                      accept_partial: bool = False,
                      progress: Callable[..., Iterable] = lambda it, length=None: it) -> Consolidation:
    """Roll up each unit's counted file, read again from the store (its bytes checked)."""
    with folder.store() as store:
        decisions, previous = latest_decisions(store.decisions()), store.previous_results()
    return consolidate_report(catalog, standing(folder, catalog, version, reread=True, progress=progress),
                              root, accept_partial, decisions, previous)


def start_next_round(new: Path, earlier: RoundFolder, round_id: str | None = None, cutoff: date | None = None,
                     deadline: date | None = None) -> tuple[Catalog, Consolidation]:
    """A round started from an earlier one (DESIGN.md §9): the same units and indicators, the
    targets as the Standing Committee decided them, a new id and dates; the earlier round's
    results kept in the new store, to be shown beside the new ones."""
    catalog, version = open_round(earlier)
    before = consolidate_round(earlier, catalog, version)
    changed = {"round_id": round_id or f"{catalog.round.round_id}-tiep"}
    changed.update({k: v for k, v in (("cutoff_date", cutoff), ("deadline", deadline)) if v is not None})
    following = replace(catalog, round=replace(catalog.round, **changed), warnings=())
    create_round(new, lambda path: write_catalog_workbook(path, catalog_rows(following)))
    with RoundFolder(new).store() as store:
        store.record_previous(catalog.round.round_id, [(r.unit_code, r.indicator_code, r.is_rollup, r.result)
                                                       for r in before.rows], actor())
    return following, before


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
        files, counted_numbers = current(catalog, store.submissions(figures=False))
        stale = [s for s in files if reread or s.judged_against != version]
        if stale:
            fresh = _judge_stored(catalog, stale, limits, progress)
            store.add_verdicts([(s.number, f.status, f.issues, f.values, s.unit_code)
                                for s, f in zip(stale, fresh) if _changed(s, f, version)], version, actor())
            by_number = {s.number: f for s, f in zip(stale, fresh)}
        else:
            by_number = {}
    submissions = [replace(by_number[s.number], counted=s.number in counted_numbers) if s.number in by_number
                   else as_submission(s, s.number in counted_numbers, False) for s in files]
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
        # what was said of its arrival (a Date not believed) stays with the file
        arrival = tuple(i for i in s.issues if i.code in ARRIVAL_NOTES)
        out.append(replace(j, sha256=s.sha256, modified=j.modified or s.modified, issues=arrival + tuple(j.issues)))
    return out


# --- receiving -----------------------------------------------------------------------------------


def receive(folder: RoundFolder, catalog: Catalog, version: int, items: Iterable[Incoming | Issue],
            limits: WorkerLimits | None = None,
            progress: Callable[..., Iterable] = lambda it, length=None: it,
            who: str | None = None) -> Iterator[Receipt | Issue]:
    """Take each incoming file into the store: judged at once, kept once under its SHA-256,
    recorded with its arrival, one transaction a file. Yields a receipt per file as it is
    recorded, and the intake's own problems (a mailbox that is not one) as they come.

    A file that came through a unit's link (`Incoming.unit_hint`) and is another unit's is
    refused (`file-for-another-unit`) and the refusal logged for the office. `who`: the
    actor for the event log (default: the office's login here).
    """
    who = who or actor()
    with folder.store() as store, _staging(folder.path / SUBMISSIONS) as staging:
        chunk: list[_Staged] = []
        for item in items:
            # staged as it comes: an email's attachment is on disk, not in memory, from here on
            ready = item if isinstance(item, Issue) else _stage(item, _scratch_for(staging, item.name))
            if not isinstance(ready, _Staged):
                yield ready
                continue
            chunk.append(ready)
            if len(chunk) >= CHUNK:
                yield from _receive_chunk(store, catalog, version, chunk, who, limits, progress)
                chunk = []
        if chunk:
            yield from _receive_chunk(store, catalog, version, chunk, who, limits, progress)


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


def _receive_chunk(store: Store, catalog: Catalog, version: int, chunk: Sequence[_Staged], who: str, limits,
                   progress) -> Iterator[Receipt]:
    staged: list[_Staged] = []
    again: list[_Staged] = []  # the same bytes twice in this batch: told once the first is recorded
    seen: set[str] = set()
    for ready in chunk:
        if ready.sha256 in seen:
            again.append(ready)
        elif store.has(ready.sha256):
            yield _duplicate(store, ready, who)
        else:
            seen.add(ready.sha256)
            staged.append(ready)
    by_path = {s.path: s for s in staged}
    to_read, attachments, ignored = sort_inputs(catalog, list(by_path))
    for path in [a.path for a in attachments] + list(ignored):
        item = by_path[path].item
        yield Receipt(item.name, item.origin, None, None, notes=(make_issue("not-received-not-workbook",
                                                                             value=item.name),))
    arrivals = {p: (by_path[p].item.received, by_path[p].item.source) for p in to_read}
    judged = judge_files(catalog, to_read, arrivals, progress=progress, limits=limits)
    _flush_to_disk([by_path[sub.path].path for sub in judged])  # the bytes on disk before any record names them
    receipts = [_record(store, catalog, version, by_path[sub.path], sub, who) for sub in judged]
    store.make_durable()  # a receipt said is a receipt kept, even if the power goes next
    yield from receipts
    yield from (_duplicate(store, s, who) for s in again)


def _scratch_for(staging: Path, name: str) -> Path:
    """Where to stage a file under its own name: the staging folder itself, or a folder of its
    own when an earlier file of the batch took the name (a folder a file costs 0.3 ms)."""
    return staging if not (staging / name).exists() else Path(tempfile.mkdtemp(dir=staging))


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
        item = replace(item, data=None)  # the bytes are on disk now: not held for the whole batch
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


def _duplicate(store: Store, staged: _Staged, who: str) -> Receipt:
    before = store.find(staged.sha256)
    item = staged.item
    if before is not None and _foreign(item, before.unit_code):
        return _refused(store, item, staged.sha256, before.unit_code, who)
    return Receipt(item.name, item.origin, before.unit_code if before else None, None,
                   duplicate_of=before.number if before else None)


def _record(store: Store, catalog: Catalog, version: int, staged: _Staged, sub: Submission, who: str) -> Receipt:
    item = staged.item
    if _foreign(item, sub.unit_code):
        return _refused(store, item, staged.sha256, sub.unit_code, who)
    unit = sub.unit_code or item.unit_hint or unit_code_from_file_name(item.name, catalog)
    issues = tuple(item.notes) + tuple(sub.issues)
    status = Status.INVALID if sub.status == Status.VALID and any(i.severity == "error" for i in item.notes) \
        else sub.status
    is_return = not any(i.code == "no-results" for i in sub.issues)
    before, _ = ranked(catalog, store.submissions(unit, figures=False)) if unit else ({}, set())
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
    counts = can_count(catalog, unit, is_return, sub.round_id) and (
        old is None or (item.received, sub.modified or item.received) >= newness(old)[:2])
    number = store.add(new, status, issues, sub.values, version, who,
                       replaces=old.number if counts and old is not None else None)
    if number is None:  # another command received the same bytes a moment ago
        return _duplicate(store, staged, who)
    return Receipt(item.name, item.origin, unit, status, errors=sum(i.severity == "error" for i in issues),
                   warnings=sum(i.severity == "warning" for i in issues), counts=counts, number=number,
                   received=item.received, received_source=item.source, notes=tuple(item.notes))


def _foreign(item: Incoming, unit_code: str | None) -> bool:
    """Whether a file sent through a unit's link says it is another unit's."""
    return bool(item.unit_hint and unit_code and unit_code != item.unit_hint)


def _refused(store: Store, item: Incoming, sha256: str, file_unit: str, who: str) -> Receipt:
    """Another unit's file at a unit's link: not received; the office finds it in the log.
    The receipt names no other unit: the page shows it to the one that sent it."""
    store.log("refused", who, item.unit_hint, detail={
        "code": "file-for-another-unit", "file": item.name, "sha256": sha256, "file_unit": file_unit,
        "sender": item.sender, "received": item.received.isoformat()})
    return Receipt(item.name, item.origin, item.unit_hint, None,
                   notes=(make_issue("file-for-another-unit", value=item.name),))
