"""Checks on an uploaded exchange file before anything reads it.

- Size: an upload may be at most settings.MAX_UPLOAD_BYTES.
- Zip (QDPX): the directory is checked before any member is read: at most
  settings.MAX_ZIP_MEMBERS members, at most
  settings.MAX_UNCOMPRESSED_BYTES in total, no absolute or ``..`` paths, no
  encrypted members, no member compressed beyond a sane ratio. Members are only
  ever read into memory, never extracted to disk.
- XML: any document type declaration is refused (that is where billion-laughs and
  external-entity attacks live), then lxml parses without entity expansion, DTD
  loading or network access.
"""

import io
import re
import zipfile
from pathlib import PurePosixPath

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as defused_fromstring
from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

from interviews.importers.base import max_uncompressed_bytes, max_upload_bytes, size_text

DEFAULT_MAX_ZIP_MEMBERS = 10_000
MAX_RATIO = 200
RATIO_CHECKED_ABOVE = 10 * 1024 * 1024

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


def max_zip_members() -> int:
    return int(getattr(settings, "MAX_ZIP_MEMBERS", DEFAULT_MAX_ZIP_MEMBERS))


def check_size(size: int) -> None:
    limit = max_upload_bytes()
    if size > limit:
        raise ExchangeError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": size_text(size), "limit": size_text(limit)}
        )
    if size == 0:
        raise ExchangeError(_("The file is empty."))


def _unsafe_name(name: str) -> bool:
    name = name.replace("\\", "/")
    return (
        name.startswith("/")
        or bool(re.match(r"[A-Za-z]:", name))
        or ".." in PurePosixPath(name).parts
        or "\x00" in name
    )


def open_zip(data: bytes) -> zipfile.ZipFile:
    """Open a QDPX file as a zip directory and refuse anything unsafe to read."""
    check_size(len(data))
    if not data.startswith(b"PK\x03\x04"):
        raise ExchangeError(_("This is not a QDPX file: a QDPX file is a zip archive."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise ExchangeError(_("The QDPX file is damaged and cannot be read.")) from None
    if len(members) > max_zip_members():
        raise ExchangeError(
            _("The QDPX file has more than %(count)s files inside and was refused.")
            % {"count": max_zip_members()}
        )
    total = 0
    for member in members:
        if _unsafe_name(member.filename):
            raise ExchangeError(
                _("The QDPX file contains a file with an unsafe path (%(name)s) and was refused.")
                % {"name": member.filename[:200]}
            )
        if member.flag_bits & 0x1:
            raise ExchangeError(_("The QDPX file is password-protected and cannot be read."))
        total += member.file_size
        if member.file_size > RATIO_CHECKED_ABOVE and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise ExchangeError(
                _("The QDPX file contains a file compressed more than %(ratio)s:1 and was refused.")
                % {"ratio": MAX_RATIO}
            )
    limit = max_uncompressed_bytes()
    if total > limit:
        raise ExchangeError(
            _("The QDPX file expands to more than %(limit)s and was refused.")
            % {"limit": size_text(limit)}
        )
    return archive


def read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """A member's bytes; zipfile stops at the declared size and checks the CRC."""
    try:
        with archive.open(member) as handle:
            data = handle.read(member.file_size + 1)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise ExchangeError(
            _("The file %(name)s inside the QDPX file is damaged.") % {"name": member.filename}
        ) from None
    if len(data) > member.file_size:
        raise ExchangeError(
            _("The file %(name)s inside the QDPX file is damaged.") % {"name": member.filename}
        )
    return data


def parse_xml(data: bytes, label: str) -> etree._Element:
    """Parse untrusted XML; refuse DTDs and entities with a message that says why."""
    try:
        defused_fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ExchangeError(
            _(
                "%(file)s declares a document type or entities. Such XML can make a "
                "server read other files or grow without limit, so it was refused."
            )
            % {"file": label}
        ) from None
    except (ParseError, ValueError) as error:
        raise ExchangeError(
            _("%(file)s is not valid XML (%(detail)s).") % {"file": label, "detail": str(error)}
        ) from None
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as error:
        raise ExchangeError(
            _("%(file)s is not valid XML (%(detail)s).") % {"file": label, "detail": str(error)}
        ) from None
