"""The upload's fast paths give exactly what the slower code they replaced gave."""

import html
import re
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from interviews.importers import extract_text, normalise_text
from interviews.models import Source

from .uploading import last_upload_job, post_upload

HX = {"HX-Request": "true"}

_PIECES = st.sampled_from(
    ["\n", "\r", "\r\n", " ", "  ", "\t", "\u2028", "\u2029", "\f", "\v", "\x85", "\x00",
     "\ufeff", "e", "\u0301", "\u00a0", "\u3000", "é", "😀", "\n\n\n", "kata"]
)  # fmt: skip


def normalise_as_before(text: str) -> str:
    """normalise_text as it was written with str.translate and regular expressions."""
    if text.startswith("\ufeff"):
        text = text[1:]
    breaks = str.maketrans({"\u2028": "\n", "\u2029": "\n", "\f": "\n", "\v": "\n", "\x85": "\n"})
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(breaks)
    dropped = r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufeff\ud800-\udfff]"
    text = unicodedata.normalize("NFC", re.sub(dropped, "", text))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


@given(st.one_of(st.text(), st.lists(_PIECES).map("".join)))
def test_normalise_gives_what_it_gave_before(text):
    assert normalise_text(text) == normalise_as_before(text)


def test_normalise_turns_every_line_break_into_a_newline():
    assert normalise_text("a\u2028b\u2029c\fd\ve\x85f\rg\r\nh") == "a\nb\nc\nd\ne\nf\ng\nh"


_INLINE = st.sampled_from(
    [" ", "  ", "\t", "\n", "\r\n", "\f", "\u00a0", "\u3000", "kata", "é", "😀", "<", "&"]
)


@given(st.lists(_INLINE).map("".join))
def test_html_white_space_collapses_as_before(inner):
    text = f"a{inner}z"
    page = f"<html><body><p>{html.escape(text)}</p></body></html>"
    expected = re.sub(" +", " ", re.sub(r"[ \t\n\r\f]+", " ", text)).strip(" ")
    assert extract_text("h.html", page.encode()).text == normalise_text(expected)


def test_html_white_space_keeps_no_break_spaces():
    page = "<p>Satu\t\t dua\n   tiga\u00a0\u00a0empat 😀\r\n\flima</p>"
    assert extract_text("h.html", page.encode()).text == "Satu dua tiga\u00a0\u00a0empat 😀 lima"


@pytest.mark.parametrize("count", [1, 3])
def test_an_upload_costs_a_fixed_number_of_queries_per_file(
    client, project, researcher, count, django_assert_max_num_queries
):
    client.force_login(researcher)
    files = [
        SimpleUploadedFile(f"wawancara-{n}.html", f"<p>Halo {n} 😀</p>".encode(), "text/html")
        for n in range(count)
    ]
    # The request and the job it starts (run here as the immediate backend runs it).
    # Per file: its count, a savepoint and its release, the source, its event-free
    # save, and the search index (two on every backend).
    with django_assert_max_num_queries(13 + 8 * count):
        post_upload(client, project, {"kind": "interview", "files": files}, headers=HX)
    page = client.get(last_upload_job().get_absolute_url())
    assert page.text.count("msg-success") == count
    assert sorted(Source.objects.values_list("text", flat=True)) == [
        f"Halo {n} 😀" for n in range(count)
    ]
