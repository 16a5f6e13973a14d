"""Word (.docx) and OpenDocument (.odt) text documents.

Both are zip files. Before python-docx or odfpy sees one, zipsafe.open_checked_zip
inspects its directory and refuses zip bombs and unsafe paths.
"""

import io
import unicodedata
from collections.abc import Iterator

import docx
from django.utils.translation import gettext as _
from lxml import etree
from odf import opendocument
from odf.namespaces import DRAWNS, OFFICENS, TABLENS, TEXTNS

from .base import ImportFailed, not_valid
from .zipsafe import open_checked_zip

ODT_MIMETYPES = (
    b"application/vnd.oasis.opendocument.text",
    b"application/vnd.oasis.opendocument.text-template",
)
# "EncryptedPackage" in UTF-16: the stream Word puts a password-protected .docx in.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _password_protected() -> ImportFailed:
    return ImportFailed(
        _("This document is password-protected. Remove the protection and upload it again.")
    )


def _refuse_ole(data: bytes) -> None:
    """An OLE file named .docx is either a password-protected .docx or an old binary .doc."""
    if not data.startswith(_OLE):
        return
    if _ENCRYPTED_PACKAGE in data:
        raise _password_protected()
    raise ImportFailed(_("This is an old Word (.doc) file. Save it as .docx and upload it again."))


def _cell(blocks: Iterator[str]) -> str:
    """A table cell's paragraphs as lines, so that its row stays one paragraph."""
    return "\n".join(block.strip() for block in blocks if block.strip())


# --- docx -------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Inside a paragraph: deleted text, drawings (text boxes are repeated in their fallback),
# field codes and properties hold no text of the paragraph itself.
_W_SKIP = {
    f"{_W}{name}"
    for name in ("del", "moveFrom", "pPr", "rPr", "drawing", "pict", "object", "instrText")
} | {f"{_MC}AlternateContent"}


def _docx_text(element) -> str:
    """A w:t's text, whole: lxml puts what follows an entity or a comment in its tail.

    Entities are never expanded (see the parser python-docx uses); an undeclared or
    custom one (`&ent;`) stays as written, so nothing of the paragraph is lost.
    """
    parts = [element.text or ""]
    for node in element:
        if node.tag is etree.Entity:
            parts.append(node.text)
        parts.append(node.tail or "")
    return "".join(parts)


def _docx_symbol(element) -> str:
    """A w:sym's character; symbol-font glyphs (private use area) have none to give."""
    try:
        character = chr(int(element.get(f"{_W}char", ""), 16))
    except ValueError:
        return ""
    return "" if unicodedata.category(character) in ("Co", "Cc", "Cs") else character


def _docx_inline(element, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _W_SKIP:
            continue
        if tag == f"{_W}t":
            parts.append(_docx_text(child))
        elif tag == f"{_W}sym":
            parts.append(_docx_symbol(child))
        elif tag == f"{_W}tab":
            parts.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            parts.append("-")
        else:
            _docx_inline(child, parts)


def _docx_blocks(container) -> Iterator[str]:
    for child in container:
        if child.tag == f"{_W}p":
            parts: list[str] = []
            _docx_inline(child, parts)
            yield "".join(parts)
        elif child.tag == f"{_W}tbl":
            for row in child.findall(f"{_W}tr"):
                cells = [_cell(_docx_blocks(cell)) for cell in row.findall(f"{_W}tc")]
                if any(cells):
                    yield " | ".join(cells)
        elif child.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}ins"):
            yield from _docx_blocks(child)


def read_docx(data: bytes) -> str:
    _refuse_ole(data)
    archive = open_checked_zip(data, "DOCX")
    if "[Content_Types].xml" not in archive.namelist():
        raise not_valid("DOCX")
    document = docx.Document(io.BytesIO(data))
    return "\n\n".join(_docx_blocks(document.element.body))


# --- odt --------------------------------------------------------------------------------

_ODT_SKIP = {
    (OFFICENS, "annotation"),
    (OFFICENS, "annotation-end"),
    (TEXTNS, "note"),
    (TEXTNS, "tracked-changes"),
    (TEXTNS, "sequence-decls"),
    (TEXTNS, "variable-decls"),
    (TEXTNS, "user-field-decls"),
    (TEXTNS, "table-of-content"),
    (OFFICENS, "forms"),
    (DRAWNS, "frame"),
    (TABLENS, "table-columns"),
    (TABLENS, "table-column"),
}


def _elements(node) -> Iterator:
    for child in node.childNodes:
        if child.nodeType == child.ELEMENT_NODE and child.qname not in _ODT_SKIP:
            yield child


def _odt_inline(node, parts: list[str]) -> None:
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            parts.append(child.data)
        elif child.nodeType != child.ELEMENT_NODE or child.qname in _ODT_SKIP:
            continue
        elif child.qname == (TEXTNS, "s"):
            parts.append(" " * int(child.attributes.get((TEXTNS, "c"), 1)))
        elif child.qname == (TEXTNS, "tab"):
            parts.append("\t")
        elif child.qname == (TEXTNS, "line-break"):
            parts.append("\n")
        else:
            _odt_inline(child, parts)


def _odt_rows(node) -> Iterator[str]:
    for child in _elements(node):
        if child.qname == (TABLENS, "table-row"):
            cells = [
                _cell(_odt_blocks(cell))
                for cell in _elements(child)
                if cell.qname in ((TABLENS, "table-cell"), (TABLENS, "covered-table-cell"))
            ]
            if any(cells):
                yield " | ".join(cells)
        else:  # header rows, row groups
            yield from _odt_rows(child)


def _odt_blocks(node) -> Iterator[str]:
    for child in _elements(node):
        if child.qname in ((TEXTNS, "p"), (TEXTNS, "h")):
            parts: list[str] = []
            _odt_inline(child, parts)
            yield "".join(parts)
        elif child.qname == (TABLENS, "table"):
            yield from _odt_rows(child)
        else:  # lists, list items, sections
            yield from _odt_blocks(child)


def read_odt(data: bytes) -> str:
    archive = open_checked_zip(data, "ODT")
    names = set(archive.namelist())
    if "mimetype" not in names:
        raise not_valid("ODT")
    with archive.open("mimetype") as member:
        if member.read(100).strip() not in ODT_MIMETYPES:
            raise not_valid("ODT")
    # A password-protected ODT lists how each part is encrypted in its manifest.
    if "META-INF/manifest.xml" in names and b"encryption-data" in archive.read(
        "META-INF/manifest.xml"
    ):
        raise _password_protected()
    document = opendocument.load(io.BytesIO(data))
    return "\n\n".join(_odt_blocks(document.text))
