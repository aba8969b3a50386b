"""Alembic environment: runs on the connection the service hands over (SQLite or PostgreSQL)."""

from alembic import context

from service import models

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=models.Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
