"""``fbm-desk sandbox [--port N] [--seed N] [--speedup X] [--alive|--static] [--orders N]
[--report-headers english|fulfilment|chinese|german] [--report-outcome done|cancelled|fatal]``.

Runs the built-in Amazon sandbox on loopback (``--no-rate-limits`` for benchmarks). When it is ready, prints
ONE JSON line on stdout (public contract, issue 3): ``{"endpoint","lwa_token_url","seller_central_url",
"client_id","client_secret","application_id","selling_partner_id","refresh_token","marketplace_ids"}`` (the
refresh token is already authorized for the demo seller), then serves until SIGINT/SIGTERM. Default: alive
(new orders keep arriving), speed-up from ``FBM_DESK_SPEEDUP`` (else 1).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from typing import Any

from fbm_desk.amazon.config import ENV_SPEEDUP
from fbm_desk.foundation.errors import InvalidInput

EXIT_OK = 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run the built-in Amazon sandbox (demo seller, orders, listings) on loopback",
        description="Run the built-in Amazon sandbox. Prints one JSON line with the connection details.",
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (default: a free port)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the simulated world (default 1)")
    parser.add_argument(
        "--speedup", type=float, default=None, help=f"time speed-up (default: ${ENV_SPEEDUP} or 1)"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--alive", dest="alive", action="store_true", default=True, help="orders keep arriving")
    mode.add_argument(
        "--static", dest="alive", action="store_false", help="the world changes only via the API"
    )
    parser.add_argument("--orders", type=int, default=None, metavar="N", help="number of seeded orders")
    parser.add_argument("--no-rate-limits", action="store_true", help="turn throttling off (benchmarks)")
    parser.add_argument(
        "--report-headers",
        choices=("english", "fulfilment", "chinese", "german"),
        default="english",
        help="header row of the listings report (a language other than English only when English is "
        "not asked for)",
    )
    parser.add_argument(
        "--report-outcome",
        choices=("done", "cancelled", "fatal"),
        default="done",
        help="how every listings report ends (default done)",
    )
    parser.set_defaults(func=run)


def _speedup(args: argparse.Namespace) -> float:
    if args.speedup is not None:
        value = float(args.speedup)
    else:
        try:
            value = float(os.environ.get(ENV_SPEEDUP, "1") or 1)
        except ValueError as exc:
            raise InvalidInput(f"{ENV_SPEEDUP} must be a number.") from exc
    if value <= 0:
        raise InvalidInput("The speed-up must be a positive number.")
    return value


def run(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    """Serve until SIGINT/SIGTERM (or until ``stop`` is set, for in-process callers)."""
    from fbm_desk.sandbox import start_sandbox

    if not 0 <= args.port <= 65535:
        raise InvalidInput("--port must be between 0 and 65535.")
    if args.orders is not None and args.orders < 0:
        raise InvalidInput("--orders must not be negative.")
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    try:
        sandbox = start_sandbox(
            port=args.port,
            seed=args.seed,
            speedup=_speedup(args),
            alive=args.alive,
            order_count=args.orders,
            rate_limits=not args.no_rate_limits,
            report_headers=args.report_headers,
            report_outcome=args.report_outcome.upper(),
        )
    except OSError as exc:
        raise InvalidInput(f"Cannot listen on port {args.port}: {exc.strerror or exc}.") from exc
    sys.stdout.write(json.dumps(sandbox.info.to_dict()) + "\n")
    sys.stdout.flush()
    print(f"FBM Desk sandbox running at {sandbox.base_url} (Ctrl+C to stop)", file=sys.stderr, flush=True)
    sandbox.serve_until(stop)
    return EXIT_OK
