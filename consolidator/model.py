"""Domain objects named as in DESIGN.md §2. pandas lives inside the steps; these travel between them."""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from . import formulas
from .messages import render, severity_of


@dataclass(frozen=True)
class Round:
    """One reporting exercise (đợt sơ kết)."""

    round_id: str
    title: str
    organisation: str
    baseline_year: int
    target_year: int
    cutoff_date: date
    deadline: date
    low_threshold: float = formulas.DEFAULT_LOW_THRESHOLD
    allow_target_changes: bool = False
    expected_progress: float | None = None
    lang: str = "vi"
    place: str = ""  # the date line's place ("Lai Châu, ngày … tháng … năm 2023"); optional
    office_email: str = ""  # the office's address, the From of its reminders; optional, as typed

    @property
    def elapsed_share(self) -> float:
        """e of DESIGN.md §3: the round's override, else computed from the dates."""
        if self.expected_progress is not None:
            return self.expected_progress
        return formulas.elapsed_share(self.baseline_year, self.target_year, self.cutoff_date)

    @property
    def estimate_year(self) -> int:
        """The year whose whole-year estimate is asked for ("Ước thực hiện cả năm 2023")."""
        return self.cutoff_date.year


@dataclass(frozen=True, slots=True)
class Unit:
    """An organisation in the tree (đơn vị)."""

    code: str
    name: str
    parent_code: str | None = None
    # The party organisation this unit heads ("Đảng bộ tỉnh Lai Châu" for "Tỉnh ủy Lai Châu"):
    # what its children's header blocks name on top (DESIGN.md §6). Blank: its name is used.
    organisation_name: str = ""
    # Whom the office calls or writes to when the unit is missing or must send again
    # (reminders). As typed: `email` may hold several addresses ("a@x.vn; b@y.vn"), `phone`
    # is text, its leading zero kept. Blank: not known.
    contact_name: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True, slots=True)
class Indicator:
    """A main indicator (chỉ tiêu) of a congress resolution."""

    code: str
    name: str
    group: str
    unit_of_measure: str
    direction: str
    measure: str
    aggregation: str
    decimals: int = 1

    @property
    def weight_code(self) -> str | None:
        return formulas.weight_indicator(self.aggregation)

    @property
    def is_percent(self) -> bool:
        """Whether values are percentages (the unit of measure starts with %)."""
        return self.unit_of_measure.replace(" ", "").startswith("%")


@dataclass(frozen=True, slots=True)
class Target:
    """A unit's 2025 target for an indicator, as the catalog writes it."""

    unit_code: str
    indicator_code: str
    text: str
    low: float | None
    high: float | None
    baseline: float | None = None

    @property
    def is_range(self) -> bool:
        return self.low != self.high

    def bound(self, direction: str) -> float | None:
        """t of DESIGN.md §3: the numeric bound that must be reached."""
        return formulas.target_bound(self.low, self.high, direction)


_NO_TARGETS: Mapping[str, Target] = MappingProxyType({})


# Floats are held as doubles, a missing one as NaN (no figure, target or share is ever NaN:
# the reader takes a NaN or an infinity for #NUM!); an Evaluation's `achieved` as 0, 1 or 2 (unknown).
_MISSING = float("nan")
_ACHIEVED = (False, True, None)
_STATUS_AT = {status: n for n, status in enumerate(formulas.STATUSES)}
_ROW_FLOATS = ("target", "baseline", "result", "estimate", "coverage", "target_all")


def _float(value: float | None) -> float:
    return _MISSING if value is None else value


def _index(at: dict[str, int], values: list[str], value: str) -> int:
    n = at.get(value)
    if n is None:
        n = at[value] = len(values)
        values.append(value)
    return n


def _item(columns: Sequence, n, at: Callable[[int], object], collect: Callable = tuple):
    """`columns[n]` of a sequence held as columns, `at(k)` making its k-th item: a slice as
    `collect` (a tuple, as the tuple it stands for slices; Rows stand for a list)."""
    if isinstance(n, slice):
        return collect(at(k) for k in range(*n.indices(len(columns))))
    if n < 0:
        n += len(columns)
    if not 0 <= n < len(columns):
        raise IndexError(n)
    return at(n)


class Targets(Sequence[Target]):
    """A catalog's targets, held as columns: a code a small integer, a bound a double.

    At ten thousand units a catalog has 300,000 targets; as one Target each, with their
    floats and the lookups by unit, they held ~70 MB of the parent's memory for the whole
    run, shared or copied by every process it forked. A Target is made when asked for.
    """

    __slots__ = ("_units", "_indicators", "_unit", "_indicator", "_texts", "_numbers", "_of_unit", "_where",
                 "_unit_at", "_indicator_at")

    def __init__(self, targets: Iterable[Target] = ()):
        self._fill((t.unit_code, t.indicator_code, t.text, t.low, t.high, t.baseline) for t in targets)

    @classmethod
    def of(cls, fields: Iterable[tuple]) -> Targets:
        """From each target's fields in Target's order, no Target made (the catalog's 300,000)."""
        targets = cls.__new__(cls)
        targets._fill(fields)
        return targets

    def _fill(self, fields: Iterable[tuple]) -> None:
        self._units: list[str] = []
        self._indicators: list[str] = []
        self._unit_at: dict[str, int] = {}
        self._indicator_at: dict[str, int] = {}
        text_of: dict[str, str] = {}  # one string for each distinct target text ("≥ 95", "Đạt")
        self._unit, self._indicator, self._numbers = array("i"), array("i"), array("d")
        texts = []
        for unit_code, indicator_code, text, low, high, baseline in fields:
            self._unit.append(_index(self._unit_at, self._units, unit_code))
            self._indicator.append(_index(self._indicator_at, self._indicators, indicator_code))
            texts.append(text_of.setdefault(text, text))
            self._numbers.extend((_float(low), _float(high), _float(baseline)))
        self._texts = tuple(texts)
        self._of_unit: dict[str, array] | None = None
        self._where: array | None = None

    def __len__(self) -> int:
        return len(self._unit)

    def __getitem__(self, n):
        return _item(self, n, self._at)

    def _at(self, n: int) -> Target:
        numbers = self._numbers
        low, high, baseline = numbers[3 * n], numbers[3 * n + 1], numbers[3 * n + 2]
        return Target(self._units[self._unit[n]], self._indicators[self._indicator[n]], self._texts[n],
                      low if low == low else None, high if high == high else None,
                      baseline if baseline == baseline else None)

    def __iter__(self):
        return map(self._at, range(len(self)))

    def of_unit(self, unit_code: str) -> tuple[Target, ...]:
        """A unit's targets, in the order the catalog lists them."""
        return tuple(map(self._at, self._places(unit_code)))

    def find(self, unit_code: str, indicator_code: str) -> Target | None:
        """A unit's target of an indicator, the last the catalog lists (none: None)."""
        if self._where is None:
            # a place for each unit × indicator: 1.2 MB at ten thousand units
            self._where = array("i", [-1]) * (len(self._units) * len(self._indicators))
            width = len(self._indicators)
            for n, (u, i) in enumerate(zip(self._unit, self._indicator)):
                self._where[u * width + i] = n
        u, i = self._unit_at.get(unit_code), self._indicator_at.get(indicator_code)
        n = -1 if u is None or i is None else self._where[u * len(self._indicators) + i]
        return None if n < 0 else self._at(n)

    def _places(self, unit_code: str) -> array | tuple:
        if self._of_unit is None:
            places: dict[str, array] = {}
            for n, u in enumerate(self._unit):
                places.setdefault(self._units[u], array("i")).append(n)
            self._of_unit = places
        return self._of_unit.get(unit_code, ())

    def unit_codes(self) -> list[str]:
        """The units with a target, in the order their first target comes."""
        return list(self._units)

    def __eq__(self, other) -> bool:
        if isinstance(other, (Targets, tuple, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash((tuple(self._units), tuple(self._indicators), self._unit.tobytes(), self._indicator.tobytes(),
                     self._texts, self._numbers.tobytes()))

    def __add__(self, other: Sequence[Target]) -> tuple[Target, ...]:
        return (*self, *other)  # as a tuple of targets adds

    def __radd__(self, other: Sequence[Target]) -> tuple[Target, ...]:
        return (*other, *self)

    def __repr__(self) -> str:
        return f"Targets({len(self)} targets)"


class _TargetsByUnit(Mapping[str, tuple[Target, ...]]):
    """Unit code → its targets in catalog indicator order, made on each look-up (Targets)."""

    def __init__(self, targets: Targets, order: Mapping[str, int]):
        self._targets, self._order = targets, order
        self._codes = frozenset(targets.unit_codes())

    def __getitem__(self, unit_code: str) -> tuple[Target, ...]:
        if unit_code not in self._codes:
            raise KeyError(unit_code)
        return tuple(sorted(self._targets.of_unit(unit_code), key=lambda t: self._order[t.indicator_code]))

    def __contains__(self, unit_code: object) -> bool:
        return unit_code in self._codes

    def __iter__(self):
        return iter(self._targets.unit_codes())

    def __len__(self) -> int:
        return len(self._codes)


@dataclass(frozen=True)
class Catalog:
    """Everything the office describes for a round: the round, the tree, indicators, targets."""

    round: Round
    units: tuple[Unit, ...]
    indicators: tuple[Indicator, ...]
    targets: Targets  # (a tuple of Target is taken too, and held as columns)
    # What is odd but does not stop the round (a malformed email address), each by its cell:
    # the catalog is used, and the office is told.
    warnings: tuple[Issue, ...] = ()
    # The optional `mapping` sheet: (the parent round's indicator code, ours), for reporting up
    # into an appendix whose codes are not ours (DESIGN.md §9).
    mapping: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        if not isinstance(self.targets, Targets):
            object.__setattr__(self, "targets", Targets(self.targets))

    @cached_property
    def unit_by_code(self) -> Mapping[str, Unit]:
        return MappingProxyType({u.code: u for u in self.units})

    @cached_property
    def mapped_from_parent(self) -> Mapping[str, str]:
        """The parent's indicator code → ours, as the mapping sheet says."""
        return MappingProxyType(dict(self.mapping))

    def ours(self, parent_indicator_code: str) -> str | None:
        """Our indicator for a code of the parent's appendix: by the mapping sheet, else the same code."""
        mapped = self.mapped_from_parent.get(parent_indicator_code)
        if mapped is not None:
            return mapped
        return parent_indicator_code if parent_indicator_code in self.indicator_by_code else None

    @cached_property
    def reporting_codes(self) -> frozenset[str]:
        """The codes of the units asked to submit."""
        return frozenset(self.targets_by_unit)

    @property
    def roster(self) -> Roster:
        return Roster(self.round, self.units, self.reporting_codes)

    @cached_property
    def indicator_by_code(self) -> Mapping[str, Indicator]:
        return MappingProxyType({i.code: i for i in self.indicators})

    def target(self, unit_code: str, indicator_code: str) -> Target | None:
        """A unit's own target of an indicator, if the catalog sets one."""
        return self._recently((unit_code, indicator_code), lambda: self.targets.find(unit_code, indicator_code))

    def unit_targets(self, unit_code: str) -> Mapping[str, Target]:
        """A unit's own targets by indicator code (none for a unit without targets)."""
        def made() -> Mapping[str, Target]:
            targets = self.targets.of_unit(unit_code)  # a later one of an indicator wins, as in a dict
            return MappingProxyType({t.indicator_code: t for t in targets}) if targets else _NO_TARGETS

        return self._recently(unit_code, made)

    def _recently(self, key: str | tuple[str, str], make: Callable[[], object]):
        """What `make` gave for `key`, kept among the last 4,096 asked for (a unit's targets by
        its code, one target by unit and indicator): the units and rows at hand, a file's or a
        sheet's, are asked of a few times each; the Targets are made again when asked after."""
        recent = self._recent_targets
        if key not in recent:
            if len(recent) >= 4096:
                recent.clear()
            recent[key] = make()
        return recent[key]

    @cached_property
    def _recent_targets(self) -> dict:
        return {}

    @cached_property
    def targets_by_unit(self) -> Mapping[str, tuple[Target, ...]]:
        """Each unit's targets in catalog indicator order, made when a unit's are asked for."""
        return _TargetsByUnit(self.targets, {i.code: n for n, i in enumerate(self.indicators)})

    @cached_property
    def children(self) -> Mapping[str | None, tuple[str, ...]]:
        kids: dict[str | None, list[str]] = {}
        for u in self.units:
            kids.setdefault(u.parent_code, []).append(u.code)
        return MappingProxyType({k: tuple(v) for k, v in kids.items()})

    @property
    def root(self) -> Unit:
        return next(u for u in self.units if u.parent_code is None)

    @property
    def reporting_units(self) -> tuple[Unit, ...]:
        """Units asked to submit: those with targets of their own."""
        return tuple(u for u in self.units if u.code in self.reporting_codes)

    @cached_property
    def levels(self) -> Mapping[str, int]:
        """Every unit's depth in the tree, the root at 0, worked out once from the root down."""
        depth = {}
        todo = [(code, 0) for code in self.children.get(None, ())]
        while todo:
            code, d = todo.pop()
            depth[code] = d
            todo.extend((child, d + 1) for child in self.children.get(code, ()))
        return MappingProxyType(depth)

    def level(self, unit_code: str) -> int:
        """Depth in the tree, the root at 0."""
        return self.levels[unit_code]

    def parent_name(self, unit_code: str) -> str:
        parent = self.unit_by_code[unit_code].parent_code
        return self.unit_by_code[parent].name if parent else self.round.organisation

    def parent_organisation(self, unit_code: str) -> str:
        """The top line of a unit's header block: the party organisation directly above it.

        The parent's `organisation_name` when the catalog gives one, else its name; the
        root's is the round's `organisation` (DESIGN.md §6).
        """
        parent = self.unit_by_code[unit_code].parent_code
        if parent is None:
            return self.round.organisation
        above = self.unit_by_code[parent]
        return above.organisation_name or above.name


@dataclass(frozen=True)
class Roster:
    """A catalog without its indicators and targets: the round and who must submit. What a
    round's standing needs, and what the store keeps of each catalog version, so `status`
    on a province of 10,000 units answers without reading 300,000 targets."""

    round: Round
    units: tuple[Unit, ...]
    reporting_codes: frozenset[str]

    @cached_property
    def unit_by_code(self) -> Mapping[str, Unit]:
        return MappingProxyType({u.code: u for u in self.units})

    @cached_property
    def reporting_units(self) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.code in self.reporting_codes)

    def to_json(self) -> dict[str, object]:
        return {"round": {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(self.round).items()},
                "units": [asdict(u) for u in self.units], "reporting": sorted(self.reporting_codes)}

    @classmethod
    def from_json(cls, data: Mapping) -> Roster:
        kept = dict(data["round"])
        for key in ("cutoff_date", "deadline"):
            kept[key] = date.fromisoformat(kept[key])
        return cls(Round(**kept), tuple(Unit(**u) for u in data["units"]), frozenset(data["reporting"]))


ERROR, WARNING = "error", "warning"


class Status(StrEnum):
    """A returned file's verdict."""

    VALID = "valid"
    INVALID = "invalid"
    UNREADABLE = "unreadable"


class UnitState(StrEnum):
    """An expected unit's standing: its counted file's verdict, or missing."""

    VALID = "valid"
    INVALID = "invalid"
    UNREADABLE = "unreadable"
    MISSING = "missing"


class CellState(StrEnum):
    """What an input cell holds, as the reader classified it (validate.py turns states into issues)."""

    OK = "ok"
    BLANK = "blank"  # or a dash: no data yet
    WORD = "word"
    NOT_BOOLEAN = "not-boolean"
    FORMULA_NO_CACHE = "formula-no-cache"
    ERROR_VALUE = "error-value"
    AMBIGUOUS = "ambiguous"
    DATE = "date"


class ReceivedSource(StrEnum):
    """Where a file's received time came from (DESIGN.md §3), best first."""

    SAVED = "saved"  # the workbook's own last-saved time
    FILE = "file"  # the file's modification time
    # A round's store records the real one (DESIGN.md §7), and then these are used instead.
    UPLOAD = "upload"  # the moment the web page took the unit's upload
    EMAIL = "email"  # the Date of the .eml/.mbox message it came attached to
    GIVEN = "given"  # the time the clerk typed (`receive --received-at`)
    INTAKE = "intake"  # the moment of `receive`, when nothing better is known


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in a catalog or a submission: a stable code and where it is.

    The message is rendered from the code's template in messages.toml, in the reader's
    language, so the same issue reads in Vietnamese for the unit and English for a log.
    """

    code: str
    severity: str
    sheet: str | None = None
    cell: str | None = None
    indicator_code: str | None = None
    value: object = None
    params: Mapping[str, object] = field(default_factory=dict)

    def message(self, lang: str = "vi") -> str:
        return render(self.code, lang, sheet=self.sheet, cell=self.cell, value=self.value,
                      indicator_code=self.indicator_code, **self.params)

    def to_dict(self, lang: str = "vi") -> dict[str, object]:
        value = self.value
        if value is not None and not isinstance(value, (str, int, float, bool)):
            value = str(value)
        return {
            "severity": self.severity,
            "code": self.code,
            "sheet": self.sheet,
            "cell": self.cell,
            "indicator_code": self.indicator_code,
            "value": value,
            "message": self.message(lang),
        }


def make_issue(code: str, **kwargs: object) -> Issue:
    """An Issue with the severity its code is registered with."""
    params = kwargs.pop("params", None) or {}
    return Issue(code=code, severity=severity_of(code), params=params, **kwargs)  # type: ignore[arg-type]


# --- what passes between the steps: read → validate → consolidate → write -------------------------


@dataclass(frozen=True)
class Incoming:
    """One file arriving at a round's store: from the disk, an email or an upload.

    Exactly one of `path` and `data` is set. `name` is the name it was sent under, made
    safe (a plain file name, never a path): it is shown to people, never opened as given.
    """

    name: str
    received: datetime  # aware, UTC
    source: ReceivedSource
    sender: str = ""  # an email's From, or "link:<unit code>" for the web page
    path: Path | None = None
    data: bytes | None = None
    origin: str = ""  # where it came from, for messages: "thu.eml", "hop-thu.mbox #12"
    notes: tuple[Issue, ...] = ()  # said about its arrival (a Date in the future replaced)
    unit_hint: str | None = None  # the unit whose link it came through (web page)

@dataclass(frozen=True)
class Identity:
    """Which round and unit a file says it belongs to, and how we know."""

    round_id: str | None
    unit_code: str | None
    template_version: str | None = None
    fingerprint: str | None = None
    source: str = "metadata"  # "metadata", "header", "file name" or "none"
    generated_at: datetime | None = None  # when the file was generated (UTC), if it says
    # What was locked at generation (layout.locked_content rows), when the hidden sheet holds
    # it and it matches the fingerprint; empty otherwise (an older template, or tampered).
    locked: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class CellReading:
    """One input cell: what the unit typed, read as the indicator needs it."""

    value: float | None
    state: CellState
    raw: object = None


@dataclass(frozen=True)
class RowReading:
    """One indicator row (or extra indicator row) of a returned appendix."""

    kind: str  # "indicator" or "extra"
    excel_row: int
    indicator_code: str | None
    letters: Mapping[str, str]
    result: CellReading
    estimate: CellReading
    proposed_target: str
    proposed_state: str  # ok, blank, bad
    note: str
    target_raw: object = None
    target_state: str = "same"  # same, changed
    baseline_raw: object = None
    baseline_expected: float | None = None
    baseline_state: str = "same"
    name: str = ""
    unit_of_measure: str = ""
    extra_target: str = ""
    extra_target_state: str = "blank"  # ok, blank, bad
    # an indicator row's target as the file was generated with it (what "changed" is judged
    # against), for a message about a changed one
    target_text: str = ""


@dataclass(frozen=True)
class FileReading:
    """Everything read from one workbook, before validation."""

    identity: Identity
    sheet: str | None
    rows: tuple[RowReading, ...] = ()
    issues: tuple[Issue, ...] = ()
    modified: datetime | None = None


@dataclass(frozen=True)
class ReadOutcome:
    """What reading one file gave: its table, or the reason it could not be read."""

    path: Path
    reading: FileReading | None
    unreadable: Issue | None
    received: datetime
    sha256: str


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
    # A figure that is itself a partial rollup (a province's, from its data table): the
    # rollup it goes into is partial too (DESIGN.md §3, "partiality carries upward").
    partial: bool = False


class Readings(Sequence[Reported]):
    """One file's reported values (a Reported a row), held as columns.

    At ten thousand files, 300,000 Reported with their floats cost ~50 MB of the parent's
    memory for the whole run, and the processes forked to write the outputs shared or
    copied every page of them. As columns a file's thirty values cost ~1.5 KB. A Reported is
    made when one is asked for, and not kept.
    """

    __slots__ = ("_codes", "_rows", "_numbers", "_texts", "_flags")

    def __init__(self, values: Iterable[Reported] = ()):
        self._fill((v.indicator_code, v.excel_row, v.result, v.estimate, v.proposed_target, v.note, v.has_error,
                    v.partial) for v in values)

    @classmethod
    def of(cls, fields: Iterable[tuple]) -> Readings:
        """From each value's fields in Reported's order, no Reported made."""
        readings = cls.__new__(cls)
        readings._fill(fields)
        return readings

    def _fill(self, fields: Iterable[tuple]) -> None:
        codes, rows, numbers, texts, flags = [], array("i"), array("d"), [], bytearray()
        for code, excel_row, result, estimate, proposed_target, note, has_error, partial in fields:
            codes.append(code)
            rows.append(excel_row)
            numbers.extend((_float(result), _float(estimate)))
            texts.extend((proposed_target, note))
            flags.append(has_error | partial << 1)
        self._codes, self._rows, self._numbers = tuple(codes), rows, numbers
        self._texts, self._flags = tuple(texts), bytes(flags)

    def __len__(self) -> int:
        return len(self._codes)

    def __getitem__(self, n):
        return _item(self, n, self._at)

    def _at(self, n: int) -> Reported:
        result, estimate = self._numbers[2 * n], self._numbers[2 * n + 1]
        flags = self._flags[n]
        return Reported(self._codes[n], self._rows[n], result if result == result else None,
                        estimate if estimate == estimate else None, self._texts[2 * n], self._texts[2 * n + 1],
                        bool(flags & 1), bool(flags & 2))

    def __iter__(self):
        return map(self._at, range(len(self)))

    def __eq__(self, other) -> bool:
        if isinstance(other, (Readings, tuple, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Readings({list(self)!r})"


@dataclass(frozen=True, slots=True)
class RootFigure:
    """A round's root figure of one indicator, as its parent sees it (DESIGN.md §9): its own
    result where it reported one, else its units' rollup, and how complete that rollup is.

    A yes/no indicator's `result` is 1 or 0: achieved or not (for a count of units achieving
    it, whether all of them did).
    """

    indicator_code: str
    result: float | None
    estimate: float | None
    is_rollup: bool
    partial: bool = False
    used: int = 0
    expected: int = 0


@dataclass(frozen=True)
class Unfilled:
    """An indicator of the parent's appendix that report-up left blank, and why (a label key)."""

    indicator_code: str
    name: str
    reason: str


@dataclass(frozen=True)
class FilledAppendix:
    """What report-up wrote: the parent's appendix for this round's root, filled."""

    path: Path
    round_id: str  # the parent's round
    unit_code: str  # this round's root as the parent's round names it
    unit_name: str
    rows: int  # the indicators of the parent's appendix
    filled: tuple[str, ...]  # the parent's indicator codes given a figure
    unfilled: tuple[Unfilled, ...]
    locked: tuple[str, ...] = ()  # cells left alone because they are locked ("E12")


@dataclass(frozen=True, slots=True)
class ExtraIndicator:
    """An indicator a unit added itself: listed, never aggregated."""

    excel_row: int
    name: str
    unit_of_measure: str
    target: str
    result: float | None
    note: str


class _IssueCounts:
    """The errors and warnings among a file's issues."""

    issues: tuple[Issue, ...]

    @property
    def errors(self) -> int:
        return sum(i.severity == "error" for i in self.issues)

    @property
    def warnings(self) -> int:
        return sum(i.severity == "warning" for i in self.issues)


@dataclass(frozen=True)
class Submission(_IssueCounts):
    """One returned workbook, read and checked."""

    path: Path
    unit_code: str | None
    round_id: str | None
    status: Status
    issues: tuple[Issue, ...]
    received: datetime
    modified: datetime | None
    sha256: str
    sheet: str | None = None
    values: Sequence[Reported] = ()  # Readings where the file was read
    extras: tuple[ExtraIndicator, ...] = ()
    counted: bool = False  # the newest of its unit: the one consolidated
    received_source: ReceivedSource = ReceivedSource.FILE  # what `received` is
    file_time: datetime | None = None  # the file's modification time, whatever `received` is
    replaced: bool = False  # an older version of a unit that sent a newer file: history, not the round's
    copy_of: str | None = None  # the same bytes as this file (by name): one submission, not two
    fingerprint: str | None = None  # its hidden sheet's: which generated appendix it was made from

    @property
    def in_round(self) -> bool:
        """Whether this file is one of the round's submissions, not a replaced or repeated one."""
        return not self.replaced and self.copy_of is None

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
    def state(self) -> UnitState:
        return UnitState.MISSING if self.submission is None else UnitState(self.submission.status)


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
        valid = [u for u in self.units if u.state == UnitState.VALID]
        on_time = [u for u in valid if u.on_time]
        current = [s for s in self.submissions if s.in_round]
        return {
            "files": len(self.submissions),
            "valid": sum(s.status == Status.VALID for s in current),
            "invalid": sum(s.status == Status.INVALID for s in current),
            "unreadable": sum(s.status == Status.UNREADABLE for s in current),
            "replaced": sum(not s.in_round for s in self.submissions),
            "errors": sum(s.errors for s in current),
            "warnings": sum(s.warnings for s in current),
            "units_expected": expected,
            "units_valid": len(valid),
            "units_on_time": len(on_time),
            "completeness": round(len(valid) / expected, 4) if expected else None,
            "timeliness": round(len(on_time) / expected, 4) if expected else None,
            "missing_units": [u.unit_code for u in self.units if u.state == UnitState.MISSING],
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
        return any(s.status != Status.VALID for s in self.submissions if s.in_round)


@dataclass(frozen=True)
class Reminder:
    """One unit's reminder, an email written as a file for the clerk to open, check and send."""

    unit_code: str
    unit_name: str
    state: UnitState  # missing, invalid or unreadable: why it is chased
    path: Path  # the .eml file
    to: tuple[str, ...]  # its recipients' addresses; () when the catalog has none usable: the clerk fills To
    attachment: Path | None  # the appendix (missing) or annotated copy (invalid) attached; None: nothing attached
    errors: int = 0  # the errors of its counted file


@dataclass(frozen=True)
class Reminders:
    """What write_reminders wrote: an email per unit to chase, in the round's order, and the call list."""

    emails: tuple[Reminder, ...]
    call_list: Path
    removed: tuple[Path, ...] = ()  # reminders of an earlier run to units no longer chased, taken away

    @property
    def without_email(self) -> tuple[str, ...]:
        """The units whose reminder has no recipient: a blank or malformed address in the catalog."""
        return tuple(r.unit_code for r in self.emails if not r.to)

    @property
    def without_attachment(self) -> tuple[str, ...]:
        """The units whose reminder has nothing attached: no appendix or annotated copy to be found."""
        return tuple(r.unit_code for r in self.emails if r.attachment is None)


@dataclass(frozen=True, slots=True)
class Row:
    """One unit × indicator: a reported result or a rollup, with its evaluation."""

    unit_code: str
    indicator_code: str
    is_rollup: bool
    target: float | None
    target_text: str
    baseline: float | None
    result: float | None
    evaluation: formulas.Evaluation
    estimate: float | None = None
    proposed_target: str = ""
    note: str = ""
    source_file: str = ""
    coverage: float | None = None
    used: int = 0
    expected: int = 0
    partial: bool = False
    sum_mismatch: bool = False  # the parent's own value differs from the sum of its children
    # The target over all expected children (DESIGN.md §3), beside `target`, which is over
    # the children whose results were used; the same as `target` where the unit has its own.
    target_all: float | None = None



class Rows(Sequence[Row]):
    """Every row of a consolidation, held as columns: a number a double, a code a small integer.

    At ten thousand units a tree has 300,000 rows; as one Row (and one Evaluation) each, with
    their floats, they cost ~70 MB, about a tenth of the whole run's memory, and every
    process forked to write beside the workbook touched them. Columns cost ~110 bytes a row
    (~35 MB, 64 bytes of it the eight doubles), in a few large buffers, and are
    never touched by a reference count. A Row is made when one is asked for (`rows[n]`,
    `find`) and is not kept. Rows are appended in any order and read in the order `arrange`
    gives (the rollup works children first, the outputs read parents first).
    """

    __slots__ = ("units", "indicators", "files", "_unit_at", "_indicator_at", "_file_at", "_unit", "_indicator",
                 "_file", "_flags", "_status", "_used", "_expected", "_floats", "_pct", "_pace", "_texts", "_order", "_where")

    def __init__(self, rows: Iterable[Row] = ()):
        self.units: list[str] = []
        self.indicators: list[str] = []
        self.files: list[str] = []
        self._unit_at: dict[str, int] = {}
        self._indicator_at: dict[str, int] = {}
        self._file_at: dict[str, int] = {}
        self._unit, self._indicator, self._file, self._used, self._expected = (array("i") for _ in range(5))
        # is_rollup, partial, sum_mismatch and the Evaluation's achieved, in one byte
        self._flags, self._status = array("B"), array("B")
        self._floats = {name: array("d") for name in _ROW_FLOATS}
        self._pct, self._pace = array("d"), array("d")
        self._texts: dict[str, list[str]] = {"target_text": [], "proposed_target": [], "note": []}
        self._order: array | None = None
        self._where: array | None = None
        for row in rows:
            self.append(row)

    def append(self, row: Row) -> None:
        self.add(row.unit_code, row.indicator_code, row.is_rollup, row.target, row.target_text, row.baseline,
                 row.result, row.evaluation, row.estimate, row.proposed_target, row.note, row.source_file,
                 row.coverage, row.used, row.expected, row.partial, row.sum_mismatch, row.target_all)

    def add(self, unit_code: str, indicator_code: str, is_rollup: bool, target: float | None, target_text: str,
            baseline: float | None, result: float | None, evaluation: formulas.Evaluation,
            estimate: float | None = None, proposed_target: str = "", note: str = "", source_file: str = "",
            coverage: float | None = None, used: int = 0, expected: int = 0, partial: bool = False,
            sum_mismatch: bool = False, target_all: float | None = None) -> None:
        """Append a row given as Row's fields, in Row's order: the rollup's own rows (all but a
        few hundred of 300,000) are never made as Rows."""
        self._unit.append(_index(self._unit_at, self.units, unit_code))
        self._indicator.append(_index(self._indicator_at, self.indicators, indicator_code))
        self._file.append(_index(self._file_at, self.files, source_file))
        achieved = evaluation.achieved
        self._flags.append(is_rollup | partial << 1 | sum_mismatch << 2 | (2 if achieved is None else achieved) << 3)
        self._status.append(_STATUS_AT[evaluation.status])
        self._used.append(used)
        self._expected.append(expected)
        for name, value in zip(_ROW_FLOATS, (target, baseline, result, estimate, coverage, target_all)):
            self._floats[name].append(_MISSING if value is None else value)
        pct, pace = evaluation.pct_of_target, evaluation.pace
        self._pct.append(_MISSING if pct is None else pct)
        self._pace.append(_MISSING if pace is None else pace)
        texts = self._texts
        texts["target_text"].append(target_text)
        texts["proposed_target"].append(proposed_target)
        texts["note"].append(note)
        self._where = None

    def arrange(self, order: Sequence[int]) -> None:
        """Read the rows in this order: `order[n]` is the n-th row's place among those appended."""
        if sorted(order) != list(range(len(self._unit))):
            raise ValueError("an order of the rows must name each row once")
        self._order = array("i", order)

    def __len__(self) -> int:
        return len(self._unit)

    def __getitem__(self, n):
        return _item(self, n, lambda n: self.at(self._order[n] if self._order is not None else n), list)

    def __iter__(self):
        return (self.at(k) for k in (self._order if self._order is not None else range(len(self))))

    def at(self, k: int) -> Row:
        """The row appended k-th."""
        flags, f = self._flags[k], self._floats
        pct, pace = self._pct[k], self._pace[k]
        evaluation = formulas.Evaluation(pct if pct == pct else None, pace if pace == pace else None,
                                         formulas.STATUSES[self._status[k]], _ACHIEVED[flags >> 3])
        numbers = [v if v == v else None for v in (f["target"][k], f["baseline"][k], f["result"][k],
                                                   f["estimate"][k], f["coverage"][k], f["target_all"][k])]
        target, baseline, result, estimate, coverage, target_all = numbers
        return Row(self.units[self._unit[k]], self.indicators[self._indicator[k]], bool(flags & 1), target,
                   self._texts["target_text"][k], baseline, result, evaluation, estimate,
                   self._texts["proposed_target"][k], self._texts["note"][k], self.files[self._file[k]], coverage,
                   self._used[k], self._expected[k], bool(flags & 2), bool(flags & 4), target_all)

    def find(self, unit: str, code: str, is_rollup: bool) -> int:
        """Where the row of a unit × indicator (its own, or its rollup) was appended; -1 if none."""
        place = self._place(unit, code)
        return -1 if place < 0 else self._where[place + is_rollup]

    def _place(self, unit: str, code: str) -> int:
        width = 2 * len(self.indicators)
        if self._where is None:
            # a place for each unit × indicator × own or rollup: 2.4 MB at ten thousand units
            self._where = array("i", [-1]) * (width * len(self.units))
            for k, (u, i, f) in enumerate(zip(self._unit, self._indicator, self._flags)):
                self._where[u * width + 2 * i + (f & 1)] = k
        u, i = self._unit_at.get(unit), self._indicator_at.get(code)
        return -1 if u is None or i is None else u * width + 2 * i

    def shown_at(self, unit: str, code: str) -> int:
        """Where what stands for a unit × indicator was appended: its own row when it has a
        result or no rollup beside it, else its rollup (-1: neither)."""
        place = self._place(unit, code)
        if place < 0:
            return -1
        own, rollup = self._where[place], self._where[place + 1]
        if own >= 0 and (rollup < 0 or self._floats["result"][own] == self._floats["result"][own]):
            return own
        return rollup

    def result_at(self, k: int) -> float | None:
        value = self._floats["result"][k]
        return value if value == value else None

    # A field of the row appended k-th, without making the Row: what a sheet with a cell for
    # every unit × indicator reads (300,000 of them at ten thousand units).

    def status_at(self, k: int) -> str:
        return formulas.STATUSES[self._status[k]]

    def pct_of_target_at(self, k: int) -> float | None:
        value = self._pct[k]
        return value if value == value else None

    def is_partial_rollup_at(self, k: int) -> bool:
        return self._flags[k] & 3 == 3

    def with_status(self, status: str) -> list[int]:
        """Where the rows so assessed were appended."""
        wanted = _STATUS_AT[status]
        return [k for k, s in enumerate(self._status) if s == wanted]

    def columns(self) -> dict[str, object]:
        """The columns as buffers, in the order rows were appended (with `order`, how they are read)."""
        return {"unit": self._unit, "indicator": self._indicator, "flags": self._flags, "status": self._status, "file": self._file,
                "used": self._used, "expected": self._expected, "pct_of_target": self._pct, "pace": self._pace,
                **self._floats, **self._texts}

    @property
    def order(self) -> array | None:
        return self._order


# --- the round store's records (DESIGN.md §7) -----------------------------------------------------


@dataclass(frozen=True)
class StoredSubmission(_IssueCounts):
    """A file the round's store received, with its latest verdict."""

    number: int  # the store's receipt number
    sha256: str
    path: Path  # the stored, read-only copy
    original_name: str
    size: int
    unit_code: str | None
    round_id: str | None
    received: datetime
    received_source: ReceivedSource
    sender: str
    origin: str
    modified: datetime | None
    made_from: int | None  # the catalog version its appendix was generated from, if known
    is_return: bool  # False for an appendix sent back with nothing typed: it replaces nothing
    judged_against: int  # the catalog version of the verdict
    judged_at: datetime
    status: Status
    issues: tuple[Issue, ...]
    # (indicator, result, estimate) as JSON, read only when asked for (`figures`): `status` on
    # a province of 10,000 units would otherwise parse 300,000 figures it never shows
    figures_json: str = "[]"

    @cached_property
    def figures(self) -> tuple[tuple[str, float | None, float | None], ...]:
        return tuple((code, result, estimate) for code, result, estimate in json.loads(self.figures_json))


@dataclass(frozen=True)
class Decision:
    """The Standing Committee's decision on a target a unit proposed (DESIGN.md §9; seed 004:
    adjustments need its approval), as the office recorded it."""

    unit_code: str
    indicator_code: str
    approved: bool
    approved_target: str  # the target approved, as typed; "" when refused
    proposed: str  # what the unit proposed
    original_target: str  # the catalog's target before the decision
    number: int | None = None
    recorded_at: datetime | None = None
    actor: str = ""
    file_sha256: str = ""


@dataclass(frozen=True)
class Event:
    """One line of the store's append-only log: what happened, when, by whom."""

    number: int
    at: datetime
    actor: str
    kind: str  # catalog, generated, received, judged, replaced, consolidated, decided
    unit_code: str | None
    submission: int | None
    detail: Mapping[str, object]


@dataclass(frozen=True)
class Receipt:
    """What `receive` says of one incoming file: whose it is, its verdict, whether it counts."""

    name: str
    origin: str
    unit_code: str | None
    status: Status | None  # None: not received (already in the store, or not a workbook)
    errors: int = 0
    warnings: int = 0
    counts: bool = False  # now the unit's counted submission
    duplicate_of: int | None = None  # the receipt number of the same bytes received before
    number: int | None = None
    received: datetime | None = None
    received_source: ReceivedSource | None = None
    notes: tuple[Issue, ...] = ()


@dataclass(frozen=True)
class FigureChange:
    """A figure that differs between two versions a unit sent."""

    indicator_code: str
    column: str  # result or estimate
    old: float | None
    new: float | None


@dataclass(frozen=True)
class Version:
    """One file a unit sent, as `history` shows it."""

    submission: StoredSubmission
    counted: bool
    replaced: bool
    changes: tuple[FigureChange, ...] = ()  # against the version before it


@dataclass(frozen=True)
class PasswordRecord:
    """The office's password as the store keeps it: a salted slow hash and its parameters."""

    scheme: str  # "scrypt"
    salt: bytes
    n: int
    r: int
    p: int
    hash: bytes


def unit_statuses(catalog: Catalog | Roster, submissions: Sequence[Submission]) -> list[UnitStatus]:
    """Each expected unit's standing: its counted file, and whether it came by the deadline
    (that day included, in the office's time zone; DESIGN.md §3)."""
    counted = {s.unit_code: s for s in submissions if s.counted}
    deadline = catalog.round.deadline
    out = []
    for unit in catalog.reporting_units:
        s = counted.get(unit.code)
        on_time = None if s is None else s.received.astimezone().date() <= deadline
        out.append(UnitStatus(unit.code, unit.name, s, on_time))
    return out

@dataclass(frozen=True)
class AppendixLine:
    """One row of the report's appendix table, as text: a group heading or an indicator (prose.appendix_lines).

    `partial`: the figures are a partial rollup, marked as the consolidated workbook marks them.
    """

    kind: str  # "group" or "indicator"
    tt: str
    name: str
    unit_of_measure: str = ""
    target: str = ""
    result: str = ""
    pct: str = ""
    note: str = ""
    partial: bool = False
