"""A clerk's edits to a good catalog: every command lists the catalog's problems (exit 2) or runs, never a traceback.

The property test starts from the test catalog, applies random edits a clerk makes in
Excel (a row pasted twice, a row deleted or blanked, a cell cleared or retyped, columns
swapped, words typed where a number goes, spaces pasted, a sheet renamed) and runs
`generate`, `validate`, `status` and `consolidate` through the command line on it, with an
empty folder or a few returned files as input.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from consolidator.catalog import load_catalog
from consolidator.cli import main
from consolidator.errors import CatalogError
from consolidator.generate import generate

from .conftest import small_catalog, write_catalog
from .filling import complete_results, fill

SHEETS = ("round", "units", "indicators", "targets")
# More examples for a longer hunt: CATALOG_EDIT_EXAMPLES=2000 pytest tests/test_catalog_edits.py
EXAMPLES = int(os.environ.get("CATALOG_EDIT_EXAMPLES", "20"))


SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "catalog.xlsx"


def a_round(folder: Path, path: Path, returning: list[str]) -> tuple[Path, dict[str, Path]]:
    """A good catalog, and folders of returned files: none, and those units' filled appendices."""
    catalog = load_catalog(path)
    templates = {g.unit_code: g.path for g in generate(catalog, folder / "blank", unit_codes=returning)}
    returned = folder / "returned"
    for code, template in templates.items():
        fill(template, returned / template.name, complete_results(catalog, code))
    empty = folder / "empty"
    empty.mkdir()
    return path, {"empty": empty, "returned": returned}


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    """The test catalog, and the sample's (more units, organisation names, a place)."""
    test, sample = tmp_path_factory.mktemp("test"), tmp_path_factory.mktemp("sample")
    return {
        "test": a_round(test, write_catalog(small_catalog(), test / "catalog.xlsx"), ["D1", "K1"]),
        "sample": a_round(sample, Path(shutil.copy(SAMPLE, sample / "catalog.xlsx")), ["H01", "TINH"]),
    }


@pytest.fixture(scope="module")
def round_files(rounds):
    return rounds["test"]


# --- what a clerk types ----------------------------------------------------------------

WORDS = ("khoảng 50", "nhiều", "Đạt", "chưa đạt", "—", "-", "x", "N/A", "#N/A", "=1+1", "=A1", "12,5", "1.234",
         "7–7,5", "dưới 3", "≥ 90", "80%", "30/06/2023", "true", "weighted:", "weighted:DANSO", "sum", "level",
         "increase", "P", "D1", "GRDP", "unit_code", "indicator_code", "target")
SPACES = (" ", "  ", "\u00a0", "\t", "\n", " \u00a0 ")

typed_text = st.one_of(
    st.sampled_from(WORDS),
    st.text(st.sampled_from("aăâbcdđeêghiklmnoôơpqrstuưvxyAĐÊ0123456789 ,.-–:%/=_\u0301"), max_size=12),
)
typed_value = st.one_of(
    typed_text,
    st.sampled_from(SPACES),
    st.none(),
    st.integers(-10, 10**7),
    st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from([0.0, -0.0, 1e308, 1e-300]),
    st.booleans(),
    st.sampled_from([date(2023, 6, 30), datetime(1900, 1, 1), datetime(2999, 12, 31, 23, 59)]),
)
sheet = st.sampled_from(SHEETS)
row = st.integers(1, 18)
col = st.integers(1, 10)

edits = st.one_of(
    st.tuples(st.just("duplicate-row"), sheet, row, st.booleans()),
    st.tuples(st.just("delete-row"), sheet, row),
    st.tuples(st.just("blank-row"), sheet, row),
    st.tuples(st.just("blank-cell"), sheet, row, col),
    st.tuples(st.just("type"), sheet, row, col, typed_value),
    st.tuples(st.just("pad-spaces"), sheet, row, col, st.sampled_from(SPACES)),
    st.tuples(st.just("copy-cell"), sheet, row, col, row, col),
    st.tuples(st.just("swap-columns"), sheet, col, col),
    st.tuples(st.just("delete-column"), sheet, col),
    st.tuples(st.just("rename-sheet"), sheet, st.sampled_from(SHEETS + ("Targets", " units ", "targets (2)", "Sheet1"))),
    st.tuples(st.just("delete-sheet"), sheet),
)


def apply_edit(wb, edit: tuple) -> None:
    kind, name, *args = edit
    if name not in wb.sheetnames:
        return  # renamed or deleted by an earlier edit
    ws = wb[name]
    if kind == "duplicate-row":
        r, at_end = args
        values = [c.value for c in ws[r]]
        if at_end:
            ws.append(values)
        else:
            ws.insert_rows(r + 1)
            for c, value in enumerate(values, start=1):
                ws.cell(r + 1, c).value = value
    elif kind == "delete-row":
        ws.delete_rows(args[0])
    elif kind == "blank-row":
        for cell in ws[args[0]]:
            cell.value = None
    elif kind == "blank-cell":
        ws.cell(*args).value = None
    elif kind == "type":
        r, c, value = args
        ws.cell(r, c).value = value
    elif kind == "pad-spaces":
        r, c, pad = args
        value = ws.cell(r, c).value
        ws.cell(r, c).value = pad if value is None else f"{pad}{value}{pad}"
    elif kind == "copy-cell":
        r1, c1, r2, c2 = args
        ws.cell(r2, c2).value = ws.cell(r1, c1).value
    elif kind == "swap-columns":
        a, b = args
        for r in range(1, ws.max_row + 1):
            ws.cell(r, a).value, ws.cell(r, b).value = ws.cell(r, b).value, ws.cell(r, a).value
    elif kind == "delete-column":
        ws.delete_cols(args[0])
    elif kind == "rename-sheet":
        if args[0] not in wb.sheetnames:
            ws.title = args[0]
    elif kind == "delete-sheet":
        if len(wb.sheetnames) > 1:
            del wb[name]


def edited_catalog(source: Path, out: Path, changes: list[tuple]) -> Path:
    wb = openpyxl.load_workbook(source)
    for change in changes:
        apply_edit(wb, change)
    wb.save(out)
    return out


# --- the commands ----------------------------------------------------------------------


def run_commands(catalog: Path, inbox: Path, work: Path) -> dict[str, object]:
    runner = CliRunner()
    commands = {
        "generate": ["generate", str(catalog), "-o", str(work / "appendices")],
        "validate": ["validate", str(catalog), str(inbox)],
        "status": ["status", str(catalog), str(inbox)],
        "consolidate": ["consolidate", str(catalog), str(inbox), "-o", str(work / "tong-hop.xlsx")],
    }
    return {name: runner.invoke(main, args) for name, args in commands.items()}


def assert_no_traceback(results: dict, refusal: CatalogError | None, inbox_kind: str) -> None:
    for name, result in results.items():
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        assert not crashed, f"{name}: {result.exception!r}\n{result.output[-1500:]}"
        if refusal is not None:
            assert result.exit_code == 2, (name, result.output[-1500:])
            for issue in refusal.issues:
                assert f"[{issue.code}]" in result.output, (name, issue.code)
        elif name == "generate":  # no data to judge
            assert result.exit_code in (0, 2), (name, result.output[-1500:])
        elif inbox_kind == "empty":
            # status lists every unit as missing (1); the others refuse an empty folder (2)
            assert result.exit_code == (1 if name == "status" else 2), (name, result.output[-1500:])
        else:
            assert result.exit_code in (0, 1), (name, result.output[-1500:])  # 1: a returned file has errors


def check_every_command(source: Path, inbox_kind: str, inboxes: dict[str, Path], changes: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        catalog = edited_catalog(source, work / "catalog.xlsx", changes)
        try:
            load_catalog(catalog)
            refusal = None
        except CatalogError as exc:
            refusal = exc
        event("catalog refused" if refusal else "catalog loaded")
        assert_no_traceback(run_commands(catalog, inboxes[inbox_kind], work), refusal, inbox_kind)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.sampled_from(["test", "sample"]), changes=st.lists(edits, min_size=1, max_size=4),
       inbox_kind=st.sampled_from(["empty", "returned"]))
def test_a_clerks_edits_never_crash_a_command(rounds, start, changes, inbox_kind):
    source, inboxes = rounds[start]
    check_every_command(source, inbox_kind, inboxes, changes)


# --- each crash the property test found, on its own ------------------------------------


def test_a_target_row_pasted_twice_is_listed_with_both_rows(round_files, tmp_path):
    source, inboxes = round_files
    catalog = edited_catalog(source, tmp_path / "catalog.xlsx", [("duplicate-row", "targets", 3, True)])
    with pytest.raises(CatalogError) as info:
        load_catalog(catalog)
    [issue] = info.value.issues
    assert (issue.code, issue.cell, issue.params["rows"]) == ("catalog-duplicate-target", "A17", "3, 17")
    assert issue.indicator_code == "GRDP" and issue.params["unit_code"] == "D1"
    for name, result in run_commands(catalog, inboxes["returned"], tmp_path).items():
        assert result.exception is None or isinstance(result.exception, SystemExit), (name, result.exception)
        assert result.exit_code == 2 and "[catalog-duplicate-target]" in result.output, name
        assert "3, 17" in result.output, name


def assert_refused_by_every_command(catalog: Path, inbox: Path, work: Path, code: str) -> None:
    for name, result in run_commands(catalog, inbox, work).items():
        assert result.exception is None or isinstance(result.exception, SystemExit), (name, result.exception)
        assert result.exit_code == 2 and f"[{code}]" in result.output, (name, result.output[-1500:])


def test_a_second_root_typed_as_a_number_is_listed(round_files, tmp_path):
    # a new units row with the code 0 and no parent: two roots, one of them a number
    source, inboxes = round_files
    catalog = edited_catalog(source, tmp_path / "catalog.xlsx", [("type", "units", 8, 1, 0)])
    with pytest.raises(CatalogError) as info:
        load_catalog(catalog)
    [root_count] = [i for i in info.value.issues if i.code == "catalog-root-count"]
    assert root_count.params["count"] == 2 and set(root_count.value.split(", ")) == {"P", "0"}
    assert_refused_by_every_command(catalog, inboxes["returned"], tmp_path, "catalog-root-count")


def test_codes_and_names_typed_as_numbers_are_their_digits(round_files, tmp_path):
    # D2 renamed 101 in units and targets, typed as numbers; K1's name typed as a number, a
    # date as an indicator's group
    source, inboxes = round_files
    wb = openpyxl.load_workbook(source)
    for ws, column in ((wb["units"], 1), (wb["targets"], 1), (wb["units"], 3)):
        for r in range(2, ws.max_row + 1):
            if ws.cell(r, column).value == "D2":
                ws.cell(r, column).value = 101
    wb["units"]["B6"] = 2023
    wb["indicators"]["C2"] = datetime(2023, 6, 30)
    wb.save(tmp_path / "catalog.xlsx")
    loaded = load_catalog(tmp_path / "catalog.xlsx")
    assert loaded.unit_by_code["101"].parent_code == "P"
    assert {t.indicator_code for t in loaded.targets_by_unit["101"]} == {"GRDP", "DANSO", "NGHEO", "NTM"}
    assert loaded.unit_by_code["K1"].name == "2023"
    assert loaded.indicator_by_code["GRDP"].group == "30/06/2023"
    results = run_commands(tmp_path / "catalog.xlsx", inboxes["returned"], tmp_path)
    assert results["generate"].exit_code == 0, results["generate"].output[-1500:]
    assert (tmp_path / "appendices").is_dir() and any("101" in p.name for p in (tmp_path / "appendices").iterdir())
    for name, result in results.items():
        assert result.exception is None or isinstance(result.exception, SystemExit), (name, result.exception)


def test_a_unit_name_typed_as_a_number_is_generated_as_its_digits(round_files, tmp_path):
    source, inboxes = round_files
    catalog = edited_catalog(source, tmp_path / "catalog.xlsx", [("type", "units", 2, 2, 0)])  # P's name: 0
    assert load_catalog(catalog).unit_by_code["P"].name == "0"
    results = run_commands(catalog, inboxes["returned"], tmp_path)
    for name, result in results.items():
        assert result.exception is None or isinstance(result.exception, SystemExit), (name, result.exception)
    assert results["generate"].exit_code == 0, results["generate"].output[-1500:]
