import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesra_coord.settings")
application = get_wsgi_application()

from django.urls import get_resolver  # noqa: E402 - needs settings loaded

from kesra_coord.serving import refuse_insecure_key  # noqa: E402 - needs settings loaded

refuse_insecure_key()
# The views load with the worker, not in its first request; then what the worker has
# loaded (some 100,000 objects) is moved out of the collector's way: its full passes,
# every few dozen requests, walked all of them (about 1 ms a request on average).
get_resolver().url_patterns  # noqa: B018 - imports every view
gc.collect()
gc.freeze()
