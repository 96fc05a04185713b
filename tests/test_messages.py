"""Issue codes: the README's table and the registry agree; every message renders in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from consolidator.messages import LANGS, issue_codes, render

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_table() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    table = text.split("<!-- issue-codes:start -->")[1].split("<!-- issue-codes:end -->")[0]
    return dict(re.findall(r"^\| `([a-z0-9-]+)` \| (error|warning) \|", table, flags=re.M))


def test_readme_lists_every_code_with_its_severity():
    registry = {code: spec["severity"] for code, spec in issue_codes().items()}
    assert readme_table() == registry


@pytest.mark.parametrize("code", sorted(issue_codes()))
def test_every_code_is_kebab_case_with_both_languages(code):
    spec = issue_codes()[code]
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code)
    assert spec["severity"] in ("error", "warning")
    for lang in LANGS:
        assert spec[lang].strip()
        rendered = render(code, lang, cell="E12", sheet="Phụ lục", value="x")
        assert "{" not in rendered, rendered


def test_values_are_substituted_not_interpreted():
    hostile = "{0.__class__}{sheet}"
    message = render("catalog-bad-target", "vi", cell="C5", value=hostile)
    assert hostile in message
