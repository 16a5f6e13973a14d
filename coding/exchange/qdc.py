"""The codebook as a REFI-QDA codebook file (.qdc), out and in.

Out: the code tree with nesting, colours (#RRGGBB), definitions as Description and
each code's stable GUID; valid against Codebook.xsd (§5.2 of the standard).
In: merged into a project's codebook (codebook_merge). Taguette writes a flat
codebook whose names hold the tree as "Theme.Code"; a file whose origin is
Taguette is read that way. Code sets have no place here and are listed as such.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from lxml import etree

from ..models import Code
from .codebook_merge import Incoming
from .refi import NS_CODEBOOK, ORIGIN, build_codes, kid, kids, local, read_codes, schema
from .safety import ExchangeError, check_size, parse_xml


def export_qdc(project) -> bytes:
    root = etree.Element(
        f"{{{NS_CODEBOOK}}}CodeBook", {"origin": ORIGIN}, nsmap={None: NS_CODEBOOK}
    )
    codes = list(Code.objects.filter(project=project))
    if not codes:
        raise ExchangeError(_("The codebook is empty: there is nothing to export."))
    build_codes(root, NS_CODEBOOK, codes)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@dataclass
class QdcFile:
    tree: list[Incoming]
    origin: str = ""
    notes: list[str] = field(default_factory=list)


def _incoming(code) -> Incoming:
    return Incoming(
        name=code.name,
        guid=code.guid,
        colour=code.colour,
        definition=code.description or None,
        children=[_incoming(child) for child in code.children],
        codable=code.codable,
    )


def read_qdc(data: bytes) -> QdcFile:
    check_size(len(data))
    root = parse_xml(data, "QDC")
    if local(root) != "CodeBook" or kid(root, "Codes") is None:
        raise ExchangeError(_("This is not a REFI-QDA codebook: it has no CodeBook with Codes."))
    origin = (root.get("origin") or "").strip()
    result = QdcFile(tree=[], origin=origin)
    if etree.QName(root).namespace == NS_CODEBOOK:
        validator = schema("Codebook.xsd")
        if not validator.validate(root):
            error = validator.error_log.filter_from_errors()[0]
            result.notes.append(
                _(
                    "The file departs from the REFI-QDA schema (first at line %(line)s: "
                    "%(message)s); it was read as far as possible."
                )
                % {"line": error.line, "message": error.message[:200]}
            )
    taguette = origin.lower().startswith("taguette")
    codes = read_codes(kid(root, "Codes"), split_dots=taguette)
    if taguette:
        result.notes.append(_("Taguette writes “Theme.Code” names: they were read as a tree."))
    result.tree = [_incoming(code) for code in codes]
    sets = kid(root, "Sets")
    if sets is not None and len(kids(sets, "Set")):
        result.notes.append(
            ngettext(
                "%(n)s code set in the file has no place here and was not carried over.",
                "%(n)s code sets in the file have no place here and were not carried over.",
                len(kids(sets, "Set")),
            )
            % {"n": len(kids(sets, "Set"))}
        )
    if not result.tree:
        raise ExchangeError(_("The codebook file holds no codes."))
    return result
