"""The report's words from a consolidation (issue 17): the appendix's rows as text, and the draft paragraphs.

Pure: no I/O, no writer. Every figure is one the consolidated workbook shows and the data
table holds, rounded to the indicator's decimals and written the Vietnamese way (12,5;
1.234); every sentence is a labels.toml template (`doc_`, and the workbook's own `wb_` words
where the table says what the workbook says), so a clerk edits the draft and a translator
the templates, never the code.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from . import formulas
from .consolidate import Consolidation
from .layout import roman, shown_decimals
from .messages import labels, labels_of
from .model import AppendixLine, Indicator, Row
from .numbers import show_number, show_share
from .rollup import evaluation_kind

# Names listed in one sentence before "and N more": a Khối has 81 grassroots units.
LISTED = 10
_LATER = (formulas.ON_TRACK, formulas.BEHIND, formulas.LOW, formulas.NO_DATA)  # after "x/y achieved"


@cache
def words(lang: str) -> dict[str, str]:
    """The report's own words in a language: labels.toml's `doc_` keys, without the prefix."""
    return labels_of("doc_", lang)


@cache
def _wb(lang: str) -> dict[str, str]:
    return labels_of("wb_", lang)


def day_text(day: date) -> str:
    """A date as the report writes it: 30/6/2023."""
    return f"{day.day}/{day.month}/{day.year}"


# --- a row's figures as the appendix shows them ------------------------------------------------


def is_yes_no(c: Consolidation, row: Row) -> bool:
    """Whether a row's result is achieved/not achieved rather than a count or share of units."""
    ind = c.catalog.indicator_by_code[row.indicator_code]
    return ind.direction == formulas.BOOLEAN and not formulas.counts_units(ind.direction, ind.aggregation,
                                                                         row.is_rollup)


def shown_target(c: Consolidation, row: Row, over_all: bool = False) -> tuple[str, object]:
    """Which target a row shows, as (kind, value): ("yes", None) the word Đạt, ("blank", None),
    ("text", str) a range or text as the catalog writes it, ("number", float), and with
    `over_all` ("summed", float) a rollup's target over all its units, marked so."""
    own = c.own_target(row.unit_code, row.indicator_code)
    if is_yes_no(c, row):
        return ("yes", None) if row.target is not None else ("blank", None)
    if own is not None and own.is_range:
        return "text", own.text
    if over_all and row.is_rollup and own is None and row.target_all is not None:
        return "summed", row.target_all
    if row.target is not None:
        return "number", row.target
    return "text", row.target_text


def figure(c: Consolidation, row: Row, value: float | None, lang: str) -> str:
    """A value of a row, rounded to the decimals the row is shown with."""
    if value is None:
        return ""
    decimals = shown_decimals(c.catalog.indicator_by_code[row.indicator_code], row.is_rollup)
    return show_number(round(value, decimals), lang)


def target_text(c: Consolidation, row: Row, lang: str, over_all: bool = False) -> str:
    kind, value = shown_target(c, row, over_all)
    if kind == "yes":
        return labels(lang)["true_word"]
    if kind == "summed":
        return f"{figure(c, row, value, lang)} ({_wb(lang)['summed']})"
    if kind == "number":
        return figure(c, row, value, lang)
    return str(value or "")


def result_text(c: Consolidation, row: Row, lang: str) -> str:
    if row.result is None:
        return ""
    if is_yes_no(c, row):
        return labels(lang)["true_word" if row.result else "false_word"]
    return figure(c, row, row.result, lang)


def pct_text(row: Row, lang: str, on_units: bool = True) -> str:
    """% of target with one decimal, as the workbook shows it; a partial rollup's says on how many units."""
    pct = row.evaluation.pct_of_target
    if pct is None:
        return ""
    text = show_share(pct / 100, lang)
    if on_units and row.is_rollup and row.used < row.expected:
        text += " " + _wb(lang)["pct_on"].format(used=row.used, expected=row.expected)
    return text


def flag_notes(c: Consolidation, rollup: Row | None, lang: str) -> list[str]:
    """What a reader must know of a rollup the coverage does not say: partial below, a sum that differs."""
    if rollup is None:
        return []
    w, notes = _wb(lang), []
    if rollup.partial and rollup.used == rollup.expected:
        notes.append(w["partial_below"])
    if rollup.sum_mismatch:
        decimals = c.catalog.indicator_by_code[rollup.indicator_code].decimals
        notes.append(w["mismatch_note"].format(rollup=show_number(round(rollup.result, decimals), lang)))
    return notes


# --- the appendix table -----------------------------------------------------------------------


def appendix_lines(c: Consolidation, lang: str = "vi") -> list[AppendixLine]:
    """The root's appendix as the summary sheet lays it out: groups numbered I, II, …, indicators 1, 2, …"""
    lines, n = [], 0
    for group_no, (group, indicators) in enumerate(c.groups, start=1):
        lines.append(AppendixLine("group", roman(group_no), group))
        for ind in indicators:
            n += 1
            lines.append(_indicator_line(c, ind, str(n), lang))
    return lines


def _indicator_line(c: Consolidation, ind: Indicator, tt: str, lang: str) -> AppendixLine:
    w, root = _wb(lang), c.root
    row, rollup = c.shown_row(root, ind.code), c.rollup_row(root, ind.code)
    if row is None:  # aggregation "none" and no own target at the root
        return AppendixLine("indicator", tt, ind.name, ind.unit_of_measure, note=w["not_aggregated"])
    notes = flag_notes(c, rollup, lang)
    if row.is_rollup and row.partial and row.used < row.expected:
        notes.insert(0, w["partial_note"].format(used=row.used, expected=row.expected))
    if row.is_rollup and c.own_row(root, ind.code) is not None:
        notes.insert(0, w["rollup_shown"])
    if not row.is_rollup and row.note:
        notes.insert(0, row.note)
    return AppendixLine("indicator", tt, ind.name, ind.unit_of_measure, target_text(c, row, lang, over_all=True),
                        result_text(c, row, lang), pct_text(row, lang), "; ".join(notes),
                        row.is_rollup and row.partial)


# --- the draft paragraphs -----------------------------------------------------------------------


def draft(c: Consolidation, lang: str = "vi") -> list[str]:
    """The paragraphs on the indicators, from the root's figures: the count of each assessment, a
    sentence per group, each low-achieving indicator, the units still low, the partial figures
    and the proposed target changes. Without a single figure, one paragraph that says so."""
    w = words(lang)
    summary = c.report.summary()
    if not c.has_figures:
        return [w["no_figures"].format(cutoff=day_text(c.catalog.round.cutoff_date), valid=summary["units_valid"],
                                       expected=summary["units_expected"])]
    assessed = _assessed(c, c.present_indicators)
    paragraphs = [_overall(c, assessed, lang) + " " + w["sources"].format(
        valid=summary["units_valid"], expected=summary["units_expected"])]
    paragraphs += [_group(c, group, indicators, lang) for group, indicators in c.groups]
    low = [(ind, row) for ind, row in assessed if row.evaluation.status == formulas.LOW]
    if low:
        paragraphs.append(w["low_intro"])
        paragraphs += [_low(c, ind, row, lang) for ind, row in low]
    paragraphs += _low_elsewhere(c, assessed, lang) + _partial(c, assessed, lang)
    proposals = _proposals(c, lang)
    return paragraphs + ([proposals] if proposals else [])


def _assessed(c: Consolidation, indicators) -> list[tuple[Indicator, Row]]:
    """The indicators with a figure row at the root (those not aggregated have none), with it."""
    rows = ((ind, c.shown_row(c.root, ind.code)) for ind in indicators)
    return [(ind, row) for ind, row in rows if row is not None]


def _joined(items: list[str], lang: str) -> str:
    """"a, b và c"."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + words(lang)["and"] + items[-1]


def _names(names: list[str], lang: str, more: str = "more_units") -> str:
    """Names for a sentence: all of a few, the first LISTED of many and how many more (`more` says of what)."""
    if len(names) <= LISTED:
        return ", ".join(names)
    return words(lang)[more].format(names=", ".join(names[:LISTED]), n=len(names) - LISTED)


def _by_status(assessed: list[tuple[Indicator, Row]]) -> dict[str, list[Indicator]]:
    out: dict[str, list[Indicator]] = {status: [] for status in formulas.STATUSES}
    for ind, row in assessed:
        out[row.evaluation.status].append(ind)
    return out


def _overall(c: Consolidation, assessed: list[tuple[Indicator, Row]], lang: str) -> str:
    w, by_status = words(lang), _by_status(assessed)
    rest = [w[f"count_{status}"].format(n=len(by_status[status])) for status in _LATER if by_status[status]]
    not_aggregated = len(c.present_indicators) - len(assessed)
    if not_aggregated:
        rest.append(w["count_not_aggregated"].format(n=not_aggregated))
    return w["overall"].format(cutoff=day_text(c.catalog.round.cutoff_date), achieved=len(by_status[formulas.ACHIEVED]),
                               total=len(assessed), rest=", " + _joined(rest, lang) if rest else "")


def _group(c: Consolidation, group: str, indicators: list[Indicator], lang: str) -> str:
    """"- Kinh tế: 1/2 chỉ tiêu đạt và vượt (…); 1 chỉ tiêu chậm (…).": each assessment with its indicators."""
    w = words(lang)
    assessed = _assessed(c, indicators)
    by_status = _by_status(assessed)
    parts = []
    if assessed:
        achieved = by_status[formulas.ACHIEVED]
        parts.append(w["count_achieved"].format(n=len(achieved), total=len(assessed))
                     + _in_brackets([i.name for i in achieved], lang))
    parts += [w[f"count_{status}"].format(n=len(by_status[status])) + _in_brackets(
        [i.name for i in by_status[status]], lang) for status in _LATER if by_status[status]]
    if len(assessed) < len(indicators):
        parts.append(w["count_not_aggregated"].format(n=len(indicators) - len(assessed)))
    return w["group"].format(group=group, parts="; ".join(parts))


def _in_brackets(names: list[str], lang: str) -> str:
    return f" ({_names(names, lang, 'more_indicators')})" if names else ""


def _with_unit(text: str, unit_of_measure: str) -> str:
    """"50,4%", "1.234 tỷ đồng": a figure with its unit, as a sentence writes it."""
    if not text or not unit_of_measure:
        return text
    return text + unit_of_measure if unit_of_measure.startswith("%") else f"{text} {unit_of_measure}"


def _low(c: Consolidation, ind: Indicator, row: Row, lang: str) -> str:
    """A low indicator at the root: its result, target, baseline, the share of the term gone, the units low on it."""
    w, round_ = words(lang), c.catalog.round
    units = _unit_names(c, [r.unit_code for r in c.low_rows if r.indicator_code == ind.code and r.unit_code != c.root])
    direction, measure = evaluation_kind(ind, row.is_rollup)
    if direction == formulas.BOOLEAN:
        if units:
            return w["low_boolean_units"].format(name=ind.name, n=len(units), names=_names(units, lang))
        return w["low_boolean"].format(name=ind.name)
    where = w["low_units"].format(n=len(units), names=_names(units, lang)) if units else ""
    uom = ind.unit_of_measure
    # the target the % compares with: for a partial rollup, that of the units that reported
    fields = {"name": ind.name, "result": _with_unit(result_text(c, row, lang), uom),
              "target": _with_unit(target_text(c, row, lang), uom), "units": where,
              "expected": show_share(round_.elapsed_share, lang), "pct": "", "baseline": ""}
    if row.baseline is not None:
        fields["baseline"] = w["low_baseline"].format(year=round_.baseline_year,
                                                      baseline=_with_unit(figure(c, row, row.baseline, lang), uom))
    if direction == formulas.DECREASE and measure == formulas.CUMULATIVE:
        return w["low_cap"].format(**fields)  # a % of a cap would read as success
    if row.evaluation.pct_of_target is not None:
        key = "low_pct_on" if row.is_rollup and row.used < row.expected else "low_pct"
        fields["pct"] = w[key].format(pct=pct_text(row, lang, on_units=False), used=row.used, expected=row.expected)
    return w["low"].format(**fields)


def _unit_names(c: Consolidation, codes: list[str]) -> list[str]:
    return [c.catalog.unit_by_code[code].name for code in codes]


def _low_elsewhere(c: Consolidation, assessed: list[tuple[Indicator, Row]], lang: str) -> list[str]:
    """The indicators not low at the root that some units are still low on: a heading and a line each."""
    w = words(lang)
    low_units: dict[str, list[str]] = {}
    for r in c.low_rows:
        if r.unit_code != c.root:
            low_units.setdefault(r.indicator_code, []).append(r.unit_code)
    items = [w["elsewhere_item"].format(name=ind.name, n=len(low_units[ind.code]),
                                        names=_names(_unit_names(c, low_units[ind.code]), lang))
             for ind, row in assessed if row.evaluation.status != formulas.LOW and ind.code in low_units]
    return [w["elsewhere"], *items] if items else []


def _partial(c: Consolidation, assessed: list[tuple[Indicator, Row]], lang: str) -> list[str]:
    """The root's figures rolled up from only some of its units: a heading and a line each."""
    w = words(lang)
    items = [w["partial_item" if row.used < row.expected else "partial_below_item"].format(
        name=ind.name, used=row.used, expected=row.expected)
        for ind, row in assessed if row.is_rollup and row.partial]
    return [w["partial"], *items] if items else []


def _proposals(c: Consolidation, lang: str) -> str:
    """The target changes units proposed, for the Standing Committee (seed 004: it decides
    them), and those it has decided, as recorded in the round's store."""
    w = words(lang)
    pending = [p for p in c.proposals if (p.submission.unit_code, p.indicator_code) not in c.decisions]
    items = []
    for p in pending[:LISTED]:
        unit = p.submission.unit_code
        target = c.own_target(unit, p.indicator_code)
        value = show_number(p.value, lang) if isinstance(p.value, float) else str(p.value)
        items.append(w["proposal_item"].format(unit=c.catalog.unit_by_code[unit].name,
                                               name=_indicator_name(c, p.indicator_code),
                                               current=target.text if target else "", proposed=value))
    text = ""
    if items:
        listed = "; ".join(items)
        if len(pending) > LISTED:
            listed = w["more_proposals"].format(names=listed, n=len(pending) - LISTED)
        text = w["proposals"].format(items=listed)
    decided = [w["decided_item" if d.approved else "refused_item"].format(
        unit=c.catalog.unit_by_code[d.unit_code].name if d.unit_code in c.catalog.unit_by_code else d.unit_code,
        name=_indicator_name(c, d.indicator_code), original=d.original_target, approved=d.approved_target,
        proposed=d.proposed) for d in list(c.decisions.values())[:LISTED]]
    if decided:
        text = " ".join(filter(None, [text, w["decided"].format(items="; ".join(decided))]))
    return text


def _indicator_name(c: Consolidation, code: str) -> str:
    ind = c.catalog.indicator_by_code.get(code)
    return ind.name if ind else code
