"""Instansi of clients, archivists and documents (tenancy).

Accounts made before tenancy served every instansi, so they keep doing so (``all_instansi``) until
an operator narrows them; each document takes the ``instansi`` of its stored payload.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _key(name: str) -> str:
    # The same rule as service.tenancy.instansi_key, repeated: a migration must not change meaning
    # when the code it was written against changes later.
    return " ".join(name.split()).casefold()


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch: SQLite would copy the tables, and dropping the old
    # api_clients while documents refer to it fails under foreign keys.
    for table in ("api_clients", "users"):
        op.add_column(table, sa.Column("instansi_json", sa.Text(), nullable=False, server_default="[]"))
        op.add_column(
            table, sa.Column("all_instansi", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.add_column("documents", sa.Column("instansi", sa.String(300), nullable=False, server_default=""))
    op.add_column("documents", sa.Column("instansi_key", sa.String(300), nullable=False, server_default=""))
    documents = sa.table(
        "documents",
        sa.column("id", sa.String),
        sa.column("payload_json", sa.Text),
        sa.column("instansi", sa.String),
        sa.column("instansi_key", sa.String),
    )
    conn = op.get_bind()
    for row in conn.execute(sa.select(documents.c.id, documents.c.payload_json)).all():
        try:
            name = str(json.loads(row.payload_json).get("instansi") or "")
        except (ValueError, AttributeError):
            name = ""
        conn.execute(
            documents.update()
            .where(documents.c.id == row.id)
            .values(instansi=name[:300], instansi_key=_key(name)[:300])
        )
    op.create_index("ix_documents_instansi_key", "documents", ["instansi_key"])


def downgrade() -> None:
    op.drop_index("ix_documents_instansi_key", "documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("instansi_key")
        batch.drop_column("instansi")
    for table in ("api_clients", "users"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("all_instansi")
            batch.drop_column("instansi_json")
