"""``fbm-desk warehouse ...``: add, list, rename, set (priority, primary, ship-from), deactivate, activate.

Public contract (issue 16): ``warehouse add NAME [--primary] [--priority N]``;
``warehouse list --json`` -> ``[{"name","primary","priority","active"}]`` in routing order (lowest priority
number first). Extras: ``rename``, ``set``, ``deactivate``, ``activate``.
"""

from __future__ import annotations

import argparse
from typing import Any

from fbm_desk.cli.common import core_session, print_rows
from fbm_desk.db import warehouses as wh
from fbm_desk.foundation.errors import InvalidInput


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "warehouse", help="warehouses: add, list, rename, priority, primary, deactivate"
    )
    sub = p.add_subparsers(dest="warehouse_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="add a warehouse (its stock starts at 0)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--primary", action="store_true", help="make it the primary warehouse")
    add.add_argument("--priority", metavar="N", help="routing priority, lower first (default: last)")
    add.set_defaults(func=cmd_add)
    lst = sub.add_parser("list", help="list the warehouses in routing order")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(func=cmd_list)
    ren = sub.add_parser("rename", help="rename a warehouse")
    ren.add_argument("name", metavar="NAME")
    ren.add_argument("new_name", metavar="NEW_NAME")
    ren.set_defaults(func=cmd_rename)
    st = sub.add_parser(
        "set", help="change a warehouse's priority, make it primary, or set its ship-from address"
    )
    st.add_argument("name", metavar="NAME")
    st.add_argument("--primary", action="store_true", help="make it the primary warehouse")
    st.add_argument("--priority", metavar="N", help="routing priority, lower first")
    for field in ("name", "address1", "address2", "city", "state", "postal-code", "country", "phone"):
        st.add_argument(f"--ship-{field}", metavar="TEXT", help=f"ship-from {field.replace('-', ' ')}")
    st.set_defaults(func=cmd_set)
    for action, text in (
        ("deactivate", "stop using a warehouse (no stock, no open orders)"),
        ("activate", "use it again"),
    ):
        a = sub.add_parser(action, help=text)
        a.add_argument("name", metavar="NAME")
        a.set_defaults(func=cmd_deactivate if action == "deactivate" else cmd_activate)


def _priority(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"--priority must be a whole number, not '{text}'.") from None


def _json(w: wh.WarehouseRow) -> dict[str, object]:
    return {"name": w.name, "primary": w.is_primary, "priority": w.priority, "active": w.active}


def _text(w: wh.WarehouseRow) -> str:
    flags = (" (primary)" if w.is_primary else "") + ("" if w.active else " (inactive)")
    return f"{w.priority}\t{w.name}{flags}"


def cmd_add(args: argparse.Namespace) -> int:
    priority = _priority(args.priority)
    with core_session(args):
        w = wh.add_warehouse(args.name, primary=args.primary, priority=priority)
    print(f"Added warehouse '{w.name}' (priority {w.priority}{', primary' if w.is_primary else ''}).")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with core_session(args):
        print_rows(wh.list_warehouses(), args.json, _json, _text)
        return 0


def cmd_rename(args: argparse.Namespace) -> int:
    with core_session(args):
        w = wh.update_warehouse(wh.find_warehouse(args.name).id, name=args.new_name)
    print(f"Renamed warehouse '{args.name.strip()}' to '{w.name}'.")
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    priority = _priority(args.priority)
    with core_session(args):
        current = wh.find_warehouse(args.name)
        given = {
            f: getattr(args, f"ship_{f}")
            for f in ("name", "address1", "address2", "city", "state", "postal_code", "country", "phone")
            if getattr(args, f"ship_{f}") is not None
        }
        ship = wh.ShipFrom(**{**current.ship_from.__dict__, **given}) if given else None
        w = wh.update_warehouse(current.id, priority=priority, ship_from=ship, make_primary=args.primary)
    print(_text(w))
    return 0


def _set_active(args: argparse.Namespace, active: bool) -> int:
    with core_session(args):
        w = wh.set_active(wh.find_warehouse(args.name).id, active)
    print(f"Warehouse '{w.name}' {'activated' if active else 'deactivated'}.")
    return 0


def cmd_deactivate(args: argparse.Namespace) -> int:
    return _set_active(args, False)


def cmd_activate(args: argparse.Namespace) -> int:
    return _set_active(args, True)
