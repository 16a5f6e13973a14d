"""Files as other tools write them (qc, NVivo for Mac, ATLAS.ti): what comes in is what was there.

Each file is built here with the quirk that a real export showed: texts with CRLF,
a byte-order mark, decomposed accents, trailing spaces and runs of blank lines;
sources named only by their plainTextPath; empty NVivo sources; folders of codes;
colours in upper case.
"""

import io
import zipfile

from lxml import etree

from coding.exchange.create import create_project_from_plan
from coding.exchange.qdpx_export import export_qdpx
from coding.exchange.qdpx_import import read_qdpx
from coding.models import Code, Coding
from coding.services import apply_code
from interviews.models import Source

from .conftest import NS, make_docx, make_qdpx, make_source

Q = {"q": NS}
CODE_A = "c0000000-0000-4000-8000-000000000001"
CODE_B = "c0000000-0000-4000-8000-000000000002"
FOLDER = "c0000000-0000-4000-8000-000000000003"
USER = "a0000000-0000-4000-8000-000000000001"
# What a qc export holds: CRLF, trailing spaces, blank lines, tabs, a decomposed
# accent, an emoji; and a second file with a byte-order mark.
BOARD = "Board meeting 2017  \r\n\r\n\r\n\r\nChair:\tWe start.   \r\nCafe\u0301 😊 later.\r\n\r\n"
STAFF = "\ufeffStaff:  ok\r\n\r\n\r\nthen   more\r\n"


def selection(guid: int, start: int, end: int, code: str = CODE_A) -> str:
    return (
        f'<PlainTextSelection guid="e0000000-0000-4000-8000-{guid:012d}" '
        f'startPosition="{start}" endPosition="{end}" creatingUser="{USER}">'
        f'<Coding guid="f0000000-0000-4000-8000-{guid:012d}" creatingUser="{USER}">'
        f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
    )


def spans(text: str, *pieces: str) -> list[tuple[int, int]]:
    return [(text.index(piece), text.index(piece) + len(piece)) for piece in pieces]


BOARD_SPANS = spans(BOARD, "Board meeting 2017  \r\n", "We start.   \r\nCafe\u0301", "😊")
STAFF_SPANS = spans(STAFF.removeprefix("\ufeff"), "ok\r\n\r\n\r\nthen", "more")


def qc_project() -> bytes:
    board = "".join(selection(n, *span) for n, span in enumerate(BOARD_SPANS, start=1))
    staff = "".join(selection(n, *span, CODE_B) for n, span in enumerate(STAFF_SPANS, start=10))
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="qc study" origin="qc">
 <Users><User guid="{USER}" name="Chris Proctor" id="chris"/></Users>
 <CodeBook><Codes>
  <Code guid="{FOLDER}" name="Themes" isCodable="false" color="#AABBCC">
   <Code guid="{CODE_A}" name="meeting" isCodable="true" color="#FF0000"/>
   <Code guid="{CODE_B}" name="staff" isCodable="true" color="#00ff00"/>
  </Code>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="d0000000-0000-4000-8000-000000000001"
      plainTextPath="internal://board_2017.txt">{board}</TextSource>
  <TextSource guid="d0000000-0000-4000-8000-000000000002"
      plainTextPath="internal://staff.txt">{staff}</TextSource>
  <TextSource guid="d0000000-0000-4000-8000-000000000003"
      plainTextPath="internal://old/board_2017.txt"/>
 </Sources>
</Project>"""
    files = {
        "sources/board_2017.txt": BOARD.encode("utf-8"),
        "sources/staff.txt": STAFF.encode("utf-8"),
        "sources/old/board_2017.txt": b"Earlier board.",
    }
    return make_qdpx(qde, files)


def unzip(data: bytes) -> tuple[etree._Element, dict[str, bytes]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    files = {name: archive.read(name) for name in archive.namelist()}
    return etree.fromstring(files.pop("project.qde")), files


def exported(data: bytes) -> dict[str, tuple[bytes, list[tuple[int, int]]]]:
    """Source name -> (its .txt, the positions of its selections), from a QDPX file."""
    root, files = unzip(data)
    found = {}
    for source in root.iterfind(".//q:TextSource", Q):
        path = source.get("plainTextPath").removeprefix("internal://")
        positions = sorted(
            (int(s.get("startPosition")), int(s.get("endPosition")))
            for s in source.iterfind("q:PlainTextSelection", Q)
        )
        found[source.get("name")] = (files[f"sources/{path}"], positions)
    return found


def import_file(data: bytes, owner):
    plan = read_qdpx(data)
    return plan, create_project_from_plan(plan=plan, owner=owner).project


def test_texts_and_positions_survive_import_then_export_byte_for_byte(researcher):
    _plan, project = import_file(qc_project(), researcher)
    out = exported(export_qdpx(project)[0])
    assert out["board_2017"] == (BOARD.encode("utf-8"), sorted(BOARD_SPANS))
    assert out["staff"] == (STAFF.encode("utf-8"), sorted(STAFF_SPANS))
    assert out["board_2017 (2)"] == (b"Earlier board.", [])


def test_export_import_export_gives_the_same_files_and_positions(researcher, admin):
    _plan, first = import_file(qc_project(), researcher)
    once = export_qdpx(first)[0]
    _plan, second = import_file(once, admin)
    assert exported(export_qdpx(second)[0]) == exported(once)


def test_our_own_export_comes_back_unchanged_through_an_import(rich_project, admin):
    once = export_qdpx(rich_project)[0]
    _plan, copy = import_file(once, admin)
    assert exported(export_qdpx(copy)[0]) == exported(once)


def test_the_text_is_kept_as_the_file_has_it_and_passages_are_the_tools_own(researcher):
    _plan, project = import_file(qc_project(), researcher)
    board = Source.objects.get(project=project, title="board_2017")
    assert board.text == BOARD.replace("\r\n", "\n")  # nothing else changed
    passages = sorted(Coding.objects.filter(source=board).values_list("passage", flat=True))
    assert passages == sorted(BOARD[a:b].replace("\r\n", "\n") for a, b in BOARD_SPANS)
    staff = Source.objects.get(project=project, title="staff")
    assert staff.text == "Staff:  ok\n\n\nthen   more\n"  # the byte-order mark is not text


def test_a_text_without_crlf_needs_no_copy_of_its_file(researcher):
    _plan, project = import_file(qc_project(), researcher)
    board, older = (
        Source.objects.get(project=project, title=t) for t in ("board_2017", "board_2017 (2)")
    )
    assert hasattr(board, "imported_text")
    assert not hasattr(older, "imported_text")


def test_sources_named_only_by_their_file_get_its_name_made_unique(researcher):
    plan, project = import_file(qc_project(), researcher)
    titles = sorted(Source.objects.filter(project=project).values_list("title", flat=True))
    assert titles == ["board_2017", "board_2017 (2)", "staff"]
    assert "Untitled source" not in titles
    assert any("same name as another" in note for note in plan.notes)


def test_an_export_never_names_two_sources_alike(project, researcher):
    for text in ("Satu.", "Dua.", "Tiga."):
        make_source(project, title="Wawancara", text=text, created_by=researcher)
    make_source(project, title="wawancara (2)", text="Empat.", created_by=researcher)
    names = list(exported(export_qdpx(project)[0]))
    assert len(names) == len({name.lower() for name in names}) == 4


def test_empty_nvivo_sources_are_kept_with_a_warning(researcher):
    qde = f"""<Project xmlns="{NS}" name="NVivo study" origin="NVivo 14 (Mac)"><Sources>
      <TextSource guid="d0000000-0000-4000-8000-000000000001" name="Field notes"
        plainTextPath="internal://a.txt" richTextPath="internal://a.docx"/>
      <TextSource guid="d0000000-0000-4000-8000-000000000002" name="Interview"
        plainTextPath="internal://b.txt"/>
    </Sources></Project>"""
    files = {"sources/a.txt": "\n", "sources/a.docx": make_docx(""), "sources/b.txt": "Halo."}
    plan, project = import_file(make_qdpx(qde, files), researcher)
    notes = Source.objects.get(project=project, title="Field notes")
    assert (notes.text, notes.format) == ("\n", "docx")
    assert Source.objects.filter(project=project).count() == 2
    assert plan.problems == [
        "NVivo 14 (Mac) exported no text for “Field notes”; it was imported as an empty source."
    ]
    out = exported(export_qdpx(project)[0])
    assert out["Field notes"] == (b"\n", [])


def test_folders_keep_is_codable_and_colours_keep_their_letter_case(researcher):
    _plan, project = import_file(qc_project(), researcher)
    themes = Code.objects.get(project=project, name="Themes")
    assert (themes.is_codable, themes.colour) == (False, "#AABBCC")
    assert Code.objects.get(project=project, name="meeting").colour == "#FF0000"
    assert Code.objects.get(project=project, name="staff").colour == "#00ff00"
    root, _files = unzip(export_qdpx(project)[0])
    codes = {code.get("name"): code for code in root.iterfind(".//q:Code", Q)}
    assert codes["Themes"].get("isCodable") == "false"
    assert (codes["Themes"].get("color"), codes["meeting"].get("color")) == ("#AABBCC", "#FF0000")
    assert codes["meeting"].get("isCodable") == "true"


def test_a_folder_coded_here_is_exported_as_codable(researcher):
    _plan, project = import_file(qc_project(), researcher)
    themes = Code.objects.get(project=project, name="Themes")
    source = Source.objects.get(project=project, title="staff")
    apply_code(source=source, start=0, end=6, passage="Staff:", code=themes, coder=researcher)
    root, _files = unzip(export_qdpx(project)[0])
    codes = {code.get("name"): code for code in root.iterfind(".//q:Code", Q)}
    assert codes["Themes"].get("isCodable") == "true"
