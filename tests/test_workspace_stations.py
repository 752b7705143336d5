"""Issue 13 items 2 and 6 end to end: two stations (two data folders, one workspace URL) on a real server.

A store connected on station A is synced by station B once B joined with the workspace key; before that B can
pack but not sync, and says so. ``sync`` started on both stations at once: both exit 0, each package confirmed
once. No token is plain text in the database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from fbm_desk.core import CoreServices
from fbm_desk.db.models import StoreSecret
from fbm_desk.db.stores import get_store
from fbm_desk.db.workspace_secrets import MISSING, WorkspaceCredentials
from fbm_desk.domain.packing import record_package
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.foundation.workspace_key import new_workspace_key
from fbm_desk.sandbox import RunningSandbox
from fbm_desk.sync.base import JobKind
from fbm_desk.sync.execute import run_job
from tests.support.sync_env import make_core, make_store, merchant_skus, settle

pytestmark = pytest.mark.e2e


@pytest.fixture
def station_a(
    tmp_path: Path, pg_workspace: str, quiet: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CoreServices]:
    monkeypatch.setenv("FBM_DESK_CREDENTIALS", "file")  # each station's keyring: a file in its data folder
    paths = AppPaths(data_dir=tmp_path / "a", log_dir=tmp_path / "a" / "logs", database_url=pg_workspace)
    core = make_core(paths.ensure(), quiet)
    yield core
    core.close()


def _cli(sb: RunningSandbox, data: Path, url: str, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FBM_DESK_")}
    env.update(sb.env())
    env["FBM_DESK_CREDENTIALS"] = "file"
    argv = [sys.executable, "-m", "fbm_desk", "--data-dir", str(data), "--database", url, *args]
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _run(sb: RunningSandbox, data: Path, url: str, *args: str) -> tuple[int, str, str]:
    proc = _cli(sb, data, url, *args)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def _last_json(out: str) -> Any:
    return json.loads(out.strip().splitlines()[-1])


def test_a_store_connected_on_one_station_is_synced_by_another_that_joined(
    station_a: CoreServices, quiet: RunningSandbox, pg_workspace: str, tmp_path: Path
) -> None:
    store = make_store(station_a, quiet)
    sealed = bytes(StoreSecret.get(StoreSecret.store == store.id).sealed)
    assert quiet.info.refresh_token.encode() not in sealed
    with psycopg.connect(pg_workspace) as conn:  # nowhere in the database as text
        for table in ("store", "store_secret", "workspace", "job_lock"):
            dump = conn.execute(f"SELECT t::text FROM {table} t").fetchall()  # noqa: S608 - fixed names
            assert quiet.info.refresh_token not in repr(dump)
    b = tmp_path / "b"

    code, out, err = _run(quiet, b, pg_workspace, "sync", "orders", "--json")  # B: no key yet
    assert code == 1
    assert "does not have the workspace key" in _last_json(out)["error"]
    code, out, err = _run(quiet, b, pg_workspace, "store", "list", "--json")
    assert code == 0
    assert json.loads(out)[0]["sync_blocked"] == MISSING
    code, out, err = _run(quiet, b, pg_workspace, "workspace-key", "status", "--json")
    assert (code, _last_json(out)["can_sync"]) == (0, False)
    bad = new_workspace_key().export_text()  # a well-formed key of another workspace
    code, out, err = _run(quiet, b, pg_workspace, "workspace-key", "join", bad)
    assert code == 2
    assert "another workspace" in err

    code, key_text, err = _run(quiet, tmp_path / "a", pg_workspace, "workspace-key", "export")
    assert code == 0, err
    code, out, err = _run(quiet, b, pg_workspace, "workspace-key", "join", key_text.strip())
    assert code == 0, err
    code, out, err = _run(quiet, b, pg_workspace, "store", "list", "--json")
    assert "sync_blocked" not in json.loads(out)[0]

    skus = merchant_skus(quiet, 4)
    order_ids = [quiet.world.add_order(skus={sku: 1}) for sku in skus]
    settle(quiet, *order_ids)
    code, out, err = _run(quiet, b, pg_workspace, "sync", "orders", "--json")  # B syncs A's store
    assert (code, _last_json(out)["status"]) == (0, "ok"), err
    for n, order_id in enumerate(order_ids):
        record_package(station_a, order_id, "UPS", f"1Z999AA1012345678{n}")

    procs = [_cli(quiet, d, pg_workspace, "sync", "shipments", "--json") for d in (tmp_path / "a", b)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append((proc.returncode, _last_json(out), err))
    for code, result, err in results:
        assert (code, result["status"]) == (0, "ok"), err
    assert len(quiet.world.pushed()["shipments"]) == len(order_ids)  # each package confirmed once
    covered = [r for _c, r, _e in results if r.get("covered_by_other_run")]
    assert all(r["covered_by_station"] for r in covered)
    assert run_job(station_a, get_store(store.id), JobKind.SHIPMENTS).status == "ok"
    assert len(quiet.world.pushed()["shipments"]) == len(order_ids)


def test_a_sealed_token_only_opens_with_its_workspace_key_and_store(station_a: CoreServices) -> None:
    from fbm_desk.db.workspace_secrets import WorkspaceKeyProblem, seal, unseal

    assert isinstance(station_a.credentials, WorkspaceCredentials)
    key, other = os.urandom(32), os.urandom(32)
    sealed = seal(key, "ws1", 7, "Atzr|token")
    assert unseal(key, "ws1", 7, sealed) == "Atzr|token"
    for args in ((other, "ws1", 7), (key, "ws1", 8), (key, "ws2", 7)):
        with pytest.raises(WorkspaceKeyProblem):
            unseal(*args, sealed)
