"""``fbm-desk store settings --name NAME [...]``: show or change a store's warehouse settings.

Public contract (issue 16): ``--feeds-warehouses NAME[,NAME]`` chooses the warehouses whose available stock
the store offers on Amazon (``--feeds-all-warehouses``: every active one, the default). Extras: ``--routing
primary|priority`` (new orders go to the primary, or to the first warehouse by priority that can ship all of
the order) and ``--allow-split`` / ``--no-split``. Without an option it prints the settings (``--json``:
``{"name","feeds_warehouses","routing","allow_split"}``; feeds_warehouses lists the names in use).
"""

from __future__ import annotations

import argparse
from typing import Any

from fbm_desk.cli.common import core_session, print_json
from fbm_desk.db import stores as store_db
from fbm_desk.db import warehouses as wh
from fbm_desk.db.transactions import transaction
from fbm_desk.db.warehouse_routing import Routing, set_store_routing, store_routing


def add_feeds_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--feeds-warehouses",
        metavar="NAME[,NAME]",
        help="offer only these warehouses' available stock on Amazon (default: every active warehouse)",
    )


def register_settings(sub: Any) -> None:
    p = sub.add_parser("settings", help="show or change a store's warehouse settings")
    p.add_argument("--name", required=True, help="store name")
    add_feeds_option(p)
    p.add_argument("--feeds-all-warehouses", action="store_true", help="offer every active warehouse's stock")
    p.add_argument("--routing", choices=[r.value for r in Routing], help="how new orders pick a warehouse")
    split = p.add_mutually_exclusive_group()
    split.add_argument(
        "--allow-split", action="store_true", default=None, help="orders may ship from several"
    )
    split.add_argument("--no-split", dest="allow_split", action="store_false", help="one warehouse per order")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_settings)


def feeds_names(text: str | None) -> list[str] | None:
    """The names of ``--feeds-warehouses``, each checked to exist (None without the option)."""
    if text is None:
        return None
    return [wh.find_warehouse(n).name for n in wh.parse_names(text)]


def cmd_settings(args: argparse.Namespace) -> int:
    with core_session(args):
        store = store_db.find_store(args.name)
        with transaction(immediate=True):
            names = feeds_names(args.feeds_warehouses)
            if names is not None or args.feeds_all_warehouses:
                wh.set_store_feeds(store.id, None if args.feeds_all_warehouses else names)
            routing = Routing(args.routing) if args.routing else None
            set_store_routing(store.id, routing, args.allow_split)
        feeds = [w.name for w in wh.store_feeds(store.id)]
        chosen = wh.feeds_chosen(store.id)
        how, split = store_routing(store.id)
    if args.json:
        print_json(
            {"name": store.name, "feeds_warehouses": feeds, "routing": how.value, "allow_split": split}
        )
        return 0
    offered = ", ".join(feeds) + ("" if chosen else " (every active warehouse)")
    print(
        f"Store '{store.name}': offers the stock of {offered}; routing {how.value}; split {'allowed' if split else 'never'}."
    )
    return 0
