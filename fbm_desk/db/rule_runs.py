"""Running the rules on orders: when an order becomes workable (imported as released, or released by Amazon),
"apply to open orders" on request, and the "why did / didn't my rule run" explanation.

Rules run top to bottom, each at most once per order (``rule_firing``), never on an order Amazon still holds.
``run_rules`` writes in the caller's transaction (the import's), so a crash leaves no half-applied rule. On
the import's new orders the rules are matched before their INSERT (``plan_new_orders``: a rule's priority /
default carrier / method go into the inserted rows), the firings' rows are written after it, in that same
transaction.
Every firing is a timeline event ("Rule *Glass is fragile*: tag fragile").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from itertools import groupby
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from fbm_desk.amazon.marketplaces import by_id
from fbm_desk.amazon.types import AmazonOrderItem
from fbm_desk.db import dialect, events, stations
from fbm_desk.db.holds import place_hold
from fbm_desk.db.models import utcnow_iso
from fbm_desk.db.rule_engine import Action, OrderFacts, RuleResult, evaluate
from fbm_desk.db.rule_index import FactIndex, matching_orders
from fbm_desk.db.rules import StoredRule, list_rules
from fbm_desk.db.states import OrderState, Priority
from fbm_desk.db.transactions import transaction
from fbm_desk.db.warehouse_routing import assign_by_rule
from fbm_desk.foundation.timestamps import parse_utc

WORKABLE: tuple[str, ...] = (OrderState.RELEASED, OrderState.PARTIALLY_SHIPPED)


class Firing(NamedTuple):
    """One rule firing on one order (planned, or written)."""

    order_id: int
    amazon_order_id: str
    rule_id: int
    rule: str
    actions: tuple[Action, ...]


def order_facts(
    row: Mapping[str, Any], store_name: str, skus: Sequence[str], quantities: Sequence[int]
) -> OrderFacts:
    """THE mapping from an ``orders`` row (column name -> value) to what rules see.

    Premium comes from the order's programs (``orders.programs``, ``db.order_flags``), the buyer's cancellation
    request from ``orders.cancel_requested``. A fact the row lacks reads as None = unknown: conditions on it
    fail and say so. Plug new columns in here and nowhere else."""
    get = row.get
    country, state, postal = get("ship_country"), get("ship_state"), get("ship_postal_code")
    address = bool(get("ship_name") or get("ship_address1") or postal or country)
    marketplace_id = str(get("marketplace_id") or "")
    marketplace = by_id(marketplace_id)
    programs, cancel = get("programs"), get("cancel_requested")
    return OrderFacts(  # positional (field order of OrderFacts): built once per imported order
        store_name,
        marketplace_id,
        marketplace.code if marketplace else "",
        tuple(skus),
        sum(quantities),
        len(skus),
        str(country or "") if address else None,
        str(state or "") if address else None,
        str(postal or "") if address else None,
        str(get("service_level") or "") or None,
        bool(get("is_prime")),
        bool(get("is_business")),
        "PREMIUM" in str(programs).split(",") if programs else False,
        None if cancel is None else bool(cancel),
        bool(get("needs_mapping")),
        get("latest_ship_date"),
    )


def facts_for(order_ids: Iterable[int], *, workable_only: bool = False) -> dict[int, OrderFacts]:
    """Facts of the given orders (two queries per 500 orders)."""
    ids = list(order_ids)
    out: dict[int, OrderFacts] = {}
    state_sql = f" AND o.state IN ({', '.join(repr(str(s)) for s in WORKABLE)})" if workable_only else ""
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        cursor = dialect.execute(
            "SELECT o.*, s.name AS fbm_store_name FROM orders o JOIN store s ON s.id = o.store_id "  # noqa: S608
            f"WHERE o.id IN ({marks}){state_sql}",
            chunk,
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        items: dict[int, tuple[list[str], list[int]]] = {int(r["id"]): ([], []) for r in rows}
        for oid, sku, qty in dialect.execute(
            f"SELECT order_id, seller_sku, quantity FROM order_item WHERE order_id IN ({marks}) "  # noqa: S608
            "ORDER BY order_id, id",
            chunk,
        ).fetchall():
            if int(oid) in items:
                items[int(oid)][0].append(str(sku))
                items[int(oid)][1].append(int(qty))
        for r in rows:
            skus, quantities = items[int(r["id"])]
            out[int(r["id"])] = order_facts(r, str(r["fbm_store_name"]), skus, quantities)
    return out


def _moment(now: str) -> datetime:
    return parse_utc(now) or datetime.now(UTC)


def _fired(order_ids: Sequence[int]) -> set[tuple[int, int]]:
    done: set[tuple[int, int]] = set()
    for start in range(0, len(order_ids), 500):
        chunk = list(order_ids[start : start + 500])
        rows = dialect.execute(
            f"SELECT rule_id, order_id FROM rule_firing WHERE order_id IN ({', '.join('?' for _ in chunk)})",  # noqa: S608
            chunk,
        ).fetchall()
        done.update((int(r), int(o)) for r, o in rows)
    return done


def _amazon_ids(order_ids: Iterable[int]) -> dict[int, str]:
    ids = list(order_ids)
    out: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = dialect.execute(
            f"SELECT id, amazon_order_id FROM orders WHERE id IN ({', '.join('?' for _ in chunk)})",  # noqa: S608
            chunk,
        ).fetchall()
        out.update({int(i): str(a) for i, a in rows})
    return out


def _facts_of_new(
    rows: Sequence[Mapping[str, object]], items: Sequence[Sequence[AmazonOrderItem]]
) -> dict[int, OrderFacts]:
    """Facts of the import's new workable orders, keyed by position, from the rows about to be written."""
    names = dict(dialect.execute("SELECT id, name FROM store").fetchall())
    out: dict[int, OrderFacts] = {}
    for n, row in enumerate(rows):
        if row["state"] in WORKABLE:
            skus, quantities = [i.seller_sku for i in items[n]], [i.quantity_ordered for i in items[n]]
            out[n] = order_facts(row, names.get(row["store_id"], ""), skus, quantities)
    return out


def _enabled(rules: Sequence[StoredRule] | None) -> list[StoredRule]:
    return [r for r in (list_rules() if rules is None else rules) if r.spec.enabled]


def _match(
    enabled: Sequence[StoredRule], facts: Mapping[int, OrderFacts], now: str
) -> list[tuple[StoredRule, list[int]]]:
    """Per rule (top to bottom), the keys of ``facts`` it matches (rules matching none are left out)."""
    index, moment = FactIndex(facts), _moment(now)
    planned = [(rule, matching_orders(rule.spec, facts, index, moment)) for rule in enabled]
    return [(rule, keys) for rule, keys in planned if keys]


def _plan(
    order_ids: Sequence[int], now: str, rules: Sequence[StoredRule] | None = None
) -> list[tuple[StoredRule, list[int]]]:
    """Per enabled rule (top to bottom), the orders it fires on: workable ones, skipping what already fired."""
    enabled = _enabled(rules) if order_ids else []
    if not enabled:
        return []
    facts = facts_for(order_ids, workable_only=True)
    if not facts:
        return []
    done = _fired(list(facts))
    planned = [
        (rule, [o for o in oids if (rule.id, o) not in done]) for rule, oids in _match(enabled, facts, now)
    ]
    return [(rule, oids) for rule, oids in planned if oids]


def plan_rules(order_ids: Sequence[int], now: str, rules: Sequence[StoredRule] | None = None) -> list[Firing]:
    """What would fire on these orders (workable ones only), rule by rule, skipping what already fired."""
    planned = _plan(order_ids, now, rules)
    names = _amazon_ids({oid for _, oids in planned for oid in oids})
    return [Firing(oid, names[oid], r.id, r.spec.name, r.spec.actions) for r, oids in planned for oid in oids]


def describe_action(action: Action) -> str:
    words = {
        "add_tag": "tag {}",
        "set_priority": "priority {}",
        "set_hold": "{} hold",
        "set_carrier": "carrier {}",
        "set_method": "method {}",
        "add_note": "note “{}”",
        "notify": "notify “{}”",
        "set_warehouse": "warehouse {}",
    }
    return words[action.type].format(action.value)


_COLUMNS = {"set_priority": "priority", "set_carrier": "default_carrier", "set_method": "default_method"}
_DEFAULTS = {
    "priority": str(Priority.NORMAL),
    "default_carrier": "",
    "default_method": "",
}  # as in the schema


class _RuleWrites(NamedTuple):
    """What one rule writes on every order it fires on (worked out once per rule, not per firing)."""

    message: str
    tags: tuple[str, ...]
    notes: tuple[str, ...]
    notices: tuple[str, ...]
    holds: tuple[str, ...]
    warehouses: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]


@lru_cache(maxsize=512)  # a rule's writes are the same on every page
def _rule_writes(rule: str, actions: tuple[Action, ...]) -> _RuleWrites:
    def values(kind: str) -> tuple[str, ...]:
        return tuple(str(a.value) for a in actions if a.type == kind)

    return _RuleWrites(
        message=f"Rule *{rule}*: " + ", ".join(map(describe_action, actions)),
        tags=values("add_tag"),
        notes=values("add_note"),
        notices=values("notify"),
        holds=values("set_hold"),
        warehouses=values("set_warehouse"),
        columns=tuple((_COLUMNS[a.type], str(a.value)) for a in actions if a.type in _COLUMNS),
    )


class Fired(NamedTuple):
    """One rule and the orders it fires on (the writes are built rule by rule, not firing by firing)."""

    rule_id: int
    rule: str
    actions: tuple[Action, ...]
    order_ids: Sequence[int]


def plan_new_orders(
    rows: Sequence[MutableMapping[str, object]], items: Sequence[Sequence[AmazonOrderItem]], now: str
) -> list[Fired]:
    """The firings on the orders the import is about to insert (``rows``, Amazon's ``items`` of each), before
    their INSERT: ``order_ids`` are positions in ``rows`` (the caller turns them into ids once the rows exist,
    then ``run_rules`` writes them). Rules see the rows as they will be written; each rule's priority / default
    carrier / method goes into the rows (the rule further down wins), so the INSERT writes it and no UPDATE
    follows. Orders Amazon holds: none."""
    enabled = _enabled(None)
    facts = _facts_of_new(rows, items) if enabled else {}
    if not facts:
        return []
    planned = _match(enabled, facts, now)
    writes = [
        (positions, _rule_writes(rule.spec.name, rule.spec.actions).columns) for rule, positions in planned
    ]
    for column in {column for _, columns in writes for column, _ in columns}:
        for row in rows:  # every row has the column (one INSERT for the page): the schema's default first
            row[column] = _DEFAULTS[column]
    for positions, columns in writes:
        for column, value in columns:
            for n in positions:
                rows[n][column] = value
    return [Fired(r.id, r.spec.name, r.spec.actions, positions) for r, positions in planned]


def write_firings(firings: Sequence[Firing], now: str) -> None:
    """Apply planned firings (in the caller's transaction): actions, ``rule_firing`` rows, timeline events."""
    groups = []
    for _rule_id, group in groupby(firings, key=attrgetter("rule_id")):
        fired = list(group)
        first = fired[0]
        groups.append(Fired(first.rule_id, first.rule, first.actions, [f.order_id for f in fired]))
    _write(groups, now, names={f.order_id: f.amazon_order_id for f in firings})


def _write(
    groups: Sequence[Fired],
    now: str,
    *,
    names: Mapping[int, str] | None = None,
    columns_written: bool = False,
) -> None:
    """The rows of the firings, one ``executemany`` per table, one UPDATE per (column, value) and 500 orders
    (none when ``columns_written``: the import's INSERT wrote them). Rows go in order by order id (one
    order's rows in rule order): the b-trees keyed by order get appended to, not split all over."""
    if not groups:
        return
    firings: list[tuple[int, int, str]] = []
    tags: list[tuple[int, str]] = []
    notes: list[tuple[int, str, str, str]] = []
    evts: list[tuple[int, str, str, str]] = []
    columns: dict[str, dict[int, str]] = {}  # column -> order -> value: the rule further down wins
    for g in groups:
        w, ids = _rule_writes(g.rule, g.actions), g.order_ids
        firings.extend([(oid, g.rule_id, now) for oid in ids])
        evts.extend([(oid, now, events.RULE, w.message) for oid in ids])
        for tag in w.tags:
            tags.extend([(oid, tag) for oid in ids])
        for note in w.notes:
            notes.extend([(oid, now, g.rule, note) for oid in ids])
        if w.notices:
            known = names if names is not None else _amazon_ids(ids)
            for n in w.notices:
                evts.extend([(oid, now, events.RULE_NOTIFY, f"{g.rule}: {n} ({known[oid]})") for oid in ids])
        for kind in w.holds:
            for oid in ids:
                place_hold(oid, kind, reason=f"rule {g.rule}", by="rule", now=now)
        for name in w.warehouses:
            assign_by_rule(ids, name, rule=g.rule, now=now)
        if not columns_written:
            for column, value in w.columns:
                columns.setdefault(column, {}).update(dict.fromkeys(ids, value))
    who = (stations.current_station(), stations.current_os_user())
    for sql, rows in (
        ("INSERT INTO rule_firing (order_id, rule_id, at) VALUES (?, ?, ?)", firings),
        ("INSERT OR IGNORE INTO order_tag (order_id, tag) VALUES (?, ?)", tags),
        ("INSERT INTO order_note (order_id, at, source, text) VALUES (?, ?, ?, ?)", notes),
        (
            "INSERT INTO order_event (order_id, at, kind, message, station, os_user) VALUES (?, ?, ?, ?, ?, ?)",
            [(*e, *who) for e in evts],
        ),
    ):
        if rows:
            rows.sort(key=itemgetter(0))  # by order id, stable: one order's rows keep their rule order
            dialect.executemany(sql, rows)
    for column, values in columns.items():
        by_value: dict[str, list[int]] = {}
        for oid, value in values.items():
            by_value.setdefault(value, []).append(oid)
        for value, oids in by_value.items():
            for start in range(0, len(oids), 500):
                chunk = oids[start : start + 500]
                # column is one of the constants of _COLUMNS; the value and the ids are parameters
                sql = f"UPDATE orders SET {column} = ? WHERE id IN ({', '.join('?' for _ in chunk)})"  # noqa: S608
                dialect.execute(sql, [value, *chunk])


def run_rules(order_ids: Sequence[int], now: str, new: Sequence[Fired] = ()) -> int:
    """Run the enabled rules on orders Amazon just released (``order_ids``), and write the firings
    ``plan_new_orders`` planned for the page's new orders (``new``, with order ids now: their priority /
    carrier / method are in their INSERT already); returns how many firings were written. Call inside the
    import's transaction."""
    planned = [Fired(r.id, r.spec.name, r.spec.actions, oids) for r, oids in _plan(order_ids, now)]
    _write(planned, now)
    _write(new, now, columns_written=True)
    return sum(len(g.order_ids) for g in (*planned, *new))


def open_order_ids() -> list[int]:
    """The workable orders' ids, ascending: read from the state index, sorted here (with ``ORDER BY id`` SQLite
    scanned the whole table in id order at a million orders, 0.43 s; from the index 60 ms)."""
    rows = dialect.execute(
        f"SELECT id FROM orders WHERE state IN ({', '.join('?' for _ in WORKABLE)})",  # noqa: S608
        list(WORKABLE),
    ).fetchall()
    return sorted(int(r[0]) for r in rows)


def apply_to_open(*, dry_run: bool) -> list[Firing]:
    """ "Apply to open orders": the rules not yet fired on released orders. ``dry_run`` only previews."""
    now = utcnow_iso()
    with transaction(immediate=True):
        firings = plan_rules(open_order_ids(), now)
        if not dry_run:
            write_firings(firings, now)
    return firings


def evaluate_order(order_id: int, *, now: str | None = None) -> list[RuleResult]:
    """Every rule (top to bottom) against one order: matched or not, and which condition failed."""
    facts = facts_for([order_id])[order_id]
    moment = _moment(now or utcnow_iso())
    return [evaluate(r.spec, facts, moment) for r in list_rules()]
