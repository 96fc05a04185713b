"""Every kind of bad file in one inbox beside valid ones, through the real command line,
under a 2 GiB memory limit: each bad file gets a verdict and the consolidation is exactly
what it is without them."""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import time

import pandas as pd
import pytest

from consolidator.catalog import load_catalog
from consolidator.generate import generate

from .corpus.build_corpus import EXPECTED, build_corpus
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
def inboxes(tmp_path_factory):
    from .conftest import small_catalog, write_catalog

    root = tmp_path_factory.mktemp("hostile")
    catalog_path = write_catalog(small_catalog(), root / "catalog.xlsx")
    catalog = load_catalog(catalog_path)
    templates = {g.unit_code: g.path for g in generate(catalog, root / "templates")}
    clean = root / "clean"
    for code in ("P", "D1", "D2", "K1", "K2"):
        fill(templates[code], clean / templates[code].name, complete_results(catalog, code))
    mixed = root / "mixed"
    shutil.copytree(clean, mixed)
    corpus = build_corpus(next(clean.glob("D1_*.xlsx")), root / "corpus")
    bad = {kind: path for kind, path in corpus.items() if EXPECTED[kind][0] != "valid"}
    for kind, path in bad.items():
        shutil.copy(path, mixed / f"bad_{kind}{path.suffix}")
    return catalog_path, clean, mixed, bad


def test_validate_gives_every_bad_file_its_verdict(inboxes):
    catalog_path, clean, mixed, bad = inboxes
    done, seconds = cli("validate", str(catalog_path), str(mixed), "--format", "json")
    assert done.returncode == 1, done.stderr
    assert seconds < TIME_BOUND
    files = {f["path"].rsplit("/", 1)[-1]: f for f in json.loads(done.stdout)["files"]}
    for kind, path in bad.items():
        status, code = EXPECTED[kind]
        got = files[f"bad_{kind}{path.suffix}"]
        assert got["status"] == status, kind
        assert code in [i["code"] for i in got["issues"]], kind
        assert all(i["message"] for i in got["issues"])
    assert sum(f["status"] == "valid" for f in files.values()) == 5


def test_consolidation_is_unchanged_by_the_bad_files(inboxes, tmp_path):
    catalog_path, clean, mixed, bad = inboxes
    runs = {}
    for name, inbox in (("clean", clean), ("mixed", mixed)):
        data = tmp_path / f"{name}.csv"
        done, seconds = cli("consolidate", str(catalog_path), str(inbox), "-o", str(tmp_path / f"{name}.xlsx"),
                            "--data-out", str(data))
        assert seconds < TIME_BOUND
        assert done.returncode == (0 if name == "clean" else 1), done.stderr
        runs[name] = pd.read_csv(data, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(runs["clean"], runs["mixed"])
