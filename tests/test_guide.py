"""The clerk's guide: there, linked from the README, free of developer references, true to the commands."""

from __future__ import annotations

import re
from pathlib import Path

from consolidator.cli import main

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "huong-dan-su-dung.md"


def test_the_guide_is_linked_from_the_top_of_the_readme():
    assert GUIDE.is_file()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[: readme.index("\n## ")]
    assert "(docs/huong-dan-su-dung.md)" in head


def test_the_guide_has_no_developer_references():
    text = GUIDE.read_text(encoding="utf-8")
    for pattern in (r"DESIGN", r"\bseed\b", r"§", r"\.py\b", r"consolidator/\w+\.", r"\bpytest\b"):
        assert not re.search(pattern, text, flags=re.I), pattern


def test_the_guide_says_how_to_run_it_after_make_demo_and_on_windows():
    text = GUIDE.read_text(encoding="utf-8")
    for needed in ("make demo", ".venv/bin/consolidator", "source .venv/bin/activate", "py -m venv .venv",
                   r".venv\Scripts\pip install .", r".venv\Scripts\consolidator"):
        assert needed in text, needed
    for folder in ("vong-2023", "phu-luc", "nhan-ve", "gui-lai"):
        assert folder in text, folder


def test_every_command_the_guide_shows_exists_and_every_command_is_shown():
    text = GUIDE.read_text(encoding="utf-8")
    shown = set(re.findall(r"^consolidator ([\w-]+)", text, flags=re.M))
    assert shown == set(main.commands)
