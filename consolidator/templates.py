"""Workbooks shipped inside the package: the blank catalog and the sample round's catalog.

Copies a user can open live in workbook_templates/ and sample_data/; the shipped and the
visible copies are rebuilt together by workbook_templates/build_templates.py and
sample_data/build_sample.py, and tests/test_templates.py checks they hold the same content.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from .fileio import atomic_output

BLANK_CATALOG = "catalog_template.xlsx"
SAMPLE_CATALOG = "sample_catalog.xlsx"


def _copy_resource(name: str, path: str | Path) -> Path:
    with resources.as_file(resources.files("consolidator.resources").joinpath(name)) as src:
        with atomic_output(path) as tmp:
            shutil.copyfile(src, tmp)
    return Path(path)


def write_blank_catalog(path: str | Path) -> Path:
    """Copy the blank catalog template to `path`."""
    return _copy_resource(BLANK_CATALOG, path)


def write_sample_catalog(path: str | Path) -> Path:
    """Copy the bundled sample round's catalog to `path`."""
    return _copy_resource(SAMPLE_CATALOG, path)
