"""Archive search speed over 100,000 documents, on SQLite and on PostgreSQL.

Run: .venv/bin/python bench/archive.py [--count 100000] [--runs 300] [--postgres URL | --no-postgres]
Prints p50/p95 per query kind and each query's plan; asserts nothing. Target (issue 6): p95 < 50 ms
for a search by NIP and by unit kerja + periode, first page and the page after it (keyset cursor).

The rows are what the pipeline leaves in ``documents`` (the search reads no other table), inserted
in bulk with a realistic spread: ~25,000 pegawai with 18-digit NIPs (birth date, appointment month,
sex, sequence), 1 to 8 documents each over 2019-2025, ~320 unit kerja of very unequal size
(a few large dinas, many small bagian), mostly completed.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from service.db import make_engine, upgrade_schema  # noqa: E402
from service.models import ApiClient, Document  # noqa: E402
from service.workflow.archive import ArchiveQuery, build_query, search  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TYPES = (("skp", 45), ("evaluasi", 30), ("dokumen_penilaian", 20), ("manual_iku", 5))
STATUSES = (("completed", 85), ("awaiting_signature", 8), ("rejected", 4), ("cancelled", 2), ("failed", 1))
NAMES = (
    "Siti",
    "Budi",
    "Agus",
    "Dewi",
    "Ni Made",
    "I Wayan",
    "Yohanes",
    "Nur",
    "Rina",
    "Andi",
    "Putu",
    "Fransiska",
    "Muhammad",
    "Sri",
    "Hendra",
    "Maria",
    "Ahmad",
    "Lestari",
    "Bambang",
    "Yuliana",
)
SURNAMES = (
    "Aminah",
    "Santoso",
    "Wulandari",
    "Saputra",
    "Hidayat",
    "Simanjuntak",
    "Tefa",
    "Lubis",
    "Pratama",
    "Kusuma",
    "Siregar",
    "Rahmawati",
    "Nugroho",
    "Manurung",
    "Sari",
    "Wijaya",
)
REGIMES = {2019: "pp46_2011", 2020: "pp46_2011", 2021: "permenpanrb_8_2021", 2022: "permenpanrb_8_2021"}


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def make_units(rng: random.Random) -> list[tuple[str, float]]:
    """~320 unit kerja with sizes following a Zipf-like curve (weight 1/rank)."""
    kinds = ("Dinas", "Badan", "Biro", "Bagian", "Kantor", "UPT", "Inspektorat", "Sekretariat")
    fields = (
        "Pendidikan",
        "Kesehatan",
        "Keuangan",
        "Umum",
        "Kepegawaian",
        "Perencanaan",
        "Pekerjaan Umum",
        "Sosial",
        "Perhubungan",
        "Pertanian",
        "Kelautan",
        "Pariwisata",
        "Hukum",
        "Organisasi",
        "Lingkungan Hidup",
        "Kependudukan",
        "Perindustrian",
        "Perdagangan",
        "Koperasi",
        "Arsip",
    )
    regions = (
        "Provinsi",
        "Kota Kupang",
        "Kab. Badung",
        "Kab. Sleman",
        "Kota Medan",
        "Kab. Bogor",
        "Kota Makassar",
        "Kab. Jayapura",
    )
    names = sorted({f"{k} {f} {r}" for k in kinds for f in fields for r in regions})
    rng.shuffle(names)
    return [(name, 1.0 / (rank + 1)) for rank, name in enumerate(names[:320])]


def make_nip(rng: random.Random, seq: int) -> str:
    born = datetime(1962, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(0, 38 * 365))
    appointed_year = min(born.year + rng.randint(21, 35), 2024)
    return f"{born:%Y%m%d}{appointed_year}{rng.randint(1, 12):02d}{rng.choice('12')}{seq % 1000:03d}"


def make_rows(count: int, client_id: int, seed: int = 6) -> Iterator[dict[str, Any]]:
    """``count`` document rows; the same seed gives the same rows on both databases."""
    rng = random.Random(seed)
    units = make_units(rng)
    unit_names = [u for u, _ in units]
    unit_weights = [w for _, w in units]
    produced = 0
    seq = 0
    while produced < count:
        seq += 1
        nip = make_nip(rng, seq)
        nama = f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}"
        unit = rng.choices(unit_names, weights=unit_weights)[0]
        for _ in range(rng.randint(1, 8)):
            if produced >= count:
                break
            if rng.random() < 0.05:  # a transfer to another unit
                unit = rng.choices(unit_names, weights=unit_weights)[0]
            periode = rng.randint(2019, 2025)
            at = datetime(periode + 1, 1, 2, tzinfo=UTC) + timedelta(seconds=rng.randrange(0, 300 * 86400))
            doc_id = f"doc_{secrets.token_hex(10)}"
            produced += 1
            yield {
                "id": doc_id,
                "client_id": client_id,
                "idempotency_key": doc_id,
                "request_hash": "0" * 64,
                "type": _weighted(rng, TYPES),
                "regime": REGIMES.get(periode, "permenpanrb_6_2022"),
                "status": _weighted(rng, STATUSES),
                # About the size of a real payload's text, so the table is not unrealistically dense.
                "payload_json": '{"instansi": "Pemerintah Provinsi", "catatan": "' + "x" * 600 + '"}',
                "hasil_json": '{"predikat": "baik", "predikat_label": "Baik"}',
                "verification_code": secrets.token_hex(8),
                "pegawai_nip": nip,
                "pegawai_nama": nama,
                "unit_kerja": unit,
                "periode_tahun": periode,
                "current_revision": 4,
                "created_at": at,
                "updated_at": at,
            }


def fill(engine: Engine, count: int) -> tuple[list[str], list[tuple[str, int]], float]:
    """Insert ``count`` documents in bulk; returns sample NIPs, sample (unit, periode) and seconds.

    The first (unit, periode) is the largest one, for the query plan.
    """
    started = time.perf_counter()
    nips: list[str] = []
    pairs: list[tuple[str, int]] = []
    with Session(engine) as session:
        client = ApiClient(
            name="bench",
            key_prefix=secrets.token_hex(6),
            key_hash="0" * 64,
            scopes="documents:read",
            webhook_secret="0" * 64,
        )
        session.add(client)
        session.commit()
        batch: list[dict[str, Any]] = []
        for row in make_rows(count, client.id):
            batch.append(row)
            nips.append(row["pegawai_nip"])
            pairs.append((row["unit_kerja"], row["periode_tahun"]))
            if len(batch) == 5000:
                session.execute(insert(Document), batch)
                batch = []
        if batch:
            session.execute(insert(Document), batch)
        session.commit()
    with engine.begin() as conn:
        conn.execute(text("ANALYZE" if engine.dialect.name == "sqlite" else "ANALYZE documents"))
    # Sampled per document, so a large unit is searched as often as it holds documents.
    rng = random.Random(7)
    largest = Counter(pairs).most_common(1)[0][0]
    return rng.sample(nips, 500), [largest, *rng.sample(pairs, 499)], time.perf_counter() - started


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return statistics.median(ordered), p95, ordered[-1]


def timed(engine: Engine, queries: list[ArchiveQuery], runs: int) -> tuple[list[float], int]:
    """Each query through :func:`service.workflow.archive.search` in a fresh session, timed."""
    times: list[float] = []
    found = 0
    for i in range(runs):
        query = queries[i % len(queries)]
        with Session(engine) as session:
            started = time.perf_counter()
            page = search(session, query)
            times.append((time.perf_counter() - started) * 1000)
            found += len(page.items)
    return times, found


def second_pages(engine: Engine, queries: list[ArchiveQuery]) -> list[ArchiveQuery]:
    """The same queries at their second page (only those with one), with the cursor search gave."""
    out = []
    with Session(engine) as session:
        for query in queries:
            page = search(session, query)
            if page.next_cursor:
                out.append(ArchiveQuery(**{**query.__dict__, "cursor": page.next_cursor}))
    return out


def plan(engine: Engine, query: ArchiveQuery) -> list[str]:
    stmt = build_query(query).limit(query.limit + 1)
    prefix = "EXPLAIN QUERY PLAN" if engine.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, COSTS OFF)"
    with engine.connect() as conn:
        compiled = stmt.compile(conn)
        sql = f"{prefix} {compiled}"
        params: Any = compiled.params
        if engine.dialect.name == "sqlite":
            processors = compiled._bind_processors
            params = tuple(
                processors[k](compiled.params[k]) if k in processors else compiled.params[k]
                for k in compiled.positiontup or ()
            )
        rows = conn.exec_driver_sql(sql, params).fetchall()
    return [str(row[-1]) for row in rows]


def run(label: str, engine: Engine, count: int, runs: int) -> bool:
    upgrade_schema(engine)
    nips, pairs, seconds = fill(engine, count)
    print(f"\n== {label}: {count:,} documents inserted in {seconds:.1f} s")
    by_nip = [ArchiveQuery(nip=nip) for nip in nips]
    by_unit = [ArchiveQuery(unit_kerja=unit, periode=periode) for unit, periode in pairs]
    kinds: list[tuple[str, list[ArchiveQuery]]] = [
        ("nip", by_nip),
        ("unit_kerja+periode", by_unit),
        ("unit_kerja+periode, page 2", second_pages(engine, by_unit)),
        (
            "unit_kerja+periode+status",
            [ArchiveQuery(unit_kerja=u, periode=p, status="completed") for u, p in pairs],
        ),
    ]
    ok = True
    print(f"{'query':<30} {'runs':>5} {'rows/q':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, queries in kinds:
        if not queries:
            continue
        timed(engine, queries[:20], 20)  # warm the caches and the connection pool
        times, found = timed(engine, queries, runs)
        p50, p95, worst = percentiles(times)
        mark = "" if p95 < 50 else "  <-- over the 50 ms target"
        ok = ok and (p95 < 50 or "status" in name)
        print(f"{name:<30} {runs:>5} {found / runs:>7.1f} {p50:>8.2f} {p95:>8.2f} {worst:>8.2f}{mark}")
    plans = [("nip", by_nip[0]), ("unit_kerja+periode (the largest)", by_unit[0])]
    plans += [("unit_kerja+periode, page 2 (the largest)", q) for q in second_pages(engine, by_unit[:1])]
    for name, query in plans:
        print(f"\nplan, {name}:")
        for line in plan(engine, query):
            print(f"  {line}")
    return ok


@contextmanager
def sqlite_engine(path: str | None) -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{path or Path(tmp) / 'archive.sqlite3'}")
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def postgres_engine(base: str) -> Iterator[Engine]:
    """A throw-away schema on ``base``; dropped afterwards whatever happens."""
    schema = f"bench_{secrets.token_hex(5)}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--sqlite-path", help="keep the SQLite database here (default: a temp dir)")
    parser.add_argument("--postgres", default=DEFAULT_PG, help=f"base URL (default {DEFAULT_PG})")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    backends: list[tuple[str, Callable[[], Any]]] = [("SQLite", lambda: sqlite_engine(args.sqlite_path))]
    if not args.no_postgres:
        backends.append(("PostgreSQL", lambda: postgres_engine(args.postgres)))
    results = []
    for label, make in backends:
        with make() as engine:
            results.append(run(label, engine, args.count, args.runs))
    print("\ntarget p95 < 50 ms (nip, unit_kerja+periode):", "met" if all(results) else "NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
