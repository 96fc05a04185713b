"""The reports people read on the terminal: a validation, the round's status, a unit's history.

Apart from report.py (the Excel report, the annotated copies) so `status` on a round folder
imports neither openpyxl nor pandas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .messages import labels, labels_of
from .model import Catalog, Decision, ReceivedSource, Receipt, ValidationReport, Version
from .numbers import display_number, show_time


def words(lang: str) -> dict[str, str]:
    """The reports' words (labels.toml, `rp_` keys), by their short names."""
    return labels_of("rp_", lang)


def _pct(share: float | None) -> str:
    """85,0%: a rate as the workbooks write numbers, with the decimal comma."""
    return "—" if share is None else f"{share * 100:.1f}%".replace(".", ",")


def format_text(report: ValidationReport, lang: str = "vi") -> str:
    """A readable report: one block per file, its issues one per line, then the totals."""
    w = words(lang)
    out: list[str] = []
    for s in report.submissions:
        head = f"{s.path}  [{s.unit_code or '?'}]  {w[s.status]}"
        if s.issues:
            head += f"  ({s.errors} {w['errors'].lower()}, {s.warnings} {w['warnings'].lower()})"
        out.append(head)
        for i in s.issues:
            where = f"{i.sheet or ''}!{i.cell}" if i.cell else (i.sheet or "")
            out.append(f"  {w[i.severity]:<9} {where:<16} {i.code:<28} {i.message(lang)}")
    summary = report.summary()
    out.append("")
    out.append(w["summary"].format(**summary))
    out.append(w["rates"].format(**{**summary, "completeness": _pct(summary["completeness"]),
                                    "timeliness": _pct(summary["timeliness"])}))
    if summary["missing_units"]:
        out.append(f"{w['missing_units']}: {', '.join(summary['missing_units'])}")
    out.extend(_side_files(report, lang))
    return "\n".join(out)


def _side_files(report: ValidationReport, lang: str) -> list[str]:
    """The attachments, by unit, and the files set aside: listed so nothing sent goes unseen."""
    text = labels(lang)
    out = []
    if report.attachments:
        out += ["", text["attachments_heading"] + ":"]
        out += [f"  {a.unit_code or '(' + text['unit_unknown'] + ')'}  {a.path.name}" for a in report.attachments]
    if report.ignored:
        out += ["", text["ignored_heading"] + ":"]
        out += [f"  {p}" for p in report.ignored]
    return out


def format_status(report: ValidationReport, lang: str = "vi") -> str:
    """Every expected unit: received/valid, received/invalid or missing; on time or late; when received, by what."""
    w, text = words(lang), labels(lang)
    rows = [(w["unit"], w["unit_name"], w["status"], w["on_time"], w["errors"], w["file"],
             text["status_received"], text["status_source"])]
    for u in report.units:
        s = u.submission
        rows.append((
            u.unit_code, u.unit_name, w[u.state],
            "" if u.on_time is None else (w["yes"] if u.on_time else w["late"]),
            "" if s is None else str(s.errors), "" if s is None else s.path.name,
            "" if s is None else show_time(s.received),
            "" if s is None else text[f"received_source_{s.received_source}"],
        ))
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    summary = report.summary()
    lines.append("")
    lines.append(w["rates"].format(**{**summary, "completeness": _pct(summary["completeness"]),
                                      "timeliness": _pct(summary["timeliness"])}))
    stored = any(u.submission and u.submission.received_source not in _FILE_SOURCES for u in report.units)
    lines.append(text["received_sources_note_store" if stored else "received_sources_note"])
    lines.extend(_side_files(report, lang))
    return "\n".join(lines)


_FILE_SOURCES = (ReceivedSource.SAVED, ReceivedSource.FILE)


def format_history(catalog: Catalog, by_unit: Mapping[str | None, Sequence[Version]], lang: str = "vi",
                   decisions: Sequence[Decision] = ()) -> str:
    """Each unit's versions, oldest first, the counted one marked, what changed between them;
    then the decisions recorded on its proposals."""
    w, text = words(lang), labels(lang)
    if not by_unit and not decisions:
        return text["cli_history_none"]
    by_unit = {**by_unit, **{d.unit_code: [] for d in decisions if d.unit_code not in by_unit}}
    out: list[str] = []
    for unit, versions in sorted(by_unit.items(), key=lambda kv: (kv[0] is None, kv[0] or "")):
        name = catalog.unit_by_code[unit].name if unit in catalog.unit_by_code else ""
        out.append(text["cli_history_unit"].format(unit=unit, name=name) if unit else text["cli_history_unknown"])
        for v in versions:
            s = v.submission
            mark = text["cli_history_counted"] if v.counted else text["cli_history_replaced"] if v.replaced else ""
            out.append(text["cli_history_version"].format(
                number=s.number, received=show_time(s.received), source=text[f"received_source_{s.received_source}"],
                sender=s.sender, verdict=w[s.status], errors=s.errors, warnings=s.warnings, name=s.original_name,
                mark=mark))
            for c in v.changes:
                out.append(text["cli_history_change"].format(
                    indicator=c.indicator_code, column=text[f"column_{c.column}"],
                    old="—" if c.old is None else display_number(c.old), new="—" if c.new is None else display_number(c.new)))
        for d in (d for d in decisions if d.unit_code == unit):
            out.append(text["cli_history_decision"].format(
                at=show_time(d.recorded_at), actor=d.actor, indicator=d.indicator_code, proposed=d.proposed,
                decision=text["wb_decision_approved" if d.approved else "wb_decision_refused"],
                original=d.original_target, approved=d.approved_target))
        out.append("")
    return "\n".join(out).rstrip()


def history_dict(by_unit: Mapping[str | None, Sequence[Version]], lang: str = "vi",
                 decisions: Sequence[Decision] = ()) -> dict[str, object]:
    """The history as JSON: per unit, each version and the figures changed since the one before;
    the decisions recorded on proposed targets."""
    return {"decisions": [{"unit_code": d.unit_code, "indicator_code": d.indicator_code, "approved": d.approved,
                           "approved_target": d.approved_target, "proposed": d.proposed,
                           "original_target": d.original_target, "recorded": d.recorded_at.isoformat(timespec="seconds"),
                           "actor": d.actor, "file_sha256": d.file_sha256} for d in decisions],
            "units": [
        {"unit_code": unit, "versions": [
            {"receipt": v.submission.number, "file": v.submission.original_name, "sha256": v.submission.sha256,
             "received": v.submission.received.isoformat(timespec="seconds"),
             "received_source": v.submission.received_source, "sender": v.submission.sender,
             "origin": v.submission.origin, "status": v.submission.status, "counted": v.counted,
             "replaced": v.replaced, "errors": v.submission.errors, "warnings": v.submission.warnings,
             "issues": [i.to_dict(lang) for i in v.submission.issues],
             "changes": [{"indicator_code": c.indicator_code, "column": c.column, "old": c.old, "new": c.new}
                         for c in v.changes]}
            for v in versions]}
        for unit, versions in sorted(by_unit.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))]}


def format_receipt(r: Receipt, lang: str = "vi") -> str:
    """One line of `receive`: the receipt number, the unit, the verdict and whether it counts."""
    text, w = labels(lang), words(lang)
    origin = f" ({r.origin})" if r.origin else ""
    if r.duplicate_of is not None:
        return text["cli_receipt_duplicate"].format(unit=r.unit_code or "?", number=r.duplicate_of, name=r.name,
                                                    origin=origin)
    if r.number is None:
        why = r.notes[0].code if r.notes else ""
        return text["cli_receipt_skipped"].format(unit=r.unit_code or "?", name=r.name, origin=origin, why=why)
    verdict = w[r.status] + (f" ({r.errors} {w['errors'].lower()})" if r.errors else "")
    return text["cli_receipt"].format(number=r.number, unit=r.unit_code or "?", verdict=verdict, name=r.name,
                                      origin=origin,
                                      counts=text["cli_receipt_counts" if r.counts else "cli_receipt_not_counted"])
