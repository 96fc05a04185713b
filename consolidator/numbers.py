"""Numbers as Vietnamese users type them: comma decimal, dot thousands, ranges, Đạt/Chưa đạt.

Pure functions, no I/O. The convention (DESIGN.md §6): "1.234" is 1234, "12.5" is 12.5,
"12,5" is 12.5, "1.234.567" is 1234567, "1.234,5" is 1234.5.
"""

from __future__ import annotations

from datetime import datetime

import math
from functools import lru_cache
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

# Spaces people paste from Word and web pages, besides the ordinary one.
_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009\u200b\t\r\n "), None)
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})
NO_DATA_MARKS = frozenset({"", "-", "\u2013", "\u2014", "--", "...", "…", "x", "n/a", "k/c"})

_DIGITS_GROUPED = re.compile(r"\d{1,3}(\.\d{3})+")  # 1.234 or 1.234.567
_DIGITS_GROUPED_COMMA = re.compile(r"\d{1,3}(,\d{3})+")
_PLAIN = re.compile(r"\d+")
# Found by itself, spaces around it left to parse_number: `(.+?)\s*SEP\s*(.+)$` backtracked
# over every run of spaces, in time the square of its length (32,767 spaces: 15-20 s).
_RANGE_SEPARATOR = re.compile(r"-|\u2013|\u2014|÷|đến|to", re.IGNORECASE)
_BOUND_PREFIX = re.compile(r"^(?:>=|<=|≥|≤|>|<|trên|dưới|tối thiểu|tối đa|ít nhất|không quá)\s*", re.IGNORECASE)

TRUE_WORDS = frozenset({"đạt", "achieved", "yes", "có", "true", "1"})
FALSE_WORDS = frozenset({"chưa đạt", "không đạt", "not achieved", "no", "không", "false", "0"})


@dataclass(frozen=True)
class ParsedNumber:
    """A number read from text; `ambiguous` when another convention would read it otherwise.

    `alternative` is that other reading ("1.234": 1.234 the English way), when there is one.
    """

    value: float
    ambiguous: bool = False
    percent: bool = False
    alternative: float | None = None


@dataclass(frozen=True)
class TargetValue:
    """A target as the catalog writes it: display text and the numeric bounds (low ≤ high)."""

    text: str
    low: float | None
    high: float | None

    @property
    def is_range(self) -> bool:
        return self.low is not None and self.high is not None and self.low != self.high


def normalize_text(value: object) -> str:
    """NFC-normalise and strip a cell's text; None becomes ''."""
    if value is None:
        return ""
    return unicodedata.normalize("NFC", str(value)).strip()


def is_no_data(text: str) -> bool:
    """A blank or a dash meaning 'no data yet'."""
    return normalize_text(text).translate(_SPACES).lower() in NO_DATA_MARKS


def parse_number(text: object) -> ParsedNumber | None:
    """Parse one number typed as text; None when it is not a number at all."""
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        return ParsedNumber(float(text)) if math.isfinite(text) else None
    s = normalize_text(text).translate(_SPACES).translate(_MINUS)
    if not s:
        return None
    percent = s.endswith("%")
    if percent:
        s = s[:-1]
    # A lone "%" leaves nothing, and "" is `in "+-"`: without this, s[0] below raised
    # IndexError instead of rejecting the cell (DESIGN.md §6: every cell gets a message).
    if not s:
        return None
    sign = 1.0
    if s[:1] in "+-":
        sign = -1.0 if s[0] == "-" else 1.0
        s = s[1:]
    if not s or not s[0].isdigit() and s[0] not in ",.":
        return None
    value, ambiguous = _unsigned(s)
    if value is None:
        return None
    if not math.isfinite(value):
        return None  # a 400-digit string is not a figure anyone reported
    other = _other_reading(s) if ambiguous else None
    return ParsedNumber(sign * value, ambiguous, percent, None if other is None else sign * other)


def _other_reading(s: str) -> float | None:
    """How the other convention reads an ambiguous "1.234" or "1,234"; None for "1,234.5",
    which only the English convention reads at all."""
    if "." in s and "," in s:
        return None
    return float(s.replace(",", "")) if "," in s else float(s)


def _unsigned(s: str) -> tuple[float | None, bool]:
    has_dot, has_comma = "." in s, "," in s
    if has_dot and has_comma:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if dec == "," else ","
        int_part, _, frac = s.rpartition(dec)
        grouped = _DIGITS_GROUPED if thousands == "." else _DIGITS_GROUPED_COMMA
        if not grouped.fullmatch(int_part) or not _PLAIN.fullmatch(frac):
            return None, False
        # "1,234.5" is the English convention: readable, but not what a Vietnamese
        # form expects, so it is flagged with the value it was read as.
        return float(int_part.replace(thousands, "") + "." + frac), dec == "."
    if has_comma:
        if s.count(",") == 1:
            int_part, frac = s.split(",")
            if not _PLAIN.fullmatch(frac) or int_part and not _PLAIN.fullmatch(int_part):
                return None, False
            # "1,234" is 1,234 here but 1234 to an English reader.
            return float((int_part or "0") + "." + frac), len(frac) == 3 and bool(int_part)
        if _DIGITS_GROUPED_COMMA.fullmatch(s):
            return float(s.replace(",", "")), False
        return None, False
    if has_dot:
        if _DIGITS_GROUPED.fullmatch(s):
            # One dot before exactly three digits: thousands by the Vietnamese
            # convention, but a decimal point to anyone typing the English way.
            return float(s.replace(".", "")), s.count(".") == 1
        if s.count(".") == 1:
            int_part, frac = s.split(".")
            if _PLAIN.fullmatch(frac) and (not int_part or _PLAIN.fullmatch(int_part)):
                return float((int_part or "0") + "." + frac), False
        return None, False
    if _PLAIN.fullmatch(s):
        return float(s), False
    return None, False


def parse_bool(text: object) -> bool | None:
    """Đạt / Chưa đạt (and 1/0, True/False); None when it is neither."""
    if isinstance(text, bool):
        return text
    if isinstance(text, (int, float)):
        return {1: True, 0: False}.get(text)
    word = " ".join(normalize_text(text).lower().split())
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


# The targets that recur (a 2025 target shared by many units) hit; at 65,536 the cache held
# a reading worker's 40,000 distinct targets of ten thousand files, some 10 MB, for few hits.
@lru_cache(maxsize=4096, typed=True)  # typed: True and 1 are equal keys otherwise
def parse_target(value: object) -> TargetValue | None:
    """A target cell: a number, a Vietnamese text number, or a range such as "7–7,5".

    A leading bound word ("≥ 95", "trên 90") is kept in the text and ignored for the value.
    None when the text is not a target at all.
    """
    text = normalize_text(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = parse_number(value)
        return TargetValue(_display(value), number.value, number.value) if number else None
    if not text:
        return None
    core = _BOUND_PREFIX.sub("", text)
    single = parse_number(core)
    if single is not None:
        return TargetValue(text, single.value, single.value)
    # a range "low SEP high": at the first separator after the first character (the sign of low)
    match = _RANGE_SEPARATOR.search(core, 1)
    if match:
        low, high = parse_number(core[:match.start()]), parse_number(core[match.end():])
        if low is not None and high is not None:
            a, b = sorted((low.value, high.value))
            return TargetValue(text, a, b)
    return None


def _display(value: int | float) -> str:
    """A number as a Vietnamese reader writes it: 12,5 and 1.234."""
    if not math.isfinite(value) or abs(value) >= 1e15:
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    # "g" switches to exponent notation (1e-05, 1.2e+11), which int() cannot read, and
    # the whole part of -0.5 is "-0", whose sign int() drops; 10 significant digits also
    # turned 1000000000.5 into "1.000.000.000". Write 15 digits out in full, sign apart.
    sign = "-" if value < 0 else ""
    whole, _, frac = format(Decimal(f"{abs(value):.15g}"), "f").partition(".")
    return sign + f"{int(whole):,}".replace(",", ".") + ("," + frac if frac else "")


display_number = _display


def show_number(value: float | None, lang: str = "vi") -> str:
    """A figure as every output writes it in a language: "1.234,5" in Vietnamese, "1,234.5" in English."""
    if value is None:
        return ""
    if lang == "vi":
        return display_number(round(value, 6))
    return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"


def show_share(share: float | None, lang: str = "vi") -> str:
    """A share as a percentage with one decimal, without the sign: 0.499 → "49,9" ("49.9" in English)."""
    text = "" if share is None else f"{share * 100:.1f}"
    return text.replace(".", ",") if lang == "vi" else text


def show_time(moment: datetime) -> str:
    """A moment as every output writes it for the clerk: this computer's local time, dd/mm/yyyy HH:MM."""
    return moment.astimezone().strftime("%d/%m/%Y %H:%M")
