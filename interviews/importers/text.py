"""The offset rule (normalise_text) and decoding of plain-text files."""

import codecs
import re

from django.utils.translation import gettext as _

from .base import ImportFailed
from .nfc import nfc

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", ""),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
# Replaced one by one, only where present: str.translate looks up every character of a
# non-ASCII text in a dict (18 ms for 5,000 words), and a regular expression scanning a
# text with an emoji costs 1 ms; `in` and str.replace take a few microseconds.
_LINE_BREAKS = ("\r", "\u2028", "\u2029", "\f", "\v", "\x85")
_DROPPED = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufeff\ud800-\udfff]")
_BLANK_RUNS = re.compile(r"\n{3,}")
# Control characters that a real text file does not contain (tab, newlines, form feed,
# DOS end-of-file and escape are tolerated).
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x19\x1c-\x1f\x7f-\x9f]")
# Non-ASCII characters other than letters that Western text in Windows-1252 uses.
_WESTERN_PUNCTUATION = set(
    "\u00a0\u201c\u201d\u2018\u2019\u2013\u2014\u2026\u20ac\u2022«»°§©®™·±\u00d7÷£¥¢¶¿¡"
)
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_ENCODING_NAMES = {"cp1252": "Windows-1252", "utf_16_le": "UTF-16", "utf_16_be": "UTF-16"}


def normalise_text(text: str) -> str:
    """Canonical form of a source text; all coding offsets count characters of this form."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n")
    for line_break in _LINE_BREAKS:
        if line_break in text:
            text = text.replace(line_break, "\n")
    # Controls go before NFC, so removing one can never leave a decomposed pair behind.
    text = nfc(_DROPPED.sub("", text))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip("\n")


def encoding_name(codec: str) -> str:
    """A readable name for a Python codec name, e.g. cp1251 -> Windows-1251."""
    name = codecs.lookup(codec).name
    if name in _ENCODING_NAMES:
        return _ENCODING_NAMES[name]
    if match := re.fullmatch(r"cp(125\d)", name):
        return f"Windows-{match.group(1)}"
    if match := re.fullmatch(r"iso8859-(\d+)", name):
        return f"ISO-8859-{match.group(1)}"
    return name.upper().replace("_", "-")


def _read_as(encoding: str) -> str:
    return _("Read as %(encoding)s.") % {"encoding": encoding}


def _looks_like_text(text: str) -> bool:
    return len(_BINARY_CONTROLS.findall(text)) <= len(text) // 1000


def _utf16_without_bom(data: bytes) -> str | None:
    """Name the byte order of BOM-less UTF-16 from where the NUL bytes fall."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2 or len(data) % 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd >= pairs * 0.3 and even <= pairs * 0.05:
        return "utf-16-le"
    if even >= pairs * 0.3 and odd <= pairs * 0.05:
        return "utf-16-be"
    return None


def _is_western(text: str) -> bool:
    """True if text read as Windows-1252 looks like Western text rather than mojibake."""
    letters = sum(1 for char in text if char.isalpha())
    foreign = 0
    for char in text:
        if ord(char) < 128:
            continue
        if char.isalpha():
            foreign += 1
        elif char not in _WESTERN_PUNCTUATION:
            return False
    return foreign <= max(letters * 0.3, 1)


def decode_text(data: bytes) -> tuple[str, tuple[str, ...]]:
    """Decode a text file, returning the text and a warning naming any encoding but UTF-8."""
    undecodable = ImportFailed(
        _("The text could not be decoded. Save it as UTF-8 and upload it again.")
    )
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                raise undecodable from None
            if not _looks_like_text(text):
                raise undecodable
            return text, (_read_as(label),) if label else ()
    # Before UTF-8: BOM-less UTF-16 of ASCII text is valid UTF-8 too, full of NULs.
    if codec := _utf16_without_bom(data):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            raise undecodable from None
        if not _looks_like_text(text):
            raise undecodable
        return text, (_read_as("UTF-16"),)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if not _looks_like_text(text):
            raise undecodable
        return text, ()
    if b"\x00" in data:
        raise undecodable
    # Mostly UTF-8 with a few broken bytes: keep the UTF-8 and say so.
    broken = data.decode("utf-8", errors="replace").count("\ufffd")
    if len(_UTF8_SEQUENCE.findall(data)) > broken:
        text = data.decode("utf-8", errors="replace")
        message = _("Some characters were not valid UTF-8 and were replaced with “�”.")
        return text, (message,)
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_like_text(text) and _is_western(text):
            return text, (_read_as("Windows-1252"),)
    from charset_normalizer import from_bytes  # only for the rare legacy encodings

    best = from_bytes(data).best()
    if best is None:
        raise undecodable
    text = str(best)
    if not _looks_like_text(text):
        raise undecodable
    return text, (_read_as(encoding_name(best.encoding)),)
