"""``fbm-desk store ...``: add (paste a refresh token), connect (browser consent), list, and maintenance.

Public contract (issue 5; options and JSON fields must not change):
- ``store add --name NAME --marketplace CODE --selling-partner-id ID --refresh-token-stdin [--import-pending]
  [--starting-inventory match|zero] [--no-download-products-orders]``
- ``store connect --name NAME --marketplace CODE [--no-browser] [--timeout SECONDS] [same options]``: the
  first stdout line is the consent URL; exit 0 once connected.
- ``store list --json`` -> ``[{"name","marketplace_id","selling_partner_id","status","import_pending",
  "starting_inventory","secret_storage"}]``
- ``store add``/``store connect`` ``--feeds-warehouses NAME[,NAME]`` and ``store settings`` (issue 16,
  ``store_settings_cmd.py``).
Extras: ``--remove-stock-external`` and ``--port`` options; ``store reconnect|check|disable|enable|remove``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import webbrowser
from typing import Any

from fbm_desk.amazon.errors import AccessDenied, AuthorizationRevoked
from fbm_desk.amazon.marketplaces import by_code, by_id
from fbm_desk.cli.common import core_session, print_json
from fbm_desk.cli.store_settings_cmd import add_feeds_option, feeds_names, register_settings
from fbm_desk.core import CoreServices
from fbm_desk.db import stores as store_db
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.states import StoreStatus
from fbm_desk.db.warehouses import set_store_feeds
from fbm_desk.domain.authorization import check_refresh_token_format, check_seller_id, try_refresh_token
from fbm_desk.domain.stores import StoreOptions, add_store, remove_store, replace_token
from fbm_desk.foundation.errors import InvalidInput
from fbm_desk.oauth.flow import DEFAULT_TIMEOUT_S, ConnectFlow, ConnectRequest, ConnectResult

EXIT_OK = 0
EXIT_FAILED = 1


def register(subparsers: Any) -> None:
    store = subparsers.add_parser("store", help="connect and manage Amazon stores")
    sub = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)

    add = sub.add_parser(
        "add", help="add a store with a refresh token (self-authorized app), read from stdin"
    )
    _identity(add)
    add.add_argument("--selling-partner-id", required=True, metavar="ID", help="seller id (Merchant Token)")
    add.add_argument(
        "--refresh-token-stdin", action="store_true", required=True, help="read the refresh token from stdin"
    )
    _options(add)
    add.set_defaults(func=cmd_add)

    connect = sub.add_parser("connect", help="connect a store through Amazon's consent page in a browser")
    _identity(connect)
    _browser(connect)
    _options(connect)
    connect.set_defaults(func=cmd_connect)

    lst = sub.add_parser("list", help="list the stores")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(func=cmd_list)

    rec = sub.add_parser(
        "reconnect", help="renew a store's authorization in place (orders and settings kept)"
    )
    rec.add_argument("--name", required=True, help="store name")
    rec.add_argument("--refresh-token-stdin", action="store_true", help="use a pasted refresh token instead")
    _browser(rec)
    rec.set_defaults(func=cmd_reconnect)

    check = sub.add_parser("check", help="check a store's connection (getMarketplaceParticipations)")
    check.add_argument("--name", required=True, help="store name")
    check.set_defaults(func=cmd_check)

    for action, helptext in (("disable", "stop syncing a store"), ("enable", "resume syncing a store")):
        p = sub.add_parser(action, help=helptext)
        p.add_argument("--name", required=True, help="store name")
        p.set_defaults(func=cmd_disable if action == "disable" else cmd_enable)

    rm = sub.add_parser("remove", help="delete a store and its local orders, products and history")
    rm.add_argument("--name", required=True, help="store name")
    rm.add_argument("--yes", action="store_true", help="confirm the deletion")
    rm.set_defaults(func=cmd_remove)
    register_settings(sub)


def _identity(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--name", required=True, help='store name, e.g. "Acme US" (brand name + Amazon marketplace)'
    )
    p.add_argument("--marketplace", required=True, metavar="CODE", help="marketplace code (US, UK, DE, ...)")


def _browser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-browser", action="store_true", help="print the consent URL instead of opening it")
    p.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="SECONDS", help="how long to wait (600)"
    )
    p.add_argument(
        "--port", type=int, default=0, help="loopback port for Amazon's redirect (0 = any free port)"
    )


def _options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--import-pending", action="store_true", help="import pending orders with a payment hold")
    p.add_argument("--starting-inventory", choices=("match", "zero"), default="match")
    p.add_argument(
        "--no-download-products-orders",
        action="store_true",
        help="do not download products and orders created in Amazon",
    )
    p.add_argument(
        "--remove-stock-external",
        action="store_true",
        help="remove stock for fulfillments created in Amazon and not here",
    )
    add_feeds_option(p)


def _store_options(args: argparse.Namespace) -> StoreOptions:
    return StoreOptions(
        download_products_orders=not args.no_download_products_orders,
        import_pending=bool(args.import_pending),
        starting_inventory=args.starting_inventory,
        remove_stock_external=bool(args.remove_stock_external),
    )


def _read_token() -> str:
    if sys.stdin.isatty():
        token = getpass.getpass("Refresh token: ")
    else:  # bytes: a token that is not plain text is refused here, not stored to fail every sync later
        try:
            token = sys.stdin.buffer.read().decode("ascii")
        except UnicodeDecodeError:
            raise InvalidInput(
                "The refresh token on stdin is not plain text (it starts with Atzr| and is ASCII)."
            ) from None
    token = token.strip()
    if not token:
        raise InvalidInput("No refresh token on stdin (pipe it in: ... --refresh-token-stdin < token.txt).")
    if any(ch.isspace() for ch in token):
        raise InvalidInput("The refresh token must be a single line without spaces.")
    return token


def _check_timeout(args: argparse.Namespace) -> None:
    if not args.timeout > 0:
        raise InvalidInput("--timeout must be a positive number of seconds.")
    if not 0 <= args.port <= 65535:
        raise InvalidInput("--port must be between 0 and 65535.")


def _market_code(store: StoreRow) -> str:
    market = by_id(store.marketplace_id)
    return market.code if market else store.marketplace_id


def store_json(store: StoreRow) -> dict[str, Any]:
    return {
        "name": store.name,
        "marketplace_id": store.marketplace_id,
        "selling_partner_id": store.selling_partner_id,
        "status": store.status,
        "import_pending": store.import_pending,
        "starting_inventory": store.starting_inventory,
        "secret_storage": store.secret_storage,
    }


# --- handlers ---


def cmd_add(args: argparse.Namespace) -> int:
    options = _store_options(args)
    token = _read_token()
    market = by_code(args.marketplace)
    seller = check_seller_id(args.selling_partner_id)
    check_refresh_token_format(token)
    with core_session(args) as core:
        store_db.check_new_store(args.name, seller, market.marketplace_id)  # before asking Amazon
        feeds = feeds_names(args.feeds_warehouses)  # an unknown warehouse: exit 2, nothing added
        warning = try_refresh_token(core.spapi_config, token, market.region)
        store = add_store(
            core,
            name=args.name,
            marketplace=args.marketplace,
            selling_partner_id=args.selling_partner_id,
            refresh_token=token,
            options=options,
        )
        if feeds is not None:
            set_store_feeds(store.id, feeds)
    print(f"Added store '{store.name}' ({_market_code(store)}, seller {store.selling_partner_id}).")
    if warning:
        print(f"Warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _run_flow(core: CoreServices, flow: ConnectFlow, args: argparse.Namespace) -> ConnectResult:
    with flow:
        url = flow.start()
        print(url, flush=True)  # the contract: first stdout line
        if args.no_browser:
            print("Open the address above in a browser and authorize FBM Desk; waiting…", file=sys.stderr)
        elif webbrowser.open(url):
            print("Your browser was opened on Amazon's consent page; waiting…", file=sys.stderr)
        else:
            print("Could not open a browser: open the address above yourself; waiting…", file=sys.stderr)
        return flow.wait(args.timeout)


def _report(result: ConnectResult) -> None:
    store = result.store
    verb = "Reconnected" if result.reconnected else "Connected"
    print(
        f"{verb} store '{store.name}' ({_market_code(store)}, seller {store.selling_partner_id}).", flush=True
    )
    if result.other_marketplaces:
        codes = ", ".join(m.code for m in result.other_marketplaces)
        print(f"This authorization also covers: {codes}. Add them with 'store add' or in the app.")
    if result.warning:
        print(f"Warning: {result.warning}", file=sys.stderr)


def cmd_connect(args: argparse.Namespace) -> int:
    _check_timeout(args)
    options = _store_options(args)
    with core_session(args) as core:
        feeds = feeds_names(args.feeds_warehouses)  # an unknown warehouse: exit 2 before the browser opens
        request = ConnectRequest(name=args.name, marketplace=args.marketplace, options=options)
        result = _run_flow(core, ConnectFlow(core, request, port=args.port), args)
        if feeds is not None:
            set_store_feeds(result.store.id, feeds)
    _report(result)
    return EXIT_OK


def cmd_reconnect(args: argparse.Namespace) -> int:
    _check_timeout(args)
    with core_session(args) as core:
        store = store_db.find_store(args.name)
        if args.refresh_token_stdin:
            token = check_refresh_token_format(_read_token())
            warning = try_refresh_token(core.spapi_config, token, store.region)  # invalid_grant: exit 2
            replace_token(core, store.id, token)
            if warning:
                print(f"Warning: {warning}", file=sys.stderr)
            print(f"Reconnected store '{store.name}' with the pasted refresh token.")
            return EXIT_OK
        result = _run_flow(core, ConnectFlow.for_reconnect(core, store.id, port=args.port), args)
    _report(result)
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    with core_session(args) as core:
        stores = store_db.list_stores()
        blocked = core.credentials.sync_blocked()
    if args.json:
        print_json([store_json(s) | ({"sync_blocked": blocked} if blocked else {}) for s in stores])
        return EXIT_OK
    if not stores:
        print("No stores yet. Add one with 'fbm-desk store connect --name NAME --marketplace CODE'.")
        return EXIT_OK
    for s in stores:
        flag = "  (secrets: INSECURE file)" if s.secret_storage == "insecure_fallback" else ""  # noqa: S105
        flag += "  (this station cannot sync: no workspace key)" if blocked else ""
        if s.removing:
            flag += f"  (being removed: 'fbm-desk store remove --name \"{s.name}\" --yes' finishes it)"
        print(f"{s.name}\t{_market_code(s)}\t{s.selling_partner_id}\t{s.status}{flag}")
    if blocked:
        print(blocked, file=sys.stderr)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    with core_session(args) as core:
        store = store_db.find_store(args.name)
        try:
            parts = core.client_for(store).marketplace_participations()
        except (AuthorizationRevoked, AccessDenied) as exc:
            store_db.set_status(store.id, StoreStatus.NEEDS_RECONNECT, exc.user_message)
            raise
        if store.status == StoreStatus.NEEDS_RECONNECT:
            store_db.set_status(store.id, StoreStatus.CONNECTED)
    names = ", ".join(p.name or p.marketplace_id for p in parts if p.is_participating) or "none"
    print(f"Store '{store.name}' is connected. Amazon marketplaces of this account: {names}.")
    return EXIT_OK


def _set_enabled(args: argparse.Namespace, enabled: bool) -> int:
    with core_session(args):
        store = store_db.find_store(args.name)
        store_db.set_status(store.id, StoreStatus.CONNECTED if enabled else StoreStatus.DISABLED)
    print(f"Store '{store.name}' {'enabled' if enabled else 'disabled'}.")
    return EXIT_OK


def cmd_disable(args: argparse.Namespace) -> int:
    return _set_enabled(args, False)


def cmd_enable(args: argparse.Namespace) -> int:
    return _set_enabled(args, True)


def cmd_remove(args: argparse.Namespace) -> int:
    with core_session(args) as core:
        store = store_db.find_store(args.name)
        if not args.yes:
            raise InvalidInput(
                f"Removing '{store.name}' deletes its orders, products and history from this computer "
                "(nothing changes on Amazon). Add --yes to confirm."
            )
        remove_store(core, store.id)
    print(f"Removed store '{store.name}' from this computer.")
    return EXIT_OK
