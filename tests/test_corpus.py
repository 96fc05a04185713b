"""Every kind of broken or hostile returned file gets its own verdict, quickly, and never an exception."""

from __future__ import annotations

import shutil
import struct
import tempfile
import time
from pathlib import Path

import pytest

from consolidator.catalog import load_catalog
from consolidator.generate import generate
from consolidator.validate import validate_files
from consolidator.xlsx import read_workbook, sniff

from .conftest import small_catalog, write_catalog
from .corpus.build_corpus import EXPECTED, SNIFFED, build_corpus, cfb
from .filling import complete_results, fill

SECONDS_PER_KIND = 5.0


@pytest.fixture(scope="module")
def source():
    folder = Path(tempfile.mkdtemp())
    catalog = load_catalog(write_catalog(small_catalog(), folder / "catalog.xlsx"))
    [made] = generate(catalog, folder / "blank", unit_codes=["D1"])
    valid = fill(made.path, folder / "filled" / made.path.name, complete_results(catalog, "D1"))
    yield catalog, valid, folder
    shutil.rmtree(folder)


@pytest.fixture(scope="module")
def corpus(source):
    catalog, valid, folder = source
    return catalog, build_corpus(valid, folder / "corpus")


def verdict(catalog, path: Path):
    # in this process: a kind that made the reader raise would fail here, not pass as a crash
    # (tests/test_hostile_inbox.py runs the same kinds through the isolated workers)
    [s] = validate_files(catalog, [path]).submissions
    return s


def test_the_source_is_valid(source):
    catalog, valid, _ = source
    s = verdict(catalog, valid)
    assert (s.status, s.errors) == ("valid", 0)


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_each_kind_gets_its_verdict(corpus, kind):
    catalog, files = corpus
    start = time.monotonic()
    s = verdict(catalog, files[kind])
    elapsed = time.monotonic() - start
    status, code = EXPECTED[kind]
    codes = [i.code for i in s.issues]
    assert s.status == status, codes
    if code is None:
        assert s.errors == 0, codes
    elif status == "unreadable":
        assert codes == [code]
    else:
        assert code in codes
    assert elapsed < SECONDS_PER_KIND


@pytest.mark.parametrize("kind", list(SNIFFED))
def test_sniff_tells_the_kind_by_its_bytes(corpus, kind):
    _, files = corpus
    assert sniff(files[kind]) == SNIFFED[kind]


def test_each_file_is_small(corpus):
    _, files = corpus
    assert all(p.stat().st_size < 1024 * 1024 for p in files.values())


def test_the_entity_is_never_resolved(corpus):
    catalog, files = corpus
    s = verdict(catalog, files["external_entity"])
    for issue in s.issues:
        for lang in ("vi", "en"):
            assert "root:" not in str(issue.to_dict(lang))


def test_a_lying_dimension_still_reads_every_cell(source, corpus):
    _, valid, _ = source
    _, files = corpus
    assert read_workbook(files["lying_dimension"]).sheets[0].cells == read_workbook(valid).sheets[0].cells


def test_the_build_is_deterministic_and_works_without_libreoffice(source):
    catalog, valid, folder = source
    first = build_corpus(valid, folder / "again-1", libreoffice=False)
    second = build_corpus(valid, folder / "again-2", libreoffice=False)
    assert first.keys() == second.keys() == EXPECTED.keys()
    for kind in first:
        assert first[kind].name == second[kind].name
        assert first[kind].read_bytes() == second[kind].read_bytes(), kind
    # the hand-built stand-ins for LibreOffice's files get the same verdicts
    for kind in ("legacy_xls", "ods"):
        assert sniff(first[kind]) == SNIFFED[kind]
        s = verdict(catalog, first[kind])
        assert (s.status, [i.code for i in s.issues]) == (EXPECTED[kind][0], [EXPECTED[kind][1]])


# --- the hand-built compound file is a real one -------------------------------------------------


def read_cfb(data: bytes) -> dict[str, bytes]:
    """Streams of a compound file, read by the book (MS-CFB): FAT chains, mini stream, directory tree."""
    assert data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    major, byte_order, shift, mini_shift = struct.unpack_from("<HHHH", data, 26)
    assert (major, byte_order, shift, mini_shift) == (3, 0xFFFE, 9, 6)
    n_fat, dir_start, _, cutoff, minifat_start, _, difat_start = struct.unpack_from("<IIIIIII", data, 44)
    assert len(data) % 512 == 0 and difat_start == 0xFFFFFFFE

    def sector(n: int) -> bytes:
        return data[512 * (n + 1): 512 * (n + 2)]

    fat = b"".join(sector(n) for n in struct.unpack_from(f"<{n_fat}I", data, 76))
    fat_entries = struct.unpack(f"<{len(fat) // 4}I", fat)

    def chain(start: int, table, read) -> bytes:
        out, seen = [], set()
        while start != 0xFFFFFFFE:
            assert start not in seen and start < len(table)
            seen.add(start)
            out.append(read(start))
            start = table[start]
        return b"".join(out)

    directory = chain(dir_start, fat_entries, sector)
    entries = [struct.unpack_from("<64sHBBIII16sIQQIQ", directory, i) for i in range(0, len(directory), 128)]
    root = entries[0]
    assert root[2] == 5
    mini = chain(root[11], fat_entries, sector)[: root[12]]
    minifat = chain(minifat_start, fat_entries, sector)
    minifat_entries = struct.unpack(f"<{len(minifat) // 4}I", minifat)
    streams: dict[str, bytes] = {}
    order: list[str] = []

    def walk(i: int) -> None:  # in order: left, node, right
        if i == 0xFFFFFFFF:
            return
        name_field, name_len, kind, _, left, right, _, _, _, _, _, start, size = entries[i]
        walk(left)
        name = name_field[: name_len - 2].decode("utf-16-le")
        order.append(name)
        if size < cutoff:
            body = chain(start, minifat_entries, lambda n: mini[64 * n: 64 * (n + 1)])
        else:
            body = chain(start, fat_entries, sector)
        streams[name] = body[:size]
        walk(right)

    walk(root[6])
    assert order == sorted(order, key=lambda n: (len(n), n.upper()))
    return streams


@pytest.mark.parametrize("sizes", [{}, {"a": 10}, {"EncryptionInfo": 900, "EncryptedPackage": 20_000},
                                   {f"s{n}": n * 300 for n in range(1, 30)}])
def test_compound_files_round_trip(sizes):
    streams = {name: bytes([n % 251 + 1]) * size for n, (name, size) in enumerate(sizes.items())}
    assert read_cfb(cfb(streams)) == streams


def test_the_encrypted_file_holds_the_package_size(source, corpus):
    _, valid, _ = source
    _, files = corpus
    streams = read_cfb(files["encrypted"].read_bytes())
    assert set(streams) == {"EncryptionInfo", "EncryptedPackage"}
    assert streams["EncryptionInfo"][:4] == b"\x04\x00\x04\x00"  # agile encryption
    assert struct.unpack_from("<Q", streams["EncryptedPackage"])[0] == valid.stat().st_size
