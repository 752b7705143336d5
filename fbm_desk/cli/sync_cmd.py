"""``fbm-desk sync JOB [--store NAME] [--json]``: run one sync job now, for one store or every active store.

Public contract (issue 5): JOB is one of orders | orders-sweep | products | products-full | inventory |
shipments. Exit 0 when every run completed (records Amazon rejected are reported, not failures), 1 when a run
could not complete (its message on stderr). ``--json`` prints one object per store (every store not
disabled when ``--store`` is absent), one per line, also on failure:
{"job","store","status":"ok"|"failed","fetched","created","updated","api_calls","throttled","error"}.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from fbm_desk.cli.common import open_core, print_json
from fbm_desk.db import stores as store_db
from fbm_desk.db.states import StoreStatus
from fbm_desk.foundation.errors import FbmError, NotFound
from fbm_desk.sync.base import JobKind, SyncResult

EXIT_OK = 0
EXIT_FAILED = 1


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("sync", help="run a sync job now")
    p.add_argument(
        "job", choices=[k.value for k in JobKind], metavar="JOB", help=" | ".join(k.value for k in JobKind)
    )
    p.add_argument("--store", metavar="NAME", help="only this store (default: every store not disabled)")
    p.add_argument("--json", action="store_true", help="print one JSON object per store")
    p.set_defaults(func=cmd_sync)


def _human(result: SyncResult) -> str:
    head = f"{result.store}: {result.job} {result.status}"
    numbers = (
        f"fetched {result.fetched}, created {result.created}, updated {result.updated}, "
        f"skipped {result.skipped}, rejected {result.rejected}, API calls {result.api_calls}, "
        f"throttled {result.throttled}"
    )
    tail = f" - {result.summary}" if result.summary else ""
    return f"{head} ({numbers}){tail}"


def cmd_sync(args: argparse.Namespace) -> int:
    from fbm_desk.sync.execute import run_job

    core = open_core(args)
    try:
        kind = JobKind(args.job)
        if args.store:
            try:
                stores = [store_db.find_store(args.store)]
            except NotFound as exc:
                if args.json:  # --json prints its object also for this failure (then exit 2)
                    print_json(
                        SyncResult(
                            job=kind.value, store=args.store, status="failed", error=str(exc)
                        ).to_json()
                    )
                raise
        else:
            # every store not disabled: one that needs reconnecting is reported as a failed run (its JSON
            # object says why) instead of being skipped silently
            stores = [
                s for s in store_db.list_stores() if s.status != StoreStatus.DISABLED and not s.removing
            ]
            if not stores:
                raise FbmError(
                    "No connected store to sync. Add one with 'fbm-desk store add' or 'store connect'."
                )
        code = EXIT_OK
        for store in stores:
            result = run_job(core, store, kind, trigger="cli")
            if args.json:
                print_json(result.to_json())
            else:
                print(_human(result), flush=True)
            if result.status != "ok":
                code = EXIT_FAILED
                print(f"fbm-desk: {store.name}: {result.error}", file=sys.stderr)
        return code
    finally:
        core.close()
