"""Alembic migrations of the app database, run by ``open_database`` (there is no alembic.ini).

``env.py`` runs on the connection, and inside the transaction, that ``database._migrate`` has open.
A schema change is a new file in ``versions/``: change the models in ``database.py``, then write the
revision (``op.add_column``, ...; use ``op.batch_alter_table`` where SQLite cannot alter in place),
starting from a generated skeleton::

    .venv/bin/python -c "from alembic import command; from tutor_app.core.database import alembic_config; \\
        command.revision(alembic_config(), 'what changes')"

(then ``ruff check --fix`` and ``ruff format`` it), and raise ``database.SCHEMA_VERSION``, so a tutor from
before the Alembic migrations refuses the newer database instead of using it half-understood.
"""
