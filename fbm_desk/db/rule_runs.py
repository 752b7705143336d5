"""Running the rules on orders: when an order becomes workable (imported as released, or released by Amazon),
"apply to open orders" on request, and the "why did / didn't my rule run" explanation.

Rules run top to bottom, each at most once per order (``rule_firing``), never on an order Amazon still holds.
``run_rules`` writes in the caller's transaction (the import's), so a crash leaves no half-applied rule.
Every firing is a timeline event ("Rule *Glass is fragile*: tag fragile").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import groupby
from operator import attrgetter
from typing import Any, NamedTuple

from fbm_desk.amazon.marketplaces import by_id
from fbm_desk.amazon.types import AmazonOrderItem
from fbm_desk.db import dialect, events
from fbm_desk.db.holds import place_hold
from fbm_desk.db.models import utcnow_iso
from fbm_desk.db.rule_engine import Action, OrderFacts, RuleResult, evaluate
from fbm_desk.db.rule_index import FactIndex, matching_orders
from fbm_desk.db.rules import StoredRule, list_rules
from fbm_desk.db.states import OrderState
from fbm_desk.db.transactions import transaction
from fbm_desk.db.warehouse_routing import assign_by_rule
from fbm_desk.foundation.timestamps import parse_utc

WORKABLE: tuple[str, ...] = (OrderState.RELEASED, OrderState.PARTIALLY_SHIPPED)


class NewOrder(NamedTuple):
    """An order the import just inserted: its ``orders`` row as written and Amazon's items."""

    row: Mapping[str, object]
    items: Sequence[AmazonOrderItem]


class Firing(NamedTuple):
    """One rule firing on one order (planned, or written)."""

    order_id: int
    amazon_order_id: str
    rule_id: int
    rule: str
    actions: tuple[Action, ...]


def _optional_bool(value: object) -> bool | None:
    return None if value is None else bool(value)


def order_facts(
    row: Mapping[str, Any], store_name: str, skus: Sequence[str], quantities: Sequence[int]
) -> OrderFacts:
    """THE mapping from an ``orders`` row (column name -> value) to what rules see.

    Premium comes from the order's programs (``orders.programs``, ``db.order_flags``), the buyer's cancellation
    request from ``orders.cancel_requested``. A fact the row lacks reads as None = unknown: conditions on it
    fail and say so. Plug new columns in here and nowhere else."""
    get = row.get
    address = bool(get("ship_name") or get("ship_address1") or get("ship_postal_code") or get("ship_country"))
    marketplace_id = str(get("marketplace_id") or "")
    marketplace = by_id(marketplace_id)
    return OrderFacts(
        store=store_name,
        marketplace=marketplace_id,
        marketplace_code=marketplace.code if marketplace else "",
        skus=tuple(skus),
        units=sum(quantities),
        lines=len(skus),
        ship_country=str(get("ship_country") or "") if address else None,
        ship_state=str(get("ship_state") or "") if address else None,
        ship_postal_code=str(get("ship_postal_code") or "") if address else None,
        service_level=str(get("service_level") or "") or None,
        is_prime=bool(get("is_prime")),
        is_business=bool(get("is_business")),
        is_premium="PREMIUM" in str(get("programs") or "").split(","),
        cancel_requested=_optional_bool(get("cancel_requested")),
        needs_mapping=bool(get("needs_mapping")),
        latest_ship_date=get("latest_ship_date"),
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


def _facts_of_new(new: Mapping[int, NewOrder]) -> dict[int, OrderFacts]:
    names = {int(i): str(n) for i, n in dialect.execute("SELECT id, name FROM store").fetchall()}
    return {
        oid: order_facts(
            n.row,
            names.get(int(str(n.row["store_id"])), ""),
            [i.seller_sku for i in n.items],
            [i.quantity_ordered for i in n.items],
        )
        for oid, n in new.items()
        if n.row["state"] in WORKABLE
    }


def _plan(
    order_ids: Sequence[int],
    now: str,
    rules: Sequence[StoredRule] | None = None,
    new: Mapping[int, NewOrder] | None = None,
) -> list[tuple[StoredRule, list[int]]]:
    """Per enabled rule (top to bottom), the orders it fires on: workable ones, skipping what already fired."""
    enabled = [r for r in (list_rules() if rules is None else rules) if r.spec.enabled]
    if not enabled or not order_ids:
        return []
    new = new or {}
    facts = _facts_of_new({i: new[i] for i in order_ids if i in new})
    facts.update(facts_for([i for i in order_ids if i not in new], workable_only=True))
    if not facts:
        return []
    done = _fired([i for i in facts if i not in new])  # the import's new orders have no firings yet
    index, moment = FactIndex(facts), _moment(now)
    planned: list[tuple[StoredRule, list[int]]] = []
    for rule in enabled:
        oids = matching_orders(rule.spec, facts, index, moment)
        if done:
            oids = [oid for oid in oids if (rule.id, oid) not in done]
        if oids:
            planned.append((rule, oids))
    return planned


def plan_rules(
    order_ids: Sequence[int],
    now: str,
    rules: Sequence[StoredRule] | None = None,
    new: Mapping[int, NewOrder] | None = None,
) -> list[Firing]:
    """What would fire on these orders (workable ones only), rule by rule, skipping what already fired.
    ``new``: rows the import just wrote (their facts are taken from them instead of read back)."""
    planned = _plan(order_ids, now, rules, new)
    names = _names({oid for _, oids in planned for oid in oids}, new)
    return [Firing(oid, names[oid], r.id, r.spec.name, r.spec.actions) for r, oids in planned for oid in oids]


def _names(order_ids: Iterable[int], new: Mapping[int, NewOrder] | None) -> dict[int, str]:
    """Amazon's order ids (taken from the import's new rows where it has them)."""
    new = new or {}
    names = {oid: str(new[oid].row["amazon_order_id"]) for oid in order_ids if oid in new}
    names.update(_amazon_ids({oid for oid in order_ids if oid not in names}))
    return names


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


class _RuleWrites(NamedTuple):
    """What one rule writes on every order it fires on (worked out once per rule, not per firing)."""

    message: str
    tags: tuple[str, ...]
    notes: tuple[str, ...]
    notices: tuple[str, ...]
    holds: tuple[str, ...]
    warehouses: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]


def _rule_writes(rule: str, actions: Sequence[Action]) -> _RuleWrites:
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


class _Fired(NamedTuple):
    """One rule and the orders it fires on (the writes are built rule by rule, not firing by firing)."""

    rule_id: int
    rule: str
    actions: tuple[Action, ...]
    order_ids: Sequence[int]


def write_firings(firings: Sequence[Firing], now: str) -> None:
    """Apply planned firings (in the caller's transaction): actions, ``rule_firing`` rows, timeline events."""
    groups = []
    for _rule_id, group in groupby(firings, key=attrgetter("rule_id")):
        fired = list(group)
        first = fired[0]
        groups.append(_Fired(first.rule_id, first.rule, first.actions, [f.order_id for f in fired]))
    _write(groups, now, names={f.order_id: f.amazon_order_id for f in firings})


def _write(
    groups: Sequence[_Fired],
    now: str,
    *,
    names: Mapping[int, str] | None = None,
    new: Mapping[int, NewOrder] | None = None,
) -> None:
    """The rows of the firings, one ``executemany`` per table, one UPDATE per (column, value) and 500 orders."""
    if not groups:
        return
    dialect.executemany(
        "INSERT INTO rule_firing (rule_id, order_id, at) VALUES (?, ?, ?)",
        [(g.rule_id, oid, now) for g in groups for oid in g.order_ids],
    )
    tags: list[tuple[int, str]] = []
    notes: list[tuple[int, str, str, str]] = []
    evts: list[tuple[int, str, str, str]] = []
    columns: dict[str, dict[int, str]] = {}  # column -> order -> value: the rule further down wins
    for g in groups:
        w, ids = _rule_writes(g.rule, g.actions), g.order_ids
        evts.extend([(oid, now, events.RULE, w.message) for oid in ids])
        for tag in w.tags:
            tags.extend([(oid, tag) for oid in ids])
        for note in w.notes:
            notes.extend([(oid, now, g.rule, note) for oid in ids])
        if w.notices:
            known = names if names is not None else _names(ids, new)
            for n in w.notices:
                evts.extend([(oid, now, events.RULE_NOTIFY, f"{g.rule}: {n} ({known[oid]})") for oid in ids])
        for kind in w.holds:
            for oid in ids:
                place_hold(oid, kind, reason=f"rule {g.rule}", by="rule", now=now)
        for name in w.warehouses:
            assign_by_rule(ids, name, rule=g.rule, now=now)
        for column, value in w.columns:
            columns.setdefault(column, {}).update(dict.fromkeys(ids, value))
    dialect.executemany("INSERT OR IGNORE INTO order_tag (order_id, tag) VALUES (?, ?)", tags)
    dialect.executemany("INSERT INTO order_note (order_id, at, source, text) VALUES (?, ?, ?, ?)", notes)
    dialect.executemany("INSERT INTO order_event (order_id, at, kind, message) VALUES (?, ?, ?, ?)", evts)
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


def run_rules(order_ids: Sequence[int], now: str, new: Mapping[int, NewOrder] | None = None) -> int:
    """Run the enabled rules on orders that just became workable; returns how many firings were written.
    Call inside the import's transaction."""
    planned = _plan(order_ids, now, new=new)
    _write([_Fired(r.id, r.spec.name, r.spec.actions, oids) for r, oids in planned], now, new=new)
    return sum(len(oids) for _, oids in planned)


def open_order_ids() -> list[int]:
    rows = dialect.execute(
        f"SELECT id FROM orders WHERE state IN ({', '.join('?' for _ in WORKABLE)}) ORDER BY id",  # noqa: S608
        list(WORKABLE),
    ).fetchall()
    return [int(r[0]) for r in rows]


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
