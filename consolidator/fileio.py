"""Output files are written atomically; input files are only ever opened for reading."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it over `path` only if the block succeeds.

    A crash or an exception leaves the old file (or nothing), never half a report.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    # mkstemp creates 0600; an output in a shared office folder must get the usual
    # permissions (0666 less the umask) like any file the clerk saves.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def write_text_atomic(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    with atomic_output(path) as tmp:
        tmp.write_text(text, encoding=encoding)


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Every workbook the tool writes: a string stays a string. xlsxwriter would otherwise turn
# "=HYPERLINK(...)" into a live formula, "http://…" into a link and "12" into a number.
XLSXWRITER_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

MAX_CELL_TEXT = 32767  # Excel's limit; xlsxwriter truncates longer text and returns -2
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(value: object) -> str:
    """Text for an output cell: control characters (but \\n and \\t) removed, cut to Excel's limit.

    Units paste text from anywhere; a control character is invalid in sheet XML and makes
    openpyxl refuse the write.
    """
    if value is None:
        return ""
    text = str(value)
    if text.isprintable():  # the usual case, and cheaper to ask than to substitute
        return text[:MAX_CELL_TEXT]
    return _CONTROL.sub("", text)[:MAX_CELL_TEXT]
