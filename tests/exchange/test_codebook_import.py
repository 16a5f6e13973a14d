"""Bringing a codebook in: QDC merged by GUID then by name, CSV with per-row errors."""

import pytest
from django.urls import reverse

from coding.exchange.codebook_merge import apply_merge
from coding.exchange.qdc import export_qdc, read_qdc
from coding.models import Code
from coding.services import create_code

from .conftest import make_project, upload


def qdc(codes: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo">'
        f"<Codes>{codes}</Codes></CodeBook>"
    ).encode()


@pytest.fixture
def codebook(project):
    theme = create_code(project=project, name="Hambatan", colour="#b22222")
    talk = create_code(project=project, name="Komunikasi", parent=theme, definition="Lama.")
    return theme, talk


def preview(client, project, name, data):
    url = reverse("coding:codebook_import", args=[project.slug])
    return client.post(url, {"file": upload(name, data)})


def confirm(client, project, response, kind="qdc"):
    url = reverse("coding:codebook_import", args=[project.slug])
    token = response.context["token"]
    return client.post(url, {"token": token, "format": kind, "action": "confirm"})


def test_a_qdc_merges_by_guid_then_by_name_and_shows_it_first(
    client, project, researcher, codebook
):
    theme, talk = codebook
    client.force_login(researcher)
    data = qdc(
        f'<Code guid="{str(theme.guid).upper()}" name="Obstacles" isCodable="true">'
        '<Code guid="{aaaaaaaa-0000-4000-8000-000000000001}" name="komunikasi" isCodable="true"'
        ' color="#00FF00"><Description>Baru.</Description></Code>'
        '<Code guid="aaaaaaaa-0000-4000-8000-000000000002" name="Akses" isCodable="true"/>'
        "</Code>"
    )
    response = preview(client, project, "nvivo.qdc", data)
    plan = response.context["plan"]
    assert [(c.path, c.detail) for c in plan.renamed] == [("Obstacles", "Hambatan")]
    assert [(c.path, c.detail) for c in plan.updated] == [
        ("Obstacles › komunikasi", "definition, colour")
    ]
    assert [c.path for c in plan.added] == ["Obstacles › Akses"]
    assert Code.objects.get(pk=theme.pk).name == "Hambatan"  # nothing changed yet

    response = confirm(client, project, response)
    assert response.url == reverse("coding:codebook", args=[project.slug])
    theme.refresh_from_db()
    talk.refresh_from_db()
    assert theme.name == "Obstacles"
    assert (talk.name, talk.definition, talk.colour) == (
        "Komunikasi",
        "Baru.",
        "#00FF00",
    )  # kept as written
    akses = Code.objects.get(project=project, name="Akses")
    assert (akses.parent, str(akses.guid)) == (theme, "aaaaaaaa-0000-4000-8000-000000000002")


def test_importing_the_same_codebook_twice_changes_nothing_the_second_time(rich_project):
    data = export_qdc(rich_project)
    other = make_project()
    apply_merge(other, read_qdc(data).tree)
    again = apply_merge(other, read_qdc(data).tree)
    assert again.changes == []
    assert again.unchanged == 3
    assert Code.objects.filter(project=other).count() == 3


def test_a_guid_taken_by_another_project_is_not_reused(rich_project):
    other = make_project()
    apply_merge(other, read_qdc(export_qdc(rich_project)).tree)
    guids = set(Code.objects.filter(project=rich_project).values_list("guid", flat=True))
    assert not guids & set(Code.objects.filter(project=other).values_list("guid", flat=True))


def test_a_rename_onto_a_taken_name_is_reported_not_done(project, codebook):
    theme, talk = codebook
    create_code(project=project, name="Akses", parent=theme)
    data = qdc(
        f'<Code guid="{theme.guid}" name="Hambatan" isCodable="true">'
        f'<Code guid="{talk.guid}" name="Akses" isCodable="true"/></Code>'
    )
    plan = apply_merge(project, read_qdc(data).tree)
    assert plan.renamed == []
    assert "cannot be renamed" in plan.problems[0]
    talk.refresh_from_db()
    assert talk.name == "Komunikasi"


def test_a_csv_codebook_with_paths_definitions_and_colours(client, project, researcher, codebook):
    client.force_login(researcher)
    data = (
        "path,definition,colour\n"
        "Hambatan › Komunikasi,Lebih jelas.,\n"
        "Hambatan / Data,Arsip hilang.,#123456\n"
        "Upaya perbaikan,,#abc\n"
    ).encode()
    response = preview(client, project, "kode.csv", data)
    plan = response.context["plan"]
    assert [c.path for c in plan.added] == ["Hambatan › Data", "Upaya perbaikan"]
    assert [c.path for c in plan.updated] == ["Hambatan › Komunikasi"]
    confirm(client, project, response, kind="csv")
    data_code = Code.objects.get(project=project, name="Data")
    assert (data_code.parent.name, data_code.colour) == ("Hambatan", "#123456")
    assert Code.objects.get(project=project, name="Upaya perbaikan").colour == "#aabbcc"
    assert Code.objects.get(project=project, name="Komunikasi").definition == "Lebih jelas."


def test_a_csv_codebook_with_bad_rows_names_them_and_saves_nothing(client, project, researcher):
    client.force_login(researcher)
    data = ("Path;Definition;Colour\nSatu;Ok;#123456\n › Dua;;\nTiga;;merah\nsatu;;\n").encode(
        "cp1252"
    )
    response = preview(client, project, "kode.csv", data)
    assert response.context["errors"] == [
        "Line 3: the code path is empty or has an empty level.",
        "Line 4: “merah” is not a colour; write it as #RRGGBB, e.g. #1f77b4.",
        "Line 5: the code “satu” is listed twice.",
    ]
    assert response.context["token"] is None
    assert "Import the codebook" not in response.text
    assert not Code.objects.exists()


def test_our_own_codebook_csv_comes_back_in_unchanged(client, rich_project, researcher):
    client.force_login(researcher)
    data = client.get(
        reverse("coding:codebook_export", args=[rich_project.slug]), {"format": "csv"}
    ).content
    response = preview(client, rich_project, "kode.csv", data)
    assert response.context["errors"] == []
    assert response.context["plan"].changes == []


def test_cancelling_an_import_deletes_the_upload_and_saves_nothing(client, project, researcher):
    client.force_login(researcher)
    response = preview(client, project, "k.csv", b"path\nBaru\n")
    url = reverse("coding:codebook_import", args=[project.slug])
    token = response.context["token"]
    client.post(url, {"token": token, "format": "csv", "action": "cancel"})
    response = client.post(url, {"token": token, "format": "csv", "action": "confirm"}, follow=True)
    assert "no longer here" in response.text
    assert not Code.objects.exists()


def test_a_supervisor_may_not_import_a_codebook(client, project, supervisor):
    client.force_login(supervisor)
    response = preview(client, project, "k.csv", b"path\nBaru\n")
    assert response.status_code == 403


# QualCoder's plain codebook, and tables that do not parse.

QUALCODER = (
    "Hambatan>>Komunikasi\tMasalah komunikasi antarunit, surat lambat.\n"
    "Hambatan>>Geografi dan akses\tMedan, jarak; transportasi udara.\n"
    "Hambatan\tPenghambat koordinasi.\n"
    "Upaya perbaikan>>Koordinasi terjadwal\t\n"
    'Upaya perbaikan>>Pembagian tugas\t"Jelas" dan tertulis.\n'
    "Catatan\n"
)


@pytest.mark.parametrize("name", ["codebook.txt", "codebook.tsv"])
def test_qualcoders_plain_codebook_imports_as_a_tree_with_definitions(
    client, project, researcher, name
):
    client.force_login(researcher)
    response = preview(client, project, name, QUALCODER.encode())
    assert response.context["errors"] == []
    assert [change.path for change in response.context["plan"].added] == [
        "Hambatan",
        "Hambatan › Komunikasi",
        "Hambatan › Geografi dan akses",
        "Upaya perbaikan",
        "Upaya perbaikan › Koordinasi terjadwal",
        "Upaya perbaikan › Pembagian tugas",
        "Catatan",
    ]
    confirm(client, project, response, kind="tsv")
    codes = {code.name: code for code in Code.objects.filter(project=project)}
    assert len(codes) == 7
    assert codes["Komunikasi"].parent == codes["Hambatan"]
    assert codes["Komunikasi"].definition == "Masalah komunikasi antarunit, surat lambat."
    assert codes["Geografi dan akses"].definition == "Medan, jarak; transportasi udara."
    assert codes["Hambatan"].definition == "Penghambat koordinasi."
    assert codes["Pembagian tugas"].definition == '"Jelas" dan tertulis.'
    assert codes["Pembagian tugas"].parent == codes["Upaya perbaikan"]


def test_a_tab_separated_line_with_too_many_columns_is_refused_naming_it(
    client, project, researcher
):
    client.force_login(researcher)
    data = b"A>>B\tSatu.\nA>>C\tDua.\tTiga.\n"
    response = preview(client, project, "codebook.txt", data)
    assert (
        "Line 2 of the file cannot be read: it has 3 cells, but the file has 2 columns "
        "(path, definition). Nothing was saved." in response.text
    )
    assert response.context.get("token") is None
    assert not Code.objects.exists()


@pytest.mark.parametrize(
    ("data", "line"),
    [
        ("path,definition\nSatu,Ok\nDua,Ada, koma lepas,lagi\n", 3),
        ('path,definition\nSatu,"tidak ditutup\nDua,Ok\n', 2),
        ("path\nSatu\nDua;tiga;empat\n", 3),
    ],
    ids=["more-cells-than-header", "open-quote", "no-separator"],
)
def test_a_csv_whose_rows_do_not_parse_is_refused_with_the_line(
    client, project, researcher, data, line
):
    client.force_login(researcher)
    response = preview(client, project, "kode.csv", data.encode())
    assert f"Line {line} of the file cannot be read" in response.text
    assert response.context.get("token") is None
    assert not Code.objects.exists()
