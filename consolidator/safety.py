"""Start-up check that the XML defences are really in place before any returned file is read."""

from __future__ import annotations

from openpyxl import xml as openpyxl_xml
from openpyxl.xml import functions as openpyxl_functions

from .errors import ConsolidatorError

try:
    import defusedxml.ElementTree as safe_tree
    from defusedxml import EntitiesForbidden
except ImportError:  # refused below, with a message, rather than as a traceback at import
    safe_tree = EntitiesForbidden = None

_BOMB = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><x>&b;</x>'


def verify_xml_defences() -> None:
    """Refuse to run unless defusedxml is installed, refuses entities, and openpyxl uses it.

    openpyxl silently falls back to the standard library's parser when defusedxml is
    missing (or OPENPYXL_DEFUSEDXML=False is set), which expands entity bombs.
    """
    if safe_tree is None:
        raise ConsolidatorError(key="err_no_defusedxml")
    try:
        safe_tree.fromstring(_BOMB)
    except EntitiesForbidden:
        pass
    else:
        raise ConsolidatorError(key="err_defusedxml_entities")
    if not getattr(openpyxl_xml, "DEFUSEDXML", False):
        raise ConsolidatorError(key="err_openpyxl_not_defused")
    if _expands(openpyxl_functions.fromstring):
        raise ConsolidatorError(key="err_openpyxl_expands")


def _expands(fromstring) -> bool:
    """Whether a parser expands the bomb's entities.

    openpyxl parses a workbook's smaller parts (workbook, styles, drawings) with lxml when lxml
    is installed, as it is since python-docx needs it, and with defusedxml only otherwise. Its
    lxml parser is made not to resolve entities; either way the bomb must not come out expanded.
    """
    try:
        tree = fromstring(_BOMB)
    except Exception:  # refused, as defusedxml does: nothing was expanded
        return False
    return "aaaa" in "".join(tree.itertext())
