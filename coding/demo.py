"""Codes the demo study: the reference codebook and two researchers' codings."""

import json

from django.db import transaction

from interviews.demo import CORPUS, DemoCorpus
from interviews.models import Source

from . import services


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
    return len(entries)
