"""Batch intake under gunicorn: 1,000 payloads in one POST against the bare warm conversion floor.

    .venv/bin/python bench/batch.py [--items 1000] [--invalid 0.10] [--warm-up 100]

The service runs as ``scripts/serve`` runs it (``gunicorn -c python:service.gunicorn_conf --workers 2``,
a fresh instance folder, SQLite, the defaults: ``CONVERTER_PROCESSES=2``, ``BATCH_IN_FLIGHT`` = one per
converter process). The batch mixes every type × regime (the ``examples/`` payloads in turn, each item
its own pegawai NIP and Idempotency-Key); ``--invalid`` of the items are broken on purpose, in ten
different ways, each of which must come back as that item's problem naming the field.

Printed, side by side:
* time to the 202 (every item validated and stored, nothing rendered);
* time until every valid document is ``awaiting_signature`` (the batch's ``completed_at``);
* documents/s of the batch against **the floor**: the very same DOCX files (a sample fetched from
  ``/docx``) converted by 2 bare warm unoserver processes from 2 threads, in the same run;
* a single document posted while the batch renders: its time to ``awaiting_signature``, against the
  same document posted to the idle service (a batch never starves single documents);
* the peak RSS (VmHWM) of each gunicorn worker and of the LibreOffice processes, after a warm-up
  batch of ``--warm-up`` items and after the big one (memory flat in the batch size).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from convert import EXAMPLES, BareServers, Gunicorn, Http, _bare_workers, parallel

#: Ten ways to break a payload, each with the field its problem must name.
BREAKAGES: list[tuple[str, str, Callable[[dict[str, Any]], None]]] = [
    ("pegawai.nama missing", "pegawai.nama", lambda p: p["pegawai"].pop("nama")),
    ("unknown field", "catatan_lain", lambda p: p.update(catatan_lain="x")),
    ("unknown regime", "regime", lambda p: p.update(regime="pp_99_2099")),
    ("unknown type", "type", lambda p: p.update(type="surat")),
    ("NIP of 17 digits", "pegawai.nip", lambda p: p["pegawai"].update(nip="19800101200501100")),
    ("periode the wrong way round", "periode.selesai", lambda p: p["periode"].update(selesai="2000-01-01")),
    ("instansi empty", "instansi", lambda p: p.update(instansi="")),
    ("callback_url in clear text", "callback_url", lambda p: p.update(callback_url="http://hr.example/hook")),
    ("pejabat_penilai not an object", "pejabat_penilai", lambda p: p.update(pejabat_penilai="Kepala Dinas")),
    ("pegawai.email not an address", "pegawai.email", lambda p: p["pegawai"].update(email="bukan-email")),
]


def _payloads() -> list[dict[str, Any]]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in EXAMPLES]


def batch_items(
    count: int, invalid: float, tag: str
) -> tuple[list[dict[str, Any]], dict[int, tuple[str, str]]]:
    """``count`` items, every ``1 / invalid``-th broken; the broken ones by index: (how, field)."""
    examples = _payloads()
    every = round(1 / invalid) if invalid else 0
    items, broken = [], {}
    for index in range(count):
        payload = copy.deepcopy(examples[index % len(examples)])
        # Each item its own pegawai: the example's NIP (or NI PPPK) with a sequence number from the index.
        payload["pegawai"]["nip"] = payload["pegawai"]["nip"][:15] + f"{index % 999 + 1:03d}"  # never 000
        if every and index % every == every - 1:
            how, field, breaking = BREAKAGES[len(broken) % len(BREAKAGES)]
            breaking(payload)
            broken[index] = (how, field)
        items.append({"idempotency_key": f"{tag}-{index}", "payload": payload})
    return items, broken


def _peak_rss(roots: Sequence[int]) -> dict[str, float]:
    """VmHWM (MiB) of the gunicorn workers (children of the master) and of their LibreOffice."""
    children: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        names[int(entry.name)] = stat.split("(", 1)[1].rsplit(")", 1)[0]
        children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
    peaks: dict[str, float] = {}

    def hwm(pid: int) -> float:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    for master in roots:
        for worker in children.get(master, []):
            peaks[f"worker {worker}"] = hwm(worker)
            todo = list(children.get(worker, []))
            office = 0.0
            while todo:
                pid = todo.pop()
                todo.extend(children.get(pid, []))
                if "soffice" in names.get(pid, ""):
                    office = max(office, hwm(pid))
            if office:
                peaks[f"  LibreOffice of {worker}"] = office
    return peaks


def _wait_batch(client: Http, batch_id: str, timeout: float = 3600) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        shown: dict[str, Any] = client.json(f"/api/v1/batches/{batch_id}")
        if shown["status"] == "completed":
            return shown
        if time.monotonic() > deadline:
            raise RuntimeError(f"batch not completed after {timeout} s: {shown['counts']}")
        time.sleep(0.5)


def _ready_at(client: Http, document_id: str) -> float:
    events = client.json(f"/api/v1/documents/{document_id}/audit")["items"]
    return datetime.fromisoformat([e["at"] for e in events if e["event"] == "sealed"][-1]).timestamp()


def _single(client: Http, key: str) -> tuple[str, float]:
    """POST one document; its id and the wall-clock moment of the POST."""
    payload = _payloads()[0]
    payload["pegawai"]["nip"] = payload["pegawai"]["nip"][:15] + "999"
    posted = time.time()
    status, data = client.request(
        "POST",
        "/api/v1/documents",
        body=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Idempotency-Key": key},
    )
    if status != 202:
        raise RuntimeError(f"single POST: HTTP {status}: {data[:300]!r}")
    return json.loads(data)["id"], posted


def _wait_ready(client: Http, document_id: str) -> float:
    for _ in range(3000):
        if client.json(f"/api/v1/documents/{document_id}")["status"] != "rendering":
            return _ready_at(client, document_id)
        time.sleep(0.1)
    raise RuntimeError(f"{document_id} still rendering")


def _post_batch(client: Http, items: list[dict[str, Any]]) -> tuple[dict[str, Any], float, int]:
    """POST the batch; its answer, the seconds to the 202 and the body size."""
    body = json.dumps({"items": items}).encode()
    started = time.time()
    status, data = client.request(
        "POST", "/api/v1/batches", body=body, headers={"Content-Type": "application/json"}
    )
    answered = time.time() - started
    if status != 202:
        raise RuntimeError(f"batch: HTTP {status}: {data[:500]!r}")
    return json.loads(data), answered, len(body)


def measure(service: Gunicorn, bare: BareServers, client: Http, args: argparse.Namespace) -> dict[str, Any]:
    """The warm-up batch, the idle single document, the big batch with a single one during it, the floor."""
    roots = [service.process.pid] if service.process else []
    warm, _, _ = _post_batch(client, batch_items(args.warm_up, args.invalid, "warm")[0])
    _wait_batch(client, warm["id"])
    rss_warm = _peak_rss(roots)
    single_id, posted = _single(client, "idle-single")
    idle_single = _wait_ready(client, single_id) - posted

    items, broken = batch_items(args.items, args.invalid, "big")
    started = time.time()
    intake, answered, size = _post_batch(client, items)
    time.sleep(args.single_after)
    single_id, single_posted = _single(client, "busy-single")
    busy_single = _wait_ready(client, single_id) - single_posted
    shown = _wait_batch(client, intake["id"])
    done = datetime.fromisoformat(shown["completed_at"]).timestamp() - started
    rss_big = _peak_rss(roots)

    valid = [i for i in shown["items"] if i["id"]]
    docx = [client.get(f"/api/v1/documents/{i['id']}/docx") for i in valid[: args.floor_documents]]
    parallel(docx[:2], _bare_workers(bare))  # warm-up of the floor
    floor_s = parallel(docx, _bare_workers(bare))
    problems = {i["index"]: i["problem"] for i in shown["items"] if i["problem"]}
    return {
        "answered_s": answered,
        "body_mib": size / 2**20,
        "done_s": done,
        "counts": shown["counts"],
        "batch_docs_per_s": len(valid) / done,
        "floor_docs_per_s": len(docx) / floor_s,
        "floor_documents": len(docx),
        "single_busy_s": busy_single,
        "single_idle_s": idle_single,
        "rss_warm": rss_warm,
        "rss_big": rss_big,
        "broken": broken,
        "problems": problems,
    }


def report(args: argparse.Namespace, f: dict[str, Any]) -> None:
    """Print the figures side by side."""
    broken, problems = f["broken"], f["problems"]
    print(
        f"batch of {args.items} payloads ({len(broken)} broken on purpose), {len(EXAMPLES)} examples in turn"
    )
    print(
        f"  202 after {f['answered_s']:.2f} s ({f['body_mib']:.1f} MiB body; every item validated and stored)"
    )
    print(f"  every valid one awaiting_signature after {f['done_s']:.1f} s: counts {f['counts']}")
    rate, floor = f["batch_docs_per_s"], f["floor_docs_per_s"]
    print(
        f"  batch {rate:.2f} docs/s | floor (bare warm unoserver x2, {f['floor_documents']} of the same DOCX)"
        f" {floor:.2f} docs/s | ratio {rate / floor:.2f}"
    )
    print(
        f"  a single document posted {args.single_after:.0f} s into the batch: awaiting_signature after "
        f"{f['single_busy_s']:.2f} s (the same on the idle, warm service: {f['single_idle_s']:.2f} s)"
    )
    print(f"  peak RSS (VmHWM, MiB)          after {args.warm_up}   after {args.items}")
    for name, peak in f["rss_big"].items():
        print(f"    {name:<28} {f['rss_warm'].get(name, 0):8.0f} {peak:10.0f}")
    named = all(
        any(e["field"] == field for e in (problems.get(index) or {}).get("errors", []))
        for index, (_how, field) in broken.items()
    )
    print(f"  refused items: {len(problems)} (broken: {len(broken)}); each named with its field: {named}")
    for index, (how, _field) in sorted(broken.items())[: len(BREAKAGES)]:
        problem = problems.get(index) or {}
        messages = [f"{e['field']}: {e['message']}" for e in problem.get("errors", [])]
        print(f"    item {index:4d} ({how}): {problem.get('status')} {'; '.join(messages)[:150]}")


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start the service and the floor in a scratch folder, measure, stop both."""
    with tempfile.TemporaryDirectory(prefix="skp-bench-batch-") as scratch:
        work = Path(scratch)
        service = Gunicorn(2, work)
        try:
            key = service.create_client("bench-batch")
            service.start()
            bare = BareServers(2, work)
            try:
                service.wait_ready()
                figures = measure(service, bare, Http(service.port, key), args)
            finally:
                bare.close()
        except BaseException:
            print(f"gunicorn log (last lines):\n{service.log_tail()}", file=sys.stderr)
            raise
        finally:
            service.close()
    report(args, figures)
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--invalid", type=float, default=0.10)
    parser.add_argument("--warm-up", type=int, default=100)
    parser.add_argument("--single-after", type=float, default=5.0, help="seconds into the batch")
    parser.add_argument("--floor-documents", type=int, default=60)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    figures = run(args)
    if args.json:
        print(json.dumps({k: v for k, v in figures.items() if k not in ("broken", "problems")}))


if __name__ == "__main__":
    main()
