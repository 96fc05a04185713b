"""Build a corpus of broken and hostile returned files from one valid filled appendix.

Units email back what they have: a CSV, a web page saved as .xls, a password-protected
workbook, a half-downloaded attachment, and now and then something hostile. Each kind here
is derived from a real appendix (its cells, its zip members, its metadata), so it looks like
a real submission, and `EXPECTED` says the verdict validation must give it.

Everything is deterministic (fixed zip timestamps, seeded noise) except the two kinds
LibreOffice writes (legacy_xls, ods), which it stamps with the time; pass
`libreoffice=False` for the hand-built stand-ins. Nothing large is held in memory: the zip
bomb and the many-cells sheet are streamed into their zip members.

    python tests/corpus/build_corpus.py OUTDIR [--from FILLED.xlsx]

Without --from, the test round's appendix for unit D1 is generated and filled first.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import re
import shutil
import struct
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

if __package__ in (None, ""):  # run as a script: make `consolidator` and `tests` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from defusedxml import ElementTree

from consolidator import layout
from consolidator.xlsx import column_letters, read_workbook

MiB = 1024 * 1024

# kind → (status, issue code) that validate_files must give the file.
EXPECTED: dict[str, tuple[str, str | None]] = {
    "empty": ("unreadable", "file-empty"),
    "csv_renamed": ("unreadable", "file-not-workbook"),
    "html_renamed": ("unreadable", "file-not-workbook"),
    "text_renamed": ("unreadable", "file-not-workbook"),
    "pdf_renamed": ("unreadable", "file-not-workbook"),
    "encrypted": ("unreadable", "file-encrypted"),
    "legacy_xls": ("unreadable", "file-legacy-format"),
    "ods": ("unreadable", "file-legacy-format"),
    "truncated": ("unreadable", "file-corrupt"),
    "corrupt_member": ("unreadable", "file-corrupt"),
    "not_xml_sheet": ("unreadable", "file-corrupt"),
    "entity_bomb": ("unreadable", "file-corrupt"),
    "external_entity": ("unreadable", "file-corrupt"),
    "zip_bomb": ("unreadable", "file-too-large"),
    "huge_dimension": ("unreadable", "sheet-too-large"),
    "many_cells": ("unreadable", "sheet-too-large"),
    "lying_dimension": ("valid", None),
    "wrong_round": ("invalid", "wrong-round"),
    "xlsm": ("valid", None),
    "empty_shared_string": ("valid", None),
    "biff4_xls": ("unreadable", "file-legacy-format"),
    "relocated_workbook": ("valid", None),
    "pivot_cache_unloadable": ("valid", None),
    "styles_print": ("valid", None),
    "huge_styles": ("valid", None),
    "random_zip": ("unreadable", "file-not-workbook"),
}

# kind → what consolidator.xlsx.sniff must say the file is, by its bytes.
SNIFFED: dict[str, str] = {
    "empty": "empty", "csv_renamed": "text", "html_renamed": "html", "text_renamed": "text",
    "pdf_renamed": "pdf", "encrypted": "encrypted", "legacy_xls": "xls", "ods": "ods",
    "truncated": "xlsx", "corrupt_member": "xlsx", "not_xml_sheet": "xlsx", "entity_bomb": "xlsx",
    "external_entity": "xlsx", "zip_bomb": "xlsx", "huge_dimension": "xlsx", "many_cells": "xlsx",
    "lying_dimension": "xlsx", "wrong_round": "xlsx", "xlsm": "xlsx",
    "empty_shared_string": "xlsx", "biff4_xls": "xls", "relocated_workbook": "xlsx",
    "pivot_cache_unloadable": "xlsx", "styles_print": "xlsx", "huge_styles": "xlsx",
    "random_zip": "zip",
}

ZIP_BOMB_BYTES = 300 * MiB
MANY_CELLS_COLS = 100  # A..CV, the reader's column limit
MANY_CELLS_ROWS = 2_500  # 250,000 cells, over the 200,000 limit, all within rows ≤ 10,000
_MAIN_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_MACRO_CT = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"


# ---------------------------------------------------------------------------------------
# The valid appendix everything is derived from


@dataclass(frozen=True)
class Source:
    """A valid filled appendix taken apart: its zip members and its cells as text."""

    path: Path
    data: bytes
    infos: tuple[zipfile.ZipInfo, ...]
    members: Mapping[str, bytes]
    workbook_part: str
    appendix_part: str  # the first sheet's XML part
    meta_part: str  # the hidden metadata sheet's XML part
    round_ref: str  # the metadata cell holding round_id, e.g. "B1"
    round_id: str
    grid: tuple[tuple[str, ...], ...]  # the appendix sheet's cells as text, row by row

    @property
    def date_time(self) -> tuple[int, int, int, int, int, int]:
        return self.infos[0].date_time

    def info(self, name: str, like: zipfile.ZipInfo | None = None, stored: bool = False) -> zipfile.ZipInfo:
        """A fresh ZipInfo, with a fixed time so that the output is the same on every build."""
        info = zipfile.ZipInfo(name, like.date_time if like else self.date_time)
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        if like is not None:
            info.external_attr = like.external_attr
        return info

    def text_lines(self) -> list[str]:
        return [" | ".join(c for c in row if c) for row in self.grid if any(row)]


def load_source(valid_xlsx: Path) -> Source:
    """Take a valid appendix apart (it is our own generated file, parsed with defusedxml anyway)."""
    data = Path(valid_xlsx).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = tuple(zf.infolist())
        members = {i.filename: zf.read(i) for i in infos}
    workbook_part = next((_target("", r.get("Target", "")) for r in _rels(members, "_rels/.rels")
                          if r.get("Type", "").endswith("/officeDocument")), "xl/workbook.xml")
    base, _, leaf = workbook_part.rpartition("/")
    rels = {r.get("Id"): _target(base, r.get("Target", "")) for r in _rels(members, f"{base}/_rels/{leaf}.rels")}
    sheets = [(s.get("name"), rels[s.get(_R_ID)])
              for s in ElementTree.fromstring(members[workbook_part]).iter(f"{_MAIN_NS}sheet")]
    parts = dict(sheets)
    workbook = read_workbook(valid_xlsx)
    meta = workbook.sheet(layout.META_SHEET)
    if meta is None or layout.META_SHEET not in parts:
        raise ValueError(f"{valid_xlsx} has no {layout.META_SHEET} sheet: not a generated appendix")
    round_row = next(r for (r, c), cell in meta.cells.items() if c == 1 and cell.value == "round_id")
    appendix = workbook.sheets[0]
    rows = max((r for r, _ in appendix.cells), default=0)
    cols = max((c for _, c in appendix.cells), default=0)
    grid = tuple(tuple(_as_text(appendix.value(r, c)) for c in range(1, cols + 1)) for r in range(1, rows + 1))
    return Source(Path(valid_xlsx), data, infos, members, workbook_part, sheets[0][1], parts[layout.META_SHEET],
                  f"B{round_row}", str(meta.value(round_row, 2)), grid)


def _rels(members: Mapping[str, bytes], name: str) -> list:
    return list(ElementTree.fromstring(members[name]).iter(f"{_REL_NS}Relationship")) if name in members else []


def _target(base: str, target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else f"{base}/{target}" if base else target


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


# ---------------------------------------------------------------------------------------
# Writing helpers


def _noise(seed: str, n: int) -> bytes:
    """`n` bytes that look random and are the same on every build."""
    return hashlib.shake_256(seed.encode()).digest(n)


def rezip(src: Source, out: Path, replace: Mapping[str, bytes | Callable[[], Iterable[bytes]]] = {},
          add: Mapping[str, bytes] = {}) -> Path:
    """Copy the source's zip to `out`, some members replaced (bytes, or chunks streamed in) or added."""
    with zipfile.ZipFile(out, "w") as zf:
        for info in src.infos:
            new = replace.get(info.filename, src.members[info.filename])
            if callable(new):
                with zf.open(src.info(info.filename, info), "w") as fh:
                    for chunk in new():
                        fh.write(chunk)
            else:
                zf.writestr(src.info(info.filename, info), new)
        for name, data in add.items():
            zf.writestr(src.info(name), data)
    return out


def _sheet_xml(src: Source, part: str | None = None) -> str:
    return src.members[part or src.appendix_part].decode("utf-8")


def _set_dimension(xml: str, ref: str) -> str:
    tag = f'<dimension ref="{ref}"/>'
    if re.search(r"<dimension\b[^>]*/>", xml):
        return re.sub(r"<dimension\b[^>]*/>", tag, xml, count=1)
    m = re.search(r"<(sheetViews|sheetFormatPr|cols|sheetData)\b", xml)
    return xml[: m.start()] + tag + xml[m.start():]


def _split_rows(xml: str) -> tuple[str, str, int]:
    """The sheet XML before and from `</sheetData>`, and the last row number in it."""
    end = xml.index("</sheetData>")
    last = max((int(r) for r in re.findall(r'<row\b[^>]*\br="(\d+)"', xml[:end])), default=0)
    return xml[:end], xml[end:], last


def _with_doctype(xml: str, doctype: str) -> str:
    """Put a DOCTYPE where XML allows it: after the declaration, before the root element."""
    m = re.match(r"\s*<\?xml[^>]*\?>\s*", xml)
    at = m.end() if m else 0
    return xml[:at] + doctype + xml[at:]


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).encode("ascii", "replace").decode()


# ---------------------------------------------------------------------------------------
# A compound file (OLE2 / MS-CFB), as Excel 97-2003 and Office encryption use


_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_SECTOR, _MINI, _CUTOFF = 512, 64, 4096


def cfb(streams: Mapping[str, bytes]) -> bytes:
    """A version-3 compound file (512-byte sectors) holding `streams` in its root storage.

    Streams under 4096 bytes live in the mini stream, as the format requires. Sector order:
    big streams, mini stream, mini FAT, directory, FAT. Fewer than 109 FAT sectors (a file
    under ~7 MB), so no DIFAT sectors.
    """
    names = sorted(streams, key=lambda n: (len(n), n.upper()))  # the directory's sort order
    fat: list[int] = []

    def allocate(n_sectors: int) -> int:
        """The first of `n_sectors` new sectors chained in the FAT (ENDOFCHAIN for none)."""
        if not n_sectors:
            return _END
        start = len(fat)
        fat.extend(range(start + 1, start + n_sectors))
        fat.append(_END)
        return start

    def pad(data: bytes, unit: int) -> bytes:
        return data + bytes(-len(data) % unit)

    body: list[bytes] = []
    start: dict[str, int] = {}
    for name in names:
        if len(streams[name]) >= _CUTOFF:
            start[name] = allocate(-(-len(streams[name]) // _SECTOR))
            body.append(pad(streams[name], _SECTOR))
    mini, minifat = b"", []
    for name in names:
        data = streams[name]
        if len(data) < _CUTOFF:
            n = -(-len(data) // _MINI)
            start[name] = len(minifat) if n else _END
            minifat.extend(range(len(minifat) + 1, len(minifat) + n))
            if n:
                minifat.append(_END)
            mini += pad(data, _MINI)
    mini_start = allocate(-(-len(mini) // _SECTOR))
    body.append(pad(mini, _SECTOR))
    # Unused mini FAT entries are free sectors, not zeros (zero would chain to sector 0).
    minifat += [_FREE] * (-len(minifat) % (_SECTOR // 4))
    minifat_sectors = len(minifat) // (_SECTOR // 4)
    minifat_start = allocate(minifat_sectors)
    body.append(struct.pack(f"<{len(minifat)}I", *minifat))

    tree = _red_black(list(range(1, len(names) + 1)))
    entries = [_dir_entry("Root Entry", 5, 1, _NOSTREAM, _NOSTREAM, tree["root"], mini_start, len(mini))]
    for i, name in enumerate(names, start=1):
        left, right, red = tree[i]
        entries.append(_dir_entry(name, 2, 0 if red else 1, left, right, _NOSTREAM, start[name], len(streams[name])))
    while len(entries) % 4:
        entries.append(_dir_entry("", 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM, 0, 0))
    directory = b"".join(entries)
    dir_start = allocate(len(directory) // _SECTOR)
    body.append(directory)

    n_fat = 1
    while (len(fat) + n_fat) > n_fat * (_SECTOR // 4):
        n_fat += 1
    fat_start = len(fat)
    fat.extend([_FATSECT] * n_fat)
    fat.extend([_FREE] * (n_fat * (_SECTOR // 4) - len(fat)))
    if n_fat > 109:
        raise ValueError("compound file too large for a header-only DIFAT")
    difat = list(range(fat_start, fat_start + n_fat)) + [_FREE] * (109 - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", bytes(16), 0x3E, 3, 0xFFFE, 9, 6, bytes(6),
        0, n_fat, dir_start, 0, _CUTOFF, minifat_start, minifat_sectors,
        _END, 0, *difat,
    )
    return header + b"".join(body) + struct.pack(f"<{len(fat)}I", *fat)


def _dir_entry(name: str, kind: int, color: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
    encoded = name.encode("utf-16-le")
    if len(encoded) > 62:
        raise ValueError(f"compound file name too long: {name}")
    name_field = encoded + b"\x00\x00" if name else b""
    return struct.pack("<64sHBBIII16sIQQIQ", name_field, len(name_field), kind, color, left, right, child,
                       bytes(16), 0, 0, 0, start, size)


def _red_black(ids: list[int]) -> dict:
    """A balanced search tree over sorted entry ids: id → (left, right, red), and "root".

    Split at the middle; the nodes of the deepest level are red when it is not the root,
    which keeps the black height equal on every path.
    """
    out: dict = {}
    depth: dict[int, int] = {}

    def build(lo: int, hi: int, level: int) -> int:
        if lo >= hi:
            return _NOSTREAM
        mid = (lo + hi) // 2
        left, right = build(lo, mid, level + 1), build(mid + 1, hi, level + 1)
        out[ids[mid]], depth[ids[mid]] = (left, right), level
        return ids[mid]

    out["root"] = build(0, len(ids), 0)
    deepest = max(depth.values(), default=0)
    for i, level in depth.items():
        out[i] = (*out[i], level == deepest and deepest > 0)
    return out


# ---------------------------------------------------------------------------------------
# The kinds


def empty(src: Source, out: Path) -> Path:
    """A mail client or a full disk left a 0-byte attachment → unreadable, file-empty."""
    out.write_bytes(b"")
    return out


def csv_renamed(src: Source, out: Path) -> Path:
    """The table was exported as CSV and the file renamed to .xlsx → unreadable, file-not-workbook."""
    buf = io.StringIO()
    csv.writer(buf).writerows(src.grid)
    out.write_bytes(buf.getvalue().encode("utf-8-sig"))
    return out


def html_renamed(src: Source, out: Path) -> Path:
    """A web reporting system's "Excel export": an HTML table saved as .xls → unreadable, file-not-workbook."""
    rows = "\n".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in src.grid)
    page = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel"'
        ' xmlns="http://www.w3.org/TR/REC-html40">\n<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        f"<title>{escape(src.path.stem)}</title></head>\n<body><table border=\"1\">\n{rows}\n</table></body></html>\n"
    )
    out.write_bytes(page.encode("utf-8"))
    return out


def text_renamed(src: Source, out: Path) -> Path:
    """A unit pasted the figures into a text note and gave it the appendix's name → unreadable, file-not-workbook."""
    lines = ["Kính gửi Ban Tổ chức,", "Đơn vị xin gửi số liệu phụ lục như sau:", "", *src.text_lines(), "", "Trân trọng."]
    out.write_bytes("\n".join(lines).encode("utf-8"))
    return out


def pdf_renamed(src: Source, out: Path) -> Path:
    """The appendix was printed to PDF (to sign and stamp) and sent under the .xlsx name → unreadable, file-not-workbook."""
    lines = [_ascii(line)[:100].replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in src.text_lines()[:50]]
    content = ("BT /F1 9 Tf 12 TL 36 806 Td " + " ".join(f"({line}) '" for line in lines) + " ET").encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    pdf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    out.write_bytes(bytes(pdf))
    return out


def encrypted(src: Source, out: Path) -> Path:
    """The unit set a password to open the file (Excel then wraps it in an OLE2 container) → unreadable, file-encrypted."""

    def salt(tag: str, n: int = 16) -> str:
        return base64.b64encode(_noise(f"{src.path.name}:{tag}", n)).decode()

    cipher = 'saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512"'
    descriptor = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        '<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption"'
        ' xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password"'
        ' xmlns:c="http://schemas.microsoft.com/office/2006/keyEncryptor/certificate">'
        f'<keyData {cipher} saltValue="{salt("key")}"/>'
        f'<dataIntegrity encryptedHmacKey="{salt("hmackey", 64)}" encryptedHmacValue="{salt("hmacvalue", 64)}"/>'
        '<keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
        f'<p:encryptedKey spinCount="100000" {cipher} saltValue="{salt("pw")}"'
        f' encryptedVerifierHashInput="{salt("vin")}" encryptedVerifierHashValue="{salt("vhash", 64)}"'
        f' encryptedKeyValue="{salt("kv", 32)}"/></keyEncryptor></keyEncryptors></encryption>'
    )
    info = struct.pack("<HHI", 4, 4, 0x40) + descriptor.encode("utf-8")  # agile encryption, version 4.4
    # The package XORed with a seeded key stream stands in for AES: the right size, unreadable bytes.
    plain = src.data + bytes(-len(src.data) % 16)
    package = struct.pack("<Q", len(src.data)) + bytes(a ^ b for a, b in zip(plain, _noise(f"{src.path.name}:pkg", len(plain))))
    out.write_bytes(cfb({"EncryptionInfo": info, "EncryptedPackage": package}))
    return out


def legacy_xls_by_hand(src: Source, out: Path) -> Path:
    """Stand-in for legacy_xls without LibreOffice: an OLE2 file whose Workbook stream is an empty BIFF8 book."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x0206)
    eof = struct.pack("<HH", 0x000A, 0)
    workbook = bof + eof
    out.write_bytes(cfb({"Workbook": workbook + bytes(_CUTOFF - len(workbook))}))  # Excel pads it to 4096
    return out


def ods_by_hand(src: Source, out: Path) -> Path:
    """Stand-in for ods without LibreOffice: the appendix's cells in a minimal OpenDocument spreadsheet."""
    rows = "".join(
        "<table:table-row>" + "".join(f"<table:table-cell office:value-type=\"string\"><text:p>{escape(c)}</text:p></table:table-cell>"
                                      for c in row) + "</table:table-row>"
        for row in src.grid
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet><table:table table:name={quoteattr(layout.sheet_names('vi')[0])}>{rows}"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{_ODS_MIME}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(src.info("mimetype", stored=True), _ODS_MIME)  # first and stored, as ODF requires
        zf.writestr(src.info("content.xml"), content)
        zf.writestr(src.info("META-INF/manifest.xml"), manifest)
    return out


def _libreoffice(src: Source, out: Path, fmt: str) -> Path:
    from tests.office import libreoffice_resave

    with tempfile.TemporaryDirectory() as tmp:
        shutil.move(libreoffice_resave(src.path, Path(tmp), fmt), out)
    return out


def legacy_xls(src: Source, out: Path) -> Path:
    """A unit with an old Excel, or "Save as Excel 97-2003", sent a .xls (LibreOffice, ~1.5 s) → unreadable, file-legacy-format."""
    return _libreoffice(src, out, "xls")


def ods(src: Source, out: Path) -> Path:
    """A unit using LibreOffice kept its own format, .ods (LibreOffice, ~1.5 s) → unreadable, file-legacy-format."""
    return _libreoffice(src, out, "ods")


def truncated(src: Source, out: Path) -> Path:
    """A download or mail transfer broke off: the first 60% of the bytes → unreadable, file-corrupt."""
    out.write_bytes(src.data[: len(src.data) * 6 // 10])
    return out


def corrupt_member(src: Source, out: Path) -> Path:
    """A disk or transfer error scrambled the sheet inside an intact zip → unreadable, file-corrupt."""
    size = len(src.members[src.appendix_part])
    return rezip(src, out, {src.appendix_part: _noise(f"{src.path.name}:garbage", size)})


def not_xml_sheet(src: Source, out: Path) -> Path:
    """A home-made tool wrote the sheet part as CSV text instead of XML → unreadable, file-corrupt."""
    buf = io.StringIO()
    csv.writer(buf).writerows(src.grid)
    return rezip(src, out, {src.appendix_part: buf.getvalue().encode("utf-8")})


def entity_bomb(src: Source, out: Path) -> Path:
    """Hostile: a billion-laughs DOCTYPE in xl/sharedStrings.xml (10^9 "lol"s if expanded) → unreadable, file-corrupt."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    doctype = f"<!DOCTYPE sst [{entities}]>"
    base = src.workbook_part.rpartition("/")[0]
    part = f"{base}/sharedStrings.xml"
    bomb = '<si><t>&lol9;</t></si>'
    if part in src.members:
        xml = _with_doctype(src.members[part].decode("utf-8"), doctype).replace("</sst>", bomb + "</sst>")
        return rezip(src, out, {part: xml.encode("utf-8")})
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + doctype +
           f'<sst xmlns="{_MAIN_NS[1:-1]}" count="1" uniqueCount="1">{bomb}</sst>')
    rels_part = f"{base}/_rels/{src.workbook_part.rpartition('/')[2]}.rels"
    rels = src.members[rels_part].decode("utf-8").replace(
        "</Relationships>",
        '<Relationship Id="rIdSst1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"'
        ' Target="sharedStrings.xml"/></Relationships>')
    types = src.members["[Content_Types].xml"].decode("utf-8").replace(
        "</Types>",
        f'<Override PartName="/{part}" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    return rezip(src, out, {rels_part: rels.encode("utf-8"), "[Content_Types].xml": types.encode("utf-8")},
                 add={part: sst.encode("utf-8")})


def external_entity(src: Source, out: Path) -> Path:
    """Hostile: the sheet declares an entity SYSTEM "file:///etc/passwd" and uses it in a cell → unreadable, file-corrupt."""
    head, tail, last = _split_rows(_sheet_xml(src))
    row = f'<row r="{last + 1}"><c r="B{last + 1}" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
    xml = _with_doctype(head + row + tail, '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
    return rezip(src, out, {src.appendix_part: xml.encode("utf-8")})


def zip_bomb(src: Source, out: Path) -> Path:
    """Hostile: the sheet part is 300 MiB of zeros, deflated to about 300 KB (about a second to build) → unreadable, file-too-large."""
    def zeros() -> Iterator[bytes]:
        chunk = bytes(MiB)
        for _ in range(ZIP_BOMB_BYTES // MiB):
            yield chunk

    return rezip(src, out, {src.appendix_part: zeros})


def huge_dimension(src: Source, out: Path) -> Path:
    """A unit typed into the sheet's very last cell, XFD1048576 (Ctrl+End, Ctrl+↓) → unreadable, sheet-too-large."""
    head, tail, _ = _split_rows(_set_dimension(_sheet_xml(src), "A1:XFD1048576"))
    xml = head + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' + tail
    return rezip(src, out, {src.appendix_part: xml.encode("utf-8")})


def many_cells(src: Source, out: Path) -> Path:
    """A unit formatted whole columns, leaving 250,000 styled empty cells (A..CV × 2,500 rows) → unreadable, sheet-too-large."""
    head, tail, last = _split_rows(_sheet_xml(src))
    letters = [column_letters(c) for c in range(1, MANY_CELLS_COLS + 1)]

    def chunks() -> Iterator[bytes]:
        yield head.encode("utf-8")
        for r in range(last + 1, last + 1 + MANY_CELLS_ROWS):
            yield (f'<row r="{r}">' + "".join(f'<c r="{col}{r}" s="0"/>' for col in letters) + "</row>").encode("ascii")
        yield tail.encode("utf-8")

    return rezip(src, out, {src.appendix_part: chunks})


def lying_dimension(src: Source, out: Path) -> Path:
    """A program wrote a stale <dimension ref="A1:B2"> on a full sheet; the reader must not trust it → valid."""
    return rezip(src, out, {src.appendix_part: _set_dimension(_sheet_xml(src), "A1:B2").encode("utf-8")})


def wrong_round(src: Source, out: Path) -> Path:
    """A unit sent last round's file: the metadata names the previous round → invalid, wrong-round."""
    m = re.fullmatch(r"(.*?)(\d+)", src.round_id)
    previous = f"{m.group(1)}{int(m.group(2)) - 1:0{len(m.group(2))}d}" if m else f"{src.round_id}-CU"
    cell = f'<c r="{src.round_ref}" t="inlineStr"><is><t>{escape(previous)}</t></is></c>'
    xml, n = re.subn(rf'<c\b[^>]*\br="{src.round_ref}"[^>]*?(?:/>|>.*?</c>)', cell, _sheet_xml(src, src.meta_part),
                     count=1, flags=re.DOTALL)
    if n != 1:
        raise ValueError(f"cell {src.round_ref} not found in {src.meta_part}")
    return rezip(src, out, {src.meta_part: xml.encode("utf-8")})


def xlsm(src: Source, out: Path) -> Path:
    """A unit chose "Excel Macro-Enabled Workbook" when saving: .xlsm, macro-enabled content type → valid."""
    types = src.members["[Content_Types].xml"].decode("utf-8")
    if _MAIN_CT not in types:
        raise ValueError("the workbook's content type was not found")
    return rezip(src, out, {"[Content_Types].xml": types.replace(_MAIN_CT, _MACRO_CT).encode("utf-8")})


# Files the reader takes but that made the steps around it fail (issue 11): each one came
# from other projects' test suites, where Excel, LibreOffice and other writers made them.

HUGE_STYLES_BYTES = 47 * MiB  # within the 50 MiB cap on one member
_OFFICE_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PIVOT_CACHE_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheDefinition+xml"
_SST_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _with_workbook_part(src: Source, part: str, xml: str, rel_id: str, rel_type: str,
                        content_type: str) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The members to replace and to add so that the workbook has one more part of its own."""
    base, _, leaf = src.workbook_part.rpartition("/")
    rels_part = f"{base}/_rels/{leaf}.rels"
    target = part[len(base) + 1:] if part.startswith(f"{base}/") else f"/{part}"
    rels = src.members[rels_part].decode("utf-8").replace(
        "</Relationships>", f'<Relationship Id="{rel_id}" Type="{_OFFICE_REL_NS}/{rel_type}" Target="{target}"/></Relationships>')
    types = src.members["[Content_Types].xml"].decode("utf-8").replace(
        "</Types>", f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>')
    return {rels_part: rels.encode("utf-8"), "[Content_Types].xml": types.encode("utf-8")}, {part: xml.encode("utf-8")}


def _styles_part(src: Source) -> str:
    base = src.workbook_part.rpartition("/")[0]
    return f"{base}/styles.xml"


def empty_shared_string(src: Source, out: Path) -> Path:
    """A writer left empty shared-string cells, <c t="s"><v/></c>, in the note and estimate
    columns (LibreOffice and openpyxl open them as empty cells) → valid."""
    xml = _sheet_xml(src)
    note, estimate = (column_letters(layout.COLUMNS.index(key) + 1) for key in ("note", "estimate"))
    # openpyxl writes an empty cell as <c …/> with the standard library's XML writer and as
    # <c …></c> with lxml's (installed beside python-docx): either is the cell to empty
    empty = re.compile(rf'<c r="((?:{note}|{estimate})\d+)" s="(\d+)"(?: t="n")?(?: ?/>|></c>)')
    xml, n = empty.subn(lambda m: f'<c r="{m.group(1)}" s="{m.group(2)}" t="s">'
                                  + ("<v/>" if m.group(1).startswith(note) else "<v></v>") + "</c>", xml)
    if not n:
        raise ValueError("no empty note or estimate cell found")
    # the unit's name as the one real shared string, as such a writer keeps its text
    unit_cell = re.compile(r'<c r="A2"( s="\d+")? t="inlineStr"><is><t>([^<]*)</t></is></c>')
    m = unit_cell.search(xml)
    name = m.group(2) if m else ""
    if m:
        xml = xml[:m.start()] + f'<c r="A2"{m.group(1) or ""} t="s"><v>0</v></c>' + xml[m.end():]
    sst = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_MAIN_NS[1:-1]}" count="1"'
           f' uniqueCount="1"><si><t>{name}</t></si></sst>')
    base = src.workbook_part.rpartition("/")[0]
    replace, add = _with_workbook_part(src, f"{base}/sharedStrings.xml", sst, "rIdSst1", "sharedStrings", _SST_CT)
    return rezip(src, out, {**replace, src.appendix_part: xml.encode("utf-8")}, add=add)


def biff4_xls(src: Source, out: Path) -> Path:
    """An Excel 4.0 worksheet (BIFF4, the records alone, no OLE container), as very old
    Excel and some accounting programs still save → unreadable, file-legacy-format."""
    records = [struct.pack("<HHHH", 0x0409, 6, 0x0000, 0x0010) + b"\x00\x00"]  # BOF: BIFF4, a worksheet
    for r, row in enumerate(src.grid):
        for c, text in enumerate(row):
            if not text:
                continue
            try:
                number = float(text)
            except ValueError:
                data = _ascii(text).encode("latin-1")[:255]
                records.append(struct.pack("<HHHHHH", 0x0204, 8 + len(data), r, c, 0, len(data)) + data)  # LABEL
            else:
                records.append(struct.pack("<HHHHHd", 0x0203, 14, r, c, 0, number))  # NUMBER
    records.append(struct.pack("<HH", 0x000A, 0))  # EOF
    out.write_bytes(b"".join(records))
    return out


def relocated_workbook(src: Source, out: Path) -> Path:
    """A writer named the workbook part xl/spreadsheet.xml, found (as the standard says)
    through the officeDocument relationship of _rels/.rels → valid."""
    base, _, leaf = src.workbook_part.rpartition("/")
    new = f"{base}/spreadsheet.xml"
    rels_old, rels_new = f"{base}/_rels/{leaf}.rels", f"{base}/_rels/spreadsheet.xml.rels"
    package_rels = src.members["_rels/.rels"].decode("utf-8")
    types = src.members["[Content_Types].xml"].decode("utf-8")
    if f'"{src.workbook_part}"' not in package_rels and f'"/{src.workbook_part}"' not in package_rels:
        raise ValueError("the workbook part is not named in _rels/.rels")
    renamed = {"_rels/.rels": package_rels.replace(f'{src.workbook_part}"', f'{new}"').encode("utf-8"),
               "[Content_Types].xml": types.replace(f'"/{src.workbook_part}"', f'"/{new}"').encode("utf-8")}
    names = {src.workbook_part: new, rels_old: rels_new}
    with zipfile.ZipFile(out, "w") as zf:
        for info in src.infos:
            name = names.get(info.filename, info.filename)
            zf.writestr(src.info(name, info), renamed.get(info.filename, src.members[info.filename]))
    return out


def pivot_cache_unloadable(src: Source, out: Path) -> Path:
    """The workbook lists a pivot cache whose records part was left out (a tool that strips
    a pivot table's saved data keeps the relationship): openpyxl raises KeyError on load,
    the cells are intact → valid."""
    base = src.workbook_part.rpartition("/")[0]
    part = f"{base}/pivotCache/pivotCacheDefinition1.xml"
    cache = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             f'<pivotCacheDefinition xmlns="{_MAIN_NS[1:-1]}" xmlns:r="{_OFFICE_REL_NS}" r:id="rId1"'
             ' refreshOnLoad="1" createdVersion="8" refreshedVersion="8" minRefreshableVersion="3" recordCount="7">'
             f'<cacheSource type="worksheet"><worksheetSource ref="B9:E16" sheet={quoteattr(layout.sheet_names("vi")[0])}/>'
             '</cacheSource><cacheFields count="1"><cacheField name="Chỉ tiêu chủ yếu" numFmtId="0"><sharedItems/>'
             '</cacheField></cacheFields></pivotCacheDefinition>')
    cache_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  f'<Relationships xmlns="{_REL_NS[1:-1]}"><Relationship Id="rId1"'
                  f' Type="{_OFFICE_REL_NS}/pivotCacheRecords" Target="pivotCacheRecords1.xml"/></Relationships>')
    workbook = src.members[src.workbook_part].decode("utf-8")
    listed = '<pivotCaches><pivotCache cacheId="3" r:id="rIdPc1"/></pivotCaches>'
    m = re.search(r"<(calcPr|oleSize|customWorkbookViews|smartTagPr|fileRecoveryPr|webPublishing|extLst)\b|</workbook>", workbook)
    workbook = workbook[:m.start()] + listed + workbook[m.start():]
    replace, add = _with_workbook_part(src, part, cache, "rIdPc1", "pivotCacheDefinition", _PIVOT_CACHE_CT)
    add[f"{base}/pivotCache/_rels/pivotCacheDefinition1.xml.rels"] = cache_rels.encode("utf-8")
    return rezip(src, out, {**replace, src.workbook_part: workbook.encode("utf-8")}, add=add)


def styles_print(src: Source, out: Path) -> Path:
    """The styles part has no cell style records (<cellStyleXfs count="0"/>) while its Normal
    style names record 0: openpyxl prints "0 is out of range" on stdout and raises
    IndexError; the cells are intact → valid."""
    part = _styles_part(src)
    xml, n = re.subn(r"<cellStyleXfs\b.*?</cellStyleXfs>|<cellStyleXfs\b[^>]*/>", '<cellStyleXfs count="0"/>',
                     src.members[part].decode("utf-8"), count=1, flags=re.DOTALL)
    if n != 1 or 'xfId="0"' not in xml:
        raise ValueError("no cellStyleXfs, or no style naming record 0")
    return rezip(src, out, {part: xml.encode("utf-8")})


def huge_styles(src: Source, out: Path) -> Path:
    """A styles part of 47 MiB (a program that adds a font and a cell format for every cell it
    ever formatted), within every cap; the file's own formats come first, so its cells read
    as before → valid. openpyxl takes a minute and most of a gigabyte to load it."""
    part = _styles_part(src)
    xml = src.members[part].decode("utf-8")
    fonts_end, xfs_end = xml.index("</fonts>"), xml.index("</cellXfs>")
    fonts = int(re.search(r'<fonts count="(\d+)"', xml).group(1))
    colours = [f"FF{n * 0x10101 * 3 % 0xFFFFFF:06X}" for n in range(64)]
    noise = _noise(f"{src.path.name}:styles", HUGE_STYLES_BYTES // 400)

    # Varied enough that the part deflates about 60:1, under the 200:1 cap: fonts in runs
    # of four alike, each cell format naming one of the first 256 of them.
    def font(n: int) -> str:
        b = noise[n // 4 % len(noise)]
        return (f'<font><name val="Times New Roman"/><family val="1"/>{"<b/>" if b & 1 else ""}'
                f'<sz val="{8 + (b >> 1) % 12}"/><color rgb="{colours[b * 7 % 64]}"/></font>')

    def xf(n: int) -> str:
        return f'<xf numFmtId="0" fontId="{fonts + n % 256}" fillId="0" borderId="0" xfId="0" applyFont="1"/>'

    budget = HUGE_STYLES_BYTES - len(xml)
    extra_fonts = budget * 7 // 10 // len(font(0))
    extra_xfs = (budget - extra_fonts * len(font(0))) // len(xf(0))

    def chunks() -> Iterator[bytes]:
        yield xml[:fonts_end].encode("utf-8")
        for start in range(0, extra_fonts, 10_000):
            yield "".join(font(n) for n in range(start, min(extra_fonts, start + 10_000))).encode("ascii")
        yield xml[fonts_end:xfs_end].encode("utf-8")
        for start in range(0, extra_xfs, 10_000):
            yield "".join(xf(n) for n in range(start, min(extra_xfs, start + 10_000))).encode("ascii")
        yield xml[xfs_end:].encode("utf-8")

    return rezip(src, out, {part: chunks})


def random_zip(src: Source, out: Path) -> Path:
    """A unit zipped up its notes (no workbook inside) and attached that → unreadable, file-not-workbook."""
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(src.info("bao-cao/ghi-chu.txt"), "Số liệu sẽ gửi bổ sung sau.\n".encode())
        zf.writestr(src.info("bao-cao/so-lieu.txt"), "\n".join(src.text_lines()).encode("utf-8"))
        zf.writestr(src.info("README.txt"), b"Nen bang 7-Zip.\n")
    return out


# kind → (file extension, builder). A builder writes one file from the source and returns its path.
KINDS: dict[str, tuple[str, Callable[[Source, Path], Path]]] = {
    "empty": (".xlsx", empty),
    "csv_renamed": (".xlsx", csv_renamed),
    "html_renamed": (".xls", html_renamed),
    "text_renamed": (".xlsx", text_renamed),
    "pdf_renamed": (".xlsx", pdf_renamed),
    "encrypted": (".xlsx", encrypted),
    "legacy_xls": (".xls", legacy_xls),
    "ods": (".ods", ods),
    "truncated": (".xlsx", truncated),
    "corrupt_member": (".xlsx", corrupt_member),
    "not_xml_sheet": (".xlsx", not_xml_sheet),
    "entity_bomb": (".xlsx", entity_bomb),
    "external_entity": (".xlsx", external_entity),
    "zip_bomb": (".xlsx", zip_bomb),
    "huge_dimension": (".xlsx", huge_dimension),
    "many_cells": (".xlsx", many_cells),
    "lying_dimension": (".xlsx", lying_dimension),
    "wrong_round": (".xlsx", wrong_round),
    "xlsm": (".xlsm", xlsm),
    "empty_shared_string": (".xlsx", empty_shared_string),
    "biff4_xls": (".xls", biff4_xls),
    "relocated_workbook": (".xlsx", relocated_workbook),
    "pivot_cache_unloadable": (".xlsx", pivot_cache_unloadable),
    "styles_print": (".xlsx", styles_print),
    "huge_styles": (".xlsx", huge_styles),
    "random_zip": (".xlsx", random_zip),
}
_BY_HAND = {"legacy_xls": legacy_xls_by_hand, "ods": ods_by_hand}
assert KINDS.keys() == EXPECTED.keys() == SNIFFED.keys()


def build_corpus(valid_xlsx: Path, outdir: Path, *, libreoffice: bool | None = None) -> dict[str, Path]:
    """Write one file per kind of bad input, derived from `valid_xlsx`, into `outdir`; kind → path.

    `libreoffice`: write legacy_xls and ods with LibreOffice (real files, but stamped with
    the time); False builds stand-ins by hand; None uses LibreOffice when it is installed.
    """
    if libreoffice is None:
        libreoffice = shutil.which("soffice") is not None or shutil.which("libreoffice") is not None
    src = load_source(Path(valid_xlsx))
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for kind, (ext, build) in KINDS.items():
        if not libreoffice:
            build = _BY_HAND.get(kind, build)
        out[kind] = build(src, outdir / f"{kind}{ext}")
    return out


# --- catalogs -------------------------------------------------------------------------

EXCEL_MAX_CELL_CHARS = 32_767  # the longest text an Excel cell holds


def catalog_with_long_cells(valid_catalog: Path, out: Path, letters: int = EXCEL_MAX_CELL_CHARS) -> Path:
    """A catalog with cells of `letters` letters: three notes, a unit's name, a round value.

    An office pastes a long report into a notes column the tool ignores, or a whole
    paragraph into a name; each is one run of letters, which is what a scan that
    backtracks over runs of letters takes time on.
    """
    import openpyxl

    run = "".join("abcdefghijklmnopqrstuvwxyz"[i % 26] for i in range(letters))
    wb = openpyxl.load_workbook(valid_catalog)
    for sheet in ("units", "indicators", "targets"):
        ws = wb[sheet]
        notes = ws.max_column + 1
        ws.cell(1, notes).value = "notes"
        ws.cell(2, notes).value = run
    wb["units"]["B3"] = run
    wb["round"]["C2"] = run  # beside round_id, in the column of descriptions
    wb.save(out)
    return out


def catalog_naming_one_long_string(valid_catalog: Path, out: Path, cells: int = 100_000,
                                   letters: int = EXCEL_MAX_CELL_CHARS) -> Path:
    """A catalog whose round sheet has `cells` description cells naming one long shared string.

    The file stores the text once and each cell names it by its index: a few bytes a cell in
    the zip, but `cells` × `letters` characters to a reader that copies the text into every
    cell (100,000 × 32,767: 3.3 GB). The rows have no key, so the catalog ignores them.
    `valid_catalog` is one written by consolidator (xlsxwriter: the round sheet is sheet1).
    """
    run = "".join("abcdefghijklmnopqrstuvwxyz"[i % 26] for i in range(letters)).encode()
    with zipfile.ZipFile(valid_catalog) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        strings = zin.read("xl/sharedStrings.xml")
        index = len(re.findall(rb"<si>", strings))
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/sharedStrings.xml":
                data = re.sub(rb'(?<=[Cc]ount=")\d+', lambda m: b"%d" % (int(m.group()) + 1), data)
                data = data.replace(b"</sst>", b"<si><t>" + run + b"</t></si></sst>")
            elif info.filename == "xl/worksheets/sheet1.xml":
                first = int(re.findall(rb'<row r="(\d+)"', data)[-1]) + 1
                rows = b"".join(b'<row r="%d"><c r="C%d" t="s"><v>%d</v></c></row>' % (r, r, index)
                                for r in range(first, first + cells))
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:C%d"/>' % (first + cells - 1), data)
                data = data.replace(b"</sheetData>", rows + b"</sheetData>")
            zout.writestr(info, data)
    return out


def _filled_example(folder: Path) -> Path:
    """The test round's appendix for unit D1, generated and filled as a unit would."""
    from consolidator.catalog import load_catalog
    from consolidator.generate import generate
    from tests.conftest import small_catalog, write_catalog
    from tests.filling import complete_results, fill

    catalog = load_catalog(write_catalog(small_catalog(), folder / "catalog.xlsx"))
    [made] = generate(catalog, folder / "blank", unit_codes=["D1"])
    return fill(made.path, folder / made.path.name, complete_results(catalog, "D1"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--from", dest="valid", type=Path, help="a valid filled appendix (default: generate one)")
    parser.add_argument("--no-libreoffice", action="store_true", help="hand-build legacy_xls and ods")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        valid = args.valid or _filled_example(Path(tmp))
        built = build_corpus(valid, args.outdir, libreoffice=False if args.no_libreoffice else None)
    for kind, path in built.items():
        status, code = EXPECTED[kind]
        print(f"{kind:16} {path.stat().st_size:>9,} B  {status:10} {code or ''}")


if __name__ == "__main__":
    main()
