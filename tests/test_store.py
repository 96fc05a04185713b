"""The round store (DESIGN.md §7) through the command line: a round folder that remembers."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from consolidator.catalog import load_catalog
from consolidator.cli import main
from consolidator.store import SCHEMA_VERSION

from .conftest import small_catalog, write_catalog
from .filling import complete_results, fill


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def round_dir(tmp_path) -> Path:
    folder = tmp_path / "dot-2023"
    result = run("init", folder)
    assert result.exit_code == 0, result.output
    write_catalog(small_catalog(), folder / "catalog.xlsx")  # the clerk fills the blank catalog
    result = run("generate", folder)
    assert result.exit_code == 0, result.output
    return folder


def appendix(round_dir: Path, code: str) -> Path:
    return next((round_dir / "phu-luc").glob(f"{code}_*.xlsx"))


def filled(round_dir: Path, code: str, out: Path, **changes) -> Path:
    results = complete_results(load_catalog(round_dir / "catalog.xlsx"), code)
    results.update(changes)
    return fill(appendix(round_dir, code), out, results)


def status_json(round_dir: Path) -> dict:
    result = run("validate", round_dir, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output[result.output.index("{"):])


def test_init_makes_the_round_folder_and_refuses_to_overwrite_one(tmp_path):
    folder = tmp_path / "r"
    assert run("init", folder).exit_code == 0
    assert (folder / "catalog.xlsx").is_file() and (folder / "round.db").is_file() and (folder / "submissions").is_dir()
    again = run("init", folder)
    assert again.exit_code == 2 and "round.db" in again.output
    # a folder the clerk already keeps a catalog in gets a store, the catalog untouched
    old = tmp_path / "old"
    old.mkdir()
    write_catalog(small_catalog(), old / "catalog.xlsx")
    before = (old / "catalog.xlsx").read_bytes()
    assert run("init", old).exit_code == 0
    assert (old / "catalog.xlsx").read_bytes() == before and (old / "round.db").is_file()


def test_receive_judges_each_file_stores_it_once_and_status_reads_the_store(round_dir, tmp_path):
    inbox = tmp_path / "thu"
    filled(round_dir, "D1", inbox / "D1.xlsx")
    filled(round_dir, "D2", inbox / "D2.xlsx", GRDP="khoảng 8")
    before = {p: p.read_bytes() for p in inbox.iterdir()}
    result = run("receive", round_dir, inbox, "--received-at", "05/07/2023 09:30")
    assert result.exit_code == 1, result.output  # D2's file has an error
    lines = result.output.splitlines()
    assert any("D1" in line and "hợp lệ" in line and "được tính" in line for line in lines), result.output
    assert any("D2" in line and "có lỗi" in line for line in lines), result.output
    assert {p: p.read_bytes() for p in inbox.iterdir()} == before  # inputs never modified
    stored = [p for p in (round_dir / "submissions").rglob("*.xlsx")]
    assert sorted(p.name for p in stored) == ["D1.xlsx", "D2.xlsx"]
    assert all(not (p.stat().st_mode & stat.S_IWUSR) for p in stored)  # kept read-only
    # the same bytes again add nothing, and say so
    again = run("receive", round_dir, inbox)
    assert again.exit_code == 0 and "đã nhận trước đây" in again.output
    assert len(list((round_dir / "submissions").rglob("*.xlsx"))) == 2
    status = run("status", round_dir)
    assert status.exit_code == 1  # D2 invalid, K1 and K2 missing
    row = next(line for line in status.output.splitlines() if line.startswith("D1 "))
    assert "hợp lệ" in row and "05/07/2023 09:30" in row and "Đúng hạn" in status.output.splitlines()[0]


def test_a_corrected_file_clears_the_units_errors_and_the_old_one_is_history(round_dir, tmp_path):
    run("receive", round_dir, filled(round_dir, "D2", tmp_path / "a" / "D2.xlsx", GRDP="khoảng 8"),
        "--received-at", "01/07/2023 08:00")
    first = status_json(round_dir)
    assert [f["status"] for f in first["files"]] == ["invalid"]
    run("receive", round_dir, filled(round_dir, "D2", tmp_path / "b" / "D2.xlsx", GRDP=8.2),
        "--received-at", "03/07/2023 10:00")
    second = status_json(round_dir)
    assert [(f["unit_code"], f["status"], f["counted"]) for f in second["files"]] == [("D2", "valid", True)]
    assert second["summary"]["errors"] == 0
    history = json.loads(run("history", round_dir, "--unit", "D2", "--format", "json").output)
    versions = history["units"][0]["versions"]
    assert [(v["status"], v["counted"], v["replaced"]) for v in versions] == [("invalid", False, True),
                                                                             ("valid", True, False)]
    assert {"indicator_code": "GRDP", "column": "result", "old": None, "new": 8.2} in versions[1]["changes"]
    text = run("history", round_dir, "--unit", "D2").output
    assert "GRDP" in text and "8,2" in text and "03/07/2023 10:00" in text


def test_timeliness_follows_the_recorded_received_time_not_the_file(round_dir, tmp_path):
    late = filled(round_dir, "D1", tmp_path / "D1.xlsx")
    run("receive", round_dir, late, "--received-at", "12/07/2023 08:00")  # deadline 10/07/2023
    on_time = filled(round_dir, "K1", tmp_path / "K1.xlsx")
    run("receive", round_dir, on_time, "--received-at", "10/07/2023 23:59")  # the deadline day counts
    units = {u: s for u, s in ((line.split()[0], line) for line in run("status", round_dir).output.splitlines()
                               if line[:2] in ("D1", "K1"))}
    assert " Trễ hạn " in units["D1"] and "12/07/2023 08:00" in units["D1"]
    assert " Có " in units["K1"] and "Trễ" not in units["K1"] and "10/07/2023 23:59" in units["K1"]


def test_a_bad_received_at_or_a_folder_without_a_store_is_refused(round_dir, tmp_path):
    bad = run("receive", round_dir, filled(round_dir, "D1", tmp_path / "D1.xlsx"), "--received-at", "hôm qua")
    assert bad.exit_code == 2 and "hôm qua" in bad.output and "10/07/2023 09:30" in bad.output
    bare = tmp_path / "bare"
    bare.mkdir()
    write_catalog(small_catalog(), bare / "catalog.xlsx")
    for command in (["status", bare], ["receive", bare, tmp_path / "D1.xlsx"], ["history", bare]):
        result = run(*command)
        assert result.exit_code == 2 and "consolidator init" in result.output, result.output


def test_a_store_from_a_newer_tool_is_refused_and_an_empty_one_migrated(round_dir, tmp_path):
    db = sqlite3.connect(round_dir / "round.db")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    result = run("status", round_dir)
    assert result.exit_code == 2 and "phiên bản mới hơn" in result.output
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    write_catalog(small_catalog(), fresh / "catalog.xlsx")
    sqlite3.connect(fresh / "round.db").close()  # a store of version 0: every migration runs
    assert run("status", fresh).exit_code == 1
    assert sqlite3.connect(fresh / "round.db").execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_the_event_log_is_append_only(round_dir, tmp_path):
    run("receive", round_dir, filled(round_dir, "D1", tmp_path / "D1.xlsx"))
    db = sqlite3.connect(round_dir / "round.db")
    kinds = [k for (k,) in db.execute("SELECT kind FROM event ORDER BY id")]
    assert kinds[:2] == ["catalog", "generated"] and "received" in kinds and "judged" in kinds
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE event SET actor = 'someone else'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM event")


def test_check_finds_a_changed_or_missing_stored_file_and_it_is_not_used(round_dir, tmp_path):
    run("receive", round_dir, filled(round_dir, "D1", tmp_path / "D1.xlsx"),
        filled(round_dir, "D2", tmp_path / "D2.xlsx"))
    ok = run("check", round_dir)
    assert ok.exit_code == 0 and "2" in ok.output
    d1 = next((round_dir / "submissions").rglob("D1.xlsx"))
    os.chmod(d1, 0o644)
    d1.write_bytes(filled(round_dir, "D1", tmp_path / "other.xlsx", GRDP=99).read_bytes())
    next((round_dir / "submissions").rglob("D2.xlsx")).unlink()
    bad = run("check", round_dir)
    assert bad.exit_code == 1 and "store-file-changed" in bad.output and "store-file-missing" in bad.output
    report = status_json(round_dir)
    d1_file = next(f for f in report["files"] if f["unit_code"] == "D1")
    assert d1_file["status"] == "unreadable" and d1_file["issues"][0]["code"] == "store-file-changed"
    consolidated = run("consolidate", round_dir, "--data-out", tmp_path / "t.csv")
    assert consolidated.exit_code == 1
    table = (tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    assert "99" not in [cell for line in table.splitlines() for cell in line.split(",")]


def test_a_file_made_from_an_earlier_catalog_is_judged_against_it_and_consolidated_with_the_current(round_dir, tmp_path):
    old = filled(round_dir, "D1", tmp_path / "D1.xlsx")
    catalog = small_catalog()
    corrected = tuple(t if (t.unit_code, t.indicator_code) != ("D1", "RUNG")
                      else t.__class__("D1", "RUNG", "55", 55.0, 55.0, 50.0) for t in catalog.targets)
    write_catalog(catalog.__class__(catalog.round, catalog.units, catalog.indicators, corrected),
                  round_dir / "catalog.xlsx")  # the office corrects a target after generating
    result = run("receive", round_dir, old)
    assert "hợp lệ" in result.output, result.output
    report = status_json(round_dir)
    codes = [i["code"] for i in report["files"][0]["issues"]]
    assert "catalog-changed" in codes and "target-changed" not in codes
    db = sqlite3.connect(round_dir / "round.db")
    assert db.execute("SELECT count(*) FROM catalog_version").fetchone()[0] == 2
    made_from, judged = db.execute("SELECT s.made_from, v.catalog_version FROM submission s "
                                   "JOIN verdict v ON v.submission = s.id").fetchone()
    assert (made_from, judged) == (1, 2)
    run("consolidate", round_dir, "--data-out", tmp_path / "t.csv")
    import pandas as pd

    table = pd.read_csv(tmp_path / "t.csv")
    row = table[(table.unit_code == "D1") & (table.indicator_code == "RUNG") & ~table.is_rollup].iloc[0]
    assert row.target == 55.0


def test_consolidating_a_round_writes_into_its_folder_and_logs_it(round_dir, tmp_path):
    for code in ("D1", "D2", "K1", "K2"):
        run("receive", round_dir, filled(round_dir, code, tmp_path / f"{code}.xlsx"))
    result = run("consolidate", round_dir)
    assert result.exit_code == 0, result.output
    assert (round_dir / "tong-hop.xlsx").is_file()
    db = sqlite3.connect(round_dir / "round.db")
    detail = json.loads(db.execute("SELECT detail FROM event WHERE kind = 'consolidated'").fetchone()[0])
    assert detail["units_valid"] == 4 and len(detail["counted"]) == 4


def test_check_reports_a_damaged_store(round_dir, tmp_path):
    run("receive", round_dir, filled(round_dir, "D1", tmp_path / "D1.xlsx"))
    db = round_dir / "round.db"
    sqlite3.connect(db).execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    data = bytearray(db.read_bytes())
    page = 4096
    data[page * 2:page * 3] = b"\xff" * page  # a page of the tables overwritten, as a failing disk would
    db.write_bytes(bytes(data))
    result = run("check", round_dir)
    assert result.exit_code == 1 and "store-integrity" in result.output, result.output


def test_a_file_that_is_not_a_workbook_is_not_received(round_dir, tmp_path):
    scan = tmp_path / "D1_bao-cao-ky.pdf"
    scan.write_bytes(b"%PDF-1.4 a signed report")
    result = run("receive", round_dir, scan)
    assert result.exit_code == 0 and "not-received-not-workbook" in result.output, result.output
    assert not list((round_dir / "submissions").rglob("*.pdf"))


def test_remind_writes_an_email_to_each_unit_to_chase_with_what_it_needs(round_dir, tmp_path):
    import dataclasses
    from email import policy
    from email.parser import BytesParser

    catalog = small_catalog()
    units = tuple(dataclasses.replace(u, contact_name="Chị Lan", email=f"{u.code.lower()}@vp.vn", phone="0912345678")
                  for u in catalog.units)
    write_catalog(dataclasses.replace(catalog, units=units), round_dir / "catalog.xlsx")
    assert run("generate", round_dir).exit_code == 0  # the appendices of this catalog
    run("receive", round_dir, filled(round_dir, "D1", tmp_path / "D1.xlsx"),
        filled(round_dir, "D2", tmp_path / "D2.xlsx", GRDP="khoảng 8"))
    out = tmp_path / "nhac"
    result = run("remind", round_dir, "-o", out)
    assert result.exit_code == 0, result.output
    emails = {p.name.split("_")[0]: BytesParser(policy=policy.default).parse(p.open("rb")) for p in out.glob("*.eml")}
    assert sorted(emails) == ["D2", "K1", "K2", "P"]  # D1 sent a valid file: not chased
    k1 = emails["K1"]
    assert k1["To"].addresses[0].addr_spec == "k1@vp.vn" and k1["X-Unsent"] == "1"
    [attached] = list(k1.iter_attachments())
    assert attached.get_content() == appendix(round_dir, "K1").read_bytes()
    d2 = emails["D2"]
    body = d2.get_body(preferencelist=("plain",)).get_content()
    d2_issue = next(f for f in status_json(round_dir)["files"] if f["unit_code"] == "D2")["issues"][0]
    assert d2_issue["cell"] in body
    [copy] = list(d2.iter_attachments())
    assert copy.get_filename() == "D2.xlsx" and copy.get_content() == (out / "gui-lai" / "D2.xlsx").read_bytes()
    assert (out / "danh-sach-nhac.xlsx").is_file()


def test_a_catalog_warning_is_told_and_the_round_goes_on(round_dir):
    import dataclasses

    catalog = small_catalog()
    units = tuple(dataclasses.replace(u, email="khong-phai-dia-chi") if u.code == "K1" else u for u in catalog.units)
    write_catalog(dataclasses.replace(catalog, units=units), round_dir / "catalog.xlsx")
    result = CliRunner().invoke(main, ["generate", str(round_dir)])
    assert result.exit_code == 0
    assert "catalog-bad-email" in result.stderr and "khong-phai-dia-chi" in result.stderr


def test_the_same_file_twice_in_one_batch_is_received_once_and_said(round_dir, tmp_path):
    first = filled(round_dir, "D1", tmp_path / "a" / "D1.xlsx")
    copy = tmp_path / "b" / "D1 (1).xlsx"
    copy.parent.mkdir()
    copy.write_bytes(first.read_bytes())
    result = run("receive", round_dir, first, copy)
    assert result.exit_code == 0, result.output
    assert "đã nhận trước đây (số biên nhận 1)" in result.output
    assert len(list((round_dir / "submissions").rglob("*.xlsx"))) == 1
