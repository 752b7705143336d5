"""The Orders tab's search as SQL: order id, SKU and tracking prefixes, and buyer/ship-to names (blind index).

Every branch reads an index (``orders_amazon_order_id_nocase``, ``order_item_sku_nocase``,
``package_tracking_nocase``, ``buyer_name_token_token``; on a workspace the pattern indexes of
``schema_order_list_scale.sql``). How a page is found depends on how many orders match, so that neither a
rare nor a common text reads the whole table (a million orders):

- *Few hits* (fewer than ``DENSE_HITS`` index entries): the matching ids are collected (on SQLite into a
  per-connection temp table, shared by every page of one search) and only those orders are sorted.
- *Many hits* (a SKU prefix sold in one order of eight, a common surname): the page is read in the sort's
  index order and each order is probed for a match, stopping at the page's end. With at least
  ``DENSE_HITS`` matches in a million orders, about ``page / density`` orders are probed.

Which case applies is decided by counting each branch's index entries up to ``DENSE_HITS`` (index-only reads,
a few milliseconds); a branch without entries is left out. A count (the status line) always uses the collected
ids; it runs off the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fbm_desk.db import dialect
from fbm_desk.db.models import database_proxy
from fbm_desk.db.name_index import name_hits_sql
from fbm_desk.db.pii import search_tokens

DENSE_HITS = 5000

_BRANCHES = (  # (hit ids, capped index entries, probe of one order ``o``) per prefix branch
    (
        "SELECT id FROM orders WHERE amazon_order_id LIKE ? ESCAPE '\\'",
        "SELECT 1 FROM orders WHERE amazon_order_id LIKE ? ESCAPE '\\'",
        "o.amazon_order_id LIKE ? ESCAPE '\\'",
    ),
    (
        "SELECT order_id FROM order_item WHERE seller_sku LIKE ? ESCAPE '\\'",
        "SELECT 1 FROM order_item WHERE seller_sku LIKE ? ESCAPE '\\'",
        "EXISTS (SELECT 1 FROM order_item i WHERE i.order_id = o.id AND i.seller_sku LIKE ? ESCAPE '\\')",
    ),
    (
        "SELECT order_id FROM package WHERE tracking_number LIKE ? ESCAPE '\\'",
        "SELECT 1 FROM package WHERE tracking_number LIKE ? ESCAPE '\\'",
        "EXISTS (SELECT 1 FROM package p WHERE p.order_id = o.id AND p.tracking_number LIKE ? ESCAPE '\\')",
    ),
)
# Per connection: (search text, PRAGMA data_version, total_changes) the temp hit table was built for.
_materialized: dict[int, tuple[str, int, int]] = {}


def like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass(frozen=True)
class SearchPlan:
    """The branches that have at least one index entry for the text, and whether many orders match."""

    text: str
    branches: tuple[int, ...]  # indexes into _BRANCHES
    by_name: bool
    dense: bool


def plan_search(text: str) -> SearchPlan:
    """Count each branch's index entries for ``text`` up to ``DENSE_HITS`` (index-only reads): branches without
    one are left out of the search, and the total says whether the page is read in sort order (dense)."""
    prefix = like_prefix(text)
    found, branches = 0, []
    for number, (_, entries, _) in enumerate(_BRANCHES):
        n = _capped(entries, [prefix])
        found += n
        if n:
            branches.append(number)
    by_name = name_hits_sql(text)  # several words: the orders carrying all of them
    named = _capped(by_name[0], by_name[1]) if by_name is not None else 0
    return SearchPlan(text, tuple(branches), named > 0, found + named >= DENSE_HITS)


def _capped(sql: str, params: list[Any]) -> int:
    capped = f"SELECT count(*) FROM ({sql} LIMIT {DENSE_HITS}) capped"  # noqa: S608 - constant fragments
    return int(dialect.execute(capped, params).fetchone()[0])


def hits_sql(text: str, plan: SearchPlan | None = None) -> tuple[str, list[Any]]:
    """The search's id query: order id, SKU and tracking prefixes, and names through the blind index (only
    the branches of ``plan`` when given)."""
    prefix = like_prefix(text)
    numbers = plan.branches if plan is not None else range(len(_BRANCHES))
    parts = [_BRANCHES[n][0] for n in numbers]
    params: list[Any] = [prefix for _ in parts]
    by_name = name_hits_sql(text) if plan is None or plan.by_name else None
    if by_name is not None:
        parts.append(by_name[0])
        params.extend(by_name[1])
    if not parts:
        return "SELECT id FROM orders WHERE 0 = 1", []
    return " UNION ".join(parts), params


def probe_sql(plan: SearchPlan) -> tuple[str, list[Any]]:
    """A condition on order ``o``: it matches the plan's text (index probes of this one order, only into the
    branches that have entries; the name's blind index first, it needs no row read)."""
    parts: list[str] = []
    params: list[Any] = []
    tokens = search_tokens(plan.text) if plan.by_name else None
    if tokens and len(tokens) == 1:
        parts.append("EXISTS (SELECT 1 FROM buyer_name_token t WHERE t.order_id = o.id AND t.token = ?)")
        params.append(tokens[0])
    elif tokens:
        marks = ", ".join("?" for _ in tokens)
        parts.append(
            "(SELECT count(DISTINCT t.token) FROM buyer_name_token t "  # noqa: S608 - placeholders only
            f"WHERE t.order_id = o.id AND t.token IN ({marks})) = ?"
        )
        params.extend([*tokens, len(tokens)])
    prefix = like_prefix(plan.text)
    for number in reversed(plan.branches):  # packages and items before the order's own row
        parts.append(_BRANCHES[number][2])
        params.append(prefix)
    return "(" + " OR ".join(parts or ["0 = 1"]) + ")", params


def materialized_hits(plan: SearchPlan) -> str:
    """Keep the ids matching the plan's text in a per-connection temp table, so the count and every page of one
    search share a single evaluation; returns the table's name. Rebuilt when the text or the data changed:
    ``data_version`` moves on commits of other connections (the sync threads), ``total_changes`` on this
    connection's own writes. SQLite only (the cache key is SQLite's)."""
    text = plan.text
    conn = database_proxy.connection()
    version = int(conn.execute("PRAGMA data_version").fetchone()[0])
    # ``id(conn)`` may be a closed connection's reused by a new one: only a table this connection holds counts
    if (
        _materialized.get(id(conn)) == (text, version, conn.total_changes)
        and conn.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'fbm_search_hits'").fetchone()
    ):
        return "temp.fbm_search_hits"
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS fbm_search_hits (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.fbm_search_hits")
    sql, params = hits_sql(text, plan)
    conn.execute("INSERT OR IGNORE INTO temp.fbm_search_hits " + sql, params)  # one branch: no UNION
    _materialized[id(conn)] = (text, version, conn.total_changes)
    return "temp.fbm_search_hits"
