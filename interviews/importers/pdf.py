"""PDF: the text layer, as pypdf extracts it, one page after another."""

import io
import logging

from django.utils.translation import gettext as _
from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError

from .base import ImportFailed, no_text, not_valid

logger = logging.getLogger(__name__)


def _password_protected() -> ImportFailed:
    return ImportFailed(
        _("This PDF is password-protected. Remove the protection and upload it again.")
    )


def read_pdf(data: bytes) -> tuple[str, tuple[str, ...]]:
    # Readers accept up to 1 KiB of junk before the header; so do we.
    if b"%PDF-" not in data[:1024]:
        raise not_valid("PDF")
    warnings: tuple[str, ...] = ()
    try:
        # pypdf quietly tries the empty password when it opens an encrypted file.
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                raise _password_protected()
            warnings = (
                _("The PDF is protected against changes; its text was read without a password."),
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except DependencyError as exc:
        # AES encryption needs the optional "cryptography" package, which is not installed.
        logger.warning("Cannot decrypt a PDF: %s", exc)
        raise _password_protected() from exc
    if not pages:
        raise no_text()
    if not any(page.strip() for page in pages):
        raise ImportFailed(
            _(
                "This PDF has no text layer (it is probably a scanned image). "
                "Run OCR on it first, then upload it again."
            )
        )
    return "\n\n".join(page.strip("\n") for page in pages), warnings
