"""The golden rounds: every output of three rounds, as values, equals what was reviewed.

After a deliberate change, `.venv/bin/python tests/golden/rounds.py` rewrites the golden
files; the diff is the change in behaviour, to be read in review.
"""

from __future__ import annotations

import pytest

from .golden.rounds import HERE, ROUNDS, run


@pytest.mark.parametrize("name", sorted(ROUNDS))
def test_a_rounds_outputs_equal_the_golden_files(name, tmp_path):
    got = run(name, tmp_path)
    for file_name, text in got.items():
        expected = (HERE / name / file_name).read_text(encoding="utf-8")
        assert text == expected, f"{name}/{file_name} differs: run tests/golden/rounds.py and review the diff"
