"""``fbm-desk workspace-key export|join KEY|status [--json]``: the shared workspace's key on this station.

A store's Amazon token is sealed in the workspace with the workspace key (``db.workspace_secrets``); a station
needs the key, kept in its keyring, to sync. ``export`` prints it (on a station that has it; keep the text like
a password), ``join KEY`` keeps it on this station (checked against the workspace first; ``-`` reads it from
stdin), ``status`` says whether this station can sync. Exit 2 when the key is wrong or this is no workspace.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from fbm_desk.cli.common import core_session, print_json
from fbm_desk.core import CoreServices
from fbm_desk.db.workspace_secrets import WorkspaceCredentials
from fbm_desk.foundation.errors import InvalidInput


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "workspace-key", help="the shared workspace's key on this station (export, join)"
    )
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub.add_parser("export", help="print the workspace key for a station that joins").set_defaults(
        func=cmd_export
    )
    join = sub.add_parser("join", help="keep the workspace key on this station (once per station)")
    join.add_argument("key", metavar="KEY", help="the text 'workspace-key export' printed ('-': read stdin)")
    join.set_defaults(func=cmd_join)
    status = sub.add_parser("status", help="can this station sync (does it hold the workspace key)")
    status.add_argument("--json", action="store_true", help='print {"workspace_id","can_sync","message"}')
    status.set_defaults(func=cmd_status)


def _workspace(core: CoreServices) -> WorkspaceCredentials:
    if not isinstance(core.credentials, WorkspaceCredentials):
        raise InvalidInput(
            "This data folder uses this computer's database, not a shared workspace: Amazon tokens stay in "
            "this computer's keyring and there is no workspace key. Use --database URL."
        )
    return core.credentials


def cmd_export(args: argparse.Namespace) -> int:
    with core_session(args) as core:
        print(_workspace(core).export_key_text())
    return 0


def cmd_join(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.key == "-" else args.key
    with core_session(args) as core:
        workspace_id = _workspace(core).join(text)
    print(f"This station now holds the key of workspace {workspace_id}: it can sync the workspace's stores.")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    with core_session(args) as core:
        state = _workspace(core).key_state()
    message = state.problem or "This station holds the workspace key: it can sync."
    if state.workspace_id is None:
        message = "No store is connected on this workspace yet; the first one connected makes the key."
    if args.json:
        print_json({"workspace_id": state.workspace_id, "can_sync": not state.problem, "message": message})
    else:
        print(message)
    return 0
