"""Texts shipped with the package: issue messages and workbook labels, in Vietnamese and English.

They live in resources/*.toml so a translator edits text, not code, and the README's table
of issue codes can be checked against the one registry (tests/test_messages.py).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources

from .numbers import display_number

LANGS = ("vi", "en")


@cache
def _load(name: str) -> dict:
    with resources.files("consolidator.resources").joinpath(name).open("rb") as fh:
        return tomllib.load(fh)


def issue_codes() -> dict[str, dict[str, str]]:
    """Every issue code with its severity and vi/en message templates."""
    return _load("messages.toml")


def severity_of(code: str) -> str:
    return issue_codes()[code]["severity"]


class LabelRef(str):
    """A message parameter that names a label, translated when the message is rendered.

    The label may have {placeholders} of its own, filled from the message's other
    parameters (a reason "part {part} {size} MB > {limit} MB" with its part and sizes), so a
    reader raises codes and neutral values and every word comes out in the message's language.
    """


class Plain(float):
    """A number shown with no thousands separator ("7000", "1,234"), where a grouped "7.000"
    is the very ambiguity the message is about."""


def plain_number(value: float, lang: str) -> str:
    text = format(value, ".15g") if not float(value).is_integer() else str(int(value))
    return text.replace(".", ",") if lang == "vi" else text


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def render(code: str, lang: str, **fields: object) -> str:
    """The message of an issue code in a language, its {placeholders} filled."""
    spec = issue_codes()[code]
    return fill(spec.get(lang, spec["vi"]), lang, fields)


def fill(template: str, lang: str, fields: Mapping[str, object]) -> str:
    """A template in a language with its fields: labels translated, numbers in the language's style."""

    text = labels(lang)
    shown: dict[str, object] = {}
    refs = {}
    for k, v in fields.items():
        if isinstance(v, LabelRef):
            refs[k] = text.get(str(v), str(v))
        elif isinstance(v, Plain):
            shown[k] = plain_number(v, lang)
        elif isinstance(v, float) and lang == "vi":
            shown[k] = display_number(v)
        else:
            shown[k] = "" if v is None else v
    if "indicator" not in fields:
        shown["indicator"] = _indicator(text, shown)
    # A label may name another (a reason inside the catalog's reason): one pass per level.
    for _ in range(len(refs)):
        shown.update({k: label.format_map(_Blank(shown)) for k, label in refs.items()})
    # format_map only substitutes: a unit's text in a value is never interpreted.
    return template.format_map(_Blank(shown))


def _indicator(text: Mapping[str, str], shown: Mapping[str, object]) -> str:
    """" (chỉ tiêu GRDP – Tốc độ tăng trưởng)": the indicator a message is about, by code and name."""
    code, name = shown.get("indicator_code"), shown.get("indicator_name")
    key = ("about_code_name" if name else "about_code") if code else ("about_name" if name else None)
    return text[key].format_map(_Blank(shown)) if key else ""


def labels_of(prefix: str, lang: str) -> dict[str, str]:
    """The labels of one part of the tool (`wb_` the workbook, `rp_` the reports), by their
    names without the prefix."""
    n = len(prefix)
    return {key[n:]: text for key, text in labels(lang).items() if key.startswith(prefix)}


def click_words(lang: str) -> dict[str, str]:
    """click's English messages → ours in a language (empty: click's own English)."""
    return dict(_load("labels.toml").get("click", {}).get(lang, {}))


def labels(lang: str) -> dict[str, str]:
    """Workbook labels in a language (Vietnamese fills any gap in a translation)."""
    table = _load("labels.toml")
    return {**table["vi"], **table.get(lang, {})}
