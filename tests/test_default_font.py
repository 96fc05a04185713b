"""Every workbook one process writes has the same Normal font, Times New Roman (DESIGN.md §6).

xlsxwriter adds to the default-format dict it is given: handed `layout.DEFAULT_FONT` itself,
the second workbook of a run (every appendix after the first, the consolidated workbook
after `generate` in the demo) got a Normal font bound to the theme's, which Excel shows in
the theme's font instead. Here the run also writes a validation report first, as the demo does.
"""

from __future__ import annotations

import openpyxl

from consolidator import layout
from consolidator.catalog import load_catalog
from consolidator.consolidate import consolidate
from consolidator.generate import generate
from consolidator.report import write_excel_report
from consolidator.validate import validate_files
from consolidator.write import write_consolidated


def _normal_font(path):
    font = openpyxl.load_workbook(path)._fonts[0]  # the Normal style's font
    return font.name, font.sz, font.scheme


def test_the_normal_font_is_times_new_roman_in_every_workbook_of_a_run(tmp_path, catalog_path):
    catalog = load_catalog(catalog_path)
    generate(catalog, tmp_path / "first")
    write_excel_report(validate_files(catalog, []), tmp_path / "kiem-tra.xlsx")
    made = generate(catalog, tmp_path / "phu-luc")
    assert len(made) > 1
    out = tmp_path / "tong-hop.xlsx"
    write_consolidated(consolidate(catalog, [made[0].path]), out)
    assert {_normal_font(g.path) for g in made} | {_normal_font(out)} == {(layout.FONT, 11, None)}
