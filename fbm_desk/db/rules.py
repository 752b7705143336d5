"""The stored rule list (``rule``): read in order, replace as a whole, save or reorder from the Rules screen.

Every write validates through ``fbm_desk.db.rule_engine`` first and runs in one transaction, so an invalid
rules file changes nothing. A rule keeps its row (and so its firings: "at most once per order") when a new
list keeps its name.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from fbm_desk.amazon.marketplaces import MARKETPLACES
from fbm_desk.db import dialect
from fbm_desk.db.mark_models import Rule
from fbm_desk.db.models import utcnow_iso
from fbm_desk.db.rule_engine import RuleSpec, parse_rules, rule_from_stored
from fbm_desk.db.transactions import transaction

# (raw rows) -> parsed rules: parsing 50 rules on every imported page would cost more than running them
_parsed: dict[tuple[tuple[object, ...], ...], list[StoredRule]] = {}


@dataclass(frozen=True)
class StoredRule:
    id: int
    position: int
    spec: RuleSpec


def list_rules() -> list[StoredRule]:
    """All rules, top to bottom (disabled ones too)."""
    rows = tuple(
        dialect.execute(
            "SELECT id, position, name, enabled, conditions, actions FROM rule ORDER BY position, id"
        ).fetchall()
    )
    cached = _parsed.get(rows)
    if cached is None:
        cached = [
            StoredRule(int(r[0]), int(r[1]), rule_from_stored(str(r[2]), bool(r[3]), str(r[4]), str(r[5])))
            for r in rows
        ]
        _parsed.clear()
        _parsed[rows] = cached
    return list(cached)


def replace_rules(data: object) -> list[StoredRule]:
    """Replace the whole list with ``data`` (the JSON of a rules file). ``InvalidInput`` (naming the rule's
    position and the reason) leaves the stored list untouched."""
    specs = parse_rules(data)
    return save_rules(specs)


def save_rules(specs: Sequence[RuleSpec]) -> list[StoredRule]:
    """Store ``specs`` as the list, in this order, in one transaction (rules kept by name keep their id)."""
    parse_rules([s.to_json() for s in specs])  # same checks as a file: unique names, valid fields
    now = utcnow_iso()
    with transaction(immediate=True):
        existing = {str(r.name).casefold(): int(r.id) for r in Rule.select(Rule.id, Rule.name)}
        keep: set[int] = set()
        for position, spec in enumerate(specs, 1):
            data = spec.to_json()
            fields = {
                "position": position,
                "name": spec.name,
                "enabled": spec.enabled,
                "conditions": json.dumps(data["conditions"]),
                "actions": json.dumps(data["actions"]),
                "updated_at": now,
            }
            rule_id = existing.get(spec.name.casefold())
            if rule_id is None:
                rule_id = int(Rule.insert(**fields, created_at=now).execute())
            else:
                Rule.update(**fields).where(Rule.id == rule_id).execute()
            keep.add(rule_id)
        gone = [int(r[0]) for r in dialect.execute("SELECT id FROM rule").fetchall()]
        gone = [i for i in gone if i not in keep]
        if gone:  # rule_firing has no foreign key to rule (the import's speed): its rows go here, in one scan
            marks = ", ".join("?" for _ in gone)
            dialect.execute(f"DELETE FROM rule_firing WHERE rule_id IN ({marks})", gone)  # noqa: S608
        Rule.delete().where(Rule.id.not_in(list(keep) or [0])).execute()
    return list_rules()


def picker_values() -> dict[str, list[str]]:
    """Known values for the Rules screen's pickers: stores, SKUs, countries, states, service levels (those of
    the ``RECENT_ORDERS`` newest orders)."""

    def distinct(sql: str) -> list[str]:
        return [str(r[0]) for r in dialect.execute(sql).fetchall() if r[0]]

    # The newest orders' values, read by primary key: DISTINCT over the whole table scans a million rows.
    recent = dialect.execute(
        "SELECT ship_country, ship_state, service_level FROM orders ORDER BY id DESC LIMIT ?",
        (RECENT_ORDERS,),
    ).fetchall()

    def seen(column: int, limit: int) -> list[str]:
        return sorted({str(r[column]) for r in recent if r[column]})[:limit]

    return {
        "store": distinct("SELECT name FROM store ORDER BY lower(name)"),
        "marketplace": [m.code for m in MARKETPLACES],
        "sku": distinct("SELECT seller_sku FROM listing UNION SELECT sku FROM product ORDER BY 1 LIMIT 5000"),
        "ship_country": sorted({*seen(0, 300), *COMMON_COUNTRIES}),
        "ship_state": seen(1, 500),
        "service_level": seen(2, 200),
        "set_warehouse": distinct(
            "SELECT name FROM warehouse WHERE active = 1 ORDER BY priority, lower(name)"
        ),
    }


RECENT_ORDERS = 3_000  # the Rules pickers offer the values of the newest orders (any value may be typed)
COMMON_COUNTRIES = ("US", "CA", "MX", "GB", "DE", "FR", "IT", "ES", "NL", "SE", "PL", "JP", "AU")
