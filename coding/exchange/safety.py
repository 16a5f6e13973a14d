"""Checks on an uploaded exchange file before anything reads it.

- Size: an upload may be at most settings.MAX_UPLOAD_BYTES.
- Zip (QDPX): the one check every zip goes through (interviews.importers.zipsafe,
  shared with DOCX and ODT): member count, expanded size, paths, encryption and
  compression ratio, all limits from settings. Members are only ever read into
  memory, never extracted to disk.
- XML: any document type declaration is refused (that is where billion-laughs and
  external-entity attacks live), then lxml parses without entity expansion, DTD
  loading or network access.
"""

import zipfile

from django.utils.translation import gettext as _
from lxml import etree

from interviews.importers import ImportFailed
from interviews.importers.base import max_upload_bytes, size_text
from interviews.importers.zipsafe import open_checked_zip
from interviews.importers.zipsafe import read_member as read_zip_member

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)


class ExchangeError(Exception):
    """A problem that stops an import or export, with a translated message for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_size(size: int) -> None:
    limit = max_upload_bytes()
    if size > limit:
        raise ExchangeError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": size_text(size), "limit": size_text(limit)}
        )
    if size == 0:
        raise ExchangeError(_("The file is empty."))


def open_zip(data: bytes) -> zipfile.ZipFile:
    """Open a QDPX file as a zip directory and refuse anything unsafe to read."""
    check_size(len(data))
    if not data.startswith(b"PK\x03\x04"):
        raise ExchangeError(_("This is not a QDPX file: a QDPX file is a zip archive."))
    try:
        return open_checked_zip(data, "QDPX")
    except ImportFailed as error:
        raise ExchangeError(error.message) from None


def read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    try:
        return read_zip_member(archive, member, "QDPX")
    except ImportFailed as error:
        raise ExchangeError(error.message) from None


def declares_doctype(data: bytes) -> bool:
    """True if the XML prolog (before the root element) holds a <!DOCTYPE>; one pass."""
    position = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while position < len(data):
        if data[position : position + 1].isspace():
            position += 1
        elif data.startswith(b"<?", position):
            position = _after(data, b"?>", position)
        elif data.startswith(b"<!--", position):
            position = _after(data, b"-->", position)
        else:
            return data[position : position + 9].upper() == b"<!DOCTYPE"
    return False


def _after(data: bytes, end: bytes, position: int) -> int:
    found = data.find(end, position)
    return len(data) if found < 0 else found + len(end)


def parse_xml(data: bytes, label: str) -> etree._Element:
    """Parse untrusted XML; refuse DTDs and entities with a message that says why.

    The prolog is checked before parsing, and the parsed document once more (an
    encoding the prolog check cannot read); lxml never expands entities, loads a DTD
    or touches the network.
    """
    refused = ExchangeError(
        _(
            "%(file)s declares a document type or entities. Such XML can make a "
            "server read other files or grow without limit, so it was refused."
        )
        % {"file": label}
    )
    if declares_doctype(data):
        raise refused
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as error:
        raise ExchangeError(
            _("%(file)s is not valid XML (%(detail)s).") % {"file": label, "detail": str(error)}
        ) from None
    info = root.getroottree().docinfo
    if info.internalDTD is not None or info.doctype:
        raise refused
    return root
