import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interviews.models import Source

from ..conftest import make_case, make_source
from .uploading import HX, file_results, last_upload_job, post_upload


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_upload_several_files_reports_each(client, project, researcher):
    client.force_login(researcher)
    response = post_upload(
        client,
        project,
        {
            "kind": "interview",
            "files": [
                upload("wawancara_kabag.txt", b"Pewawancara: Apa kabar?\r\nIbu Maria: Baik."),
                upload("virus.exe", b"MZ\x90\x00"),
                upload("kosong.txt", b""),
            ],
        },
    )
    job = last_upload_job()
    assert response.status_code == 302  # without htmx: to the job's page
    assert response.url == job.get_absolute_url()
    results = file_results(job)
    source = Source.objects.get()
    assert source.text == "Pewawancara: Apa kabar?\nIbu Maria: Baik."
    assert results["wawancara_kabag.txt"]["url"] == source.get_absolute_url()
    assert "cannot be imported" in results["virus.exe"]["error"]
    assert results["kosong.txt"]["error"] == "The file is empty."
    page = client.get(response.url)
    assert "1 file imported, 2 refused" in page.text
    assert "The file is empty. Nothing was saved for this file." in page.text
    assert Source.objects.filter(project=project).count() == 1
    assert (source.title, source.kind, source.created_by) == (
        "wawancara kabag",
        "interview",
        researcher,
    )
    assert source.original.read().startswith(b"Pewawancara")


def test_upload_by_htmx_returns_only_the_results(client, project, researcher):
    client.force_login(researcher)
    response = post_upload(
        client,
        project,
        {"kind": "observation", "files": [upload("catatan.md", b"# Observasi\n\nRuang arsip.")]},
        headers=HX,
    )
    assert response.text.lstrip().startswith('<section id="upload-results"')
    assert "<html" not in response.text
    # The job's status, asking its page until the files are read.
    job = last_upload_job()
    assert f'hx-get="{job.get_absolute_url()}"' in response.text
    assert "Queued" in response.text
    assert Source.objects.get().kind == "observation"


def test_upload_without_files_asks_for_one(client, project, researcher):
    client.force_login(researcher)
    response = client.post(
        reverse("interviews:source_upload", args=[project.slug]), {"kind": "interview"}
    )
    assert "Choose at least one file." in response.text


def test_upload_by_htmx_without_files_says_so_in_the_results(client, project, researcher):
    client.force_login(researcher)
    response = client.post(
        reverse("interviews:source_upload", args=[project.slug]),
        {"kind": "interview"},
        headers={"HX-Request": "true"},
    )
    assert response.text.lstrip().startswith('<section id="upload-results"')
    assert "Files: Choose at least one file." in response.text


def test_researchers_cannot_upload_documentation(client, project, researcher):
    client.force_login(researcher)
    response = client.post(
        reverse("interviews:source_upload", args=[project.slug]),
        {"kind": "document", "files": [upload("sk.txt", b"Surat keputusan")]},
    )
    assert "Select a valid choice." in response.text
    assert not Source.objects.exists()


def test_admin_uploads_documentation(client, project, admin):
    client.force_login(admin)
    post_upload(
        client,
        project,
        {"kind": "document", "files": [upload("uraian-tugas.txt", b"Uraian tugas Bagian Kesra")]},
    )
    assert Source.objects.get().kind == "document"


def test_files_over_the_limit_are_refused(client, project, researcher, settings):
    settings.MAX_UPLOAD_BYTES = 100
    client.force_login(researcher)
    post_upload(
        client, project, {"kind": "interview", "files": [upload("panjang.txt", b"kata " * 100)]}
    )
    assert "the limit is" in file_results()["panjang.txt"]["error"]
    assert not Source.objects.exists()


def test_paste_text_with_metadata(client, project, researcher):
    case = make_case(project, name="Bapak Natan")
    client.force_login(researcher)
    response = client.post(
        reverse("interviews:source_paste", args=[project.slug]),
        {
            "title": "Wawancara distrik",
            "kind": "interview",
            "date": "2026-03-12",
            "place": "Distrik Sinak",
            "author": "Rahmat",
            "cases": [case.pk],
            "text": "Pewawancara: Bagaimana akses?\r\n\r\n\r\n\r\nBapak Natan: Naik pesawat. ",
        },
    )
    source = Source.objects.get()
    assert response.url == source.get_absolute_url()
    assert source.text == "Pewawancara: Bagaimana akses?\n\nBapak Natan: Naik pesawat."
    assert list(source.cases.all()) == [case]
    assert source.word_count == 7


def test_pasting_only_whitespace_is_refused(client, project, researcher):
    client.force_login(researcher)
    response = client.post(
        reverse("interviews:source_paste", args=[project.slug]),
        {"title": "Kosong", "kind": "interview", "text": " \u200b\n\n "},
    )
    assert response.status_code == 200
    assert not Source.objects.exists()


def test_reading_page_lays_out_speaker_turns(client, project, supervisor, source):
    client.force_login(supervisor)
    response = client.get(reverse("interviews:source_detail", args=[project.slug, source.pk]))
    assert '<span data-o="0" class="speaker">Pewawancara: </span>' in response.text
    assert '<p data-o="45" class="turn">' in response.text


def test_reading_page_escapes_hostile_text(client, project, supervisor):
    source = make_source(project, text="<script>alert('x')</script> & <b>tebal</b>")
    client.force_login(supervisor)
    response = client.get(reverse("interviews:source_detail", args=[project.slug, source.pk]))
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;" in response.text


def test_source_of_another_project_is_404(client, project, researcher):
    from ..conftest import make_project

    foreign = make_source(make_project())
    client.force_login(researcher)
    response = client.get(reverse("interviews:source_detail", args=[project.slug, foreign.pk]))
    assert response.status_code == 404


def test_original_file_downloads_with_its_name(client, project, researcher):
    client.force_login(researcher)
    post_upload(
        client,
        project,
        {"kind": "interview", "files": [upload("asli.txt", b"isi asli")]},
    )
    source = Source.objects.get()
    response = client.get(reverse("interviews:source_original", args=[project.slug, source.pk]))
    assert b"".join(response.streaming_content) == b"isi asli"
    assert 'filename="asli.txt"' in response["Content-Disposition"]


def test_plain_text_is_the_canonical_text(client, project, researcher, source):
    client.force_login(researcher)
    response = client.get(reverse("interviews:source_text", args=[project.slug, source.pk]))
    assert response.content.decode() == source.text


def test_creator_edits_metadata_and_links_cases(client, project, researcher, source):
    case = make_case(project)
    client.force_login(researcher)
    response = client.post(
        reverse("interviews:source_edit", args=[project.slug, source.pk]),
        {"title": "Wawancara 1", "kind": "interview", "cases": [case.pk]},
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.title == "Wawancara 1"
    assert list(source.cases.all()) == [case]


def test_researchers_cannot_change_others_sources(client, project, researcher, admin):
    theirs = make_source(project, created_by=admin)
    client.force_login(researcher)
    response = client.post(reverse("interviews:source_delete", args=[project.slug, theirs.pk]))
    assert response.status_code == 403
    assert Source.objects.filter(pk=theirs.pk).exists()


def test_admin_deletes_any_source(client, project, admin, source):
    client.force_login(admin)
    client.post(reverse("interviews:source_delete", args=[project.slug, source.pk]))
    assert not Source.objects.filter(pk=source.pk).exists()


def test_source_list_filters_by_kind(client, project, supervisor):
    make_source(project, kind="interview", title="Wawancara A")
    make_source(project, kind="document", title="Notulen B")
    client.force_login(supervisor)
    response = client.get(reverse("interviews:source_list", args=[project.slug]) + "?kind=document")
    assert "Notulen B" in response.text
    assert "Wawancara A" not in response.text


@pytest.mark.parametrize("count", [1, 12])
def test_source_list_queries_are_constant(
    client, project, supervisor, count, django_assert_max_num_queries
):
    sources = []
    for _ in range(count):
        sources.append(make_source(project))
        sources[-1].cases.add(make_case(project))
    client.force_login(supervisor)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("interviews:source_list", args=[project.slug]))
    for source in sources:
        assert source.title in response.text
        assert source.cases.get().name in response.text


def test_docx_upload_round_trip(client, project, researcher):
    import docx

    document = docx.Document()
    document.add_paragraph("Pewawancara: Apakah ada forum koordinasi?")
    document.add_paragraph("Ibu Debora: Hanya sekali setahun — itu pun situasional.")
    buffer = io.BytesIO()
    document.save(buffer)
    client.force_login(researcher)
    post_upload(
        client,
        project,
        {"kind": "interview", "files": [upload("debora.docx", buffer.getvalue())]},
    )
    source = Source.objects.get()
    assert source.format == "docx"
    assert source.text == (
        "Pewawancara: Apakah ada forum koordinasi?\n\n"
        "Ibu Debora: Hanya sekali setahun — itu pun situasional."
    )
