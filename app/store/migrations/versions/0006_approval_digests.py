"""approvals remember the plan they were given to (its changes digest) and which act it was

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows from before have no digest: they count for no plan, so a PR approved before the
    # upgrade is approved again (fail closed).
    with op.batch_alter_table("approvals") as batch:
        batch.add_column(
            sa.Column("given", sa.String(length=64), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("digest", sa.String(length=64), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("approvals") as batch:
        batch.drop_column("digest")
        batch.drop_column("given")
