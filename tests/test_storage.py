"""Media storage from the environment, and the S3 path against a real S3 API.

moto serves the S3 API on 127.0.0.1 (a free port) in a thread; the app talks to it
through django-storages and boto3 over HTTP, exactly as it would talk to a bucket.
"""

import socket

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coding.exchange.pending import delete_pending, load_pending, save_pending
from interviews.models import Source
from kesra_coord.media import media_storage

from .interviews.uploading import post_upload

BUCKET = "kesra-media"
KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing-secret"}


def test_local_folder_unless_a_bucket_is_named(monkeypatch):
    monkeypatch.delenv("MEDIA_S3_BUCKET", raising=False)
    assert media_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    monkeypatch.setenv("MEDIA_S3_BUCKET", "team-bucket")
    monkeypatch.setenv("MEDIA_S3_ENDPOINT_URL", "https://s3.example.org")
    monkeypatch.setenv("MEDIA_S3_REGION", "ap-southeast-3")
    options = media_storage()["OPTIONS"]
    assert media_storage()["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["bucket_name"] == "team-bucket"
    assert options["endpoint_url"] == "https://s3.example.org"
    assert options["region_name"] == "ap-southeast-3"
    assert options["default_acl"] is None


def test_a_bad_addressing_style_stops_the_start(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("MEDIA_S3_BUCKET", "team-bucket")
    monkeypatch.setenv("MEDIA_S3_ADDRESSING_STYLE", "sideways")
    with pytest.raises(ImproperlyConfigured, match="MEDIA_S3_ADDRESSING_STYLE"):
        media_storage()


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=BUCKET)
    yield endpoint, client
    server.stop()


@pytest.fixture
def s3_media(s3_endpoint, monkeypatch, settings):
    """STORAGES["default"] as the environment of a deployment with a bucket makes it."""
    endpoint, client = s3_endpoint
    for name, value in {
        **KEYS,
        "MEDIA_S3_BUCKET": BUCKET,
        "MEDIA_S3_ENDPOINT_URL": endpoint,
        "MEDIA_S3_REGION": "us-east-1",
        "MEDIA_S3_ADDRESSING_STYLE": "path",
        "MEDIA_S3_PREFIX": "media",
    }.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage()}
    yield client
    for key in _keys(client):
        client.delete_object(Bucket=BUCKET, Key=key)


def _keys(client) -> dict[str, bytes]:
    listing = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {
        item["Key"]: client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
        for item in listing
    }


def test_an_uploaded_original_goes_to_the_bucket_and_comes_back_through_the_app(
    s3_media, client, project, researcher
):
    data = "Pewawancara: Apa kabar?\nIbu Maria: Baik, terima kasih. ☕".encode()
    client.force_login(researcher)
    # The original waits in the bucket for the job, which reads it and deletes it.
    response = post_upload(
        client,
        project,
        {"kind": "interview", "files": [SimpleUploadedFile("wawancara_maria.txt", data)]},
    )
    assert response.status_code == 302
    source = Source.objects.get(project=project)
    assert default_storage.__class__.__name__ == "S3Storage"
    stored = _keys(s3_media)
    assert stored == {f"media/sources/{project.pk}/wawancara_maria.txt": data}

    download = client.get(reverse("interviews:source_original", args=[project.slug, source.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data
    assert "wawancara_maria.txt" in download["Content-Disposition"]

    # A second file of the same name gets a name of its own, as on the local disk.
    post_upload(
        client,
        project,
        {"kind": "interview", "files": [SimpleUploadedFile("wawancara_maria.txt", b"Lagi.")]},
    )
    assert len(_keys(s3_media)) == 2

    client.post(reverse("interviews:source_delete", args=[project.slug, source.pk]))
    assert f"media/sources/{project.pk}/wawancara_maria.txt" not in _keys(s3_media)


def test_an_import_preview_waits_in_the_bucket(s3_media, researcher):
    token = save_pending(researcher, "codebook", b"<CodeBook/>")
    (key,) = [key for key in _keys(s3_media) if "exchange-pending" in key]
    assert key == f"media/exchange-pending/{researcher.pk}/codebook-{token}"
    # Another app server reads it from the same bucket: nothing is kept in process.
    assert load_pending(researcher, "codebook", token) == b"<CodeBook/>"
    assert load_pending(researcher, "cases", token) is None
    delete_pending(researcher, "codebook", token)
    assert not [key for key in _keys(s3_media) if "exchange-pending" in key]


def test_a_file_saved_through_default_storage_lands_in_the_bucket(s3_media):
    name = default_storage.save("notes/memo.txt", ContentFile(b"catatan"))
    assert _keys(s3_media)[f"media/{name}"] == b"catatan"
    default_storage.delete(name)
