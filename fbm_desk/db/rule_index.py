"""The import's batch matcher: which orders of a page each rule matches, without testing every order against
every rule. Agrees with ``fbm_desk.db.rule_engine.evaluate`` order by order (tests/test_rule_engine.py).

It runs on every imported page (100 orders, 50 rules), so the per-page work is kept to the orders' values:
what depends only on a condition (its normalized values, its test) is worked out once per condition and kept
across pages (``_prepare``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Set
from datetime import datetime
from operator import attrgetter
from typing import Any, NamedTuple

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

_MULTI = frozenset({"sku", "marketplace", "ship_by_time", "ship_by_hours"})  # a tuple of values per order
_EQUALITY = frozenset({"equals", "in", "not_equals", "not_in"})
_NONE: frozenset[int] = frozenset()


class _Prepared(NamedTuple):
    """What a condition needs on every page, worked out once."""

    key: tuple[str, str, str]  # the same condition in two rules is answered once per page
    field: str
    multi: bool
    op: str
    negated: bool
    wanted: frozenset[Any]  # equality operators: the normalized values
    target: Any  # other operators: the normalized value
    test: Callable[[Any], bool]


_prepared: dict[int, tuple[Condition, _Prepared]] = {}  # id(condition) -> (condition, prepared)


def _prepare(cond: Condition) -> _Prepared:
    found = _prepared.get(id(cond))
    if found is not None and found[0] is cond:
        return found[1]
    kind = FIELDS[cond.field][0]
    equality = cond.op in _EQUALITY
    values = cond.value if cond.op in ("in", "not_in") else [cond.value]
    prepared = _Prepared(
        key=(cond.field, cond.op, repr(cond.value)),
        field=cond.field,
        multi=cond.field in _MULTI,
        op=cond.op,
        negated=negated(cond),
        wanted=frozenset(norm(kind, v) for v in values) if equality else frozenset(),
        target=None if equality else norm(kind, cond.value),
        test=predicate(cond),
    )
    if len(_prepared) > 4096:  # rules lists come and go (each parsed list is new objects): stay small
        _prepared.clear()
    _prepared[id(cond)] = (cond, prepared)  # holding the condition keeps its id from being reused
    return prepared


def matching_orders(
    rule: RuleSpec, facts: Mapping[int, OrderFacts], index: FactIndex, now: datetime
) -> list[int]:
    """The order ids (of ``facts``) the rule matches, without testing every order against every rule: each
    condition is answered from ``index`` (value -> orders, shared by rules with the same condition) and the
    answers are intersected."""
    if not rule.enabled or not facts:
        return []
    candidates: Set[int] | None = None
    for cond in rule.conditions:
        hits = index.matching(cond, now)
        candidates = hits if candidates is None else candidates & hits
        if not candidates:
            return []
    return sorted(facts if candidates is None else candidates)


class FactIndex:
    """One batch of orders as columns (per field: the orders' normalized values), built lazily; each distinct
    condition is answered once per batch. Equality on a field is answered from the field's value -> orders
    map (built once per field, when a second condition needs it: an SKU list or twelve unit counts then cost
    lookups, not scans)."""

    def __init__(self, facts: Mapping[int, OrderFacts]) -> None:
        self._facts = facts
        self._oids = list(facts)
        self._columns: dict[str, list[Any]] = {}  # field -> the orders' values, in the order of _oids
        self._answers: dict[tuple[str, str, str], Set[int]] = {}
        self._inverted: dict[str, tuple[dict[Any, set[int]], set[int]]] = {}
        self._scanned: set[str] = set()  # scalar fields answered by one scan so far

    def _column(self, field: str, now: datetime) -> list[Any]:
        column = self._columns.get(field)
        if column is None:
            kind = FIELDS[field][0]
            facts = self._facts.values()
            if field == "marketplace":  # the id and the code, as in ``fact``
                column = [(f.marketplace.casefold(), f.marketplace_code.casefold()) for f in facts]
            elif kind == "text":
                column = [v if v is None else v.casefold() for v in map(attrgetter(field), facts)]
            elif kind == "skus":  # the one multi-valued fact read on every import: casefolded in one pass
                column = [tuple([s.casefold() for s in f.skus]) for f in facts]
            elif kind in ("number", "bool") and field != "ship_by_hours":
                column = list(map(attrgetter(field), facts))
            else:
                column = [fact_values(kind, fact(f, field, now)) for f in facts]
            self._columns[field] = column
        return column

    def _invert(self, p: _Prepared, column: list[Any]) -> tuple[dict[Any, set[int]], set[int]]:
        found = self._inverted.get(p.field)
        if found is None:
            inverted: dict[Any, set[int]] = {}
            known: set[int] = set()
            for oid, vs in zip(self._oids, column, strict=True):
                if vs is not None:
                    known.add(oid)
                    for v in vs if p.multi else (vs,):
                        inverted.setdefault(v, set()).add(oid)
            found = self._inverted[p.field] = (inverted, known)
        return found

    def matching(self, cond: Condition, now: datetime) -> Set[int]:
        """The orders ``cond`` holds for (never the unknown ones). Read only: shared with later calls."""
        p = _prepare(cond)
        answer = self._answers.get(p.key)
        if answer is None:
            answer = self._answers[p.key] = self._compute(p, self._column(p.field, now))
        return answer

    def _compute(self, p: _Prepared, column: list[Any]) -> Set[int]:
        if p.op in _EQUALITY:
            if p.multi or p.field in self._inverted or p.field in self._scanned:
                inverted, known = self._invert(p, column)
                if len(p.wanted) == 1:  # the orders with that value, as they are (answers are read only)
                    hits: Set[int] = inverted.get(next(iter(p.wanted)), _NONE)
                else:
                    hits = set().union(*[inverted.get(v, _NONE) for v in p.wanted])
                return known - hits if p.negated else hits
            self._scanned.add(p.field)
            pairs, wanted = zip(self._oids, column, strict=True), p.wanted
            if p.negated:
                return {oid for oid, v in pairs if v is not None and v not in wanted}
            return {oid for oid, v in pairs if v in wanted}
        if p.multi:  # any of the order's values: test each distinct value of the batch once
            inverted = self._invert(p, column)[0]
            return set().union(*[oids for v, oids in inverted.items() if p.test(v)])
        t, pairs = p.target, zip(self._oids, column, strict=True)
        if p.op == "starts_with":
            return {oid for oid, v in pairs if v is not None and v.startswith(t)}
        if p.op == "contains":
            return {oid for oid, v in pairs if v is not None and t in v}
        if p.op == "greater_than":
            return {oid for oid, v in pairs if v is not None and v > t}
        if p.op == "less_than":
            return {oid for oid, v in pairs if v is not None and v < t}
        return {oid for oid, v in pairs if v is not None and p.test(v)}
