"""End to end: a store's tokens and the app secret never reach the log file or SQLite, even at DEBUG level.

A real store is added with the built-in sandbox's refresh token, the real SP-API client exchanges it for an
access token over loopback and calls Amazon's API, with verbose logging and deliberately careless log lines.
Afterwards only the documented insecure fallback file may contain the refresh token.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from fbm_desk.amazon.config import SpApiConfig
from fbm_desk.core import build_core
from fbm_desk.domain.stores import add_store
from fbm_desk.foundation.logging_setup import setup_logging
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.sandbox import RunningSandbox, start_sandbox

pytestmark = pytest.mark.e2e


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(rate_limits=False) as running:
        yield running


def _files_under(folder: Path, *, skip: set[str]) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file() and p.name not in skip}


def _workspace_text(url: str) -> str:
    """Every row of every table of a shared workspace, as text."""
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return "\n".join(
            repr(conn.execute(f'SELECT t::text FROM "{table}" t').fetchall())  # noqa: S608 - catalog names
            for table in tables
        )


def test_tokens_and_client_secret_never_reach_log_or_database(
    app_paths: AppPaths, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch, database_url: str | None
) -> None:
    monkeypatch.setenv("FBM_DESK_CREDENTIALS", "file")  # the documented insecure fallback
    info = sandbox.info
    log_file = setup_logging(app_paths, verbose=True)
    config = SpApiConfig(
        client_id=info.client_id,
        client_secret=info.client_secret,
        application_id=info.application_id,
        lwa_token_url=info.lwa_token_url,
        spapi_endpoint=info.endpoint,
        seller_central_url=info.seller_central_url,
    )
    core = build_core(app_paths, spapi_config=config)
    try:
        store = add_store(
            core,
            name="Leak check",
            marketplace="US",
            selling_partner_id=info.selling_partner_id,
            refresh_token=info.refresh_token,
        )
        participations = core.client_for(store).marketplace_participations()
        assert participations  # the token exchange and the API call really happened
        careless = logging.getLogger("fbm_desk.careless")
        careless.debug("store %s token=%s secret=%s", store.id, info.refresh_token, info.client_secret)
        careless.info("config %r credentials %s", config, {"refresh_token": info.refresh_token})
    finally:
        core.close()
    for handler in logging.getLogger().handlers:
        handler.flush()

    log_text = log_file.read_text(encoding="utf-8")
    assert "token=[REDACTED] secret=[REDACTED]" in log_text  # the careless lines were written, scrubbed
    files = _files_under(app_paths.data_dir, skip={app_paths.insecure_secrets_file.name})
    assert (app_paths.db_file in files) == (database_url is None)  # a workspace keeps no database file here
    assert log_file in files
    if database_url is not None:  # ... but on the server, where the token is sealed with the workspace key
        workspace = _workspace_text(database_url)
        assert info.refresh_token not in workspace
        assert info.client_secret not in workspace
        assert "Atza|" not in workspace
        assert "Atzr|" not in workspace
    for path, data in files.items():
        assert info.refresh_token.encode() not in data, path
        assert info.client_secret.encode() not in data, path
        assert b"Atza|" not in data, path  # no access token either
        assert b"Atzr|" not in data, path
    secrets = app_paths.insecure_secrets_file.read_text(encoding="utf-8")
    assert (info.refresh_token in secrets) == (database_url is None)  # on a workspace: sealed in it, not here
