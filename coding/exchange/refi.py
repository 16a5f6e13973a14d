"""What QDC and QDPX share: namespaces, GUIDs, schemas, colours and the code tree.

GUIDs. A code has its own stable `Code.guid`. Every other object gets a GUID derived
with uuid5 from KESRA_NAMESPACE and a key made of the project's key and the object's
kind and primary key, e.g. ``kesra:12:1700000000:source:34``. The project key
includes the project's creation time, so two servers with a project 12 still differ.
Exporting the same project twice gives the same GUIDs. Users are keyed by username
(``kesra:user:rina``), since they are not per project. GUIDs are written in upper
case (as ATLAS.ti and NVivo write them) and read in any case, with or without braces.
"""

import functools
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..models import Code

NS_PROJECT = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
ORIGIN = "Kesra Coord"
KESRA_NAMESPACE = uuid.UUID("6f1c2a8e-3d4b-5e7f-9a0b-1c2d3e4f5a6b")
# Ten distinct colours for codes that arrive without one (Tableau 10).
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def project_key(project) -> str:
    return f"kesra:{project.pk}:{int(project.created_at.timestamp())}"


def derived_guid(project, kind: str, *parts) -> uuid.UUID:
    return uuid.uuid5(KESRA_NAMESPACE, ":".join([project_key(project), kind, *map(str, parts)]))


def user_guid(username: str) -> uuid.UUID:
    return uuid.uuid5(KESRA_NAMESPACE, f"kesra:user:{username}")


def guid_text(value: uuid.UUID) -> str:
    return str(value).upper()


def parse_guid(text: str | None) -> str | None:
    """The canonical (lower-case, no braces) form of a GUID, or None if it is not one."""
    if not text:
        return None
    try:
        return str(uuid.UUID(text.strip().strip("{}")))
    except ValueError:
        return None


def colour(text: str | None) -> str | None:
    """#RRGGBB from #RGB or #RRGGBB (with or without '#'), in the file's letter case."""
    match = _HEX.fullmatch((text or "").strip())
    if not match:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(2 * digit for digit in digits)
    return "#" + digits


def xml_text(value) -> str:
    """Text that XML 1.0 can carry (form input may hold control characters it cannot)."""
    return _XML_INVALID.sub("", str(value))


@functools.cache
def schema(name: str) -> etree.XMLSchema:
    """Project-mrt2019.xsd or Codebook.xsd, kept next to this module."""
    path = Path(__file__).with_name(name)
    return etree.XMLSchema(etree.parse(str(path)))


# Reading elements whatever namespace (or none) a tool used.


def local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def kids(element, name: str) -> list:
    return [child for child in element if local(child) == name]


def kid(element, name: str):
    return next((child for child in element if local(child) == name), None)


def kid_text(element, name: str) -> str:
    found = kid(element, name)
    return (found.text or "") if found is not None else ""


# The code tree.


@dataclass
class ParsedCode:
    guid: str | None
    name: str
    colour: str | None
    description: str
    codable: bool
    children: list["ParsedCode"] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)


def read_codes(codes_element, *, split_dots: bool = False) -> list[ParsedCode]:
    """The tree under a <Codes> element. `split_dots` reads "A.B" as B under A (Taguette)."""

    def read(element) -> ParsedCode:
        return ParsedCode(
            guid=parse_guid(element.get("guid")),
            name=" ".join((element.get("name") or "").split()),
            colour=colour(element.get("color")),
            description=kid_text(element, "Description").strip(),
            codable=(element.get("isCodable") or "true").strip().lower() not in {"false", "0"},
            children=[read(child) for child in kids(element, "Code")],
            note_refs=[
                guid
                for ref in kids(element, "NoteRef")
                if (guid := parse_guid(ref.get("targetGUID")))
            ],
        )

    codes = [read(element) for element in kids(codes_element, "Code")]
    return _split_dotted(codes) if split_dots else codes


def _split_dotted(codes: list[ParsedCode]) -> list[ParsedCode]:
    """Turn flat "Theme.Code" names into a tree; the last part keeps the GUID."""
    roots: list[ParsedCode] = []

    def place(siblings: list[ParsedCode], parts: list[str], code: ParsedCode) -> None:
        head, rest = parts[0], parts[1:]
        found = next((c for c in siblings if c.name.lower() == head.lower()), None)
        if not rest:
            if found is None:
                siblings.append(code)
            elif found.guid is None:  # a folder made for an earlier "head.x": adopt it
                found.guid, found.colour = code.guid, code.colour
                found.description, found.codable = code.description, code.codable
            else:
                siblings.append(code)
            code.name = head
            return
        if found is None:
            found = ParsedCode(guid=None, name=head, colour=None, description="", codable=False)
            siblings.append(found)
        place(found.children, rest, code)

    for code in codes:
        parts = [part.strip() for part in code.name.split(".") if part.strip()] or [code.name]
        place(roots, parts, code)
    return roots


def build_codes(parent, ns: str, codes: list[Code], *, note_refs=None, coded=()) -> None:
    """Append <Codes> with the tree of `codes` (ordered as in the codebook) to `parent`.

    isCodable is what the file a code came from said (a folder of codes), unless the
    code has codings here (`coded`: their ids): a coded code is codable.
    """
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    for siblings in children.values():
        siblings.sort(key=lambda c: (c.order, c.name.lower()))

    def add(element, code: Code) -> None:
        node = etree.SubElement(
            element,
            f"{{{ns}}}Code",
            guid=guid_text(code.guid),
            name=xml_text(code.name),
            isCodable="true" if code.is_codable or code.pk in coded else "false",
            color=colour(code.colour) or PALETTE[0],
        )
        if code.definition.strip():
            etree.SubElement(node, f"{{{ns}}}Description").text = xml_text(code.definition)
        for note in (note_refs or {}).get(code.pk, ()):
            etree.SubElement(node, f"{{{ns}}}NoteRef", targetGUID=guid_text(note))
        for child in children.get(code.pk, ()):
            add(node, child)

    codes_element = etree.SubElement(parent, f"{{{ns}}}Codes")
    for code in children.get(None, ()):
        add(codes_element, code)


def code_guid_is_free(guid: str | None) -> bool:
    return bool(guid) and not Code.objects.filter(guid=guid).exists()
