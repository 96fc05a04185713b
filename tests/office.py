"""Re-save a workbook with LibreOffice, as a unit using another spreadsheet program would."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (Debian package libreoffice-calc-nogui) is not installed; .ci/run installs it",
)


def libreoffice_resave(path: Path, outdir: Path, fmt: str = "xlsx") -> Path:
    """Open `path` in headless LibreOffice and save it as `fmt` in `outdir` (formulas recalculated)."""
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--calc",
             "--convert-to", fmt, "--outdir", str(outdir), str(path)],
            check=True, capture_output=True, timeout=180,
        )
    out = outdir / (path.stem + "." + fmt)
    assert out.exists(), f"LibreOffice did not write {out}"
    return out
