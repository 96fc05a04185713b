"""The catalog's `round` sheet: a key/value list, checked in code (each key has its own kind)."""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from ..cellref import serial_date
from ..messages import LabelRef
from ..model import ERROR, Issue, Round, make_issue
from ..numbers import normalize_text, parse_bool, parse_number
from .cells import as_text, email_addresses
from .spec import REQUIRED_ROUND_KEYS, ROUND_KEYS, canonical

_HINTS = {
    "baseline_year": "hint_year", "target_year": "hint_year",
    "cutoff_date": "hint_date", "deadline": "hint_date",
    "low_threshold": "hint_share", "expected_progress": "hint_share",
    "allow_target_changes": "hint_bool", "lang": "hint_lang",
    "round_id": "hint_text", "title": "hint_text", "organisation": "hint_text", "place": "hint_text",
    "office_email": "hint_text",
}


def read_round(rows: list[tuple[int, tuple]]) -> tuple[Round | None, list[Issue]]:
    """The round from the sheet's (Excel row, cells) records, or None and what is wrong with it."""
    values: dict[str, tuple[object, str]] = {}
    for excel_row, cells in rows[1:]:
        key = canonical(cells[0]) if cells else ""
        if key in ROUND_KEYS:
            values[key] = (_cell_value(cells[1]) if len(cells) > 1 else None, f"B{excel_row}")
    parsed: dict[str, object] = {}
    issues: list[Issue] = []
    for key in ROUND_KEYS:
        raw, cell = values.get(key, (None, None))
        hint = LabelRef(_HINTS[key])
        if raw is None:
            if key in REQUIRED_ROUND_KEYS:
                if cell is None:
                    issues.append(make_issue("catalog-missing-round-key", sheet="round", params={"key": key, "hint": hint}))
                else:
                    issues.append(make_issue("catalog-missing-value", sheet="round", cell=cell, params={"column": f"value ({key})"}))
            continue
        value = _parse_round_value(key, raw)
        if value is None:
            issues.append(make_issue("catalog-bad-round-value", sheet="round", cell=cell, value=raw, params={"key": key, "hint": hint}))
        else:
            parsed[key] = value
    issues.extend(_address_warnings(parsed, values))
    if any(i.severity == ERROR for i in issues):
        return None, issues
    if (issue := _years_issue(parsed, values["target_year"][1], values["cutoff_date"][1])) is not None:
        return None, issues + [issue]
    return Round(**parsed), issues


def _address_warnings(parsed: dict[str, object], values: dict[str, tuple[object, str]]) -> list[Issue]:
    """The office's address when it is not one address: a warning, kept as typed (reminders leave it out)."""
    text = parsed.get("office_email")
    addresses = email_addresses(text) if text else ()
    if addresses is None or len(addresses) > 1:
        return [make_issue("catalog-bad-email", sheet="round", cell=values["office_email"][1], value=text,
                           params={"column": "value (office_email)"})]
    return []


def _years_issue(parsed: dict[str, object], target_cell: str, cutoff_cell: str) -> Issue | None:
    """What is wrong with the round's years and cut-off date together, if anything."""
    if parsed["target_year"] <= parsed["baseline_year"]:
        return make_issue("catalog-bad-round-value", sheet="round", cell=target_cell, value=parsed["target_year"],
                          params={"key": "target_year", "hint": LabelRef("hint_target_year")})
    if parsed["cutoff_date"].year > parsed["target_year"]:
        return make_issue("catalog-cutoff-after-target-year", sheet="round", cell=cutoff_cell,
                          value=parsed["cutoff_date"].strftime("%d/%m/%Y"), params={"target_year": parsed["target_year"]})
    if parsed["cutoff_date"] <= date(parsed["baseline_year"], 12, 31):
        return make_issue("catalog-cutoff-before-baseline", sheet="round", cell=cutoff_cell,
                          value=parsed["cutoff_date"].strftime("%d/%m/%Y"), params={"baseline_year": parsed["baseline_year"]})
    return None


def _cell_value(value: object) -> object:
    if isinstance(value, str):
        value = normalize_text(value)
        return value or None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _parse_round_value(key: str, raw: object) -> object | None:
    if key in ("baseline_year", "target_year"):
        n = parse_number(raw)
        return int(n.value) if n and n.value.is_integer() and 1900 < n.value < 2200 else None
    if key in ("cutoff_date", "deadline"):
        return parse_date(raw)
    if key in ("low_threshold", "expected_progress"):
        n = parse_number(raw)
        if n is None:
            return None
        # "80%" and 80 both mean 0.8: clerks write shares either way.
        share = n.value / 100 if n.percent or n.value > 1 else n.value
        return share if 0 < share <= 1 else None
    if key == "allow_target_changes":
        return parse_bool(raw)
    if key == "lang":
        lang = normalize_text(raw).lower()
        return lang if lang in ("vi", "en") else None
    return normalize_text(as_text(raw)) or None


def parse_date(raw: object) -> date | None:
    """A date cell or text: 30/6/2023, 30-06-2023, 2023-06-30, or an Excel serial number."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return serial_date(raw) if 1 < raw < 200_000 else None
    text = normalize_text(raw)
    for pattern, order in ((r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", "dmy"), (r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd")):
        m = re.fullmatch(pattern, text)
        if m:
            a, b, c = map(int, m.groups())
            d, mth, y = (a, b, c) if order == "dmy" else (c, b, a)
            try:
                return date(y, mth, d)
            except ValueError:
                return None
    return None
