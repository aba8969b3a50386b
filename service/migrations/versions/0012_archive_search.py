"""Archive search by words of the pegawai's name and the unit's name, and by a NIP prefix.

PostgreSQL: a generated ``tsvector`` (``simple`` configuration: PostgreSQL has no Indonesian
stemmer) with a GIN index, the name weight A, the unit weight B. A ``varchar_pattern_ops`` index
serves ``LIKE 'prefix%'`` on the NIP.

Both: (instansi, created_at, id), (instansi, periode, created_at, id) and (periode, created_at, id)
indexes (the whole sort key, so no sort is needed after them), so
a search within a tenancy (and a periode) reads its newest rows in order and stops after a page
(the probe of ``service.workflow.archive.search``) instead of sorting every match.

SQLite: an FTS5 table with its own copy of the two texts keyed by document id (the implicit rowid of
``documents`` is not stable across VACUUM or a batch table copy), kept in sync by triggers. A later
``batch_alter_table("documents")`` on SQLite drops these triggers with the old table: call
``create_sqlite_triggers`` again after it.

Both are filled for the rows that exist.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

PG_VECTOR = (
    "setweight(to_tsvector('simple', pegawai_nama), 'A') || setweight(to_tsvector('simple', unit_kerja), 'B')"
)

#: (name, columns) of the ordered indexes of both dialects.
ORDERED = (
    ("ix_documents_instansi_created", ["instansi_key", "created_at", "id"]),
    ("ix_documents_instansi_periode_created", ["instansi_key", "periode_tahun", "created_at", "id"]),
    ("ix_documents_periode_created", ["periode_tahun", "created_at", "id"]),
)

#: The newest rows of a tenancy (and a periode) with their words, read by an index-only scan: the
#: search's probe (``service.workflow.archive.probe_query``) never touches the table.
PG_RECENT = (
    "CREATE INDEX ix_documents_search_recent ON documents (instansi_key, created_at, id) INCLUDE (search_vector)",
    "CREATE INDEX ix_documents_search_recent_periode"
    " ON documents (instansi_key, periode_tahun, created_at, id) INCLUDE (search_vector)",
)

SQLITE_TRIGGERS = (
    """CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
        INSERT INTO documents_fts (document_id, pegawai_nama, unit_kerja)
        VALUES (NEW.id, NEW.pegawai_nama, NEW.unit_kerja);
    END""",
    """CREATE TRIGGER documents_fts_update AFTER UPDATE OF id, pegawai_nama, unit_kerja ON documents BEGIN
        DELETE FROM documents_fts WHERE document_id = OLD.id;
        INSERT INTO documents_fts (document_id, pegawai_nama, unit_kerja)
        VALUES (NEW.id, NEW.pegawai_nama, NEW.unit_kerja);
    END""",
    """CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
        DELETE FROM documents_fts WHERE document_id = OLD.id;
    END""",
)


def create_sqlite_triggers() -> None:
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    for name, columns in ORDERED:
        op.create_index(name, "documents", columns)
    if op.get_bind().dialect.name == "postgresql":
        # Adding a stored generated column computes it for every existing row.
        op.execute(
            f"ALTER TABLE documents ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({PG_VECTOR}) STORED"
        )
        op.execute("CREATE INDEX ix_documents_search ON documents USING gin (search_vector)")
        op.execute("CREATE INDEX ix_documents_nip_prefix ON documents (pegawai_nip varchar_pattern_ops)")
        for statement in PG_RECENT:
            op.execute(statement)
        return
    op.execute(
        "CREATE VIRTUAL TABLE documents_fts USING fts5("
        "document_id UNINDEXED, pegawai_nama, unit_kerja,"
        " tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
    )
    op.execute(
        "INSERT INTO documents_fts (document_id, pegawai_nama, unit_kerja)"
        " SELECT id, pegawai_nama, unit_kerja FROM documents"
    )
    create_sqlite_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_documents_search_recent_periode")
        op.execute("DROP INDEX ix_documents_search_recent")
        op.execute("DROP INDEX ix_documents_nip_prefix")
        op.execute("DROP INDEX ix_documents_search")
        op.execute("ALTER TABLE documents DROP COLUMN search_vector")
    else:
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER documents_fts_{name}")
        op.execute("DROP TABLE documents_fts")
    for name, _columns in reversed(ORDERED):
        op.drop_index(name, table_name="documents")
