"""The blind index of buyer and ship-to names (``buyer_name_token``): how a name search works on encrypted names.

Each order carries one row per keyed hash of a normalized word prefix (2..24 characters) of its buyer and
ship-to names (``FieldCipher.name_tokens``). A search hashes each typed word the same way; an order matches when
it carries every typed word's token, i.e. each typed word begins a word of the names (``smi`` finds "John
Smith", as before; a fragment inside a word, ``mith``, no longer does).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fbm_desk.db import dialect, pii


def store_name_tokens(names: Mapping[int, Iterable[str]], *, replace: bool = True) -> None:
    """Write the tokens of each order's names; ``replace``: first delete the tokens of the names the orders hold
    now, so call it before their rows get the new names, inside the write's transaction.

    The old tokens go by their key (token, order_id), computed from the stored names: on SQLite the table has
    no index by order (schema_compact.sql), and a delete by order alone reads the whole table. When the stored
    names cannot be opened (no workspace key, or another one), by order alone, to leave none behind."""
    if not names:
        return
    if replace:
        delete_name_tokens(list(names))
    rows = [row for oid, values in names.items() for row in pii.name_token_rows(oid, values)]
    if rows:
        dialect.executemany("INSERT OR IGNORE INTO buyer_name_token (order_id, token) VALUES (?, ?)", rows)


def delete_name_tokens(order_ids: list[int]) -> None:
    """Delete the tokens of the names these orders hold now (by key; see ``store_name_tokens``)."""
    columns = ", ".join(pii.NAME_COLUMNS)
    keys: list[tuple[int, int]] = []
    unopened: list[int] = []
    for start in range(0, len(order_ids), 500):
        part = order_ids[start : start + 500]
        marks = ", ".join("?" for _ in part)
        sql = f"SELECT id, {columns} FROM orders WHERE id IN ({marks})"  # noqa: S608 - placeholders only
        for oid, *stored in dialect.execute(sql, part).fetchall():
            plain = [
                pii.reveal(column, value) for column, value in zip(pii.NAME_COLUMNS, stored, strict=True)
            ]
            if pii.cipher() is None or pii.LOCKED in plain:
                unopened.append(int(oid))
            else:
                keys.extend((token, int(oid)) for _, token in pii.name_token_rows(int(oid), plain))
    if keys:
        dialect.executemany("DELETE FROM buyer_name_token WHERE token = ? AND order_id = ?", keys)
    for start in range(0, len(unopened), 500):  # one pass over the table for up to 500 orders
        part = unopened[start : start + 500]
        marks = ", ".join("?" for _ in part)
        dialect.execute(f"DELETE FROM buyer_name_token WHERE order_id IN ({marks})", part)  # noqa: S608


def name_hits_sql(text: str) -> tuple[str, list[Any]] | None:
    """``SELECT order_id …`` of the orders whose names match ``text`` (None: nothing can match by name)."""
    tokens = pii.search_tokens(text)
    if not tokens:
        return None
    if len(tokens) == 1:
        return "SELECT order_id FROM buyer_name_token WHERE token = ?", tokens
    marks = ", ".join("?" for _ in tokens)
    sql = (
        f"SELECT order_id FROM buyer_name_token WHERE token IN ({marks}) "  # noqa: S608 (only placeholders)
        "GROUP BY order_id HAVING count(DISTINCT token) = ?"
    )
    return sql, [*tokens, len(tokens)]
