"""Start-up check that the XML defences are really in place before any returned file is read."""

from __future__ import annotations

from openpyxl import xml as openpyxl_xml

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
