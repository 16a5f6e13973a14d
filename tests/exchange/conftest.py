import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import translation

from coding.models import Memo
from coding.services import apply_code, create_code
from interviews.models import Attribute, Membership, Source

from ..conftest import (
    make_attribute,
    make_case,
    make_case_value,
    make_membership,
    make_project,
    make_source,
    make_user,
)

__all__ = ["make_membership", "make_project", "make_user"]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NS = "urn:QDA-XML:project:1.0"


def make_qdpx(qde: str | bytes, files: dict[str, bytes | str] | None = None, *, name="project.qde"):
    """A .qdpx zip from a project.qde and the files of sources/ (or any other path)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, qde if isinstance(qde, bytes) else qde.encode("utf-8"))
        for path, data in (files or {}).items():
            archive.writestr(path, data if isinstance(data, bytes) else data.encode("utf-8"))
    return buffer.getvalue()


def make_docx(*paragraphs: str) -> bytes:
    from docx import Document

    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever language an earlier request left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def rich_project(project, admin, researcher, supervisor):
    """A project with a bit of everything an export has to carry."""
    second = make_user("dewi_researcher", first_name="Dewi", last_name="Kogoya")
    make_membership(project, second, Membership.Role.RESEARCHER)
    theme, talk, place = _rich_codebook(project)
    chief, staff = _rich_cases(project)
    interview, observation = _rich_sources(project, admin, researcher, chief, staff)
    text = interview.text
    signal = text.index("Sinyal")
    first = _code(interview, signal, signal + 20, talk, researcher)
    _code(interview, signal, signal + 20, place, second)
    _code(interview, 0, 11, talk, second)
    _code(observation, 24, len(observation.text), theme, researcher)
    Memo.objects.create(project=project, author=admin, title="Rencana", text="Memo proyek.")
    Memo.objects.create(project=project, author=researcher, source=interview, text="Memo sumber.")
    Memo.objects.create(project=project, author=researcher, code=talk, text="Memo kode.")
    Memo.objects.create(project=project, author=supervisor, coding=first, text="Memo pengodean.")
    return project


def _code(source, start, end, code, coder):
    passage = source.text[start:end]
    return apply_code(source=source, start=start, end=end, passage=passage, code=code, coder=coder)


def _rich_codebook(project):
    """A theme with a definition, and two codes under it (one name with an emoji)."""
    theme = create_code(
        project=project, name="Hambatan", colour="#b22222", definition="Penghambat."
    )
    talk = create_code(
        project=project, name="Komunikasi", parent=theme, colour="#d62728", definition="Bicara."
    )
    place = create_code(project=project, name="Geografi 🏔", parent=theme, colour="#2ca02c")
    return theme, talk, place


def _rich_cases(project):
    """Two cases; the first has a value of every attribute type."""
    role = make_attribute(project, name="Jabatan", type=Attribute.Type.TEXT)
    years = make_attribute(project, name="Masa kerja", type=Attribute.Type.INTEGER)
    share = make_attribute(project, name="Beban", type=Attribute.Type.FLOAT)
    local = make_attribute(project, name="Orang asli", type=Attribute.Type.BOOLEAN)
    start = make_attribute(project, name="Mulai", type=Attribute.Type.DATE)
    chief = make_case(project, name="Kepala Bagian", description="Memimpin koordinasi.")
    for attribute, value in [
        (role, "Kepala"),
        (years, "6"),
        (share, "0.75"),
        (local, "true"),
        (start, "2019-01-02"),
    ]:
        make_case_value(chief, attribute, value)
    staff = make_case(project, name="Staf Kesra")
    make_case_value(staff, years, "2")
    return chief, staff


def _rich_sources(project, admin, researcher, chief, staff):
    """An interview (emoji, a decomposed accent), an observation (Arabic) and a DOCX."""
    interview = make_source(
        project,
        created_by=researcher,
        title="Wawancara Ibu Maria",
        text="Pewawancara: Apa hambatannya? 😊\n\nIbu Maria: Sinyal susah di Sinak; q\u0301 café.",
        date=dt.date(2026, 3, 9),
        place="Ilaga",
        author="Rahmat",
    )
    interview.cases.set([chief])
    observation = make_source(
        project,
        kind=Source.Kind.OBSERVATION,
        created_by=researcher,
        title="Catatan rapat",
        text="Rapat ditunda dua kali. مرحبا بكم",
    )
    observation.cases.set([chief, staff])
    document = make_source(
        project,
        kind=Source.Kind.DOCUMENT,
        created_by=admin,
        title="Uraian tugas",
        text="Uraian tugas Bagian Kesra.",
        format="docx",
        original_name="uraian.docx",
    )
    document.original.save("uraian.docx", ContentFile(make_docx("Uraian tugas Bagian Kesra.")))
    return interview, observation


class _Names:
    """Names that compare across two projects: code paths, coders, coding keys."""

    def __init__(self, project):
        from coding.models import Code

        self.codes = {code.pk: code for code in Code.objects.filter(project=project)}
        # A placeholder coder of an imported project stands for the user of the file.
        self.placeholders = dict(
            Membership.objects.filter(project=project, placeholder_guid__isnull=False).values_list(
                "user_id", "placeholder_id"
            )
        )

    def path(self, code_id):
        names = []
        while code_id is not None:
            names.append(self.codes[code_id].name)
            code_id = self.codes[code_id].parent_id
        return tuple(reversed(names))

    def who(self, user):
        return self.placeholders.get(user.pk, user.get_username())

    def coding(self, coding):
        return (
            coding.source.title,
            self.path(coding.code_id),
            self.who(coding.coder),
            coding.start,
            coding.end,
        )

    def memo_target(self, memo):
        if memo.coding_id:
            return ("coding", self.coding(memo.coding))
        if memo.code_id:
            return ("code", self.path(memo.code_id))
        if memo.source_id:
            return ("source", memo.source.title)
        return ("project",)


def _original(source):
    if not source.original:
        return None
    with source.original.open("rb") as handle:
        return handle.read()


def _source_row(s):
    binary = s.format in {"docx", "pdf"}
    cases = tuple(sorted(case.name for case in s.cases.all()))
    return (
        s.kind,
        s.title,
        s.text,
        s.date,
        s.place,
        s.author,
        s.format if binary else "txt",
        cases,
        _original(s) if binary else None,
    )


def _case_rows(project):
    from interviews.models import Case

    return sorted(
        (
            case.name,
            case.description,
            tuple(sorted((v.attribute.name, v.attribute.type, v.value) for v in case.values.all())),
        )
        for case in Case.objects.filter(project=project).prefetch_related("values__attribute")
    )


def snapshot(project) -> dict:
    """What a round trip must keep, in a form that compares across two projects."""
    from coding.models import Coding

    names = _Names(project)
    sources = Source.objects.filter(project=project).prefetch_related("cases")
    codings = Coding.objects.filter(source__project=project).select_related("source", "coder")
    memos = Memo.objects.filter(project=project).select_related(
        "author", "coding__source", "coding__coder", "source"
    )
    return {
        "sources": sorted(_source_row(s) for s in sources),
        "codes": sorted(
            (names.path(pk), code.colour, code.definition) for pk, code in names.codes.items()
        ),
        "codings": sorted(names.coding(coding) for coding in codings),
        "passages": sorted((c.source.title, c.passage) for c in codings),
        "cases": _case_rows(project),
        "attributes": sorted((a.name, a.type) for a in Attribute.objects.filter(project=project)),
        "memos": sorted(
            (names.memo_target(m), names.who(m.author), m.title, m.text) for m in memos
        ),
    }
