"""Every workbook one process writes has the same Normal font, Times New Roman (DESIGN.md §6).

xlsxwriter adds to the default-format dict it is given: handed `layout.DEFAULT_FONT` itself,
the second workbook of a run (every appendix after the first, the consolidated workbook
after `generate` in the demo) got a Normal font bound to the theme's, which Excel shows in
the theme's font instead.
"""

from __future__ import annotations

import openpyxl

from consolidator import layout
from consolidator.catalog import load_catalog
from consolidator.consolidate import consolidate
from consolidator.generate import generate
from consolidator.write import write_consolidated


def _normal_font(path):
    font = openpyxl.load_workbook(path)._fonts[0]  # the Normal style's font
    return font.name, font.sz, font.scheme


def test_the_normal_font_is_times_new_roman_in_every_workbook_of_a_run(tmp_path, catalog_path):
    catalog = load_catalog(catalog_path)
    made = generate(catalog, tmp_path / "phu-luc")
    assert len(made) > 1
    out = tmp_path / "tong-hop.xlsx"
    write_consolidated(consolidate(catalog, [made[0].path]), out)
    assert {_normal_font(g.path) for g in made} | {_normal_font(out)} == {(layout.FONT, 11, None)}
    assert layout.DEFAULT_FONT == {"font_name": layout.FONT, "font_size": 11}
