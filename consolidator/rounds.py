"""A round folder (DESIGN.md §7): the catalog, the store and the received files, and what is
decided from the store's records — which file counts, the round's standing, a unit's history,
the check.

Which file counts for a unit is worked out from the records every time (the newest
received), never kept as a flag to update, so a receive killed half-way cannot leave two
counted files. This module reads no workbook and imports no pandas: `status` on a round of
10,000 units answers from the store alone (receiving.py reads and judges files).
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .fileio import sha256_file
from .numbers import parse_target
from .model import (Catalog, Decision, FigureChange, Issue, ReceivedSource, Roster, StoredSubmission, Submission,
                    ValidationReport, Version, make_issue, unit_statuses)
from .store import CATALOG_NAME, STORE_NAME, Store, StoreError, now_utc


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

    def known_roster(self) -> tuple[Roster, int] | None:
        """The current catalog's roster and version id, when the store has seen this catalog
        (by its SHA-256) — without reading the catalog workbook; None when it has not."""
        if not self.catalog_path.is_file():
            raise StoreError(key="round_no_catalog", folder=self.path)
        digest = hashlib.sha256(self.catalog_path.read_bytes()).hexdigest()
        with self.store() as store:
            found = store.known_version(digest, decided_key(store.decisions()))
        return None if found is None else (found[1], found[0])


def decided_key(decisions: Sequence[Decision]) -> str:
    """Which decisions a catalog version has applied: their numbers ("" none)."""
    return ",".join(str(d.number) for d in decisions)


def latest_decisions(decisions: Sequence[Decision]) -> dict[tuple[str, str], Decision]:
    """The decision in force on each proposal (unit, indicator): the last one recorded."""
    return {(d.unit_code, d.indicator_code): d for d in decisions}


def apply_decisions(catalog: Catalog, decisions: Sequence[Decision]) -> Catalog:
    """The catalog with the approved targets in place of the original ones (DESIGN.md §9);
    a refused proposal changes nothing."""
    approved = {key: d for key, d in latest_decisions(decisions).items() if d.approved}
    if not approved:
        return catalog
    targets = []
    for t in catalog.targets:
        d = approved.get((t.unit_code, t.indicator_code))
        value = parse_target(d.approved_target) if d else None
        targets.append(replace(t, text=value.text, low=value.low, high=value.high) if value else t)
    return replace(catalog, targets=tuple(targets))


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


def record_generated(folder: RoundFolder, version: int, generated: Sequence,
                     links: Mapping[str, str] | None = None) -> None:
    """Which catalog version each generated appendix was made from (by its fingerprint), and
    the units' new links (unit → token SHA-256), which retire their old ones."""
    at = now_utc()
    with folder.store() as store:
        store.record_appendices(version, [(g.unit_code, g.fingerprint, at, str(Path(g.path).resolve()))
                                          for g in generated], actor(), links)


def record_consolidated(folder: RoundFolder, report: ValidationReport, root: str, output: str,
                        data_out: str | None) -> None:
    """The event of a consolidation: what was written, from which counted files."""
    summary = report.summary()
    with folder.store() as store:
        store.log("consolidated", actor(), root, detail={
            "output": str(output), "data_out": data_out, "units_valid": summary["units_valid"],
            "units_expected": summary["units_expected"],
            "counted": [s.sha256 for s in report.submissions if s.counted]})


def appendix_finder(folder: RoundFolder) -> Callable[[str], Path | None]:
    """unit code → the appendix last generated for it, while it is still where it was written."""
    with folder.store() as store:
        found = {code: store.latest_appendix(code) for code in store.appendix_units()}
    return lambda code: found.get(code) if found.get(code) and found[code].is_file() else None


# --- which file counts ---------------------------------------------------------------------------


def ranked(catalog: Catalog | Roster,
           stored: Sequence[StoredSubmission]) -> tuple[dict[str, StoredSubmission], set[int]]:
    """The counted file of each unit (the newest received of this round's returns) and the
    numbers of the files it replaced (its unit's files received before it).

    A unit's file received after its counted one that cannot count (an empty appendix,
    another round's) stays before the office as the latest news, not as replaced.
    """
    counted: dict[str, StoredSubmission] = {}
    for s in stored:
        newer = s.unit_code not in counted or newness(s) > newness(counted[s.unit_code])
        if newer and can_count(catalog, s.unit_code, s.is_return, s.round_id):
            counted[s.unit_code] = s
    replaced = {s.number for s in stored
                if s.unit_code in counted and s is not counted[s.unit_code]
                and newness(s) < newness(counted[s.unit_code])}
    return counted, replaced


def can_count(catalog: Catalog | Roster, unit_code: str | None, is_return: bool, round_id: str | None) -> bool:
    """Whether a file can be its unit's counted one: a unit that must report, something typed
    in it, and of this round (or saying no round at all)."""
    return unit_code in catalog.reporting_codes and is_return and round_id in (None, catalog.round.round_id)


def newness(s: StoredSubmission) -> tuple:
    """Which of a unit's files is newest: received last, then saved last, then recorded last."""
    return (s.received, s.modified or s.received, s.number)


def current(catalog: Catalog | Roster, stored: Sequence[StoredSubmission]) -> tuple[list[StoredSubmission], set[int]]:
    """The files still before the office (every unit's counted one, those of no known unit,
    those newer than the counted one) and the numbers of the counted ones."""
    counted, replaced = ranked(catalog, stored)
    return [s for s in stored if s.number not in replaced], {s.number for s in counted.values()}


def recorded_standing(folder: RoundFolder, roster: Roster, version: int) -> ValidationReport | None:
    """The round's standing from the verdicts the store recorded; None when one of them was
    judged against another catalog version (receiving.standing judges it again)."""
    with folder.store() as store:
        stored = store.submissions(figures=False)
    files, counted = current(roster, stored)
    if any(s.judged_against != version for s in files):
        return None
    submissions = [as_submission(s, s.number in counted, False) for s in files]
    return ValidationReport(roster, submissions, unit_statuses(roster, submissions))


def as_submission(s: StoredSubmission, counted: bool, replaced: bool) -> Submission:
    """A stored file as the report and the workbooks show it, from its latest verdict."""
    return Submission(path=s.path, unit_code=s.unit_code, round_id=s.round_id, status=s.status, issues=s.issues,
                      received=s.received, modified=s.modified, sha256=s.sha256, counted=counted,
                      received_source=ReceivedSource(s.received_source), replaced=replaced)


# --- history and the check -------------------------------------------------------------------------


def history(folder: RoundFolder, catalog: Catalog | Roster,
            unit_code: str | None = None) -> dict[str | None, list[Version]]:
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


def recorded_decisions(folder: RoundFolder, unit_code: str | None = None) -> list[Decision]:
    """The decisions recorded on proposed targets, oldest first; a unit's only, if given."""
    with folder.store() as store:
        return [d for d in store.decisions() if unit_code is None or d.unit_code == unit_code]


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
