"""What rules and staff put on an order: tags, priority, packing notes, the default carrier/method, holds,
and the rules explanation of the detail panel ("Rules: 2 applied, 1 skipped — ship-to state was TX, ...")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from fbm_desk.db import dialect, events
from fbm_desk.db.holds import HoldRow, active_holds
from fbm_desk.db.rule_engine import evaluate
from fbm_desk.db.rule_runs import evaluate_order, facts_for, open_order_ids
from fbm_desk.db.rules import list_rules
from fbm_desk.db.states import OrderState
from fbm_desk.db.transactions import transaction
from fbm_desk.foundation.errors import InvalidInput


@dataclass(frozen=True)
class OrderMarks:
    tags: tuple[str, ...]
    priority: str
    holds: tuple[HoldRow, ...]
    notes: tuple[tuple[str, str], ...]  # (source, text), oldest first
    default_carrier: str
    default_method: str


def _in(ids: list[int]) -> str:
    return ", ".join("?" for _ in ids)


def order_marks(order_ids: Iterable[int]) -> dict[int, OrderMarks]:
    """Marks per order (a few queries per 500 orders)."""
    ids = list(order_ids)
    out: dict[int, OrderMarks] = {}
    holds = active_holds(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        tags: dict[int, list[str]] = {i: [] for i in chunk}
        notes: dict[int, list[tuple[str, str]]] = {i: [] for i in chunk}
        sql_tags = f"SELECT order_id, tag FROM order_tag WHERE order_id IN ({_in(chunk)}) ORDER BY tag"  # noqa: S608
        for oid, tag in dialect.execute(sql_tags, chunk).fetchall():
            tags[int(oid)].append(str(tag))
        sql_notes = (
            f"SELECT order_id, source, text FROM order_note WHERE order_id IN ({_in(chunk)}) ORDER BY id"  # noqa: S608
        )
        for oid, source, text in dialect.execute(sql_notes, chunk).fetchall():
            notes[int(oid)].append((str(source), str(text)))
        sql = f"SELECT id, priority, default_carrier, default_method FROM orders WHERE id IN ({_in(chunk)})"  # noqa: S608
        for oid, priority, carrier, method in dialect.execute(sql, chunk).fetchall():
            i = int(oid)
            out[i] = OrderMarks(
                tuple(tags[i]), str(priority), tuple(holds[i]), tuple(notes[i]), str(carrier), str(method)
            )
    return out


@dataclass(frozen=True)
class RulesExplanation:
    applied: tuple[str, ...]  # rule names that fired on the order
    skipped: tuple[tuple[str, str], ...]  # (rule, why) for enabled rules that did not fire
    waiting: bool  # Amazon still holds the order: no rule has run yet

    def headline(self) -> str:
        if self.waiting:
            return "Rules: none run yet — they run when Amazon releases the order"
        text = f"Rules: {len(self.applied)} applied, {len(self.skipped)} skipped"
        return text + (f" — {self.skipped[0][1]}" if self.skipped else "")


def explain_rules(order_id: int) -> RulesExplanation:
    """Which rules fired on the order, and for the others the condition that fails now."""
    row = dialect.execute("SELECT state FROM orders WHERE id = ?", [order_id]).fetchone()
    fired = {
        str(r[0])
        for r in dialect.execute(
            "SELECT r.name FROM rule_firing f JOIN rule r ON r.id = f.rule_id WHERE f.order_id = ?",
            [order_id],
        ).fetchall()
    }
    applied, skipped = [], []
    for result in evaluate_order(order_id):
        if result.rule in fired:
            applied.append(result.rule)
        elif result.failed_condition != "the rule is off":
            skipped.append((result.rule, result.failed_condition or "added after the order was released"))
    return RulesExplanation(tuple(applied), tuple(skipped), row is not None and row[0] == OrderState.HELD)


@dataclass(frozen=True)
class RuleTally:
    """One rule tested against all open orders."""

    rule: str
    matched: int
    tested: int
    top_reason: str  # the most common failed condition ("" when none failed)


def tally_open_orders(limit: int = 20_000) -> list[RuleTally]:
    """Every rule against the open (released) orders, newest first up to ``limit``: how many match, and the
    commonest reason the others do not."""
    rules = list_rules()
    if not rules:
        return []  # nothing to tally: the open orders are not read
    ids = open_order_ids()[-limit:]
    facts = facts_for(ids)
    moment = datetime.now(UTC)
    out = []
    for stored in rules:
        reasons: Counter[str] = Counter()
        matched = 0
        for f in facts.values():
            result = evaluate(stored.spec, f, moment)
            if result.matched:
                matched += 1
            else:
                reasons[result.failed_condition or ""] += 1
        top = reasons.most_common(1)
        out.append(
            RuleTally(stored.spec.name, matched, len(facts), f"{top[0][0]} ({top[0][1]}×)" if top else "")
        )
    return out


def rule_notices_after(last_id: int) -> list[tuple[int, str]]:
    """(event id, text) of rules' ``notify`` actions written after event ``last_id`` (the desktop
    notifications); ``last_id`` -1 asks only for the newest id, as ``[(id, "")]``."""
    if last_id < 0:
        row = dialect.execute("SELECT coalesce(max(id), 0) FROM order_event").fetchone()
        return [(int(row[0]), "")]
    rows = dialect.execute(
        "SELECT id, message FROM order_event WHERE id > ? AND kind = ? ORDER BY id LIMIT 50",
        [last_id, events.RULE_NOTIFY],
    ).fetchall()
    return [(int(i), str(m)) for i, m in rows]


def tag_orders(order_ids: Iterable[int], tag: str) -> int:
    """Add ``tag`` to every order (one transaction, a timeline event each); returns how many gained it."""
    tag = tag.strip()
    if not tag:
        raise InvalidInput("Type the tag to add.")
    added = 0
    with transaction(immediate=True):
        for oid in order_ids:
            cur = dialect.execute("INSERT OR IGNORE INTO order_tag (order_id, tag) VALUES (?, ?)", (oid, tag))
            if cur.rowcount:
                events.add_event(oid, events.TAGGED, f"Tagged {tag}")
                added += 1
    return added
