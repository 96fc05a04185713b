"""Domain objects named as in DESIGN.md §2. pandas lives inside the steps; these travel between them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
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


@dataclass(frozen=True)
class Catalog:
    """Everything the office describes for a round: the round, the tree, indicators, targets."""

    round: Round
    units: tuple[Unit, ...]
    indicators: tuple[Indicator, ...]
    targets: tuple[Target, ...]

    @cached_property
    def unit_by_code(self) -> Mapping[str, Unit]:
        return MappingProxyType({u.code: u for u in self.units})

    @cached_property
    def indicator_by_code(self) -> Mapping[str, Indicator]:
        return MappingProxyType({i.code: i for i in self.indicators})

    @cached_property
    def targets_by_unit(self) -> Mapping[str, tuple[Target, ...]]:
        """Each unit's targets in catalog indicator order."""
        order = {i.code: n for n, i in enumerate(self.indicators)}
        grouped: dict[str, list[Target]] = {}
        for t in self.targets:
            grouped.setdefault(t.unit_code, []).append(t)
        return MappingProxyType(
            {u: tuple(sorted(ts, key=lambda t: order[t.indicator_code])) for u, ts in grouped.items()}
        )

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
        return tuple(u for u in self.units if u.code in self.targets_by_unit)

    def level(self, unit_code: str) -> int:
        """Depth in the tree, the root at 0."""
        depth, code = 0, self.unit_by_code[unit_code].parent_code
        while code is not None:
            depth, code = depth + 1, self.unit_by_code[code].parent_code
        return depth

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


ERROR, WARNING = "error", "warning"


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
