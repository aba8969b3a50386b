"""Unit and coaching documents: the archivists' konseling permission.

A konseling record is confidential ("prinsip kerahasiaan", PermenPANRB 8/2021): only the
archivists of its instansi granted ``konseling`` open it. Existing accounts are not granted it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("konseling", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("konseling")
