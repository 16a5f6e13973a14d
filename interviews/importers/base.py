"""Shared types, limits and error messages of the importers."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_UPLOAD_TOTAL_BYTES = 100 * 1024 * 1024
DEFAULT_MAX_SOURCE_CHARS = 2_000_000

# Leading bytes of formats that must never be read as text (or as the wrong binary format).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
    (b"ID3\x02", "mp3"),
    (b"ID3\x03", "mp3"),
    (b"ID3\x04", "mp3"),
    (b"OggS\x00", "ogg"),
    (b"fLaC\x00", "flac"),
    (b"\x7fELF", "elf"),
    (b"\x1a\x45\xdf\xa3", "matroska"),
)


class ImportFailed(Exception):
    """Raised with a translated, user-facing message naming the problem.

    The message does not name the file; the caller adds it.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Extracted:
    text: str
    format: str
    warnings: tuple[str, ...] = ()


def max_upload_bytes() -> int:
    return int(getattr(settings, "MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def max_uncompressed_bytes() -> int:
    return int(getattr(settings, "MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES))


def max_upload_total_bytes() -> int:
    """What one upload request may carry in all, every file together."""
    return int(getattr(settings, "MAX_UPLOAD_TOTAL_BYTES", DEFAULT_MAX_UPLOAD_TOTAL_BYTES))


def max_source_chars() -> int:
    """The longest canonical text a source may have, in code points."""
    return int(getattr(settings, "MAX_SOURCE_CHARS", DEFAULT_MAX_SOURCE_CHARS))


def check_source_length(text: str) -> None:
    """Refuse a (normalised) text longer than a source may be, whatever it came from."""
    limit = max_source_chars()
    if len(text) > limit:
        raise ImportFailed(
            _(
                "The text has %(count)s characters; a source may have at most %(limit)s. "
                "Split it into parts and add each part as a source of its own."
            )
            % {
                "count": number_format(len(text), force_grouping=True),
                "limit": number_format(limit, force_grouping=True),
            }
        )


def sniff(data: bytes) -> str | None:
    """Name the binary format the data starts with, if it is a known one."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[4:8] == b"ftyp":  # MP4, MOV, M4A, HEIC
        return "mp4"
    if data.startswith(b"RIFF") and data[8:12] in (b"WAVE", b"AVI ", b"WEBP"):
        return "riff"
    return None


def not_valid(label: str) -> ImportFailed:
    return ImportFailed(
        _("The file's content is not a valid %(format)s file (is the extension right?).")
        % {"format": label}
    )


def damaged(label: str) -> ImportFailed:
    return ImportFailed(_("The %(format)s file is damaged and cannot be read.") % {"format": label})


def no_text() -> ImportFailed:
    return ImportFailed(_("The file contains no text."))


def size_text(size: int) -> str:
    return str(filesizeformat(size))


@contextmanager
def reading(label: str) -> Iterator[None]:
    """Turn any exception a library raises while reading into the "damaged" message."""
    try:
        yield
    except ImportFailed:
        raise
    except Exception as exc:
        logger.warning("Reading a %s file failed: %r", label, exc, exc_info=True)
        raise damaged(label) from exc
