"""`make bench`: speed and weight figures, measured in a throw-away database.

Builds a synthetic project (20 sources of 20,000 words, 1,000 codings each,
30 codes), then times full requests through Django's test client (middleware
included) and prints one line per figure: `name value unit`.
"""

import argparse
import gzip
import random
import statistics
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse

SOURCES = 20
WORDS = 20_000
CODINGS = 1_000
CODES = 30
VOCABULARY = [
    "koordinasi",
    "kebijakan",
    "teknis",
    "bagian",
    "kesra",
    "sekretariat",
    "daerah",
    "distrik",
    "bantuan",
    "data",
    "penerima",
    "rapat",
    "forum",
    "staf",
    "kepala",
    "subbagian",
    "laporan",
    "arsip",
    "surat",
    "instruksi",
    "jadwal",
    "pelatihan",
    "pesawat",
    "jalan",
    "sinyal",
    "listrik",
    "genset",
    "komputer",
    "dinas",
    "sosial",
    "pendidikan",
    "kesehatan",
    "program",
    "anggaran",
    "masyarakat",
    "gereja",
    "masjid",
    "bencana",
    "longsor",
    "verifikasi",
    "informasi",
    "edaran",
    "tugas",
    "tumpang",
    "tindih",
    "komunikasi",
    "lapangan",
    "kantor",
]


def synthetic_text(rng: random.Random, words: int) -> str:
    turns, count, speaker = [], 0, 0
    while count < words:
        length = min(rng.randint(40, 160), words - count)
        body = " ".join(rng.choice(VOCABULARY) for _ in range(length))
        label = "Pewawancara" if speaker % 2 == 0 else "Ibu Maria"
        turns.append(f"{label}: {body.capitalize()}. 😀 café")
        count += length
        speaker += 1
    return "\n\n".join(turns)


PHASES = (
    "coding_page",
    "apply",
    "undo",
    "long_source",
    "agreement",
    "suggest",
    "static",
    "exports",
    "search",
    "analysis",
    "report",
    "import_qdpx",
    "hostile_marks",
)


def _phases(value: str) -> set[str]:
    """--only's value: phase names, comma-separated; an unknown one stops the command."""
    names = {name.strip() for name in value.split(",") if name.strip()}
    unknown = names - set(PHASES)
    if unknown or not names:
        named = ", ".join(sorted(unknown)) or "(none)"
        raise argparse.ArgumentTypeError(f"unknown phase {named}; choose from {', '.join(PHASES)}")
    return names


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


class Command(BaseCommand):
    help = "Measure the coding page, applying a code and static weight on synthetic data."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=15)
        parser.add_argument("--dump", help="write the coding page's HTML to this file")
        parser.add_argument(
            "--only",
            type=_phases,
            help=f"comma-separated phases to run (default all): {', '.join(PHASES)}",
        )

    def handle(self, *args, repeat: int, dump: str | None = None, only=None, **options):
        self.dump = dump
        self.only = only or set(PHASES)
        # Measure as in production: no query log, no template debugging. WhiteNoise
        # serves from the app folders here (no collectstatic before a bench).
        settings.DEBUG = False
        settings.WHITENOISE_AUTOREFRESH = True
        setup_test_environment()
        settings.ALLOWED_HOSTS = ["testserver"]
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        try:
            self.run(repeat)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    def emit(self, name: str, value, unit: str) -> None:
        self.stdout.write(f"{name} {value} {unit}")

    def run(self, repeat: int) -> None:
        from django.contrib.auth import get_user_model

        from coding.models import Code, Coding
        from interviews.models import Membership, Source
        from interviews.services import create_project

        rng = random.Random(20261127)  # noqa: S311 - reproducible synthetic data
        user = get_user_model().objects.create_user("bench")
        project = create_project(name="Bench", slug="bench", creator=user)
        coder2 = get_user_model().objects.create_user("bench2")
        Membership.objects.create(project=project, user=coder2, role="researcher")
        themes = [Code.objects.create(project=project, name=f"Tema {i}", order=i) for i in range(3)]
        codes = [
            Code.objects.create(
                project=project,
                parent=themes[i % 3],
                name=f"Kode {i}",
                colour=f"#{rng.randrange(0x1000000):06x}",
                order=i,
            )
            for i in range(CODES - 3)
        ] + themes
        sources = []
        for i in range(SOURCES):
            text = synthetic_text(rng, WORDS)
            sources.append(
                Source.objects.create(
                    project=project,
                    kind="interview",
                    title=f"Wawancara {i}",
                    text=text,
                    word_count=len(text.split()),
                    created_by=user,
                )
            )
        for source in sources:
            length = len(source.text)
            batch = []
            for _ in range(CODINGS):
                start = rng.randrange(0, length - 400)
                end = start + rng.randint(20, 400)
                batch.append(
                    Coding(
                        source=source,
                        code=rng.choice(codes),
                        coder=rng.choice([user, coder2]),
                        start=start,
                        end=end,
                        passage=source.text[start:end],
                    )
                )
            Coding.objects.bulk_create(batch, ignore_conflicts=True)

        # Built whatever --only says, so that the later phases (exports, search) see the
        # same project in a partial run as in a full one.
        long_source = self.build_long_source(project, user, codes)
        client = Client()
        client.force_login(user)
        only = self.only
        if "coding_page" in only:
            self.run_coding_page(client, sources[0], repeat)
        if "apply" in only:
            self.run_apply(client, sources[0], codes, repeat, rng)
        if "undo" in only:
            self.run_undo(client, sources[0], codes, repeat)
        if "long_source" in only:
            self.run_long_source(client, long_source, repeat)
        if "agreement" in only:
            agreement = reverse("coding:agreement", args=[project.slug])
            params = {"a": user.pk, "b": coder2.pk, "threshold": 50}
            ms, _response = self.timed_get(client, agreement, params, repeat)
            self.emit("agreement_table_ms", ms, "ms")
        if "suggest" in only:
            self.run_suggest(project, sources, client, repeat)
        if "static" in only:
            parts = sorted(Path(finders.find("coding/page.js")).parent.glob("*.js"))
            names = ["kesra.css", *(f"coding/{part.name}" for part in parts)]
            names.append("django_htmx/htmx-2.min.js")
            compressed = sum(
                len(gzip.compress(Path(finders.find(n)).read_bytes(), 9)) for n in names
            )
            self.emit("static_kb_compressed", round(compressed / 1024, 1), "KB")
        if "exports" in only:
            self.run_exports(client, project, repeat)
        if "search" in only:
            self.run_search(repeat, project, user)
        if "analysis" in only:
            self.run_analysis(repeat, rng)
        if "report" in only:
            self.run_report(repeat)
        if "import_qdpx" in only:
            self.run_import_qdpx(project, user)
        if "hostile_marks" in only:
            self.run_hostile_marks()

    def run_coding_page(self, client, source, repeat: int) -> None:
        page = reverse("coding:source_code", args=[source.project.slug, source.pk])
        samples = []
        for i in range(repeat + 2):
            began = time.perf_counter()
            response = client.get(page)
            if i >= 2:
                samples.append(time.perf_counter() - began)
        assert response.status_code == 200
        self.emit("coding_page_ms", median_ms(samples), "ms")
        self.emit("coding_page_html_kb", round(len(response.content) / 1024, 1), "KB")
        if self.dump:
            Path(self.dump).write_bytes(response.content)
        with CaptureQueriesContext(connection) as queries:
            client.get(page)
        self.emit("coding_page_queries", len(queries), "queries")

    def run_exports(self, client, project, repeat: int) -> None:
        """The 20,000 codings of the bench project as CSV and XLSX, and the project as QDPX."""
        codings = reverse("coding:codings_export", args=[project.slug])
        qdpx = reverse("coding:project_export", args=[project.slug])
        for name, url, params in [
            ("export_csv_ms", codings, {"format": "csv"}),
            ("export_xlsx_ms", codings, {"format": "xlsx"}),
            ("export_qdpx_ms", qdpx, {}),
        ]:
            samples = []
            for i in range(min(repeat, 5) + 1):
                began = time.perf_counter()
                response = client.get(url, params)
                # A streamed download is done when its last byte is out.
                body = b"".join(response) if response.streaming else response.content
                if i >= 1:
                    samples.append(time.perf_counter() - began)
            assert response.status_code == 200, body[:300]
            self.emit(name, median_ms(samples), "ms")

    def run_suggest(self, project, sources, client, repeat: int) -> None:
        """Train suggestions on the 20 sources' 20,000 codings; read one source's suggestions."""
        from coding.suggest.models import SourcePrediction
        from coding.suggest.training import train_project_model

        began = time.perf_counter()
        model = train_project_model(project_id=project.pk)
        self.emit("suggest_train_s", round(time.perf_counter() - began, 1), "s")
        url = reverse("coding:suggestion_source", args=[project.slug, sources[0].pk])
        params = {"version": model.number}
        ms, _response = self.timed_get(client, url, params, repeat)
        self.emit("suggest_page_ms", ms, "ms")
        # A source the model has not read yet: loads the model, predicts and stores.
        SourcePrediction.objects.filter(model=model, source=sources[1]).delete()
        url = reverse("coding:suggestion_source", args=[project.slug, sources[1].pk])
        began = time.perf_counter()
        assert client.get(url, params).status_code == 200
        self.emit("suggest_page_first_ms", round((time.perf_counter() - began) * 1000, 1), "ms")

    def write(self, client, url, data):
        """One write as the coding page sends it: htmx, with its idempotency key."""
        key = uuid.uuid4()
        headers = {"HX-Request": "true", "Idempotency-Key": str(key)}
        began = time.perf_counter()
        response = client.post(url, data, headers=headers)
        elapsed = time.perf_counter() - began
        assert response.status_code == 200, response.content[:300]
        return key, elapsed, response

    def selection(self, source, code, rng) -> dict:
        start = rng.randrange(0, len(source.text) - 200)
        end = start + rng.randint(10, 200)
        return {
            "start": start,
            "end": end,
            "passage": source.text[start:end],
            "codes": [code.pk],
            "show": "all",
        }

    def run_apply(self, client, source, codes, repeat, rng) -> None:
        """Applying a code: the POST and the paragraphs and count row it answers with."""
        create = reverse("coding:coding_create", args=[source.project.slug, source.pk])
        samples = []
        for i in range(repeat + 2):
            _key, elapsed, response = self.write(
                client, create, self.selection(source, codes[i % len(codes)], rng)
            )
            if i >= 2:
                samples.append(elapsed)
        self.emit("apply_code_ms", median_ms(samples), "ms")
        self.emit("apply_code_response_kb", round(len(response.content) / 1024, 1), "KB")

    def run_undo(self, client, source, codes, repeat) -> None:
        """Undoing an applied code (the undo's POST and its answer)."""
        rng = random.Random(20261128)  # noqa: S311 - its own draws: the data after stay the same
        slug = source.project.slug
        create = reverse("coding:coding_create", args=[slug, source.pk])
        undo = reverse("coding:coding_undo", args=[slug, source.pk])
        samples = []
        for i in range(repeat + 2):
            batch, _elapsed, _response = self.write(
                client, create, self.selection(source, codes[i % len(codes)], rng)
            )
            _key, elapsed, _response = self.write(
                client, undo, {"batch": str(batch), "show": "all"}
            )
            if i >= 2:
                samples.append(elapsed)
        self.emit("undo_ms", median_ms(samples), "ms")

    def build_long_source(self, project, user, codes):
        """A 300-page transcript (a million characters, 3,000 codings)."""
        from coding.models import Coding
        from interviews.models import Source

        rng = random.Random(20261129)  # noqa: S311 - its own draws, whichever phases run
        text = synthetic_text(rng, 160_000)[:1_000_000]
        source = Source.objects.create(
            project=project, kind="interview", title="Transkrip panjang", text=text, created_by=user
        )
        batch = []
        for _ in range(3_000):
            start = rng.randrange(0, len(text) - 400)
            end = start + rng.randint(20, 400)
            batch.append(
                Coding(
                    source=source,
                    code=rng.choice(codes),
                    coder=user,
                    start=start,
                    end=end,
                    passage=text[start:end],
                )
            )
        Coding.objects.bulk_create(batch, ignore_conflicts=True)
        return source

    def run_long_source(self, client, source, repeat) -> None:
        """The long transcript's first window on the coding page."""
        page = reverse("coding:source_code", args=[source.project.slug, source.pk])
        ms, response = self.timed_get(client, page, {}, repeat)
        self.emit("coding_page_long_source_ms", ms, "ms")
        self.emit("coding_page_long_source_kb", round(len(response.content) / 1024, 1), "KB")

    def timed_get(self, client, url, params, repeat):
        samples = []
        for i in range(repeat + 1):
            began = time.perf_counter()
            response = client.get(url, params)
            if i >= 1:
                samples.append(time.perf_counter() - began)
        assert response.status_code == 200, response.content[:300]
        return median_ms(samples), response

    def run_analysis(self, repeat: int, rng: random.Random) -> None:
        """100,000 codings over 200 sources, 60 codes, 40 cases; one code has 5,000."""
        from django.contrib.auth import get_user_model

        from coding.models import Code, Coding
        from interviews.models import Case, Source
        from interviews.services import create_project

        user = get_user_model().objects.create_user("analyst")
        project = create_project(name="Analysis bench", slug="analysis-bench", creator=user)
        codes = [Code.objects.create(project=project, name=f"Kode {i}", order=i) for i in range(60)]
        cases = [Case.objects.create(project=project, name=f"Informan {i}") for i in range(40)]
        links = Source.cases.through
        sources, link_rows = [], []
        for i in range(200):
            text = synthetic_text(rng, 3_000)
            source = Source.objects.create(
                project=project,
                kind=("interview", "observation", "document")[i % 3],
                title=f"Sumber {i}",
                text=text,
                word_count=3_000,
                created_by=user,
            )
            sources.append(source)
            link_rows.append(links(source_id=source.pk, case_id=cases[i % 40].pk))
            if i % 5 == 0:
                link_rows.append(links(source_id=source.pk, case_id=cases[(i + 7) % 40].pk))
        links.objects.bulk_create(link_rows)
        batch = []
        for n in range(100_000):
            source = sources[n % 200]
            start = rng.randrange(0, len(source.text) - 300)
            end = start + rng.randint(20, 300)
            code = codes[0] if n % 20 == 0 else codes[1 + n % 59]
            batch.append(
                Coding(
                    source=source,
                    code=code,
                    coder=user,
                    start=start,
                    end=end,
                    passage=source.text[start:end],
                )
            )
        Coding.objects.bulk_create(batch, batch_size=5_000, ignore_conflicts=True)
        # A live database has statistics and (PostgreSQL) a visibility map, kept
        # by autovacuum; freshly bulk-loaded bench data has neither until asked.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        client = Client()
        client.force_login(user)
        display = reverse("coding:display", args=[project.slug])
        ms, _response = self.timed_get(client, display, {"view": "case"}, repeat)
        self.emit("matrix_code_case_ms", ms, "ms")
        ms, _response = self.timed_get(client, display, {"view": "cooccurrence"}, repeat)
        self.emit("matrix_cooccurrence_ms", ms, "ms")
        retrieval = reverse("coding:retrieval", args=[project.slug])
        ms, _response = self.timed_get(client, retrieval, {"code": codes[0].pk}, repeat)
        self.emit("retrieval_first_page_ms", ms, "ms")

    def run_search(self, repeat: int, project, user) -> None:
        """First page of a project search over the 20 sources: a word, a phrase, a regex."""
        from interviews.models import Source
        from interviews.search_index import index_source

        sources = list(Source.objects.filter(project=project))
        samples = []
        for source in sources:  # bulk-created above: index them as add_source would
            began = time.perf_counter()
            index_source(source)
            samples.append(time.perf_counter() - began)
        self.emit("search_index_source_ms", median_ms(samples), "ms")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        client = Client()
        client.force_login(user)
        url = reverse("coding:search", args=[project.slug])
        for kind, params in (
            ("word", {"q": "koordinasi"}),
            ("phrase", {"q": '"rapat koordinasi"'}),
            ("regex", {"q": r"\bdata\s+penerima\b", "mode": "regex"}),
        ):
            ms, response = self.timed_get(client, url, params, repeat)
            assert response.context is None or response.context["results"].hits
            self.emit(f"search_first_page_ms_{kind}", ms, "ms")

    def run_report(self, repeat: int) -> None:
        """The demo study's DOCX report, as the worker writes it: the job's task, run here
        (read, write the document, store it); the job's file is kept in a temporary folder."""
        import tempfile
        import zipfile

        from django.test import override_settings

        from coding.analysis.tasks import write_report
        from coding.demo import code_demo_corpus
        from interviews.demo import build_demo_corpus
        from interviews.models import Job

        demo = build_demo_corpus()
        code_demo_corpus(demo)
        samples = []
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
            for i in range(min(repeat, 7) + 1):
                job = Job.objects.create(
                    kind=Job.Kind.REPORT, project=demo.project, created_by=demo.users["researcher"]
                )
                began = time.perf_counter()
                write_report.call(str(job.pk))
                if i >= 1:
                    samples.append(time.perf_counter() - began)
                job.refresh_from_db()
                assert job.status == Job.Status.DONE, job.message
                with job.result.open("rb") as handle:
                    assert "word/document.xml" in zipfile.ZipFile(handle).namelist()
        self.emit("report_docx_ms", median_ms(samples), "ms")

    def run_hostile_marks(self) -> None:
        """An upload built to stall NFC: one letter and 100,000 marks of two classes
        (CPython's own normalize takes about a minute on it; ours is linear)."""
        from interviews.importers import normalise_text

        text = "Awal a" + "\u0316\u0301" * 50_000 + " akhir"
        began = time.perf_counter()
        normalise_text(text)
        self.emit(
            "normalise_hostile_marks_ms", round((time.perf_counter() - began) * 1000, 1), "ms"
        )

    def run_import_qdpx(self, project, user) -> None:
        """Peak memory (tracemalloc) of importing the bench project's QDPX: 20 sources,
        20,000 codings; read, kept between preview and confirmation, and saved."""
        import io
        import tracemalloc
        import zipfile

        from coding.exchange.create import create_project_from_plan
        from coding.exchange.plan import dump_plan, load_plan
        from coding.exchange.qdpx_export import export_qdpx
        from coding.exchange.qdpx_import import read_qdpx

        data, _warnings = export_qdpx(project)
        expanded = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
        tracemalloc.start()
        try:
            kept = dump_plan(read_qdpx(data)).getvalue()
            create_project_from_plan(plan=load_plan(kept), owner=user)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.emit("import_qdpx_expanded_mb", round(expanded / 2**20, 1), "MB")
        self.emit("import_qdpx_peak_mb", round(peak / 2**20, 1), "MB")
