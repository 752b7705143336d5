"""Storage: SQLite (embedded) or a PostgreSQL shared workspace, through peewee. No Qt, no HTTP. Queries return
frozen dataclasses (``rows``)."""

from fbm_desk.db.connection import LATEST_VERSION, OpenedDatabase, open_database
from fbm_desk.db.pg_connection import open_postgres

__all__ = ["LATEST_VERSION", "OpenedDatabase", "open_database", "open_postgres"]
