"""The officials' inbox: their server-side sessions, the one-time login links mailed to them (only
hashes of both are stored), and the batches they sign with one passphrase, with each document's outcome.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "official_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("instansi_key", sa.String(300), nullable=False),
        sa.Column("nip", sa.String(18), nullable=False),
        sa.Column("via", sa.String(20), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_index("ix_official_sessions_official", "official_sessions", ["instansi_key", "nip"])
    op.create_table(
        "official_login_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("instansi_key", sa.String(300), nullable=False),
        sa.Column("nip", sa.String(18), nullable=False),
        sa.Column("sent_to", sa.String(300), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
    )
    op.create_table(
        "signing_batches",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("instansi_key", sa.String(300), nullable=False),
        sa.Column("nip", sa.String(18), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("signed", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
    )
    op.create_index("ix_signing_batches_official", "signing_batches", ["instansi_key", "nip"])
    op.create_table(
        "signing_batch_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("batch_id", sa.String(40), sa.ForeignKey("signing_batches.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.String(40), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("urutan", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.UniqueConstraint("batch_id", "position", name="uq_signing_batch_items_position"),
    )
    op.create_index("ix_signing_batch_items_batch_id", "signing_batch_items", ["batch_id"])


def downgrade() -> None:
    op.drop_index("ix_signing_batch_items_batch_id", "signing_batch_items")
    op.drop_table("signing_batch_items")
    op.drop_index("ix_signing_batches_official", "signing_batches")
    op.drop_table("signing_batches")
    op.drop_table("official_login_links")
    op.drop_index("ix_official_sessions_official", "official_sessions")
    op.drop_table("official_sessions")
