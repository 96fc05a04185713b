"""An unreadable file's message is all in the message's language: no English reason, no exception text."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest

from consolidator.catalog import load_catalog
from consolidator.errors import CatalogError
from consolidator.generate import generate
from consolidator.validate import validate_files
from consolidator.reader import read_outcome

from .conftest import small_catalog, write_catalog
from .corpus.build_corpus import EXPECTED, build_corpus
from .filling import complete_results, fill

ENGLISH = ("the", "zip archive", "unrecognised", "part", "bad", "syntax error", "has no", "is", "file size",
           "missing", "damaged", "incomplete", "expands", "memory", "declares", "no such", "permission",
           "denied")


def english_in(message: str) -> list[str]:
    return [w for w in ENGLISH if re.search(rf"\b{re.escape(w)}\b", message, flags=re.I)]


@pytest.fixture(scope="module")
def round_files():
    folder = Path(tempfile.mkdtemp())
    catalog = load_catalog(write_catalog(small_catalog(), folder / "catalog.xlsx"))
    [made] = generate(catalog, folder / "blank", unit_codes=["D1"])
    valid = fill(made.path, folder / "filled" / made.path.name, complete_results(catalog, "D1"))
    yield catalog, valid, folder, build_corpus(valid, folder / "corpus", libreoffice=False)
    shutil.rmtree(folder)


UNREADABLE = [kind for kind, (status, _) in EXPECTED.items() if status == "unreadable"]


@pytest.mark.parametrize("kind", UNREADABLE)
def test_a_returned_files_message_is_vietnamese(round_files, kind):
    catalog, _, _, files = round_files
    [s] = validate_files(catalog, [files[kind]]).submissions
    [issue] = s.issues
    assert issue.code == EXPECTED[kind][1]
    assert english_in(issue.message("vi")) == [], issue.message("vi")
    assert issue.message("en") != issue.message("vi")


@pytest.mark.parametrize("kind", UNREADABLE)
def test_an_unreadable_catalog_says_so_in_the_offices_words(round_files, kind):
    _, _, _, files = round_files
    with pytest.raises(CatalogError) as caught:
        load_catalog(files[kind])
    for issue in caught.value.issues:
        message = issue.message("vi")
        assert english_in(message) == [], message
        if issue.code == "catalog-unreadable":
            # no returned file's code or sentence inside, and no advice to send anything back
            assert "[" not in message and ".." not in message and "gửi lại" not in message, message


def _stored_copy(src: Path, out: Path) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info), compress_type=zipfile.ZIP_STORED)
    return out


def test_a_bad_checksum_is_named_without_zipfiles_words(round_files, tmp_path):
    catalog, valid, _, _ = round_files
    path = _stored_copy(valid, tmp_path / "crc.xlsx")
    data = path.read_bytes()
    assert b"<sheetData>" in data  # the sheets, stored as written
    path.write_bytes(data.replace(b"<sheetData>", b"<sheetDatb>"))  # same length: only the CRC tells
    [s] = validate_files(catalog, [path]).submissions
    [issue] = s.issues
    assert (issue.code, issue.params["reason"]) == ("file-corrupt", "reason_bad_checksum")
    assert "CRC" not in issue.message("vi") and "CRC" not in issue.message("en")
    assert english_in(issue.message("vi")) == []


def test_sizes_are_written_in_the_messages_number_style(round_files, tmp_path):
    catalog, valid, _, _ = round_files
    path = tmp_path / "big.xlsx"
    shutil.copy(valid, path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/zeros.bin", bytes(int(54.4 * 1024 * 1024)))
    [s] = validate_files(catalog, [path]).submissions
    [issue] = s.issues
    assert issue.code == "file-too-large"
    assert "54,4 MB" in issue.message("vi") and "54.4 MB" in issue.message("en")
    assert english_in(issue.message("vi")) == []


def test_a_file_the_system_will_not_give_is_said_in_vietnamese(tmp_path, catalog):
    outcome = read_outcome(tmp_path / "gone.xlsx", catalog)
    assert outcome.unreadable.code == "file-corrupt"
    assert english_in(outcome.unreadable.message("vi")) == []
    assert outcome.unreadable.message("vi") != outcome.unreadable.message("en")
