"""Times the SQLite file keeps as whole seconds since 1970, UTC (``schema_compact.sql``,
``schema_package_times.sql``): 4 bytes instead of the 20 of ISO text, on tables with a row or more per order.
Every writer still writes ISO text; the file's triggers convert a value that is exactly a second-precision UTC
time ("…T…Z", the one format the app writes) and keep any other as written. Readers get the ISO text back
through ``iso_text`` (a model's field: ``time_fields.SecondsTextField``); a workspace copy carries it as text
(PostgreSQL keeps these columns as text)."""

from __future__ import annotations

from datetime import UTC, datetime

from fbm_desk.foundation.timestamps import iso_utc

_ISO_SECONDS = "%Y-%m-%dT%H:%M:%SZ"


def iso_sql(column: str) -> str:
    """The SQLite expression reading the stored time ``column`` back as the ISO text it was written as."""
    return f"CASE WHEN typeof({column}) = 'integer' THEN strftime('{_ISO_SECONDS}', {column}, 'unixepoch') ELSE {column} END"


# (table, column) kept as seconds on SQLite, with the SQLite expression that reads one back as ISO text.
SECONDS_COLUMNS = {
    (table, column): iso_sql(column)
    for table, column in (
        ("order_event", "at"),
        ("inventory_adjustment", "created_at"),
        ("package", "ship_date"),
        ("package", "pushed_at"),
        ("package", "created_at"),
        ("package", "updated_at"),
    )
}


def iso_text(stored: object) -> str:
    """A stored time as the ISO text it was written as: whole seconds (an integer, or its digits when read
    through a text column) as ``YYYY-MM-DDTHH:MM:SSZ``; any other value as the text itself."""
    if isinstance(stored, int) or (isinstance(stored, str) and stored.isdigit()):
        return iso_utc(datetime.fromtimestamp(int(stored), UTC))
    return str(stored)


def stored_seconds(text: str) -> int | None:
    """The whole seconds SQLite keeps for ``text`` when it is exactly a second-precision UTC time (what the
    triggers' ``strftime(format, text) = text`` accepts); None for any other text, which is kept as written."""
    try:
        moment = datetime.strptime(text, _ISO_SECONDS).replace(tzinfo=UTC)
    except ValueError:
        return None
    return int(moment.timestamp()) if moment.strftime(_ISO_SECONDS) == text else None
