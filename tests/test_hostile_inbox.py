"""Every kind of bad file in one inbox beside valid ones, through the real command line,
under a 2 GiB memory limit: each bad file gets a verdict and the consolidation is exactly
what it is without them. And the steps after reading hold too: the files that made
`--annotate` crash, print or take a minute cost only their own annotated copy."""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from consolidator.catalog import load_catalog
from consolidator.generate import generate

from .corpus.build_corpus import EXPECTED, KINDS, build_corpus, load_source
from .filling import complete_results, fill

MEMORY_LIMIT = 2 << 30
TIME_BOUND = 120  # seconds per command: the whole batch, far above the few seconds it takes


def limited():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def cli(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "consolidator", *args], capture_output=True, text=True,
                          timeout=TIME_BOUND, preexec_fn=limited)
    return done, time.monotonic() - started


@pytest.fixture(scope="module")
def round_(tmp_path_factory):
    from .conftest import small_catalog, write_catalog

    root = tmp_path_factory.mktemp("hostile")
    catalog_path = write_catalog(small_catalog(), root / "catalog.xlsx")
    catalog = load_catalog(catalog_path)
    templates = {g.unit_code: g.path for g in generate(catalog, root / "templates")}
    return root, catalog_path, catalog, templates


@pytest.fixture(scope="module")
def inboxes(round_):
    root, catalog_path, catalog, templates = round_
    clean = root / "clean"
    for code in ("P", "D1", "D2", "K1", "K2"):
        fill(templates[code], clean / templates[code].name, complete_results(catalog, code))
    mixed = root / "mixed"
    shutil.copytree(clean, mixed)
    corpus = build_corpus(next(clean.glob("D1_*.xlsx")), root / "corpus")
    bad = {kind: path for kind, path in corpus.items() if EXPECTED[kind][0] != "valid"}
    for kind, path in bad.items():
        shutil.copy(path, mixed / f"bad_{kind}{path.suffix}")
    # Files that must pass though they are odd (<v/> cells, a relocated workbook part, parts
    # openpyxl chokes on): D1's valid file again, so kept out of the consolidated inbox,
    # whose table names each unit's file.
    odd = root / "odd"
    odd.mkdir()
    for kind, path in corpus.items():
        if EXPECTED[kind][0] == "valid":
            shutil.copy(path, odd / f"odd_{kind}{path.suffix}")
    return catalog_path, clean, mixed, bad, odd


# Files our reader reads but openpyxl, which makes the annotated copies, cannot load or
# takes a minute and most of a gigabyte over; each an invalid file of its own unit, so that
# each is the unit's counted file and gets a copy. The units after them are ordinary.
ANNOTATE_HOSTILE = {"D1": "huge_styles", "D2": "styles_print", "K1": "pivot_cache_unloadable"}
ORDINARY_INVALID = ("K2", "P")


def resend_inbox(catalog, templates: dict, folder: Path) -> dict[str, Path]:
    """An inbox where every unit's file has an error; unit code → its file."""
    out = {}
    for code in (*ANNOTATE_HOSTILE, *ORDINARY_INVALID):
        results = complete_results(catalog, code)
        results[next(iter(results))] = "khoảng 50"  # words for a number: the file is invalid
        filled = fill(templates[code], folder / "filled" / templates[code].name, results)
        target = folder / "inbox" / filled.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if code in ANNOTATE_HOSTILE:
            KINDS[ANNOTATE_HOSTILE[code]][1](load_source(filled), target)
        else:
            shutil.copy(filled, target)
        out[code] = target
    return out


def test_validate_gives_every_bad_file_its_verdict(inboxes, tmp_path):
    catalog_path, clean, mixed, bad, odd = inboxes
    done, seconds = cli("validate", str(catalog_path), str(mixed), str(odd), "--format", "json",
                        "--report", str(tmp_path / "report.xlsx"), "--annotate", str(tmp_path / "back"))
    assert done.returncode == 1, done.stderr
    assert seconds < TIME_BOUND
    assert "Traceback" not in done.stderr
    files = {f["path"].rsplit("/", 1)[-1]: f for f in json.loads(done.stdout)["files"]}
    for kind, path in bad.items():
        status, code = EXPECTED[kind]
        got = files[f"bad_{kind}{path.suffix}"]
        assert got["status"] == status, kind
        assert code in [i["code"] for i in got["issues"]], kind
        assert all(i["message"] for i in got["issues"])
    odd_files = [name for name in files if name.startswith("odd_")]
    assert len(odd_files) == sum(status == "valid" for status, _ in EXPECTED.values())
    for name in odd_files:
        assert files[name]["status"] == "valid", (name, files[name]["issues"])
    assert sum(f["status"] == "valid" for f in files.values()) == 5 + len(odd_files)


def test_consolidation_is_unchanged_by_the_bad_files(inboxes, tmp_path):
    catalog_path, clean, mixed, bad, _ = inboxes
    runs = {}
    for name, inbox in (("clean", clean), ("mixed", mixed)):
        data = tmp_path / f"{name}.csv"
        done, seconds = cli("consolidate", str(catalog_path), str(inbox), "-o", str(tmp_path / f"{name}.xlsx"),
                            "--data-out", str(data))
        assert seconds < TIME_BOUND
        assert done.returncode == (0 if name == "clean" else 1), done.stderr
        runs[name] = pd.read_csv(data, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(runs["clean"], runs["mixed"])


def test_annotating_files_openpyxl_cannot_load_costs_only_their_copies(round_, tmp_path):
    root, catalog_path, catalog, templates = round_
    files = resend_inbox(catalog, templates, tmp_path)
    back = tmp_path / "back"
    done, seconds = cli("validate", str(catalog_path), str(tmp_path / "inbox"), "--format", "json",
                        "--report", str(tmp_path / "report.xlsx"), "--annotate", str(back))
    assert seconds < TIME_BOUND
    # the exit code is validation's (inputs have errors), never a crash's
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "out of range" not in done.stdout + done.stderr
    report = json.loads(done.stdout)  # nothing a library printed is mixed into it
    assert {f["status"] for f in report["files"]} == {"invalid"}
    assert (tmp_path / "report.xlsx").exists()
    # every unit after the hostile files still gets its copy, the fixes first
    assert sorted(p.name for p in back.iterdir()) == sorted(files[code].name for code in ORDINARY_INVALID)
    for code in ORDINARY_INVALID:
        assert openpyxl.load_workbook(back / files[code].name).sheetnames[0] == "Cần sửa"
    # and the clerk is told which files have no copy
    for code in ANNOTATE_HOSTILE:
        assert sum(str(files[code]) in line for line in done.stderr.splitlines()) == 1, done.stderr
