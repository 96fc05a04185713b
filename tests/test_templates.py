"""The workbooks shipped in the package match the copies a user opens in the repository."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import openpyxl
import pytest

from consolidator.catalog import load_catalog, write_catalog_workbook
from consolidator.errors import CatalogError
from consolidator.templates import BLANK_CATALOG, SAMPLE_CATALOG

ROOT = Path(__file__).resolve().parents[1]


def values(path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def packaged(name: str):
    return resources.files("consolidator.resources").joinpath(name)


def test_blank_template_copies_agree_and_are_current(tmp_path):
    fresh = tmp_path / "fresh.xlsx"
    write_catalog_workbook(fresh)
    with resources.as_file(packaged(BLANK_CATALOG)) as shipped:
        assert values(shipped) == values(fresh)
    assert values(ROOT / "workbook_templates" / "catalog_template.xlsx") == values(fresh)


def test_blank_template_asks_for_every_round_value(tmp_path):
    with resources.as_file(packaged(BLANK_CATALOG)) as shipped, pytest.raises(CatalogError) as info:
        load_catalog(shipped)
    codes = {i.code for i in info.value.issues}
    assert "catalog-missing-value" in codes and "catalog-no-targets" in codes


def test_sample_catalog_copies_agree():
    with resources.as_file(packaged(SAMPLE_CATALOG)) as shipped:
        assert values(shipped) == values(ROOT / "sample_data" / "catalog.xlsx")
        catalog = load_catalog(shipped)
    assert len([u for u in catalog.units if u.parent_code == catalog.root.code]) >= 12
    assert max(catalog.level(u.code) for u in catalog.units) >= 2
    assert 20 <= len(catalog.indicators) <= 30
    assert {i.direction for i in catalog.indicators} >= {"increase", "decrease"}
    assert {i.measure for i in catalog.indicators} == {"cumulative", "level", "average"}
    assert any(t.is_range for t in catalog.targets)
