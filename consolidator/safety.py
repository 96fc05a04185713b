"""Start-up check that the XML defences are really in place before any returned file is read."""

from __future__ import annotations

from .errors import ConsolidatorError

_BOMB = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><x>&b;</x>'


def verify_xml_defences() -> None:
    """Refuse to run unless defusedxml is installed, refuses entities, and openpyxl uses it.

    openpyxl silently falls back to the standard library's parser when defusedxml is
    missing (or OPENPYXL_DEFUSEDXML=False is set), which expands entity bombs.
    """
    try:
        import defusedxml.ElementTree as safe_tree
        from defusedxml import EntitiesForbidden
    except ImportError as exc:
        raise ConsolidatorError("defusedxml is not installed: run `pip install defusedxml` (it guards against "
                                "XML entity bombs in returned files).") from exc
    try:
        safe_tree.fromstring(_BOMB)
    except EntitiesForbidden:
        pass
    else:
        raise ConsolidatorError("defusedxml accepted an XML entity declaration; refusing to read untrusted files.")
    from openpyxl import xml as openpyxl_xml

    if not getattr(openpyxl_xml, "DEFUSEDXML", False):
        raise ConsolidatorError("openpyxl is not using defusedxml (is OPENPYXL_DEFUSEDXML=False set?); "
                                "refusing to read untrusted files.")
