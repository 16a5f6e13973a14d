"""Finding and reading the files inside a QDPX zip, however a tool named them."""

from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote

from django.utils.translation import gettext as _

from interviews.importers import ImportFailed, extract_text
from interviews.importers.base import no_text
from interviews.importers.text import decode_text

from .offsets import OffsetMap
from .plan import ProjectPlan
from .qdpx_text import decode_verbatim, stored_text
from .refi import kid
from .safety import ExchangeError, read_member

SCHEMES = ("internal://", "relative://", "absolute://", "file://")


@dataclass(frozen=True)
class FoundText:
    text: str  # as stored here: the file's own (qdpx_text.py), or extracted, canonical
    mapping: OffsetMap  # the file's positions -> positions of `text`
    plain: bytes | None  # the file's .txt, where `text` in UTF-8 differs from it
    original: bytes | None  # the rich file (docx, pdf)
    original_name: str


def _verbatim(raw: str, data: bytes | None, rich, rich_name: str) -> FoundText:
    text, mapping = stored_text(raw)
    plain = data if data is not None and text.encode("utf-8") != data else None
    return FoundText(text, mapping, plain, rich, rich_name)


class ZipFiles:
    def __init__(self, archive, plan: ProjectPlan):
        self.archive = archive
        self.plan = plan
        self.members = {
            info.filename.replace("\\", "/").lower(): info
            for info in archive.infolist()
            if not info.is_dir()
        }
        self.by_name: dict[str, list] = defaultdict(list)
        for name, info in self.members.items():
            self.by_name[PurePosixPath(name).name].append(info)

    def project_qde(self) -> bytes:
        member = self.members.get("project.qde")
        if member is None:
            candidates = [info for name, info in self.members.items() if name.endswith(".qde")]
            if len(candidates) != 1:
                raise ExchangeError(
                    _("The QDPX file contains no project.qde, so it is not a REFI-QDA project.")
                )
            member = candidates[0]
        return read_member(self.archive, member)

    def find(self, path: str | None):
        """The member a path attribute points to: internal://, a bare name, or any path."""
        path = (path or "").strip()
        if not path:
            return None
        for scheme in SCHEMES:
            if path.lower().startswith(scheme):
                path = path[len(scheme) :]
                break
        for candidate in dict.fromkeys([path, unquote(path)]):
            candidate = candidate.replace("\\", "/").lstrip("/").lower()
            for name in (candidate, f"sources/{candidate}"):
                if name in self.members:
                    return self.members[name]
            matches = self.by_name.get(PurePosixPath(candidate).name, [])
            inside = [m for m in matches if m.filename.lower().startswith("sources/")]
            if inside or matches:
                return (inside or matches)[0]
        return None

    def read(self, path: str | None) -> tuple[bytes | None, str]:
        member = self.find(path)
        if member is None:
            return None, ""
        return read_member(self.archive, member), PurePosixPath(member.filename).name

    def source_text(self, holder, rich_path, title: str) -> "FoundText":
        """The text of a text source or a PDF's representation, kept verbatim.

        The plain text comes from PlainTextContent or plainTextPath. If that is
        missing or blank, the text is taken from the rich file (docx/pdf), in our
        canonical form, with a warning that positions may not match; if there is no
        text at all, the source is empty.
        """
        rich, rich_name = self.read(rich_path)
        content = kid(holder, "PlainTextContent")
        if content is not None and (content.text or "").strip():
            return _verbatim(content.text, None, rich, rich_name)
        data, _name = self.read(holder.get("plainTextPath"))
        blank = ""
        if data is not None:
            try:
                decoded = decode_verbatim(data)
            except ImportFailed as error:
                self.plan.problems.append(f"“{title}”: {error.message}")
            else:
                self.plan.notes.extend(f"“{title}”: {warning}" for warning in decoded.warnings)
                if decoded.text.strip() or not rich:
                    return _verbatim(decoded.text, data, rich, rich_name)
                blank = decoded.text
        if not rich:
            return _verbatim(blank, None, None, "")
        try:
            extracted = extract_text(rich_name, rich)
        except ImportFailed as error:
            if error.message != no_text().message:  # an empty document is not damaged
                self.plan.problems.append(
                    _("“%(title)s”: no plain text, and its original file cannot be read: %(error)s")
                    % {"title": title, "error": error.message}
                )
            return _verbatim(blank, data, rich, rich_name)
        self.plan.problems.append(
            _(
                "“%(title)s”: the plain text is missing, so the text was taken from %(file)s. "
                "Positions of its codings may not match; check them."
            )
            % {"title": title, "file": rich_name}
        )
        mapping = OffsetMap()
        mapping.keep(len(extracted.text))
        return FoundText(extracted.text, mapping, None, rich, rich_name)

    def note_text(self, note) -> str:
        content = kid(note, "PlainTextContent")
        if content is not None and content.text:
            return content.text
        data, _name = self.read(note.get("plainTextPath"))
        if not data:
            return ""
        try:
            return decode_text(data)[0]
        except ImportFailed:
            return ""
