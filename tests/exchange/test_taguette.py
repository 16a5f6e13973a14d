"""Coming from Taguette: its project export and its codebook, made by Taguette 1.5.2 itself."""

import html
import io
import re
import sqlite3
import unicodedata

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from coding.exchange.create import create_project_from_plan
from coding.exchange.taguette import DocumentText, read_taguette
from coding.models import Code, Coding, Memo
from interviews.models import Membership, Project, Source

from .conftest import FIXTURES, make_user, upload

PROJECT = FIXTURES / "taguette" / "project.sqlite3"
CODEBOOK = FIXTURES / "taguette" / "codebook.qdc"


def taguette_rows(query: str):
    connection = sqlite3.connect(f"file:{PROJECT}?mode=ro", uri=True)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def stripped(snippet: str) -> str:
    """Taguette's stored snippet without tags or white space, in NFC."""
    text = html.unescape(re.sub(r"<[^>]+>", "", snippet))
    return "".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture
def imported(researcher):
    plan = read_taguette(PROJECT.read_bytes())
    return plan, create_project_from_plan(plan=plan, owner=researcher).project


def test_every_highlight_becomes_a_coding_on_the_passage_taguette_stored(imported):
    plan, project = imported
    assert plan.problems == []
    highlights = taguette_rows(
        "SELECT h.snippet, d.name, t.path FROM highlights h "
        "JOIN documents d ON d.id = h.document_id "
        "JOIN highlight_tags ht ON ht.highlight_id = h.id JOIN tags t ON t.id = ht.tag_id"
    )
    codings = Coding.objects.filter(source__project=project).select_related("source", "code")
    assert len(highlights) == codings.count() == 9
    ours = sorted(("".join(c.passage.split()), c.source.title, c.code.name) for c in codings)
    theirs = sorted(
        (stripped(snippet), document, path.rsplit(".", 1)[-1])
        for snippet, document, path in highlights
    )
    assert ours == theirs


def test_emoji_accents_and_right_to_left_text_keep_their_places(imported):
    _plan, project = imported
    passages = set(Coding.objects.filter(source__project=project).values_list("passage", flat=True))
    assert "😊" in passages
    assert "مرحبا بكم في إيلاغا" in passages
    assert "Café di Ilaga" in passages  # Taguette kept "e" + U+0301; we keep NFC
    assert "ditunda 👩🏽\u200d💼 dua kali.\n\nPeserta: Kogoya" in passages


def test_tag_paths_become_the_code_tree_with_descriptions(imported):
    _plan, project = imported
    komunikasi = Code.objects.get(project=project, name="Komunikasi")
    assert komunikasi.parent.name == "Hambatan"
    assert komunikasi.definition == "Masalah komunikasi antarunit."
    assert set(
        Code.objects.filter(project=project, parent=None).values_list("name", flat=True)
    ) == {
        "interesting",
        "Hambatan",
        "Pelaksanaan",
        "Catatan menarik 😊",
    }


def test_documents_become_sources_with_their_descriptions_as_memos(imported):
    _plan, project = imported
    source = Source.objects.get(project=project, title="Wawancara Kepala Bagian")
    assert source.text.startswith("Wawancara: Kepala Bagian\n\nPewawancara:")
    assert Memo.objects.get(source=source).text == "Informan 1, Sinak"
    assert project.name == "Koordinasi Kesra (Taguette)"


def test_taguette_members_become_placeholders_even_where_their_login_exists_here(researcher):
    admin = make_user("admin")  # Taguette's export names every member "admin"
    result = create_project_from_plan(plan=read_taguette(PROJECT.read_bytes()), owner=researcher)
    coders = set(
        Coding.objects.filter(source__project=result.project).values_list("coder", flat=True)
    )
    (placeholder,) = Membership.objects.filter(
        project=result.project, placeholder_guid__isnull=False
    )
    assert coders == {placeholder.user_id}
    assert placeholder.user != admin
    assert (placeholder.placeholder_id, placeholder.user.is_active) == ("admin", False)
    assert result.placeholders == [placeholder.user.username]


def test_byte_offsets_inside_a_character_move_past_it_as_taguette_does():
    document = DocumentText("<p>a😊b</p>")
    assert [document.position(offset) for offset in range(7)] == [0, 1, 2, 2, 2, 2, 3]
    assert document.position(7) is None


def test_blocks_are_separated_and_inline_tags_are_not():
    document = DocumentText(
        "<h1>Judul</h1><p>Satu <strong>dua</strong><br>tiga</p><ul><li>a</li></ul>"
    )
    assert document.text == "Judul\n\nSatu dua\ntiga\n\na"
    assert document.position(len(b"JudulSatu ")) == len("Judul\n\nSatu ")


def test_the_taguette_project_imports_from_the_browser(client, outsider):
    client.force_login(outsider)
    url = reverse("coding:project_import")
    response = client.post(url, {"file": upload("proyek.sqlite3", PROJECT.read_bytes())})
    assert response.status_code == 200
    assert "Koordinasi Kesra (Taguette)" in response.text
    assert not Project.objects.exists()
    token = response.context["token"]
    confirm = {"token": token, "format": "taguette", "action": "confirm"}
    with TestCase.captureOnCommitCallbacks(execute=True):  # the job runs once committed
        response = client.post(url, confirm)
    project = Project.objects.get()
    assert client.get(response.url).context["job"].result_url == project.get_absolute_url()
    assert project.memberships.get(placeholder_guid=None).user == outsider
    assert Coding.objects.filter(source__project=project).count() == 9


def test_the_taguette_command_imports(researcher):
    out = io.StringIO()
    call_command("import_taguette", str(PROJECT), "--owner", researcher.username, stdout=out)
    assert Project.objects.get(name="Koordinasi Kesra (Taguette)").sources.count() == 2
    assert "Imported as" in out.getvalue()


def test_taguettes_flat_codebook_merges_as_a_tree(client, project, researcher):
    client.force_login(researcher)
    url = reverse("coding:codebook_import", args=[project.slug])
    response = client.post(url, {"file": upload("codebook.qdc", CODEBOOK.read_bytes())})
    added = [change.path for change in response.context["plan"].added]
    assert added == [
        "interesting",
        "Hambatan",
        "Hambatan › Komunikasi",
        "Hambatan › Geografi dan akses",
        "Pelaksanaan",
        "Pelaksanaan › Situasional",
        "Catatan menarik 😊",
    ]
    assert "Taguette writes" in response.text
    client.post(url, {"token": response.context["token"], "format": "qdc", "action": "confirm"})
    komunikasi = Code.objects.get(project=project, name="Komunikasi")
    assert str(komunikasi.guid) == "787e8c09-e82e-5611-9ef3-c1e48a47c03a"
    assert komunikasi.parent.name == "Hambatan"
