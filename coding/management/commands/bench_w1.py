"""`make bench W1=1`: the peer-shaped workload W1, driven through real HTTP.

20 documents of 5,000 words, 6 codes, 200 codings per document (30 % of the selections
overlap another, each selection has 1 or 2 codes: `w1_workload.py`), built with a fixed
seed in a throw-away database. The app is served in a subprocess with production settings
(gunicorn if importable, else `runserver --noreload`); a browser-like client signs in
through the login form and times each phase: `name value unit` lines, the median and
the 95th percentile. Then the same at 5× the codings per document (`_h5`) and at 5×
the documents (`_d5`), each phase's growth factor printed beside it.
"""

import cProfile
import html
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
            "--only", help="these phases only (comma-separated names); the others are skipped"
        )

    def handle(self, *args, repeat, heavy_repeat, workers, no_growth, profile, only, **options):
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
            base = self.run_workload(Workload())
            self.emit_base(base)
            if no_growth:
                return
            larger = (Workload(label="h5", codings=1_000), Workload(label="d5", documents=100))
            for workload in larger:
                grown = self.run_workload(workload, light=True)
                self.emit_growth(base, grown, workload.label)

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
        with throwaway_database(self.tmp, "") as _url, override_settings(**overrides):
            seeded = seed(Workload(), random.Random(20261202))  # noqa: S311 - reproducible
            client = InProcessClient()
            client.sign_in(reverse("login"), seeded.username, PASSWORD)
            timer = Timer(folder, self.phases)
            samples = run_phases(client, seeded, self.repeats, Workload(), timer)
        for phase in self.phases:
            median = statistics.median(samples[phase]) * 1000
            cpu = statistics.median(timer.cpu[phase]) * 1000
            self.stdout.write(f"{phase}: {median:.1f} ms ({cpu:.1f} ms CPU); {folder / phase}.txt")

    def run_workload(self, workload: Workload, *, light: bool = False) -> Result:
        repeats = self.repeats
        if light:  # the ×5 workloads: fewer samples, the medians are what is compared
            repeats = {p: 2 if p in HEAVY else max(5, n // 3) for p, n in repeats.items()}
        with throwaway_database(self.tmp, workload.label) as url:
            seeded = seed(workload, random.Random(20261202))  # noqa: S311 - reproducible
            server = Server(
                base_dir=settings.BASE_DIR,
                env=self.server_env(url),
                log=self.tmp / f"server{workload.label}.log",
                workers=self.workers,
            )
            try:
                client = Client("127.0.0.1", server.port)
                client.sign_in(reverse("login"), seeded.username, PASSWORD)
                cpu_before = server.cpu_seconds()
                timer = Timer(
                    phases=self.phases,
                    server_cpu=server.cpu_seconds,
                    server_rss=server.worker_rss_mib,
                )
                samples = run_phases(client, seeded, repeats, workload, timer)
                cpu = server.cpu_seconds() - cpu_before
                peak, total = server.peak_rss_mib()
                client.close()
            finally:
                server.stop()
        if self.verbosity >= 2:
            for phase, (peak_now, resident) in timer.rss_after.items():
                self.stdout.write(f"  after {phase}: peak {peak_now:.1f} MiB, now {resident:.1f}")
        return Result(samples, peak, total, cpu, server.kind, timer.server_cpu_per_run)


@contextmanager
def throwaway_database(tmp: Path, label: str) -> Iterator[str]:
    """A migrated database of its own; yields the DATABASE_URL that reaches it."""
    settings_dict = connection.settings_dict
    old_name = settings_dict["NAME"]
    if connection.vendor == "sqlite":
        settings_dict["TEST"]["NAME"] = str(tmp / f"w1{label}.sqlite3")
    else:
        settings_dict["TEST"]["NAME"] = f"test_{old_name}_w1"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield database_url(connection.settings_dict)
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)


def database_url(settings_dict: dict) -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or "5432"
    return f"postgres://{user}:{password}@{host}:{port}/{quote(settings_dict['NAME'])}"


# The phases


class Timer:
    """Times each phase; with a folder, profiles it too (cProfile: PHASE.prof and PHASE.txt)."""

    def __init__(
        self,
        profile_dir: Path | None = None,
        phases=frozenset(PHASES),
        server_cpu=None,
        server_rss=None,
    ) -> None:
        self.profile_dir = profile_dir
        self.phases = phases
        self.cpu: dict[str, list[float]] = {}  # this process's CPU seconds (in-process runs)
        # The server's CPU seconds per run of each phase: what a busy machine does not blur.
        self.server_cpu = server_cpu
        self.server_cpu_per_run: dict[str, float] = {}
        self.server_rss = server_rss  # (peak of a worker, its resident now) after each phase
        self.rss_after: dict[str, tuple[float, float]] = {}

    def __call__(self, phase: str, action: Callable[[int], None], count: int) -> list[float]:
        """Seconds of each of `count` runs, after one untimed run (a warm server)."""
        if phase not in self.phases:
            return []
        action(-1)
        samples, cpu = [], []
        server_before = self.server_cpu() if self.server_cpu else 0
        for i in range(count):
            began, cpu_began = time.perf_counter(), time.process_time()
            action(i)
            samples.append(time.perf_counter() - began)
            cpu.append(time.process_time() - cpu_began)
        self.cpu[phase] = cpu
        if self.server_cpu:
            self.server_cpu_per_run[phase] = (self.server_cpu() - server_before) / count
        if self.server_rss:
            self.rss_after[phase] = self.server_rss()
        if self.profile_dir:  # as many runs again, under the profiler (it slows them down)
            profiler = cProfile.Profile()
            for i in range(count, 2 * count):
                profiler.runcall(action, i)
            self.write_profile(phase, profiler)
        return samples

    def write_profile(self, phase: str, profiler: cProfile.Profile) -> None:
        profiler.dump_stats(self.profile_dir / f"{phase}.prof")
        with (self.profile_dir / f"{phase}.txt").open("w") as out:
            stats = pstats.Stats(profiler, stream=out).strip_dirs()
            stats.sort_stats("cumulative").print_stats(60)
            stats.sort_stats("tottime").print_stats(30)


def expect(response, status: int = 200, contains: bytes = b"") -> None:
    if response.status != status or contains not in response.body:
        raise RuntimeError(
            f"{response.url}: {response.status}, expected {status} with {contains!r}\n"
            f"{response.body[:500]!r}"
        )


def run_phases(client, seeded: Seeded, repeats: dict, workload: Workload, timed: Timer) -> dict:
    slug = seeded.slug
    rng = random.Random(7)  # noqa: S311 - reproducible
    samples = {}
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

    samples["create_code"] = timed("create_code", create_code, repeats["create_code"])
    samples["create_code_full"] = timed(
        "create_code_full", create_code_full, repeats["create_code_full"]
    )
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
    samples["upload_document"] = timed(
        "upload_document", upload_document, repeats["upload_document"]
    )
    samples |= run_coding_phases(client, seeded, repeats, rng, timed)
    samples |= run_reading_phases(client, seeded, repeats, timed)
    return samples


def run_coding_phases(client, seeded: Seeded, repeats: dict, rng, timed: Timer) -> dict:
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

    return {
        "code_selection": timed("code_selection", code_selection, repeats["code_selection"]),
        "open_document": timed("open_document", open_document, repeats["open_document"]),
    }


def run_reading_phases(client, seeded: Seeded, repeats: dict, timed: Timer) -> dict:
    from coding.models import Coding

    slug, code = seeded.slug, seeded.top_code_id
    retrieval = reverse("coding:retrieval", args=[slug])
    pages = math.ceil(Coding.objects.filter(code_id=code).count() / PER_PAGE)
    export = reverse("coding:codings_export", args=[slug])

    def first_page(i):
        expect(client.get(retrieval, {"code": code}), contains=b"Kode 1")

    def all_pages(i):
        """As a reader does it: the first page, then each page's "Next" link."""
        response, seen = client.get(retrieval, {"code": code}), 1
        while found := NEXT_LINK.search(response.body):
            response, seen = client.get(retrieval + html.unescape(found[1].decode())), seen + 1
            expect(response)
        if seen != pages:
            raise RuntimeError(f"{seen} pages of passages, expected {pages}")

    def export_csv(i):
        response = client.get(export, {"format": "csv"})
        expect(response, contains=b"Kode 1")

    def export_xlsx(i):
        response = client.get(export, {"format": "xlsx"})
        expect(response, contains=b"PK")

    return {
        "code_first_page": timed("code_first_page", first_page, repeats["code_first_page"]),
        "code_all_pages": timed("code_all_pages", all_pages, repeats["code_all_pages"]),
        "export_csv": timed("export_csv", export_csv, repeats["export_csv"]),
        "export_xlsx": timed("export_xlsx", export_xlsx, repeats["export_xlsx"]),
    }
