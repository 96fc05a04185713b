"""Cell positions and dates as a spreadsheet stores them: column letters, the Excel epoch.

The reader, the writers and the catalog all need these; one home, so they cannot disagree.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

# Day 0 of Excel's 1900 date system, as every spreadsheet program counts it (the serial
# 60 is the 29th of February 1900 that never was, so day 1 is 31/12/1899 for dates after it).
EXCEL_EPOCH = datetime(1899, 12, 30)


def column_letters(col: int) -> str:
    """Excel column letters of a 1-based column number: 1 → A, 28 → AB."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@lru_cache(maxsize=4096)
def column_number(letters: str) -> int:
    """The 1-based column number of Excel column letters: A → 1, AB → 28."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def serial_date(serial: float) -> date:
    """The date of an Excel serial day number."""
    return (EXCEL_EPOCH + timedelta(days=int(serial))).date()
