"""Numbers as Vietnamese units type them (DESIGN.md §6): comma decimal, dot thousands."""

from __future__ import annotations

import math
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from consolidator.numbers import (
    display_number,
    is_no_data,
    normalize_text,
    parse_bool,
    parse_number,
    parse_target,
)

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space, as Word pastes it
MINUS = "\u2212"  # the real minus sign
EN_DASH, EM_DASH = "\u2013", "\u2014"


# --- parse_number -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "value", "ambiguous", "percent"),
    [
        ("12,5", 12.5, False, False),  # comma decimal
        ("0,5", 0.5, False, False),
        ("1.234.567", 1234567.0, False, False),  # dot thousands, unmistakable with two dots
        ("1.234,5", 1234.5, False, False),
        ("1.234.567,89", 1234567.89, False, False),
        ("1.234", 1234.0, True, False),  # thousands by the convention, 1,234 to an English reader
        ("12.5", 12.5, False, False),  # one dot not before three digits: a decimal point
        ("1.23", 1.23, False, False),
        ("95%", 95.0, False, True),
        ("4,75%", 4.75, False, True),
        ("95 %", 95.0, False, True),
        ("42", 42.0, False, False),
        ("0", 0.0, False, False),
        (f"1{NBSP}234", 1234.0, False, False),  # non-breaking space as thousands separator
        (f"1{NNBSP}234{NNBSP}567", 1234567.0, False, False),
        ("1 234,5", 1234.5, False, False),
        ("  12,5  ", 12.5, False, False),  # spaces around
        (f"{NBSP}12,5{NBSP}", 12.5, False, False),
        ("\t12,5\n", 12.5, False, False),
        (f"{MINUS}1,5", -1.5, False, False),  # unicode minus
        ("-1,5", -1.5, False, False),
        (f"{EN_DASH}3", -3.0, False, False),  # a dash typed as a minus sign
        ("- 3", -3.0, False, False),
        ("+3", 3.0, False, False),
        (f"{MINUS}1.234,5", -1234.5, False, False),
    ],
)
def test_parse_number(text, value, ambiguous, percent):
    got = parse_number(text)
    assert got is not None
    assert got.value == pytest.approx(value)
    assert got.ambiguous is ambiguous
    assert got.percent is percent


@pytest.mark.parametrize(
    "text",
    [
        "khoảng 50",  # words around a number are not a number
        "đạt",
        "Đạt",
        "Chưa đạt",
        "abc",
        "12a",
        "",
        "   ",
        None,
        "-",
        EN_DASH,
        EM_DASH,
        "%",
        "1.2.3",  # dots not in thousands groups
        "12,5,6",
        "7–7,5",  # a range is a target, not a result
        "1,3 - 1,5",
        "7-7.5",
        "=A1+B1",
        True,  # a boolean cell is not a number
        False,
        math.nan,
        math.inf,
        -math.inf,
    ],
)
def test_parse_number_rejects(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(("cell", "value"), [(12.5, 12.5), (1234, 1234.0), (0, 0.0), (-3.5, -3.5)])
def test_parse_number_takes_numeric_cells_as_they_are(cell, value):
    got = parse_number(cell)
    assert got is not None
    assert got.value == value
    assert not got.ambiguous
    assert not got.percent


def test_parse_number_reads_decomposed_text():
    assert parse_number(unicodedata.normalize("NFD", " 12,5 ")).value == 12.5


def _vietnamese(x: float, decimals: int) -> str:
    """x written with dot thousands and a decimal comma, as a unit would type it."""
    english = f"{x:,.{decimals}f}"  # 1,234,567.89
    return english.replace(",", " ").replace(".", ",").replace(" ", ".")


@given(
    x=st.floats(min_value=-1e15, max_value=1e15, allow_nan=False, allow_infinity=False),
    decimals=st.integers(min_value=0, max_value=6),
)
def test_parse_number_reads_back_the_vietnamese_format(x, decimals):
    text = _vietnamese(x, decimals)
    got = parse_number(text)
    assert got is not None, text
    assert got.value == pytest.approx(round(x, decimals), rel=1e-12, abs=10.0**-decimals), text
    assert not got.percent


@given(x=st.floats(min_value=-1e15, max_value=1e15, allow_nan=False, allow_infinity=False), decimals=st.integers(0, 6))
def test_parse_number_reads_back_a_percentage(x, decimals):
    got = parse_number(_vietnamese(x, decimals) + "%")
    assert got is not None
    assert got.percent
    assert got.value == pytest.approx(round(x, decimals), rel=1e-12, abs=10.0**-decimals)


_TYPED = st.text(alphabet=st.sampled_from(list("0123456789.,%-+ ²٣kđạt") + [NBSP, MINUS, EN_DASH, EM_DASH, "\u0323"]))


@given(text=st.one_of(st.text(), _TYPED))
@example("%")
@example("9" * 400)
def test_parsers_never_raise_on_any_text(text):
    got = parse_number(text)
    assert got is None or isinstance(got.value, float)
    parse_bool(text)
    parse_target(text)
    is_no_data(text)


# --- parse_bool ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("đạt", True),
        ("Đạt", True),
        ("ĐẠT", True),
        (" Đạt ", True),
        ("Chưa đạt", False),
        ("chưa  đạt", False),  # doubled space
        ("Không đạt", False),
        (unicodedata.normalize("NFD", "Chưa đạt"), False),  # decomposed accents
        (unicodedata.normalize("NFD", "Đạt"), True),
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        (1.0, True),
        ("1", True),
        ("0", False),
        (2, None),
        ("khoảng 50", None),
        ("", None),
        (None, None),
        ("-", None),
        ("12,5", None),
    ],
)
def test_parse_bool(text, expected):
    assert parse_bool(text) is expected


# --- is_no_data ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", True),
        ("   ", True),
        (NBSP, True),
        ("-", True),
        (EM_DASH, True),  # "—"
        (EN_DASH, True),
        (f" {EM_DASH} ", True),
        ("0", False),  # zero is a result, not a missing one
        ("12,5", False),
        ("khoảng 50", False),  # a word is an error, not "no data yet"
        ("đạt", False),
    ],
)
def test_is_no_data(text, expected):
    assert is_no_data(text) is expected


# --- parse_target -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("cell", "text", "low", "high", "is_range"),
    [
        (f"7{EN_DASH}7,5", f"7{EN_DASH}7,5", 7.0, 7.5, True),
        ("1,3 - 1,5", "1,3 - 1,5", 1.3, 1.5, True),
        ("7-7.5", "7-7.5", 7.0, 7.5, True),
        (f"7 {EM_DASH} 7,5", f"7 {EM_DASH} 7,5", 7.0, 7.5, True),
        ("5 đến 7", "5 đến 7", 5.0, 7.0, True),
        ("7,5-7", "7,5-7", 7.0, 7.5, True),  # bounds written high first are put in order
        ("1.000 - 2.000", "1.000 - 2.000", 1000.0, 2000.0, True),
        ("≥ 95", "≥ 95", 95.0, 95.0, False),  # the bound word stays in the text only
        ("trên 90", "trên 90", 90.0, 90.0, False),
        ("95", "95", 95.0, 95.0, False),
        ("12,5", "12,5", 12.5, 12.5, False),
        ("200.000", "200.000", 200000.0, 200000.0, False),
        ("  95%  ", "95%", 95.0, 95.0, False),
        (12.5, "12,5", 12.5, 12.5, False),  # a number cell is shown the Vietnamese way
        (200000, "200.000", 200000.0, 200000.0, False),
    ],
)
def test_parse_target(cell, text, low, high, is_range):
    got = parse_target(cell)
    assert got is not None
    assert got.text == text
    assert got.low == pytest.approx(low)
    assert got.high == pytest.approx(high)
    assert got.is_range is is_range


@pytest.mark.parametrize("cell", ["", None, "-", EM_DASH, "abc", "khoảng 50", "7 đến", True])
def test_parse_target_rejects(cell):
    assert parse_target(cell) is None


# --- normalize_text -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # "Nghị quyết" typed with combining marks becomes the composed letters
        ("Nghi\u0323 quy\u00ea\u0301t", "Ngh\u1ecb quy\u1ebft"),
        ("Ch\u01b0a đa\u0323t", "Ch\u01b0a \u0111\u1ea1t"),
        ("  Đạt  ", "Đạt"),
        (None, ""),
        (12.5, "12.5"),
    ],
)
def test_normalize_text(value, expected):
    assert normalize_text(value) == expected


def test_normalize_text_composes_what_nfd_decomposed():
    composed = "Tỷ lệ hộ nghèo"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert normalize_text(decomposed) == unicodedata.normalize("NFC", composed)


# --- display_number -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12.5, "12,5"),
        (1234, "1.234"),
        (1234.0, "1.234"),
        (1234567.5, "1.234.567,5"),
        (0.1, "0,1"),
        (0, "0"),
        (-1234.5, "-1.234,5"),
        (-0.5, "-0,5"),  # the sign of a number between -1 and 0 must survive
        (0.00001, "0,00001"),  # no exponent notation
        (0.1 + 0.2, "0,3"),  # no float noise
        (123456789012.5, "123.456.789.012,5"),
    ],
)
def test_display_number(value, expected):
    assert display_number(value) == expected


@given(st.floats(min_value=-1e14, max_value=1e14, allow_nan=False, allow_infinity=False))
def test_display_number_reads_back(x):
    got = parse_number(display_number(x))
    assert got is not None
    assert got.value == pytest.approx(x, rel=1e-12, abs=1e-300)
