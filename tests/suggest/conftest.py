"""A generated corpus in which each code has its own vocabulary, coded sentence by sentence."""

import random

import pytest

from coding.services import apply_code, create_code
from coding.suggest.training import train_project_model

from ..conftest import make_source
from ..test_permissions import world  # noqa: F401 - the permission walk's fixture, reused

FILLER_WORDS = (
    "kami itu juga sudah ada yang dan di ke dari untuk dengan pada saat ini jadi kalau "
    "memang biasanya waktu kemudian karena hanya masih lagi sekali bapak ibu kita sana"
)
FILLER = FILLER_WORDS.split()
VOCABULARY = {
    "Komunikasi": "telepon sinyal pesan kabar radio jaringan pulsa menghubungi terputus kontak",
    "Data": "arsip berkas dokumen tabel laporan rekap penerima daftar salinan map",
    "Geografis": "pesawat bandara distrik gunung jalan cuaca longsor jauh helikopter kabut",
    "Forum": "rapat pertemuan forum musyawarah undangan agenda notulen sidang koordinator duduk",
    "Kapasitas": "pelatihan bimbingan kursus keterampilan komputer belajar mentor sertifikat",
    "Jarang": "anggaran dana rupiah biaya belanja kas",
}
RARE = "Jarang"  # fewer than 8 coded passages: no classifier
SPEAKERS = ["Pewawancara", "Ibu Maria", "Pak Natan"]


def _sentence(rng: random.Random, words: list[str], topical: int) -> str:
    body = [rng.choice(FILLER) for _ in range(rng.randint(6, 10))]
    for _ in range(topical):
        body.insert(rng.randrange(len(body) + 1), rng.choice(words))
    return " ".join(body).capitalize() + "."


def generated_text(rng: random.Random, plan: list[str | None]) -> tuple[str, list]:
    """One interview: each answer sentence is about one code of `plan` (None: about nothing)."""
    lines, marks, position = [], [], 0
    for turn, topics in enumerate(_chunks(plan, 3)):
        speaker = SPEAKERS[0] if turn % 2 == 0 else SPEAKERS[1 + turn % 2]
        label = f"{speaker}: "
        sentences = []
        cursor = position + len(label)
        for topic in topics:
            words = VOCABULARY[topic].split() if topic else FILLER
            sentence = _sentence(rng, words, rng.randint(2, 3) if topic else 0)
            if topic:
                marks.append((topic, cursor, cursor + len(sentence)))
            sentences.append(sentence)
            cursor += len(sentence) + 1
        line = label + " ".join(sentences)
        lines.append(line)
        position += len(line) + 2
    return "\n\n".join(lines), marks


def _chunks(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)]


def build_generated_corpus(project, coder, *, sources: int = 10, seed: int = 14):
    """Sources whose topical sentences are all coded; returns codes and passages per code."""
    rng = random.Random(seed)
    codes = {
        name: create_code(project=project, name=name, colour=f"#{i * 30 + 16:02x}4080")
        for i, name in enumerate(VOCABULARY)
    }
    counts = dict.fromkeys(VOCABULARY, 0)
    made = []
    for n in range(sources):
        plan = [None] * 12
        for name in VOCABULARY:
            if name == RARE:
                plan += [name] if n < 5 else []
            else:
                plan += [name] * rng.randint(2, 4)
        rng.shuffle(plan)
        text, marks = generated_text(rng, plan)
        source = make_source(project, title=f"Wawancara {n + 1}", text=text, created_by=coder)
        for name, start, end in marks:
            apply_code(
                source=source,
                start=start,
                end=end,
                passage=text[start:end],
                code=codes[name],
                coder=coder,
            )
            counts[name] += 1
        made.append(source)
    return {"codes": codes, "counts": counts, "sources": made}


@pytest.fixture
def generated(project, researcher):
    return build_generated_corpus(project, researcher)


@pytest.fixture
def trained(generated, project, researcher):
    model = train_project_model(project_id=project.pk, trained_by=researcher)
    return {**generated, "model": model}
