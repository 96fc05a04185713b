"""What the web page asks of a round: one function per page, on the same library as the CLI.

A route of app.py parses the request, calls one method here, renders one template. The
methods are the commands' own steps — `rounds.receive`, `rounds.standing`,
`rounds.history`, `consolidate_round` and `write_outputs` — so a file uploaded here is
judged, kept and counted exactly as `consolidator receive` would, and the page and the
command line can work on one round at the same time (the store takes care of that).
"""

from __future__ import annotations

import secrets
import shutil
import threading
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from .. import formulas
from ..access import password_matches, unit_of_token
from ..consolidate import Consolidation
from ..mail import incoming, parse_received_at
from ..model import (Catalog, Event, Incoming, Issue, Receipt, ReceivedSource, Round, Status, StoredSubmission,
                     Unit, ValidationReport, Version)
from ..receiving import consolidate_round, open_round, receive, standing
from ..report import annotate_copies
from ..rollup import evaluation_kind
from ..rounds import RoundFolder, as_submission, history, record_consolidated
from ..safety import verify_xml_defences
from ..write import round_reminders, write_outputs
from .uploads import UploadedFile

# The outputs' names in the round folder, as `consolidator consolidate ROUND` writes them.
CONSOLIDATED = "tong-hop.xlsx"
DATA_TABLE = "du-lieu.csv"
SCRATCH = ".web"  # in the round folder: uploads being read, zips and copies being made


@dataclass(frozen=True)
class FigureLine:
    """One indicator's figures as a unit's file gave them, beside the catalog's target."""

    code: str
    name: str
    unit_of_measure: str
    target: str
    result: float | None
    estimate: float | None
    yes_no: bool = False  # a boolean indicator: 1 is Đạt, 0 Chưa đạt


@dataclass(frozen=True)
class UnitPage:
    """A unit's page: its round, itself, its own files (newest first), the latest one's
    verdict and figures, and the receipt of what it just sent, if it sent something."""

    round: Round
    unit: Unit
    versions: list[Version]
    latest: StoredSubmission | None
    figures: list[FigureLine]
    receipt: Receipt | None = None
    refused: tuple[Issue, ...] = ()


@dataclass(frozen=True)
class Glance:
    """The round at a glance for the office."""

    round: Round
    report: ValidationReport
    summary: dict
    days_left: int
    consolidated: Consolidation | None


@dataclass(frozen=True)
class UnitFile:
    """The office's view of one unit: every version, the events, the counted file's problems."""

    round: Round
    unit: Unit
    versions: list[Version]
    events: list[Event]


@dataclass(frozen=True)
class Bar:
    """One indicator on the progress chart, in percent: what it reached, what is expected by now."""

    label: str
    pct: float | None
    expected: float | None
    status: str


@dataclass
class Downloads:
    consolidated: Consolidation | None
    files: dict[str, Path] = field(default_factory=dict)  # name → path of what exists now


class RoundService:
    """One round folder served: the catalog read once (again when it changes), the last
    consolidation kept for the summary pages."""

    def __init__(self, folder: Path, lang: str = "vi"):
        self.folder = RoundFolder(Path(folder))
        self.folder.store().close()  # refuses a folder without a store, or a newer one
        self.lang = lang
        self.scratch = self.folder.path / SCRATCH
        self.scratch.mkdir(exist_ok=True)
        self._cached: tuple[tuple[int, int], Catalog, int] | None = None
        self._lock = threading.Lock()
        self._consolidating = threading.Lock()
        self.consolidation: Consolidation | None = None
        verify_xml_defences()  # before any unit's file is opened

    # --- the catalog --------------------------------------------------------------------------

    def catalog(self) -> tuple[Catalog, int]:
        """The current catalog and its version, read again only when catalog.xlsx changed."""
        stat = self.folder.catalog_path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if self._cached is None or self._cached[0] != stamp:
                catalog, version = open_round(self.folder)
                self._cached = (stamp, catalog, version)
            return self._cached[1], self._cached[2]

    # --- a unit's page ------------------------------------------------------------------------

    def unit_of(self, token: str) -> str | None:
        """The unit whose current link holds this token (None: a wrong, old or absent one)."""
        with self.folder.store() as store:
            unit = unit_of_token(store, token)
        catalog, _ = self.catalog()
        return unit if unit in catalog.unit_by_code else None

    def unit_page(self, unit_code: str, receipt: Receipt | None = None) -> UnitPage:
        catalog, _ = self.catalog()
        versions = history(self.folder, catalog, unit_code).get(unit_code, [])
        latest = versions[-1].submission if versions else None
        if receipt is not None and receipt.number is not None:
            latest = next((v.submission for v in versions if v.submission.number == receipt.number), latest)
        refused = tuple(receipt.notes) if receipt is not None and receipt.number is None else ()
        return UnitPage(catalog.round, catalog.unit_by_code[unit_code], list(reversed(versions)), latest,
                        figure_lines(catalog, unit_code, latest), receipt, refused)

    def unit_upload(self, unit_code: str, upload: UploadedFile) -> UnitPage:
        """A file sent at a unit's link, received as `receive` does (source UPLOAD, sender the link)."""
        catalog, version = self.catalog()
        now = datetime.now(timezone.utc)
        item = Incoming(name=upload.name, received=now, source=ReceivedSource.UPLOAD, sender=f"link:{unit_code}",
                        path=upload.path, origin="web", unit_hint=unit_code)
        said = [r for r in receive(self.folder, catalog, version, [item], who=f"link:{unit_code}")
                if isinstance(r, Receipt)]
        return self.unit_page(unit_code, said[0] if said else None)

    def annotated_copy(self, unit_code: str | None, number: int) -> tuple[Path, str] | None:
        """The annotated copy of a stored file (made on first asking), and the name to give it;
        None when the file is not the unit's (`unit_code` None: the office, any file) or has
        nothing to mark."""
        stored = self._stored(unit_code, number)
        if stored is None or stored.status != Status.INVALID:
            return None
        outdir = self.scratch / "ban-sua" / str(number)
        copy = outdir / stored.path.name
        if not copy.is_file():
            catalog, _ = self.catalog()
            report = ValidationReport(catalog, [as_submission(stored, counted=True, replaced=False)])
            made = annotate_copies(report, outdir, self.lang)
            if not made or made[0].path is None:
                return None
        return copy, f"ban-sua_{stored.original_name}"

    def stored_file(self, unit_code: str | None, number: int) -> tuple[Path, str] | None:
        stored = self._stored(unit_code, number)
        return None if stored is None else (stored.path, stored.original_name)

    def blank_appendix(self, unit_code: str) -> Path | None:
        """The appendix last generated for the unit, if it is still where generate wrote it."""
        with self.folder.store() as store:
            path = store.latest_appendix(unit_code)
        return path if path is not None and path.is_file() else None

    def _stored(self, unit_code: str | None, number: int) -> StoredSubmission | None:
        with self.folder.store() as store:
            return next((s for s in store.submissions(unit_code) if s.number == number), None)

    # --- the office ---------------------------------------------------------------------------

    def password_ok(self, password: str) -> bool:
        with self.folder.store() as store:
            return password_matches(store.password(), password)

    def log(self, kind: str, who: str) -> None:
        with self.folder.store() as store:
            store.log(kind, who)

    def glance(self, today: date | None = None) -> Glance:
        catalog, version = self.catalog()
        report = standing(self.folder, catalog, version)
        today = today or date.today()
        return Glance(catalog.round, report, report.summary(), (catalog.round.deadline - today).days,
                      self.consolidation)

    def unit_file(self, unit_code: str) -> UnitFile | None:
        catalog, _ = self.catalog()
        if unit_code not in catalog.unit_by_code:
            return None
        versions = history(self.folder, catalog, unit_code).get(unit_code, [])
        with self.folder.store() as store:
            events = store.events(unit_code)
        return UnitFile(catalog.round, catalog.unit_by_code[unit_code], list(reversed(versions)),
                        list(reversed(events)))

    def office_receive(self, uploads: Sequence[UploadedFile], received_at: str, who: str) -> list[Receipt | Issue]:
        """Files the office got by email (workbooks, or the .eml themselves), received as the
        CLI's receive does; `received_at` as typed (dd/mm/yyyy hh:mm), blank for now."""
        given = parse_received_at(received_at) if received_at.strip() else None
        catalog, version = self.catalog()
        kept = [u.path for u in uploads if u.path is not None]
        items: Iterable = incoming(kept, datetime.now(timezone.utc), given) if kept else []
        return list(receive(self.folder, catalog, version, items, who=who))

    def consolidate(self, who: str) -> Consolidation:
        """Roll the round up and write the workbook and the data table into the round folder."""
        with self._consolidating:
            catalog, version = self.catalog()
            result = consolidate_round(self.folder, catalog, version)
            output, data = self.folder.path / CONSOLIDATED, self.folder.path / DATA_TABLE
            write_outputs(result, output, data, self.lang)
            record_consolidated(self.folder, result.report, result.root, str(output), str(data))
            self.consolidation = result
            return result

    def downloads(self) -> Downloads:
        names = {CONSOLIDATED: self.folder.path / CONSOLIDATED, DATA_TABLE: self.folder.path / DATA_TABLE}
        return Downloads(self.consolidation, {n: p for n, p in names.items() if p.is_file()})

    def output(self, name: str) -> Path | None:
        """A file the office may download by name: the outputs, or a zip made now."""
        if name in (CONSOLIDATED, DATA_TABLE):
            path = self.folder.path / name
            return path if path.is_file() else None
        makers = {"phu-luc-da-nhan.zip": self._received_zip, "ban-sua.zip": self._annotated_zip,
                  "nhac-nho.zip": self._reminders_zip}
        return makers[name]() if name in makers else None

    def _received_zip(self) -> Path:
        """Every unit's files still before the office (not replaced), one folder a unit."""
        catalog, version = self.catalog()
        report = standing(self.folder, catalog, version)
        target = self.scratch / "phu-luc-da-nhan.zip"
        return _zip(target, [(s.path, f"{s.unit_code or '_'}/{s.path.parent.name[:8]}-{s.path.name}")
                             for s in report.submissions])

    def _annotated_zip(self) -> Path:
        catalog, version = self.catalog()
        report = standing(self.folder, catalog, version)
        outdir = self.scratch / "ban-sua-tat-ca"
        shutil.rmtree(outdir, ignore_errors=True)
        copies = annotate_copies(report, outdir, self.lang)
        by_source = {s.path: s for s in report.submissions}
        return _zip(self.scratch / "ban-sua.zip",
                    [(c.path, f"{by_source[c.source].unit_code or '_'}_{c.path.name}") for c in copies if c.path])

    def _reminders_zip(self) -> Path:
        """The reminder emails (.eml, ready to send from the office's mail program) and the
        call list, as `consolidator remind` writes them, each invalid unit's marked copy attached."""
        catalog, version = self.catalog()
        outdir = self.scratch / "nhac-nho"
        shutil.rmtree(outdir, ignore_errors=True)
        done = round_reminders(self.folder, catalog, version, outdir, self.lang)
        return _zip(self.scratch / "nhac-nho.zip",
                    [(r.path, r.path.name) for r in done.emails] + [(done.call_list, done.call_list.name)])

    def chart(self) -> list[Bar]:
        """The root's indicators as bars (progress and what is expected by now), from the last consolidation."""
        c = self.consolidation
        if c is None:
            return []
        bars, e = [], c.catalog.round.elapsed_share
        for ind in c.present_indicators:
            row = c.shown_row(c.root, ind.code)
            if row is None:
                continue
            direction, measure = evaluation_kind(ind, row.is_rollup)
            bars.append(Bar(ind.name, formulas.progress_pct(direction, measure, row.target, row.result),
                            formulas.expected_pct(direction, measure, row.target, e, row.baseline),
                            row.evaluation.status))
        return bars


def figure_lines(catalog: Catalog, unit_code: str, stored: StoredSubmission | None) -> list[FigureLine]:
    """The figures a file gave, indicator by indicator, in the appendix's order."""
    if stored is None:
        return []
    given = {code: (result, estimate) for code, result, estimate in stored.figures}
    out = []
    for target in catalog.targets_by_unit.get(unit_code, ()):
        if target.indicator_code not in given:
            continue
        ind = catalog.indicator_by_code[target.indicator_code]
        result, estimate = given[target.indicator_code]
        out.append(FigureLine(ind.code, ind.name, ind.unit_of_measure, target.text, result, estimate,
                              ind.direction == formulas.BOOLEAN))
    return out


def _zip(target: Path, members: Sequence[tuple[Path, str]]) -> Path:
    partial = target.parent / f".{secrets.token_hex(8)}.part"  # two downloads at once each make their own
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, arcname in members:
            if path.is_file():
                zf.write(path, arcname)
    partial.replace(target)
    return target
