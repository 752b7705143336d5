"""Issue 11 #3 end to end: two ``fbm-desk sync`` processes of one store started together.

Whatever the interleaving, the outcome must be the same: both exit 0, each package is confirmed once, each
stock change pushed once, no run fails "busy". (The lock's interleavings themselves are driven
deterministically in ``test_job_locks.py``; ``bench/bench_two_processes.py`` repeats this 20 times per job.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from fbm_desk.core import CoreServices
from fbm_desk.db.inventory import set_on_hand
from fbm_desk.db.stock import pending_pushes
from fbm_desk.db.stores import get_store
from fbm_desk.domain.packing import record_package
from fbm_desk.foundation.paths import ENV_DATABASE_URL, AppPaths
from fbm_desk.sandbox import RunningSandbox
from fbm_desk.sync.base import JobKind
from fbm_desk.sync.execute import run_job
from tests.support.sync_env import make_store, merchant_skus, settle

pytestmark = pytest.mark.e2e


def _pair(sb: RunningSandbox, data: Path, job: str) -> list[tuple[int, dict[str, Any], str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FBM_DESK_") or k == ENV_DATABASE_URL}
    env.update(sb.env())  # the suite on PostgreSQL: both processes on the test's workspace
    env["FBM_DESK_CREDENTIALS"] = "file"
    argv = [sys.executable, "-m", "fbm_desk", "--data-dir", str(data), "sync", job, "--json"]
    procs = [
        subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append((proc.returncode, json.loads(out.strip().splitlines()[-1]), err))
    return results


@pytest.fixture
def file_core(quiet_core: CoreServices, monkeypatch: pytest.MonkeyPatch) -> CoreServices:
    monkeypatch.setenv("FBM_DESK_CREDENTIALS", "file")  # the subprocesses read the token from the data folder
    from fbm_desk.foundation.credentials import open_credentials

    quiet_core.credentials = open_credentials(quiet_core.paths.data_dir, quiet_core.settings.instance_id)
    return quiet_core


def test_two_processes_send_each_confirmation_and_stock_change_once(
    file_core: CoreServices, quiet: RunningSandbox, app_paths: AppPaths
) -> None:
    core = file_core
    store = make_store(core, quiet)
    for code, result, err in _pair(quiet, app_paths.data_dir, "products-full"):  # failed "busy" before
        assert (code, result["status"]) == (0, "ok"), err
    skus = merchant_skus(quiet, 6)
    order_ids = [quiet.world.add_order(skus={sku: 1}) for sku in skus]
    settle(quiet, *order_ids)
    assert run_job(core, get_store(store.id), JobKind.ORDERS).status == "ok"
    for n, order_id in enumerate(order_ids):
        record_package(core, order_id, "UPS", f"1Z999AA1012345678{n}")

    for code, result, err in _pair(quiet, app_paths.data_dir, "shipments"):
        assert (code, result["status"]) == (0, "ok"), err
    assert len(quiet.world.pushed()["shipments"]) == len(order_ids)  # 6 packages, 6 confirmations

    for n, sku in enumerate(skus[:2]):
        set_on_hand(sku, 500 + n)
    changes = len(pending_pushes(store.id))  # these two, and the stock the packed orders took
    before = quiet.world.pushed()
    feeds_before = quiet.world.counters()["calls"].get("createFeed", 0)
    for code, result, err in _pair(quiet, app_paths.data_dir, "inventory"):
        assert (code, result["status"]) == (0, "ok"), err
    after = quiet.world.pushed()
    patches = len(after["listing_patches"]) - len(before["listing_patches"])
    feeds = quiet.world.counters()["calls"].get("createFeed", 0) - feeds_before
    assert (patches, feeds) in ((changes, 0), (0, 1))  # one push per change, or one feed for them all
    assert pending_pushes(store.id) == []
