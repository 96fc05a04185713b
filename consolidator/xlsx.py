"""A small, safe reader of the cells of an .xlsx/.xlsm workbook a unit sends back.

Why not openpyxl or pandas: we need each cell's formula, cached value and number format in
one pass (openpyxl needs two loads; pandas drops a formula cell without a cached value), and
the files are untrusted. So every limit is checked before the work it bounds: the file size
before reading, the zip's central directory before opening a member, a member's declared
size while decompressing (a lying header cannot grow memory), and a cell's position before
it is stored. `<dimension>` is never trusted. XML is streamed through expat with
defusedxml's refusals installed (any DTD, entity declaration or external reference raises),
so an entity bomb fails at once instead of expanding; expat handlers rather than
ElementTree keep memory flat whatever a sheet's size. Cells and shared strings in the plain
shapes spreadsheet programs write are read without a Python call per element, expat still
checking the part around them ("Plain parts" below): a 10 KB appendix takes under 2 ms.

Anything unreadable becomes `UnreadableWorkbook` with an issue code of messages.toml.
"""

from __future__ import annotations

import errno
import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import NoReturn
from xml.parsers import expat as pyexpat

from openpyxl.formula.translate import Translator
from defusedxml.common import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from .cellref import column_letters, column_number
from .messages import LabelRef, render

MiB = 1024 * 1024


class UnreadableWorkbook(Exception):
    """A returned file that cannot be read at all; `code` is an issue code, `params` fill its message."""

    def __init__(self, code: str, **params: object):
        self.code = code
        self.params = dict(params)
        super().__init__(code, self.params)

    def __reduce__(self):
        return (_unreadable, (self.code, self.params))

    def message(self, lang: str = "vi") -> str:
        return render(self.code, lang, **self.params)

    def __str__(self) -> str:
        return f"[{self.code}] {self.message('en')}"

    def as_reason(self) -> dict[str, object]:
        """This refusal as the {reason} of another message (the catalog's): a short phrase
        (label why_<code>) and the params it fills, none named like an Issue's own fields."""
        renamed = {"reason": "detail", "sheet": "sheet_name", "cell": "cell_ref"}
        params = {renamed.get(k, k): v for k, v in self.params.items()}
        return {**params, "reason": LabelRef(f"why_{self.code}")}


def _unreadable(code: str, params: dict) -> UnreadableWorkbook:
    return UnreadableWorkbook(code, **params)


@dataclass(frozen=True)
class Limits:
    """Safety limits, each far above a real appendix (about 10 KB, 50 rows, 11 columns)."""

    max_file_bytes: int = 20 * MiB
    max_members: int = 1000
    max_member_bytes: int = 50 * MiB  # declared uncompressed size of one zip member
    max_total_bytes: int = 200 * MiB  # declared uncompressed size of all members
    max_ratio: float = 200.0  # uncompressed / compressed, checked for members over 1 MiB
    max_row: int = 10_000
    max_col: int = 100  # column CV
    max_cells: int = 200_000  # per sheet, counting every <c> element


# ---------------------------------------------------------------------------------------
# Cells, sheets, workbook


@lru_cache(maxsize=512)
def _format_chars(code: str) -> str:
    """The characters of a number format code that are not literal text, lower-cased.

    Skips "quoted text", [brackets] (colours, conditions, locales, elapsed time markers),
    and the character after \\ (escape), _ (space as wide as) and * (repeat).
    """
    out = []
    i, n = 0, len(code)
    while i < n:
        ch = code[i]
        if ch == '"':
            end = code.find('"', i + 1)
            i = n if end < 0 else end + 1
        elif ch == "[":
            end = code.find("]", i + 1)
            i = n if end < 0 else end + 1
        elif ch in "\\_*":
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out).lower()




@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: its cached value, the kind of that value, its formula and its number format."""

    value: str | float | bool | None
    kind: str  # "n", "s" (any string, also a t="d" ISO date), "b", "e", "blank" (formula, no cached value)
    formula: str | None  # without the leading "="
    number_format: str

    @property
    def is_percent_format(self) -> bool:
        return "%" in _format_chars(self.number_format)

    @property
    def is_date_format(self) -> bool:
        chars = _format_chars(self.number_format)
        return "d" in chars or "m" in chars or "y" in chars


@dataclass(frozen=True)
class Sheet:
    name: str
    state: str  # "visible", "hidden", "veryHidden"
    # (row, col), 1-based; only cells with a value or a formula. Empty for a sheet not
    # asked for in read_workbook(sheets=...).
    cells: Mapping[tuple[int, int], Cell] = field(default_factory=dict, hash=False)

    def value(self, row: int, col: int) -> str | float | bool | None:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.value


@dataclass(frozen=True)
class Workbook:
    sheets: tuple[Sheet, ...]  # in workbook order
    modified: datetime | None  # docProps/core.xml dcterms:modified, in UTC

    def sheet(self, name: str) -> Sheet | None:
        for s in self.sheets:
            if s.name == name:
                return s
        return None


# ---------------------------------------------------------------------------------------
# Sniffing

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_SNIFF_BYTES = 512 * 1024
_TEXT_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x19\x7f]")


def starts_like_a_package(head: bytes) -> bool:
    """Whether a file's first bytes open a zip member or an OLE container, as every workbook does."""
    return head.startswith((_ZIP_MAGIC[0], _OLE2_MAGIC))


def sniff(path: str | os.PathLike) -> str:
    """What a file is, by its bytes, not its name.

    One of 'xlsx', 'xlsb', 'ods', 'zip', 'encrypted', 'xls', 'html', 'pdf', 'text',
    'empty', 'unknown'. A damaged zip that still names Excel parts counts as 'xlsx'.
    """
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        head = fh.read(_SNIFF_BYTES)
        tail = b""
        if head.startswith(_OLE2_MAGIC) and size > 2 * _SNIFF_BYTES:
            fh.seek(size - _SNIFF_BYTES)
            tail = fh.read()
        if not head.startswith(_ZIP_MAGIC):
            return _sniff_bytes(head, tail, None)
        try:
            with zipfile.ZipFile(fh) as zf:
                return _sniff_bytes(head, tail, zf)
        except _ERRORS:
            return _sniff_bytes(head, tail, None)


def _sniff_bytes(head: bytes, tail: bytes, zf: zipfile.ZipFile | None) -> str:
    if not head:
        return "empty"
    if head.startswith(_ZIP_MAGIC):
        return _sniff_zip(head, zf)
    if head.startswith(_OLE2_MAGIC):
        if any(name in head or name in tail for name in _ENCRYPTED_STREAMS):
            return "encrypted"
        return "xls"
    if _is_biff(head):
        return "xls"
    if head.startswith(b"%PDF-"):
        return "pdf"
    start = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")) or b"<html" in start[:1024]:
        return "html"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"
    if not _TEXT_CONTROL.search(head):
        return "text"  # any 8-bit text encoding, UTF-8 or not
    return "unknown"


# The BOF record that starts a BIFF stream: record type → its lengths. Excel 2.x to 4.0
# (BIFF2–4) wrote a worksheet as these records alone, with no OLE container; BIFF5 and 8
# streams are inside one, but some programs write them bare too.
_BIFF_BOF = {0x0009: (4,), 0x0209: (6,), 0x0409: (6,), 0x0809: (8, 16)}
_BIFF_SUBSTREAMS = (0x0005, 0x0010, 0x0020, 0x0040, 0x0100)  # workbook, worksheet, chart, macros, BIFF4 book


def _is_biff(head: bytes) -> bool:
    if len(head) < 8:
        return False
    record, length, _, substream = struct.unpack_from("<HHHH", head)
    return length in _BIFF_BOF.get(record, ()) and substream in _BIFF_SUBSTREAMS


def _sniff_zip(head: bytes, zf: zipfile.ZipFile | None) -> str:
    if zf is None:
        # The central directory (at the end) is unreadable, e.g. a truncated download:
        # judge by the member names in the local headers at the start.
        if _ODS_MIME in head[:200]:
            return "ods"
        if b"xl/workbook.bin" in head:
            return "xlsb"
        if b"xl/" in head or b"[Content_Types].xml" in head:
            return "xlsx"
        return "zip"
    names = {n.replace("\\", "/").lower(): n for n in zf.namelist()}
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    # The standard finds the workbook part through the package's relationships, wherever it is.
    main = _office_document(zf, names)
    if main is not None and main.lower() in names:
        return "xlsb" if main.lower().endswith(".bin") else "xlsx"
    if "mimetype" in names:
        info = zf.getinfo(names["mimetype"])
        if info.file_size < 200:
            with zf.open(info) as fh:
                if fh.read(200).strip() == _ODS_MIME:
                    return "ods"
    return "zip"


_SMALL_RELS = 64 * 1024  # _rels/.rels names a handful of parts: far under this


def _office_document(zf: zipfile.ZipFile, names: Mapping[str, str]) -> str | None:
    """The member _rels/.rels names as the main document, read before any cap is checked:
    so only a small one, and never more of it than it declares."""
    info = zf.getinfo(names["_rels/.rels"]) if "_rels/.rels" in names else None
    if info is None or info.file_size > _SMALL_RELS:
        return None
    found: list[str] = []
    local = _local_names()

    def start(name, attrs):
        if local[name] == "Relationship" and (attrs.get("Type") or "").endswith(_REL_OFFICE_DOC) \
                and attrs.get("TargetMode") != "External" and attrs.get("Target"):
            found.append(_join("", attrs["Target"]))
            raise _Done

    try:
        with zf.open(info) as raw:
            _run(_parser(start), (_Bounded(raw, info.file_size, info.filename).read(_SMALL_RELS),))
    except (UnreadableWorkbook, *_ERRORS):
        return None
    return found[0] if found else None


# ---------------------------------------------------------------------------------------
# Reading

# What a damaged or hostile file can make the standard library raise. defusedxml's
# refusals are ValueErrors, as is UnicodeDecodeError.
_ERRORS = (
    zipfile.BadZipFile, zipfile.LargeZipFile, pyexpat.ExpatError, LookupError, ValueError,
    EOFError, OSError, zlib.error, NotImplementedError, RuntimeError, struct.error,
    OverflowError,
)

# What a refused file is, as labels (labels.toml kind_*): the message's language names it.
_NOT_WORKBOOK = {"text": "kind_text", "html": "kind_html", "pdf": "kind_pdf", "zip": "kind_zip",
                 "unknown": "kind_unknown"}
_LEGACY = {"xls": "kind_xls", "ods": "kind_ods", "xlsb": "kind_xlsb"}


def read_workbook(path: str | os.PathLike, limits: Limits = Limits(),
                  sheets: Collection[str] | None = None) -> Workbook:
    """Read the sheets of a returned workbook; raise UnreadableWorkbook if it cannot be read.

    `sheets`: names of the sheets whose cells to read; every sheet is still listed with its
    state, the others with no cells. None reads all. Errors opening `path` itself
    (missing, a directory, no permission) are OSErrors, not about the file's content.
    """
    _, reader = _checked_package(path, limits)
    return _as_corrupt(lambda: reader.read(sheets))


def check_package(path: str | os.PathLike, limits: Limits = Limits()) -> bytes:
    """Make read_workbook's checks that come before any parsing, and return the file's bytes.

    For a caller that reads the cells with another parser: the file size, what the bytes are
    (sniffed, not the name: the same refusals as read_workbook), and the zip's central
    directory (member count, declared sizes, compression ratio). No member is read. Parse
    the returned bytes, not `path` again, so that what is parsed is what was checked.
    Raises UnreadableWorkbook; errors opening `path` itself are OSErrors.
    """
    data, _ = _checked_package(path, limits)
    return data


def _checked_package(path: str | os.PathLike, limits: Limits) -> tuple[bytes, _Reader]:
    """The file's bytes and a reader over them, once size, sniffing and the zip directory pass."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limits.max_file_bytes:
            raise UnreadableWorkbook("file-too-large", **_too_big(LabelRef("what_file"), size, limits.max_file_bytes))
        data = fh.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:  # grew while we looked
        raise UnreadableWorkbook("file-too-large", **_too_big(LabelRef("what_file"), len(data), limits.max_file_bytes))
    try:
        zf = zipfile.ZipFile(io.BytesIO(data)) if data.startswith(_ZIP_MAGIC) else None
    except _ERRORS:
        zf = None
    tail = data[-_SNIFF_BYTES:] if len(data) > _SNIFF_BYTES else b""
    kind = _sniff_bytes(data[:_SNIFF_BYTES], tail, zf)
    if kind != "xlsx":
        raise _refusal(kind, data, zf)
    if zf is None:
        raise UnreadableWorkbook("file-corrupt", reason=LabelRef("reason_zip_incomplete"))
    # the reader's constructor checks the central directory; nothing is parsed yet
    return data, _as_corrupt(lambda: _Reader(zf, limits, data))


def _as_corrupt(call):
    """`call()`, with any error of a damaged package (zip, XML, values) as file-corrupt."""
    try:
        return call()
    except UnreadableWorkbook:
        raise
    except _ERRORS as exc:
        raise UnreadableWorkbook("file-corrupt", **_reason(exc)) from None


def _refusal(kind: str, data: bytes, zf: zipfile.ZipFile | None) -> UnreadableWorkbook:
    if kind == "empty":
        return UnreadableWorkbook("file-empty")
    if kind == "encrypted":
        return UnreadableWorkbook("file-encrypted")
    if kind in _LEGACY:
        return UnreadableWorkbook("file-legacy-format", kind=LabelRef(_LEGACY[kind]))
    label = _NOT_WORKBOOK.get(kind, _NOT_WORKBOOK["unknown"])
    if kind == "zip" and zf is not None:
        names = " ".join(zf.namelist()[:50])
        if "word/" in names:
            label = "kind_docx"
        elif "ppt/" in names:
            label = "kind_pptx"
    elif kind == "unknown" and data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        label = "kind_image"
    return UnreadableWorkbook("file-not-workbook", kind=LabelRef(label))


def _too_big(what: LabelRef, size: float, limit: float) -> dict[str, object]:
    return {"reason": LabelRef("reason_too_big"), "what": what, "size": _mb(size), "limit": _mb(limit)}


def _mb(n: float) -> float:
    """Megabytes, a number for the message to write in its own style (54,4 or 54.4)."""
    return round(n / MiB, 1) if n >= MiB / 10 else round(n / MiB, 4)


def _reason(exc: BaseException) -> dict[str, object]:
    """The params of file-corrupt for a damaged package's error: a reason label, never the
    exception's own (English) text."""
    if isinstance(exc, KeyError):
        return {"reason": LabelRef("reason_missing_part"), "part": str(exc.args[0])[:80] if exc.args else ""}
    if isinstance(exc, IndexError):
        return {"reason": LabelRef("reason_missing_string")}
    if type(exc).__module__.startswith("defusedxml"):
        return {"reason": LabelRef("reason_xml_refused")}
    if isinstance(exc, pyexpat.ExpatError):
        return {"reason": LabelRef("reason_xml_damaged")}
    if isinstance(exc, zipfile.BadZipFile):
        return {"reason": LabelRef("reason_bad_checksum" if "CRC" in str(exc) else "reason_zip_damaged")}
    if isinstance(exc, zlib.error):
        return {"reason": LabelRef("reason_zip_damaged")}
    if isinstance(exc, EOFError):
        return {"reason": LabelRef("reason_zip_incomplete")}
    if isinstance(exc, NotImplementedError):
        return {"reason": LabelRef("reason_unsupported")}
    return {"reason": LabelRef("reason_damaged")}


def os_error_reason(exc: OSError) -> dict[str, object]:
    """The params of file-corrupt for a file the system would not give us (its strerror is English)."""
    label = {errno.ENOENT: "reason_os_missing", errno.EACCES: "reason_os_denied", errno.EPERM: "reason_os_denied",
             errno.EISDIR: "reason_os_directory"}.get(exc.errno, "reason_os_error")
    return {"reason": LabelRef(label)}


_CHUNK = 256 * 1024  # what a part is parsed in


class _Bounded:
    """A zip member read in chunks, never more than its declared size plus a margin."""

    __slots__ = ("_fh", "_left", "_name")

    def __init__(self, fh, declared: int, name: str):
        self._fh, self._left, self._name = fh, declared + 64 * 1024, name

    def read(self, n: int = -1) -> bytes:
        chunk = self._fh.read(64 * 1024 if n is None or n < 0 else min(n, 1 * MiB))
        self._left -= len(chunk)
        if self._left < 0:
            raise UnreadableWorkbook("file-too-large", reason=LabelRef("reason_part_lies"), part=self._name[:80])
        return chunk


_SPACE_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_REF = re.compile(r"\$?([A-Za-z]{1,7})\$?([0-9]{1,9})")
_DEFAULT_WORKBOOK = "xl/workbook.xml"
_REL_OFFICE_DOC = "/officeDocument"
_REL_SHEET = "/worksheet"


def _attr(attrs: dict[str, str], name: str) -> str | None:
    """An attribute by local name, whatever its prefix (r:id)."""
    for key, value in attrs.items():
        if key == name or key.endswith(":" + name):
            return value
    return None


def _unescape(text: str) -> str:
    # OOXML writes characters XML cannot hold as _xHHHH_.
    if "_x" not in text:
        return text
    return _SPACE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _join(base_dir: str, target: str) -> str:
    """A relationship target as a member name: absolute from the zip root, else relative."""
    target = target.replace("\\", "/")
    path = target.lstrip("/") if target.startswith("/") else f"{base_dir}/{target}" if base_dir else target
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)


BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00",
    5: '"$"#,##0_);("$"#,##0)', 6: '"$"#,##0_);[Red]("$"#,##0)',
    7: '"$"#,##0.00_);("$"#,##0.00)', 8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??",
    14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm",
    37: "#,##0_);(#,##0)", 38: "#,##0_);[Red](#,##0)", 39: "#,##0.00_);(#,##0.00)",
    40: "#,##0.00_);[Red](#,##0.00)",
    41: r'_(* #,##0_);_(* \(#,##0\);_(* "-"_);_(@_)',
    42: r'_("$"* #,##0_);_("$"* \(#,##0\);_("$"* "-"_);_(@_)',
    43: r'_(* #,##0.00_);_(* \(#,##0.00\);_(* "-"??_);_(@_)',
    44: r'_("$"* #,##0.00_)_("$"* \(#,##0.00\)_("$"* "-"??_)_(@_)',
    45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}


def _refuse_doctype(name, sysid, pubid, has_internal_subset):
    raise DTDForbidden(name, sysid, pubid)


def _refuse_entity(name, is_parameter_entity, value, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation_name)


def _refuse_unparsed_entity(name, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation_name)


def _refuse_external(context, base, sysid, pubid):
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


class _local_names(dict):  # noqa: N801 - used like a function
    """Qualified name → local name ("x:c" → "c"), one per part parsed so it stays small."""

    def __missing__(self, qname: str) -> str:
        local = self[qname] = qname.rpartition(":")[2]
        return local


class _Done(Exception):
    """Raised by a handler once it has what it needs from a part."""


_REF_CACHE: dict[str, tuple[int, int]] = {}


def _position(ref: str) -> tuple[int, int]:
    """(row, col) of an A1 reference; the common ones are remembered across files."""
    pos = _REF_CACHE.get(ref)
    if pos is None:
        m = _REF.fullmatch(ref)
        if m is None:
            raise ValueError(f"bad cell reference {ref[:20]!r}")
        pos = (int(m.group(2)), column_number(m.group(1)))
        if len(_REF_CACHE) < 20_000 and pos[0] <= 1000 and pos[1] <= 100:
            _REF_CACHE[ref] = pos
    return pos


def _parser(start=None, end=None, text=None):
    """An expat parser with defusedxml's refusals installed: any DTD or entity raises.

    No namespace processing: elements are matched by local name, so a document that
    spells the main namespace with a prefix ("x:c") reads like one that does not.
    """
    parser = pyexpat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_unparsed_entity
    parser.ExternalEntityRefHandler = _refuse_external
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    if start is not None:
        parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    return parser


def _run(parser, chunks: Iterable[bytes]) -> None:
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Done:
        pass


# What a styles part says only of how cells look, before the cell formats the reader needs:
# a program that adds a font and a format for every cell it ever formatted grows these to
# tens of MiB, two million elements for expat (~5 s on this machine class, no handler
# at all 1.6 s), and they are skipped as bytes instead. A tag or its end tag written
# inside a comment would make the rest of the part unreadable to expat: only a made-up
# file does that, and such a file is told it is unreadable, never misread.
_LOOKS_ONLY = (b"fonts", b"fills", b"borders", b"cellStyleXfs")
_START_TAG_REST = re.compile(rb"""(?:[^>"']|"[^"]*"|'[^']*')*>""")
_CARRY = 64  # bytes kept back at a chunk's end: a tag's start may run on into the next
_LONGEST_TAG = 64 * 1024  # a start tag longer than this is not looked for further: no skipping then


class _SkippingParser:
    """A parser made by `_parser`, fed a part without the elements named: their start tag,
    content and end tag are left out as bytes, unparsed (`_LOOKS_ONLY`)."""

    def __init__(self, parser, sections: Sequence[bytes]):
        self._parser = parser
        self._starts = re.compile(rb"<((?:[A-Za-z_][\w.-]{0,31}:)?(?:" + b"|".join(sections) + rb"))(?=[\s/>])")
        self._pending = b""
        self._closing: re.Pattern[bytes] | None = None  # the end tag of the element being left out
        self._passing = False  # a start tag too long to look for its end: the rest is parsed as it is

    def Parse(self, data: bytes, final: bool = False) -> None:  # noqa: N802 (expat's name)
        pending = self._pending + data
        while pending:
            if self._passing:
                self._parser.Parse(pending, False)
                pending = b""
            elif self._closing is not None:
                found = self._closing.search(pending)
                if found is None:
                    pending = b"" if final else pending[-_CARRY:]
                    break
                pending, self._closing = pending[found.end():], None
            elif (found := self._starts.search(pending)) is None:
                keep = 0 if final else min(len(pending), _CARRY)
                self._parser.Parse(pending[:len(pending) - keep], False)
                pending = pending[len(pending) - keep:]
                break
            elif (tag := _START_TAG_REST.match(pending, found.end())) is None:
                # the start tag goes on into the next chunk (or is never closed: expat will say so)
                self._parser.Parse(pending[:found.start()], False)
                pending = pending[found.start():]
                self._passing = final or len(pending) > _LONGEST_TAG
                if not self._passing:
                    break
            else:
                self._parser.Parse(pending[:found.start()], False)
                if not pending[:tag.end()].endswith(b"/>"):
                    self._closing = re.compile(rb"</" + re.escape(found[1]) + rb"\s*>")
                pending = pending[tag.end():]
        self._pending = pending
        if final:
            self._parser.Parse(b"", True)


_FORMATS: dict[bytes, tuple[str, ...]] = {}  # styles part → what _Reader._formats makes of it
# The package's small parts that are the same bytes in every file of a round (the
# relationships, the workbook's list of sheets) → what parsing them gave: (what, context,
# bytes) → result, never mutated by its users. Only parts expat accepted are remembered.
_PARSED: dict[tuple[str, str, bytes], object] = {}


def _remember(key: tuple[str, str, bytes | None], result: object) -> None:
    if key[2] is not None and len(key[2]) <= 64 * 1024 and len(_PARSED) < 64:
        _PARSED[key] = result


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader
_UNUSUAL_FLAGS = 0x01 | 0x20 | 0x40  # encrypted, compressed patched data, strong encryption


def _inflate(data: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """A small part's bytes straight from the package's bytes, when zipfile would give
    exactly these without complaint; None to leave it to zipfile (and its errors).

    zipfile's file object per part (a shared file, a header read, a decompressor and
    buffers) was a tenth of what reading an appendix cost. The same checks are made:
    the local header and its name agree with the directory, nothing encrypted, the
    inflated size is the declared one (never inflating more than that) and the CRC matches.
    """
    offset = info.header_offset
    if info.flag_bits & _UNUSUAL_FLAGS or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) \
            or len(data) < offset + _LOCAL_HEADER.size:
        return None
    header = _LOCAL_HEADER.unpack_from(data, offset)
    if header[0] != b"PK\x03\x04":
        return None
    start = offset + _LOCAL_HEADER.size
    name = data[start:start + header[10]]
    try:
        if name.decode("utf-8" if header[3] & 0x800 else "cp437") != info.orig_filename:
            return None
    except UnicodeDecodeError:
        return None
    start += header[10] + header[11]
    raw = data[start:start + info.compress_size]
    if len(raw) != info.compress_size:
        return None
    try:
        out = raw if info.compress_type == zipfile.ZIP_STORED else \
            zlib.decompressobj(-15).decompress(raw, info.file_size + 1)
    except zlib.error:
        return None
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        return None
    return out


class _Reader:
    def __init__(self, zf: zipfile.ZipFile, limits: Limits, data: bytes):
        self.zf, self.limits, self.data = zf, limits, data
        self.members = self._check_directory()

    def _check_directory(self) -> dict[str, zipfile.ZipInfo]:
        lim = self.limits
        infos = self.zf.infolist()
        if len(infos) > lim.max_members:
            raise UnreadableWorkbook("file-too-large", reason=LabelRef("reason_too_many_parts"), count=len(infos),
                                     limit=lim.max_members)
        total = 0
        for info in infos:
            if info.file_size > lim.max_member_bytes:
                raise UnreadableWorkbook("file-too-large", part=info.filename[:60],
                                         **_too_big(LabelRef("what_part"), info.file_size, lim.max_member_bytes))
            total += info.file_size
            if info.file_size > MiB and info.file_size > lim.max_ratio * max(info.compress_size, 1):
                raise UnreadableWorkbook("file-too-large", reason=LabelRef("reason_expands"), part=info.filename[:60],
                                         ratio=round(info.file_size / max(info.compress_size, 1)))
        if total > lim.max_total_bytes:
            raise UnreadableWorkbook("file-too-large", **_too_big(LabelRef("what_content"), total, lim.max_total_bytes))
        # Later duplicates win, as in zipfile; names are matched case-insensitively.
        return {info.filename.replace("\\", "/").lower(): info for info in infos}

    def _info(self, name: str) -> zipfile.ZipInfo | None:
        return self.members.get(name.lower())

    def _parse(self, name: str, start, end=None, text=None, xml: bytes | None = None) -> None:
        self._feed(name, _parser(start, end, text), xml)

    def _feed(self, name: str, parser, xml: bytes | None = None) -> None:
        """Stream one XML part through a parser made by `_parser` (or a `_SkippingParser` over
        one); `xml`: the part as `_small` read it, if it has been."""
        if xml is not None:
            _run(parser, (xml,))
            return
        info = self._info(name)
        if info is None:
            raise KeyError(name)
        xml = _inflate(self.data, info) if info.file_size <= _CHUNK else None
        if xml is not None:
            _run(parser, (xml,))
            return
        with self.zf.open(info) as raw:
            source = _Bounded(raw, info.file_size, name)
            _run(parser, iter(lambda: source.read(_CHUNK), b""))

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id → (type, member name) for a part."""
        head, _, tail = part.rpartition("/")
        rels_name = f"{head}/_rels/{tail}.rels" if head else f"_rels/{tail}.rels"
        out: dict[str, tuple[str, str]] = {}
        if self._info(rels_name) is None:
            return out
        xml = self._small(rels_name)
        if (known := _PARSED.get(("rels", head, xml))) is not None:  # never stored for xml None
            return known
        names = _local_names()

        def start(name, attrs):
            if names[name] == "Relationship" and attrs.get("TargetMode") != "External" and attrs.get("Target"):
                out[attrs.get("Id", "")] = (attrs.get("Type", ""), _join(head, attrs["Target"]))

        self._parse(rels_name, start, xml=xml)
        _remember(("rels", head, xml), out)
        return out

    def read(self, wanted: Collection[str] | None) -> Workbook:
        workbook_part = _DEFAULT_WORKBOOK
        for rel_type, target in self._rels("").values():
            if rel_type.endswith(_REL_OFFICE_DOC) and self._info(target) is not None:
                workbook_part = target
                break
        rels = self._rels(workbook_part)
        listed = [(name, state, rels.get(rel_id, ("", ""))) for name, state, rel_id in self._sheet_list(workbook_part)]
        base = workbook_part.rpartition("/")[0]
        strings: list[str] | None = None
        formats: Sequence[str] = ()
        out = []
        for name, state, (rel_type, target) in listed:
            cells: dict = {}
            if wanted is None or name in wanted:
                if not target:
                    raise UnreadableWorkbook("file-corrupt", reason=LabelRef("reason_sheet_no_part"), sheet_name=name[:40])
                if rel_type.endswith(_REL_SHEET):  # not a chart sheet
                    if strings is None:
                        strings = self._shared_strings(rels, base)
                        formats = self._formats(rels, base)
                    cells = self._sheet(target, name, strings, formats)
            out.append(Sheet(name, state, cells))
        return Workbook(tuple(out), self._modified())

    def _sheet_list(self, workbook_part: str) -> list[tuple[str, str, str]]:
        """(name, state, relationship id) of each sheet the workbook part lists, in order."""
        xml = self._small(workbook_part)
        if (known := _PARSED.get(("sheets", "", xml))) is not None:  # never stored for xml None
            return known
        listed: list[tuple[str, str, str]] = []
        names = _local_names()

        def start(name, attrs):
            if names[name] == "sheet":
                listed.append((attrs.get("name", ""), attrs.get("state") or "visible", _attr(attrs, "id") or ""))

        def end(name):
            if names[name] == "sheets":
                raise _Done

        self._parse(workbook_part, start, end, xml=xml)
        _remember(("sheets", "", xml), listed)
        return listed

    def _part_of_type(self, rels, suffix: str, default: str) -> str | None:
        for rel_type, target in rels.values():
            if rel_type.endswith(suffix):
                return target if self._info(target) is not None else None
        return default if self._info(default) is not None else None

    def _shared_strings(self, rels, base: str) -> list[str]:
        part = self._part_of_type(rels, "/sharedStrings", f"{base}/sharedStrings.xml")
        strings: list[str] = []
        if part is None:
            return strings
        xml = self._small(part)
        plain = None if xml is None else _read_plain_shared_strings(xml)
        if plain is not None:
            return plain
        names = _local_names()
        parts: list[str] = []
        buf: list[str] | None = None
        phonetic = False

        def start(name, attrs):
            nonlocal buf, phonetic
            local = names[name]
            if local == "t":
                if not phonetic:
                    buf = []
            elif local == "si":
                parts.clear()
            elif local == "rPh":
                phonetic = True

        def end(name):
            nonlocal buf, phonetic
            local = names[name]
            if local == "t":
                if buf is not None:
                    parts.append("".join(buf))
                    buf = None
            elif local == "si":
                strings.append(_unescape("".join(parts)))
            elif local == "rPh":
                phonetic = False

        def text(data):
            if buf is not None:
                buf.append(data)

        self._parse(part, start, end, text, xml)
        return strings

    def _formats(self, rels, base: str) -> Sequence[str]:
        """cellXfs index → number format code."""
        part = self._part_of_type(rels, "/styles", f"{base}/styles.xml")
        if part is None:
            return ()
        # The files of a round share their styles part, and its many attributes are slow
        # to parse: the result is remembered by the part's bytes.
        xml = self._small(part)
        if xml in _FORMATS:
            return _FORMATS[xml]
        names = _local_names()
        custom: dict[int, str] = {}
        ids: list[int] = []
        in_cell_xfs = False

        def start(name, attrs):
            nonlocal in_cell_xfs
            local = names[name]
            if local == "xf":
                if in_cell_xfs:
                    ids.append(int(attrs.get("numFmtId") or 0))
            elif local == "numFmt":
                custom[int(attrs.get("numFmtId") or 0)] = attrs.get("formatCode") or "General"
            elif local == "cellXfs":
                in_cell_xfs = True

        def end(name):
            if names[name] == "cellXfs":
                raise _Done  # the rest (cell styles, dxfs, colours) is not needed

        self._feed(part, _SkippingParser(_parser(start, end), _LOOKS_ONLY), xml)
        formats = tuple(custom.get(i) or BUILTIN_FORMATS.get(i, "General") for i in ids)
        if xml is not None and len(xml) <= 64 * 1024 and len(_FORMATS) < 32:
            _FORMATS[xml] = formats
        return formats

    def _modified(self) -> datetime | None:
        if self._info("docProps/core.xml") is None:
            return None
        names = _local_names()
        buf: list[str] | None = None
        found: list[str] = []

        def start(name, attrs):
            nonlocal buf
            if names[name] == "modified":
                buf = []

        def end(name):
            nonlocal buf
            if buf is not None and names[name] == "modified":
                found.append("".join(buf))
                buf = None

        def text(data):
            if buf is not None:
                buf.append(data)

        try:
            self._parse("docProps/core.xml", start, end, text)
        except UnreadableWorkbook:
            raise
        except _ERRORS:
            return None  # metadata only: a damaged core.xml does not make the cells unreadable
        return _utc(found[0].strip()) if found else None

    def _small(self, name: str) -> bytes | None:
        """A whole part that `_feed` would read in one chunk, read the way it reads it; else None."""
        info = self._info(name)
        if info is None or info.file_size > _CHUNK:
            return None
        xml = _inflate(self.data, info)
        if xml is not None:
            return xml
        with self.zf.open(info) as raw:
            return _Bounded(raw, info.file_size, name).read(_CHUNK)

    def _sheet(self, part: str, sheet_name: str, strings: list[str], formats: Sequence[str]) -> dict:
        xml = self._small(part)
        if xml is not None:
            sheet = _SheetCells(sheet_name, self.limits, strings, formats)
            if _read_plain_sheet_data(xml, sheet):
                return sheet.cells
        sheet = _SheetCells(sheet_name, self.limits, strings, formats)
        self._feed(part, _sheet_parser(sheet), xml)
        return sheet.cells


class _SheetCells:
    """The cells of a sheet as its <sheetData> is read, by expat (`_sheet_parser`) or, for
    plain content, by `read_plain`. A cell's position and the limits are checked as the
    cell opens, before anything of it is stored.
    """

    def __init__(self, sheet_name: str, limits: Limits, strings: list[str], formats: Sequence[str]):
        self.sheet_name, self.strings, self.formats = sheet_name, strings, formats
        self.max_row, self.max_col, self.max_cells = limits.max_row, limits.max_col, limits.max_cells
        self.cells: dict[tuple[int, int], Cell] = {}
        self.shared: dict[str, tuple[str, str]] = {}  # shared formula si → (formula, master ref)
        self.row = self.col = self.count = 0
        default = formats[0] if formats else "General"
        self.format_of = {None: default, "": default}  # s attribute → number format

    def start_row(self, r: str | None) -> None:
        self.row = int(r) if r else self.row + 1
        self.col = 0

    def start_cell(self, ref: str | None) -> None:
        if ref:
            row, col = _REF_CACHE.get(ref) or _position(ref)
        else:
            row, col = self.row, self.col + 1
        self.row, self.col = row, col
        count = self.count = self.count + 1
        if row > self.max_row or col > self.max_col or count > self.max_cells or row < 1:
            self.refuse(row, col, count)

    def refuse(self, row: int, col: int, count: int) -> NoReturn:
        if row > self.max_row or col > self.max_col or count > self.max_cells:
            raise UnreadableWorkbook("sheet-too-large", sheet=self.sheet_name, cell=f"{column_letters(col)}{row}")
        raise ValueError("cell outside a row")

    def formula(self, text: str, attrs: Mapping[str, str]) -> str:
        return _formula(text, attrs, self.row, self.col, self.shared)

    def end_cell(self, t: str | None, s: str | None, v: str | None, formula: str | None,
                 inline: list[str] | None) -> None:
        if v is None and formula is None and inline is None:
            return  # formatting only
        cell = _cell(t, v, formula, inline, self.format_of.get(s) or self.number_format(s), self.strings)
        if cell is not None:
            self.cells[self.row, self.col] = cell

    def number_format(self, s: str) -> str:
        i = int(s)
        found = self.format_of[s] = self.formats[i] if 0 <= i < len(self.formats) else "General"
        return found

    def read_plain(self, region: str) -> bool:
        """Read <sheetData> content made only of _SHEET_TOKEN's tokens; False if it is not.

        What `start_row`, `start_cell`, `formula` and `end_cell` do for expat, done in one
        loop with the position in local variables: this runs for every cell of every file.
        """
        cells, strings, shared, format_of, refs = self.cells, self.strings, self.shared, self.format_of, _REF_CACHE
        max_row, max_col, max_cells = self.max_row, self.max_col, self.max_cells
        known = _KNOWN_ATTRIBUTES if len(_KNOWN_ATTRIBUTES) < 4096 else {}
        row = col = count = depth = 0
        m = None
        for m in iter(_SHEET_TOKEN.scanner(region).match, None):
            cell_tag, ref, s, t, f_attrs, f_text, v, row_ref, row_attrs, row_closed = m.groups()
            if cell_tag:
                if ref:
                    row, col = refs.get(ref) or _position(ref)
                else:
                    col += 1
                count += 1
                if row > max_row or col > max_col or count > max_cells or row < 1:
                    self.refuse(row, col, count)
                if v is None and f_attrs is None:
                    continue  # formatting only
                formula = None
                if f_attrs is not None:
                    attrs = _attributes(f_attrs, known)
                    if attrs is None:
                        return False
                    formula = _formula(_xml_text(f_text or ""), attrs, row, col, shared)
                number_format = format_of.get(s) or self.number_format(s)
                if t == "s" and formula is None and v and v.isascii() and v.isdigit():
                    # a shared string, what most cells of an appendix are: _cell's first case, inline
                    cells[row, col] = _text_cell(strings[int(v)], "s", None, number_format)
                    continue
                if v is not None and "&" in v:
                    v = _xml_text(v)
                cell = _cell(t, v, formula, None, number_format, strings)
                if cell is not None:
                    cells[row, col] = cell
            elif row_attrs is not None:
                # r is read from its own group: one among the others would be out of order or twice.
                if row_attrs and (' r="' in row_attrs or _attributes(row_attrs, known) is None):
                    return False
                row = int(row_ref) if row_ref else row + 1
                col = 0
                if not row_closed:
                    depth += 1
            else:
                depth -= 1
                if depth < 0:
                    return False
        return (m.end() if m else 0) == len(region) and depth == 0


def _sheet_parser(sheet: _SheetCells):
    """An expat parser that reads any sheet's <sheetData> into `sheet`."""
    names = _local_names()
    start_cell, start_row, end_cell, formula_of = sheet.start_cell, sheet.start_row, sheet.end_cell, sheet.formula
    # The open cell's attributes and contents, and the text being collected.
    in_inline = phonetic = False
    t = s = v = formula = f_attrs = None
    inline: list[str] | None = None
    buf: list[str] | None = None

    # Outside <sheetData> (columns, validations, merges) only a start handler runs, looking
    # for it: a call into Python per element is most of what parsing a sheet costs.
    def outside(name, attrs):
        if names[name] == "sheetData":
            parser.StartElementHandler, parser.EndElementHandler = start, end

    def start(name, attrs):
        nonlocal in_inline, phonetic, t, s, v, formula, f_attrs, inline, buf
        local = names[name]
        if local == "c":
            start_cell(attrs.get("r"))
            t, s = attrs.get("t"), attrs.get("s")
            v = formula = inline = None
        elif local == "v":
            buf = []
        elif local == "row":
            start_row(attrs.get("r"))
        elif local == "f":
            buf, f_attrs = [], attrs
        elif local == "is":
            in_inline, inline = True, []
        elif local == "t":
            if in_inline and not phonetic:
                buf = []
        elif local == "rPh":
            phonetic = True

    def end(name):
        nonlocal in_inline, phonetic, v, formula, buf
        local = names[name]
        if local == "c":
            end_cell(t, s, v, formula, inline)
        elif local == "v":
            v, buf = "".join(buf), None
        elif local == "f":
            formula = formula_of("".join(buf), f_attrs)
            buf = None
        elif local == "t":
            if buf is not None and inline is not None:
                inline.append("".join(buf))
            buf = None
        elif local == "is":
            in_inline = False
        elif local == "rPh":
            phonetic = False
        elif local == "sheetData":
            parser.StartElementHandler, parser.EndElementHandler = outside, None

    def text(data):
        if buf is not None:
            buf.append(data)

    parser = _parser(outside, None, text)
    return parser


# ---------------------------------------------------------------------------------------
# Plain parts, read without a call into Python per XML element
#
# Expat calls a Python handler for every element, and those calls are most of what reading
# a sheet costs. Excel, LibreOffice, openpyxl and xlsxwriter write cells and shared strings
# in a few fixed shapes, which regular expressions read in one pass; expat, with the same
# refusals, still parses everything around them, so the whole part is checked. The
# expressions admit only well-formed markup that expat would pass on unchanged: one space
# between attributes, double quotes, the five predefined entities and no other reference,
# no tab, line break or carriage return that expat would normalise, no character XML
# forbids. A part with anything else (a comment, CDATA, inline strings, other attributes
# or encodings, a second <sheetData>) or that is not well-formed is streamed through expat
# instead, from the start, so that what it gives, or the error it raises, is streaming's.
# A cell's own error (a limit, a bad reference, a missing shared string) is raised as it
# is met, as streaming would: all before it has been checked already.

_PROLOG = re.compile(  # one that leaves the bytes UTF-8 for expat
    rb'(?:\xef\xbb\xbf)?(?:<\?xml version="1\.0"(?: encoding="[Uu][Tt][Ff]-8")?(?: standalone="(?:yes|no)")?\?>)?')
_VALUE = r'"([^"<&\x00-\x1f\ufffe\uffff]*)"'
_ATTRS = r'((?: [A-Za-z_:][A-Za-z0-9_.:-]*="[^"<&\x00-\x1f\ufffe\uffff]*")*)'
_ATTR = re.compile(r' ([^=]+)="([^"]*)"')
_CHARS = r'[^<&\x00-\x08\x0b-\x1f\ufffe\uffff]*'
_TEXT = f"({_CHARS}(?:&(?:lt|gt|amp|quot|apos);{_CHARS})*)"
_SHEET_TOKEN = re.compile(
    f"(<c)(?: r={_VALUE})?(?: s={_VALUE})?(?: t={_VALUE})?"
    f"(?:/>|>(?:<f{_ATTRS}(?:/>|>{_TEXT}</f>))?(?:<v>{_TEXT}</v>)?</c>)"
    f"|<row(?: r={_VALUE})?{_ATTRS}(/?)>"
    f"|</row>")
_SHARED_STRING = re.compile(f'<si><t(?: xml:space="preserve")?>{_TEXT}</t></si>')
_SST_START = re.compile(rb'<sst(?: [A-Za-z_:][A-Za-z0-9_.:-]*="[^"<]*")*>')
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))


def _xml_text(text: str) -> str:
    if "&" in text:
        for entity, char in _ENTITIES:
            text = text.replace(entity, char)
    return text


# Attribute strings of rows and formulas → what _attributes makes of them: the same few
# (spans="1:11", ht="33" customHeight="1") recur in every sheet of a round. Never mutated.
_KNOWN_ATTRIBUTES: dict[str, dict[str, str] | None] = {}


def _attributes(text: str, known: dict[str, dict[str, str] | None]) -> dict[str, str] | None:
    """The attributes matched by _ATTRS as a dict; None if a name repeats (expat refuses that)."""
    if text not in known:
        pairs = _ATTR.findall(text)
        attrs = dict(pairs)
        known[text] = attrs if len(attrs) == len(pairs) else None
    return known[text]


# The ends of parts that expat has accepted, each with the elements open where it starts.
# The files of a round share most of a sheet's markup after <sheetData> (validations,
# merged cells, page setup), and checking it again is a third of what a sheet costs. With
# no DTD and UTF-8 bytes nothing else about what comes before changes how expat reads it.
_WELL_FORMED_ENDS: set[tuple[tuple[str, ...], bytes]] = set()


def _plain_region(xml: bytes, start: int, end: int, element: str) -> tuple[str, Callable[[], bool]] | None:
    """The text of xml[start:end], the content of `element`, if the bytes are UTF-8 with no
    comment, CDATA, processing instruction or DTD before `start`, and expat accepts them up
    to `start`, where the start tag of `element` ends; else None.

    Also returns `finish`, to call once the text is read: it parses the part from `end` on,
    as if xml[start:end] were not there, and says whether all of it was well-formed.
    """
    head = xml[:start]
    if b"<!" in head or b"<?" in head[_PROLOG.match(head).end():]:
        return None
    try:
        region = xml[start:end].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "]]>" in region:
        return None
    open_elements: list[str] = []
    parser = _parser(lambda name, attrs: open_elements.append(name), lambda name: open_elements.pop())
    try:
        parser.Parse(head, False)
    except _ERRORS:
        return None
    if open_elements[-1:] != [element]:  # not where it should be, or expat still holds it back
        return None

    def finish() -> bool:
        rest = xml[end:]
        key = (tuple(open_elements), rest)
        if key in _WELL_FORMED_ENDS:
            return True
        parser.StartElementHandler = parser.EndElementHandler = None
        try:
            parser.Parse(rest, True)
        except _ERRORS:
            return False
        if len(_WELL_FORMED_ENDS) < 16:
            _WELL_FORMED_ENDS.add(key)
        return True

    return region, finish


def _read_plain_sheet_data(xml: bytes, sheet: _SheetCells) -> bool:
    """Read a sheet's <sheetData> into `sheet` if it is written plainly; False if not."""
    start, end = xml.find(b"<sheetData>") + len(b"<sheetData>"), xml.find(b"</sheetData>")
    if xml.count(b"sheetData") != 2 or not len(b"<sheetData>") <= start <= end:
        return False
    plain = _plain_region(xml, start, end, "sheetData")
    if plain is None:
        return False
    region, finish = plain
    return sheet.read_plain(region) and finish()


def _read_plain_shared_strings(xml: bytes) -> list[str] | None:
    """The shared strings if the part holds only plain <si><t>…</t></si> items; else None."""
    root = _SST_START.search(xml)
    end = xml.rfind(b"</sst>")
    if root is None or end < root.end() or xml[_PROLOG.match(xml).end():root.start()].strip():
        return None
    plain = _plain_region(xml, root.end(), end, "sst")
    if plain is None:
        return None
    region, finish = plain
    strings = []
    m = None
    for m in iter(_SHARED_STRING.scanner(region).match, None):
        text = m.group(1)
        strings.append(_unescape(_xml_text(text)) if "&" in text or "_x" in text else text)
    return strings if (m.end() if m else 0) == len(region) and finish() else None


def _cell(t, v, formula, inline, number_format, strings) -> Cell | None:
    """A cell from its type attribute, <v> text, formula and inline string parts; None if empty."""
    if t == "inlineStr":
        if inline is not None:
            return Cell(_unescape("".join(inline)), "s", formula, number_format)
        v = None
    # An empty <v/> of a shared string is an empty cell, as LibreOffice and openpyxl open it
    # (some writers leave one); an empty formula string result is an empty text.
    if v is None or (not v.strip() and t not in ("str", "inlineStr")):
        return _text_cell(None, "blank", formula, number_format) if formula is not None else None
    if t is None or t == "n":
        try:
            number = float(v)
        except ValueError:
            return Cell(v, "s", formula, number_format)
        if number - number != 0:  # inf or nan
            return Cell("#NUM!", "e", formula, number_format)
        return Cell(number, "n", formula, number_format)
    if t == "s":
        i = int(v)
        if i < 0:
            raise IndexError(i)
        return _text_cell(strings[i], "s", formula, number_format)
    if t == "b":
        return Cell(v.strip() in ("1", "true"), "b", formula, number_format)
    if t == "e":
        return Cell(v, "e", formula, number_format)
    # "str" (a formula's string result), "d" (an ISO date, kept as its text) or unknown
    return Cell(_unescape(v), "s", formula, number_format)


_TEXT_CELLS: dict[tuple[str | None, str, str | None, str], Cell] = {}


def _text_cell(value: str | None, kind: str, formula: str | None, number_format: str) -> Cell:
    """A text cell or an uncalculated formula, one object for each: labels, names, codes,
    targets and formulas recur in every file of a round, and making a Cell costs more than
    finding it. The first 4,096 made are kept: the labels and names every file shares come
    first; the rest (a unit's own name and code) would fill a worker's memory, 20,000 of
    them about 5 MB, for nothing."""
    key = (value, kind, formula, number_format)
    cell = _TEXT_CELLS.get(key)
    if cell is None:
        cell = Cell(value, kind, formula, number_format)
        if len(_TEXT_CELLS) < 4096 and len(value or "") + len(formula or "") <= 300:
            _TEXT_CELLS[key] = cell
    return cell


def _formula(text: str, attrs, row: int, col: int, shared) -> str:
    if attrs.get("t") != "shared":
        return text
    si = attrs.get("si") or ""
    here = f"{column_letters(col)}{row}"
    if text:
        shared[si] = (text, here)
        return text
    master = shared.get(si)
    if master is None:
        return ""
    return _translate(master[0], master[1], here)


@lru_cache(maxsize=1024)
def _translate(formula: str, origin: str, dest: str) -> str:
    """A shared formula's text at a follower cell, its relative references moved."""
    try:
        return Translator("=" + formula, origin=origin).translate_formula(dest)[1:]
    except Exception:  # openpyxl's tokenizer on odd text: the master's text is still informative
        return formula


def _utc(text: str) -> datetime | None:
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.astimezone(timezone.utc)
