"""What the entry points check before they serve anything, and what they say at start."""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def refuse_insecure_key() -> None:
    if not settings.DEBUG and settings.SECRET_KEY == settings.INSECURE_DEVELOPMENT_KEY:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")


def env_int_strict(name: str, default: int) -> int:
    """A positive whole number from the environment, or a start that fails naming it."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be a positive whole number, not {raw!r}.")
    return value


def startup_notices(*, debug: bool | None = None, database: dict | None = None) -> list[str]:
    """One-line notices for the operator when the app server starts (stderr).

    Reads the settings unless `debug` and `database` are given (tests).
    """
    notices = []
    debug = settings.DEBUG if debug is None else debug
    database = settings.DATABASES["default"] if database is None else database
    if not debug and database["ENGINE"].endswith("sqlite3"):
        notices.append(
            f"Kesra Coord: using SQLite ({database['NAME']}), since DATABASE_URL names no "
            "PostgreSQL database: fine for one machine and a few users; a team needs "
            "DATABASE_URL=postgres://…"
        )
    return notices
