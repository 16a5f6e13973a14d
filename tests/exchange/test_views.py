"""The Exchange page and the project import, as each persona meets them."""

import io
import zipfile

import pytest
from django.test import TestCase
from django.urls import reverse

from coding.exchange.qdpx_export import export_qdpx
from coding.models import Coding
from interviews.models import Job, Project

from .conftest import make_user, upload


def test_the_exchange_page_offers_an_admin_everything(client, project, admin):
    client.force_login(admin)
    response = client.get(reverse("coding:exchange", args=[project.slug]))
    assert response.status_code == 200
    assert reverse("coding:project_export", args=[project.slug]) in response.text
    assert reverse("coding:codebook_import", args=[project.slug]) in response.text
    assert reverse("coding:cases_import", args=[project.slug]) in response.text
    assert reverse("coding:project_import") in response.text


def test_a_researcher_may_import_but_not_export_the_whole_project(client, project, researcher):
    client.force_login(researcher)
    response = client.get(reverse("coding:exchange", args=[project.slug]))
    assert reverse("coding:project_export", args=[project.slug]) not in response.text
    assert reverse("coding:codebook_import", args=[project.slug]) in response.text
    assert client.get(reverse("coding:project_export", args=[project.slug])).status_code == 403


def test_a_supervisor_sees_the_downloads_only(client, project, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("coding:exchange", args=[project.slug]))
    assert reverse("coding:codings_export", args=[project.slug]) in response.text
    assert reverse("coding:codebook_import", args=[project.slug]) not in response.text


def test_an_outsider_finds_no_exchange_page(client, project, outsider):
    client.force_login(outsider)
    assert client.get(reverse("coding:exchange", args=[project.slug])).status_code == 404


def test_the_project_download_is_a_qdpx_named_after_the_project(client, rich_project, admin):
    client.force_login(admin)
    response = client.get(reverse("coding:project_export", args=[rich_project.slug]))
    assert response["Content-Disposition"] == 'attachment; filename="kesra.qdpx"'
    assert "project.qde" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()


def test_importing_a_project_shows_what_it_holds_before_saving(client, rich_project, outsider):
    data, _ = export_qdpx(rich_project)
    client.force_login(outsider)
    url = reverse("coding:project_import")
    response = client.post(url, {"file": upload("kesra.qdpx", data)})
    assert response.status_code == 200
    summary = dict(response.context["plan"].summary())
    assert (summary["Sources"], summary["Codes"], summary["Codings"]) == (3, 3, 4)
    coders = {row["refi_id"]: row["codings"] for row in response.context["coders"]}
    assert coders == {
        "dewi_researcher": 2,
        "rina_researcher": 2,
        "ana_admin": 0,
        "sam_supervisor": 0,
    }
    assert "placeholder" in response.text
    assert Project.objects.count() == 1

    confirm = {"token": response.context["token"], "format": "qdpx", "action": "confirm"}
    with TestCase.captureOnCommitCallbacks(execute=True):  # the job runs once committed
        response = client.post(url, confirm)
    copy = Project.objects.exclude(pk=rich_project.pk).get()
    job = Job.objects.get(kind=Job.Kind.PROJECT_IMPORT)
    assert response.url == job.get_absolute_url()
    assert (job.status, job.result_url, job.project) == ("done", copy.get_absolute_url(), copy)
    assert copy.memberships.get(placeholder_guid=None).user == outsider
    assert Coding.objects.filter(source__project=copy).count() == 4


def test_a_pending_upload_belongs_to_its_uploader(client, rich_project, outsider):
    data, _ = export_qdpx(rich_project)
    client.force_login(outsider)
    url = reverse("coding:project_import")
    token = client.post(url, {"file": upload("kesra.qdpx", data)}).context["token"]
    client.force_login(make_user("mallory"))
    response = client.post(
        url, {"token": token, "format": "qdpx", "action": "confirm"}, follow=True
    )
    assert "no longer here" in response.text
    assert Project.objects.count() == 1


def test_a_pending_upload_of_one_kind_cannot_be_confirmed_as_another(
    client, rich_project, outsider
):
    data, _ = export_qdpx(rich_project)
    client.force_login(outsider)
    url = reverse("coding:project_import")
    token = client.post(url, {"file": upload("kesra.qdpx", data)}).context["token"]
    response = client.post(
        url, {"token": token, "format": "taguette", "action": "confirm"}, follow=True
    )
    assert "no longer here" in response.text


def test_a_forged_confirmation_is_not_found(client, outsider):
    client.force_login(outsider)
    response = client.post(
        reverse("coding:project_import"),
        {"token": "../../etc", "format": "qdpx", "action": "confirm"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["notes.txt", "project.zip"])
def test_only_project_files_are_taken(client, outsider, name):
    client.force_login(outsider)
    response = client.post(reverse("coding:project_import"), {"file": upload(name, b"PK\x03\x04")})
    assert "Choose a file ending in .qdpx, .sqlite3, .sqlite, .db." in response.text


def test_the_import_page_speaks_indonesian(client, outsider):
    client.force_login(outsider)
    client.post(reverse("set_language"), {"language": "id"})
    response = client.get(reverse("coding:project_import"))
    assert '<html lang="id">' in response.text
