"""The validated payload, kept once beside the raw body.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: documents created before this revision are validated again when first read.
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("payload_validated", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("payload_validated")
