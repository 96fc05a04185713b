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


def test_every_label_is_in_both_languages():
    from consolidator.messages import _load

    table = _load("labels.toml")
    assert set(table["vi"]) == set(table["en"])
    assert all(table["vi"][key].strip() for key in table["vi"])


def test_a_label_param_is_rendered_in_the_messages_language_with_its_own_params():
    from consolidator.messages import LabelRef

    fields = {"reason": LabelRef("reason_too_big"), "what": LabelRef("what_part"), "part": "xl/media/x.bin",
              "size": 54.4, "limit": 50.0}
    vi, en = render("file-too-large", "vi", **fields), render("file-too-large", "en", **fields)
    assert "xl/media/x.bin" in vi and "54,4" in vi and "{" not in vi
    assert "xl/media/x.bin" in en and "54.4" in en and "{" not in en
