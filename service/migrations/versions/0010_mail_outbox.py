"""The mail outbox (messages to officials and the pegawai, sent with retries) and the pegawai's
download links to the signed copy (only a hash of each token is stored).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("document_id", sa.String(40), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("signer_id", sa.Integer(), sa.ForeignKey("signers.id"), nullable=True),
        sa.Column("to", sa.String(300), nullable=False),
        sa.Column("once_key", sa.String(200), nullable=True, unique=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dropped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_mail_deliveries_document_id", "mail_deliveries", ["document_id"])
    op.create_index("ix_mail_due", "mail_deliveries", ["sent_at", "dropped_at", "next_attempt_at"])
    op.create_table(
        "download_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.String(40), sa.ForeignKey("documents.id"), nullable=False, unique=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("download_links")
    op.drop_index("ix_mail_due", table_name="mail_deliveries")
    op.drop_index("ix_mail_deliveries_document_id", table_name="mail_deliveries")
    op.drop_table("mail_deliveries")
