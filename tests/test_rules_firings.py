"""``rule_firing`` has no foreign key to ``rule`` (schema_rules_speed.sql, for the import's speed): a rule
removed from the list takes its firings with it, in the same transaction, so a later rule that gets the same
id is not taken as already fired."""

from __future__ import annotations

from fbm_desk.db.connection import OpenedDatabase
from fbm_desk.db.models import database_proxy
from fbm_desk.db.rule_runs import apply_to_open
from fbm_desk.db.rules import list_rules, replace_rules
from fbm_desk.db.stores import insert_store
from tests.support.demo_data import add_order


def rule(name: str, tag: str) -> dict[str, object]:
    return {
        "name": name,
        "enabled": True,
        "conditions": [{"field": "ship_country", "op": "equals", "value": "US"}],
        "actions": [{"type": "add_tag", "value": tag}],
    }


def firings() -> list[tuple[int, int]]:
    return [tuple(r) for r in database_proxy.execute_sql("SELECT order_id, rule_id FROM rule_firing")]


def test_a_removed_rule_takes_its_firings_and_its_id_starts_afresh(db: OpenedDatabase) -> None:
    insert_store(name="T", marketplace_id="ATVPDKIKX0DER", region="NA", selling_partner_id="S")
    order = add_order(db.db, "111-0000000-0000001", needs_mapping=True)
    replace_rules([rule("Keep", "a"), rule("Drop", "b")])
    keep, drop = (r.id for r in list_rules())
    assert len(apply_to_open(dry_run=False)) == 2
    assert sorted(firings()) == [(order, keep), (order, drop)]

    replace_rules([rule("Keep", "a")])
    assert firings() == [(order, keep)]

    replace_rules([rule("Keep", "a"), rule("New", "c")])  # SQLite may hand the new rule the old id
    fired = apply_to_open(dry_run=False)
    assert [f.rule for f in fired] == ["New"]
