"""Exceptions for when work cannot go on. Data problems are collected Issues, never raised."""

from __future__ import annotations

import errno
from collections.abc import Sequence

from .messages import LabelRef, fill, labels
from .model import Issue


class ConsolidatorError(Exception):
    """A failure the command line reports and exits with code 2.

    Raised with a label (`key`, in labels.toml) and its params, so the clerk reads it in the
    command's language; a plain text is kept as it is.
    """

    def __init__(self, text: str = "", *, key: str | None = None, **params: object):
        self.key, self.params = key, params
        super().__init__(text or (self.message("vi") if key else ""))

    def message(self, lang: str = "vi") -> str:
        if self.key is None:
            return str(self)
        return fill(labels(lang)[self.key], lang, self.params)


class UnknownUnits(ConsolidatorError):
    """Unit codes asked for (`--unit`, `--root`) that the catalog does not have, or that have no targets."""

    def __init__(self, codes, key: str = "cli_unknown_units"):
        self.codes = tuple(codes)
        super().__init__(key=key, units=", ".join(self.codes), root=", ".join(self.codes))


class ReceivedAtError(ConsolidatorError):
    """A `--received-at` that is not a day and time, or is one still to come."""

    def __init__(self, text: str, future: bool = False):
        self.text, self.future = text, future
        super().__init__(key="err_received_at_future" if future else "err_received_at", value=text)


class CatalogError(ConsolidatorError):
    """The catalog cannot be used; `issues` lists every problem found in it."""

    def __init__(self, path: str, issues: Sequence[Issue]):
        self.path = path
        self.issues = list(issues)
        super().__init__(path)

    def __str__(self) -> str:
        return self.report("vi")

    def message(self, lang: str = "vi") -> str:
        return self.report(lang)

    def report(self, lang: str = "vi") -> str:
        head = {"vi": f"Danh mục {self.path} có {len(self.issues)} lỗi, chưa thể sử dụng:",
                "en": f"The catalog {self.path} has {len(self.issues)} problem(s) and cannot be used:"}[lang]
        return "\n".join([head] + [f"  [{i.code}] {i.message(lang)}" for i in self.issues])


_WRITE_REASONS = {errno.EACCES: "write_denied", errno.EPERM: "write_denied", errno.EROFS: "write_denied",
                  errno.ENOENT: "write_no_folder", errno.ENOTDIR: "write_no_folder", errno.ENOSPC: "write_disk_full",
                  errno.EISDIR: "write_is_folder"}


def output_refused(path: object, exc: OSError) -> ConsolidatorError:
    """An output the system will not let us write, told in the clerk's words, not strerror's English."""
    return ConsolidatorError(key="err_output", path=path,
                             reason=LabelRef(_WRITE_REASONS.get(exc.errno, "write_failed")))
