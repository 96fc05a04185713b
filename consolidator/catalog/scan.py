"""Whether python-calamine may read a catalog package: a scan of its bytes, linear and bounded.

calamine (Rust, ten times faster than our reader) turns a sheet into a dense grid from its
first cell to its last, without limit: two cells far apart (A1 and XFD1048576, in a 2 KB
file) make it allocate 550 GB and abort the process, where our reader refuses "sheet too
large". So calamine reads a workbook only if every cell element in every part is written
the plain way Excel, LibreOffice, openpyxl and xlsxwriter write it, `<c r="B12" s="3" t="s">`,
position first, and at a position that bounds the grid: column A-Z and row < 100,000, or
column A-H and row < 1,000,000 (at most 8 million slots). Anything else goes to our own
reader, slower but bounded, which also says what is wrong: a cell far away, without its
position or with two, a prefixed element, UTF-16, a damaged member; and what the two
readers take differently: an ISO date cell (t="d", text to ours) and a DTD (refused by ours).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

_ODD_CELL = re.compile(  # possessive (*+): no backtracking, a third faster
    rb'<c(?! r="(?:[A-Z][1-9][0-9]{0,4}+|[A-H][1-9][0-9]{5})"(?: (?:s|t|cm|vm|ph)="[^"]*+")*+/?>)(?=[\s>/])')
_PREFIXED_CELL = re.compile(rb":c[\s>/]")
_NOT_PLAIN = (b't="d"', b"<!DOCTYPE")
_DECLARED_ENCODING = re.compile(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)""")
_ASCII_BASED = {b"utf-8", b"utf8", b"us-ascii", b"ascii", b"iso-8859-1", b"latin1", b"windows-1252"}
# count="…", uniqueCount="…" (and any other …ount="…", which can only send a workbook to our
# reader). Not led by [A-Za-z]*: tried at every letter of a run of letters, that scanned the
# rest of the run each time (a 32,767-letter cell took seconds); nor by [Cc]: a literal start
# is searched for seven times faster.
_COUNT = re.compile(rb'ount="([0-9]{1,20})"')
_SCAN_CHUNK = 4 << 20
_SCAN_OVERLAP = 256  # longer than a plain cell tag: a tag cut by a chunk's end is seen whole in the next

# calamine copies a shared string into every cell naming it, in Rust and again in Python:
# 100,000 cells naming one 32,767-letter string take 3.3 GB each time, from a 0.5 MB file
# (our reader shares one string among its cells). So calamine gets a workbook only if those copies
# stay within this (a 10,000-unit catalog's: 17 MiB).
CALAMINE_MAX_TEXT_COPIES = 256 << 20
_MAX_SHARED_ITEMS = 8_000_000  # as many as calamine's largest grid has cells
_SHARED_ITEM = re.compile(rb"<si[\s>/]")
_SHARED_REF_ATTR = b' t="s"'
_SHARED_REF = re.compile(rb' t="s"><v>([0-9]{1,10})</v>')  # a plain cell naming a shared string: its index


def cells_are_plain(data: bytes) -> bool:
    """Whether calamine may read this package (its members' sizes already checked): see above."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf, ThreadPoolExecutor(1) as inflater:
            shared = _SharedText()
            for info in zf.infolist():
                if not _member_is_plain(_inflated(zf, info, inflater), shared.member(info)):
                    return False
            return shared.copies_fit(lambda info: _inflated(zf, info, inflater))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, LookupError,
            NotImplementedError, RuntimeError, struct.error, OverflowError):
        return False  # damaged: our reader says how


def _member_is_plain(chunks: Iterator[bytes], items: _PartText) -> bool:
    """Whether one member's cells are all plain, its counts within its size; its shared items counted."""
    buf = b""
    size = counted = 0
    for chunk in chunks:
        if not buf and not _ascii_based(chunk):
            return False
        size += len(chunk)
        counted = max([counted, *map(int, _COUNT.findall(chunk))])
        buf = buf[-_SCAN_OVERLAP:] + chunk
        # a match within the last bytes of a chunk is judged again with the next
        end = len(buf) - _SCAN_OVERLAP if chunk else len(buf)
        if any(literal in buf for literal in _NOT_PLAIN):
            return False
        for pattern in (_ODD_CELL, _PREFIXED_CELL):
            if (found := pattern.search(buf)) is not None and found.start() < end:
                return False
        if not items.add(buf, len(chunk), size):
            return False
    # calamine reserves memory for the items a part says it counts (an <sst> of
    # four billion strings aborts the process): each takes bytes of the part.
    if counted > size:
        return False
    items.close(size)
    return True


class _SharedText:
    """The bytes calamine's copies of shared strings would take, bounded from above.

    While the parts are scanned: each part's items (<si>, as the shared strings part holds
    them; any part may be that one) and its cells naming one (t="s"). If every such cell
    naming the longest item fits, that is all; else the parts with such cells are read again
    for the item each names, and a cell that does not read plainly counts as the longest.
    """

    def __init__(self):
        self.parts: list[_PartText] = []

    def member(self, info) -> _PartText:
        self.parts.append(part := _PartText(info))
        return part

    def copies_fit(self, inflated) -> bool:
        sizes = np.zeros(0, dtype=np.int64)
        for part in self.parts:  # in effect one part; if several, each item at its largest
            if part.sizes is not None:
                longer = max(len(sizes), len(part.sizes))
                sizes = np.maximum(np.pad(sizes, (0, longer - len(sizes))),
                                   np.pad(part.sizes, (0, longer - len(part.sizes))))
        refs = sum(part.refs for part in self.parts)
        longest = int(sizes.max()) if len(sizes) else 0
        if refs * longest <= CALAMINE_MAX_TEXT_COPIES:
            return True
        named = matched = 0
        for part in self.parts:
            if part.refs:
                for chunk in inflated(part.info):
                    # a cell cut by a chunk's end is not matched, so counts as the longest
                    found = np.array(_SHARED_REF.findall(chunk)).astype(np.int64)
                    matched += len(found)
                    named += int(sizes[found[found < len(sizes)]].sum())
        return named + max(0, refs - matched) * longest <= CALAMINE_MAX_TEXT_COPIES


class _PartText:
    """One part's shared-string items (their sizes in bytes) and its cells naming one, as scanned."""

    def __init__(self, info):
        self.info = info
        self.starts = array("q")
        self.sizes = None
        self.refs = 0

    def add(self, buf: bytes, new: int, size: int) -> bool:
        """Count what `buf` holds in its `new` last bytes (`size`: the part's bytes so far); False: too many items."""
        offset = size - len(buf)  # of buf[0] in the part
        # a match starting within the bytes before the new ones was incomplete then: seen now
        self.refs += buf.count(_SHARED_REF_ATTR, max(0, len(buf) - new - len(_SHARED_REF_ATTR) + 1))
        begin = max(0, len(buf) - new - 3)
        self.starts.extend(offset + m.start() for m in _SHARED_ITEM.finditer(buf, begin))
        return len(self.starts) <= _MAX_SHARED_ITEMS

    def close(self, size: int) -> None:
        if self.starts:
            self.sizes = np.diff(np.append(np.frombuffer(self.starts, dtype=np.int64), size))
        self.starts = None


def _inflated(zf, info, inflater) -> Iterator[bytes]:
    """A member's bytes in chunks, then b"": each inflated (zlib, off the GIL) while the one before is scanned."""
    with zf.open(info) as member:
        pending = inflater.submit(member.read, _SCAN_CHUNK)
        try:
            while chunk := pending.result():
                pending = inflater.submit(member.read, _SCAN_CHUNK)
                yield chunk
            yield b""
        finally:
            pending.exception()  # the member is not closed under a read still running


def _ascii_based(head: bytes) -> bool:
    """Whether an XML part's markup is ASCII bytes (not UTF-16 and the like), by its start."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" in head[:4]:
        return False
    declared = _DECLARED_ENCODING.match(head[:512])
    return declared is None or declared.group(1).strip().lower() in _ASCII_BASED
