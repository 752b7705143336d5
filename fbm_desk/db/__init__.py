"""Local storage: SQLite through peewee. No Qt, no HTTP. Queries return frozen dataclasses (``rows``)."""

from fbm_desk.db.connection import LATEST_VERSION, OpenedDatabase, open_database

__all__ = ["LATEST_VERSION", "OpenedDatabase", "open_database"]
