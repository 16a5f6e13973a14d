import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesra_coord.settings")
application = get_asgi_application()

from kesra_coord.serving import refuse_insecure_key  # noqa: E402 - needs settings loaded

refuse_insecure_key()
