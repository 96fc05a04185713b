"""Texts shipped with the package: issue messages and workbook labels, in Vietnamese and English.

They live in resources/*.toml so a translator edits text, not code, and the README's table
of issue codes can be checked against the one registry (tests/test_messages.py).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

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
    """A message parameter that names a label, translated when the message is rendered."""


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
    from .numbers import display_number

    spec = issue_codes()[code]
    text = labels(lang)
    shown = {}
    for k, v in fields.items():
        if isinstance(v, LabelRef):
            v = text.get(str(v), str(v))
        elif isinstance(v, Plain):
            v = plain_number(v, lang)
        elif isinstance(v, float) and lang == "vi":
            v = display_number(v)
        shown[k] = "" if v is None else v
    # format_map only substitutes: a unit's text in a value is never interpreted.
    return spec.get(lang, spec["vi"]).format_map(_Blank(shown))


def labels(lang: str) -> dict[str, str]:
    """Workbook labels in a language (Vietnamese fills any gap in a translation)."""
    table = _load("labels.toml")
    return {**table["vi"], **table.get(lang, {})}
