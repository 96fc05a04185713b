"""A checked catalog's frames as the domain objects the rest of the tool uses (model.Catalog)."""

from __future__ import annotations

from collections.abc import Mapping
from operator import attrgetter

import pandas as pd

from .. import formulas
from ..model import Catalog, Indicator, Issue, Round, Targets, Unit
from ..numbers import TargetValue, parse_number, parse_target
from .cells import phone_text
from .frames import each
from .spec import DEFAULT_DECIMALS

_ACHIEVED = TargetValue("Đạt", 1.0, 1.0)  # a boolean indicator's target


def build(round_: Round, frames: Mapping[str, pd.DataFrame], warnings: tuple[Issue, ...] = ()) -> Catalog:
    """The Catalog of a round and its units, indicators and targets frames (all checked), with
    the catalog's warnings."""
    indicators = _indicators(frames["indicators"])
    mapping = frames.get("mapping")
    pairs = () if mapping is None else tuple(zip(mapping["parent_indicator_code"].tolist(),
                                                 mapping["indicator_code"].tolist()))
    return Catalog(round_, _units(frames["units"]), indicators, _targets(frames["targets"], indicators), warnings,
                   pairs)


def _units(u: pd.DataFrame) -> tuple[Unit, ...]:
    def optional(column: str, read=lambda v: v) -> list[str]:
        return [read(v) or "" for v in u[column].tolist()] if column in u else [""] * len(u)

    return tuple(map(Unit, u["unit_code"].tolist(), u["unit_name"].tolist(), u["parent_code"].tolist(),
                     optional("organisation_name"), optional("contact_name"), optional("email"),
                     optional("phone", phone_text)))


def _indicators(frame: pd.DataFrame) -> tuple[Indicator, ...]:
    return tuple(
        Indicator(
            code=r.indicator_code, name=r.name, group=getattr(r, "group", None) or "",
            unit_of_measure=getattr(r, "unit_of_measure", None) or "",
            direction=r.direction, measure=r.measure, aggregation=r.aggregation,
            decimals=int(parse_number(d).value) if (d := getattr(r, "decimals", None)) is not None else DEFAULT_DECIMALS,
        )
        for r in frame.itertuples()
    )


def _targets(t: pd.DataFrame, indicators: tuple[Indicator, ...]) -> Targets:
    units_of, codes = t["unit_code"].tolist(), t["indicator_code"].tolist()
    baselines = each(lambda v: None if v is None else parse_number(v).value,
                     t["baseline"].tolist() if "baseline" in t else [None] * len(t))
    values = each(parse_target, t["target"].tolist())
    by_code = {i.code: i for i in indicators}  # as before: a repeated code, the last one
    yes_no = [code for code, indicator in by_code.items() if indicator.direction == formulas.BOOLEAN]
    for row in t["indicator_code"].isin(yes_no).to_numpy().nonzero()[0].tolist():
        values[row] = _ACHIEVED  # a yes/no indicator's target is to achieve it
    # Held as columns (model.Targets): each code once, a bound a double, no Target made.
    return Targets.of(zip(units_of, codes, map(attrgetter("text"), values), map(attrgetter("low"), values),
                          map(attrgetter("high"), values), baselines))
