"""Exceptions for when work cannot go on. Data problems are collected Issues, never raised."""

from __future__ import annotations

from collections.abc import Sequence

from .model import Issue


class ConsolidatorError(Exception):
    """A failure the command line reports and exits with code 2."""


class CatalogError(ConsolidatorError):
    """The catalog cannot be used; `issues` lists every problem found in it."""

    def __init__(self, path: str, issues: Sequence[Issue]):
        self.path = path
        self.issues = list(issues)
        super().__init__(path)

    def __str__(self) -> str:
        return self.report("vi")

    def report(self, lang: str = "vi") -> str:
        head = {"vi": f"Danh mục {self.path} có {len(self.issues)} lỗi, chưa thể sử dụng:",
                "en": f"The catalog {self.path} has {len(self.issues)} problem(s) and cannot be used:"}[lang]
        return "\n".join([head] + [f"  [{i.code}] {i.message(lang)}" for i in self.issues])
