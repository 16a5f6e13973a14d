"""Project search: the query language, and matching it against one text.

Syntax (README "Search"): words; "exact phrases"; prefix*; -excluded; every
word (`all`) or any word (`any`) of a paragraph; or one regular expression.
By default case and accents are ignored: the query and the texts are folded
(`interviews.search_index.fold`) and compared as folded text.

A *word* is a run of letters and digits (combining marks belong to the word
they follow). A word term matches a whole word; `prefix*` a word beginning so;
a phrase its words in a row, separated by anything but letters, digits and line
breaks. Words of a query are combined per *paragraph* (a line of the text, a
speaker turn): with `all`, a paragraph counts when it holds every word or
phrase of the query, with `any` one of them; a paragraph holding an excluded
term never counts. The hits are the occurrences of the query's (not
excluded) terms in the paragraphs that count.
"""

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache

import regex
from django.utils.translation import gettext as _

from interviews.search_index import fold, fold_pattern

MODES = ("all", "any", "regex")
MAX_QUERY = 500
# A regular expression gets this many seconds over the whole corpus.
REGEX_SECONDS = 2.0


class QueryError(ValueError):
    """A query that cannot be searched; the message says why (translated)."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool = False  # the last word is a prefix
    negated: bool = False


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...] = ()
    mode: str = "all"
    exact: bool = False  # match case and accents
    pattern: str = ""  # the regular expression of the regex mode

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.negated)

    @property
    def negative(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.negated)


# Word characters


@cache
def _marks() -> str:
    """A character class body of every combining mark (built once, on first use)."""
    ranges, begin, last = [], None, None
    for point in range(0x300, 0x110000):
        if unicodedata.category(chr(point)).startswith("M"):
            if begin is None:
                begin = point
            last = point
        elif begin is not None:
            ranges.append(f"{re.escape(chr(begin))}-{re.escape(chr(last))}")
            begin = None
    return "".join(ranges)


def is_word_char(char: str, *, exact: bool) -> bool:
    if char.isalnum():
        return True
    return exact and unicodedata.category(char).startswith("M")


@cache
def _classes(exact: bool) -> tuple[str, str]:
    """(one word character, one separator inside a phrase) as regular expressions."""
    if not exact:  # folded text has no marks left
        return r"[^\W_]", r"(?:[^\w\n]|_)"
    marks = _marks()
    return rf"(?:[^\W_]|[{marks}])", rf"(?:(?![{marks}])[^\w\n]|_)"


def words_of(text: str, *, exact: bool) -> list[str]:
    word, _sep = _classes(exact)
    return re.findall(f"{word}+", text)


# Parsing

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_query(text: str, *, mode: str = "all", exact: bool = False) -> Query:
    """The query typed in the search box, or QueryError saying what is wrong."""
    text = text.strip()
    if not text:
        raise QueryError(_("Type something to search for."))
    if len(text) > MAX_QUERY:
        raise QueryError(_("The search is too long (at most %(n)d characters).") % {"n": MAX_QUERY})
    if mode == "regex":
        return _parse_regex(text, exact=exact)
    if mode not in MODES:
        mode = "all"
    terms = []
    for match in _TOKEN.finditer(text.translate(_QUOTES)):
        negated, phrase, bare = match.groups()
        if bare is not None:
            negated = "-" if bare.startswith("-") and len(bare) > 1 else ""
            phrase = bare[1:] if negated else bare
        term = _term(phrase, negated=bool(negated), exact=exact)
        if term is not None and term not in terms:
            terms.append(term)
    if not terms:
        raise QueryError(
            _(
                "The search holds no words (letters or digits). To find other characters, "
                "use a regular expression."
            )
        )
    if not any(not term.negated for term in terms):
        raise QueryError(_("Add a word to look for: excluded words alone find nothing."))
    return Query(terms=tuple(terms), mode=mode, exact=exact)


def _term(text: str, *, negated: bool, exact: bool) -> Term | None:
    prefix = text.rstrip().endswith("*")
    folded = text if exact else fold(text)
    words = tuple(words_of(folded, exact=exact))
    if not words:
        return None
    return Term(words=words, prefix=prefix, negated=negated)


def _parse_regex(text: str, *, exact: bool) -> Query:
    pattern = text if exact else fold_regex(text)
    try:
        regex.compile(pattern, REGEX_FLAGS)
    except regex.error as error:
        raise QueryError(
            _("This regular expression is not valid: %(error)s") % {"error": error}
        ) from None
    return Query(mode="regex", exact=exact, pattern=pattern)


REGEX_FLAGS = regex.VERSION0 | regex.MULTILINE


def fold_regex(pattern: str) -> str:
    """A regular expression for folded text, which has no capitals and no accents.

    Non-ASCII literals are folded as the text is; ASCII letters are lower-cased
    except in escapes (`\\W`, `\\S`, `\\p{Lu}` keep their meaning). No
    IGNORECASE: it would let "i" match the dotless "ı" that folded text keeps.
    """
    pattern = fold_pattern(pattern)
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            end = i + 2
            if pattern[i + 1 : i + 2].isalnum() and pattern[end : end + 1] == "{":
                close = pattern.find("}", end)
                end = len(pattern) if close < 0 else close + 1
            out.append(pattern[i:end])
            i = end
        else:
            out.append(char.lower() if char.isascii() else char)
            i += 1
    return "".join(out)


# Matching


@dataclass(frozen=True)
class Matcher:
    """A query compiled for searching texts (folded ones unless `exact`)."""

    query: Query
    positive: tuple[re.Pattern, ...]
    negative: tuple[re.Pattern, ...]
    pattern: object = None  # the compiled regular expression (regex mode)

    @classmethod
    def build(cls, query: Query) -> "Matcher":
        if query.mode == "regex":
            return cls(query, (), (), regex.compile(query.pattern, REGEX_FLAGS))
        return cls(
            query,
            tuple(_term_pattern(t, exact=query.exact) for t in query.positive),
            tuple(_term_pattern(t, exact=query.exact) for t in query.negative),
        )

    def hits(self, text: str, *, timeout: float | None = None) -> list[tuple[int, int]]:
        """Every hit in `text` (already folded unless exact), as sorted (start, end)."""
        if self.pattern is not None:
            found = self.pattern.finditer(text, timeout=timeout)
            return sorted({m.span() for m in found if m.end() > m.start()})
        exact = self.query.exact
        per_term = [_occurrences(p, text, exact=exact) for p in self.positive]
        if not any(per_term):
            return []
        breaks = [m.start() for m in re.finditer("\n", text)]

        def lines(spans):
            return {bisect_left(breaks, start) for start, _end in spans}

        term_lines = [lines(spans) for spans in per_term]
        if self.query.mode == "any":
            allowed = set().union(*term_lines)
        else:
            allowed = set.intersection(*term_lines)
        for pattern in self.negative:
            if allowed:
                allowed -= lines(_occurrences(pattern, text, exact=exact))
        if not allowed:
            return []
        found = {span for spans in per_term for span in spans}
        return sorted(span for span in found if bisect_left(breaks, span[0]) in allowed)


def _term_pattern(term: Term, *, exact: bool) -> re.Pattern:
    word, separator = _classes(exact)
    parts = [re.escape(w) for w in term.words]
    body = f"{separator}+".join(parts)
    # The left edge is checked by hand: a look-behind would stop the engine from
    # skipping ahead to the first letter of the term, which makes it ten times slower.
    tail = f"{word}*" if term.prefix else f"(?!{word})"
    return re.compile(body + tail)


def _occurrences(pattern: re.Pattern, text: str, *, exact: bool) -> list[tuple[int, int]]:
    """Matches of a term pattern that begin a word (overlapping ones included)."""
    spans, pos = [], 0
    search = pattern.search
    while (match := search(text, pos)) is not None:
        start = match.start()
        if start == 0 or not is_word_char(text[start - 1], exact=exact):
            spans.append((start, match.end()))
        pos = start + 1
    return spans


def index_groups(query: Query) -> list[list[tuple[str, bool]]]:
    """What the index may narrow the sources by: (folded word, is a prefix) groups.

    A source can hold hits only if it holds every word of one group; no groups,
    no narrowing. With `all`, one group of every word of every (not excluded)
    term, the last word of a phrase perhaps a prefix; with `any`, a group per
    term; a regular expression gives the words it cannot match without. Never
    when matching case and accents: an exact word need not survive folding whole.
    """
    if query.exact:
        return []
    if query.mode == "regex":
        words = regex_words(query.pattern)
        return [words] if words else []
    groups = []
    for term in query.positive:
        last = len(term.words) - 1
        groups.append([(word, term.prefix and i == last) for i, word in enumerate(term.words)])
    if query.mode == "all":
        return [list(dict.fromkeys(pair for group in groups for pair in group))]
    return groups


def regex_words(pattern: str) -> list[tuple[str, bool]]:
    """Whole words that every match of a regular expression contains.

    Read from the pattern's top level only: a run of plain characters that the
    pattern requires, in which a word is whole when something that cannot be
    part of a word (a space, punctuation, `\\b`, `\\s`, the start or end of the
    pattern being anchored) stands on both of its sides. Anything else (a
    group, an alternative, a class, a repetition) ends the run and counts as a
    possible letter. When in doubt, no words: the index then narrows nothing.
    """
    if "|" in pattern or "(?" in pattern:
        return []
    pieces = _top_level_pieces(pattern)
    if pieces is None:
        return []
    found: list[tuple[str, bool]] = []
    run, bounded = "", False
    for piece in [*pieces, ("edge", "")]:
        kind, value = piece
        if kind == "literal":
            run += value
            continue
        # A boundary ends a run with a known non-word on its right.
        right = kind == "boundary"
        found += _whole_words(run, left=bounded, right=right)
        run, bounded = "", right
    return found


def _top_level_pieces(pattern: str) -> list[tuple[str, str]] | None:
    """The pattern as ("literal", char) / ("boundary", "") / ("other", "") pieces.

    A group or a class is one "other" piece; a piece with a quantifier too.
    """
    pieces, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if i + 1 >= len(pattern):
                return None
            escape, i = pattern[i + 1], i + 2
            if escape in "bsWAZ":
                piece = ("boundary", "")
            elif escape.isalnum():
                piece = ("other", "")
                if i < len(pattern) and pattern[i] == "{":  # \p{L}, \N{...}, \x{...}
                    close = pattern.find("}", i)
                    if close < 0:
                        return None
                    i = close + 1
            else:
                piece = ("literal", escape)
        elif char == "[":
            i = _skip_class(pattern, i)
            piece = ("other", "")
        elif char == "(":
            i = _skip_group(pattern, i)
            piece = ("other", "")
        elif char in "^$":
            piece, i = ("boundary", ""), i + 1
        elif char in ".)]":
            piece, i = ("other", ""), i + 1
        else:
            piece, i = ("literal", char), i + 1
        if i is None:
            return None
        if i < len(pattern) and pattern[i] in "*+?{":
            # A repeated piece may be absent or doubled: no longer a fixed character.
            piece = ("other", "")
            while i < len(pattern) and pattern[i] in "*+?{}0123456789,":
                i += 1
        pieces.append(piece)
    return pieces


def _skip_class(pattern: str, i: int) -> int | None:
    """The index after the character class opening at `i`."""
    i += 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
        elif pattern[i] == "[":  # nested sets of the regex module: give up
            return None
        elif pattern[i] == "]":
            return i + 1
        else:
            i += 1
    return None


def _skip_group(pattern: str, i: int) -> int | None:
    """The index after the group opening at `i` (groups may nest)."""
    depth = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _skip_class(pattern, i)
            if i is None:
                return None
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _whole_words(run: str, *, left: bool, right: bool) -> list[tuple[str, bool]]:
    found = []
    for match in re.finditer(r"[^\W_]+", run):
        starts_clean = match.start() > 0 or left
        ends_clean = match.end() < len(run) or right
        if starts_clean and ends_clean and match.group().isascii():
            found.append((match.group(), False))
    return found
