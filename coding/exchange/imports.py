"""What each import reads, keeps between preview and confirmation, and saves.

Every import goes upload -> preview -> confirm through one flow (views.run_import).
An `Importer` says what differs: which files it takes, how it reads one into a
preview, and how it saves what the preview read. The preview's parsed result (not
the upload) waits in default_storage (pending.py) until it is confirmed, so a file
is parsed once and no state is kept in process memory.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from interviews.jobs import start_job
from interviews.models import Job, Project

from . import csv_import
from .codebook_merge import apply_merge, dump_tree, load_tree, plan_merge
from .pending import save_pending
from .plan import coder_rows, dump_plan
from .qdc import read_qdc
from .qdpx_import import read_qdpx
from .taguette import read_taguette
from .tasks import IMPORT_PENDING, import_project


@dataclass(frozen=True)
class Preview:
    context: dict  # what the preview page shows
    kept: bytes | IO[bytes] | None  # the parsed result the confirmation saves; None: it cannot be


@dataclass(frozen=True)
class Importer:
    key: str  # "codebook", "cases" or "project": the pending file's kind
    extensions: tuple[str, ...]
    template: str
    format_of: Callable[[str], str]  # an upload's name -> its format
    preview: Callable[[Project | None, str, bytes], Preview]  # ExchangeError: unreadable
    save: Callable[[HttpRequest, Project | None, str, bytes], HttpResponse]
    back: Callable[[Project | None], str]  # where a cancelled or failed import returns

    @property
    def formats(self) -> set[str]:
        return {self.format_of(f"x{extension}") for extension in self.extensions}


def _suffix(name: str) -> str:
    return PurePath(name).suffix.lower()


def _to_exchange(project: Project | None) -> str:
    return reverse("coding:exchange", args=[project.slug])


# Codebook: a QDC, a CSV, or QualCoder's tab-separated codebook.


def _codebook_format(name: str) -> str:
    return {".csv": "csv", ".txt": "tsv", ".tsv": "tsv"}.get(_suffix(name), "qdc")


def _codebook_preview(project, fmt: str, data: bytes) -> Preview:
    notes: list[str] = []
    if fmt == "qdc":
        qdc = read_qdc(data)
        tree, notes, errors = qdc.tree, qdc.notes, []
    else:
        tree, errors = csv_import.read_codebook_table(data, tab_separated=fmt == "tsv")
    context = {"plan": plan_merge(project, tree), "notes": notes, "errors": errors}
    return Preview(context, None if errors else dump_tree(tree))


def _codebook_save(request, project, fmt: str, kept: bytes) -> HttpResponse:
    plan = apply_merge(project, load_tree(kept))
    messages.success(
        request,
        _("Codebook imported: %(added)s added, %(renamed)s renamed, %(updated)s updated.")
        % {
            "added": len(plan.added),
            "renamed": len(plan.renamed),
            "updated": len(plan.updated),
        },
    )
    return redirect("coding:codebook", project.slug)


CODEBOOK = Importer(
    key="codebook",
    extensions=(".qdc", ".xml", ".csv", ".tsv", ".txt"),
    template="coding/exchange/codebook_import.html",
    format_of=_codebook_format,
    preview=_codebook_preview,
    save=_codebook_save,
    back=_to_exchange,
)


# Cases with their attributes, from a CSV.


def _cases_preview(project, fmt: str, data: bytes) -> Preview:
    rows = csv_import.read_rows(data)
    plan = csv_import.plan_cases(project, rows)
    kept = None if plan.errors else json.dumps(rows, ensure_ascii=False).encode("utf-8")
    return Preview({"plan": plan}, kept)


def _cases_save(request, project, fmt: str, kept: bytes) -> HttpResponse:
    plan = csv_import.apply_cases(project, json.loads(kept))
    messages.success(
        request,
        _("Cases imported: %(new)s new, %(updated)s updated, %(attributes)s new attributes.")
        % {
            "new": len(plan.new_cases),
            "updated": len(plan.updated_cases),
            "attributes": len(plan.new_attributes),
        },
    )
    return redirect("interviews:case_list", project.slug)


CASES = Importer(
    key="cases",
    extensions=(".csv",),
    template="coding/exchange/cases_import.html",
    format_of=lambda name: "csv",
    preview=_cases_preview,
    save=_cases_save,
    back=_to_exchange,
)


# A whole project: REFI-QDA (.qdpx) or Taguette (project.sqlite3).


def _project_format(name: str) -> str:
    return "qdpx" if _suffix(name) == ".qdpx" else "taguette"


def _project_preview(project, fmt: str, data: bytes) -> Preview:
    plan = read_qdpx(data) if fmt == "qdpx" else read_taguette(data)
    return Preview({"plan": plan, "coders": coder_rows(plan)}, dump_plan(plan))


def _project_save(request, project, fmt: str, kept: bytes) -> HttpResponse:
    """Hand the plan to a job (tasks.import_project), which makes the project."""
    # The preview's file is deleted once confirmed; the job reads a copy of its own,
    # kept in default_storage, so the worker reading it may run anywhere.
    token = save_pending(request.user, IMPORT_PENDING, kept)
    job = start_job(
        task=import_project,
        kind=Job.Kind.PROJECT_IMPORT,
        user=request.user,
        params={"token": token, "format": fmt},
    )
    return redirect(job.get_absolute_url())


PROJECT = Importer(
    key="project",
    extensions=(".qdpx", ".sqlite3", ".sqlite", ".db"),
    template="coding/exchange/project_import.html",
    format_of=_project_format,
    preview=_project_preview,
    save=_project_save,
    back=lambda project: reverse("coding:project_import"),
)
