"""HTTP-level hardening (issue 11, smaller items): the request-body cap, /healthz with the security headers,
gunicorn's Server header, and X-Real-IP believed from nobody by default (the CSP: test_csp_styles.py).

A real gunicorn (config/gunicorn.conf.py, the test settings) is started once for this module: the Server header,
the body cap ahead of any read, and the access log are properties of the server, not of Django's test client.
"""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024
FORGED = "1999-12-31 23:59:59,000 INFO django.request forged"

# --- a URLconf of this module's own: a view that reads an upload, as the document upload does ---------------

upload_calls = []


def upload_view(request):
    upload_calls.append(request.FILES["file"].size)
    return HttpResponse("ok")


urlpatterns = [path("upload/", upload_view), path("", include("config.urls"))]


class DeclaredUpload:
    """A wsgi.input producing a multipart upload of `size` bytes on demand, counting what is read of it."""

    def __init__(self, size: int):
        self.head = (
            b'--B\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n'
            b"Content-Type: image/jpeg\r\n\r\n"
        )
        self.tail = b"\r\n--B--\r\n"
        self.size = size
        self.read_bytes = 0

    def _byte_range(self, start: int, end: int) -> bytes:
        head_end, filler_end = len(self.head), self.size - len(self.tail)
        out = self.head[start : min(end, head_end)] if start < head_end else b""
        out += b"\0" * max(0, min(end, filler_end) - max(start, head_end))
        if end > filler_end:
            out += self.tail[max(start, filler_end) - filler_end : end - filler_end]
        return out

    def read(self, n: int = -1) -> bytes:
        end = self.size if n is None or n < 0 else min(self.size, self.read_bytes + n)
        data = self._byte_range(self.read_bytes, end)
        self.read_bytes = end
        return data

    def readline(self, n: int = -1) -> bytes:
        return self.read(n)


@pytest.fixture
def temp_uploads(monkeypatch):
    """Every temporary file the upload parser creates for a large file."""
    created = []

    class Recorded(TemporaryUploadedFile):
        def __init__(self, *args, **kwargs):
            created.append(args[0])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr("django.core.files.uploadhandler.TemporaryUploadedFile", Recorded)
    upload_calls.clear()
    return created


def post_upload(client, body: DeclaredUpload, **extra):
    return client.generic(
        "POST",
        "/upload/",
        CONTENT_LENGTH=str(body.size),
        CONTENT_TYPE="multipart/form-data; boundary=B",
        **{"wsgi.input": body},
        **extra,
    )


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_an_upload_within_the_cap_reaches_the_view(temp_uploads):
    """The harness works: 6 MB is over FILE_UPLOAD_MAX_MEMORY_SIZE, so the parser spools it to a temp file."""
    body = DeclaredUpload(6 * MIB)
    response = post_upload(Client(), body)
    assert response.status_code == 200
    assert upload_calls and body.read_bytes == body.size and temp_uploads == ["big.jpg"]


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_60_mb_upload_is_refused_unread(temp_uploads):
    """413 before CSRF, the upload parser or the view: not a byte read, no temp file written."""
    body = DeclaredUpload(60 * MIB)
    response = post_upload(Client(enforce_csrf_checks=True), body)
    assert response.status_code == 413
    assert body.read_bytes == 0 and temp_uploads == [] and upload_calls == []
    page = response.content.decode()
    assert "上传的内容过大" in page and "12MB" in page
    assert (
        response["X-Content-Type-Options"] == "nosniff" and "default-src 'self'" in response["Content-Security-Policy"]
    )
    assert "no-store" in response["Cache-Control"] and not response.cookies


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_the_cap_is_a_setting(settings, temp_uploads):
    settings.MAX_REQUEST_BODY_BYTES = 1 * MIB
    body = DeclaredUpload(2 * MIB)
    assert post_upload(Client(), body).status_code == 413 and body.read_bytes == 0


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_chunked_body_is_refused(temp_uploads):
    """No Content-Length: Django would not read the body at all, so the request is refused plainly (411)."""
    response = Client().generic(
        "POST", "/upload/", CONTENT_TYPE="multipart/form-data; boundary=B", HTTP_TRANSFER_ENCODING="chunked"
    )
    assert response.status_code == 411 and upload_calls == []


def test_the_default_cap_fits_the_largest_upload_and_matches_nginx():
    assert settings.MAX_REQUEST_BODY_BYTES == 12 * MIB
    assert getattr(settings, "DOCUMENT_MAX_BYTES", 10 * MIB) < settings.MAX_REQUEST_BODY_BYTES
    assert settings.MAX_REQUEST_BODY_BYTES > settings.FACE_MAX_UPLOAD_BYTES
    nginx = (ROOT / "deploy" / "nginx.conf.example").read_text()
    assert re.search(r"^\s*client_max_body_size 12m;", nginx, re.MULTILINE)


def test_the_cap_comes_before_anything_that_reads_the_body():
    order = settings.MIDDLEWARE
    cap = order.index("config.middleware.RequestBodyLimitMiddleware")
    for reader in ("django.middleware.csrf.CsrfViewMiddleware", "django.contrib.sessions.middleware.SessionMiddleware"):
        assert cap < order.index(reader)


# --- /healthz --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_carries_the_security_headers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Permissions-Policy"].startswith("camera=(self)")
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies  # still answered before sessions


@pytest.mark.django_db
def test_healthz_is_not_redirected_to_https(client, settings):
    """The load balancer probes over plain HTTP; every other page is redirected."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


# --- X-Real-IP -------------------------------------------------------------------------------------------------

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "a-production-key-for-tests-only-" + "x7Qm2Lp9Zr4Tb8Nc6Vd1Hf3Jk5Ws0Ye",
    "ALLOWED_HOSTS": "hall.example.org",
    "DATABASE_URL": "postgres://hall@127.0.0.1:5432/hall",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}
CLIENT_ADDRESS = """
import django; django.setup()
from django.conf import settings
from django.test import RequestFactory
from config.middleware import RealClientIpMiddleware
seen = {}
def view(request):
    seen["ip"] = request.META["REMOTE_ADDR"]
request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.7")
RealClientIpMiddleware(view)(request)
print(settings.TRUSTED_PROXY_IPS, seen["ip"])
"""


def production_client_address(**extra_env) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CACHE_URL"))}
    env.pop("TRUSTED_PROXY_IPS", None)
    env.update(PRODUCTION_ENV, **extra_env)
    result = subprocess.run(
        [sys.executable, "-c", CLIENT_ADDRESS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_believes_no_x_real_ip_by_default():
    """A client reaching gunicorn directly from 127.0.0.1 cannot name its address (and dodge the SMS limit)."""
    assert production_client_address() == "[] 127.0.0.1"


def test_production_believes_the_configured_proxy():
    assert production_client_address(TRUSTED_PROXY_IPS="127.0.0.1,::1") == "['127.0.0.1', '::1'] 203.0.113.7"


def test_the_deploy_example_says_to_trust_nginx():
    nginx = (ROOT / "deploy" / "nginx.conf.example").read_text()
    assert "TRUSTED_PROXY_IPS=127.0.0.1,::1" in nginx and "proxy_set_header X-Real-IP $remote_addr;" in nginx
    assert re.search(r"^server_tokens off;", nginx, re.MULTILINE)


# --- a real gunicorn ----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, port: int, log: Path):
        self.port, self.log = port, log

    def request(self, head: str) -> tuple[int, dict[str, str], bytes]:
        """Send a request head (no body follows) and read the whole answer; the server closes the connection."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
            sock.sendall(head.encode("latin-1"))
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        head_bytes, _, body = data.partition(b"\r\n\r\n")
        status_line, *lines = head_bytes.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), value.strip())
        return int(status_line.split()[1]), headers, body

    def log_lines(self, containing: str, wait: float = 10) -> list[str]:
        """The log once a line containing the text is there (a worker writes the access log after answering)."""
        deadline = time.monotonic() + wait
        while True:
            lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
            if any(containing in line for line in lines) or time.monotonic() > deadline:
                return lines
            time.sleep(0.05)


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """gunicorn -c config/gunicorn.conf.py config.wsgi with one worker, the test settings and SQLite."""
    tmp = tmp_path_factory.mktemp("gunicorn")
    port, log = free_port(), tmp / "gunicorn.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CACHE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        GUNICORN_MAX_REQUESTS="0",
    )
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("gunicorn did not start:\n" + log.read_text())
                time.sleep(0.1)
        yield Gunicorn(port, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_gunicorn_does_not_name_itself(gunicorn):
    status, headers, _ = gunicorn.request("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert status == 200
    assert headers["server"] == "hall"
    assert not any("gunicorn" in value.lower() for value in headers.values())
    assert headers["x-content-type-options"] == "nosniff"


def test_gunicorn_refuses_a_60_mb_body_without_waiting_for_it(gunicorn):
    """Only the head is sent: an application that read the body would wait for it until the worker timeout."""
    status, headers, body = gunicorn.request(
        "POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Content-Type: multipart/form-data; boundary=B\r\nContent-Length: {60 * MIB}\r\n\r\n"
    )
    assert status == 413
    assert "上传的内容过大" in body.decode("utf-8", errors="replace")


def test_gunicorns_access_log_writes_a_forged_path_on_one_line(gunicorn):
    status, _, _ = gunicorn.request(
        "GET /x%0a" + FORGED.replace(" ", "%20") + "%0d%0a HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    assert status == 404
    lines = gunicorn.log_lines('"GET /x')
    access = [line for line in lines if '"GET /x' in line]
    assert len(access) == 1, lines
    assert "/x\\n1999-12-31 23:59:59,000 INFO django.request forged\\r\\n" in access[0]
    assert not any(line.startswith("1999-12-31") for line in lines)
