"""`make bench W1=1`: the workload has the peer's shape, and its client behaves as a
browser does (the login form, CSRF, redirects, htmx), against the live app."""

import random
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.urls import reverse

from coding.management.w1_http import Client
from coding.management.w1_workload import PASSWORD, Workload, html_document, seed
from coding.models import Code, Coding
from interviews.models import Source
from interviews.services import create_project


def test_seed_builds_the_peer_shaped_workload(db):
    workload = Workload(documents=3, words=1_500, codings=60)
    seeded = seed(workload, random.Random(1))
    assert Code.objects.filter(project__slug=seeded.slug).count() == 6
    for source in Source.objects.filter(project__slug=seeded.slug):
        # 1,500 words of talk; each turn ends with an emoji and an accented word.
        assert 1_500 <= source.word_count <= 1_650
        codings = list(source.codings.all())
        assert len(codings) == 60
        assert all(c.passage == source.text[c.start : c.end] for c in codings)
        selections: dict[tuple[int, int], set[int]] = {}
        for coding in codings:
            selections.setdefault((coding.start, coding.end), set()).add(coding.code_id)
        assert sorted(len(codes) for codes in selections.values()) == [1] * 20 + [2] * 20
        # 30 % of the selections start inside another one, which they alone overlap.
        inside = [
            (start, end)
            for start, end in selections
            if any(s < start < e for s, e in selections if (s, e) != (start, end))
        ]
        assert len(inside) == 12
        for start, end in selections:
            overlapped = [
                (s, e) for s, e in selections if (s, e) != (start, end) and s < end and start < e
            ]
            assert len(overlapped) <= 1  # each pair overlaps only each other
    # The first code is used most, as the retrieval phases expect.
    counts = [Coding.objects.filter(code_id=pk).count() for pk in seeded.code_ids]
    assert counts[0] == max(counts) and seeded.top_code_id == seeded.code_ids[0]


def test_the_client_signs_in_posts_and_uploads_like_a_browser(live_server):
    user = get_user_model().objects.create_user("w1", password=PASSWORD)
    project = create_project(name="W1", slug="w1", creator=user)
    address = urlsplit(live_server.url)
    client = Client(address.hostname, address.port)
    client.sign_in(reverse("login"), "w1", PASSWORD)
    codebook = reverse("coding:codebook", args=[project.slug])
    token = client.get(codebook).text().split('name="csrfmiddlewaretoken" value="')[1][:64]
    # A plain form post follows its redirect to the codebook page.
    data = {"name": "Hambatan", "parent": "", "colour": "#336699", "definition": ""}
    response = client.post_form(codebook, data, token=token)
    assert response.status == 200 and "Code “Hambatan” created." in response.text()
    # By htmx, the CSRF token goes in a header and the answer is the new row.
    response = client.post_form(codebook, data | {"name": "Upaya"}, htmx=True)
    assert response.status == 200 and 'hx-swap-oob="afterend:' in response.text()
    assert list(Code.objects.values_list("name", flat=True)) == ["Hambatan", "Upaya"]
    upload = reverse("interviews:source_upload", args=[project.slug])
    page = html_document(random.Random(2), 300, "Wawancara")
    files = [("files", "wawancara.html", page)]
    response = client.post_files(upload, {"kind": "interview"}, files, htmx=True)
    assert response.status == 200 and "msg-success" in response.text()
    source = Source.objects.get(title="wawancara")
    assert source.text.startswith("Wawancara\n\nPewawancara: ")
    client.close()


def test_the_client_is_refused_without_its_csrf_token(live_server):
    user = get_user_model().objects.create_user("w1", password=PASSWORD)
    project = create_project(name="W1", slug="w1", creator=user)
    address = urlsplit(live_server.url)
    client = Client(address.hostname, address.port)
    client.sign_in(reverse("login"), "w1", PASSWORD)
    codebook = reverse("coding:codebook", args=[project.slug])
    data = {"name": "Hambatan", "parent": "", "colour": "#336699"}
    assert client.post_form(codebook, data, token="x" * 64).status == 403
    assert not Code.objects.exists()


def test_walks_are_stepped_side_by_side_in_proportion():
    """A short walk's requests are spread over a long one's, each timed to its own walk."""
    from coding.management.commands.bench_w1 import Walk, walk_together

    order = []

    def pages(name, count):
        def action(i):
            for page in range(count):
                order.append(f"{name}{page}")
                yield

        return action

    def single(i):
        order.append("single")

    short, long, one = Walk(pages("a", 2), 0, 3), Walk(pages("b", 6), 0, 7), Walk(single, 0)
    walk_together([short, long, one])
    assert order == ["a0", "b0", "single", "b1", "b2", "a1", "b3", "b4", "b5"]
    assert (short.steps, long.steps, one.steps) == (3, 7, 1)
    assert all(walk.seconds > 0 for walk in (short, long, one))
