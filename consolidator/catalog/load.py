"""load_catalog: read the sheets, check them, build the Catalog, or refuse with every problem."""

from __future__ import annotations

from pathlib import Path

from ..errors import CatalogError
from ..model import ERROR, Catalog, Issue
from .build import build
from .cells import Sheet
from .checks import frame_issues, missing_sheets, no_targets, schemas, target_issues, tree_issues
from .frames import frame
from .roundsheet import read_round
from .sheets import Later, read_sheets, ready


def load_catalog(path: str | Path) -> Catalog:
    """Read and validate a catalog workbook; raise CatalogError listing every problem."""
    path = Path(path)
    sheets = read_sheets(path)
    try:
        return _check(path, sheets)
    finally:
        if isinstance(targets := sheets.get("targets"), Later):
            targets.join()  # whatever happened, no thread of ours reads on after the call


def _check(path: Path, sheets: dict[str, Sheet | Later]) -> Catalog:
    issues: list[Issue] = list(missing_sheets(sheets))
    round_ = None
    if "round" in sheets:
        round_, round_issues = read_round(sheets["round"].records())
        issues.extend(round_issues)
    # the small sheets first: calamine may still be reading the targets meanwhile (see sheets.Later)
    frames = {name: frame(sheets[name], name) for name in ("units", "indicators") if name in sheets}
    checks = schemas(frames)
    found = {name: list(frame_issues(checks[name], sheet, name)) for name, sheet in frames.items()}
    tree = list(tree_issues(frames["units"])) if "units" in frames else []
    if "targets" in sheets:
        frames["targets"] = frame(ready(sheets["targets"]), "targets")
        found["targets"] = list(frame_issues(checks["targets"], frames["targets"], "targets"))
    for sheet_issues in found.values():
        issues.extend(sheet_issues)
    issues.extend(tree)
    if "targets" in frames and "indicators" in frames:
        issues.extend(target_issues(frames["targets"], frames["indicators"]))
    if "targets" in frames:
        issues.extend(no_targets(frames["targets"]))
    if "mapping" in sheets:  # optional: only a round that reports up to its parent has one
        frames["mapping"] = frame(ready(sheets["mapping"]), "mapping")
        issues.extend(frame_issues(checks["mapping"], frames["mapping"], "mapping"))
    # a warning (a malformed email address) does not refuse the catalog: it travels with it
    errors = [i for i in issues if i.severity == ERROR]
    if errors or round_ is None:
        raise CatalogError(str(path), errors)
    return build(round_, frames, warnings=tuple(issues))
