"""Static file URLs for development that browsers may cache for a year.

In production, collectstatic writes hashed file names (`kesra.3f2a….css`) and
WhiteNoise serves them as immutable. `make run` has no collectstatic step, so here
each URL carries a version from the file's content instead (`kesra.css?v=3f2a…`):
WhiteNoise sends a year's max-age (WHITENOISE_MAX_AGE), and a changed file gets a
new URL. A warm visit then costs one request: the page.
"""

import hashlib
import os
from functools import lru_cache

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import StaticFilesStorage


@lru_cache(maxsize=512)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    with open(path, "rb") as handle:
        return hashlib.md5(handle.read(), usedforsecurity=False).hexdigest()[:12]


def content_version(name: str) -> str | None:
    """A short hash of the static file `name`'s content, or None if no finder has it."""
    path = finders.find(name)
    if not path:
        return None
    stat = os.stat(path)
    return _digest(path, stat.st_mtime_ns, stat.st_size)


class VersionedStaticFilesStorage(StaticFilesStorage):
    def url(self, name):
        url = super().url(name)
        version = content_version(name) if name else None
        return f"{url}?v={version}" if version else url
