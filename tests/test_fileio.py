"""Outputs are written atomically, with ordinary permissions."""

from __future__ import annotations

import os

import pytest

from consolidator.fileio import atomic_output, write_text_atomic


def test_output_gets_ordinary_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "out.csv", "a,b\n")
    finally:
        os.umask(umask)
    assert (tmp_path / "out.csv").stat().st_mode & 0o777 == 0o644


def test_failure_leaves_the_old_file_and_no_debris(tmp_path):
    target = tmp_path / "report.xlsx"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("crash while writing")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]
