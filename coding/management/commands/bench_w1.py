"""`make bench W1=1`: the peer-shaped workload W1, driven through real HTTP.

20 documents of 5,000 words, 6 codes, 200 codings per document (30 % of the selections
overlap another, each selection has 1 or 2 codes: `w1_workload.py`), built with a fixed
seed in a throw-away database. The app is served in a subprocess with production settings
(gunicorn if importable, else `runserver --noreload`); a browser-like client signs in
through the login form and times each phase: `name value unit` lines, the median and
the 95th percentile. Then the base again, at 5× the codings per document (`_h5`) and at
5× the documents (`_d5`), each phase's growth factor printed beside it. Those three run
side by side, each in its own database and server, their requests interleaved (see
`walk_together`): on a machine whose speed wanders, as a shared one's does, a growth
factor measured an hour apart, or even a minute, says more about the machine. (The
base's own figures come from its run alone: three servers taking turns share the
processor's caches, which makes each request a little slower.)
"""

import cProfile
import gc
import html
import inspect
import math
import os
import pstats
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.urls import reverse

from ..w1_http import Client, InProcessClient, Server, form_token
from ..w1_workload import PASSWORD, Seeded, Workload, html_document, seed, word_spans

PER_PAGE = 50  # the retrieval page's size
NEXT_LINK = re.compile(rb'<a href="(\?[^"]*)" rel="next">')
PHASES = (
    "create_code",
    "create_code_full",
    "upload_document",
    "code_selection",
    "open_document",
    "code_first_page",
    "code_all_pages",
    "export_csv",
    "export_xlsx",
)
HEAVY = {"code_all_pages", "export_csv", "export_xlsx"}
# The ×5 workloads: five times the codings per document, five times the documents.
GROWN = {"h5": Workload(label="h5", codings=1_000), "d5": Workload(label="d5", documents=100)}


@dataclass
class Result:
    samples: dict[str, list[float]]
    peak_rss_mib: float
    total_rss_mib: float
    cpu_seconds: float
    server: str
    server_cpu_per_run: dict[str, float]

    def median_ms(self, phase: str) -> float:
        return statistics.median(self.samples[phase]) * 1000

    def p95_ms(self, phase: str) -> float:
        samples = self.samples[phase]
        if len(samples) < 2:
            return samples[0] * 1000
        return statistics.quantiles(samples, n=20, method="inclusive")[18] * 1000


class Command(BaseCommand):
    help = "Time the peer-shaped workload W1 through HTTP against the app in a subprocess."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=15, help="samples of a light phase")
        parser.add_argument("--heavy-repeat", type=int, default=5, help="samples of the others")
        parser.add_argument("--workers", type=int, default=1, help="gunicorn worker processes")
        parser.add_argument("--no-growth", action="store_true", help="skip the ×5 workloads")
        parser.add_argument(
            "--profile",
            metavar="DIR",
            help="run W1 in this process through the test client, each phase under cProfile",
        )
        parser.add_argument(
            "--profile-workload",
            choices=("", "h5", "d5"),
            default="",
            help="with --profile: the ×5 codings (h5) or ×5 documents (d5) workload",
        )
        parser.add_argument(
            "--only", help="these phases only (comma-separated names); the others are skipped"
        )

    def handle(self, *args, repeat, heavy_repeat, workers, no_growth, profile, only, **options):
        self.profile_workload = options["profile_workload"]
        settings.DEBUG = False  # no query log while seeding
        self.repeats = {p: heavy_repeat if p in HEAVY else repeat for p in PHASES}
        self.workers = workers
        self.verbosity = options["verbosity"]
        self.phases = [p for p in PHASES if not only or p in only.split(",")]
        with tempfile.TemporaryDirectory(prefix="kesra-w1-") as tmp:
            self.tmp = Path(tmp)
            if profile:
                self.profile(Path(profile))
                return
            self.collect_static()
            self.emit_machine()
            # The figures: the base workload alone, its server's caches its own.
            self.emit_base(self.run_workloads([Workload()])[0])
            if no_growth:
                return
            # The growth: the base again beside the ×5 workloads, their requests
            # interleaved; each factor compares samples taken in the same seconds.
            base, *grown = self.run_workloads([Workload(), *GROWN.values()])
            for workload, result in zip(GROWN.values(), grown, strict=True):
                self.emit_growth(base, result, workload.label)

    def emit(self, name: str, value: float, unit: str) -> None:
        self.stdout.write(f"{name} {round(value, 1 if unit != 'x' else 2)} {unit}".rstrip())

    def emit_machine(self) -> None:
        """How busy the machine is: the figures of a run on a loaded machine mean less."""
        self.emit("w1_load_average", os.getloadavg()[0], "")
        samples = []
        for _ in range(5):
            began = time.perf_counter()
            sum(range(1_000_000))
            samples.append(time.perf_counter() - began)
        # Pure Python, no I/O: some 10 ms on an idle modern core.
        self.emit("w1_calibration_ms", statistics.median(samples) * 1000, "ms")

    def emit_base(self, result: Result) -> None:
        for phase in self.phases:
            self.emit(f"w1_{phase}_ms", result.median_ms(phase), "ms")
            self.emit(f"w1_{phase}_p95_ms", result.p95_ms(phase), "ms")
            self.emit(f"w1_{phase}_server_cpu_ms", result.server_cpu_per_run[phase] * 1000, "ms")
        self.emit("w1_peak_rss_mib", result.peak_rss_mib, "MiB")
        self.emit("w1_server_rss_total_mib", result.total_rss_mib, "MiB")
        self.emit("w1_server_cpu_s", result.cpu_seconds, "s")
        self.stdout.write(f"w1_server {result.server}")

    def emit_growth(self, base: Result, grown: Result, label: str) -> None:
        for phase in self.phases:
            if self.verbosity >= 2:
                for name, result in (("w1", base), (label, grown)):
                    ms = ", ".join(f"{s * 1000:.0f}" for s in result.samples[phase])
                    self.stdout.write(f"  {phase} {name}: {ms} ms")
            self.emit(f"w1_{phase}_{label}_ms", grown.median_ms(phase), "ms")
            factor = grown.median_ms(phase) / base.median_ms(phase)
            self.emit(f"w1_{phase}_growth_{label}", factor, "x")
            # The same from the server's CPU per run, which a busy machine blurs less.
            cpu = grown.server_cpu_per_run[phase] / max(base.server_cpu_per_run[phase], 1e-3)
            self.emit(f"w1_{phase}_cpu_growth_{label}", cpu, "x")
        self.emit(f"w1_peak_rss_{label}_mib", grown.peak_rss_mib, "MiB")

    def server_env(self, database_url: str) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kesra_coord.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(self.tmp / "media"),
            # Uploads are read by a job: run it inside the request (no worker here), so
            # the upload phase still times the reading and its answer lists the files.
            "TASKS_BACKEND": "immediate",
        }
        # Plain HTTP on the loopback: no HTTPS redirect, no secure-only cookies. The
        # setting was renamed from HTTPS to SECURE_SSL; give whichever this tree reads.
        env.pop("HTTPS", None)
        env.pop("SECURE_SSL", None)
        env["SECURE_SSL" if hasattr(settings, "SECURE_SSL") else "HTTPS"] = "0"
        return env

    def collect_static(self) -> None:
        """With DEBUG off, pages name their CSS and JS through the static manifest."""
        env = self.server_env("sqlite:///:memory:")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
            cwd=settings.BASE_DIR,
            env=env,
            check=True,
        )

    def profile(self, folder: Path) -> None:
        """The phases through Django's test client, in this process, each under cProfile."""
        from django.test.utils import override_settings

        folder.mkdir(parents=True, exist_ok=True)
        overrides = {"ALLOWED_HOSTS": ["testserver"], "MEDIA_ROOT": self.tmp / "media"}
        workload = GROWN.get(self.profile_workload, Workload())
        with throwaway_databases(self.tmp, [workload]) as made, override_settings(**overrides):
            connection.settings_dict["NAME"] = made[0].name
            gc.collect()
            gc.freeze()  # as a served worker does: the seeding's objects are not scanned
            client = InProcessClient()
            client.sign_in(reverse("login"), made[0].seeded.username, PASSWORD)
            run = Run(made[0], client, self.repeats)
            run_interleaved([run], self.phases, profile_dir=folder)
        for phase in self.phases:
            median = statistics.median(run.samples[phase]) * 1000
            cpu = statistics.median(run.cpu[phase]) * 1000
            self.stdout.write(f"{phase}: {median:.1f} ms ({cpu:.1f} ms CPU); {folder / phase}.txt")

    def run_workloads(self, workloads: list[Workload]) -> list[Result]:
        """Each workload in a database and a server of its own, their phases run side by
        side: each sample of a phase goes round every server in turn, so a machine that
        slows down for a while slows them all and leaves their ratios alone."""
        with throwaway_databases(self.tmp, workloads) as made:
            servers, runs = [], []
            try:
                for each in made:
                    server = Server(
                        base_dir=settings.BASE_DIR,
                        env=self.server_env(each.url),
                        log=self.tmp / f"server{each.workload.label}.log",
                        workers=self.workers,
                    )
                    servers.append(server)
                    client = Client("127.0.0.1", server.port)
                    client.sign_in(reverse("login"), each.seeded.username, PASSWORD)
                    runs.append(Run(each, client, self.repeats, server))
                cpu_before = [server.cpu_seconds() for server in servers]
                run_interleaved(runs, self.phases)
                results = []
                for run, server, before in zip(runs, servers, cpu_before, strict=True):
                    peak, total = server.peak_rss_mib()
                    cpu = server.cpu_seconds() - before
                    results.append(
                        Result(run.samples, peak, total, cpu, server.kind, run.server_cpu_per_run)
                    )
                    run.client.close()
            finally:
                for server in servers:
                    server.stop()
        if self.verbosity >= 2:
            for run in runs:
                for phase, (peak_now, resident) in run.rss_after.items():
                    self.stdout.write(
                        f"  {run.workload.label or 'w1'} after {phase}: "
                        f"peak {peak_now:.1f} MiB, now {resident:.1f}"
                    )
        return results


@dataclass
class Made:
    workload: Workload
    name: str  # the database's NAME
    url: str  # the DATABASE_URL that reaches it
    seeded: Seeded


@contextmanager
def throwaway_databases(tmp: Path, workloads: list[Workload]) -> Iterator[list[Made]]:
    """A migrated database of its own for each workload, seeded; dropped at the end.

    The default connection is left on the database it came with; each one's NAME and
    DATABASE_URL are in what is yielded."""
    settings_dict = connection.settings_dict
    old_name = settings_dict["NAME"]
    made: list[Made] = []
    try:
        for workload in workloads:
            if connection.vendor == "sqlite":
                settings_dict["TEST"]["NAME"] = str(tmp / f"w1{workload.label}.sqlite3")
            else:
                settings_dict["TEST"]["NAME"] = f"test_{old_name}_w1{workload.label}"
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            made.append(Made(workload, settings_dict["NAME"], database_url(settings_dict), None))
            made[-1].seeded = seed(workload, random.Random(20261202))  # noqa: S311 - reproducible
            connection.close()
            settings_dict["NAME"] = old_name
        yield made
    finally:
        for each in made:
            connection.close()
            settings_dict["NAME"] = each.name
            connection.creation.destroy_test_db(old_name, verbosity=0)
        settings_dict["NAME"] = old_name


def database_url(settings_dict: dict) -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or "5432"
    return f"postgres://{user}:{password}@{host}:{port}/{quote(settings_dict['NAME'])}"


# The phases


class Run:
    """One workload's client and phases, and what was measured of them."""

    def __init__(self, made: Made, client, repeats: dict, server=None) -> None:
        self.workload = made.workload
        self.client = client
        self.server = server
        self.repeats = repeats
        self.actions = phase_actions(client, made.seeded, made.workload, repeats)
        self.samples: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}  # this process's CPU seconds (in-process runs)
        # The server's CPU seconds per run of each phase: what a busy machine blurs less.
        self.server_cpu_per_run: dict[str, float] = {}
        self.rss_after: dict[str, tuple[float, float]] = {}  # (worker's peak, resident)


class Walk:
    """One sample of one run's phase. An action that makes several requests is a
    generator that yields after each one, and is taken a request at a time."""

    def __init__(self, action: Callable, i: int, expected_steps: int = 1) -> None:
        self.action, self.i = action, i
        self.expected = max(expected_steps, 1)
        self.steps = 0
        self.seconds = self.cpu = 0.0
        self.rest = None  # the generator, once the action has started

    @property
    def progress(self) -> float:
        return self.steps / self.expected

    def step(self) -> bool:
        """Make the next request; False once the action is over."""
        began, cpu_began = time.perf_counter(), time.process_time()
        try:
            if self.rest is None:
                result = self.action(self.i)
                if not inspect.isgenerator(result):
                    return False
                self.rest = result
            next(self.rest)
            return True
        except StopIteration:
            return False
        finally:
            self.seconds += time.perf_counter() - began
            self.cpu += time.process_time() - cpu_began
            self.steps += 1


def walk_together(walks: list[Walk]) -> None:
    """Step the walks until all are over, always the one least far through its own
    walk: a page of the ×5 workloads' 95 comes between each of the base's 19, so a
    machine that slows down for a moment slows them all alike."""
    live = list(walks)
    while live:
        walk = min(live, key=lambda w: w.progress)
        if not walk.step():
            live.remove(walk)


def run_interleaved(runs: list[Run], phases, profile_dir: Path | None = None) -> None:
    """Each phase in turn: one untimed run on every server (warm, and to count its
    requests), then the timed runs, the i-th run of every server side by side
    (`walk_together`). With `profile_dir`, as many runs again under cProfile
    (PHASE.prof and PHASE.txt; it slows them down)."""
    for phase in PHASES:
        actions = [next(run.actions) for run in runs]
        if any(name != phase for name, _action in actions):
            raise RuntimeError(f"phases out of step at {phase}")
        if phase not in phases:
            continue
        count = runs[0].repeats[phase]
        warm = [Walk(action, -1) for _name, action in actions]
        walk_together(warm)
        server_before = [run.server.cpu_seconds() if run.server else 0 for run in runs]
        for i in range(count):
            walks = [Walk(a, i, w.steps) for (_n, a), w in zip(actions, warm, strict=True)]
            walk_together(walks)
            for run, walk in zip(runs, walks, strict=True):
                run.samples.setdefault(phase, []).append(walk.seconds)
                run.cpu.setdefault(phase, []).append(walk.cpu)
        for run, before in zip(runs, server_before, strict=True):
            if run.server:
                run.server_cpu_per_run[phase] = (run.server.cpu_seconds() - before) / count
                run.rss_after[phase] = run.server.worker_rss_mib()
        if profile_dir:
            profiler = cProfile.Profile()
            for i in range(count, 2 * count):
                profiler.runcall(walk_together, [Walk(actions[0][1], i)])
            write_profile(profile_dir / phase, profiler)


def write_profile(path: Path, profiler: cProfile.Profile) -> None:
    profiler.dump_stats(path.with_suffix(".prof"))
    with path.with_suffix(".txt").open("w") as out:
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(30)


def expect(response, status: int = 200, contains: bytes = b"") -> None:
    if response.status != status or contains not in response.body:
        raise RuntimeError(
            f"{response.url}: {response.status}, expected {status} with {contains!r}\n"
            f"{response.body[:500]!r}"
        )


def phase_actions(client, seeded: Seeded, workload: Workload, repeats: dict) -> Iterator:
    """(phase, action) of each phase in PHASES' order; what a phase needs first is done
    when it is asked for, after the phases before it have run."""
    slug = seeded.slug
    rng = random.Random(7)  # noqa: S311 - reproducible
    codebook = reverse("coding:codebook", args=[slug])
    token = form_token(client.get(codebook))

    def create_code(i):
        """As the page does it: an htmx post, answered with the new row."""
        name = f"Kode baru {i + 2}"
        data = {"name": name, "parent": "", "colour": "#336699", "definition": ""}
        expect(client.post_form(codebook, data, htmx=True), contains=name.encode())

    def create_code_full(i):
        """Without JavaScript: the form's post, then the codebook page it redirects to."""
        name = f"Kode penuh {i + 2}"
        data = {"name": name, "parent": "", "colour": "#336699", "definition": ""}
        expect(client.post_form(codebook, data, token=token), contains=name.encode())

    yield "create_code", create_code
    yield "create_code_full", create_code_full
    upload = reverse("interviews:source_upload", args=[slug])
    documents = [
        html_document(rng, workload.words, f"Wawancara {i + 2}")
        for i in range(repeats["upload_document"] + 1)
    ]

    def upload_document(i):
        files = [("files", f"wawancara-{i + 2}.html", documents[(i + 1) % len(documents)])]
        response = client.post_files(upload, {"kind": "interview"}, files, htmx=True)
        expect(response, contains=b"msg-success")

    client.get(upload)
    yield "upload_document", upload_document
    yield from coding_actions(client, seeded, rng)
    yield from reading_actions(client, seeded)


def coding_actions(client, seeded: Seeded, rng) -> Iterator:
    slug, source_id = seeded.slug, seeded.source_id
    page = reverse("coding:source_code", args=[slug, source_id])
    create = reverse("coding:coding_create", args=[slug, source_id])
    words = word_spans(seeded.source_text)
    client.get(page)

    def code_selection(i):
        first = rng.randrange(len(words) - 30)
        start, end = words[first][0], words[first + rng.randint(1, 25)][1]
        codes = rng.sample(seeded.code_ids, rng.choice((1, 2)))
        data = {
            "start": start,
            "end": end,
            "passage": seeded.source_text[start:end],
            "codes": codes,
            "show": "all",
        }
        # The coding page's write queue sends a key, so that a retry applies nothing twice.
        key = {"Idempotency-Key": str(uuid.uuid4())}
        response = client.post_form(create, data, htmx=True, headers=key)
        expect(response, contains=b"data-o=")

    def open_document(i):
        expect(client.get(page), contains=b"data-o=")

    yield "code_selection", code_selection
    yield "open_document", open_document


# The page's heading: "<n> passages of …" in the reader's language.
PASSAGE_COUNT = re.compile(rb'<h2 id="passages-title">([0-9.,]+) ')


def reading_actions(client, seeded: Seeded) -> Iterator:
    slug, code = seeded.slug, seeded.top_code_id
    retrieval = reverse("coding:retrieval", args=[slug])
    export = reverse("coding:codings_export", args=[slug])

    def first_page(i):
        expect(client.get(retrieval, {"code": code}), contains=b"Kode 1")

    def all_pages(i):
        """As a reader does it: the first page, then each page's "Next" link, until the
        pages have shown as many passages as the first one counted."""
        response, seen = client.get(retrieval, {"code": code}), 1
        yield
        counted = PASSAGE_COUNT.search(response.body)
        if not counted:
            raise RuntimeError("the first page of passages does not say how many there are")
        pages = math.ceil(int(re.sub(rb"[.,]", b"", counted[1])) / PER_PAGE)
        while found := NEXT_LINK.search(response.body):
            response, seen = client.get(retrieval + html.unescape(found[1].decode())), seen + 1
            expect(response)
            yield
        if seen != pages:
            raise RuntimeError(f"{seen} pages of passages, expected {pages}")

    def export_csv(i):
        response = client.get(export, {"format": "csv"})
        expect(response, contains=b"Kode 1")

    def export_xlsx(i):
        response = client.get(export, {"format": "xlsx"})
        expect(response, contains=b"PK")

    yield "code_first_page", first_page
    yield "code_all_pages", all_pages
    yield "export_csv", export_csv
    yield "export_xlsx", export_xlsx
