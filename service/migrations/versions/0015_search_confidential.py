"""The archive search's probe stays index-only with confidential records filtered out.

Migration 0012's ``ix_documents_search_recent*`` carry the words, so the probe
(``service.workflow.archive.probe_query``) reads the newest rows of a tenancy without the table.
Since a konseling record is confidential (0014), the probe of every caller without the permission
also asks each row's ``type`` (and, for an API client, its ``client_id``): without them in the
index, PostgreSQL fetched every probed row from the table, or took another index, and the p95 of a
two-word name search went from under 50 ms to 173 ms at 1,000,000 documents (``bench/archive.py``).
PostgreSQL only; SQLite's search has no such index.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

#: The two indexes, carrying what the probe filters on besides the tenancy and the periode.
PG_RECENT = (
    "CREATE INDEX ix_documents_search_recent ON documents (instansi_key, created_at, id)"
    " INCLUDE (search_vector, type, client_id)",
    "CREATE INDEX ix_documents_search_recent_periode ON documents (instansi_key, periode_tahun, created_at, id)"
    " INCLUDE (search_vector, type, client_id)",
)
#: As migration 0012 made them.
PG_RECENT_0012 = (
    "CREATE INDEX ix_documents_search_recent ON documents (instansi_key, created_at, id) INCLUDE (search_vector)",
    "CREATE INDEX ix_documents_search_recent_periode"
    " ON documents (instansi_key, periode_tahun, created_at, id) INCLUDE (search_vector)",
)


def _replace(statements: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_documents_search_recent_periode")
    op.execute("DROP INDEX ix_documents_search_recent")
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    _replace(PG_RECENT)


def downgrade() -> None:
    _replace(PG_RECENT_0012)
