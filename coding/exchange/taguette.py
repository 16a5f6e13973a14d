"""Read a Taguette project export (project.sqlite3, "Export project") into a ProjectPlan.

Taguette keeps each document as sanitised HTML (documents.contents). A highlight's
start_offset/end_offset count UTF-8 bytes of the document's text with the HTML tags
skipped: the concatenated text nodes, as taguette/extract.py (find_pos, split_utf8)
and the browser code (describePos, lengthUTF8) count them. An offset inside a
multi-byte character moves past it, as split_utf8 does. We render the HTML as text
(a blank line between blocks, collapsed white space), normalise it like any source,
and carry each offset through both steps. Every passage is checked against the
snippet Taguette stored with the highlight (tags stripped, white space ignored).

Tags are codes; their path ("Theme.Code") becomes the code tree. Highlights become
codings by the member who made them (from Taguette's command log) when an account
with that username exists here, else by the person importing. Taguette's exports
rename every member to "admin", so that is usually the only name there is.

The file is opened from memory (sqlite3 deserialize), read-only, in defensive mode,
with untrusted schema features off and a step budget, and only ever SELECTed from.
"""

import bisect
import json
import re
import sqlite3
import unicodedata

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .offsets import normalise_with_map
from .plan import PlanCode, PlanCoding, PlanMemo, PlanSource, PlanUser, ProjectPlan
from .safety import ExchangeError, check_size

TABLES = ("projects", "documents", "tags", "highlights", "highlight_tags")
MAX_STEPS = 50_000_000  # SQLite virtual-machine steps, about a few seconds of work
_BLOCKS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "blockquote", "pre", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
    "caption", "div", "colgroup", "col", "hr",
}  # fmt: skip
_SPACE = " \t\n\r\f"


class _Renderer:
    """HTML to readable text, remembering where each character of Taguette's text went."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.length = 0
        self.raw: list[str] = []  # Taguette's text: the text nodes, concatenated
        self.where: list[int] = []  # for each raw character, its index in out (or the next)

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.length += len(text)

    def block(self) -> None:
        if self.out:
            self.emit("\n\n")

    def text(self, node: str, *, pre: bool) -> None:
        for character in node:
            self.raw.append(character)
            self.where.append(self.length)
            if pre or character not in _SPACE:
                self.emit(character)
            elif self.out and self.out[-1][-1:] not in (" ", "\n"):
                self.emit(" ")

    def walk(self, node: Tag, pre: bool = False) -> None:
        for child in node.children:
            if isinstance(child, PreformattedString):  # comments, doctype: not text
                continue
            if isinstance(child, NavigableString):
                text = str(child)
                if node.name == "pre" and child is node.contents[0] and text.startswith("\n"):
                    # html5lib (Taguette's parser) drops a newline right after <pre>.
                    text = text[1:]
                self.text(text, pre=pre)
            elif isinstance(child, Tag):
                if child.name == "br":
                    self.emit("\n")
                elif child.name in _BLOCKS:
                    self.block()
                    self.walk(child, pre or child.name == "pre")
                    self.block()
                else:
                    self.walk(child, pre)


class DocumentText:
    """A Taguette document's text in our canonical form, with its offset conversion."""

    def __init__(self, html: str):
        renderer = _Renderer()
        renderer.walk(BeautifulSoup(html, "html.parser"))
        rendered = "".join(renderer.out)
        self.text, mapping = normalise_with_map(rendered)
        renderer.where.append(len(rendered))
        self._final = [mapping[index] for index in renderer.where]
        self._bytes = [0]
        for character in renderer.raw:
            self._bytes.append(self._bytes[-1] + len(character.encode("utf-8")))

    def position(self, byte_offset: int) -> int | None:
        """Our code-point offset for a Taguette byte offset (None beyond the end)."""
        if byte_offset < 0 or byte_offset > self._bytes[-1]:
            return None
        return self._final[bisect.bisect_left(self._bytes, byte_offset)]


def snippet_text(snippet: str) -> str:
    return BeautifulSoup(snippet, "html.parser").get_text()


def same_passage(passage: str, snippet: str) -> bool:
    """Taguette's snippet and our passage hold the same characters, white space aside."""
    theirs = "".join(unicodedata.normalize("NFC", snippet_text(snippet)).split())
    return theirs == "".join(passage.split())


def _connect(data: bytes) -> sqlite3.Connection:
    check_size(len(data))
    if not data.startswith(b"SQLite format 3\x00"):
        raise ExchangeError(
            _("This is not a Taguette project file (Taguette exports one as project.sqlite3).")
        )
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(data)
        connection.setconfig(sqlite3.SQLITE_DBCONFIG_DEFENSIVE, True)
        connection.execute("PRAGMA trusted_schema = OFF")
        connection.execute("PRAGMA query_only = ON")
        steps = iter(range(MAX_STEPS // 1000))
        connection.set_progress_handler(lambda: next(steps, None) is None, 1000)
        kinds = dict(connection.execute("SELECT name, type FROM sqlite_master"))
    except sqlite3.DatabaseError:
        connection.close()
        raise ExchangeError(_("The Taguette file is damaged and cannot be read.")) from None
    missing = [table for table in TABLES if kinds.get(table) != "table"]
    if missing:
        connection.close()
        raise ExchangeError(
            _("This SQLite file is not a Taguette project: it has no %(tables)s table.")
            % {"tables": ", ".join(missing)}
        )
    return connection


def _rows(connection, sql: str, *params):
    try:
        return connection.execute(sql, params).fetchall()
    except sqlite3.DatabaseError:
        raise ExchangeError(_("The Taguette file is damaged and cannot be read.")) from None


def _coders(connection, kinds: set[str]) -> tuple[dict[int, str], list[str]]:
    """Who made each highlight (from the command log), and the project's members."""
    members: list[str] = []
    if "project_members" in kinds:
        members = [row[0] for row in _rows(connection, "SELECT user_login FROM project_members")]
    made_by: dict[int, str] = {}
    if "commands" in kinds:
        for login, payload in _rows(
            connection, "SELECT user_login, payload FROM commands ORDER BY id"
        ):
            try:
                data = json.loads(payload) if len(payload or "") < 100_000 else {}
            except (TypeError, ValueError):
                continue
            if isinstance(data, dict) and data.get("type") == "highlight_add":
                highlight = data.get("highlight_id")
                if isinstance(highlight, int) and isinstance(login, str):
                    made_by.setdefault(highlight, login)
    return made_by, members


def _codes(plan: ProjectPlan, tags) -> dict[int, str]:
    """Codes from tag paths; returns tag id -> code key."""
    keys: dict[tuple[str, ...], str] = {}
    by_tag: dict[int, str] = {}
    for tag_id, path, description in tags:
        parts = tuple(part.strip() for part in (path or "").split(".") if part.strip())
        parts = parts or (path or _("(unnamed)"),)
        for depth in range(1, len(parts) + 1):
            prefix = tuple(part.lower() for part in parts[:depth])
            if prefix not in keys:
                keys[prefix] = f"tag:{'.'.join(prefix)}"
                parent = keys.get(prefix[:-1]) if depth > 1 else None
                plan.codes.append(
                    PlanCode(key=keys[prefix], name=parts[depth - 1], parent_key=parent)
                )
        key = keys[tuple(part.lower() for part in parts)]
        code = next(c for c in plan.codes if c.key == key)
        if description and not code.definition:
            code.definition = description.strip()
        by_tag[tag_id] = key
    return by_tag


def read_taguette(data: bytes) -> ProjectPlan:
    """Read a Taguette project export; raises ExchangeError if it cannot be read at all."""
    connection = _connect(data)
    try:
        return _read(connection)
    finally:
        connection.close()


def _read(connection) -> ProjectPlan:
    kinds = {row[0] for row in _rows(connection, "SELECT name FROM sqlite_master")}
    projects = _rows(connection, "SELECT id, name, description FROM projects ORDER BY id")
    if len(projects) != 1:
        raise ExchangeError(
            _(
                "The file holds %(n)s projects. Export a single project from Taguette "
                "(Project → Export project) and import that file."
            )
            % {"n": len(projects)}
        )
    project_id, name, description = projects[0]
    plan = ProjectPlan(name=name or "", description=description or "")
    tags = _rows(
        connection,
        "SELECT id, path, description FROM tags WHERE project_id = ? ORDER BY id",
        project_id,
    )
    code_of_tag = _codes(plan, tags)
    made_by, members = _coders(connection, kinds)
    for login in members:
        plan.users[f"taguette:{login}"] = PlanUser(
            key=f"taguette:{login}", name=login, username_hint=login, create_missing=False
        )
    tags_of: dict[int, list[int]] = {}
    for highlight_id, tag_id in _rows(
        connection, "SELECT highlight_id, tag_id FROM highlight_tags"
    ):
        tags_of.setdefault(highlight_id, []).append(tag_id)

    untagged = 0
    documents = _rows(
        connection,
        "SELECT id, name, description, filename, text_direction, contents FROM documents "
        "WHERE project_id = ? ORDER BY id",
        project_id,
    )
    for document_id, title, doc_description, filename, direction, contents in documents:
        document = DocumentText(contents or "")
        title = title or filename or _("Untitled source")
        if not any(character.isalnum() for character in document.text):
            plan.problems.append(_("“%(title)s” has no text and was left out.") % {"title": title})
            continue
        key = f"document:{document_id}"
        plan.sources.append(
            PlanSource(
                key=key,
                title=title,
                text=document.text,
                original_name=filename or "",
                format="html",
            )
        )
        if (doc_description or "").strip():
            plan.memos.append(
                PlanMemo(
                    text=doc_description.strip(), title=_("Description"), target=("source", key)
                )
            )
        if direction == "RIGHT_TO_LEFT":
            plan.not_carried.append(
                _("“%(title)s”: the right-to-left text direction (the text itself is kept).")
                % {"title": title}
            )
        for highlight_id, start, end, snippet in _rows(
            connection,
            "SELECT id, start_offset, end_offset, snippet FROM highlights "
            "WHERE document_id = ? ORDER BY start_offset, id",
            document_id,
        ):
            ours = (document.position(start), document.position(end))
            if None in ours or ours[0] >= ours[1]:
                plan.problems.append(
                    _(
                        "“%(title)s”: a highlight at bytes %(start)s–%(end)s lies outside "
                        "its text; left out."
                    )
                    % {"title": title, "start": start, "end": end}
                )
                continue
            if not same_passage(document.text[ours[0] : ours[1]], snippet or ""):
                plan.problems.append(
                    _(
                        "“%(title)s”: the highlight “%(snippet)s” does not match the text "
                        "at its place; left out."
                    )
                    % {"title": title, "snippet": snippet_text(snippet or "")[:80]}
                )
                continue
            tag_ids = [tag for tag in tags_of.get(highlight_id, []) if tag in code_of_tag]
            if not tag_ids:
                untagged += 1
            login = made_by.get(highlight_id)
            coder = f"taguette:{login}" if login and f"taguette:{login}" in plan.users else None
            for tag in tag_ids:
                plan.codings.append(PlanCoding(key, code_of_tag[tag], coder, *ours))
    if untagged:
        plan.not_carried.append(
            ngettext(
                "%(n)s highlight without a tag (a coding needs a code).",
                "%(n)s highlights without a tag (a coding needs a code).",
                untagged,
            )
            % {"n": untagged}
        )
    used = {coding.coder_key for coding in plan.codings}
    plan.users = {key: user for key, user in plan.users.items() if key in used}
    plan.notes.append(
        _(
            "Taguette does not sort documents into interviews, observations or documents: "
            "all are imported as interviews; change their kind on each source's page."
        )
    )
    if re.search(r"\S", "".join(d[2] or "" for d in documents)):
        plan.notes.append(_("Document descriptions became memos on their sources."))
    return plan
