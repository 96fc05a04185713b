"""What a catalog workbook holds (DESIGN.md §4): its sheets, their columns, the round's keys.

The reader, the checks and the template writer all follow these, so they cannot disagree.
"""

from __future__ import annotations

import re

from ..numbers import normalize_text

SHEETS = {
    "round": ("key", "value"),
    "units": ("unit_code", "unit_name", "parent_code"),
    "indicators": (
        "indicator_code", "name", "group", "unit_of_measure",
        "direction", "measure", "aggregation", "decimals",
    ),
    "targets": ("unit_code", "indicator_code", "target", "baseline"),
}
# Sheets a catalog may have: `mapping` says which of the parent round's indicators each of
# ours reports up as, where the codes differ (DESIGN.md §9). The blank template carries it.
OPTIONAL_SHEETS = {"mapping": ("parent_indicator_code", "indicator_code")}
ALL_SHEETS = {**SHEETS, **OPTIONAL_SHEETS}
# Columns a sheet may have beside its required ones; the blank template carries them.
OPTIONAL_COLUMNS = {"units": ("organisation_name", "contact_name", "email", "phone")}
# Codes and names: read as text whatever was typed (a unit code 101 is the text "101").
# A phone is text too, but read by cells.phone_text: a number cell has lost its leading zero.
TEXT_COLUMNS = {
    "units": frozenset({"unit_code", "unit_name", "parent_code", "organisation_name", "contact_name", "email"}),
    "indicators": frozenset({"indicator_code", "name", "group", "unit_of_measure", "direction", "measure",
                             "aggregation"}),
    "targets": frozenset({"unit_code", "indicator_code"}),
    "mapping": frozenset({"parent_indicator_code", "indicator_code"}),
}
REQUIRED_ROUND_KEYS = ("round_id", "title", "organisation", "baseline_year", "target_year", "cutoff_date", "deadline")
ROUND_KEYS = REQUIRED_ROUND_KEYS + ("low_threshold", "allow_target_changes", "expected_progress", "lang", "place",
                                    "office_email")
DEFAULT_DECIMALS = 1


def sheet_key(name: object) -> str:
    """A sheet's name as the catalog matches it: " Targets" is the sheet targets."""
    return normalize_text(name).lower()


def canonical(header: object) -> str:
    """A column header or round key as the catalog matches it: "Unit code" is unit_code."""
    return re.sub(r"\s+", "_", normalize_text(header).lower())
