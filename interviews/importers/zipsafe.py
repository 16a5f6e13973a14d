"""One safety check for every zip file the app reads: DOCX, ODT and REFI-QDA QDPX.

The zip directory is checked before any member is read: at most settings.MAX_ZIP_MEMBERS
members, at most settings.MAX_UNCOMPRESSED_BYTES in total, no absolute or ``..``
paths, no encrypted members, no member above a megabyte compressed more than
settings.MAX_ZIP_RATIO to one. Members are only ever read into memory, never extracted
to disk, and `read_member` stops at the size the directory declares (zipfile checks
the CRC). Every refusal is an ImportFailed whose message names the format.
"""

import io
import re
import zipfile
from pathlib import PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

from .base import ImportFailed, damaged, max_uncompressed_bytes, not_valid, size_text

DEFAULT_MAX_ZIP_MEMBERS = 10_000
DEFAULT_MAX_ZIP_RATIO = 100
# Small members may compress very well (an empty table, a style sheet); only larger
# ones are held to the ratio.
RATIO_CHECKED_ABOVE = 1024 * 1024
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError)


def max_zip_members() -> int:
    return int(getattr(settings, "MAX_ZIP_MEMBERS", DEFAULT_MAX_ZIP_MEMBERS))


def max_zip_ratio() -> int:
    return int(getattr(settings, "MAX_ZIP_RATIO", DEFAULT_MAX_ZIP_RATIO))


def unsafe_member_name(name: str) -> bool:
    """True for absolute paths, drive letters, ``..`` parts and NUL bytes."""
    name = name.replace("\\", "/")
    return (
        name.startswith("/")
        or bool(re.match(r"[A-Za-z]:", name))
        or ".." in PurePosixPath(name).parts
        or "\x00" in name
    )


def _check_member(member: zipfile.ZipInfo, label: str) -> None:
    if unsafe_member_name(member.filename):
        raise ImportFailed(
            _("The %(format)s file contains an unsafe path and was refused.") % {"format": label}
        )
    if member.flag_bits & 0x1:
        raise ImportFailed(
            _("The %(format)s file is password-protected and cannot be read.") % {"format": label}
        )
    ratio = max_zip_ratio()
    if member.file_size > RATIO_CHECKED_ABOVE and member.file_size > ratio * max(
        member.compress_size, 1
    ):
        raise ImportFailed(
            _(
                "The %(format)s file contains a part compressed more than %(ratio)s:1 "
                "and was refused."
            )
            % {"format": label, "ratio": ratio}
        )


def open_checked_zip(data: bytes, label: str) -> zipfile.ZipFile:
    """Open `data` as a zip directory, refusing anything unsafe to read (ImportFailed)."""
    if not data.startswith(b"PK\x03\x04"):
        raise not_valid(label)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except ZIP_ERRORS:
        raise damaged(label) from None
    if len(members) > max_zip_members():
        raise ImportFailed(
            _("The %(format)s file has more than %(count)s parts and was refused.")
            % {"format": label, "count": max_zip_members()}
        )
    total = 0
    for member in members:
        _check_member(member, label)
        total += member.file_size
    limit = max_uncompressed_bytes()
    if total > limit:
        raise ImportFailed(
            _("The %(format)s file expands to more than %(limit)s and was refused.")
            % {"format": label, "limit": size_text(limit)}
        )
    return archive


def read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, label: str) -> bytes:
    """A member's bytes, never more than the directory declares."""
    damaged_member = ImportFailed(
        _("The file %(name)s inside the %(format)s file is damaged.")
        % {"name": member.filename[:200], "format": label}
    )
    try:
        with archive.open(member) as handle:
            data = handle.read(member.file_size + 1)
    except (*ZIP_ERRORS, NotImplementedError):
        raise damaged_member from None
    if len(data) > member.file_size:
        raise damaged_member
    return data
