"""`receive` from saved emails and mailboxes, through the command line (issue 13 §2, §7)."""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from consolidator.catalog import load_catalog
from consolidator.cli import main

from .conftest import small_catalog, write_catalog
from .filling import complete_results, fill


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def round_dir(tmp_path) -> Path:
    folder = tmp_path / "dot"
    assert run("init", folder).exit_code == 0
    write_catalog(small_catalog(), folder / "catalog.xlsx")
    assert run("generate", folder).exit_code == 0
    return folder


def filled(round_dir: Path, code: str, out: Path, **changes) -> Path:
    results = {**complete_results(load_catalog(round_dir / "catalog.xlsx"), code), **changes}
    return fill(next((round_dir / "phu-luc").glob(f"{code}_*.xlsx")), out, results)


def message(sender: str, date: datetime | None, *files: Path) -> EmailMessage:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = sender, "vanphong@tinhuy.example", "Gửi phụ lục"
    if date is not None:
        m["Date"] = format_datetime(date)
    m.set_content("Kính gửi Văn phòng.")
    for f in files:
        m.add_attachment(f.read_bytes(), maintype="application", subtype="octet-stream", filename=f.name)
    return m


def eml(path: Path, m: EmailMessage) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(m.as_bytes(policy=policy.SMTP))
    return path


def units_of(round_dir: Path) -> dict[str, str]:
    return {line.split()[0]: line for line in run("status", round_dir).output.splitlines() if line and line[0] in "DKP"}


def test_an_email_is_received_at_its_date_though_the_file_on_disk_is_newer(round_dir, tmp_path):
    sent = datetime(2023, 7, 9, 15, 20, tzinfo=timezone.utc)  # before the deadline, 10/07/2023
    saved = eml(tmp_path / "thu" / "D1.eml", message("Huyện Kỳ Anh <d1@donvi.example>", sent,
                                                     filled(round_dir, "D1", tmp_path / "f" / "D1.xlsx")))
    later = datetime(2023, 7, 20, tzinfo=timezone.utc).timestamp()
    os.utime(saved, (later, later))  # saved to disk after the deadline
    result = run("receive", round_dir, saved)
    assert result.exit_code == 0, result.output
    d1 = units_of(round_dir)["D1"]
    assert " Có " in d1 and sent.astimezone().strftime("%d/%m/%Y %H:%M") in d1 and "thư điện tử" in d1
    history = json.loads(run("history", round_dir, "--unit", "D1", "--format", "json").output)
    version = history["units"][0]["versions"][0]
    assert version["sender"] == "d1@donvi.example" and version["received_source"] == "email"
    assert version["origin"] == "D1.eml"


def test_a_mailbox_gives_every_message_and_a_garbage_one_does_not_stop_the_batch(round_dir, tmp_path):
    box = tmp_path / "hop-thu.mbox"
    parts = []
    for n, code in enumerate(("K1", "K2")):
        m = message(f"{code.lower()}@donvi.example", datetime(2023, 7, 5 + n, 9, tzinfo=timezone.utc),
                    filled(round_dir, code, tmp_path / "f" / f"{code}.xlsx"))
        parts.append(b"From x@y Mon Jul  3 09:00:00 2023\n" + m.as_bytes(policy=policy.SMTP).replace(b"\r\n", b"\n"))
    box.write_bytes(b"\n".join(parts))
    garbage = tmp_path / "hong.mbox"
    garbage.write_bytes(b"\x00\x01 not a mailbox at all")
    no_attachment = eml(tmp_path / "chi-loi-chao.eml", message("p@donvi.example", datetime(2023, 7, 1, tzinfo=timezone.utc)))
    result = run("receive", round_dir, garbage, box, no_attachment)
    assert result.exit_code == 1, result.output  # the garbage mailbox needs the office's attention
    assert "mailbox-unreadable" in result.output and "email-no-attachments" in result.output
    units = units_of(round_dir)
    assert "hợp lệ" in units["K1"] and "hợp lệ" in units["K2"]  # the rest of the batch received


def test_a_far_future_date_is_not_believed(round_dir, tmp_path):
    forged = datetime.now(timezone.utc) + timedelta(days=400)
    m = message("d2@donvi.example", forged, filled(round_dir, "D2", tmp_path / "f" / "D2.xlsx"))
    result = run("receive", round_dir, eml(tmp_path / "tuong-lai.eml", m))
    assert result.exit_code == 0 and "email-date-in-future" in result.output, result.output
    d2 = units_of(round_dir)["D2"]
    assert "nhận vào sổ" in d2 and forged.astimezone().strftime("%d/%m/%Y") not in d2
    # what was said of its arrival stays with the file when it is read again
    report = json.loads(run("validate", round_dir, "--format", "json").output)
    assert "email-date-in-future" in [i["code"] for i in report["files"][0]["issues"]]


def test_a_file_for_a_unit_not_in_the_round_gets_its_verdict_and_the_batch_goes_on(round_dir, tmp_path):
    from consolidator.generate import generate
    from consolidator.model import Target, Unit

    base = small_catalog()
    wider = dataclasses.replace(base, units=base.units + (Unit("X9", "Xã Lạ", "P"),),
                                targets=base.targets + (Target("X9", "DANGVIEN", "10", 10.0, 10.0),))
    [made] = generate(wider, tmp_path / "khac", unit_codes=["X9"])
    stranger = fill(made.path, tmp_path / "f" / made.path.name, {"DANGVIEN": 4})
    mine = filled(round_dir, "K1", tmp_path / "f" / "K1.xlsx")
    result = run("receive", round_dir, eml(tmp_path / "hai-tep.eml", message(
        "x9@donvi.example", datetime(2023, 7, 8, tzinfo=timezone.utc), stranger, mine)))
    assert result.exit_code == 1, result.output
    line = next(line for line in result.output.splitlines() if made.path.name in line)
    assert "có lỗi" in line and "không được tính" in line
    report = json.loads(run("validate", round_dir, "--format", "json").output)
    codes = {f["path"].rsplit("/", 1)[-1]: [i["code"] for i in f["issues"]] for f in report["files"]}
    assert "unknown-unit" in codes[made.path.name]
    assert "hợp lệ" in units_of(round_dir)["K1"]
