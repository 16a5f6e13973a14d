"""The data of W1 (`manage.py bench_w1`): the peer's workload, built from a seed.

20 documents of 5,000 words, 6 codes, 200 codings per document on word boundaries:
70 % of the selections lie in a stretch of their own, 30 % start inside one of those
(and overlap it alone); half of them carry two codes. An uploaded document is HTML.
"""

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .commands.bench import synthetic_text

PASSWORD = "w1-bench-password"  # noqa: S105 - a throw-away account in a throw-away database
# One code is used more than the others, as in a real codebook (its passages fill 19 pages).
CODE_WEIGHTS = (5, 4, 4, 3, 3, 2)


@dataclass(frozen=True)
class Workload:
    label: str = ""
    documents: int = 20
    words: int = 5_000
    codes: int = 6
    codings: int = 200  # per document
    overlap: float = 0.3


@dataclass
class Seeded:
    slug: str
    username: str
    source_id: int
    source_text: str
    code_ids: list[int]
    top_code_id: int


def seed(workload: Workload, rng: random.Random) -> Seeded:
    from django.contrib.auth import get_user_model

    from coding.models import Code, Coding
    from interviews.services import add_source, create_project

    user = get_user_model().objects.create_user("w1", password=PASSWORD)
    project = create_project(name="W1", slug="w1", creator=user)
    codes = [
        Code.objects.create(
            project=project, name=f"Kode {i + 1}", colour=f"#{rng.randrange(0x1000000):06x}"
        )
        for i in range(workload.codes)
    ]
    first = None
    for i in range(workload.documents):
        source = add_source(
            project=project,
            kind="interview",
            title=f"Dokumen {i + 1}",
            text=synthetic_text(rng, workload.words),
            created_by=user,
            format="html",
        )
        first = first or source
        rows = [
            Coding(source=source, code=code, coder=user, start=start, end=end, passage=passage)
            for start, end, passage, code in selections(source.text, codes, workload, rng)
        ]
        Coding.objects.bulk_create(rows, ignore_conflicts=True)
    return Seeded(
        slug=project.slug,
        username=user.username,
        source_id=first.pk,
        source_text=first.text,
        code_ids=[code.pk for code in codes],
        top_code_id=codes[0].pk,
    )


def word_spans(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in re.finditer(r"\S+", text)]


def pick_codes(codes: list, count: int, rng: random.Random) -> list:
    """`count` distinct codes, the more used ones more often."""
    weights = list(CODE_WEIGHTS[: len(codes)]) + [1] * max(0, len(codes) - len(CODE_WEIGHTS))
    chosen: list[int] = []
    while len(chosen) < count:
        rest = [i for i in range(len(codes)) if i not in chosen]
        chosen.append(rng.choices(rest, [weights[i] for i in rest])[0])
    return [codes[i] for i in chosen]


def selections(text: str, codes: list, workload: Workload, rng: random.Random) -> Iterator:
    """(start, end, passage, code), `workload.codings` of them, on word boundaries.

    Half the selections carry two codes, half one. 70 % of them lie each in a slot of
    its own; the other 30 % (`overlap`) start inside one of those and end within its slot,
    so that they overlap it and nothing else.
    """
    words = word_spans(text)
    count = round(workload.codings / 1.5)
    anchored = round(count * workload.overlap)
    slot = len(words) // (count - anchored)
    spans = []
    for number in range(count - anchored):
        first = number * slot + rng.randrange(slot // 2)
        spans.append((first, min(first + rng.randint(3, 59), (number + 1) * slot - 1)))
    for first, last in rng.sample(spans, anchored):
        inside = rng.randint(first + 1, last) if last > first else first
        slot_end = (first // slot + 1) * slot - 1
        spans.append((inside, rng.randint(max(inside, last), slot_end)))
    doubles = set(rng.sample(range(count), workload.codings - count))  # two codes each
    for index, (first, last) in enumerate(spans):
        start, end = words[first][0], words[last][1]
        for code in pick_codes(codes, 2 if index in doubles else 1, rng):
            yield start, end, text[start:end], code


def html_document(rng: random.Random, words: int, title: str) -> bytes:
    turns = synthetic_text(rng, words).split("\n\n")
    body = "\n".join(f"<p>{turn}</p>" for turn in turns)
    page = (
        f'<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head>\n<body><h1>{title}</h1>\n{body}\n</body></html>\n"
    )
    return page.encode()
