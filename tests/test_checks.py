"""The row checks: generators of issues from cell states, pandera for the figures' ranges."""

from __future__ import annotations

import pandera.pandas as pa
import pytest

from consolidator import validate
from consolidator.model import Issue
from consolidator.model import CellReading, RowReading

from .conftest import small_catalog


def _row(result: CellReading, code: str = "DANSO", **kw) -> RowReading:
    return RowReading(kind="indicator", excel_row=12, indicator_code=code, letters={"result": "E", "estimate": "H"},
                      result=result, estimate=CellReading(None, "blank"), proposed_target="", proposed_state="blank",
                      note="", **kw)


def test_each_state_gives_its_code_at_its_cell():
    catalog = small_catalog()
    rows = [_row(CellReading(None, "word", "khoảng 50")), _row(CellReading(-3.0, "ok", -3))]
    found = validate.check_rows(catalog, [rows], ["Phụ lục"])
    assert [(i.code, i.cell) for i in found[0]] == [("not-a-number", "E12"), ("negative-value", "E12")]
    assert all(isinstance(i, Issue) for i in found[0])


def test_a_failure_no_check_names_raises_instead_of_vanishing(monkeypatch):
    catalog = small_catalog()
    strict = pa.DataFrameSchema({"result_nonneg": pa.Column(None, pa.Check(lambda s: s > 1e9, name="stray"),
                                                             nullable=True)})
    monkeypatch.setattr(validate, "value_schema", lambda: strict)
    with pytest.raises(pa.errors.SchemaErrors):
        validate.check_rows(catalog, [[_row(CellReading(5.0, "ok", 5))]], ["Phụ lục"])
