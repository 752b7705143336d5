"""The pure rule engine: validation names the position and the reason, the failed condition in words,
unknown facts fail, and the import's batch matcher agrees with evaluating order by order."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from fbm_desk.db.rule_engine import FIELDS, OrderFacts, evaluate, parse_rule, parse_rules
from fbm_desk.db.rule_index import FactIndex, matching_orders
from fbm_desk.foundation.errors import InvalidInput

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
FACTS = OrderFacts(
    store="Demo US",
    marketplace="ATVPDKIKX0DER",
    marketplace_code="US",
    skus=("GLASS-VASE", "MUG-1"),
    units=3,
    lines=2,
    ship_country="US",
    ship_state="TX",
    ship_postal_code="73301",
    service_level="Standard",
    is_prime=True,
    is_business=False,
    is_premium=None,
    cancel_requested=None,
    needs_mapping=False,
    latest_ship_date="2026-12-06T16:30:00Z",
)


def rule(*conditions: tuple[str, str, object], enabled: bool = True):  # type: ignore[no-untyped-def]
    return parse_rule(
        {
            "name": "R",
            "enabled": enabled,
            "conditions": [{"field": f, "op": o, "value": v} for f, o, v in conditions],
            "actions": [{"type": "add_tag", "value": "t"}],
        },
        1,
    )


@pytest.mark.parametrize(
    ("conditions", "why"),
    [
        ((("ship_state", "in", ["AK", "HI"]),), "ship-to state was TX, not AK/HI"),
        ((("ship_state", "equals", "AK"),), "ship-to state was TX, not AK"),
        ((("ship_state", "not_in", ["tx", "ok"]),), "ship-to state was TX, one of tx/ok"),
        ((("units", "greater_than", 5),), "units were 3, not more than 5"),
        ((("is_prime", "equals", False),), "Prime was yes, not no"),
        ((("sku", "starts_with", "STEEL-"),), "no SKU starts with STEEL- (SKUs: GLASS-VASE, MUG-1)"),
        ((("sku", "not_equals", "mug-1"),), "an SKU is mug-1 (SKUs: GLASS-VASE, MUG-1)"),
        ((("is_premium", "equals", True),), "Premium is not known for this order yet"),
        ((("cancel_requested", "equals", False),), "buyer asked to cancel is not known for this order yet"),
        ((("marketplace", "equals", "UK"),), "marketplace was US, not UK"),
        (
            (("ship_by_time", "less_than", "14:00"),),
            "ship-by time of day (UTC) was 16:30, not less than 14:00",
        ),
        ((("sku", "starts_with", "glass"), ("lines", "equals", 1)), "lines were 2, not 1"),
    ],
)
def test_the_failed_condition_in_words(conditions: tuple[tuple[str, str, object], ...], why: str) -> None:
    result = evaluate(rule(*conditions), FACTS, NOW)
    assert (result.matched, result.failed_condition, result.actions) == (False, why, ())


def test_a_match_lists_its_actions_and_an_off_rule_says_so() -> None:
    matched = evaluate(rule(("sku", "starts_with", "glass-"), ("ship_by_hours", "less_than", 5)), FACTS, NOW)
    assert (matched.matched, matched.failed_condition) == (True, None)
    assert [(a.type, a.value) for a in matched.actions] == [("add_tag", "t")]
    off = evaluate(rule(("sku", "starts_with", "glass-"), enabled=False), FACTS, NOW)
    assert (off.matched, off.failed_condition) == (False, "the rule is off")


def test_no_address_yet_fails_even_a_negative_condition() -> None:
    held = FACTS._replace(ship_country=None, ship_state=None, ship_postal_code=None)
    result = evaluate(rule(("ship_state", "not_in", ["AK", "HI"])), held, NOW)
    assert result.failed_condition == "ship-to state is not known for this order yet"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x", "actions": []}, r"rule 2 \(x\): 'actions' must be a non-empty list"),
        (
            {
                "name": "x",
                "conditions": [{"field": "colour", "op": "equals", "value": "red"}],
                "actions": [{}],
            },
            r"rule 2 \(x\), condition 1: unknown field 'colour'",
        ),
        (
            {"name": "x", "conditions": [{"field": "sku", "op": "like", "value": "a"}], "actions": [{}]},
            r"rule 2 \(x\), condition 1: unknown operator 'like' for 'sku'",
        ),
        (
            {"name": "x", "conditions": [{"field": "is_prime", "op": "greater_than", "value": 1}]},
            r"operator not allowed for this field 'greater_than'",
        ),
        (
            {"name": "x", "conditions": [], "actions": [{"type": "explode", "value": "now"}]},
            r"rule 2 \(x\), action 1: unknown action 'explode'",
        ),
        (
            {"name": "x", "conditions": [], "actions": [{"type": "set_priority", "value": "asap"}]},
            r"priority must be one of low, normal, high, urgent",
        ),
        (
            {"name": "x", "conditions": [{"field": "ship_state", "op": "in", "value": "AK"}]},
            r"'in' needs a non-empty list",
        ),
        ({"name": "Ok"}, r"rule 2 \(Ok\): another rule has the same name"),
    ],
)
def test_invalid_rules_name_position_and_reason(data: dict[str, object], message: str) -> None:
    good = {"name": "ok", "enabled": True, "conditions": [], "actions": [{"type": "add_tag", "value": "a"}]}
    bad = {"enabled": True, "conditions": [], "actions": [{"type": "add_tag", "value": "a"}], **data}
    with pytest.raises(InvalidInput, match=message):
        parse_rules([good, bad])


def _random_facts(rng: random.Random) -> OrderFacts:
    addressed = rng.random() > 0.2
    return FACTS._replace(
        store=rng.choice(["Demo US", "Brand UK"]),
        skus=tuple(rng.sample(["GLASS-1", "GLASS-2", "MUG-1", "PLATE-9", "steel-3"], rng.randint(1, 3))),
        units=rng.randint(1, 8),
        lines=rng.randint(1, 3),
        ship_country=rng.choice(["US", "CA"]) if addressed else None,
        ship_state=rng.choice(["TX", "AK", "HI", "ny", ""]) if addressed else None,
        ship_postal_code=rng.choice(["99501", "96801", "10001"]) if addressed else None,
        is_prime=rng.random() > 0.5,
        is_premium=rng.choice([None, True, False]),
        latest_ship_date=rng.choice([None, "2026-12-06T09:00:00Z", "2026-12-07T18:00:00Z"]),
    )


VALUES: dict[str, list[object]] = {
    "text": ["TX", "ak", "Demo US", "GLASS-1", "US", "995", "mug"],
    "skus": ["GLASS-1", "glass", "MUG-1", "steel"],
    "number": [1, 3, 5, 24, 2.0, 4.5],
    "bool": [True, False],
    "time": ["10:00", "17:00"],
}


def test_batch_matching_agrees_with_evaluating_each_order() -> None:
    rng = random.Random(15)
    facts = {i: _random_facts(rng) for i in range(300)}
    shared = FactIndex(facts)  # as in the import: one index answers every rule of the batch
    for _ in range(400):
        conditions = []
        for _ in range(rng.randint(1, 3)):
            field = rng.choice(list(FIELDS))
            kind = FIELDS[field][0]
            ops = {"text": ["equals", "not_equals", "in", "not_in", "starts_with", "contains"]}
            ops["skus"] = ops["text"]
            ops["number"] = ["equals", "not_equals", "in", "not_in", "greater_than", "less_than"]
            ops["bool"] = ["equals", "not_equals"]
            ops["time"] = ["equals", "greater_than", "less_than"]
            op = rng.choice(ops[kind])
            value: object = rng.choice(VALUES[kind])
            if op in ("in", "not_in"):
                value = rng.sample(VALUES[kind], 2)
            conditions.append((field, op, value))
        r = rule(*conditions)
        expected = [i for i, f in facts.items() if evaluate(r, f, NOW).matched]
        assert matching_orders(r, facts, FactIndex(facts), NOW) == expected, conditions
        assert matching_orders(r, facts, shared, NOW) == expected, conditions


def test_hold_kinds_and_priorities_are_the_schemas_check_lists() -> None:
    import re
    from importlib import resources

    from fbm_desk.db.states import HoldKind, Priority

    schema = resources.files("fbm_desk.db").joinpath("schema_rules.sql").read_text(encoding="utf-8")

    def allowed(column: str) -> set[str]:
        match = re.search(rf"CHECK \({column} IN \(([^)]*)\)\)", schema)
        assert match is not None, column
        return set(re.findall(r"'([^']*)'", match.group(1)))

    assert {k.value for k in HoldKind} == allowed("kind")
    assert {p.value for p in Priority} == allowed("priority")
