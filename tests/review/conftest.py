import re

import pytest
from django.utils.html import strip_tags

from coding import services
from interviews.models import Membership

from ..conftest import make_membership, make_source, make_user

# Two short interviews; the phrases below are what the coders mark.
TEXT_ONE = (
    "Pewawancara: Bagaimana koordinasi berjalan?\n\n"
    "Ibu Maria: Rapat hanya kalau ada masalah. Data penerima berbeda-beda.\n\n"
    "Pewawancara: Lalu?\n\nIbu Maria: Jalan ke distrik sulit sekali, sinyal juga."
)
TEXT_TWO = (
    "Pewawancara: Siapa yang membagi tugas?\n\n"
    "Pak Natan: Tugas sering tumpang tindih. Surat edaran datang terlambat 😀 ke distrik."
)


def span(text, phrase, extra=0):
    start = text.index(phrase)
    return start, start + len(phrase) + extra


@pytest.fixture
def coder_b(project):
    user = make_user("rudi_researcher")
    make_membership(project, user, Membership.Role.RESEARCHER)
    return user


@pytest.fixture
def study(project, researcher, coder_b, supervisor):
    """Two coders, two sources, three codes (one never used)."""
    one = make_source(project, title="Wawancara Maria", text=TEXT_ONE, created_by=researcher)
    two = make_source(project, title="Wawancara Natan", text=TEXT_TWO, created_by=researcher)
    forum = services.create_code(project=project, name="Forum", colour="#8c564b")
    data = services.create_code(project=project, name="Data", colour="#1f77b4")
    unused = services.create_code(project=project, name="Geografi", colour="#2ca02c")
    plan = [
        # (source, code, coder, phrase, extra characters)
        (one, forum, researcher, "Rapat hanya kalau ada masalah.", 0),
        (one, forum, coder_b, "Rapat hanya", 0),
        (one, data, researcher, "Data penerima berbeda-beda.", 0),
        (one, data, coder_b, "Data penerima berbeda-beda.", 0),
        (one, data, coder_b, "Jalan ke distrik", 0),
        (two, forum, researcher, "Tugas sering tumpang tindih.", 0),
        (two, forum, coder_b, "sering tumpang tindih. Surat edaran", 0),
        (two, data, researcher, "Surat edaran datang terlambat 😀", 0),
    ]
    codings = []
    for source, code, coder, phrase, extra in plan:
        start, end = span(source.text, phrase, extra)
        codings.append(
            services.apply_code(
                source=source,
                start=start,
                end=end,
                passage=source.text[start:end],
                code=code,
                coder=coder,
            )
        )
    return {
        "sources": [one, two],
        "codes": {"forum": forum, "data": data, "unused": unused},
        "codings": codings,
        "a": researcher,
        "b": coder_b,
    }


def table_rows(html: str, index: int = 0) -> dict[str, list[str]]:
    """The agreement table (the first, or the index-th) as {row heading: cell texts}."""
    body = html.split('<table class="table agreement-table">')[index + 1].split("</table>")[0]
    rows = {}
    for head, cells in re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', body, re.S):
        values = re.findall(r'<td class="num">(.*?)</td>', cells, re.S)
        rows[strip_tags(head).strip()] = [" ".join(strip_tags(v).split()) for v in values]
    return rows
