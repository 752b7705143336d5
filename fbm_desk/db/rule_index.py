"""The import's batch matcher: which orders of a page each rule matches, without testing every order against
every rule. Agrees with ``fbm_desk.db.rule_engine.evaluate`` order by order (tests/test_rule_engine.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fbm_desk.db.rule_engine import (
    FIELDS,
    Condition,
    OrderFacts,
    RuleSpec,
    fact,
    fact_values,
    negated,
    norm,
    predicate,
)


def matching_orders(
    rule: RuleSpec, facts: Mapping[int, OrderFacts], index: FactIndex, now: datetime
) -> list[int]:
    """The order ids (of ``facts``) the rule matches, without testing every order against every rule: each
    condition is answered from ``index`` (value -> orders, shared by rules with the same condition) and the
    answers are intersected."""
    if not rule.enabled or not facts:
        return []
    candidates: set[int] | None = None
    for cond in rule.conditions:
        hits = index.matching(cond, now)
        candidates = set(hits) if candidates is None else candidates & hits
        if not candidates:
            return []
    return sorted(facts if candidates is None else candidates)


class FactIndex:
    """One batch of orders as columns (per field: order id, normalized value), built lazily; each distinct
    condition is answered once per batch with a set comprehension over its column."""

    def __init__(self, facts: Mapping[int, OrderFacts]) -> None:
        self._facts = facts
        self._columns: dict[str, list[tuple[int, Any]]] = {}
        self._answers: dict[tuple[str, str, str], frozenset[int]] = {}
        self._inverted: dict[str, tuple[dict[Any, set[int]], set[int]]] = {}

    def _column(self, field: str, now: datetime) -> list[tuple[int, Any]]:
        column = self._columns.get(field)
        if column is None:
            kind = FIELDS[field][0]
            items = self._facts.items()
            if kind == "text" and field != "marketplace":
                column = [
                    (oid, None if (v := getattr(f, field)) is None else v.casefold()) for oid, f in items
                ]
            elif kind == "skus":  # the one multi-valued fact read on every import: casefolded in one pass
                column = [(oid, tuple([s.casefold() for s in f.skus])) for oid, f in items]
            elif kind in ("number", "bool") and field != "ship_by_hours":
                column = [(oid, getattr(f, field)) for oid, f in items]
            else:
                column = [(oid, fact_values(kind, fact(f, field, now))) for oid, f in items]
            self._columns[field] = column
        return column

    def _invert(self, field: str, column: list[tuple[int, Any]]) -> tuple[dict[Any, set[int]], set[int]]:
        found = self._inverted.get(field)
        if found is None:
            inverted: dict[Any, set[int]] = {}
            known: set[int] = set()
            for oid, vs in column:
                if vs is not None:
                    known.add(oid)
                    for v in vs:
                        inverted.setdefault(v, set()).add(oid)
            found = self._inverted[field] = (inverted, known)
        return found

    def matching(self, cond: Condition, now: datetime) -> frozenset[int]:
        """The orders ``cond`` holds for (never the unknown ones)."""
        key = (cond.field, cond.op, repr(cond.value))
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = frozenset(self._compute(cond, now))
        return answer

    def _compute(self, cond: Condition, now: datetime) -> set[int]:
        column = self._column(cond.field, now)
        kind = FIELDS[cond.field][0]
        several = kind in ("skus", "time") or cond.field in ("marketplace", "ship_by_hours")
        if cond.op in ("equals", "in", "not_equals", "not_in"):
            wanted = {norm(kind, v) for v in (cond.value if cond.op in ("in", "not_in") else [cond.value])}
            if several:  # value -> orders, built once per field: an SKU list is answered by lookups
                inverted, known = self._invert(cond.field, column)
                hits: set[int] = set().union(*(inverted.get(v, ()) for v in wanted))
                return known - hits if negated(cond) else hits
            if negated(cond):
                return {oid for oid, v in column if v is not None and v not in wanted}
            return {oid for oid, v in column if v in wanted}
        test = predicate(cond)
        if several:
            return {oid for oid, vs in column if vs is not None and any(map(test, vs))}
        return {oid for oid, v in column if v is not None and test(v)}
