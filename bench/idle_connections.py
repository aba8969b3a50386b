"""API latency with and without 200 idle connections open, under gunicorn as ``scripts/serve`` runs it.

Run: .venv/bin/python bench/idle_connections.py [--idle 200] [--seconds 20] [--no-old]
Prints figures; asserts nothing. Target (issue 10): API p95 with 200 idle connections about the same
as without them.

One fresh instance folder (SQLite, own PKI) is served in turn by three configurations, each with
this checkout's ``service/gunicorn_conf.py`` and ``--workers 2``, the command line of ``scripts/serve``:

- ``current``: the config as it is (PollFirstThreadWorker, ``SKP_THREADS`` threads per worker);
- ``stock gthread``: the same with gunicorn's own threaded worker (``--worker-class gthread``);
- ``old sync``: the config before issue 10 (``--worker-class sync --threads 1``).

The traffic is an HR system's: 4 clients, each a fresh connection per request (a new connection is
what an idle socket can make wait), alternating ``GET /api/v1/documents/{id}`` (a document created and
rendered before the timing) and ``POST /api/v1/scores`` with ``examples/pp46_2011_evaluasi.json``. The
floor, measured in the same run, is the same traffic with no idle connection. The idle connections
are kept open for the whole round: one the server closes (after gunicorn's ``keepalive``) is opened
again at once, as a browser that preconnects would. A request that gets no answer within
``--timeout`` seconds counts at that value, so a p95 shown as ``>= 30000`` means "no answer".
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SCORES = (ROOT / "examples" / "pp46_2011_evaluasi.json").read_bytes()
DOCUMENT = (ROOT / "examples" / "permenpanrb_8_2021_dokumen_penilaian.json").read_bytes()
CONFIGS = {
    "current": (),
    "stock gthread": ("--worker-class", "gthread"),
    "old sync": ("--worker-class", "sync", "--threads", "1"),
}


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Service:
    """gunicorn on a fresh instance folder, started and stopped per configuration."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.instance = work / "instance"
        self.port = _port()
        self.log = work / "gunicorn.log"
        self.process: subprocess.Popen[bytes] | None = None
        inherited = os.environ.get("PYTHONPATH")
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), *([inherited] if inherited else [])]),
            "SKP_INSTANCE_PATH": str(self.instance),
            "FLASK_APP": "service",
            "SKP_PUBLIC_URL": f"http://127.0.0.1:{self.port}",
        }
        self._flask("skp", "init")
        self.key = self._flask("skp", "clients", "create", "bench", "--replace").strip().splitlines()[-1]

    def _flask(self, *args: str) -> str:
        done = subprocess.run(
            [str(VENV_BIN / "flask"), *args],
            env=self.env,
            cwd=ROOT,
            check=False,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stderr[-2000:]}")
        return done.stdout

    def start(self, extra: tuple[str, ...]) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(VENV_BIN / "gunicorn"),
                    "-c",
                    "python:service.gunicorn_conf",
                    "--workers",
                    "2",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    *extra,
                    "service:create_app()",
                ],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                if request(self, "GET", "/healthz", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer within 120 s")
            time.sleep(0.3)
        self._settle()

    def _settle(self) -> None:
        """Wait until the workers' LibreOffice processes have started and the CPU is quiet again."""
        deadline = time.monotonic() + 90
        previous = _tree_cpu(self.process.pid if self.process else 0, self.instance)
        time.sleep(3)
        while time.monotonic() < deadline:
            time.sleep(1)
            now = _tree_cpu(self.process.pid if self.process else 0, self.instance)
            if now - previous < 0.05:
                return
            previous = now

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        _kill_instance_processes(self.instance)


def _tree_cpu(root: int, instance: Path) -> float:
    """CPU seconds of gunicorn (``root``), its workers and the instance's LibreOffice processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    marker = str(instance).encode()
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            mine = int(entry.name) == root or int(fields[1]) == root
            if not mine:
                mine = marker in (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if mine:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _kill_instance_processes(instance: Path) -> None:
    marker = str(instance).encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "cmdline").read_bytes():
                os.kill(int(entry.name), signal.SIGKILL)
        except OSError:
            continue


@dataclass
class Answer:
    status: int
    body: bytes


def request(
    service: Service, method: str, path: str, *, body: bytes | None = None, timeout: float = 30
) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=timeout)
    try:
        headers = {"Authorization": f"Bearer {service.key}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.read())
    finally:
        connection.close()


class IdleConnections:
    """``count`` connections that never send a byte, reopened as soon as the server closes one."""

    def __init__(self, port: int, count: int) -> None:
        self.port = port
        self.count = count
        self.sockets: list[socket.socket] = []
        self.reopened = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._keep, name="idle-keeper", daemon=True)

    def _open(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)

    def __enter__(self) -> IdleConnections:
        self.sockets = [self._open() for _ in range(self.count)]
        self._thread.start()
        time.sleep(1.0)  # let the workers accept them
        return self

    def _keep(self) -> None:
        while not self._stop.is_set():
            readable, _, _ = select.select(self.sockets, [], [], 0.2)
            for sock in readable:
                try:
                    closed = sock.recv(1) == b""
                except OSError:
                    closed = True
                if closed:
                    sock.close()
                    index = self.sockets.index(sock)
                    try:
                        self.sockets[index] = self._open()
                    except OSError:
                        continue
                    self.reopened += 1

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        for sock in self.sockets:
            sock.close()


@dataclass
class Round:
    ms: dict[str, list[float]] = field(default_factory=dict)
    timeouts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def traffic(service: Service, document_id: str, *, seconds: float, clients: int, timeout: float) -> Round:
    """Calls from ``clients`` threads at once, each starting calls for ``seconds`` seconds."""
    calls = [
        ("GET /api/v1/documents/{id}", "GET", f"/api/v1/documents/{document_id}", None),
        ("POST /api/v1/scores", "POST", "/api/v1/scores", SCORES),
    ]
    result = Round(ms={name: [] for name, *_ in calls}, timeouts={name: 0 for name, *_ in calls})
    lock = threading.Lock()
    started = time.monotonic()

    def client(index: int) -> None:
        i = index
        while time.monotonic() - started < seconds:
            name, method, path, body = calls[i % len(calls)]
            i += 1
            t0 = time.perf_counter()
            try:
                answer = request(service, method, path, body=body, timeout=timeout)
            except TimeoutError:
                with lock:
                    result.timeouts[name] += 1
                    result.ms[name].append(timeout * 1000)
                continue
            except OSError as error:
                with lock:
                    result.errors.append(f"{name}: {type(error).__name__} {error}")
                continue
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                result.ms[name].append(elapsed)
                if answer.status != 200:
                    result.errors.append(f"{name}: HTTP {answer.status} {answer.body[:200]!r}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    return result


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _fmt(value: float, timeout: float) -> str:
    return f">= {value:.0f}" if value >= timeout * 1000 else f"{value:.1f}"


def create_document(service: Service) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=60)
    try:
        connection.request(
            "POST",
            "/api/v1/documents",
            body=DOCUMENT,
            headers={
                "Authorization": f"Bearer {service.key}",
                "Content-Type": "application/json",
                "Idempotency-Key": "bench-idle-1",
            },
        )
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    if response.status != 202:
        raise RuntimeError(f"POST /api/v1/documents: HTTP {response.status} {data[:300]!r}")
    document_id: str = json.loads(data)["id"]
    deadline = time.monotonic() + 300
    while True:
        status = json.loads(request(service, "GET", f"/api/v1/documents/{document_id}").body)["status"]
        if status != "rendering":
            if status != "awaiting_signature":
                raise RuntimeError(f"document {document_id} is {status}")
            return document_id
        if time.monotonic() > deadline:
            raise RuntimeError("document still rendering after 300 s")
        time.sleep(0.5)


def report(rows: list[tuple[str, int, str, Round]], names: list[str], *, idle: int, timeout: float) -> None:
    header = (
        f"{'config':<14} {'idle':>4}  {'endpoint':<28} {'n':>4} {'p50 ms':>9} {'p95 ms':>9} "
        f"{'max ms':>9} {'no answer':>9} {'reopened':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, held, reopened, result in rows:
        for endpoint, values in result.ms.items():
            print(
                f"{name:<14} {held:>4}  {endpoint:<28} {len(values):>4} "
                f"{_fmt(_pct(values, 0.5), timeout):>9} {_fmt(_pct(values, 0.95), timeout):>9} "
                f"{_fmt(max(values, default=float('nan')), timeout):>9} "
                f"{result.timeouts[endpoint]:>9} {reopened if held else '-':>8}"
            )
        for error in result.errors[:3]:
            print(f"    error: {error}")
    print()
    for name in names:
        floor = next(r for n, i, _, r in rows if n == name and i == 0)
        loaded = next(r for n, i, _, r in rows if n == name and i == idle)
        parts = []
        for endpoint in floor.ms:
            without = _pct(floor.ms[endpoint], 0.95)
            with_idle = _pct(loaded.ms[endpoint], 0.95)
            parts.append(
                f"{endpoint}: {_fmt(with_idle, timeout)} ms with, {_fmt(without, timeout)} ms without"
            )
        print(f"{name}: p95 with and without {idle} idle connections: " + "; ".join(parts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--idle", type=int, default=200, help="idle connections held open")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds of traffic per round")
    parser.add_argument("--clients", type=int, default=4, help="API clients at once")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a call may wait")
    parser.add_argument("--no-old", action="store_true", help="skip the stock gthread and old sync rounds")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="skp-bench-idle-"))
    service = Service(work)
    threads = os.environ.get("SKP_THREADS", "8")
    print(f"load average before: {_loadavg()}  (2 cores; other work on the machine skews every figure)")
    print(
        f"gunicorn -c python:service.gunicorn_conf --workers 2, SKP_THREADS={threads}; "
        f"{args.clients} clients for {args.seconds:.0f} s per round, a fresh connection per call, "
        f"timeout {args.timeout:.0f} s\n"
    )
    rows: list[tuple[str, int, str, Round]] = []
    document_id = ""
    names = ["current"] if args.no_old else list(CONFIGS)
    try:
        for name in names:
            service.start(CONFIGS[name])
            try:
                if not document_id:
                    document_id = create_document(service)
                for idle in (0, args.idle):
                    if idle:
                        with IdleConnections(service.port, idle) as held:
                            result = traffic(
                                service,
                                document_id,
                                seconds=args.seconds,
                                clients=args.clients,
                                timeout=args.timeout,
                            )
                        reopened = held.reopened
                    else:
                        result = traffic(
                            service,
                            document_id,
                            seconds=args.seconds,
                            clients=args.clients,
                            timeout=args.timeout,
                        )
                        reopened = 0
                    rows.append((name, idle, f"{reopened}", result))
                    print(f"  {name}, {idle} idle: {result.seconds:.1f} s", file=sys.stderr)
            finally:
                service.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    report(rows, names, idle=args.idle, timeout=args.timeout)
    print(f"\nload average after: {_loadavg()}")


if __name__ == "__main__":
    main()
