"""A long source opens one window of paragraphs on the coding page; more come as asked."""

import re

from django.urls import reverse

from coding import services
from interviews.windows import window_at

from ..conftest import make_source

HX = {"HX-Request": "true"}
LINES = [f"Ibu Maria: Baris {n} tentang rapat koordinasi di distrik." for n in range(40_000)]
TEXT = "\n".join(LINES)


def page_url(source):
    return reverse("coding:source_code", args=[source.project.slug, source.pk])


def para_starts(html: str) -> list[int]:
    return [int(start) for start in re.findall(r'<div class="para" id="p(\d+)"', html)]


def test_a_long_source_opens_its_first_window_only(client, project, researcher):
    source = make_source(project, text=TEXT, created_by=researcher)
    window = window_at(TEXT)
    assert not window.is_whole
    client.force_login(researcher)
    response = client.get(page_url(source))
    starts = para_starts(response.text)
    assert starts[0] == 0 and starts[-1] < window.end
    assert len(response.content) < 300_000  # one window, not two million characters
    assert f'hx-get="?at={window.next}&amp;show=all&amp;window=1"' in response.text


def test_the_next_window_comes_with_its_codings(client, project, researcher):
    source = make_source(project, text=TEXT, created_by=researcher)
    second = window_at(TEXT, window_at(TEXT).next)
    code = services.create_code(project=project, name="Rapat")
    start = TEXT.index("rapat", second.start)
    coding = services.apply_code(
        source=source, code=code, coder=researcher, start=start, end=start + 5, passage="rapat"
    )
    client.force_login(researcher)
    first = client.get(page_url(source))
    assert f'data-c="{coding.pk}"' not in first.text
    more = client.get(page_url(source), {"at": second.start, "window": 1}, headers=HX)
    assert "<html" not in more.text
    assert para_starts(more.text)[0] == second.start
    assert f'data-c="{coding.pk}"' in more.text
    jumped = client.get(page_url(source), {"at": start})
    assert f'data-c="{coding.pk}"' in jumped.text
    assert "Earlier text" in jumped.text


def test_a_short_source_is_one_page_as_before(client, project, researcher):
    source = make_source(
        project, text="Pewawancara: Halo.\n\nIbu Maria: Ya.", created_by=researcher
    )
    client.force_login(researcher)
    response = client.get(page_url(source))
    assert para_starts(response.text) == [0, 20]
    assert "Continue reading" not in response.text
