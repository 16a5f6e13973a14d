"""NFC in linear time, for hostile text: a letter followed by thousands of marks.

The importers put every text in NFC (`normalise_text`), and the exchange formats map
positions across it (`coding.exchange.offsets`); both use these pieces.
"""

import functools
import re
import unicodedata

# A combining sequence longer than this is put in canonical order here before
# composing (see `compose`), and mapped by its length alone by the offset maps.
LONG_SEQUENCE = 32


def nfc(text: str) -> str:
    """unicodedata.normalize("NFC", text), in time linear in the text.

    Each letter and the run of marks after it is composed on its own; CPython's
    normalize on the whole text would take minutes on an upload built to stall it.
    """
    if unicodedata.is_normalized("NFC", text):
        return text
    out, position = [], 0
    for match in joining_marks().finditer(text):
        start, end = max(match.start() - 1, 0), match.end()
        out.append(text[position:start])
        out.append(compose(text[start:end]))
        position = end
    out.append(text[position:])
    return "".join(out)


@functools.cache
def joining_marks() -> re.Pattern:
    """Runs of characters that NFC may join to the character before them.

    Those are combining marks, characters NFC replaces, and starters that compose with
    what precedes them (Hangul vowels and final consonants, some Indic vowel signs).
    Any other character is one NFC never looks behind, so a letter and the run after
    it are composed on their own. Past U+2FA1F every assigned character is a plain
    starter (CJK, tags, variation selectors).
    """
    joining = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))
    for code in range(0x300, 0x2FA20):
        character = chr(code)
        if unicodedata.combining(character) or not unicodedata.is_normalized("NFC", character):
            joining.add(code)
        parts = unicodedata.decomposition(character).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            joining.add(int(parts[1], 16))
    # Two classes: re matches a class of BMP characters from a table, others one by one.
    bmp = _ranges(code for code in sorted(joining) if code <= 0xFFFF)
    astral = _ranges(code for code in sorted(joining) if code > 0xFFFF)
    return re.compile(f"(?:[{bmp}]|[{astral}])+")


def _ranges(codes) -> str:
    """Sorted code points as the inside of a regex class: a-c, x..."""
    found: list[list[int]] = []
    for code in codes:
        if found and code == found[-1][1] + 1:
            found[-1][1] = code
        else:
            found.append([code, code])
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in found)


def compose(piece: str) -> str:
    """NFC of a letter and its marks.

    CPython puts marks in canonical order by insertion sort, quadratic in a long run
    of marks of mixed classes; a long piece is decomposed and put in order here
    (a stable sort by combining class, which is what canonical ordering is) first.
    """
    if len(piece) <= LONG_SEQUENCE:
        return unicodedata.normalize("NFC", piece)
    decomposed = "".join(unicodedata.normalize("NFD", character) for character in piece)
    ordered, run = [], []
    for character in decomposed:
        if unicodedata.combining(character):
            run.append(character)
            continue
        ordered.extend(sorted(run, key=unicodedata.combining))
        ordered.append(character)
        run = []
    ordered.extend(sorted(run, key=unicodedata.combining))
    return unicodedata.normalize("NFC", "".join(ordered))
