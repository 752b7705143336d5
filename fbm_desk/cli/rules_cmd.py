"""``fbm-desk rules import FILE | list --json | test ORDER_ID --json | apply --open [--dry-run] --json``.

Public contract (issue 15): a rule is ``{"name","enabled","conditions":[{"field","op","value"}],
"actions":[{"type","value"}]}``; ``rules test`` prints ``[{"rule","matched","failed_condition","actions"}]``;
``rules apply`` prints ``[{"amazon_order_id","rule","actions"}]`` (what fired, or would with ``--dry-run``).
``rules import`` replaces the list; an invalid file exits 2 naming the rule's position and the reason, and
changes nothing.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from fbm_desk.cli.common import core_session, print_json
from fbm_desk.db.orders import find_order
from fbm_desk.db.rule_engine import Action
from fbm_desk.db.rule_runs import apply_to_open, describe_action, evaluate_order
from fbm_desk.db.rules import list_rules, replace_rules
from fbm_desk.foundation.errors import InvalidInput, NotFound


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("rules", help="automation rules: import, list, test, apply to open orders")
    sub = p.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    imp = sub.add_parser("import", help="replace the rule list with a JSON file (a list of rules)")
    imp.add_argument("file", metavar="FILE")
    imp.set_defaults(func=cmd_import)
    lst = sub.add_parser("list", help="the rules, top to bottom")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(func=cmd_list)
    test = sub.add_parser("test", help="every rule against one order: matched, or the condition that failed")
    test.add_argument("order_id", metavar="ORDER_ID", help="Amazon order id")
    test.add_argument("--json", action="store_true", help="print JSON")
    test.set_defaults(func=cmd_test)
    app = sub.add_parser("apply", help="run the rules on open (released) orders they have not run on")
    app.add_argument("--open", action="store_true", required=True, help="all open released orders")
    app.add_argument("--dry-run", action="store_true", help="only show what would change")
    app.add_argument("--json", action="store_true", help="print JSON")
    app.set_defaults(func=cmd_apply)


def _actions(actions: tuple[Action, ...]) -> list[dict[str, object]]:
    return [{"type": a.type, "value": a.value} for a in actions]


def amazon_order(text: str) -> int:
    """The local id of the order with this Amazon order id (never a row number)."""
    row = find_order(text)
    if row.amazon_order_id != text.strip():
        raise NotFound(f"Unknown order '{text}': no imported order has this Amazon order id.")
    return row.id


def cmd_import(args: argparse.Namespace) -> int:
    try:
        data = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"Cannot read the rules file {args.file}: {exc.strerror}.") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            f"The rules file {args.file} is not valid JSON ({exc}). Nothing was changed."
        ) from exc
    with core_session(args):
        try:
            rules = replace_rules(data)
        except InvalidInput as exc:
            raise InvalidInput(f"{exc.user_message} Nothing was changed.") from exc
        print(f"{len(rules)} rule(s) stored.")
        return 0


def cmd_list(args: argparse.Namespace) -> int:
    with core_session(args):
        rules = [r.spec for r in list_rules()]
        if args.json:
            print_json([r.to_json() for r in rules])
        for n, r in enumerate(rules if not args.json else [], 1):
            state = "on " if r.enabled else "off"
            print(f"{n:>3}. [{state}] {r.name}: " + ", ".join(map(describe_action, r.actions)))
        return 0


def cmd_test(args: argparse.Namespace) -> int:
    with core_session(args):
        results = evaluate_order(amazon_order(args.order_id))
        if args.json:
            print_json(
                [
                    {
                        "rule": r.rule,
                        "matched": r.matched,
                        "failed_condition": r.failed_condition,
                        "actions": _actions(r.actions),
                    }
                    for r in results
                ]
            )
        for r in results if not args.json else []:
            print(f"{r.rule}: " + ("matched" if r.matched else f"skipped — {r.failed_condition}"))
        return 0


def cmd_apply(args: argparse.Namespace) -> int:
    with core_session(args):
        firings = apply_to_open(dry_run=args.dry_run)
        if args.json:
            print_json(
                [
                    {"amazon_order_id": f.amazon_order_id, "rule": f.rule, "actions": _actions(f.actions)}
                    for f in firings
                ]
            )
        else:
            for f in firings:
                print(f"{f.amazon_order_id}: {f.rule}: " + ", ".join(map(describe_action, f.actions)))
            verb = "would fire" if args.dry_run else "fired"
            print(f"{len(firings)} rule firing(s) {verb}.")
        return 0
