"""HTML of coded text: the one place where runs and paragraphs become markup.

The coding page, the side-by-side agreement view and any other view of coded
text build their paragraphs here. A long transcript has thousands of runs, so
the markup is composed with f-strings rather than `format_html`; every piece of
source text and every attribute value passes through `escape` (quotes
included), and everything else is numbers and fixed markup. The results are
therefore safe to output as they are (`mark_safe` at the caller's edge).
"""

from collections.abc import Iterable, Mapping
from html import escape

SLOTS = "abcd"  # up to four stacked underlines; a fifth code and more add "z"


def run_class(codes: list[int]) -> str:
    """`k a12 b15`: one class per code, each in its own underline slot."""
    slots = [f"{slot}{int(code)}" for slot, code in zip(SLOTS, codes, strict=False)]
    return " ".join(["k", *slots, *(["z"] if len(codes) > len(SLOTS) else [])])


def set_class(codes) -> str:
    """The slot classes of a set of codes, without the leading `k` (`a12 b15`)."""
    return run_class(list(codes))[2:]


def attributes(attrs: Mapping[str, object]) -> str:
    """` name="value"` pairs, values escaped; None, False and "" left out (0 is kept)."""
    return "".join(
        f' {name}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not None and value is not False and value != ""
    )


def run_span(start: int, text: str, classes: str = "", data_c: str = "", title: str = "") -> str:
    """One run: `<span data-o="START" class="…" data-c="coding ids">text</span>`.

    Called once per run of a long transcript, so it spells out its few attributes.
    """
    extra = f' class="{escape(classes)}"' if classes else ""
    if data_c:
        extra += f' data-c="{escape(data_c)}"'
    if title:
        extra += f' title="{escape(title)}"'
    return f'<span data-o="{int(start)}"{extra}>{escape(text)}</span>'


def stripes(codes: Iterable[int], titles: Mapping[int, str] | None = None) -> str:
    """The margin stripes of a paragraph, one `<i class="mID">` per code."""
    if titles is None:
        return "".join(f'<i class="m{int(code)}"></i>' for code in codes)
    return "".join(
        f'<i class="m{int(code)}"{attributes({"title": titles.get(code, "")})}></i>'
        for code in codes
    )


def paragraph(body: str, stripes_html: str, *, is_turn: bool, attrs: Mapping[str, object]) -> str:
    """A paragraph block: its stripes, then its runs (both already built here)."""
    turn = ' class="turn"' if is_turn else ""
    return (
        f'<div class="para"{attributes(attrs)}>'
        f'<div class="stripes" aria-hidden="true">{stripes_html}</div>'
        f"<p{turn}>{body}</p></div>"
    )
