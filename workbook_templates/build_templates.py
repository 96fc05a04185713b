"""Rebuild the blank catalog template: the copy shipped in the package and the one here.

Run: .venv/bin/python workbook_templates/build_templates.py
"""

from pathlib import Path

from consolidator.catalog import write_catalog_workbook
from consolidator.templates import BLANK_CATALOG

HERE = Path(__file__).resolve().parent
PACKAGED = HERE.parent / "consolidator" / "resources" / BLANK_CATALOG

if __name__ == "__main__":
    for path in (HERE / "catalog_template.xlsx", PACKAGED):
        write_catalog_workbook(path)
        print(path)
