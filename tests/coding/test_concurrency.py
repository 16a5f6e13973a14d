"""Two coders and an admin at once, over HTTP against the live server (PostgreSQL).

While the coders apply and re-code passages, the admin merges, deletes and
creates codes. Every coding the server confirmed must still be there (perhaps
under the code it was merged into), or its removal must be in the history; and
no request may fail with a server error. Bounded: a fixed number of requests per
thread, each with a timeout.
"""

import random
import threading
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from coding.models import Code, Coding, CodingEvent
from coding.services import create_code

from ..conftest import make_membership, make_project, make_source, make_user

OPERATIONS = 70  # per thread
WORDS = ["koordinasi", "rapat", "distrik", "jalan", "sinyal", "laporan", "data", "forum"]

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks are PostgreSQL's; SQLite runs one writer at a time",
)


class Browser:
    """One signed-in user talking HTTP to the live server, with the CSRF token."""

    def __init__(self, base_url: str, user):
        self.base_url = base_url
        self.username = user.username
        client = Client()
        client.force_login(user)
        self.cookies = {"sessionid": client.cookies["sessionid"].value}
        self.statuses: list[int] = []

    def request(self, path: str, data: dict | None = None, *, htmx: bool = False) -> tuple:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        if htmx:
            headers["HX-Request"] = "true"
        request = Request(self.base_url + path, data=body, headers=headers)
        try:
            with urlopen(request, timeout=30) as response:
                status, text, cookies = response.status, response.read(), response.headers
        except HTTPError as error:
            status, text, cookies = error.code, error.read(), error.headers
        for header in cookies.get_all("Set-Cookie") or []:
            name, _sep, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        self.statuses.append(status)
        return status, text.decode()


@pytest.fixture
def crowd(transactional_db, live_server):
    admin, first, second = make_user("admin_x"), make_user("coder_a"), make_user("coder_b")
    project = make_project()
    project_source = make_source(project, text=" ".join(random.Random(1).choices(WORDS, k=3000)))
    make_membership(project, admin, "admin")
    make_membership(project, first)
    make_membership(project, second)
    for number in range(6):
        create_code(project=project, name=f"Kode {number}")
    return {
        "project": project,
        "source": project_source,
        "users": (admin, first, second),
        "url": live_server.url,
    }


def _closing_connections(work):
    """Run `work` in a thread and close the thread's database connection after it."""

    def run(*args):
        try:
            work(*args)
        finally:
            connections.close_all()

    return run


def _coder(browser: Browser, crowd, seed: int, confirmed: list):
    rng = random.Random(seed)
    project, source = crowd["project"], crowd["source"]
    text = source.text
    create = reverse("coding:coding_create", args=[project.slug, source.pk])
    for _ in range(OPERATIONS):
        codes = list(Code.objects.filter(project=project).values_list("pk", flat=True))
        code = rng.choice(codes)
        start = rng.randrange(0, len(text) - 40)
        end = start + rng.randrange(5, 40)
        if rng.random() < 0.7 or not confirmed:
            data = {"start": start, "end": end, "passage": text[start:end], "codes": [code]}
            status, _body = browser.request(create, data, htmx=True)
            if status == 200:
                confirmed.append((start, end))
        else:
            coding = Coding.objects.filter(coder__username=browser.username).order_by("?").first()
            if coding is None:
                continue
            url = reverse("coding:coding_edit", args=[project.slug, source.pk, coding.pk])
            browser.request(url, {"action": "code", "code": code}, htmx=True)


def _admin(browser: Browser, crowd, seed: int):
    rng = random.Random(seed)
    project = crowd["project"]
    for number in range(OPERATIONS):
        codes = list(Code.objects.filter(project=project).values_list("pk", flat=True))
        roll = rng.random()
        if roll < 0.35 and len(codes) >= 3:
            old, into = rng.sample(codes, 2)
            browser.request(reverse("coding:code_merge", args=[project.slug, old]), {"into": into})
        elif roll < 0.6 and len(codes) >= 3:
            gone = rng.choice(codes)
            browser.request(reverse("coding:code_delete", args=[project.slug, gone]), {})
        else:
            data = {"name": f"Baru {seed}-{number}", "colour": "#1f77b4"}
            browser.request(reverse("coding:codebook", args=[project.slug]), data)


def test_no_coding_is_lost_and_no_request_fails_while_codes_merge(crowd):
    admin, first, second = crowd["users"]
    project, source = crowd["project"], crowd["source"]
    page = reverse("coding:source_code", args=[project.slug, source.pk])
    browsers = []
    for user in (admin, first, second):
        browser = Browser(crowd["url"], user)
        browser.request(page)  # the page sets the CSRF cookie
        browsers.append(browser)
    confirmed = {first.username: [], second.username: []}
    threads = [
        threading.Thread(target=_closing_connections(_admin), args=(browsers[0], crowd, 7)),
        threading.Thread(
            target=_closing_connections(_coder),
            args=(browsers[1], crowd, 1, confirmed[first.username]),
        ),
        threading.Thread(
            target=_closing_connections(_coder),
            args=(browsers[2], crowd, 2, confirmed[second.username]),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)

    failures = [s for browser in browsers for s in browser.statuses if s >= 500]
    assert failures == [], f"server errors: {failures}"
    lost = []
    for user in (first, second):
        kept = set(Coding.objects.filter(coder=user).values_list("start", "end"))
        removed = set(
            CodingEvent.objects.filter(coder=user, action=CodingEvent.Action.REMOVED).values_list(
                "start", "end"
            )
        )
        lost += [span for span in confirmed[user.username] if span not in kept | removed]
    total = sum(len(spans) for spans in confirmed.values())
    assert total > 40, "the coders got too few writes through to prove anything"
    assert lost == [], f"{len(lost)} of {total} confirmed codings vanished without a trace"
    merged_or_deleted = CodingEvent.objects.filter(actor=admin).count()
    assert merged_or_deleted > 0, "the admin's merges and deletes never touched a coding"
