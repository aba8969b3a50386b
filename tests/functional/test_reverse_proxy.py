"""The production recipe: ``deploy/nginx.conf`` as shipped, in front of gunicorn, over real TLS.

nginx runs the recipe with only the site-specific lines replaced (ports, name, certificate paths),
inside a minimal ``nginx.conf`` of the test's own; the certificate is self-signed, made here.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from service.config import DEFAULT_MAX_CONTENT_LENGTH
from tests.conftest import EXAMPLES, KEY_SECRET
from tests.functional.served import ROOT, Served, free_port

RECIPE = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HSTS = "max-age=31536000"
SCORES = (EXAMPLES / "pp46_2011_evaluasi.json").read_bytes()


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def _replace(text: str, old: str, new: str, count: int = 1) -> str:
    assert text.count(old) == count, f"deploy/nginx.conf no longer has {old!r} {count} time(s)"
    return text.replace(old, new)


class Nginx:
    """nginx in the foreground with the recipe, on two free ports of 127.0.0.1."""

    def __init__(self, work: Path, *, upstream_port: int, cert: Path, key: Path) -> None:
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        self.http_port, self.https_port = free_port(), free_port()
        site = RECIPE.read_text()
        site = _replace(site, "server 127.0.0.1:5000;", f"server 127.0.0.1:{upstream_port};")
        site = _replace(site, "listen 80;", f"listen 127.0.0.1:{self.http_port};")
        site = _replace(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{self.https_port} ssl http2;")
        site = _replace(site, "server_name skp.example.go.id;", "server_name localhost;", count=2)
        site = _replace(site, "/etc/ssl/skp-sign/fullchain.pem", str(cert))
        site = _replace(site, "/etc/ssl/skp-sign/privkey.pem", str(key))
        (work / "skp-sign.conf").write_text(site)
        temp = "\n".join(
            f"    {kind}_temp_path {work / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        # As root, nginx's workers would run as nobody, who cannot enter pytest's private temp folder.
        user = f"user {pwd.getpwuid(os.getuid()).pw_name};\n" if os.getuid() == 0 else ""
        (work / "nginx.conf").write_text(
            f"{user}worker_processes 1;\npid {work / 'nginx.pid'};\nerror_log {work / 'error.log'};\n"
            "events { worker_connections 256; }\n"
            f"http {{\n    access_log {work / 'access.log'};\n{temp}\n"
            f"    include {work / 'skp-sign.conf'};\n}}\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        work = self.work
        command = [NGINX, "-p", str(work), "-c", str(work / "nginx.conf"), "-e", str(work / "error.log")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
        assert checked.returncode == 0, checked.stderr
        self.process = subprocess.Popen([*command, "-g", "daemon off;"], start_new_session=True)
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.https_port), timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((self.work / "error.log").read_text()) from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: the workers finish, then exit
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class Deployment:
    def __init__(self, served: Served, nginx: Nginx, cert: Path) -> None:
        self.served = served
        self.nginx = nginx
        self.base = f"https://localhost:{nginx.https_port}"
        self.http = requests.Session()
        self.http.trust_env = False  # never through a proxy of the environment
        self.http.verify = str(cert)
        self.http.headers["Authorization"] = f"Bearer {served.key}"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, pki_dir: Path) -> Iterator[Deployment]:
    work = tmp_path_factory.mktemp("proxy")
    cert, key = _certificate(work)
    https_port = free_port()
    served = Served(
        work / "service",
        pki_dir=pki_dir,
        key_secret=KEY_SECRET,
        env={"SKP_PROXY_COUNT": "1", "SKP_PUBLIC_URL": f"https://localhost:{https_port}"},
    )
    nginx = Nginx(work / "nginx", upstream_port=served.port, cert=cert, key=key)
    with served:
        try:
            nginx.start()
            yield Deployment(served, nginx, cert)
        finally:
            nginx.stop()


def test_an_api_call_over_https_through_the_proxy(deployment: Deployment) -> None:
    answer = deployment.http.post(
        f"{deployment.base}/api/v1/scores",
        data=SCORES,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["regime"]
    # Once, not twice: the service set it, and nginx adds it only to answers of its own.
    assert answer.headers["Strict-Transport-Security"] == HSTS
    assert answer.headers["Server"].startswith("nginx")


def test_plain_http_is_sent_to_https(deployment: Deployment) -> None:
    answer = deployment.http.get(
        f"http://localhost:{deployment.nginx.http_port}/docs", allow_redirects=False, timeout=10
    )
    assert answer.status_code == 301
    assert answer.headers["Location"].startswith("https://localhost")
    assert "Strict-Transport-Security" not in answer.headers  # never over http (RFC 6797)


def test_a_body_over_the_limit_is_refused_by_the_proxy(deployment: Deployment) -> None:
    too_large = b"{" + b" " * DEFAULT_MAX_CONTENT_LENGTH + b"}"
    answer = deployment.http.post(
        f"{deployment.base}/api/v1/scores?too-large",
        data=too_large,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 413
    assert "nginx" in answer.text  # nginx's own page, not the service's problem+json
    assert answer.headers["Strict-Transport-Security"] == HSTS
    assert "too-large" not in deployment.served.log.read_text()  # gunicorn never saw it


def test_a_body_at_the_limit_reaches_the_service(deployment: Deployment) -> None:
    # The same limit on both sides: the largest body nginx lets through is one the service reads.
    at_limit = b'{"type": "' + b"x" * (DEFAULT_MAX_CONTENT_LENGTH - 12) + b'"}'
    assert len(at_limit) == DEFAULT_MAX_CONTENT_LENGTH
    answer = deployment.http.post(
        f"{deployment.base}/api/v1/scores?at-limit",
        data=at_limit,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.headers["Content-Type"] == "application/problem+json", answer.text[:300]
    assert answer.status_code in (400, 422)
    # gunicorn writes its access line after the answer has gone out: wait for it, do not race it.
    deadline = time.monotonic() + 10
    while "at-limit" not in deployment.served.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "at-limit" in deployment.served.log.read_text()


def test_the_recipe_body_limit_is_the_service_limit() -> None:
    match = re.search(r"^\s*client_max_body_size\s+(\d+)([km]?);", RECIPE.read_text(), re.MULTILINE)
    assert match is not None
    size = int(match.group(1)) * {"": 1, "k": 1024, "m": 1024 * 1024}[match.group(2)]
    assert size == DEFAULT_MAX_CONTENT_LENGTH


def test_the_service_believes_the_proxy_it_is_told_to_trust(deployment: Deployment) -> None:
    # What nginx sends, sent straight to gunicorn: with SKP_PROXY_COUNT=1 the service takes the
    # scheme from X-Forwarded-Proto (tests/functional/test_serving.py: without it, it does not).
    status, headers, body = deployment.served.request(
        "GET", "/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    )
    assert status == 200, body
    assert headers["Strict-Transport-Security"] == HSTS
    assert json.loads(body) == {"status": "ok"}
