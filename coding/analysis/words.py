"""Word frequencies: the most frequent words and two-word phrases, and a word cloud.

Words are counted folded (as search compares them: no capitals, no accents), per
paragraph, without speaker labels; a phrase is two words in a row in one
paragraph, neither of them a stop word. Numbers and one-letter words are left
out. With a code chosen, only the text of the passages coded so counts (each
character once).
"""

import math
from collections import Counter
from dataclasses import dataclass, field

from interviews.models import Project, Source
from interviews.reading import split_turn
from interviews.search_index import WORD, fold, folded_texts

from .kwic import filtered_sources, passage_filter_on, passages
from .queries import Filters

TOP = 100
CLOUD_WORDS = 60
CLOUD_WIDTH, CLOUD_HEIGHT = 720, 400
PALETTE = ["#1f4e79", "#2e7d32", "#8e3b46", "#6a4c93", "#b35c00", "#00695c", "#37474f"]


@dataclass
class WordTable:
    words: list[tuple[str, int, int]] = field(default_factory=list)  # (word, count, sources)
    phrases: list[tuple[str, int, int]] = field(default_factory=list)
    sources: int = 0
    total: int = 0  # words counted, stop words included


def _pieces(project: Project, filters: Filters):
    """(source id, folded text) pieces to count: whole sources, or coded passages."""
    sources = filtered_sources(project, filters).order_by("pk")
    if not passage_filter_on(filters):
        ids = list(sources.values_list("pk", flat=True))
        yield from folded_texts(ids).items()
        return
    spans: dict[int, list[list[int]]] = {}
    for source_id, start, end in (
        passages(filters)
        .filter(source__in=sources)
        .order_by("source_id", "start")
        .values_list("source_id", "start", "end")
    ):
        merged = spans.setdefault(source_id, [])
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for pk, text in Source.objects.filter(pk__in=spans).values_list("pk", "text"):
        yield pk, "\n".join(fold(text[start:end]) for start, end in spans[pk])


def _body(line: str) -> str:
    """A line without its speaker label ("Pewawancara:"): labels are not what was said."""
    return "".join(segment.text for segment in split_turn(line, 0) if not segment.role)


def _countable(word: str, stop: set[str]) -> bool:
    return len(word) > 1 and not word.isdigit() and word not in stop


def word_table(project: Project, filters: Filters, stop: set[str], top: int = TOP) -> WordTable:
    words, phrases = Counter(), Counter()
    word_sources, phrase_sources = Counter(), Counter()
    table = WordTable()
    for _pk, text in _pieces(project, filters):
        table.sources += 1
        seen_words, seen_phrases = set(), set()
        for line in text.split("\n"):
            tokens = WORD.findall(_body(line))
            table.total += len(tokens)
            keep = [_countable(token, stop) for token in tokens]
            for token, kept in zip(tokens, keep, strict=True):
                if kept:
                    words[token] += 1
                    seen_words.add(token)
            for i in range(len(tokens) - 1):
                if keep[i] and keep[i + 1]:
                    phrase = f"{tokens[i]} {tokens[i + 1]}"
                    phrases[phrase] += 1
                    seen_phrases.add(phrase)
        word_sources.update(seen_words)
        phrase_sources.update(seen_phrases)
    table.words = _ranked(words, word_sources, top)
    table.phrases = _ranked(phrases, phrase_sources, top, at_least=2)
    return table


def _ranked(counts: Counter, sources: Counter, top: int, at_least: int = 1):
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [(word, n, sources[word]) for word, n in rows[:top] if n >= at_least]


# The word cloud


@dataclass(frozen=True)
class Placed:
    word: str
    count: int
    x: float
    y: float
    size: float
    colour: str


def _box(x: float, y: float, word: str, size: float) -> tuple[float, float, float, float]:
    """The rectangle a word takes when centred on (x, y); a font's letters ≈ 0.6 em wide."""
    width, height = 0.6 * size * len(word) + 4, size * 1.05
    return x - width / 2, y - height * 0.75, x + width / 2, y + height * 0.25


def _free(box, placed) -> bool:
    x0, y0, x1, y1 = box
    if x0 < 0 or y0 < 0 or x1 > CLOUD_WIDTH or y1 > CLOUD_HEIGHT:
        return False
    return all(x1 <= a0 or a1 <= x0 or y1 <= b0 or b1 <= y0 for a0, b0, a1, b1 in placed)


def cloud(words: list[tuple[str, int, int]], limit: int = CLOUD_WORDS) -> list[Placed]:
    """Lay the most frequent words out on an Archimedean spiral from the centre.

    Deterministic: the same counts always give the same picture. The font size
    grows with the square root of the count; a word that finds no free place
    within the picture is left out.
    """
    words = words[:limit]
    if not words:
        return []
    peak = words[0][1]
    placed_boxes, result = [], []
    cx, cy = CLOUD_WIDTH / 2, CLOUD_HEIGHT / 2
    for rank, (word, count, _sources) in enumerate(words):
        size = round(13 + 35 * math.sqrt(count / peak), 1)
        for step in range(2500):
            angle = step * 0.3
            radius = 1.6 * angle
            x, y = cx + radius * math.cos(angle) * 1.6, cy + radius * math.sin(angle)
            box = _box(x, y, word, size)
            if _free(box, placed_boxes):
                placed_boxes.append(box)
                result.append(
                    Placed(word, count, round(x, 1), round(y, 1), size, PALETTE[rank % 7])
                )
                break
    return result
