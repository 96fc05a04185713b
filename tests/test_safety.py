"""The XML defences are verified before returned files are read."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from consolidator.cli import main
from consolidator.errors import ConsolidatorError
from consolidator.safety import verify_xml_defences


def test_defences_are_in_place():
    verify_xml_defences()


def test_openpyxl_without_defusedxml_is_refused(monkeypatch, tmp_path, catalog_path):
    from openpyxl import xml as openpyxl_xml

    monkeypatch.setattr(openpyxl_xml, "DEFUSEDXML", False)
    with pytest.raises(ConsolidatorError):
        verify_xml_defences()
    (tmp_path / "in.xlsx").write_bytes(b"x")
    result = CliRunner().invoke(main, ["validate", str(catalog_path), str(tmp_path / "in.xlsx")])
    assert result.exit_code == 2 and "defusedxml" in result.output


def test_an_openpyxl_parser_that_expands_entities_is_refused(monkeypatch, tmp_path, catalog_path):
    # openpyxl parses a workbook's smaller parts with lxml (python-docx brings it) or defusedxml;
    # the standard library's parser, which expands an entity bomb, must not get through
    import xml.etree.ElementTree as plain

    from openpyxl.xml import functions

    monkeypatch.setattr(functions, "fromstring", plain.fromstring)
    with pytest.raises(ConsolidatorError):
        verify_xml_defences()
    (tmp_path / "in.xlsx").write_bytes(b"x")
    result = CliRunner().invoke(main, ["validate", str(catalog_path), str(tmp_path / "in.xlsx")])
    assert result.exit_code == 2 and "openpyxl" in result.output
