"""Archive search speed: 1,000,000 documents on PostgreSQL, 100,000 on SQLite.

Run: .venv/bin/python bench/archive.py [--count 1000000] [--sqlite-count 100000] [--runs 300]
     [--postgres URL | --no-postgres] [--no-sqlite]
Prints p50/p95/p99 per query kind beside a floor measured in the same run (a primary-key lookup
through the same session and ORM), and the plan of the representative queries; asserts nothing.
Target (issue 13): p95 < 50 ms on PostgreSQL at 1,000,000 documents for words of the pegawai's name
and the unit's name and for NIP prefixes, alone and with the filters, first page and a later page.

The rows are what the pipeline leaves in ``documents`` (the search reads no other table), with a
realistic spread: ~250,000 pegawai (per million documents) with 18-digit NIPs (birth date,
appointment month, sex, sequence), 1 to 8 documents each over 2019-2025, ~320 unit kerja and 40
instansi of very unequal size (Zipf), mostly completed. PostgreSQL is filled by COPY, its search
indexes built afterwards (as migration 0012 builds them over existing rows). Searches run as an
archivist of one of the larger instansi (the tenancy limit), and some as the operator (every instansi).
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
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from service.db import make_engine, upgrade_schema  # noqa: E402
from service.models import ApiClient, Document  # noqa: E402
from service.tenancy import Caller, Tenancy, instansi_key  # noqa: E402
from service.workflow.archive import ArchiveQuery, build_query, probe_query, search  # noqa: E402

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
INSTANSI = tuple(
    f"Pemerintah {kind} {name}"
    for kind, name in (
        ("Provinsi", "Jawa Barat"),
        ("Provinsi", "Nusa Tenggara Timur"),
        ("Kota", "Kupang"),
        ("Kabupaten", "Badung"),
        ("Kabupaten", "Sleman"),
        ("Kota", "Medan"),
        ("Kabupaten", "Bogor"),
        ("Kota", "Makassar"),
        ("Kabupaten", "Jayapura"),
        ("Provinsi", "Bali"),
    )
) + tuple(f"Pemerintah Kabupaten Uji {n}" for n in range(30))
REGIMES = {2019: "pp46_2011", 2020: "pp46_2011", 2021: "permenpanrb_8_2021", 2022: "permenpanrb_8_2021"}


#: The body of a real request; each row gets its own NIP in it (so no two compress alike).
PAYLOAD = (
    (ROOT / "examples" / "permenpanrb_8_2021_dokumen_penilaian.json")
    .read_text()
    .replace('"nip": "', '"nip": "__NIP__", "nip_contoh": "', 1)
)


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
    instansi_weights = [1.0 / (rank + 1) for rank in range(len(INSTANSI))]
    produced = 0
    seq = 0
    while produced < count:
        seq += 1
        nip = make_nip(rng, seq)
        nama = f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}"
        unit = rng.choices(unit_names, weights=unit_weights)[0]
        instansi = rng.choices(INSTANSI, weights=instansi_weights)[0]
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
                # A real request body (3.2 KB): PostgreSQL keeps it compressed out of line (TOAST),
                # as it does every production payload, so the rows are as wide as real ones.
                "payload_json": PAYLOAD.replace("__NIP__", nip),
                "hasil_json": '{"predikat": "baik", "predikat_label": "Baik"}',
                "verification_code": secrets.token_hex(8),
                "instansi": instansi,
                "instansi_key": instansi_key(instansi),
                "pegawai_nip": nip,
                "pegawai_nama": nama,
                "unit_kerja": unit,
                "periode_tahun": periode,
                "current_revision": 4,
                "created_at": at,
                "updated_at": at,
            }


COLUMNS = (
    "id",
    "client_id",
    "idempotency_key",
    "request_hash",
    "type",
    "regime",
    "status",
    "payload_json",
    "hasil_json",
    "verification_code",
    "instansi",
    "instansi_key",
    "pegawai_nip",
    "pegawai_nama",
    "unit_kerja",
    "periode_tahun",
    "current_revision",
    "created_at",
    "updated_at",
)
#: Migration 0012's indexes (and 0015's form of two): dropped for the COPY, built again over the rows.
PG_SEARCH_INDEXES = (
    ("ix_documents_search", "CREATE INDEX ix_documents_search ON documents USING gin (search_vector)"),
    (
        "ix_documents_instansi_created",
        "CREATE INDEX ix_documents_instansi_created ON documents (instansi_key, created_at, id)",
    ),
    (
        "ix_documents_instansi_periode_created",
        "CREATE INDEX ix_documents_instansi_periode_created"
        " ON documents (instansi_key, periode_tahun, created_at, id)",
    ),
    # As migration 0015 makes them: the probe also filters on type and client_id (confidential records).
    (
        "ix_documents_search_recent",
        "CREATE INDEX ix_documents_search_recent"
        " ON documents (instansi_key, created_at, id) INCLUDE (search_vector, type, client_id)",
    ),
    (
        "ix_documents_search_recent_periode",
        "CREATE INDEX ix_documents_search_recent_periode ON documents"
        " (instansi_key, periode_tahun, created_at, id) INCLUDE (search_vector, type, client_id)",
    ),
    (
        "ix_documents_periode_created",
        "CREATE INDEX ix_documents_periode_created ON documents (periode_tahun, created_at, id)",
    ),
    (
        "ix_documents_nip_prefix",
        "CREATE INDEX ix_documents_nip_prefix ON documents (pegawai_nip varchar_pattern_ops)",
    ),
)


@dataclass
class Sample:
    """What the queries are drawn from: a document's values, sampled per document (so a large unit
    is searched as often as it holds documents).
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    seen: int = 0

    def offer(self, rng: random.Random, row: dict[str, Any], size: int = 2000) -> None:
        # Reservoir sampling: every document equally likely, in one pass.
        self.seen += 1
        if len(self.rows) < size:
            self.rows.append(row)
        elif (slot := rng.randrange(self.seen)) < size:
            self.rows[slot] = row


def _client(engine: Engine) -> int:
    with Session(engine) as session:
        client = ApiClient(
            name="bench",
            scopes="documents:read",
            webhook_secret="0" * 64,
        )
        session.add(client)
        session.commit()
        return client.id


def fill(engine: Engine, count: int) -> tuple[Sample, float]:
    """Insert ``count`` documents in bulk (COPY on PostgreSQL); returns a sample and seconds."""
    started = time.perf_counter()
    client_id = _client(engine)
    sample = Sample()
    rng = random.Random(7)
    keep = ("id", "pegawai_nip", "pegawai_nama", "unit_kerja", "periode_tahun", "instansi_key", "created_at")
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for name, _create in PG_SEARCH_INDEXES:
                conn.execute(text(f"DROP INDEX {name}"))
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            rows = []
            for row in make_rows(count, client_id):
                rows.append(tuple(row[c] for c in COLUMNS))
                sample.offer(rng, {k: row[k] for k in keep})
            # In the order they were created, as a table that grew over the years holds them.
            at = COLUMNS.index("created_at")
            rows.sort(key=lambda r: r[at])
            with cursor.copy(f"COPY documents ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
            del rows
            raw.commit()
        finally:
            raw.close()
        with engine.begin() as conn:
            conn.execute(text("SET maintenance_work_mem = '512MB'"))
            for _name, create in PG_SEARCH_INDEXES:
                conn.execute(text(create))
            conn.execute(text("ANALYZE documents"))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM documents"))  # the visibility map, as a live table has it
        return sample, time.perf_counter() - started
    with Session(engine) as session:
        batch: list[dict[str, Any]] = []
        for row in make_rows(count, client_id):
            batch.append(row)
            sample.offer(rng, {k: row[k] for k in keep})
            if len(batch) == 5000:
                session.execute(insert(Document), batch)
                batch = []
        if batch:
            session.execute(insert(Document), batch)
        session.commit()
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return sample, time.perf_counter() - started


def reuse(engine: Engine) -> tuple[Sample, float]:
    """The sample of a kept schema's rows (``--keep-schema``), drawn the same way."""
    sample = Sample()
    rng = random.Random(7)
    keep = ("id", "pegawai_nip", "pegawai_nama", "unit_kerja", "periode_tahun", "instansi_key", "created_at")
    with engine.connect() as conn:
        rows = conn.execute(
            text(f"SELECT {', '.join(keep)} FROM documents TABLESAMPLE SYSTEM (1) REPEATABLE (7)")  # noqa: S608 - constant names
        )
        for row in rows.mappings():
            sample.offer(rng, dict(row))
    return sample, 0.0


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 (nearest rank)."""
    ordered = sorted(samples)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, int(len(ordered) * p + 0.5) - 1))]

    return statistics.median(ordered), rank(0.95), rank(0.99)


Query = tuple[ArchiveQuery, Caller]


def timed(engine: Engine, queries: list[Query], runs: int) -> tuple[list[float], int]:
    """Each query through :func:`service.workflow.archive.search` in a fresh session, timed."""
    times: list[float] = []
    found = 0
    for i in range(runs):
        query, caller = queries[i % len(queries)]
        with Session(engine) as session:
            started = time.perf_counter()
            page = search(session, query, caller)
            times.append((time.perf_counter() - started) * 1000)
            found += len(page.items)
    return times, found


def timed_floor(engine: Engine, ids: list[str], runs: int) -> list[float]:
    """The floor: one document by primary key, through the same session and ORM as a search."""
    times: list[float] = []
    for i in range(runs):
        with Session(engine) as session:
            started = time.perf_counter()
            session.scalars(select(Document).where(Document.id == ids[i % len(ids)])).one()
            times.append((time.perf_counter() - started) * 1000)
    return times


def later_pages(engine: Engine, queries: list[Query], page: int = 3) -> list[Query]:
    """The same queries at their ``page``-th page (only those with one), with the cursor search gave."""
    out: list[Query] = []
    with Session(engine) as session:
        for query, caller in queries:
            current = query
            for _ in range(page - 1):
                found = search(session, current, caller)
                if not found.next_cursor:
                    break
                current = replace(current, cursor=found.next_cursor)
            else:
                out.append((current, caller))
    return out


def plan(engine: Engine, query: ArchiveQuery, caller: Caller, *, probe: bool = False) -> list[str]:
    """The plan of the query :func:`search` runs (``probe``: of its PostgreSQL probe); on PostgreSQL
    the full query as ``search`` runs it after a probe that found too little (no plain index scans).
    """
    if probe:
        stmt: Any = probe_query(query, caller, query.limit + 1)
    else:
        stmt = build_query(query, caller, engine.dialect.name).limit(query.limit + 1)
    prefix = (
        "EXPLAIN QUERY PLAN" if engine.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)"
    )
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql" and not probe:
            conn.execute(text("SET enable_indexscan = off"))
        compiled = stmt.compile(conn, compile_kwargs={"render_postcompile": True})
        sql = f"{prefix} {compiled}"
        params: Any = compiled.params
        if engine.dialect.name == "sqlite":
            processors: Any = compiled._bind_processors
            params = tuple(
                processors[k](compiled.params[k]) if k in processors else compiled.params[k]
                for k in compiled.positiontup or ()
            )
        rows = conn.exec_driver_sql(sql, params).fetchall()
    return [str(row[-1]) for row in rows]


def _given(nama: str) -> str:
    """The word a person calls the pegawai by: "Siti", or "Wayan" of "I Wayan"."""
    given: str = nama.split()[-2]
    return given


#: Whether the archivists searching may open konseling records (``--konseling``): then the search
#: has no confidential filter, the floor of what that filter costs (migration 0015).
KONSELING = False


def _archivist(instansi: str) -> Caller:
    """An archivist of one instansi (the tenancy limit is always there)."""
    return Caller(actor="user:bench", tenancy=Tenancy(keys=frozenset({instansi})), konseling=KONSELING)


def query_kinds(sample: Sample) -> list[tuple[str, list[Query]]]:
    """The mix an archivist types: words and partial words, NIP prefixes, with and without filters."""
    rng = random.Random(11)
    rows = sample.rows
    # The archivist of the instansi the row belongs to: the tenancy limit is always there.
    tenant = {k: _archivist(k) for k in {r["instansi_key"] for r in rows}}
    operator = Caller.operator("bench")

    def of(row: dict[str, Any]) -> Caller:
        return tenant[row["instansi_key"]]

    def unit_word(row: dict[str, Any]) -> str:
        # The distinguishing word of a unit ("Kepegawaian", "Pekerjaan"), as a person remembers it.
        return str(row["unit_kerja"].split()[1])

    status = ("completed", "awaiting_signature", "rejected")
    kinds: list[tuple[str, list[Query]]] = [
        ("nama: a first name", [(ArchiveQuery(nama=_given(r["pegawai_nama"])), of(r)) for r in rows]),
        ("nama: both words", [(ArchiveQuery(nama=r["pegawai_nama"]), of(r)) for r in rows]),
        (
            "nama: partial word",
            [(ArchiveQuery(nama=r["pegawai_nama"].split()[-1][:4]), of(r)) for r in rows],
        ),
        ("unit: one word", [(ArchiveQuery(unit_kerja=unit_word(r)), of(r)) for r in rows]),
        ("unit: whole name", [(ArchiveQuery(unit_kerja=r["unit_kerja"]), of(r)) for r in rows]),
        (
            "unit word + periode",
            [(ArchiveQuery(unit_kerja=unit_word(r), periode=r["periode_tahun"]), of(r)) for r in rows],
        ),
        (
            "nama + periode + status",
            [
                (
                    ArchiveQuery(
                        nama=_given(r["pegawai_nama"]), periode=r["periode_tahun"], status=rng.choice(status)
                    ),
                    of(r),
                )
                for r in rows
            ],
        ),
        (
            "q: name word + unit word",
            [(ArchiveQuery(q=f"{_given(r['pegawai_nama'])} {unit_word(r)}"), of(r)) for r in rows],
        ),
        ("nip: whole", [(ArchiveQuery(nip=r["pegawai_nip"]), of(r)) for r in rows]),
        ("nip: 8 (birth date)", [(ArchiveQuery(nip=r["pegawai_nip"][:8]), of(r)) for r in rows]),
        ("nip: 4 (birth year)", [(ArchiveQuery(nip=r["pegawai_nip"][:4]), of(r)) for r in rows]),
        (
            "nip: 14 + type",
            [
                (ArchiveQuery(nip=r["pegawai_nip"][:14], type=rng.choice(("skp", "evaluasi"))), of(r))
                for r in rows
            ],
        ),
        (
            "operator: unit word + periode",
            [(ArchiveQuery(unit_kerja=unit_word(r), periode=r["periode_tahun"]), operator) for r in rows],
        ),
    ]
    return kinds


def run(label: str, engine: Engine, count: int, runs: int) -> bool:
    upgrade_schema(engine)
    with engine.connect() as conn:
        existing = conn.execute(text("SELECT count(*) FROM documents")).scalar_one()
    sample, seconds = reuse(engine) if existing else fill(engine, count)
    print(f"\n== {label}: {count:,} documents inserted and indexed in {seconds:.1f} s")
    kinds = query_kinds(sample)
    by_name = dict(kinds)
    kinds.insert(
        6, ("unit word + periode, page 3", later_pages(engine, by_name["unit word + periode"][:400]))
    )
    kinds.insert(3, ("nama: first name, page 3", later_pages(engine, by_name["nama: a first name"][:400])))
    ok = True
    header = f"{'query':<34} {'runs':>5} {'rows/q':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    print(header)
    ids = [r["id"] for r in sample.rows]
    timed_floor(engine, ids[:20], 20)
    floor = percentiles(timed_floor(engine, ids, runs))
    floor_name = "floor: primary-key lookup"
    print(f"{floor_name:<34} {runs:>5} {1.0:>7.1f} {floor[0]:>8.2f} {floor[1]:>8.2f} {floor[2]:>8.2f}")
    for name, queries in kinds:
        if not queries:
            continue
        timed(engine, queries[:20], 20)  # warm the caches and the connection pool
        times, found = timed(engine, queries, runs)
        p50, p95, p99 = percentiles(times)
        mark = "" if p95 < 50 else "  <-- over the 50 ms target"
        ok = ok and p95 < 50
        print(f"{name:<34} {runs:>5} {found / runs:>7.1f} {p50:>8.2f} {p95:>8.2f} {p99:>8.2f}{mark}")
    largest = Counter(r["unit_kerja"].split()[1] for r in sample.rows).most_common(1)[0][0]
    common = Counter(_given(r["pegawai_nama"]) for r in sample.rows).most_common(1)[0][0]
    top = Counter(r["instansi_key"] for r in sample.rows).most_common(1)[0][0]
    tenant = _archivist(top)
    plans: list[tuple[str, ArchiveQuery, Caller]] = [
        (
            f"unit word {largest!r} + periode 2024 (the largest word, largest instansi)",
            ArchiveQuery(unit_kerja=largest, periode=2024),
            tenant,
        ),
        (
            f"nama {common!r} + periode 2022 + status rejected",
            ArchiveQuery(nama=common, periode=2022, status="rejected"),
            tenant,
        ),
        (f"nama {common!r} (the commonest)", ArchiveQuery(nama=common), tenant),
        ("nip prefix 8", ArchiveQuery(nip=sample.rows[0]["pegawai_nip"][:8]), tenant),
    ]
    plans += [
        ("unit word + periode, page 3", q, c)
        for q, c in later_pages(engine, [(ArchiveQuery(unit_kerja=largest, periode=2024), tenant)])
    ]
    for name, query, caller in plans:
        title = name
        if engine.dialect.name == "postgresql" and (query.nama or query.unit_kerja or query.q):
            print(f"\nplan, {name}, the probe:")
            for line in plan(engine, query, caller, probe=True):
                print(f"  {line}")
            title = f"{name}, the full query (when the probe finds too little)"
        print(f"\nplan, {title}:")
        for line in plan(engine, query, caller):
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
def postgres_engine(base: str, keep: str | None = None) -> Iterator[Engine]:
    """A throw-away schema on ``base``, dropped afterwards whatever happens (``keep``: this schema,
    kept for the next run, which then skips the fill).
    """
    schema = keep or f"bench_{secrets.token_hex(5)}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        if keep is None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="documents on PostgreSQL")
    parser.add_argument("--sqlite-count", type=int, default=100_000, help="documents on SQLite")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument(
        "--konseling",
        action="store_true",
        help="the archivists may open konseling records: no confidential filter (its floor)",
    )
    parser.add_argument("--sqlite-path", help="keep the SQLite database here (default: a temp dir)")
    parser.add_argument("--postgres", default=DEFAULT_PG, help=f"base URL (default {DEFAULT_PG})")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--keep-schema", help="PostgreSQL: fill this schema once, keep it, reuse it")
    args = parser.parse_args(argv)
    global KONSELING  # noqa: PLW0603  (one setting for the whole run, read where callers are made)
    KONSELING = args.konseling
    backends: list[tuple[str, int, Callable[[], Any]]] = []
    if not args.no_sqlite:
        backends.append(("SQLite", args.sqlite_count, lambda: sqlite_engine(args.sqlite_path)))
    if not args.no_postgres:
        backends.append(("PostgreSQL", args.count, lambda: postgres_engine(args.postgres, args.keep_schema)))
    results = []
    for label, count, make in backends:
        with make() as engine:
            results.append((label, run(label, engine, count, args.runs)))
    for label, met in results:
        print(f"\ntarget p95 < 50 ms, {label}:", "met" if met else "NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
