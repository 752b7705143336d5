"""A model's time column that the SQLite file keeps as whole seconds since 1970, UTC (``stored_times.py``).

On SQLite the field writes a second-precision ISO text ("…T…Z", the one format the app writes) as its seconds,
and reads seconds back as that same text. A comparison in a query converts its ISO parameter the same way
(peewee passes the right-hand value of ``Package.pushed_at > since`` through ``db_value``), so seconds are
compared with seconds: SQLite compares an integer with a text by type (every number sorts before every text),
which would make such a filter wrong for every row. Any other value (a fraction of a second, another format) is
written and read back as it is. PostgreSQL keeps these columns as text: the field passes text through there.
"""

from __future__ import annotations

import peewee as pw

from fbm_desk.db.stored_times import iso_text, stored_seconds


class SecondsTextField(pw.TextField):
    """ISO text to the app; whole seconds in the SQLite file where the text is a second-precision UTC time."""

    def _on_sqlite(self) -> bool:
        db = self.model._meta.database  # the models' DatabaseProxy: the database it is bound to is ``obj``
        return not isinstance(getattr(db, "obj", db), pw.PostgresqlDatabase)

    def db_value(self, value: object) -> object:
        if isinstance(value, str) and self._on_sqlite():
            seconds = stored_seconds(value)
            if seconds is not None:
                return seconds
        return super().db_value(value)

    def python_value(self, value: object) -> str | None:
        if value is None:
            return None
        return iso_text(value) if isinstance(value, int) else str(value)
