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
    """Write the tokens of each order's names (replacing its old ones); call inside the write's transaction."""
    if not names:
        return
    if replace:
        dialect.executemany("DELETE FROM buyer_name_token WHERE order_id = ?", [(oid,) for oid in names])
    rows = [row for oid, values in names.items() for row in pii.name_token_rows(oid, values)]
    if rows:
        dialect.executemany("INSERT INTO buyer_name_token (order_id, token) VALUES (?, ?)", rows)


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
