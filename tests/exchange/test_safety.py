"""Hostile files are refused with a clear message, and nothing is saved."""

import io
import sqlite3
import time
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation

from coding.exchange.qdc import read_qdc
from coding.exchange.qdpx_import import read_qdpx
from coding.exchange.safety import ExchangeError
from coding.exchange.taguette import read_taguette
from coding.models import Code
from interviews.models import Project

from .conftest import make_qdpx, upload

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<{root} xmlns="urn:QDA-XML:{ns}:1.0" name="&lol9;"><Codes>
 <Code guid="d7aa29da-519b-4946-9b90-253b6db8fd0a" name="&lol9;" isCodable="true"/>
</Codes></{root}>"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<{root} xmlns="urn:QDA-XML:{ns}:1.0" name="x"><Codes>
 <Code guid="d7aa29da-519b-4946-9b90-253b6db8fd0a" name="&secret;" isCodable="true"/>
</Codes></{root}>"""
REFUSED = "declares a document type or entities"
PROJECT_QDE = '<Project xmlns="urn:QDA-XML:project:1.0" name="Aman"/>'


def pending_files(user):
    try:
        return default_storage.listdir(f"exchange-pending/{user.pk}")[1]
    except FileNotFoundError:
        return []


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_entity_tricks_in_a_project_file_are_refused_and_nothing_is_saved(client, outsider, xml):
    client.force_login(outsider)
    waiting = pending_files(outsider)
    data = make_qdpx(xml.format(root="Project", ns="project"))
    response = client.post(reverse("coding:project_import"), {"file": upload("evil.qdpx", data)})
    assert response.status_code == 200
    assert REFUSED in response.text
    assert "token" not in response.context or not response.context.get("token")
    assert not Project.objects.exists()
    assert pending_files(outsider) == waiting


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_entity_tricks_in_a_codebook_are_refused_and_nothing_is_saved(
    client, project, researcher, xml
):
    client.force_login(researcher)
    data = xml.format(root="CodeBook", ns="codebook").encode()
    url = reverse("coding:codebook_import", args=[project.slug])
    response = client.post(url, {"file": upload("evil.qdc", data)})
    assert REFUSED in response.text
    assert not Code.objects.exists()


def test_the_xml_refusal_names_the_problem():
    with pytest.raises(ExchangeError) as error:
        read_qdc(XXE.format(root="CodeBook", ns="codebook").encode())
    assert error.value.message.startswith("QDC declares a document type or entities.")


@pytest.mark.parametrize(
    "name", ["../evil.txt", "/etc/evil.txt", "sources/../../evil.txt", "C:/evil.txt"]
)
def test_zip_slip_paths_are_refused(name):
    data = make_qdpx(PROJECT_QDE, {name: "x"})
    with pytest.raises(ExchangeError, match="unsafe path"):
        read_qdpx(data)


def test_a_zip_with_too_many_members_is_refused(settings):
    settings.MAX_ZIP_MEMBERS = 10
    data = make_qdpx(PROJECT_QDE, {f"sources/{n}.txt": "x" for n in range(10)})
    with pytest.raises(ExchangeError, match="more than 10 parts"):
        read_qdpx(data)


def test_a_zip_bomb_is_refused_before_anything_is_read(settings):
    settings.MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    settings.MAX_ZIP_RATIO = 10_000  # so that the total, not the ratio, refuses it
    data = make_qdpx(PROJECT_QDE, {"sources/zeros.txt": bytes(2 * 1024 * 1024)})
    assert len(data) < 10_000
    with (
        translation.override("en"),
        pytest.raises(ExchangeError, match=r"expands to more than 1\.0"),
    ):
        read_qdpx(data)


def test_members_of_ten_megabytes_under_the_old_ratio_are_refused_at_once():
    """19 members of 9.9 MB in a 459 KB file once ran for minutes at 1.7 GB."""
    members = {f"sources/{n}.txt": b"a" * (99 * 100 * 1024) for n in range(19)}
    data = make_qdpx(PROJECT_QDE, members)
    assert len(data) < 500_000
    began = time.perf_counter()
    with pytest.raises(ExchangeError, match=r"compressed more than 100:1"):
        read_qdpx(data)
    assert time.perf_counter() - began < 1


def test_a_member_that_lies_about_its_size_is_refused():
    qde = PROJECT_QDE.replace(
        "/>",
        '><Sources><TextSource guid="33333333-0000-4000-8000-000000000001" '
        'plainTextPath="internal://a.txt"/></Sources></Project>',
    )
    data = bytearray(make_qdpx(qde, {"sources/a.txt": "x" * 100}))
    # Shrink the declared size in the central directory: zipfile must stop and complain.
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("sources/a.txt")
    central = data.rfind(b"PK\x01\x02")
    assert info.file_size == int.from_bytes(data[central + 24 : central + 28], "little")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    with pytest.raises(ExchangeError, match=r"a\.txt inside the QDPX file is damaged"):
        read_qdpx(bytes(data))


def test_an_oversized_upload_is_refused(client, outsider, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    client.force_login(outsider)
    data = make_qdpx(PROJECT_QDE, {"sources/a.txt": "x" * 5000})
    data += bytes(2000)
    response = client.post(reverse("coding:project_import"), {"file": upload("big.qdpx", data)})
    assert "the limit is 1000" in response.text
    assert not Project.objects.exists()


def test_a_file_that_is_not_a_zip_is_refused(client, outsider):
    client.force_login(outsider)
    response = client.post(
        reverse("coding:project_import"), {"file": upload("x.qdpx", b"<Project/>")}
    )
    assert "This is not a QDPX file" in response.text


def test_a_qdpx_without_a_project_is_refused():
    with pytest.raises(ExchangeError, match=r"no project\.qde"):
        read_qdpx(make_qdpx("<x/>", name="other.xml"))


def test_a_sqlite_file_that_is_not_taguette_is_refused(tmp_path):
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE documents (id INTEGER)")
        connection.execute("CREATE VIEW projects AS SELECT 1")
    with pytest.raises(ExchangeError, match="not a Taguette project"):
        read_taguette(path.read_bytes())


def test_a_damaged_sqlite_file_is_refused():
    with pytest.raises(ExchangeError, match="damaged"):
        read_taguette(b"SQLite format 3\x00" + bytes(200))
