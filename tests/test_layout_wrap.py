"""How many lines a wrapped cell takes: the count every writer sizes its rows by.

The expected counts are what LibreOffice printed for these texts in these column widths
(the provenance sheet of the demo's consolidated workbook, `Thông tin`, looked at page by
page): a stored file's path breaks after its slashes and hyphens, not only at spaces.
"""

from __future__ import annotations

import pytest

from consolidator.layout import fitted_height, wrapped_lines

PATH_H05 = ("demo_round/submissions/b37df910d618a682cb4d3a09e21d9bca2433f7be5ccc5cbf43b8399746d65ef9/"
            "H05_huyen-uy-tay-son.xlsx")
PATH_K01 = ("demo_round/submissions/ec5de07cfd9b395a769ab9e0befc123dc4fc2b948a5a2dd9c9d78c856f87576e/"
            "K01-05_dang-uy-cong-ty-co-phan-cap-thoat-nuoc-tinh-mau.xlsx")


@pytest.mark.parametrize("text, width, lines", [
    # printed: "demo_round/submissions/" | 57 hex digits | the rest of the digits, "/H05_huyen-uy-tay-son.xlsx"
    (PATH_H05, 60, 3),
    # printed: … | "87576e/K01-05_dang-uy-cong-ty-co-phan-cap-thoat-nuoc-tinh-" | "mau.xlsx"
    (PATH_K01, 60, 4),
    # the file name beside it, 34 wide: "K01-05_dang-uy-cong-ty-co-phan-" | "cap-thoat-nuoc-tinh-mau.xlsx"
    ("K01-05_dang-uy-cong-ty-co-phan-cap-thoat-nuoc-tinh-mau.xlsx", 34, 2),
    ("Tỷ lệ hộ nghèo", 30, 1),
    ("Tỷ lệ hộ nghèo theo chuẩn đa chiều", 10, 4),  # at spaces, as before
    ("a" * 20, 10, 2),  # a piece longer than a line is cut
    ("a" * 21, 10, 3),
    ("2020-2025 2020-2025", 12, 2),  # a hyphen before a digit keeps with the number
    ("một\nhai", 10, 2),
])
def test_a_cell_takes_the_lines_it_prints_on(text, width, lines):
    assert wrapped_lines(text, width) == lines


def test_a_row_of_more_lines_is_taller():
    assert fitted_height(wrapped_lines(PATH_K01, 60)) > fitted_height(wrapped_lines(PATH_H05, 60))
