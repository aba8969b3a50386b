"""Each signer's certificate provider (instansi, p12, bsre, csc), what it needs to find them, and
where the form's signature block is (a provider that draws its own field, BSrE, places it there).

Documents made before providers existed were all signed through the instance CA.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("signers") as batch:
        batch.add_column(sa.Column("penyedia", sa.String(20), nullable=False, server_default="instansi"))
        batch.add_column(sa.Column("sertifikat_json", sa.Text(), nullable=True))
        batch.add_column(sa.Column("kotak_json", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("signers") as batch:
        batch.drop_column("kotak_json")
        batch.drop_column("sertifikat_json")
        batch.drop_column("penyedia")
