"""The HTTP side of `manage.py bench_w1`: the app served in a subprocess, and a browser-like client.

The server is gunicorn when it is importable (else `runserver --noreload`), started with
production settings (DEBUG off) on a free local port. The client keeps cookies, sends the
CSRF token as a browser does (form field or `X-CSRFToken` header), follows redirects
and keeps its connection alive where the server allows it.
"""

import gzip
import http.client
import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_REDIRECTS = {301, 302, 303, 307, 308}
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str

    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass
class Client:
    """A browser in miniature: cookies, CSRF, redirects, gzip, one kept-alive connection."""

    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=300)

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def close(self) -> None:
        self.connection.close()

    def request(
        self, method: str, url: str, *, body: bytes | None = None, headers: dict | None = None
    ) -> Response:
        """One request and the redirects it leads to (a 302/303 after a POST becomes a GET)."""
        for _hop in range(10):
            response = self._send(method, url, body, headers or {})
            if response.status not in _REDIRECTS:
                return response
            url = response.headers["location"]
            if response.status in (301, 302, 303):
                method, body, headers = "GET", None, {}
        raise RuntimeError(f"too many redirects from {url}")

    def _send(self, method: str, url: str, body: bytes | None, headers: dict) -> Response:
        path = urlsplit(url)._replace(scheme="", netloc="").geturl() or "/"
        sent = {"Accept-Encoding": "gzip", "Host": f"{self.host}:{self.port}", **headers}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=sent)
            raw = self.connection.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            self.connection.close()  # the server closed a kept-alive connection: once more
            self.connection.request(method, path, body=body, headers=sent)
            raw = self.connection.getresponse()
        data = raw.read()
        for header in raw.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if raw.headers.get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        if raw.will_close:
            self.connection.close()
        headers_out = {k.lower(): v for k, v in raw.headers.items()}
        return Response(raw.status, headers_out, data, path)

    def get(self, url: str, params: dict | None = None, *, htmx: bool = False) -> Response:
        if params:
            url = f"{url}?{urlencode(params, doseq=True)}"
        return self.request("GET", url, headers=self._htmx(htmx, url))

    def post_form(
        self, url: str, data: dict, *, token: str = "", htmx: bool = False, headers=None
    ) -> Response:
        """A form post: the token in the form for a plain post, in the header for htmx."""
        fields = dict(data)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
            **(headers or {}),
        }
        if htmx:
            headers |= self._htmx(True, url) | {"X-CSRFToken": self.cookies["csrftoken"]}
        else:
            fields["csrfmiddlewaretoken"] = token
        body = urlencode(fields, doseq=True).encode()
        return self.request("POST", url, body=body, headers=headers)

    def post_files(
        self, url: str, data: dict, files: list[tuple[str, str, bytes]], *, htmx: bool = False
    ) -> Response:
        """A multipart post (name, filename, content per file), as the upload form sends it."""
        boundary = uuid.uuid4().hex
        parts = []
        fields = {**data, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for name, filename, content in files:
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: text/html\r\n\r\n'
            )
            parts.append(head.encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Origin": self.origin,
            **self._htmx(htmx, url),
        }
        if htmx:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        return self.request("POST", url, body=b"".join(parts), headers=headers)

    def _htmx(self, htmx: bool, url: str) -> dict[str, str]:
        if not htmx:
            return {}
        return {"HX-Request": "true", "HX-Current-URL": self.origin + url}

    def sign_in(self, login_url: str, username: str, password: str) -> Response:
        page = self.get(login_url)
        token = form_token(page)
        data = {"username": username, "password": password}
        response = self.post_form(login_url, data, token=token)
        if "sessionid" not in self.cookies:
            raise RuntimeError(f"signing in failed ({response.status})")
        return response


def form_token(response: Response) -> str:
    found = _CSRF_INPUT.search(response.body)
    if found is None:
        raise RuntimeError(f"no CSRF token in {response.url} ({response.status})")
    return found.group(1).decode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def has_gunicorn() -> bool:
    return importlib.util.find_spec("gunicorn") is not None


class Server:
    """The app in a subprocess, with production settings from `env`."""

    def __init__(self, *, base_dir: Path, env: dict[str, str], log: Path, workers: int = 1) -> None:
        self.port = free_port()
        self.log = log
        self.gunicorn = has_gunicorn()
        if self.gunicorn:
            command = [
                sys.executable, "-m", "gunicorn", "kesra_coord.wsgi",
                "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
                "--timeout", "300", "--keep-alive", "5", "--no-control-socket",
            ]  # fmt: skip
        else:
            command = [
                sys.executable, "manage.py", "runserver", "--noreload", "--nothreading",
                f"127.0.0.1:{self.port}",
            ]  # fmt: skip
        with log.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                command, cwd=base_dir, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        self._wait_until_ready()

    @property
    def kind(self) -> str:
        return "gunicorn" if self.gunicorn else "runserver"

    def _wait_until_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped:\n{self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start within a minute")

    def pids(self) -> list[int]:
        """The master and its workers (runserver: the one process)."""
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        return [pid, *(int(child) for child in children)]

    def workers(self) -> list[int]:
        pids = self.pids()
        return pids[1:] if self.gunicorn else pids

    def peak_rss_mib(self) -> tuple[float, float]:
        """(largest VmHWM of one worker, VmHWM summed over every server process), in MiB."""
        peaks = {pid: _status_kib(pid, "VmHWM") / 1024 for pid in self.pids()}
        worker_peaks = [peaks[pid] for pid in self.workers()]
        return max(worker_peaks), sum(peaks.values())

    def worker_rss_mib(self) -> tuple[float, float]:
        """(largest VmHWM, largest VmRSS) of a worker, in MiB."""
        workers = self.workers()
        return (
            max(_status_kib(pid, "VmHWM") for pid in workers) / 1024,
            max(_status_kib(pid, "VmRSS") for pid in workers) / 1024,
        )

    def cpu_seconds(self) -> float:
        """User and system CPU time of every server process so far."""
        total = 0
        for pid in self.pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / _CLOCK_TICKS

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


class InProcessClient:
    """The same calls over Django's test client (CSRF enforced), for profiling a phase."""

    def __init__(self) -> None:
        from django.test import Client as TestClient

        self.client = TestClient(enforce_csrf_checks=True)

    @property
    def cookies(self) -> dict[str, str]:
        return {name: morsel.value for name, morsel in self.client.cookies.items()}

    def close(self) -> None:
        pass

    def _wrap(self, response, url: str) -> Response:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return Response(response.status_code, dict(response.headers), body, url)

    def _headers(self, htmx: bool, extra=None) -> dict[str, str]:
        headers = dict(extra or {})
        if htmx:
            headers |= {"HX-Request": "true", "X-CSRFToken": self.cookies["csrftoken"]}
        return headers

    def get(self, url: str, params: dict | None = None, *, htmx: bool = False) -> Response:
        response = self.client.get(url, params, headers=self._headers(htmx), follow=True)
        return self._wrap(response, url)

    def post_form(
        self, url: str, data: dict, *, token: str = "", htmx: bool = False, headers=None
    ) -> Response:
        fields = dict(data) if htmx else {**data, "csrfmiddlewaretoken": token}
        response = self.client.post(url, fields, headers=self._headers(htmx, headers), follow=True)
        return self._wrap(response, url)

    def post_files(
        self, url: str, data: dict, files: list[tuple[str, str, bytes]], *, htmx: bool = False
    ) -> Response:
        from django.core.files.uploadedfile import SimpleUploadedFile

        fields: dict = {**data, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        for name, filename, content in files:
            fields[name] = SimpleUploadedFile(filename, content, "text/html")
        response = self.client.post(url, fields, headers=self._headers(htmx), follow=True)
        return self._wrap(response, url)

    def sign_in(self, login_url: str, username: str, password: str) -> Response:
        token = form_token(self.get(login_url))
        data = {"username": username, "password": password}
        return self.post_form(login_url, data, token=token)
