"""HR systems at scale: API keys apart from their client, webhook secret rotation, per-client CA
bundles, batches of documents, redeliveries, and the indexes of the new list filters.

A client's keys move to ``api_keys`` (the current key of each client becomes its first row), so a
key can be rotated while the client, its documents and its Idempotency-Keys stay the same.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_id", sa.Integer(), sa.ForeignKey("api_clients.id"), nullable=False),
        sa.Column("key_prefix", sa.String(16), nullable=False, unique=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_index("ix_api_keys_client_id", "api_keys", ["client_id"])
    op.execute(
        "INSERT INTO api_keys (client_id, key_prefix, key_hash, created_at, revoked_at) "
        "SELECT id, key_prefix, key_hash, created_at, revoked_at FROM api_clients"
    )
    with op.batch_alter_table("api_clients") as batch:
        batch.drop_column("key_prefix")
        batch.drop_column("key_hash")
        batch.add_column(sa.Column("webhook_secret_previous", sa.String(64), nullable=True))
        batch.add_column(sa.Column("webhook_secret_previous_until", TS, nullable=True))
        batch.add_column(sa.Column("webhook_secret_rotated_at", TS, nullable=True))
        batch.add_column(sa.Column("webhook_ca_pem", sa.Text(), nullable=True))

    op.create_table(
        "document_batches",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("client_id", sa.Integer(), sa.ForeignKey("api_clients.id"), nullable=False),
        sa.Column("callback_url", sa.String(2000), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("completed_at", TS, nullable=True),
    )
    op.create_index("ix_document_batches_client_id", "document_batches", ["client_id"])
    op.create_table(
        "document_batch_items",
        sa.Column("batch_id", sa.String(40), sa.ForeignKey("document_batches.id"), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("document_id", sa.String(40), nullable=True),
        sa.Column("problem_json", sa.Text(), nullable=True),
    )
    op.create_index("ix_document_batch_items_document_id", "document_batch_items", ["document_id"])

    # Plain ADD COLUMN, not a batch copy of ``documents``: that would drop the archive search's
    # SQLite triggers (migration 0012).
    op.add_column("documents", sa.Column("batch_id", sa.String(40), nullable=True))
    op.add_column("documents", sa.Column("batch_fed_at", TS, nullable=True))
    op.create_index("ix_documents_batch", "documents", ["batch_id", "status"])
    op.create_index("ix_documents_instansi_updated", "documents", ["instansi_key", "updated_at", "id"])
    op.create_index("ix_documents_updated", "documents", ["updated_at", "id"])
    op.create_index("ix_signers_nip_status", "signers", ["nip", "status"])
    op.add_column("signers", sa.Column("expiry_reported_nonce", sa.String(64), nullable=True))
    op.add_column("webhook_deliveries", sa.Column("redelivery_of", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("webhook_deliveries", "redelivery_of")
    with op.batch_alter_table("signers") as batch:
        batch.drop_column("expiry_reported_nonce")
    op.drop_index("ix_signers_nip_status", table_name="signers")
    op.drop_index("ix_documents_updated", table_name="documents")
    op.drop_index("ix_documents_instansi_updated", table_name="documents")
    op.drop_index("ix_documents_batch", table_name="documents")
    op.drop_column("documents", "batch_fed_at")
    op.drop_column("documents", "batch_id")
    op.drop_index("ix_document_batch_items_document_id", table_name="document_batch_items")
    op.drop_table("document_batch_items")
    op.drop_index("ix_document_batches_client_id", table_name="document_batches")
    op.drop_table("document_batches")
    with op.batch_alter_table("api_clients") as batch:
        batch.drop_column("webhook_ca_pem")
        batch.drop_column("webhook_secret_rotated_at")
        batch.drop_column("webhook_secret_previous_until")
        batch.drop_column("webhook_secret_previous")
        batch.add_column(sa.Column("key_prefix", sa.String(16), nullable=True))
        batch.add_column(sa.Column("key_hash", sa.String(64), nullable=True))
    # Each client keeps its newest key (older keys in a grace period die with the downgrade).
    op.execute(
        "UPDATE api_clients SET key_prefix = (SELECT k.key_prefix FROM api_keys k WHERE k.client_id = "
        "api_clients.id ORDER BY k.id DESC LIMIT 1), key_hash = (SELECT k.key_hash FROM api_keys k "
        "WHERE k.client_id = api_clients.id ORDER BY k.id DESC LIMIT 1)"
    )
    with op.batch_alter_table("api_clients") as batch:
        batch.alter_column("key_prefix", existing_type=sa.String(16), nullable=False)
        batch.alter_column("key_hash", existing_type=sa.String(64), nullable=False)
        batch.create_unique_constraint("uq_api_clients_key_prefix", ["key_prefix"])
    op.drop_index("ix_api_keys_client_id", table_name="api_keys")
    op.drop_table("api_keys")
