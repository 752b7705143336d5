"""``fbm-desk orders hold ORDER_ID --type operator|address|fraud [--until ISO] [--reason TEXT]`` and
``fbm-desk orders release ORDER_ID --type TYPE --reason TEXT`` (issue 15). An order with any hold cannot be
packed (``ship`` exits 2 naming the hold)."""

from __future__ import annotations

import argparse
import getpass
from typing import Any

from fbm_desk.cli.common import core_session
from fbm_desk.cli.rules_cmd import amazon_order
from fbm_desk.db.holds import place_hold, release_hold
from fbm_desk.db.states import PAYMENT_HOLD, HoldKind
from fbm_desk.foundation.errors import InvalidInput
from fbm_desk.foundation.timestamps import iso_utc, parse_utc

KINDS = tuple(k.value for k in HoldKind)


def register_actions(sub: Any) -> None:
    """Add ``hold`` and ``release`` to the ``orders`` command."""
    hold = sub.add_parser("hold", help="put an order on hold (it cannot be packed until released)")
    hold.add_argument("order_id", metavar="ORDER_ID", help="Amazon order id")
    hold.add_argument("--type", required=True, choices=KINDS, dest="kind", help=" | ".join(KINDS))
    hold.add_argument("--until", metavar="ISO", help="the hold lapses at this date/time (UTC)")
    hold.add_argument("--reason", default="", metavar="TEXT", help="why (shown in the timeline)")
    hold.set_defaults(func=cmd_hold)
    rel = sub.add_parser("release", help="release an order's hold, with a reason")
    rel.add_argument("order_id", metavar="ORDER_ID", help="Amazon order id")
    rel.add_argument(
        "--type", required=True, choices=(*KINDS, PAYMENT_HOLD), dest="kind", help=" | ".join(KINDS)
    )
    rel.add_argument("--reason", required=True, metavar="TEXT", help="why it is released")
    rel.set_defaults(func=cmd_release)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


def _until(text: str | None) -> str | None:
    if text is None:
        return None
    value = text.strip()
    moment = parse_utc(value if "T" in value else f"{value}T00:00:00Z")
    if moment is None:
        raise InvalidInput(f"--until '{text}' is not a date (use e.g. 2026-12-24 or 2026-12-24T15:00:00Z).")
    return iso_utc(moment)


def cmd_hold(args: argparse.Namespace) -> int:
    until = _until(args.until)
    with core_session(args):
        new = place_hold(amazon_order(args.order_id), args.kind, until=until, reason=args.reason, by=_user())
        state = "put on" if new else "already on"
        print(
            f"Order {args.order_id.strip()} {state} {args.kind} hold" + (f" until {until}." if until else ".")
        )
        return 0


def cmd_release(args: argparse.Namespace) -> int:
    with core_session(args):
        release_hold(amazon_order(args.order_id), args.kind, reason=args.reason, by=_user())
        print(f"Order {args.order_id.strip()}: {args.kind} hold released.")
        return 0
