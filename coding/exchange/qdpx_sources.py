"""The sources of a QDPX project: texts kept verbatim, selections and their codings.

Part of qdpx_import's reader (a mixin: it shares the reader's plan and counts).
A text source's title is its name, else the file name of its plainTextPath
(``internal://board_2017.txt`` -> ``board_2017``); titles are made unique in
`unique_titles`. A source without text is kept, empty, with a warning, so that the
project's structure and counts match the other tool's.
"""

import datetime as dt
from pathlib import PurePosixPath

from django.utils.translation import gettext as _

from interviews.models import Source

from .limits import check_source_length
from .offsets import OffsetMap
from .plan import PlanCoding, PlanMemo, PlanSource
from .qdpx_export import SOURCE_VARIABLES
from .qdpx_files import SCHEMES
from .refi import kid, kid_text, kids, local, parse_guid

METADATA = {str(guid): field for field, (guid, _type, _name) in SOURCE_VARIABLES.items()}
MEDIA = {"PictureSource", "AudioSource", "VideoSource"}
RICH = {"docx", "pdf"}


def _int(text: str | None) -> int | None:
    try:
        return int((text or "").strip())
    except ValueError:
        return None


def title_from_path(path: str | None) -> str:
    """``internal://board_2017.txt`` -> ``board_2017``: a name for an unnamed source."""
    path = (path or "").strip()
    for scheme in SCHEMES:
        if path.lower().startswith(scheme):
            path = path[len(scheme) :]
    name = PurePosixPath(path.replace("\\", "/")).name
    return PurePosixPath(name).stem.strip() if name else ""


def unique_titles(sources: list[PlanSource]) -> int:
    """Give each source a title no other source has (letter case aside); returns renamed."""
    taken: set[str] = set()
    renamed = 0
    for source in sources:
        title, n = source.title[:300], 2
        while title.lower() in taken:
            suffix = f" ({n})"
            title, n = source.title[: 300 - len(suffix)] + suffix, n + 1
        renamed += title != source.title
        source.title = title
        taken.add(title.lower())
    return renamed


class SourcesMixin:
    def add_source(self, element) -> None:
        tag = local(element)
        if tag in MEDIA:
            self.counted[tag] += 1
            return
        if tag not in {"TextSource", "PDFSource"}:
            return
        holder, rich_path = element, element.get("richTextPath")
        if tag == "PDFSource":
            self.counted["pdf selections"] += len(kids(element, "PDFSelection"))
            representation = kid(element, "Representation")
            holder = representation if representation is not None else element
            rich_path = element.get("path")
        key = parse_guid(element.get("guid")) or f"source:{len(self.plan.sources)}"
        title = (element.get("name") or "").strip() or title_from_path(
            holder.get("plainTextPath") or rich_path
        )
        title = title or _("Untitled source")
        found = self.files.source_text(holder, rich_path, title)
        check_source_length(title, len(found.text))
        if not found.text.strip():
            self.plan.problems.append(
                _("%(tool)s exported no text for “%(title)s”; it was imported as an empty source.")
                % {"tool": self.origin, "title": title}
            )
        source = self.plan_source(element, key, title, tag, found)
        self.plan.sources.append(source)
        for ref in kids(element, "NoteRef"):
            self.target(ref, ("source", key))
        mapping = found.mapping
        for coding in kids(holder, "Coding"):  # a code on the whole source
            self.counted["whole"] += 1
            self.add_coding(source, coding, 0, len(source.text), None)
        for selection in kids(holder, "PlainTextSelection"):
            self.add_selection(source, selection, mapping)

    def plan_source(self, element, key: str, title: str, tag: str, found) -> PlanSource:
        suffix = PurePosixPath(found.original_name).suffix.lower().lstrip(".")
        rich = suffix in RICH and found.original is not None
        self.counted["originals"] += bool(found.original) and not rich
        default_kind = Source.Kind.DOCUMENT if tag == "PDFSource" else Source.Kind.INTERVIEW
        fmt = suffix if rich else "txt"
        source = PlanSource(
            key=key,
            title=title,
            text=found.text,
            kind=self.kinds.get(key, default_kind),
            creator_key=parse_guid(element.get("creatingUser")),
            original=found.original if rich else None,
            plain=found.plain,
            # Inside the zip the file is named by a GUID; name it after the source instead.
            original_name=title[:200]
            if title.lower().endswith(f".{fmt}")
            else f"{title[:200]}.{fmt}",
            format=fmt,
        )
        self.read_source_values(element, source)
        return source

    def read_source_values(self, element, source: PlanSource) -> None:
        for value in kids(element, "VariableValue"):
            ref = kid(value, "VariableRef")
            field = METADATA.get(parse_guid(ref.get("targetGUID") if ref is not None else "") or "")
            raw = next((c for c in value if local(c).endswith("Value")), None)
            text = ((raw.text or "") if raw is not None else "").strip()
            if field is None:
                self.counted["source variables"] += 1
            elif field != "date":
                setattr(source, field, text)
            else:
                try:
                    source.date = dt.date.fromisoformat(text[:10])
                except ValueError:
                    self.plan.problems.append(
                        _("“%(title)s”: “%(value)s” is not a date; left out.")
                        % {"title": source.title, "value": text[:40]}
                    )

    def add_selection(self, source: PlanSource, element, mapping: OffsetMap) -> None:
        start = _int(element.get("startPosition"))
        end = _int(element.get("endPosition"))
        if start is None or end is None or not (0 <= start < end <= mapping.length_in):
            self.plan.problems.append(
                _(
                    "“%(title)s”: a selection at %(start)s–%(end)s lies outside its text "
                    "(%(length)s characters) and was left out."
                )
                % {
                    "title": source.title,
                    "start": element.get("startPosition"),
                    "end": element.get("endPosition"),
                    "length": mapping.length_in,
                }
            )
            return
        start, end = mapping[start], mapping[end]
        codings = [
            made
            for coding in kids(element, "Coding")
            if (made := self.add_coding(source, coding, start, end, element))
        ]
        self.counted["empty selections"] += not kids(element, "Coding")
        anchor = ("coding", codings[0]) if codings else ("source", source.key)
        if description := kid_text(element, "Description").strip():
            passage = " ".join(source.text[start:end].split())
            self.plan.memos.append(
                PlanMemo(
                    text=description,
                    title=passage[:100],
                    author_key=parse_guid(element.get("creatingUser")),
                    target=anchor,
                )
            )
        for ref in kids(element, "NoteRef"):
            self.target(ref, anchor)
        if guid := parse_guid(element.get("guid")):
            self.selections[guid] = source.key
            self.anchors[guid] = anchor

    def add_coding(self, source: PlanSource, element, start: int, end: int, selection):
        ref = kid(element, "CodeRef")
        code_key = parse_guid(ref.get("targetGUID")) if ref is not None else None
        if code_key not in self.code_keys:
            self.plan.problems.append(
                _("“%(title)s”: a coding refers to a code that is not in the codebook; left out.")
                % {"title": source.title}
            )
            return None
        if start >= end:
            self.plan.problems.append(
                _("“%(title)s”: a coding covers no text here; left out.") % {"title": source.title}
            )
            return None
        coder = parse_guid(element.get("creatingUser"))
        if not coder and selection is not None:
            coder = parse_guid(selection.get("creatingUser"))
        if coder and coder not in self.plan.users:
            self.counted["unknown users"] += 1
            coder = None
        coding = PlanCoding(source.key, code_key, coder, start, end)
        self.plan.codings.append(coding)
        for note in kids(element, "NoteRef"):
            self.target(note, ("coding", coding))
        return coding
