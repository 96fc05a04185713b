"""Read the Standing Committee's decisions on proposed targets (DESIGN.md §9) from the
`Đề xuất điều chỉnh` sheet of a consolidated workbook, with its `Quyết định` column filled.

The columns are found by their headers (Vietnamese or English), not by position, so a
clerk who hid or moved a column still gets the decisions read. Each row is matched to a
proposal of the round's counted files; a row that matches none, a word that is no decision
or an approved target that is no number are collected issues naming their cell, and the
other rows are recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from .consolidate import Consolidation
from .errors import ConsolidatorError
from .messages import LANGS, labels
from .model import Decision, Issue, make_issue
from .numbers import normalize_text, parse_bool, parse_target

_NEEDED = ("unit_code", "indicator_code", "decision", "approved_target")
HEADER_ROWS = 10  # the header is the proposals sheet's third row; a few more for a clerk's insertions


def _words(key: str) -> set[str]:
    return {normalize_text(labels(lang)[f"wb_{key}"]).casefold() for lang in LANGS}


def read_decisions(path: Path, consolidation: Consolidation) -> tuple[list[Decision], list[Issue]]:
    """The decisions a filled proposals sheet records, and the rows that cannot be taken."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = next((wb[name] for name in wb.sheetnames if normalize_text(name).casefold() in _words("sheet_proposals")),
                  None)
        found = _columns(ws) if ws is not None else None
        if found is None:
            raise ConsolidatorError(key="err_decisions_sheet", path=path, sheet=labels("vi")["wb_sheet_proposals"],
                                    columns=", ".join(labels("vi")[f"wb_{k}"] for k in _NEEDED))
        header, at = found
        rows = list(ws.iter_rows(min_row=header + 1, values_only=True))
    finally:
        wb.close()
    proposals = {(p.submission.unit_code, p.indicator_code): p for p in consolidation.proposals}
    decisions, issues = [], []
    for number, values in enumerate(rows, start=header + 1):
        for item in _row(values, number, at, ws.title, proposals, consolidation):
            (decisions if isinstance(item, Decision) else issues).append(item)
    return decisions, issues


def _columns(ws) -> tuple[int, dict[str, int]] | None:
    """(header row, column index of each needed header), or None when the sheet has not got them."""
    wanted = {key: _words(key) for key in _NEEDED}
    for r, values in enumerate(ws.iter_rows(max_row=HEADER_ROWS, values_only=True), start=1):
        texts = [normalize_text(v).casefold() for v in values]
        at = {key: texts.index(next(t for t in texts if t in words)) for key, words in wanted.items()
              if any(t in words for t in texts)}
        if len(at) == len(_NEEDED):
            return r, at
    return None


def _row(values, number: int, at: dict[str, int], sheet: str, proposals, c: Consolidation
         ) -> Iterator[Decision | Issue]:
    def cell(key: str) -> str:
        return f"{get_column_letter(at[key] + 1)}{number}"

    def value(key: str) -> str:
        return normalize_text(values[at[key]]) if at[key] < len(values) else ""

    said = value("decision")
    if not said:
        return  # not decided (yet): nothing to record
    folded = said.casefold()
    approved = (False if folded in _words("decision_refused") else True if folded in _words("decision_approved")
                else parse_bool(said))  # a clerk's "Có"/"Không" is read too
    if approved is None:
        yield make_issue("decision-unreadable", sheet=sheet, cell=cell("decision"), value=said)
        return
    unit, code = value("unit_code"), value("indicator_code")
    proposal = proposals.get((unit, code))
    if proposal is None:
        yield make_issue("decision-no-proposal", sheet=sheet, cell=cell("unit_code"), indicator_code=code or None,
                         params={"unit": unit})
        return
    target_text = value("approved_target") or (normalize_text(proposal.value) if approved else "")
    if approved and parse_target(target_text) is None:
        yield make_issue("decision-bad-target", sheet=sheet, cell=cell("approved_target"), value=target_text,
                         indicator_code=code)
        return
    original = c.decisions[(unit, code)].original_target if (unit, code) in c.decisions else \
        (c.own_target(unit, code).text if c.own_target(unit, code) else "")
    yield Decision(unit, code, bool(approved), target_text if approved else "", normalize_text(proposal.value),
                   original)
