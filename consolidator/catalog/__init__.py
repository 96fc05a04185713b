"""The round's catalog workbook (DESIGN.md §4): read, validate, refuse with every problem listed.

In the direction of flow:

- spec.py: the sheets, their columns, the round's keys;
- scan.py: whether python-calamine may read the package (a bounded scan of its bytes);
- sheets.py: reading the four sheets with calamine, or with our own reader (xlsx.py);
- cells.py: their cells made alike whichever engine read them;
- frames.py: a sheet as a DataFrame whose index is the Excel row number;
- roundsheet.py: the `round` sheet, a key/value list checked in code;
- checks.py: pandera schemas built from the catalog itself (its unit codes, its indicator
  codes), checked lazily so each failure carries its row and is reported with its cell, and
  the tree and target checks: generators of issues;
- build.py: the checked frames as a model.Catalog;
- load.py: load_catalog, the above in turn;
- template.py: writing catalogs, the blank template and samples (catalog_rows).
"""

from __future__ import annotations

from .load import load_catalog
from .roundsheet import parse_date
from .scan import CALAMINE_MAX_TEXT_COPIES
from .sheets import CATALOG_LIMITS_MIB, CATALOG_MAX_CELLS
from .spec import DEFAULT_DECIMALS, OPTIONAL_COLUMNS, REQUIRED_ROUND_KEYS, ROUND_KEYS, SHEETS, TEXT_COLUMNS
from .template import catalog_rows, write_catalog_workbook

__all__ = [
    "CALAMINE_MAX_TEXT_COPIES", "CATALOG_LIMITS_MIB", "CATALOG_MAX_CELLS", "DEFAULT_DECIMALS", "OPTIONAL_COLUMNS",
    "REQUIRED_ROUND_KEYS", "ROUND_KEYS", "SHEETS", "TEXT_COLUMNS", "catalog_rows", "load_catalog", "parse_date",
    "write_catalog_workbook",
]
