"""A hand-written QDPX with the quirks of real tools' files."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from coding.exchange.create import create_project_from_plan
from coding.exchange.qdpx_import import read_qdpx
from coding.models import Code, Coding, Memo
from interviews.models import Case, Membership, Project, Source

from ..interviews.test_importers import make_pdf
from .conftest import FIXTURES, make_docx, make_qdpx

ECONOMY = "d7aa29da-519b-4946-9b90-253b6db8fd0a"
HEALTH = "0dcef2f5-e55c-49da-8c33-9b0803c7aeb4"
VALUES = "9fa9bcb7-5b59-47a9-8c3e-f65cffdc7520"
QDE = (FIXTURES / "qdpx" / "quirks-project.qde").read_text(encoding="utf-8")
FILES = {
    # CRLF line ends and a decomposed accent: positions count the file's own code points.
    "sources/ab12cd34-0000-4000-8000-000000000001.txt": "Halo\r\nCafe\u0301 pagi.\r\nSaya makan.",
    "sources/simon.txt": "Simon: I eat at the hotel.",
    "sources/tiga.txt": "Teks ketiga.",
    "sources/empat.txt": "Teks keempat.",
    "sources/lima.docx": make_docx("Lima paragraf."),
    "sources/enam.txt": "",
    "sources/enam.pdf": make_pdf(["Enam dari PDF"]),
    "sources/photo.jpg": b"\xff\xd8\xff" + bytes(10),
    "sources/note3.txt": "Rencana penelitian.",
    "sources/.root": b"",
}


@pytest.fixture
def imported(researcher):
    plan = read_qdpx(make_qdpx(QDE, FILES))
    result = create_project_from_plan(plan=plan, owner=researcher)
    return plan, result.project


def test_every_text_source_is_found_however_its_path_is_written(imported):
    _plan, project = imported
    texts = dict(Source.objects.filter(project=project).values_list("title", "text"))
    assert texts == {
        "Mabel.txt": "Halo\nCafe\u0301 pagi.\nSaya makan.",  # verbatim but for CRLF
        "Simon": "Simon: I eat at the hotel.",
        "Tiga": "Teks ketiga.",
        "Empat": "Teks keempat.",
        "Lima": "Lima paragraf.",
        "Enam": "Enam dari PDF",
    }


def test_positions_count_the_files_own_text_through_its_line_ends(imported):
    _plan, project = imported
    coding = Coding.objects.get(source__title="Mabel.txt", source__project=project)
    assert (coding.start, coding.end, coding.passage) == (5, 10, "Cafe\u0301")
    assert coding.code.name == "Economy"


def test_a_selection_outside_its_text_is_reported_and_not_clamped(imported):
    plan, project = imported
    assert any("100–120" in problem and "outside its text" in problem for problem in plan.problems)
    assert Coding.objects.filter(source__project=project, source__title="Mabel.txt").count() == 1


def test_a_missing_plain_text_is_taken_from_the_rich_file_with_a_warning(imported):
    plan, project = imported
    warned = [p for p in plan.problems if "Positions of its codings may not match" in p]
    assert len(warned) == 2  # Lima (docx) and Enam (pdf, whose .txt is empty)
    lima = Source.objects.get(project=project, title="Lima")
    assert lima.format == "docx"
    assert lima.original.read().startswith(b"PK")
    assert Coding.objects.get(source=lima).passage == "Lima"


def test_folders_become_codes_and_guids_are_read_in_any_case(imported):
    plan, project = imported
    topics = Code.objects.get(project=project, name="Topics")
    assert {c.name for c in topics.children.all()} == {"Economy", "Health care"}
    assert not topics.is_codable
    economy = Code.objects.get(project=project, name="Economy")
    assert economy.is_codable
    assert str(economy.guid) == ECONOMY
    assert economy.colour == "#FFFF00"  # "#FF0", in the file's letter case
    assert economy.definition == "Anything about jobs or taxes"
    assert any("folder" in note for note in plan.notes)


def test_cases_get_typed_attributes_and_their_sources(imported):
    plan, project = imported
    mabel = Case.objects.get(project=project, name="Mabel")
    values = {v.attribute.name: (v.attribute.type, v.value) for v in mabel.values.all()}
    assert values == {
        "Age": ("integer", "25"),
        "Gender": ("text", "female"),
        "Born": ("date", "1990-05-01"),
        "Happy": ("boolean", "true"),
        "Weight": ("float", "61.5"),
        "Seen": ("text", "2019-01-01T10:00:00"),
    }
    assert mabel.description == "A single mum"
    assert [s.title for s in mabel.sources.all()] == ["Mabel.txt"]
    simon = Case.objects.get(project=project, name="Simon")
    assert [s.title for s in simon.sources.all()] == ["Simon"]  # through its SelectionRef
    assert not simon.values.exists()
    assert any("forty" in problem for problem in plan.problems)


def test_users_become_placeholders_never_the_account_of_the_same_name(imported, researcher):
    _plan, project = imported
    assert researcher.username == "rina_researcher"  # the file's <User id="rina_researcher">
    by = dict(Coding.objects.filter(source__project=project).values_list("code__name", "coder"))
    rina = Membership.objects.get(project=project, user=by["Economy"])
    assert rina.user != researcher
    assert (rina.placeholder_id, str(rina.placeholder_guid)) == (
        "rina_researcher",
        "aaaaaaaa-0000-4000-8000-000000000001",
    )
    assert rina.user.username == "rina_researcher@breakfast-study"
    assert (rina.user.first_name, rina.role) == ("Rina", "researcher")
    markgraf = Membership.objects.get(project=project, user=by["Health care"])
    assert markgraf.placeholder_id == "Friedrich Markgraf"  # no id in the file: its name
    for placeholder in (rina, markgraf):
        assert not placeholder.user.is_active
        assert not placeholder.user.has_usable_password()
    assert by["Values"] == researcher.pk  # no coder in the file: the importer
    assert not Coding.objects.filter(coder=researcher).exclude(code__name="Values").exists()


def test_notes_land_on_what_they_annotate(imported):
    _plan, project = imported
    memos = {memo.title: memo for memo in Memo.objects.filter(project=project)}
    assert memos["About values"].code.name == "Values"
    assert memos["On Simon"].coding.source.title == "Simon"
    assert memos["Plan"].text == "Rencana penelitian."
    assert memos["Plan"].source is memos["Plan"].code is memos["Plan"].coding is None
    assert memos["Linked"].coding.passage == "Cafe\u0301"
    assert memos["Loose"].source is memos["Loose"].coding is None
    comment = Memo.objects.get(project=project, text="Why does Simon say this?")
    assert comment.coding.source.title == "Simon"


def test_sets_give_kinds_and_what_cannot_come_along_is_listed(imported):
    plan, project = imported
    assert Source.objects.get(project=project, title="Simon").kind == "observation"
    assert Source.objects.get(project=project, title="Tiga").kind == "interview"
    lost = " ".join(plan.not_carried)
    assert "gender: male" in lost
    assert "1 picture source." in lost
    assert not Source.objects.filter(project=project, title="photo.jpg").exists()


def test_uppercase_project_qde_and_sources_folder_are_found(researcher):
    qde = QDE.replace("simon.txt", "SIMON.TXT")
    files = {key.replace("sources/", "Sources/"): value for key, value in FILES.items()}
    plan = read_qdpx(make_qdpx(qde, files, name="Project.QDE"))
    assert len(plan.sources) == 6


def test_the_import_command_reports_and_imports(researcher, tmp_path):
    path = tmp_path / "breakfast.qdpx"
    path.write_bytes(make_qdpx(QDE, FILES))
    out = io.StringIO()
    call_command("import_qdpx", str(path), "--owner", researcher.username, stdout=out)
    project = Project.objects.get(name="Breakfast study")
    assert project.memberships.get(placeholder_guid=None).user == researcher
    assert "Not carried over" in out.getvalue()
    assert "'Friedrich Markgraf' (1 codings, 0 memos)" in out.getvalue()
    assert "Friedrich_Markgraf@breakfast-study" in out.getvalue()


def test_the_import_command_can_only_look(tmp_path, db):
    path = tmp_path / "breakfast.qdpx"
    path.write_bytes(make_qdpx(QDE, FILES))
    out = io.StringIO()
    call_command("import_qdpx", str(path), "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue()
    assert not Project.objects.exists()


def test_source_metadata_travels_as_source_variables(rich_project, admin):
    from coding.exchange.qdpx_export import export_qdpx

    plan = read_qdpx(export_qdpx(rich_project)[0])
    interview = next(s for s in plan.sources if s.title == "Wawancara Ibu Maria")
    assert (interview.date, interview.place, interview.author) == (
        dt.date(2026, 3, 9),
        "Ilaga",
        "Rahmat",
    )
