"""The command line: exit codes, help on every command, a light start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from consolidator.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_every_command_has_help_and_is_documented():
    readme = README.read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert command.help, name
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert f"consolidator {name}" in readme, f"README does not document `consolidator {name}`"


def test_help_does_not_import_pandas():
    code = (
        "import sys; from click.testing import CliRunner; from consolidator.cli import main; "
        "r = CliRunner().invoke(main, ['generate', '--help']); assert r.exit_code == 0; "
        "print(sorted(m for m in ('pandas', 'pandera', 'openpyxl', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_init_writes_a_blank_catalog_and_will_not_overwrite(tmp_path):
    result = run("init", str(tmp_path / "round"))
    assert result.exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "round" / "catalog.xlsx")
    assert {"round", "units", "indicators", "targets"} <= set(wb.sheetnames)
    assert [c.value for c in wb["units"][1]] == ["unit_code", "unit_name", "parent_code", "organisation_name",
                                                 "contact_name", "email", "phone"]
    again = run("init", str(tmp_path / "round"))
    assert again.exit_code == 2


def test_inits_hint_quotes_a_folder_with_a_space_and_names_the_guides_folders(tmp_path):
    folder = tmp_path / "vong 2023"
    result = run("init", str(folder))
    assert result.exit_code == 0
    commands = [line.strip() for line in result.output.splitlines() if line.strip().startswith("consolidator ")]
    assert commands, result.output
    for line in commands:
        assert f'"{folder}' in line, line  # double quotes: read alike by a POSIX shell, cmd and PowerShell
        assert str(folder) not in line.replace(f'"{folder}', "")  # never unquoted
    generate_line = next(line for line in commands if line.startswith("consolidator generate"))
    assert generate_line.endswith(f'"{folder}"')  # the round folder: the appendices go into its phu-luc
    receive_line = next(line for line in commands if line.startswith("consolidator receive"))
    assert receive_line.endswith(f'"{folder / "nhan-ve"}"')


def test_generate_writes_workbooks(tmp_path, catalog_path):
    result = run("generate", str(catalog_path), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").glob("*.xlsx")) == [
        "D1_huyen-ky-anh.xlsx", "D2_thi-xa-hong-linh.xlsx", "K1_dang-bo-cong-ty-dien-luc.xlsx",
        "K2_chi-bo-truong-chinh-tri.xlsx", "P_tinh-thu.xlsx",
    ]
    assert (tmp_path / "out" / "manifest.csv").exists()


def test_generate_one_unit(tmp_path, catalog_path):
    result = run("generate", str(catalog_path), "-o", str(tmp_path / "out"), "--unit", "K2")
    assert result.exit_code == 0
    assert [p.name for p in (tmp_path / "out").glob("*.xlsx")] == ["K2_chi-bo-truong-chinh-tri.xlsx"]


def test_generate_unknown_unit_is_bad_usage(tmp_path, catalog_path):
    result = run("generate", str(catalog_path), "-o", str(tmp_path / "out"), "--unit", "K")
    assert result.exit_code == 2


def test_bad_catalog_exits_2_listing_every_problem(tmp_path, catalog_path):
    wb = openpyxl.load_workbook(catalog_path)
    wb["units"]["C3"] = "NOWHERE"
    wb["targets"]["C4"] = "khoảng 50"
    wb.save(catalog_path)
    result = CliRunner().invoke(main, ["generate", str(catalog_path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "catalog-unknown-parent" in result.output and "C3" in result.output
    assert "catalog-bad-target" in result.output and "C4" in result.output
    assert not (tmp_path / "out").exists()


def test_bad_catalog_in_english(tmp_path, catalog_path):
    wb = openpyxl.load_workbook(catalog_path)
    wb["units"]["C3"] = "NOWHERE"
    wb.save(catalog_path)
    result = CliRunner().invoke(main, ["generate", str(catalog_path), "-o", str(tmp_path / "o"), "--lang", "en"])
    assert result.exit_code == 2 and "is not in the list of units" in result.output


def test_demo_runs_on_the_bundled_sample(tmp_path):
    result = run("demo", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "demo" / "appendices").glob("*.xlsx"))) >= 12
    printed = result.output.replace(str(tmp_path), "<tmp>")
    assert not [w for w in ("sent", "file(s)", "Generated", "Catalog", "Consolidated", "Data table", "late")
                if w in printed], printed
