"""``fbm-desk store add|connect|list`` as subprocesses (the public contract of issue 5)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from fbm_desk.sandbox import RunningSandbox, start_sandbox
from tests.support.oauth_browser import consent_redirect, follow, with_params

LIST_FIELDS = [
    "name",
    "marketplace_id",
    "selling_partner_id",
    "status",
    "import_pending",
    "starting_inventory",
    "secret_storage",
]
REPO = Path(__file__).resolve().parent.parent
TOKEN_VAR = "TEST_SANDBOX_REFRESH_TOKEN"


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(order_count=0) as sb:
        yield sb


@pytest.fixture
def cli_env(sandbox: RunningSandbox) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("FBM_DESK_") or k == "FBM_DESK_DATABASE_URL"
    }
    env.update(sandbox.env())
    env["FBM_DESK_CREDENTIALS"] = "file"  # survives between processes (a real keyring is not available here)
    env["PYTHONPATH"] = str(REPO)
    env[TOKEN_VAR] = sandbox.info.refresh_token  # (read by ``add`` only; the app ignores it)
    return env


def run(data_dir: Path, env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fbm_desk", "--data-dir", str(data_dir), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=REPO,
    )


def _as_from_a_terminal() -> None:
    """Ctrl+C as a terminal delivers it: a child inherits an ignored or blocked SIGINT from its parent (this
    test process, after other tests of the session changed it), and would then never see the signal."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(data_dir: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "fbm_desk", "--data-dir", str(data_dir), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
        preexec_fn=_as_from_a_terminal,
    )


def store_list(data_dir: Path, env: dict[str, str]) -> list[dict[str, object]]:
    done = run(data_dir, env, "store", "list", "--json")
    assert done.returncode == 0, done.stderr
    stores: list[dict[str, object]] = json.loads(done.stdout)
    return stores


def add(data_dir: Path, env: dict[str, str], name: str, market: str, seller: str, *extra: str):
    return run(
        data_dir,
        env,
        "store",
        "add",
        "--name",
        name,
        "--marketplace",
        market,
        "--selling-partner-id",
        seller,
        "--refresh-token-stdin",
        *extra,
        stdin=env[TOKEN_VAR] + "\n",
    )


def test_store_add_and_list_contract(
    tmp_path: Path, cli_env: dict[str, str], database_url: str | None
) -> None:
    assert store_list(tmp_path, cli_env) == []
    done = add(
        tmp_path, cli_env, "Acme US", "US", "A1SELLER", "--import-pending", "--starting-inventory", "zero"
    )
    assert done.returncode == 0, done.stderr
    stores = store_list(tmp_path, cli_env)
    assert stores == [
        {
            "name": "Acme US",
            "marketplace_id": "ATVPDKIKX0DER",
            "selling_partner_id": "A1SELLER",
            "status": "connected",
            "import_pending": True,
            "starting_inventory": "zero",
            "secret_storage": "insecure_fallback",
        }
    ]
    assert list(stores[0]) == LIST_FIELDS
    token = cli_env[TOKEN_VAR]
    if database_url is None:
        assert token.encode() not in (tmp_path / "fbm-desk.sqlite3").read_bytes()
    else:  # a workspace: sealed with the workspace key, nowhere as text
        with psycopg.connect(database_url) as conn:
            for table in ("store", "store_secret"):
                assert token not in repr(conn.execute(f"SELECT t::text FROM {table} t").fetchall())  # noqa: S608


def test_store_add_duplicates_exit_2_and_store_nothing(tmp_path: Path, cli_env: dict[str, str]) -> None:
    assert add(tmp_path, cli_env, "Acme US", "US", "A1SELLER").returncode == 0
    same_name = add(tmp_path, cli_env, "acme  us", "CA", "A9OTHERSELLER")
    assert same_name.returncode == 2
    assert "already exists" in same_name.stderr
    same_account = add(tmp_path, cli_env, "Acme again", "US", "A1SELLER")
    assert same_account.returncode == 2
    assert "already connected in this marketplace" in same_account.stderr
    assert [s["name"] for s in store_list(tmp_path, cli_env)] == ["Acme US"]
    # a second account in the same marketplace, and the same account in another marketplace, are fine
    assert add(tmp_path, cli_env, "Brand Two US", "US", "A2SECOND").returncode == 0
    assert (
        add(tmp_path, cli_env, "Acme CA", "CA", "A1SELLER", "--no-download-products-orders").returncode == 0
    )
    assert len(store_list(tmp_path, cli_env)) == 3


def test_store_add_invalid_input_exits_2(tmp_path: Path, cli_env: dict[str, str]) -> None:
    unknown = add(tmp_path, cli_env, "Acme XX", "XX", "A1SELLER")
    assert unknown.returncode == 2
    assert "Unknown marketplace" in unknown.stderr
    empty = run(
        tmp_path,
        cli_env,
        *("store", "add", "--name", "A", "--marketplace", "US", "--selling-partner-id", "A1"),
        "--refresh-token-stdin",
        stdin="\n",
    )
    assert empty.returncode == 2
    assert "No refresh token" in empty.stderr
    assert store_list(tmp_path, cli_env) == []


def _connect(tmp_path: Path, env: dict[str, str], *extra: str) -> tuple[subprocess.Popen[str], str]:
    proc = spawn(
        tmp_path, env, "store", "connect", "--name", "Maple US", "--marketplace", "US", "--no-browser", *extra
    )
    assert proc.stdout is not None
    first_line = proc.stdout.readline().strip()
    return proc, first_line


def test_store_connect_no_browser_round_trip(tmp_path: Path, cli_env: dict[str, str]) -> None:
    proc, url = _connect(tmp_path, cli_env, "--timeout", "120", "--import-pending")
    try:
        assert url.startswith(cli_env["FBM_DESK_SELLER_CENTRAL_URL"] + "/apps/authorize/consent?"), url
        page = follow(consent_redirect(url))
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.communicate()  # reaps it and closes the pipes
    assert proc.returncode == 0, err
    assert page.status_code == 200
    assert "Connected — you can close this tab" in page.text
    assert "Connected store 'Maple US'" in out
    assert "also covers: CA" in out
    stores = store_list(tmp_path, cli_env)
    assert [(s["name"], s["selling_partner_id"], s["import_pending"]) for s in stores] == [
        ("Maple US", "A2SANDBOXDEMO1", True)
    ]


def test_store_connect_wrong_state_fails_and_stores_nothing(tmp_path: Path, cli_env: dict[str, str]) -> None:
    proc, url = _connect(tmp_path, cli_env, "--timeout", "120")
    try:
        location = consent_redirect(url)
        page = follow(with_params(location, state="forged-state-value-0123456789abcdef"))
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.communicate()  # reaps it and closes the pipes
    assert page.status_code == 400
    assert proc.returncode != 0
    assert "did not match" in err
    assert store_list(tmp_path, cli_env) == []


def test_store_connect_timeout(tmp_path: Path, cli_env: dict[str, str]) -> None:
    proc, url = _connect(tmp_path, cli_env, "--timeout", "0.5")
    _, err = proc.communicate(timeout=60)
    assert url.startswith("http")
    assert proc.returncode == 1
    assert "did not send the authorization back" in err
    assert store_list(tmp_path, cli_env) == []


def test_store_connect_port_taken(tmp_path: Path, cli_env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run(
            tmp_path, cli_env, "store", "connect", "--name", "M", "--marketplace", "US", "--no-browser",
            "--port", str(port),
        )  # fmt: skip
    assert done.returncode == 1
    assert "already in use" in done.stderr
    assert done.stdout == ""


def test_store_connect_ctrl_c(tmp_path: Path, cli_env: dict[str, str]) -> None:
    proc, url = _connect(tmp_path, cli_env, "--timeout", "120")
    assert url.startswith("http")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "interrupted" in err
    assert store_list(tmp_path, cli_env) == []


def test_store_remove_needs_confirmation(tmp_path: Path, cli_env: dict[str, str]) -> None:
    assert add(tmp_path, cli_env, "Acme US", "US", "A1SELLER").returncode == 0
    refused = run(tmp_path, cli_env, "store", "remove", "--name", "Acme US")
    assert refused.returncode == 2
    assert "deletes its orders, products and history from this computer" in refused.stderr
    assert run(tmp_path, cli_env, "store", "remove", "--name", "Acme US", "--yes").returncode == 0
    assert store_list(tmp_path, cli_env) == []
    assert "Atzr|" not in (tmp_path / "secrets-INSECURE.json").read_text(encoding="utf-8")


def test_store_check_and_disable(tmp_path: Path, cli_env: dict[str, str], sandbox: RunningSandbox) -> None:
    done = run(
        tmp_path,
        cli_env,
        *("store", "add", "--name", "Maple US", "--marketplace", "US"),
        *("--selling-partner-id", sandbox.info.selling_partner_id, "--refresh-token-stdin"),
        stdin=sandbox.info.refresh_token,
    )
    assert done.returncode == 0, done.stderr
    check = run(tmp_path, cli_env, "store", "check", "--name", "Maple US")
    assert check.returncode == 0, check.stderr
    assert "is connected" in check.stdout
    assert run(tmp_path, cli_env, "store", "disable", "--name", "Maple US").returncode == 0
    assert store_list(tmp_path, cli_env)[0]["status"] == "disabled"
    assert run(tmp_path, cli_env, "store", "enable", "--name", "Maple US").returncode == 0
    sandbox.world.auth.revoke_refresh_token()
    revoked = run(tmp_path, cli_env, "store", "check", "--name", "Maple US")
    assert revoked.returncode == 1
    assert "reconnect" in revoked.stderr.lower()
    assert store_list(tmp_path, cli_env)[0]["status"] == "needs_reconnect"


@pytest.mark.sqlite_only  # marks the store through the SQLite file, as a crashed window would leave it
def test_store_remove_finishes_a_removal_a_crash_left_unfinished(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    import sqlite3

    assert add(tmp_path, cli_env, "Acme US", "US", "A1SELLER").returncode == 0
    with sqlite3.connect(tmp_path / "fbm-desk.sqlite3") as conn:
        conn.execute("UPDATE store SET removing_since = '2026-12-07T10:00:00Z'")
    listed = run(tmp_path, cli_env, "store", "list")
    assert "(being removed: 'fbm-desk store remove --name \"Acme US\" --yes' finishes it)" in listed.stdout
    synced = run(tmp_path, cli_env, "sync", "orders", "--store", "Acme US", "--json")
    assert "being removed" in synced.stdout
    assert run(tmp_path, cli_env, "store", "remove", "--name", "Acme US", "--yes").returncode == 0
    assert store_list(tmp_path, cli_env) == []
