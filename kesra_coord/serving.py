"""What the WSGI and ASGI entry points check before they serve anything."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def refuse_insecure_key() -> None:
    if not settings.DEBUG and settings.SECRET_KEY == settings.INSECURE_DEVELOPMENT_KEY:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")
