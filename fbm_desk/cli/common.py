"""Helpers shared by command modules: open the services once, print JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from fbm_desk.core import CoreServices, build_core
from fbm_desk.logging_setup import setup_logging
from fbm_desk.paths import resolve_paths


def open_core(args: argparse.Namespace) -> CoreServices:
    """Build the Qt-free services for a headless command (logs go to the log file only)."""
    paths = resolve_paths(getattr(args, "data_dir", None)).ensure()
    setup_logging(paths, verbose=bool(getattr(args, "verbose", False)), console=False)
    return build_core(paths)


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=None)
    sys.stdout.write("\n")
    sys.stdout.flush()
