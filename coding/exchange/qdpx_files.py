"""Finding and reading the files inside a QDPX zip, however a tool named them."""

from collections import defaultdict
from pathlib import PurePosixPath
from urllib.parse import unquote

from django.utils.translation import gettext as _

from interviews.importers import ImportFailed, extract_text
from interviews.importers.text import decode_text

from .plan import ProjectPlan
from .refi import kid
from .safety import ExchangeError, read_member

SCHEMES = ("internal://", "relative://", "absolute://", "file://")


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

    def source_text(self, holder, rich_path, title: str) -> tuple[str | None, bytes | None, str]:
        """(raw text, original file, its name) of a text source or a PDF's representation.

        The plain text comes from PlainTextContent or plainTextPath; if that is missing
        or empty, from the rich file (docx/pdf), with a warning that positions may not
        match. None if there is no text at all (reported).
        """
        rich, rich_name = self.read(rich_path)
        content = kid(holder, "PlainTextContent")
        if content is not None and (content.text or "").strip():
            return content.text, rich, rich_name
        data, _name = self.read(holder.get("plainTextPath"))
        if data:
            try:
                text, warnings = decode_text(data)
            except ImportFailed as error:
                text, warnings = "", ()
                self.plan.problems.append(f"“{title}”: {error.message}")
            if text.strip():
                self.plan.notes.extend(f"“{title}”: {warning}" for warning in warnings)
                return text, rich, rich_name
        if rich:
            try:
                extracted = extract_text(rich_name, rich)
            except ImportFailed as error:
                self.plan.problems.append(
                    _("“%(title)s”: no plain text, and its original file cannot be read: %(error)s")
                    % {"title": title, "error": error.message}
                )
                return None, None, ""
            self.plan.problems.append(
                _(
                    "“%(title)s”: the plain text is missing, so the text was taken from %(file)s. "
                    "Positions of its codings may not match; check them."
                )
                % {"title": title, "file": rich_name}
            )
            return extracted.text, rich, rich_name
        self.plan.problems.append(
            _("“%(title)s” has no text in the file and was left out.") % {"title": title}
        )
        return None, None, ""

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
