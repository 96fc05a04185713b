"""The Standing Committee's decisions on proposed targets (issue 15 §2), through the CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from consolidator.catalog import load_catalog
from consolidator.cli import main

from .conftest import small_catalog, write_catalog
from .filling import column, complete_results, fill, rows_by_code


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def decided_round(tmp_path) -> Path:
    """A round that allows adjustments; D1 proposes 54 for RUNG (target 52; its result 53 reaches
    it), D2 proposes 2 for NGHEO."""
    folder = tmp_path / "dot"
    assert run("init", folder).exit_code == 0
    write_catalog(small_catalog(allow_target_changes=True), folder / "catalog.xlsx")
    assert run("generate", folder).exit_code == 0
    catalog = load_catalog(folder / "catalog.xlsx")
    for code, indicator, proposed in (("D1", "RUNG", "54"), ("D2", "NGHEO", "2")):
        def propose(wb, ws, indicator=indicator, proposed=proposed):
            ws.cell(rows_by_code(ws)[indicator], column("proposed_target")).value = proposed
        results = {**complete_results(catalog, code), **({"RUNG": 53} if code == "D1" else {})}
        fill(next((folder / "phu-luc").glob(f"{code}_*.xlsx")), tmp_path / "thu" / f"{code}.xlsx", results,
             edit=propose)
    for code in ("K1", "K2", "P"):
        fill(next((folder / "phu-luc").glob(f"{code}_*.xlsx")), tmp_path / "thu" / f"{code}.xlsx",
             complete_results(catalog, code))
    assert run("receive", folder, tmp_path / "thu").exit_code == 0
    assert run("consolidate", folder).exit_code == 0
    return folder


def proposals_sheet(wb) -> tuple[object, dict[str, int], int]:
    ws = wb["Đề xuất điều chỉnh"]
    for r in range(1, 8):
        heads = {ws.cell(r, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(r, c).value}
        if "Quyết định" in heads:
            return ws, heads, r
    raise AssertionError("no decision column")


def decide_in(workbook: Path, out: Path, decisions: dict[tuple[str, str], tuple[str, str]], extra=None) -> Path:
    """The office fills the Quyết định column of the consolidated workbook, as in Excel."""
    wb = openpyxl.load_workbook(workbook)
    ws, heads, header = proposals_sheet(wb)
    for r in range(header + 1, ws.max_row + 1):
        key = (ws.cell(r, heads["Mã đơn vị"]).value, ws.cell(r, heads["Mã chỉ tiêu"]).value)
        if key in decisions:
            ws.cell(r, heads["Quyết định"]).value, ws.cell(r, heads["Chỉ tiêu được duyệt"]).value = decisions[key]
    if extra:
        extra(ws, heads)
    wb.save(out)
    return out


def test_the_proposals_sheet_has_the_decision_columns_with_a_list(decided_round):
    wb = openpyxl.load_workbook(decided_round / "tong-hop.xlsx")
    ws, heads, header = proposals_sheet(wb)
    assert "Chỉ tiêu được duyệt" in heads
    letter = openpyxl.utils.get_column_letter(heads["Quyết định"])
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list" and letter in str(dv.sqref)]
    assert lists and "Đồng ý" in lists[0].formula1 and "Không đồng ý" in lists[0].formula1


def test_decide_records_the_decisions_and_the_approved_target_is_consolidated_beside_the_original(decided_round, tmp_path):
    def bogus(ws, heads):
        r = ws.max_row + 1
        ws.cell(r, heads["Mã đơn vị"]).value, ws.cell(r, heads["Mã chỉ tiêu"]).value = "K1", "RUNG"
        ws.cell(r, heads["Quyết định"]).value = "Đồng ý"

    assert run("consolidate", decided_round, "--data-out", tmp_path / "before.csv").exit_code == 0
    before = pd.read_csv(tmp_path / "before.csv")
    was = before[(before.unit_code == "D1") & (before.indicator_code == "RUNG") & ~before.is_rollup].iloc[0]
    assert (was.target, was.status) == (52.0, "achieved")
    filled = decide_in(decided_round / "tong-hop.xlsx", tmp_path / "quyet-dinh.xlsx",
                       {("D1", "RUNG"): ("Đồng ý", "54,5"), ("D2", "NGHEO"): ("Không đồng ý", None)}, bogus)
    result = run("decide", decided_round, filled)
    assert result.exit_code == 1, result.output  # the K1 row matches no proposal: refused, the rest recorded
    assert "decision-no-proposal" in result.output and "D1" in result.output and "D2" in result.output
    db = sqlite3.connect(decided_round / "round.db")
    rows = db.execute("SELECT unit_code, indicator_code, approved, approved_target, original_target "
                      "FROM decision ORDER BY id").fetchall()
    assert rows == [("D1", "RUNG", 1, "54,5", "52"), ("D2", "NGHEO", 0, "", "1,5")]
    assert db.execute("SELECT count(*) FROM event WHERE kind = 'decided'").fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM catalog_version WHERE decided != ''").fetchone()[0] == 1
    # from then on: the approved target consolidated, the original beside it
    assert run("consolidate", decided_round, "--data-out", tmp_path / "t.csv").exit_code == 0
    table = pd.read_csv(tmp_path / "t.csv")
    own = table[(table.unit_code == "D1") & (table.indicator_code == "RUNG") & ~table.is_rollup].iloc[0]
    assert own.target == 54.5 and own.status != "achieved"  # 53 no longer reaches the approved target
    refused = table[(table.unit_code == "D2") & (table.indicator_code == "NGHEO") & ~table.is_rollup].iloc[0]
    assert refused.target == 1.5
    ws, heads, header = proposals_sheet(openpyxl.load_workbook(decided_round / "tong-hop.xlsx"))
    d1 = next(r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, heads["Mã đơn vị"]).value == "D1")
    assert ws.cell(d1, heads["Quyết định"]).value == "Đồng ý"
    assert ws.cell(d1, heads["Chỉ tiêu được duyệt"]).value == "54,5"
    assert ws.cell(d1, heads["Chỉ tiêu NQ ĐH hiện hành"]).value == "52"  # the original, beside it
    # the catalog the office keeps is an input: never rewritten
    assert load_catalog(decided_round / "catalog.xlsx").targets == small_catalog(allow_target_changes=True).targets
    history = json.loads(run("history", decided_round, "--unit", "D1", "--format", "json").output)
    assert [(d["indicator_code"], d["approved"], d["approved_target"]) for d in history["decisions"]] == \
        [("RUNG", True, "54,5")]
    assert "54,5" in run("history", decided_round, "--unit", "D1").output


def test_a_word_that_is_no_decision_or_a_bad_target_is_refused_by_its_cell(decided_round, tmp_path):
    filled = decide_in(decided_round / "tong-hop.xlsx", tmp_path / "qd.xlsx",
                       {("D1", "RUNG"): ("Để sau", None), ("D2", "NGHEO"): ("Đồng ý", "khoảng 2")})
    result = run("decide", decided_round, filled)
    assert result.exit_code == 1
    assert "decision-unreadable" in result.output and "decision-bad-target" in result.output
    assert sqlite3.connect(decided_round / "round.db").execute("SELECT count(*) FROM decision").fetchone()[0] == 0
    not_ours = tmp_path / "khac.xlsx"
    openpyxl.Workbook().save(not_ours)
    refused = run("decide", decided_round, not_ours)
    assert refused.exit_code == 2 and "Đề xuất điều chỉnh" in refused.output


def test_the_next_round_starts_from_the_approved_targets_and_shows_the_earlier_results(decided_round, tmp_path):
    filled = decide_in(decided_round / "tong-hop.xlsx", tmp_path / "qd.xlsx", {("D1", "RUNG"): ("Đồng ý", "55")})
    assert run("decide", decided_round, filled).exit_code == 0
    assert run("consolidate", decided_round, "--data-out", tmp_path / "before.csv").exit_code == 0
    later = tmp_path / "cuoi-ky"
    result = run("init", later, "--from", decided_round, "--round-id", "TEST-2025", "--cutoff", "31/12/2024",
                 "--deadline", "15/01/2025")
    assert result.exit_code == 0, result.output
    catalog = load_catalog(later / "catalog.xlsx")
    earlier = small_catalog(allow_target_changes=True)
    assert (catalog.round.round_id, str(catalog.round.cutoff_date), str(catalog.round.deadline)) == \
        ("TEST-2025", "2024-12-31", "2025-01-15")
    assert catalog.units == earlier.units and catalog.indicators == earlier.indicators
    rung = next(t for t in catalog.targets if (t.unit_code, t.indicator_code) == ("D1", "RUNG"))
    assert (rung.text, rung.low) == ("55", 55.0)  # the approved target, not the original 52
    # the new round's returns, consolidated beside the earlier round's
    assert run("generate", later).exit_code == 0
    for code in ("D1", "D2", "K1", "K2", "P"):
        results = {k: (v * 1.1 if isinstance(v, float) else v) for k, v in complete_results(catalog, code).items()}
        fill(next((later / "phu-luc").glob(f"{code}_*.xlsx")), tmp_path / "thu2" / f"{code}.xlsx", results)
    assert run("receive", later, tmp_path / "thu2").exit_code == 0
    assert run("consolidate", later, "--data-out", tmp_path / "after.csv").exit_code == 0
    before, after = pd.read_csv(tmp_path / "before.csv"), pd.read_csv(tmp_path / "after.csv")
    key = ["unit_code", "indicator_code", "is_rollup"]
    joined = after.merge(before[key + ["result"]], on=key, suffixes=("", "_before"))
    assert len(joined) == len(after)
    assert (joined.previous_result.fillna(-1) == joined.result_before.fillna(-1)).all()
    assert (joined.result != joined.result_before).any()  # the new figures are not the old ones
    ws = openpyxl.load_workbook(later / "tong-hop.xlsx")["Tổng hợp"]
    heads = [c.value for row in ws.iter_rows(min_row=9, max_row=10) for c in row]
    assert "Kết quả đợt trước (TEST-2023)" in heads


def test_a_bad_date_or_an_option_without_from_is_refused(decided_round, tmp_path):
    assert run("init", tmp_path / "x", "--from", decided_round, "--cutoff", "cuối năm").exit_code == 2
    assert run("init", tmp_path / "y", "--round-id", "A").exit_code == 2
    assert not (tmp_path / "x" / "round.db").exists()


def test_the_word_report_tells_the_decisions_with_their_figures(decided_round, tmp_path):
    import docx

    filled = decide_in(decided_round / "tong-hop.xlsx", tmp_path / "qd.xlsx",
                       {("D1", "RUNG"): ("Đồng ý", "54,5"), ("D2", "NGHEO"): ("Không đồng ý", None)})
    assert run("decide", decided_round, filled).exit_code == 0
    out = tmp_path / "bao-cao.docx"
    assert run("report", decided_round, "-o", out).exit_code == 0
    text = "\n".join(p.text for p in docx.Document(out).paragraphs)
    sentence = next(line for line in text.splitlines() if "Ban Thường vụ đã quyết định" in line)
    assert "Tỷ lệ che phủ rừng của Huyện Kỳ Anh từ 52 thành 54,5" in sentence
    assert "Tỷ lệ hộ nghèo của Thị xã Hồng Lĩnh (đề xuất 2), giữ 1,5" in sentence
    assert "trình Ban Thường vụ" not in text  # nothing is left for the Committee to decide
