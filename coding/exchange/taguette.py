"""Read a Taguette project export (project.sqlite3, "Export project") into a ProjectPlan.

Taguette keeps each document as sanitised HTML (documents.contents). A highlight's
start_offset/end_offset count UTF-8 bytes of the document's text with the HTML tags
skipped: the concatenated text nodes, as taguette/extract.py (find_pos, split_utf8)
and the browser code (describePos, lengthUTF8) count them. An offset inside a
multi-byte character moves past it, as split_utf8 does. We render the HTML as text
(a blank line between blocks, collapsed white space), normalise it like any source,
and carry each offset through the three steps (offsets.py: runs, not a list per
character). Every passage is checked against the snippet Taguette stored with the
highlight (tags stripped, white space ignored).

The HTML is read by a streaming parser (html.parser), never built into a tree: its
memory is the text, and a document nested deeper than MAX_DEPTH (Taguette writes
nothing like it; 50,000 <div> once ran the old reader out of stack) is refused.

Tags are codes; their path ("Theme.Code") becomes the code tree. Members who made
highlights (from Taguette's command log) become placeholder coders of the new
project; highlights without a known maker go to the person importing.

The file is opened from memory (sqlite3 deserialize), read-only, in defensive mode,
with untrusted schema features off and a step budget, and only ever SELECTed from.
"""

import json
import re
import sqlite3
from html.parser import HTMLParser

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .limits import check_source_count, check_source_length
from .offsets import Chain, OffsetMap, nfc, normalise_with_map, utf8_positions
from .plan import PlanCode, PlanCoding, PlanMemo, PlanSource, PlanUser, ProjectPlan
from .safety import ExchangeError, check_size

TABLES = ("projects", "documents", "tags", "highlights", "highlight_tags")
MAX_STEPS = 50_000_000  # SQLite virtual-machine steps, about a few seconds of work
MAX_DEPTH = 500  # elements inside elements
_BLOCKS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "blockquote", "pre", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
    "caption", "div", "colgroup", "col", "hr",
}  # fmt: skip
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
    "source", "track", "wbr",
}  # fmt: skip
_SPACE_RUN = re.compile(r"[ \t\n\r\f]+")


class TooDeep(Exception):
    pass


class _Renderer(HTMLParser):
    """HTML to readable text, with where each character of Taguette's text went.

    `rendered` maps positions of Taguette's text (its text nodes, concatenated) to
    positions of the readable text; `utf8` maps Taguette's byte offsets to the former.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []  # recent pieces, joined into `blocks` now and then
        self.blocks: list[str] = []
        self.last = ""  # the last character emitted
        self.length = 0
        self.rendered = OffsetMap()
        self.utf8 = OffsetMap()
        self.open: list[str] = []
        self.pre = 0  # open <pre> elements
        self.pre_start = False  # right after <pre>: html5lib drops one newline here

    def emit(self, text: str) -> None:
        if text:
            self.out.append(text)
            self.length += len(text)
            self.last = text[-1]
            if len(self.out) > 4096:  # millions of tiny strings would cost more than the text
                self.blocks.append("".join(self.out))
                self.out.clear()

    def text(self) -> str:
        return "".join([*self.blocks, *self.out])

    def insert(self, text: str) -> None:
        """Text that is no text node of Taguette's (line breaks between blocks)."""
        self.rendered.add(0, len(text))
        self.emit(text)

    def block(self) -> None:
        if self.length:
            self.insert("\n\n")

    def handle_starttag(self, tag, attrs) -> None:
        self.pre_start = False
        if tag == "br":
            self.insert("\n")
        elif tag in _BLOCKS:
            self.block()
        if tag in _VOID:
            if tag in _BLOCKS:
                self.block()
            return
        self.open.append(tag)
        if len(self.open) > MAX_DEPTH:
            raise TooDeep
        if tag == "pre":
            self.pre += 1
            self.pre_start = True

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.open and self.open[-1] == tag:
            self.handle_endtag(tag)

    def handle_endtag(self, tag) -> None:
        self.pre_start = False
        if tag not in self.open:
            return
        while self.open:
            closed = self.open.pop()
            self.pre -= closed == "pre"
            if closed in _BLOCKS:
                self.block()
            if closed == tag:
                break

    def handle_comment(self, data) -> None:
        self.pre_start = False

    def handle_data(self, data) -> None:
        if self.pre_start and data.startswith("\n"):
            data = data[1:]  # not a text node of Taguette's either
        self.pre_start = False
        utf8_positions(data, self.utf8)
        if self.pre:
            self.rendered.keep(len(data))
            self.emit(data)
            return
        position = 0
        for match in _SPACE_RUN.finditer(data):
            self.rendered.keep(match.start() - position)
            self.emit(data[position : match.start()])
            run = match.end() - match.start()
            if self.length and self.last not in (" ", "\n"):
                self.rendered.keep(1)
                self.emit(" ")
                run -= 1
            self.rendered.add(run, 0)
            position = match.end()
        self.rendered.keep(len(data) - position)
        self.emit(data[position:])


class DocumentText:
    """A Taguette document's text in our canonical form, with its offset conversion."""

    def __init__(self, html: str, title: str = ""):
        renderer = _Renderer()
        try:
            renderer.feed(html)
            renderer.close()
        except TooDeep:
            raise ExchangeError(
                _(
                    "A document nests its HTML more than %(depth)s levels deep, which "
                    "Taguette does not write; the file was refused and nothing was saved."
                )
                % {"depth": MAX_DEPTH}
            ) from None
        rendered = renderer.text()
        check_source_length(title, len(rendered))
        self.text, normalised = normalise_with_map(rendered)
        self._utf8 = renderer.utf8
        self._to_text = Chain(renderer.rendered, *normalised.maps)

    def position(self, byte_offset: int) -> int | None:
        """Our code-point offset for a Taguette byte offset (None beyond the end)."""
        if byte_offset < 0 or byte_offset > self._utf8.length_in:
            return None
        return self._to_text[self._utf8[byte_offset]]


def snippet_text(snippet: str) -> str:
    """The text of a stored snippet, tags stripped (never nested deeper than MAX_DEPTH)."""
    parts: list[str] = []
    reader = HTMLParser(convert_charrefs=True)
    reader.handle_data = parts.append
    reader.feed(snippet)
    reader.close()
    return "".join(parts)


def same_passage(passage: str, snippet: str) -> bool:
    """Taguette's snippet and our passage hold the same characters, white space aside."""
    theirs = "".join(nfc(snippet_text(snippet)).split())
    return theirs == "".join(passage.split())


# The database.


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


def _makers(connection, kinds: set[str]) -> dict[int, str]:
    """Who made each highlight, from the command log."""
    made_by: dict[int, str] = {}
    if "commands" not in kinds:
        return made_by
    for login, payload in _rows(connection, "SELECT user_login, payload FROM commands ORDER BY id"):
        try:
            data = json.loads(payload) if len(payload or "") < 100_000 else {}
        except (TypeError, ValueError):
            continue
        if isinstance(data, dict) and data.get("type") == "highlight_add":
            highlight = data.get("highlight_id")
            if isinstance(highlight, int) and isinstance(login, str) and login.strip():
                made_by.setdefault(highlight, login.strip())
    return made_by


def _codes(plan: ProjectPlan, tags) -> dict[int, str]:
    """Codes from tag paths; returns tag id -> code key."""
    keys: dict[tuple[str, ...], str] = {}
    by_key: dict[str, PlanCode] = {}
    by_tag: dict[int, str] = {}
    for tag_id, path, description in tags:
        parts = tuple(part.strip() for part in (path or "").split(".") if part.strip())
        parts = parts or (path or _("(unnamed)"),)
        for depth in range(1, len(parts) + 1):
            prefix = tuple(part.lower() for part in parts[:depth])
            if prefix not in keys:
                keys[prefix] = f"tag:{'.'.join(prefix)}"
                parent = keys.get(prefix[:-1]) if depth > 1 else None
                code = PlanCode(key=keys[prefix], name=parts[depth - 1], parent_key=parent)
                plan.codes.append(code)
                by_key[code.key] = code
        code = by_key[keys[tuple(part.lower() for part in parts)]]
        if description and not code.definition:
            code.definition = description.strip()
        by_tag[tag_id] = code.key
    return by_tag


class _Reader:
    """One pass over a Taguette database into a ProjectPlan."""

    def __init__(self, connection, plan: ProjectPlan, project_id: int):
        self.connection = connection
        self.plan = plan
        self.project_id = project_id
        kinds = {row[0] for row in _rows(connection, "SELECT name FROM sqlite_master")}
        tags = _rows(
            connection,
            "SELECT id, path, description FROM tags WHERE project_id = ? ORDER BY id",
            project_id,
        )
        self.code_of_tag = _codes(plan, tags)
        self.made_by = _makers(connection, kinds)
        self.tags_of: dict[int, list[int]] = {}
        for highlight, tag in _rows(connection, "SELECT highlight_id, tag_id FROM highlight_tags"):
            self.tags_of.setdefault(highlight, []).append(tag)
        self.untagged = 0
        self.described = False

    def run(self) -> ProjectPlan:
        ids = [
            row[0]
            for row in _rows(
                self.connection,
                "SELECT id FROM documents WHERE project_id = ? ORDER BY id",
                self.project_id,
            )
        ]
        check_source_count(len(ids))
        for document_id in ids:  # one document's HTML in memory at a time
            self.add_document(document_id)
        self.finish()
        return self.plan

    def add_document(self, document_id: int) -> None:
        ((title, description, filename, direction, contents),) = _rows(
            self.connection,
            "SELECT name, description, filename, text_direction, contents FROM documents "
            "WHERE id = ?",
            document_id,
        )
        title = title or filename or _("Untitled source")
        document = DocumentText(contents or "", title)
        key = f"document:{document_id}"
        if not document.text.strip():
            self.plan.problems.append(
                _("Taguette holds no text for “%(title)s”; it was imported as an empty source.")
                % {"title": title}
            )
        self.plan.sources.append(
            PlanSource(
                key=key,
                title=title,
                text=document.text,
                original_name=filename or "",
                format="html",
            )
        )
        if (description or "").strip():
            self.described = True
            self.plan.memos.append(
                PlanMemo(text=description.strip(), title=_("Description"), target=("source", key))
            )
        if direction == "RIGHT_TO_LEFT":
            self.plan.not_carried.append(
                _("“%(title)s”: the right-to-left text direction (the text itself is kept).")
                % {"title": title}
            )
        for highlight in _rows(
            self.connection,
            "SELECT id, start_offset, end_offset, snippet FROM highlights "
            "WHERE document_id = ? ORDER BY start_offset, id",
            document_id,
        ):
            self.add_highlight(key, title, document, *highlight)

    def add_highlight(self, key, title, document, highlight_id, start, end, snippet) -> None:
        ours = (document.position(start), document.position(end))
        if None in ours or ours[0] >= ours[1]:
            self.plan.problems.append(
                _(
                    "“%(title)s”: a highlight at bytes %(start)s–%(end)s lies outside "
                    "its text; left out."
                )
                % {"title": title, "start": start, "end": end}
            )
            return
        if not same_passage(document.text[ours[0] : ours[1]], snippet or ""):
            self.plan.problems.append(
                _(
                    "“%(title)s”: the highlight “%(snippet)s” does not match the text "
                    "at its place; left out."
                )
                % {"title": title, "snippet": snippet_text(snippet or "")[:80]}
            )
            return
        tags = [tag for tag in self.tags_of.get(highlight_id, []) if tag in self.code_of_tag]
        self.untagged += not tags
        coder = None
        if login := self.made_by.get(highlight_id):
            coder = f"taguette:{login}"
            self.plan.users.setdefault(coder, PlanUser(key=coder, refi_id=login, name=login))
        for tag in tags:
            self.plan.codings.append(PlanCoding(key, self.code_of_tag[tag], coder, *ours))

    def finish(self) -> None:
        plan = self.plan
        if self.untagged:
            plan.not_carried.append(
                ngettext(
                    "%(n)s highlight without a tag (a coding needs a code).",
                    "%(n)s highlights without a tag (a coding needs a code).",
                    self.untagged,
                )
                % {"n": self.untagged}
            )
        used = {coding.coder_key for coding in plan.codings}
        plan.users = {key: user for key, user in plan.users.items() if key in used}
        plan.notes.append(
            _(
                "Taguette does not sort documents into interviews, observations or documents: "
                "all are imported as interviews; change their kind on each source's page."
            )
        )
        if self.described:
            plan.notes.append(_("Document descriptions became memos on their sources."))


def read_taguette(data: bytes) -> ProjectPlan:
    """Read a Taguette project export; raises ExchangeError if it cannot be read at all."""
    connection = _connect(data)
    try:
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
        return _Reader(connection, plan, project_id).run()
    finally:
        connection.close()
