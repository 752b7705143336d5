"""Automation rules, pure: validation of a rule's JSON, evaluation with the failed condition in words, and a
batch matcher for the import.

No database here (it lives in ``fbm_desk.db`` only so the import, in ``fbm_desk.db.order_import``, can run
rules inside its own transaction: ``db`` may not import ``domain``). Facts about an order come from
``fbm_desk.db.rule_runs.order_facts``, the one mapping from an order row to ``OrderFacts``.

Semantics: all conditions must hold. Text compares case-insensitively. ``sku`` is a list (one per line): the
positive operators hold when *any* SKU satisfies them, ``not_equals`` / ``not_in`` when *no* SKU equals /
is in the value. A fact FBM Desk does not know (``None``: no address yet, a field not read from Amazon yet)
fails every condition on it, and the explanation says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from fbm_desk.db.states import HoldKind, Priority
from fbm_desk.foundation.errors import InvalidInput
from fbm_desk.foundation.timestamps import parse_utc

TEXT_OPS = ("equals", "not_equals", "in", "not_in", "starts_with", "contains")
NUMBER_OPS = ("equals", "not_equals", "in", "not_in", "greater_than", "less_than")
BOOL_OPS = ("equals", "not_equals")
OPERATORS = ("equals", "not_equals", "in", "not_in", "starts_with", "contains", "greater_than", "less_than")
# field -> (kind, label in explanations)
FIELDS: dict[str, tuple[str, str]] = {
    "store": ("text", "store"),
    "marketplace": ("text", "marketplace"),
    "sku": ("skus", "SKU"),
    "units": ("number", "units"),
    "lines": ("number", "lines"),
    "ship_country": ("text", "ship-to country"),
    "ship_state": ("text", "ship-to state"),
    "ship_postal_code": ("text", "ship-to postal code"),
    "service_level": ("text", "service level"),
    "is_prime": ("bool", "Prime"),
    "is_business": ("bool", "Business"),
    "is_premium": ("bool", "Premium"),
    "cancel_requested": ("bool", "buyer asked to cancel"),
    "needs_mapping": ("bool", "needs mapping"),
    "ship_by_time": ("time", "ship-by time of day (UTC)"),  # "HH:MM"; less_than = before that time
    "ship_by_hours": ("number", "hours left to ship"),  # from now to the ship-by date
}
_OPS_BY_KIND = {
    "text": TEXT_OPS,
    "skus": TEXT_OPS,
    "number": NUMBER_OPS,
    "bool": BOOL_OPS,
    "time": ("equals", "greater_than", "less_than"),
}
ACTIONS = (
    "add_tag",
    "set_priority",
    "set_hold",
    "set_carrier",
    "set_method",
    "add_note",
    "notify",
    "set_warehouse",
)


class OrderFacts(NamedTuple):
    """What a condition can look at. ``None`` = not known (fails every condition on it). A named tuple: the
    import builds one per order, and it is much cheaper to build than a frozen dataclass."""

    store: str
    marketplace: str  # marketplace id
    marketplace_code: str  # e.g. US (a condition may name either)
    skus: tuple[str, ...]
    units: int
    lines: int
    ship_country: str | None
    ship_state: str | None
    ship_postal_code: str | None
    service_level: str | None
    is_prime: bool
    is_business: bool
    is_premium: bool | None
    cancel_requested: bool | None
    needs_mapping: bool
    latest_ship_date: str | None


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class Action:
    type: str
    value: Any


@dataclass(frozen=True)
class RuleSpec:
    name: str
    enabled: bool
    conditions: tuple[Condition, ...]
    actions: tuple[Action, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "enabled": self.enabled,
            "conditions": [{"field": c.field, "op": c.op, "value": c.value} for c in self.conditions],
            "actions": [{"type": a.type, "value": a.value} for a in self.actions],
        }


@dataclass(frozen=True)
class RuleResult:
    rule: str
    matched: bool
    failed_condition: str | None
    actions: tuple[Action, ...]  # what the rule does when it matches (empty when not)


# --- validation -----------------------------------------------------------------------------------------


def _check_value(where: str, kind: str, op: str, value: Any) -> Any:
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            raise InvalidInput(f"{where}: '{op}' needs a non-empty list of values.")
        return [_check_value(where, kind, "equals", v) for v in value]
    if kind == "bool":
        if not isinstance(value, bool):
            raise InvalidInput(f"{where}: the value must be true or false.")
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidInput(f"{where}: the value must be a number.")
        return value
    if kind == "time":
        if not isinstance(value, str) or _minutes(value) is None:
            raise InvalidInput(f"{where}: the value must be a time of day like 14:00.")
        return value
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{where}: the value must be non-empty text.")
    return value.strip()


def _minutes(text: str) -> int | None:
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit():
        return None
    h, m = int(hours), int(minutes)
    return h * 60 + m if 0 <= h < 24 and 0 <= m < 60 else None


def _check_action(where: str, kind: str, value: Any) -> Any:
    if kind not in ACTIONS:
        raise InvalidInput(f"{where}: unknown action '{kind}' (use one of: {', '.join(ACTIONS)}).")
    if kind == "set_priority" and value not in tuple(Priority):
        raise InvalidInput(f"{where}: priority must be one of {', '.join(Priority)}, not {value!r}.")
    if kind == "set_hold" and value not in tuple(HoldKind):
        raise InvalidInput(f"{where}: hold must be one of {', '.join(HoldKind)}, not {value!r}.")
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{where}: the value must be non-empty text.")
    return value.strip()


def parse_rule(data: Any, position: int) -> RuleSpec:
    """One rule from its JSON form; ``InvalidInput`` names the position (1-based) and the reason."""
    at = f"rule {position}"
    if not isinstance(data, dict):
        raise InvalidInput(f"{at}: a rule must be an object with name, enabled, conditions and actions.")
    unknown = set(data) - {"name", "enabled", "conditions", "actions"}
    if unknown:
        raise InvalidInput(f"{at}: unknown key(s) {', '.join(sorted(unknown))}.")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(f"{at}: 'name' must be non-empty text.")
    at = f"rule {position} ({name.strip()})"
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        raise InvalidInput(f"{at}: 'enabled' must be true or false.")
    raw_conditions, raw_actions = data.get("conditions", []), data.get("actions")
    if not isinstance(raw_conditions, list):
        raise InvalidInput(f"{at}: 'conditions' must be a list.")
    if not isinstance(raw_actions, list) or not raw_actions:
        raise InvalidInput(f"{at}: 'actions' must be a non-empty list.")
    conditions = []
    for n, c in enumerate(raw_conditions, 1):
        where = f"{at}, condition {n}"
        if not isinstance(c, dict) or set(c) != {"field", "op", "value"}:
            raise InvalidInput(f'{where}: a condition is {{"field", "op", "value"}}.')
        field, op = c["field"], c["op"]
        if field not in FIELDS:
            raise InvalidInput(f"{where}: unknown field '{field}' (use one of: {', '.join(FIELDS)}).")
        kind = FIELDS[field][0]
        if op not in _OPS_BY_KIND[kind]:
            allowed = ", ".join(_OPS_BY_KIND[kind])
            what = "unknown operator" if op not in OPERATORS else "operator not allowed for this field"
            raise InvalidInput(f"{where}: {what} '{op}' for '{field}' (use one of: {allowed}).")
        conditions.append(Condition(field, op, _check_value(where, kind, op, c["value"])))
    actions = []
    for n, a in enumerate(raw_actions, 1):
        where = f"{at}, action {n}"
        if not isinstance(a, dict) or set(a) != {"type", "value"}:
            raise InvalidInput(f'{where}: an action is {{"type", "value"}}.')
        actions.append(Action(a["type"], _check_action(where, a["type"], a["value"])))
    return RuleSpec(name.strip(), enabled, tuple(conditions), tuple(actions))


def parse_rules(data: Any) -> list[RuleSpec]:
    """A whole rules file (a JSON list); names must be unique."""
    if not isinstance(data, list):
        raise InvalidInput("A rules file is a JSON list of rules.")
    rules = [parse_rule(r, n) for n, r in enumerate(data, 1)]
    seen: set[str] = set()
    for n, r in enumerate(rules, 1):
        if r.name.casefold() in seen:
            raise InvalidInput(f"rule {n} ({r.name}): another rule has the same name.")
        seen.add(r.name.casefold())
    return rules


def rule_from_stored(name: str, enabled: bool, conditions: str, actions: str) -> RuleSpec:
    """A rule as stored (validated on the way in)."""
    return parse_rule(
        {
            "name": name,
            "enabled": enabled,
            "conditions": json.loads(conditions),
            "actions": json.loads(actions),
        },
        0,
    )


# --- evaluation -----------------------------------------------------------------------------------------


def fact(facts: OrderFacts, field: str, now: datetime) -> Any:
    if field == "ship_by_time":
        moment = parse_utc(facts.latest_ship_date) if facts.latest_ship_date else None
        return None if moment is None else moment.hour * 60 + moment.minute
    if field == "ship_by_hours":
        moment = parse_utc(facts.latest_ship_date) if facts.latest_ship_date else None
        return None if moment is None else (moment - now).total_seconds() / 3600
    if field == "sku":
        return facts.skus
    if field == "marketplace":
        return (facts.marketplace, facts.marketplace_code)
    return getattr(facts, field)


def norm(kind: str, value: Any) -> Any:
    if kind in ("text", "skus"):
        return str(value).casefold()
    if kind == "time":
        return _minutes(str(value))
    return value


def predicate(cond: Condition) -> Callable[[Any], bool]:
    """A test of one known, normalized scalar value (text casefolded, time as minutes)."""
    kind = FIELDS[cond.field][0]
    if cond.op in ("in", "not_in"):
        wanted = frozenset(norm(kind, v) for v in cond.value)
        return wanted.__contains__
    target = norm(kind, cond.value)
    tests: dict[str, Callable[[Any], bool]] = {
        "equals": lambda v: bool(v == target),
        "not_equals": lambda v: bool(v == target),  # negated by the caller (see ``negated``)
        "starts_with": lambda v: str(v).startswith(target),
        "contains": lambda v: target in str(v),
        "greater_than": lambda v: bool(v > target),
        "less_than": lambda v: bool(v < target),
    }
    return tests[cond.op]


def negated(cond: Condition) -> bool:
    """``not_equals`` / ``not_in``: true when no known value satisfies the positive test."""
    return cond.op in ("not_equals", "not_in")


def fact_values(kind: str, raw: Any) -> tuple[Any, ...] | None:
    """The fact as a tuple of normalized values (several for SKUs and marketplace); None when unknown."""
    if raw is None:
        return None
    if kind == "skus" or isinstance(raw, tuple):
        return tuple(norm(kind, v) for v in raw)
    return (raw if kind != "text" else norm(kind, raw),)


def condition_holds(cond: Condition, facts: OrderFacts, now: datetime) -> bool | None:
    """True/False, or None when the fact is unknown (the condition fails)."""
    kind = FIELDS[cond.field][0]
    values = fact_values(kind, fact(facts, cond.field, now))
    if values is None:
        return None
    test = predicate(cond)
    hit = any(test(v) for v in values)
    return not hit if negated(cond) else hit


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "/".join(_show(v) for v in value)
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def explain_failure(cond: Condition, facts: OrderFacts, now: datetime) -> str:
    """Why ``cond`` does not hold for this order, in words (e.g. "ship-to state was TX, not AK/HI")."""
    label = FIELDS[cond.field][1]
    raw = fact(facts, cond.field, now)
    if raw is None:
        return f"{label} is not known for this order yet"
    expected = _show(cond.value)
    if cond.field == "sku":
        shown = ", ".join(facts.skus) or "none"
        if negated(cond):
            return f"an SKU is {'one of ' if cond.op == 'not_in' else ''}{expected} (SKUs: {shown})"
        verb = {"starts_with": "starts with", "contains": "contains", "in": "is one of"}.get(cond.op, "is")
        return f"no SKU {verb} {expected} (SKUs: {shown})"
    if cond.field == "marketplace":
        raw = facts.marketplace_code or facts.marketplace
    elif cond.field == "ship_by_time":
        raw = f"{raw // 60:02d}:{raw % 60:02d}"
    verb = "were" if cond.field in ("units", "lines") else "was"
    if cond.op == "not_equals":
        return f"{label} {verb} {_show(raw)}"
    if cond.op == "not_in":
        return f"{label} {verb} {_show(raw)}, one of {expected}"
    word = {"starts_with": "starting with ", "contains": "containing ", "greater_than": "more than "}.get(
        cond.op, "less than " if cond.op == "less_than" else ""
    )
    return f"{label} {verb} {_show(raw)}, not {word}{expected}"


def evaluate(rule: RuleSpec, facts: OrderFacts, now: datetime) -> RuleResult:
    """Matched or not, and the first condition that failed (in words)."""
    if not rule.enabled:
        return RuleResult(rule.name, False, "the rule is off", ())
    for cond in rule.conditions:
        if not condition_holds(cond, facts, now):
            return RuleResult(rule.name, False, explain_failure(cond, facts, now), ())
    return RuleResult(rule.name, True, None, rule.actions)
