"""A message about a cell names its indicator by name as well as code, and a changed target gives the original."""

from __future__ import annotations

import json

from click.testing import CliRunner

from consolidator.catalog import load_catalog
from consolidator.cli import main
from consolidator.generate import generate

from .filling import column, complete_results, fill, rows_by_code


def issues_by_code(catalog_path, path, lang="vi") -> dict[str, dict]:
    result = CliRunner().invoke(main, ["validate", str(catalog_path), str(path), "--format", "json", "--lang", lang])
    assert result.exit_code == 1, result.output
    [file] = json.loads(result.output)["files"]
    return {i["code"]: i for i in file["issues"]}


def test_a_word_for_a_number_and_a_changed_target_are_told_with_the_catalogs_words(tmp_path, catalog_path):
    catalog = load_catalog(catalog_path)
    [made] = generate(catalog, tmp_path / "blank", unit_codes=["D1"])
    rung, danso = catalog.indicator_by_code["RUNG"], catalog.indicator_by_code["DANSO"]
    [original] = [t.text for t in catalog.targets_by_unit["D1"] if t.indicator_code == "DANSO"]

    def overwrite_target(wb, ws):
        ws.cell(rows_by_code(ws)["DANSO"], column("target")).value = 250_000

    results = {**complete_results(catalog, "D1"), "RUNG": "khoảng 50"}
    path = fill(made.path, tmp_path / "back" / made.path.name, results, edit=overwrite_target)
    for lang in ("vi", "en"):
        issues = issues_by_code(catalog_path, path, lang)
        word, changed = issues["not-a-number"], issues["target-changed"]
        assert word["indicator_code"] == "RUNG" and rung.name in word["message"]
        assert changed["indicator_code"] == "DANSO" and danso.name in changed["message"]
        assert original in changed["message"]  # the catalog's target, beside the typed one
        assert "250" in changed["message"]
