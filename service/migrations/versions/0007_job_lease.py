"""Job leases: a live worker reclaims documents whose worker died.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa  # noqa: F401 -- filled in by the issue-10 work reserving this revision
from alembic import op  # noqa: F401 -- filled in by the issue-10 work reserving this revision

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
