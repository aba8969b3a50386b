"""Scoring speed: in-process scoring of a 50-kegiatan payload, and /api/v1/scores under gunicorn.

Run: .venv/bin/python bench/scores.py [--seconds 10]
Prints figures; asserts nothing. Targets (issue 3): p50 < 5 ms in process; >= 300 req/s with
gunicorn --workers 2 on this 2-core machine, the load driven by wrk from a second process.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def fifty_kegiatan_payload() -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((ROOT / "examples/pp46_2011_evaluasi.json").read_text())
    kegiatan = payload["skp"]["kegiatan"]
    rows = []
    for i in range(50):
        row = copy.deepcopy(kegiatan[i % len(kegiatan)])
        row["uraian"] = f"{row['uraian']} ({i + 1})"
        rows.append(row)
    payload["skp"]["kegiatan"] = rows
    return payload


def in_process(payload: dict[str, Any], runs: int) -> list[float]:
    from service.jsonio import parse_json
    from service.schemas import DocumentPayloadSchema
    from service.scoring import score_payload

    schema = DocumentPayloadSchema()
    body = json.dumps(payload).encode()
    loaded = schema.load(parse_json(body))
    score_only, with_schema = [], []
    for _ in range(runs):
        start = time.perf_counter()
        score_payload(loaded)
        score_only.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        score_payload(schema.load(parse_json(body)))
        with_schema.append((time.perf_counter() - start) * 1000)
    return _report("score_payload (validated payload)", score_only) + _report(
        "parse + validate + score", with_schema
    )


def _report(label: str, samples: list[float]) -> list[float]:
    samples = sorted(samples)
    p50 = statistics.median(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"  {label:36s} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   n={len(samples)}")
    return [p50]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def over_http(payload: dict[str, Any], seconds: int) -> None:
    if shutil.which("wrk") is None:
        print("  wrk is not installed (apt-get install wrk); skipping the HTTP figure")
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SKP_INSTANCE_PATH": tmp, "FLASK_APP": "service"}
        flask = str(VENV_BIN / "flask")
        subprocess.run([flask, "skp", "init"], env=env, check=True, capture_output=True)
        out = subprocess.run(
            [flask, "skp", "clients", "create", "bench"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        key = out.strip().splitlines()[-1]
        port = _free_port()
        server = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "service:create_app()",
            ],
            env=env,
            cwd=ROOT,
        )
        try:
            _wait_for(port)
            body_file = Path(tmp) / "post.lua"
            body_file.write_text(
                'wrk.method = "POST"\n'
                f"wrk.body = {json.dumps(json.dumps(payload))}\n"
                'wrk.headers["Content-Type"] = "application/json"\n'
                f'wrk.headers["Authorization"] = "Bearer {key}"\n'
                "done = function(summary, latency, requests)\n"
                '  io.write(string.format("non2xx=%d\\n", summary.errors.status))\nend\n'
            )
            url = f"http://127.0.0.1:{port}/api/v1/scores"
            subprocess.run(
                ["wrk", "-t1", "-c4", "-d2s", "-s", str(body_file), url], check=True, capture_output=True
            )  # warm-up
            result = subprocess.run(
                ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-s", str(body_file), url],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            for line in result.splitlines():
                if any(k in line for k in ("Requests/sec", "50%", "99%", "non2xx", "requests in")):
                    print("  " + line.strip())
        finally:
            server.terminate()
            server.wait(10)


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    payload = fifty_kegiatan_payload()
    print(f"In-process scoring, pp46_2011 evaluasi with {len(payload['skp']['kegiatan'])} kegiatan:")
    in_process(payload, args.runs)
    example = json.loads((ROOT / "examples/pp46_2011_evaluasi.json").read_text())
    for label, body in (
        (f"the example payload ({len(example['skp']['kegiatan'])} kegiatan)", example),
        ("the 50-kegiatan payload", payload),
    ):
        print(
            f"HTTP: POST /api/v1/scores with {label}, gunicorn --workers 2, wrk -t2 -c8 for {args.seconds} s:"
        )
        over_http(body, args.seconds)


if __name__ == "__main__":
    main()
