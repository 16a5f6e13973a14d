import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from lxml import etree

from coding.demo import code_demo_corpus
from coding.exchange.qdc import export_qdc
from coding.exchange.qdpx_export import export_qdpx
from coding.exchange.refi import schema
from coding.models import Code, Coding
from interviews.demo import build_demo_corpus
from interviews.models import Source

from ..interviews.test_importers import make_pdf
from .conftest import NS

Q = {"q": NS}


def unzip(data: bytes) -> tuple[etree._Element, dict[str, bytes]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    files = {name: archive.read(name) for name in archive.namelist()}
    return etree.fromstring(files.pop("project.qde")), files


@pytest.fixture
def demo(db):
    corpus = build_demo_corpus()
    code_demo_corpus(corpus)
    return corpus.project


def test_the_demo_project_exports_as_a_qdpx_that_follows_the_schema(demo):
    root, files = unzip(export_qdpx(demo)[0])
    validator = schema("Project-mrt2019.xsd")
    assert validator.validate(root), validator.error_log
    assert (
        len(root.findall("q:Sources/q:TextSource", Q))
        == Source.objects.filter(project=demo).count()
    )
    assert (
        len(root.findall(".//q:Coding", Q)) == Coding.objects.filter(source__project=demo).count()
    )
    assert all(name.startswith("sources/") and name.endswith(".txt") for name in files)


def test_each_text_goes_as_utf8_and_every_selection_points_at_its_passage(rich_project):
    root, files = unzip(export_qdpx(rich_project)[0])
    for element in root.iterfind(".//q:TextSource", Q):
        source = Source.objects.get(project=rich_project, title=element.get("name"))
        text_name = element.get("plainTextPath").removeprefix("internal://")
        text = files[f"sources/{text_name}"].decode("utf-8")
        assert text == source.text
        for selection in element.iterfind("q:PlainTextSelection", Q):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            passages = set(
                Coding.objects.filter(source=source, start=start, end=end).values_list(
                    "passage", flat=True
                )
            )
            assert passages == {text[start:end]}


def test_codings_on_one_passage_share_a_selection_and_keep_their_coders(rich_project):
    root, _files = unzip(export_qdpx(rich_project)[0])
    users = {u.get("guid"): u.get("id") for u in root.iterfind("q:Users/q:User", Q)}
    source = root.find("q:Sources/q:TextSource[@name='Wawancara Ibu Maria']", Q)
    shared = [s for s in source.iterfind("q:PlainTextSelection", Q) if len(s) == 2]
    assert len(shared) == 1
    coders = {users[c.get("creatingUser")] for c in shared[0].iterfind("q:Coding", Q)}
    assert coders == {"rina_researcher", "dewi_researcher"}


def test_a_docx_original_travels_as_rich_text_and_a_pdf_as_a_pdf_source(rich_project, admin):
    pdf = Source.objects.create(
        project=rich_project,
        kind=Source.Kind.DOCUMENT,
        title="Notulen",
        text="Halo dunia",
        format="pdf",
        created_by=admin,
    )
    pdf.original.save("notulen.pdf", ContentFile(make_pdf(["Halo dunia"])))
    root, files = unzip(export_qdpx(rich_project)[0])
    assert schema("Project-mrt2019.xsd").validate(root)
    docx = root.find("q:Sources/q:TextSource[@name='Uraian tugas']", Q)
    rich = docx.get("richTextPath").removeprefix("internal://")
    assert files[f"sources/{rich}"].startswith(b"PK")
    pdf_source = root.find("q:Sources/q:PDFSource[@name='Notulen']", Q)
    assert files[f"sources/{pdf_source.get('path').removeprefix('internal://')}"].startswith(
        b"%PDF"
    )
    text = pdf_source.find("q:Representation", Q).get("plainTextPath").removeprefix("internal://")
    assert files[f"sources/{text}"] == b"Halo dunia"


def test_memos_become_notes_referenced_from_what_they_annotate(rich_project):
    root, _files = unzip(export_qdpx(rich_project)[0])
    notes = {
        n.get("guid"): n.find("q:PlainTextContent", Q).text for n in root.iterfind(".//q:Note", Q)
    }
    assert sorted(notes.values()) == [
        "Memo kode.",
        "Memo pengodean.",
        "Memo proyek.",
        "Memo sumber.",
    ]

    def note_of(element):
        return notes[element.find("q:NoteRef", Q).get("targetGUID")]

    assert note_of(root) == "Memo proyek."
    assert note_of(root.find(".//q:Code[@name='Komunikasi']", Q)) == "Memo kode."
    assert note_of(root.find(".//q:TextSource[@name='Wawancara Ibu Maria']", Q)) == "Memo sumber."
    coding = next(c for c in root.iterfind(".//q:Coding", Q) if c.find("q:NoteRef", Q) is not None)
    assert note_of(coding) == "Memo pengodean."


def test_cases_carry_typed_variables_and_their_sources(rich_project):
    root, _files = unzip(export_qdpx(rich_project)[0])
    variables = {v.get("guid"): v for v in root.iterfind("q:Variables/q:Variable", Q)}
    case = root.find("q:Cases/q:Case[@name='Kepala Bagian']", Q)
    values = {}
    for value in case.iterfind("q:VariableValue", Q):
        variable = variables[value.find("q:VariableRef", Q).get("targetGUID")]
        element = value[1]
        values[variable.get("name")] = (
            variable.get("typeOfVariable"),
            etree.QName(element).localname,
            element.text,
        )
    assert values == {
        "Jabatan": ("Text", "TextValue", "Kepala"),
        "Masa kerja": ("Integer", "IntegerValue", "6"),
        "Beban": ("Float", "FloatValue", "0.75"),
        "Orang asli": ("Boolean", "BooleanValue", "true"),
        "Mulai": ("Date", "DateValue", "2019-01-02"),
    }
    assert len(case.findall("q:SourceRef", Q)) == 2


def test_source_kinds_become_sets(rich_project):
    root, _files = unzip(export_qdpx(rich_project)[0])
    sets = {
        s.get("name"): len(s.findall("q:MemberSource", Q)) for s in root.iterfind(".//q:Set", Q)
    }
    assert sets == {"Interviews": 1, "Observation notes": 1, "Documents": 1}


def test_exporting_twice_gives_the_same_guids_and_codes_keep_theirs(rich_project):
    first, _ = unzip(export_qdpx(rich_project)[0])
    second, _ = unzip(export_qdpx(rich_project)[0])

    def guids(root):
        return [element.get("guid") for element in root.iter() if element.get("guid")]

    assert guids(first) == guids(second)
    code = Code.objects.get(project=rich_project, name="Komunikasi")
    assert first.find(".//q:Code[@name='Komunikasi']", Q).get("guid") == str(code.guid).upper()


def test_the_qdc_codebook_follows_its_schema_with_tree_colours_and_definitions(rich_project):
    root = etree.fromstring(export_qdc(rich_project))
    validator = schema("Codebook.xsd")
    assert validator.validate(root), validator.error_log
    theme = root.find("{urn:QDA-XML:codebook:1.0}Codes/{urn:QDA-XML:codebook:1.0}Code")
    assert theme.get("name") == "Hambatan"
    assert theme.get("color") == "#b22222"
    assert [child.get("name") for child in theme.findall("{*}Code")] == ["Komunikasi", "Geografi 🏔"]
    assert theme.find("{*}Code/{*}Description").text == "Bicara."


def test_the_export_command_writes_the_file(rich_project, tmp_path):
    target = tmp_path / "kesra.qdpx"
    call_command("export_qdpx", rich_project.slug, str(target), stdout=io.StringIO())
    root, files = unzip(target.read_bytes())
    assert root.get("name") == rich_project.name
    assert len(files) == 4  # three texts and one docx original


# --- The coded passages, written as text (qdpx_selections.py) --------------------------


def test_fast_guids_are_the_derived_guids(rich_project):
    from coding.exchange.qdpx_selections import GuidTexts
    from coding.exchange.refi import derived_guid, guid_text

    guids = GuidTexts(rich_project)
    for kind, parts in [("coding", (1,)), ("selection", (12, 0, 11)), ("memo", (987654,))]:
        assert guids(kind, *parts) == guid_text(derived_guid(rich_project, kind, *parts))
    of_source = guids.prefixed("selection", 12)
    assert of_source("0:11") == guid_text(derived_guid(rich_project, "selection", 12, 0, 11))


def test_a_passage_with_markup_and_control_characters_makes_a_valid_selection(
    rich_project, researcher
):
    from coding.models import Memo
    from coding.services import apply_code

    code = Code.objects.get(project=rich_project, name="Komunikasi")
    source = Source.objects.create(
        project=rich_project,
        title='Catatan <rahasia> & "kutipan"',
        text='Kata <b>tebal</b> & "kutip"\x01 lalu\u2028baris.',
        created_by=researcher,
    )
    coding = apply_code(
        source=source, start=0, end=40, passage=source.text[:40], code=code, coder=researcher
    )
    Memo.objects.create(project=rich_project, coding=coding, text="Di sini.", author=researcher)
    root, _files = unzip(export_qdpx(rich_project)[0])
    validator = schema("Project-mrt2019.xsd")
    assert validator.validate(root), validator.error_log
    element = root.find(f"q:Sources/q:TextSource[@name='{source.title}']", Q)
    (selection,) = element.findall("q:PlainTextSelection", Q)
    assert selection.get("name") == 'Kata <b>tebal</b> & "kutip" lalu baris.'
    assert (selection.get("startPosition"), selection.get("endPosition")) == ("0", "40")
    (node,) = selection.findall("q:Coding", Q)
    assert node.find("q:CodeRef", Q).get("targetGUID") == str(code.guid).upper()
    assert len(node.findall("q:NoteRef", Q)) == 1
    # The selections come before the source's own elements, as the schema wants.
    assert [child.tag.rsplit("}")[1] for child in element][:1] == ["PlainTextSelection"]


def test_every_coding_is_written_once_and_no_marker_is_left(demo):
    data = export_qdpx(demo)[0]
    qde = zipfile.ZipFile(io.BytesIO(data)).read("project.qde")
    assert b"KesraSelections" not in qde
    root = etree.fromstring(qde)
    guids = [element.get("guid") for element in root.iterfind(".//q:Coding", Q)]
    assert len(guids) == len(set(guids)) == Coding.objects.filter(source__project=demo).count()


@pytest.mark.parametrize("codings", [1, 25])
def test_the_export_reads_the_same_queries_whatever_the_codings(
    rich_project, researcher, codings, django_assert_num_queries
):
    from coding.services import apply_code

    code = Code.objects.get(project=rich_project, name="Komunikasi")
    source = Source.objects.create(
        project=rich_project, title="Panjang", text="kata " * 200, created_by=researcher
    )
    for n in range(codings):
        apply_code(source=source, start=n * 5, end=n * 5 + 4, passage="kata", code=code,
                   coder=researcher)  # fmt: skip
    with django_assert_num_queries(QDPX_EXPORT_QUERIES):
        export_qdpx(rich_project)


# codes, sources (with their creators) and their cases, codings, coders, memos, members
# (twice), imported texts, attributes, cases, their values and sources, and the accepted
# suggestions (their notes name the model).
QDPX_EXPORT_QUERIES = 14
