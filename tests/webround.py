"""A round folder with units' links and an office password, as the clerk makes one: for the web tests."""

from __future__ import annotations

import csv
import html as html_module
import re
from pathlib import Path

from click.testing import CliRunner

from consolidator.catalog import load_catalog
from consolidator.cli import main
from consolidator.model import Catalog

from .conftest import small_catalog, write_catalog
from .filling import complete_results, fill

PASSWORD = "mat-khau-van-phong"


def cli(*args: object, input: str | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def make_round(folder: Path, base_url: str = "http://testserver", catalog: Catalog | None = None) -> Path:
    assert cli("init", folder).exit_code == 0
    write_catalog(catalog or small_catalog(), folder / "catalog.xlsx")
    made = cli("generate", folder, "--base-url", base_url)
    assert made.exit_code == 0, made.output
    set_password = cli("serve", folder, "--set-password", input=PASSWORD + "\n")
    assert set_password.exit_code == 0, set_password.output
    return folder


def manifest(folder: Path) -> dict[str, dict[str, str]]:
    with open(folder / "phu-luc" / "manifest.csv", encoding="utf-8-sig") as fh:
        return {row["unit_code"]: row for row in csv.DictReader(fh)}


def link_path(folder: Path, unit: str) -> str:
    """The path of a unit's link, as the manifest gives it."""
    return "/u/" + manifest(folder)[unit]["upload_url"].rsplit("/u/", 1)[1]


def filled(folder: Path, unit: str, out: Path, **changes) -> Path:
    """The unit's generated appendix filled as a unit fills it, with `changes` typed over."""
    results = complete_results(load_catalog(folder / "catalog.xlsx"), unit)
    results.update(changes)
    appendix = folder / "phu-luc" / manifest(folder)[unit]["file"]
    return fill(appendix, out, results)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def text_of(html: str) -> str:
    """What a person reads on the page: the text without tags, spaces collapsed."""
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html_module.unescape(text)).strip()
