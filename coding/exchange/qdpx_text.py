"""A QDPX source's text, kept exactly as the other tool wrote it.

Another tool's positions count code points of its own .txt file, so that text is
kept verbatim: decoded from UTF-8 (a byte-order mark is not text: .NET readers,
which NVivo, ATLAS.ti and MAXQDA use, drop it before counting), and nothing else
but what the database and the coding page need:

- ``\\r\\n`` becomes ``\\n`` (the page cuts paragraphs at ``\\n``) and a lone ``\\r``
  becomes ``\\n``; NUL is dropped (PostgreSQL cannot store it). Positions go through
  `stored_text`'s map, and an export maps them back (`OffsetMap.back`) and writes
  the file's own bytes, so export -> import -> export gives the same .txt and the
  same positions. (A position between ``\\r`` and ``\\n`` comes back before ``\\r``.)

Uploaded files (docx, pdf, ...) keep the canonical form of normalise_text.
"""

import re
from dataclasses import dataclass

from interviews.importers.text import decode_text

from .offsets import OffsetMap

_STORED_EDITS = re.compile(r"[\r\x00]")


def stored_text(raw: str) -> tuple[str, OffsetMap]:
    """The text as stored here, and where each position of `raw` lands in it."""
    mapping, position = OffsetMap(), 0
    for match in _STORED_EDITS.finditer(raw):
        index = match.start()
        if raw[index] == "\r" and not raw.startswith("\n", index + 1):
            continue  # a lone \r becomes \n in place
        mapping.keep(index - position)
        mapping.add(1, 0)
        position = index + 1
    mapping.keep(len(raw) - position)
    return raw.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", ""), mapping


@dataclass(frozen=True)
class Decoded:
    text: str  # the text the file's positions count
    utf8: bool  # the file is UTF-8 (with or without a byte-order mark)
    warnings: tuple[str, ...] = ()


def decode_verbatim(data: bytes) -> Decoded:
    """Decode a QDPX .txt; not UTF-8 is read as the encoding it appears to be (warned)."""
    try:
        return Decoded(data.decode("utf-8-sig"), utf8=True)
    except UnicodeDecodeError:
        pass
    text, warnings = decode_text(data)  # raises ImportFailed if it cannot be read at all
    return Decoded(text.removeprefix("\ufeff"), utf8=False, warnings=warnings)
