"""Every command speaks Vietnamese by default and English with --lang en (help: CONSOLIDATOR_LANG=en)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from consolidator.catalog import load_catalog
from consolidator.cli import main
from consolidator.generate import generate
from consolidator.layout import workbook_filename

from .filling import complete_results, fill

# Words that give English away in what a command prints.
ENGLISH = ("file(s)", "units valid", "left out", "workbook", "Round folder", "No input files", "Annotated",
           "Excel report", "Consolidated", "Usage:", "Options:", "Commands:", "Show this message", "[required]",
           "no such unit", "must end in", "already a round folder", "indicators\t", "Fill in", "Data table",
           "Unknown unit", "error(s)", "Language of", "counts", "received before", "not a day and time",
           "is consistent", "reminder(s)", "call list", "replaced by", "Received:", "Filled", "Left blank")
COMMANDS = ("init", "generate", "receive", "validate", "status", "history", "remind", "consolidate", "report",
            "check", "demo", "report-up")


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def english_in(text: str) -> list[str]:
    return [w for w in ENGLISH if w.lower() in text.lower()]


@pytest.fixture
def returned(tmp_path, catalog_path):
    """The round's appendices, D1 returned complete and D2 with a word for a number."""
    catalog = load_catalog(catalog_path)
    made = {g.unit_code: g.path for g in generate(catalog, tmp_path / "blank", unit_codes=["D1", "D2"])}
    inbox = tmp_path / "inbox"
    fill(made["D1"], inbox / made["D1"].name, complete_results(catalog, "D1"))
    fill(made["D2"], inbox / made["D2"].name, {**complete_results(catalog, "D2"), "DANSO": "khoảng 50"})
    (tmp_path / "empty").mkdir()
    return inbox


def a_round(tmp_path: Path, catalog_path: Path, inbox: Path, lang: list[str]) -> str:
    """The output (stdout and stderr) of every command of a round, and of its refusals."""
    out = tmp_path / ("out-" + "-".join(lang or ["default"]))
    cat = str(catalog_path)
    runs = [
        (0, ["init", str(out / "round")]),
        (2, ["init", str(out / "round")]),
        (0, ["generate", cat, "-o", str(out / "appendices")]),
        (2, ["generate", cat, "-o", str(out / "x"), "--unit", "NOWHERE"]),
        (1, ["validate", cat, str(inbox), "--report", str(out / "report.xlsx"), "--annotate", str(out / "back")]),
        (1, ["status", cat, str(inbox)]),  # units missing, one invalid
        (1, ["consolidate", cat, str(inbox), "-o", str(out / "all.xlsx"), "--data-out", str(out / "all.csv")]),
        (2, ["consolidate", cat, str(inbox), "-o", str(out / "all.xlsx"), "--root", "NOWHERE"]),
        (2, ["consolidate", cat, str(inbox), "-o", str(out / "all.xlsx"), "--data-out", str(out / "all.txt")]),
        (2, ["consolidate", cat, str(inbox), "-o", str(out / "all.csv")]),
        (1, ["report", cat, str(inbox), "-o", str(out / "report.docx")]),
        (2, ["report", cat, str(inbox), "-o", str(out / "report.doc")]),
        # the root's own appendix filled from the rollup (D2 left out, RUNG rolled up from no one)
        (1, ["report-up", cat, str(out / "appendices" / workbook_filename("P", "Tỉnh Thử")), str(inbox),
             "-o", str(out / "len.xlsx")]),
        (2, ["report-up", cat, cat, str(inbox), "-o", str(out / "len.xlsx")]),
        (0, ["consolidate", cat, "--from-data", str(out / "all.csv"), "-o", str(out / "qg.xlsx")]),
        (2, ["consolidate", cat, "--from-data", str(out / "report.xlsx"), "-o", str(out / "qg.xlsx")]),
        (2, ["validate", cat, str(tmp_path / "empty")]),
        (None, "the clerk fills the round folder's catalog"),
        (0, ["generate", str(out / "round")]),
        (1, ["receive", str(out / "round"), str(inbox)]),  # D2's file has an error
        (0, ["receive", str(out / "round"), str(inbox)]),  # again: nothing added, and said so
        (2, ["receive", str(out / "round"), str(inbox), "--received-at", "x"]),
        (1, ["status", str(out / "round")]),
        (0, ["history", str(out / "round")]),
        (0, ["check", str(out / "round")]),
        (0, ["remind", str(out / "round"), "-o", str(out / "nhac")]),
        (1, ["consolidate", str(out / "round")]),
    ]
    texts = []
    for code, args in runs:
        if code is None:
            shutil.copyfile(catalog_path, out / "round" / "catalog.xlsx")
            continue
        result = CliRunner().invoke(main, args + lang, catch_exceptions=False)
        assert result.exit_code == code, (args, result.output)
        texts.append(result.output)
    return "\n".join(texts).replace(str(tmp_path), "<tmp>")


def test_a_round_prints_vietnamese_by_default_and_english_with_lang_en(tmp_path, catalog_path, returned):
    default = a_round(tmp_path, catalog_path, returned, [])
    assert english_in(default) == [], default
    english = a_round(tmp_path, catalog_path, returned, ["--lang", "en"])
    assert set(english_in(english)) >= {"file(s)", "units valid", "left out", "workbook", "Round folder",
                                        "No input files", "Annotated", "Excel report", "Consolidated",
                                        "no such unit", "must end in", "already a round folder", "counts",
                                        "received before", "not a day and time", "is consistent", "reminder(s)",
                                        "call list", "Filled"}, english


def test_rates_on_the_terminal_have_the_decimal_comma(catalog_path, returned):
    out = run("status", str(catalog_path), str(returned)).output
    assert re.search(r"\d,\d%", out) and not re.search(r"\d\.\d%", out), out


def test_help_is_vietnamese_by_default():
    pages = [run("--help").output] + [run(name, "--help").output for name in COMMANDS]
    for page in pages:
        assert english_in(page) == [], page


def test_help_is_english_with_consolidator_lang_en():
    code = ("from click.testing import CliRunner; from consolidator.cli import main; "
            f"print('\\n'.join(CliRunner().invoke(main, [*c, '--help']).output for c in [[]] + [[n] for n in {COMMANDS!r}]))")
    env = {**os.environ, "CONSOLIDATOR_LANG": "en"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert {"Usage:", "Options:", "Commands:", "Show this message", "workbook", "[required]"} <= set(english_in(out))


def test_consolidate_refuses_an_output_that_is_not_xlsx(tmp_path, catalog_path, returned):
    for name in ("all.csv", "all", "all.xlsx.txt"):
        result = run("consolidate", str(catalog_path), str(returned), "-o", str(tmp_path / name))
        assert result.exit_code == 2, result.output
        assert ".xlsx" in result.output and english_in(result.output) == []
        assert not (tmp_path / name).exists()


@pytest.mark.parametrize("args", [["validate"], ["frob"], ["validate", "/no/such/catalog.xlsx", "x"],
                                  ["status", "--lang", "fr"], ["consolidate", "--no-such-option"]])
def test_clicks_own_usage_errors_are_vietnamese_by_default(args):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    english = ("Error:", "Missing argument", "No such", "does not exist", "Try '", "Invalid value", "Usage:")
    assert not [word for word in english if word in result.output], result.output


def test_clicks_own_usage_errors_are_english_with_consolidator_lang_en():
    done = subprocess.run([sys.executable, "-m", "consolidator", "validate"], capture_output=True, text=True,
                          env={**os.environ, "CONSOLIDATOR_LANG": "en"})
    assert done.returncode == 2 and "Missing argument" in done.stderr
