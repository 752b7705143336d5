"""``fbm-desk privacy …``: buyer data protection (issue 14).

- ``privacy purge [--as-of ISO-DATE] [--json]``: the retention job now (it also runs daily in the app): removes the
  buyer data of orders delivered more than the retention window ago, from the database and the backups; prints
  ``{"orders_purged": N, "backups_rewritten": N}``. ``--as-of`` pretends today is that date.
- ``privacy retention [--days N] [--json]``: shows or sets the window (1..30 days; default 30).
- ``privacy trail [--json]``: the access trail (who viewed, printed or exported addresses; no buyer data).
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from fbm_desk.cli.common import core_session, print_json
from fbm_desk.db.access_trail import access_rows
from fbm_desk.db.retention import purge_buyer_data, retention_days, set_retention_days
from fbm_desk.foundation.errors import InvalidInput
from fbm_desk.foundation.timestamps import parse_utc


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "privacy", help="buyer data: retention purge, retention window, access trail"
    )
    sub = parser.add_subparsers(dest="privacy_command", metavar="ACTION", required=True)
    purge = sub.add_parser("purge", help="remove buyer data past the retention window now (db and backups)")
    purge.add_argument("--as-of", metavar="ISO-DATE", help="pretend today is this date (UTC)")
    purge.add_argument(
        "--json", action="store_true", help='print {"orders_purged": N, "backups_rewritten": N}'
    )
    purge.set_defaults(func=cmd_purge)
    keep = sub.add_parser("retention", help="show or set how many days after delivery buyer data is kept")
    keep.add_argument("--days", type=int, metavar="N", help="1..30 (Amazon's maximum is 30)")
    keep.add_argument("--json", action="store_true")
    keep.set_defaults(func=cmd_retention)
    trail = sub.add_parser("trail", help="who viewed, printed or exported addresses (newest first)")
    trail.add_argument("--json", action="store_true")
    trail.set_defaults(func=cmd_trail)


def _as_of(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    value = text.strip()
    moment = parse_utc(value if "T" in value else f"{value}T00:00:00Z")
    if moment is None:
        raise InvalidInput(f"--as-of '{text}' is not a date (use e.g. 2026-12-24 or 2026-12-24T15:00:00Z).")
    return moment


def cmd_purge(args: argparse.Namespace) -> int:
    now = _as_of(args.as_of)
    with core_session(args) as core:
        result = purge_buyer_data(now, core.paths.backup_dir)
    if args.json:
        print_json({"orders_purged": result.orders_purged, "backups_rewritten": result.backups_rewritten})
    else:
        print(
            f"Buyer data of {result.orders_purged} order(s) removed (due before {result.cutoff}, "
            f"kept {result.retention_days} days); {result.backups_rewritten} backup(s) rewritten."
        )
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    with core_session(args):
        if args.days is not None:
            set_retention_days(args.days)
        days = retention_days()
    if args.json:
        print_json({"retention_days": days})
    else:
        print(f"Buyer data is kept {days} days after the latest delivery date.")
    return 0


def cmd_trail(args: argparse.Namespace) -> int:
    with core_session(args):
        rows = access_rows()
    if args.json:
        print_json([asdict(r) for r in rows])
    else:
        for r in rows:
            print(
                f"{r.at}  {r.action:<6} {r.order_count:>5} order(s)  {r.user_name}@{r.station}  {r.purpose}"
            )
    return 0
