"""`consolidator demo`: a whole round on the bundled sample data, in one folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .catalog import load_catalog
from .generate import MANIFEST, generate
from .templates import write_sample_catalog


def run_demo(directory: Path, lang: str = "vi") -> Iterator[str]:
    """Run the round step by step, yielding a line about each output as it is written."""
    directory.mkdir(parents=True, exist_ok=True)
    catalog_path = write_sample_catalog(directory / "catalog.xlsx")
    yield f"Catalog (sample data): {catalog_path}"
    catalog = load_catalog(catalog_path)
    appendices = directory / "appendices"
    done = generate(catalog, appendices, lang=lang)
    yield f"Generated {len(done)} unit appendices in {appendices} (manifest: {appendices / MANIFEST})"
