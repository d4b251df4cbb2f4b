"""Reading untrusted XML safely: no DTD, no entities, nothing resolved, nothing fetched.

Every file is first read by defusedxml, which refuses DTDs and entity declarations (XXE, "billion
laughs"), then by lxml with entity resolution and network access off, so nothing is ever expanded.
"""

from __future__ import annotations

import re
import xml.parsers.expat

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException
from lxml import etree

from engine.errors import N_

_LXML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


class UnsafeXML(Exception):
    """A file that is not read: not well-formed, or declaring a DTD or entities. ``template`` and
    ``params`` say why, for people (translated by the web layer)."""

    def __init__(self, template: str, line: int | None = None, **params: object):
        self.template, self.params, self.line = template, params, line
        super().__init__(template.format(**params))


_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
UTF8_NAMES = {"utf-8", "utf8", "us-ascii", "ascii"}


def _check_encoding(content: bytes) -> None:
    """Ravand's files are UTF-8: any other declared encoding (UTF-7, UTF-16, a made-up name) is refused
    by name before a parser meets it, rather than failing inside it."""
    declared = _DECLARED.match(content)
    name = declared.group(1).decode("ascii", "replace").strip() if declared else "utf-8"
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or name.lower() not in UTF8_NAMES:
        raise UnsafeXML(N_("The file is encoded as {encoding}; it must be UTF-8."), 1, encoding=name or "?")


def parse_xml(content: bytes) -> etree._Element:
    """Parse untrusted XML: refuse DTDs and entities, never resolve anything external."""
    _check_encoding(content)
    try:
        DefusedET.fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        at = content.find(b"<!DOCTYPE")
        line = content[:at].count(b"\n") + 1 if at >= 0 else None
        raise UnsafeXML(
            N_("The file declares a DTD or entities ({kind}); they are not allowed."),
            line,
            kind=type(exc).__name__,
        ) from exc
    except (ValueError, LookupError) as exc:  # an encoding the parser cannot read
        raise UnsafeXML(N_("The file is not well-formed XML: {detail}."), 1, detail=str(exc)) from exc
    except DefusedET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        detail = xml.parsers.expat.ErrorString(exc.code)
        raise UnsafeXML(N_("The file is not well-formed XML: {detail}."), line, detail=detail) from exc
    try:
        return etree.fromstring(content, _LXML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnsafeXML(N_("The file is not well-formed XML: {detail}."), exc.lineno, detail=exc.msg) from exc
