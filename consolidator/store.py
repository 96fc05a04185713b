"""The round store (DESIGN.md §7): one SQLite file in the round folder, the round's memory.

This module owns the schema and every SQL statement; the rest of the package asks it for
objects of model.py, never for rows or cursors. Plain SQL through Python's own sqlite3:
nothing to install, and a round of 52,000 units is far inside what SQLite does on one
machine.

Every logical change is one transaction (`BEGIN IMMEDIATE`, so two commands at once
queue rather than fail half-way); WAL mode lets a reader (the web page, `status`) go on
while a `receive` writes. The event log is append-only, enforced by triggers, not by
convention. The schema carries its version in `PRAGMA user_version` and migrates forward;
a store from a newer version of the tool is refused rather than guessed at.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import ConsolidatorError
from .messages import LabelRef, Plain
from .model import Decision, Event, Issue, PasswordRecord, Reported, Roster, Status, StoredSubmission

STORE_NAME = "round.db"
CATALOG_NAME = "catalog.xlsx"
SUBMISSIONS = "submissions"
# A receive waits this long for another command's write to finish before giving up; a write
# transaction here lasts milliseconds, so only a stuck process makes anyone wait this long.
BUSY_TIMEOUT_MS = 60_000

# Each migration takes the store from the version before it to its own number; a new
# version of the tool appends one and never edits an old one.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE catalog_version (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        recorded_at TEXT NOT NULL,
        content BLOB NOT NULL,         -- the catalog's bytes: an older version stays at hand
        roster TEXT NOT NULL,          -- JSON of model.Roster: the round and who must submit
        base_sha256 TEXT NOT NULL,     -- the office's catalog.xlsx it is (itself, or with decisions)
        decided TEXT NOT NULL DEFAULT ''  -- the decisions applied to it: their numbers, "1,4,7"
    );
    CREATE INDEX catalog_version_base ON catalog_version(base_sha256, decided);
    CREATE TABLE appendix (            -- each appendix generate wrote, for "made from which version"
        id INTEGER PRIMARY KEY,
        unit_code TEXT NOT NULL,
        catalog_version INTEGER NOT NULL REFERENCES catalog_version(id),
        fingerprint TEXT NOT NULL,
        generated_at TEXT NOT NULL,
        path TEXT NOT NULL
    );
    CREATE INDEX appendix_fingerprint ON appendix(fingerprint);
    CREATE TABLE submission (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,   -- the same bytes are received once
        stored_as TEXT NOT NULL,       -- relative to the round folder
        original_name TEXT NOT NULL,
        size INTEGER NOT NULL,
        unit_code TEXT,
        round_id TEXT,
        received_at TEXT NOT NULL,     -- ISO 8601, UTC: sorts as text
        received_source TEXT NOT NULL,
        sender TEXT NOT NULL,
        origin TEXT NOT NULL,
        modified TEXT,                 -- the workbook's own last-saved time
        made_from INTEGER REFERENCES catalog_version(id),
        is_return INTEGER NOT NULL     -- 0: nothing typed in it (no-results): replaces nothing
    );
    CREATE INDEX submission_unit ON submission(unit_code);
    CREATE TABLE verdict (             -- a judgement of a submission against one catalog version
        id INTEGER PRIMARY KEY,
        submission INTEGER NOT NULL REFERENCES submission(id),
        catalog_version INTEGER NOT NULL REFERENCES catalog_version(id),
        judged_at TEXT NOT NULL,
        status TEXT NOT NULL,
        issues TEXT NOT NULL,          -- JSON
        figures TEXT NOT NULL          -- JSON: [[indicator_code, result, estimate], ...]
    );
    CREATE INDEX verdict_submission ON verdict(submission);
    CREATE TABLE event (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        kind TEXT NOT NULL,
        unit_code TEXT,
        submission INTEGER,
        detail TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX event_unit ON event(unit_code);
    CREATE TRIGGER event_never_updated BEFORE UPDATE ON event
        BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    CREATE TRIGGER event_never_deleted BEFORE DELETE ON event
        BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    CREATE TABLE decision (             -- the Standing Committee's decision on a proposed target (§9)
        id INTEGER PRIMARY KEY,
        unit_code TEXT NOT NULL,
        indicator_code TEXT NOT NULL,
        approved INTEGER NOT NULL,
        approved_target TEXT NOT NULL, -- as the office typed it ('' when refused)
        proposed TEXT NOT NULL,
        original_target TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        actor TEXT NOT NULL,
        file_sha256 TEXT NOT NULL      -- the decisions workbook it was read from
    );
    CREATE TRIGGER decision_never_updated BEFORE UPDATE ON decision
        BEGIN SELECT RAISE(ABORT, 'decisions are recorded, never changed: record a new one'); END;
    CREATE TABLE previous_result (      -- the earlier round's figures, for a round started from it (§9)
        round_id TEXT NOT NULL,
        unit_code TEXT NOT NULL,
        indicator_code TEXT NOT NULL,
        is_rollup INTEGER NOT NULL,
        result REAL,
        PRIMARY KEY (unit_code, indicator_code, is_rollup)
    );
    """,
    # 2: the web page (DESIGN.md §8). A unit's private link is kept only as the SHA-256 of its
    # token; the unit's newest link is the one that opens its page, so making a new one
    # retires the old without updating a row. The office's password as a salted scrypt
    # hash with its parameters, the newest row the one in force. The rate limiter keeps
    # nothing here: it lives in the server's memory.
    """
    CREATE TABLE unit_link (
        id INTEGER PRIMARY KEY,
        unit_code TEXT NOT NULL,
        token_sha256 TEXT NOT NULL UNIQUE,
        made_at TEXT NOT NULL
    );
    CREATE INDEX unit_link_unit ON unit_link(unit_code, id);
    CREATE TABLE office_password (
        id INTEGER PRIMARY KEY,
        set_at TEXT NOT NULL,
        set_by TEXT NOT NULL,
        scheme TEXT NOT NULL,          -- 'scrypt'
        salt BLOB NOT NULL,
        n INTEGER NOT NULL,
        r INTEGER NOT NULL,
        p INTEGER NOT NULL,
        hash BLOB NOT NULL
    );
    """,
)
SCHEMA_VERSION = len(_MIGRATIONS)


class StoreError(ConsolidatorError):
    """A round folder whose store cannot be used: missing, from a newer tool, not SQLite."""


def utc_text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


# --- issues as JSON: the parameters keep what they are (a label to translate, a plain number) ---


def _param_json(value: object) -> object:
    if isinstance(value, LabelRef):
        return {"label": str(value)}
    if isinstance(value, Plain):
        return {"plain": float(value)}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _param_back(value: object) -> object:
    if isinstance(value, dict):
        return LabelRef(value["label"]) if "label" in value else Plain(value["plain"])
    return value


def issues_json(issues: Sequence[Issue]) -> str:
    return json.dumps([
        {"code": i.code, "severity": i.severity, "sheet": i.sheet, "cell": i.cell, "indicator_code": i.indicator_code,
         "value": _param_json(i.value), "params": {k: _param_json(v) for k, v in i.params.items()}}
        for i in issues], ensure_ascii=False)


def issues_back(text: str) -> tuple[Issue, ...]:
    return tuple(Issue(code=d["code"], severity=d["severity"], sheet=d["sheet"], cell=d["cell"],
                       indicator_code=d["indicator_code"], value=_param_back(d["value"]),
                       params={k: _param_back(v) for k, v in d["params"].items()})
                 for d in json.loads(text))


@dataclass(frozen=True)
class NewSubmission:
    """What `Store.add` records of one received file; its verdict is recorded with it."""

    sha256: str
    stored_as: str
    original_name: str
    size: int
    unit_code: str | None
    round_id: str | None
    received: datetime
    received_source: str
    sender: str
    origin: str
    modified: datetime | None
    made_from: int | None
    is_return: bool


class _WebRecords:
    """The store's records of the web page (schema 2): units' links and the office's password.
    A part of `Store`, kept apart so each class stays readable."""

    _db: sqlite3.Connection

    def unit_of_link(self, token_sha256: str) -> str | None:
        """The unit whose current link has this token's SHA-256; None for any other.

        The row is found through the index on the hash. That lookup's timing depends only on
        the SHA-256 of what the visitor sent, which no visitor can steer towards a stored
        hash (a preimage), so it tells nothing about a real token; the match itself is then
        confirmed with a constant-time comparison.
        """
        row = self._db.execute(
            "SELECT l.unit_code, l.token_sha256, l.id = (SELECT max(id) FROM unit_link m WHERE m.unit_code = l.unit_code) "
            "FROM unit_link l WHERE l.token_sha256 = ?", (token_sha256,)).fetchone()
        if row is None or not hmac.compare_digest(row[1].encode(), token_sha256.encode()) or not row[2]:
            return None
        return row[0]

    def linked_units(self) -> set[str]:
        """The units that have a link."""
        return {u for (u,) in self._db.execute("SELECT DISTINCT unit_code FROM unit_link")}

    def set_password(self, record: PasswordRecord, actor: str) -> None:
        with self._write() as db:
            at = utc_text(now_utc())
            db.execute("INSERT INTO office_password (set_at, set_by, scheme, salt, n, r, p, hash) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (at, actor, record.scheme, record.salt, record.n, record.r, record.p, record.hash))
            self._event(db, at, actor, "password", detail={"scheme": record.scheme})

    def password(self) -> PasswordRecord | None:
        """The office's password hash in force, if one was set."""
        row = self._db.execute("SELECT scheme, salt, n, r, p, hash FROM office_password ORDER BY id DESC LIMIT 1"
                               ).fetchone()
        return PasswordRecord(*row) if row else None


class _Chain:
    """What links a round to the others (DESIGN.md §9): the Standing Committee's decisions
    (recorded, never changed — a trigger refuses an UPDATE; a later decision on the same
    proposal prevails), and the earlier round's results a round was started from."""

    def record_previous(self, round_id: str, results: Sequence[tuple[str, str, bool, float | None]],
                        actor: str) -> None:
        """(unit, indicator, is rollup, result) of the round this one was started from."""
        with self._write() as db:
            db.executemany("INSERT INTO previous_result (round_id, unit_code, indicator_code, is_rollup, result) "
                           "VALUES (?, ?, ?, ?, ?)", [(round_id, u, i, int(r), v) for u, i, r, v in results])
            self._event(db, utc_text(now_utc()), actor, "started-from", detail={"round_id": round_id,
                                                                               "results": len(results)})

    def previous_results(self) -> tuple[str | None, dict[tuple[str, str, bool], float | None]]:
        """The earlier round's id and its results by (unit, indicator, is rollup); (None, {}) when none."""
        rows = self._db.execute("SELECT round_id, unit_code, indicator_code, is_rollup, result "
                                "FROM previous_result").fetchall()
        return (rows[0][0] if rows else None), {(u, i, bool(r)): v for _, u, i, r, v in rows}

    def add_decisions(self, decisions: Sequence[Decision], actor: str, file_sha256: str) -> list[int]:
        """Record a decisions workbook's decisions, all or none, each with an event."""
        with self._write() as db:
            at = utc_text(now_utc())
            numbers = []
            for d in decisions:
                cursor = db.execute(
                    "INSERT INTO decision (unit_code, indicator_code, approved, approved_target, proposed, "
                    "original_target, recorded_at, actor, file_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (d.unit_code, d.indicator_code, int(d.approved), d.approved_target, d.proposed,
                     d.original_target, at, actor, file_sha256))
                numbers.append(cursor.lastrowid)
                self._event(db, at, actor, "decided", d.unit_code, None,
                            {"indicator_code": d.indicator_code, "approved": d.approved,
                             "approved_target": d.approved_target, "proposed": d.proposed,
                             "original_target": d.original_target, "file_sha256": file_sha256,
                             "decision": cursor.lastrowid})
            return numbers

    def decisions(self) -> list[Decision]:
        """Every decision recorded, oldest first (a later one on the same proposal prevails)."""
        return [Decision(unit, code, bool(approved), target, proposed, original, number=number,
                         recorded_at=_moment(at), actor=actor, file_sha256=sha)
                for number, unit, code, approved, target, proposed, original, at, actor, sha in self._db.execute(
                    "SELECT id, unit_code, indicator_code, approved, approved_target, proposed, original_target, "
                    "recorded_at, actor, file_sha256 FROM decision ORDER BY id")]


class _Catalogs:
    """Each catalog version used (kept whole, by SHA-256, with its roster) and each appendix
    generated from one, so a returned file says which version it was made from."""

    def known_version(self, digest: str, decided: str = "") -> tuple[int, Roster] | None:
        """The id and roster of the version made of the office's catalog with this SHA-256 and
        these decisions applied ("" none), if it was recorded."""
        row = self._db.execute("SELECT id, roster FROM catalog_version WHERE base_sha256 = ? AND decided = ? "
                               "ORDER BY id DESC LIMIT 1", (digest, decided)).fetchone()
        return None if row is None else (row[0], Roster.from_json(json.loads(row[1])))

    def record_version(self, content: bytes, roster: Roster, actor: str, base_sha256: str | None = None,
                       decided: str = "") -> int:
        """Record a catalog version (with an event) the first time it is used; its id. A
        version with decisions applied keeps the office's catalog it was made from."""
        digest = hashlib.sha256(content).hexdigest()
        with self._write() as db:
            found = db.execute("SELECT id FROM catalog_version WHERE sha256 = ?", (digest,)).fetchone()
            if found:  # another command recorded it a moment ago
                return found[0]
            at = utc_text(now_utc())
            cursor = db.execute(
                "INSERT INTO catalog_version (sha256, recorded_at, content, roster, base_sha256, decided) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (digest, at, content, json.dumps(roster.to_json(), ensure_ascii=False), base_sha256 or digest,
                 decided))
            self._event(db, at, actor, "catalog",
                        detail={"sha256": digest, "version": cursor.lastrowid, "decided": decided})
            return cursor.lastrowid

    def catalog_versions(self) -> list[tuple[int, str, datetime]]:
        """(id, SHA-256, recorded) of every catalog version, oldest first."""
        return [(i, sha, _moment(at)) for i, sha, at in
                self._db.execute("SELECT id, sha256, recorded_at FROM catalog_version ORDER BY id")]

    def record_appendices(self, version: int, appendices: Sequence[tuple[str, str, datetime, str]], actor: str,
                          links: Mapping[str, str] | None = None) -> None:
        """Each appendix generate wrote (unit, fingerprint, when, path), and the units' new link hashes."""
        links = links or {}
        with self._write() as db:
            at = utc_text(now_utc())
            db.executemany("INSERT INTO appendix (unit_code, catalog_version, fingerprint, generated_at, path) "
                           "VALUES (?, ?, ?, ?, ?)",
                           [(u, version, f, utc_text(at), p) for u, f, at, p in appendices])
            db.executemany("INSERT INTO unit_link (unit_code, token_sha256, made_at) VALUES (?, ?, ?)",
                           [(unit, digest, at) for unit, digest in links.items()])
            self._event(db, at, actor, "generated",
                        detail={"version": version, "units": [a[0] for a in appendices], "links": sorted(links)})

    def version_of_fingerprint(self, fingerprint: str | None) -> int | None:
        """The catalog version an appendix with this fingerprint was generated from."""
        if not fingerprint:
            return None
        row = self._db.execute("SELECT catalog_version FROM appendix WHERE fingerprint = ? ORDER BY id DESC LIMIT 1",
                               (fingerprint,)).fetchone()
        return row[0] if row else None

    def latest_appendix(self, unit_code: str) -> Path | None:
        """The appendix last generated for a unit, where it was written."""
        row = self._db.execute("SELECT path FROM appendix WHERE unit_code = ? ORDER BY id DESC LIMIT 1",
                               (unit_code,)).fetchone()
        return Path(row[0]) if row else None

    def appendix_units(self) -> list[str]:
        return [code for (code,) in self._db.execute("SELECT DISTINCT unit_code FROM appendix")]


class Store(_Catalogs, _WebRecords, _Chain):
    """One round's store. Open with `Store.open(folder)`; a `with` block closes it."""

    def __init__(self, folder: Path, connection: sqlite3.Connection):
        self.folder = folder
        self._db = connection

    # --- opening ------------------------------------------------------------------------------

    @classmethod
    def create(cls, folder: Path) -> Store:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / SUBMISSIONS).mkdir(exist_ok=True)
        return cls._connect(folder, create=True)

    @classmethod
    def open(cls, folder: Path) -> Store:
        """The store of a round folder, migrated forward; refused when it is missing or newer."""
        if not (folder / STORE_NAME).is_file():
            raise StoreError(key="store_missing", folder=folder)
        return cls._connect(folder, create=False)

    @classmethod
    def _connect(cls, folder: Path, create: bool) -> Store:
        db = sqlite3.connect(folder / STORE_NAME, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            # NORMAL: in WAL mode a commit is atomic and survives the process being killed; a
            # receive flushes the log to the disk once per batch (make_durable) instead of
            # paying a disk flush for every file's commit.
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            store = cls(folder, db)
            store._migrate()
        except sqlite3.DatabaseError as exc:
            db.close()
            raise StoreError(key="store_unusable", folder=folder, reason=str(exc)) from exc
        except BaseException:
            db.close()
            raise
        return store

    def _migrate(self) -> None:
        # Read first: a store already current (nearly every open) takes no write lock, so the
        # web page's readers and a receive never wait on one another's opening.
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(key="store_newer", folder=self.folder, version=version, ours=SCHEMA_VERSION)
        if version == SCHEMA_VERSION:
            return
        with self._write():
            version = self._db.execute("PRAGMA user_version").fetchone()[0]  # again, under the lock
            if version > SCHEMA_VERSION:
                raise StoreError(key="store_newer", folder=self.folder, version=version, ours=SCHEMA_VERSION)
            for number in range(version, SCHEMA_VERSION):
                for statement in _statements(_MIGRATIONS[number]):
                    self._db.execute(statement)
            if version != SCHEMA_VERSION:
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def make_durable(self) -> None:
        """Everything committed so far written through to the disk: the write-ahead log
        flushed, as a FULL-synchronous commit would have done for each transaction. (A
        checkpoint would do it too, but waits for every reader, such as the web page.)"""
        wal = self.folder / (STORE_NAME + "-wal")
        with contextlib.suppress(FileNotFoundError), open(wal, "rb+") as fh:
            os.fsync(fh.fileno())

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction, taken at once (IMMEDIATE): all of it is written, or none."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- submissions --------------------------------------------------------------------------

    def has(self, sha256: str) -> bool:
        return self._db.execute("SELECT 1 FROM submission WHERE sha256 = ?", (sha256,)).fetchone() is not None

    def add(self, new: NewSubmission, status: Status, issues: Sequence[Issue], figures: Sequence[Reported],
            version: int, actor: str, replaces: int | None) -> int | None:
        """Record a received file and its verdict in one transaction; None when its bytes are
        already in the store (received before, or by another command a moment ago)."""
        with self._write() as db:
            if db.execute("SELECT 1 FROM submission WHERE sha256 = ?", (new.sha256,)).fetchone():
                return None
            at = utc_text(now_utc())
            cursor = db.execute(
                "INSERT INTO submission (sha256, stored_as, original_name, size, unit_code, round_id, received_at, "
                "received_source, sender, origin, modified, made_from, is_return) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (new.sha256, new.stored_as, new.original_name, new.size, new.unit_code, new.round_id,
                 utc_text(new.received), new.received_source, new.sender, new.origin,
                 None if new.modified is None else utc_text(new.modified), new.made_from, int(new.is_return)))
            number = cursor.lastrowid
            self._event(db, at, actor, "received", new.unit_code, number,
                        {"file": new.original_name, "sha256": new.sha256, "received": utc_text(new.received),
                         "source": new.received_source, "sender": new.sender, "origin": new.origin})
            self._verdict(db, number, version, status, issues, figures, at, actor, new.unit_code)
            if replaces is not None:
                self._event(db, at, actor, "replaced", new.unit_code, replaces, {"by": number})
            return number

    def add_verdicts(self, verdicts: Sequence[tuple[int, Status, Sequence[Issue], Sequence[Reported], str | None]],
                     version: int, actor: str) -> None:
        """New verdicts on stored files (judged again against a newer catalog), one transaction."""
        with self._write() as db:
            at = utc_text(now_utc())
            for number, status, issues, figures, unit in verdicts:
                self._verdict(db, number, version, status, issues, figures, at, actor, unit)

    def _verdict(self, db, number: int, version: int, status: Status, issues: Sequence[Issue],
                 figures: Sequence[Reported], at: str, actor: str, unit: str | None) -> None:
        db.execute("INSERT INTO verdict (submission, catalog_version, judged_at, status, issues, figures) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   (number, version, at, str(status), issues_json(issues),
                    json.dumps([[f.indicator_code, f.result, f.estimate] for f in figures])))
        self._event(db, at, actor, "judged", unit, number,
                    {"status": str(status), "version": version,
                     "errors": sum(i.severity == "error" for i in issues),
                     "warnings": sum(i.severity == "warning" for i in issues)})

    def submissions(self, unit_code: str | None = None, figures: bool = True,
                    number: int | None = None) -> list[StoredSubmission]:
        """Every received file with its latest verdict, in the order received (a unit's, or the
        one with that receipt number, if given). `figures`: with the figures read (history's
        changes); the round's standing needs none."""
        where, args = ("WHERE s.unit_code = ?", (unit_code,)) if unit_code else ("", ())
        if number is not None:
            where, args = "WHERE s.id = ?", (number,)
        rows = self._db.execute(
            "SELECT s.id, s.sha256, s.stored_as, s.original_name, s.size, s.unit_code, s.round_id, s.received_at, "
            "s.received_source, s.sender, s.origin, s.modified, s.made_from, s.is_return, "
            f"v.catalog_version, v.judged_at, v.status, v.issues, {'v.figures' if figures else quote('[]')} "
            "FROM submission s JOIN verdict v ON v.id = "
            "(SELECT max(id) FROM verdict WHERE verdict.submission = s.id) "
            f"{where} ORDER BY s.received_at, s.id", args)
        return [_stored(self.folder, row) for row in rows]

    def find(self, sha256: str) -> StoredSubmission | None:
        """The stored file with these bytes, if any."""
        row = self._db.execute("SELECT id FROM submission WHERE sha256 = ?", (sha256,)).fetchone()
        return None if row is None else self.submissions(number=row[0], figures=False)[0]

    def stored_files(self) -> list[tuple[int, str, Path]]:
        """(id, SHA-256, path) of every stored file."""
        return [(i, sha, self.folder / rel) for i, sha, rel in
                self._db.execute("SELECT id, sha256, stored_as FROM submission ORDER BY id")]

    # --- events -------------------------------------------------------------------------------

    def log(self, kind: str, actor: str, unit_code: str | None = None, submission: int | None = None,
            detail: Mapping[str, object] | None = None) -> None:
        with self._write() as db:
            self._event(db, utc_text(now_utc()), actor, kind, unit_code, submission, detail)

    @staticmethod
    def _event(db, at: str, actor: str, kind: str, unit_code: str | None = None, submission: int | None = None,
               detail: Mapping[str, object] | None = None) -> None:
        db.execute("INSERT INTO event (at, actor, kind, unit_code, submission, detail) VALUES (?, ?, ?, ?, ?, ?)",
                   (at, actor, kind, unit_code, submission, json.dumps(detail or {}, ensure_ascii=False)))

    def events(self, unit_code: str | None = None) -> list[Event]:
        where, args = ("WHERE unit_code = ?", (unit_code,)) if unit_code else ("", ())
        return [Event(number, _moment(at), actor, kind, unit, sub, json.loads(detail))
                for number, at, actor, kind, unit, sub, detail in
                self._db.execute(f"SELECT id, at, actor, kind, unit_code, submission, detail FROM event {where} "
                                 "ORDER BY id", args)]

    # --- checking -----------------------------------------------------------------------------

    def integrity(self) -> list[str]:
        """SQLite's own integrity check: an empty list when the file is sound."""
        rows = [r[0] for r in self._db.execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]


def quote(text: str) -> str:
    """A constant as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _statements(script: str) -> list[str]:
    """A migration's statements, for execute() one by one inside our own transaction
    (sqlite3's executescript would commit first). Triggers hold `;` in their bodies."""
    out, current = [], []
    for line in script.splitlines():
        current.append(line)
        text = "\n".join(current).strip()
        if text and sqlite3.complete_statement(text):
            out.append(text)
            current = []
    return out


def _stored(folder: Path, row) -> StoredSubmission:
    (number, sha, stored_as, name, size, unit, round_id, received, source, sender, origin, modified, made_from,
     is_return, version, judged_at, status, issues, figures) = row
    return StoredSubmission(
        number=number, sha256=sha, path=folder / stored_as, original_name=name, size=size, unit_code=unit,
        round_id=round_id, received=_moment(received), received_source=source, sender=sender, origin=origin,
        modified=_moment(modified), made_from=made_from, is_return=bool(is_return), judged_against=version,
        judged_at=_moment(judged_at), status=Status(status), issues=issues_back(issues), figures_json=figures)


def store_file_name(sha256: str, name: str) -> str:
    """Where a received file is kept, relative to the round folder: a folder per SHA-256
    (stored once), the file under the name it was sent with (made safe by the intake), so
    every list and annotated copy shows the unit's own name for it."""
    return f"{SUBMISSIONS}/{sha256}/{name}"


def make_read_only(path: Path) -> None:
    """Received bytes are evidence: nobody edits them in place by accident."""
    os.chmod(path, 0o444)
