"""Annotated copies are made the way files are read: in worker processes, under limits. A
file openpyxl cannot load, one that takes too long, or one that brings the worker down
costs its own copy only; the others are written, in report order."""

from __future__ import annotations

import os
import time

import openpyxl
import pytest

from consolidator import report as report_module
from consolidator.catalog import load_catalog
from consolidator.generate import generate
from consolidator.report import annotate_copies
from consolidator.validate import validate_files
from consolidator.parallel import WorkerLimits

from .filling import complete_results, fill
from .test_hostile_inbox import ANNOTATE_HOSTILE, ORDINARY_INVALID, resend_inbox

real_open_copy = report_module._open_copy


@pytest.fixture(scope="module")
def resend(tmp_path_factory):
    from .conftest import small_catalog, write_catalog

    root = tmp_path_factory.mktemp("resend")
    catalog = load_catalog(write_catalog(small_catalog(), root / "catalog.xlsx"))
    templates = {g.unit_code: g.path for g in generate(catalog, root / "templates")}
    files = resend_inbox(catalog, templates, root)
    report = validate_files(catalog, list(files.values()), limits=WorkerLimits(workers=2))
    assert {s.status for s in report.submissions} == {"invalid"}
    return catalog, templates, files, report


def test_files_openpyxl_cannot_load_get_a_reason_and_the_others_their_copies(resend, tmp_path):
    _, _, files, report = resend
    started = time.monotonic()
    copies = annotate_copies(report, tmp_path / "back", limits=WorkerLimits(seconds_per_file=5, workers=2))
    assert time.monotonic() - started < 30
    assert [c.source for c in copies] == [s.path for s in report.submissions]
    by_unit = {code: next(c for c in copies if c.source == path) for code, path in files.items()}
    assert by_unit["D2"].reason == by_unit["K1"].reason == "annotate_why_unopenable"
    # the 47 MiB styles part: over the time limit here, or over the memory limit
    assert by_unit["D1"].reason in ("annotate_why_timeout", "annotate_why_memory", "annotate_why_crashed")
    for code in ANNOTATE_HOSTILE:
        assert by_unit[code].path is None and by_unit[code].why("vi") and by_unit[code].why("en")
    for code in ORDINARY_INVALID:
        copy = by_unit[code].path
        assert copy == tmp_path / "back" / files[code].name
        wb = openpyxl.load_workbook(copy)
        assert wb.sheetnames[0] == "Cần sửa"
    # nothing half-written is left beside the copies
    assert sorted(p.name for p in (tmp_path / "back").iterdir()) == sorted(files[c].name for c in ORDINARY_INVALID)


def misbehaving_open_copy(s):
    """openpyxl, except on the files named for a failure mode."""
    if s.path.name.startswith("crash"):
        os.abort()
    if s.path.name.startswith("hang"):
        time.sleep(3600)
    return real_open_copy(s)


def test_a_crash_or_a_hang_while_annotating_costs_that_copy_only(resend, tmp_path, monkeypatch):
    catalog, templates, _, _ = resend
    monkeypatch.setattr(report_module, "_open_copy", misbehaving_open_copy)  # inherited by forked workers
    paths = []
    for name, code in (("crash.xlsx", "K2"), ("hang.xlsx", "K1"), ("zz_ordinary.xlsx", "P")):
        results = complete_results(catalog, code)
        results[next(iter(results))] = "khoảng 50"
        paths.append(fill(templates[code], tmp_path / "inbox" / name, results))
    report = validate_files(catalog, paths, limits=WorkerLimits(workers=1))
    # Time enough for an ordinary copy on a loaded CI machine: it is queued behind the hang.
    copies = annotate_copies(report, tmp_path / "back", limits=WorkerLimits(seconds_per_file=4, workers=1))
    assert [c.reason for c in copies] == ["annotate_why_crashed", "annotate_why_timeout", None]
    assert copies[1].params == {"seconds": 4}
    assert copies[2].path == tmp_path / "back" / "zz_ordinary.xlsx" and copies[2].path.exists()
