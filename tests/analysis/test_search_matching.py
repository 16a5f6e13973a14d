"""Search finds exactly what a brute-force scan of the texts finds.

The reference below folds character by character, cuts words by hand and
compares terms token by token: nothing of the index, the fast folding or the
compiled patterns. Hypothesis generates Indonesian-like texts (affixes,
accents, decomposed accents, emoji, stray combining marks, capitals, ß and the
dotless ı, speaker turns) and queries of every form drawn from their words,
folded (the default) and as written (matching case and accents).
"""

import itertools
import unicodedata

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coding.analysis.kwic import candidate_sources, hit_spans, kwic_page, run_search
from coding.analysis.queries import Filters
from coding.analysis.search import Query, QueryError, Term, fold_regex, parse_query
from interviews import services
from interviews.search_index import FoldMap, fold, fold_map

from ..conftest import make_project, make_source, make_user

_projects = itertools.count(1)

# The reference


def ref_fold(text):
    """(folded text, for each folded character the index of the original it came from)."""
    out, origin = [], []
    for i, char in enumerate(text):
        piece = unicodedata.normalize("NFKD", char)
        piece = "".join(c for c in piece if unicodedata.category(c)[0] != "M").casefold()
        piece = unicodedata.normalize("NFKD", piece)
        piece = "".join(c for c in piece if unicodedata.category(c)[0] != "M")
        out.append(piece)
        origin.extend([i] * len(piece))
    return "".join(out), origin


def ref_span(origin, length, start, end):
    first = origin[start]
    after = origin[end] if end < len(origin) else length
    return first, max(after, origin[end - 1] + 1)


def ref_is_word_char(char):
    """Folded text has no marks: a letter or a digit. As written, a mark is one too."""
    return char.isalnum() or unicodedata.category(char)[0] == "M"


def ref_tokens(folded):
    tokens, i = [], 0
    while i < len(folded):
        if ref_is_word_char(folded[i]):
            j = i
            while j < len(folded) and ref_is_word_char(folded[j]):
                j += 1
            tokens.append((i, j, folded[i:j], folded.count("\n", 0, i)))
            i = j
        else:
            i += 1
    return tokens


def ref_term_hits(term, tokens):
    found, n = [], len(term.words)
    for i in range(len(tokens) - n + 1):
        run = tokens[i : i + n]
        if len({line for *_rest, line in run}) != 1:
            continue
        ok = all(tok[2] == word for tok, word in zip(run[:-1], term.words[:-1], strict=True))
        last, word = run[-1][2], term.words[-1]
        ok = ok and (last.startswith(word) if term.prefix else last == word)
        if ok:
            found.append((run[0][0], run[-1][1], run[0][3]))
    return found


def ref_search(query: Query, text: str) -> set[tuple[int, int]]:
    if query.exact:  # matching case and accents: the text as written, nothing folded
        folded, origin = text, list(range(len(text)))
    else:
        folded, origin = ref_fold(text)
    if query.mode == "regex":
        spans = {m.span() for m in regex.finditer(query.pattern, folded, regex.MULTILINE)}
    else:
        tokens = ref_tokens(folded)
        per_term = [ref_term_hits(t, tokens) for t in query.positive]
        line_sets = [{line for *_s, line in hits} for hits in per_term]
        allowed = set().union(*line_sets) if query.mode == "any" else set.intersection(*line_sets)
        for term in query.negative:
            allowed -= {line for *_s, line in ref_term_hits(term, tokens)}
        spans = {(s, e) for hits in per_term for s, e, line in hits if line in allowed}
    return {ref_span(origin, len(text), s, e) for s, e in spans if e > s}


# Generated material

SYLLABLES = ["ka", "ta", "ra", "pa", "si", "na", "ko", "or", "di", "ma", "lu", "sé", "ñi", "ße"]
AFFIXES = ["", "", "ber", "me", "di", "ke", "per"]
SUFFIXES = ["", "", "kan", "an", "nya", "i"]
ODD = ["😀", "👍🏽", "\u0301", "e\u0301", "İ", "ı", "Ü", "ﬁ", "２", "—", "…", "“", "”", "_", "'"]


@st.composite
def words(draw):
    root = "".join(draw(st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=3)))
    word = draw(st.sampled_from(AFFIXES)) + root + draw(st.sampled_from(SUFFIXES))
    style = draw(st.sampled_from(["lower", "lower", "title", "upper", "odd"]))
    if style == "title":
        word = word.title()
    elif style == "upper":
        word = word.upper()
    elif style == "odd":
        at = draw(st.integers(0, len(word)))
        word = word[:at] + draw(st.sampled_from(ODD)) + word[at:]
    return word


@st.composite
def texts(draw):
    lines = []
    for _ in range(draw(st.integers(1, 5))):
        body = ""
        for word in draw(st.lists(words(), min_size=1, max_size=12)):
            body += word + draw(st.sampled_from([" ", " ", " ", ", ", ". ", "-", " 😀 ", "—"]))
        label = draw(st.sampled_from(["", "", "Ibu Maria: ", "Pewawancara: "]))
        lines.append(label + body.strip())
    return draw(st.sampled_from(["\n", "\n\n"])).join(lines)


def query_texts(draw, corpus):
    """A typed query built from the corpus's own words (and one word it may lack)."""
    pool = [w for text in corpus for w in regex.findall(r"[\w\p{M}]+", text)] or ["kata"]
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        word = draw(st.sampled_from(pool))
        form = draw(st.sampled_from(["word", "word", "prefix", "phrase", "not", "new"]))
        if form == "prefix":
            parts.append(word[: draw(st.integers(1, max(1, len(word))))] + "*")
        elif form == "phrase":
            other = draw(st.sampled_from(pool))
            parts.append(f'"{word} {other}"')
        elif form == "not":
            parts.append("-" + word)
        elif form == "new":
            parts.append(draw(words()))
        else:
            parts.append(draw(st.sampled_from([word, word.upper(), fold(word)])))
    return " ".join(parts)


REGEX_TEMPLATES = [
    r"\b{w}\b",
    r"{w}\s+\w+",
    r"\b{w}",
    r"{w}|{v}",
    r"[aeiou]{{2}}",
    r"({w})?a",
    "{w}.",
]


def make_corpus(corpus, *, indexed=(True,)):
    user = make_user()
    project = make_project(slug=f"cari-{next(_projects)}")
    sources = []
    for n, text in enumerate(corpus):
        if indexed[n % len(indexed)]:
            sources.append(
                services.add_source(
                    project=project, kind="interview", title=f"W{n}", text=text, created_by=user
                )
            )
        else:  # a bulk-loaded source the index does not know: scanned all the same
            sources.append(make_source(project, title=f"W{n}", text=text))
    return project, sources


def assert_same_hits(project, sources, query):
    results = run_search(project=project, query=query, filters=Filters())
    found = set(hit_spans(results))
    expected = {
        (source.pk, start, end)
        for source in sources
        for start, end in ref_search(query, source.text)
    }
    assert found == expected
    return results


SEARCH = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SEARCH
@given(data=st.data(), corpus=st.lists(texts(), min_size=1, max_size=3))
def test_word_queries_find_what_a_scan_finds(db, data, corpus):
    corpus = [services.normalise_text(text) for text in corpus]
    project, sources = make_corpus(corpus, indexed=(True, True, False))
    typed = query_texts(data.draw, corpus)
    mode = data.draw(st.sampled_from(["all", "any"]))
    try:
        query = parse_query(typed, mode=mode)
    except QueryError:
        return
    assert_same_hits(project, sources, query)


@SEARCH
@given(data=st.data(), corpus=st.lists(texts(), min_size=1, max_size=3))
def test_regular_expressions_find_what_a_scan_finds(db, data, corpus):
    project, sources = make_corpus(corpus)
    pool = [w for text in corpus for w in regex.findall(r"\w+", fold(text))] or ["kata"]
    template = data.draw(st.sampled_from(REGEX_TEMPLATES))
    typed = template.format(w=data.draw(st.sampled_from(pool)), v=data.draw(st.sampled_from(pool)))
    query = parse_query(typed, mode="regex")
    assert_same_hits(project, sources, query)


@SEARCH
@given(data=st.data(), corpus=st.lists(texts(), min_size=1, max_size=3))
def test_matching_case_and_accents_finds_what_a_scan_finds(db, data, corpus):
    corpus = [services.normalise_text(text) for text in corpus]
    project, sources = make_corpus(corpus, indexed=(True, False))
    mode = data.draw(st.sampled_from(["all", "any", "regex"]))
    if mode == "regex":
        pool = [w for text in corpus for w in regex.findall(r"\w+", text)] or ["kata"]
        template = data.draw(st.sampled_from(REGEX_TEMPLATES))
        draw_word = lambda: data.draw(st.sampled_from(pool))  # noqa: E731
        typed = template.format(w=regex.escape(draw_word()), v=regex.escape(draw_word()))
    else:
        typed = query_texts(data.draw, corpus)
    try:
        query = parse_query(typed, mode=mode, exact=True)
    except QueryError:
        return
    assert_same_hits(project, sources, query)


@SEARCH
@given(data=st.data(), corpus=st.lists(texts(), min_size=1, max_size=2))
def test_concordance_positions_are_the_text(db, data, corpus):
    project, sources = make_corpus(corpus)
    typed = query_texts(data.draw, corpus)
    try:
        query = parse_query(typed, mode="any")
    except QueryError:
        return
    results = run_search(project=project, query=query, filters=Filters())
    texts_by_id = {source.pk: source.text for source in sources}
    sort = data.draw(st.sampled_from(["source", "left", "right"]))
    page = kwic_page(results, number=1, sort=sort, per_page=500)
    for line in page.object_list:
        text = texts_by_id[line.source.id]
        assert text[line.start : line.end] == line.hit
        assert line.left == " ".join(text[max(0, line.start - 60) : line.start].split())
        assert line.right == " ".join(text[line.end : line.end + 60].split())
    assert len(page.object_list) == len(results.hits)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_fast_folding_and_its_map_agree_with_the_reference(text):
    folded, origin = ref_fold(text)
    assert fold(text) == folded
    for mapping in (FoldMap(text), fold_map(text)):
        assert mapping.folded_length == len(folded)
        for start in range(len(folded)):
            for end in range(start + 1, min(len(folded), start + 4) + 1):
                assert mapping.span(start, end) == ref_span(origin, len(text), start, end)


@pytest.mark.parametrize(
    ("typed", "mode", "scanned"),
    [
        ("rapat jalan", "any", 2),
        ('"grup whatsapp" pesawat', "any", 2),
        ("koord* jalan", "any", 2),
        ("rapat koord*", "all", 1),
        ('"rapat koordinasi" -jalan', "all", 1),
        (r"\bjalan rusak\b", "regex", 1),
        (r"\brapat\b|\bjalan\b", "regex", 4),  # an alternative: no word is required
    ],
)
def test_the_index_narrows_without_losing_hits(db, typed, mode, scanned):
    """Each source holds only some of the words: the index keeps exactly those."""
    corpus = [
        "Ibu Maria: Rapat koordinasi hanya kalau ada masalah.",
        "Bapak Natan: Jalan rusak, kami naik pesawat.",
        "Ibu Debora: Grup WhatsApp kantor isinya campur.",
        "Pewawancara: Terima kasih.",
    ]
    project, sources = make_corpus(corpus)
    query = parse_query(typed, mode=mode)
    results = assert_same_hits(project, sources, query)
    assert results.hits
    assert candidate_sources(project, query, Filters(), "inside").count() == scanned


# The query language, by example


@pytest.mark.parametrize(
    ("typed", "terms"),
    [
        ("SOP", (Term(("sop",)),)),
        ('"grup WhatsApp"', (Term(("grup", "whatsapp")),)),
        ("“jalan rusak”", (Term(("jalan", "rusak")),)),
        ("koord*", (Term(("koord",), prefix=True),)),
        ("rapat -Perbup", (Term(("rapat",)), Term(("perbup",), negated=True))),
        ('-"tidak ada"  Désa', (Term(("tidak", "ada"), negated=True), Term(("desa",)))),
        ("tumpang-tindih", (Term(("tumpang", "tindih")),)),
    ],
)
def test_queries_parse_into_folded_terms(typed, terms):
    assert parse_query(typed).terms == terms


@pytest.mark.parametrize(
    ("typed", "mode", "message"),
    [
        ("", "all", "Type something"),
        ("-rapat", "all", "excluded words alone"),
        ("😀 !!", "all", "regular expression"),
        ("(unclosed", "regex", "not valid"),
    ],
)
def test_bad_queries_say_why(typed, mode, message):
    with pytest.raises(QueryError, match=message):
        parse_query(typed, mode=mode)


def test_a_folded_regex_keeps_its_escapes():
    assert fold_regex(r"\bKATA\W+Désa\S\p{Lu}") == r"\bkata\W+desa\S\p{Lu}"
