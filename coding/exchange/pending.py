"""Uploads waiting between an import's preview and its confirmation.

Servers are stateless, so the file waits in default_storage (shared by all app
servers), under the uploader's id, the import kind and a random token:
``exchange-pending/<user id>/<kind>-<token>``. Only the same user can confirm it,
only for the same kind of import; it is deleted once confirmed or cancelled, and a
user's leftovers older than a day are swept whenever they upload again.
"""

import datetime as dt
import re
import secrets
from typing import IO

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.utils import timezone

ROOT = "exchange-pending"
MAX_AGE = dt.timedelta(days=1)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def _name(user, kind: str, token: str) -> str | None:
    if not _TOKEN.fullmatch(token or "") or not re.fullmatch(r"[a-z-]+", kind):
        return None
    return f"{ROOT}/{user.pk}/{kind}-{token}"


def _sweep(user) -> None:
    folder = f"{ROOT}/{user.pk}"
    try:
        _dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    cutoff = timezone.now() - MAX_AGE
    for file in files:
        try:
            if default_storage.get_modified_time(f"{folder}/{file}") < cutoff:
                default_storage.delete(f"{folder}/{file}")
        except (NotImplementedError, OSError):
            continue


def save_pending(user, kind: str, data: bytes | IO[bytes]) -> str:
    """Keep `data` (bytes, or a file opened for reading) for the user; returns its token."""
    _sweep(user)
    token = secrets.token_urlsafe(24)
    name = _name(user, kind, token)
    default_storage.save(name, ContentFile(data) if isinstance(data, bytes) else File(data))
    return token


def load_pending(user, kind: str, token: str) -> bytes | None:
    name = _name(user, kind, token)
    if name is None or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def delete_pending(user, kind: str, token: str) -> None:
    name = _name(user, kind, token)
    if name is not None:
        default_storage.delete(name)
