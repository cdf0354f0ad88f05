"""Baseline: the schema as the models stood when the app database moved to Alembic.

A database reaches this revision by being stamped, never by running it: ``open_database`` creates a new
database from the models, and brings an older one (without Alembic's version table) up to date with its
column-adding upgrade, then stamps the newest revision. So ``upgrade`` has nothing to do.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-02
"""

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
