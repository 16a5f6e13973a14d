"""gunicorn settings for `make serve`, read from the environment.

WEB_CONCURRENCY worker processes (default 2 × cores + 1, gunicorn's own advice),
listening on HOST:PORT (default 127.0.0.1:8000, for a TLS proxy on the same machine).
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesra_coord.settings")

from kesra_coord.serving import env_int_strict, startup_notices

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{env_int_strict('PORT', 8000)}"
workers = env_int_strict("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
# Exports and reports of a large project run inside the request until background
# jobs arrive; 30 s (gunicorn's default) is too short for them on a slow disk.
timeout = env_int_strict("WEB_TIMEOUT", 60)
accesslog = "-"
# The proxy in front keeps slow clients away from the workers; keep-alive between
# the proxy and gunicorn saves a TCP handshake per request.
keepalive = 5
# gunicorn's control socket sits at one path per user: a second instance on the same
# machine (another port, a test) would fight over it. Signals do the same job.
control_socket_disable = True


def on_starting(server):
    for notice in startup_notices():
        print(notice, file=sys.stderr, flush=True)
