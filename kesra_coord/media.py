"""Where uploaded files live: STORAGES["default"] from the environment.

A local folder (MEDIA_ROOT) by default. With MEDIA_S3_BUCKET, any S3-compatible
bucket (AWS S3, MinIO, Garage, Ceph, a cloud provider's object storage) through
django-storages, so that several app servers share one set of files.
"""

import os

from django.core.exceptions import ImproperlyConfigured

FILESYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"


def _env(name: str) -> str | None:
    return os.environ.get(name, "").strip() or None


def media_storage() -> dict:
    """The STORAGES entry for uploaded files, read from the environment."""
    bucket = _env("MEDIA_S3_BUCKET")
    if bucket is None:
        return {"BACKEND": FILESYSTEM}
    style = _env("MEDIA_S3_ADDRESSING_STYLE")
    if style not in {None, "path", "virtual", "auto"}:
        raise ImproperlyConfigured(
            f"MEDIA_S3_ADDRESSING_STYLE must be path, virtual or auto, not {style!r}."
        )
    return {
        "BACKEND": S3,
        "OPTIONS": {
            "bucket_name": bucket,
            # Empty: AWS itself; otherwise the provider's address, e.g. https://s3.example.org
            "endpoint_url": _env("MEDIA_S3_ENDPOINT_URL"),
            "region_name": _env("MEDIA_S3_REGION"),
            # Unset: boto3's own chain (AWS_* variables, ~/.aws, an instance role).
            "access_key": _env("AWS_ACCESS_KEY_ID"),
            "secret_key": _env("AWS_SECRET_ACCESS_KEY"),
            "location": _env("MEDIA_S3_PREFIX") or "",
            "addressing_style": style,
            # Private objects, read through the app (which checks membership) or through
            # short-lived signed URLs; never a public ACL.
            "default_acl": None,
            "querystring_auth": True,
            # Same as the local folder: a second file of the same name gets a new name.
            "file_overwrite": False,
        },
    }
