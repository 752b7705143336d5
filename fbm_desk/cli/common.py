"""Helpers shared by command modules: open the services for one command, the ``--store`` filter, JSON/text output."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from fbm_desk.core import CoreServices, build_core
from fbm_desk.db import stores as store_db
from fbm_desk.foundation.logging_setup import setup_logging
from fbm_desk.foundation.paths import resolve_paths

T = TypeVar("T")


def open_core(args: argparse.Namespace) -> CoreServices:
    """Build the Qt-free services for a headless command (logs go to the log file only).

    A read-only data folder still serves read commands: the database opens read-only, a note on stderr says
    what cannot be written, and a command that writes fails with the read-only message (exit 1).
    """
    paths = resolve_paths(getattr(args, "data_dir", None), getattr(args, "database", None))
    read_only = not paths.data_writable()
    if not read_only:
        paths.ensure()
    log_file = setup_logging(paths, verbose=bool(getattr(args, "verbose", False)), console=False)
    if read_only:
        print(
            f"fbm-desk: note: the data folder {paths.data_dir} is read-only: data can be shown, nothing can be "
            "saved (no sync, no changes, no log file).",
            file=sys.stderr,
        )
    elif log_file is None:
        print(
            f"fbm-desk: note: the log file {paths.log_file} cannot be written; nothing is logged.",
            file=sys.stderr,
        )
    return build_core(paths, read_only=read_only)


@contextmanager
def core_session(args: argparse.Namespace) -> Iterator[CoreServices]:
    """``open_core`` for the duration of a ``with`` block; the services are closed however it ends."""
    core = open_core(args)
    try:
        yield core
    finally:
        core.close()


def store_filter(name: str | None) -> int | None:
    """The id of the store a ``--store NAME`` option names, None without the option (unknown name: NotFound)."""
    return store_db.find_store(name).id if name else None


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=None)
    sys.stdout.write("\n")
    sys.stdout.flush()


def print_rows(
    rows: Iterable[T], as_json: bool, to_json: Callable[[T], Any], to_text: Callable[[T], str]
) -> None:
    """A list command's output: one JSON array of ``to_json(row)`` with ``--json``, else a line per row."""
    if as_json:
        print_json([to_json(row) for row in rows])
    else:
        for row in rows:
            print(to_text(row))
