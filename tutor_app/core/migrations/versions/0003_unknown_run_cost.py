"""A model run's cost may be unknown: an endpoint with no price set stores NULL, not a misleading 0.

Revision ID: 0003_unknown_run_cost
Revises: 0002_prompt_lab
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_unknown_run_cost"
down_revision = "0002_prompt_lab"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("model_runs") as batch:
        batch.alter_column("cost_usd", existing_type=sa.Float(), nullable=True, server_default=None)


def downgrade() -> None:
    op.execute("UPDATE model_runs SET cost_usd = 0 WHERE cost_usd IS NULL")
    with op.batch_alter_table("model_runs") as batch:
        batch.alter_column("cost_usd", existing_type=sa.Float(), nullable=False, server_default=sa.text("0"))
