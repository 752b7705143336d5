"""Times the SQLite file keeps as whole seconds since 1970, UTC (``schema_compact.sql``): 4 bytes instead of the
20 of ISO text, on tables with a row or more per order. Every writer still writes ISO text; the file's triggers
convert a value that is exactly a second-precision UTC time ("…T…Z", the one format the app writes) and keep
any other as written. Readers get the ISO text back through ``iso_text``; a workspace copy carries it as text
(PostgreSQL keeps these columns as text)."""

from __future__ import annotations

from datetime import UTC, datetime

from fbm_desk.foundation.timestamps import iso_utc

# (table, column) kept as seconds on SQLite, with the SQLite expression that reads one back as ISO text.
SECONDS_COLUMNS = {
    (table, column): f"CASE WHEN typeof({column}) = 'integer' "
    f"THEN strftime('%Y-%m-%dT%H:%M:%SZ', {column}, 'unixepoch') ELSE {column} END"
    for table, column in (("order_event", "at"), ("inventory_adjustment", "created_at"))
}


def iso_text(stored: object) -> str:
    """A stored time as the ISO text it was written as: whole seconds (an integer, or its digits when read
    through a text column) as ``YYYY-MM-DDTHH:MM:SSZ``; any other value as the text itself."""
    if isinstance(stored, int) or (isinstance(stored, str) and stored.isdigit()):
        return iso_utc(datetime.fromtimestamp(int(stored), UTC))
    return str(stored)
