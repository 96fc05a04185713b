"""Shared fixtures: a small three-level round written as a real catalog workbook."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from consolidator import parallel
from consolidator.catalog import catalog_rows, write_catalog_workbook
from consolidator.cli import main
from consolidator.model import Catalog, Indicator, Round, Target, Unit

from .office import SOFFICE


def small_catalog(**round_overrides) -> Catalog:
    """Province → two districts and a Khối → two grassroots units; seven indicators."""
    round_ = Round(
        round_id="TEST-2023", title="Sơ kết giữa nhiệm kỳ (thử)", organisation="Tỉnh ủy Thử",
        baseline_year=2020, target_year=2025, cutoff_date=date(2023, 6, 30), deadline=date(2023, 7, 10),
        **round_overrides,
    )
    units = (
        Unit("P", "Tỉnh Thử"),
        Unit("D1", "Huyện Kỳ Anh", "P"),
        Unit("D2", "Thị xã Hồng Lĩnh", "P"),
        Unit("K", "Đảng bộ Khối Doanh nghiệp", "P"),
        Unit("K1", "Đảng bộ Công ty Điện lực", "K"),
        Unit("K2", "Chi bộ Trường Chính trị", "K"),
    )
    indicators = (
        Indicator("GRDP", "Tốc độ tăng trưởng GRDP bình quân", "Kinh tế", "%/năm", "increase", "average", "weighted:DANSO", 1),
        Indicator("DANSO", "Dân số trung bình", "Kinh tế", "người", "increase", "level", "sum", 0),
        Indicator("NGHEO", "Tỷ lệ hộ nghèo", "Văn hóa – Xã hội", "%", "decrease", "level", "weighted:DANSO", 2),
        Indicator("RUNG", "Tỷ lệ che phủ rừng", "Môi trường", "%", "increase", "level", "mean", 1),
        Indicator("NTM", "Đạt chuẩn nông thôn mới", "Văn hóa – Xã hội", "", "boolean", "level", "min", 0),
        Indicator("DANGVIEN", "Kết nạp đảng viên mới", "Xây dựng Đảng", "đảng viên", "increase", "cumulative", "sum", 0),
        Indicator("KYLUAT", "Đảng viên bị kỷ luật (tối đa)", "Xây dựng Đảng", "đảng viên", "decrease", "cumulative", "sum", 0),
    )
    targets = (
        Target("P", "GRDP", "7–7,5", 7.0, 7.5),
        Target("D1", "GRDP", "7,5", 7.5, 7.5),
        Target("D1", "DANSO", "200.000", 200000.0, 200000.0, 190000.0),
        Target("D1", "NGHEO", "2", 2.0, 2.0, 5.0),
        Target("D1", "RUNG", "52", 52.0, 52.0, 50.0),
        Target("D1", "NTM", "Đạt", 1.0, 1.0),
        Target("D1", "DANGVIEN", "500", 500.0, 500.0),
        Target("D2", "GRDP", "8", 8.0, 8.0),
        Target("D2", "DANSO", "100.000", 100000.0, 100000.0, 95000.0),
        Target("D2", "NGHEO", "1,5", 1.5, 1.5, 3.0),
        Target("D2", "NTM", "Đạt", 1.0, 1.0),
        Target("K1", "DANGVIEN", "40", 40.0, 40.0),
        Target("K1", "KYLUAT", "5", 5.0, 5.0),
        Target("K2", "DANGVIEN", "10", 10.0, 10.0),
        Target("K2", "KYLUAT", "2", 2.0, 2.0),
    )
    return Catalog(round_, units, indicators, targets)


def write_catalog(catalog: Catalog, path: Path) -> Path:
    write_catalog_workbook(path, catalog_rows(catalog))
    return path


@pytest.fixture
def catalog() -> Catalog:
    return small_catalog()


@pytest.fixture
def catalog_path(tmp_path: Path, catalog: Catalog) -> Path:
    return write_catalog(catalog, tmp_path / "catalog.xlsx")


@pytest.fixture(autouse=True)
def _in_process(request, monkeypatch):
    """Files are read and annotated in this process, unless a test is about isolation.

    Forking a pool of workers for every validation is most of what the suite's many small
    rounds cost; the tests marked `isolated` (and those giving their own limits, or running
    the command as a subprocess) keep the real worker processes.
    """
    if request.node.get_closest_marker("isolated") is None:
        monkeypatch.setattr(parallel, "DEFAULT_LIMITS", parallel.WorkerLimits(isolated=False))


@pytest.fixture(scope="session")
def demo_printed(tmp_path_factory):
    """The demo round, and its four kinds of workbook printed to PDF by one LibreOffice run:
    name → (workbook, PDF). The print tests of several files read it; skip without soffice."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (libreoffice-calc-nogui) is not installed; .ci/run installs it")
    base = tmp_path_factory.mktemp("printed")
    demo = base / "demo"
    result = CliRunner().invoke(main, ["demo", str(demo)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    annotated = next(p for p in sorted((demo / "gui-lai").glob("*.xlsx")) if not p.name.startswith("ban-cu"))
    # the appendix and its annotated copy share a file name: staged under names of their own
    sources = {"tong-hop": demo / "tong-hop.xlsx", "phu-luc": demo / "appendices" / annotated.name,
               "gui-lai": annotated, "kiem-tra": demo / "kiem-tra.xlsx"}
    staged = base / "xlsx"
    staged.mkdir()
    for name, source in sources.items():
        shutil.copy(source, staged / f"{name}.xlsx")
    pdf_dir = base / "pdf"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{base / 'profile'}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(pdf_dir), *sorted(str(p) for p in staged.glob("*.xlsx"))],
        check=True, capture_output=True, timeout=300,
    )
    return {name: (source, pdf_dir / f"{name}.pdf") for name, source in sources.items()}
