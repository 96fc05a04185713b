"""A form with files, read from the request as it streams: each file to its own scratch file
on disk, capped while it arrives, never held whole in memory.

python-multipart parses the stream; this module decides what is kept. The name a browser
sends is only ever shown: a file is written under a folder of our own making, under the
name made plain as the mail intake makes an attachment's (mail.safe_name). The
Content-Type a browser sends is not read at all: the reader sniffs the bytes.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_multipart.multipart import MultipartParser, parse_options_header

from ..mail import safe_name

MAX_FIELD_BYTES = 64 * 1024  # a typed field (a password, a time): far more than any needs
MAX_PARTS = 100
UNNAMED = "tep-tai-len.xlsx"  # a file sent with no name (a file name, not a word)


class FormRefused(Exception):
    """The request cannot be read as the form it should be: `reason` is a label key."""

    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.reason, self.status = reason, status


@dataclass
class UploadedFile:
    name: str  # as sent, made plain: shown, and the name the file is kept under
    path: Path | None  # None when it was over the cap (its bytes were dropped)
    size: int = 0


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[UploadedFile] = field(default_factory=list)


class _Collector:
    """python-multipart's callbacks: headers of each part, then its bytes to a field or a file."""

    def __init__(self, scratch: Path, max_file: int, max_files: int):
        self.scratch, self.max_file, self.max_files = scratch, max_file, max_files
        self.form = Form()
        self._headers: dict[bytes, bytes] = {}
        self._field, self._value = b"", b""
        self._name: str | None = None
        self._file: UploadedFile | None = None
        self._out: BinaryIO | None = None
        self._text: bytearray | None = None
        self._parts = 0

    def callbacks(self) -> dict:
        return {"on_part_begin": self._begin, "on_header_field": self._header_field,
                "on_header_value": self._header_value, "on_header_end": self._header_end,
                "on_headers_finished": self._headers_done, "on_part_data": self._data, "on_part_end": self._end}

    def _begin(self) -> None:
        self._parts += 1
        if self._parts > MAX_PARTS:
            raise FormRefused("web_refused_form")
        self._headers, self._field, self._value = {}, b"", b""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field, self._value = b"", b""

    def _headers_done(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            self._text = bytearray()
            return
        sent = options[b"filename"].decode("utf-8", "replace")
        if not sent:  # a file input left empty
            self._file, self._out = None, None
            return
        if len(self.form.files) >= self.max_files:
            raise FormRefused("web_refused_too_many")
        folder = Path(tempfile.mkdtemp(dir=self.scratch))
        self._file = UploadedFile(safe_name(sent, UNNAMED), folder / safe_name(sent, UNNAMED))
        self._out = open(self._file.path, "wb")
        self.form.files.append(self._file)

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._text is not None:
            self._text += data[start:end]
            if len(self._text) > MAX_FIELD_BYTES:
                raise FormRefused("web_refused_form")
            return
        if self._file is None:
            return
        self._file.size += end - start
        if self._out is not None and self._file.size > self.max_file:
            # over the cap: what came is dropped and the rest not kept; the form goes on
            self._out.close()
            self._out = None
            shutil.rmtree(self._file.path.parent, ignore_errors=True)
            self._file.path = None
        if self._out is not None:
            self._out.write(data[start:end])

    def _end(self) -> None:
        if self._text is not None:
            self.form.fields[self._name or ""] = self._text.decode("utf-8", "replace")
            self._text = None
        if self._out is not None:
            self._out.close()
        self._file, self._out = None, None

    def close(self) -> None:
        if self._out is not None:
            self._out.close()


async def read_form(headers, stream: AsyncIterator[bytes], scratch: Path, max_file: int, max_files: int,
                    max_body: int) -> Form:
    """The fields and files of a multipart form, files written under `scratch` as they come.

    A body over `max_body` (said by its Content-Length, or counted as it arrives) is refused
    at once (413); a file over `max_file` is kept as a name with no bytes, for the page to say so.
    """
    content_type, options = parse_options_header(headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in options:
        raise FormRefused("web_refused_form")
    declared = headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > max_body):
        raise FormRefused("web_refused_body", 413)
    collector = _Collector(scratch, max_file, max_files)
    parser = MultipartParser(options[b"boundary"], collector.callbacks())
    received = 0
    try:
        async for chunk in stream:
            received += len(chunk)
            if received > max_body:
                raise FormRefused("web_refused_body", 413)
            parser.write(chunk)
        parser.finalize()
    except FormRefused:
        raise
    except Exception as exc:  # python-multipart's own errors on a malformed body
        raise FormRefused("web_refused_form") from exc
    finally:
        collector.close()
    return collector.form
