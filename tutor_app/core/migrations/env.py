"""Alembic's environment for the app database: online only, on the connection ``open_database`` passes in."""

from alembic import context

from tutor_app.core.database import ALEMBIC_TABLE, Base

connection = context.config.attributes["connection"]
# The caller's transaction is the migration's transaction: begin_transaction() below opens none of its own.
context.configure(connection=connection, target_metadata=Base.metadata, version_table=ALEMBIC_TABLE, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
