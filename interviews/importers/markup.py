"""HTML (through BeautifulSoup's html.parser) and RTF (through striprtf)."""

import codecs
import re

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString
from striprtf.striprtf import rtf_to_text

from .base import not_valid, sniff
from .text import decode_text

_DROPPED = {
    "script", "style", "template", "noscript", "head", "title", "iframe", "object",
    "embed", "svg", "math", "canvas", "audio", "video", "select", "button",
}  # fmt: skip
_BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd",
    "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
    "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend",
    "li", "main", "nav", "ol", "p", "section", "summary", "table", "tbody", "tfoot",
    "thead", "ul",
}  # fmt: skip
_HTML_SPACE = "\t\n\r\f"  # and the space itself; never U+00A0 (no-break space)
_DOCTYPE = re.compile(r"<!doctype", re.IGNORECASE)
# A doctype with an internal subset, `<!DOCTYPE html [ <!ENTITY …> ]>`: html.parser ends the
# doctype at its first ">", and the rest (`]>`) would become text. Quoted strings and
# comments inside the subset may hold "]" and ">"; each alternative below starts with its
# own character and matches one way only, so a failed match costs one pass, no more.
_INTERNAL_SUBSET = re.compile(
    r"""<!doctype[^\[>]*\[(?:"[^"]*"|'[^']*'|<!--(?:(?!-->).)*-->|<(?!!--)|[^\]"'<])*\]\s*>""",
    re.IGNORECASE | re.DOTALL,
)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def _squeeze(text: str) -> str:
    """Runs of spaces as one space. str.replace, not a regular expression: over a text
    with an emoji in it (held as UCS-4) a pattern costs several times more."""
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def _html_spaces(text: str) -> str:
    """HTML's white space (space, tab, line ends, form feed) as single spaces."""
    for space in _HTML_SPACE:
        if space in text:
            text = text.replace(space, " ")
    return _squeeze(text)


class _Paragraphs:
    """Collects inline text and closes a paragraph at each block boundary."""

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.inline: list[str] = []

    def close(self) -> None:
        lines = "".join(self.inline).split("\n")
        self.inline = []
        text = "\n".join(_squeeze(line).strip(" ") for line in lines).strip("\n")
        if text.strip():
            self.paragraphs.append(text)

    def add(self, paragraph: str) -> None:
        self.close()
        if paragraph.strip():
            self.paragraphs.append(paragraph)

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, PreformattedString):  # comments, doctype, CDATA
                continue
            if isinstance(child, NavigableString):
                self.inline.append(_html_spaces(str(child)))
            elif not isinstance(child, Tag) or child.name in _DROPPED:
                continue
            elif child.name == "br":
                self.inline.append("\n")
            elif child.name == "pre":
                self.add(child.get_text().removeprefix("\n"))
            elif child.name == "tr":
                self.add(
                    " | ".join(
                        _render(cell, "\n")
                        for cell in child.find_all(["td", "th"], recursive=False)
                    )
                )
            elif child.name in _BLOCKS:
                self.close()
                self.walk(child)
                self.close()
            else:
                self.walk(child)


def _render(node: Tag, separator: str = "\n\n") -> str:
    paragraphs = _Paragraphs()
    paragraphs.walk(node)
    paragraphs.close()
    return separator.join(paragraphs.paragraphs)


def _decode_html(data: bytes) -> tuple[str, tuple[str, ...]]:
    """Honour a declared <meta charset> (read the WHATWG way); otherwise detect like .txt."""
    match = _META_CHARSET.search(data[:4096])
    if match and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            codec = codecs.lookup(match.group(1).decode("ascii")).name
        except LookupError:
            codec = ""
        if codec in ("latin-1", "iso8859-1", "ascii"):
            codec = "cp1252"
        if codec and not codec.startswith(("utf-16", "utf-32", "utf-8")):
            try:
                return data.decode(codec), ()
            except (UnicodeDecodeError, LookupError):  # LookupError: not a text codec (hex)
                pass
    return decode_text(data)


def _drop_internal_subset(text: str) -> str:
    """Remove the first doctype if it carries an internal subset; its entities stay unexpanded."""
    found = _DOCTYPE.search(text)
    if found is None:
        return text
    subset = _INTERNAL_SUBSET.match(text, found.start())
    if subset is None:
        return text
    return text[: subset.start()] + text[subset.end() :]


def read_html(data: bytes) -> tuple[str, tuple[str, ...]]:
    if sniff(data):
        raise not_valid("HTML")
    text, warnings = _decode_html(data)
    text = _drop_internal_subset(text)
    soup = BeautifulSoup(text, "html.parser")
    return _render(soup), warnings


# striprtf writes a newline for both \par and \line, and "|" for the end of a table cell.
# Mark \line as U+2028 and cell ends as U+E000 first, so that each \par can become a
# paragraph break, each \line a line break and each table row a paragraph "a | b".
_RTF_LINE = re.compile(r"(?<!\\)\\line(?![A-Za-z]) ?")
_RTF_CELL = re.compile(r"(?<!\\)\\(?:nest)?cell(?![A-Za-z]) ?")
_CELL = "\ue000"


def _row(line: str) -> str:
    if _CELL not in line:
        return line
    cells = [cell.strip() for cell in line.split(_CELL)]
    return " | ".join(cells[:-1] if cells[-1] == "" else cells)


def read_rtf(data: bytes) -> str:
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        raise not_valid("RTF")
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError:
        source = data.decode("cp1252", errors="replace")
    source = _RTF_CELL.sub(r"\\u57344?", _RTF_LINE.sub(r"\\u8232?", source))
    text = rtf_to_text(source, errors="replace")
    # \u escapes outside the BMP come as surrogate pairs; join them into characters.
    text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n\n".join(_row(line) for line in lines).replace("\u2028", "\n")
