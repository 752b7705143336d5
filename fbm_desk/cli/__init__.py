"""Headless commands: ``fbm-desk [--data-dir DIR] COMMAND ...``. Same services and jobs as the GUI.

Each command module exposes ``register(subparsers)`` and sets ``func=handler`` on its parser, where
``handler(args) -> int`` returns the exit code. Exit codes: 0 ok, 1 could not complete, 2 invalid input.
Known errors (``FbmError``) print their user message on stderr; anything else is a bug and is logged with its
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Callable, Sequence

from fbm_desk import APP_NAME, __version__
from fbm_desk.db.errors import storage_error
from fbm_desk.foundation.errors import FbmError, InvalidInput, NotFound

log = logging.getLogger(__name__)

COMMAND_MODULES: tuple[str, ...] = (
    "fbm_desk.cli.store_cmd",
    "fbm_desk.cli.sync_cmd",
    "fbm_desk.cli.orders_cmd",
    "fbm_desk.cli.products_cmd",
    "fbm_desk.cli.ship_cmd",
    "fbm_desk.cli.inventory_cmd",
    "fbm_desk.cli.warehouse_cmd",
    "fbm_desk.cli.sandbox_cmd",
    "fbm_desk.cli.rules_cmd",
    "fbm_desk.cli.print_cmd",
    "fbm_desk.cli.workspace_cmd",
    "fbm_desk.cli.privacy_cmd",
    "fbm_desk.cli.label_cmd",
    "fbm_desk.cli.workspace_key_cmd",
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_PIPE_CLOSED = 128 + 13  # what a shell reports for a tool ended by SIGPIPE (``… | head``)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fbm-desk",
        description=f"{APP_NAME}: Amazon FBM orders, products, stock and tracking for small warehouses. "
        "Without a command, opens the desktop app.",
    )
    parser.add_argument(
        "--data-dir", metavar="DIR", help="data folder (default: platform data dir; env FBM_DESK_DATA_DIR)"
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="a shared workspace on PostgreSQL, postgresql://user@host:port/dbname (default: the SQLite file in "
        "the data folder, or the workspace chosen in Settings; env FBM_DESK_DATABASE_URL)",
    )
    parser.add_argument(
        "--demo", action="store_true", help="open the app on the built-in Amazon sandbox with demo data"
    )
    parser.add_argument(
        "--self-test", action="store_true", help="run a smoke test of this installation and exit"
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="log debug details")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def run_command(args: argparse.Namespace) -> int:
    """Run the handler chosen by the parser, mapping known errors to exit codes and stderr messages."""
    handler: Callable[[argparse.Namespace], int] = args.func
    try:
        return handler(args)
    except (InvalidInput, NotFound) as exc:
        print(f"fbm-desk: {exc.user_message}", file=sys.stderr)
        return EXIT_INVALID
    except FbmError as exc:
        print(f"fbm-desk: {exc.user_message}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("fbm-desk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _reader_went_away()
    except Exception as exc:
        known = storage_error(exc)
        if known is not None:
            log.error("Command %s: %s (%s)", getattr(args, "command", "?"), known.user_message, exc)
            print(f"fbm-desk: {known.user_message}", file=sys.stderr)
            return EXIT_FAILED
        log.exception("Bug in command %s", getattr(args, "command", "?"))
        print("fbm-desk: internal error (details are in the log file)", file=sys.stderr)
        return EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        if args.self_test:
            from fbm_desk.selftest import run_self_test

            return run_self_test(args)
        from fbm_desk.app import run_gui

        return run_gui(args)
    code = run_command(args)
    try:
        sys.stdout.flush()  # what is still buffered, while a closed pipe can still be handled here
    except BrokenPipeError:
        return _reader_went_away()
    return code


def _reader_went_away() -> int:
    """The reader of our output closed it (``fbm-desk orders list | head``): stop quietly, like a Unix tool.

    Python's "Note on SIGPIPE": point stdout at devnull, so the interpreter's final flush does not raise again.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (embedded, tests): nothing to redirect
        pass
    return EXIT_PIPE_CLOSED
