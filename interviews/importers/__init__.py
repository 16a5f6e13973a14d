"""Text importers: turn an uploaded file into the canonical text that coding offsets refer to.

`extract_text` checks the extension, the size and the content, reads the file with the
library of its format and returns the text in the form `normalise_text` gives it.
Every failure is an `ImportFailed` with a translated message for the researcher.
"""

from pathlib import PurePath

from django.utils.translation import gettext as _

from .base import (
    Extracted,
    ImportFailed,
    check_source_length,
    max_source_chars,
    max_upload_bytes,
    max_upload_total_bytes,
    no_text,
    not_valid,
    reading,
    size_text,
    sniff,
)
from .text import decode_text, normalise_text

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "Extracted",
    "ImportFailed",
    "check_source_length",
    "extract_text",
    "max_source_chars",
    "max_upload_bytes",
    "max_upload_total_bytes",
    "normalise_text",
]

SUPPORTED_EXTENSIONS: tuple[str, ...] = (
    ".txt", ".md", ".docx", ".odt", ".pdf", ".html", ".htm", ".rtf", ".vtt", ".srt",
)  # fmt: skip

# extension -> (format, label used in messages)
_FORMATS = {
    ".txt": ("txt", "TXT"),
    ".md": ("md", "Markdown"),
    ".docx": ("docx", "DOCX"),
    ".odt": ("odt", "ODT"),
    ".pdf": ("pdf", "PDF"),
    ".html": ("html", "HTML"),
    ".htm": ("html", "HTML"),
    ".rtf": ("rtf", "RTF"),
    ".vtt": ("vtt", "WebVTT"),
    ".srt": ("srt", "SRT"),
}


def _read_plain(data: bytes, label: str) -> tuple[str, tuple[str, ...]]:
    if sniff(data):
        raise not_valid(label)
    return decode_text(data)


def _read(fmt: str, label: str, data: bytes) -> tuple[str, tuple[str, ...]]:
    # Each reader's library is imported when a file of its format arrives: together they
    # (pypdf, python-docx, odfpy, Beautiful Soup…) weigh some 25 MiB in every worker.
    match fmt:
        case "txt" | "md":
            return _read_plain(data, label)
        case "docx":
            from .office import read_docx

            return read_docx(data), ()
        case "odt":
            from .office import read_odt

            return read_odt(data), ()
        case "pdf":
            from .pdf import read_pdf

            return read_pdf(data)
        case "html":
            from .markup import read_html

            return read_html(data)
        case "rtf":
            from .markup import read_rtf

            return read_rtf(data), ()
        case _:
            from .subtitles import read_subtitles

            return read_subtitles(data, fmt)


def extract_text(filename: str, data: bytes) -> Extracted:
    """Read an uploaded file; raise ImportFailed with a message for the user if it cannot be."""
    extension = PurePath(filename).suffix.lower()
    supported = ", ".join(SUPPORTED_EXTENSIONS)
    if not extension:
        raise ImportFailed(
            _("Files without an extension cannot be imported. Supported: %(supported)s.")
            % {"supported": supported}
        )
    if extension not in _FORMATS:
        raise ImportFailed(
            _("Files of type %(ext)s cannot be imported. Supported: %(supported)s.")
            % {"ext": extension, "supported": supported}
        )
    if not data:
        raise ImportFailed(_("The file is empty."))
    limit = max_upload_bytes()
    if len(data) > limit:
        raise ImportFailed(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": size_text(len(data)), "limit": size_text(limit)}
        )
    fmt, label = _FORMATS[extension]
    with reading(label):
        raw, warnings = _read(fmt, label, data)
        text = normalise_text(raw)
    if not text:
        raise no_text()
    check_source_length(text)
    return Extracted(text=text, format=fmt, warnings=warnings)
