"""Codes the demo study: the reference codebook and two researchers' codings."""

import json

from django.db import transaction
from django.utils import timezone

from interviews.demo import CORPUS, DemoCorpus
from interviews.models import Case, Source

from . import services
from .models import Coding, Conclusion, Evidence, Memo, Summary

CONCLUSIONS = [
    (
        ["regulasi", "situasional", "kesenjangan"],
        "Koordinasi kebijakan teknis di Bagian Kesra berpijak pada regulasi, tetapi dalam "
        "praktik berjalan situasional dan tidak terjadwal.",
        "Pimpinan menekankan Perbup dan SOP sebagai dasar koordinasi, sedangkan kepala subbagian "
        "dan staf menggambarkan rapat yang diadakan hanya ketika ada masalah atau instruksi. "
        "Catatan rapat dan observasi menunjukkan hal yang sama, serta kesenjangan antara "
        "rumusan di kantor dan pelaksanaan di distrik.",
        Conclusion.Status.VERIFIED,
    ),
    (
        ["komunikasi", "data_dokumen", "tumpang_tindih", "forum", "sarana", "geografis"],
        "Enam hambatan melemahkan koordinasi: komunikasi, pengelolaan data dan dokumen, "
        "tumpang tindih tugas, forum koordinasi yang terbatas, sarana pendukung, dan kondisi "
        "geografis.",
        "Hambatan-hambatan ini muncul pada semua kelompok informan dan dikuatkan oleh "
        "observasi ruang kerja, kunjungan distrik, dan laporan kegiatan.",
        Conclusion.Status.SUBMITTED,
    ),
    (
        ["terjadwal", "pembagian_tugas", "pemerataan_informasi", "kapasitas"],
        "Perbaikan koordinasi membutuhkan rapat terjadwal, pembagian tugas yang jelas, "
        "pemerataan informasi kebijakan, dan peningkatan kapasitas staf.",
        "Keempat upaya diusulkan oleh informan dan sebagian sudah diputuskan dalam rapat "
        "koordinasi 17 Maret (rapat bulanan mulai April).",
        Conclusion.Status.DRAFT,
    ),
]


@transaction.atomic
def code_demo_corpus(demo: DemoCorpus) -> int:
    """Seed the default codebook and apply `corpus/codings.json`; returns codings made."""
    project = demo.project
    codes = services.seed_default_codebook(project=project, language="id")
    sources = {s.original_name: s for s in Source.objects.filter(project=project)}
    entries = json.loads((CORPUS / "codings.json").read_text(encoding="utf-8"))
    for entry in entries:
        source = sources[entry["file"]]
        start = source.text.find(entry["quote"])
        if start < 0:
            raise ValueError(f"demo quote not found in {entry['file']}: {entry['quote'][:50]}")
        services.apply_code(
            source=source,
            start=start,
            end=start + len(entry["quote"]),
            passage=entry["quote"],
            code=codes[entry["code"]],
            coder=demo.users[entry["coder"]],
        )
    write_demo_conclusions(demo, codes)
    write_demo_memos(demo, codes, sources)
    return len(entries)


def write_demo_conclusions(demo: DemoCorpus, codes: dict) -> None:
    """The reference study's three findings, each citing the first researcher's codings."""
    researcher = demo.users["researcher"]
    for order, (keys, statement, text, status) in enumerate(CONCLUSIONS):
        conclusion = Conclusion.objects.create(
            project=demo.project,
            statement=statement,
            text=text,
            status=status,
            author=researcher,
            order=order,
        )
        if status == Conclusion.Status.VERIFIED:
            conclusion.reviewer = demo.users["supervisor"]
            conclusion.reviewed_at = timezone.now()
            conclusion.save(update_fields=["reviewer", "reviewed_at"])
        codings = Coding.objects.filter(
            code__in=[codes[key] for key in keys], coder=researcher
        ).order_by("source__kind", "source_id", "start")
        Evidence.objects.bulk_create(
            Evidence(conclusion=conclusion, coding=coding, added_by=researcher)
            for coding in codings
        )


def write_demo_memos(demo: DemoCorpus, codes: dict, sources: dict) -> None:
    """Memos on the project, sources, codes and codings, and summaries per code and case,
    so that the memo list and the framework matrix of the demo are not empty."""
    data = json.loads((CORPUS / "memos.json").read_text(encoding="utf-8"))
    project, users = demo.project, demo.users
    for entry in data["memos"]:
        target = {}
        if "source" in entry:
            target["source"] = sources[entry["source"]]
        elif "code" in entry:
            target["code"] = codes[entry["code"]]
        elif "coding" in entry:
            where = entry["coding"]
            target["coding"] = Coding.objects.get(
                source=sources[where["file"]],
                code=codes[where["code"]],
                passage__startswith=where["quote"],
            )
        Memo.objects.create(
            project=project,
            author=users[entry["author"]],
            title=entry.get("title", ""),
            text=entry["text"],
            **target,
        )
    cases = _cases_by_key(project)
    for entry in data["summaries"]:
        Summary.objects.create(
            project=project,
            code=codes[entry["code"]],
            case=cases[entry["case"]] if "case" in entry else None,
            text=entry["text"],
            author=users["researcher"],
        )


def _cases_by_key(project) -> dict:
    """The demo's cases by their manifest key (inf1…), matched by name."""
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    by_name = {case.name: case for case in Case.objects.filter(project=project)}
    return {entry["key"]: by_name[entry["name"]] for entry in manifest["cases"]}
