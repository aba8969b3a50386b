"""The service as ``scripts/serve`` runs it: real gunicorn with ``service/gunicorn_conf.py``.

Each :class:`Served` has a fresh instance folder (SQLite, files, LibreOffice profiles) prepared with
``flask skp init`` and an API key from ``flask skp clients create``, the same commands
``scripts/serve`` runs; it shares the test session's PKI so that no RSA key is generated again.
"""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

__all__ = ["ROOT", "Served", "free_port"]

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Served:
    """gunicorn started with the command line of ``scripts/serve`` on a free port of 127.0.0.1.

    :param env: extra ``SKP_*`` variables (``SKP_PROXY_COUNT``, ``SKP_PUBLIC_URL``...).
    :param config: the gunicorn config module (``python:service.gunicorn_conf`` as in production).
    """

    def __init__(
        self,
        work: Path,
        *,
        pki_dir: Path,
        key_secret: str,
        workers: int = 2,
        env: dict[str, str] | None = None,
        config: str = "python:service.gunicorn_conf",
        gunicorn_args: tuple[str, ...] = (),
    ) -> None:
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        self.instance = work / "instance"
        self.port = free_port()
        self.workers = workers
        self.config = config
        self.gunicorn_args = gunicorn_args
        self.log = work / "gunicorn.log"
        self.process: subprocess.Popen[bytes] | None = None
        inherited = os.environ.get("PYTHONPATH")
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), *([inherited] if inherited else [])]),
            "FLASK_APP": "service",
            "SKP_INSTANCE_PATH": str(self.instance),
            "SKP_SECRET_KEY": secrets.token_urlsafe(40),
            "SKP_KEY_ENCRYPTION_SECRET": key_secret,
            "SKP_PKI_DIR": str(pki_dir),
            "SKP_PUBLIC_URL": f"http://127.0.0.1:{self.port}",
            # One warm LibreOffice per worker: these tests are about HTTP, not conversion.
            "SKP_CONVERTER_PROCESSES": "1",
            **(env or {}),
        }
        self._flask("skp", "init")
        self.key = self._flask("skp", "clients", "create", "served", "--replace").strip().splitlines()[-1]

    def _flask(self, *args: str) -> str:
        done = subprocess.run(
            [str(VENV_BIN / "flask"), *args],
            env=self.env,
            cwd=ROOT,
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
        return done.stdout

    def command(self) -> list[str]:
        """What ``scripts/serve`` executes (its last line), with this instance's port."""
        return [
            str(VENV_BIN / "gunicorn"),
            "-c",
            self.config,
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            *self.gunicorn_args,
            "service:create_app()",
        ]

    def start(self, timeout: float = 90) -> None:
        """Start gunicorn and return once every worker has booted and ``/healthz`` answers."""
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; log:\n{self.log_tail()}")
            log = self.log.read_text(errors="replace")
            if "Exception in worker process" in log:
                raise RuntimeError(f"a gunicorn worker failed to start; log:\n{self.log_tail()}")
            booted = log.count("Booting worker")
            if booted >= self.workers and self._healthy():
                # The last worker to boot may still be importing the app; give it a moment.
                time.sleep(1.0)
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn not ready after {timeout} s; log:\n{self.log_tail()}")
            time.sleep(0.2)

    def _healthy(self) -> bool:
        try:
            status, _, _ = self.request("GET", "/healthz", timeout=2)
        except OSError:
            return False
        return status == 200

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        """One request on a fresh connection with the API key; ``(status, headers, body)``.

        :raises TimeoutError: no answer within ``timeout`` seconds.
        """
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(
                method,
                path,
                body=body,
                headers={"Authorization": f"Bearer {self.key}", **(headers or {})},
            )
            response = connection.getresponse()
            return response.status, response.msg, response.read()
        finally:
            connection.close()

    def log_tail(self, lines: int = 60) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Graceful stop (each worker stops its LibreOffice), then anything of this instance left."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=45)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        marker = str(self.instance).encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if marker in (entry / "cmdline").read_bytes():
                    os.kill(int(entry.name), signal.SIGKILL)
            except OSError:
                continue

    def __enter__(self) -> Served:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
