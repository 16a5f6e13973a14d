"""The limits of a whole-project import (settings), checked while the file is read."""

from django.conf import settings
from django.utils.translation import gettext as _

from .safety import ExchangeError

DEFAULT_MAX_SOURCE_CHARS = 2_000_000
DEFAULT_MAX_IMPORT_SOURCES = 2_000


def max_source_chars() -> int:
    return int(getattr(settings, "MAX_SOURCE_CHARS", DEFAULT_MAX_SOURCE_CHARS))


def max_import_sources() -> int:
    return int(getattr(settings, "MAX_IMPORT_SOURCES", DEFAULT_MAX_IMPORT_SOURCES))


def check_source_count(count: int) -> None:
    if count > max_import_sources():
        raise ExchangeError(
            _(
                "The file holds %(count)s sources; at most %(limit)s can be imported at once. "
                "Nothing was saved."
            )
            % {"count": f"{count:,}", "limit": f"{max_import_sources():,}"}
        )


def check_source_length(title: str, length: int) -> None:
    if length > max_source_chars():
        raise ExchangeError(
            _(
                "“%(title)s” has %(count)s characters; a source may have at most %(limit)s. "
                "Nothing was saved."
            )
            % {"title": title, "count": f"{length:,}", "limit": f"{max_source_chars():,}"}
        )
