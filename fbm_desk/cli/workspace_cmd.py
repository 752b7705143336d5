"""``fbm-desk workspace migrate --to URL`` and ``fbm-desk workspace test [--database URL]``.

``migrate`` copies this computer's database (the SQLite file in the data folder) into an EMPTY PostgreSQL
workspace in one transaction, comparing every table's row count (``db.workspace_copy``). Exit 0: copied; 2: the
address is not a PostgreSQL one or the workspace is not empty (nothing written); 1: the server cannot be reached
or the copy failed (rolled back). ``test`` connects once and prints the server's version (exit 0) or why it
cannot (exit 1). ``--json`` prints one object.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from fbm_desk.cli.common import print_json
from fbm_desk.core import workspace_url
from fbm_desk.foundation.credentials import open_credentials
from fbm_desk.foundation.errors import FbmError
from fbm_desk.foundation.logging_setup import setup_logging
from fbm_desk.foundation.paths import resolve_paths
from fbm_desk.foundation.settings import load_settings
from fbm_desk.foundation.workspace_settings import with_password


def register(subparsers: Any) -> None:
    ws = subparsers.add_parser(
        "workspace", help="the shared workspace on a PostgreSQL server"
    ).add_subparsers(dest="workspace_command", metavar="ACTION", required=True)
    mig = ws.add_parser(
        "migrate", help="copy this computer's database into an empty PostgreSQL workspace (counts verified)"
    )
    mig.add_argument("--to", required=True, metavar="URL", help="postgresql://user@host:port/dbname")
    mig.add_argument("--json", action="store_true", help="print JSON")
    mig.set_defaults(func=cmd_migrate)
    test = ws.add_parser("test", help="connect to the shared workspace once and print the server's version")
    test.add_argument(
        "--database",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="the workspace to test (default: this station's)",
    )
    test.add_argument("--json", action="store_true", help="print JSON")
    test.set_defaults(func=cmd_test)


def cmd_migrate(args: argparse.Namespace) -> int:
    from fbm_desk.db.pg_connection import redact_url
    from fbm_desk.db.workspace_copy import copy_to_workspace

    paths = resolve_paths(getattr(args, "data_dir", None)).ensure()
    setup_logging(paths, verbose=bool(getattr(args, "verbose", False)), console=False)
    report = copy_to_workspace(paths.db_file, args.to, backup_dir=paths.backup_dir)
    if args.json:
        print_json({"target": report.target, "rows": report.rows, "tables": report.tables})
    else:
        print(
            f"Copied {report.rows:,} rows ({len(report.tables)} tables, every count checked) into the workspace "
            f"{report.target}.\nUse it on this station with Settings → Workspace → Shared server, or "
            f"fbm-desk --database {redact_url(args.to)}; this computer's file is left as it was."
        )
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    from fbm_desk.db.pg_connection import check_connection, describe

    paths = resolve_paths(getattr(args, "data_dir", None), getattr(args, "database", None))
    settings = load_settings(paths.settings_file)
    url = workspace_url(paths, settings)
    if url is None:
        message = "This station uses this computer's own database (no shared workspace is set up)."
        if args.json:
            print_json({"shared": False, "ok": True, "message": message})
        else:
            print(message)
        return 0
    if not paths.database_url:
        url = with_password(
            url, open_credentials(paths.data_dir, settings.instance_id).get_workspace_password()
        )
    try:
        version = check_connection(url)
    except FbmError as exc:
        if args.json:
            print_json({"shared": True, "ok": False, "workspace": describe(url), "message": exc.user_message})
        else:
            print(f"fbm-desk: {exc.user_message}", file=sys.stderr)
        return 1
    if args.json:
        print_json({"shared": True, "ok": True, "workspace": describe(url), "server_version": version})
    else:
        print(f"The workspace {describe(url)} answers: {version}.")
    return 0
