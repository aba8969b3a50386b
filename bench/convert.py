"""Conversion throughput: cold soffice vs bare warm unoserver vs the service's LibreOfficeConverter.

    .venv/bin/python bench/convert.py [--processes 2] [--repeat 3]

The same 20 documents (the forms filled from ``examples/``) go through:

1. **cold**: one ``soffice --headless --convert-to pdf`` per document, sequentially, with its own
   profile directory (never on the service's request path; shown for scale);
2. **bare warm**: N unoserver processes started by hand, driven directly with ``UnoClient`` from N
   threads (the floor the pool can reach);
3. **pool**: ``LibreOfficeConverter(processes=N)`` driven from N threads.

Every path produces PDF/A-2b. Each warm path converts one document per process first (warm-up, not
timed). Prints documents/s per path (median of ``--repeat`` runs) and the ratios against the targets
(pool ≥ 8× cold, pool ≥ 90 % of bare warm).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.documents.converter import (  # noqa: E402
    PDFA_FILTER_OPTIONS,
    SYSTEM_PYTHON,
    LibreOfficeConverter,
    unoserver_site_packages,
)
from service.documents.render import TEMPLATE_NAMES, render_document  # noqa: E402

DOCUMENTS = 20
COLD_FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'


def documents() -> list[bytes]:
    """20 filled forms: every template once, then again from the start."""
    sys.path.insert(0, str(ROOT))
    from tests.unit.documents.support import FORM_EXAMPLES, PACKAGED, load

    rendered = [
        render_document(*load(FORM_EXAMPLES[name]()), packaged_dir=PACKAGED) for name in TEMPLATE_NAMES
    ]
    return [rendered[i % len(rendered)] for i in range(DOCUMENTS)]


def cold(docs: Sequence[bytes], work: Path) -> float:
    """Seconds for one cold soffice per document (own profile, sequential)."""
    soffice = shutil.which("soffice") or "/usr/bin/soffice"
    profile = (work / "cold-profile").resolve().as_uri()
    started = time.perf_counter()
    for index, docx in enumerate(docs):
        source = work / f"cold-{index}.docx"
        source.write_bytes(docx)
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                COLD_FILTER,
                "--outdir",
                str(work / "cold-out"),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        if not (work / "cold-out" / f"cold-{index}.pdf").is_file():
            raise RuntimeError("cold soffice produced no PDF")
    return time.perf_counter() - started


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class BareServers:
    """N unoserver processes exactly as one would start them by hand (own profile and ports)."""

    def __init__(self, count: int, work: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        env["PYTHONPATH"] = str(unoserver_site_packages())
        self.ports = []
        self.processes = []
        for index in range(count):
            port, uno_port = _port(), _port()
            profile = work / f"bare-profile-{index}"
            self.processes.append(
                subprocess.Popen(
                    [
                        SYSTEM_PYTHON,
                        "-m",
                        "unoserver.server",
                        "--port",
                        str(port),
                        "--uno-port",
                        str(uno_port),
                        "--user-installation",
                        str(profile),
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
            self.ports.append(port)
        for port in self.ports:
            deadline = time.monotonic() + 90
            while True:
                try:
                    with xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}") as proxy:
                        proxy.info()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)

    def convert(self, port: int, docx: bytes) -> bytes:
        from unoserver.client import UnoClient

        pdf: bytes = UnoClient(port=str(port)).convert(
            indata=docx,
            convert_to="pdf",
            filtername="writer_pdf_Export",
            filter_options=list(PDFA_FILTER_OPTIONS),
            update_index=False,
        )
        return pdf

    def close(self) -> None:
        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def parallel(docs: Sequence[bytes], workers: Sequence[Callable[[bytes], bytes]]) -> float:
    """Seconds for ``docs`` shared out over one thread per worker (each takes the next document)."""
    pending: queue.Queue[bytes] = queue.Queue()
    for docx in docs:
        pending.put(docx)
    errors: list[BaseException] = []

    def drain(convert: Callable[[bytes], bytes]) -> None:
        while True:
            try:
                docx = pending.get_nowait()
            except queue.Empty:
                return
            try:
                if not convert(docx).startswith(b"%PDF"):
                    raise RuntimeError("not a PDF")
            except BaseException as error:  # reported after the run
                errors.append(error)
                return

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"conversion failed: {errors[0]!r}")
    return elapsed


def _percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def api_latency(pool: LibreOfficeConverter, bare: BareServers, work: Path, runs: int) -> dict[str, float]:
    """Payload → ``awaiting_signature`` through ``POST /api/v1/documents`` (validate, score, store,
    render, convert, fields, seal; WSGI in process, the in-process job runner) against render + bare
    warm conversion of the same payload, one document at a time."""
    from service import create_app
    from service.clients import SCOPES, create_client
    from service.db import get_session, upgrade_schema
    from service.jsonio import parse_json
    from service.schemas import DocumentPayloadSchema
    from service.scoring import score_payload
    from signing import create_dev_pki

    secret = "bench-key-encryption-secret-0123456789abcdef"
    create_dev_pki(work / "pki", organisation="Bench", key_passphrase=secret.encode())
    app = create_app(
        {
            "SECRET_KEY": "s" * 40,
            "KEY_ENCRYPTION_SECRET": secret,
            "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
            "FILES_DIR": str(work / "files"),
            "PKI_DIR": str(work / "pki"),
            "CONVERTER": pool,
        }
    )
    upgrade_schema(app.extensions["skp.engine"])
    with app.app_context():
        key = create_client(get_session(), "bench", SCOPES).api_key
    client = app.test_client()
    runner = app.extensions["skp"].runner
    payload_text = (ROOT / "examples/permenpanrb_8_2021_dokumen_penilaian.json").read_text()
    from datetime import UTC, datetime

    from service.models import Revision

    api, rendered, floor = [], [], []
    for i in range(runs + 1):  # the first of each is warm-up
        started = datetime.now(UTC)
        t0 = time.perf_counter()
        created = client.post(
            "/api/v1/documents",
            data=payload_text,
            headers={
                "Authorization": f"Bearer {key}",
                "Content-Type": "application/json",
                "Idempotency-Key": f"bench-{i}",
            },
        )
        runner.wait_idle(120)
        status = client.get(
            f"/api/v1/documents/{created.json['id']}", headers={"Authorization": f"Bearer {key}"}
        ).json["status"]
        elapsed = (time.perf_counter() - t0) * 1000
        if status != "awaiting_signature":
            raise SystemExit(f"document ended {status}")
        t0 = time.perf_counter()
        loaded = DocumentPayloadSchema().load(parse_json(payload_text.encode()))
        docx = render_document(loaded, score_payload(loaded), packaged_dir=ROOT / "form_templates")
        bare.convert(bare.ports[0], docx)
        bare_ms = (time.perf_counter() - t0) * 1000
        with app.app_context():
            revision0 = (
                get_session().query(Revision).filter_by(document_id=created.json["id"], number=0).one()
            )
        at = revision0.created_at if revision0.created_at.tzinfo else revision0.created_at.replace(tzinfo=UTC)
        if i:
            api.append(elapsed)
            rendered.append((at - started).total_seconds() * 1000)
            floor.append(bare_ms)
    runner.close()
    app.extensions["skp.engine"].dispose()
    return {
        "api_p50": statistics.median(api),
        "api_p95": _percentile(api, 0.95),
        "rendered_p50": statistics.median(rendered),
        "rendered_p95": _percentile(rendered, 0.95),
        "floor_p50": statistics.median(floor),
        "floor_p95": _percentile(floor, 0.95),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cold-repeat", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON as well")
    parser.add_argument("--latency-runs", type=int, default=20)
    args = parser.parse_args(argv)

    docs = documents()
    n = args.processes
    with tempfile.TemporaryDirectory(prefix="skp-bench-") as scratch:
        work = Path(scratch)
        cold_times = [cold(docs, work) for _ in range(args.cold_repeat)]

        # Both warm setups stay up and their runs alternate, so a noisy neighbour hits both alike.
        bare = BareServers(n, work)
        pool = LibreOfficeConverter(processes=n, work_dir=work / "pool")
        try:
            bare_workers = [lambda d, p=port: bare.convert(p, d) for port in bare.ports]
            pool_workers = [lambda d: pool.convert(d, timeout=120)] * n
            parallel(docs[:n], bare_workers)  # warm-up, one document per process
            parallel(docs[:n], pool_workers)
            bare_times, pool_times = [], []
            for _ in range(args.repeat):
                bare_times.append(parallel(docs, bare_workers))
                pool_times.append(parallel(docs, pool_workers))
            latency = api_latency(pool, bare, work, args.latency_runs)
        finally:
            pool.close()
            bare.close()

    rate = {
        "cold": len(docs) / statistics.median(cold_times),
        "bare_warm": len(docs) / statistics.median(bare_times),
        "pool": len(docs) / statistics.median(pool_times),
    }
    print(
        f"{len(docs)} documents, {n} warm processes, median of {args.repeat} runs (cold: {args.cold_repeat})"
    )
    for key, label in (
        ("cold", "cold soffice per document"),
        ("bare_warm", f"bare warm unoserver x{n}"),
        ("pool", f"LibreOfficeConverter x{n}"),
    ):
        print(f"  {label:<27}: {rate[key]:6.2f} docs/s  ({1000 / rate[key]:.0f} ms/doc)")
    vs_cold, vs_bare = rate["pool"] / rate["cold"], rate["pool"] / rate["bare_warm"]
    print(f"  pool / cold      = {vs_cold:5.2f}x   (target >= 8x)   {'ok' if vs_cold >= 8 else 'MISSED'}")
    print(f"  pool / bare warm = {vs_bare:5.1%}   (target >= 90 %) {'ok' if vs_bare >= 0.9 else 'MISSED'}")
    added = latency["rendered_p50"] / latency["floor_p50"] - 1
    print(f"payload to ready, one document at a time, n={args.latency_runs}:")
    print(
        f"  POST /api/v1/documents to revision 0 stored (render, convert, fields): "
        f"p50 {latency['rendered_p50']:.0f} ms, p95 {latency['rendered_p95']:.0f} ms"
    )
    print(
        f"  POST /api/v1/documents to awaiting_signature (… + seal, B-LT):      "
        f"p50 {latency['api_p50']:.0f} ms, p95 {latency['api_p95']:.0f} ms"
    )
    print(
        f"  render + bare warm conversion of the same payload:           "
        f"p50 {latency['floor_p50']:.0f} ms, p95 {latency['floor_p95']:.0f} ms"
    )
    print(
        f"  the service adds {added:+.0%} at p50 up to the stored render (target <= +30 %) "
        f"{'ok' if added <= 0.3 else 'MISSED'}; the seal adds "
        f"{latency['api_p50'] - latency['rendered_p50']:.0f} ms more"
    )
    if args.json:
        print(
            json.dumps(
                {"docs_per_s": rate, "pool_vs_cold": vs_cold, "pool_vs_bare": vs_bare, "latency_ms": latency}
            )
        )


if __name__ == "__main__":
    main()
