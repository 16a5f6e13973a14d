"""The search index of source texts, kept current by the app (no signals, no triggers).

Search compares *folded* text: each character decomposed (NFKD), its combining
marks dropped, its case folded; "Désa" and "DESA" both fold to "desa". Folding
happens here, in Python, once per source: SQLite, PostgreSQL and the search's
own exact matching then see the same words, so the index can only ever narrow
the sources to scan, never change what a search finds.

Per source the index keeps the folded text (so a search reads it instead of
folding every text again) and its distinct words:

- PostgreSQL: two columns of `interviews_source` that the model does not know
  (Django never loads them): `search_folded` (text) and `search_vector`, a
  stripped tsvector of the words under the `simple` configuration, GIN-indexed.
- SQLite: the FTS5 table `interviews_source_search` (rowid = source id; `words`
  indexed with the `ascii` tokenizer: the words are already folded and split, and
  it takes every non-ASCII character as part of a word, as folding does; `folded`
  and the source's creation time stored unindexed).

A source missing from the index (created by a bulk load, say) is scanned like
any other, so results never depend on the index being complete.

Offsets: search hits are found in the folded text; `FoldMap` turns them back into
positions of the original text (code points), for the hits shown or coded.
"""

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache

from django.db import connection
from django.db.models.expressions import RawSQL

from .models import Source

# A word run of folded text: letters and digits (folded text has no marks).
WORD = re.compile(r"[^\W_]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# PostgreSQL skips lexemes longer than 2,047 bytes; a text with such a word is left
# unindexed (scanned every time) rather than indexed without it.
_LONGEST_INDEXED_WORD = 500


def _strip_marks(text: str) -> str:
    return "".join(c for c in text if not unicodedata.category(c).startswith("M"))


@lru_cache(maxsize=16384)
def fold_char(char: str) -> str:
    """One character folded: NFKD, marks dropped, case folded (may give 0, 1 or more)."""
    folded = _strip_marks(unicodedata.normalize("NFKD", char)).casefold()
    # Case folding can itself produce marks (İ → i̇): decompose and drop them again.
    return _strip_marks(unicodedata.normalize("NFKD", folded))


def _fold_run(match: re.Match) -> str:
    return "".join(fold_char(char) for char in match.group())


def fold(text: str) -> str:
    """The folded text. ASCII stays ASCII, lower-cased; only other characters cost."""
    if text.isascii():
        return text.lower()
    # bytes.lower() touches only ASCII letters; multibyte UTF-8 sequences pass unchanged.
    return _NON_ASCII.sub(_fold_run, text).encode().lower().decode()


def fold_pattern(pattern: str) -> str:
    """A regular expression for folded text: only non-ASCII literals are folded.

    ASCII is left alone, so escapes such as `\\W` or `\\S` keep their meaning;
    the caller matches it ignoring case.
    """
    return _NON_ASCII.sub(_fold_run, pattern)


class FoldMap:
    """Positions in the folded text of `text` → positions in `text` itself.

    Most characters fold to exactly one character, so the map keeps anchors only
    where that fails: after a character that folds to nothing (a mark), folded
    and original advance together again from the next one; the characters of an
    expansion ("ß" → "ss") all come from the one original character.
    """

    def __init__(self, text: str):
        self.length = len(text)
        folded_at, original_at, linear = [0], [0], [True]
        f = pos = 0
        for match in _NON_ASCII.finditer(text):
            a, b = match.span()
            f += a - pos
            for i in range(a, b):
                n = len(fold_char(text[i]))
                if n != 1:
                    if n > 1:
                        folded_at.append(f)
                        original_at.append(i)
                        linear.append(False)
                    folded_at.append(f + n)
                    original_at.append(i + 1)
                    linear.append(True)
                f += n
            pos = b
        self.folded_length = f + len(text) - pos
        self._folded_at, self._original_at, self._linear = folded_at, original_at, linear

    def _origin(self, f: int) -> int:
        """The original position of the character that produced folded[f]."""
        if f >= self.folded_length:
            return self.length
        # Several anchors can share a position (characters that fold to nothing):
        # the last one is the character that produced folded[f].
        k = bisect_right(self._folded_at, f) - 1
        if self._linear[k]:
            return self._original_at[k] + (f - self._folded_at[k])
        return self._original_at[k]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of folded[start:end]: whole characters, with the marks
        that folded away after its last character."""
        begin = self._origin(start)
        return begin, max(self._origin(end), self._origin(end - 1) + 1)


class IdentityMap:
    """The map of a text searched as it is (matching case and accents)."""

    def __init__(self, text: str):
        self.folded_length = len(text)

    def span(self, start: int, end: int) -> tuple[int, int]:
        return start, end


_ASCII_BYTES = bytes(range(128))


def fold_map(text: str) -> "FoldMap | IdentityMap":
    """The map of `text`; the identity when every character folds to exactly one.

    That is the common case (composed accents, emoji), and it is told quickly:
    the UTF-8 bytes without their ASCII ones are the text's other characters.
    """
    others = text.encode().translate(None, _ASCII_BYTES).decode()
    if all(len(fold_char(char)) == 1 for char in set(others)):
        return IdentityMap(text)
    return FoldMap(text)


def index_words(folded: str) -> list[str] | None:
    """The distinct words of a folded text, or None when it cannot be indexed."""
    words = set(WORD.findall(folded))
    if any(len(word) > _LONGEST_INDEXED_WORD for word in words):
        return None
    return sorted(words)


def index_text(*, source_id: int, text: str, using=None) -> None:
    """Put one text into the index (replacing what the index held for it)."""
    db = using or connection
    folded = fold(text)
    words = index_words(folded)
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(
                "UPDATE interviews_source SET search_folded = %s, search_vector = "
                "CASE WHEN %s THEN strip(to_tsvector('simple', %s)) END WHERE id = %s",
                [folded, words is not None, " ".join(words or ()), source_id],
            )
        elif db.vendor == "sqlite":
            cursor.execute("DELETE FROM interviews_source_search WHERE rowid = %s", [source_id])
            if words is not None:
                # The source's creation time marks the row as its own: a row left by a
                # deleted source whose id came back (after a flush) is never trusted.
                cursor.execute(
                    "INSERT INTO interviews_source_search (rowid, words, folded, stamp) "
                    "SELECT id, %s, %s, created_at FROM interviews_source WHERE id = %s",
                    [" ".join(words), folded, source_id],
                )


def index_source(source) -> None:
    """Keep the index current after a source's text was created or changed."""
    index_text(source_id=source.pk, text=source.text)


def forget_source(source_id: int) -> None:
    """Drop a deleted source from the index (PostgreSQL's row goes with the source)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM interviews_source_search WHERE rowid = %s", [source_id])


# Reads


def _sqlite_match(groups) -> str:
    return " OR ".join(
        "(" + " AND ".join(f'"{word}"' + ("*" if prefix else "") for word, prefix in group) + ")"
        for group in groups
    )


def _postgres_match(groups) -> tuple[str, list]:
    alternatives, params = [], []
    for group in groups:
        parts = []
        for word, prefix in group:
            if prefix:
                parts.append("to_tsquery('simple', %s)")
                params.append(f"'{word}':*")
            else:
                parts.append("plainto_tsquery('simple', %s)")
                params.append(word)
        alternatives.append("(" + " && ".join(parts) + ")")
    return " || ".join(alternatives), params


def narrowable(word: str, *, prefix: bool) -> bool:
    """Whether the index can answer for `word` (folded): any word; a prefix of letters.

    PostgreSQL's parser could cut other prefixes into several lexemes, and a
    stripped vector never matches a phrase of lexemes.
    """
    if not WORD.fullmatch(word):
        return False
    return not prefix or re.fullmatch(r"[a-z]+", word) is not None


def sources_with_words(groups: list[list[tuple[str, bool]]], *, project_id: int) -> RawSQL:
    """SQL selecting the ids of the project's sources that may hold hits.

    `groups` are lists of (folded word, is a prefix) pairs, each `narrowable`: a
    source qualifies when it holds every word of one group. Sources missing from
    the index are included: they are scanned.
    """
    if connection.vendor == "postgresql":
        match, params = _postgres_match(groups)
        # `match` is built from placeholders only; the words travel as parameters.
        return RawSQL(  # noqa: S611
            "SELECT id FROM interviews_source WHERE project_id = %s AND "  # noqa: S608
            f"(search_vector IS NULL OR search_vector @@ ({match}))",
            [project_id, *params],
        )
    return RawSQL(
        "SELECT rowid FROM interviews_source_search WHERE words MATCH %s UNION "
        "SELECT s.id FROM interviews_source s WHERE s.project_id = %s AND NOT EXISTS "
        "(SELECT 1 FROM interviews_source_search f WHERE f.rowid = s.id "
        "AND f.stamp = s.created_at)",
        [_sqlite_match(groups), project_id],
    )


def folded_texts(source_ids: list[int]) -> dict[int, str]:
    """The folded text of each source, from the index (folded here when missing)."""
    if not source_ids:
        return {}
    marks = ", ".join(["%s"] * len(source_ids))  # placeholders only
    if connection.vendor == "postgresql":
        sql = f"SELECT id, search_folded FROM interviews_source WHERE id IN ({marks})"  # noqa: S608
    else:
        sql = (
            "SELECT f.rowid, f.folded FROM interviews_source_search f "  # noqa: S608
            "JOIN interviews_source s ON s.id = f.rowid AND s.created_at = f.stamp "
            f"WHERE f.rowid IN ({marks})"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, source_ids)
        found = {pk: folded for pk, folded in cursor.fetchall() if folded is not None}
    missing = [pk for pk in source_ids if pk not in found]
    if missing:
        for pk, text in Source.objects.filter(pk__in=missing).values_list("pk", "text"):
            found[pk] = fold(text)
    return found
