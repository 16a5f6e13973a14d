"""The coded passages of a QDPX export, written as XML text rather than lxml elements.

A large project has tens of thousands of codings: as elements (with a uuid5 object,
a cleaned attribute dict and a tree node for each Coding and CodeRef) they were
three quarters of the export's time. Here each source's PlainTextSelections are one
string; the exporter leaves a marker element where they belong (before the
source's NoteRefs and VariableValues, as the schema wants), and `splice` puts the
text in its place in the serialised document. Every value written here is one we
generate (GUIDs, positions, timestamps) except the selection's name, which is
cleaned and escaped like any attribute lxml writes.
"""

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from itertools import groupby
from typing import NamedTuple

from .refi import KESRA_NAMESPACE, project_key, xml_text

SPLICE = "KesraSelections"  # the marker element's name; never a REFI-QDA element
_MARKER = f"<{SPLICE}/>".encode()
_ZERO = dt.timedelta(0)
# uuid5's variant bits: the first hex digit of the fourth group becomes 8, 9, A or B.
_VARIANT = {f"{n:X}": f"{(n & 0x3) | 0x8:X}" for n in range(16)}


class CodingRow(NamedTuple):
    pk: int
    source_id: int
    code_id: int
    coder_id: int
    start: int
    end: int
    created_at: dt.datetime


def timestamp(value: dt.datetime) -> str:
    """REFI-QDA's UTC time, to the second: 2026-11-27T08:30:00Z."""
    if value.utcoffset() != _ZERO:
        value = value.astimezone(dt.UTC)
    # isoformat, not strftime: the same text, several times faster (one per coding);
    # its first 19 characters leave out the offset (+00:00) when there is one.
    return value.isoformat(timespec="seconds")[:19] + "Z"


class GuidTexts:
    """`guid_text(derived_guid(project, kind, *parts))`, without a UUID object each time.

    uuid5 is SHA-1 of the namespace and the name, cut to 16 bytes, with the version
    and variant bits set; the project's part of the name is hashed once.
    """

    def __init__(self, project):
        self._base = hashlib.sha1(  # noqa: S324 - uuid5 is SHA-1 by definition
            KESRA_NAMESPACE.bytes + f"{project_key(project)}:".encode()
        )

    def __call__(self, kind: str, *parts) -> str:
        return self.finish(self._base, ":".join([kind, *map(str, parts)]))

    def prefixed(self, *parts) -> Callable[[str], str]:
        """The GUID text of (*parts, rest) for each `rest`, the parts hashed once."""
        base = self._base.copy()
        base.update(":".join([*map(str, parts), ""]).encode())
        return lambda rest: self.finish(base, rest)

    @staticmethod
    def finish(base, rest: str) -> str:
        digest = base.copy()
        digest.update(rest.encode())
        h = digest.hexdigest().upper()
        return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


def _attribute(value: str) -> str:
    return (
        xml_text(value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def selections_xml(
    source,
    codings: Sequence[CodingRow],
    *,
    guids: GuidTexts,
    positions,
    user_ref: Callable[[int], str | None],
    code_guids: dict[int, str],
    coding_notes: dict[int, list[str]],
) -> str:
    """One PlainTextSelection per coded span of `source`, holding a Coding per coding.

    `codings` come sorted by (start, end, pk); positions are mapped back to the
    file's text with `positions`; `user_ref(coder_id)` gives a coder's GUID text.
    """
    text = source.text
    stamps: dict[dt.datetime, str] = {}
    users: dict[int, str] = {}
    # A text that goes out as it is stored (most) needs no mapping of its positions.
    same = len(positions) <= 1 and positions.length_in == positions.length_out
    back = int if same else positions.back
    selection_guid = guids.prefixed("selection", source.pk)
    coding_guid = guids.prefixed("coding")
    out = []
    for (start, end), group in groupby(codings, key=lambda c: (c.start, c.end)):
        span = list(group)
        first = span[0] if len(span) == 1 else min(span, key=lambda c: (c.created_at, c.pk))
        for coding in span:
            if coding.created_at not in stamps:
                stamps[coding.created_at] = timestamp(coding.created_at)
            if coding.coder_id not in users:
                user = user_ref(coding.coder_id)
                users[coding.coder_id] = f' creatingUser="{user}"' if user else ""
        passage = " ".join(text[start:end].split())
        name = passage[:100] + ("…" if len(passage) > 100 else "")
        out.append(
            f'<PlainTextSelection guid="{selection_guid(f"{start}:{end}")}"'
            + (f' name="{_attribute(name)}"' if name else "")
            + f' startPosition="{back(start)}" endPosition="{back(end)}"'
            f'{users[first.coder_id]} creationDateTime="{stamps[first.created_at]}">'
        )
        for coding in span:
            out.append(
                f'<Coding guid="{coding_guid(str(coding.pk))}"{users[coding.coder_id]}'
                f' creationDateTime="{stamps[coding.created_at]}">'
                f'<CodeRef targetGUID="{code_guids[coding.code_id]}"/>'
            )
            out.extend(
                f'<NoteRef targetGUID="{note}"/>' for note in coding_notes.get(coding.pk, ())
            )
            out.append("</Coding>")
        out.append("</PlainTextSelection>\n")
    return "".join(out)


def splice(document: bytes, selections: list[str]) -> bytes:
    """The serialised document with each marker replaced by its source's selections."""
    parts = document.split(_MARKER)
    if len(parts) != len(selections) + 1:
        raise ValueError("the QDPX document's selection markers do not match its sources")
    out = [parts[0]]
    for block, rest in zip(selections, parts[1:], strict=True):
        out += [block.encode(), rest]
    return b"".join(out)
